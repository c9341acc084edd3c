/**
 * The command-line side of the DR simulation (test/util/dr-sim.ts): one program answering as doctl, kubectl, aws and
 * curl (by the name it is called with) from a stateful world kept in a JSON file. It accepts only the commands,
 * flags and columns of `_SCRIPT_TOOLS` (read from the tools' sources), and changes the world as the real services
 * would, including what their controllers do next (External Secrets refreshing a Secret, Argo Rollouts restarting
 * pods, a promoted replica becoming a writable cluster).
 *
 * Modelled from the sources, cited where it matters:
 * - DigitalOcean's API is global (api.digitalocean.com): a region outage takes down the region's clusters and
 *   databases, not the calls that manage them, so firewall and promotion calls about a lost region succeed.
 * - A DigitalOcean database without trusted sources accepts connections from anywhere (DigitalOcean, "How to Secure
 *   PostgreSQL Managed Database Clusters"): a fence replaces the rules, it never empties them.
 * - Argo Rollouts restarts the pods of a Rollout whose `spec.restartAt` is newer than `status.restartedAt`, paused or
 *   not (rollout/bluegreen.go calls podRestarter.Reconcile before the pause logic), and sets `status.restartedAt`
 *   once every pod is newer (rollout/restart.go); a paused Rollout's phase stays `Paused`.
 * - A HorizontalPodAutoscaler leaves a target scaled to 0 alone (scaling is disabled at zero replicas), and Argo CD
 *   does not restore `spec.replicas` the HPA owns (ignoreDifferences): a workload scaled to 0 stays at 0.
 * - Pods read a Secret at start: a rewritten connection Secret reaches running pods only through a restart.
 *
 * Compiled to JavaScript once per test process (swc) and run as a server; the four names on PATH are small bash
 * stubs that send it each call (see `serve`).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

export interface SimFirewallRule {
  uuid: string;
  type: string;
  value: string;
}

export interface SimDatabase {
  id: string;
  name: string;
  region: string;
  /** `primary`: a cluster `databases list` shows; `replica`: a read-only replica of `primaryId`. */
  role: 'primary' | 'replica';
  primaryId?: string;
  status: string;
  host: string;
  /** The PgBouncer pool's host (clusters only; a promoted replica has none). */
  poolHost?: string;
  firewall: SimFirewallRule[];
  /** Whether the replica receives WAL from its primary (and replays it). */
  receiving?: boolean;
  /** Whether a replica that receives WAL also replays it (a stuck apply: its receiver streams, its lag reads 0). */
  replaying?: boolean;
  /** The world's clock when the replica last replayed a heartbeat (see `prometheus`). */
  replayedHeartbeat?: number;
  /** Nodes (a replica, and a replica just promoted, has one). */
  nodes?: number;
  /** The VPC a replica was created in (`--private-network-uuid`). */
  vpc?: string;
}

export interface SimObject {
  kind: 'Rollout' | 'Deployment';
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { replicas: number; paused?: boolean; restartAt?: string; template?: { metadata?: { annotations?: Record<string, string> } } };
  status: { phase?: string; pauseConditions?: unknown[] | null; restartedAt?: string };
  /** The Secret the pods read, and what they read at their last start (not part of the Kubernetes object). */
  secret: string;
  podEnv: Record<string, string>;
}

export interface SimCluster {
  id: string;
  name: string;
  region: string;
  context: string;
  namespace: string;
  nodePool: { name: string; count: number; min: number; max: number };
  workloads: SimObject[];
  /** ExternalSecrets: name, target Secret, entry extracted whole (`dataFrom`), or only `keys` of it (`data`). */
  externalSecrets: Array<{ name: string; target: string; entry: string; keys?: string[] }>;
  secrets: Record<string, Record<string, string>>;
  /**
   * What this cluster's Prometheus answers for the heartbeat's age while heartbeats reach the watched replica (null:
   * no series; `unavailable`: an error for every query). When none reach it the age is an hour (stale).
   */
  lag: string | null;
  /** Heartbeats stop reaching the watched replica after this many more heartbeat reads (a link that breaks). */
  heartbeatStopsAfterReads?: number;
}

