import { _AllKeys, _checkProps } from '../common/props';
import { invalidProp } from '../common/errors';
import {
  isDnsSubdomain,
  refuseCredential,
  refuseCredentialArguments,
  refuseCredentialValues,
  requireAnnotations,
  requireDnsLabel,
  requireHostname,
  requireUrlPath,
} from '../common/validate';
import { DEFAULT_PROMETHEUS_URL, requirePrometheusUrl } from '../delivery/app-rollout';
import { DeploymentStrategy, ResolvedStrategy, resolveStrategy } from '../delivery/strategy';
import { validateAppConfig } from '../k8s/app-config';
import { validateRbacRules } from '../k8s/app-service-account';
import { _MIGRATION_OPTIONS, MigrationOptions, validateMigration } from '../k8s/app-migration';
import { AppFootprint, refuseReservedNamespace } from '../k8s/app-namespace';
import { validateDependencies } from '../k8s/app-network-policies';
import { resolveScaling } from '../k8s/app-scaling';
import { resolveWorkload, WorkloadKind } from '../k8s/workload-options';
import { requireImmutableImage } from '../k8s/image';
import { _requireEnvironment, environmentTier } from '../common/environment';
import { AppRouting, DEFAULT_RATE_LIMITS, validateRateLimits, validateRouting } from '../k8s/routing';
import { SecretStore } from '../k8s/secrets';
import type { ProductionAppProps } from './production-app-props';

// What ProductionApp resolves and checks before it adds anything to the tree (split out of production-app.ts).

