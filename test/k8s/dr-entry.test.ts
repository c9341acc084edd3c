/**
 * The Kubernetes side of a DigitalOcean DR cluster: the gateway behind a load balancer that ends TLS, the extra host
 * names and the load balancer probe of an app, the replication-lag monitor and the heartbeat it reads.
 */
import { Chart } from 'cdk8s';
import {
  AppRouting,
  FilesSync,
  PlatformContract,
  PlatformGateway,
  PolicyPack,
  PrimaryProbe,
  ProductionApp,
  ReplicationHeartbeat,
  ReplicationLagMonitor,
} from 'samokoder-infra';
import { Duration } from 'samokoder-infra';
import { _heartbeatQueries } from '../../lib/k8s/replication-lag-monitor';
import { _heartbeatScript } from '../../lib/k8s/replication-heartbeat';
import { all, find, render, schemaCheck, testApp } from '../util/k8s';

const platform: PlatformContract = {
  cloud: 'digitalocean',
  environment: 'production',
  region: 'us-east-2',
  clusterName: 'samokoder-sfo3',
  kubernetesVersion: '1.35',
  namespace: 'samokoder',
  serviceAccounts: [],
  podIdentities: [],
  secretEntries: ['samokoder/production-dr/sfo3/connection', 'samokoder/production-dr/sfo3/replica-monitor'],
  connectionSecretName: 'samokoder/production-dr/sfo3/connection',
  secretPrefix: 'samokoder/production-dr/',
  dataSubnetCidrs: ['10.10.0.0/16', '10.20.0.0/16'],
  dataTier: [
    { name: 'postgres', cidrs: ['10.10.0.0/16', '10.20.0.0/16'], port: 25060 },
    { name: 'valkey', cidrs: ['10.20.0.0/16'], port: 25061 },
  ],
  replicaMonitor: { entry: 'samokoder/production-dr/sfo3/replica-monitor', rpoSeconds: 300 },
};

describe('PlatformGateway behind a load balancer that ends TLS', () => {
  test('one HTTP listener for the apps, no certificate, no redirect, the client taken from X-Forwarded-For; the default keeps HTTPS at the gateway', async () => {
    const chart = new Chart(testApp(), 'gw');
    const gw = new PlatformGateway(chart, 'Gateway', {
      hosts: ['app.samokoder.com'],
      routeNamespaces: ['samokoder'],
      tlsTermination: 'loadBalancer',
    });
    const objects = render(chart);
    expect(gw.listenerName).toBe('http');
    expect(find(objects, 'Gateway').spec.listeners).toEqual([
      {
        name: 'http',
        protocol: 'HTTP',
        port: 80,
        allowedRoutes: {
          kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
          namespaces: {
            from: 'Selector',
            selector: {
              matchLabels: { 'gateway-access.samokoder.dev/public': 'true' },
              matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['samokoder'] }],
            },
          },
        },
      },
    ]);
    expect(all(objects, 'Certificate')).toEqual([]);
    expect(all(objects, 'HTTPRoute')).toEqual([]);
    // Behind the load balancer every connection comes from it: Envoy takes the client from the X-Forwarded-For entry
    // the load balancer appends (the rightmost), so per-client rate limits count clients, not the load balancer.
    expect(all(objects, 'ClientTrafficPolicy')).toEqual([
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'ClientTrafficPolicy',
        metadata: {
          name: 'public-client-address',
          namespace: 'gateway-system',
          labels: { 'app.kubernetes.io/name': 'public', 'app.kubernetes.io/managed-by': 'samokoder-infra' },
        },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
          clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } },
        },
      },
    ]);
    expect((await schemaCheck(objects)).ok).toBe(true);
    const tlsChart = new Chart(testApp(), 'tls');
    const tls = new PlatformGateway(tlsChart, 'Gateway', {
      hosts: ['app.samokoder.com'],
      routeNamespaces: ['samokoder'],
    });
    expect(tls.listenerName).toBe('https');
    // TLS at the gateway: clients connect to Envoy directly, and an X-Forwarded-For they send is not trusted.
    expect(all(render(tlsChart), 'ClientTrafficPolicy')).toEqual([]);
  });

  test.each<[object, string]>([
    [{ tlsTermination: 'edge' }, `[gw/Gateway] 'tlsTermination' ("edge") must be 'gateway' or 'loadBalancer'`],
    [{ httpPort: 0 }, `[gw/Gateway] 'httpPort' (0) must be a whole number from 1 to 65535`],
  ])('%j is refused', (props, message) => {
    expect(
      () => new PlatformGateway(new Chart(testApp(), 'gw'), 'Gateway', { hosts: ['a.example.dev'], routeNamespaces: ['x'], ...props }),
    ).toThrow(message);
  });
});