export interface SimWorld {
  regions: Record<string, { up: boolean }>;
  databases: SimDatabase[];
  clusters: SimCluster[];
  entries: Record<string, string>;
  /** Regional health hosts by region. */
  healthHosts: Record<string, string>;
  vpcs: Array<{ ID: string; Name: string }>;
  /** Fail the mutating call after this many succeeded (an interruption: crash, killed shell, lost laptop). */
  failAfterMutations?: number;
  /** Fail the (n+1)-th read (a call that changes nothing) of the run once, as a flaky API or network would. */
  failRead?: number;
  /** The tools whose calls count as reads for `failRead` (default: all four). */
  readTools?: string[];
  reads?: number;
  mutations: number;
  clock: number;
}

export interface SimSpec {
  tools: Record<string, Record<string, { flags: readonly string[]; columns: readonly string[] }>>;
  booleans: string[];
}

export class SimError extends Error {
  constructor(
    message: string,
    public readonly code: number,
    /** The world is written back all the same (an injected failure counts the call, so it happens once). */
    public readonly keepWorld = false,
  ) {
    super(message);
  }
}

const MUTATING = new Set([
  'doctl databases replica promote',
  'doctl databases resize',
  'doctl databases replica create',
  'doctl databases firewalls append',
  'doctl databases firewalls replace',
  'doctl kubernetes cluster node-pool update',
  'kubectl patch',
  'kubectl annotate',
  'kubectl scale',
  'aws secretsmanager put-secret-value',
]);

/** RFC 7386 merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** What the controllers do after a change: Rollouts restart and report their phase. */
export function settle(world: SimWorld): void {
  for (const c of world.clusters) {
    if (!world.regions[c.region].up) continue;
    for (const w of c.workloads) {
      if (w.kind !== 'Rollout') continue;
      const at = w.spec.restartAt;
      if (at && (!w.status.restartedAt || w.status.restartedAt < at)) {
        w.podEnv = { ...(c.secrets[w.secret] ?? {}) };
        w.status.restartedAt = at;
      }
      w.status.phase = w.spec.paused || (w.status.pauseConditions?.length ?? 0) > 0 ? 'Paused' : 'Healthy';
    }
  }
}

/** The heartbeat writer's name, as the scripts name it (REPLICATION_HEARTBEAT.writer). */
export const SIM_HEARTBEAT_WRITER = 'replication-heartbeat';

/**
 * What a cluster's Prometheus answers, from the world: the replica the lag monitor's pods watch (their DSN) has
 * replayed a heartbeat now when it receives WAL from a primary in a region that is up and a heartbeat writer with
 * replicas, in a region that is up, started with that primary's address and admitted by its trusted sources, and the
 * replica replays what it receives; then the heartbeat's age is `lag`. Otherwise its last heartbeat stays where it was
 * and the age is an hour. The gated age has
 * no series unless the watched database is a replica that receives; `time()` is the world's clock. Queries it does
 * not know are refused (the scripts may ask only for what the monitor exports).
 */