/** Applies the defaults of {@link ProductionAppProps} and checks every prop, through the parts' own checks. */
export function _resolveApp(path: string, props: ProductionAppProps, namespace: string) {
  const name = requireDnsLabel(path, 'name', props.name, 52);
  // The namespace defaults to the platform contract's, else to the app's name: a reserved one is blamed on its source.
  const [nsProp, nsFix] =
    props.namespace !== undefined
      ? ['namespace', undefined]
      : props.platform?.namespace !== undefined
        ? ['platform.namespace', "the namespace defaults to the platform contract's; set 'namespace'"]
        : ['name', "the namespace defaults to the app's name; set 'namespace'"];
  refuseReservedNamespace(path, nsProp, requireDnsLabel(path, nsProp, namespace), nsFix);
  const scalingPlan = resolveScaling(path, props);
  const pods = resolveWorkload(path, props, scalingPlan.ceiling);
  const host = props.host === undefined ? undefined : requireHostname(path, 'host', props.host);
  if (props.additionalHosts && props.additionalHosts.length > 0 && host === undefined) {
    throw invalidProp(
      path,
      'additionalHosts',
      props.additionalHosts,
      "needs 'host': an app without a public host has no routes to add names to",
    );
  }
  (props.additionalHosts ?? []).forEach((h, i) => {
    const first = h === host ? 'host' : `additionalHosts[${props.additionalHosts!.indexOf(h)}]`;
    if (first !== `additionalHosts[${i}]`)
      throw invalidProp(path, `additionalHosts[${i}]`, h, `is listed twice (${first}): each name once`);
  });
  const metricsPath = requireUrlPath(path, 'metricsPath', props.metricsPath ?? '/metrics');
  const routing = props.routing ?? AppRouting.gateway();
  validateRouting(path, 'routing', routing);
  const rateLimits = props.rateLimits ?? [...DEFAULT_RATE_LIMITS];
  validateRateLimits(path, rateLimits);
  validateAppConfig(path, props.config ?? {}, props.secrets ?? []);
  // A ConfigMap holds at most 1 MiB (etcd's object limit); the API server refuses a larger one at apply time.
  const configBytes = Object.entries(props.config ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
  if (configBytes > 1024 * 1024) {
    throw invalidProp(
      path,
      'config',
      `${configBytes} bytes`,
      'is larger than a ConfigMap may be (1 MiB): keep large data in a volume or object storage',
    );
  }
  for (const prop of ['command', 'args'] as const) {
    const list: unknown = props[prop];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
      throw invalidProp(path, prop, list, 'must be a list of strings');
    }
    refuseCredentialArguments(path, prop, list);
  }
  if (props.command?.length && props.command[0].trim() === '') {
    throw invalidProp(
      path,
      'command[0]',
      props.command[0],
      'must name the executable to run (or leave command out for the image entrypoint)',
    );
  }
  requireAnnotations(path, 'serviceAccountAnnotations', props.serviceAccountAnnotations);
  refuseCredentialValues(path, 'serviceAccountAnnotations', props.serviceAccountAnnotations);
  refuseCredentialValues(path, 'chartProps.labels', props.chartProps?.labels);
  refuseCredential(path, 'partOf', props.partOf);
  refuseCredential(path, 'prometheusUrl', props.prometheusUrl);
  if (props.secretStore !== undefined) {
    if (!(props.secretStore instanceof SecretStore)) {
      throw invalidProp(
        path,
        'secretStore',
        props.secretStore,
        "must be a SecretStore (SecretStore.cluster('name') or SecretStore.namespaced('name'))",
      );
    }
    if (!isDnsSubdomain(props.secretStore.name)) {
      throw invalidProp(
        path,
        'secretStore.name',
        props.secretStore.name,
        'must be the name of a (Cluster)SecretStore: a lower-case DNS subdomain',
      );
    }
  }
  validateDependencies(path, props.dependencies ?? []);
  validateRbacRules(path, 'rbac', props.rbac ?? []);
  // An environment from the platform contract was checked by its stack; one written here is checked as the stacks'.
  if (props.environment !== undefined) {
    _requireEnvironment(
      path,
      requireDnsLabel(path, 'environment', props.environment),
      props.unlistedEnvironment,
      undefined,
      "it decides whether production's guards apply, so a typo can switch them off",
    );
  }
  const environment = props.environment ?? props.platform?.environment ?? 'production';
  const prometheusUrl = requirePrometheusUrl(path, 'prometheusUrl', props.prometheusUrl ?? DEFAULT_PROMETHEUS_URL);
  const strategy = props.strategy ?? DeploymentStrategy.rollingUpdate();
  if (strategy.kind !== 'rolling' && pods.kind !== WorkloadKind.DEPLOYMENT) {
    throw invalidProp(
      path,
      'strategy',
      strategy.kind,
      'needs WorkloadKind.DEPLOYMENT: Argo Rollouts references the Deployment through workloadRef',
    );
  }
  const resolvedStrategy = resolveStrategy(path, strategy, { name, environment });
  if (resolvedStrategy.analysis && props.monitoring === false) {
    throw invalidProp(
      path,
      'monitoring',
      false,
      'must be on for a rollout with analysis: the analysis reads the SLIs the monitoring spec defines',
    );
  }
  if (props.migration) {
    _checkProps<_AllKeys<MigrationOptions, typeof _MIGRATION_OPTIONS>>(
      path,
      'migration options',
      props.migration,
      _MIGRATION_OPTIONS,
      ['command'],
      'migration.',
    );
    validateMigration(path, 'migration', props.migration);
    // In a DR pair the migration runs under a lock held by a native sidecar (see AppMigrationProps.lock): an init
    // container with restartPolicy Always, on by default since Kubernetes 1.29 (SidecarContainers feature gate).
    const minor = /^1\.(\d+)/.exec(props.platform?.kubernetesVersion ?? '')?.[1];
    if (props.platform?.databaseRole === 'primary' && minor !== undefined && Number(minor) < 29) {
      throw invalidProp(
        path,
        'platform.kubernetesVersion',
        props.platform.kubernetesVersion,
        "must be 1.29 or newer for a migration in a DR pair: it runs under a lock held by a native sidecar (an init container with restartPolicy 'Always')",
      );
    }
  }
  if (environmentTier(environment) === 'production')
    requireProductionGuards(path, props, environment, scalingPlan.floor, resolvedStrategy.smokeTest?.image);
  if (resolvedStrategy.analysis && props.monitoring) {
    // The analysis judges the new version by the warning thresholds (SliAnalysisTemplate). Prometheus clients' default
    // request-duration buckets start at 5 ms, and histogram_quantile interpolates inside the first bucket from 0, so
    // a p95 is never measured under 0.95 × 5 = 4.75 ms: with a lower limit no version passes.
    const warning = props.monitoring.thresholds?.latencyP95Ms?.warning;
    if (typeof warning === 'number' && warning > 0 && warning < 4.75) {
      throw invalidProp(
        path,
        'monitoring.thresholds.latencyP95Ms.warning',
        warning,
        "is the rollout analysis' limit, and with the default request-duration buckets (the smallest is 5 ms) a p95 is never measured under 4.75 ms: every rollout would abort",
      );
    }
  }
  // A cloud identity is bound by the stack on AWS (Pod Identity); on DigitalOcean no pod has one.
  if (props.platform && props.platform.cloud !== 'digitalocean' && !props.platform.serviceAccounts.includes(name)) {
    const known = props.platform.serviceAccounts.join(', ') || 'none';
    throw invalidProp(path, 'name', name, `has no cloud identity in the platform contract (service accounts with one: ${known})`);
  }
  return { name, scalingPlan, pods, host, metricsPath, routing, rateLimits, environment, prometheusUrl, strategy, resolvedStrategy };
}

