import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PlatformContract } from '../common/contract';
import { databaseBootstrapSql, DATABASE_MASTER_SECRET_KEY } from '../common/database-bootstrap';
import { invalidProp } from '../common/errors';
import { _Registry } from '../common/registry';
import { _freeId, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { AppFootprint } from './app-namespace';
import { AppNetworkPolicies } from './app-network-policies';
import { Dependency } from './dependency';
import { requirePinnedImage } from './image';
import { _restrictedContainer } from './private/restricted-container';
import { AppSecret, SecretStore } from './secrets';
import { SyncedSecret } from './synced-secret';

/** Props for {@link DatabaseBootstrap}. */
export interface DatabaseBootstrapProps {
  /** The cluster's contract: `databaseBootstrap` (role, database, service account), the namespace, region and data tier. */
  readonly platform: PlatformContract;
  /** An image with `psql` (any PostgreSQL client from 13), pinned. @default DEFAULT_PSQL_IMAGE */
  readonly image?: string;
  /** An image with the AWS CLI v2, `jq` and `curl`, pinned. @default DEFAULT_AWS_CLI_IMAGE */
  readonly awsCliImage?: string;
  /** @default SecretStore.cluster('aws-secrets-manager') */
  readonly secretStore?: SecretStore;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

/** psql 18 (it speaks to servers from 9.2, so to every RDS major the library allows). */
export const DEFAULT_PSQL_IMAGE = 'postgres:18.1-alpine';
/**
 * AWS CLI 2.36.7: from 2.27.60 the image is Amazon Linux 2023 with `jq` added (aws/aws-cli@2.36.7:docker/Dockerfile,
 * "Add extra utilities to Docker image", #9600); `curl` comes with the base image (curl-minimal).
 */
export const DEFAULT_AWS_CLI_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.36.7';

const NAME = 'database-bootstrap';
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Both containers; the AWS CLI (Python) needs the memory. */
const POD: AppFootprint = { pods: 1, cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 };
const RUN = '/run/database-bootstrap';
const UID = 10001;

/**
 * Reads the master credentials into memory for psql: the RDS certificate bundle of the region (libpq then verifies
 * the server: `sslmode=verify-full`; https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html),
 * the master secret by its ARN, and from it a password file (libpq's `.pgpass`: `:` and `\` escaped with `\`;
 * https://www.postgresql.org/docs/current/libpq-pgpass.html) readable by this user only. The secret's JSON is removed.
 */
const FETCH_SCRIPT = `set -eu
umask 077
curl --fail --silent --show-error --proto '=https' --output ${RUN}/rds-ca.pem "https://truststore.pki.rds.amazonaws.com/$AWS_REGION/$AWS_REGION-bundle.pem"
aws secretsmanager get-secret-value --secret-id "$${DATABASE_MASTER_SECRET_KEY}" --query SecretString --output text >${RUN}/master.json
jq --join-output '.username' ${RUN}/master.json >${RUN}/user
jq --join-output '"*:*:*:" + ([.username, .password] | map(gsub("\\\\\\\\"; "\\\\\\\\") | gsub(":"; "\\\\:")) | join(":")) + "\\n"' ${RUN}/master.json >${RUN}/pgpass
rm -f ${RUN}/master.json
`;
const PSQL_SCRIPT = `set -eu
PGUSER="$(cat ${RUN}/user)"
export PGUSER
exec psql --no-psqlrc --set=ON_ERROR_STOP=1 --single-transaction --file=/etc/${NAME}/bootstrap.sql
`;

/**
 * Creates the PostgreSQL role the apps and their migration log in as, on a database where only the master user
 * exists (RDS with IAM authentication): an Argo CD `Sync` hook in wave -2, before a migration (wave -1) in the same
 * Application, after its own service account, secret, SQL and network policies (wave -3). `ProductionApp` adds it
 * when it migrates and its contract has `databaseBootstrap`.
 *
 * The Job runs as the contract's `databaseBootstrap.serviceAccount`, whose Pod Identity (made by `SamokoderStack`)
 * may read only the RDS-managed master secret. An init container reads that secret by its ARN (from the connection
 * entry, through External Secrets) into a memory volume, and psql runs {@link databaseBootstrapSql} in one
 * transaction, over TLS with the server's certificate verified. No credential is written to the manifests or to a
 * Kubernetes Secret. Egress: DNS, the Pod Identity agent, HTTPS (Secrets Manager, the RDS certificate bundle) and
 * the database's subnets on its port.
 */
export class DatabaseBootstrap extends Construct {
  /** The hook Job. */
  public readonly job: ApiObject;
  /** What the Job adds to its namespace's quota while it runs (it completes before the migration starts). */
  public readonly footprint: AppFootprint = POD;

  constructor(scope: Construct, id: string, props: DatabaseBootstrapProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    requireLabels(path, 'labels', props.labels);
    const spec = props.platform.databaseBootstrap;
    if (!spec) {
      throw invalidProp(
        path,
        'platform.databaseBootstrap',
        undefined,
        "is not set: this platform's stack creates the database role itself (only SamokoderStack's contract asks for a bootstrap)",
      );
    }
    const namespace = Chart.of(this).namespace;
    if (namespace !== props.platform.namespace) {
      throw invalidProp(
        path,
        'platform.namespace',
        props.platform.namespace,
        `must be the namespace of the chart the bootstrap is in ("${namespace ?? ''}"): its service account's cloud identity is bound there`,
      );
    }
    // One per namespace (a registry on the root: no walk of the tree): a second would own the same objects.
    const bootstraps = _Registry.of<DatabaseBootstrap>(this, 'DatabaseBootstrap');
    const twin = bootstraps.get(namespace);
    if (twin) {
      throw invalidProp(
        path,
        'platform.databaseBootstrap.user',
        spec.user,
        `is already created in namespace "${namespace}" by ${twin.node.path}: one bootstrap per namespace (its service account and Job would collide); let one app of the namespace migrate`,
      );
    }
    const postgres = props.platform.dataTier.filter((t) => t.name === 'postgres');
    if (postgres.length === 0) {
      const tiers = props.platform.dataTier.map((t) => t.name);
      throw invalidProp(path, 'platform.dataTier', tiers, "has no 'postgres' tier: the bootstrap would have no route to the database");
    }
    const image = requirePinnedImage(path, 'image', props.image ?? DEFAULT_PSQL_IMAGE);
    const awsCliImage = requirePinnedImage(path, 'awsCliImage', props.awsCliImage ?? DEFAULT_AWS_CLI_IMAGE);
    const selector = { 'app.kubernetes.io/name': NAME };
    const labels = {
      ...props.labels,
      ...selector,
      'app.kubernetes.io/component': 'database-bootstrap',
      'app.kubernetes.io/managed-by': 'samokoder-infra',
    };
    // Wave -3: what the Job needs exists (and the ExternalSecret has synced) before it starts.
    const before = { [SYNC_WAVE]: '-3' };
    _apiObject<IServiceAccount>(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: spec.serviceAccount, labels, annotations: before },
      automountServiceAccountToken: false,
    });
    const connection = new SyncedSecret(this, 'Connection', {
      name: NAME,
      store: props.secretStore,
      secrets: ['DATABASE_HOST', 'DATABASE_PORT', DATABASE_MASTER_SECRET_KEY].map((k) =>
        AppSecret.fromStore(k, props.platform.connectionSecretName, k),
      ),
      labels,
    });
    _apiObject<IConfigMap>(this, 'Sql', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: NAME, labels, annotations: before },
      data: { 'bootstrap.sql': databaseBootstrapSql(spec.user, spec.database) },
    });
    // Nothing calls it: no ingress at all (the namespace's default deny says so too, where AppNamespace made it).
    _apiObject<INetworkPolicy>(this, 'DenyIngress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: `${NAME}-deny-ingress`, labels, annotations: before },
      spec: { podSelector: { matchLabels: selector }, policyTypes: ['Ingress'] },
    });
    const policies = new AppNetworkPolicies(this, 'Network', {
      name: NAME,
      podLabels: selector,
      port: 5432,
      dependencies: [Dependency.podIdentityAgent(), Dependency.internetHttps(), ...Dependency.dataTier({ dataTier: postgres })],
      labels,
    });
    for (const o of [...connection.node.findAll(), ...policies.node.findAll()]) {
      if (o instanceof ApiObject) o.metadata.addAnnotation(SYNC_WAVE, '-3');
    }

    const fromConnection = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: connection.secretName, key } } });
    const container = {
      ..._restrictedContainer(POD),
      imagePullPolicy: 'IfNotPresent' as const,
    };
    const secure = {
      ...container.securityContext,
      runAsNonRoot: true,
      runAsUser: UID,
      runAsGroup: UID,
      seccompProfile: { type: 'RuntimeDefault' as const },
    };
    bootstraps.add(this, namespace);
    this.job = _apiObject<IJob>(this, 'Job', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: NAME,
        labels,
        annotations: {
          // A hook, re-run on every sync (idempotent), in the Sync phase for the reason AppMigration gives.
          'argocd.argoproj.io/hook': 'Sync',
          [SYNC_WAVE]: '-2',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        },
      },
      spec: {
        // Retries cover a database still starting and a Pod Identity association not yet propagated.
        backoffLimit: 4,
        activeDeadlineSeconds: 600,
        ttlSecondsAfterFinished: 86400,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: spec.serviceAccount,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: UID,
              runAsGroup: UID,
              fsGroup: UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            initContainers: [
              {
                name: 'read-master-secret',
                image: awsCliImage,
                command: ['/bin/sh', '-c', FETCH_SCRIPT],
                env: [
                  { name: 'AWS_REGION', value: props.platform.region },
                  { name: 'HOME', value: '/tmp' },
                  fromConnection(DATABASE_MASTER_SECRET_KEY, DATABASE_MASTER_SECRET_KEY),
                ],
                ...container,
                securityContext: secure,
                volumeMounts: [
                  { name: 'credentials', mountPath: RUN },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            containers: [
              {
                name: 'psql',
                image,
                command: ['/bin/sh', '-c', PSQL_SCRIPT],
                env: [
                  fromConnection('PGHOST', 'DATABASE_HOST'),
                  fromConnection('PGPORT', 'DATABASE_PORT'),
                  { name: 'PGDATABASE', value: spec.database },
                  { name: 'PGSSLMODE', value: 'verify-full' },
                  { name: 'PGSSLROOTCERT', value: `${RUN}/rds-ca.pem` },
                  { name: 'PGPASSFILE', value: `${RUN}/pgpass` },
                  { name: 'PGAPPNAME', value: NAME },
                  { name: 'PGCONNECT_TIMEOUT', value: '10' },
                  { name: 'HOME', value: '/tmp' },
                ],
                ...container,
                securityContext: secure,
                volumeMounts: [
                  { name: 'credentials', mountPath: RUN, readOnly: true },
                  { name: 'sql', mountPath: `/etc/${NAME}`, readOnly: true },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [
              // In memory: the password file never reaches a node's disk.
              { name: 'credentials', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
              { name: 'sql', configMap: { name: NAME } },
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
    });
  }
}
