import { Construct } from 'constructs';
import { DbInstanceAutomatedBackupsReplication } from '@cdktf/provider-aws/lib/db-instance-automated-backups-replication';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { S3BucketReplicationConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-replication-configuration';
import { invalidCombination, invalidProp } from '../common/errors';
import { _AllKeys, _checkProps } from '../common/props';
import { _freeId, requireDnsLabel, requireIntegerInRange } from '../common/validate';
import { SamokoderDatabase } from './database';
import { _createKey, _policy, _serviceTrust } from './private/kms';
import { AwsRegion } from './region';
import { BucketLifecycle, SecureBucket } from './secure-bucket';

/**
 * Where and for how long {@link SamokoderStack} keeps its last-resort copies in another region: the database's
 * automated backups (snapshots and transaction logs, so a point-in-time restore there) and every object version of
 * the files and backups buckets.
 */
export interface RecoveryOptions {
  /**
   * The region the copies go to (not the stack's).
   * @default - the stack region's partner in {@link RECOVERY_REGION_PAIRS}; a region without one must be named
   */
  readonly region?: AwsRegion;
  /**
   * Days the copies are kept, 1–35: the replicated automated backups (a restore in the recovery region reaches this
   * far back) and, in the replica buckets, an object version after it was overwritten or deleted in the source.
   * @default - the stack's `backupRetentionDays` (14)
   */
  readonly retentionDays?: number;
}
const RECOVERY_PROPS = ['region', 'retentionDays'] as const;

/**
 * The recovery region of each region the library names, used when `recovery.region` is not given: a region of the
 * same jurisdiction (US to US, EU to EU), so that turning copies on by default does not move personal data across a
 * border; far enough apart that one regional event does not take both. A region not listed (Singapore, London and
 * Zurich have no partner in their jurisdiction) must name its recovery region. RDS replicates automated backups only
 * between the regions its user guide lists for the engine ("Replicating automated backups to another AWS Region",
 * region availability): the table was not checked against that list for every pair; a pair RDS refuses fails at apply.
 */
export const RECOVERY_REGION_PAIRS: Readonly<Record<string, string>> = {
  // United States
  'us-east-1': 'us-west-2',
  'us-east-2': 'us-west-2',
  'us-west-1': 'us-west-2',
  'us-west-2': 'us-east-1',
  // European Union
  'eu-west-1': 'eu-central-1',
  'eu-central-1': 'eu-west-1',
  'eu-north-1': 'eu-central-1',
  'eu-west-3': 'eu-central-1',
  'eu-south-1': 'eu-central-1',
  'eu-south-2': 'eu-west-3',
  // Japan
  'ap-northeast-1': 'ap-northeast-3',
  'ap-northeast-3': 'ap-northeast-1',
};

/** `recovery` checked: where the copies go and how long they are kept. @internal */
export interface _ResolvedRecovery {
  readonly region: string;
  readonly retentionDays: number;
}

/**
 * Resolves `recovery` before anything is built: undefined when there are no copies (`false`, or the profile's default
 * is off and nothing was asked).
 * @internal
 */
export function _resolveRecovery(
  path: string,
  recovery: RecoveryOptions | false | undefined,
  profileDefault: boolean,
  stackRegion: string,
  backupRetentionDays: number | undefined,
): _ResolvedRecovery | undefined {
  if (recovery === false || (recovery === undefined && !profileDefault)) return undefined;
  if (recovery !== undefined) {
    _checkProps<_AllKeys<RecoveryOptions, typeof RECOVERY_PROPS>>(path, 'RecoveryOptions', recovery, RECOVERY_PROPS, [], 'recovery.');
  }
  const given = recovery?.region;
  if (given !== undefined && !(given instanceof AwsRegion)) {
    throw invalidProp(
      path,
      'recovery.region',
      given,
      "must be an AwsRegion (AwsRegion.EU_WEST_1, AwsRegion.of('eu-south-2', ['a', 'b', 'c']))",
    );
  }
  const region = given ? given._check(path, 'recovery.region').name : RECOVERY_REGION_PAIRS[stackRegion];
  if (region === undefined) {
    throw invalidProp(
      path,
      'recovery',
      recovery,
      `is on (EnvironmentProfile.PRODUCTION copies the database's backups and the buckets to another region), and ${stackRegion} has no recovery region in RECOVERY_REGION_PAIRS (it pairs regions of one jurisdiction only): name one, recovery: { region: AwsRegion.of('<region>', ['a', 'b', 'c']) }, or set recovery: false to accept that a regional outage loses every copy`,
    );
  }
  if (region === stackRegion) {
    throw invalidProp(path, 'recovery.region', region, "is the stack's region: copies there are lost with it; name another region");
  }
  // An invalid backupRetentionDays is the database's to refuse, by its own name.
  const b = backupRetentionDays;
  const fallback = typeof b === 'number' && Number.isInteger(b) && b >= 1 && b <= 35 ? b : 14;
  const retentionDays = requireIntegerInRange(path, 'recovery.retentionDays', recovery?.retentionDays ?? fallback, 1, 35);
  return { region, retentionDays };
}

/** Props for {@link RecoveryCopies}. */
export interface RecoveryCopiesProps {
  /** `<project>-<environment>`: names the key alias, the log bucket and the replication role. */
  readonly name: string;
  /** The region of the sources (the stack's). */
  readonly sourceRegion: string;
  /** The region the copies go to. */
  readonly region: string;
  /** Days the copies are kept (1–35): replicated automated backups, and noncurrent versions in the replica buckets. */
  readonly retentionDays: number;
  /** The account id (the access-log delivery condition of the log bucket in the recovery region). */
  readonly accountId: string;
  /** The database whose automated backups are replicated. */
  readonly database: SamokoderDatabase;
  /**
   * The buckets to replicate (each a {@link SecureBucket} with `kmsKeyArn`) by kind, a DNS label: the replica of `files`
   * is `<name>-files-<region>`, a stateful name.
   */
  readonly buckets: Readonly<Record<string, SecureBucket>>;
}
const RECOVERY_COPIES_PROPS = ['name', 'sourceRegion', 'region', 'retentionDays', 'accountId', 'database', 'buckets'] as const;

/**
 * The last-resort copies in another region, with the services' own cross-region copies rather than AWS Backup:
 * RDS replicates the automated backups' snapshots *and transaction logs* as soon as they are ready, so a
 * point-in-time restore in the recovery region loses minutes (an AWS Backup copy_action copies a recovery point per
 * schedule, hours apart, and its continuous backups stay in the source region), and S3 replication copies each object
 * version as it is written. Both without a vault, a backup plan or a schedule to keep. What AWS Backup would add, a
 * vault lock against a compromised account, is not here (see docs/samokoder-stack.md).
 *
 * Every copy is encrypted with a key of the recovery region and protected like its source (`prevent_destroy`).
 */
export class RecoveryCopies extends Construct {
  /** The key of the recovery region (replicated backups, replica buckets). */
  public readonly kmsKeyArn: string;
  /** The database's automated backups, replicated. */
  public readonly databaseBackups: DbInstanceAutomatedBackupsReplication;
  /** The replica of each bucket, by kind (`files`). */
  public readonly replicas: Record<string, SecureBucket> = {};
  /** The recovery region's access-log bucket (S3 delivers access logs only inside a region). */
  public readonly accessLogsBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: RecoveryCopiesProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    _checkProps<_AllKeys<RecoveryCopiesProps, typeof RECOVERY_COPIES_PROPS>>(
      path,
      'RecoveryCopies',
      props,
      RECOVERY_COPIES_PROPS,
      RECOVERY_COPIES_PROPS,
    );
    const { name, region, sourceRegion } = props;
    if (region === sourceRegion) throw invalidProp(path, 'region', region, 'is the source region: copies there are lost with it');
    const retention = requireIntegerInRange(path, 'retentionDays', props.retentionDays, 1, 35);
    const kinds = Object.keys(props.buckets);
    for (const kind of kinds) {
      requireDnsLabel(path, 'buckets', kind);
      if (!props.buckets[kind].kmsKeyArn) {
        throw invalidProp(path, `buckets.${kind}`, props.buckets[kind].node.path, 'must be encrypted with a KMS key (kmsKeyArn)');
      }
    }
    const logsName = `${name}-logs-${region}`;
    for (const n of [logsName, ...kinds.map((k) => `${name}-${k}-${region}`)]) {
      if (n.length > 63) {
        throw invalidCombination(
          path,
          `the recovery region ${region} makes the bucket name "${n}" ${n.length} characters long (S3 allows 63): shorten the project or the environment`,
        );
      }
    }

    const key = _createKey(this, 'Key', { alias: `${name}-recovery`, description: `${name} copies in ${region}`, region });
    this.kmsKeyArn = key.arn;

    // website/docs/r/db_instance_automated_backups_replication.html.markdown: created in the destination region, with
    // a key of that region; every argument forces replacement. Retention is the destination's, 1–35 days like the
    // source's (RDS API StartDBInstanceAutomatedBackupsReplication, BackupRetentionPeriod). Destroying it stops the
    // replication: protected like the instance.
    this.databaseBackups = new DbInstanceAutomatedBackupsReplication(this, 'DatabaseBackups', {
      region,
      sourceDbInstanceArn: props.database.instance.arn,
      kmsKeyId: key.arn,
      retentionPeriod: retention,
      lifecycle: { preventDestroy: true },
    });

    this.accessLogsBucket = new SecureBucket(this, 'AccessLogsBucket', {
      bucketName: logsName,
      lifecycle: BucketLifecycle.logs(),
      receivesAccessLogs: true,
      accountId: props.accountId,
      region,
    });
    for (const kind of kinds) {
      this.replicas[kind] = new SecureBucket(this, `${kind[0].toUpperCase()}${kind.slice(1)}Bucket`, {
        bucketName: `${name}-${kind}-${region}`,
        kmsKeyArn: key.arn,
        // The source's transitions and expiry (lifecycle expirations are not replicated: S3 user guide, "What isn't
        // replicated"), and an overwritten or deleted version kept `retentionDays`.
        lifecycle: props.buckets[kind]._lifecycle._withNoncurrentDays(retention),
        accessLogsBucket: this.accessLogsBucket,
        region,
      });
    }

    // S3 user guide, "Setting up permissions for live replication" and "Replicating encrypted objects (SSE-KMS)":
    // read the source's versions, decrypt with the source key, write replicas encrypted with the recovery key.
    const role = new IamRole(this, 'ReplicationRole', {
      name: `${name}-s3-replication`,
      description: `S3 replicates ${name}'s buckets to ${region}`,
      assumeRolePolicy: _serviceTrust('s3.amazonaws.com'),
    });
    const sources = kinds.map((k) => props.buckets[k]);
    const replicas = kinds.map((k) => this.replicas[k]);
    const rolePolicy = new IamRolePolicy(this, 'ReplicationRolePolicy', {
      role: role.id,
      name: 'replicate-to-recovery-region',
      policy: _policy([
        { Effect: 'Allow', Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'], Resource: sources.map((s) => s.bucketArn) },
        {
          Effect: 'Allow',
          Action: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
          Resource: sources.map((s) => `${s.bucketArn}/*`),
        },
        {
          Effect: 'Allow',
          Action: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
          Resource: replicas.map((r) => `${r.bucketArn}/*`),
        },
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt'],
          Resource: [...new Set(sources.map((s) => s.kmsKeyArn!))],
          Condition: { StringEquals: { 'kms:ViaService': `s3.${sourceRegion}.amazonaws.com` } },
        },
        {
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: [key.arn],
          Condition: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        },
      ]),
    });
    kinds.forEach((kind, i) => {
      const source = sources[i];
      const replica = replicas[i];
      // website/docs/r/s3_bucket_replication_configuration.html.markdown: versioning on both sides first; a filter
      // makes it a V2 rule (delete markers configurable); SSE-KMS objects are replicated only when selected, with the
      // replica key named. Delete markers are replicated, so a deleted object's replica becomes noncurrent and
      // expires after `retentionDays`; a version deleted for good in the source is not (S3 never replicates that).
      new S3BucketReplicationConfigurationA(this, `${kind[0].toUpperCase()}${kind.slice(1)}Replication`, {
        bucket: source.bucket.id,
        role: role.arn,
        rule: [
          {
            id: `to-${region}`,
            status: 'Enabled',
            priority: 1,
            filter: { prefix: '' },
            deleteMarkerReplication: { status: 'Enabled' },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
            destination: { bucket: replica.bucketArn, encryptionConfiguration: { replicaKmsKeyId: key.arn } },
          },
        ],
        dependsOn: [source.versioning, replica.versioning, rolePolicy],
      });
    });
  }
}
