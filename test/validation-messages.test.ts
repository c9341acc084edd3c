/**
 * Validation messages not pinned by the per-construct suites: each is refused with its exact message.
 */
import { Chart } from 'cdk8s';
import { Testing } from 'cdktf';
import {
  AlarmSubscription,
  AppOfApps,
  AppSecret,
  ClusterPlatform,
  GitOpsRepository,
  PlatformCloud,
  PlatformComponent,
  ArgoCdProject,
  AwsRegion,
  BucketLifecycle,
  DeploymentStrategy,
  Duration,
  DoRegion,
  MultiRegionDR,
  RegionalCluster,
  ProductionApp,
  SamokoderStack,
  SecureBucket,
} from 'samokoder-infra';
import { testApp } from './util/k8s';
import { TEST_DATE, testStack } from './util/tf';

const k8s = (props: object) => () => new ProductionApp(testApp(), 'api', { name: 'api', image: 'r/api:1.0.0', ...props });

describe('ProductionApp messages', () => {
  test.each<[object, string]>([
    [
      { extraPorts: [{ name: 'Metrics_Port', port: 9090 }] },
      `[api] 'extraPorts[0].name' ("Metrics_Port") must be an IANA service name: at most 15 lower-case letters, digits and -`,
    ],
    [
      { config: { JWT_ISSUER: 'samokoder' }, secrets: [AppSecret.fromStore('JWT_ISSUER', 'app/jwt')] },
      `[api] 'secrets[0].envName' ("JWT_ISSUER") is declared twice (in secrets or config)`,
    ],
    [{ secrets: [AppSecret.fromStore('A', 'app/a', ' ')] }, `[api] 'secrets[0].property' (" ") must not be empty`],
    [
      { rbac: [{ apiGroups: [''], resources: [], verbs: ['get'] }] },
      `[api] 'rbac[0]' ({"apiGroups":[""],"resources":[],"verbs":["get"]}) must name at least one resource and one verb`,
    ],
    [{ prometheusUrl: 'prometheus:9090' }, `[api] 'prometheusUrl' ("prometheus:9090") must be an http(s) URL`],
    [
      { strategy: DeploymentStrategy.blueGreen({ previewService: 'api-headless' }) },
      `[api] 'strategy.previewService' ("api-headless") is the name of the headless Service`,
    ],
    [
      { monitoring: { runbookBaseUrl: 'http://runbooks' } },
      `[api/Monitoring] 'monitoring.runbookBaseUrl' ("http://runbooks") must be an https:// URL`,
    ],
  ])('%j is refused', (props, message) => {
    expect(k8s(props)).toThrow(message);
  });
});

describe('AWS messages', () => {
  test('a log bucket needs the account id', () => {
    expect(
      () =>
        new SecureBucket(testStack(), 'Logs', { bucketName: 'logs-bucket', lifecycle: BucketLifecycle.logs(), receivesAccessLogs: true }),
    ).toThrow(`[test/Logs] 'accountId' (undefined) is required with 'receivesAccessLogs'`);
  });

  test('Standard-IA before 30 days is refused', () => {
    expect(() => new SecureBucket(testStack(), 'Files', { bucketName: 'files-bucket', lifecycle: BucketLifecycle.files(10) })).toThrow(
      `[test/Files] 'lifecycle.infrequentAccessAfterDays' (10) must be at least 30 (the S3 minimum for STANDARD_IA)`,
    );
  });

  const stack = (subscriptions: AlarmSubscription[]) => () =>
    new SamokoderStack(Testing.app(), 'prod', {
      environment: 'production',
      region: AwsRegion.EU_CENTRAL_1,
      tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
      remoteState: { bucket: 'state-bucket', region: 'eu-central-1' },
      supportCheckDate: TEST_DATE,
      alarmSubscriptions: subscriptions,
    });
  test.each<[AlarmSubscription, string]>([
    [AlarmSubscription.email('oncall'), `[prod] 'alarmSubscriptions[0]' ("oncall") must be an e-mail address`],
    [
      AlarmSubscription.https('http://alerts.example.com/hook'),
      `[prod] 'alarmSubscriptions[0]' ("http://alerts.example.com/hook") must be an https:// URL`,
    ],
  ])('alarm subscription %j is refused', (sub, message) => {
    expect(stack([sub])).toThrow(message);
  });
});

