import { rule, TerraformRule } from './kit';

/** Rules for ElastiCache. */
export const ELASTICACHE_RULES: readonly TerraformRule[] = [
  rule({
    id: 'SK-AWS-020',
    title: 'ElastiCache encrypts at rest and in transit, fails over automatically, authenticates',
    severity: 'error',
    checkov: ['CKV_AWS_29', 'CKV_AWS_30', 'CKV_AWS_31', 'CKV_AWS_191'],
    fix: 'at_rest_encryption_enabled, transit_encryption_enabled (mode required), automatic_failover_enabled, and user_group_ids or auth_token by reference',
    types: ['aws_elasticache_replication_group'],
    check: (r) => {
      const c = r.config;
      const bad: string[] = [];
      if (String(c.at_rest_encryption_enabled) !== 'true') bad.push('not encrypted at rest');
      if (c.transit_encryption_enabled !== true) bad.push('not encrypted in transit');
      if (c.automatic_failover_enabled !== true) bad.push('no automatic failover');
      if (!(Array.isArray(c.user_group_ids) && c.user_group_ids.length > 0) && c.auth_token === undefined) bad.push('no authentication');
      return bad;
    },
  }),
];