function prometheus(world: SimWorld, c: SimCluster, query: string): string | null {
  // Time passes between two reads (the scripts poll).
  world.clock++;
  if (query === 'time()') return String(world.clock);
  const monitor = c.workloads.find((w) => w.podEnv.DATA_SOURCE_NAME && w.spec.replicas > 0);
  const watchedHost = monitor ? /@([^:/]+)/.exec(monitor.podEnv.DATA_SOURCE_NAME)?.[1] : undefined;
  const watched = world.databases.find((d) => d.host === watchedHost);
  const isReplica = watched?.role === 'replica' && watched.receiving !== false && world.regions[watched.region].up;
  const source = isReplica ? world.databases.find((d) => d.id === watched.primaryId) : undefined;
  const beating =
    !!source &&
    world.regions[source.region].up &&
    world.clusters.some(
      (k) =>
        world.regions[k.region].up &&
        k.workloads.some(
          (w) =>
            w.metadata.name === SIM_HEARTBEAT_WRITER &&
            w.spec.replicas > 0 &&
            (w.podEnv.DATABASE_HOST === source.host || w.podEnv.DATABASE_HOST === source.poolHost) &&
            (source.firewall.length === 0 || source.firewall.some((r) => r.type === 'k8s' && r.value === k.id)),
        ),
    );
  let replayed = beating && watched?.replaying !== false;
  if (c.heartbeatStopsAfterReads !== undefined && query.includes('pg_replication_heartbeat_')) {
    if (c.heartbeatStopsAfterReads <= 0) replayed = false;
    c.heartbeatStopsAfterReads--;
  }
  if (watched && replayed) watched.replayedHeartbeat = world.clock;
  if (query.includes('pg_replication_heartbeat_timestamp_seconds')) {
    return watched?.replayedHeartbeat === undefined ? null : String(watched.replayedHeartbeat);
  }
  if (query.includes('pg_replication_heartbeat_age_seconds') && query.includes('pg_stat_wal_receiver_last_msg_receipt_time')) {
    if (!isReplica || c.lag === null) return null;
    return replayed ? c.lag : '3600';
  }
  throw new SimError(`simulation: Prometheus has no answer for ${query}`, 64);
}

function k8sItem(w: SimObject, namespace: string): object {
  return {
    apiVersion: w.kind === 'Rollout' ? 'argoproj.io/v1alpha1' : 'apps/v1',
    kind: w.kind,
    metadata: { ...w.metadata, namespace },
    spec: w.spec,
    status: w.status,
  };
}

