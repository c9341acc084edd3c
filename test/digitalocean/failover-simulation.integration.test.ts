/**
 * The DR procedure, run whole against a simulated world (test/util/dr-sim.ts): each scenario asserts the state the
 * world ends in — who takes writes, what the pods read, what is fenced — not the commands that ran. Scenarios:
 * failover; failover interrupted before each of its changes and run again; the lost region coming back (never two
 * writers); a Rollout paused for a manual promotion; a Prometheus that cannot answer; a team whose app is not `api`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { MultiRegionDR } from 'samokoder-infra';
import { TEST_DATE } from '../util/tf';
import { DrSimulation, SimApp, SimWorld, healthyWorld } from '../util/dr-sim';
import { observe, pageHoldsScenarios, ScenarioRecorder } from '../util/dr-scenarios';

function planOf(id: string, host: string, extra: Record<string, unknown> = {}) {
  const dr = new MultiRegionDR(Testing.app(), id, {
    localState: true,
    domain: host.split('.').slice(1).join('.'),
    host,
    alertEmails: ['oncall@example.com'],
    apiAllowedCidrs: ['203.0.113.0/24'],
    tags: { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
    supportCheckDate: TEST_DATE,
    ...extra,
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${id}-`));
  dr.failoverPlan.writeTo(dir);
  return { facts: dr.failoverPlan._facts, dir };
}

const reference = planOf('samokoder-dr', 'app.samokoder.com');
const referenceApps: SimApp[] = [
  { name: 'api', kind: 'Rollout', replicas: 3 },
  { name: 'bot', kind: 'Deployment', replicas: 2 },
];
const f = reference.facts;
const replica = f.replicaName!;
const promotedHost = `private-${replica}.db`;

const sims: DrSimulation[] = [];
const scenarios = new ScenarioRecorder('failover-simulation');
afterAll(() => {
  sims.forEach((s) => s.dispose());
  fs.rmSync(reference.dir, { recursive: true, force: true });
});

/** A world where the primary region is down. */
function lostPrimary(change: (w: SimWorld) => void = () => undefined, apps = referenceApps, dir = reference.dir, facts = f): DrSimulation {
  const w = healthyWorld(facts, apps);
  w.regions[facts.primaryRegion].up = false;
  change(w);
  const sim = new DrSimulation(dir, w);
  sims.push(sim);
  return sim;
}

const secondary = (w: SimWorld) => w.clusters.find((c) => c.region === f.secondaryRegion)!;
const primary = (w: SimWorld) => w.clusters.find((c) => c.region === f.primaryRegion)!;
const servingEnv = (w: SimWorld, region: 'primary' | 'secondary') =>
  (region === 'primary' ? primary(w) : secondary(w)).workloads
    .filter((o) => o.podEnv.DATABASE_HOST)
    .map((o) => `${o.metadata.name}:${o.podEnv.DATABASE_HOST}:${o.podEnv.DATABASE_PORT}`);