describe('ProductionApp on a DR cluster', () => {
  const app = (props: Partial<ConstructorParameters<typeof ProductionApp>[2]> = {}) =>
    new ProductionApp(testApp(), 'api', {
      name: 'api',
      image: 'ghcr.io/samokoder/api:1.0.0',
      host: 'app.samokoder.com',
      additionalHosts: ['sfo3.app.samokoder.com'],
      platform,
      routing: AppRouting.gateway({ sectionName: 'http', loadBalancerHealthPath: '/healthz' }),
      ...props,
    });

  test('routes serve every host; the load balancer probe has its own route without hosts, to the health path', async () => {
    const objects = render(app());
    const routes = all(objects, 'HTTPRoute');
    const probe = routes.find((r) => r.metadata.name === 'api-lb-health')!;
    expect(probe.spec.hostnames).toBeUndefined();
    expect(probe.spec.rules).toEqual([
      {
        matches: [{ path: { type: 'Exact', value: '/healthz' } }, { path: { type: 'Exact', value: '/health' } }],
        filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/health' } } }],
        backendRefs: [{ group: '', kind: 'Service', name: 'api', port: 8000 }],
      },
    ]);
    for (const r of routes.filter((x) => x !== probe)) expect(r.spec.hostnames).toEqual(['app.samokoder.com', 'sfo3.app.samokoder.com']);
    // No cloud identity is needed on DigitalOcean: an app without one in the contract is fine there.
    expect((await schemaCheck(objects)).ok).toBe(true);
  });

  test("the writer's migration runs under the lock sidecar, which needs Kubernetes 1.29+; a secondary runs none", () => {
    const migration = { command: ['alembic', 'upgrade', 'head'] };
    const primary = { ...platform, databaseRole: 'primary' as const, replicaMonitor: undefined };
    const pod = find(render(app({ platform: primary, migration })), 'Job', 'api-migrate').spec.template.spec;
    expect(pod.initContainers.map((c: { name: string; restartPolicy: string }) => `${c.name}:${c.restartPolicy}`)).toEqual([
      'migration-lock:Always',
    ]);
    expect(all(render(app({ platform: { ...platform, databaseRole: 'secondary' }, migration })), 'Job')).toEqual([]);
    expect(() => app({ platform: { ...primary, kubernetesVersion: '1.28' }, migration })).toThrow(
      `[api] 'platform.kubernetesVersion' ("1.28") must be 1.29 or newer for a migration in a DR pair: it runs under a lock held by a native sidecar (an init container with restartPolicy 'Always')`,
    );
  });

  test('extra host names need a host', () => {
    expect(() => app({ host: undefined })).toThrow(
      `[api] 'additionalHosts' (["sfo3.app.samokoder.com"]) needs 'host': an app without a public host has no routes to add names to`,
    );
  });
});