/** Runs one command against the world; returns what it prints. Throws SimError on a refusal or failure. */
export function handle(tool: string, argv: string[], world: SimWorld, spec: SimSpec): string {
  const booleans = new Set(spec.booleans);
  const flags: Record<string, string | true | string[]> = {};
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (tool === 'curl') {
      if (a.startsWith('-')) {
        if (a === '--max-time') i++;
      } else words.push(a);
      continue;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const k = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const v = eq > 0 ? a.slice(eq + 1) : booleans.has(k) ? true : argv[++i];
      const prev = flags[k];
      flags[k] = prev === undefined || prev === true ? v : ([] as string[]).concat(prev as string | string[], v as string);
    } else words.push(a);
  }
  let command = '';
  if (tool !== 'curl') {
    const table = spec.tools[tool];
    for (let n = words.length; n > 0; n--) {
      const c = words.slice(0, n).join(' ');
      if (table[c]) {
        command = c;
        break;
      }
    }
    if (!command) throw new SimError(`unknown command: ${words.join(' ')}`, 64);
    for (const k of Object.keys(flags)) {
      if (!table[command].flags.includes(k)) throw new SimError(`unknown flag --${k} for "${command}"`, 64);
    }
    if (typeof flags.format === 'string') {
      for (const col of flags.format.split(',')) {
        if (!table[command].columns.includes(col)) throw new SimError(`unknown column ${col} for "${command}"`, 64);
      }
    }
  }
  const args = words.slice(command ? command.split(' ').length : 0);
  const key = `${tool} ${command}`.trim();
  if (!MUTATING.has(key) && key !== 'kubectl config get-contexts' && (world.readTools?.includes(tool) ?? true)) {
    world.reads = (world.reads ?? 0) + 1;
    if (world.failRead !== undefined && world.reads === world.failRead + 1) {
      throw new SimError(`simulated: ${tool} ${command} failed once (503 Service Unavailable)`, 1, true);
    }
  }
  if (MUTATING.has(key)) {
    if (world.failAfterMutations !== undefined && world.mutations >= world.failAfterMutations) {
      throw new SimError(`interrupted (simulated) before: ${tool} ${argv.join(' ')}`, 130);
    }
  }
  const str = (k: string) => (typeof flags[k] === 'string' ? (flags[k] as string) : '');
  const cols = (obj: Record<string, unknown>) =>
    str('format')
      .split(',')
      .map((c) => String(obj[c] ?? ''))
      .join(' ');
  const db = (idOrName: string) => world.databases.find((d) => d.id === idOrName || d.name === idOrName);
  const clusterByName = (name: string) => {
    const c = world.clusters.find((x) => x.name === name || x.id === name);
    if (!c) throw new SimError(`Error: cluster ${name} not found`, 1);
    return c;
  };
  const replicaOf = (pid: string, name: string) => {
    const r = world.databases.find((d) => d.role === 'replica' && d.primaryId === pid && d.name === name);
    if (!r) throw new SimError(`Error: GET replicas/${name}: 404 replica not found`, 1);
    return r;
  };
  let out = '';
  const print = (s: string) => (out += `${s}\n`);
  const json = (x: unknown) => print(JSON.stringify(x));
  const mutated = () => {
    world.mutations++;
    world.clock++;
    settle(world);
  };

  if (tool === 'curl') {
    const url = args[0] ?? '';
    const region = Object.entries(world.healthHosts).find(([, h]) => url.includes(`//${h}/`))?.[0];
    const serving = (r: string) =>
      world.regions[r].up && world.clusters.some((c) => c.region === r && c.workloads.some((w) => w.spec.replicas > 0));
    const ok = region ? serving(region) : Object.keys(world.regions).some(serving);
    if (!ok) throw new SimError('curl: (22) The requested URL returned error: 503', 22);
    return 'ok\n';
  }

  if (tool === 'kubectl') {
    if (command === 'config get-contexts') {
      print(world.clusters.map((c) => c.context).join('\n'));
      return out;
    }
    const c = world.clusters.find((x) => x.context === str('context'));
    if (!c) throw new SimError(`error: context "${str('context')}" does not exist`, 1);
    if (!world.regions[c.region].up) throw new SimError('Unable to connect to the server: dial tcp: i/o timeout', 1);
    const ns = str('namespace') || 'default';
    const inNs = ns === c.namespace;
    const workload = (ref: string) => {
      const [kind, name] = ref.split('/');
      const k = /^rollouts?(\.argoproj\.io)?$/.test(kind) ? 'Rollout' : /^deployments?(\.apps)?$/.test(kind) ? 'Deployment' : '';
      const w = inNs ? c.workloads.find((x) => x.kind === k && x.metadata.name === name) : undefined;
      if (!w) throw new SimError(`Error from server (NotFound): ${ref} not found`, 1);
      return w;
    };
    switch (command) {
      case 'get': {
        if (typeof flags.raw === 'string') {
          if (c.lag === 'unavailable')
            throw new SimError('Error from server (ServiceUnavailable): the server is currently unable to handle the request', 1);
          const value = prometheus(world, c, decodeURIComponent(flags.raw.replace(/^.*[?&]query=/, '')));
          json({ status: 'success', data: { resultType: 'vector', result: value === null ? [] : [{ value: [world.clock, value] }] } });
          return out;
        }
        const what = args[0];
        const output = str('output');
        const kindOf = (w: string) =>
          /^rollouts?(\.argoproj\.io)?$/.test(w) ? 'Rollout' : /^deployments?(\.apps)?$/.test(w) ? 'Deployment' : '';
        if (kindOf(what) && args.length === 1) {
          const items = inNs ? c.workloads.filter((w) => w.kind === kindOf(what)) : [];
          if (output === 'json') json({ items: items.map((w) => k8sItem(w, c.namespace)) });
          else if (output === 'name')
            for (const w of items) print(`${w.kind === 'Rollout' ? 'rollout.argoproj.io' : 'deployment.apps'}/${w.metadata.name}`);
          else if (output.startsWith('jsonpath=') && output.includes('?(@.spec.replicas>0)')) {
            for (const w of items.filter((x) => x.spec.replicas > 0)) print(w.metadata.name);
          } else throw new SimError(`simulation: unsupported output ${output} for ${what}`, 64);
          return out;
        }
        if (what.includes('/') || (kindOf(what) && args.length === 2)) {
          const w = workload(args.length === 2 ? `${what}/${args[1]}` : what);
          if (output === 'json') json(k8sItem(w, c.namespace));
          else if (output === 'jsonpath={.status.phase}') out += w.status.phase ?? '';
          else throw new SimError(`simulation: unsupported output ${output} for ${what}`, 64);
          return out;
        }
        if (/^externalsecrets?(\.external-secrets\.io)?$/.test(what)) {
          const items = inNs ? c.externalSecrets : [];
          json({
            items: items.map((e) => ({
              metadata: { name: e.name, namespace: c.namespace },
              spec: e.keys
                ? { data: e.keys.map((k) => ({ secretKey: k, remoteRef: { key: e.entry, property: k } })), target: { name: e.target } }
                : { dataFrom: [{ extract: { key: e.entry } }], target: { name: e.target } },
            })),
          });
          return out;
        }
        if (what === 'secret' || what === 'secrets') {
          const s = inNs ? c.secrets[args[1]] : undefined;
          if (!s) throw new SimError(`Error from server (NotFound): secrets "${args[1]}" not found`, 1);
          const data = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
          if (output === 'json') json({ metadata: { name: args[1] }, data });
          else if (/^jsonpath=\{\.data\.[A-Za-z0-9_]+\}$/.test(output)) out += data[output.slice('jsonpath={.data.'.length, -1)] ?? '';
          else throw new SimError(`simulation: unsupported output ${output} for secret`, 64);
          return out;
        }
        if (what === 'pods') {
          print('NAME READY STATUS');
          return out;
        }
        throw new SimError(`simulation: unexpected get ${what}`, 64);
      }
      case 'patch': {
        const w = workload(args[0]);
        const template = JSON.stringify(w.spec.template ?? null);
        const patch = JSON.parse(str('patch')) as object;
        const merged = mergePatch({ metadata: w.metadata, spec: w.spec, status: w.status }, patch) as Pick<
          SimObject,
          'metadata' | 'spec' | 'status'
        >;
        Object.assign(w, { metadata: merged.metadata, spec: merged.spec, status: merged.status ?? {} });
        // A Deployment whose pod template changed rolls its pods (a new ReplicaSet: what `kubectl rollout restart`
        // does by writing the template annotation kubectl.kubernetes.io/restartedAt); they read the Secret at start.
        if (w.kind === 'Deployment' && JSON.stringify(w.spec.template ?? null) !== template) w.podEnv = { ...(c.secrets[w.secret] ?? {}) };
        mutated();
        return `${args[0]} patched\n`;
      }
      case 'scale': {
        const w = workload(args[0]);
        w.spec.replicas = Number(str('replicas'));
        mutated();
        return `${args[0]} scaled\n`;
      }
      case 'annotate': {
        // `annotate externalsecrets --all force-sync=…`: External Secrets refreshes every target from its entry.
        if (inNs) {
          for (const e of c.externalSecrets) {
            const v = world.entries[e.entry];
            const all = v === undefined ? undefined : (JSON.parse(v) as Record<string, string>);
            if (all) c.secrets[e.target] = e.keys ? Object.fromEntries(e.keys.filter((k) => k in all).map((k) => [k, all[k]])) : all;
          }
        }
        mutated();
        return 'annotated\n';
      }
      case 'rollout status':
        workload(args[0]);
        return 'successfully rolled out\n';
      default:
        throw new SimError(`simulation: unhandled kubectl ${command}`, 64);
    }
  }

  if (tool === 'aws') {
    const id = str('secret-id');
    if (command === 'secretsmanager get-secret-value') {
      if (world.entries[id] === undefined) throw new SimError(`ResourceNotFoundException: ${id}`, 254);
      print(world.entries[id]);
      return out;
    }
    const v = str('secret-string');
    if (!v.startsWith('file://')) throw new SimError('secret value on the command line', 64);
    world.entries[id] = fs.readFileSync(v.slice(7), 'utf8');
    mutated();
    json({ Name: id });
    return out;
  }

  // doctl
  switch (command) {
    case 'databases list':
      json(
        world.databases
          .filter((d) => d.role === 'primary')
          .map((d) => ({
            id: d.id,
            name: d.name,
            region: d.region,
            status: d.status,
            num_nodes: d.nodes ?? 1,
            private_connection: { host: d.host },
          })),
      );
      return out;
    case 'databases replica get': {
      const r = replicaOf(args[0], args[1]);
      const view = { ID: r.id, Name: r.name, Region: r.region, Status: r.status };
      if (str('output') === 'json') {
        json([
          {
            id: r.id,
            name: r.name,
            region: r.region,
            status: r.status,
            private_connection: { host: r.host, uri: `postgresql://doadmin:x@${r.host}:25060/defaultdb` },
          },
        ]);
      } else print(cols(view));
      return out;
    }
    case 'databases replica promote': {
      const r = replicaOf(args[0], args[1]);
      r.role = 'primary';
      delete r.primaryId;
      delete r.receiving;
      r.status = 'online';
      mutated();
      return out;
    }
    case 'databases replica create': {
      const p = db(args[0]);
      if (!p) throw new SimError(`Error: database ${args[0]} not found`, 1);
      if (world.databases.some((d) => d.name === args[1]))
        throw new SimError(`Error: POST replicas: 422 name ${args[1]} is already in use`, 1);
      world.databases.push({
        id: `db-${args[1]}`,
        name: args[1],
        region: str('region'),
        role: 'replica',
        primaryId: p.id,
        status: 'active',
        host: `private-${args[1]}.db`,
        firewall: [],
        receiving: true,
        ...(str('private-network-uuid') ? { vpc: str('private-network-uuid') } : {}),
      });
      mutated();
      return out;
    }
    case 'databases resize': {
      const d = db(args[0]);
      if (!d || d.role !== 'primary') throw new SimError(`Error: database ${args[0]} not found`, 1);
      d.nodes = Number(str('num-nodes'));
      mutated();
      return out;
    }
    case 'databases firewalls list': {
      const d = db(args[0]);
      if (!d) throw new SimError(`Error: database ${args[0]} not found`, 1);
      for (const r of d.firewall) print(cols({ UUID: r.uuid, ClusterUUID: d.id, Type: r.type, Value: r.value }));
      return out;
    }
    case 'databases firewalls append':
    case 'databases firewalls replace': {
      const d = db(args[0]);
      if (!d) throw new SimError(`Error: database ${args[0]} not found`, 1);
      const rules = ([] as string[]).concat((flags.rule as string | string[]) ?? []);
      if (rules.length === 0) throw new SimError('Error: Must pass in a key:value pair for the --rule flag', 1);
      const parsed = rules.map((r, i) => {
        const [type, ...value] = r.split(':');
        if (!['ip_addr', 'droplet', 'k8s', 'tag', 'app'].includes(type)) throw new SimError(`Error: invalid rule type ${type}`, 1);
        return { uuid: `rule-${world.clock}-${i}`, type, value: value.join(':') };
      });
      d.firewall = command.endsWith('replace') ? parsed : [...d.firewall, ...parsed];
      mutated();
      return out;
    }
    case 'kubernetes cluster get': {
      const c = clusterByName(args[0]);
      print(cols({ ID: c.id, Name: c.name, Region: c.region, Status: world.regions[c.region].up ? 'running' : 'degraded' }));
      return out;
    }
    case 'kubernetes cluster node-pool get': {
      const c = clusterByName(args[0]);
      const p = c.nodePool;
      if (str('output') === 'json') json([{ name: p.name, count: p.count, auto_scale: true, min_nodes: p.min, max_nodes: p.max }]);
      else print(cols({ Name: p.name, Count: p.count }));
      return out;
    }
    case 'kubernetes cluster node-pool update': {
      const c = clusterByName(args[0]);
      c.nodePool.min = Number(str('min-nodes'));
      c.nodePool.max = Number(str('max-nodes'));
      c.nodePool.count = Math.max(c.nodePool.count, c.nodePool.min);
      mutated();
      return out;
    }
    case 'vpcs list':
      print(world.vpcs.map((v) => cols(v)).join('\n'));
      return out;
    default:
      throw new SimError(`simulation: unhandled doctl ${command}`, 64);
  }
}

