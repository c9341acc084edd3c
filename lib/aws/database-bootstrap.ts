import { Construct } from 'constructs';
import type { PlatformContract } from '../common/contract';
import {
  DATABASE_BOOTSTRAP_SERVICE_ACCOUNT,
  DATABASE_DUMP_PREFIX,
  DATABASE_DUMP_SERVICE_ACCOUNT,
  DATABASE_DUMP_USER,
} from '../common/database-bootstrap';
import type { SamokoderDatabase } from './database';
import { PodRole } from './pod-role';

/**
 * The cloud half of the database role bootstrap (the Kubernetes half is `DatabaseBootstrap`, run by ProductionApp
 * before its migration). On RDS only the master user exists on day one; the apps and their migration log in as
 * `DATABASE_USER` with IAM authentication, which works only once that role exists and is a member of `rds_iam`
 * ("Creating a database account using IAM authentication", RDS User Guide,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.DBAccounts.html).
 *
 * This gives the bootstrap's service account a Pod Identity role that may read the RDS-managed master secret and
 * nothing else: that secret's ARN and the key it is encrypted with. The secret's name is RDS's (`rds!db-<uuid>`,
 * random, known only after apply), so no ExternalSecret can name it at synth: the ARN travels in the connection
 * entry (`DATABASE_MASTER_SECRET_ARN`, a reference, not the value) and the Job reads the value itself. @internal
 */
export function _databaseBootstrapRole(
  scope: Construct,
  props: { readonly name: string; readonly clusterName: string; readonly namespace: string; readonly database: SamokoderDatabase },
): PodRole {
  return new PodRole(scope, 'DatabaseBootstrapRole', {
    roleName: `${props.name}-database-bootstrap`,
    clusterName: props.clusterName,
    namespace: props.namespace,
    serviceAccount: DATABASE_BOOTSTRAP_SERVICE_ACCOUNT,
    secretArns: [props.database.masterSecretArn],
    kmsKeyArns: [props.database.kmsKeyArn],
  });
}

/**
 * The scheduled logical dump's Pod Identity role (`<namespace>/database-dump`, the Kubernetes half is `DatabaseDump`):
 * log in as {@link DATABASE_DUMP_USER} with IAM authentication (`rds-db:connect` for that user of this instance only),
 * and write objects under `postgres/` of the backups bucket, encrypted with the bucket's key; it cannot read, list or
 * delete a dump, so a compromised dump job cannot erase the older ones (the bucket is versioned besides).
 * `s3:PutObject` with SSE-KMS needs `kms:GenerateDataKey`, and `kms:Decrypt` for multipart uploads (S3 user guide,
 * "Uploading and copying objects using multipart upload": permissions).
 * @internal
 */
export function _databaseDumpRole(
  scope: Construct,
  props: {
    readonly name: string;
    readonly clusterName: string;
    readonly namespace: string;
    readonly dbUserArnPrefix: string;
    readonly backupsBucketArn: string;
    readonly kmsKeyArn: string;
  },
): PodRole {
  return new PodRole(scope, 'DatabaseDumpRole', {
    roleName: `${props.name}-database-dump`,
    clusterName: props.clusterName,
    namespace: props.namespace,
    serviceAccount: DATABASE_DUMP_SERVICE_ACCOUNT,
    writeOnlyObjectArns: [`${props.backupsBucketArn}/${DATABASE_DUMP_PREFIX}*`],
    kmsKeyArns: [props.kmsKeyArn],
    rdsDbUserArns: [`${props.dbUserArnPrefix}${DATABASE_DUMP_USER}`],
  });
}

/** The contract's `databaseBootstrap`: who the apps log in as, in which database, and who may create that role. @internal */
export function _databaseBootstrapContract(user: string, database: string): NonNullable<PlatformContract['databaseBootstrap']> {
  return { user, database, serviceAccount: DATABASE_BOOTSTRAP_SERVICE_ACCOUNT };
}