describe('Argo CD messages', () => {
  const project = (props: object) => () =>
    new ArgoCdProject(new Chart(testApp(), 'c'), 'P', {
      name: 'p',
      description: 'd',
      sourceRepos: ['https://g.example.com/r.git'],
      destinations: [{ cluster: 'c', namespace: 'n' }],
      ...props,
    });
  test.each<[object, string]>([
    [{ destinations: [] }, `[c/P] 'destinations' ([]) must name at least one cluster and namespace`],
    [
      { destinations: [{ cluster: 'c', namespace: '' }] },
      `[c/P] 'destinations[0].namespace' ("") is required: a project without namespaces may deploy anywhere`,
    ],
    [{ sourceRepos: ['repo'] }, `[c/P] 'sourceRepos[0]' ("repo") is not a repository URL`],
  ])('%j is refused', (props, message) => {
    expect(project(props)).toThrow(message);
  });
});

describe('DigitalOcean messages', () => {
  const base = {
    localState: true,
    domain: 'samokoder.com',
    host: 'app.samokoder.com',
    alertEmails: ['oncall@samokoder.com'],
    apiAllowedCidrs: ['203.0.113.0/24'],
    tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
    supportCheckDate: TEST_DATE,
  };
  test.each<[object, string]>([
    [{ alertEmails: ['oncall'] }, `[dr/Entry] 'alertEmails[0]' ("oncall") must be an e-mail address`],
    [{ alertPeriod: '1m' }, `[dr/Entry] 'alertPeriod' ("1m") must be one of 2m, 3m, 5m, 10m, 15m, 30m, 1h`],
    [{ rtoTarget: Duration.seconds(0) }, `[dr] 'rtoTarget' ("0s") must be a positive duration`],
    [{ healthCheck: { intervalSeconds: 1 } }, `[dr] 'healthCheck.intervalSeconds' (1) must be a whole number from 3 to 300`],
  ])('%j is refused', (props, message) => {
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...base, ...props } as never)).toThrow(message);
  });
});

describe('RegionalCluster messages', () => {
  test('a maintenance start that is not HH:MM is refused', () => {
    expect(
      () =>
        new RegionalCluster(testStack(), 'Nyc3', {
          name: 'sk-nyc3',
          region: DoRegion.NYC3,
          vpcCidr: '10.10.0.0/16',
          kubernetesVersion: '1.35.1-do.0',
          maintenanceDay: 'tuesday',
          maintenanceStart: '4am',
          tags: [],
          certificateName: 'tls',
        }),
    ).toThrow(`[test/Nyc3] 'maintenanceStart' ("4am") must be a UTC time HH:MM`);
  });

  test('a cluster without an API allow list or an acknowledged public API is refused', () => {
    expect(
      () =>
        new RegionalCluster(testStack(), 'Nyc3', {
          name: 'sk-nyc3',
          region: DoRegion.NYC3,
          vpcCidr: '10.10.0.0/16',
          kubernetesVersion: '1.35.1-do.0',
          maintenanceDay: 'tuesday',
          tags: [],
          certificateName: 'tls',
        }),
    ).toThrow(
      "[test/Nyc3] 'apiAllowedCidrs' (undefined) must list the IPv4 addresses allowed to reach the clusters' Kubernetes API (DigitalOcean's control-plane firewall): " +
        "the Argo CD hub's egress (NAT) addresses, which register the clusters with a bearer token, and the operators'. " +
        "Where the account has no control-plane firewall (DigitalOcean: early availability, invite only), set 'publicKubernetesApi: { reason }' " +
        'instead to accept an API reachable from the whole internet',
    );
  });
});

