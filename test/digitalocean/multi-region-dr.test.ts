import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { STATEFUL_TYPES } from '../../lib/policy/terraform/kit';
import { App, Testing } from 'cdktf';
import { DoksKubernetesVersion, DoRegion, Duration, MultiRegionDR, MultiRegionDRProps, PlatformContract } from 'samokoder-infra';
import { only, resources, synth, synthesizedOnce, TEST_DATE } from '../util/tf';

const base: MultiRegionDRProps = {
  project: 'samokoder',
  localState: true,
  domain: 'samokoder.com',
  host: 'app.samokoder.com',
  alertEmails: ['oncall@samokoder.com'],
  tags: { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
  supportCheckDate: TEST_DATE,
  // Documentation addresses (RFC 5737) standing for the Argo CD hub's NAT addresses.
  apiAllowedCidrs: ['203.0.113.0/24'],
};

function dr(props: Partial<MultiRegionDRProps> = {}): MultiRegionDR {
  return new MultiRegionDR(Testing.app(), 'dr', { ...base, ...props });
}

const synthDefault = synthesizedOnce(() => dr());

describe('MultiRegionDR', () => {
  test('with localState, local state next to the project by a relative path (no checkout path in the output)', () => {
    const s = synthDefault();
    expect(s.terraform.backend).toEqual({ local: { path: '../../../terraform.dr.tfstate' } });
    // Without a project, the names come from the stack id: `billing-dr` → `billing`.
    const billing = synth(new MultiRegionDR(Testing.app(), 'billing-dr', { ...base, project: undefined }));
    expect(resources(billing, 'digitalocean_kubernetes_cluster').map((c) => c.name)).toEqual(['billing-nyc3', 'billing-sfo3']);
    expect(JSON.stringify(s)).not.toContain(process.cwd());
    const remote = synth(dr({ localState: undefined, remoteState: { bucket: 'team-state', region: 'eu-central-1' } }));
    expect(remote.terraform.backend).toMatchObject({ s3: { bucket: 'team-state', key: 'samokoder/production-dr/terraform.tfstate' } });
  });

  describe('regions', () => {
    test('nyc3 primary and sfo3 secondary by default, each with VPC, HA cluster, load balancer and bucket', () => {
      const s = synthDefault();
      expect(resources(s, 'digitalocean_vpc').map((v) => [v.region, v.ip_range])).toEqual([
        ['nyc3', '10.10.0.0/16'],
        ['sfo3', '10.20.0.0/16'],
      ]);
      const clusters = resources(s, 'digitalocean_kubernetes_cluster');
      expect(clusters.map((c) => c.region)).toEqual(['nyc3', 'sfo3']);
      for (const c of clusters) {
        expect(c).toMatchObject({ ha: true, auto_upgrade: true, surge_upgrade: true, registry_integration: true });
        expect(c.node_pool).toMatchObject({ auto_scale: true, min_nodes: 3, max_nodes: 10 });
        expect(c.version).toMatch(/^\$\{data\.digitalocean_kubernetes_versions\.KubernetesVersions\.latest_version\}$/);
      }
      expect(only(s, 'digitalocean_vpc_peering').vpc_ids).toHaveLength(2);
    });

    test('one DOKS version prefix for both clusters, from the dated table', () => {
      const s = synth(dr({ kubernetesVersion: DoksKubernetesVersion.V1_36 }));
      expect(Object.values(s.data!.digitalocean_kubernetes_versions)).toEqual([expect.objectContaining({ version_prefix: '1.36.' })]);
    });

    test('maintenance windows are staggered so both regions are never upgraded together', () => {
      const days = resources(synthDefault(), 'digitalocean_kubernetes_cluster').map((c) => c.maintenance_policy.day);
      expect(days).toEqual(['tuesday', 'thursday']);
    });

    test('regional load balancers: HTTPS with the certificate, HTTP redirected, health checks', () => {
      const lbs = resources(synthDefault(), 'digitalocean_loadbalancer').filter((l) => l.type === 'REGIONAL');
      expect(lbs).toHaveLength(2);
      for (const lb of lbs) {
        expect(lb.redirect_http_to_https).toBe(true);
        expect(lb.forwarding_rule[0]).toMatchObject({
          entry_protocol: 'https',
          entry_port: 443,
          certificate_name: expect.stringContaining('digitalocean_certificate.'),
        });
        expect(lb.healthcheck).toMatchObject({ protocol: 'http', path: '/healthz', check_interval_seconds: 5, unhealthy_threshold: 3 });
      }
    });

    test('Spaces buckets are private, versioned and protected', () => {
      for (const b of resources(synthDefault(), 'digitalocean_spaces_bucket')) {
        expect(b).toMatchObject({
          acl: 'private',
          force_destroy: false,
          versioning: { enabled: true },
          lifecycle: { prevent_destroy: true },
        });
      }
    });
  });

  describe('data', () => {
    test('every stateful resource of the pair is protected from deletion (a plan that would destroy it fails)', () => {
      const s = synthDefault();
      const stateful = STATEFUL_TYPES.digitalocean.flatMap((type) => resources(s, type).map((r) => [type, r] as const));
      expect(stateful.map(([type]) => type).sort()).toEqual(
        expect.arrayContaining([
          'digitalocean_container_registry',
          'digitalocean_database_cluster',
          'digitalocean_database_db',
          'digitalocean_database_replica',
          'digitalocean_database_user',
          'digitalocean_domain',
          'digitalocean_kubernetes_cluster',
          'digitalocean_spaces_bucket',
        ]),
      );
      for (const [type, r] of stateful) expect([type, r.lifecycle]).toEqual([type, { prevent_destroy: true }]);
    });

    test('PostgreSQL: primary + standby on the private network with a maintenance window, a replica in the secondary, a pool', () => {
      const s = synthDefault();
      const pg = resources(s, 'digitalocean_database_cluster').find((c) => c.engine === 'pg')!;
      expect(pg).toMatchObject({ region: 'nyc3', node_count: 2, version: '17', maintenance_window: [{ day: 'sunday', hour: '02:00:00' }] });
      expect(pg.private_network_uuid).toMatch(/digitalocean_vpc\.Nyc3_Vpc/);
      expect(only(s, 'digitalocean_database_replica')).toMatchObject({ region: 'sfo3', size: 'db-s-2vcpu-4gb', name: 'samokoder-pg-sfo3' });
      expect(only(s, 'digitalocean_database_connection_pool')).toMatchObject({ mode: 'transaction', size: 20, db_name: 'samokoder' });
    });

    test("a team's pair names its database, user and pool after its project, not the library's", () => {
      const s = synth(new MultiRegionDR(Testing.app(), 'billing-dr', { ...base, project: undefined }));
      expect(only(s, 'digitalocean_database_db').name).toBe('billing');
      expect(only(s, 'digitalocean_database_user').name).toBe('billing_app');
      expect(only(s, 'digitalocean_database_connection_pool')).toMatchObject({ name: 'billing-pool', db_name: 'billing' });
      // The base props' domain and tags are Samokoder's; no name the stack makes is.
      expect(JSON.stringify(s)).not.toMatch(/"(name|db_name)":"samokoder[-_"]/);
    });

    test('after a failover the program can name its cluster after the promoted replica (DigitalOcean cannot rename one)', () => {
      expect(resources(synthDefault(), 'digitalocean_database_cluster').find((c) => c.engine === 'pg')!.name).toBe('samokoder-pg');
      const after = dr({
        primary: { region: DoRegion.SFO3 },
        secondary: { region: DoRegion.NYC3 },
        postgres: { clusterName: 'samokoder-pg-sfo3' },
      });
      const s = synth(after);
      expect(resources(s, 'digitalocean_database_cluster').find((c) => c.engine === 'pg')!.name).toBe('samokoder-pg-sfo3');
      expect(only(s, 'digitalocean_database_replica').name).toBe('samokoder-pg-nyc3');
      expect(after.failoverPlan.checkApplyScript).toContain('select(.name == "samokoder-pg-sfo3") | .id');
      expect(() => dr({ postgres: { clusterName: 'Samokoder_PG' } })).toThrow(`'postgres.clusterName' ("Samokoder_PG")`);
    });

    test('after a fail-back the program names the new primary and the replica failback.sh created, and both names fit', () => {
      const after = dr({ postgres: { clusterName: 'samokoder-pg-nyc3', replicaName: 'samokoder-pg-nyc3-sfo3' } });
      const s = synth(after);
      expect(resources(s, 'digitalocean_database_cluster').find((c) => c.engine === 'pg')!.name).toBe('samokoder-pg-nyc3');
      expect(only(s, 'digitalocean_database_replica').name).toBe('samokoder-pg-nyc3-sfo3');
      // The runbook tells the on-call exactly these two names (and the next fail-back's).
      expect(after.failoverPlan.runbook).toContain(
        "`postgres: { clusterName: 'samokoder-pg-nyc3-nyc3', replicaName: 'samokoder-pg-nyc3-nyc3-sfo3' }`",
      );
      expect(dr().failoverPlan.runbook).toContain(
        "`postgres: { clusterName: 'samokoder-pg-nyc3', replicaName: 'samokoder-pg-nyc3-sfo3' }`",
      );
      expect(() => dr({ postgres: { replicaName: 'Pg_Replica' } })).toThrow(
        `[dr/Data] 'postgres.replicaName' ("Pg_Replica") must be a DNS label`,
      );
      expect(() => dr({ postgres: { clusterName: 'pg', replicaName: 'pg' } })).toThrow(
        `[dr/Data] 'postgres.replicaName' ("pg") names the cluster itself: DigitalOcean database names are unique; choose another`,
      );
      const long = 'a'.repeat(55);
      expect(() => dr({ postgres: { clusterName: long } })).toThrow(
        `[dr/Data] 'postgres.clusterName' ("${long}") leaves no room for the names failback.sh derives from it ("${long}-nyc3-sfo3" has 65 characters, DigitalOcean allows 63): use at most 53 characters`,
      );
    });

    test("the connection entries are the scripts' once written: an apply never puts the lost primary back", () => {
      const values = synthDefault().resource.aws_secretsmanager_secret_version as Record<string, { lifecycle?: object }>;
      expect(Object.entries(values).map(([id, v]) => [id.replace(/_[0-9A-F]{8}$/, ''), v.lifecycle])).toEqual([
        ['Secrets_ConnectionValue-nyc3', { ignore_changes: ['secret_string'] }],
        ['Secrets_ConnectionValue-sfo3', { ignore_changes: ['secret_string'] }],
        // Terraform's own: the files sync's key (no script rewrites it).
        ['Secrets_FilesSyncValue', undefined],
        ['Secrets_ReplicaMonitorValue', { ignore_changes: ['secret_string'] }],
      ]);
    });

    test('database firewalls admit only the clusters', () => {
      const fws = resources(synthDefault(), 'digitalocean_database_firewall');
      for (const fw of fws) for (const r of fw.rule) expect(r.type).toBe('k8s');
      const pgFw = fws.find((f) => String(f.cluster_id).includes('Data_Postgres'))!;
      expect(pgFw.rule).toHaveLength(2);
      // The read-only replica has trusted sources of its own: the secondary cluster only, so once promoted it is
      // never open.
      const replicaFw = fws.find((f) => String(f.cluster_id).includes('digitalocean_database_replica.'))!;
      expect(replicaFw.cluster_id).toMatch(/^\$\{digitalocean_database_replica\.Data_Replica_[A-Z0-9]+\.uuid\}$/);
      expect(replicaFw.rule).toEqual([{ type: 'k8s', value: expect.stringMatching(/digitalocean_kubernetes_cluster\.Sfo3_Cluster/) }]);
    });

    test('Valkey in each region; the registry in the secondary region (it survives a primary outage)', () => {
      const s = synthDefault();
      const valkey = resources(s, 'digitalocean_database_cluster').filter((c) => c.engine === 'valkey');
      expect(valkey.map((v) => v.region)).toEqual(['nyc3', 'sfo3']);
      expect(only(s, 'digitalocean_container_registry')).toMatchObject({ region: 'sfo3', subscription_tier_slug: 'professional' });
    });
  });

  describe('global entry', () => {
    test('a GLOBAL load balancer in front of both regions, primary first, with a failover threshold', () => {
      const glb = resources(synthDefault(), 'digitalocean_loadbalancer').find((l) => l.type === 'GLOBAL')!;
      expect(glb.glb_settings).toMatchObject({
        region_priorities: { nyc3: 1, sfo3: 2 },
        failover_threshold: 50,
        target_protocol: 'https',
        target_port: 443,
      });
      expect(glb.target_load_balancer_ids).toEqual([
        expect.stringMatching(/Nyc3_LoadBalancer/),
        expect.stringMatching(/Sfo3_LoadBalancer/),
      ]);
      expect(glb.domains).toEqual([
        { name: 'app.samokoder.com', is_managed: true, certificate_name: expect.stringContaining('digitalocean_certificate.') },
      ]);
    });

    test("domain, Let's Encrypt certificate, per-region records, uptime checks and alerts per region", () => {
      const s = synthDefault();
      expect(only(s, 'digitalocean_certificate')).toMatchObject({
        type: 'lets_encrypt',
        domains: ['app.samokoder.com', 'nyc3.app.samokoder.com', 'sfo3.app.samokoder.com'],
      });
      expect(resources(s, 'digitalocean_record').map((r) => [r.name, r.type, r.ttl])).toEqual([
        ['nyc3.app', 'A', 60],
        ['sfo3.app', 'A', 60],
      ]);
      expect(resources(s, 'digitalocean_uptime_check').map((c) => c.target)).toEqual([
        'https://app.samokoder.com/health',
        'https://nyc3.app.samokoder.com/health',
        'https://sfo3.app.samokoder.com/health',
      ]);
      expect(resources(s, 'digitalocean_uptime_alert').every((a) => a.type === 'down' && a.period === '2m')).toBe(true);
    });
  });

  describe('cost', () => {
    test('cost-allocation tags on every taggable resource and a project grouping them', () => {
      const s = synthDefault();
      expect(resources(s, 'digitalocean_tag').map((t) => t.name)).toEqual([
        'environment:production',
        'service:samokoder',
        'team:platform',
        'cost-center:cc-1042',
        'managed-by:samokoder-infra',
      ]);
      for (const type of ['digitalocean_kubernetes_cluster', 'digitalocean_database_cluster', 'digitalocean_database_replica']) {
        for (const r of resources(s, type)) expect(r.tags).toHaveLength(5);
      }
      expect(only(s, 'digitalocean_project').resources).toHaveLength(11);
      // Characters DigitalOcean tags do not take (a dot, a space) are refused, not rewritten: a rewritten value would
      // no longer join with AWS's in a cost report (messages pinned in test/common/across-clouds.test.ts).
      expect(() => dr({ tags: { environment: 'production', service: 'billing.api', team: 't', costCenter: 'CC-1' } })).toThrow(
        `'tags.service' ("billing.api") cannot be written as a DigitalOcean tag as given`,
      );
    });
  });

  describe('RTO and RPO as code', () => {
    test('the model adds up the steps and stays under the targets by default', () => {
      const stack = dr();
      expect(stack.recovery.steps.map((x) => [x.step, x.seconds, x.source, x.scriptLimitSeconds])).toEqual([
        ['detect', 180, 'configuration', undefined],
        ['decide', 120, 'estimate', undefined],
        ['promote replica', 300, 'estimate', 600],
        ['confirm outage', 45, 'configuration', undefined],
        ['refresh secrets', 60, 'estimate', 300],
        ['restart apps', 180, 'estimate', 600],
        ['scale secondary', 0, 'configuration', undefined],
      ]);
      // Honest figures: 11 of the 14.75 minutes are the library's guesses, and the script's polls allow 30.75.
      expect(stack.recovery.estimatedSeconds).toBe(660);
      expect(stack.recovery.scriptLimitRtoSeconds).toBe(1845);
      expect(stack.failoverPlan.failoverScript).toContain('wait_for "samokoder-pg-sfo3" online 60 database_field');
      // Every step failover.sh takes: its own outage checks, the promotion, the secret refresh and the restart.
      expect(stack.recovery.expectedRtoSeconds).toBe(885);
      expect(stack.recovery.filesRpoSeconds).toBe(3600);
      expect(stack.recovery.filesRpoStatement).toContain('Spaces does not replicate across regions');
      expect(stack.recovery.trafficFailoverSeconds).toBe(45);
      expect(stack.recovery.rpoStatement).toContain('Asynchronous replication');
      const out = synth(stack).output!;
      expect(out.expected_rto_seconds.value).toBe(885);
    });

    test('no `cmd | grep -q` after kubectl, doctl or aws under pipefail: grep -q exits at the first match and the writer gets SIGPIPE', () => {
      // With the real kubectl (v1.35.8, two contexts) `kubectl config get-contexts --output name | grep -qx <first>`
      // failed 4 times in 40 under `set -o pipefail`: a false "no kubectl context" warning (npm run verify:dr saw it).
      const plan = dr().failoverPlan;
      const racy = [plan.failoverScript, plan.failbackScript]
        .flatMap((s) => s.split('\n'))
        .filter((l) => /\b(kubectl|doctl|aws)\b[^|]*\|\s*grep -[a-z]*q/.test(l));
      expect(racy).toEqual([]);
    });

    test('detection pages the on-call: the secondary probes the primary and PrimaryRegionDown goes to PagerDuty, not only e-mail', () => {
      const stack = dr();
      expect(stack.recovery.steps[0].basis).toBe(
        "uptime check interval + alert period (e-mail); the secondary's PrimaryProbe pages within 30 s + 2 min + 30 s (probe interval, alert for, Alertmanager group wait)",
      );
      const summary = stack.failoverPlan.summary;
      expect(summary).toContain(
        "Detection pages the on-call: the secondary cluster's `primary-probe` (`PrimaryProbe`, from its contract) requests https://nyc3.app.samokoder.com/health every 30 s",
      );
      expect(summary).not.toContain('nobody is paged');
      expect(stack.failoverPlan.drillChecklist).toContain('- [ ] `PrimaryRegionDown` pages the on-call');
      expect(stack.contract('secondary').primaryProbe).toEqual({ region: 'nyc3', host: 'nyc3.app.samokoder.com', path: '/health' });
      expect(stack.contract('primary').primaryProbe).toBeUndefined();
    });

    test("timings from a drill are marked as such, and only the library's guesses count as estimates", () => {
      const stack = dr({ recoveryEstimates: { replicaPromotion: Duration.minutes(4), restart: Duration.minutes(2) } });
      expect(stack.recovery.steps.filter((x) => x.source !== 'configuration').map((x) => [x.step, x.source])).toEqual([
        ['decide', 'estimate'],
        ['promote replica', 'drill'],
        ['refresh secrets', 'estimate'],
        ['restart apps', 'drill'],
      ]);
      expect(stack.recovery.estimatedSeconds).toBe(180);
      expect(stack.failoverPlan.summary).toContain('| promote replica | 4 min | your drill (recoveryEstimates) | 10 min |');
      expect(stack.failoverPlan.summary).toContain("3 min of the expected RTO are the library's estimates, not measurements");
    });

    test('a cold secondary pool cannot meet a 15-minute RTO', () => {
      expect(() => dr({ secondary: { nodePool: { minNodes: 1, maxNodes: 10 } } })).toThrow(
        `[dr] 'rtoTarget' (15m) cannot be met: the configuration recovers in about 19m45s (detect 3m + decide 2m + promote replica 5m + confirm outage 45s + refresh secrets 1m + restart apps 3m + scale secondary 5m).`,
      );
    });

    test('health checks that are too slow break the RTO', () => {
      expect(() => dr({ healthCheck: { intervalSeconds: 300, unhealthyThreshold: 2 } })).toThrow(
        `[dr] 'rtoTarget' (15m) cannot be met: the configuration recovers in about 21m45s (detect 10m`,
      );
    });

    test('no replica cannot meet a 5-minute RPO', () => {
      expect(() => dr({ postgres: { replica: false }, rtoTarget: Duration.hours(1) })).toThrow(
        `[dr] 'rpoTarget' (5m) cannot be met: No replica: recovery restores the newest daily backup in another region, so up to 24 hours of writes are lost. Enable postgres.replica.`,
      );
    });
  });

  describe('failover plan', () => {
    test('generated from the same configuration: names match the resources', () => {
      const stack = dr();
      const plan = stack.failoverPlan;
      const replica = Object.keys(synth(stack).resource.digitalocean_database_replica)[0];
      expect(plan.runbook).toContain(`terraform state rm 'digitalocean_database_replica.${replica}'`);
      expect(plan.runbook).toContain('expected **14.8 min**');
      expect(plan.failoverScript).toContain('doctl databases replica promote "$PG_ID" samokoder-pg-sfo3');
      expect(plan.failoverScript).toContain(
        'doctl kubernetes cluster node-pool update samokoder-sfo3 samokoder-sfo3-default --auto-scale --min-nodes "$want" --max-nodes 10',
      );
      expect(plan.failoverScript).toContain('curl -fsS --max-time 5 "https://nyc3.app.samokoder.com/health"');
      // The replicas the fail-back creates, each in its region's VPC (the names Terraform gave the VPCs).
      const vpcs = Object.values(synth(stack).resource.digitalocean_vpc as Record<string, { name: string }>).map((v) => v.name);
      expect(vpcs).toEqual(expect.arrayContaining(['samokoder-nyc3-vpc', 'samokoder-sfo3-vpc']));
      expect(plan.failbackScript).toContain('\n  replicate "$CURRENT_ID" samokoder-pg-nyc3 nyc3 samokoder-nyc3-vpc\n');
      expect(plan.failbackScript).toContain(
        '\nreplicate "${BACK_ID:-<id of samokoder-pg-nyc3>}" samokoder-pg-nyc3-sfo3 sfo3 samokoder-sfo3-vpc\n',
      );
      expect(plan.failbackScript).toContain(
        'run doctl databases replica create "$1" "$2" --region "$3" --size db-s-2vcpu-4gb --private-network-uuid "$vpc_id"',
      );
      expect(plan.syncFilesScript).toContain('endpoint=nyc3.digitaloceanspaces.com:samokoder-nyc3-files');
      expect(plan.mirrorImagesScript).toContain('registry.digitalocean.com/samokoder');
      expect(plan.drillChecklist).toContain('- [ ] Reconcile Terraform state');
      for (const text of [plan.runbook, plan.failoverScript, plan.failbackScript, plan.mirrorImagesScript, plan.drillChecklist]) {
        expect(text).not.toMatch(/\$\{TfToken|\$\{Token/);
      }
    });

    test('a plain synth writes the plan next to the stack, with relative paths only', () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-synth-'));
      try {
        const app = new App({ outdir });
        new MultiRegionDR(app, 'billing-dr', { ...base, project: undefined });
        app.synth();
        const dir = path.join(outdir, 'stacks', 'billing-dr', 'failover');
        expect(fs.readdirSync(dir).sort()).toEqual([
          'check-apply.sh',
          'drill-checklist.md',
          'failback.sh',
          'failover.sh',
          'mirror-images.sh',
          'runbook.md',
          'sync-files.sh',
        ]);
        expect(fs.statSync(path.join(dir, 'failover.sh')).mode & 0o111).not.toBe(0);
        expect(fs.readFileSync(path.join(dir, 'runbook.md'), 'utf8')).toContain('`billing-nyc3`');
        expect(fs.readFileSync(path.join(dir, 'runbook.md'), 'utf8')).not.toContain(outdir);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    });

    test("a plain synth writes each cluster's contract next to the stack, read back as contract(role)", () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-synth-'));
      try {
        const app = new App({ outdir });
        const stack = new MultiRegionDR(app, 'billing-dr', { ...base, project: undefined });
        app.synth();
        const dir = path.join(outdir, 'stacks', 'billing-dr');
        for (const role of ['primary', 'secondary'] as const) {
          const loaded = PlatformContract.fromFile(path.join(dir, `platform-contract.${role}.json`));
          expect(loaded).toEqual(stack.contract(role));
        }
        expect(PlatformContract.fromFile(path.join(dir, 'platform-contract.secondary.json')).replicaMonitor?.rpoSeconds).toBe(300);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    });

    test('nothing is written when a file would carry a credential, and the message names file and line only', () => {
      const plan = dr().failoverPlan;
      const leaky = Object.create(plan, { runbook: { get: () => '# runbook\ntoken: xoxb-123456-abcdef-secretvalue\n' } });
      const dir = path.join(os.tmpdir(), `dr-leak-${process.pid}`);
      expect(() => leaky.writeTo(dir)).toThrow('[dr] the failover plan would write something shaped like a credential at runbook.md:2');
      expect(() => leaky.writeTo(dir)).not.toThrow('xoxb');
      expect(fs.existsSync(dir)).toBe(false);
    });

    test('written as files, scripts executable and valid bash', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dr-'));
      try {
        const files = dr().failoverPlan.writeTo(dir);
        expect(files.map((f) => path.basename(f))).toEqual([
          'runbook.md',
          'drill-checklist.md',
          'failover.sh',
          'failback.sh',
          'check-apply.sh',
          'mirror-images.sh',
          'sync-files.sh',
        ]);
        for (const f of files.filter((x) => x.endsWith('.sh'))) {
          expect(fs.statSync(f).mode & 0o111).not.toBe(0);
          const { spawnSync } = jest.requireActual<typeof import('child_process')>('child_process');
          expect(spawnSync('bash', ['-n', f]).status).toBe(0);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('contract: what each cluster of the pair gets, from the stack', () => {
    test('secret entries in AWS Secrets Manager under the DR prefix, DigitalOcean ports and networks, the entry', () => {
      const d = dr({ additionalHosts: ['bot.app.samokoder.com'] });
      const c = d.contract('secondary');
      expect(c).toMatchObject({
        cloud: 'digitalocean',
        environment: 'production',
        region: 'us-east-2',
        clusterName: 'samokoder-sfo3',
        kubernetesVersion: '1.35',
        namespace: 'samokoder',
        serviceAccounts: [],
        podIdentities: [],
        connectionSecretName: 'samokoder/production-dr/sfo3/connection',
        secretPrefix: 'samokoder/production-dr/',
      });
      expect(c.secretEntries).toEqual([
        'samokoder/production-dr/nyc3/connection',
        'samokoder/production-dr/sfo3/connection',
        'samokoder/production-dr/sfo3/replica-monitor',
        'samokoder/production-dr/sfo3/files-sync',
        'samokoder/production-dr/app',
        'samokoder/production-dr/alerting',
      ]);
      expect(c.dataTier).toEqual([
        { name: 'postgres-pool', cidrs: ['10.10.0.0/16'], port: 25061 },
        { name: 'postgres', cidrs: ['10.10.0.0/16', '10.20.0.0/16'], port: 25060 },
        { name: 'valkey', cidrs: ['10.20.0.0/16'], port: 25061 },
      ]);
      expect(c.entry).toEqual({
        hosts: ['app.samokoder.com', 'bot.app.samokoder.com', 'sfo3.app.samokoder.com'],
        regionalHost: 'sfo3.app.samokoder.com',
        tlsTermination: 'loadBalancer',
        nodePort: 30080,
        listenerPort: 80,
        healthPath: '/healthz',
        publicHealthPath: '/health',
      });
      expect(d.contract('primary').entry!.regionalHost).toBe('nyc3.app.samokoder.com');
      const s = synth(d);
      const glb = resources(s, 'digitalocean_loadbalancer').find((lb) => lb.type === 'GLOBAL')!;
      expect(glb.domains.map((x: { name: string }) => x.name)).toEqual(['app.samokoder.com', 'bot.app.samokoder.com']);
      expect(resources(s, 'digitalocean_certificate')[0].domains).toContain('bot.app.samokoder.com');
      expect(s.provider!.aws).toEqual([expect.objectContaining({ region: 'us-east-2' })]);
      expect(resources(s, 'aws_secretsmanager_secret').every((x) => x.kms_key_id !== undefined)).toBe(true);
    });
  });

  describe('Kubernetes API access: a choice, never open by default', () => {
    const NO_CHOICE =
      "[dr] 'apiAllowedCidrs' (undefined) must list the IPv4 addresses allowed to reach the clusters' Kubernetes API " +
      "(DigitalOcean's control-plane firewall): the Argo CD hub's egress (NAT) addresses, which register the clusters with a bearer token, " +
      "and the operators'. Where the account has no control-plane firewall (DigitalOcean: early availability, invite only), " +
      "set 'publicKubernetesApi: { reason }' instead to accept an API reachable from the whole internet";

    test('neither an allow list nor an acknowledgement is refused', () => {
      expect(() => dr({ apiAllowedCidrs: undefined })).toThrow(NO_CHOICE);
      expect(() => dr({ apiAllowedCidrs: [] })).toThrow(NO_CHOICE.replace('(undefined)', '([])'));
    });

    test('the allow list becomes the control-plane firewall of both clusters', () => {
      const clusters = resources(synthDefault(), 'digitalocean_kubernetes_cluster');
      expect(clusters.map((c) => c.control_plane_firewall)).toEqual([
        { enabled: true, allowed_addresses: ['203.0.113.0/24'] },
        { enabled: true, allowed_addresses: ['203.0.113.0/24'] },
      ]);
      expect(dr().failoverPlan.runbook).toContain(
        "- Kubernetes API: DigitalOcean's control-plane firewall admits only 203.0.113.0/24 (the Argo CD hub's egress addresses and the operators'); run the scripts from there.",
      );
    });

    test('an explicit acknowledgement leaves the API public and is written down as an accepted risk', () => {
      const reason = 'our DigitalOcean team has no control-plane firewall yet (ticket OPS-142)';
      const stack = dr({ apiAllowedCidrs: undefined, publicKubernetesApi: { reason } });
      const clusters = resources(synth(stack), 'digitalocean_kubernetes_cluster');
      expect(clusters.map((c) => c.control_plane_firewall)).toEqual([undefined, undefined]);
      const risk = `**Accepted risk**: both clusters' Kubernetes API is reachable from the whole internet (\`publicKubernetesApi\`): ${reason}.`;
      expect(stack.failoverPlan.runbook).toContain(`- ${risk}`);
      expect(stack.failoverPlan.drillChecklist).toContain(
        `- [ ] ${risk} Check whether the account has the control-plane firewall now; if so, set \`apiAllowedCidrs\`.`,
      );
    });

    test.each<[Partial<MultiRegionDRProps>, string]>([
      [
        { publicKubernetesApi: { reason: 'no firewall on this account' } },
        "[dr] 'apiAllowedCidrs' and 'publicKubernetesApi' are both set: the API is either limited to the list or public, not both",
      ],
      [
        { apiAllowedCidrs: undefined, publicKubernetesApi: { reason: ' ' } },
        `[dr] 'publicKubernetesApi.reason' (" ") must say in one line (10 to 300 characters) why the Kubernetes API may stay public: it is written into the runbook and the drill checklist as an accepted risk`,
      ],
      [
        { apiAllowedCidrs: undefined, publicKubernetesApi: { reason: 'no firewall\nyet, see ticket' } },
        `[dr] 'publicKubernetesApi.reason' ("no firewall\nyet, see ticket") must say in one line (10 to 300 characters)`,
      ],
      [
        { apiAllowedCidrs: undefined, publicKubernetesApi: {} as never },
        `[dr] 'publicKubernetesApi.reason' (undefined) must say in one line (10 to 300 characters)`,
      ],
    ])('%j is refused', (props, message) => {
      expect(() => dr(props)).toThrow(message);
    });
  });

  describe('bad input', () => {
    test.each<[Partial<MultiRegionDRProps>, string]>([
      [
        { primary: { region: DoRegion.NYC2 } },
        `[dr] 'primary.region' ("nyc2") cannot host Kubernetes (DOKS): DigitalOcean does not offer it in nyc2 (capability table of 2026-11-21); use nyc3 or nyc1`,
      ],
      [
        { secondary: { region: DoRegion.AMS2 } },
        `[dr] 'secondary.region' ("ams2") cannot host Kubernetes (DOKS): DigitalOcean does not offer it in ams2 (capability table of 2026-11-21); use ams3`,
      ],
      [
        { secondary: { region: DoRegion.NYC3 } },
        `[dr] 'primary.region' and 'secondary.region' are both "nyc3": a disaster-recovery pair needs two regions`,
      ],
      [
        { secondary: { region: DoRegion.NYC1 } },
        `[dr] 'secondary.region' ("nyc1") cannot host Spaces object storage: DigitalOcean does not offer it in nyc1 (capability table of 2026-11-21); use nyc3`,
      ],
      [
        { secondary: { vpcCidr: '10.10.128.0/17' } },
        `[dr] 'primary.vpcCidr' (10.10.0.0/16) and 'secondary.vpcCidr' (10.10.128.0/17) overlap: peered VPCs need disjoint ranges`,
      ],
      [
        { primary: { vpcCidr: '10.0.0.0/12' } },
        `[dr] 'primary.vpcCidr' ("10.0.0.0/12") must be an RFC 1918 range from /16 to /24 (DigitalOcean VPC limits)`,
      ],
      [
        { primary: { nodePool: { minNodes: 6, maxNodes: 4 } } },
        `[dr] 'primary.nodePool.minNodes' (6) must not exceed 'nodePool.maxNodes' (4)`,
      ],
      [
        { secondary: { nodePool: { minNodes: 2, maxNodes: 2 } } },
        `[dr] 'secondary.nodePool.maxNodes' (2) cannot take the primary's load: it must reach at least the primary's minimum of 3 nodes`,
      ],
      [
        { secondary: { nodePool: { size: 's-2vcpu-4gb' } } },
        `[dr] 'secondary.nodePool.size' ("s-2vcpu-4gb") is smaller than the primary's nodes (s-4vcpu-8gb): the secondary cannot take the load`,
      ],
      [
        { postgres: { size: 'db-s-4vcpu-8gb', replicaSize: 'db-s-2vcpu-4gb' } },
        `[dr/Data] 'postgres.replicaSize' ("db-s-2vcpu-4gb") is smaller than the primary (db-s-4vcpu-8gb): once promoted it must carry the primary's load; use db-s-4vcpu-8gb or larger`,
      ],
      [
        { secondary: { maintenanceDay: 'tuesday' } },
        `[dr] 'primary.maintenanceDay' and 'secondary.maintenanceDay' are both "tuesday": both regions would be upgraded together`,
      ],
      [
        { kubernetesVersion: DoksKubernetesVersion.V1_33 },
        `[dr] 'kubernetesVersion' ("1.33") reached end of life on 2026-06-28: DOKS minors supported on 2026-11-21: 1.35, 1.36`,
      ],
      [{ host: 'app.example.org' }, `[dr/Tls] 'hosts[0]' ("app.example.org") must be inside the domain "samokoder.com"`],
      [{ additionalHosts: ['bot.example.org'] }, `[dr] 'additionalHosts[0]' ("bot.example.org") must be inside the domain "samokoder.com"`],
      [
        { additionalHosts: ['app.samokoder.com'] },
        `[dr] 'additionalHosts[0]' ("app.samokoder.com") is listed twice (with host or another additional host)`,
      ],
      [
        { secretEntries: ['/app'] },
        `[dr] 'secretEntries[0]' ("/app") must be an entry name under the prefix: letters, digits and / _ + = . @ -, without empty, "." or ".." segments`,
      ],
      [
        { alertEmails: [] },
        `[dr/Entry] 'alertEmails' ([]) must name at least one address: a region outage nobody hears of is not detected`,
      ],
      [{ rtoTarget: Duration.minutes(10) }, `[dr] 'rtoTarget' (10m) cannot be met: the configuration recovers in about 14m45s`],
      [{ filesSyncInterval: Duration.seconds(0) }, `[dr] 'filesSyncInterval' ("0s") must be a positive duration`],
      [
        { tags: { environment: 'production', service: 's'.repeat(250), team: 'platform', costCenter: 'CC-1' } },
        `[dr] 'tags.service' ("${'s'.repeat(250)}") is too long for a DigitalOcean tag (key:value at most 255 characters)`,
      ],
      [{ rpoTarget: Duration.seconds(30) }, `[dr] 'rpoTarget' (30s) cannot be met: Asynchronous replication`],
      [
        { recoveryEstimates: { replicaPromotion: Duration.minutes(-5) } },
        `[dr] 'recoveryEstimates.replicaPromotion' ("-5m") must be a positive duration`,
      ],
      [{ recoveryEstimates: { decision: Duration.seconds(0) } }, `[dr] 'recoveryEstimates.decision' ("0s") must be a positive duration`],
      [
        { recoveryEstimates: { uptimeCheckIntervalSeconds: -60 } },
        `[dr] 'recoveryEstimates.uptimeCheckIntervalSeconds' (-60) must be a whole number of seconds from 30 to 3600`,
      ],
      [
        { apiAllowedCidrs: ['0.0.0.0/1', '128.0.0.0/1'] },
        `'apiAllowedCidrs[0]' ("0.0.0.0/1") opens the Kubernetes API to the whole internet (0.0.0.0/1 is wider than a /8`,
      ],
      [
        { fallbackRegistry: 'https://ci:ghp_abcdefghijklmnopqrstuvwxyz0123@ghcr.io/team' },
        `[dr] 'fallbackRegistry' ("<redacted>") must be a registry path such as "ghcr.io/team" without credentials`,
      ],
      [
        { recoveryEstimates: { promotion: Duration.seconds(-100) } as never },
        `[dr] 'recoveryEstimates.promotion' ({"totalSeconds":-100}) is not a prop of recovery estimates (it takes uptimeCheckIntervalSeconds, decision, replicaPromotion`,
      ],
      [
        { recoveryEstimates: { replicaPromotion: 300 as never } },
        `[dr] 'recoveryEstimates.replicaPromotion' (300) must be a Duration (Duration.minutes(5)), not a number or string`,
      ],
      [
        { namespace: 'kube-system' },
        `[dr] 'namespace' ("kube-system") is reserved for Kubernetes or the platform layer (default, kube-system, kube-public`,
      ],
      [
        { secretEntries: ['../etc'] },
        `[dr] 'secretEntries[0]' ("../etc") must be an entry name under the prefix: letters, digits and / _ + = . @ -, without empty, "." or ".." segments`,
      ],
      [{ secretEntries: ['app', 'app'] }, `[dr] 'secretEntries[1]' ("app") is listed twice`],
      [
        { secretEntries: ['sfo3/connection'] },
        `[dr] 'secretEntries[0]' ("sfo3/connection") is the name of an entry the construct creates itself (nyc3/connection, sfo3/connection, sfo3/replica-monitor, sfo3/files-sync)`,
      ],
      [
        { filesSyncInterval: Duration.seconds(30) },
        `[dr] 'filesSyncInterval' ("30s") must be whole minutes, at least 1: the sync runs on a schedule (cron), which counts in minutes`,
      ],
    ])('%j is refused', (props, message) => {
      expect(() => dr(props)).toThrow(message);
    });
  });
});

describe('two DR pairs in one app', () => {
  test('the same project is refused by name (cluster names per account, Spaces buckets global), not by the constructs library', () => {
    const app: App = Testing.app();
    new MultiRegionDR(app, 'a-dr', base);
    expect(() => new MultiRegionDR(app, 'b-dr', base)).toThrow(
      `[b-dr/Nyc3] 'name' ("samokoder-nyc3") is already the name of a-dr/Nyc3: DigitalOcean cluster names are unique in an account and Spaces bucket names are global (give each stack its own project)`,
    );
  });
  test('another project with the default ranges is refused for the overlap; its own ranges pass', () => {
    const app: App = Testing.app();
    new MultiRegionDR(app, 'a-dr', base);
    expect(() => new MultiRegionDR(app, 'billing-dr', { ...base, project: 'billing' })).toThrow(
      `[billing-dr] 'primary.vpcCidr' ("10.10.0.0/16") overlaps 10.10.0.0/16, the VPC of a-dr/Nyc3 in the same app: VPCs that may be peered need disjoint ranges`,
    );
    expect(
      () =>
        new MultiRegionDR(app, 'billing-dr2', {
          ...base,
          project: 'billing',
          primary: { vpcCidr: '10.30.0.0/16' },
          secondary: { vpcCidr: '10.40.0.0/16' },
        }),
    ).not.toThrow();
  });
});
