import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { _AllKeys, _checkLists, _checkProps } from '../common/props';
import { _scanChartsForCredentials } from '../private/credential-scan';
import { invalidProp } from '../common/errors';
import { _Registry } from '../common/registry';
import { _chartToJson } from '../private/render';
import { _freeId, requireAnnotations, requireLabelValue } from '../common/validate';
import { kplus } from '../private/kplus';
import { AppRollout } from '../delivery/app-rollout';
import { AppMonitoring } from '../observability/app-monitoring';
import { _MONITORING_OPTIONS, MonitoringOptions } from '../observability/spec';
import { AppConfig } from '../k8s/app-config';
import { AppServiceAccount } from '../k8s/app-service-account';
import { AppMigration } from '../k8s/app-migration';
import { AppFootprint, AppNamespace, budgetFor } from '../k8s/app-namespace';
import { AppNetworkPolicies } from '../k8s/app-network-policies';
import { AppRoutes } from '../k8s/app-routes';
import { AppScaling } from '../k8s/app-scaling';
import { AppWorkload } from '../k8s/app-workload';
import { Dependency } from '../k8s/dependency';
import { DatabaseBootstrap } from '../k8s/database-bootstrap';
import { _footprintOf, _resolveApp } from './resolve-app';
import { PRODUCTIONAPP_PROPS, PRODUCTIONAPP_REQUIRED, ProductionAppProps } from './production-app-props';

export type { ProductionAppProps } from './production-app-props';

/** Marks the one Service Prometheus scrapes (the headless Service selects the same pods). */
const SCRAPE_LABEL = 'samokoder.dev/scrape';

/**
 * Everything one service needs in a cluster, from a few props: namespace with Pod Security "restricted", quota and
 * limits; a hardened Deployment or StatefulSet; Services; routing with TLS, security headers and rate limits;
 * autoscaling and a disruption budget; RBAC; default-deny network policies; config and secrets by reference; storage;
 * monitoring; progressive delivery and migrations. Each concern is a construct of its own, reachable here as a
 * property: {@link AppServiceAccount}, {@link AppConfig}, {@link AppWorkload}, {@link AppScaling},
 * {@link AppNetworkPolicies}, {@link AppRoutes}, {@link AppMonitoring}, {@link AppRollout}, {@link AppMigration}.
 */
export class ProductionApp extends Chart {
  /** Application name. */
  public readonly appName: string;
  /** Namespace the objects live in. */
  public readonly appNamespace: string;
  /** The public host names the app's routes serve (host first), none without routing. */
  public readonly hosts: string[];
  /** Selector labels of the app's pods. */
  public readonly selectorLabels: Record<string, string>;
  /** The container port. */
  public readonly port: number;
  /** The metrics path. */
  public readonly metricsPath: string;
  /**
   * The most the app occupies at once (pods at the replica maximum during a release, with its migration Job): sum the
   * footprints of the apps sharing a namespace for its quota (see `budgetFor`).
   */
  public readonly footprint: AppFootprint;
  /** The namespace, quota, limits and default deny, unless `createNamespace` is false. */
  public readonly namespaceGuard?: AppNamespace;
  public readonly identity: AppServiceAccount;
  public readonly appConfig: AppConfig;
  /** The pods and their Services. */
  public readonly runtime: AppWorkload;
  public readonly scaling: AppScaling;
  public readonly network: AppNetworkPolicies;
  public readonly routes?: AppRoutes;
  /** The app's monitoring, unless turned off. */
  public readonly monitoring?: AppMonitoring;
  public readonly rollout?: AppRollout;
  public readonly migration?: AppMigration;
  /** Shortcuts to what the parts made. */
  public readonly workload: kplus.Deployment | kplus.StatefulSet;
  public readonly service: kplus.Service;
  public readonly serviceAccount: kplus.ServiceAccount;

