/**
 * A local stand-in of the DigitalOcean API (api.digitalocean.com/v2) for `npm run verify:do`: every request is checked
 * against DigitalOcean's published OpenAPI description (do-openapi.ts) before it is answered, and what is created is
 * kept, so later reads answer as DigitalOcean would (GET after POST, lists, PUT/PATCH, DELETE).
 *
 * - A request the description refuses (no such path or method, a bad path or query parameter, a body missing a
 *   required field, a value outside an enum, a wrong type or format) is answered 422 `unprocessable_entity` with the
 *   reasons, the way DigitalOcean answers an invalid request, and recorded as a problem.
 * - State is generic, keyed by the request path: a POST to a collection (a path with a `GET {collection}/{id}` in the
 *   description) creates an item under it; PUT/PATCH merge; DELETE removes the item and what lies under it; a PUT to
 *   a path without items (a database's firewall) stores the body there. The wrapper key of each answer (`database`,
 *   `vpcs`, ...) is read from the operation's success response in the description.
 * - What the server fills in (ids, URNs, connection details) comes from the `readOnly` properties' examples in the
 *   description, ids are generated (UUIDs or integers, as the schema types them), and resources are ready at once with
 *   the status the Terraform provider waits for (terraform-provider-digitalocean v2.71.0: database and replica
 *   `online`, digitalocean/database/resource_database_cluster.go waitForDatabaseCluster; Kubernetes `running`,
 *   kubernetes/resource_kubernetes_cluster.go waitForKubernetesClusterCreate; load balancer `active`,
 *   loadbalancer/resource_loadbalancer.go; VPC peering `ACTIVE`, vpcpeering/resource_vpc_peering.go; certificate
 *   `verified`, certificate/resource_certificate.go; actions `completed`).
 * - Spaces (S3-compatible, not in the description) arrive as plain-HTTP proxy requests for
 *   `http://<bucket>.<region>.spaces.invalid/...` (the provider's `spaces_endpoint` template) and are forwarded,
 *   path-style, to moto's S3 through moto's proxy.
 */
import * as http from 'http';
import { descriptionGapOf } from './do-gaps';
import { DoOpenApi, Operation } from './do-openapi';

type Json = Record<string, unknown>;

export interface DoRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly operationId?: string;
  readonly status: number;
  readonly problems: string[];
  /** The request body as sent (kept for the request log, never printed in the summary). */
  readonly body?: unknown;
}

/** Fields the Terraform provider polls, set when an item is created (see the header for where each is read). */
const READY: Record<string, (item: Json) => void> = {
  database: (i) => (i.status = 'online'),
  replica: (i) => (i.status = 'online'),
  load_balancer: (i) => (i.status = 'active'),
  vpc_peering: (i) => (i.status = 'ACTIVE'),
  certificate: (i) => (i.state = 'verified'),
  action: (i) => (i.status = 'completed'),
  kubernetes_cluster: (i) => (i.status = { state: 'running', message: '' }),
};

/**
 * What an account reads but never creates, answered as DigitalOcean does for the stack's needs. The description's
 * example for /v2/kubernetes/options lists retired versions; DOKS offers 1.35 (the version the clusters target,
 * scripts/real-engines/engines.ts VERSIONS.kubernetes), so the list has it.
 */
const FIXTURES: Record<string, (store: ReadonlyMap<string, Json>) => unknown> = {
  // The subscription follows the registry's tier (registry/resource_container_registry.go reads it back).
  registries_get_subscription: (store) => ({
    subscription: {
      tier: { slug: String(store.get('/v2/registry')?.subscription_tier_slug ?? 'starter') },
      created_at: '2026-01-01T00:00:00Z',
    },
  }),
  kubernetes_list_options: () => ({
    options: {
      versions: [{ slug: '1.35.1-do.0', kubernetes_version: '1.35.1', supported_features: ['cluster-autoscaler', 'ha-control-plane'] }],
      regions: [
        { name: 'New York 3', slug: 'nyc3' },
        { name: 'San Francisco 3', slug: 'sfo3' },
      ],
      sizes: [{ name: 's-4vcpu-8gb', slug: 's-4vcpu-8gb' }],
    },
  }),
};

/**
 * Operations that read what another path created: the account's one registry is created at /v2/registry and read by
 * the provider at /v2/registries/{registry_name} (digitalocean/registry/resource_container_registry.go).
 */
const ALIASES: Record<string, (urlPath: string) => string> = {
  registries_get: () => '/v2/registry',
  registries_delete: () => '/v2/registry',
};