/**
 * What production needs whatever the environment is called (`environmentTier`): at least two pods and a disruption
 * budget that keeps one, so a crash, a drain or an eviction never stops the app, and images that do not move.
 */
function requireProductionGuards(
  path: string,
  props: ProductionAppProps,
  environment: string,
  floor: number,
  smokeTestImage: string | undefined,
): void {
  if (floor < 2) {
    const prop = props.autoscaling === false ? 'replicas' : 'autoscaling.minReplicas';
    throw invalidProp(
      path,
      prop,
      floor,
      `leaves production with one pod: a crash, a node drain or an eviction stops the app; run at least 2 (production: environment "${environment}")`,
    );
  }
  if (props.minAvailable === 0) {
    throw invalidProp(
      path,
      'minAvailable',
      0,
      `lets a node drain or an upgrade evict every pod of production at once; keep at least 1 (production: environment "${environment}")`,
    );
  }
  requireImmutableImage(path, 'image', props.image);
  if (props.migration?.image !== undefined) requireImmutableImage(path, 'migration.image', props.migration.image);
  if (smokeTestImage !== undefined) requireImmutableImage(path, 'strategy.smokeTest.image', smokeTestImage);
}

/**
 * Pods at the peak of a release: a rolling update adds 25 % (maxSurge); blue-green runs the preview at full size
 * beside the active set (and keeps the old set through the scale-down delay); canary surges 25 %; a migration Job
 * and a smoke test add one pod each.
 */
export function _footprintOf(
  maxReplicas: number,
  strategy: ResolvedStrategy,
  migration: boolean,
  pods: ReturnType<typeof resolveWorkload>,
): AppFootprint {
  const peak = strategy.kind === 'blueGreen' ? 2 * maxReplicas : Math.ceil(maxReplicas * 1.25);
  return {
    pods: peak + (migration ? 1 : 0) + (strategy.smokeTest ? 1 : 0),
    cpuRequestMillis: pods.cpuRequestMillis,
    cpuLimitMillis: pods.cpuLimitMillis,
    memoryRequestMiB: pods.memoryRequestMiB,
    memoryLimitMiB: pods.memoryLimitMiB,
    persistentVolumeClaims: pods.storage ? maxReplicas + 1 : 0,
  };
}
