import { HelmChartSource, IgnoredDifference } from '../delivery/argocd';

/** Where a component's CRDs come from: a directory of a Git repository at a pinned tag. */
export interface CrdSource {
  /** The repository, e.g. `https://github.com/cert-manager/cert-manager.git`. */
  readonly repoURL: string;
  /** A tag (never a branch): the CRDs must match the controller's version. */
  readonly revision: string;
  /** Directory of the CRD manifests in the repository. */
  readonly path: string;
  /** Only these files (a glob such as `{a.yaml,b.yaml}`). @default - every file of `path` */
  readonly include?: string;
}

/** A controller the platform layer installs: its Helm chart, its CRDs and the namespace it runs in. */
export interface PlatformComponentSpec {
  /** Short name: names its Applications (`<name>-crds`, `<name>`). A DNS label. */
  readonly name: string;
  /** Namespace the controller runs in (created by Argo CD). */
  readonly namespace: string;
  /** The upstream Helm chart, pinned. @default - CRDs only */
  readonly chart?: HelmChartSource;
  /** The CRDs, synced before the controller by an Application of their own. @default - none */
  readonly crds?: CrdSource;
  /** Fields a controller writes into its own objects (webhook CA bundles), not compared by Argo CD. @default [] */
  readonly ignoreDifferences?: IgnoredDifference[];
  /** Cluster-scoped kinds its chart creates (allowed by the platform's AppProject). @default - RBAC, CRDs and webhooks */
  readonly clusterKinds?: ReadonlyArray<{ readonly group: string; readonly kind: string }>;
}

const WEBHOOK_CA: IgnoredDifference[] = [
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', jsonPointers: ['/webhooks/0/clientConfig/caBundle'] },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', jsonPointers: ['/webhooks/0/clientConfig/caBundle'] },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', jsonPointers: ['/spec/conversion/webhook/clientConfig/caBundle'] },
];

/**
 * The upstream controllers the apps depend on, each pinned: chart version, CRD tag and the versions the CRDs in
 * `../shared/real-engines/crds` were taken from (so `npm run verify:k8s` installs exactly what Argo CD would).
 * `PlatformComponent.of(...)` takes any other version or component.
 */
export class PlatformComponent {
  /** Gateway API v1.6.1, standard channel (CRDs only; Envoy Gateway implements it). */
  public static readonly GATEWAY_API = new PlatformComponent({
    name: 'gateway-api',
    namespace: 'envoy-gateway-system',
    crds: { repoURL: 'https://github.com/kubernetes-sigs/gateway-api.git', revision: 'v1.6.1', path: 'config/crd/standard' },
  });
  /** Envoy Gateway v1.9.0: the Gateway API implementation, with its policy CRDs (rate limits, proxy config). */
  public static readonly ENVOY_GATEWAY = new PlatformComponent({
    name: 'envoy-gateway',
    namespace: 'envoy-gateway-system',
    chart: { repoURL: 'docker.io/envoyproxy', chart: 'gateway-helm', version: 'v1.9.0', skipCrds: true },
    crds: {
      repoURL: 'https://github.com/envoyproxy/gateway.git',
      revision: 'v1.9.0',
      path: 'charts/gateway-helm/charts/crds/crds/generated',
    },
    ignoreDifferences: WEBHOOK_CA,
  });
  /** cert-manager v1.21.1, with the Gateway API integration its HTTP-01 solver needs. */
  public static readonly CERT_MANAGER = new PlatformComponent({
    name: 'cert-manager',
    namespace: 'cert-manager',
    chart: {
      repoURL: 'https://charts.jetstack.io',
      chart: 'cert-manager',
      version: 'v1.21.1',
      skipCrds: true,
      values: {
        crds: { enabled: false },
        config: { apiVersion: 'controller.config.cert-manager.io/v1alpha1', kind: 'ControllerConfiguration', enableGatewayAPI: true },
      },
    },
    crds: { repoURL: 'https://github.com/cert-manager/cert-manager.git', revision: 'v1.21.1', path: 'deploy/crds' },
    ignoreDifferences: WEBHOOK_CA,
  });
  /** External Secrets v2.9.0: Secrets synced from the cloud's secret store, by reference. */
  public static readonly EXTERNAL_SECRETS = new PlatformComponent({
    name: 'external-secrets',
    namespace: 'external-secrets',
    chart: {
      repoURL: 'https://charts.external-secrets.io',
      chart: 'external-secrets',
      version: '2.9.0',
      skipCrds: true,
      values: { installCRDs: false, serviceAccount: { name: 'external-secrets' } },
    },
    crds: { repoURL: 'https://github.com/external-secrets/external-secrets.git', revision: 'v2.9.0', path: 'config/crds/bases' },
    ignoreDifferences: WEBHOOK_CA,
  });
  /**
   * Argo Rollouts v1.9.1. The newest argo-rollouts chart (2.41.0) ships v1.9.0: its image is set to v1.9.1, the
   * version of the CRDs.
   */
  public static readonly ARGO_ROLLOUTS = new PlatformComponent({
    name: 'argo-rollouts',
    namespace: 'argo-rollouts',
    chart: {
      repoURL: 'https://argoproj.github.io/argo-helm',
      chart: 'argo-rollouts',
      version: '2.41.0',
      skipCrds: true,
      values: { installCRDs: false, controller: { image: { tag: 'v1.9.1' } } },
    },
    crds: { repoURL: 'https://github.com/argoproj/argo-rollouts.git', revision: 'v1.9.1', path: 'manifests/crds' },
  });
  /** kube-prometheus-stack 88.0.0 (prometheus-operator v0.93.0): Prometheus, Alertmanager, Grafana, kube-state-metrics. */
  public static readonly KUBE_PROMETHEUS_STACK = new PlatformComponent({
    name: 'kube-prometheus-stack',
    namespace: 'monitoring',
    chart: {
      repoURL: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: '88.0.0',
      skipCrds: true,
    },
    crds: {
      repoURL: 'https://github.com/prometheus-operator/prometheus-operator.git',
      revision: 'v0.93.0',
      path: 'example/prometheus-operator-crd',
    },
    ignoreDifferences: WEBHOOK_CA,
  });

  /** Any other component or version. */
  public static of(spec: PlatformComponentSpec): PlatformComponent {
    return new PlatformComponent(spec);
  }

  private constructor(public readonly spec: PlatformComponentSpec) {}

  /** The same component with its chart's values merged over `values` (deeply). */
  public withValues(values: Record<string, unknown>): PlatformComponent {
    if (!this.spec.chart) return this;
    return new PlatformComponent({ ...this.spec, chart: { ...this.spec.chart, values: deepMerge(this.spec.chart.values ?? {}, values) } });
  }
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      prev && v && typeof prev === 'object' && typeof v === 'object' && !Array.isArray(prev) && !Array.isArray(v)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
