import { PolicyPack, TERRAFORM_RULES, TfContext, TfResource } from 'samokoder-infra';
import { STATEFUL_TYPES } from '../../lib/policy/terraform/kit';
import { referenceCloud } from '../util/reference';

// The reference platform is the passing fixture of every rule; each failing fixture breaks one resource of it.
const platform = referenceCloud();
// Each stack's Terraform JSON, resolved once; every test reads its own copy.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON
const resolved: Partial<Record<'production' | 'dr', any>> = {};

function contextOf(stack: 'production' | 'dr'): TfContext {
  const s = stack === 'dr' ? platform.dr : platform.stacks.production;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON
  const json: any = JSON.parse(JSON.stringify((resolved[stack] ??= s.toTerraform())));
  const resources: TfResource[] = [];
  for (const [type, byName] of Object.entries(json.resource)) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON
    for (const [name, config] of Object.entries(byName as Record<string, any>))
      resources.push({ type, name, path: config['//'].metadata.path, config });
  }
  const tags = json.provider?.aws?.[0]?.default_tags?.[0]?.tags;
  if (stack === 'dr') {
    // The DR stack creates no droplet firewall; a compliant one stands in as the passing fixture of SK-DO-009.
    resources.push({
      type: 'digitalocean_firewall',
      name: 'Web',
      path: 'fixture/Web',
      config: {
        name: 'web',
        inbound_rule: [
          { protocol: 'tcp', port_range: '443', source_addresses: ['0.0.0.0/0'] },
          { protocol: 'tcp', port_range: '22', source_addresses: ['10.10.0.0/16'] },
        ],
      },
    });
  }
  return { resources, defaultTags: tags, environment: tags?.Environment };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
type Mutation = {
  stack: 'production' | 'dr';
  type: string;
  where?: (r: TfResource) => boolean;
  mutate: (r: TfResource, ctx: TfContext) => TfContext | void;
};
const drop =
  (type: string) =>
  (r: TfResource, ctx: TfContext): TfContext => ({
    ...ctx,
    resources: ctx.resources.filter((x) => !(x.type === type && JSON.stringify(x.config).includes(`${r.type}.${r.name}.`))),
  });