  constructor(scope: Construct, id: string, props: ProductionAppProps) {
    const namespace = props.namespace ?? props.platform?.namespace ?? props.name;
    super(scope, _freeId(scope, id), { ...props.chartProps, namespace });
    // The type argument fails to compile when a prop of ProductionAppProps is missing from PRODUCTIONAPP_PROPS.
    _checkProps<_AllKeys<ProductionAppProps, typeof PRODUCTIONAPP_PROPS>>(
      this.node.path,
      'ProductionApp',
      props,
      PRODUCTIONAPP_PROPS,
      PRODUCTIONAPP_REQUIRED,
    );
    _checkLists(this.node.path, props, [
      'additionalHosts',
      'command',
      'args',
      'rateLimits',
      'secrets',
      'rbac',
      'allowFromApps',
      'dependencies',
      'extraPorts',
    ]);
    if (props.monitoring) {
      _checkProps<_AllKeys<MonitoringOptions, typeof _MONITORING_OPTIONS>>(
        this.node.path,
        'monitoring options',
        props.monitoring,
        _MONITORING_OPTIONS,
        [],
        'monitoring.',
      );
    }
    _scanChartsForCredentials(this);
    const path = this.node.path;
    // cdk8s writes chart labels onto every object as given: the API server would refuse each one.
    const chartLabels = props.chartProps?.labels ?? {};
    requireAnnotations(path, 'chartProps.labels', chartLabels);
    for (const [key, value] of Object.entries(chartLabels)) requireLabelValue(path, `chartProps.labels.${key}`, value);

    // ---- resolve and check every prop first: nothing is added to the tree from an invalid configuration ----
    const { name, scalingPlan, pods, host, metricsPath, routing, rateLimits, environment, prometheusUrl, strategy, resolvedStrategy } =
      _resolveApp(path, props, namespace);
    // Apps of the same tree, by namespace/name and by host (a registry on the root: no walk of the tree per app).
    const apps = _Registry.of<ProductionApp>(this, 'ProductionApp');
    const twin = apps.get(`${namespace}/${name}`);
    if (twin) {
      throw invalidProp(path, 'name', name, `is already an app in namespace "${namespace}" (${twin.node.path}): its objects would collide`);
    }
    // One app per public host in one cluster: both would route "/" of it, and the Gateway would pick one silently.
    const myHosts = host === undefined ? [] : [host, ...(props.additionalHosts ?? [])];
    for (const shared of myHosts) {
      const other = apps.get(`host:${shared}`);
      if (other) {
        const prop = shared === host ? 'host' : `additionalHosts[${(props.additionalHosts ?? []).indexOf(shared)}]`;
        throw invalidProp(
          path,
          prop,
          shared,
          `is already a host of ${other.node.path}: both apps would route "/" of it (one app per host)`,
        );
      }
    }
    apps.add(this, `${namespace}/${name}`, ...myHosts.map((h) => `host:${h}`));
    this.hosts = myHosts;

    // ---- create the parts, in the order their objects are written ----
    this.appName = name;
    this.appNamespace = namespace;
    this.port = pods.ports[0].port;
    this.metricsPath = metricsPath;
    const partOf = requireLabelValue(this.node.path, 'partOf', props.partOf ?? namespace);
    this.selectorLabels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    const labels = { ...this.selectorLabels, 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': 'samokoder-infra' };
    // In a DR pair only the writer's cluster migrates (see PlatformContract.databaseRole).
    const migrates = !!props.migration && props.platform?.databaseRole !== 'secondary';
    this.footprint = _footprintOf(scalingPlan.ceiling, resolvedStrategy, migrates, pods);
    // The namespace carries the label the shared Gateway its routes name admits them by (see gatewayAccessLabel).
    const gatewayAccess = host && routing._gateway ? [routing._gateway.gatewayName] : [];
    if (props.createNamespace ?? true) this.namespaceGuard = this.guardNamespace(namespace, partOf, gatewayAccess);
    this.identity = new AppServiceAccount(this, 'Identity', {
      name,
      rbac: props.rbac,
      annotations: props.serviceAccountAnnotations,
      labels,
    });
    this.appConfig = new AppConfig(this, 'Config', {
      name,
      config: props.config,
      secrets: props.secrets,
      store: props.secretStore,
      connectionEntry: props.platform?.connectionSecretName,
      labels,
    });
    // Id `Default` keeps the workload's path (and so the `cdk8s.io/metadata.addr` label cdk8s-plus puts on its pod
    // template) what it was before the parts existed: a new path would change the template and roll every pod.
    this.runtime = new AppWorkload(this, 'Default', {
      ...props,
      name,
      serviceAccount: this.identity.serviceAccount,
      mountServiceAccountToken: this.identity.mountsToken,
      replicas: scalingPlan.replicas,
      maxReplicas: scalingPlan.ceiling,
      envFrom: this.appConfig.envFrom,
      podAnnotations: this.appConfig.podAnnotations,
      labels,
      selectorLabels: this.selectorLabels,
      serviceLabels: { [SCRAPE_LABEL]: 'true' },
      // DOKS nodes carry no zone label: a hard zone spread would leave every pod Pending there.
      zoneSpread: props.platform?.cloud !== 'digitalocean',
      // DOKS has no gp3 class: its own retaining one (see PlatformCloud.storageClasses).
      storage:
        props.storage && props.platform?.cloud === 'digitalocean' && props.storage.storageClass === undefined
          ? { ...props.storage, storageClass: 'do-block-storage-retain' }
          : props.storage,
    });
    this.workload = this.runtime.workload;
    this.service = this.runtime.service;
    this.serviceAccount = this.identity.serviceAccount;
    this.scaling = new AppScaling(this, 'Scaling', { ...props, name, target: this.workload, selectorLabels: this.selectorLabels, labels });
    // Network policies: the namespace denies everything; allow DNS, named callers, the edge and the dependencies.
    // Egress policies select the app's instance label: the app's pods and its migration Job.
    const policies = {
      name,
      podLabels: this.selectorLabels,
      egressLabels: { 'app.kubernetes.io/instance': name },
      port: this.port,
      labels,
    };
    this.network = new AppNetworkPolicies(this, 'Network', {
      ...policies,
      allowFromApps: props.allowFromApps,
      allowFromNamespaces: host ? [{ id: 'edge', namespace: routing.sourceNamespace }] : [],
      dependencies: withIdentityAgent(props, namespace, name),
    });
    const hosts = { host: host!, additionalHosts: props.additionalHosts, healthPath: pods.healthPath };
    if (host) this.routes = new AppRoutes(this, 'Routes', { name, ...hosts, port: this.port, routing, rateLimits, labels });
    let monitoringAccess: AppNetworkPolicies | undefined;
    if (props.monitoring !== false) {
      this.monitoring = new AppMonitoring(this, 'Monitoring', {
        ...props.monitoring,
        app: name,
        namespace,
        serviceSelector: { ...this.selectorLabels, [SCRAPE_LABEL]: 'true' },
        metricsPort: 'http',
        metricsPath,
        workloadKind: pods.kind.kind,
        cpuLimited: pods.cpuLimitMillis !== undefined,
        labels,
      });
      const prometheus = [{ id: 'prometheus', namespace: this.monitoring.spec.prometheusNamespace }];
      monitoringAccess = new AppNetworkPolicies(this, 'MonitoringAccess', { ...policies, dns: false, allowFromNamespaces: prometheus });
    }

    // ---- connect: progressive delivery over the Deployment, the migration after what it needs ----
    if (strategy.kind !== 'rolling') {
      this.rollout = new AppRollout(this, 'Rollout', {
        name,
        deployment: this.workload as kplus.Deployment,
        strategy,
        environment,
        selectorLabels: this.selectorLabels,
        ports: pods.ports,
        replicas: scalingPlan.replicas,
        autoscaler: this.scaling.autoscaler,
        monitoring: this.monitoring?.spec,
        prometheusUrl,
        labels,
        previewServiceLabels: { [SCRAPE_LABEL]: 'true' },
        healthPath: pods.healthPath,
      });
    }
    if (props.migration && migrates) {
      // On RDS only the master user exists on day one: the role the migration logs in as is created first.
      if (props.platform?.databaseBootstrap) {
        const part = { 'app.kubernetes.io/part-of': partOf };
        new DatabaseBootstrap(this, 'DatabaseBootstrap', { platform: props.platform, secretStore: props.secretStore, labels: part });
      }
      this.migration = new AppMigration(this, 'Migration', {
        ...props.migration,
        name,
        // A DR pair's connection entry also names the primary directly: a migration does not run through the
        // transaction-mode pool (session locks and DDL break there).
        env:
          props.platform?.databaseRole === 'primary'
            ? [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: `${name}-connection`, key: 'DATABASE_DIRECT_URL' } } }]
            : [],
        // Under a lock in a DR pair: until Git swaps the roles after a failover, both clusters may migrate against
        // the one writer (see AppMigrationProps.lock).
        lock:
          props.platform?.databaseRole === 'primary'
            ? { secretKeyRef: { name: `${name}-connection`, key: 'DATABASE_DIRECT_URL' }, namespace }
            : undefined,
        appImage: pods.image,
        serviceAccountName: name,
        envFrom: this.appConfig.envFromJson,
        runAsUser: pods.uid,
        resources: pods,
        after: [this.namespaceGuard, this.identity, this.appConfig, this.network, monitoringAccess].filter(
          (c) => c !== undefined,
        ) as Construct[],
        partOf,
        labels,
      });
    }
    // The namespace it creates may read through the ClusterSecretStores its ExternalSecrets name (the platform's store
    // admits labelled namespaces only).
    if (this.namespaceGuard) {
      const stores = this.node
        .findAll()
        .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'ExternalSecret')
        .map((o) => o.toJson().spec?.secretStoreRef)
        .filter((r) => r?.kind === 'ClusterSecretStore')
        .map((r) => r.name as string);
      for (const store of [...new Set(stores)].sort()) this.namespaceGuard.allowSecretStore(store);
    }
  }

  /**
   * Renders this chart. Within `app.synth()` (or `renderCharts`) the app is prepared and validated once for all
   * charts, not again for each (see `renderCharts`); called on its own, it prepares and validates as cdk8s does.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
  public override toJson(): any[] {
    return _chartToJson(this, () => super.toJson());
  }

  /** The namespace, with a quota that holds this app at its peak ({@link ProductionApp.footprint}) and 2 more pods. */
  private guardNamespace(namespace: string, partOf: string, gatewayAccess: string[]): AppNamespace {
    return new AppNamespace(this, 'Namespace', { name: namespace, partOf, budget: budgetFor([this.footprint]), gatewayAccess });
  }
}

/**
 * The app's dependencies, with the EKS Pod Identity agent added when the contract binds a cloud identity to its
 * service account: under the default deny its pods would otherwise get no credentials (checkPlatformWiring reports a
 * workload that cannot reach it).
 */
function withIdentityAgent(props: ProductionAppProps, namespace: string, serviceAccount: string): Dependency[] | undefined {
  const agent = Dependency.podIdentityAgent();
  const bound =
    props.platform?.cloud !== 'digitalocean' &&
    props.platform?.podIdentities?.some((i) => i.namespace === namespace && i.serviceAccount === serviceAccount);
  if (!bound || (props.dependencies ?? []).some((d) => d.name === agent.name)) return props.dependencies;
  return [...(props.dependencies ?? []), agent];
}
