import { Construct } from 'constructs';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PlatformContract } from '../common/contract';
import { Duration } from '../common/duration';
import { invalidProp } from '../common/errors';
import { REPLICATION_HEARTBEAT } from '../common/replication';
import { _freeId, requireDnsLabel, requireLabels } from '../common/validate';
import { _apiObject, _dnsEgressRule } from '../private/k8s-object';
import { _restrictedContainer } from './private/restricted-container';
import { AppFootprint } from './app-namespace';
import { requirePinnedImage } from './image';
import { AppSecret, SecretStore } from './secrets';
import { SyncedSecret } from './synced-secret';

/** Props for {@link ReplicationHeartbeat}. */
export interface ReplicationHeartbeatProps {
  /**
   * The cluster's contract: a cluster of a DR pair (`databaseRole` set, either role); the heartbeat is written through
   * the direct address of its connection entry (`DATABASE_DIRECT_URL`), as the migration is.
   */
  readonly platform: PlatformContract;
  /** How often a heartbeat is written: the resolution of the replica's measured lag. @default Duration.seconds(10) */
  readonly interval?: Duration;
  /** PostgreSQL client image (psql), pinned. @default 'postgres:17.6-alpine' */
  readonly image?: string;
  /** @default SecretStore.cluster('aws-secrets-manager') */
  readonly secretStore?: SecretStore;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

const BEAT_DIR = '/run/heartbeat';
const BEAT = `${BEAT_DIR}/beat`;

/** The probes' check: a heartbeat was written within `seconds`. @internal */
export function _heartbeatProbe(seconds: number): string[] {
  return ['/bin/sh', '-c', `test $(( $(date +%s) - $(stat -c %Y ${BEAT}) )) -le ${seconds}`];
}

const POD: AppFootprint = { pods: 1, cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMiB: 16, memoryLimitMiB: 64 };

/** The writer's shell: creates the table, then upserts `now()` every interval, in one session. @internal */
export function _heartbeatScript(intervalSeconds: number): string {
  const t = REPLICATION_HEARTBEAT.table;
  return [
    // One session fed line by line through a pipe (psql reads a non-interactive stdin a line at a time). An error
    // stops psql (ON_ERROR_STOP; a lost connection ends a non-interactive psql with status 2), so the pipeline and
    // the container end: the kubelet restarts it with the Secret's current value (after a failover, the new
    // primary's address). https://www.postgresql.org/docs/17/app-psql.html (exit status, ON_ERROR_STOP)
    `{ echo 'CREATE TABLE IF NOT EXISTS ${t} (id integer PRIMARY KEY CHECK (id = 1), ts timestamptz NOT NULL);'`,
    // The replica's monitor logs in as the replica's admin role, not the apps' role: a timestamp is no secret.
    `echo 'GRANT SELECT ON ${t} TO PUBLIC;'`,
    // After each write that succeeded, the probes' file is touched (psql runs \\! only past a successful INSERT).
    `while :; do echo 'INSERT INTO ${t} (id, ts) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts;'; echo '\\! touch ${BEAT}'; sleep ${intervalSeconds}; done; }`,
    '| psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL"',
  ]
    .join('; ')
    .replace('; |', ' |');
}

/**
 * The heartbeat of a DR pair's database: a one-row table (`REPLICATION_HEARTBEAT.table`) whose `ts` is set to `now()`
 * every `interval` on the writer, so the replica's `ReplicationLagMonitor` can say how old the newest write it has
 * replayed is, on an idle primary too. The table is created by the writer itself (`CREATE TABLE IF NOT EXISTS`, as the
 * apps' role, the one migrations run as: it owns it), so it works with any team's migrations; that role must be
 * allowed to create tables in `public`.
 *
 * Deploy it in both clusters of the pair: each writes into the database its connection entry names (the same row:
 * two writers of `now()` agree). Only one cluster is needed while both are healthy, but after a failover the promoted
 * writer trusts the secondary cluster alone, and fail-back waits for a heartbeat written into it: the old primary's
 * cluster could not deliver one. The failover scripts never scale it down (it writes nothing but its row) and restart
 * it with the apps when they repoint the entries.
 */
export class ReplicationHeartbeat extends Construct {
  /** What the writer adds to its namespace's quota. */
  public readonly footprint: AppFootprint = POD;

