import { looksLikeSecretValue } from '../common/secret-detection';
import { RuleInfo } from './rule';

/** One synthesized Terraform resource, as the policy pack sees it. */
export interface TfResource {
  readonly type: string;
  /** Logical name in the configuration. */
  readonly name: string;
  /** Construct path. */
  readonly path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON is free-form
  readonly config: Record<string, any>;
}

/** Everything a rule may look at besides its resource. */
export interface TfContext {
  readonly resources: readonly TfResource[];
  /** The stack's `Environment` default tag, when set. */
  readonly environment?: string;
  /** Default tags of the AWS provider, when there is one. */
  readonly defaultTags?: Record<string, string>;
}

/** A rule over Terraform resources. */
export interface TerraformRule extends RuleInfo {
  readonly target: 'terraform';
  /** Resource types the rule applies to; `*` for all. */
  readonly types: readonly string[] | '*';
  /** Returns what is wrong (one or more details), or nothing. */
  readonly check: (r: TfResource, ctx: TfContext) => string | string[] | undefined;
}

const isRef = (v: unknown): boolean => typeof v === 'string' && v.includes('${');
/** True when `value` is (or contains) a Terraform reference to resource `r`. */
const refersTo = (value: unknown, r: TfResource): boolean => JSON.stringify(value ?? null).includes(`${r.type}.${r.name}.`);
const others = (ctx: TfContext, type: string) => ctx.resources.filter((x) => x.type === type);
const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);
const protectedFromDestroy = (r: TfResource) => r.config.lifecycle?.prevent_destroy === true;
const ANYWHERE = ['0.0.0.0/0', '::/0'];

