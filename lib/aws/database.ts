import { Construct } from 'constructs';
import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { invalidProp } from '../common/errors';
import { _freeId, requireIntegerInRange } from '../common/validate';
import { _createKey, _serviceTrust } from './private/kms';
import { _requireAwsIdentifier, _requireDatabaseName, _requireInstanceClass, _requireMasterUsername } from './private/limits';
import { _AllKeys, _checkProps } from '../common/props';

/** A PostgreSQL version on RDS: a major (minor upgrades automatic) or a pinned major.minor. */
export class PostgresVersion {
  /** PostgreSQL 16 (community support until 2028-11). */
  public static readonly V16 = new PostgresVersion('16');
  /** PostgreSQL 17 (community support until 2029-11): the default. */
  public static readonly V17 = new PostgresVersion('17');
  /** PostgreSQL 18 (community support until 2030-11). */
  public static readonly V18 = new PostgresVersion('18');
  /** The majors RDS offered on 2026-11-21, oldest first. */
  public static readonly KNOWN_MAJORS: readonly string[] = ['13', '14', '15', '16', '17', '18'];
  /**
   * A version RDS offers: a major (RDS picks the newest minor and upgrades minors automatically) or a pinned
   * `major.minor` (`'17.6'`; minor upgrades are then yours to make). The major must be one of
   * {@link PostgresVersion.KNOWN_MAJORS}; one newer than the library (`'19'`) needs `{ unlisted: true }`, so that a
   * typo (`'71'`) is not sent to RDS. Checked by the construct that uses it (a factory has no path to name).
   */
  public static of(version: string, options: { readonly unlisted?: boolean } = {}): PostgresVersion {
    return new PostgresVersion(version, options.unlisted ?? false);
  }
  private constructor(
    /** The version as given to RDS: `17` or `17.6`. */
    public readonly version: string,
    private readonly unlisted = false,
  ) {}
  /**
   * Throws unless the version has RDS's shape and a known major (or is declared `unlisted`). @internal
   */
  public _check(path: string, prop: string): this {
    const v = this.version;
    const known = PostgresVersion.KNOWN_MAJORS;
    if (typeof v !== 'string' || !/^(1[3-9]|[2-9]\d)(\.\d+)?$/.test(v)) {
      const major = typeof v === 'string' ? /^v?(\d+)/.exec(v)?.[1] : undefined;
      const hint = major && known.includes(major) ? ` (did you mean "${major}"?)` : '';
      throw invalidProp(path, prop, v, `must be a PostgreSQL version RDS offers: a major from 13 ("17") or a major.minor ("17.6")${hint}`);
    }
    if (!this.unlisted && !known.includes(this.major)) {
      throw invalidProp(
        path,
        prop,
        v,
        `is not a PostgreSQL major RDS offered on 2026-11-21 (${known.join(', ')}): for a newer one, PostgresVersion.of('${v}', { unlisted: true })`,
      );
    }
    return this;
  }
  /** The major version, e.g. `17`. */
  public get major(): string {
    return this.version.split('.')[0];
  }
  /** Whether a minor version is pinned (then RDS does not upgrade it automatically). */
  public get pinsMinor(): boolean {
    return this.version.includes('.');
  }
  /** The parameter group family, e.g. `postgres17` (from the major: `17.6` is in `postgres17`). */
  public get family(): string {
    return `postgres${this.major}`;
  }
}

/** Props for {@link SamokoderDatabase}. */
export interface SamokoderDatabaseProps {
  /** Identifier of the DB instance (1–63 lower-case letters, digits and hyphens; a letter first, no `--`). */
  readonly identifier: string;
  readonly vpcId: string;
  /** Isolated database subnet IDs (two zones at least). */
  readonly subnetIds: string[];
  /** Security group allowed to connect on the PostgreSQL port (the EKS cluster security group). */
  readonly clientSecurityGroupId: string;
  /** @default PostgresVersion.V17 */
  readonly version?: PostgresVersion;
  /** @default 'db.m6g.large' */
  readonly instanceClass?: string;
  /** Initial storage in GiB (gp3). @default 100 */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling in GiB. @default 1000 */
  readonly maxAllocatedStorageGiB?: number;
  /** Automated backup retention, 1–35 days. @default 14 */
  readonly backupRetentionDays?: number;
  /** Multi-AZ standby. @default true */
  readonly multiAz?: boolean;
  /** Name of the initial database. @default - the identifier with `_` for `-` (`billing-prod` → `billing_prod`) */
  readonly databaseName?: string;
  /**
   * Master user name (the password is generated and kept by Secrets Manager): 1–16 letters, digits and underscores,
   * not a PostgreSQL reserved word or an RDS role.
   * @default - '<databaseName>_admin', the database name cut to 10 characters
   */
  readonly masterUsername?: string;
  /** Statements slower than this many milliseconds are logged. @default 500 */
  readonly slowStatementMs?: number;
}

/** Every prop of {@link SamokoderDatabaseProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const SAMOKODER_DATABASE_PROPS = [
  'identifier',
  'vpcId',
  'subnetIds',
  'clientSecurityGroupId',
  'version',
  'instanceClass',
  'allocatedStorageGiB',
  'maxAllocatedStorageGiB',
  'backupRetentionDays',
  'multiAz',
  'databaseName',
  'masterUsername',
  'slowStatementMs',
] as const;
const SAMOKODER_DATABASE_REQUIRED = ['identifier', 'vpcId', 'subnetIds', 'clientSecurityGroupId'] as const;

/**
 * RDS PostgreSQL: KMS-encrypted, Multi-AZ, in isolated subnets, reachable only from the cluster, TLS enforced,
 * the master password in Secrets Manager, backups, deletion protection with a final snapshot, logs, Performance
 * Insights, enhanced monitoring, storage autoscaling and IAM authentication.
 */
