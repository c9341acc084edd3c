import { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Chart } from 'cdk8s';
import { PlatformContract } from '../common/contract';
import { DATABASE_DUMP_PREFIX, DATABASE_DUMP_SERVICE_ACCOUNT, DATABASE_DUMP_USER, quoteIdentifier } from '../common/database-bootstrap';
import { Duration } from '../common/duration';
import { invalidProp } from '../common/errors';
import { _AllKeys, _checkProps } from '../common/props';
import { _freeId, requireDnsLabel, requireLabels, requirePrometheusSelector } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { AppFootprint } from './app-namespace';
import { AppNetworkPolicies } from './app-network-policies';
import { DEFAULT_AWS_CLI_IMAGE, DEFAULT_PSQL_IMAGE } from './database-bootstrap';
import { Dependency } from './dependency';
import { requirePinnedImage } from './image';
import { _cronScheduleEvery } from './private/cron';
import { _restrictedContainer, _runbookLinks } from './private/restricted-container';
import { _SPACES_DUMP_KEYS, _spacesDumpPod } from './private/spaces-dump';
import { AppSecret, SecretStore } from './secrets';
import { SyncedSecret } from './synced-secret';
import { _cronJobLateExpr } from './private/cronjob-late';

/** Props for {@link DatabaseDump}. */
export interface DatabaseDumpProps {
  /**
   * The cluster's contract: `databaseBootstrap` (the database and the app's schema to dump), the namespace, the region,
   * the connection entry (host, port, backups bucket) and the data tier: `SamokoderStack`'s. On DigitalOcean
   * (`cloud: 'digitalocean'`), `databaseDump` instead: `MultiRegionDR`'s primary contract, where the writer is.
   */
  readonly platform: PlatformContract;
  /**
   * How often a dump is made: whole minutes dividing an hour or hours dividing a day (a cron schedule repeats evenly).
   * The alert fires when the last successful dump is older than twice this.
   * @default Duration.hours(24) (on DigitalOcean: the contract's `databaseDump.intervalSeconds`)
   */
  readonly interval?: Duration;
  /**
   * Room for one dump on the node: the `emptyDir`'s size limit and the dump container's ephemeral-storage request (a
   * node's disk holds it beside its images: `nodeGroup.diskSizeGiB`, 50 by default). Whole Mi, Gi or Ti.
   * @default '10Gi'
   */
  readonly storage?: string;
  /** An image with `pg_dump` no older than the server's major, pinned. @default DEFAULT_PSQL_IMAGE (pg_dump 18) */
  readonly image?: string;
  /** An image with the AWS CLI v2 and `curl`, pinned. @default DEFAULT_AWS_CLI_IMAGE */
  readonly awsCliImage?: string;
  /** @default SecretStore.cluster('aws-secrets-manager') */
  readonly secretStore?: SecretStore;
  /** Labels the platform's Prometheus selects rules by. @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelector?: Record<string, string>;
  /** Base URL of the runbooks; the alert links to `<base>/DatabaseDumpLate`. @default - no link */
  readonly runbookBaseUrl?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
}
const DATABASE_DUMP_PROPS = [
  'platform',
  'interval',
  'storage',
  'image',
  'awsCliImage',
  'secretStore',
  'prometheusSelector',
  'runbookBaseUrl',
  'labels',
] as const;

const NAME = 'database-dump';
/** The AWS CLI (Python) and pg_dump each need the memory; one container runs at a time. */
const POD: AppFootprint = { pods: 1, cpuRequestMillis: 100, cpuLimitMillis: 500, memoryRequestMiB: 256, memoryLimitMiB: 512 };
const RUN = '/run/database-dump';
const DUMP = '/var/lib/database-dump';
const UID = 10001;

/**
 * The RDS certificate bundle of the region (pg_dump then verifies the server, `sslmode=verify-full`), an IAM
 * authentication token for the dump's role (valid 15 minutes: pg_dump connects once, right after; RDS user guide,
 * "Connecting to your DB instance using IAM authentication and the AWS CLI"), and the dump's UTC time.
 */
const TOKEN_SCRIPT = `set -eu
umask 077
curl --fail --silent --show-error --proto '=https' --output ${RUN}/rds-ca.pem "https://truststore.pki.rds.amazonaws.com/$AWS_REGION/$AWS_REGION-bundle.pem"
aws rds generate-db-auth-token --hostname "$PGHOST" --port "$PGPORT" --username "$PGUSER" --region "$AWS_REGION" >${RUN}/token
date -u +%Y-%m-%dT%H%M%SZ >${RUN}/time
`;
/**
 * The app's schema in pg_dump's custom format (compressed, restorable table by table with pg_restore), without owners
 * or grants (a restore recreates them with the bootstrap); `--strict-names` fails when the schema is missing rather
 * than writing an empty dump; the wait for a lock is bounded, so a migration holding one fails the dump, visibly.
 */
