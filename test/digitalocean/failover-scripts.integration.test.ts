/**
 * The generated DR scripts, run under bash against the DR simulation (test/util/dr-sim.ts: doctl, kubectl, aws and
 * curl answered from a stateful world, accepting only the commands, flags and columns the named tool versions have):
 * the dry run, the fail-back's two stages, the tools' strictness; and shellcheck when it is installed (CI installs
 * the Debian package). The failover itself is simulated in failover-simulation.integration.test.ts, interruptions
 * and failing reads in failover-faults.integration.test.ts.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { SimWorld, healthyWorld } from '../util/dr-sim';
import { DrScriptsFixture } from '../util/dr-fixture';
import { observe, pageHoldsScenarios, ScenarioRecorder } from '../util/dr-scenarios';

const fixture = new DrScriptsFixture();
const { plan, f, apps, dir } = fixture;
const scenarios = new ScenarioRecorder('failover-scripts');
afterAll(() => fixture.dispose());
const simulate = (w: SimWorld) => fixture.simulate(w);
const lost = () => fixture.lost();

test('failover dry run: reads the world, changes nothing, and says what it would change, in order', () => {
  const s = simulate(lost());
  const before = s.endState;
  const r = s.run('failover.sh', []);
  expect(r.status).toBe(3);
  expect(s.mutations).toBe(0);
  expect(s.endState).toEqual(before);
  expect(r.stdout.split('\n').filter((l) => l.startsWith('+ '))).toEqual([
    '+ doctl databases replica promote pg-1 samokoder-pg-sfo3',
    '+ doctl databases firewalls replace pg-1 --rule ip_addr:192.0.2.1',
    '+ point samokoder/production-dr/sfo3/connection at private-samokoder-pg-sfo3.db:25060',
    expect.stringMatching(
      /^\+ kubectl --context do-sfo3-samokoder-sfo3 --namespace samokoder annotate externalsecrets\.external-secrets\.io --all force-sync=\d+ --overwrite$/,
    ),
    '+ point samokoder/production-dr/nyc3/connection at private-samokoder-pg-sfo3.db:25060',
    // Each restart records the host it was made for in the same patch (a re-run restarts nothing already restarted).
    expect.stringMatching(
      /^\+ kubectl --context do-sfo3-samokoder-sfo3 --namespace samokoder patch rollouts\.argoproj\.io\/api --type merge --patch \{"metadata":\{"annotations":\{"samokoder\.dev\/failover-host":"private-samokoder-pg-sfo3\.db"\}\},"spec":\{"restartAt":"[0-9TZ:-]+"\}\}$/,
    ),
    ...['bot', 'replication-heartbeat'].map((d) =>
      expect.stringMatching(
        new RegExp(
          `^\\+ kubectl --context do-sfo3-samokoder-sfo3 --namespace samokoder patch deployments/${d} --type merge --patch \\{"metadata":\\{"annotations":\\{"samokoder\\.dev/failover-host":"private-samokoder-pg-sfo3\\.db"\\}\\},"spec":\\{"template":\\{"metadata":\\{"annotations":\\{"kubectl\\.kubernetes\\.io/restartedAt":"[0-9TZ:-]+"\\}\\}\\}\\}\\}$`,
        ),
      ),
    ),
    '+ doctl kubernetes cluster node-pool update samokoder-sfo3 samokoder-sfo3-default --auto-scale --min-nodes 4 --max-nodes 10',
    '+ doctl databases resize <id of samokoder-pg-sfo3> --num-nodes 2 --size db-s-2vcpu-4gb',
  ]);
  // What informs once the primary is gone: the newest heartbeat the replica replayed (the simulation's clock starts at 0).
  expect(r.stdout).toContain("the replica holds the primary's writes up to 1970-01-01T00:00:00Z (its last heartbeat,");
  expect(r.stdout).toContain('writes after that are lost (RPO target 300 s)');
  scenarios.add('failover dry run, primary region lost', 'failover.sh', observe(s, r.status), '0 changes made');
});

test('failover refuses while the primary answers (unless --force), and when the replica is not active', () => {
  const up = simulate(healthyWorld(f, apps));
  const r = up.run('failover.sh', ['--execute']);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('primary still answers: not failing over (use --force for a drill)');
  expect(up.mutations).toBe(0);
  const forking = lost();
  forking.databases[1].status = 'forking';
  const s = simulate(forking);
  const r2 = s.run('failover.sh', ['--execute']);
  expect(r2.status).toBe(1);
  expect(r2.stderr).toContain("replica samokoder-pg-sfo3 is 'forking', not active: it cannot be promoted");
  expect(s.mutations).toBe(0);
  scenarios.add('the primary still answers', 'failover.sh --execute', observe(up, r.status), '0 changes made');
  scenarios.add('the replica is not active (forking)', 'failover.sh --execute', observe(s, r2.status), '0 changes made');
});

describe("failback.sh after a failover and the region's return", () => {
  const failedOver = () => fixture.failedOver();
  const back = `${f.postgresCluster}-${f.primaryRegion}`;

  test('prepare: a replica of the current primary inside the primary VPC, trusted by the two clusters, watched for lag; again: nothing to do', () => {
    const s = failedOver();
    const r = s.run('failback.sh', ['--stage=prepare', '--execute']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const w = s.world;
    expect(w.databases.find((d) => d.name === back)).toMatchObject({
      role: 'replica',
      primaryId: 'rep-1',
      region: f.primaryRegion,
      firewall: [expect.objectContaining({ type: 'k8s', value: 'k8s-p' }), expect.objectContaining({ type: 'k8s', value: 'k8s-s' })],
    });
    expect(JSON.parse(w.entries[f.monitorEntry])).toEqual({
      DATA_SOURCE_NAME: `postgresql://doadmin:x@private-${back}.db:25060/defaultdb`,
    });
    expect(r.stdout).toContain('replication lag within the RPO target: yes');
    expect(s.run('failback.sh', ['--stage=prepare', '--execute']).status).toBe(0);
    expect(s.mutations).toBe(0);
    scenarios.add(
      'fail-back, prepare',
      'after a failover and the return: failback.sh --stage=prepare --execute; again',
      observe(s, r.status),
      '0 changes, exit 0',
    );
  });

  test('switch: refuses above the RPO target; otherwise one writer in the first region, both regions serving from it, the stale primary fenced', () => {
    const s = failedOver();
    expect(s.run('failback.sh', ['--stage=prepare', '--execute']).status).toBe(0);
    s.change((w) => (w.clusters[1].lag = '900'));
    const behind = s.run('failback.sh', ['--stage=switch', '--execute']);
    expect(behind.status).toBe(1);
    expect(behind.stderr).toContain("replication lag '900' s is unknown or above the RPO target (300 s): wait");
    expect(s.mutations).toBe(0);
    scenarios.add(
      'fail-back switch with the new replica 900 s behind',
      'failback.sh --stage=switch --execute',
      observe(s, behind.status),
      '0 changes made',
    );
    s.change((w) => (w.clusters[1].lag = '0.2'));
    const r = s.run('failback.sh', ['--stage=switch', '--execute']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const w = s.world;
    expect(s.writers()).toEqual([back]);
    for (const c of w.clusters) {
      expect(
        c.workloads
          .filter((o) => o.podEnv.DATABASE_HOST)
          .map((o) => `${o.metadata.name}=${o.spec.replicas}@${o.podEnv.DATABASE_HOST}:${o.podEnv.DATABASE_PORT}`),
      ).toEqual([`api=3@private-${back}.db:25060`, `bot=2@private-${back}.db:25060`, `${f.heartbeatWriter}=1@private-${back}.db:25060`]);
      expect(c.workloads.every((o) => o.metadata.annotations?.['samokoder.dev/replicas-before-failover'] === undefined)).toBe(true);
    }
    expect(w.databases.find((d) => d.name === back)!.nodes).toBe(2);
    expect(w.databases.find((d) => d.name === f.replicaName)!.firewall.map((x) => `${x.type}:${x.value}`)).toEqual(['ip_addr:192.0.2.1']);
    // The lag monitor was never stopped.
    const monitor = w.clusters[1].workloads.find((o) => o.metadata.name === f.lagMonitor)!;
    expect(monitor.spec.replicas).toBe(1);
    // The pair is whole again: a replica of the new primary in the other region, inside that region's VPC, trusted by
    // the secondary cluster only (what Terraform's replica firewall holds), and the lag monitor's pods watch it and
    // see the heartbeat replayed on it (before, the monitor watched the promoted cluster and no replica existed).
    const next = `${back}-${f.secondaryRegion}`;
    expect(w.databases.find((d) => d.name === next)).toMatchObject({
      role: 'replica',
      primaryId: w.databases.find((d) => d.name === back)!.id,
      region: f.secondaryRegion,
      vpc: 'vpc-2',
      status: 'active',
      firewall: [expect.objectContaining({ type: 'k8s', value: 'k8s-s' })],
    });
    expect(JSON.parse(w.entries[f.monitorEntry])).toEqual({
      DATA_SOURCE_NAME: `postgresql://doadmin:x@private-${next}.db:25060/defaultdb`,
    });
    expect(monitor.podEnv.DATA_SOURCE_NAME).toBe(`postgresql://doadmin:x@private-${next}.db:25060/defaultdb`);
    expect(r.stdout).toContain(`${next} replays the heartbeat within the RPO target: yes`);
    // Run again after it finished: every step finds its work done; no Secret re-synced, no pod restarted again.
    const again = s.run('failback.sh', ['--stage=switch', '--execute']);
    const redone = again.stdout.split('\n').filter((l) => l.startsWith('+ '));
    expect({ status: again.status, changes: s.mutations, redone }).toEqual({ status: 0, changes: 0, redone: [] });
    expect(s.writers()).toEqual([back]);
    scenarios.add(
      'fail-back, switch',
      'failback.sh --stage=switch --execute (lag 0.2 s); again',
      observe(s, r.status),
      `${s.mutations} changes, exit ${again.status}`,
    );
  });

  test('a replica that stopped replaying while the exporter reads lag 0 and its receiver streams: the switch refuses, nothing changes', () => {
    const s = failedOver();
    expect(s.run('failback.sh', ['--stage=prepare', '--execute']).status).toBe(0);
    // The exporter's own lag figure would read 0 here; the heartbeat the secondary writes into the current primary is
    // no longer replayed on the new replica.
    s.change((w) => {
      w.clusters[1].lag = '0';
      w.databases.find((d) => d.name === back)!.replaying = false;
    });
    const r = s.run('failback.sh', ['--stage=switch', '--execute']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("replication lag '3600' s is unknown or above the RPO target (300 s): wait");
    expect(s.mutations).toBe(0);
  });

  test('the writers stopped, the switch promotes only once a heartbeat written after that is replayed', () => {
    const s = failedOver();
    expect(s.run('failback.sh', ['--stage=prepare', '--execute']).status).toBe(0);
    // The heartbeat still arrives within the RPO when the gate reads it, then stops (the link breaks during the switch):
    // the drain wait must not pass on a lag figure alone.
    s.change((w) => (w.clusters[1].heartbeatStopsAfterReads = 1));
    const r = s.run('failback.sh', ['--stage=switch', '--execute']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${back} replayed a heartbeat written after the writers stopped: still 'no' after 30 checks`);
    expect(s.world.databases.find((d) => d.name === back)!.role).toBe('replica');
  });
});

describe('the simulated tools are strict (a script using a flag or column the tool lacks fails)', () => {
  test.each([
    [
      ['doctl', 'databases', 'replica', 'get', 'pg-1', 'samokoder-pg-sfo3', '--format', 'Name,Host'],
      'unknown column Host for "databases replica get"',
    ],
    [['doctl', 'databases', 'replica', 'promote', 'pg-1', 'x', '--wait'], 'unknown flag --wait for "databases replica promote"'],
    [['doctl', 'databases', 'replica', 'failover', 'pg-1'], 'unknown command: databases replica failover pg-1'],
    [['kubectl', 'rollout', 'undo', 'deployment/api'], 'unknown command: rollout undo deployment/api'],
    [['aws', 'secretsmanager', 'put-secret-value', '--secret-id', 'x', '--secret-string', '{"a":1}'], 'secret value on the command line'],
  ])('%j', (argv, message) => {
    const s = simulate(healthyWorld(f, apps));
    const bin = path.join(s.dir, 'bin', argv[0]);
    const r = spawnSync(bin, argv.slice(1), { encoding: 'utf8', env: s.env });
    expect(r.stderr).toContain(message);
    expect(r.status).toBe(64);
  });
});

// CI installs shellcheck (Debian package, see .ci/run) and must run this; elsewhere it is skipped when absent.
const shellcheck = spawnSync('shellcheck', ['--version']).status === 0 || process.env.CI ? test : test.skip;
shellcheck('shellcheck finds nothing in any generated script', () => {
  const scripts = plan.files.filter(([name]) => name.endsWith('.sh')).map(([name]) => path.join(dir, name));
  const r = spawnSync('shellcheck', ['--severity=style', ...scripts], { encoding: 'utf8' });
  expect(r.stdout).toBe('');
  expect(r.status).toBe(0);
});

test("docs/multi-region-dr.md's scenario table holds these runs (npm run docs:dr-scenarios writes it)", () => {
  const { onPage, recorded } = pageHoldsScenarios(scenarios);
  expect(recorded).toHaveLength(6);
  expect(onPage).toEqual(recorded);
});
