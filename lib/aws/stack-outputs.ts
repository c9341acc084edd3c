import { Construct } from 'constructs';
import type { PlatformContract } from '../common/contract';
import { TerraformOutput } from '../private/tf';
import type { SamokoderAlarms } from './alarms';
import type { ArgoCdSpokeAccess } from './argocd-access';
import type { SamokoderCache } from './cache';
import type { SamokoderDatabase } from './database';
import type { SamokoderCluster } from './eks-cluster';
import type { PodRole } from './pod-role';
import type { RecoveryCopies } from './recovery-copies';
import type { SecureBucket } from './secure-bucket';

/** What the outputs name: the parts of a SamokoderStack (declared here, so this file does not import the stack). @internal */
export interface _StackParts extends Construct {
  readonly cluster: SamokoderCluster;
  readonly database: SamokoderDatabase;
  readonly cache: SamokoderCache;
  readonly filesBucket: SecureBucket;
  readonly backupsBucket: SecureBucket;
  readonly alarms: SamokoderAlarms;
  readonly appRoles: Record<string, PodRole>;
  readonly externalSecretsRole: PodRole;
  readonly databaseBootstrapRole: PodRole;
  readonly databaseDumpRole: PodRole;
  readonly argoCdAccess?: ArgoCdSpokeAccess;
  readonly recovery?: RecoveryCopies;
  readonly contract: PlatformContract;
}

/**
 * The stack's Terraform outputs: the documented contract (docs/samokoder-stack.md, "Outputs"), in the order they were
 * always written.
 * @internal
 */
export function _stackOutputs(
  stack: _StackParts,
  namespace: string,
  eso: { readonly namespace: string; readonly serviceAccount: string },
): void {
  const out = (key: string, value: string, description: string) => new TerraformOutput(stack, key, { value, description });
  out('cluster_name', stack.cluster.clusterName, 'EKS cluster name');
  out('cluster_endpoint', stack.cluster.cluster.endpoint, 'EKS API endpoint (private)');
  out('cluster_oidc_issuer', stack.cluster.oidcIssuerUrl, 'EKS OIDC issuer URL');
  out('database_endpoint', stack.database.endpoint, 'PostgreSQL endpoint host:port');
  out('database_master_secret_arn', stack.database.masterSecretArn, 'Secrets Manager ARN of the RDS-managed master credentials');
  out('redis_configuration_endpoint', stack.cache.configurationEndpoint, 'Redis cluster-mode configuration endpoint (TLS)');
  out('redis_app_user', stack.cache.appUserName, 'Redis user for IAM authentication (no password)');
  out('files_bucket', stack.filesBucket.bucketName, 'Files bucket');
  out('backups_bucket', stack.backupsBucket.bucketName, 'Backups bucket');
  out('connection_secret_name', stack.contract.connectionSecretName, 'Secrets Manager entry with connection settings');
  out('alarm_topic_arn', stack.alarms.topic.arn, 'SNS topic of the CloudWatch alarms');
  out('database_bootstrap_role_arn', stack.databaseBootstrapRole.roleArn, `Pod Identity role of ${namespace}/database-bootstrap`);
  out('database_dump_role_arn', stack.databaseDumpRole.roleArn, `Pod Identity role of ${namespace}/database-dump`);
  out('external_secrets_role_arn', stack.externalSecretsRole.roleArn, `Pod Identity role of ${eso.namespace}/${eso.serviceAccount}`);
  if (stack.argoCdAccess) out('argocd_cluster_role_arn', stack.argoCdAccess.role.arn, 'Role the Argo CD hub assumes to deploy here');
  for (const [sa, role] of Object.entries(stack.appRoles)) {
    out(`app_role_arn_${sa.replace(/-/g, '_')}`, role.roleArn, `Pod Identity role of service account ${namespace}/${sa}`);
  }
  const recovery = stack.recovery;
  if (recovery) {
    const replicas = recovery.replicas;
    out('recovery_files_bucket', replicas.files.bucketName, 'Replica of the files bucket in the recovery region');
    out('recovery_backups_bucket', replicas.backups.bucketName, 'Replica of the backups bucket in the recovery region');
    out('recovery_database_backups_arn', recovery.databaseBackups.id, 'ARN of the replicated automated backups (restore from it)');
  }
}
