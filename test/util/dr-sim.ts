/**
 * A simulation of the DigitalOcean DR pair as the generated scripts see it: databases (clusters, replicas, trusted
 * sources), both DOKS clusters (their workloads, ExternalSecrets, Secrets, and a Prometheus whose heartbeat and lag
 * answers follow from who writes the heartbeat where and what the watched replica receives), the connection entries in
 * Secrets Manager and the regional health endpoints. The scripts run unmodified under bash with doctl, kubectl, aws
 * and curl answered by test/util/dr-sim-cli.ts; scenarios change the world (an outage, a partition that heals, an
 * interruption after the n-th change) and assert what the world looks like afterwards, not which commands ran.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { transformFileSync } from '@swc/core';
import { _SCRIPT_TOOLS } from '../../lib/digitalocean/failover-scripts';
import type { FailoverFacts } from '../../lib/digitalocean/failover-plan';
import { SIM_HEARTBEAT_WRITER, SimCluster, SimObject, SimSpec, SimWorld } from './dr-sim-cli';

export type { SimWorld, SimCluster, SimObject } from './dr-sim-cli';

/** Flags that take no value. */
const BOOLEANS = ['no-header', 'auto-scale', 'all', 'overwrite', 'fail', 'silent', 'show-error'];

/**
 * What doctl, kubectl, aws and curl are in a simulation: a bash stub that sends the call to the simulation's server
 * (dr-sim-cli.ts `serve`) over TCP and prints what it answers. The answer comes escaped for `printf %b` (see
 * `onStubCall`), so a call costs one bash and no other process: a node process per call cost ~60 ms of CPU, base64
 * to decode the answer ~1.5 ms, `/usr/bin/env` finding bash ~1 ms (2026-12-07, 51 calls per failover run).
 */
/** The stubs' second half: the server's answer (status, then stdout and stderr escaped for `printf %b`) printed. */
const ANSWER = `IFS= read -r status <&3
IFS= read -r out <&3
IFS= read -r err <&3
exec 3<&-
printf '%b' "$out"
printf '%b' "$err" >&2
exit "\${status:-70}"
`;

export const STUB = `#!/bin/bash
exec 3<>"/dev/tcp/127.0.0.1/\${SIM_PORT:?}" || exit 70
printf '%s\\0' "$#" "\${0##*/}" "$SIM_WORLD" "$SIM_SPEC" "$SIM_LOG" "$@" >&3
${ANSWER}`;

/**
 * jq in a simulation: the real jq (the one on PATH), through the simulation's server, which remembers each answer by
 * the call's arguments and input. The scripts' jq calls are the largest part of a simulated run's CPU (jq 1.6 takes
 * ~19 ms to start: 23 calls, ~0.45 s of a failover run's ~0.75 s), and the fault suites run the same scripts over the
 * same worlds hundreds of times. Every answer is one real jq gave for exactly that call (jq reads nothing else: no
 * file, no environment, no clock in the scripts' filters); exit status and stderr included.
 */
export const JQ_STUB = `#!/bin/bash
# jq -n reads no input (the stub must not take input meant for a loop around it): its options, up to the filter.
input= null= skip=0
for a in "$@"; do
  if [ "$skip" -gt 0 ]; then skip=$((skip - 1)); continue; fi
  case $a in
    --arg | --argjson | --slurpfile | --rawfile) skip=2 ;;
    --indent) skip=1 ;;
    --null-input) null=1 ;;
    --*) ;;
    -*n*) null=1 ;;
    -*) ;;
    *) break ;;
  esac
done
if [ -z "$null" ]; then IFS= read -r -d '' input || true; fi
exec 3<>"/dev/tcp/127.0.0.1/\${SIM_PORT:?}" || exit 70
printf '%s\\0' "$(($# + 1))" jq - - - "$@" "$input" >&3
${ANSWER}`;

