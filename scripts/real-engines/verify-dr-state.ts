/**
 * What `npm run verify:dr` reads back and expects: the Secrets Manager entries the DR stack writes (from its
 * synthesized Terraform, with the stand-in world's hosts), the state each scenario must end in, read from the real
 * API servers and moto (replicas, annotations, the Secrets' hosts, what the pods started with, the entries' values),
 * and the self-test (what the JSON simulation accepts and the real engines refuse).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FailoverFacts } from '../../lib/digitalocean/failover-facts';
import type { SimWorld } from '../../test/util/dr-sim-cli';
import { writersOf } from '../../test/util/dr-sim';
import { DrCluster, DrControllers, EntryReader, syncVersion } from './dr-controllers';
import type { StandIn } from './dr-stand-in';
import { runAsync, sleep } from './engines';
import { loadObjects, yamlFiles } from './gitops';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects from the API are free-form JSON
type Obj = Record<string, any>;

/**
 * The entries' values. Those the stack writes (aws_secretsmanager_secret_version.secret_string) with each Terraform
 * reference resolved to the stand-in world's value (a pool's private_uri is its host on 25061 with the pool as
 * database; `replace()` of locals applied as Terraform would); those it leaves to be set out of band (the apps'
 * keys) with a placeholder per property the ExternalSecrets read.
 */
export function entryValues(repo: string, f: FailoverFacts, world: SimWorld): Record<string, Record<string, string>> {
  const stack = JSON.parse(fs.readFileSync(path.join(repo, 'cdktf.out', 'stacks', f.stackName, 'cdk.tf.json'), 'utf8')) as Obj;
  const primary = world.databases.find((d) => d.role === 'primary')!;
  const replica = world.databases.find((d) => d.role === 'replica');
  const attribute = (ref: string): string => {
    const [type, name, attr] = ref.split('.');
    if (type === 'local') return expression((stack.locals as Record<string, string>)[name].replace(/^\$\{|\}$/g, ''));
    if (type === 'digitalocean_database_connection_pool')
      return (
        {
          private_uri: `postgresql://app:placeholder@${primary.poolHost}:25061/${f.databaseName}-pool?sslmode=require`,
          private_host: primary.poolHost!,
          user: 'app',
        }[attr] ?? 'placeholder'
      );
    if (type === 'digitalocean_database_replica' && replica)
      return (
        {
          private_uri: `postgresql://doadmin:placeholder@${replica.host}:25060/defaultdb?sslmode=require`,
          private_host: replica.host,
          database: 'defaultdb',
        }[attr] ?? 'placeholder'
      );
    if (type === 'digitalocean_database_cluster')
      return { private_uri: `rediss://default:placeholder@${name}.db:25061`, private_host: `${name}.db` }[attr] ?? 'placeholder';
    return 'placeholder';
  };
  // replace(replace(<ref>, "a", "b"), "c", "d"): the reference, then each pair innermost first (textual order).
  const expression = (e: string): string => {
    if (/^local\.[A-Za-z0-9_-]+$/.test(e)) return attribute(e);
    const base = /^(?:replace\()*([a-z_]+\.[A-Za-z0-9_-]+\.[a-z_]+)/.exec(e);
    if (!base) return 'placeholder';
    let v = attribute(base[1]);
    for (const m of e.matchAll(/, "((?:[^"\\]|\\.)*)", "((?:[^"\\]|\\.)*)"\)/g)) {
      const sub = (s: string) => s.replace(/\$\{([^}]+)\}/g, (_, r: string) => attribute(r));
      v = v.split(sub(m[1])).join(sub(m[2]));
    }
    return v;
  };
  const names: Record<string, string> = {};
  for (const [id, s] of Object.entries((stack.resource.aws_secretsmanager_secret ?? {}) as Record<string, Obj>)) names[id] = s.name;
  const out: Record<string, Record<string, string>> = {};
  for (const v of Object.values((stack.resource.aws_secretsmanager_secret_version ?? {}) as Record<string, Obj>)) {
    const id = /aws_secretsmanager_secret\.([^.]+)\.id/.exec(v.secret_id)![1];
    const value = JSON.parse(v.secret_string) as Record<string, string>;
    out[names[id]] = Object.fromEntries(
      Object.entries(value).map(([k, x]) => [k, x.replace(/\$\{([^}]+)\}/g, (_, e: string) => expression(e))]),
    );
  }
  for (const region of [f.primaryRegion, f.secondaryRegion]) {
    for (const es of yamlFiles(path.join(repo, 'dist', `dr-${region}`))
      .flatMap(loadObjects)
      .filter((o) => o.kind === 'ExternalSecret')) {
      for (const d of (es.spec.data ?? []) as Obj[]) {
        out[d.remoteRef.key] ??= {};
        out[d.remoteRef.key][d.remoteRef.property ?? 'value'] ??= 'placeholder';
      }
      for (const d of (es.spec.dataFrom ?? []) as Obj[]) if (d.extract) out[d.extract.key] ??= { placeholder: 'placeholder' };
    }
  }
  return out;
}

