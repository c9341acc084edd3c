/**
 * One long-lived Kubernetes API client per control plane, in this process: what verify:k8s did with 902 kubectl
 * launches a run (about 40 s of CPU per cluster with the API server's share: each launch a Go start-up, a TLS
 * handshake, discovery and OpenAPI documents read to map kinds and to check the query parameters, kubectl/pkg/cmd/util
 * factory_client_access.go Validator), as HTTPS requests over kept-alive connections with the admin client
 * certificate the control plane already has. kubectl itself is not under test anywhere in verify:k8s (the users'
 * documented `kubectl apply --server-side` is the same request); helm is, and stays a program.
 *
 * It sends what kubectl v1.35 sends, so the server judges the same requests (sources at the v0.35.0 tags of
 * k8s.io/kubectl, k8s.io/cli-runtime, k8s.io/client-go and k8s.io/apimachinery):
 * - `kubectl apply --server-side [--dry-run=server] [--field-manager=M] [--force-conflicts]`: one PATCH per object of
 *   type application/apply-patch+yaml, the whole object as JSON, with `dryRun=All`, `fieldManager` (kubectl's default
 *   "kubectl"), `fieldValidation=Strict` (the default of --validate, cmd/util/helpers.go AddValidateFlags and
 *   GetValidationDirective) and `force` (kubectl/pkg/cmd/apply/apply.go applyOneObject; cli-runtime
 *   pkg/resource/helper.go Patch). Every object is tried; the refusals are reported together (apply.go Run).
 * - `kubectl create [--dry-run=server]`: one POST per object to its collection with `dryRun=All`,
 *   `fieldManager=kubectl-create` and `fieldValidation=Strict` (kubectl/pkg/cmd/create/create.go, helper.go Create).
 * - A namespaced object without a namespace goes to "default", the kubeconfig's (the builder's DefaultNamespace).
 * - `--as=U`: the Impersonate-User header (client-go transport/round_trippers.go ImpersonateUserHeader); the server
 *   adds a service account's groups itself.
 * - Refusals read as kubectl prints them: `Error from server (<reason>): <message>` from the apiserver's Status
 *   (kubectl/pkg/cmd/util/helpers.go StandardErrorMessage), `error when creating "<source>": ` before a create's
 *   (AddSourceToErr), and a kind the server does not serve as cli-runtime pkg/resource/mapper.go infoForData words it
 *   ("no matches for kind ... ensure CRDs are installed first", apimachinery pkg/api/meta/errors.go).
 * - Warnings: every `Warning` response header (RFC 7234 `299 - "text"`, parsed as apimachinery
 *   pkg/util/net/http.go ParseWarningHeader does), as kubectl prints them on stderr: `Warning: <text>`, each text once
 *   per command (client-go rest/warnings.go, kubectl's WarningWriter deduplicates).
 * - Discovery: aggregated discovery (/api and /apis with client-go's Accept, discovery/discovery_client.go AcceptV2),
 *   fetched once per control plane and again when a kind is not found (what kubectl's deferred discovery RESTMapper
 *   does on a miss) or when asked (`kubectl api-resources` always fetches: apiresources.go RunAPIResources). The first
 *   version of a group is its preferred one (discovery/aggregated_discovery.go convertAPIGroup).
 */
import * as fs from 'fs';
import * as https from 'https';
import * as path from 'path';
import { K8sObject } from './gitops';

export interface Reply {
  /** 2xx. */
  readonly ok: boolean;
  readonly code: number;
  /** The parsed JSON body (the object, a list, or the apiserver's Status), or the text of a non-JSON body. */
  readonly body: K8sObject;
  /** `Warning: <text>` for each Warning header, as kubectl prints them. */
  readonly warnings: string[];
}

/** The outcome of a command over several objects, as kubectl would end it: its warnings, its errors, the objects. */
export interface Outcome {
  readonly ok: boolean;
  readonly warnings: string[];
  /** kubectl's stderr for the failures, one line (or block) per refused object. */
  readonly error: string;
  /** What the server returned for each accepted object. */
  readonly objects: K8sObject[];
}

export interface ApiResource {
  readonly group: string;
  readonly version: string;
  /** The plural resource name (the path segment). */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: string[];
}

interface DiscoveredGroup {
  readonly name: string;
  /** In the server's order of preference. */
  readonly versions: Array<{ version: string; resources: ApiResource[] }>;
}

