import { invalidProp } from '../common/errors';
import { isUnresolved, requireDnsLabel } from '../common/validate';
// The props of SamokoderStack (re-exported by samokoder-stack.ts, the public surface), apart from the construct.
import { CostAllocationTags } from '../common/tags';
import { AlarmSubscription } from './alarms';
import { ArgoCdHubAccess } from './argocd-access';
import { PostgresVersion } from './database';
import { EndpointAccess, NodeGroupOptions } from './eks-cluster';
import { EksKubernetesVersion } from './eks-version';
import { EnvironmentProfile } from './environment-profile';
import { NatGateways } from './network';
import { AwsRegion } from './region';
import { RecoveryOptions } from './recovery-copies';
import { RemoteStateOptions } from './remote-state';

/** The cloud identity of one Kubernetes service account of the application. */
export interface AppIdentity {
  /** Service account name, e.g. `api`. */
  readonly serviceAccount: string;
  /** Whether the pods read and write the files bucket. @default false */
  readonly filesBucketAccess?: boolean;
}

/** Props for {@link SamokoderStack}. */
export interface SamokoderStackProps {
  /**
   * Environment name (a DNS label), e.g. `production`. Used in every resource name and the state key, so a name
   * outside `KNOWN_ENVIRONMENTS` must be declared with `unlistedEnvironment`; `tags.environment` must name it too.
   */
  readonly environment: string;
  /**
   * `environment` is not one of `KNOWN_ENVIRONMENTS` (`eu-prod-2`) and is meant: without this it is refused as a
   * probable typo (`prodution` would rename every resource and move the state).
   * @default false
   */
  readonly unlistedEnvironment?: boolean;
  /**
   * The team's project: prefixes every name, including the globally unique ones (buckets) and the state key.
   * @default - the stack id without its `-<environment>` suffix (`billing-staging` → `billing`)
   */
  readonly project?: string;
  readonly region: AwsRegion;
  /** Cost-allocation tags written as provider default tags on every taggable resource. */
  readonly tags: CostAllocationTags;
  /** Remote state location (S3, encrypted, locked with a lock file). */
  readonly remoteState: RemoteStateOptions;
  /** @default EnvironmentProfile.PRODUCTION */
  readonly profile?: EnvironmentProfile;
  /** VPC CIDR. @default '10.0.0.0/16' */
  readonly vpcCidr?: string;
  /** Ranges the VPC must not overlap (other environments, peered VPCs, VPN). @default [] */
  readonly avoidCidrs?: string[];
  /** Availability zones. @default 3 */
  readonly azCount?: number;
  /** @default - from the profile */
  readonly natGateways?: NatGateways;
  /** @default EksKubernetesVersion.DEFAULT */
  readonly kubernetesVersion?: EksKubernetesVersion;
  /** @default - today */
  readonly supportCheckDate?: string;
  /** @default EndpointAccess.PRIVATE */
  readonly endpointAccess?: EndpointAccess;
  /** @default - from the profile */
  readonly nodeGroup?: NodeGroupOptions;
  /** Cluster admins (IAM role ARNs). @default - the creating identity (bootstrap) */
  readonly adminPrincipalArns?: string[];
  /** @default PostgresVersion.V17 */
  readonly postgresVersion?: PostgresVersion;
  /** @default - from the profile */
  readonly databaseInstanceClass?: string;
  /**
   * Name of the application database. A stateful name: changing it on a deployed stack replaces the database.
   * @default - the project, with `-` as `_`
   */
  readonly databaseName?: string;
  /**
   * The RDS master user name (its password stays in Secrets Manager, managed by RDS). A stateful name: RDS cannot
   * rename it, so a change replaces the instance. A stack first applied with a library before 2026-12 (commit 3aa68bc)
   * got `samokoder_admin`: set that here to keep it.
   * @default - the database name cut to 10 characters, plus `_admin`
   */
  readonly databaseMasterUsername?: string;
  /** @default 14 */
  readonly backupRetentionDays?: number;
  /**
   * Last-resort copies in another region: the database's automated backups replicated there (point-in-time restore
   * in that region) and the files and backups buckets replicated to buckets there, each copy kept
   * `recovery.retentionDays`. `false`: none, and a regional outage loses every copy (the policy pack warns in
   * production). Adds buckets `<project>-<environment>-{files,backups,logs}-<region>` and a KMS key there.
   * @default - on with EnvironmentProfile.PRODUCTION (to the partner in RECOVERY_REGION_PAIRS, kept
   * `backupRetentionDays`), off with EnvironmentProfile.STAGING
   */
  readonly recovery?: RecoveryOptions | false;
  /** @default - from the profile */
  readonly cacheNodeType?: string;
  /** @default - from the profile */
  readonly cacheShards?: number;
  /** Files bucket name. @default '<project>-<environment>-files' */
  readonly filesBucketName?: string;
  /** Backups bucket name. @default '<project>-<environment>-backups' */
  readonly backupsBucketName?: string;
  /** Kubernetes namespace of the application. @default '<project>' */
  readonly namespace?: string;
  /**
   * Service accounts given a Pod Identity role (each app's `ProductionApp` name, which names its service account).
   * @default - none: name your apps here, or they get no AWS identity (ProductionApp with `platform` refuses that)
   */
  readonly appIdentities?: AppIdentity[];
  /**
   * Who is notified of CloudWatch alarms: at least one (an alarm on a topic nobody subscribes to pages nobody). An
   * e-mail address, or an HTTPS endpoint kept in Secrets Manager (`AlarmSubscription.httpsFromSecret`).
   */
  readonly alarmSubscriptions: AlarmSubscription[];
  /**
   * Secrets Manager entries the cluster reads through External Secrets, created empty under `<project>/<env>/` (their
   * values are set out of band, never in configuration or state: see the README). The connection settings entry is
   * always created, with its value.
   * @default ['app', 'alerting']
   */
  readonly secretEntries?: string[];
  /**
   * The External Secrets controller's service account, given a Pod Identity role that may read the environment's
   * entries and nothing else.
   * @default - `external-secrets` in namespace `external-secrets` (what ClusterPlatform installs)
   */
  readonly externalSecretsIdentity?: { readonly namespace: string; readonly serviceAccount: string };
  /** PostgreSQL user the application connects as with IAM authentication. @default '<project>_app' */
  readonly appDatabaseUser?: string;
  /**
   * The Argo CD hub that deploys to this cluster: a role it assumes with an EKS access entry (cluster admin), its
   * network admitted to the private endpoint, and the entry `<project>/<env>/argocd-cluster` it registers the cluster
   * from (`ArgoCdCluster.eks`). See docs/delivery.md, "Argo CD itself".
   * @default - none: Argo CD reaches the cluster another way (an admin in `adminPrincipalArns` registers it)
   */
  readonly argoCdHub?: ArgoCdHubAccess;
}

