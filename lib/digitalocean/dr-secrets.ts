import { Construct } from 'constructs';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamUser } from '@cdktf/provider-aws/lib/iam-user';
import { IamGroup } from '@cdktf/provider-aws/lib/iam-group';
import { IamGroupMembership } from '@cdktf/provider-aws/lib/iam-group-membership';
import { IamGroupPolicy } from '@cdktf/provider-aws/lib/iam-group-policy';
import { IamGroupPolicyAttachment } from '@cdktf/provider-aws/lib/iam-group-policy-attachment';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { SpacesKey } from '@cdktf/provider-digitalocean/lib/spaces-key';
import { AwsRegion } from '../aws/region';
import { _callerIdentity, _createKey } from '../aws/private/kms';
import { CostAllocationTags, costAllocationTagMap } from '../common/tags';
import { DataTier } from './data-tier';
import { RegionalCluster } from './regional-cluster';
import { _freeId } from '../common/validate';
import { Fn, TerraformLocal } from '../private/tf';

/** The DigitalOcean ports of managed databases (the same in every region). */
export const DO_DATABASE_PORTS = {
  /** PostgreSQL, direct (what a promoted replica is reached on: pools are per cluster). */
  postgres: 25060,
  /** PgBouncer connection pools. */
  pool: 25061,
  /** Valkey (TLS). */
  valkey: 25061,
} as const;

/** Props for {@link DrSecretStore}. */
export interface DrSecretStoreProps {
  /** Prefix of every entry, e.g. `samokoder/production-dr/`. */
  readonly prefix: string;
  /** AWS region of the entries. */
  readonly region: AwsRegion;
  readonly tags: CostAllocationTags;
  readonly data: DataTier;
  readonly clusters: readonly RegionalCluster[];
  /** Entries filled out of band (the application's own secrets). */
  readonly entries: readonly string[];
}

/** The name of the entry with the keys the files sync of `region`'s cluster uses (it copies into that region). */
export function filesSyncEntry(prefix: string, region: string): string {
  return `${prefix}${region}/files-sync`;
}

/** The name of the entry with the DSN the lag monitor of `region`'s cluster reads. */
export function replicaMonitorEntry(prefix: string, region: string): string {
  return `${prefix}${region}/replica-monitor`;
}

/** The construct id of a secret entry's resource (API: it names the Terraform resource). @internal */
export function _drEntryId(entry: string): string {
  return `Entry-${entry.replace(/[^A-Za-z0-9-]/g, '-')}`;
}

/**
 * Where the DigitalOcean clusters' secrets live: AWS Secrets Manager, encrypted with the stack's own key, outside
 * both DigitalOcean regions (DigitalOcean has no secret manager; a store in one of the two regions would fail with
 * it). Terraform writes one connection entry per region (`<prefix><region>/connection`: the pool and Valkey URLs with
 * their passwords, which DigitalOcean databases require and Terraform state already holds); the application's own
 * entries are created empty and filled out of band. External Secrets reads them with a key limited by the
 * {@link DrSecretStore.readPolicy}; nothing but references reaches Git.
 */
export class DrSecretStore extends Construct {
  /** Full names of every entry, connection entries first. */
  public readonly entries: string[] = [];
  /** Connection entry of each region, by region slug. */
  public readonly connectionEntries: Record<string, string> = {};
  /**
   * Reads every entry of the pair.
   * @deprecated Attach each cluster's own {@link DrSecretStore.readPolicies} instead: a key with this policy, leaked
   * from one cluster, reads the other region's entries too.
   */
  public readonly readPolicy: IamPolicy;
  /**
   * The policy to attach to the principal whose key each cluster uses, by region slug: exactly the entries that
   * cluster's ExternalSecrets read (see the runbook).
   */
  public readonly readPolicies: Record<string, IamPolicy> = {};
  /**
   * The IAM user whose access key each cluster's External Secrets reads with, by region slug: its cluster's read policy
   * attached, and allowed to create, list and delete its own access keys only (so a CronJob in the cluster can rotate
   * the key it runs with). The first key is created by hand (see the runbook).
   */
  public readonly readerUsers: Record<string, string> = {};
  /** The entries' AWS region. */
  public readonly region: string;
  /** The entry with the files sync's Spaces key (read in the secondary cluster). */
  public readonly filesSyncEntry: string;
  /** Terraform addresses of the entry values the failover scripts rewrite (Terraform ignores their changes). @internal */
  public readonly _scriptOwnedValues: string[] = [];