let port: string | undefined;
/** The simulation's server: compiled (swc) and started once per process; it stops when this process ends. */
function server(): string {
  if (!port) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-sim-cli-'));
    const { code } = transformFileSync(path.join(__dirname, 'dr-sim-cli.ts'), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    });
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    const compiled = path.join(dir, 'sim.js');
    fs.writeFileSync(compiled, code);
    const portFile = path.join(dir, 'port');
    const child = spawn(process.execPath, [compiled, '--serve', portFile], { stdio: ['pipe', 'ignore', 'inherit'] });
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    const wait = new Int32Array(new SharedArrayBuffer(4));
    for (let waited = 0; !fs.existsSync(portFile); waited += 10) {
      if (waited > 20_000) throw new Error('the DR simulation server did not start in 20 s');
      Atomics.wait(wait, 0, 0, 10);
    }
    port = fs.readFileSync(portFile, 'utf8');
  }
  return port;
}

/** An app as the DR clusters run it: its kind and the Secret its pods read the connection from. */
export interface SimApp {
  readonly name: string;
  readonly kind: 'Rollout' | 'Deployment';
  readonly replicas: number;
}

export interface SimResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const connection = (host: string, port: number, db: string, valkey: string) => ({
  DATABASE_URL: `postgresql://app:pw@${host}:${port}/${db}?sslmode=require`,
  DATABASE_HOST: host,
  DATABASE_PORT: String(port),
  DATABASE_NAME: db,
  REDIS_URL: `rediss://default:pw@${valkey}:25061`,
  DATABASE_DIRECT_URL: `postgresql://app:pw@${host}:25060/${db}?sslmode=require`,
});