/** Every prop of {@link SamokoderStackProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
/** @internal */
export const SAMOKODERSTACK_PROPS = [
  'environment',
  'unlistedEnvironment',
  'project',
  'region',
  'tags',
  'remoteState',
  'profile',
  'vpcCidr',
  'avoidCidrs',
  'azCount',
  'natGateways',
  'kubernetesVersion',
  'supportCheckDate',
  'endpointAccess',
  'nodeGroup',
  'adminPrincipalArns',
  'postgresVersion',
  'databaseInstanceClass',
  'databaseName',
  'databaseMasterUsername',
  'backupRetentionDays',
  'recovery',
  'cacheNodeType',
  'cacheShards',
  'filesBucketName',
  'backupsBucketName',
  'namespace',
  'appIdentities',
  'alarmSubscriptions',
  'secretEntries',
  'externalSecretsIdentity',
  'appDatabaseUser',
  'argoCdHub',
] as const satisfies readonly (keyof SamokoderStackProps)[];
/** @internal */
export const SAMOKODERSTACK_REQUIRED = [
  'environment',
  'region',
  'tags',
  'remoteState',
  'alarmSubscriptions',
] as const satisfies readonly (keyof SamokoderStackProps)[];

/**
 * The props of each part of {@link SamokoderStack} that come from the stack's props, by the name the user wrote: a
 * part's refusal of `cidr` names `vpcCidr` (see `_blameOn`).
 * @internal
 */
export const _PART_PROPS = {
  Network: { cidr: 'vpcCidr', avoidCidrs: 'avoidCidrs', azCount: 'azCount', natGateways: 'natGateways' },
  Cluster: {
    version: 'kubernetesVersion',
    supportCheckDate: 'supportCheckDate',
    endpointAccess: 'endpointAccess',
    adminPrincipalArns: 'adminPrincipalArns',
    nodeGroup: 'nodeGroup',
  },
  Database: { version: 'postgresVersion', instanceClass: 'databaseInstanceClass', backupRetentionDays: 'backupRetentionDays' },
  Cache: { nodeType: 'cacheNodeType', shards: 'cacheShards' },
  FilesBucket: { bucketName: 'filesBucketName' },
  BackupsBucket: { bucketName: 'backupsBucketName' },
  Alarms: { subscriptions: 'alarmSubscriptions' },
} as const satisfies Record<string, Record<string, keyof SamokoderStackProps>>;

/**
 * The app identities' service accounts, checked before anything is built: each names a role
 * `<project>-<environment>-<sa>` (IAM allows 64 characters: the service account name is what to shorten, the project
 * and environment name everything else in the stack).
 * @internal
 */
export function _appServiceAccounts(path: string, name: string, identities: readonly AppIdentity[] | undefined): string[] {
  const appServiceAccounts: string[] = [];
  (identities ?? []).forEach((identity, i) => {
    const prop = `appIdentities[${i}].serviceAccount`;
    const sa = requireDnsLabel(path, prop, identity?.serviceAccount);
    const first = appServiceAccounts.indexOf(sa);
    if (first >= 0) throw invalidProp(path, prop, sa, `is listed twice (appIdentities[${first}])`);
    if (`${name}-${sa}`.length > 64) {
      throw invalidProp(
        path,
        prop,
        sa,
        `makes the IAM role name "${name}-${sa}" ${name.length + 1 + sa.length} characters long (IAM allows 64): use a service account name of at most ${63 - name.length} characters`,
      );
    }
    appServiceAccounts.push(sa);
  });
  return appServiceAccounts;
}

/** The EKS administrators: IAM role or user ARNs, each once. @internal */
export function _checkAdminPrincipals(path: string, arns: readonly string[] | undefined): void {
  (arns ?? []).forEach((arn, i) => {
    const first = (arns ?? []).indexOf(arn);
    if (first < i) {
      throw invalidProp(
        path,
        `adminPrincipalArns[${i}]`,
        arn,
        `is listed twice (adminPrincipalArns[${first}]): EKS keeps one access entry per principal`,
      );
    }
    if (!isUnresolved(arn) && !/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn)) {
      throw invalidProp(
        path,
        `adminPrincipalArns[${i}]`,
        arn,
        'must be the ARN of an IAM role or user (arn:aws:iam::<account>:role/<name>): EKS access entries take no root, group or assumed-role ARNs',
      );
    }
  });
}
