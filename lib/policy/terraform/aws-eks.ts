import { internetWideReason } from '../../common/cidr';
import { first, rule, TerraformRule } from './kit';

/** Rules for EKS. */
export const EKS_RULES: readonly TerraformRule[] = [
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
      if (cidrs.length === 0 || internetWideReason(cidrs)) return 'the Kubernetes API is open to the internet';
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
];
