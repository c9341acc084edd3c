import { environmentTier } from '../../common/environment';
import { others, refersTo, rule, TerraformRule } from './kit';

/** Rules for RDS PostgreSQL. */
export const RDS_RULES: readonly TerraformRule[] = [
  rule({
    id: 'SK-AWS-010',
    title: 'RDS instances are encrypted, private, backed up and protected',
    severity: 'error',
    checkov: ['CKV_AWS_16', 'CKV_AWS_17', 'CKV_AWS_133', 'CKV_AWS_293'],
    fix: 'storage_encrypted = true, publicly_accessible = false, backup_retention_period >= 7, deletion_protection = true, skip_final_snapshot = false',
    types: ['aws_db_instance'],
    check: (r) => {
      const c = r.config;
      const bad: string[] = [];
      if (c.storage_encrypted !== true) bad.push('storage is not encrypted');
      if (c.publicly_accessible !== false) bad.push('publicly_accessible is not false');
      if (!(Number(c.backup_retention_period) >= 7)) bad.push(`backup retention is ${c.backup_retention_period ?? 'unset'} days (< 7)`);
      if (c.deletion_protection !== true) bad.push('deletion protection is off');
      if (c.skip_final_snapshot !== false) bad.push('no final snapshot');
      return bad;
    },
  }),
  rule({
    id: 'SK-AWS-011',
    title: 'Production RDS instances are Multi-AZ',
    severity: 'error',
    checkov: ['CKV_AWS_157'],
    fix: 'set multi_az = true (EnvironmentProfile.PRODUCTION does)',
    types: ['aws_db_instance'],
    check: (r, ctx) =>
      ctx.environment !== undefined && environmentTier(ctx.environment) === 'production' && r.config.multi_az !== true
        ? 'a production database without a standby'
        : undefined,
  }),
  rule({
    id: 'SK-AWS-015',
    title: 'Production RDS instances copy their automated backups to another region',
    severity: 'warning',
    fix: "replicate the automated backups with aws_db_instance_automated_backups_replication in another region (SamokoderStack 'recovery', on with EnvironmentProfile.PRODUCTION)",
    types: ['aws_db_instance'],
    check: (r, ctx) =>
      ctx.environment !== undefined &&
      environmentTier(ctx.environment) === 'production' &&
      !others(ctx, 'aws_db_instance_automated_backups_replication').some(
        (x) => refersTo(x.config.source_db_instance_arn, r) && x.config.region !== undefined,
      )
        ? 'a production database whose backups stay in its region: a regional outage loses every copy'
        : undefined,
  }),
  rule({
    id: 'SK-AWS-012',
    title: 'RDS passwords are managed by Secrets Manager, never written',
    severity: 'error',
    fix: 'remove password and set manage_master_user_password = true',
    types: ['aws_db_instance', 'aws_rds_cluster'],
    check: (r) =>
      r.config.password !== undefined || r.config.master_password !== undefined
        ? 'a password is in the configuration'
        : r.config.manage_master_user_password !== true
          ? 'manage_master_user_password is not true'
          : undefined,
  }),
  rule({
    id: 'SK-AWS-013',
    title: 'RDS instances log, monitor and use IAM authentication',
    severity: 'warning',
    checkov: ['CKV_AWS_129', 'CKV_AWS_118', 'CKV_AWS_161', 'CKV_AWS_353'],
    fix: 'set enabled_cloudwatch_logs_exports, monitoring_interval > 0, performance_insights_enabled and iam_database_authentication_enabled',
    types: ['aws_db_instance'],
    check: (r) => {
      const c = r.config;
      const bad: string[] = [];
      if (!(Array.isArray(c.enabled_cloudwatch_logs_exports) && c.enabled_cloudwatch_logs_exports.length > 0)) bad.push('no log exports');
      if (!(Number(c.monitoring_interval) > 0)) bad.push('no enhanced monitoring');
      if (c.performance_insights_enabled !== true) bad.push('no Performance Insights');
      if (c.iam_database_authentication_enabled !== true) bad.push('no IAM authentication');
      return bad;
    },
  }),
  rule({
    id: 'SK-AWS-014',
    title: 'PostgreSQL on RDS requires TLS from clients',
    severity: 'error',
    fix: "set rds.force_ssl = 1 in the instance's parameter group (SamokoderDatabase does)",
    types: ['aws_db_instance'],
    check: (r, ctx) => {
      if (r.config.engine !== 'postgres') return undefined;
      const group = ctx.resources.find((g) => g.type === 'aws_db_parameter_group' && refersTo(r.config.parameter_group_name, g));
      const forced = (group?.config.parameter ?? []).some(
        (p: { name: string; value: string }) => p.name === 'rds.force_ssl' && p.value === '1',
      );
      return forced ? undefined : 'clients may connect without TLS (rds.force_ssl is not 1)';
    },
  }),
];
