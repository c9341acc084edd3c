/**
 * The generated DR scripts, run: against recording stubs of doctl, kubectl, aws and curl that accept only the
 * commands, flags and columns the named tool versions have, in dry-run and execute modes; and through shellcheck
 * when it is installed (CI installs the Debian package).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { MultiRegionDR } from 'samokoder-infra';
import { TEST_DATE } from '../util/tf';
import { Call, CliStubs, World } from '../util/cli-stubs';

const dr = new MultiRegionDR(Testing.app(), 'samokoder-dr', {
  domain: 'samokoder.com',
  host: 'app.samokoder.com',
  alertEmails: ['oncall@samokoder.com'],
  tags: { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
  supportCheckDate: TEST_DATE,
});
const plan = dr.failoverPlan;
const entries = { nyc3: 'samokoder/production-dr/nyc3/connection', sfo3: 'samokoder/production-dr/sfo3/connection' };
const poolEntry = (valkey: string) =>
  JSON.stringify({
    DATABASE_URL: 'postgresql://samokoder_app:pw@private-samokoder-pg.db:25061/samokoder-pool?sslmode=require',
    DATABASE_HOST: 'private-samokoder-pg.db',
    DATABASE_PORT: '25061',
    DATABASE_NAME: 'samokoder',
    REDIS_URL: `rediss://default:pw@${valkey}:25061`,
  });

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'failover-'));
  plan.writeTo(dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function stubs(world: Partial<World> = {}): CliStubs {
  return new CliStubs(
    {
      primaryUp: false,
      databases: [{ id: 'pg-1', name: 'samokoder-pg', status: 'online', host: 'private-samokoder-pg.db' }],
      replicas: { 'pg-1/samokoder-pg-sfo3': { id: 'rep-1', status: 'active', host: 'private-samokoder-pg-sfo3.db' } },
      entries: { [entries.nyc3]: poolEntry('valkey-nyc3'), [entries.sfo3]: poolEntry('valkey-sfo3') },
      lag: '0.4',
      ...world,
    },
    {
      primaryHost: 'nyc3.app.samokoder.com',
      contexts: ['do-nyc3-samokoder-nyc3', 'do-sfo3-samokoder-sfo3'],
      vpcs: [
        { ID: 'vpc-1', Name: 'samokoder-nyc3-vpc' },
        { ID: 'vpc-2', Name: 'samokoder-sfo3-vpc' },
      ],
      connection: { 'do-nyc3-samokoder-nyc3': entries.nyc3, 'do-sfo3-samokoder-sfo3': entries.sfo3 },
    },
  );
}

/** The calls that change something, as `tool command first-arg`. */
const MUTATING = ['promote', 'create', 'append', 'put-secret-value', 'annotate', 'patch', 'scale', 'rollout restart', 'node-pool update'];
const changes = (calls: Call[]) =>
  calls
    .filter((c) => MUTATING.some((m) => c.command.endsWith(m)))
    .map(
      (c) =>
        `${c.tool} ${c.command}${c.tool === 'kubectl' ? ` ${c.args.find((a) => /^(rollout\.argoproj\.io|deployment)/.test(a)) ?? ''}`.trimEnd() : ''}`,
    );