describe('ReplicationLagMonitor', () => {
  test('postgres_exporter on the replica DSN from the store, scraped, alerting above the RPO, reaching only the databases', async () => {
    const chart = new Chart(testApp(), 'ns', { namespace: 'samokoder' });
    const monitor = new ReplicationLagMonitor(chart, 'Lag', { platform });
    const objects = render(chart);
    expect(monitor.footprint).toEqual({ pods: 1, cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMiB: 32, memoryLimitMiB: 64 });
    const es = find(objects, 'ExternalSecret');
    expect(es.spec.dataFrom).toEqual([{ extract: { key: 'samokoder/production-dr/sfo3/replica-monitor' } }]);
    const container = find(objects, 'Deployment').spec.template.spec.containers[0];
    expect(container.env[0].valueFrom.secretKeyRef).toEqual({ name: 'replication-lag-monitor', key: 'DATA_SOURCE_NAME' });
    const rules = find(objects, 'PrometheusRule').spec.groups[0].rules;
    // The lag counts only while the WAL receiver streams (postgres_exporter reads 0 on a replica that stopped
    // receiving), and the receiver's state pages on its own.
    expect(container.args).toEqual([
      '--web.listen-address=:9187',
      '--collector.stat_wal_receiver',
      '--extend.query-path=/etc/postgres-exporter/queries.yaml',
    ]);
    // The heartbeat's query file, mounted from a ConfigMap.
    const queries = all(objects, 'ConfigMap').find((c) => c.metadata.name === 'replication-lag-monitor-queries')!;
    expect(queries.data['queries.yaml']).toBe(_heartbeatQueries());
    expect(container.volumeMounts).toEqual([{ name: 'queries', mountPath: '/etc/postgres-exporter', readOnly: true }]);
    expect(find(objects, 'Deployment').spec.template.spec.volumes).toEqual([
      { name: 'queries', configMap: { name: 'replication-lag-monitor-queries' } },
    ]);
    const age = 'max(pg_replication_heartbeat_age_seconds{namespace="samokoder",job="replication-lag-monitor"})';
    const streaming =
      'max(pg_stat_wal_receiver_last_msg_receipt_time{namespace="samokoder",job="replication-lag-monitor",status="streaming"})';
    expect(rules.map((r: { alert: string; expr: string }) => [r.alert, r.expr])).toEqual([
      [
        'ReplicationLagAboveRpo',
        `(max(pg_replication_lag_seconds{namespace="samokoder",job="replication-lag-monitor"}) and on() ${streaming}) > 300`,
      ],
      ['ReplicationNotStreaming', `max(pg_up{namespace="samokoder",job="replication-lag-monitor"}) == 1 unless on() ${streaming}`],
      [
        'ReplicationHeartbeatStale',
        `${age} > 300 or (max(pg_up{namespace="samokoder",job="replication-lag-monitor"}) == 1 unless on() ${age})`,
      ],
      [
        'ReplicationLagUnknown',
        `absent((max(pg_replication_lag_seconds{namespace="samokoder",job="replication-lag-monitor"}) and on() ${streaming})) or max(pg_up{namespace="samokoder",job="replication-lag-monitor"}) == 0`,
      ],
    ]);
    expect(rules.every((r: { annotations: object }) => !('runbook_url' in r.annotations))).toBe(true);
    const linked = new ReplicationLagMonitor(new Chart(testApp(), 'ns2', { namespace: 'samokoder' }), 'Lag', {
      platform,
      runbookBaseUrl: 'https://runbooks.example.com/',
    });
    expect(
      find(render(linked.node.scope as Chart), 'PrometheusRule').spec.groups[0].rules.map(
        (r: { annotations: { runbook_url: string } }) => r.annotations.runbook_url,
      ),
    ).toEqual([
      'https://runbooks.example.com/ReplicationLagAboveRpo',
      'https://runbooks.example.com/ReplicationNotStreaming',
      'https://runbooks.example.com/ReplicationHeartbeatStale',
      'https://runbooks.example.com/ReplicationLagUnknown',
    ]);
    const egress = all(objects, 'NetworkPolicy').find((n) => n.metadata.name === 'replication-lag-monitor-allow-egress')!;
    expect(egress.spec.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '10.10.0.0/16' } }], ports: [{ protocol: 'TCP', port: 25060 }] },
      { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 25060 }] },
    ]);
    expect((await schemaCheck(objects)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(chart).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test('a runbook base that is not an https URL is refused', () => {
    expect(
      () => new ReplicationLagMonitor(new Chart(testApp(), 'ns'), 'Lag', { platform, runbookBaseUrl: 'http://runbooks.example.com' }),
    ).toThrow(`[ns/Lag] 'runbookBaseUrl' ("http://runbooks.example.com") must be an https:// URL`);
  });

  test('a cluster that watches no replica is refused', () => {
    expect(
      () => new ReplicationLagMonitor(new Chart(testApp(), 'ns'), 'Lag', { platform: { ...platform, replicaMonitor: undefined } }),
    ).toThrow(`[ns/Lag] 'platform.replicaMonitor' (undefined) is not set: this cluster watches no replica (only a DR secondary does)`);
  });

  test('a Prometheus selector that selects nothing is refused', () => {
    expect(() => new ReplicationLagMonitor(new Chart(testApp(), 'ns'), 'Lag', { platform, prometheusSelector: {} })).toThrow(
      `[ns/Lag] 'prometheusSelector' ({}) selects nothing: monitors and rules without the labels a Prometheus selects by are read by none`,
    );
  });
});

