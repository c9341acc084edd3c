import { App, Chart } from 'cdk8s';
import {
  AlertRoutingSpec,
  AppNamespace,
  AppSecret,
  budgetFor,
  DatabaseDump,
  DeploymentStrategy,
  PlatformGateway,
  AppRouting,
  Dependency,
  PlatformContract,
  ProductionApp,
  FilesSync,
  PrimaryProbe,
  ReplicationHeartbeat,
  ReplicationLagMonitor,
  SAMOKODER_SECRET_KEYS,
  SamokoderSecretKey,
  samokoderSecrets,
  Sli,
  SyncedSecret,
} from 'samokoder-infra';
import { RUNBOOKS, ServicesConfig } from './config';

/**
 * The charts of one environment: the shared namespace, then the `api` and `bot` services.
 * Both services share the `samokoder` namespace, so the namespace (quota sized for both) is its own chart.
 */
export function buildKubernetesApps(
  app: App,
  env: ServicesConfig,
  platform: PlatformContract,
): { namespace: Chart; gateway: Chart; api: ProductionApp; bot: ProductionApp } {
  const ns = new Chart(app, 'namespace');
  const secretsEntry = `${platform.secretPrefix}app`;
  // Alert routing for the namespace: critical pages through PagerDuty, warnings go to Slack. The credentials are
  // in the `alerting` Secret, synced by External Secrets from the store; only the references are written here.
  new SyncedSecret(ns, 'AlertingCredentials', {
    name: 'alerting',
    namespace: platform.namespace,
    secrets: [
      AppSecret.fromStore('pagerduty-routing-key', `${platform.secretPrefix}alerting`, 'PAGERDUTY_ROUTING_KEY'),
      AppSecret.fromStore('slack-webhook-url', `${platform.secretPrefix}alerting`, 'SLACK_WEBHOOK_URL'),
    ],
  });
  const routing: AlertRoutingSpec = {
    pagerDuty: { name: 'alerting', key: 'pagerduty-routing-key' },
    slack: { webhook: { name: 'alerting', key: 'slack-webhook-url' }, channel: `#samokoder-alerts-${env.name}` },
  };
  // The cluster's shared entry: the Gateway the apps' HTTPRoutes attach to. Where the stack owns the entry (the DR
  // pair's regional load balancers end TLS and forward to a NodePort), the gateway takes its shape from the contract.
  const entry = platform.entry;
  const gateway = new Chart(app, 'gateway');
  const publicGateway = new PlatformGateway(gateway, 'Gateway', {
    hosts: entry ? [...entry.hosts] : [env.api.host, env.bot.host],
    routeNamespaces: [platform.namespace],
    tlsTermination: entry?.tlsTermination,
    httpPort: entry?.listenerPort,
  });
  const publicRouting = (healthProbe: boolean) =>
    AppRouting.gateway({
      gatewayName: publicGateway.gatewayName,
      gatewayNamespace: publicGateway.gatewayNamespace,
      sectionName: publicGateway.listenerName,
      loadBalancerHealthPath: healthProbe ? entry?.healthPath : undefined,
    });
  const common = {
    createNamespace: false,
    platform: platform,
    dependencies: [
      // EKS Pod Identity: the agent on each node hands out the pods' credentials.
      ...(platform.cloud === 'digitalocean' ? [] : [Dependency.podIdentityAgent()]),
      // The database and cache, where the stack put them, on their ports (from the stack: never typed twice).
      ...Dependency.dataTier(platform),
      Dependency.internetHttps(),
    ],
  };
  // On DigitalOcean the connection entry (written by the DR stack) carries the database and cache URLs themselves.
  const fromConnection = platform.cloud === 'digitalocean' ? ['DATABASE_URL', 'REDIS_URL'] : [];
  const appSecrets = (keys: readonly SamokoderSecretKey[]) =>
    samokoderSecrets(
      secretsEntry,
      keys.filter((k) => !fromConnection.includes(k)),
    );
  const api = new ProductionApp(app, 'api', {
    ...common,
    name: 'api',
    image: env.api.image,
    port: 8000,
    host: env.api.host,
    additionalHosts: entry?.regionalHost ? [entry.regionalHost] : [],
    routing: publicRouting(true),
    healthPath: '/health',
    metricsPath: '/metrics',
    autoscaling: { minReplicas: env.api.minReplicas, maxReplicas: env.api.maxReplicas },
    config: { APP_ENV: env.name, LOG_LEVEL: 'info', PORT: '8000' },
    secrets: appSecrets(SAMOKODER_SECRET_KEYS),
    allowFromApps: ['bot'],
    // Blue-green with SLI analysis before and after promotion; a human promotes in production. The smoke test sends
    // the preview requests the analysis can judge: read-only endpoints of the API that reach its database and cache,
    // answered without credentials (the reference's API; a team lists its own).
    strategy: DeploymentStrategy.blueGreen({
      autoPromotion: env.name !== 'production',
      smokeTest: { paths: ['/api/status', '/api/templates'] },
    }),
    // Schema migrations run before every sync, with the version they belong to.
    migration: { command: ['python', '-m', 'alembic', 'upgrade', 'head'] },
    // The API's SLOs from the brief: availability 99.9 %, p99 < 1000 ms, errors < 0.1 %.
    monitoring: {
      runbookBaseUrl: RUNBOOKS,
      routing,
      slos: [
        { name: 'availability', objectivePercent: 99.9, sli: Sli.uptime() },
        { name: 'latency', objectivePercent: 99, sli: Sli.latency(1000), description: 'p99 latency below 1000 ms' },
        { name: 'errors', objectivePercent: 99.9, sli: Sli.successRate(), description: 'Fewer than 0.1 % of requests fail' },
      ],
    },
  });
  const bot = new ProductionApp(app, 'bot', {
    ...common,
    name: 'bot',
    image: env.bot.image,
    port: 8080,
    host: env.bot.host,
    routing: publicRouting(false),
    healthPath: '/health',
    metricsPath: '/metrics',
    autoscaling: { minReplicas: env.bot.minReplicas, maxReplicas: env.bot.maxReplicas },
    rateLimits: [{ name: 'webhook', pathPrefix: '/webhook', requests: 50, unit: 'Second' }],
    // The api shares the namespace: its short name resolves wherever the pair is installed (GitOps or Helm release).
    config: { APP_ENV: env.name, LOG_LEVEL: 'info', PORT: '8080', API_URL: 'http://api:8000' },
    secrets: appSecrets(['DATABASE_URL', 'REDIS_URL', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'SENTRY_DSN']),
    dependencies: [...common.dependencies, Dependency.app('api', platform.namespace, 8000)],
    // The bot's SLOs from the brief: availability 99.5 %, response < 2 s, messages processed within 5 minutes.
    // The bot exports `bot_message_processing_seconds` (a histogram with a 300 s bucket).
    monitoring: {
      runbookBaseUrl: RUNBOOKS,
      slos: [
        { name: 'availability', objectivePercent: 99.5, sli: Sli.uptime() },
        { name: 'response', objectivePercent: 99, sli: Sli.latency(2000), description: 'Responses within 2 s' },
        {
          name: 'processing',
          objectivePercent: 99,
          description: 'Messages processed within 5 minutes',
          // Prometheus 3 stores the 300 s bucket as le="300.0": Sli.histogram matches it however it is written.
          sli: Sli.histogram('bot_message_processing_seconds', 300_000),
        },
      ],
    },
  });
  // The namespace's quota holds both apps at their peak at once: blue-green api with its preview and migration, and
  // the bot's rolling surge (each app states its own footprint), plus room for two more pods.
  // A DR secondary watches its replica: the lag the RPO depends on, alerted on and read by the failover scripts.
  const monitor = platform.replicaMonitor
    ? new ReplicationLagMonitor(ns, 'ReplicationLag', { platform, runbookBaseUrl: RUNBOOKS })
    : undefined;
  // Both DR clusters write the heartbeat the monitor reads on the replica (the lag alone reads 0 on a replica that
  // stopped replaying), each into the writer its entry names.
  const heartbeat = platform.databaseRole ? new ReplicationHeartbeat(ns, 'ReplicationHeartbeat', { platform }) : undefined;
  // It also copies the primary's uploaded files into its own bucket (Spaces does not replicate across regions).
  const filesSync = platform.filesSync ? new FilesSync(ns, 'FilesSync', { platform, runbookBaseUrl: RUNBOOKS }) : undefined;
  // And it probes the primary's entry, so a primary outage pages the on-call (the uptime alerts only e-mail).
  const probe = platform.primaryProbe ? new PrimaryProbe(ns, 'PrimaryProbe', { platform, runbookBaseUrl: RUNBOOKS }) : undefined;
  // Where the writer is (an AWS environment: its contract has the database bootstrap; the DR primary: its contract has
  // databaseDump), a daily dump of the database to versioned object storage: the last-resort copy that needs no
  // managed-database backup to restore.
  const dump =
    platform.databaseBootstrap || platform.databaseDump
      ? new DatabaseDump(ns, 'DatabaseDump', { platform, runbookBaseUrl: RUNBOOKS })
      : undefined;
  const extras = [monitor, heartbeat, filesSync, probe, dump].flatMap((part) => (part ? [part.footprint] : []));
  new AppNamespace(ns, 'Namespace', {
    name: platform.namespace,
    budget: budgetFor([api.footprint, bot.footprint, ...extras]),
    // The label the shared Gateway admits the apps' routes by (it also names this namespace: routeNamespaces).
    gatewayAccess: [publicGateway.gatewayName],
    // And the one the platform's secret store admits its ExternalSecrets by.
    secretStoreAccess: ['aws-secrets-manager'],
  });
  return { namespace: ns, gateway, api, bot };
}
