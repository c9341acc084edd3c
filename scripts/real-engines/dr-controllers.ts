/**
 * What runs in a DR cluster besides its API server, for `npm run verify:dr`: the controllers the control planes of
 * control-plane.ts do not run, played by one small reconciler loop, each rule from the controller's own docs:
 *
 * - External Secrets (v2.9.0, docs/api/externalsecret.md "Update Behavior"): the target Secret is written from the
 *   store when the ExternalSecret is new, when its `spec`, labels or annotations change (so `kubectl annotate ...
 *   force-sync=$(date +%s) --overwrite` refreshes it), and every `refreshInterval` (1h here: longer than a run, not
 *   modelled). The version it synced is kept as `status.syncedResourceVersion`: `<generation>-<hash of labels and
 *   annotations>` (pkg/controllers/externalsecret: getResourceVersion). `dataFrom[].extract` copies every top-level
 *   key of the entry's JSON, `data[].remoteRef.property` one key. A missing entry writes no Secret.
 * - Argo Rollouts (v1.9.1, docs/features/restart.md "How it works"): once the current time is past `spec.restartAt`
 *   the controller replaces every pod created before it (they start reading the Secrets as they are now) and then
 *   sets `status.restartedAt` to `spec.restartAt`. A Rollout's replicas default to 1 when unset.
 * - The kubelet, for the pods the real ReplicaSet controller creates (there are no nodes): a pod whose Secrets exist
 *   starts (a missing Secret is CreateContainerConfigError: it never starts) and reports `Running` with the `Ready`
 *   condition True (k8s.io/api core/v1 PodCondition; the ReplicaSet and Deployment controllers count it available
 *   `minReadySeconds` later, which is what `kubectl rollout status` waits for). It records what the pod read.
 *
 * What a workload's pods started with (the Secrets' content at their start) is kept here, not in the cluster: the
 * DigitalOcean stand-in (test/util/dr-sim-cli.ts) reads it to decide who writes where and what the replica replays.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as https from 'https';
import * as http from 'http';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects from the API are free-form JSON
type Obj = Record<string, any>;

/** A client of one API server, from a kubeconfig written by control-plane.ts (client-certificate auth). */
export class Kube {
  private readonly server: URL;
  private readonly agent: https.Agent;
  public writes = 0;

  constructor(
    public readonly name: string,
    kubeconfigFile: string,
  ) {
    const text = fs.readFileSync(kubeconfigFile, 'utf8');
    const field = (k: string) => Buffer.from(new RegExp(`${k}: (\\S+)`).exec(text)![1], 'base64');
    this.server = new URL(/server: (\S+)/.exec(text)![1]);
    this.agent = new https.Agent({
      ca: field('certificate-authority-data'),
      cert: field('client-certificate-data'),
      key: field('client-key-data'),
      keepAlive: true,
    });
  }

