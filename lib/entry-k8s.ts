// `samokoder-infra/k8s`: everything for Kubernetes (cdk8s), for a team that writes no Terraform. It loads no cdktf
// package, so a cdk8s-only repository installs none (they are optional peers).
export * from './entry-common';

// Kubernetes
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
export * from './k8s/database-bootstrap';
export * from './k8s/database-dump';
export * from './patterns/production-app';
export { renderCharts } from './private/render';
export type { RenderedChart } from './private/render';
export { saveManifests, stringifyManifests } from './private/yaml';
export * from './k8s/platform-gateway';
export * from './k8s/replication-lag-monitor';
export * from './k8s/replication-heartbeat';
export * from './k8s/reader-key-rotation';
export * from './k8s/files-sync';
export * from './k8s/primary-probe';
export { credentialFields, credentialLines, looksLikeLiteralSecret, looksLikeSecretValue } from './common/secret-detection';

// Observability
export * from './observability/promql';
export * from './observability/spec';
/** @internal */
export { _resolveMonitoring } from './observability/resolve-monitoring';
export type { AlertRule, RecordingRule, RuleGroup } from './observability/rules';
export { BURN_RATE_WINDOWS, SLI_WINDOWS } from './observability/rules';
export * from './observability/app-monitoring';

// Platform layer
export * from './platform/platform-component';
export * from './platform/platform-cloud';
export * from './platform/platform-dns';
export * from './platform/cluster-platform';
export * from './platform/wiring';

// Delivery
export * from './policy/version-drift';
export * from './delivery/strategy';
export * from './delivery/analysis';
export * from './delivery/smoke-test';
export * from './delivery/app-rollout';
export * from './delivery/argocd';
export * from './delivery/argocd-hub';
export * from './delivery/app-of-apps';
export * from './patterns/gitops-repository';
