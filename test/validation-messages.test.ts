/**
 * Validation messages not pinned by the per-construct suites: each is refused with its exact message.
 */
import { Chart } from 'cdk8s';
import { Testing } from 'cdktf';
import {
  AlarmSubscription,
  AppSecret,
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
    [AlarmSubscription.email('oncall'), `[prod/Alarms] 'subscriptions[0]' ("oncall") must be an e-mail address`],
    [
      AlarmSubscription.https('http://alerts.example.com/hook'),
      `[prod/Alarms] 'subscriptions[0]' ("http://alerts.example.com/hook") must be an https:// URL`,
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
    domain: 'samokoder.com',
    host: 'app.samokoder.com',
    alertEmails: ['oncall@samokoder.com'],
    tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
    supportCheckDate: TEST_DATE,
  };
  test.each<[object, string]>([
    [{ alertEmails: ['oncall'] }, `[dr/Entry] 'alertEmails[0]' ("oncall") must be an e-mail address`],
    [{ alertPeriod: '1m' }, `[dr/Entry] 'alertPeriod' ("1m") must be one of 2m, 3m, 5m, 10m, 15m, 30m, 1h`],
    [{ rtoTarget: Duration.seconds(0) }, `[dr] 'rtoTarget' ("0s") must be a positive duration`],
    [{ healthCheck: { intervalSeconds: 1 } }, `[dr/Nyc3] 'healthCheck.intervalSeconds' (1) must be a whole number from 3 to 300`],
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
});
