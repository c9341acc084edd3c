// The props of ProductionApp and their boundary lists (split out of production-app.ts, as SamokoderStack's are).
import { ChartProps } from 'cdk8s';
import { PlatformContract } from '../common/contract';
import { DeploymentStrategy } from '../delivery/strategy';
import { MonitoringOptions } from '../observability/spec';
import { MigrationOptions } from '../k8s/app-migration';
import { AppCaller } from '../k8s/app-network-policies';
import { ScalingOptions } from '../k8s/app-scaling';
import { WorkloadOptions } from '../k8s/workload-options';
import { Dependency } from '../k8s/dependency';
import { RbacRule } from '../k8s/rbac';
import { AppRouting, RateLimit } from '../k8s/routing';
import { AppSecret, SecretStore } from '../k8s/secrets';

/** Props for {@link ProductionApp}: the pods ({@link WorkloadOptions}), their number ({@link ScalingOptions}) and the rest. */
export interface ProductionAppProps extends WorkloadOptions, ScalingOptions {
  /** Application name (a DNS label): names the workload, Service, ServiceAccount and every other object. */
  readonly name: string;
  /** Public host name. @default - no routing: the Service is reachable inside the cluster only */
  readonly host?: string;
  /** More host names the same routes serve (a DR pair's regional name, say). @default [] */
  readonly additionalHosts?: string[];
  /** Namespace. @default - `platform.namespace`, else the app name */
  readonly namespace?: string;
  /**
   * Emit the Namespace (with Pod Security labels, quota and limit range). Set false when several apps share one
   * namespace and another chart owns it.
   * @default true
   */
  readonly createNamespace?: boolean;
  /** `app.kubernetes.io/part-of` label. @default - the namespace */
  readonly partOf?: string;
  /** Metrics path on the app port. @default '/metrics' */
  readonly metricsPath?: string;
  /** Container command. @default - the image's entrypoint */
  readonly command?: string[];
  /** Container arguments. @default - the image's */
  readonly args?: string[];
  /** How public traffic reaches the app (with `host`). @default AppRouting.gateway() */
  readonly routing?: AppRouting;
  /** Rate limits per path group. @default DEFAULT_RATE_LIMITS (api 10/s, login 5/min, upload 2/s) */
  readonly rateLimits?: RateLimit[];
  /** Plain configuration as environment variables (a ConfigMap). Secrets here are refused. @default {} */
  readonly config?: Record<string, string>;
  /** Secrets by reference (External Secrets). @default [] */
  readonly secrets?: AppSecret[];
  /** Store the ExternalSecret reads from. @default SecretStore.cluster('aws-secrets-manager') */
  readonly secretStore?: SecretStore;
  /** RBAC rules for the app's ServiceAccount; its token is mounted only when rules are given. @default [] */
  readonly rbac?: RbacRule[];
  /**
   * Annotations for the ServiceAccount, e.g. `eks.amazonaws.com/role-arn` for IRSA. EKS Pod Identity needs none.
   * @default {}
   */
  readonly serviceAccountAnnotations?: Record<string, string>;
  /** Apps allowed to call this one: a name in the same namespace, `{ app, namespace }` across namespaces. @default [] */
  readonly allowFromApps?: Array<string | AppCaller>;
  /** Egress the app needs besides DNS. @default [] */
  readonly dependencies?: Dependency[];
  /**
   * Monitoring from one spec: ServiceMonitor, golden-signal alerts, SLOs with burn-rate alerts, alert routing and a
   * Grafana dashboard; `false` turns it off.
   * @default - scraping, golden-signal alerts and the dashboard with the audit's thresholds; no SLOs, no routing
   */
  readonly monitoring?: MonitoringOptions | false;
  /**
   * How new versions roll out. Blue-green and canary emit an Argo Rollouts `Rollout` (see {@link DeploymentStrategy}).
   * @default DeploymentStrategy.rollingUpdate()
   */
  readonly strategy?: DeploymentStrategy;
  /**
   * The environment this chart is for; production refuses automatic promotion without analysis.
   * @default - `platform.environment`, else 'production' (the strict choice)
   */
  readonly environment?: string;
  /**
   * `environment` is not one of `KNOWN_ENVIRONMENTS` (`eu-prod-2`) and is meant: without this it is refused as a
   * probable typo (`prodcution` would switch production's guards off). @default false
   */
  readonly unlistedEnvironment?: boolean;
  /**
   * A database migration run on each sync, before the new version starts (see {@link MigrationOptions}). In a DR pair
   * it runs in the writer's cluster only (`platform.databaseRole`), with DATABASE_URL set to the primary's direct
   * address (`DATABASE_DIRECT_URL` of the connection entry), not the pool.
   * @default - none
   */
  readonly migration?: MigrationOptions;
  /** Prometheus the rollout analysis queries. @default 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090' */
  readonly prometheusUrl?: string;
  /** Cloud outputs of the platform stack (namespace, connection settings, identities). @default - none */
  readonly platform?: PlatformContract;
  /** Extra chart props (labels). */
  readonly chartProps?: Omit<ChartProps, 'namespace'>;
}

/** Every prop of {@link ProductionAppProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
export const PRODUCTIONAPP_PROPS = [
  'name',
  'host',
  'additionalHosts',
  'namespace',
  'createNamespace',
  'partOf',
  'metricsPath',
  'command',
  'args',
  'routing',
  'rateLimits',
  'config',
  'secrets',
  'secretStore',
  'rbac',
  'serviceAccountAnnotations',
  'allowFromApps',
  'dependencies',
  'monitoring',
  'strategy',
  'environment',
  'unlistedEnvironment',
  'migration',
  'prometheusUrl',
  'platform',
  'chartProps',
  'image',
  'port',
  'extraPorts',
  'workload',
  'resources',
  'healthPath',
  'livenessPath',
  'runAsUser',
  'terminationGracePeriodSeconds',
  'preStopSleepSeconds',
  'storage',
  'autoscaling',
  'replicas',
  'minAvailable',
] as const satisfies readonly (keyof ProductionAppProps)[];
/** The props {@link ProductionAppProps} requires. */
export const PRODUCTIONAPP_REQUIRED = ['name', 'image'] as const satisfies readonly (keyof ProductionAppProps)[];
