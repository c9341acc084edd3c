import { invalidProp } from '../common/errors';
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
  /**
   * The Pod Security Standard its namespace enforces (Argo CD labels the namespace it creates, through the
   * Applications' `managedNamespaceMetadata`); `warn` stays `restricted`, so a looser level still shows what it
   * admits. Components that share a namespace must agree. @default 'restricted'
   */
  readonly podSecurity?: PodSecurityLevel;
}

/** A Pod Security Standard (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** The Secret Grafana reads its admin user and password from (see {@link MONITORING_STACK_VALUES}). */
const GRAFANA_ADMIN_SECRET = 'grafana-admin';

/**
 * kube-prometheus-stack's values that differ from the chart's defaults:
 * - No objects in `kube-system`: the exporters of the control plane (controller-manager, scheduler, etcd) and of
 *   kube-proxy and CoreDNS are Services the chart puts in kube-system, which the platform's project does not deploy
 *   to. On EKS and DOKS the control plane is managed and not scrapeable, kube-proxy serves metrics on 127.0.0.1 only
 *   (EKS' default `metricsBindAddress`) or is replaced by Cilium (DOKS); their alerts would fire for want of targets.
 * - Grafana's admin password is not rendered by the chart (it draws a random one on every render: the Application
 *   would be OutOfSync at every refresh and self-heal would restart Grafana with a new password each time). An
 *   External Secrets `Password` generator makes it once in the cluster (refreshPolicy CreatedOnce): never in Git,
 *   stable across renders; read it with `kubectl -n monitoring get secret grafana-admin`. Its objects come before
 *   Grafana within the Application (sync wave -1); they need only External Secrets' CRDs and controller (an earlier
 *   wave), no secret store.
 */
export const MONITORING_STACK_VALUES: Readonly<Record<string, unknown>> = {
  crds: { enabled: false },
  kubeControllerManager: { enabled: false },
  kubeScheduler: { enabled: false },
  kubeEtcd: { enabled: false },
  kubeProxy: { enabled: false },
  coreDns: { enabled: false },
  grafana: { admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' } },
  extraManifests: [
    {
      apiVersion: 'generators.external-secrets.io/v1alpha1',
      kind: 'Password',
      metadata: { name: GRAFANA_ADMIN_SECRET, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
      spec: { length: 32, digits: 6, symbols: 0, noUpper: false, allowRepeat: true, secretKeys: ['admin-password'] },
    },
    {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: { name: GRAFANA_ADMIN_SECRET, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
      spec: {
        refreshPolicy: 'CreatedOnce',
        target: {
          name: GRAFANA_ADMIN_SECRET,
          creationPolicy: 'Owner',
          template: { engineVersion: 'v2', mergePolicy: 'Merge', data: { 'admin-user': 'admin' } },
        },
        dataFrom: [
          {
            sourceRef: {
              generatorRef: { apiVersion: 'generators.external-secrets.io/v1alpha1', kind: 'Password', name: GRAFANA_ADMIN_SECRET },
            },
          },
        ],
      },
    },
  ],
};

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
  /**
   * Gateway API v1.6.1, standard channel (CRDs only; Envoy Gateway implements it). The directory also holds the
   * `safe-upgrades.gateway.networking.k8s.io` ValidatingAdmissionPolicy and its binding (they refuse experimental or
   * older Gateway API CRDs over these), so the project admits those two kinds.
   */
  public static readonly GATEWAY_API = new PlatformComponent({
    name: 'gateway-api',
    namespace: 'envoy-gateway-system',
    crds: { repoURL: 'https://github.com/kubernetes-sigs/gateway-api.git', revision: 'v1.6.1', path: 'config/crd/standard' },
    clusterKinds: [
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding' },
    ],
  });
  /**
   * Envoy Gateway v1.9.0: the Gateway API implementation, with its policy CRDs (rate limits, proxy config). Its
   * chart's `crds` subchart (on by default) renders the Gateway API safe-upgrades policy from templates, which
   * `skipCrds` does not leave out, so two Applications would own it: the subchart is off, the CRDs and the policy come
   * from the Applications of their own.
   */
  public static readonly ENVOY_GATEWAY = new PlatformComponent({
    name: 'envoy-gateway',
    namespace: 'envoy-gateway-system',
    chart: {
      repoURL: 'docker.io/envoyproxy',
      chart: 'gateway-helm',
      version: 'v1.9.0',
      skipCrds: true,
      values: { crds: { enabled: false } },
    },
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
        // Leader-election leases in its own namespace, not kube-system (the chart's default), which the platform's
        // project does not deploy to.
        global: { leaderElection: { namespace: 'cert-manager' } },
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
  /**
   * kube-prometheus-stack 88.0.0 (prometheus-operator v0.93.0): Prometheus, Alertmanager, Grafana, kube-state-metrics.
   * See {@link MONITORING_STACK_VALUES} for what differs from the chart's defaults and why.
   */
  public static readonly KUBE_PROMETHEUS_STACK = new PlatformComponent({
    name: 'kube-prometheus-stack',
    namespace: 'monitoring',
    chart: {
      repoURL: 'https://prometheus-community.github.io/helm-charts',
      chart: 'kube-prometheus-stack',
      version: '88.0.0',
      skipCrds: true,
      values: MONITORING_STACK_VALUES,
    },
    crds: {
      repoURL: 'https://github.com/prometheus-operator/prometheus-operator.git',
      revision: 'v0.93.0',
      path: 'example/prometheus-operator-crd',
    },
    ignoreDifferences: WEBHOOK_CA,
    // prometheus-node-exporter reads the node it runs on: hostNetwork, hostPID and hostPath mounts of /proc, /sys and
    // / (its chart's daemonset.yaml), which only the privileged level admits. The other pods of the namespace are
    // restricted-compliant (warn: restricted names any that is not).
    podSecurity: 'privileged',
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

const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ['restricted', 'baseline', 'privileged'];

/**
 * The labels Argo CD puts on each namespace the components' Applications create: the Pod Security level it
 * enforces and warns at (the components' `podSecurity`, which components sharing a namespace must agree on) and
 * `audit: restricted`, at the `latest` version of the standards, as the apps' namespaces are.
 * @internal
 */
export function _namespacePodSecurity(path: string, components: readonly PlatformComponent[]): Map<string, Record<string, string>> {
  const levels = new Map<string, { level: PodSecurityLevel; component: string }>();
  components.forEach((c, i) => {
    const level = c.spec.podSecurity ?? 'restricted';
    if (!POD_SECURITY_LEVELS.includes(level)) {
      throw invalidProp(path, `components[${i}].podSecurity`, level, `must be one of ${POD_SECURITY_LEVELS.join(', ')}`);
    }
    const first = levels.get(c.spec.namespace);
    if (first && first.level !== level) {
      throw invalidProp(
        path,
        `components[${i}].podSecurity`,
        level,
        `differs from ${first.component}'s (${first.level}), which shares the namespace ${c.spec.namespace}: one namespace has one Pod Security level`,
      );
    }
    levels.set(c.spec.namespace, first ?? { level, component: c.spec.name });
  });
  return new Map(
    [...levels].map(([namespace, { level }]) => [
      namespace,
      {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        // What a looser level admits beyond restricted goes to the audit log, not to every apply as a warning.
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': level,
      },
    ]),
  );
}
