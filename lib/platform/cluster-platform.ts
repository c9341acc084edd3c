import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { _AllKeys, _checkLists, _checkProps } from '../common/props';
import { invalidProp } from '../common/errors';
import { _Registry } from '../common/registry';
import { literalCredentialPath } from '../common/secret-detection';
import { _freeId, _requireAcmeContact, isDnsSubdomain, refuseCredential, requireDnsLabel, requireIntegerInRange } from '../common/validate';
import { ArgoCdApplication, ArgoCdProject, GitSource, GroupKind, _HELM_VALUES_CREDENTIAL } from '../delivery/argocd';
import { SecretStore } from '../k8s/secrets';
import { PlatformCloud } from './platform-cloud';
import { _namespacePodSecurity, PlatformComponent } from './platform-component';
import { _platformConfig } from './platform-config';
import { _scanChartsForCredentials } from '../private/credential-scan';
import { _LibraryChart } from '../private/render';

/** Prometheus settings of the platform layer. */
export interface PlatformPrometheusOptions {
  /**
   * Days of metrics kept. Must cover the longest SLO window (a 30-day error budget needs 30 days of data), checked
   * across the platform by `checkPlatformWiring`.
   * @default 35
   */
  readonly retentionDays?: number;
  /** Size of Prometheus' volume in GiB. @default 100 */
  readonly storageGiB?: number;
  /**
   * StorageClass of the volume: one the cluster has (the cloud's, `PlatformCloud.storageClasses`, or one made outside
   * the library). @default - the cloud's `defaultStorageClass` (`gp3` on EKS, created by the platform layer;
   * `do-block-storage-retain` on DOKS)
   */
  readonly storageClass?: string;
}

/** The shared Gateway the apps' routes attach to (see {@link PlatformGateway}); the ACME solver routes attach too. */
export interface PlatformGatewayRef {
  /** @default 'public' */
  readonly name?: string;
  /** @default 'gateway-system' */
  readonly namespace?: string;
  /** The plain-HTTP listener (where ACME HTTP-01 challenges arrive). @default 'http' */
  readonly httpListener?: string;
}

/** Props for {@link ClusterPlatform}. */
export interface ClusterPlatformProps {
  /** The cluster's name in Argo CD (the Applications' destination). */
  readonly cluster: string;
  /** The cloud: where secrets come from and how traffic reaches the gateway. */
  readonly cloud: PlatformCloud;
  /** The GitOps repository (its platform configuration is synced from there). */
  readonly source: GitSource;
  /** Directory of the repository the `config` chart is written to. */
  readonly configPath: string;
  /** Contact address of the ACME account (Let's Encrypt expiry and policy mail). */
  readonly acmeEmail: string;
  /** Names the AppProject (`<team>-platform-<cluster>`). @default - `platform-<cluster>` */
  readonly team?: string;
  /** @default - `public` in `gateway-system`, listener `http` */
  readonly gateway?: PlatformGatewayRef;
  /** GatewayClass the Gateway names. @default 'eg' */
  readonly gatewayClassName?: string;
  /** ClusterIssuer the certificates name. @default 'letsencrypt-prod' */
  readonly issuerName?: string;
  /** ACME directory. @default - Let's Encrypt production */
  readonly acmeServer?: string;
  /** ClusterSecretStore the ExternalSecrets name. @default 'aws-secrets-manager' */
  readonly secretStoreName?: string;
  /** @default - 35 days on a 100 GiB volume of the cloud's default StorageClass */
  readonly prometheus?: PlatformPrometheusOptions;
  /** The controllers. @default - Gateway API, Envoy Gateway, cert-manager, External Secrets, Argo Rollouts, kube-prometheus-stack */
  readonly components?: PlatformComponent[];
  /** @default 'argocd' */
  readonly argocdNamespace?: string;
}

/** Sync waves of the platform layer: CRDs, then controllers, then their configuration, then the apps (-1, 0). */
export const PLATFORM_SYNC_WAVES = { crds: -30, controllers: -20, config: -10 } as const;