const FAILING: Record<string, Mutation> = {
  'SK-AWS-001': { stack: 'production', type: 'aws_s3_bucket', mutate: drop('aws_s3_bucket_server_side_encryption_configuration') },
  'SK-AWS-002': {
    stack: 'production',
    type: 'aws_s3_bucket',
    mutate: (r, ctx) =>
      void ctx.resources
        .filter((x) => x.type === 'aws_s3_bucket_public_access_block' && JSON.stringify(x.config).includes(r.name))
        .forEach((x) => (x.config.restrict_public_buckets = false)),
  },
  'SK-AWS-003': { stack: 'production', type: 'aws_s3_bucket', mutate: drop('aws_s3_bucket_versioning') },
  'SK-AWS-004': { stack: 'production', type: 'aws_s3_bucket', mutate: drop('aws_s3_bucket_policy') },
  'SK-AWS-005': {
    stack: 'production',
    type: 'aws_s3_bucket',
    where: (r) => r.config.bucket.endsWith('-files'),
    mutate: drop('aws_s3_bucket_logging'),
  },
  'SK-AWS-006': { stack: 'production', type: 'aws_s3_bucket', mutate: (r) => void (r.config.force_destroy = true) },
  'SK-AWS-007': { stack: 'production', type: 'aws_s3_bucket', mutate: drop('aws_s3_bucket_ownership_controls') },
  // The data buckets' copies in the recovery region (SamokoderStack 'recovery') are what the reference passes with.
  'SK-AWS-008': {
    stack: 'production',
    type: 'aws_s3_bucket',
    where: (r) => r.config.bucket.endsWith('-files'),
    mutate: drop('aws_s3_bucket_replication_configuration'),
  },
  'SK-AWS-010': { stack: 'production', type: 'aws_db_instance', mutate: (r) => void (r.config.publicly_accessible = true) },
  'SK-AWS-011': { stack: 'production', type: 'aws_db_instance', mutate: (r) => void (r.config.multi_az = false) },
  'SK-AWS-012': { stack: 'production', type: 'aws_db_instance', mutate: (r) => void (r.config.password = 'hunter2hunter2') },
  'SK-AWS-015': {
    stack: 'production',
    type: 'aws_db_instance',
    mutate: drop('aws_db_instance_automated_backups_replication'),
  },
  'SK-AWS-014': {
    stack: 'production',
    type: 'aws_db_instance',
    mutate: (_r, ctx) =>
      void ctx.resources
        .filter((x) => x.type === 'aws_db_parameter_group')
        .forEach((x) => (x.config.parameter = x.config.parameter.filter((p: { name: string }) => p.name !== 'rds.force_ssl'))),
  },
  'SK-AWS-013': { stack: 'production', type: 'aws_db_instance', mutate: (r) => void (r.config.monitoring_interval = 0) },
  'SK-AWS-020': {
    stack: 'production',
    type: 'aws_elasticache_replication_group',
    mutate: (r) => void (r.config.transit_encryption_enabled = false),
  },
  'SK-AWS-030': {
    stack: 'production',
    type: 'aws_eks_cluster',
    mutate: (r) => void Object.assign(r.config.vpc_config, { endpoint_public_access: true, public_access_cidrs: ['0.0.0.0/0'] }),
  },
  'SK-AWS-031': { stack: 'production', type: 'aws_eks_cluster', mutate: (r) => void (r.config.enabled_cluster_log_types = ['api']) },
  'SK-AWS-032': {
    stack: 'production',
    type: 'aws_eks_cluster',
    mutate: (r) => void (r.config.upgrade_policy = { support_type: 'EXTENDED' }),
  },
  'SK-AWS-033': {
    stack: 'production',
    type: 'aws_launch_template',
    mutate: (r) => void (r.config.metadata_options.http_put_response_hop_limit = 2),
  },
  'SK-AWS-040': {
    stack: 'production',
    type: 'aws_vpc_security_group_ingress_rule',
    mutate: (r) => void Object.assign(r.config, { cidr_ipv4: '0.0.0.0/0', referenced_security_group_id: undefined }),
  },
  'SK-AWS-041': {
    stack: 'production',
    type: 'aws_vpc',
    mutate: (_r, ctx) =>
      void ctx.resources
        .filter((x) => x.type === 'aws_default_security_group')
        .forEach((x) => (x.config.ingress = [{ from_port: 0, to_port: 0, protocol: '-1', self: true }])),
  },
  'SK-AWS-042': { stack: 'production', type: 'aws_vpc', mutate: drop('aws_flow_log') },
  'SK-AWS-050': {
    stack: 'production',
    type: 'aws_iam_role_policy',
    mutate: (r) =>
      void (r.config.policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] })),
  },
  'SK-AWS-051': {
    stack: 'production',
    type: 'aws_iam_role_policy_attachment',
    mutate: (r) => void (r.config.policy_arn = 'arn:aws:iam::aws:policy/AdministratorAccess'),
  },
  'SK-AWS-060': { stack: 'production', type: 'aws_cloudwatch_log_group', mutate: (r) => void delete r.config.kms_key_id },
  'SK-AWS-061': { stack: 'production', type: 'aws_kms_key', mutate: (r) => void (r.config.enable_key_rotation = false) },
  'SK-AWS-062': { stack: 'production', type: 'aws_sns_topic', mutate: (r) => void delete r.config.kms_master_key_id },
  'SK-AWS-063': { stack: 'production', type: 'aws_db_instance', mutate: (r) => void delete r.config.lifecycle },
  'SK-AWS-064': { stack: 'production', type: 'aws_vpc', mutate: (_r, ctx) => ({ ...ctx, defaultTags: { Environment: 'production' } }) },
  'SK-ALL-001': {
    stack: 'production',
    type: 'aws_elasticache_replication_group',
    mutate: (r) => void (r.config.auth_token = 'correct-horse-battery-staple'),
  },
  'SK-DO-001': { stack: 'dr', type: 'digitalocean_kubernetes_cluster', mutate: (r) => void (r.config.ha = false) },
  'SK-DO-002': { stack: 'dr', type: 'digitalocean_kubernetes_cluster', mutate: (r) => void (r.config.node_pool.min_nodes = 1) },
  'SK-DO-003': { stack: 'dr', type: 'digitalocean_database_cluster', mutate: (r) => void delete r.config.private_network_uuid },
  'SK-DO-004': {
    stack: 'dr',
    type: 'digitalocean_database_firewall',
    mutate: (r) => void r.config.rule.push({ type: 'ip_addr', value: '0.0.0.0/0' }),
  },
  'SK-DO-009': {
    stack: 'dr',
    type: 'digitalocean_firewall',
    mutate: (r) => void r.config.inbound_rule.push({ protocol: 'tcp', port_range: '22', source_addresses: ['0.0.0.0/0'] }),
  },
  'SK-DO-005': { stack: 'dr', type: 'digitalocean_spaces_bucket', mutate: (r) => void (r.config.acl = 'public-read') },
  'SK-DO-006': {
    stack: 'dr',
    type: 'digitalocean_loadbalancer',
    where: (r) => r.config.type === 'REGIONAL',
    mutate: (r) => void (r.config.redirect_http_to_https = false),
  },
  'SK-DO-007': { stack: 'dr', type: 'digitalocean_container_registry', mutate: (r) => void (r.config.subscription_tier_slug = 'starter') },
  'SK-DO-008': { stack: 'dr', type: 'digitalocean_database_replica', mutate: (r) => void delete r.config.lifecycle },
};

