import { App, Chart } from 'cdk8s';
import { AppNamespace, AppRouting, Dependency, PlatformContract, ProductionApp, samokoderSecrets } from 'samokoder-infra';
import { ServicesConfig } from './config';

/**
 * The charts of one environment: the shared namespace, then the `api` and `bot` services.
 * Both services share the `samokoder` namespace, so the namespace (quota sized for both) is its own chart.
 */
export function buildKubernetesApps(app: App, env: ServicesConfig, platform: PlatformContract): { api: ProductionApp; bot: ProductionApp } {
  const ns = new Chart(app, 'namespace');
  const perPod = { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 512, memoryLimitMiB: 2048 };
  const pods = env.api.maxReplicas + env.bot.maxReplicas + 10;
  new AppNamespace(ns, 'Namespace', {
    name: platform.namespace,
    budget: {
      pods,
      cpuRequestMillis: pods * perPod.cpuRequestMillis,
      cpuLimitMillis: pods * perPod.cpuLimitMillis,
      memoryRequestMiB: pods * perPod.memoryRequestMiB,
      memoryLimitMiB: pods * perPod.memoryLimitMiB,
      containerDefaults: perPod,
    },
  });
  const secretsEntry = `${platform.secretPrefix}app`;
  const common = {
    createNamespace: false,
    platform: platform,
    routing: AppRouting.gateway({ gatewayName: 'public', gatewayNamespace: 'gateway-system' }),
    dependencies: [
      Dependency.podIdentityAgent(),
      ...platform.dataSubnetCidrs.flatMap((cidr, i) => [
        Dependency.cidr(`postgres-${i + 1}`, cidr, 5432),
        Dependency.cidr(`redis-${i + 1}`, cidr, 6379),
      ]),
      Dependency.internetHttps(),
    ],
  };
  const api = new ProductionApp(app, 'api', {
    ...common,
    name: 'api',
    image: env.api.image,
    port: 8000,
    host: env.api.host,
    healthPath: '/health',
    metricsPath: '/metrics',
    autoscaling: { minReplicas: env.api.minReplicas, maxReplicas: env.api.maxReplicas },
    config: { APP_ENV: env.name, LOG_LEVEL: 'info', PORT: '8000' },
    secrets: samokoderSecrets(secretsEntry),
    allowFromApps: ['bot'],
  });
  const bot = new ProductionApp(app, 'bot', {
    ...common,
    name: 'bot',
    image: env.bot.image,
    port: 8080,
    host: env.bot.host,
    healthPath: '/health',
    metricsPath: '/metrics',
    autoscaling: { minReplicas: env.bot.minReplicas, maxReplicas: env.bot.maxReplicas },
    rateLimits: [{ name: 'webhook', pathPrefix: '/webhook', requests: 50, unit: 'Second' }],
    config: { APP_ENV: env.name, LOG_LEVEL: 'info', PORT: '8080', API_URL: 'http://api.samokoder.svc.cluster.local:8000' },
    secrets: samokoderSecrets(secretsEntry, ['DATABASE_URL', 'REDIS_URL', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'SENTRY_DSN']),
    dependencies: [...common.dependencies, Dependency.app('api', platform.namespace, 8000)],
  });
  api.addDependency(ns);
  bot.addDependency(ns);
  return { api, bot };
}