/**
 * One message per mistake, naming the prop the user wrote and its value (#27): values checked where they come in,
 * not where the library writes them; derived names blamed on their source; list entries by index.
 */
describe('messages name the input, not the output', () => {
  const GITHUB_TOKEN = 'ghp_' + 'a1B2c3D4e5'.repeat(4);
  const LEGACY_OPENAI = 'sk-' + 'Ab3dEf6hIj9kLm2nOp5q' + 'T3BlbkFJ' + 'Rs8tUv1wXyZ0aB3dEf6h';
  const CREDENTIAL =
    'holds something shaped like a credential: synthesized files are committed to Git; keep the value in the secret store and reference it';

  test.each<[string, object, string]>([
    [
      'a token in the runbook URL',
      { monitoring: { runbookBaseUrl: 'https://runbooks.example.com/x?token=abcdef123456789' } },
      `[api/Monitoring] 'monitoring.runbookBaseUrl' ("<redacted>") ${CREDENTIAL}`,
    ],
    [
      'a token as a chart label',
      { chartProps: { labels: { 'deploy-token': GITHUB_TOKEN } } },
      `[api] 'chartProps.labels.deploy-token' ("<redacted>") ${CREDENTIAL}`,
    ],
    [
      'a token as a store property',
      { secrets: [AppSecret.fromStore('A', 'app/a', GITHUB_TOKEN)] },
      `[api] 'secrets[0].property' ("<redacted>") must be the name of a property of the secret-store entry, never the secret value itself`,
    ],
    [
      'a password inline in a command',
      { command: ['sh', '-c', 'PGPASSWORD=hunter2 psql -h db'] },
      `[api] 'command[2]' ("<redacted>") ${CREDENTIAL}`,
    ],
    ['a password flag and its value', { args: ['--password', 'hunter2'] }, `[api] 'args[1]' ("<redacted>") ${CREDENTIAL}`],
    ['a --password= flag', { args: ['--password=hunter2'] }, `[api] 'args[0]' ("<redacted>") ${CREDENTIAL}`],
    [
      'a key in a ServiceAccount annotation',
      { serviceAccountAnnotations: { 'example.com/key': 'AKIAABCDEFGHIJKLMNOP' } },
      `[api] 'serviceAccountAnnotations.example.com/key' ("<redacted>") ${CREDENTIAL}`,
    ],
    [
      'a password in the migration command',
      { migration: { command: ['sh', '-c', 'PGPASSWORD=hunter2 ./migrate'] } },
      `[api] 'migration.command[2]' ("<redacted>") ${CREDENTIAL}`,
    ],
    ['a token as the part-of label', { partOf: GITHUB_TOKEN }, `[api] 'partOf' ("<redacted>") ${CREDENTIAL}`],
    [
      'credentials in the Prometheus URL',
      { prometheusUrl: `https://u:${GITHUB_TOKEN}@prom.example.com` },
      `[api] 'prometheusUrl' ("<redacted>") ${CREDENTIAL}`,
    ],
    [
      'a token as the Slack channel',
      { monitoring: { routing: { slack: { webhook: { name: 'alerting', key: 'slack' }, channel: `#${GITHUB_TOKEN}` } } } },
      `[api/Monitoring] 'monitoring.routing.slack.channel' ("<redacted>") ${CREDENTIAL}`,
    ],
    [
      'a token as the key of the Slack webhook Secret',
      { monitoring: { routing: { slack: { webhook: { name: 'alerting', key: GITHUB_TOKEN }, channel: '#alerts' } } } },
      `[api/Monitoring] 'monitoring.routing.slack.webhook.key' ("<redacted>") ${CREDENTIAL}`,
    ],
    ['NaN', { replicas: NaN, autoscaling: false }, `[api] 'replicas' (NaN)`],
    ['Infinity', { replicas: Infinity, autoscaling: false }, `[api] 'replicas' (Infinity)`],
  ])('%s is refused once, by the prop', (_what, props, message) => {
    let error = '';
    try {
      k8s(props)();
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toContain(message);
    expect(error).not.toContain('hunter2');
    expect(error).not.toContain(GITHUB_TOKEN);
    expect(error.split('\n')).toHaveLength(1);
  });

  test('a credential in a value refused for another reason is not repeated in the message', () => {
    const leak = (props: object) => {
      try {
        k8s(props)();
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(leak({ healthPath: `/healthz?token=${GITHUB_TOKEN}` })).toBe(
      `[api] 'healthPath' ("<redacted>") must be an absolute URL path such as "/health"`,
    );
    expect(leak({ host: `${GITHUB_TOKEN}.example.com` })).toContain(`[api] 'host' ("<redacted>") must be a fully qualified`);
    expect(leak({ rbac: [{ apiGroups: [''], resources: [], verbs: [GITHUB_TOKEN] }] })).not.toContain(GITHUB_TOKEN);
  });

  test('good neighbours of those are accepted', () => {
    expect(
      k8s({
        monitoring: { runbookBaseUrl: 'https://runbooks.example.com/samokoder' },
        chartProps: { labels: { 'deploy-token-id': 'v1' } },
        secrets: [AppSecret.fromStore('DB_PASSWORD', 'app/db', 'password')],
        command: ['sh', '-c', 'PGPASSWORD="$DB_PASSWORD" psql -h db'],
        args: ['--password-file', '/run/secrets/db', '--token-ttl=3600'],
      }),
    ).not.toThrow();
  });

  const stackProps = {
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
    remoteState: { bucket: 'state-bucket', region: 'eu-central-1' },
    supportCheckDate: TEST_DATE,
    alarmSubscriptions: [AlarmSubscription.email('oncall@acme.dev')],
  };
  test.each<[string, object, string]>([
    [
      'a Discord webhook as an SNS endpoint',
      {
        alarmSubscriptions: [
          AlarmSubscription.https('https://discord.com/api/webhooks/123456789012345678/' + 'aB3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0'),
        ],
      },
      `[prod] 'alarmSubscriptions[0]' ("<redacted>") embeds a credential`,
    ],
    [
      'a legacy OpenAI key as a secret entry',
      { secretEntries: ['app', LEGACY_OPENAI] },
      `[prod] 'secretEntries[1]' ("<redacted>") must be an entry name under the prefix, never the secret value itself`,
    ],
    [
      'a service account name that makes the IAM role name too long',
      { appIdentities: [{ serviceAccount: 'a'.repeat(52) }] },
      `[prod] 'appIdentities[0].serviceAccount' ("${'a'.repeat(52)}") makes the IAM role name "prod-production-${'a'.repeat(52)}" 68 characters long (IAM allows 64): use a service account name of at most 48 characters`,
    ],
    [
      'a token as a cost-allocation tag',
      { tags: { environment: 'production', service: 's', team: GITHUB_TOKEN, costCenter: 'c' } },
      `[prod] 'tags.team' ("<redacted>") ${CREDENTIAL}`,
    ],
    [
      'a token in an alarm e-mail address',
      { alarmSubscriptions: [AlarmSubscription.email(`${GITHUB_TOKEN}@acme.example`)] },
      `[prod] 'alarmSubscriptions[0]' ("<redacted>") embeds a credential`,
    ],
    [
      'an EKS admin listed twice',
      { adminPrincipalArns: ['arn:aws:iam::111122223333:role/admin', 'arn:aws:iam::111122223333:role/admin'] },
      `[prod] 'adminPrincipalArns[1]' ("arn:aws:iam::111122223333:role/admin") is listed twice (adminPrincipalArns[0]): EKS keeps one access entry per principal`,
    ],
    [
      'a service account listed twice',
      { appIdentities: [{ serviceAccount: 'api' }, { serviceAccount: 'api' }] },
      `[prod] 'appIdentities[1].serviceAccount' ("api") is listed twice (appIdentities[0])`,
    ],
    [
      'a service account that is not a DNS label, by index',
      { appIdentities: [{ serviceAccount: 'api' }, { serviceAccount: 'Bot' }] },
      `[prod] 'appIdentities[1].serviceAccount' ("Bot")`,
    ],
  ])('%s is refused by the prop', (_what, props, message) => {
    let error = '';
    try {
      new SamokoderStack(Testing.app(), 'prod', { ...stackProps, ...props } as never);
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toContain(message);
    expect(error).not.toContain(LEGACY_OPENAI);
    expect(error).not.toContain(GITHUB_TOKEN);
  });

  test('an entry of an allow list is named by its index', () => {
    const dr = {
      localState: true,
      domain: 'samokoder.com',
      host: 'app.samokoder.com',
      alertEmails: ['oncall@samokoder.com'],
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
      supportCheckDate: TEST_DATE,
    };
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...dr, apiAllowedCidrs: ['203.0.113.0/24', '0.0.0.0/0'] })).toThrow(
      `[dr] 'apiAllowedCidrs[1]' ("0.0.0.0/0") opens the Kubernetes API to the whole internet (0.0.0.0/0 is the whole internet)`,
    );
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...dr, apiAllowedCidrs: ['203.0.113.0/24', '64.0.0.0/6'] })).toThrow(
      `[dr] 'apiAllowedCidrs[1]' ("64.0.0.0/6") opens the Kubernetes API to the whole internet (64.0.0.0/6 is wider than a /8`,
    );
    // Only the list as a whole is wide: the list is named.
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...dr, apiAllowedCidrs: ['0.0.0.0/1', '128.0.0.0/1'] })).toThrow(
      `[dr] 'apiAllowedCidrs[0]' ("0.0.0.0/1") opens the Kubernetes API to the whole internet (0.0.0.0/1 is wider than a /8`,
    );
  });

  test("an Argo CD path is blamed on the cluster's environment it came from", () => {
    const aoa = (environment: string) => () =>
      new AppOfApps(new Chart(testApp(), 'c'), 'A', {
        source: { repoURL: 'https://g.example.com/r.git', targetRevision: 'main' },
        cluster: { name: 'prod', environment },
        namespace: 'samokoder',
        apps: ['api'],
      });
    expect(aoa('../prod')).toThrow(
      `[c/A] 'cluster.environment' ("../prod") must be the name of a manifest set (a DNS label such as "production"): it names the directory <manifestsRoot>/<environment>/ Argo CD reads`,
    );
    expect(aoa('Prod Env')).toThrow(`[c/A] 'cluster.environment' ("Prod Env") must be the name of a manifest set`);
    expect(aoa('staging-eu')).not.toThrow();
  });

  test('names an app of apps derives are blamed on the props they come from', () => {
    const aoa = (props: object) => () =>
      new AppOfApps(new Chart(testApp(), 'c'), 'A', {
        source: { repoURL: 'https://g.example.com/r.git', targetRevision: 'main' },
        cluster: { name: 'prod', environment: 'production' },
        namespace: 'samokoder',
        apps: ['api'],
        ...props,
      });
    expect(aoa({ team: 'Platform' })).toThrow(`[c/A] 'team' ("Platform") must be a DNS label`);
    expect(aoa({ apps: ['api', 'Web'] })).toThrow(`[c/A] 'apps[1]' ("Web") must be a DNS label`);
    expect(aoa({ apps: [{ name: 'api', namespace: 'Bad' }] })).toThrow(`[c/A] 'apps[0].namespace' ("Bad") must be a DNS label`);
    expect(aoa({ namespace: 'n'.repeat(20), cluster: { name: 'c'.repeat(50), environment: 'production' } })).toThrow(
      `[c/A] 'namespace' ("${'n'.repeat(20)}") and 'cluster.name' ("${'c'.repeat(50)}") make the AppProject name "${'n'.repeat(20)}-bootstrap-${'c'.repeat(50)}" (81 characters; Argo CD allows 63): shorten the team (it defaults to the namespace) or the cluster name`,
    );
    expect(aoa({ team: 'platform', apps: ['api', { name: 'web', namespace: 'web' }] })).not.toThrow();
  });

  test('credentials in addresses outside the apps are refused as they come in', () => {
    const dr = {
      localState: true,
      domain: 'samokoder.com',
      host: 'app.samokoder.com',
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
      supportCheckDate: TEST_DATE,
    };
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...dr, alertEmails: [`${GITHUB_TOKEN}@acme.example`] })).toThrow(
      `[dr/Entry] 'alertEmails[0]' ("<redacted>") ${CREDENTIAL}`,
    );
    const platform = {
      cluster: 'production',
      cloud: PlatformCloud.aws({ region: 'eu-central-1' }),
      source: { repoURL: 'https://g.example.com/r.git' },
      configPath: 'dist/platform/production',
      acmeEmail: 'oncall@acme.dev',
    };
    expect(() => new ClusterPlatform(testApp(), 'P', { ...platform, acmeEmail: `${GITHUB_TOKEN}@acme.example` })).toThrow(
      `[P] 'acmeEmail' ("<redacted>") ${CREDENTIAL}`,
    );
    expect(
      () => new ClusterPlatform(testApp(), 'P', { ...platform, acmeServer: `https://acme.example.com/directory?token=${GITHUB_TOKEN}` }),
    ).toThrow(`[P] 'acmeServer' ("<redacted>") ${CREDENTIAL}`);
  });

  test('a cluster of a manifest set without charts is blamed on the set, not on the AppProject made from it', () => {
    const repo = new GitOpsRepository({ repoURL: 'https://g.example.com/r.git' });
    repo.manifests('production');
    expect(() => repo.cluster({ name: 'prod', manifests: 'production', namespace: 'samokoder' })).toThrow(
      `[GitOpsRepository/prod] 'manifests' ("production") has no charts yet: add the set's charts before its clusters (or list the cluster's 'apps')`,
    );
    expect(
      () =>
        new AppOfApps(new Chart(testApp(), 'c'), 'A', {
          source: { repoURL: 'https://g.example.com/r.git', targetRevision: 'main' },
          cluster: { name: 'prod', environment: 'production' },
          namespace: 'samokoder',
          apps: [],
        }),
    ).toThrow(`[c/A] 'apps' ([]) must list at least one app: an app of apps with none syncs nothing`);
  });

  test('entries that would make one construct id are named by the library, by index', () => {
    const dr = {
      localState: true,
      domain: 'samokoder.com',
      host: 'app.samokoder.com',
      alertEmails: ['oncall@samokoder.com'],
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
      supportCheckDate: TEST_DATE,
    };
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...dr, secretEntries: ['app.x', 'app-x'] })).toThrow(
      `[dr] 'secretEntries[1]' ("app-x") names the same Terraform resource as secretEntries[0] ("app.x") (Entry-app-x: entry names are written with - for other characters there): rename one`,
    );
    const crds = (name: string) =>
      PlatformComponent.of({
        name,
        namespace: 'x',
        crds: { repoURL: 'https://github.com/a/b.git', revision: 'v1.0.0', path: 'crds' },
        chart: { repoURL: 'https://charts.example.com', chart: 'c', version: '1.0.0' },
      });
    expect(
      () =>
        new ClusterPlatform(testApp(), 'P', {
          cluster: 'production',
          cloud: PlatformCloud.aws({ region: 'eu-central-1' }),
          source: { repoURL: 'https://g.example.com/r.git' },
          configPath: 'dist/platform/production',
          acmeEmail: 'oncall@acme.dev',
          components: [PlatformComponent.CERT_MANAGER, crds('a'), crds('a-crds')],
        }),
    ).toThrow(`[P] 'components[2].name' ("a-crds") is the name of the CRD Application of components[1] ("a"): rename it`);
  });

  test("a cluster named like another cluster's platform layer is named by the repository, not by a construct id", () => {
    const repo = () => {
      const r = new GitOpsRepository({ repoURL: 'https://g.example.com/r.git' });
      new ProductionApp(r.manifests('production'), 'api', { name: 'api', image: 'r/api:1.0.0' });
      return r;
    };
    const platform = { cloud: PlatformCloud.aws({ region: 'eu-central-1' }), acmeEmail: 'oncall@acme.dev' };
    const a = repo();
    a.cluster({ name: 'x', manifests: 'production', namespace: 'api', platform });
    expect(() => a.cluster({ name: 'x-platform', manifests: 'production', namespace: 'api' })).toThrow(
      `[GitOpsRepository/x-platform] 'name' ("x-platform") is the id of the platform layer of cluster x: name the cluster otherwise`,
    );
    const b = repo();
    b.cluster({ name: 'x-platform', manifests: 'production', namespace: 'api' });
    expect(() => b.cluster({ name: 'x', manifests: 'production', namespace: 'api', platform })).toThrow(
      `[GitOpsRepository/x] 'name' ("x") gives its platform layer the id x-platform, the name of another cluster of this repository: name the cluster otherwise`,
    );
  });

  test('a namespace that defaults from another prop is blamed on that prop', () => {
    const RESERVED =
      'is reserved for Kubernetes or the platform layer (default, kube-system, kube-public, kube-node-lease, argocd, argo-rollouts, cert-manager, envoy-gateway-system, external-secrets, gateway-system, monitoring, and every kube-* namespace)';
    expect(() => new ProductionApp(testApp(), 'x', { name: 'monitoring', image: 'r/a:1.0.0' })).toThrow(
      `[x] 'name' ("monitoring") ${RESERVED}: the namespace defaults to the app's name; set 'namespace'`,
    );
    expect(() => new ProductionApp(testApp(), 'x', { name: 'api', image: 'r/a:1.0.0', namespace: 'monitoring' })).toThrow(
      `[x] 'namespace' ("monitoring") ${RESERVED}: give the app a namespace of its own`,
    );
    expect(() => new ProductionApp(testApp(), 'x', { name: 'api', image: 'r/a:1.0.0', namespace: 'kube-apps' })).toThrow(
      `[x] 'namespace' ("kube-apps") ${RESERVED}`,
    );
    expect(() => new SamokoderStack(Testing.app(), 'prod', { ...stackProps, project: 'monitoring' } as never)).toThrow(
      `[prod] 'project' ("monitoring") ${RESERVED}: the namespace defaults to the project; set 'namespace'`,
    );
    expect(() => new SamokoderStack(Testing.app(), 'argocd-production', stackProps as never)).toThrow(
      `[argocd-production] 'project' ("argocd", from the stack id) ${RESERVED}: the namespace defaults to the project; set 'namespace'`,
    );
    expect(() => new SamokoderStack(Testing.app(), 'Billing_Prod', stackProps as never)).toThrow(
      `[Billing_Prod] 'project' ("billing_prod", from the stack id) must be a DNS label`,
    );
  });

  test('an app listed twice in an app of apps is named, not a construct id', () => {
    expect(
      () =>
        new AppOfApps(new Chart(testApp(), 'c'), 'A', {
          source: { repoURL: 'https://g.example.com/r.git', targetRevision: 'main' },
          cluster: { name: 'prod', environment: 'production' },
          namespace: 'samokoder',
          apps: ['api', 'web', 'api'],
        }),
    ).toThrow(`[c/A] 'apps[2]' ("api") is listed twice (apps[0])`);
  });

  test('two constructs with one id are named by the library, not by the constructs library', () => {
    const app = testApp();
    new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0' });
    expect(() => new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0', namespace: 'other' })).toThrow(
      `[api] 'id' ("api") is already the id of another construct in this scope: construct ids name the output (paths, file names) and must be unique among siblings`,
    );
    const tf = Testing.app();
    new SamokoderStack(tf, 'prod', stackProps as never);
    expect(() => new SamokoderStack(tf, 'prod', stackProps as never)).toThrow(
      `[prod] 'id' ("prod") is already the id of another construct`,
    );
  });
});