const DUMP_SCRIPT = `set -eu
PGPASSWORD="$(cat ${RUN}/token)"
export PGPASSWORD
exec pg_dump --format=custom --no-owner --no-privileges --strict-names --lock-wait-timeout=5min --schema="$DUMP_SCHEMA" --file=${DUMP}/database.dump
`;
/** Uploads the dump (the bucket's default encryption applies; the role may only put objects under the prefix). */
const UPLOAD_SCRIPT = `set -eu
key="$DUMP_PREFIX$(cat ${RUN}/time).dump"
aws s3 cp --only-show-errors ${DUMP}/database.dump "s3://$BACKUPS_BUCKET/$key"
echo "uploaded s3://$BACKUPS_BUCKET/$key ($(wc -c <${DUMP}/database.dump) bytes)"
`;

/**
 * The scheduled logical dump of the application database to versioned object storage: a last-resort copy that does
 * not depend on RDS (a snapshot restores an instance; a dump restores into any PostgreSQL). Put it where the writer
 * is: in the namespace of a cluster whose contract is `SamokoderStack`'s (it needs `databaseBootstrap`).
 *
 * A CronJob runs as `database-dump`, whose Pod Identity (made by `SamokoderStack`) may log in as the read-only role
 * `database_dump` (made by the database bootstrap) and put objects under `postgres/` of the backups bucket, nothing
 * else. Three containers in turn: an IAM token and the RDS certificate bundle into a memory volume, `pg_dump` of the
 * app's schema over verified TLS, the upload to `s3://<backups bucket>/postgres/<database>/<UTC time>.dump`. The bucket
 * is versioned, SSE-KMS, and keeps objects as its lifecycle says (Glacier after 30 days, expired after 365), copied to
 * the recovery region with the rest of it when `recovery` is on.
 *
 * On DigitalOcean (a contract with `cloud: 'digitalocean'` and `databaseDump`: `MultiRegionDR`'s primary), two
 * containers: `pg_dump` of the database over the entry's `DATABASE_DIRECT_URL` (never the pool), and the upload to
 * `s3://<region's files bucket>/postgres/<database>/database.dump` on the Spaces endpoint with the region's
 * bucket-limited key, both from the connection entry by reference (see `private/spaces-dump.ts`). One key: the
 * versioned bucket keeps each earlier dump as a noncurrent version for its noncurrent rule's 90 days.
 *
 * `DatabaseDumpLate` (warning) fires when the last successful dump is older than twice the interval, or when none has
 * succeeded that long after the CronJob was created (kube-state-metrics `kube_cronjob_status_last_successful_time`,
 * STABLE in kube-state-metrics 2.x; the pinned chart 8.0.0 ships 2.19.1 with the `cronjobs` collector on).
 */
export class DatabaseDump extends Construct {
  /** What the dump adds to its namespace's quota while it runs. */
  public readonly footprint: AppFootprint = POD;
  /** The CronJob's schedule. */
  public readonly schedule: string;