/** Parses an IAM policy document written as literal JSON; undefined when it is not literal JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- IAM documents are free-form JSON
function policyDoc(text: unknown): { Statement: any[] } | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const doc = JSON.parse(text);
    return { Statement: Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement] };
  } catch {
    return undefined;
  }
}

const rule = (r: Omit<TerraformRule, 'target'>): TerraformRule => ({ target: 'terraform', ...r });

/** The Terraform rules of the pack (AWS and DigitalOcean). */
export const TERRAFORM_RULES: readonly TerraformRule[] = [
  // ---- S3 ----
  rule({
    id: 'SK-AWS-001',
    title: 'S3 buckets have default encryption',
    severity: 'error',
    checkov: ['CKV_AWS_19', 'CKV_AWS_145'],
    fix: 'add an aws_s3_bucket_server_side_encryption_configuration that references the bucket (SecureBucket does)',
    types: ['aws_s3_bucket'],
    check: (r, ctx) =>
      others(ctx, 'aws_s3_bucket_server_side_encryption_configuration').some((e) => refersTo(e.config.bucket, r))
        ? undefined
        : 'no server-side encryption configuration references this bucket',
  }),
  rule({
    id: 'SK-AWS-002',
    title: 'S3 buckets block every kind of public access',
    severity: 'error',
    checkov: ['CKV2_AWS_6', 'CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56'],
    fix: 'add an aws_s3_bucket_public_access_block with all four settings true',
    types: ['aws_s3_bucket'],
    check: (r, ctx) => {
      const block = others(ctx, 'aws_s3_bucket_public_access_block').find((b) => refersTo(b.config.bucket, r));
      if (!block) return 'no public access block references this bucket';
      const off = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].filter(
        (k) => block.config[k] !== true,
      );
      return off.length ? `public access block leaves ${off.join(', ')} off` : undefined;
    },
  }),
  rule({
    id: 'SK-AWS-003',
    title: 'S3 buckets are versioned',
    severity: 'error',
    checkov: ['CKV_AWS_21'],
    fix: 'add an aws_s3_bucket_versioning with status Enabled',
    types: ['aws_s3_bucket'],
    check: (r, ctx) =>
      others(ctx, 'aws_s3_bucket_versioning').some(
        (v) => refersTo(v.config.bucket, r) && v.config.versioning_configuration?.status === 'Enabled',
      )
        ? undefined
        : 'versioning is not enabled',
  }),
  rule({
    id: 'SK-AWS-004',
    title: 'S3 bucket policies deny requests without TLS',
    severity: 'error',
    fix: 'add a Deny statement on aws:SecureTransport = false for the bucket and its objects',
    types: ['aws_s3_bucket'],
    check: (r, ctx) => {
      const policies = others(ctx, 'aws_s3_bucket_policy').filter((p) => refersTo(p.config.bucket, r));
      const ok = policies.some((p) =>
        policyDoc(p.config.policy)?.Statement.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      );
      return ok ? undefined : 'no bucket policy denies insecure transport';
    },
  }),
  rule({
    id: 'SK-AWS-005',
    title: 'S3 buckets log access (except the log bucket itself)',
    severity: 'warning',
    checkov: ['CKV_AWS_18'],
    fix: 'add an aws_s3_bucket_logging pointing at the access-log bucket',
    types: ['aws_s3_bucket'],
    check: (r, ctx) => {
      const logs = others(ctx, 'aws_s3_bucket_logging');
      if (logs.some((l) => refersTo(l.config.bucket, r) || refersTo(l.config.target_bucket, r))) return undefined;
      return 'no access logging';
    },
  }),
  rule({
    id: 'SK-AWS-006',
    title: 'S3 buckets are never force-destroyed and are protected from deletion',
    severity: 'error',
    fix: 'set force_destroy = false and lifecycle.prevent_destroy = true',
    types: ['aws_s3_bucket'],
    check: (r) =>
      r.config.force_destroy === true
        ? 'force_destroy is true'
        : !protectedFromDestroy(r)
          ? 'lifecycle.prevent_destroy is not set'
          : undefined,
  }),
  rule({
    id: 'SK-AWS-007',
    title: 'S3 ACLs are disabled (BucketOwnerEnforced)',
    severity: 'error',
    checkov: ['CKV2_AWS_65'],
    fix: 'add aws_s3_bucket_ownership_controls with object_ownership BucketOwnerEnforced',
    types: ['aws_s3_bucket'],
    check: (r, ctx) =>
      others(ctx, 'aws_s3_bucket_ownership_controls').some(
        (o) => refersTo(o.config.bucket, r) && first(o.config.rule)?.object_ownership === 'BucketOwnerEnforced',
      )
        ? undefined
        : 'ACLs are not disabled',
  }),
  // ---- RDS ----
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
      ctx.environment === 'production' && r.config.multi_az !== true ? 'a production database without a standby' : undefined,
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
  // ---- ElastiCache ----
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
  // ---- EKS ----
  rule({
    id: 'SK-AWS-030',
    title: 'EKS API endpoints are private or limited to named CIDRs',
    severity: 'error',
    checkov: ['CKV_AWS_38', 'CKV_AWS_39'],
    fix: 'set endpoint_public_access = false, or public_access_cidrs to the networks that need it (never 0.0.0.0/0)',
    types: ['aws_eks_cluster'],
    check: (r) => {
      const v = first(r.config.vpc_config) ?? {};
      if (v.endpoint_public_access === false) return undefined;
      const cidrs: string[] = v.public_access_cidrs ?? [];
      if (cidrs.length === 0 || cidrs.some((c) => ANYWHERE.includes(c))) return 'the Kubernetes API is open to the internet';
      return undefined;
    },
  }),
  rule({
    id: 'SK-AWS-031',
    title: 'EKS encrypts secrets with KMS and ships all control-plane logs',
    severity: 'error',
    checkov: ['CKV_AWS_58', 'CKV_AWS_37'],
    fix: "set encryption_config for 'secrets' and enabled_cluster_log_types to api, audit, authenticator, controllerManager, scheduler",
    types: ['aws_eks_cluster'],
    check: (r) => {
      const bad: string[] = [];
      const enc = first(r.config.encryption_config);
      if (!enc || !(enc.resources ?? []).includes('secrets')) bad.push('secrets are not envelope-encrypted');
      const logs: string[] = r.config.enabled_cluster_log_types ?? [];
      const missing = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'].filter((t) => !logs.includes(t));
      if (missing.length) bad.push(`control-plane logs missing: ${missing.join(', ')}`);
      return bad;
    },
  }),
  rule({
    id: 'SK-AWS-032',
    title: 'EKS upgrade policy is STANDARD (no silent extended-support billing)',
    severity: 'warning',
    fix: "set upgrade_policy.support_type = 'STANDARD'",
    types: ['aws_eks_cluster'],
    check: (r) => (first(r.config.upgrade_policy)?.support_type === 'STANDARD' ? undefined : 'upgrade policy is not STANDARD'),
  }),
  rule({
    id: 'SK-AWS-033',
    title: 'Launch templates require IMDSv2 with hop limit 1',
    severity: 'error',
    checkov: ['CKV_AWS_79', 'CKV_AWS_341'],
    fix: "set metadata_options { http_tokens = 'required', http_put_response_hop_limit = 1 }",
    types: ['aws_launch_template', 'aws_instance'],
    check: (r) => {
      const m = first(r.config.metadata_options) ?? {};
      if (m.http_tokens !== 'required') return 'IMDSv1 is allowed';
      if (m.http_put_response_hop_limit !== 1)
        return `hop limit is ${m.http_put_response_hop_limit ?? 'unset'} (pods could reach the node role)`;
      return undefined;
    },
  }),
  // ---- Network ----
  rule({
    id: 'SK-AWS-040',
    title: 'No security group is open to the internet except 80/443',
    severity: 'error',
    checkov: ['CKV_AWS_24', 'CKV_AWS_25', 'CKV_AWS_260', 'CKV_AWS_277'],
    fix: 'admit named CIDRs or security groups; only a public load balancer may take 0.0.0.0/0 on 80/443',
    types: ['aws_security_group', 'aws_vpc_security_group_ingress_rule', 'aws_security_group_rule'],
    check: (r) => {
      const rules: Array<Record<string, unknown>> =
        r.type === 'aws_security_group'
          ? (r.config.ingress ?? [])
          : r.type === 'aws_security_group_rule' && r.config.type !== 'ingress'
            ? []
            : [r.config];
      const bad: string[] = [];
      for (const x of rules) {
        const cidrs = [
          x.cidr_ipv4,
          x.cidr_ipv6,
          ...((x.cidr_blocks as string[]) ?? []),
          ...((x.ipv6_cidr_blocks as string[]) ?? []),
        ].filter(Boolean) as string[];
        if (!cidrs.some((c) => ANYWHERE.includes(c))) continue;
        const from = Number(x.from_port ?? 0);
        const to = Number(x.to_port ?? 65535);
        const web = (from === 80 && to === 80) || (from === 443 && to === 443);
        if (!web || x.ip_protocol === '-1' || x.protocol === '-1') bad.push(`ports ${from}-${to} open to the internet`);
      }
      return bad;
    },
  }),
  rule({
    id: 'SK-AWS-041',
    title: "The VPC's default security group has no rules",
    severity: 'error',
    checkov: ['CKV2_AWS_12'],
    fix: 'manage aws_default_security_group with empty ingress and egress',
    types: ['aws_vpc'],
    check: (r, ctx) => {
      const sg = others(ctx, 'aws_default_security_group').find((d) => refersTo(d.config.vpc_id, r));
      if (!sg) return 'the default security group is not managed';
      return (sg.config.ingress ?? []).length || (sg.config.egress ?? []).length ? 'the default security group has rules' : undefined;
    },
  }),
  rule({
    id: 'SK-AWS-042',
    title: 'VPCs have flow logs',
    severity: 'error',
    checkov: ['CKV2_AWS_11'],
    fix: 'add an aws_flow_log for the VPC (SamokoderNetwork does)',
    types: ['aws_vpc'],
    check: (r, ctx) => (others(ctx, 'aws_flow_log').some((f) => refersTo(f.config.vpc_id, r)) ? undefined : 'no flow log'),
  }),
  // ---- IAM ----
  rule({
    id: 'SK-AWS-050',
    title: 'IAM policies grant no wildcard actions and are literal JSON',
    severity: 'error',
    checkov: ['CKV_AWS_1', 'CKV_AWS_62', 'CKV_AWS_63', 'CKV_AWS_286', 'CKV_AWS_287', 'CKV_AWS_288', 'CKV_AWS_289', 'CKV_AWS_290'],
    fix: 'name the actions and resources; write the document as literal JSON (scanners cannot read jsonencode)',
    types: ['aws_iam_role_policy', 'aws_iam_policy', 'aws_iam_user_policy', 'aws_iam_group_policy'],
    check: (r) => {
      const text = r.config.policy;
      if (typeof text === 'string' && /^\$\{jsonencode\(/.test(text)) return 'the document is built with jsonencode';
      const doc = policyDoc(text);
      if (!doc) return 'the policy is not a literal JSON document';
      const bad: string[] = [];
      doc.Statement.forEach((s, i) => {
        if (s.Effect !== 'Allow') return;
        const actions: string[] = [s.Action ?? []].flat();
        if (actions.some((a) => a === '*' || /^[a-z0-9-]+:\*$/.test(a)))
          bad.push(`statement ${i} allows wildcard actions (${actions.join(', ')})`);
        const resources: string[] = [s.Resource ?? []].flat();
        if (resources.includes('*') && actions.some((a) => !/:(Get|List|Describe)/.test(a)))
          bad.push(`statement ${i} allows ${actions.join(', ')} on every resource`);
      });
      return bad;
    },
  }),
  rule({
    id: 'SK-AWS-051',
    title: 'No administrator policies are attached',
    severity: 'error',
    checkov: ['CKV_AWS_274'],
    fix: 'attach a least-privilege policy instead of AdministratorAccess/PowerUserAccess/IAMFullAccess',
    types: ['aws_iam_role_policy_attachment', 'aws_iam_user_policy_attachment', 'aws_iam_group_policy_attachment'],
    check: (r) =>
      /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(String(r.config.policy_arn))
        ? `attaches ${r.config.policy_arn}`
        : undefined,
  }),
  // ---- Logs, keys, notifications ----
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
    types: ['aws_db_instance', 'aws_rds_cluster', 'aws_elasticache_replication_group', 'aws_eks_cluster'],
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
  // ---- Literal secrets, anywhere ----
  rule({
    id: 'SK-ALL-001',
    title: 'No literal secret in the configuration',
    severity: 'error',
    fix: 'reference the secret (a data source, a managed password, a Secret reference); synthesized files are committed',
    types: '*',
    check: (r) => {
      const bad: string[] = [];
      const walk = (v: unknown, key: string) => {
        if (typeof v === 'string') {
          if (isRef(v)) return;
          if (/^(password|master_password|auth_token|secret|secret_key|access_key|token|private_key)$/i.test(key) && v !== '')
            bad.push(`${key} holds a literal value`);
          else if (looksLikeSecretValue(v)) bad.push(`${key} holds something shaped like a credential`);
        } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '//') walk(x, k);
      };
      walk(r.config, '');
      return bad;
    },
  }),
  // ---- DigitalOcean (no scanner covers these) ----
  rule({
    id: 'SK-DO-001',
    title: 'DOKS clusters: HA control plane, auto and surge upgrades in a maintenance window',
    severity: 'error',
    fix: 'set ha, auto_upgrade, surge_upgrade and maintenance_policy (RegionalCluster does)',
    types: ['digitalocean_kubernetes_cluster'],
    check: (r) => {
      const c = r.config;
      const bad: string[] = [];
      if (c.ha !== true) bad.push('control plane is not HA');
      if (c.auto_upgrade !== true) bad.push('auto-upgrade is off');
      if (c.surge_upgrade !== true) bad.push('surge upgrade is off');
      if (!first(c.maintenance_policy)?.day) bad.push('no maintenance window');
      if (!c.vpc_uuid) bad.push('not in a VPC of its own');
      return bad;
    },
  }),
  rule({
    id: 'SK-DO-002',
    title: 'DOKS node pools autoscale with at least 3 nodes',
    severity: 'error',
    fix: 'set node_pool.auto_scale = true and min_nodes >= 3',
    types: ['digitalocean_kubernetes_cluster', 'digitalocean_kubernetes_node_pool'],
    check: (r) => {
      const pool = r.type === 'digitalocean_kubernetes_cluster' ? first(r.config.node_pool) : r.config;
      if (!pool?.auto_scale) return 'the pool does not autoscale';
      return Number(pool.min_nodes) >= 3 ? undefined : `min_nodes is ${pool.min_nodes}`;
    },
  }),
  rule({
    id: 'SK-DO-003',
    title: 'Managed databases are private, highly available, firewalled and maintained in a window',
    severity: 'error',
    fix: 'set private_network_uuid, node_count >= 2, a maintenance_window, and a digitalocean_database_firewall',
    types: ['digitalocean_database_cluster'],
    check: (r, ctx) => {
      const bad: string[] = [];
      if (!r.config.private_network_uuid) bad.push('not on a private network');
      if (!(Number(r.config.node_count) >= 2)) bad.push(`${r.config.node_count} node(s): no standby`);
      if (!first(r.config.maintenance_window)) bad.push('no maintenance window');
      if (!others(ctx, 'digitalocean_database_firewall').some((f) => refersTo(f.config.cluster_id, r))) bad.push('no database firewall');
      return bad;
    },
  }),
  rule({
    id: 'SK-DO-004',
    title: 'Database firewalls admit only named clusters, droplets, tags or private ranges',
    severity: 'error',
    fix: 'use rule types k8s, droplet, tag or app; never an ip_addr of 0.0.0.0/0',
    types: ['digitalocean_database_firewall'],
    check: (r) =>
      (r.config.rule ?? [])
        .filter((x: { type: string; value: string }) => x.type === 'ip_addr' && ANYWHERE.includes(x.value))
        .map(() => 'a rule admits the whole internet'),
  }),
  rule({
    id: 'SK-DO-009',
    title: 'Droplet firewalls admit the internet only on 80/443',
    severity: 'error',
    checkov: ['CKV_DIO_4'],
    fix: 'admit named tags, droplets, load balancers or private ranges; only 80 and 443 may take 0.0.0.0/0',
    types: ['digitalocean_firewall'],
    check: (r) =>
      (r.config.inbound_rule ?? [])
        .filter(
          (x: { source_addresses?: string[]; port_range?: string }) =>
            (x.source_addresses ?? []).some((a) => ANYWHERE.includes(a)) && !['80', '443'].includes(String(x.port_range)),
        )
        .map((x: { port_range?: string; protocol: string }) => `${x.protocol} ${x.port_range ?? 'all ports'} open to the internet`),
  }),
  rule({
    id: 'SK-DO-005',
    title: 'Spaces buckets are private, versioned and protected',
    severity: 'error',
    checkov: ['CKV_DIO_1', 'CKV_DIO_3'],
    fix: "set acl = 'private', versioning.enabled = true, force_destroy = false and lifecycle.prevent_destroy",
    types: ['digitalocean_spaces_bucket'],
    check: (r) => {
      const bad: string[] = [];
      if (r.config.acl !== 'private') bad.push(`acl is ${r.config.acl ?? 'unset'}`);
      if (first(r.config.versioning)?.enabled !== true) bad.push('not versioned');
      if (r.config.force_destroy !== false || !protectedFromDestroy(r)) bad.push('not protected from deletion');
      return bad;
    },
  }),
  rule({
    id: 'SK-DO-006',
    title: 'Load balancers serve HTTPS and redirect HTTP',
    severity: 'error',
    fix: 'add an https forwarding rule with a certificate and set redirect_http_to_https = true',
    types: ['digitalocean_loadbalancer'],
    check: (r) => {
      if (r.config.type === 'GLOBAL')
        return first(r.config.domains)?.certificate_name || first(r.config.domains)?.certificate_id
          ? undefined
          : 'the global entry has no certificate';
      const rules: Array<{ entry_protocol: string; certificate_name?: string }> = r.config.forwarding_rule ?? [];
      if (!rules.some((x) => x.entry_protocol === 'https' && x.certificate_name)) return 'no HTTPS listener with a certificate';
      if (rules.some((x) => x.entry_protocol === 'http') && r.config.redirect_http_to_https !== true)
        return 'HTTP is served without a redirect';
      return first(r.config.healthcheck) ? undefined : 'no health check';
    },
  }),
  rule({
    id: 'SK-DO-007',
    title: 'The container registry is on a paid tier with room for the platform',
    severity: 'warning',
    fix: "use subscription_tier_slug 'basic' or 'professional' ('starter' holds one repository)",
    types: ['digitalocean_container_registry'],
    check: (r) => (r.config.subscription_tier_slug === 'starter' ? 'starter tier: one repository, 500 MB' : undefined),
  }),
  rule({
    id: 'SK-DO-008',
    title: 'Stateful DigitalOcean resources are protected from deletion',
    severity: 'error',
    fix: 'set lifecycle.prevent_destroy = true',
    types: ['digitalocean_kubernetes_cluster', 'digitalocean_database_replica', 'digitalocean_domain'],
    check: (r) => (protectedFromDestroy(r) ? undefined : 'lifecycle.prevent_destroy is not set'),
  }),
];