/** The warnings of one response (header values as the server sent them), parsed as ParseWarningHeader does. */
export function parseWarningHeaders(values: string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    let rest = value.trim();
    while (rest) {
      const m = /^(\d{3}) (\S+) "/.exec(rest);
      if (!m) break;
      let i = m[0].length;
      let text = '';
      for (; i < rest.length && rest[i] !== '"'; i++) text += rest[i] === '\\' ? rest[++i] : rest[i];
      rest = rest.slice(i + 1).trim();
      if (rest.startsWith('"')) rest = rest.slice(rest.indexOf('"', 1) + 1).trim(); // an optional warn-date
      if (rest.startsWith(',')) rest = rest.slice(1).trim();
      // client-go rest/warnings.go HandleWarningHeader: only code 299 with a text is shown.
      if (m[1] === '299' && text) out.push(text);
    }
  }
  return out;
}

/** What kubectl prints for a refused request (StandardErrorMessage), with AddSourceToErr's prefix when given. */
export function errorMessage(reply: Reply, when?: { verb: string; source: string }): string {
  const status = reply.body && reply.body.kind === 'Status' ? reply.body : undefined;
  const text = status ? String(status.message ?? '') : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  const message = when ? `error when ${when.verb} "${when.source}": ${text}` : text;
  if (status?.reason === 'Unauthorized') return `error: You must be logged in to the server (${message})`;
  return status?.reason ? `Error from server (${status.reason}): ${message}` : `Error from server: ${message}`;
}

/**
 * The resources `kubectl api-resources` lists: each group's resources at the group's preferred version, and those
 * only served at another version at that one (client-go discovery_client.go ServerPreferredResources), subresources
 * and resources without verbs left out (apiresources.go RunAPIResources).
 */
export function preferredResources(groups: DiscoveredGroup[]): ApiResource[] {
  const chosen = new Map<string, ApiResource>();
  for (const g of groups) {
    g.versions.forEach((v, i) => {
      for (const r of v.resources) {
        const key = `${g.name}/${r.resource}`;
        if (r.resource.includes('/') || (chosen.has(key) && i !== 0)) continue;
        chosen.set(key, r);
      }
    });
  }
  return [...chosen.values()].filter((r) => r.verbs.length > 0);
}

/** Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) as groups of versions of resources. */
export function discoveredGroups(list: K8sObject): DiscoveredGroup[] {
  return (list.items ?? []).map((g: K8sObject) => ({
    name: g.metadata?.name ?? '',
    versions: (g.versions ?? [])
      .filter((v: K8sObject) => v.freshness !== 'Stale')
      .map((v: K8sObject) => ({
        version: v.version,
        resources: (v.resources ?? [])
          .filter((r: K8sObject) => r.responseKind?.kind)
          .map((r: K8sObject) => ({
            group: g.metadata?.name ?? '',
            version: v.version,
            resource: r.resource,
            kind: r.responseKind.kind,
            namespaced: r.scope === 'Namespaced',
            verbs: r.verbs ?? [],
          })),
      })),
  }));
}

const ACCEPT_DISCOVERY = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

export class KubeClient {
  /** Requests sent, for the control plane's CPU line. */
  requests = 0;
  private readonly agent: https.Agent;
  private readonly host: string;
  private readonly port: number;
  private groups?: DiscoveredGroup[];