/** One call: reads the world, runs one command, writes the world back, logs the call. */
export function call(
  tool: string,
  argv: string[],
  files: { world: string; spec: string; log: string },
): { status: number; stdout: string; stderr: string } {
  const world = JSON.parse(fs.readFileSync(files.world, 'utf8')) as SimWorld;
  const spec = JSON.parse(fs.readFileSync(files.spec, 'utf8')) as SimSpec;
  fs.appendFileSync(files.log, `${JSON.stringify({ tool, args: argv })}\n`);
  try {
    const out = handle(tool, argv, world, spec);
    fs.writeFileSync(files.world, JSON.stringify(world));
    return { status: 0, stdout: out, stderr: '' };
  } catch (e) {
    if (!(e instanceof SimError)) return { status: 70, stdout: '', stderr: `simulation: ${e instanceof Error ? e.stack : String(e)}\n` };
    if (e.keepWorld) fs.writeFileSync(files.world, JSON.stringify(world));
    return { status: e.code, stdout: '', stderr: `${e.message}\n` };
  }
}

/**
 * The server the four tools' stubs call (test/util/dr-sim.ts writes them): a node process per test process instead
 * of one per command (a script run makes dozens of calls; starting node for each cost ~60 ms of CPU, most of the
 * simulation's time). A request is NUL-terminated fields: the argument count, the tool, the world, spec and log
 * files, then the arguments; the answer is the exit status, stdout and stderr, each base64 on its own line. The
 * server exits when its parent closes its stdin.
 */