/** The DR pair of a failover plan's facts, healthy, with the given apps in both clusters. */
export function healthyWorld(f: FailoverFacts, apps: readonly SimApp[]): SimWorld {
  const p = f.primaryRegion;
  const s = f.secondaryRegion;
  if (f.heartbeatWriter !== SIM_HEARTBEAT_WRITER)
    throw new Error(`the simulation's Prometheus knows the writer ${SIM_HEARTBEAT_WRITER}, not ${f.heartbeatWriter}`);
  const pool = `private-${f.postgresCluster}-pool.db`;
  const entryFor = (region: string) => JSON.stringify(connection(pool, 25061, f.databaseName, `valkey-${region}`));
  const cluster = (region: string, name: string, id: string, pool0: SimCluster['nodePool']): SimCluster => {
    const env = JSON.parse(entryFor(region)) as Record<string, string>;
    const workloads: SimObject[] = apps.map((a) => ({
      kind: a.kind,
      metadata: { name: a.name },
      spec: { replicas: a.replicas },
      status: a.kind === 'Rollout' ? { phase: 'Healthy' } : {},
      secret: `${a.name}-connection`,
      podEnv: { ...env },
    }));
    const externalSecrets: SimCluster['externalSecrets'] = apps.map((a) => ({
      name: `${a.name}-connection`,
      target: `${a.name}-connection`,
      entry: f.connectionEntries[region === p ? 'primary' : 'secondary'],
    }));
    const secrets: SimCluster['secrets'] = Object.fromEntries(apps.map((a) => [`${a.name}-connection`, { ...env }]));
    // Both clusters write the heartbeat into the writer their entry names (its Secret holds DATABASE_HOST too).
    {
      workloads.push({
        kind: 'Deployment',
        metadata: { name: f.heartbeatWriter },
        spec: { replicas: 1 },
        status: {},
        secret: f.heartbeatWriter,
        podEnv: { ...env },
      });
      externalSecrets.push({
        name: f.heartbeatWriter,
        target: f.heartbeatWriter,
        entry: f.connectionEntries[region === p ? 'primary' : 'secondary'],
      });
      secrets[f.heartbeatWriter] = { ...env };
    }
    // The primary's database dump reads part of the entry only (DATABASE_DIRECT_URL, no DATABASE_HOST), as
    // dist/dr-<primary>/namespace does (ExternalSecret database-dump, `data` with one remoteRef per key).
    if (region === p) {
      const keys = ['DATABASE_DIRECT_URL'];
      externalSecrets.push({ name: 'database-dump', target: 'database-dump', entry: f.connectionEntries.primary, keys });
      secrets['database-dump'] = Object.fromEntries(keys.map((k) => [k, env[k]]));
    }
    if (region === s && f.replicaName) {
      workloads.push({
        kind: 'Deployment',
        metadata: { name: f.lagMonitor },
        spec: { replicas: 1 },
        status: {},
        secret: f.lagMonitor,
        podEnv: { DATA_SOURCE_NAME: `postgresql://doadmin:x@private-${f.replicaName}.db:25060/defaultdb` },
      });
      externalSecrets.push({ name: f.lagMonitor, target: f.lagMonitor, entry: f.monitorEntry });
      secrets[f.lagMonitor] = { DATA_SOURCE_NAME: `postgresql://doadmin:x@private-${f.replicaName}.db:25060/defaultdb` };
    }
    return {
      id,
      name,
      region,
      context: `do-${region}-${name}`,
      namespace: f.namespace,
      nodePool: pool0,
      workloads,
      externalSecrets,
      secrets,
      lag: '0.4',
    };
  };
  const entries: Record<string, string> = {
    [f.connectionEntries.primary]: entryFor(p),
    [f.connectionEntries.secondary]: entryFor(s),
  };
  if (f.replicaName)
    entries[f.monitorEntry] = JSON.stringify({ DATA_SOURCE_NAME: `postgresql://doadmin:x@private-${f.replicaName}.db:25060/defaultdb` });
  return {
    regions: { [p]: { up: true }, [s]: { up: true } },
    databases: [
      {
        id: 'pg-1',
        name: f.postgresCluster,
        region: p,
        role: 'primary',
        status: 'online',
        host: `private-${f.postgresCluster}.db`,
        poolHost: pool,
        nodes: f.postgresNodes,
        firewall: [
          { uuid: 'fw-1', type: 'k8s', value: 'k8s-p' },
          { uuid: 'fw-2', type: 'k8s', value: 'k8s-s' },
        ],
      },
      ...(f.replicaName
        ? [
            {
              id: 'rep-1',
              name: f.replicaName,
              region: s,
              role: 'replica' as const,
              primaryId: 'pg-1',
              status: 'active',
              host: `private-${f.replicaName}.db`,
              firewall: [{ uuid: 'fw-3', type: 'k8s', value: 'k8s-s' }],
              receiving: true,
              replayedHeartbeat: 0,
            },
          ]
        : []),
    ],
    clusters: [
      cluster(p, f.primaryCluster, 'k8s-p', { name: `${f.primaryCluster}-default`, count: 4, min: f.primaryMinNodes, max: 10 }),
      cluster(s, f.secondaryCluster, 'k8s-s', { name: f.secondaryNodePool, count: 2, min: 2, max: f.secondaryMaxNodes }),
    ],
    entries,
    healthHosts: { [p]: f.regionalHosts.primary, [s]: f.regionalHosts.secondary },
    vpcs: [
      { ID: 'vpc-1', Name: f.primaryVpc },
      { ID: 'vpc-2', Name: `${f.primaryVpc.replace(p, s)}` },
    ],
    mutations: 0,
    clock: 0,
  };
}

/** The commands, flags and columns the stand-in accepts (`_SCRIPT_TOOLS`, read from the tools' sources). */
export function simSpec(): SimSpec {
  const withColumns = (t: Record<string, { flags: readonly string[] }>) =>
    Object.fromEntries(Object.entries(t).map(([k, v]) => [k, { flags: v.flags, columns: [] as string[] }]));
  const tools = { doctl: _SCRIPT_TOOLS.doctl, kubectl: withColumns(_SCRIPT_TOOLS.kubectl), aws: withColumns(_SCRIPT_TOOLS.aws) };
  return { tools, booleans: BOOLEANS };
}

/**
 * The databases that take writes from a serving workload: a workload with replicas in a region that is up, whose
 * pods were started with a DATABASE_HOST of a writable cluster in a region that is up and whose trusted sources
 * admit that workload's cluster. More than one is split brain.
 */