const CLUSTER_KINDS: GroupKind[] = [
  { group: '', kind: 'Namespace' },
  { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' },
  { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration' },
  { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration' },
  { group: 'gateway.networking.k8s.io', kind: 'GatewayClass' },
  { group: 'cert-manager.io', kind: 'ClusterIssuer' },
  { group: 'external-secrets.io', kind: 'ClusterSecretStore' },
];

const PROMETHEUS_KEYS = ['retentionDays', 'storageGiB', 'storageClass'] as const;
const GATEWAY_KEYS = ['name', 'namespace', 'httpListener'] as const;

/** Every prop of {@link ClusterPlatformProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const CLUSTERPLATFORM_PROPS = [
  'cluster',
  'cloud',
  'source',
  'configPath',
  'acmeEmail',
  'team',
  'gateway',
  'gatewayClassName',
  'issuerName',
  'acmeServer',
  'secretStoreName',
  'prometheus',
  'components',
  'argocdNamespace',
] as const satisfies readonly (keyof ClusterPlatformProps)[];
const CLUSTERPLATFORM_REQUIRED = [
  'cluster',
  'cloud',
  'source',
  'configPath',
  'acmeEmail',
] as const satisfies readonly (keyof ClusterPlatformProps)[];

/**
 * What a cluster needs before any app can sync: the controllers the apps' objects are for (Gateway API and Envoy
 * Gateway, cert-manager, External Secrets, Argo Rollouts, kube-prometheus-stack) as Argo CD Applications of their
 * upstream Helm charts at pinned versions, their CRDs from the upstream repositories at the same tags, and the
 * cluster objects the apps name (GatewayClass and proxy config, ClusterIssuer, ClusterSecretStore, a Prometheus
 * whose retention covers the SLO windows). Sync waves order them before the apps (see {@link PLATFORM_SYNC_WAVES}).
 *
 * Two charts: `applications` (write it beside the app-of-apps' Applications, so the root syncs it) and `config`
 * (write it to `configPath`).
 */
export class ClusterPlatform extends Construct {
  /** The AppProject and Applications of the platform layer. */
  public readonly applications: Chart;
  /** The cluster's name in Argo CD. */
  public readonly clusterName: string;
  /** GatewayClass, EnvoyProxy, ClusterIssuer, ClusterSecretStore. */
  public readonly config: Chart;
  public readonly gatewayClassName: string;
  public readonly issuerName: string;
  public readonly secretStore: SecretStore;
  /** Where the gateway's proxies run (the apps' edge policies admit this namespace). */
  public readonly proxyNamespace: string;
  /** Where Prometheus runs (the apps' scrape policies admit this namespace). */
  public readonly prometheusNamespace: string;
  /** The label Prometheus selects ServiceMonitors and PrometheusRules by. */
  public readonly prometheusSelector: Record<string, string>;
  public readonly prometheusRetentionDays: number;
  /** The External Secrets controller's ServiceAccount: it needs a cloud identity that may read the secrets. */
  public readonly externalSecretsServiceAccount: { readonly namespace: string; readonly name: string };
  /** The components, in order. */
  public readonly components: readonly PlatformComponent[];
  /** The cloud the cluster runs on. */
  public readonly cloud: PlatformCloud;
  /**
   * The shared Gateway the apps' routes attach to (a `PlatformGateway`, whichever repository writes it): the wiring
   * check reads the admission label of a Gateway the output does not hold from its name.
   */
  public readonly gateway: { readonly name: string; readonly namespace: string; readonly httpListener: string };

  constructor(scope: Construct, id: string, props: ClusterPlatformProps) {
    super(scope, _freeId(scope, id));
    _scanChartsForCredentials(this);
    // The type argument fails to compile when a prop of ClusterPlatformProps is missing from CLUSTERPLATFORM_PROPS.
    const check = _checkProps<_AllKeys<ClusterPlatformProps, typeof CLUSTERPLATFORM_PROPS>>;
    check(this.node.path, 'ClusterPlatform', props, CLUSTERPLATFORM_PROPS, CLUSTERPLATFORM_REQUIRED);
    const path = this.node.path;
    _checkLists(path, props, ['components']);
    this.cloud = props.cloud;
    const cluster = requireDnsLabel(path, 'cluster', props.cluster, 50);
    const layers = _Registry.of<ClusterPlatform>(this, 'ClusterPlatform');
    const twin = layers.get(cluster);
    if (twin) {
      throw invalidProp(
        path,
        'cluster',
        cluster,
        `already has a platform layer (${twin.node.path}): its Applications and AppProject would collide`,
      );
    }
    this.clusterName = cluster;
    layers.add(this, cluster);
    const team = props.team === undefined ? undefined : requireDnsLabel(path, 'team', props.team);
    _requireAcmeContact(path, 'acmeEmail', props.acmeEmail, props.acmeServer);
    if (props.prometheus) {
      _checkProps<_AllKeys<PlatformPrometheusOptions, typeof PROMETHEUS_KEYS>>(
        path,
        'Prometheus options',
        props.prometheus,
        PROMETHEUS_KEYS,
        [],
        'prometheus.',
      );
    }
    if (props.gateway) {
      _checkProps<_AllKeys<PlatformGatewayRef, typeof GATEWAY_KEYS>>(
        path,
        'gateway reference',
        props.gateway,
        GATEWAY_KEYS,
        [],
        'gateway.',
      );
    }
    const configPath = props.configPath;
    if (typeof configPath !== 'string' || configPath === '' || configPath.startsWith('/') || configPath.split('/').includes('..')) {
      throw invalidProp(
        path,
        'configPath',
        configPath,
        'must be a relative directory inside the GitOps repository (no leading "/", no "..")',
      );
    }
    const acmeServer = props.acmeServer ?? 'https://acme-v02.api.letsencrypt.org/directory';
    refuseCredential(path, 'acmeServer', acmeServer);
    if (!/^https:\/\/[^\s/]+\/\S*$/.test(acmeServer)) {
      throw invalidProp(
        path,
        'acmeServer',
        acmeServer,
        'must be the https:// URL of an ACME directory (account keys and orders travel over it)',
      );
    }
    const argocdNamespace = requireDnsLabel(path, 'argocdNamespace', props.argocdNamespace ?? 'argocd');
    const prometheusStorageClass = props.prometheus?.storageClass ?? props.cloud.defaultStorageClass;
    if (!isDnsSubdomain(prometheusStorageClass)) {
      throw invalidProp(
        path,
        'prometheus.storageClass',
        prometheusStorageClass,
        'must be the name of a StorageClass (a lower-case DNS subdomain)',
      );
    }
    if (props.components !== undefined && props.components.length === 0) {
      throw invalidProp(path, 'components', [], 'must list at least one component (or leave it out for the defaults)');
    }
    const retentionDays = requireIntegerInRange(path, 'prometheus.retentionDays', props.prometheus?.retentionDays ?? 35, 1, 3650);
    const storageGiB = requireIntegerInRange(path, 'prometheus.storageGiB', props.prometheus?.storageGiB ?? 100, 10, 65536);
    const gateway = {
      name: requireDnsLabel(path, 'gateway.name', props.gateway?.name ?? 'public'),
      namespace: requireDnsLabel(path, 'gateway.namespace', props.gateway?.namespace ?? 'gateway-system'),
      httpListener: requireDnsLabel(path, 'gateway.httpListener', props.gateway?.httpListener ?? 'http'),
    };
    this.gateway = gateway;
    this.gatewayClassName = requireDnsLabel(path, 'gatewayClassName', props.gatewayClassName ?? 'eg', 253);
    this.issuerName = requireDnsLabel(path, 'issuerName', props.issuerName ?? 'letsencrypt-prod', 253);
    this.secretStore = SecretStore.cluster(requireDnsLabel(path, 'secretStoreName', props.secretStoreName ?? 'aws-secrets-manager', 253));
    this.prometheusRetentionDays = retentionDays;
    this.prometheusSelector = { release: 'kube-prometheus-stack' };

    const prometheusValues = {
      prometheus: {
        prometheusSpec: {
          retention: `${retentionDays}d`,
          // Keep below the volume so Prometheus drops old blocks before the disk fills.
          retentionSize: `${Math.floor(storageGiB * 0.85)}GiB`,
          storageSpec: {
            volumeClaimTemplate: {
              spec: {
                storageClassName: prometheusStorageClass,
                accessModes: ['ReadWriteOnce'],
                resources: { requests: { storage: `${storageGiB}Gi` } },
              },
            },
          },
        },
      },
      alertmanager: {
        alertmanagerSpec: {
          // AlertmanagerConfigs live in the app namespaces (the library's AppNamespace labels them).
          alertmanagerConfigNamespaceSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'samokoder-infra' } },
        },
      },
    };
    this.components = (
      props.components ?? [
        PlatformComponent.GATEWAY_API,
        PlatformComponent.ENVOY_GATEWAY,
        PlatformComponent.CERT_MANAGER,
        PlatformComponent.EXTERNAL_SECRETS,
        PlatformComponent.ARGO_ROLLOUTS,
        PlatformComponent.KUBE_PROMETHEUS_STACK,
      ]
    ).map((c) => (c.spec.name === 'kube-prometheus-stack' ? c.withValues(prometheusValues) : c));
    const names = new Set<string>();
    this.components.forEach((c, i) => {
      requireDnsLabel(path, `components[${i}].name`, c.spec.name, 40);
      requireDnsLabel(path, `components[${i}].namespace`, c.spec.namespace);
      if (names.has(c.spec.name)) throw invalidProp(path, `components[${i}].name`, c.spec.name, 'is used by another component');
      names.add(c.spec.name);
      // A component with CRDs has a second Application, `<name>-crds`: no other component may be called that.
      const owner = this.components.findIndex((o) => o.spec.crds !== undefined && `${o.spec.name}-crds` === c.spec.name);
      if (owner >= 0) {
        throw invalidProp(
          path,
          `components[${i}].name`,
          c.spec.name,
          `is the name of the CRD Application of components[${owner}] ("${this.components[owner].spec.name}"): rename it`,
        );
      }
      const leaked = literalCredentialPath(c.spec.chart?.values ?? {}, `components[${i}].chart.values`);
      if (leaked) throw invalidProp(path, leaked, '<redacted>', _HELM_VALUES_CREDENTIAL);
    });
    const byName = (n: string) => this.components.find((c) => c.spec.name === n);
    this.proxyNamespace = byName('envoy-gateway')?.spec.namespace ?? 'envoy-gateway-system';
    this.prometheusNamespace = byName('kube-prometheus-stack')?.spec.namespace ?? 'monitoring';
    this.externalSecretsServiceAccount = {
      namespace: byName('external-secrets')?.spec.namespace ?? 'external-secrets',
      name: 'external-secrets',
    };

    // ---- the Applications ----
    this.applications = new _LibraryChart(this, 'Applications');
    const project = team ? `${team}-platform-${cluster}` : `platform-${cluster}`;
    const namespaces = [...new Set([...this.components.map((c) => c.spec.namespace), ...props.cloud._namespaces])];
    const repos = [
      props.source.repoURL,
      ...this.components.flatMap((c) => [c.spec.chart?.repoURL, c.spec.crds?.repoURL]).filter((r): r is string => !!r),
    ];
    new ArgoCdProject(this.applications, 'Project', {
      name: project,
      description: `Platform layer of ${cluster}: controllers, their CRDs and cluster configuration`,
      sourceRepos: [...new Set(repos)],
      destinations: namespaces.map((namespace) => ({ cluster, namespace })),
      clusterResources: [
        ...CLUSTER_KINDS,
        ...(props.cloud._createdStorageClasses.length ? [{ group: 'storage.k8s.io', kind: 'StorageClass' }] : []),
        ...this.components.flatMap((c) => c.spec.clusterKinds ?? []),
      ],
      argocdNamespace,
    });
    const labels = { 'samokoder.dev/cluster': cluster, 'samokoder.dev/layer': 'platform' };
    for (const c of this.components) {
      const s = c.spec;
      const common = {
        project,
        argocdNamespace,
        destination: { cluster, namespace: s.namespace },
        createNamespace: true,
        namespaceLabels: _namespacePodSecurity(path, this.components).get(s.namespace),
        ignoreDifferences: s.ignoreDifferences,
      };
      if (s.crds) {
        new ArgoCdApplication(this.applications, `${s.name}-crds`, {
          ...common,
          name: `${s.name}-crds-${cluster}`,
          source: { repoURL: s.crds.repoURL, targetRevision: s.crds.revision },
          path: s.crds.path,
          include: s.crds.include,
          syncWave: PLATFORM_SYNC_WAVES.crds,
          // Deleting a CRD deletes every object of its kind: never pruned, never cascaded.
          retain: true,
          labels: { ...labels, 'samokoder.dev/component': s.name },
        });
      }
      if (s.chart) {
        new ArgoCdApplication(this.applications, s.name, {
          ...common,
          name: `${s.name}-${cluster}`,
          chart: { ...s.chart, releaseName: s.chart.releaseName ?? s.name },
          syncWave: PLATFORM_SYNC_WAVES.controllers,
          labels: { ...labels, 'samokoder.dev/component': s.name },
        });
      }
    }
    new ArgoCdApplication(this.applications, 'Config', {
      name: `platform-config-${cluster}`,
      project,
      argocdNamespace,
      source: props.source,
      path: configPath,
      destination: { cluster, namespace: this.proxyNamespace },
      syncWave: PLATFORM_SYNC_WAVES.config,
      labels: { ...labels, 'samokoder.dev/component': 'config' },
    });

    // ---- the cluster objects the apps name ----
    this.config = new _LibraryChart(this, 'Config');
    const managed = { 'app.kubernetes.io/managed-by': 'samokoder-infra', 'app.kubernetes.io/part-of': 'platform' };
    _platformConfig(this.config, {
      labels: managed,
      cloud: props.cloud,
      proxyNamespace: this.proxyNamespace,
      prometheusNamespace: this.prometheusNamespace,
      gatewayClassName: this.gatewayClassName,
      issuerName: this.issuerName,
      acmeEmail: props.acmeEmail,
      acmeServer,
      gateway,
      secretStoreName: this.secretStore.name,
    });
  }
}