/**
 * One stub call on `socket`: gathers its NUL-terminated fields (the argument count first) until all have arrived,
 * then answers with what `answer` returns for the fields after the count: the exit status, then stdout and stderr
 * in base64, one line each. Shared with verify:dr's stand-in (scripts/real-engines/dr-stand-in.ts).
 */
/**
 * `text` on one line for bash's `printf %b` (the stubs' decoder): backslashes doubled, control characters (the line
 * break among them) as `\xHH`, which bash's printf reads as one byte (bash manual, "printf": `%b` expands the
 * backslash escapes `echo -e` does, `\xHH` among them). Bash variables cannot hold a NUL; no answer has one.
 */
export function forPrintfB(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it escapes
  return text.replace(/[\\\x00-\x1f\x7f]/g, (c) => (c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** jq's answers by call (arguments and input), for the simulation's jq (test/util/dr-sim.ts `JQ_STUB`). */
const jqAnswers = new Map<string, { status: number; stdout: string; stderr: string }>();
function jq(argv: string[]): { status: number; stdout: string; stderr: string } {
  const key = JSON.stringify(argv);
  let r = jqAnswers.get(key);
  if (!r) {
    const input = argv[argv.length - 1];
    const p = spawnSync('jq', argv.slice(0, -1), { input, encoding: 'utf8' });
    if (p.error) throw p.error;
    r = { status: p.status ?? 70, stdout: p.stdout, stderr: p.stderr };
    jqAnswers.set(key, r);
  }
  return r;
}

export function onStubCall(
  socket: net.Socket,
  answer: (
    fields: string[],
  ) => { status: number; stdout: string; stderr: string } | Promise<{ status: number; stdout: string; stderr: string }>,
): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const fields: string[] = [];
    let start = 0;
    for (let i = 0; i < buffered.length; i++) {
      if (buffered[i] === 0) {
        fields.push(buffered.subarray(start, i).toString('utf8'));
        start = i + 1;
      }
    }
    if (fields.length === 0 || fields.length < Number(fields[0]) + 5) return;
    void Promise.resolve(answer(fields.slice(1))).then((r) =>
      socket.end(`${r.status}\n${forPrintfB(r.stdout)}\n${forPrintfB(r.stderr)}\n`),
    );
  });
}

export function serve(portFile: string): void {
  const server = net.createServer((socket) => {
    onStubCall(socket, (fields) => {
      const [tool, world, spec, log, ...argv] = fields;
      if (tool === 'jq') return jq(argv);
      return call(tool, argv, { world, spec, log });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address() as net.AddressInfo;
    fs.writeFileSync(`${portFile}.tmp`, String(address.port));
    fs.renameSync(`${portFile}.tmp`, portFile);
  });
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

if (require.main === module && process.argv[2] === '--serve') serve(process.argv[3]);