const decode = (s: Obj | undefined) =>
  Object.fromEntries(
    Object.entries((s?.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );

/** Reads the clusters, moto and the stand-in; records what does not hold as a problem. */
export class StateCheck {
  constructor(
    public readonly clusters: readonly DrCluster[],
    public readonly entries: EntryReader,
    public readonly f: FailoverFacts,
    public readonly standIn: StandIn,
    public readonly controllers: DrControllers,
    public readonly problems: string[],
  ) {}

  /** Each workload's replicas in the healthy pair (`<context> <Kind>/<name>`). */
  public readonly initialReplicas = new Map<string, number>();

  public async recordReplicas(): Promise<void> {
    for (const c of this.clusters)
      for (const w of await this.workloads(c)) this.initialReplicas.set(`${c.context} ${w.kind}/${w.metadata.name}`, w.spec.replicas ?? 1);
  }

  public cluster(region: string): DrCluster {
    return this.clusters.find((c) => c.context.startsWith(`do-${region}-`))!;
  }

  public async workloads(c: DrCluster): Promise<Obj[]> {
    const ns = c.namespace;
    return [
      ...(await c.kube.list(`/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`)).map((o) => ({ ...o, kind: 'Rollout' })),
      ...(await c.kube.list(`/apis/apps/v1/namespaces/${ns}/deployments`)).map((o) => ({ ...o, kind: 'Deployment' })),
    ];
  }

  public async secret(c: DrCluster, name: string): Promise<Record<string, string>> {
    return decode(await c.kube.get(`/api/v1/namespaces/${c.namespace}/secrets/${name}`));
  }

  public async entry(id: string): Promise<Record<string, string>> {
    const v = await this.entries(id);
    return v === undefined ? {} : (JSON.parse(v) as Record<string, string>);
  }

  /** Waits until the controllers have nothing left to do in the clusters that are up. */
  public async settled(label: string): Promise<void> {
    const deadline = Date.now() + 120_000;
    let pending: string[] = [];
    while (Date.now() < deadline) {
      pending = [];
      for (const c of this.clusters) {
        if (!c.up()) continue;
        for (const es of await c.kube.list(`/apis/external-secrets.io/v1/namespaces/${c.namespace}/externalsecrets`))
          if (es.status?.syncedResourceVersion !== syncVersion(es))
            pending.push(`${c.context} ExternalSecret/${es.metadata.name} not synced`);
        for (const w of await this.workloads(c)) {
          const name = `${c.context} ${w.kind}/${w.metadata.name}`;
          const replicas = w.spec.replicas ?? 1;
          if (w.kind === 'Rollout' && w.spec.restartAt && w.status?.restartedAt !== w.spec.restartAt) pending.push(`${name} not restarted`);
          if (
            w.kind === 'Deployment' &&
            ((w.status?.observedGeneration ?? 0) < w.metadata.generation ||
              (w.status?.availableReplicas ?? 0) !== replicas ||
              (w.status?.replicas ?? 0) !== replicas)
          )
            pending.push(`${name} not rolled out`);
          if (
            replicas > 0 &&
            !(w.kind === 'Deployment' && w.spec.replicas === 0) &&
            !this.controllers.podEnv.has(`${c.context}/${w.kind}/${w.metadata.name}`)
          )
            pending.push(`${name} has no running pods`);
        }
      }
      if (pending.length === 0) return;
      await sleep(300);
    }
    this.problems.push(`${label}: the clusters did not settle in 120 s: ${pending.join('; ')}`);
  }

  /** The databases that take writes, from the stand-in's world with the clusters' workloads read now. */
  public async writers(): Promise<string[]> {
    await this.standIn.mirror();
    return writersOf(this.standIn.world);
  }

  public expect(label: string, what: string, got: unknown, want: unknown): void {
    if (JSON.stringify(got) !== JSON.stringify(want))
      this.problems.push(`${label}: ${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }

  /** What the JSON simulation accepts and a real engine must refuse (each a dry run: nothing changes). */
  public async selfTest(env: NodeJS.ProcessEnv): Promise<void> {
    const c = this.cluster(this.f.secondaryRegion);
    const rollout = (await c.kube.list(`/apis/argoproj.io/v1alpha1/namespaces/${c.namespace}/rollouts`))[0]?.metadata.name as
      string | undefined;
    // A server-side dry run of a patch of the Rollout, as the scripts send one.
    const rolloutPatch = (type: string, patch: object): string[] => [
      '--context',
      c.context,
      '--namespace',
      c.namespace,
      'patch',
      `rollouts.argoproj.io/${rollout}`,
      '--type',
      type,
      '--patch',
      JSON.stringify(patch),
      '--dry-run=server',
    ];
    const cases: Array<[string, string, string[], RegExp]> = [
      ...(rollout
        ? ([
            [
              'a strategic-merge patch on a Rollout',
              'kubectl',
              rolloutPatch('strategic', { spec: { restartAt: '2020-01-01T00:00:00Z' } }),
              /strategic-merge-patch\+json is not supported/i,
            ],
            [
              'a field the Rollout CRD does not have',
              'kubectl',
              rolloutPatch('merge', { spec: { restartAfter: '2020-01-01T00:00:00Z' } }),
              /unknown field "spec.restartAfter"[\s\S]*dropped a field/i,
            ],
          ] as Array<[string, string, string[], RegExp]>)
        : []),
      [
        'an entry that does not exist',
        'aws',
        [
          'secretsmanager',
          'get-secret-value',
          '--region',
          this.f.secretsRegion,
          '--secret-id',
          `${this.f.connectionEntries.secondary}-typo`,
        ],
        /ResourceNotFoundException/,
      ],
    ];
    if (!rollout) this.problems.push(`[self-test] no Rollout in ${c.context}`);
    for (const [label, tool, args, refusal] of cases) {
      // Not spawnSync: the relays to the API servers and the stand-in run in this process.
      const r = await runAsync(tool, args, { env });
      if (r.status === 0 || !refusal.test(r.stderr))
        this.problems.push(`[self-test] ${label}: not refused (exit ${r.status}: ${r.stderr.trim().slice(0, 200)})`);
      else console.log(`  self-test: ${label}: refused (${r.stderr.trim().split('\n')[0].slice(0, 150)})`);
    }
  }
}

/** Every object the scripts could change, by resourceVersion, and each entry's current version. */
export async function snapshot(check: StateCheck): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const c of check.clusters) {
    const ns = c.namespace;
    for (const [kind, p] of [
      ['Rollout', `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`],
      ['Deployment', `/apis/apps/v1/namespaces/${ns}/deployments`],
      ['ReplicaSet', `/apis/apps/v1/namespaces/${ns}/replicasets`],
      ['ExternalSecret', `/apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`],
      ['Secret', `/api/v1/namespaces/${ns}/secrets`],
      ['Pod', `/api/v1/namespaces/${ns}/pods`],
    ]) {
      for (const o of await c.kube.list(p)) out[`${c.context} ${kind}/${o.metadata.name}`] = o.metadata.resourceVersion;
    }
  }
  for (const id of [check.f.connectionEntries.primary, check.f.connectionEntries.secondary, check.f.monitorEntry])
    out[`entry ${id}`] = JSON.stringify(await check.entry(id));
  return out;
}

/** The state each phase of the scenario must end in. */
export async function expectState(
  check: StateCheck,
  phase: 'after-failover' | 'after-heal' | 'after-prepare' | 'after-switch',
): Promise<void> {
  const f = check.f;
  const before = check.problems.length;
  const promoted = check.standIn.world.databases.find((d) => d.name === f.replicaName)!.host;
  const backName = f.failback.primary;
  const back = check.standIn.world.databases.find((d) => d.name === backName)?.host ?? `private-${backName}.db`;
  const host = phase === 'after-switch' ? back : promoted;
  const regions = phase === 'after-failover' ? [f.secondaryRegion] : [f.primaryRegion, f.secondaryRegion];
  const connectionRegions = phase === 'after-switch' || phase === 'after-failover' ? regions : [f.secondaryRegion];
  // The entries: both name the writer, on the direct port, in every URL.
  for (const id of [f.connectionEntries.primary, f.connectionEntries.secondary]) {
    const e = await check.entry(id);
    check.expect(
      phase,
      `entry ${id}`,
      [
        e.DATABASE_HOST,
        e.DATABASE_PORT,
        e.DATABASE_URL?.includes(`@${host}:25060/${f.databaseName}`),
        e.DATABASE_DIRECT_URL?.includes(`@${host}:25060/`),
      ],
      [host, '25060', true, true],
    );
  }
  for (const region of connectionRegions) {
    const c = check.cluster(region);
    for (const es of await c.kube.list(`/apis/external-secrets.io/v1/namespaces/${c.namespace}/externalsecrets`)) {
      const keys = [
        ...((es.spec.dataFrom ?? []) as Obj[]).map((d) => d.extract?.key),
        ...((es.spec.data ?? []) as Obj[]).map((d) => d.remoteRef.key),
      ];
      if (!keys.some((k) => k === f.connectionEntries.primary || k === f.connectionEntries.secondary)) continue;
      const target = es.spec.target?.name ?? es.metadata.name;
      // Each Secret holds the part of the entry its ExternalSecret takes: the host, or a URL naming it (the dump's).
      const secret = await check.secret(c, target);
      if ('DATABASE_HOST' in secret) check.expect(phase, `${c.context} Secret/${target} DATABASE_HOST`, secret.DATABASE_HOST, host);
      if ('DATABASE_DIRECT_URL' in secret)
        check.expect(
          phase,
          `${c.context} Secret/${target} DATABASE_DIRECT_URL names`,
          secret.DATABASE_DIRECT_URL.includes(`@${host}:25060/`),
          true,
        );
      if (!('DATABASE_HOST' in secret) && !('DATABASE_DIRECT_URL' in secret))
        check.problems.push(`${phase}: ${c.context} Secret/${target} holds no database address`);
    }
    for (const w of await check.workloads(c)) {
      const replicas = w.spec.replicas ?? 1;
      if (replicas === 0) continue;
      const env = check.controllers.podEnv.get(`${c.context}/${w.kind}/${w.metadata.name}`) ?? {};
      if (env.DATABASE_HOST !== undefined)
        check.expect(phase, `${c.context} ${w.kind}/${w.metadata.name}: its pods read DATABASE_HOST`, env.DATABASE_HOST, host);
    }
  }
  const nyc = check.cluster(f.primaryRegion);
  if (phase === 'after-heal') {
    for (const w of await check.workloads(nyc)) {
      const name = `${w.kind}/${w.metadata.name}`;
      const stopped = w.metadata.annotations?.['samokoder.dev/replicas-before-failover'];
      if (w.metadata.name === f.heartbeatWriter) check.expect(phase, `${nyc.context} ${name} replicas`, w.spec.replicas, 1);
      else if (stopped !== undefined) check.expect(phase, `${nyc.context} ${name} replicas`, w.spec.replicas, 0);
      else if ((w.spec.replicas ?? 1) > 0)
        check.problems.push(`${phase}: ${nyc.context} ${name} still runs ${w.spec.replicas ?? 1} replica(s) and was not stopped`);
    }
  }
  if (phase === 'after-prepare' || phase === 'after-switch') {
    // The lag monitor watches the replica of the database that takes writes: the one prepare made, then the one the
    // switch makes in the other region (the pair whole again).
    const sfo = check.cluster(f.secondaryRegion);
    const watchedName = phase === 'after-prepare' ? backName : f.failback.replica;
    const watched = check.standIn.world.databases.find((d) => d.name === watchedName);
    check.expect(
      phase,
      `${watchedName}: role, region, replica of`,
      [watched?.role, watched?.region, check.standIn.world.databases.find((d) => d.id === watched?.primaryId)?.name],
      ['replica', phase === 'after-prepare' ? f.primaryRegion : f.secondaryRegion, phase === 'after-prepare' ? f.replicaName : backName],
    );
    const dsn = (await check.entry(f.monitorEntry)).DATA_SOURCE_NAME ?? '';
    check.expect(
      phase,
      `entry ${f.monitorEntry} names ${watchedName}`,
      dsn.includes(`@${watched?.host ?? `private-${watchedName}.db`}:`),
      true,
    );
    check.expect(
      phase,
      `${sfo.context} Secret/${f.lagMonitor} DATA_SOURCE_NAME`,
      (await check.secret(sfo, f.lagMonitor)).DATA_SOURCE_NAME,
      dsn,
    );
    check.expect(
      phase,
      `${sfo.context} Deployment/${f.lagMonitor}: its pods read`,
      check.controllers.podEnv.get(`${sfo.context}/Deployment/${f.lagMonitor}`)?.DATA_SOURCE_NAME,
      dsn,
    );
  }
  if (phase === 'after-switch') {
    for (const region of regions) {
      const c = check.cluster(region);
      for (const w of await check.workloads(c)) {
        const name = `${c.context} ${w.kind}/${w.metadata.name}`;
        if (w.metadata.annotations?.['samokoder.dev/replicas-before-failover'] !== undefined)
          check.problems.push(`${phase}: ${name} is still marked as stopped`);
        check.expect(phase, `${name} replicas (as before the failover)`, w.spec.replicas ?? 1, check.initialReplicas.get(name));
      }
    }
  }
  check.expect(phase, 'databases taking writes', await check.writers(), [phase === 'after-switch' ? backName : f.replicaName]);
  console.log(
    `  ${phase}: ${check.problems.length > before ? `${check.problems.length - before} problem(s)` : 'state as expected'} (entries, Secrets, replicas, annotations, what the pods read, writers)`,
  );
}
