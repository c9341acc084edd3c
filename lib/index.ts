// The public API of samokoder-infra. Everything a team imports comes from here; nothing else is API.

// Cross-cutting
export * from './common/errors';
export * from './common/tags';
export * from './common/contract';
export * from './common/environment';
export { internetWideReason, Ipv4Cidr, WIDEST_ALLOWED_PREFIX } from './common/cidr';
export { isUnresolved } from './common/validate';

// AWS (cdktf)
export * from './aws/region';
export * from './aws/eks-version';
export * from './aws/network';
export * from './aws/environment-profile';
export * from './aws/eks-cluster';
export * from './aws/database';
export * from './aws/cache';
export * from './aws/secure-bucket';
export * from './aws/alarms';
export * from './aws/pod-role';
export * from './aws/remote-state';
export * from './aws/state-stack';
export * from './aws/samokoder-stack';

// Kubernetes (cdk8s)
export * from './k8s/image';
export * from './k8s/secrets';
export * from './k8s/synced-secret';
export * from './k8s/routing';
export * from './k8s/dependency';
export * from './k8s/rbac';
export * from './k8s/app-namespace';
export * from './k8s/quantity';
export * from './k8s/app-service-account';
export * from './k8s/app-config';
export * from './k8s/workload-options';
export * from './k8s/app-workload';
export * from './k8s/app-scaling';
export * from './k8s/app-network-policies';
export * from './k8s/app-routes';
export * from './k8s/app-migration';
export * from './k8s/production-app';
export * from './k8s/render';
export * from './k8s/platform-gateway';
export * from './k8s/replication-lag-monitor';
export { credentialFields, credentialLines, looksLikeLiteralSecret, looksLikeSecretValue } from './common/secret-detection';

// Observability (cdk8s)
export * from './observability/promql';
export * from './observability/spec';
export type { AlertRule, RecordingRule, RuleGroup } from './observability/rules';
export { BURN_RATE_WINDOWS, SLI_WINDOWS } from './observability/rules';
export * from './observability/app-monitoring';

// Platform layer (cdk8s)
export * from './platform/platform-component';
export * from './platform/platform-cloud';
export * from './platform/cluster-platform';
export * from './platform/wiring';

// DigitalOcean (cdktf)
export * from './common/duration';
export * from './digitalocean/region';
export * from './digitalocean/doks-version';
export * from './digitalocean/regional-cluster';
export * from './digitalocean/data-tier';
export * from './digitalocean/global-entry';
export * from './digitalocean/recovery-model';
export * from './digitalocean/failover-plan';
export * from './digitalocean/dr-secrets';
export * from './common/replication';
export * from './digitalocean/multi-region-dr';

// Delivery
export * from './delivery/strategy';
export * from './delivery/analysis';
export * from './delivery/smoke-test';
export * from './delivery/app-rollout';
export * from './delivery/argocd';
export * from './delivery/app-of-apps';
export * from './delivery/gitops-repository';

// Policy pack
export * from './policy/rule';
export type { TfResource, TfContext, TerraformRule } from './policy/terraform-rules';
export { TERRAFORM_RULES } from './policy/terraform-rules';
export type { KubernetesRule } from './policy/kubernetes-rules';
export { K8sIndex, KUBERNETES_RULES, podSpecOf } from './policy/kubernetes-rules';
export * from './policy/policy-pack';
export * from './policy/version-drift';