  constructor(scope: Construct, id: string, props: ReplicationHeartbeatProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    requireLabels(path, 'labels', props.labels);
    if (props.platform.databaseRole === undefined) {
      throw invalidProp(
        path,
        'platform.databaseRole',
        undefined,
        "is not set: the heartbeat is written by the clusters of a DR pair (role 'primary' or 'secondary'), into the writer their connection entry names",
      );
    }
    const namespace = requireDnsLabel(path, 'platform.namespace', props.platform.namespace);
    const image = requirePinnedImage(path, 'image', props.image ?? 'postgres:17.6-alpine');
    const interval = (props.interval ?? Duration.seconds(10))._requirePositive(path, 'interval');
    if (!Number.isInteger(interval.totalSeconds) || interval.totalSeconds > 60) {
      throw invalidProp(path, 'interval', interval.toString(), 'must be a whole number of seconds from 1 to 60');
    }
    const stale = Math.max(3 * interval.totalSeconds, 30);
    const postgres = props.platform.dataTier.filter((t) => t.name === 'postgres');
    if (postgres.length === 0) {
      throw invalidProp(
        path,
        'platform.dataTier',
        props.platform.dataTier.map((t) => t.name),
        "has no 'postgres' tier to reach the primary on",
      );
    }
    const name = REPLICATION_HEARTBEAT.writer;
    const selector = { 'app.kubernetes.io/name': name };
    const labels = {
      ...props.labels,
      ...selector,
      'app.kubernetes.io/component': 'monitoring',
      'app.kubernetes.io/managed-by': 'samokoder-infra',
    };
    const meta = { name, namespace, labels };
    // Only the two keys it needs: the direct address, and the host failback.sh and failover.sh wait for in every
    // Secret made from the entry.
    const entry = props.platform.connectionSecretName;
    const connection = new SyncedSecret(this, 'Connection', {
      name,
      namespace,
      store: props.secretStore,
      secrets: [AppSecret.fromStore('DATABASE_DIRECT_URL', entry), AppSecret.fromStore('DATABASE_HOST', entry)],
      labels,
    });

    _apiObject<IServiceAccount>(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      automountServiceAccountToken: false,
    });
    _apiObject<IDeployment>(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 1,
        // Never two writers of the one row with different addresses during a rollout.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'heartbeat',
                image,
                command: ['/bin/sh', '-c', _heartbeatScript(interval.totalSeconds)],
                env: [
                  { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: connection.secretName, key: 'DATABASE_DIRECT_URL' } } },
                  { name: 'PGCONNECT_TIMEOUT', value: '10' },
                  { name: 'PGAPPNAME', value: name },
                ],
                // Ready and alive while writes succeed: no write for three intervals (at least 30 s) restarts it.
                readinessProbe: { exec: { command: _heartbeatProbe(stale) }, periodSeconds: 10, timeoutSeconds: 5 },
                livenessProbe: {
                  exec: { command: _heartbeatProbe(stale) },
                  initialDelaySeconds: 30,
                  periodSeconds: 10,
                  timeoutSeconds: 5,
                  failureThreshold: 3,
                },
                ..._restrictedContainer(POD),
                volumeMounts: [{ name: 'beat', mountPath: BEAT_DIR }],
              },
            ],
            volumes: [{ name: 'beat', emptyDir: { sizeLimit: '1Mi' } }],
          },
        },
      },
    });
    // Nothing calls it.
    _apiObject<INetworkPolicy>(this, 'Ingress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { ...meta, name: `${name}-deny-ingress` },
      spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'] },
    });
    _apiObject<INetworkPolicy>(this, 'Egress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { ...meta, name: `${name}-allow-egress` },
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ['Egress'],
        egress: [
          _dnsEgressRule(),
          ...postgres.flatMap((t) =>
            t.cidrs.map((cidr) => ({ to: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP' as const, port: t.port }] })),
          ),
        ],
      },
    });
  }
}