  constructor(scope: Construct, id: string, props: DatabaseDumpProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    _checkProps<_AllKeys<DatabaseDumpProps, typeof DATABASE_DUMP_PROPS>>(path, 'DatabaseDump', props, DATABASE_DUMP_PROPS, ['platform']);
    requireLabels(path, 'labels', props.labels);
    const platform = props.platform;
    const spec = platform.databaseBootstrap;
    const spaces = platform.cloud === 'digitalocean' ? platform.databaseDump : undefined;
    if (platform.cloud === 'digitalocean') {
      if (!spaces) {
        throw invalidProp(
          path,
          'platform.databaseDump',
          undefined,
          "is not set: on DigitalOcean the cluster where the writer is dumps (MultiRegionDR's primary contract has it)",
        );
      }
      if (platform.databaseRole === 'secondary') {
        throw invalidProp(
          path,
          'platform.databaseRole',
          platform.databaseRole,
          "must be 'primary' for a dump: a secondary's database is the read-only replica; the writer's cluster dumps",
        );
      }
    } else if (!spec) {
      throw invalidProp(
        path,
        'platform.databaseBootstrap',
        undefined,
        "is not set: the dump logs in with the read-only role the database bootstrap makes, which only SamokoderStack's contract has",
      );
    }
    // In the contract's namespace (its identity is bound there): a chart of that namespace, or one without any (every
    // object then names it, as beside the namespace object).
    const namespace = requireDnsLabel(path, 'platform.namespace', platform.namespace);
    const chartNamespace = Chart.of(this).namespace;
    if (chartNamespace !== undefined && chartNamespace !== namespace) {
      throw invalidProp(
        path,
        'platform.namespace',
        namespace,
        `must be the namespace of the chart the dump is in ("${chartNamespace}"): its service account's cloud identity is bound there`,
      );
    }
    const postgres = platform.dataTier.filter((t) => t.name === 'postgres');
    if (postgres.length === 0) {
      const tiers = platform.dataTier.map((t) => t.name);
      throw invalidProp(path, 'platform.dataTier', tiers, "has no 'postgres' tier: the dump would have no route to the database");
    }
    const interval = (props.interval ?? Duration.seconds(spaces?.intervalSeconds ?? 86400))._requirePositive(path, 'interval');
    if (spaces && !/^([a-z0-9-]+\/)+$/.test(spaces.prefix)) {
      throw invalidProp(
        path,
        'platform.databaseDump.prefix',
        spaces.prefix,
        "must be a key prefix: lowercase path segments ending in '/' ('postgres/')",
      );
    }
    const database = spaces?.database ?? spec!.database;
    const prefix = `${spaces?.prefix ?? DATABASE_DUMP_PREFIX}${database}/`;
    this.schedule = _cronScheduleEvery(interval.totalSeconds, (rule) => invalidProp(path, 'interval', interval.toString(), rule));
    const storage = props.storage ?? '10Gi';
    if (!/^[1-9]\d*(Mi|Gi|Ti)$/.test(storage)) {
      throw invalidProp(path, 'storage', storage, "must be a whole number of Mi, Gi or Ti ('20Gi'): the room for one dump");
    }
    const image = requirePinnedImage(path, 'image', props.image ?? DEFAULT_PSQL_IMAGE);
    const awsCliImage = requirePinnedImage(path, 'awsCliImage', props.awsCliImage ?? DEFAULT_AWS_CLI_IMAGE);
    const selector = requirePrometheusSelector(
      path,
      'prometheusSelector',
      props.prometheusSelector ?? { release: 'kube-prometheus-stack' },
    );
    const runbook = _runbookLinks(props.runbookBaseUrl, (v) => invalidProp(path, 'runbookBaseUrl', v, 'must be an https:// URL'));

    const podSelector = { 'app.kubernetes.io/name': NAME };
    const labels = {
      ...props.labels,
      ...podSelector,
      'app.kubernetes.io/component': 'database-dump',
      'app.kubernetes.io/managed-by': 'samokoder-infra',
    };
    _apiObject<IServiceAccount>(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: DATABASE_DUMP_SERVICE_ACCOUNT, namespace, labels },
      automountServiceAccountToken: false,
    });
    const connection = new SyncedSecret(this, 'Connection', {
      name: NAME,
      namespace,
      store: props.secretStore,
      secrets: (spaces ? _SPACES_DUMP_KEYS : ['DATABASE_HOST', 'DATABASE_PORT', 'BACKUPS_BUCKET']).map((k) =>
        AppSecret.fromStore(k, platform.connectionSecretName, k),
      ),
      labels,
    });
    _apiObject<INetworkPolicy>(this, 'DenyIngress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${NAME}-deny-ingress`, namespace, labels },
      spec: { podSelector: { matchLabels: podSelector }, policyTypes: ['Ingress'] },
    });
    // Egress: DNS, the Pod Identity agent (AWS), HTTPS (S3 or Spaces, the RDS certificate bundle) and the database.
    new AppNetworkPolicies(this, 'Network', {
      name: NAME,
      namespace,
      podLabels: podSelector,
      port: 5432,
      dependencies: [
        ...(spaces ? [] : [Dependency.podIdentityAgent()]),
        Dependency.internetHttps(),
        ...Dependency.dataTier({ dataTier: postgres }),
      ],
      labels,
    });

    const fromConnection = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: connection.secretName, key } } });
    const container = { ..._restrictedContainer(POD), imagePullPolicy: 'IfNotPresent' as const };
    const secure = {
      ...container.securityContext,
      runAsNonRoot: true,
      runAsUser: UID,
      runAsGroup: UID,
      seccompProfile: { type: 'RuntimeDefault' as const },
    };
    const pg = [
      fromConnection('PGHOST', 'DATABASE_HOST'),
      fromConnection('PGPORT', 'DATABASE_PORT'),
      { name: 'PGUSER', value: DATABASE_DUMP_USER },
    ];
    const aws = [
      { name: 'AWS_REGION', value: platform.region },
      { name: 'HOME', value: '/tmp' },
    ];
    const tmp = { name: 'tmp', mountPath: '/tmp' };
    const parts = spaces
      ? _spacesDumpPod({ image, awsCliImage, container, securityContext: secure, storage, prefix, dumpDir: DUMP, fromConnection })
      : {
          initContainers: [
            {
              name: 'token',
              image: awsCliImage,
              command: ['/bin/sh', '-c', TOKEN_SCRIPT],
              env: [...pg, ...aws],
              ...container,
              securityContext: secure,
              volumeMounts: [{ name: 'credentials', mountPath: RUN }, tmp],
            },
            {
              name: 'pg-dump',
              image,
              command: ['/bin/sh', '-c', DUMP_SCRIPT],
              env: [
                ...pg,
                { name: 'PGDATABASE', value: database },
                { name: 'PGSSLMODE', value: 'verify-full' },
                { name: 'PGSSLROOTCERT', value: `${RUN}/rds-ca.pem` },
                { name: 'PGAPPNAME', value: NAME },
                { name: 'PGCONNECT_TIMEOUT', value: '10' },
                // A pattern for pg_dump: quoted, so the schema named after the app's role is taken as written.
                { name: 'DUMP_SCHEMA', value: quoteIdentifier(spec!.user) },
                { name: 'HOME', value: '/tmp' },
              ],
              ...container,
              // The scheduler places it on a node with room for the dump (the emptyDir counts as the pod's).
              resources: { ...container.resources, requests: { ...container.resources.requests, 'ephemeral-storage': storage } },
              securityContext: secure,
              volumeMounts: [{ name: 'credentials', mountPath: RUN, readOnly: true }, { name: 'dump', mountPath: DUMP }, tmp],
            },
          ],
          containers: [
            {
              name: 'upload',
              image: awsCliImage,
              command: ['/bin/sh', '-c', UPLOAD_SCRIPT],
              env: [...aws, fromConnection('BACKUPS_BUCKET', 'BACKUPS_BUCKET'), { name: 'DUMP_PREFIX', value: prefix }],
              ...container,
              securityContext: secure,
              volumeMounts: [
                { name: 'credentials', mountPath: RUN, readOnly: true },
                { name: 'dump', mountPath: DUMP, readOnly: true },
                tmp,
              ],
            },
          ],
          volumes: [
            { name: 'credentials', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
            { name: 'dump', emptyDir: { sizeLimit: storage } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        };
    _apiObject<ICronJob>(this, 'CronJob', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: NAME, namespace, labels },
      spec: {
        schedule: this.schedule,
        timeZone: 'Etc/UTC',
        // One dump at a time; one that could not start within the interval is skipped (the alert sees it).
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: Math.min(interval.totalSeconds, 3600),
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: Math.max(Math.min(interval.totalSeconds, 6 * 3600), 1800),
            ttlSecondsAfterFinished: 86400,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                serviceAccountName: DATABASE_DUMP_SERVICE_ACCOUNT,
                automountServiceAccountToken: false,
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: UID,
                  runAsGroup: UID,
                  fsGroup: UID,
                  seccompProfile: { type: 'RuntimeDefault' },
                },
                ...parts,
              },
            },
          },
        },
      },
    });

    const late = 2 * interval.totalSeconds;
    const [what, where] = spaces
      ? [`the ${database} database`, "the region's files bucket (earlier dumps kept 90 days as versions)"]
      : [`schema ${spec!.user} of ${database}`, 'the backups bucket'];
    _apiObject<IPrometheusRule>(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: NAME, namespace, labels: { ...labels, ...selector } },
      spec: {
        groups: [
          {
            name: `${namespace}-database-dump`,
            rules: [
              {
                // Late, or never succeeded since the CronJob was created more than two intervals ago.
                alert: 'DatabaseDumpLate',
                expr: _cronJobLateExpr(namespace, NAME, late),
                for: '10m',
                labels: { severity: 'warning', namespace },
                annotations: {
                  summary: `No dump of the ${database} database has succeeded for more than ${Duration.seconds(late).toString()}: the last-resort copy is getting old`,
                  description: `The CronJob ${NAME} in ${namespace} dumps ${what} every ${interval.toString()} to ${where} under ${prefix}; see its last Jobs' logs (kubectl -n ${namespace} logs job/<name> --all-containers).`,
                  ...runbook('DatabaseDumpLate'),
                },
              },
            ],
          },
        ],
      },
    });
  }
}
