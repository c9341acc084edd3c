// Part of the public API of samokoder-infra (see lib/index.ts, which exports all of it).
// What every entry point shares: errors, tags, the platform contract, environments, CIDRs, durations, the policy pack.
export * from './common/errors';
export * from './common/tags';
export * from './common/contract';
export * from './common/gateway-access';
export * from './common/environment';
export { internetWideReason, Ipv4Cidr, WIDEST_ALLOWED_PREFIX } from './common/cidr';
export { isUnresolved } from './common/validate';
export * from './common/duration';
export * from './common/replication';
export {
  DATABASE_BOOTSTRAP_SERVICE_ACCOUNT,
  DATABASE_DUMP_PREFIX,
  DATABASE_DUMP_SERVICE_ACCOUNT,
  DATABASE_DUMP_USER,
  DATABASE_MASTER_SECRET_KEY,
  databaseBootstrapSql,
} from './common/database-bootstrap';

// Policy pack (checks Terraform stacks and cdk8s charts; loads cdk8s, and never cdktf itself)
export * from './policy/rule';
export type { TfResource, TfContext, TerraformRule } from './policy/terraform-rules';
export { TERRAFORM_RULES } from './policy/terraform-rules';
export type { KubernetesRule } from './policy/kubernetes-rules';
export { K8sIndex, KUBERNETES_RULES, podSpecOf } from './policy/kubernetes-rules';
export * from './policy/policy-pack';
