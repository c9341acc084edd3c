import { createHash } from 'crypto';
import { ApiObject, Chart, ChartProps, Duration, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { PlatformContract } from '../common/contract';
import { Ipv4Cidr } from '../common/cidr';
import { invalidCombination, invalidProp } from '../common/errors';
import { requireDnsLabel, requireHostname, requireIntegerInRange, requireNonEmpty } from '../common/validate';
import { _afterRender, _apiObject } from '../private/k8s-object';
import { kplus } from '../private/kplus';
import { SliAnalysisTemplate } from '../delivery/analysis';
import { DeploymentStrategy } from '../delivery/strategy';
import { AppMonitoring } from '../observability/app-monitoring';
import { requireDuration } from '../observability/promql';
import { MonitoringOptions } from '../observability/spec';
import { AppNamespace } from './app-namespace';
import { Dependency } from './dependency';
import { requirePinnedImage } from './image';
import { canonicalQuantity, cpuQuantity, memoryQuantity } from './quantity';
import { RbacRule } from './rbac';
import { _addAppRoutes } from './private/app-routes';
import { AppRouting, DEFAULT_RATE_LIMITS, RateLimit } from './routing';
import { AppSecret, rejectLiteralSecret, requireSecretReference, SecretStore } from './secrets';
import { SyncedSecret } from './synced-secret';

/** The kind of workload. */
export class WorkloadKind {
  /** A Deployment: stateless replicas (the default). */
  public static readonly DEPLOYMENT = new WorkloadKind('Deployment');
  /** A StatefulSet with a headless Service and one volume per replica (volumeClaimTemplates). */
  public static readonly STATEFUL_SET = new WorkloadKind('StatefulSet');
  private constructor(public readonly kind: 'Deployment' | 'StatefulSet') {}
}

/** HorizontalPodAutoscaler settings. */
export interface AutoscalingOptions {
  /** @default 3 */
  readonly minReplicas?: number;
  /** @default 20 */
  readonly maxReplicas?: number;
  /** Target average CPU utilization (% of requests). @default 70 */
  readonly cpuUtilization?: number;
  /** Target average memory utilization (% of requests). @default 80 */
  readonly memoryUtilization?: number;
}

/** Container resources. Requests are what the scheduler reserves; limits what the container may use. */
export interface ResourceOptions {
  /** @default 250 */
  readonly cpuRequestMillis?: number;
  /** CPU limit; `null` for none (avoids CFS throttling; the request still reserves CPU). @default 1000 */
  readonly cpuLimitMillis?: number | null;
  /** @default 512 */
  readonly memoryRequestMiB?: number;
  /** @default 2048 */
  readonly memoryLimitMiB?: number;
}

/** Persistent storage mounted into every pod. */
export interface StorageOptions {
  /** Size in GiB. @default 10 */
  readonly sizeGiB?: number;
  /** StorageClass. @default 'gp3' */
  readonly storageClass?: string;
  /** Mount path. @default '/data' */
  readonly mountPath?: string;
  /**
   * Access mode. A Deployment with more than one replica needs `ReadWriteMany` (EFS and the like); a StatefulSet
   * gets one `ReadWriteOnce` volume per replica.
   * @default - ReadWriteOnce for a StatefulSet, ReadWriteMany for a Deployment
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
}

/** An extra named container port. */
export interface AppPort {
  /** Port name (IANA service name: at most 15 characters). */
  readonly name: string;
  readonly port: number;
}

/**
 * A database migration Job, run by Argo CD on every sync after the app's identity, config, secrets and network
 * policies exist (sync wave -2) and before the new version's pods are created (wave 0): an Argo CD `Sync` hook in
 * wave -1. Argo CD waits for each wave to be healthy (a Job: complete; an ExternalSecret: synced) before the next.
 */
export interface MigrationOptions {
  /** The migration command, e.g. `['alembic', 'upgrade', 'head']`. */
  readonly command: string[];
  /** @default - the app's image (the migration ships with the version it belongs to) */
  readonly image?: string;
  /** Retries before the sync fails. @default 2 */
  readonly backoffLimit?: number;
  /** The Job is stopped after this many seconds. @default 600 */
  readonly activeDeadlineSeconds?: number;
  /** Finished Jobs are deleted after this many seconds. @default 86400 */
  readonly ttlSecondsAfterFinished?: number;
}

/** Props for {@link ProductionApp}. */
export interface ProductionAppProps {
  /** Application name (a DNS label): names the workload, Service, ServiceAccount and every other object. */
  readonly name: string;
  /** Container image, pinned by tag or digest. */
  readonly image: string;
  /** HTTP port of the container. @default 8000 */
  readonly port?: number;
  /** Public host name. @default - no routing: the Service is reachable inside the cluster only */
  readonly host?: string;
  /** Namespace. @default - `platform.namespace`, else the app name */
  readonly namespace?: string;
  /**
   * Emit the Namespace (with Pod Security labels, quota and limit range). Set false when several apps share one
   * namespace and another chart owns it.
   * @default true
   */
  readonly createNamespace?: boolean;
  /** `app.kubernetes.io/part-of` label. @default 'samokoder' */
  readonly partOf?: string;
  /** @default WorkloadKind.DEPLOYMENT */
  readonly workload?: WorkloadKind;
  /** Fixed replica count; only without autoscaling. @default - 3 when autoscaling is off, none when an HPA owns it */
  readonly replicas?: number;
  /** Autoscaling; `false` turns it off. @default - 3 to 20 replicas at 70 % CPU and 80 % memory */
  readonly autoscaling?: AutoscalingOptions | false;
  /** PodDisruptionBudget minAvailable; must be below the minimum replica count. @default 2 */
  readonly minAvailable?: number;
  /** @default - 250m/1000m CPU, 512Mi/2Gi memory */
  readonly resources?: ResourceOptions;
  /** HTTP path of the readiness and startup probes. @default '/health' */
  readonly healthPath?: string;
  /** HTTP path of the liveness probe. @default - a TCP check of the port (liveness must not depend on dependencies) */
  readonly livenessPath?: string;
  /** Metrics path on the app port. @default '/metrics' */
  readonly metricsPath?: string;
  /** Extra named container ports. @default [] */
  readonly extraPorts?: AppPort[];
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
  /** Persistent storage. @default - none */
  readonly storage?: StorageOptions;
  /** RBAC rules for the app's ServiceAccount; its token is mounted only when rules are given. @default [] */
  readonly rbac?: RbacRule[];
  /**
   * Annotations for the ServiceAccount, e.g. `eks.amazonaws.com/role-arn` for IRSA. EKS Pod Identity needs none.
   * @default {}
   */
  readonly serviceAccountAnnotations?: Record<string, string>;
  /** Apps in the same namespace allowed to call this one on its port (by app name). @default [] */
  readonly allowFromApps?: string[];
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
  /** A database migration run on each sync, before the new version starts (see {@link MigrationOptions}). @default - none */
  readonly migration?: MigrationOptions;
  /** Prometheus the rollout analysis queries. @default 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090' */
  readonly prometheusUrl?: string;
  /** Cloud outputs of the platform stack (namespace, connection settings, identities). @default - none */
  readonly platform?: PlatformContract;
  /** UID and GID the containers run as (>= 10000). @default 10001 */
  readonly runAsUser?: number;
  /** Seconds the pod gets to finish in-flight work. @default 45 */
  readonly terminationGracePeriodSeconds?: number;
  /** Seconds the pod keeps serving after it is removed from endpoints (preStop sleep). @default 10 */
  readonly preStopSleepSeconds?: number;
  /** Extra chart props (labels). */
  readonly chartProps?: Omit<ChartProps, 'namespace'>;
}

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** What the migration Job needs before it starts: its identity, its secrets and its network access. */
const MIGRATION_PREREQUISITES = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ExternalSecret', 'NetworkPolicy']);

/** Marks the one Service Prometheus scrapes (the headless Service selects the same pods). */
const SCRAPE_LABEL = 'samokoder.dev/scrape';

const DNS_PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Everything one service needs in a cluster, from a few props: namespace with Pod Security "restricted", quota and
 * limits; a hardened Deployment or StatefulSet; Services; routing with TLS, security headers and rate limits;
 * autoscaling and a disruption budget; RBAC; default-deny network policies; config and secrets by reference; storage.
 */
export class ProductionApp extends Chart {
  /** Application name. */
  public readonly appName: string;
  /** Namespace the objects live in. */
  public readonly appNamespace: string;
  /** Selector labels of the app's pods. */
  public readonly selectorLabels: Record<string, string>;
  /** The container port. */
  public readonly port: number;
  /** The metrics path. */
  public readonly metricsPath: string;
  public readonly workload: kplus.Deployment | kplus.StatefulSet;
  public readonly service: kplus.Service;
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The app's monitoring, unless turned off. */
  public readonly monitoring?: AppMonitoring;
  private readonly preStopSleepSeconds: number;
  private claimTemplate?: { mountPath: string; template: Omit<IPersistentVolumeClaim, 'apiVersion' | 'kind'> };

  constructor(scope: Construct, id: string, props: ProductionAppProps) {
    const namespace = props.namespace ?? props.platform?.namespace ?? props.name;
    super(scope, id, { ...props.chartProps, namespace });
    const path = this.node.path;

    // ---- validate everything first: nothing is added to the tree from an invalid configuration ----
    const name = requireDnsLabel(path, 'name', props.name, 52);
    requireDnsLabel(path, 'namespace', namespace);
    const image = requirePinnedImage(path, 'image', props.image);
    const port = requireIntegerInRange(path, 'port', props.port ?? 8000, 1, 65535);
    const host = props.host === undefined ? undefined : requireHostname(path, 'host', props.host);
    const workloadKind = props.workload ?? WorkloadKind.DEPLOYMENT;
    const uid = requireIntegerInRange(path, 'runAsUser', props.runAsUser ?? 10001, 10000, 2147483647);
    const grace = requireIntegerInRange(path, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 45, 1, 3600);
    const preStop = requireIntegerInRange(path, 'preStopSleepSeconds', props.preStopSleepSeconds ?? 10, 0, 300);
    if (preStop >= grace) {
      throw invalidCombination(path, `'preStopSleepSeconds' (${preStop}) must be less than 'terminationGracePeriodSeconds' (${grace})`);
    }
    const healthPath = requirePath(path, 'healthPath', props.healthPath ?? '/health');
    const livenessPath = props.livenessPath === undefined ? undefined : requirePath(path, 'livenessPath', props.livenessPath);
    if (livenessPath !== undefined && livenessPath === healthPath) {
      throw invalidProp(
        path,
        'livenessPath',
        livenessPath,
        `must differ from 'healthPath': a failing dependency would restart every pod at once`,
      );
    }
    const metricsPath = requirePath(path, 'metricsPath', props.metricsPath ?? '/metrics');

    const ports: AppPort[] = [{ name: 'http', port }, ...(props.extraPorts ?? [])];
    const seenNames = new Set<string>();
    const seenNumbers = new Set<number>();
    ports.forEach((p, i) => {
      const prop = i === 0 ? 'port' : `extraPorts[${i - 1}]`;
      requireIntegerInRange(path, `${prop}.port`, p.port, 1, 65535);
      if (p.name.length > 15 || !DNS_PORT_NAME.test(p.name)) {
        throw invalidProp(path, `${prop}.name`, p.name, 'must be an IANA service name: at most 15 lower-case letters, digits and -');
      }
      if (seenNames.has(p.name)) throw invalidProp(path, `${prop}.name`, p.name, 'is used by another port: port names must be unique');
      if (seenNumbers.has(p.port)) throw invalidProp(path, `${prop}.port`, p.port, 'is used by another port: port numbers must be unique');
      seenNames.add(p.name);
      seenNumbers.add(p.port);
    });

    const autoscaling = props.autoscaling === false ? undefined : (props.autoscaling ?? {});
    const minReplicas = autoscaling
      ? requireIntegerInRange(path, 'autoscaling.minReplicas', autoscaling.minReplicas ?? 3, 1, 1000)
      : undefined;
    const maxReplicas = autoscaling
      ? requireIntegerInRange(path, 'autoscaling.maxReplicas', autoscaling.maxReplicas ?? 20, 1, 1000)
      : undefined;
    if (minReplicas !== undefined && maxReplicas !== undefined && minReplicas > maxReplicas) {
      throw invalidCombination(
        path,
        `'autoscaling.minReplicas' (${minReplicas}) must not exceed 'autoscaling.maxReplicas' (${maxReplicas})`,
      );
    }
    if (autoscaling && props.replicas !== undefined) {
      throw invalidProp(
        path,
        'replicas',
        props.replicas,
        'must not be set when autoscaling is on: the HPA owns the replica count (set autoscaling: false for a fixed count)',
      );
    }
    const cpuTarget = autoscaling ? requireIntegerInRange(path, 'autoscaling.cpuUtilization', autoscaling.cpuUtilization ?? 70, 1, 100) : 0;
    const memTarget = autoscaling
      ? requireIntegerInRange(path, 'autoscaling.memoryUtilization', autoscaling.memoryUtilization ?? 80, 1, 100)
      : 0;
    const replicas = autoscaling ? undefined : requireIntegerInRange(path, 'replicas', props.replicas ?? 3, 1, 1000);
    const floor = minReplicas ?? replicas!;
    const minAvailable = requireIntegerInRange(path, 'minAvailable', props.minAvailable ?? 2, 0, 1000);
    if (minAvailable >= floor) {
      throw invalidCombination(
        path,
        `'minAvailable' (${minAvailable}) must be less than the minimum replica count (${floor}): otherwise no pod may ever be evicted and node drains block forever`,
      );
    }

    const res = props.resources ?? {};
    const cpuReq = requireIntegerInRange(path, 'resources.cpuRequestMillis', res.cpuRequestMillis ?? 250, 1, 256000);
    const cpuLim =
      res.cpuLimitMillis === null
        ? undefined
        : requireIntegerInRange(path, 'resources.cpuLimitMillis', res.cpuLimitMillis ?? 1000, 1, 256000);
    const memReq = requireIntegerInRange(path, 'resources.memoryRequestMiB', res.memoryRequestMiB ?? 512, 1, 4194304);
    const memLim = requireIntegerInRange(path, 'resources.memoryLimitMiB', res.memoryLimitMiB ?? 2048, 1, 4194304);
    if (cpuLim !== undefined && cpuReq > cpuLim) {
      throw invalidCombination(path, `'resources.cpuRequestMillis' (${cpuReq}) must not exceed 'resources.cpuLimitMillis' (${cpuLim})`);
    }
    if (memReq > memLim) {
      throw invalidCombination(path, `'resources.memoryRequestMiB' (${memReq}) must not exceed 'resources.memoryLimitMiB' (${memLim})`);
    }

    const routing = props.routing ?? AppRouting.gateway();
    const rateLimits = props.rateLimits ?? [...DEFAULT_RATE_LIMITS];
    rateLimits.forEach((r, i) => {
      requireDnsLabel(path, `rateLimits[${i}].name`, r.name, 30);
      requirePath(path, `rateLimits[${i}].pathPrefix`, r.pathPrefix);
      if (!(Number.isInteger(r.requests) && r.requests > 0)) {
        throw invalidProp(path, `rateLimits[${i}].requests`, r.requests, 'must be a whole number greater than 0');
      }
    });

    const config = props.config ?? {};
    for (const [key, value] of Object.entries(config)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
        throw invalidProp(
          path,
          `config.${key}`,
          key,
          'must be an environment variable name (letters, digits, _; not starting with a digit)',
        );
      }
      rejectLiteralSecret(path, 'config', key, value);
    }
    const store = props.secretStore ?? SecretStore.cluster('aws-secrets-manager');
    const secrets = [...(props.secrets ?? [])];
    const secretEnv = new Set<string>();
    secrets.forEach((s, i) => {
      requireSecretReference(path, `secrets[${i}].remoteKey`, s.remoteKey);
      requireNonEmpty(path, `secrets[${i}].property`, s.property);
      if (secretEnv.has(s.envName) || s.envName in config) {
        throw invalidProp(path, `secrets[${i}].envName`, s.envName, 'is declared twice (in secrets or config)');
      }
      secretEnv.add(s.envName);
    });

    const deps = props.dependencies ?? [];
    deps.forEach((d, i) => {
      if (d.port === undefined)
        throw invalidProp(
          path,
          `dependencies[${i}].port`,
          undefined,
          `is required: '${d.name}' would otherwise be reachable on every port`,
        );
      requireIntegerInRange(path, `dependencies[${i}].port`, d.port, 1, 65535);
      if (d._to.kind === 'cidr') {
        Ipv4Cidr.parse(path, `dependencies[${i}].cidr`, d._to.cidr);
      } else {
        requireDnsLabel(path, `dependencies[${i}].name`, d._to.app);
        requireDnsLabel(path, `dependencies[${i}].namespace`, d._to.namespace);
      }
    });

    const rbac = props.rbac ?? [];
    rbac.forEach((rule, i) => {
      for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames'] as const) {
        const values = (rule[field] ?? []) as string[];
        if (values.includes('*')) throw invalidProp(path, `rbac[${i}].${field}`, values, "must not contain '*': list what the app needs");
      }
      for (const verb of rule.verbs as string[]) {
        if (['escalate', 'bind', 'impersonate'].includes(verb)) {
          throw invalidProp(path, `rbac[${i}].verbs`, verb, 'is a privilege-escalation verb and is refused (escalate, bind, impersonate)');
        }
      }
      if (rule.resources.length === 0 || rule.verbs.length === 0) {
        throw invalidProp(path, `rbac[${i}]`, rule, 'must name at least one resource and one verb');
      }
    });

    const storage = props.storage;
    let storageMode: 'ReadWriteOnce' | 'ReadWriteMany' | undefined;
    if (storage) {
      requireIntegerInRange(path, 'storage.sizeGiB', storage.sizeGiB ?? 10, 1, 65536);
      requirePath(path, 'storage.mountPath', storage.mountPath ?? '/data');
      storageMode = storage.accessMode ?? (workloadKind === WorkloadKind.STATEFUL_SET ? 'ReadWriteOnce' : 'ReadWriteMany');
      if (workloadKind === WorkloadKind.DEPLOYMENT && storageMode === 'ReadWriteOnce' && (maxReplicas ?? replicas ?? 1) > 1) {
        throw invalidProp(
          path,
          'storage.accessMode',
          storageMode,
          'cannot be shared by the replicas of a Deployment: use ReadWriteMany or WorkloadKind.STATEFUL_SET (one volume per replica)',
        );
      }
    }
    const strategy = props.strategy ?? DeploymentStrategy.rollingUpdate();
    const environment = props.environment ?? props.platform?.environment ?? 'production';
    const prometheusUrl = props.prometheusUrl ?? 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';
    if (!/^https?:\/\/[^\s]+$/.test(prometheusUrl)) throw invalidProp(path, 'prometheusUrl', prometheusUrl, 'must be an http(s) URL');
    let blueGreen: { active: string; preview: string; autoPromotion: boolean; scaleDownDelay: number; analysis: boolean } | undefined;
    let canary: { steps: Array<{ weight: number; pause: string }>; analysis: boolean } | undefined;
    if (strategy.kind !== 'rolling' && workloadKind !== WorkloadKind.DEPLOYMENT) {
      throw invalidProp(
        path,
        'strategy',
        strategy.kind,
        'needs WorkloadKind.DEPLOYMENT: Argo Rollouts references the Deployment through workloadRef',
      );
    }
    if (strategy._blueGreen) {
      const bg = strategy._blueGreen;
      const active = requireDnsLabel(path, 'strategy.activeService', bg.activeService ?? name);
      const preview = requireDnsLabel(path, 'strategy.previewService', bg.previewService ?? `${name}-preview`);
      if (active === preview) {
        throw invalidCombination(
          path,
          `'strategy.activeService' and 'strategy.previewService' are both "${active}": the preview must be a separate Service`,
        );
      }
      if (preview === `${name}-headless`)
        throw invalidProp(path, 'strategy.previewService', preview, 'is the name of the headless Service');
      const analysis = bg.analysis ?? true;
      const autoPromotion = bg.autoPromotion ?? false;
      if (autoPromotion && !analysis && environment === 'production') {
        throw invalidProp(
          path,
          'strategy.autoPromotion',
          true,
          'is refused in production without analysis: an unmeasured version would be promoted on its own',
        );
      }
      blueGreen = {
        active,
        preview,
        autoPromotion,
        analysis,
        scaleDownDelay: requireIntegerInRange(path, 'strategy.scaleDownDelaySeconds', bg.scaleDownDelaySeconds ?? 300, 30, 86400),
      };
    }
    if (strategy._canary) {
      const steps = strategy._canary.steps ?? [
        { weight: 25, pause: '5m' },
        { weight: 50, pause: '5m' },
        { weight: 75, pause: '5m' },
      ];
      steps.forEach((st, i) => {
        requireIntegerInRange(path, `strategy.steps[${i}].weight`, st.weight, 1, 100);
        if (i > 0 && st.weight <= steps[i - 1].weight) {
          throw invalidProp(
            path,
            `strategy.steps[${i}].weight`,
            st.weight,
            `must be greater than the previous step's (${steps[i - 1].weight})`,
          );
        }
        requireDuration(path, `strategy.steps[${i}].pause`, st.pause);
      });
      canary = { steps, analysis: strategy._canary.analysis ?? true };
    }
    if ((blueGreen?.analysis || canary?.analysis) && props.monitoring === false) {
      throw invalidProp(
        path,
        'monitoring',
        false,
        'must be on for a rollout with analysis: the analysis reads the SLIs the monitoring spec defines',
      );
    }
    const migration = props.migration;
    if (migration) {
      if (migration.command.length === 0) throw invalidProp(path, 'migration.command', [], 'must name the migration command');
      if (migration.image !== undefined) requirePinnedImage(path, 'migration.image', migration.image);
      requireIntegerInRange(path, 'migration.backoffLimit', migration.backoffLimit ?? 2, 0, 10);
      requireIntegerInRange(path, 'migration.activeDeadlineSeconds', migration.activeDeadlineSeconds ?? 600, 30, 86400);
      requireIntegerInRange(path, 'migration.ttlSecondsAfterFinished', migration.ttlSecondsAfterFinished ?? 86400, 60, 604800);
    }
    if (props.platform && !props.platform.serviceAccounts.includes(name)) {
      throw invalidProp(
        path,
        'name',
        name,
        `has no cloud identity in the platform contract (service accounts with one: ${props.platform.serviceAccounts.join(', ') || 'none'})`,
      );
    }

    // ---- build ----
    this.appName = name;
    this.appNamespace = namespace;
    this.port = port;
    this.metricsPath = metricsPath;
    const partOf = props.partOf ?? 'samokoder';
    this.selectorLabels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    const labels = { ...this.selectorLabels, 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': 'samokoder-infra' };
    const meta = (objectName: string, extra: Record<string, string> = {}) => ({ name: objectName, labels: { ...labels, ...extra } });

    if (props.createNamespace ?? true) {
      const podBudget = (maxReplicas ?? replicas!) + 5;
      new AppNamespace(this, 'Namespace', {
        name: namespace,
        partOf,
        budget: {
          pods: podBudget,
          cpuRequestMillis: podBudget * cpuReq,
          cpuLimitMillis: cpuLim === undefined ? undefined : podBudget * cpuLim,
          memoryRequestMiB: podBudget * memReq,
          memoryLimitMiB: podBudget * memLim,
          persistentVolumeClaims: storage ? (maxReplicas ?? replicas!) + 1 : 0,
          containerDefaults: { cpuRequestMillis: cpuReq, cpuLimitMillis: cpuLim, memoryRequestMiB: memReq, memoryLimitMiB: memLim },
        },
      });
    }

    // Identity: its own ServiceAccount; the token is mounted only when the app talks to the Kubernetes API.
    const needsToken = rbac.length > 0;
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { ...meta(name), annotations: { ...props.serviceAccountAnnotations } },
      automountToken: needsToken,
    });
    if (needsToken) {
      _apiObject<IRole>(this, 'Role', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: meta(name),
        rules: rbac.map((r) => ({
          apiGroups: r.apiGroups,
          resources: r.resources,
          verbs: r.verbs,
          ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
        })),
      });
      _apiObject<IRoleBinding>(this, 'RoleBinding', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: meta(name),
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects: [{ kind: 'ServiceAccount', name, namespace }],
      });
    }

    // Config and secrets.
    const envFrom: kplus.EnvFrom[] = [];
    const podAnnotations: Record<string, string> = {};
    if (Object.keys(config).length > 0) {
      const cm = new kplus.ConfigMap(this, 'Config', { metadata: meta(`${name}-config`), data: sortKeys(config) });
      envFrom.push(kplus.Env.fromConfigMap(cm));
      podAnnotations['samokoder.dev/config-hash'] = sha256(sortKeys(config));
    }
    if (props.platform) {
      const connection = new SyncedSecret(this, 'ConnectionSettings', {
        name: `${name}-connection`,
        store,
        extractAll: [props.platform.connectionSecretName],
        labels,
      });
      envFrom.push(kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, 'ConnectionSecretRef', connection.secretName)));
    }
    if (secrets.length > 0) {
      const synced = new SyncedSecret(this, 'Secrets', { name: `${name}-secrets`, store, secrets, labels });
      envFrom.push(kplus.Env.fromSecret(kplus.Secret.fromSecretName(this, 'SecretsRef', synced.secretName)));
      podAnnotations['samokoder.dev/secrets-hash'] = sha256(secrets.map((s) => [s.envName, s.remoteKey, s.property]));
    }

    // Workload.
    const tmp = kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { sizeLimit: Size.mebibytes(256) });
    const containerPorts: kplus.ContainerPort[] = ports.map((p) => ({ number: p.port, name: p.name, protocol: kplus.Protocol.TCP }));
    const volumeMounts: kplus.VolumeMount[] = [{ path: '/tmp', volume: tmp }];
    let pvc: kplus.PersistentVolumeClaim | undefined;
    if (storage && workloadKind === WorkloadKind.DEPLOYMENT) {
      pvc = new kplus.PersistentVolumeClaim(this, 'Storage', {
        metadata: meta(`${name}-data`),
        storage: Size.gibibytes(storage.sizeGiB ?? 10),
        storageClassName: storage.storageClass ?? 'gp3',
        accessModes: [
          storageMode === 'ReadWriteMany'
            ? kplus.PersistentVolumeAccessMode.READ_WRITE_MANY
            : kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE,
        ],
      });
      volumeMounts.push({
        path: storage.mountPath ?? '/data',
        volume: kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', pvc, { name: 'data' }),
      });
    }
    const container: kplus.ContainerProps = {
      name,
      image,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      ports: containerPorts,
      command: props.command,
      args: props.args,
      envFrom,
      volumeMounts,
      resources: {
        cpu: { request: kplus.Cpu.millis(cpuReq), ...(cpuLim !== undefined ? { limit: kplus.Cpu.millis(cpuLim) } : {}) },
        memory: { request: Size.mebibytes(memReq), limit: Size.mebibytes(memLim) },
      },
      securityContext: {
        ensureNonRoot: true,
        user: uid,
        group: uid,
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: [kplus.Capability.ALL] },
        seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
      },
      readiness: kplus.Probe.fromHttpGet(healthPath, {
        port,
        periodSeconds: Duration.seconds(10),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold: 3,
      }),
      liveness:
        livenessPath !== undefined
          ? kplus.Probe.fromHttpGet(livenessPath, {
              port,
              periodSeconds: Duration.seconds(20),
              timeoutSeconds: Duration.seconds(2),
              failureThreshold: 3,
            })
          : kplus.Probe.fromTcpSocket({
              port,
              periodSeconds: Duration.seconds(20),
              timeoutSeconds: Duration.seconds(2),
              failureThreshold: 3,
            }),
      startup: kplus.Probe.fromHttpGet(healthPath, {
        port,
        periodSeconds: Duration.seconds(5),
        timeoutSeconds: Duration.seconds(2),
        failureThreshold: 30,
      }),
    };
    const podProps = {
      metadata: meta(name),
      podMetadata: { labels, annotations: podAnnotations },
      serviceAccount: this.serviceAccount,
      automountServiceAccountToken: needsToken,
      securityContext: {
        ensureNonRoot: true,
        user: uid,
        group: uid,
        fsGroup: uid,
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
      terminationGracePeriod: Duration.seconds(grace),
      containers: [container],
      volumes: [tmp],
      select: false,
      spread: false,
      isolate: false,
    };

    const selector = kplus.LabelSelector.of({ labels: this.selectorLabels });
    if (workloadKind === WorkloadKind.STATEFUL_SET) {
      const headless = newService(this, 'HeadlessService', {
        metadata: meta(`${name}-headless`),
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
      });
      const sts = new kplus.StatefulSet(this, 'Workload', {
        ...podProps,
        service: headless,
        replicas,
        podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
        strategy: kplus.StatefulSetUpdateStrategy.rollingUpdate(),
      });
      sts.select(selector);
      this.workload = sts;
      selectAppPods(headless, this.selectorLabels);
      if (storage) {
        this.claimTemplate = {
          mountPath: storage.mountPath ?? '/data',
          template: {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: [storageMode!],
              storageClassName: storage.storageClass ?? 'gp3',
              resources: { requests: { storage: `${storage.sizeGiB ?? 10}Gi` } },
            },
          },
        };
      }
    } else {
      const deployment = new kplus.Deployment(this, 'Workload', {
        ...podProps,
        replicas,
        strategy: kplus.DeploymentStrategy.rollingUpdate({
          maxSurge: kplus.PercentOrAbsolute.percent(25),
          maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
        }),
        progressDeadline: Duration.minutes(10),
        minReady: Duration.seconds(10),
      });
      deployment.select(selector);
      this.workload = deployment;
      // The headless Service (stable per-pod DNS for peers and for Prometheus service discovery).
      const headless = newService(this, 'HeadlessService', {
        metadata: meta(`${name}-headless`),
        clusterIP: 'None',
        ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
      });
      selectAppPods(headless, this.selectorLabels);
    }
    // Fields cdk8s-plus-28 does not model: pod-level seccomp, zone/node spread, preStop sleep (Kubernetes >= 1.30).
    ApiObject.of(this.workload).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: this.selectorLabels },
          ...(workloadKind === WorkloadKind.DEPLOYMENT ? { matchLabelKeys: ['pod-template-hash'] } : {}),
        },
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: this.selectorLabels },
          ...(workloadKind === WorkloadKind.DEPLOYMENT ? { matchLabelKeys: ['pod-template-hash'] } : {}),
        },
      ]),
    );
    this.preStopSleepSeconds = preStop;
    // Fields cdk8s-plus-28's typed converters drop or mangle (the native preStop `sleep` action, Kubernetes >= 1.30,
    // and a StatefulSet's volumeClaimTemplates) are added to the rendered workload object itself, so every way of
    // rendering it (chart, file per resource, Helm) carries them.
    _afterRender(ApiObject.of(this.workload), (obj) => this.finishWorkload(obj));

    this.service = newService(this, 'Service', {
      metadata: meta(name, { [SCRAPE_LABEL]: 'true' }),
      type: kplus.ServiceType.CLUSTER_IP,
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: kplus.Protocol.TCP })),
    });
    selectAppPods(this.service, this.selectorLabels);

    // Scaling and disruption.
    let hpa: kplus.HorizontalPodAutoscaler | undefined;
    if (autoscaling) {
      hpa = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
        metadata: meta(name),
        target: this.workload,
        minReplicas: minReplicas!,
        maxReplicas: maxReplicas!,
        metrics: [
          kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(cpuTarget)),
          kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(memTarget)),
        ],
        scaleUp: {
          stabilizationWindow: Duration.seconds(0),
          policies: [
            { replicas: kplus.Replicas.absolute(4), duration: Duration.minutes(1) },
            { replicas: kplus.Replicas.percent(100), duration: Duration.minutes(1) },
          ],
        },
        scaleDown: {
          stabilizationWindow: Duration.minutes(5),
          policies: [{ replicas: kplus.Replicas.percent(25), duration: Duration.minutes(1) }],
        },
      });
    }
    _apiObject<IPodDisruptionBudget>(this, 'DisruptionBudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(name),
      spec: {
        minAvailable,
        selector: { matchLabels: this.selectorLabels },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });

    // Network policies: deny everything in the namespace, then allow what the app needs.
    const policy = (policyId: string, policyName: string, spec: NonNullable<INetworkPolicy['spec']>) =>
      _apiObject<INetworkPolicy>(this, policyId, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta(policyName),
        spec,
      });
    // Egress policies select the app's instance label: the app's pods and its migration Job.
    const instance = { 'app.kubernetes.io/instance': name };
    policy('AllowDns', `${name}-allow-dns`, {
      podSelector: { matchLabels: instance },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    const callers = (props.allowFromApps ?? []).map((a, i) => requireDnsLabel(path, `allowFromApps[${i}]`, a));
    if (callers.length > 0) {
      policy('AllowFromApps', `${name}-allow-from-apps`, {
        podSelector: { matchLabels: this.selectorLabels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: callers.map((a) => ({ podSelector: { matchLabels: { 'app.kubernetes.io/name': a } } })),
            ports: [{ protocol: 'TCP', port }],
          },
        ],
      });
    }
    if (host) {
      policy('AllowFromEdge', `${name}-allow-from-edge`, {
        podSelector: { matchLabels: this.selectorLabels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': routing.sourceNamespace } } }],
            ports: [{ protocol: 'TCP', port }],
          },
        ],
      });
    }
    if (deps.length > 0) {
      policy('AllowDependencies', `${name}-allow-dependencies`, {
        podSelector: { matchLabels: instance },
        policyTypes: ['Egress'],
        egress: deps.map((d) => ({
          to: [
            d._to.kind === 'app'
              ? {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': d._to.namespace } },
                  podSelector: { matchLabels: { 'app.kubernetes.io/name': d._to.app } },
                }
              : {
                  ipBlock: {
                    cidr: d._to.cidr,
                    ...(d._to.exceptPrivate ? { except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'] } : {}),
                  },
                },
          ],
          ports: [{ protocol: 'TCP', port: d.port }],
        })),
      });
    }

    if (host) _addAppRoutes(this, { name, namespace, host, port, routing, rateLimits, meta });

    if (props.monitoring !== false) {
      this.monitoring = new AppMonitoring(this, 'Monitoring', {
        ...props.monitoring,
        app: name,
        namespace,
        serviceSelector: { ...this.selectorLabels, [SCRAPE_LABEL]: 'true' },
        metricsPort: 'http',
        metricsPath,
        workloadKind: workloadKind.kind,
        cpuLimited: cpuLim !== undefined,
        labels,
      });
      policy('AllowFromPrometheus', `${name}-allow-from-prometheus`, {
        podSelector: { matchLabels: this.selectorLabels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.monitoring.spec.prometheusNamespace } } }],
            ports: [{ protocol: 'TCP', port }],
          },
        ],
      });
    }

    // Progressive delivery: an Argo Rollout over the Deployment (workloadRef), its preview Service and analysis.
    if (blueGreen || canary) {
      const deployment = this.workload as kplus.Deployment;
      ApiObject.of(deployment).addJsonPatch(JsonPatch.add('/spec/replicas', 0));
      let templateName: string | undefined;
      if ((blueGreen?.analysis || canary?.analysis) && this.monitoring) {
        templateName = new SliAnalysisTemplate(this, 'Analysis', {
          name: `${name}-slo`,
          namespace,
          spec: this.monitoring.spec,
          prometheusAddress: prometheusUrl,
          labels,
        }).templateName;
      }
      const analysisOf = (service: string) =>
        templateName ? { templates: [{ templateName }], args: [{ name: 'service-name', value: service }] } : undefined;
      if (blueGreen) {
        const preview = newService(this, 'PreviewService', {
          metadata: meta(blueGreen.preview, { [SCRAPE_LABEL]: 'true' }),
          type: kplus.ServiceType.CLUSTER_IP,
          ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: kplus.Protocol.TCP })),
        });
        selectAppPods(preview, this.selectorLabels);
      }
      _apiObject<IRollout>(this, 'Rollout', {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: meta(name),
        spec: {
          ...(autoscaling ? {} : { replicas }),
          revisionHistoryLimit: 5,
          selector: { matchLabels: this.selectorLabels },
          workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name, scaleDown: 'never' },
          strategy: blueGreen
            ? {
                blueGreen: {
                  activeService: blueGreen.active,
                  previewService: blueGreen.preview,
                  autoPromotionEnabled: blueGreen.autoPromotion,
                  scaleDownDelaySeconds: blueGreen.scaleDownDelay,
                  abortScaleDownDelaySeconds: 30,
                  ...(templateName
                    ? { prePromotionAnalysis: analysisOf(blueGreen.preview), postPromotionAnalysis: analysisOf(blueGreen.active) }
                    : {}),
                },
              }
            : {
                canary: {
                  maxUnavailable: 0,
                  maxSurge: '25%',
                  steps: canary!.steps.flatMap((st) => [{ setWeight: st.weight }, { pause: { duration: st.pause } }]),
                  ...(templateName ? { analysis: { ...analysisOf(name)!, startingStep: 1 } } : {}),
                },
              },
        },
      });
      if (hpa) {
        // The Rollout owns the replica count; the HPA scales it, not the template Deployment.
        ApiObject.of(hpa).addJsonPatch(
          JsonPatch.replace('/spec/scaleTargetRef', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name }),
        );
      }
    }

    // Database migration: a Job run by Argo CD on every sync, with the app's identity, config and hardening, after
    // what it needs (wave -2) and before the new pods (wave 0).
    if (migration) {
      for (const c of this.node.findAll()) {
        if (c instanceof ApiObject && (MIGRATION_PREREQUISITES.has(c.kind) || (c.kind === 'ConfigMap' && c.name === `${name}-config`))) {
          c.metadata.addAnnotation(SYNC_WAVE, '-2');
        }
      }
      const envFromJson = [
        ...(Object.keys(config).length > 0 ? [{ configMapRef: { name: `${name}-config` } }] : []),
        ...(props.platform ? [{ secretRef: { name: `${name}-connection` } }] : []),
        ...(secrets.length > 0 ? [{ secretRef: { name: `${name}-secrets` } }] : []),
      ];
      _apiObject<IJob>(this, 'Migration', {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          ...meta(`${name}-migrate`, { 'app.kubernetes.io/component': 'migration' }),
          annotations: {
            // Not PreSync: a PreSync hook runs before anything else of the sync is applied, so on a new cluster its
            // ServiceAccount, ConfigMap and Secrets do not exist yet and its pod cannot be created.
            'argocd.argoproj.io/hook': 'Sync',
            'argocd.argoproj.io/sync-wave': '-1',
            'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
          },
        },
        spec: {
          backoffLimit: migration.backoffLimit ?? 2,
          activeDeadlineSeconds: migration.activeDeadlineSeconds ?? 600,
          ttlSecondsAfterFinished: migration.ttlSecondsAfterFinished ?? 86400,
          template: {
            metadata: {
              labels: {
                'app.kubernetes.io/name': `${name}-migrate`,
                'app.kubernetes.io/instance': name,
                'app.kubernetes.io/component': 'migration',
                'app.kubernetes.io/part-of': partOf,
              },
            },
            spec: {
              restartPolicy: 'Never',
              serviceAccountName: name,
              automountServiceAccountToken: false,
              securityContext: {
                runAsNonRoot: true,
                runAsUser: uid,
                runAsGroup: uid,
                fsGroup: uid,
                seccompProfile: { type: 'RuntimeDefault' },
              },
              containers: [
                {
                  name: 'migrate',
                  image: migration.image ?? image,
                  imagePullPolicy: 'IfNotPresent',
                  command: migration.command,
                  envFrom: envFromJson,
                  resources: {
                    requests: { cpu: cpuQuantity(cpuReq), memory: memoryQuantity(memReq) },
                    limits: { ...(cpuLim !== undefined ? { cpu: cpuQuantity(cpuLim) } : {}), memory: memoryQuantity(memLim) },
                  },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    runAsNonRoot: true,
                    runAsUser: uid,
                    runAsGroup: uid,
                    capabilities: { drop: ['ALL'] },
                    seccompProfile: { type: 'RuntimeDefault' },
                  },
                  volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                },
              ],
              volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
            },
          },
        },
      });
    }
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
  private finishWorkload(obj: any): any {
    // cdk8s-plus writes `hostNetwork: false` and quantities such as `1000m` and `2048Mi`, which the API server
    // stores as nothing, `1` and `2Gi`: write what it stores (see npm run verify:k8s).
    const { hostNetwork, ...podSpec } = obj.spec.template.spec;
    if (hostNetwork) podSpec.hostNetwork = hostNetwork;
    const [main, ...rest] = podSpec.containers;
    const container = { ...main, resources: canonicalResources(main.resources) };
    if (this.preStopSleepSeconds > 0) container.lifecycle = { preStop: { sleep: { seconds: this.preStopSleepSeconds } } };
    const spec = { ...obj.spec, template: { ...obj.spec.template, spec: { ...podSpec, containers: [container, ...rest] } } };
    if (this.claimTemplate) {
      container.volumeMounts = [...(container.volumeMounts ?? []), { name: 'data', mountPath: this.claimTemplate.mountPath }];
      spec.volumeClaimTemplates = [this.claimTemplate.template];
      spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' };
    }
    return { ...obj, spec };
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
function canonicalResources(resources: any): any {
  if (!resources) return resources;
  const canon = (m: Record<string, string> | undefined) =>
    m && Object.fromEntries(Object.entries(m).map(([k, v]) => [k, canonicalQuantity(v)]));
  return {
    ...resources,
    ...(resources.requests ? { requests: canon(resources.requests) } : {}),
    ...(resources.limits ? { limits: canon(resources.limits) } : {}),
  };
}

/**
 * A cdk8s-plus Service without the empty `externalIPs: []` it writes (the API server drops empty lists, so the stored
 * object would differ from Git).
 */
function newService(scope: Construct, id: string, props: kplus.ServiceProps): kplus.Service {
  const service = new kplus.Service(scope, id, props);
  _afterRender(ApiObject.of(service), (obj) => {
    if (Array.isArray(obj.spec?.externalIPs) && obj.spec.externalIPs.length === 0) {
      const { externalIPs: _drop, ...spec } = obj.spec;
      void _drop;
      return { ...obj, spec };
    }
    return obj;
  });
  return service;
}

/** Services select pods by the app labels (not cdk8s' address label), so other tools can select them too. */
function selectAppPods(service: kplus.Service, labels: Record<string, string>): void {
  for (const [k, v] of Object.entries(labels)) service.selectLabel(k, v);
}

function requirePath(path: string, prop: string, value: string): string {
  if (!/^\/[A-Za-z0-9\-._~/%]*$/.test(value)) {
    throw invalidProp(path, prop, value, 'must be an absolute URL path such as "/health"');
  }
  return value;
}

function sortKeys(obj: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sha256(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
