import { protectedFromDestroy, rule, statefulTypes, TerraformRule } from './kit';

/** Rules for logs, KMS keys, SNS and tags. */
export const OBSERVABILITY_RULES: readonly TerraformRule[] = [
  rule({
    id: 'SK-AWS-060',
    title: 'Log groups are encrypted with KMS and kept at least 90 days',
    severity: 'error',
    checkov: ['CKV_AWS_158', 'CKV_AWS_66', 'CKV_AWS_338'],
    fix: 'set kms_key_id and retention_in_days >= 90 (365 for audit trails)',
    types: ['aws_cloudwatch_log_group'],
    check: (r) => {
      const bad: string[] = [];
      if (!r.config.kms_key_id) bad.push('not encrypted with KMS');
      if (!(Number(r.config.retention_in_days) >= 90)) bad.push(`retention is ${r.config.retention_in_days ?? 'forever/unset'} days`);
      return bad;
    },
  }),
  rule({
    id: 'SK-AWS-061',
    title: 'KMS keys rotate and are protected from deletion',
    severity: 'error',
    checkov: ['CKV_AWS_7', 'CKV_AWS_33'],
    fix: 'set enable_key_rotation = true, a key policy, and lifecycle.prevent_destroy',
    types: ['aws_kms_key'],
    check: (r) =>
      r.config.enable_key_rotation !== true
        ? 'key rotation is off'
        : !r.config.policy
          ? 'no key policy'
          : !protectedFromDestroy(r)
            ? 'lifecycle.prevent_destroy is not set'
            : undefined,
  }),
  rule({
    id: 'SK-AWS-062',
    title: 'SNS topics and Secrets Manager secrets use a customer-managed KMS key',
    severity: 'error',
    checkov: ['CKV_AWS_26', 'CKV_AWS_149'],
    fix: 'set kms_master_key_id (SNS) or kms_key_id (Secrets Manager)',
    types: ['aws_sns_topic', 'aws_secretsmanager_secret'],
    check: (r) =>
      (r.type === 'aws_sns_topic' ? !r.config.kms_master_key_id : !r.config.kms_key_id)
        ? 'not encrypted with a customer-managed key'
        : undefined,
  }),
  rule({
    id: 'SK-AWS-063',
    title: 'Stateful AWS resources are protected from deletion',
    severity: 'error',
    fix: 'set lifecycle.prevent_destroy = true (and deletion protection where the service has it)',
    types: statefulTypes('aws'),
    check: (r) => (protectedFromDestroy(r) ? undefined : 'lifecycle.prevent_destroy is not set'),
  }),
  rule({
    id: 'SK-AWS-064',
    title: 'Every taggable resource carries the cost-allocation tags',
    severity: 'error',
    fix: 'set provider default_tags with Environment, Service, Team and CostCenter (SamokoderStack does)',
    types: ['aws_vpc'],
    check: (_r, ctx) => {
      const missing = ['Environment', 'Service', 'Team', 'CostCenter'].filter((k) => !ctx.defaultTags?.[k]);
      return missing.length ? `provider default tags lack ${missing.join(', ')}` : undefined;
    },
  }),
];