  /** `dir` holds ca.crt, admin.crt and admin.key (control-plane.ts makeCertificates). */
  constructor(server: string, dir: string) {
    const url = new URL(server);
    this.host = url.hostname;
    this.port = Number(url.port);
    const read = (f: string) => fs.readFileSync(path.join(dir, f));
    // One connection at a time is what each check needs (it waits for every answer); kept alive between requests.
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca: read('ca.crt'), cert: read('admin.crt'), key: read('admin.key') });
  }

  close(): void {
    this.agent.destroy();
  }

  /** One request. Never throws for an HTTP status; throws when the server cannot be reached. */
  request(
    method: string,
    pathAndQuery: string,
    options: { body?: unknown; contentType?: string; accept?: string; as?: string } = {},
  ): Promise<Reply> {
    this.requests++;
    const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = { Accept: options.accept ?? 'application/json', 'User-Agent': 'verify-k8s' };
    if (payload) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    if (options.as) headers['Impersonate-User'] = options.as;
    const send = (): Promise<Reply> =>
      new Promise((resolve, reject) => {
        const req = https.request({ host: this.host, port: this.port, method, path: pathAndQuery, headers, agent: this.agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: K8sObject;
            try {
              body = JSON.parse(text);
            } catch {
              body = text as unknown as K8sObject;
            }
            // Each Warning header on its own (Node joins repeated headers in res.headers).
            const values = res.rawHeaders.filter((_, i) => i % 2 === 1 && res.rawHeaders[i - 1].toLowerCase() === 'warning');
            const code = res.statusCode ?? 0;
            resolve({ ok: code >= 200 && code < 300, code, body, warnings: parseWarningHeaders(values).map((w) => `Warning: ${w}`) });
          });
          res.on('error', reject);
        });
        req.on('error', (e: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed while idle fails before the server read the request: send it
          // again on a new one (Node's http docs, "reusedSocket"). Any other failure is the caller's.
          if (req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) send().then(resolve, reject);
          else reject(e);
        });
        if (payload) req.write(payload);
        req.end();
      });
    return send();
  }

  /** Fetches discovery afresh (kubectl api-resources, or a kind not found). */
  async discover(): Promise<DiscoveredGroup[]> {
    const [core, named] = await Promise.all([
      this.request('GET', '/api', { accept: ACCEPT_DISCOVERY }),
      this.request('GET', '/apis', { accept: ACCEPT_DISCOVERY }),
    ]);
    for (const r of [core, named])
      if (!r.ok || r.body?.kind !== 'APIGroupDiscoveryList') throw new Error(`discovery failed: ${errorMessage(r)}`);
    this.groups = [...discoveredGroups(core.body), ...discoveredGroups(named.body)];
    return this.groups;
  }

  /** `kubectl api-resources`: always fetched (not --cached). */
  async apiResources(): Promise<ApiResource[]> {
    return preferredResources(await this.discover());
  }

  /** `kubectl api-versions`: every group/version the server serves, sorted (apiversions.go). */
  async apiVersions(): Promise<string[]> {
    const groups = await this.discover();
    return groups.flatMap((g) => g.versions.map((v) => (g.name ? `${g.name}/${v.version}` : v.version))).sort();
  }

  /**
   * The resource of a kind at a version (or the group's preferred version when none is given), from the cached
   * discovery; on a miss discovery is fetched again once. Returns kubectl's message when the server has no such kind.
   */
  async mapping(group: string, kind: string, version?: string): Promise<ApiResource | string> {
    for (let fresh = !this.groups; ; fresh = true) {
      const groups = this.groups ?? (await this.discover());
      const g = groups.find((x) => x.name === group);
      const versions = g ? (version ? g.versions.filter((v) => v.version === version) : g.versions) : [];
      for (const v of versions) {
        const r = v.resources.find((x) => x.kind === kind && !x.resource.includes('/'));
        if (r) return r;
      }
      if (!fresh) {
        await this.discover();
        continue;
      }
      const gv = version ? (group ? `${group}/${version}` : version) : undefined;
      return gv ? `no matches for kind "${kind}" in version "${gv}"` : `no matches for kind "${kind}" in group "${group}"`;
    }
  }

  /** The URL path of a resource (its collection without `name`), namespaced or not. */
  static pathOf(r: ApiResource, namespace?: string, name?: string, subresource?: string): string {
    const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
    const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace || 'default')}` : '';
    return `${base}${ns}/${r.resource}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
  }

  /** The mapping of an object's apiVersion and kind, or kubectl's builder error for it. */
  private async mappingOf(o: K8sObject): Promise<ApiResource | string> {
    const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') : ['', String(o.apiVersion)];
    const m = await this.mapping(group, o.kind, version);
    if (typeof m !== 'string') return m;
    return `resource mapping not found for name: "${o.metadata?.name ?? ''}" namespace: "${o.metadata?.namespace ?? ''}" from "STDIN": ${m}\nensure CRDs are installed first`;
  }

  /** Runs `send` for each object in turn (kubectl's order), gathering warnings (once each), errors and results. */
  private async each(objects: K8sObject[], send: (o: K8sObject, r: ApiResource) => Promise<Reply>, verb?: string): Promise<Outcome> {
    const warnings: string[] = [];
    const errors: string[] = [];
    const results: K8sObject[] = [];
    for (const o of objects) {
      const m = await this.mappingOf(o);
      if (typeof m === 'string') {
        errors.push(`error: ${m}`);
        continue;
      }
      const reply = await send(o, m);
      for (const w of reply.warnings) if (!warnings.includes(w)) warnings.push(w);
      if (reply.ok) results.push(reply.body);
      else errors.push(errorMessage(reply, verb ? { verb, source: ref(o) } : undefined));
    }
    return { ok: errors.length === 0, warnings, error: errors.join('\n'), objects: results };
  }

  /** `kubectl apply --server-side` of each object (see the file comment). */
  apply(objects: K8sObject[], options: { fieldManager?: string; force?: boolean; dryRun?: boolean; as?: string } = {}): Promise<Outcome> {
    const query = new URLSearchParams({
      ...(options.dryRun ? { dryRun: 'All' } : {}),
      force: String(options.force ?? false),
      fieldManager: options.fieldManager ?? 'kubectl',
      fieldValidation: 'Strict',
    }).toString();
    return this.each(objects, (o, r) =>
      this.request('PATCH', `${KubeClient.pathOf(r, o.metadata?.namespace, o.metadata?.name)}?${query}`, {
        body: withNamespace(o, r),
        contentType: 'application/apply-patch+yaml',
        as: options.as,
      }),
    );
  }

  /** `kubectl create -f` of each object (see the file comment). */
  create(objects: K8sObject[], options: { dryRun?: boolean; as?: string; fieldManager?: string } = {}): Promise<Outcome> {
    const query = new URLSearchParams({
      ...(options.dryRun ? { dryRun: 'All' } : {}),
      fieldManager: options.fieldManager ?? 'kubectl-create',
      fieldValidation: 'Strict',
    }).toString();
    return this.each(
      objects,
      (o, r) =>
        this.request('POST', `${KubeClient.pathOf(r, o.metadata?.namespace)}?${query}`, { body: withNamespace(o, r), as: options.as }),
      'creating',
    );
  }

  /** `kubectl get -f`: each object as the server has it now (a missing one is left out). */
  async getEach(objects: K8sObject[]): Promise<{ found: K8sObject[]; error: string }> {
    const found: K8sObject[] = [];
    const errors: string[] = [];
    for (const o of objects) {
      const m = await this.mappingOf(o);
      if (typeof m === 'string') errors.push(`error: ${m}`);
      else {
        const r = await this.request('GET', KubeClient.pathOf(m, o.metadata?.namespace, o.metadata?.name));
        if (r.ok) found.push(r.body);
        else if (r.code !== 404) errors.push(errorMessage(r));
      }
    }
    return { found, error: errors.join('\n') };
  }

  /** One object by group and kind (at the preferred version), or undefined when there is none. */
  async get(group: string, kind: string, namespace: string | undefined, name: string): Promise<K8sObject | undefined> {
    const m = await this.mapping(group, kind);
    if (typeof m === 'string') throw new Error(m);
    const r = await this.request('GET', KubeClient.pathOf(m, namespace, name));
    if (r.code === 404) return undefined;
    if (!r.ok) throw new Error(errorMessage(r));
    return r.body;
  }

  /** `kubectl get <kind> [-n ns | -A] [-l ...] [--field-selector ...] -o json`: the items. Throws on a refusal. */
  async list(
    group: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<K8sObject[]> {
    const m = await this.mapping(group, kind);
    if (typeof m === 'string') throw new Error(m);
    const query = new URLSearchParams({
      ...(options.labelSelector ? { labelSelector: options.labelSelector } : {}),
      ...(options.fieldSelector ? { fieldSelector: options.fieldSelector } : {}),
    }).toString();
    // All namespaces: the collection without a namespace segment.
    const base =
      options.namespace || !m.namespaced ? KubeClient.pathOf(m, options.namespace) : KubeClient.pathOf({ ...m, namespaced: false });
    const r = await this.request('GET', query ? `${base}?${query}` : base);
    if (!r.ok) throw new Error(errorMessage(r));
    // kubectl get -o json prints a List whose items carry their kind (the server's list items do not).
    return (r.body.items ?? []).map((i: K8sObject) => ({
      apiVersion: m.group ? `${m.group}/${m.version}` : m.version,
      kind: m.kind,
      ...i,
    }));
  }

  /** A merge patch (`kubectl patch --type=merge`), optionally of a subresource. */
  async patch(
    group: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    body: unknown,
    subresource?: string,
  ): Promise<Reply> {
    const m = await this.mapping(group, kind);
    if (typeof m === 'string') throw new Error(m);
    return this.request('PATCH', KubeClient.pathOf(m, namespace, name, subresource), { body, contentType: 'application/merge-patch+json' });
  }

  /**
   * `kubectl delete` of one object with the default cascade (background propagation, kubectl/pkg/cmd/delete
   * delete_flags.go); with `wait`, until it is gone (--wait=true). A missing object is not an error here.
   */
  async delete(group: string, kind: string, namespace: string | undefined, name: string, wait = false): Promise<Reply> {
    const m = await this.mapping(group, kind);
    if (typeof m === 'string') throw new Error(m);
    const at = KubeClient.pathOf(m, namespace, name);
    const r = await this.request('DELETE', at, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    for (let deadline = Date.now() + 60_000; wait && r.ok && Date.now() < deadline;) {
      if ((await this.request('GET', at)).code === 404) break;
      await new Promise((ok) => setTimeout(ok, 200));
    }
    return r;
  }
}

/** kubectl's builder puts a namespaced object without a namespace into the default namespace (DefaultNamespace). */
function withNamespace(o: K8sObject, r: ApiResource): K8sObject {
  if (!r.namespaced || o.metadata?.namespace) return o;
  return { ...o, metadata: { ...o.metadata, namespace: 'default' } };
}

function ref(o: K8sObject): string {
  return `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name ?? o.metadata?.generateName ?? ''}`;
}
