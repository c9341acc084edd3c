import { requirePinnedImage } from './image';
import { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PlatformContract } from '../common/contract';
import { invalidProp } from '../common/errors';
import {
  heartbeatAgeQuery,
  REPLICATION_HEARTBEAT,
  REPLICATION_LAG_MONITOR,
  replicationLagQuery,
  walReceiverStreamingQuery,
} from '../common/replication';
import { _freeId, requireDnsLabel, requirePrometheusSelector } from '../common/validate';
import { _apiObject, _scrapedPartPolicies } from '../private/k8s-object';
import { _restrictedContainer, _runbookLinks } from './private/restricted-container';
import { AppFootprint } from './app-namespace';
import { SecretStore } from './secrets';
import { SyncedSecret } from './synced-secret';

/** Props for {@link ReplicationLagMonitor}. */
export interface ReplicationLagMonitorProps {
  /** The cluster's contract: the replica to watch (`replicaMonitor`), the namespace and the data tier's networks. */
  readonly platform: PlatformContract;
  /** postgres_exporter image, pinned. @default 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1' */
  readonly image?: string;
  /** @default SecretStore.cluster('aws-secrets-manager') */
  readonly secretStore?: SecretStore;
  /** Labels the platform's Prometheus selects monitors and rules by. @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelector?: Record<string, string>;
  /** @default 'monitoring' */
  readonly prometheusNamespace?: string;
  /** Base URL of the runbooks; each alert links to `<base>/<alertname>` (annotation `runbook_url`). @default - no links */
  readonly runbookBaseUrl?: string;
}

const PORT = 9187;
const QUERIES_DIR = '/etc/postgres-exporter';

/**
 * The heartbeat as postgres_exporter reads it on the replica: a custom query file (`--extend.query-path`, still read
 * by v0.17.1 though marked deprecated: cmd/postgres_exporter/main.go, queries.go `UserQuery`); each GAUGE column
 * becomes `<namespace>_<column>` (namespace.go). `now()` is the replica's clock, `ts` the primary's (assumed NTP-synced
 * by DigitalOcean). No row, or no table, gives no series: the alert treats that as stale. @internal
 */
export function _heartbeatQueries(): string {
  const { metric, table } = REPLICATION_HEARTBEAT;
  return [
    `${metric}:`,
    `  query: "SELECT GREATEST(0, EXTRACT(EPOCH FROM now() - ts)) AS age_seconds, EXTRACT(EPOCH FROM ts) AS timestamp_seconds FROM ${table} WHERE id = 1"`,
    '  metrics:',
    '    - age_seconds:',
    '        usage: "GAUGE"',
    `        description: "Seconds since the newest heartbeat the replica has replayed was written on the primary"`,
    '    - timestamp_seconds:',
    '        usage: "GAUGE"',
    `        description: "When the newest heartbeat the replica has replayed was written on the primary (Unix seconds)"`,
    '',
  ].join('\n');
}
const POD: AppFootprint = { pods: 1, cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMiB: 32, memoryLimitMiB: 64 };

/**
 * Measures the replication lag of a DR pair's replica where the RPO depends on it: postgres_exporter (its
 * `pg_replication_lag_seconds`) reading the DSN from the store entry the stack writes, scraped by the platform's
 * Prometheus, with an alert when the lag stays above the RPO target and one when it cannot be measured. It also reads
 * the heartbeat the writer's cluster writes (`ReplicationHeartbeat`) from the replica, and pages when the newest one
 * replayed is older than the RPO target: the lag alone reads 0 on a replica that stopped replaying. The failover and
 * fail-back scripts gate on the same heartbeat (see `heartbeatLagQuery`). The DSN must name the database the
 * heartbeat table lives in (the stack's entry does).
 */
export class ReplicationLagMonitor extends Construct {
  /** What the monitor adds to its namespace's quota. */
  public readonly footprint: AppFootprint = POD;