export class SamokoderDatabase extends Construct {
  public readonly instance: DbInstance;
  public readonly securityGroup: SecurityGroup;
  /** The key of the storage, Performance Insights and the RDS-managed master secret. */
  public readonly kmsKeyArn: string;

  constructor(scope: Construct, id: string, props: SamokoderDatabaseProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<SamokoderDatabaseProps, typeof SAMOKODER_DATABASE_PROPS>>(
      this.node.path,
      'SamokoderDatabase',
      props,
      SAMOKODER_DATABASE_PROPS,
      SAMOKODER_DATABASE_REQUIRED,
    );
    const path = this.node.path;
    const name = _requireAwsIdentifier(path, 'identifier', props.identifier, 63, 'an RDS DB instance identifier');
    const retention = requireIntegerInRange(path, 'backupRetentionDays', props.backupRetentionDays ?? 14, 1, 35);
    const allocated = requireIntegerInRange(path, 'allocatedStorageGiB', props.allocatedStorageGiB ?? 100, 20, 65536);
    const maxAllocated = props.maxAllocatedStorageGiB ?? 1000;
    if (maxAllocated < allocated) {
      throw invalidProp(path, 'maxAllocatedStorageGiB', maxAllocated, `must be at least 'allocatedStorageGiB' (${allocated})`);
    }
    if (props.subnetIds.length < 2) {
      throw invalidProp(path, 'subnetIds', props.subnetIds.length, 'must name subnets in at least 2 availability zones');
    }
    const slowMs = requireIntegerInRange(path, 'slowStatementMs', props.slowStatementMs ?? 500, 1, 3_600_000);
    const version = (props.version ?? PostgresVersion.V17)._check(path, 'version');
    const dbName = _requireDatabaseName(path, 'databaseName', props.databaseName ?? name.replace(/-/g, '_'));
    const masterUsername = _requireMasterUsername(path, 'masterUsername', props.masterUsername ?? `${dbName.slice(0, 10)}_admin`);
    const instanceClass = _requireInstanceClass(path, 'instanceClass', props.instanceClass ?? 'db.m6g.large', 'db');

    const key = _createKey(this, 'Key', { alias: `${name}-rds`, description: `${name} RDS storage, secrets and Performance Insights` });
    this.kmsKeyArn = key.arn;
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      name: `${name}-postgres`,
      description: `PostgreSQL ${name}: ingress from the EKS cluster only`,
      vpcId: props.vpcId,
      tags: { Name: `${name}-postgres` },
    });
    new VpcSecurityGroupIngressRule(this, 'IngressFromCluster', {
      securityGroupId: this.securityGroup.id,
      description: 'PostgreSQL from the EKS cluster security group',
      ipProtocol: 'tcp',
      fromPort: 5432,
      toPort: 5432,
      referencedSecurityGroupId: props.clientSecurityGroupId,
    });
    const subnets = new DbSubnetGroup(this, 'SubnetGroup', {
      name: `${name}-database`,
      description: `${name} isolated database subnets`,
      subnetIds: props.subnetIds,
    });
    const params = new DbParameterGroup(this, 'ParameterGroup', {
      name: `${name}-${version.family}`,
      family: version.family,
      description: `${name}: TLS required, slow statements logged`,
      parameter: [
        { name: 'rds.force_ssl', value: '1', applyMethod: 'pending-reboot' },
        { name: 'log_min_duration_statement', value: String(slowMs), applyMethod: 'immediate' },
        { name: 'log_connections', value: '1', applyMethod: 'immediate' },
        { name: 'log_disconnections', value: '1', applyMethod: 'immediate' },
      ],
    });
    const monitoringRole = new IamRole(this, 'MonitoringRole', {
      name: `${name}-rds-monitoring`,
      assumeRolePolicy: _serviceTrust('monitoring.rds.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'MonitoringRolePolicy', {
      role: monitoringRole.name,
      policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole',
    });

    this.instance = new DbInstance(this, 'Instance', {
      identifier: name,
      engine: 'postgres',
      engineVersion: version.version,
      autoMinorVersionUpgrade: !version.pinsMinor,
      allowMajorVersionUpgrade: false,
      instanceClass,
      dbName,
      username: masterUsername,
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: key.arn,
      iamDatabaseAuthenticationEnabled: true,
      storageType: 'gp3',
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated,
      storageEncrypted: true,
      kmsKeyId: key.arn,
      multiAz: props.multiAz ?? true,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      publiclyAccessible: false,
      parameterGroupName: params.name,
      backupRetentionPeriod: retention,
      backupWindow: '02:00-03:00',
      maintenanceWindow: 'sun:03:30-sun:04:30',
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: `${name}-final`,
      enabledCloudwatchLogsExports: ['postgresql', 'upgrade', 'iam-db-auth-error'],
      performanceInsightsEnabled: true,
      performanceInsightsKmsKeyId: key.arn,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 30,
      monitoringRoleArn: monitoringRole.arn,
      caCertIdentifier: 'rds-ca-rsa2048-g1',
      lifecycle: { preventDestroy: true },
      tags: { Name: name },
    });
  }

  /** `host:port` of the instance. */
  public get endpoint(): string {
    return this.instance.endpoint;
  }

  /** ARN of the Secrets Manager secret RDS keeps the master credentials in. */
  public get masterSecretArn(): string {
    return this.instance.masterUserSecret.get(0).secretArn;
  }

  /** The instance's resource id (for `rds-db:connect` policies). */
  public get resourceId(): string {
    return this.instance.resourceId;
  }
}
