/**
 * Plain JavaScript callers: no type checker stands between them and the constructs, so the constructs check their
 * props at the boundary.
 */
import { App as Cdk8sApp } from 'cdk8s';
import { Testing } from 'cdktf';
import { Chart } from 'cdk8s';
import {
  AppRouting,
  DeploymentStrategy,
  Sli,
  AppNamespace,
  AwsRegion,
  ClusterPlatform,
  GitOpsRepository,
  MultiRegionDR,
  PlatformCloud,
  PlatformGateway,
  ProductionApp,
  SamokoderDatabase,
  SamokoderStack,
  SecureBucket,
} from 'samokoder-infra';
import { TEST_DATE, testStack } from '../util/tf';

// What a JavaScript caller can pass: anything.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const js = (props: Record<string, unknown>): any => props;

describe('props checked at the boundary for JavaScript callers', () => {
  test('a misspelled optional prop is refused with a suggestion, not ignored', () => {
    expect(() => new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api', image: 'r/api:1.0.0', hots: 'api.example.com' }))).toThrow(
      `[api] 'hots' ("api.example.com") is not a prop of ProductionApp: did you mean 'host'?`,
    );
    expect(
      () =>
        new ClusterPlatform(
          new Cdk8sApp(),
          'p',
          js({
            cluster: 'production',
            cloud: PlatformCloud.aws({ region: 'eu-central-1' }),
            source: { repoURL: 'https://g.example.com/r.git', targetRevision: 'main' },
            configPath: 'dist/platform/production',
            acmeEmail: 'a@acme.dev',
            acmeEmial: 'x',
          }),
        ),
    ).toThrow(`[p] 'acmeEmial' ("x") is not a prop of ClusterPlatform: did you mean 'acmeEmail'?`);
  });

  test('a prop nothing resembles lists what the construct takes', () => {
    expect(() => new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api', image: 'r/api:1.0.0', colour: 'blue' }))).toThrow(
      `[api] 'colour' ("blue") is not a prop of ProductionApp (it takes name, host, additionalHosts, namespace,`,
    );
  });

  test('a missing required prop fails with our message, not a TypeError', () => {
    expect(() => new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api' }))).toThrow(
      `[api] 'image' (undefined) is required by ProductionApp`,
    );
    expect(() => new SamokoderStack(Testing.app(), 'prod', js({ environment: 'production', region: AwsRegion.EU_CENTRAL_1 }))).toThrow(
      `[prod] 'tags' (undefined) is required by SamokoderStack`,
    );
    expect(() => new MultiRegionDR(Testing.app(), 'dr', js({ domain: 'samokoder.com', supportCheckDate: TEST_DATE }))).toThrow(
      `[dr] 'tags' (undefined) is required by MultiRegionDR`,
    );
  });

  test('nested options are checked too: monitoring, resources, migration, node group', () => {
    const app = (extra: Record<string, unknown>) => () =>
      new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api', image: 'r/api:1.0.0', ...extra }));
    expect(app({ monitoring: { slo: [] } })).toThrow(
      `[api] 'monitoring.slo' ([]) is not a prop of monitoring options: did you mean 'slos'?`,
    );
    expect(app({ resources: { memoryLimitMb: 512 } })).toThrow(
      `[api] 'resources.memoryLimitMb' (512) is not a prop of resource options: did you mean 'memoryLimitMiB'?`,
    );
    expect(app({ migration: { cmd: ['migrate'] } })).toThrow(`[api] 'migration.command' (undefined) is required by migration options`);
    expect(app({ monitoring: false, resources: { cpuRequestMillis: 100 } })).not.toThrow();
    expect(
      () =>
        new SamokoderStack(
          Testing.app(),
          'billing-production',
          js({
            environment: 'production',
            region: AwsRegion.EU_CENTRAL_1,
            tags: { environment: 'production', service: 'billing', team: 'billing', costCenter: 'CC-1' },
            remoteState: { bucket: 'acme-tf-state', region: 'eu-central-1' },
            alarmSubscriptions: [],
            supportCheckDate: TEST_DATE,
            nodeGroup: { instanceType: 'm6i.large' },
          }),
        ),
    ).toThrow(
      `[billing-production] 'nodeGroup.instanceType' ("m6i.large") is not a prop of node group options: did you mean 'instanceTypes'?`,
    );
  });

  test('the part constructs a team uses on their own check their props', () => {
    const chart = () => new Chart(new Cdk8sApp(), 'c');
    expect(() => new AppNamespace(chart(), 'ns', js({ name: 'billing', budget: {}, partof: 'x' }))).toThrow(
      `[c/ns] 'partof' ("x") is not a prop of AppNamespace: did you mean 'partOf'?`,
    );
    expect(() => new PlatformGateway(chart(), 'gw', js({ host: ['a.example.com'], routeNamespaces: ['a'] }))).toThrow(
      `[c/gw] 'hosts' (undefined) is required by PlatformGateway`,
    );
    expect(() => new SecureBucket(testStack(), 'b', js({ bucketName: 'acme-files', lifecycle: {}, kmsKeyARN: 'arn' }))).toThrow(
      `[test/b] 'kmsKeyARN' ("arn") is not a prop of SecureBucket: did you mean 'kmsKeyArn'?`,
    );
    expect(
      () =>
        new SamokoderDatabase(
          testStack(),
          'db',
          js({ identifier: 'acme', vpcId: 'v', subnetIds: ['a', 'b'], clientSecurityGroupId: 'sg', masterUser: 'x' }),
        ),
    ).toThrow(`[test/db] 'masterUser' ("x") is not a prop of SamokoderDatabase: did you mean 'masterUsername'?`);
    expect(() => new GitOpsRepository(js({ repoUrl: 'https://g.example.com/r.git' }))).toThrow(
      `[GitOpsRepository] 'repoURL' (undefined) is required by GitOpsRepository`,
    );
    const repo = new GitOpsRepository({ repoURL: 'https://g.example.com/r.git' });
    repo.manifests('production');
    expect(() => repo.cluster(js({ name: 'production', manifests: 'production', namespace: 'billing', app: [] }))).toThrow(
      `[GitOpsRepository/production] 'app' ([]) is not a prop of GitOpsRepository.cluster(): did you mean 'apps'?`,
    );
  });

  test('options built by factories and nested lists are checked too', () => {
    const app = (extra: Record<string, unknown>) => () =>
      new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api', image: 'r/api:1.0.0', ...extra }));
    expect(app({ strategy: DeploymentStrategy.blueGreen(js({ autoPromote: true })) })).toThrow(
      `[api] 'strategy.autoPromote' (true) is not a prop of blue-green options: did you mean 'autoPromotion'?`,
    );
    expect(app({ strategy: DeploymentStrategy.canary(js({ steps: [{ wieght: 50, pause: '5m' }] })) })).toThrow(
      `[api] 'strategy.steps[0].weight' (undefined) is required by canary step`,
    );
    expect(app({ strategy: DeploymentStrategy.blueGreen({ smokeTest: js({ path: ['/'] }) }) })).toThrow(
      `[api] 'strategy.smokeTest.path' (["/"]) is not a prop of smoke test options: did you mean 'paths'?`,
    );
    expect(() => AppRouting.gateway(js({ gatewayname: 'public' }))).toThrow(
      `[AppRouting.gateway()] 'gatewayname' ("public") is not a prop of gateway routing options: did you mean 'gatewayName'?`,
    );
    expect(app({ monitoring: { slos: [js({ name: 'a', objective: 99.9, objectivePercent: 99.9, sli: Sli.uptime() })] } })).toThrow(
      `[api/Monitoring] 'monitoring.slos[0].objective' (99.9) is not a prop of SLO: did you mean 'objectivePercent'?`,
    );
    expect(app({ monitoring: { thresholds: js({ latencyP95: { warning: 1, critical: 2 } }) } })).toThrow(
      `[api/Monitoring] 'monitoring.thresholds.latencyP95' ({"warning":1,"critical":2}) is not a prop of thresholds: did you mean 'latencyP95Ms'?`,
    );
    expect(app({ monitoring: { thresholds: { latencyP95Ms: js({ warn: 1, critical: 2 }) } } })).toThrow(
      `[api/Monitoring] 'monitoring.thresholds.latencyP95Ms.warning' (undefined) is required by threshold`,
    );
    expect(app({ extraPorts: [js({ name: 'metrics', number: 9090, port: 9090 })] })).toThrow(
      `[api] 'extraPorts[0].number' (9090) is not a prop of port`,
    );
    expect(app({ workload: 'StatefulSet', storage: js({ size: 10 }) })).toThrow(
      `[api] 'storage.size' (10) is not a prop of storage options`,
    );
    expect(
      app({
        host: 'api.example.com',
        rateLimits: [js({ name: 'login', path: '/login', pathPrefix: '/login', requests: 5, unit: 'Minute' })],
      }),
    ).toThrow(`[api] 'rateLimits[0].path' ("/login") is not a prop of rate limit: did you mean 'pathPrefix'?`);
    expect(() => PlatformCloud.aws(js({ regin: 'eu-central-1' }))).toThrow(
      `[PlatformCloud.aws()] 'region' (undefined) is required by AWS platform options`,
    );
  });
});
