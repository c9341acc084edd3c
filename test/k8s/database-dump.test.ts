import { Chart } from 'cdk8s';
import { DatabaseDump, Duration, PlatformContract, PolicyPack } from 'samokoder-infra';
import { all, find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

// Issue #25, "Last-resort copies": scheduled logical dumps of the database to versioned object storage.
/** What SamokoderStack's contract says (see test/aws/samokoder-stack.test.ts). */
const platform: PlatformContract = {
  environment: 'production',
  region: 'eu-central-1',
  clusterName: 'billing-production',
  kubernetesVersion: '1.35',
  namespace: 'billing',
  serviceAccounts: ['api'],
  podIdentities: [
    { namespace: 'billing', serviceAccount: 'api' },
    { namespace: 'billing', serviceAccount: 'database-bootstrap' },
    { namespace: 'billing', serviceAccount: 'database-dump' },
  ],
  secretEntries: ['billing/production/connection', 'billing/production/app'],
  connectionSecretName: 'billing/production/connection',
  secretPrefix: 'billing/production/',
  dataSubnetCidrs: ['10.0.108.0/24'],
  dataTier: [
    { name: 'postgres', cidrs: ['10.0.108.0/24'], port: 5432 },
    { name: 'redis', cidrs: ['10.0.108.0/24'], port: 6379 },
  ],
  databaseBootstrap: { user: 'Billing-App', database: 'billing', serviceAccount: 'database-bootstrap' },
};

function dumpChart(props: Partial<ConstructorParameters<typeof DatabaseDump>[2]> = {}, namespace = 'billing') {
  const chart = new Chart(testApp(), 'dump', { namespace });
  const dump = new DatabaseDump(chart, 'Dump', { platform, ...props });
  return { chart, dump, objects: render(chart) };
}

describe('DatabaseDump', () => {
  test('a daily CronJob: token, pg_dump of the app schema over verified TLS, upload under postgres/<database>/', () => {
    const { objects } = dumpChart();
    const cron = find(objects, 'CronJob', 'database-dump');
    expect(cron.spec).toMatchObject({ schedule: '0 0 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName).toBe('database-dump');
    expect([...pod.initContainers, ...pod.containers].map((c: K8sObject) => c.name)).toEqual(['token', 'pg-dump', 'upload']);
    const env = (c: K8sObject) =>
      Object.fromEntries(c.env.map((e: K8sObject) => [e.name, e.value ?? `secret:${e.valueFrom.secretKeyRef.key}`]));
    expect(env(pod.initContainers[0])).toMatchObject({
      PGUSER: 'database_dump',
      PGHOST: 'secret:DATABASE_HOST',
      AWS_REGION: 'eu-central-1',
    });
    expect(pod.initContainers[0].command[2]).toContain('aws rds generate-db-auth-token');
    expect(env(pod.initContainers[1])).toMatchObject({
      PGUSER: 'database_dump',
      PGDATABASE: 'billing',
      PGSSLMODE: 'verify-full',
      DUMP_SCHEMA: '"Billing-App"',
    });
    expect(pod.initContainers[1].command[2]).toContain('pg_dump --format=custom');
    expect(pod.initContainers[1].command[2]).toContain('--strict-names');
    expect(env(pod.containers[0])).toMatchObject({ BACKUPS_BUCKET: 'secret:BACKUPS_BUCKET', DUMP_PREFIX: 'postgres/billing/' });
    // The token stays in memory; the dump gets room of its own.
    expect(pod.volumes).toEqual([
      { name: 'credentials', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'dump', emptyDir: { sizeLimit: '10Gi' } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ]);
    expect(pod.initContainers[1].resources.requests['ephemeral-storage']).toBe('10Gi');
    // Host, port and bucket from the connection entry, no credential: the token is made in the pod.
    const secret = find(objects, 'ExternalSecret');
    expect(secret.spec.data.map((d: K8sObject) => [d.secretKey, d.remoteRef.key])).toEqual([
      ['DATABASE_HOST', 'billing/production/connection'],
      ['DATABASE_PORT', 'billing/production/connection'],
      ['BACKUPS_BUCKET', 'billing/production/connection'],
    ]);
  });

  test('DatabaseDumpLate fires when the last successful dump is older than twice the interval', () => {
    const { objects } = dumpChart({ interval: Duration.hours(6) });
    expect(find(objects, 'CronJob').spec.schedule).toBe('0 */6 * * *');
    const rule = find(objects, 'PrometheusRule').spec.groups[0].rules[0];
    expect(rule).toMatchObject({ alert: 'DatabaseDumpLate', for: '10m', labels: { severity: 'warning', namespace: 'billing' } });
    expect(rule.expr).toBe(
      'time() - max(kube_cronjob_status_last_successful_time{namespace="billing",cronjob="database-dump"}) > 43200' +
        ' or (absent(kube_cronjob_status_last_successful_time{namespace="billing",cronjob="database-dump"}) and on()' +
        ' (time() - max(kube_cronjob_created{namespace="billing",cronjob="database-dump"}) > 43200))',
    );
    expect(find(objects, 'PrometheusRule').metadata.labels.release).toBe('kube-prometheus-stack');
  });

  test('egress: DNS, the Pod Identity agent, HTTPS and the database subnets only; no ingress', () => {
    const { objects } = dumpChart();
    const deps = find(objects, 'NetworkPolicy', 'database-dump-allow-dependencies').spec;
    expect(deps.egress.map((e: K8sObject) => `${e.to[0].ipBlock.cidr}:${e.ports[0].port}`)).toEqual([
      '169.254.170.23/32:80',
      '0.0.0.0/0:443',
      '10.0.108.0/24:5432',
    ]);
    expect(find(objects, 'NetworkPolicy', 'database-dump-deny-ingress').spec.policyTypes).toEqual(['Ingress']);
    expect(all(objects, 'NetworkPolicy').every((p) => !JSON.stringify(p).includes('6379'))).toBe(true);
  });

  test('pinned images, restricted containers with limits, schema-valid, and no policy finding', async () => {
    const { chart, objects } = dumpChart();
    const pod = find(objects, 'CronJob').spec.jobTemplate.spec.template.spec;
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.image).toMatch(/:\d+\.\d+\.\d+(-alpine)?$|:\d+\.\d+-alpine$/);
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
    }
    expect((await schemaCheck(objects)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(chart).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test.each<[string, Partial<ConstructorParameters<typeof DatabaseDump>[2]>, string]>([
    [
      'a contract without databaseBootstrap (DigitalOcean)',
      { platform: { ...platform, databaseBootstrap: undefined } },
      `[dump/Dump] 'platform.databaseBootstrap' (undefined) is not set: the dump logs in with the read-only role the database bootstrap makes, which only SamokoderStack's contract has`,
    ],
    [
      'a contract without a postgres tier',
      { platform: { ...platform, dataTier: [{ name: 'redis', cidrs: ['10.0.108.0/24'], port: 6379 }] } },
      `[dump/Dump] 'platform.dataTier' (["redis"]) has no 'postgres' tier: the dump would have no route to the database`,
    ],
    [
      'an interval a cron schedule cannot repeat evenly',
      { interval: Duration.hours(5) },
      `[dump/Dump] 'interval' ("5h") must be a number of minutes dividing an hour (1, 2, 5, 10, 15, 20, 30) or of hours dividing a day (1, 2, 3, 4, 6, 8, 12, 24): a cron schedule repeats evenly`,
    ],
    [
      'storage that is not a size',
      { storage: '20GB' },
      `[dump/Dump] 'storage' ("20GB") must be a whole number of Mi, Gi or Ti ('20Gi'): the room for one dump`,
    ],
    ['an image by a floating tag', { image: 'postgres:latest' }, `[dump/Dump] 'image' ("postgres:latest")`],
  ])('%s is refused', (_what, props, message) => {
    expect(() => dumpChart(props)).toThrow(message);
  });

  test('in a chart without a namespace (beside the namespace object) every object names the contract’s', () => {
    const chart = new Chart(testApp(), 'namespace');
    new DatabaseDump(chart, 'Dump', { platform });
    const objects = render(chart);
    expect(objects.length).toBeGreaterThan(5);
    expect(objects.filter((o) => o.metadata.namespace !== 'billing').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  test('in a chart of another namespace it is refused (its identity is bound to the contract namespace)', () => {
    expect(() => dumpChart({}, 'other')).toThrow(
      `[dump/Dump] 'platform.namespace' ("billing") must be the namespace of the chart the dump is in ("other"): its service account's cloud identity is bound there`,
    );
  });
});

/** What MultiRegionDR's primary contract says (see test/digitalocean/multi-region-dr.test.ts). */
const drPrimary: PlatformContract = {
  cloud: 'digitalocean',
  environment: 'production-dr',
  region: 'us-east-2',
  clusterName: 'billing-nyc3',
  kubernetesVersion: '1.35',
  namespace: 'billing',
  serviceAccounts: [],
  podIdentities: [],
  connectionSecretName: 'billing/production-dr/nyc3/connection',
  secretEntries: ['billing/production-dr/nyc3/connection'],
  secretPrefix: 'billing/production-dr/',
  dataSubnetCidrs: ['10.10.0.0/16', '10.20.0.0/16'],
  dataTier: [
    { name: 'postgres-pool', cidrs: ['10.10.0.0/16'], port: 25061 },
    { name: 'postgres', cidrs: ['10.10.0.0/16', '10.20.0.0/16'], port: 25060 },
    { name: 'valkey', cidrs: ['10.10.0.0/16'], port: 25061 },
  ],
  databaseRole: 'primary',
  databaseDump: { database: 'billing', prefix: 'postgres/', intervalSeconds: 86400 },
};

describe('DatabaseDump on DigitalOcean (the DR primary)', () => {
  const drChart = (contract: Partial<PlatformContract> = {}, props: Partial<ConstructorParameters<typeof DatabaseDump>[2]> = {}) => {
    const chart = new Chart(testApp(), 'dump', { namespace: 'billing' });
    new DatabaseDump(chart, 'Dump', { platform: { ...drPrimary, ...contract }, ...props });
    return { chart, objects: render(chart) };
  };
  const env = (c: K8sObject) =>
    Object.fromEntries(c.env.map((e: K8sObject) => [e.name, e.value ?? `secret:${e.valueFrom.secretKeyRef.key}`]));

  test('pg_dump over the direct URL (never the pool), upload to the region bucket under postgres/<database>/ with its key by reference', () => {
    const { objects } = drChart();
    const cron = find(objects, 'CronJob', 'database-dump');
    expect(cron.spec.schedule).toBe('0 0 * * *');
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect([...pod.initContainers, ...pod.containers].map((c: K8sObject) => c.name)).toEqual(['pg-dump', 'upload']);
    expect(env(pod.initContainers[0])).toEqual({
      DATABASE_DIRECT_URL: 'secret:DATABASE_DIRECT_URL',
      PGAPPNAME: 'database-dump',
      PGCONNECT_TIMEOUT: '10',
      HOME: '/tmp',
    });
    expect(pod.initContainers[0].command[2]).toContain('pg_dump --format=custom');
    expect(pod.initContainers[0].command[2]).toContain('--dbname="$DATABASE_DIRECT_URL"');
    expect(env(pod.containers[0])).toMatchObject({
      FILES_BUCKET: 'secret:FILES_BUCKET',
      AWS_ENDPOINT_URL: 'secret:FILES_ENDPOINT',
      AWS_ACCESS_KEY_ID: 'secret:FILES_ACCESS_KEY_ID',
      AWS_SECRET_ACCESS_KEY: 'secret:FILES_SECRET_ACCESS_KEY',
      DUMP_PREFIX: 'postgres/billing/',
    });
    expect(pod.volumes.map((v: K8sObject) => v.name)).toEqual(['dump', 'tmp']);
    const secret = find(objects, 'ExternalSecret');
    expect(secret.spec.data.map((d: K8sObject) => d.remoteRef.key)).toEqual(Array(5).fill('billing/production-dr/nyc3/connection'));
    expect(secret.spec.data.map((d: K8sObject) => d.remoteRef.property)).not.toContain('DATABASE_URL');
  });

  test('egress: DNS, HTTPS (Spaces) and the direct port in both VPCs; no Pod Identity agent (DigitalOcean has none)', () => {
    const { objects } = drChart();
    const deps = find(objects, 'NetworkPolicy', 'database-dump-allow-dependencies').spec;
    expect(deps.egress.map((e: K8sObject) => `${e.to.map((t: K8sObject) => t.ipBlock.cidr).join(',')}:${e.ports[0].port}`)).toEqual([
      '0.0.0.0/0:443',
      '10.10.0.0/16:25060',
      '10.20.0.0/16:25060',
    ]);
  });

  test('DatabaseDumpLate names the bucket and the retention; schema-valid, no policy finding', async () => {
    const { chart, objects } = drChart();
    const rule = find(objects, 'PrometheusRule').spec.groups[0].rules[0];
    expect(rule.alert).toBe('DatabaseDumpLate');
    expect(rule.annotations.description).toContain(
      "to the region's files bucket (earlier dumps kept 90 days as versions) under postgres/billing/",
    );
    expect((await schemaCheck(objects)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(chart).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test.each<[string, Partial<PlatformContract>, string]>([
    [
      'a contract without databaseDump (the secondary)',
      { databaseDump: undefined, databaseRole: 'secondary' },
      `[dump/Dump] 'platform.databaseDump' (undefined) is not set: on DigitalOcean the cluster where the writer is dumps (MultiRegionDR's primary contract has it)`,
    ],
    [
      'a dump asked of a secondary',
      { databaseRole: 'secondary' },
      `[dump/Dump] 'platform.databaseRole' ("secondary") must be 'primary' for a dump: a secondary's database is the read-only replica; the writer's cluster dumps`,
    ],
    [
      'a key prefix that climbs out of its folder',
      { databaseDump: { database: 'billing', prefix: '../', intervalSeconds: 86400 } },
      `[dump/Dump] 'platform.databaseDump.prefix' ("../") must be a key prefix: lowercase path segments ending in '/' ('postgres/')`,
    ],
  ])('%s is refused', (_what, contract, message) => {
    expect(() => drChart(contract)).toThrow(message);
  });
});