  /** One request; resolves with the status and the parsed body (never rejects on an HTTP error status). */
  public request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Obj }> {
    if (method !== 'GET') this.writes++;
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = https.request(
        {
          host: this.server.hostname,
          port: this.server.port,
          path,
          method,
          agent: this.agent,
          headers: data ? { 'content-type': contentType, 'content-length': Buffer.byteLength(data) } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: Obj = {};
            try {
              parsed = text ? (JSON.parse(text) as Obj) : {};
            } catch {
              parsed = { message: text };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  public async get(path: string): Promise<Obj | undefined> {
    const r = await this.request('GET', path);
    if (r.status === 404) return undefined;
    if (r.status >= 300) throw new Error(`[${this.name}] GET ${path}: ${r.status} ${r.body.message ?? ''}`);
    return r.body;
  }

  public async list(path: string): Promise<Obj[]> {
    return ((await this.get(path))?.items as Obj[] | undefined) ?? [];
  }

  /** A write that must succeed (the reconciler's own writes are validated like anyone's). */
  public async write(method: string, path: string, body: unknown, contentType?: string): Promise<Obj> {
    const r = await this.request(method, path, body, contentType);
    if (r.status >= 300) throw new Error(`[${this.name}] ${method} ${path}: ${r.status} ${r.body.message ?? ''}`);
    return r.body;
  }

  public close(): void {
    this.agent.destroy();
  }
}

/** Reads a Secrets Manager entry from moto (SecretString, or undefined when there is none). */
export type EntryReader = (id: string) => Promise<string | undefined>;

/** GetSecretValue against moto's server (JSON protocol; the region comes from the credential scope). */
export function motoEntries(endpoint: string, region: string): EntryReader {
  const url = new URL(endpoint);
  return (id) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ SecretId: id });
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'secretsmanager.GetSecretValue',
            authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/secretsmanager/aws4_request, SignedHeaders=host, Signature=0`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode !== 200) return resolve(undefined);
            resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretString?: string }).SecretString);
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

export interface DrCluster {
  readonly kube: Kube;
  readonly context: string;
  readonly namespace: string;
  /** Whether the region is up: a lost region's controllers do not run either. */
  up(): boolean;
}

const decode = (s: Secret) =>
  Object.fromEntries(
    Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
type Secret = Obj;

/** The Secrets a pod template reads (envFrom and env), each with whether it may be missing. */
function secretsOf(template: Obj | undefined): Array<{ name: string; optional: boolean }> {
  const out: Array<{ name: string; optional: boolean }> = [];
  for (const c of [...(template?.spec?.initContainers ?? []), ...(template?.spec?.containers ?? [])] as Obj[]) {
    for (const e of (c.envFrom ?? []) as Obj[]) if (e.secretRef) out.push({ name: e.secretRef.name, optional: !!e.secretRef.optional });
    for (const e of (c.env ?? []) as Obj[]) {
      const r = e.valueFrom?.secretKeyRef;
      if (r) out.push({ name: r.name, optional: !!r.optional });
    }
  }
  return out;
}

/** `<generation>-<hash>` of an ExternalSecret: what it was last synced at (see the header). */
export function syncVersion(es: Obj): string {
  const meta = JSON.stringify({ labels: es.metadata.labels ?? {}, annotations: es.metadata.annotations ?? {} });
  return `${es.metadata.generation}-${createHash('sha256').update(meta).digest('hex').slice(0, 16)}`;
}

export class DrControllers {
  /** What each workload's running pods read at their start: `<context>/<Kind>/<name>` → the Secrets' keys. */
  public readonly podEnv = new Map<string, Record<string, string>>();
  private readonly podStarted = new Map<string, { workload: string; env: Record<string, string>; created: string }>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  public errors: string[] = [];
  private failures = 0;
  public ticks = 0;

  constructor(
    private readonly clusters: readonly DrCluster[],
    private readonly entries: EntryReader,
    private readonly rules: { externalSecrets: boolean; rollouts: boolean; kubelet: boolean } = {
      externalSecrets: true,
      rollouts: true,
      kubelet: true,
    },
  ) {}

  /** Reconciles every reachable cluster every `ms` milliseconds until `stop`. */
  public start(ms = 250): void {
    const loop = async () => {
      // A failed pass is retried on the next one (a connection reset); one that keeps failing is a problem.
      this.running = this.tick().then(
        () => void (this.failures = 0),
        (e: unknown) => {
          if (++this.failures >= 20) this.errors.push(String(e));
        },
      );
      await this.running;
      this.timer = setTimeout(() => void loop(), ms);
    };
    void loop();
  }

  public async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over every cluster that is up. */
  public async tick(): Promise<void> {
    this.ticks++;
    for (const c of this.clusters) {
      if (!c.up()) continue;
      if (this.rules.externalSecrets) await this.externalSecrets(c);
      if (this.rules.kubelet) await this.kubelet(c);
      if (this.rules.rollouts) await this.rollouts(c);
    }
  }

  private async secretsNow(c: DrCluster, template: Obj | undefined): Promise<Record<string, string> | undefined> {
    let env: Record<string, string> = {};
    for (const s of secretsOf(template)) {
      const secret = await c.kube.get(`/api/v1/namespaces/${c.namespace}/secrets/${s.name}`);
      if (!secret && !s.optional) return undefined;
      if (secret) env = { ...env, ...decode(secret) };
    }
    return env;
  }

  private async externalSecrets(c: DrCluster): Promise<void> {
    const ns = c.namespace;
    for (const es of await c.kube.list(`/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`)) {
      const target = (es.spec.target?.name as string | undefined) ?? es.metadata.name;
      const version = syncVersion(es);
      const existing = await c.kube.get(`/api/v1/namespaces/${ns}/secrets/${target}`);
      if (existing && es.status?.syncedResourceVersion === version) continue;
      const data: Record<string, string> = {};
      let missing = '';
      for (const from of (es.spec.dataFrom ?? []) as Obj[]) {
        const value = from.extract ? await this.entries(from.extract.key) : undefined;
        if (value === undefined) missing ||= from.extract?.key ?? 'dataFrom';
        else for (const [k, v] of Object.entries(JSON.parse(value) as Obj)) data[k] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      for (const d of (es.spec.data ?? []) as Obj[]) {
        const value = await this.entries(d.remoteRef.key);
        const v = value === undefined ? undefined : d.remoteRef.property ? (JSON.parse(value) as Obj)[d.remoteRef.property] : value;
        if (v === undefined) missing ||= d.remoteRef.key;
        else data[d.secretKey] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      if (missing) {
        const reason = `could not get secret data from provider: ${missing}`;
        if (es.status?.conditions?.[0]?.message !== reason)
          await c.kube.write(
            'PATCH',
            `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${es.metadata.name}/status`,
            {
              status: {
                conditions: [{ type: 'Ready', status: 'False', reason: 'SecretSyncedError', message: reason, lastTransitionTime: now }],
              },
            },
            'application/merge-patch+json',
          );
        continue;
      }
      const b64 = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
      if (!existing) {
        await c.kube.write('POST', `/api/v1/namespaces/${ns}/secrets`, {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: target,
            namespace: ns,
            labels: { 'reconcile.external-secrets.io/managed': 'true' },
            // creationPolicy Owner: the ExternalSecret owns its Secret.
            ownerReferences: [
              {
                apiVersion: 'external-secrets.io/v1',
                kind: 'ExternalSecret',
                name: es.metadata.name,
                uid: es.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          type: 'Opaque',
          data: b64,
        });
      } else if (JSON.stringify(existing.data ?? {}) !== JSON.stringify(b64)) {
        await c.kube.write('PATCH', `/api/v1/namespaces/${ns}/secrets/${target}`, { data: b64 }, 'application/merge-patch+json');
      }
      await c.kube.write(
        'PATCH',
        `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets/${es.metadata.name}/status`,
        {
          status: {
            syncedResourceVersion: version,
            refreshTime: now,
            binding: { name: target },
            conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced', message: 'secret synced', lastTransitionTime: now }],
          },
        },
        'application/merge-patch+json',
      );
    }
  }

  private async rollouts(c: DrCluster): Promise<void> {
    const ns = c.namespace;
    for (const r of await c.kube.list(`/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`)) {
      const key = `${c.context}/Rollout/${r.metadata.name}`;
      const ref = r.spec.workloadRef as Obj | undefined;
      const template = ref ? (await c.kube.get(`/apis/apps/v1/namespaces/${ns}/deployments/${ref.name}`))?.spec?.template : r.spec.template;
      // Its pods as they were when this loop first saw it: started before, with the Secrets of then.
      if (!this.podEnv.has(key)) {
        const env = await this.secretsNow(c, template);
        if (env) this.podEnv.set(key, env);
      }
      const at = r.spec.restartAt as string | undefined;
      if (!at || Date.parse(at) > Date.now() || (r.status?.restartedAt && Date.parse(r.status.restartedAt) >= Date.parse(at))) continue;
      const env = await this.secretsNow(c, template);
      if (!env) continue; // a pod that cannot read its Secret does not start: the restart does not finish
      this.podEnv.set(key, env);
      await c.kube.write(
        'PATCH',
        `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/${r.metadata.name}/status`,
        { status: { restartedAt: at } },
        'application/merge-patch+json',
      );
    }
  }

  private async kubelet(c: DrCluster): Promise<void> {
    const ns = c.namespace;
    const owners = new Map<string, string>();
    for (const rs of await c.kube.list(`/apis/apps/v1/namespaces/${ns}/replicasets`)) {
      const d = (rs.metadata.ownerReferences ?? []).find((o: Obj) => o.kind === 'Deployment');
      if (d) owners.set(rs.metadata.name, d.name);
    }
    const live = new Set<string>();
    for (const pod of await c.kube.list(`/api/v1/namespaces/${ns}/pods`)) {
      const id = `${c.context}/${pod.metadata.uid}`;
      live.add(id);
      const rs = (pod.metadata.ownerReferences ?? []).find((o: Obj) => o.kind === 'ReplicaSet');
      const workload =
        rs && owners.get(rs.name) ? `${c.context}/Deployment/${owners.get(rs.name)}` : `${c.context}/Pod/${pod.metadata.name}`;
      if (pod.metadata.deletionTimestamp) continue;
      const ready = (pod.status?.conditions ?? []).some((x: Obj) => x.type === 'Ready' && x.status === 'True');
      if (!ready) {
        const env = await this.secretsNow(c, pod);
        if (!env) continue;
        const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
        const conditions = ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastTransitionTime: now,
        }));
        await c.kube.write(
          'PATCH',
          `/api/v1/namespaces/${ns}/pods/${pod.metadata.name}/status`,
          {
            status: { phase: 'Running', startTime: now, conditions, podIP: '10.244.0.10', hostIP: '10.10.0.10' },
          },
          'application/strategic-merge-patch+json',
        );
        this.podStarted.set(id, { workload, env, created: pod.metadata.creationTimestamp });
      } else if (!this.podStarted.has(id)) {
        const env = await this.secretsNow(c, pod);
        if (env) this.podStarted.set(id, { workload, env, created: pod.metadata.creationTimestamp });
      }
    }
    for (const id of [...this.podStarted.keys()]) if (id.startsWith(`${c.context}/`) && !live.has(id)) this.podStarted.delete(id);
    // A Deployment's pods read what its newest running pod read.
    const newest = new Map<string, { env: Record<string, string>; created: string }>();
    for (const p of this.podStarted.values()) {
      const n = newest.get(p.workload);
      if (!n || p.created >= n.created) newest.set(p.workload, p);
    }
    for (const key of [...this.podEnv.keys()]) if (key.startsWith(`${c.context}/Deployment/`) && !newest.has(key)) this.podEnv.delete(key);
    for (const [key, p] of newest) this.podEnv.set(key, p.env);
  }
}