  constructor(scope: Construct, id: string, props: DrSecretStoreProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    const tags = costAllocationTagMap(path, props.tags);
    this.region = props.region.name;
    new AwsProvider(this, 'Aws', { region: props.region.name, defaultTags: [{ tags }] });
    const name = props.prefix.replace(/\/$/, '').replace(/[^A-Za-z0-9-]/g, '-');
    const key = _createKey(this, 'Key', { alias: `${name}-secrets`, description: `${props.prefix}* secrets of the DigitalOcean clusters` });

    const [primary, secondary] = [props.clusters[0], props.clusters[props.clusters.length - 1]];
    // The entries each cluster's ExternalSecrets read: its own, and the application's (both regions run the apps).
    const readBy: Record<string, string[]> = Object.fromEntries(props.clusters.map((rc) => [rc.region.slug, [] as string[]]));
    const forCluster = (rc: RegionalCluster, arn: string) => readBy[rc.region.slug].push(arn);
    // The primary directly, for what a transaction-mode pool breaks: schema migrations (session locks, DDL), in the
    // writer's cluster only. The pool's URI (same host, the app's user) with the direct port and the database, made
    // by Terraform in a local: no connection string with a password reference is written out, and the entries stay
    // JSON (the local's expression has quotes of its own).
    const directUrl = new TerraformLocal(
      this,
      'DirectDatabaseUrl',
      Fn.replace(
        Fn.replace(props.data.pool.privateUri, `:${DO_DATABASE_PORTS.pool}/`, `:${DO_DATABASE_PORTS.postgres}/`),
        `/${props.data.poolName}?`,
        `/${props.data.databaseName}?`,
      ),
    );
    for (const rc of props.clusters) {
      const region = rc.region.slug;
      const entry = `${props.prefix}${region}/connection`;
      // The apps' key to their region's bucket, and to it only (Spaces keys with grants; DigitalOcean's account-wide
      // keys would reach every bucket of the account).
      const filesKey = new SpacesKey(this, `FilesKey-${region}`, {
        name: `${rc.bucket.name}-apps`,
        grant: [{ bucket: rc.bucket.name, permission: 'readwrite' }],
      });
      const secret = new SecretsmanagerSecret(this, `Connection-${region}`, {
        name: entry,
        description: `Connection settings of ${rc.node.id} (written by Terraform; the failover script rewrites them)`,
        kmsKeyId: key.arn,
        recoveryWindowInDays: 30,
      });
      const valkey = props.data.valkeyOf(rc);
      const value = new SecretsmanagerSecretVersion(this, `ConnectionValue-${region}`, {
        secretId: secret.id,
        secretString: JSON.stringify({
          DATABASE_URL: props.data.pool.privateUri,
          DATABASE_HOST: props.data.pool.privateHost,
          DATABASE_PORT: String(DO_DATABASE_PORTS.pool),
          DATABASE_NAME: props.data.databaseName,
          DATABASE_USER: props.data.pool.user,
          DATABASE_DIRECT_URL: directUrl.asString,
          REDIS_URL: valkey.privateUri,
          REDIS_HOST: valkey.privateHost,
          REDIS_PORT: String(DO_DATABASE_PORTS.valkey),
          FILES_BUCKET: rc.bucket.name,
          FILES_ENDPOINT: `https://${region}.digitaloceanspaces.com`,
          FILES_ACCESS_KEY_ID: filesKey.accessKey,
          FILES_SECRET_ACCESS_KEY: filesKey.secretKey,
        }),
        // The failover scripts rewrite the database address: an apply must not put the lost primary back. Terraform
        // writes the value when it creates the entry; the runbook's reconciliation rewrites it (-replace) from the
        // new primary's pool.
        lifecycle: { ignoreChanges: ['secret_string'] },
      });
      this._scriptOwnedValues.push(`aws_secretsmanager_secret_version.${value.friendlyUniqueId}`);
      forCluster(rc, secret.arn);
      this.connectionEntries[region] = entry;
      this.entries.push(entry);
    }
    // The lag monitor in the secondary cluster watches the replica (failback.sh points it at the replica it builds).
    // DigitalOcean replicas answer only to the cluster's admin user: the replica is read-only, the DSN stays here.
    if (props.data.replica) {
      const secondary = props.clusters[props.clusters.length - 1];
      const entry = replicaMonitorEntry(props.prefix, secondary.region.slug);
      // The replica's URI names its default database (attribute `database` of digitalocean_database_replica in the
      // pinned provider, @cdktf/provider-digitalocean/lib/database-replica); the heartbeat table the monitor reads is
      // in the apps' database. A local, as for the direct URL: the entry stays JSON.
      const monitorDsn = new TerraformLocal(
        this,
        'ReplicaMonitorDsn',
        Fn.replace(props.data.replica.privateUri, `/${props.data.replica.database}?`, `/${props.data.databaseName}?`),
      );
      const secret = new SecretsmanagerSecret(this, 'ReplicaMonitor', {
        name: entry,
        description: 'DSN of the replica the replication-lag monitor watches (written by Terraform, rewritten by failback.sh)',
        kmsKeyId: key.arn,
        recoveryWindowInDays: 30,
      });
      const value = new SecretsmanagerSecretVersion(this, 'ReplicaMonitorValue', {
        secretId: secret.id,
        secretString: JSON.stringify({ DATA_SOURCE_NAME: monitorDsn.asString }),
        // failback.sh points the monitor at the replica it builds.
        lifecycle: { ignoreChanges: ['secret_string'] },
      });
      this._scriptOwnedValues.push(`aws_secretsmanager_secret_version.${value.friendlyUniqueId}`);
      forCluster(secondary, secret.arn);
      this.entries.push(entry);
    }
    // The files sync in the secondary cluster copies the primary's bucket into its own: one key that reads the one and
    // writes the other, in rclone's environment names (the CronJob reads the entry whole).
    const syncKey = new SpacesKey(this, 'FilesSyncKey', {
      name: `${secondary.bucket.name}-sync`,
      grant: [
        { bucket: primary.bucket.name, permission: 'read' },
        { bucket: secondary.bucket.name, permission: 'readwrite' },
      ],
    });
    this.filesSyncEntry = filesSyncEntry(props.prefix, secondary.region.slug);
    const syncSecret = new SecretsmanagerSecret(this, 'FilesSync', {
      name: this.filesSyncEntry,
      description: `Spaces key of the files sync into ${secondary.bucket.name} (written by Terraform)`,
      kmsKeyId: key.arn,
      recoveryWindowInDays: 30,
    });
    new SecretsmanagerSecretVersion(this, 'FilesSyncValue', {
      secretId: syncSecret.id,
      secretString: JSON.stringify({
        RCLONE_CONFIG_SRC_ACCESS_KEY_ID: syncKey.accessKey,
        RCLONE_CONFIG_SRC_SECRET_ACCESS_KEY: syncKey.secretKey,
        RCLONE_CONFIG_DST_ACCESS_KEY_ID: syncKey.accessKey,
        RCLONE_CONFIG_DST_SECRET_ACCESS_KEY: syncKey.secretKey,
      }),
    });
    this.entries.push(this.filesSyncEntry);
    forCluster(secondary, syncSecret.arn);
    props.entries.forEach((e) => {
      const entry = `${props.prefix}${e}`;
      const appEntry = new SecretsmanagerSecret(this, _drEntryId(e), {
        name: entry,
        description: 'Read by External Secrets in the DigitalOcean clusters; value set out of band, never in configuration',
        kmsKeyId: key.arn,
        recoveryWindowInDays: 30,
        lifecycle: { preventDestroy: true },
      });
      props.clusters.forEach((rc) => forCluster(rc, appEntry.arn));
      this.entries.push(entry);
    });
    // One policy per cluster, naming exactly the entries that cluster reads: a key leaked from one region's cluster
    // reads neither the other region's connection nor the secondary's monitor and sync keys.
    for (const rc of props.clusters) {
      const region = rc.region.slug;
      this.readPolicies[region] = new IamPolicy(this, `ReadPolicy-${region}`, {
        name: `${name}-${region}-secrets-read`,
        description: `Read-only access to the entries External Secrets reads in ${rc.node.id}'s cluster`,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ReadEntries',
              Effect: 'Allow',
              Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
              Resource: readBy[region],
            },
            { Sid: 'DecryptEntries', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: key.arn },
          ],
        }),
      });
    }
    // One principal per cluster, so a key leaked from one region's cluster is that cluster's entries only, and it can
    // rotate itself: iam:CreateAccessKey, ListAccessKeys and DeleteAccessKey on its own ARN (aws_iam_user's `arn`,
    // terraform-provider-aws website/docs/r/iam_user.html.markdown; the actions take the user as their resource, IAM
    // service authorization reference), nothing else of IAM.
    for (const rc of props.clusters) {
      const region = rc.region.slug;
      const user = new IamUser(this, `Reader-${region}`, {
        name: `${name}-${region}-secrets-reader`,
        path: '/samokoder-infra/',
      });
      // Its permissions sit on a group of its own (IAM's advice, and Checkov's CKV_AWS_40: policies on groups or roles,
      // not on users); the rotation statement names the user's own ARN, so a member can rotate only its own keys.
      const group = new IamGroup(this, `ReaderGroup-${region}`, { name: `${name}-${region}-secrets-reader`, path: '/samokoder-infra/' });
      new IamGroupMembership(this, `ReaderMembership-${region}`, {
        name: `${name}-${region}-secrets-reader`,
        group: group.name,
        users: [user.name],
      });
      new IamGroupPolicyAttachment(this, `ReaderRead-${region}`, { group: group.name, policyArn: this.readPolicies[region].arn });
      new IamGroupPolicy(this, `ReaderRotate-${region}`, {
        name: 'rotate-own-access-key',
        group: group.name,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'RotateOwnAccessKey',
              Effect: 'Allow',
              Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys'],
              Resource: user.arn,
            },
          ],
        }),
      });
      this.readerUsers[region] = `${name}-${region}-secrets-reader`;
    }
    this.readPolicy = new IamPolicy(this, 'ReadPolicy', {
      name: `${name}-secrets-read`,
      description: `Read-only access to ${props.prefix}* for External Secrets in the DigitalOcean clusters`,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadEntries',
            Effect: 'Allow',
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: `arn:aws:secretsmanager:${props.region.name}:${_callerIdentity(this).accountId}:secret:${props.prefix}*`,
          },
          { Sid: 'DecryptEntries', Effect: 'Allow', Action: ['kms:Decrypt'], Resource: key.arn },
        ],
      }),
    });
  }
}
