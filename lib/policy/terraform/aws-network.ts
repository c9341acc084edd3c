import { internetWideReason } from '../../common/cidr';
import { others, refersTo, rule, TerraformRule } from './kit';

/** Rules for VPC, subnets and security groups. */
export const NETWORK_RULES: readonly TerraformRule[] = [
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
        if (!internetWideReason(cidrs)) continue;
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
];