describe('Terraform rules', () => {
  test('every rule has a failing fixture', () => {
    expect(Object.keys(FAILING).sort()).toEqual(TERRAFORM_RULES.map((r) => r.id).sort());
  });

  test('the reference platform passes every rule (the passing fixtures)', () => {
    const findings = [...platform.app.node.children].flatMap((s) => PolicyPack.checkTerraform(s as never));
    expect(findings.map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test.each(TERRAFORM_RULES.map((r) => [r.id, r] as const))('%s fails on its failing fixture and passes on the reference', (_id, rule) => {
    const m = FAILING[rule.id];
    const base = contextOf(m.stack);
    const ctx = clone(base);
    const target = ctx.resources.find((r) => r.type === m.type && (m.where ? m.where(r) : true));
    if (!target) throw new Error(`no ${m.type} in the reference ${m.stack} stack`);
    const original = base.resources.find((r) => r.type === target.type && r.name === target.name)!;
    expect([rule.check(original, base) ?? []].flat()).toEqual([]);
    const mutated = m.mutate(target, ctx) ?? ctx;
    expect([rule.check(target, mutated) ?? []].flat().length).toBeGreaterThan(0);
  });

  // The whole internet written as pieces is still the whole internet.
  const halves: Array<[string, string, string, (r: TfResource) => void]> = [
    [
      'SK-AWS-040',
      'production',
      'aws_vpc_security_group_ingress_rule',
      (r) => {
        Object.assign(r.config, { cidr_ipv4: '0.0.0.0/1', referenced_security_group_id: undefined });
      },
    ],
    [
      'SK-DO-004',
      'dr',
      'digitalocean_database_firewall',
      (r) => {
        r.config.rule.push({ type: 'ip_addr', value: '0.0.0.0/1' }, { type: 'ip_addr', value: '128.0.0.0/1' });
      },
    ],
    [
      'SK-DO-009',
      'dr',
      'digitalocean_firewall',
      (r) => {
        r.config.inbound_rule.push({ protocol: 'tcp', port_range: '22', source_addresses: ['0.0.0.0/1', '128.0.0.0/1'] });
      },
    ],
  ];
  test.each(halves)('%s refuses 0.0.0.0/1 + 128.0.0.0/1 as it refuses 0.0.0.0/0', (id, stack, type, mutate) => {
    const rule = TERRAFORM_RULES.find((r) => r.id === id)!;
    const ctx = clone(contextOf(stack as 'production' | 'dr'));
    const target = ctx.resources.find((r) => r.type === type)!;
    mutate(target);
    expect([rule.check(target, ctx) ?? []].flat().length).toBeGreaterThan(0);
  });

  test.each(['prod', 'eu-prd', 'live'])('a database without a standby in "%s" is a production database without a standby', (env) => {
    const rule = TERRAFORM_RULES.find((r) => r.id === 'SK-AWS-011')!;
    const ctx = { ...clone(contextOf('production')), environment: env };
    const db = ctx.resources.find((r) => r.type === 'aws_db_instance')!;
    db.config.multi_az = false;
    expect([rule.check(db, ctx) ?? []].flat()).toEqual(['a production database without a standby']);
    expect([rule.check(db, { ...ctx, environment: 'staging' }) ?? []].flat()).toEqual([]);
  });
});

describe('stateful resources', () => {
  // Settings the types' own rules check before protection (S3, KMS, Spaces), so only protection is judged.
  const otherwiseFine = { enable_key_rotation: true, policy: '{}', force_destroy: false, acl: 'private', versioning: [{ enabled: true }] };
  const protectionFindings = (type: string, config: Record<string, unknown>) => {
    const r: TfResource = { type, name: 'X', path: 'stack/X', config };
    const ctx: TfContext = { resources: [r], defaultTags: undefined, environment: undefined };
    return TERRAFORM_RULES.filter((rule) => rule.severity === 'error' && (rule.types === '*' || rule.types.includes(type)))
      .flatMap((rule) => [rule.check(r, ctx) ?? []].flat())
      .filter((f) => /prevent_destroy|protected from deletion/.test(f));
  };

  test.each([...STATEFUL_TYPES.aws, ...STATEFUL_TYPES.digitalocean])(
    '%s is refused without lifecycle.prevent_destroy, passes with it',
    (type) => {
      expect(protectionFindings(type, otherwiseFine)).not.toEqual([]);
      expect(protectionFindings(type, { ...otherwiseFine, lifecycle: { prevent_destroy: true } })).toEqual([]);
    },
  );
});
