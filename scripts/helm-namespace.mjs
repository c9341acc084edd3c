// The namespace the Helm chart is synthesized with (apps/helm.ts) and that scripts/finalize-helm-chart.mjs replaces
// with `{{ .Release.Namespace }}`: a valid DNS label that appears nowhere else, so every namespace-dependent value
// (metadata, namespace selectors, PromQL matchers, Service URLs) is templated, and nothing else is.
export const HELM_NAMESPACE_SENTINEL = 'helm-release-ns';

// The annotations that make the migration Job a Helm hook (the GitOps output makes it an Argo CD Sync hook):
// after install (its ServiceAccount, ConfigMap and Secrets exist by then) and before every upgrade, replaced rather
// than patched (a Job's pod template is immutable), kept after success for its logs until the next release.
export const MIGRATION_HELM_HOOK = Object.freeze({
  'helm.sh/hook': 'post-install,pre-upgrade',
  'helm.sh/hook-weight': '-1',
  'helm.sh/hook-delete-policy': 'before-hook-creation',
});