describe('failover.sh against the stubs', () => {
  test('dry run: reads the world, changes nothing, and says what it would do in order', () => {
    const s = stubs();
    try {
      const r = s.run(path.join(dir, 'failover.sh'), []);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(changes(s.calls)).toEqual([]);
      const planned = r.stdout.split('\n').filter((l) => l.startsWith('+ '));
      expect(planned).toEqual([
        '+ doctl databases replica promote pg-1 samokoder-pg-sfo3',
        '+ point samokoder/production-dr/sfo3/connection at private-samokoder-pg-sfo3.db:25060',
        expect.stringMatching(
          /^\+ kubectl --context do-sfo3-samokoder-sfo3 --namespace samokoder annotate externalsecrets\.external-secrets\.io --all force-sync=\d+ --overwrite$/,
        ),
        expect.stringMatching(
          /^\+ kubectl --context do-sfo3-samokoder-sfo3 --namespace samokoder patch rollout\.argoproj\.io\/api --type merge --patch \{"spec":\{"restartAt":"[0-9TZ:-]+"\}\}$/,
        ),
        '+ kubectl --context do-sfo3-samokoder-sfo3 --namespace samokoder rollout restart deployment/bot',
        '+ doctl kubernetes cluster node-pool update samokoder-sfo3 samokoder-sfo3-default --auto-scale --min-nodes 3 --max-nodes 10',
      ]);
      expect(r.stdout).toContain('replication lag when the primary was lost: 0 s (RPO target 300 s)');
    } finally {
      s.dispose();
    }
  });

  test('execute: promotes, rewrites the connection entry, restarts what serves, scales, in that order', () => {
    const s = stubs();
    try {
      const r = s.run(path.join(dir, 'failover.sh'), ['--execute']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(changes(s.calls)).toEqual([
        'doctl databases replica promote',
        'aws secretsmanager put-secret-value',
        'kubectl annotate',
        'kubectl patch rollout.argoproj.io/api',
        'kubectl rollout restart deployment/bot',
        'doctl kubernetes cluster node-pool update',
      ]);
      // The promoted cluster has no pool: the apps connect directly, to the promoted host, on 25060.
      const entry = JSON.parse(s.world.entries[entries.sfo3]);
      expect(entry).toMatchObject({
        DATABASE_HOST: 'private-samokoder-pg-sfo3.db',
        DATABASE_PORT: '25060',
        DATABASE_URL: 'postgresql://samokoder_app:pw@private-samokoder-pg-sfo3.db:25060/samokoder?sslmode=require',
        REDIS_URL: 'rediss://default:pw@valkey-sfo3:25061',
      });
      // The primary's entry is left alone; no secret value ever appears on a command line.
      expect(s.world.entries[entries.nyc3]).toBe(poolEntry('valkey-nyc3'));
      expect(s.calls.every((c) => !c.args.join(' ').includes(':pw@'))).toBe(true);
      // It waited for the Rollout to be Healthy, and checked the Secret carries the new host.
      expect(s.calls.some((c) => c.command === 'get' && c.args.includes('rollout.argoproj.io/api'))).toBe(true);
      expect(s.calls.some((c) => c.command === 'get' && c.args.includes('secret'))).toBe(true);
    } finally {
      s.dispose();
    }
  });

  test('refuses while the primary answers (unless --force), and when the replica is not active', () => {
    const up = stubs({ primaryUp: true });
    try {
      const r = up.run(path.join(dir, 'failover.sh'), ['--execute']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('primary still answers: not failing over (use --force for a drill)');
      expect(changes(up.calls)).toEqual([]);
    } finally {
      up.dispose();
    }
    const forking = stubs({ replicas: { 'pg-1/samokoder-pg-sfo3': { id: 'rep-1', status: 'forking', host: 'h' } } });
    try {
      const r = forking.run(path.join(dir, 'failover.sh'), ['--execute']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("replica samokoder-pg-sfo3 is 'forking', not active: it cannot be promoted");
      expect(changes(forking.calls)).toEqual([]);
    } finally {
      forking.dispose();
    }
  });
});

describe('failback.sh against the stubs', () => {
  const promoted: Partial<World> = {
    databases: [{ id: 'rep-1', name: 'samokoder-pg-sfo3', status: 'online', host: 'private-samokoder-pg-sfo3.db' }],
    replicas: {},
  };

  test('prepare: a replica of the current primary inside the primary VPC, trusted by the two clusters, watched for lag', () => {
    const s = stubs(promoted);
    try {
      const r = s.run(path.join(dir, 'failback.sh'), ['--stage=prepare', '--execute']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(changes(s.calls)).toEqual([
        'doctl databases replica create',
        'doctl databases firewalls append',
        'doctl databases firewalls append',
        'aws secretsmanager put-secret-value',
        'kubectl annotate',
        'kubectl rollout restart deployment/replication-lag-monitor',
      ]);
      const create = s.calls.find((c) => c.command === 'databases replica create')!;
      expect(create.args).toEqual([
        ...['databases', 'replica', 'create', 'rep-1', 'samokoder-pg-nyc3'],
        ...['--region', 'nyc3', '--size', 'db-s-2vcpu-4gb', '--private-network-uuid', 'vpc-1'],
      ]);
      const rules = s.calls.filter((c) => c.command === 'databases firewalls append').map((c) => c.args.slice(-1)[0]);
      expect(rules).toEqual(['k8s:k8s-samokoder-nyc3', 'k8s:k8s-samokoder-sfo3']);
      expect(JSON.parse(s.world.entries['samokoder/production-dr/sfo3/replica-monitor'])).toEqual({
        DATA_SOURCE_NAME: 'postgresql://doadmin:x@private-samokoder-pg-nyc3.db:25060/defaultdb',
      });
      expect(r.stdout).toContain('replication lag within the RPO target: yes');
    } finally {
      s.dispose();
    }
  });

  test('switch: refuses above the RPO target; otherwise stops the writers, waits for the lag, promotes, repoints', () => {
    const ready: Partial<World> = {
      ...promoted,
      replicas: { 'rep-1/samokoder-pg-nyc3': { id: 'rep-2', status: 'active', host: 'private-samokoder-pg-nyc3.db' } },
    };
    const behind = stubs({ ...ready, lag: '900' });
    try {
      const r = behind.run(path.join(dir, 'failback.sh'), ['--stage=switch', '--execute']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("replication lag '900' s is unknown or above the RPO target (300 s): wait");
      expect(changes(behind.calls)).toEqual([]);
    } finally {
      behind.dispose();
    }
    const s = stubs(ready);
    try {
      const r = s.run(path.join(dir, 'failback.sh'), ['--stage=switch', '--execute']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(changes(s.calls)).toEqual([
        'kubectl patch rollout.argoproj.io/api',
        'kubectl scale deployment.apps/api',
        'kubectl scale deployment.apps/bot',
        'doctl databases replica promote',
        'aws secretsmanager put-secret-value',
        'kubectl annotate',
        'kubectl patch rollout.argoproj.io/api',
        'kubectl rollout restart deployment/bot',
      ]);
      const pause = s.calls.find((c) => c.command === 'patch')!;
      expect(pause.args).toContain('{"spec":{"paused":true,"replicas":0}}');
      expect(JSON.parse(s.world.entries[entries.nyc3]).DATABASE_HOST).toBe('private-samokoder-pg-nyc3.db');
    } finally {
      s.dispose();
    }
  });
});

describe('the stubs are strict (a script using a flag or column the tool lacks fails)', () => {
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
    const s = stubs();
    try {
      const r = s.run(path.join(s.dir, 'bin', argv[0]), argv.slice(1));
      expect(r.status).toBe(64);
      expect(r.stderr).toContain(message);
    } finally {
      s.dispose();
    }
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