  constructor(scope: Construct, id: string, props: ReplicationLagMonitorProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    const target = props.platform.replicaMonitor;
    if (!target) {
      throw invalidProp(
        path,
        'platform.replicaMonitor',
        undefined,
        'is not set: this cluster watches no replica (only a DR secondary does)',
      );
    }
    const namespace = requireDnsLabel(path, 'platform.namespace', props.platform.namespace);
    const prometheusNamespace = requireDnsLabel(path, 'prometheusNamespace', props.prometheusNamespace ?? 'monitoring');
    const image = requirePinnedImage(path, 'image', props.image ?? 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1');
    const name = REPLICATION_LAG_MONITOR;
    const selector = { 'app.kubernetes.io/name': name };
    const labels = { ...selector, 'app.kubernetes.io/component': 'monitoring', 'app.kubernetes.io/managed-by': 'samokoder-infra' };
    const promLabels = {
      ...labels,
      ...requirePrometheusSelector(path, 'prometheusSelector', props.prometheusSelector ?? { release: 'kube-prometheus-stack' }),
    };
    const meta = { name, namespace, labels };
    const dsn = new SyncedSecret(this, 'Dsn', { name, namespace, store: props.secretStore, extractAll: [target.entry], labels });
    const postgres = props.platform.dataTier.filter((t) => t.name === 'postgres');
    if (postgres.length === 0) {
      throw invalidProp(
        path,
        'platform.dataTier',
        props.platform.dataTier.map((t) => t.name),
        "has no 'postgres' tier to reach the replica on",
      );
    }

    _apiObject<IServiceAccount>(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      automountServiceAccountToken: false,
    });
    _apiObject<IConfigMap>(this, 'Queries', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...meta, name: `${name}-queries` },
      data: { 'queries.yaml': _heartbeatQueries() },
    });
    _apiObject<IDeployment>(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'exporter',
                image,
                // stat_wal_receiver (off by default) tells a streaming replica from one that stopped receiving; the
                // query file reads the primary's heartbeat (see ReplicationHeartbeat).
                args: [`--web.listen-address=:${PORT}`, '--collector.stat_wal_receiver', `--extend.query-path=${QUERIES_DIR}/queries.yaml`],
                env: [{ name: 'DATA_SOURCE_NAME', valueFrom: { secretKeyRef: { name: dsn.secretName, key: 'DATA_SOURCE_NAME' } } }],
                ports: [{ name: 'metrics', containerPort: PORT, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/metrics', port: 'metrics' }, periodSeconds: 30, timeoutSeconds: 10 },
                livenessProbe: { httpGet: { path: '/', port: 'metrics' }, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5 },
                ..._restrictedContainer(POD),
                volumeMounts: [{ name: 'queries', mountPath: QUERIES_DIR, readOnly: true }],
              },
            ],
            volumes: [{ name: 'queries', configMap: { name: `${name}-queries` } }],
          },
        },
      },
    });
    _apiObject<IService>(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...meta, labels: promLabels },
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'metrics', port: PORT, targetPort: 'metrics', protocol: 'TCP' }] },
    });
    _apiObject<IServiceMonitor>(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { ...meta, labels: promLabels },
      spec: { selector: { matchLabels: selector }, endpoints: [{ port: 'metrics', interval: '30s', scrapeTimeout: '10s' }] },
    });
    const lag = replicationLagQuery(namespace);
    const runbook = _runbookLinks(props.runbookBaseUrl, (v) => invalidProp(path, 'runbookBaseUrl', v, 'must be an https:// URL'));
    _apiObject<IPrometheusRule>(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { ...meta, labels: promLabels },
      spec: {
        groups: [
          {
            name: `${namespace}-replication`,
            rules: [
              {
                alert: 'ReplicationLagAboveRpo',
                expr: `${lag} > ${target.rpoSeconds}`,
                for: '2m',
                labels: { severity: 'critical', namespace },
                annotations: {
                  ...runbook('ReplicationLagAboveRpo'),
                  summary: `The DR replica is more than ${target.rpoSeconds} s behind: a failover now would lose more than the RPO allows`,
                  description:
                    'Replication lag {{ $value | humanizeDuration }} (pg_replication_lag_seconds; on an idle primary it grows between writes).',
                },
              },
              {
                // The lag reads 0 on a replica that stopped receiving WAL: what pages is the receiver's state.
                alert: 'ReplicationNotStreaming',
                expr: `max(pg_up{namespace="${namespace}",job="${name}"}) == 1 unless on() ${walReceiverStreamingQuery(namespace)}`,
                for: '2m',
                labels: { severity: 'critical', namespace },
                annotations: {
                  ...runbook('ReplicationNotStreaming'),
                  summary: 'The DR replica does not receive WAL from the primary: every write since is missing from it',
                  description: `${name} reaches the replica, but its WAL receiver is not streaming (pg_stat_wal_receiver): a failover now would lose everything written since it stopped. Check the primary's firewall and the replica's status in DigitalOcean.`,
                },
              },
              {
                // The lag above reads 0 on a replica that has replayed all it received, even when it receives
                // nothing new (a stuck apply, a receiver "streaming" from a primary whose WAL it cannot use). The
                // heartbeat the primary writes every few seconds bounds what the replica really has: its age.
                alert: 'ReplicationHeartbeatStale',
                expr: `${heartbeatAgeQuery(namespace)} > ${target.rpoSeconds} or (max(pg_up{namespace="${namespace}",job="${name}"}) == 1 unless on() ${heartbeatAgeQuery(namespace)})`,
                for: '2m',
                labels: { severity: 'critical', namespace },
                annotations: {
                  ...runbook('ReplicationHeartbeatStale'),
                  summary: `The DR replica has replayed no heartbeat from the primary for more than ${target.rpoSeconds} s: a failover now would lose more than the RPO allows`,
                  description: `The newest heartbeat the replica has replayed (${REPLICATION_HEARTBEAT.table}, written by ${REPLICATION_HEARTBEAT.writer} in the primary's cluster) is older than ${target.rpoSeconds} s, or none can be read. A lag of 0 and a streaming receiver do not prove the replica current: check its status in DigitalOcean and the writer's logs.`,
                },
              },
              {
                alert: 'ReplicationLagUnknown',
                expr: `absent(${lag}) or max(pg_up{namespace="${namespace}",job="${name}"}) == 0`,
                for: '10m',
                labels: { severity: 'warning', namespace },
                annotations: {
                  ...runbook('ReplicationLagUnknown'),
                  summary: 'The replication lag of the DR replica cannot be measured: the RPO is not checked',
                  description: `${name} in ${namespace} exports nothing or cannot reach the replica (store entry ${target.entry}).`,
                },
              },
            ],
          },
        ],
      },
    });
    _scrapedPartPolicies(this, {
      metadata: meta,
      name,
      selector,
      prometheusNamespace,
      metricsPort: PORT,
      egress: postgres.flatMap((t) =>
        t.cidrs.map((cidr) => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP' as const, port: t.port }] })),
      ),
    });
  }
}