export function writersOf(w: SimWorld): string[] {
  const found = new Set<string>();
  for (const c of w.clusters) {
    if (!w.regions[c.region].up) continue;
    for (const o of c.workloads) {
      const host = o.podEnv.DATABASE_HOST;
      if (o.spec.replicas <= 0 || !host) continue;
      const db = w.databases.find((d) => d.host === host || d.poolHost === host);
      if (!db || db.role !== 'primary' || !w.regions[db.region].up) continue;
      const admitted = db.firewall.length === 0 || db.firewall.some((r) => r.type === 'k8s' && r.value === c.id);
      if (admitted) found.add(db.name);
    }
  }
  return [...found].sort();
}

/** One simulated world and the scripts of one plan, in a temporary directory. */
export class DrSimulation {
  public readonly dir: string;
  private readonly worldFile: string;
  private readonly logFile: string;
  private readonly specFile: string;
  private readonly port: string;

  constructor(
    private readonly scriptsDir: string,
    world: SimWorld,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-sim-'));
    const bin = path.join(this.dir, 'bin');
    fs.mkdirSync(bin);
    this.port = server();
    for (const tool of ['doctl', 'kubectl', 'aws', 'curl']) fs.writeFileSync(path.join(bin, tool), STUB, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'jq'), JQ_STUB, { mode: 0o755 });
    this.worldFile = path.join(this.dir, 'world.json');
    this.logFile = path.join(this.dir, 'calls.log');
    this.specFile = path.join(this.dir, 'spec.json');
    this.world = world;
    fs.writeFileSync(this.logFile, '');
    fs.writeFileSync(this.specFile, JSON.stringify(simSpec()));
  }

  public get world(): SimWorld {
    return JSON.parse(fs.readFileSync(this.worldFile, 'utf8')) as SimWorld;
  }

  public set world(w: SimWorld) {
    fs.writeFileSync(this.worldFile, JSON.stringify(w));
  }

  /** Changes the world between runs. */
  public change(fn: (w: SimWorld) => void): void {
    const w = this.world;
    fn(w);
    this.world = w;
  }

  /** The environment the generated scripts (and a direct call of a simulated tool) run in. */
  public get env(): NodeJS.ProcessEnv {
    return {
      PATH: `${path.join(this.dir, 'bin')}:${process.env.PATH}`,
      SIM_SPEC: this.specFile,
      SIM_WORLD: this.worldFile,
      SIM_LOG: this.logFile,
      SIM_PORT: this.port,
      POLL_SECONDS: '0',
      HOME: this.dir,
    };
  }

  /**
   * Runs a generated script; `failAfterMutations` interrupts it before its (n+1)-th change, `failRead` makes its
   * (n+1)-th read fail once.
   */
  public run(
    script: string,
    args: string[],
    opts: { failAfterMutations?: number; failRead?: number; readTools?: string[] } = {},
  ): SimResult {
    this.change((w) => {
      w.mutations = 0;
      w.failAfterMutations = opts.failAfterMutations;
      w.reads = 0;
      w.failRead = opts.failRead;
      w.readTools = opts.readTools;
    });
    const r = spawnSync('bash', [path.join(this.scriptsDir, script), ...args], { encoding: 'utf8', env: this.env });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** The changes the last runs made, as the world counted them. */
  public get mutations(): number {
    return this.world.mutations;
  }

  /** The databases that take writes (see `writersOf`). */
  public writers(): string[] {
    return writersOf(this.world);
  }

  /** The world without its counters, for comparing end states. */
  public get endState(): Partial<SimWorld> {
    const rest: Partial<SimWorld> = this.world;
    delete rest.mutations;
    delete rest.failAfterMutations;
    delete rest.failRead;
    delete rest.readTools;
    delete rest.reads;
    delete rest.clock;
    const strip = JSON.parse(JSON.stringify(rest), (k: string, v: unknown) =>
      k === 'restartAt' ||
      k === 'restartedAt' ||
      k === 'kubectl.kubernetes.io/restartedAt' ||
      k === 'uuid' ||
      k === 'force-sync' ||
      k === 'replayedHeartbeat'
        ? '<t>'
        : v,
    ) as typeof rest;
    return strip;
  }

  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