/**
 * Where the description's response schema names the wrong key: spacesKey_get declares `keys` (an array;
 * resources/spaces/responses/key_get.yml) while its own example, and godo (SpacesKeysService.Get, `json:"key"`), use
 * `key`. Answering `keys` made the provider crash on the refresh (nil key, spaces/resource_spaces_key.go:71).
 */
const RESPONSE_KEYS: Record<string, string> = { spacesKey_get: 'key' };

/** Operations that set a field of the item above their path (databases_update_maintenanceWindow → the cluster's). */
const FOLDS: Record<string, string> = {
  databases_update_maintenanceWindow: 'maintenance_window',
};

export class DoApiStandIn {
  /** Items and stored bodies by concrete path. */
  private readonly store = new Map<string, Json>();
  private counter = 0;
  private lastBody: unknown;
  /** Called with one line per request (verify:do's --trace). */
  trace?: (line: string) => void;
  /** Refusals of the description that are its own defects (do-gaps.ts): answered as DigitalOcean does, reported. */
  readonly gapHits: string[] = [];
  readonly requests: DoRequestRecord[] = [];
  private server?: http.Server;

  constructor(
    private readonly api: DoOpenApi,
    private readonly spaces?: { forward: (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void },
  ) {}

  get problems(): string[] {
    return this.requests.flatMap((r) => r.problems);
  }

  listen(port: number): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (req.url?.startsWith('http://') && this.spaces) return this.spaces.forward(req, body, res);
        const { status, json } = this.handle(req.method ?? 'GET', req.url ?? '/', body.length ? body.toString('utf8') : undefined);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json === undefined ? '' : JSON.stringify(json));
      });
    });
    return new Promise((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** One request: checked, then answered from the state. */
  handle(method: string, url: string, rawBody: string | undefined): { status: number; json?: unknown } {
    const u = new URL(url, 'http://stand-in');
    const urlPath = u.pathname.replace(/\/$/, '');
    let body: unknown;
    if (rawBody !== undefined && rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return this.record(method, urlPath, undefined, 400, [`${method} ${urlPath}: the body is not JSON`]);
      }
    }
    this.lastBody = body;
    const checked = this.api.check(method, urlPath, u.searchParams, body);
    if (!checked.operation) return this.record(method, urlPath, undefined, 404, checked.problems);
    const ours = checked.problems.filter((l) => !descriptionGapOf(checked.operation!.operationId, l, body));
    this.gapHits.push(...checked.problems.filter((l) => !ours.includes(l)));
    if (ours.length) return this.record(method, urlPath, checked.operation, 422, ours);
    return this.answer(method, urlPath, checked.operation, body as Json | undefined);
  }

  private record(method: string, urlPath: string, op: Operation | undefined, status: number, problems: string[], json?: unknown) {
    this.requests.push({ method, path: urlPath, operationId: op?.operationId, status, problems, body: this.lastBody });
    if (this.trace) this.trace(`${method} ${urlPath} ${status}${problems.length ? ` ${problems.join('; ')}` : ''}`);
    if (problems.length && json === undefined)
      json = { id: status === 404 ? 'not_found' : 'unprocessable_entity', message: problems.join('; ') };
    return { status, json };
  }

  private answer(method: string, urlPath: string, op: Operation, body: Json | undefined): { status: number; json?: unknown } {
    const { status: okStatus, key, listKey } = this.success(op);
    const isCollection = this.api.operations.some(
      (o) => o.method === 'GET' && o.template.startsWith(`${op.template}/{`) && !o.template.slice(op.template.length + 2).includes('/'),
    );
    // A stored body that already carries the answer's key (a firewall's {rules: [...]}) is answered as it is.
    const wrap = (item: Json | undefined) => (key && !(item && key in item) ? { [key]: item } : item);
    if (method === 'POST' && isCollection) {
      const item = this.create(op, key, body ?? {});
      const id = String(item[this.idField(op, key)]);
      this.store.set(`${urlPath}/${id}`, item);
      return this.record(method, urlPath, op, okStatus, [], wrap(item));
    }
    const alias = ALIASES[op.operationId]?.(urlPath);
    if (alias && this.store.has(alias)) urlPath = alias;
    if (method === 'GET' && FIXTURES[op.operationId] !== undefined)
      return this.record(method, urlPath, op, 200, [], FIXTURES[op.operationId](this.store));
    if (method === 'GET') {
      const item = this.store.get(urlPath);
      if (item) return this.record(method, urlPath, op, okStatus, [], wrap(item));
      // A list: a collection's items, or (a firewall never set) an empty one while what it belongs to exists.
      const parentExists = this.store.has(urlPath.slice(0, urlPath.lastIndexOf('/')));
      if (listKey && (isCollection || parentExists)) {
        const items = [...this.store.entries()]
          .filter(([p]) => p.startsWith(`${urlPath}/`) && !p.slice(urlPath.length + 1).includes('/'))
          .map(([, v]) => v);
        return this.record(method, urlPath, op, okStatus, [], { [listKey]: items, links: {}, meta: { total: items.length } });
      }
      // Something an item has without being created (a cluster's credentials): the description's example of it.
      if (parentExists && !listKey) {
        const sample = this.responseSample(op);
        if (sample !== undefined) return this.record(method, urlPath, op, okStatus, [], sample);
      }
      return this.record(method, urlPath, op, 404, [], { id: 'not_found', message: 'The resource you were accessing could not be found.' });
    }
    if (method === 'DELETE') {
      const existed = [...this.store.keys()].filter((p) => p === urlPath || p.startsWith(`${urlPath}/`));
      for (const p of existed) this.store.delete(p);
      return this.record(
        method,
        urlPath,
        op,
        existed.length ? okStatus : 404,
        [],
        existed.length ? undefined : { id: 'not_found', message: 'not found' },
      );
    }
    // A setting that has its own path but is read back as a field of its parent (a cluster's maintenance window).
    const fold = FOLDS[op.operationId];
    const parent = this.store.get(urlPath.slice(0, urlPath.lastIndexOf('/')));
    if (fold && parent) {
      parent[fold] = { ...((parent[fold] as Json | undefined) ?? {}), ...(body ?? {}) };
      return this.record(method, urlPath, op, okStatus, [], okStatus === 204 ? undefined : wrap(parent[fold] as Json));
    }
    // Assigning resources to a project answers (and keeps) one object per URN (projects_assign_resources).
    if (op.operationId === 'projects_assign_resources') {
      const known = (this.store.get(urlPath)?.resources ?? []) as Json[];
      const added = ((body?.resources ?? []) as string[]).map((urn) => ({ urn, assigned_at: '2026-01-01T00:00:00Z', status: 'ok' }));
      const resources = [...known.filter((k) => !added.some((a) => a.urn === k.urn)), ...added];
      this.store.set(urlPath, { resources });
      return this.record(method, urlPath, op, okStatus, [], { resources: added });
    }
    // PUT, PATCH, and a POST to something that is not a collection: merge into (or store at) the path.
    const before = this.store.get(urlPath);
    const merged = before ? { ...before, ...(body ?? {}) } : okStatus === 204 ? { ...(body ?? {}) } : this.create(op, key, body ?? {});
    this.store.set(urlPath, merged);
    return this.record(method, urlPath, op, okStatus, [], okStatus === 204 ? undefined : wrap(merged));
  }

  /** The operation's success status and the wrapper keys of its JSON answer, from the description. */
  private success(op: Operation): { status: number; key?: string; listKey?: string } {
    const responses = (op.raw.responses ?? {}) as Json;
    const code = Object.keys(responses).find((c) => /^2\d\d$/.test(c)) ?? '200';
    const [response, file] = this.api.deref((responses[code] ?? {}) as Json, op.file);
    const content = (response.content as Json | undefined)?.['application/json'] as Json | undefined;
    if (!content?.schema) return { status: Number(code) };
    const props = this.properties(content.schema as Json, file);
    if (RESPONSE_KEYS[op.operationId]) return { status: Number(code), key: RESPONSE_KEYS[op.operationId] };
    const names = Object.keys(props).filter((n) => n !== 'links' && n !== 'meta');
    const typeOf = (n: string) => this.api.deref(props[n].schema, props[n].file)[0].type;
    return {
      status: Number(code),
      key: names.find((n) => typeOf(n) !== 'array') ?? (names.length === 1 ? names[0] : undefined),
      listKey: names.find((n) => typeOf(n) === 'array'),
    };
  }

  private responseSample(op: Operation): unknown {
    const responses = (op.raw.responses ?? {}) as Json;
    const code = Object.keys(responses).find((c) => /^2\d\d$/.test(c));
    if (!code) return undefined;
    const [response, file] = this.api.deref(responses[code] as Json, op.file);
    const schema = ((response.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
    return schema ? this.sample(schema, file, 0) : undefined;
  }

  /** The properties of a schema, through allOf, each with the file its schema lives in. */
  private properties(schema: Json, file: string): Record<string, { schema: Json; file: string }> {
    const [s, f] = this.api.deref(schema, file);
    const out: Record<string, { schema: Json; file: string }> = {};
    for (const part of (s.allOf ?? []) as Json[]) Object.assign(out, this.properties(part, f));
    for (const [n, p] of Object.entries((s.properties ?? {}) as Record<string, Json>)) out[n] = { schema: p, file: f };
    return out;
  }

  private itemSchema(op: Operation, key: string | undefined): Record<string, { schema: Json; file: string }> {
    const responses = (op.raw.responses ?? {}) as Json;
    const code = Object.keys(responses).find((c) => /^2\d\d$/.test(c));
    if (!code || !key) return {};
    const [response, file] = this.api.deref(responses[code] as Json, op.file);
    const schema = ((response.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema as Json | undefined;
    if (!schema) return {};
    const wrapper = this.properties(schema, file)[key];
    return wrapper ? this.properties(wrapper.schema, wrapper.file) : {};
  }

  /**
   * The field an item is addressed by, from its GET path's parameter: `{replica_name}`, `{username}` → name,
   * `{access_key}` → access_key, else the item's id (a tag has none: its name).
   */
  private idField(op: Operation, key: string | undefined): string {
    const item = this.api.operations.find(
      (o) => o.method === 'GET' && /^\/\{[^}/]+\}$/.test(o.template.slice(op.template.length)) && o.template.startsWith(op.template),
    );
    const param = item?.template.slice(op.template.length + 2, -1) ?? '';
    if (param === 'access_key') return 'access_key';
    if (/name$/.test(param)) return 'name';
    const props = this.itemSchema(op, key);
    return ['id', 'uuid', 'name'].find((f) => props[f]) ?? 'id';
  }

  /** A new item: the request's fields, the server's (readOnly examples), a generated id, ready status. */
  private create(op: Operation, key: string | undefined, body: Json): Json {
    const props = this.itemSchema(op, key);
    const item: Json = {};
    for (const [name, p] of Object.entries(props)) {
      if (name in body || !this.readOnly(p.schema, p.file)) continue;
      const sample = this.sample(p.schema, p.file, 0);
      if (sample !== undefined) item[name] = sample;
    }
    Object.assign(item, body);
    // A slug given where the answer holds an object (a load balancer's `region: "nyc3"` comes back as a region object).
    for (const [name, p] of Object.entries(props)) {
      const [schema, file] = this.api.deref(p.schema, p.file);
      if (typeof item[name] !== 'string' || !(schema.type === 'object' || schema.properties || schema.allOf)) continue;
      const sample = this.sample(schema, file, 0);
      if (sample && typeof sample === 'object') item[name] = { ...(sample as Json), slug: item[name] };
    }
    const idField = this.idField(op, key);
    if (item[idField] === undefined || (idField !== 'name' && idField in props && !(idField in body))) {
      const [idSchema] = props[idField] ? this.api.deref(props[idField].schema, props[idField].file) : [{ type: 'string' }];
      item[idField] = idSchema.type === 'integer' ? 100000 + this.next() : this.uuid();
    }
    if (props.urn && key) item.urn = `do:${key.replace(/_/g, '')}:${String(item[idField])}`;
    if (props.created_at) item.created_at = '2026-01-01T00:00:00Z';
    if (key && READY[key]) READY[key](item);
    return item;
  }

  next(): number {
    return ++this.counter;
  }

  uuid(): string {
    return `00000000-0000-4000-8000-${this.next().toString(16).padStart(12, '0')}`;
  }

  private readOnly(schema: Json, file: string): boolean {
    if (schema.readOnly === true) return true;
    if (Array.isArray(schema.allOf) && (schema.allOf as Json[]).some((p) => p.readOnly === true)) return true;
    return this.api.deref(schema, file)[0].readOnly === true;
  }

  /** An example value for a schema: its example, else one built from its properties. */
  private sample(schema: Json, file: string, depth: number): unknown {
    const [s, f] = this.api.deref(schema, file);
    if (s.example !== undefined) return JSON.parse(JSON.stringify(s.example));
    if (depth > 6) return undefined;
    if (Array.isArray(s.allOf)) {
      const parts = (s.allOf as Json[]).map((p) => this.sample(p, f, depth + 1)).filter((p) => p && typeof p === 'object');
      return parts.length ? Object.assign({}, ...parts) : undefined;
    }
    if (s.type === 'object' || s.properties) {
      const out: Json = {};
      for (const [n, p] of Object.entries(this.properties(s, f))) {
        const v = this.sample(p.schema, p.file, depth + 1);
        if (v !== undefined) out[n] = v;
      }
      return out;
    }
    // An array the server fills (a cluster's metrics_endpoints): one example element, as DigitalOcean lists one per node
    // group; an empty list reads back as null and the provider plans it again on every run.
    if (s.type === 'array') {
      const item = s.items ? this.sample(s.items as Json, f, depth + 1) : undefined;
      return item !== undefined && item !== null && !(typeof item === 'object' && Object.keys(item).length === 0) ? [item] : [];
    }
    return s.default;
  }
}