describe('ReplicationHeartbeat', () => {
  const writer: PlatformContract = { ...platform, clusterName: 'samokoder-nyc3', databaseRole: 'primary', replicaMonitor: undefined };

  test("psql in the writer's cluster upserts now() into the one-row table every interval, through the direct address only", async () => {
    const chart = new Chart(testApp(), 'ns', { namespace: 'samokoder' });
    const heartbeat = new ReplicationHeartbeat(chart, 'Heartbeat', { platform: writer });
    const objects = render(chart);
    expect(heartbeat.footprint).toEqual({ pods: 1, cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMiB: 16, memoryLimitMiB: 64 });
    // Only the direct address (as DATABASE_URL) and the host the scripts wait for: not the whole connection entry.
    expect(find(objects, 'ExternalSecret').spec.data).toEqual([
      { secretKey: 'DATABASE_DIRECT_URL', remoteRef: { key: 'samokoder/production-dr/sfo3/connection', property: 'DATABASE_DIRECT_URL' } },
      { secretKey: 'DATABASE_HOST', remoteRef: { key: 'samokoder/production-dr/sfo3/connection', property: 'DATABASE_HOST' } },
    ]);
    const deployment = find(objects, 'Deployment');
    expect(deployment.metadata.name).toBe('replication-heartbeat');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe('postgres:17.6-alpine');
    expect(container.command).toEqual(['/bin/sh', '-c', _heartbeatScript(10)]);
    expect(_heartbeatScript(10)).toBe(
      "{ echo 'CREATE TABLE IF NOT EXISTS public.samokoder_replication_heartbeat (id integer PRIMARY KEY CHECK (id = 1), ts timestamptz NOT NULL);'; " +
        "echo 'GRANT SELECT ON public.samokoder_replication_heartbeat TO PUBLIC;'; " +
        "while :; do echo 'INSERT INTO public.samokoder_replication_heartbeat (id, ts) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts;'; echo '\\! touch /run/heartbeat/beat'; sleep 10; done; } " +
        '| psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL"',
    );
    // Ready and alive while writes succeed (the file psql touches after each one).
    expect(container.livenessProbe.exec.command).toEqual([
      '/bin/sh',
      '-c',
      'test $(( $(date +%s) - $(stat -c %Y /run/heartbeat/beat) )) -le 30',
    ]);
    expect(container.env[0]).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'replication-heartbeat', key: 'DATABASE_DIRECT_URL' } },
    });
    // The reader's query reads the table the writer writes.
    expect(_heartbeatQueries()).toContain('FROM public.samokoder_replication_heartbeat WHERE id = 1');
    expect(all(objects, 'NetworkPolicy').map((n) => n.metadata.name)).toEqual([
      'replication-heartbeat-deny-ingress',
      'replication-heartbeat-allow-egress',
    ]);
    const egress = all(objects, 'NetworkPolicy')[1];
    expect(egress.spec.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '10.10.0.0/16' } }], ports: [{ protocol: 'TCP', port: 25060 }] },
      { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ protocol: 'TCP', port: 25060 }] },
    ]);
    expect((await schemaCheck(objects)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(chart).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
    const faster = new ReplicationHeartbeat(new Chart(testApp(), 'ns2', { namespace: 'samokoder' }), 'Heartbeat', {
      platform: writer,
      interval: Duration.seconds(5),
    });
    expect(find(render(faster.node.scope as Chart), 'Deployment').spec.template.spec.containers[0].command[2]).toContain('sleep 5; done');
  });

  test('only in a DR pair (either role: each cluster writes into the writer its entry names)', () => {
    expect(() => new ReplicationHeartbeat(new Chart(testApp(), 'ns'), 'Heartbeat', { platform })).toThrow(
      `[ns/Heartbeat] 'platform.databaseRole' (undefined) is not set: the heartbeat is written by the clusters of a DR pair (role 'primary' or 'secondary'), into the writer their connection entry names`,
    );
    expect(
      () => new ReplicationHeartbeat(new Chart(testApp(), 'ns'), 'Heartbeat', { platform: { ...writer, databaseRole: 'secondary' } }),
    ).not.toThrow();
  });

  test('a cluster without a direct PostgreSQL tier is refused', () => {
    expect(
      () =>
        new ReplicationHeartbeat(new Chart(testApp(), 'ns'), 'Heartbeat', {
          platform: { ...writer, dataTier: writer.dataTier.filter((t) => t.name !== 'postgres') },
        }),
    ).toThrow(`[ns/Heartbeat] 'platform.dataTier' (["valkey"]) has no 'postgres' tier to reach the primary on`);
  });

  test('an interval the psql loop cannot keep is refused', () => {
    expect(
      () => new ReplicationHeartbeat(new Chart(testApp(), 'ns'), 'Heartbeat', { platform: writer, interval: Duration.minutes(5) }),
    ).toThrow(`[ns/Heartbeat] 'interval' ("5m") must be a whole number of seconds from 1 to 60`);
  });
});