describe('failover.sh, simulated', () => {
  test('the primary region is lost: the replica takes the writes, the secondary serves from it, the old primary is fenced', () => {
    const sim = lostPrimary();
    const r = sim.run('failover.sh', ['--execute']);
    const w = sim.world;
    // The lost region's Kubernetes API cannot be reached: the script says what is left and exits 3.
    expect({ status: r.status, pending: r.stderr.match(/^pending: .*/gm) }).toEqual({
      status: 3,
      pending: [
        `pending: scale the writers in ${f.primaryCluster} to 0 (its Kubernetes API does not answer); run this script again when it does`,
      ],
    });
    // Promoted, and given the primary's standby (a promoted replica is a single node).
    expect(w.databases.find((d) => d.name === replica)).toMatchObject({ role: 'primary', status: 'online', nodes: 2 });
    expect(servingEnv(w, 'secondary')).toEqual([
      `api:${promotedHost}:25060`,
      `bot:${promotedHost}:25060`,
      `${f.heartbeatWriter}:${promotedHost}:25060`,
    ]);
    expect(sim.writers()).toEqual([replica]);
    // Fenced: the old primary admits nobody (a rule for a documentation address, never an empty list: empty = open),
    // and the lost region's entry names the new primary, so what starts there later writes to one database.
    expect(w.databases.find((d) => d.name === f.postgresCluster)!.firewall.map((x) => `${x.type}:${x.value}`)).toEqual([
      'ip_addr:192.0.2.1',
    ]);
    expect(JSON.parse(w.entries[f.connectionEntries.primary])).toMatchObject({ DATABASE_HOST: promotedHost, DATABASE_PORT: '25060' });
    expect(secondary(w).nodePool.min).toBeGreaterThanOrEqual(4);
    scenarios.add('primary region lost', 'failover.sh --execute', observe(sim, r.status));
  });

  test('the lost region comes back: still one writer; run again, the old side is scaled to 0 and it finishes', () => {
    const sim = lostPrimary();
    expect(sim.run('failover.sh', ['--execute']).status).toBe(3);
    sim.change((w) => (w.regions[f.primaryRegion].up = true));
    // The old primary is writable again and its cluster's pods still hold its address: the fence is what stops them.
    expect(sim.writers()).toEqual([replica]);
    const again = sim.run('failover.sh', ['--execute']);
    expect(again.stderr).not.toMatch(/^pending:/m);
    expect(again.status).toBe(0);
    const w = sim.world;
    // The heartbeat writer keeps running: it writes nothing but its row, and the fenced primary admits it no more.
    expect(primary(w).workloads.map((o) => `${o.metadata.name}=${o.spec.replicas}`)).toEqual(['api=0', 'bot=0', `${f.heartbeatWriter}=1`]);
    // What they ran with is kept, for the fail-back to restore.
    expect(primary(w).workloads.map((o) => o.metadata.annotations?.['samokoder.dev/replicas-before-failover'])).toEqual([
      '3',
      '2',
      undefined,
    ]);
    expect(sim.writers()).toEqual([replica]);
    const changes = sim.mutations;
    // Once more after it finished: every step finds its work done (the Secrets hold the new host, every workload was
    // restarted for it), so nothing is changed, no Secret is re-synced and no pod restarted again.
    const third = sim.run('failover.sh', ['--execute']);
    const redone = third.stdout
      .split('\n')
      .filter((l) => l.startsWith('+ '))
      .map((l) => l.replace(/^\+ (\S+)(?: --context \S+ --namespace \S+)? (rollout restart|\S+) (\S+).*$/, '$1 $2 $3'));
    expect({ status: third.status, changes: sim.mutations, redone }).toEqual({ status: 0, changes: 0, redone: [] });
    expect(sim.writers()).toEqual([replica]);
    scenarios.add(
      'the lost region comes back after a failover (partition heals)',
      'failover.sh --execute; region back; again; again',
      observe(sim, again.status),
      `second run: ${changes} changes (the old side's writers scaled to 0); third: ${sim.mutations} changes${redone.length > 0 ? ` (${redone.join(', ')})` : ''}, exit ${third.status}`,
    );
  });

  test('interrupted before each of its changes and run again, it ends where an uninterrupted run ends', () => {
    const clean = lostPrimary();
    const first = clean.run('failover.sh', ['--execute']);
    const changes = clean.mutations;
    expect(changes).toBeGreaterThan(5);
    const failures: string[] = [];
    for (let n = 0; n < changes; n++) {
      const sim = lostPrimary();
      const cut = sim.run('failover.sh', ['--execute'], { failAfterMutations: n });
      if (cut.status === 0) failures.push(`interrupted after ${n}: exited 0`);
      const again = sim.run('failover.sh', ['--execute']);
      if (again.status !== first.status)
        failures.push(`interrupted after ${n}: re-run exited ${again.status}: ${again.stderr.trim().split('\n').pop()}`);
      else if (JSON.stringify(sim.endState) !== JSON.stringify(clean.endState)) failures.push(`interrupted after ${n}: ends elsewhere`);
      sim.dispose();
    }
    expect(failures).toEqual([]);
    scenarios.add(
      `failover interrupted before each of its ${changes} changes`,
      `failover.sh --execute cut after 0…${changes - 1} changes; again`,
      observe(clean, first.status),
      `${changes} of ${changes} re-runs end where an uninterrupted run ends`,
    );
  });

  test('a Rollout paused for a manual promotion is restarted in place, and the script does not wait for it to be promoted', () => {
    const sim = lostPrimary((w) => {
      const api = secondary(w).workloads[0];
      api.spec.paused = true;
      api.status = { phase: 'Paused', pauseConditions: [{ reason: 'BlueGreenPause' }] };
    });
    const r = sim.run('failover.sh', ['--execute']);
    expect(r.status).toBe(3);
    expect(servingEnv(sim.world, 'secondary')).toContain(`api:${promotedHost}:25060`);
    expect(r.stdout).toContain('rollout.argoproj.io/api is paused');
    scenarios.add('a Rollout paused for a manual promotion', 'failover.sh --execute', observe(sim, r.status));
  });

  test('a Prometheus that cannot answer is a warning, not a reason to stop before promoting', () => {
    const sim = lostPrimary((w) => (secondary(w).lag = 'unavailable'));
    const r = sim.run('failover.sh', ['--execute']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("warning: the replica's last heartbeat is unknown");
    expect(sim.writers()).toEqual([replica]);
    scenarios.add('Prometheus does not answer (lag unknown: a warning)', 'failover.sh --execute', observe(sim, r.status));
  });

  test("a team's own app names: every Secret read from the connection entry is waited for, none by a fixed name", () => {
    const team = planOf('billing-dr', 'billing.example.com', { project: 'billing' });
    const apps: SimApp[] = [
      { name: 'billing', kind: 'Rollout', replicas: 2 },
      { name: 'billing-worker', kind: 'Deployment', replicas: 1 },
    ];
    const sim = lostPrimary(undefined, apps, team.dir, team.facts);
    const r = sim.run('failover.sh', ['--execute']);
    expect(r.status).toBe(3);
    const host = `private-${team.facts.replicaName}.db`;
    expect(sim.world.clusters[1].workloads.map((o) => `${o.metadata.name}:${o.podEnv.DATABASE_HOST ?? '-'}`)).toEqual([
      `billing:${host}`,
      `billing-worker:${host}`,
      `${team.facts.heartbeatWriter}:${host}`,
      `${team.facts.lagMonitor}:-`,
    ]);
    scenarios.add("a team's apps (`billing`, `billing-worker`)", 'failover.sh --execute', observe(sim, r.status));
    fs.rmSync(team.dir, { recursive: true, force: true });
  });

  test('check-apply.sh lets an apply through in a healthy pair and refuses it after a failover, until the state is reconciled', () => {
    const healthy = new DrSimulation(reference.dir, healthyWorld(f, referenceApps));
    sims.push(healthy);
    const ok = healthy.run('check-apply.sh', []);
    expect({ status: ok.status, stdout: ok.stdout.trim() }).toEqual({
      status: 0,
      stdout: 'no failover in effect for samokoder-dr: the apply may proceed',
    });
    const sim = lostPrimary();
    expect(sim.run('failover.sh', ['--execute']).status).toBe(3);
    const r = sim.run('check-apply.sh', []);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `refused: ${replica} is a cluster of its own (a failover promoted it) while this program declares it a replica of ${f.postgresCluster}`,
      `refused: ${f.postgresCluster} is fenced by a failover (its only trusted source is ip_addr:192.0.2.1) while this program declares it the primary`,
      "reconcile the Terraform state first: runbook.md, 'Terraform after a promotion'",
    ]);
    scenarios.add(
      'check-apply.sh before an apply',
      'healthy: check-apply.sh; after failover.sh: again',
      observe(sim, `${ok.status}, then ${r.status}`),
    );
  });

  test("the simulation's jq answers what the real jq answers, byte for byte (through the stubs' printf encoding)", () => {
    const sim = new DrSimulation(reference.dir, healthyWorld(f, referenceApps));
    const bash = (script: string, input = '') => {
      const r = spawnSync('bash', ['-c', script], { input, encoding: 'utf8', env: sim.env });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const real = (args: string[], input: string) => {
      const r = spawnSync('jq', args, { input, encoding: 'utf8' });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    const cases: Array<[string[], string]> = [
      [['-r', '.a'], '{"a":"back\\\\slash\\ttab \\\\x41 %s %b\\nline"}'],
      [['-c', '.'], '{"a":[1,2],"é":"ü"}'],
      [['-rn', '--arg', 'q', 'a b/c', '$q | @uri'], ''],
      [['-r', '--arg', 'n', '-n', '.[$n]'], '{"-n": "read its input"}'],
      [['-r', '.a'], 'not json'],
    ];
    for (const [args, input] of cases) expect(bash(`jq ${args.map(q).join(' ')}`, input)).toEqual(real(args, input));
    // jq -n takes no input meant for a loop around it.
    expect(bash('while read -r l; do jq -rn --arg l "$l" \'$l\'; done', 'a\nb\n').stdout).toBe('a\nb\n');
    sim.dispose();
  });

  test("docs/multi-region-dr.md's scenario table holds these runs (npm run docs:dr-scenarios writes it)", () => {
    const { onPage, recorded } = pageHoldsScenarios(scenarios);
    expect(recorded).toHaveLength(7);
    expect(onPage).toEqual(recorded);
  });
});