describe('FilesSync', () => {
  const synced: PlatformContract = {
    ...platform,
    filesSync: {
      entry: 'samokoder/production-dr/sfo3/files-sync',
      intervalSeconds: 3600,
      source: { bucket: 'samokoder-nyc3-files', host: 'nyc3.digitaloceanspaces.com' },
      target: { bucket: 'samokoder-sfo3-files', host: 'sfo3.digitaloceanspaces.com' },
    },
  };

  test('rclone on a schedule with the bucket-scoped key from the store, egress to public HTTPS only, alerting when late', async () => {
    const chart = new Chart(testApp(), 'ns', { namespace: 'samokoder' });
    const sync = new FilesSync(chart, 'FilesSync', { platform: synced, runbookBaseUrl: 'https://runbooks.example.com' });
    const objects = render(chart);
    expect(sync.schedule).toBe('0 * * * *');
    expect(find(objects, 'ExternalSecret').spec.dataFrom).toEqual([{ extract: { key: 'samokoder/production-dr/sfo3/files-sync' } }]);
    const cron = find(objects, 'CronJob');
    expect(cron.spec).toMatchObject({ schedule: '0 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 3600 });
    const container = cron.spec.jobTemplate.spec.template.spec.containers[0];
    expect(container.args).toEqual(['sync', '--checksum', '--fast-list', 'src:samokoder-nyc3-files', 'dst:samokoder-sfo3-files']);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'files-sync' } }]);
    expect(container.env).toContainEqual({ name: 'RCLONE_CONFIG_SRC_ENDPOINT', value: 'nyc3.digitaloceanspaces.com' });
    expect(container.env).toContainEqual({ name: 'RCLONE_CONFIG_DST_ENDPOINT', value: 'sfo3.digitaloceanspaces.com' });
    const rule = find(objects, 'PrometheusRule').spec.groups[0].rules[0];
    expect(rule).toMatchObject({
      alert: 'FilesSyncLate',
      labels: { severity: 'warning' },
      annotations: { runbook_url: 'https://runbooks.example.com/FilesSyncLate' },
    });
    expect(rule.expr).toContain(
      'time() - max(kube_cronjob_status_last_successful_time{namespace="samokoder",cronjob="files-sync"}) > 7200',
    );
    expect(find(objects, 'NetworkPolicy').spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    expect((await schemaCheck(objects)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(chart).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test.each([
    [300, '*/5 * * * *'],
    [60, '* * * * *'],
    [7200, '0 */2 * * *'],
    [86400, '0 0 * * *'],
  ])('every %i s is the cron schedule %s', (intervalSeconds, schedule) => {
    const sync = new FilesSync(new Chart(testApp(), 'ns'), 'FilesSync', {
      platform: { ...synced, filesSync: { ...synced.filesSync!, intervalSeconds } },
    });
    expect(sync.schedule).toBe(schedule);
  });

  test.each<[Partial<PlatformContract>, object, string]>([
    [
      { filesSync: undefined },
      {},
      `[ns/FilesSync] 'platform.filesSync' (undefined) is not set: this cluster copies no files (only a DR secondary does)`,
    ],
    [
      { filesSync: { ...synced.filesSync!, intervalSeconds: 420 } },
      {},
      `[ns/FilesSync] 'platform.filesSync.intervalSeconds' (420) must be a number of minutes dividing an hour (1, 2, 5, 10, 15, 20, 30) or of hours dividing a day (1, 2, 3, 4, 6, 8, 12, 24): a cron schedule repeats evenly`,
    ],
    [
      {},
      { runbookBaseUrl: 'http://runbooks.example.com' },
      `[ns/FilesSync] 'runbookBaseUrl' ("http://runbooks.example.com") must be an https:// URL`,
    ],
  ])('refused: %j %j', (contract, props, message) => {
    expect(() => new FilesSync(new Chart(testApp(), 'ns'), 'FilesSync', { platform: { ...synced, ...contract }, ...props })).toThrow(
      message,
    );
  });
});

describe('PrimaryProbe', () => {
  const probing: PlatformContract = { ...platform, primaryProbe: { region: 'nyc3', host: 'nyc3.app.samokoder.com', path: '/health' } };

  test("blackbox_exporter probes the primary's own entry over verified HTTPS, and a failure for 2 min pages (critical)", async () => {
    const chart = new Chart(testApp(), 'ns', { namespace: 'samokoder' });
    const probe = new PrimaryProbe(chart, 'PrimaryProbe', { platform: probing, runbookBaseUrl: 'https://runbooks.example.com' });
    const objects = render(chart);
    expect(probe.url).toBe('https://nyc3.app.samokoder.com/health');
    const endpoint = find(objects, 'ServiceMonitor').spec.endpoints[0];
    expect(endpoint).toMatchObject({
      port: 'metrics',
      path: '/probe',
      params: { module: ['https_2xx'], target: ['https://nyc3.app.samokoder.com/health'] },
      interval: '30s',
    });
    expect(find(objects, 'ConfigMap').data['blackbox.yml']).toContain('fail_if_not_ssl: true');
    const [down, missing] = find(objects, 'PrometheusRule').spec.groups[0].rules;
    expect(down).toMatchObject({
      alert: 'PrimaryRegionDown',
      expr: 'max(probe_success{namespace="samokoder",job="primary-probe"}) == 0',
      for: '2m',
      labels: { severity: 'critical', namespace: 'samokoder' },
      annotations: { runbook_url: 'https://runbooks.example.com/PrimaryRegionDown' },
    });
    expect(missing).toMatchObject({
      alert: 'PrimaryProbeMissing',
      expr: 'absent(probe_success{namespace="samokoder",job="primary-probe"})',
    });
    expect(all(objects, 'NetworkPolicy').find((p) => p.metadata.name === 'primary-probe-allow-egress')!.spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    expect((await schemaCheck(objects)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(chart).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test('a cluster that probes no primary is refused', () => {
    expect(() => new PrimaryProbe(new Chart(testApp(), 'ns'), 'PrimaryProbe', { platform })).toThrow(
      `[ns/PrimaryProbe] 'platform.primaryProbe' (undefined) is not set: this cluster probes no primary (only a DR secondary does)`,
    );
  });
});
