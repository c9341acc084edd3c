/**
 * Production guards: what leaves production with one pod, a moving image, alerts that cannot be sent or read, or a
 * rollout analysis no version can pass is refused; the same settings outside production are not.
 */
import { Testing } from 'cdktf';
import {
  AlarmSubscription,
  AwsRegion,
  DeploymentStrategy,
  EnvironmentProfile,
  MonitoringOptions,
  ProductionApp,
  ProductionAppProps,
  SamokoderStack,
} from 'samokoder-infra';
import { testApp } from '../util/k8s';
import { TEST_DATE } from '../util/tf';

const app = (props: Partial<ProductionAppProps>) => () =>
  new ProductionApp(testApp(), 'api', { name: 'api', image: 'ghcr.io/samokoder/api:1.4.2', ...props });
const routing = (more: object = {}): MonitoringOptions => ({
  routing: {
    pagerDuty: { name: 'alerting', key: 'pagerduty-routing-key' },
    slack: { webhook: { name: 'alerting', key: 'slack-webhook' }, channel: '#alerts' },
    ...more,
  },
});

describe('one replica in production', () => {
  test('a fixed count of 1 is refused', () => {
    expect(app({ autoscaling: false, replicas: 1, minAvailable: 0 })).toThrow(
      `[api] 'replicas' (1) leaves production with one pod: a crash, a node drain or an eviction stops the app; run at least 2 (production: environment "production")`,
    );
  });
  test('an autoscaler that may scale to 1 is refused', () => {
    expect(app({ autoscaling: { minReplicas: 1, maxReplicas: 5 }, minAvailable: 0 })).toThrow(
      `[api] 'autoscaling.minReplicas' (1) leaves production with one pod: a crash, a node drain or an eviction stops the app; run at least 2 (production: environment "production")`,
    );
  });
  test('a disruption budget of 0 is refused: a drain may evict every pod at once', () => {
    expect(app({ minAvailable: 0 })).toThrow(
      `[api] 'minAvailable' (0) lets a node drain or an upgrade evict every pod of production at once; keep at least 1 (production: environment "production")`,
    );
  });
  test('one replica outside production, and two in production, are accepted', () => {
    expect(app({ environment: 'staging', autoscaling: false, replicas: 1, minAvailable: 0 })).not.toThrow();
    expect(app({ autoscaling: false, replicas: 2, minAvailable: 1 })).not.toThrow();
  });
});

describe('mutable image tags in production', () => {
  test.each(['main', 'master', 'dev', 'develop', 'stable', 'edge', 'release'])(':%s is refused', (tag) => {
    expect(app({ image: `ghcr.io/samokoder/api:${tag}` })).toThrow(
      `[api] 'image' ("ghcr.io/samokoder/api:${tag}") has the tag "${tag}", a name that moves: production pins a digest or a version tag (one with a digit: "1.4.2", "v2", "build-481", "sha-3f2a9c1")`,
    );
  });
  test.each(['1.4.2', 'v2', 'build-481', 'sha-3f2a9c1', '2026.11.21', 'deadbeef', 'main@sha256:' + 'a'.repeat(64)])(
    ':%s is accepted',
    (tag) => {
      expect(app({ image: `ghcr.io/samokoder/api:${tag}` })).not.toThrow();
    },
  );
  test('a moving tag outside production is accepted', () => {
    expect(app({ environment: 'staging', image: 'ghcr.io/samokoder/api:main' })).not.toThrow();
  });
  test('the migration image is held to the same rule', () => {
    expect(app({ migration: { command: ['migrate'], image: 'ghcr.io/samokoder/migrate:main' } })).toThrow(
      `[api] 'migration.image' ("ghcr.io/samokoder/migrate:main") has the tag "main", a name that moves`,
    );
  });
});

describe('alert routing Alertmanager cannot use', () => {
  test.each([
    [{ pagerDuty: { name: '', key: 'k' } }, `'monitoring.routing.pagerDuty.name' ("") must be the name of a Secret (a DNS subdomain)`],
    [
      { pagerDuty: { name: 'alerting', key: '' } },
      `'monitoring.routing.pagerDuty.key' ("") must be a key of the Secret: letters, digits, - _ . (at most 253)`,
    ],
    [
      { slack: { webhook: { name: 'alerting', key: ' ' }, channel: '#alerts' } },
      `'monitoring.routing.slack.webhook.key' (" ") must be a key of the Secret: letters, digits, - _ . (at most 253)`,
    ],
    [
      { repeatInterval: '0s' },
      `'monitoring.routing.repeatInterval' ("0s") must be longer than 0: Alertmanager refuses a repeat interval of 0`,
    ],
    [
      { repeatInterval: '0m' },
      `'monitoring.routing.repeatInterval' ("0m") must be longer than 0: Alertmanager refuses a repeat interval of 0`,
    ],
  ])('%j is refused', (more, message) => {
    expect(app({ monitoring: routing(more) })).toThrow(`[api/Monitoring] ${message}`);
  });
  test('a routing with keys and a repeat interval is accepted', () => {
    expect(app({ monitoring: routing({ repeatInterval: '30m' }) })).not.toThrow();
  });
});

describe('a Prometheus selector that selects nothing', () => {
  test('an empty selector is refused', () => {
    expect(app({ monitoring: { prometheusSelector: {} } })).toThrow(
      `[api/Monitoring] 'monitoring.prometheusSelector' ({}) selects nothing: monitors and rules without the labels a Prometheus selects by are read by none; name them (kube-prometheus-stack: { release: "<its release name>" })`,
    );
  });
  test('a selector Kubernetes would refuse as labels is refused', () => {
    expect(app({ monitoring: { prometheusSelector: { release: 'kube prometheus' } } })).toThrow(
      `[api/Monitoring] 'monitoring.prometheusSelector.release' ("kube prometheus") must be a Kubernetes label value`,
    );
  });
  test('another release name is accepted', () => {
    expect(app({ monitoring: { prometheusSelector: { release: 'prometheus' } } })).not.toThrow();
  });
});

describe('analysis thresholds no version can pass', () => {
  test('a p95 latency warning under the smallest default bucket is refused when a rollout analyses it', () => {
    expect(
      app({
        strategy: DeploymentStrategy.blueGreen({ smokeTest: { paths: ['/api/status'] } }),
        monitoring: { thresholds: { latencyP95Ms: { warning: 2, critical: 10 } } },
      }),
    ).toThrow(
      `[api] 'monitoring.thresholds.latencyP95Ms.warning' (2) is the rollout analysis' limit, and with the default request-duration buckets (the smallest is 5 ms) a p95 is never measured under 4.75 ms: every rollout would abort`,
    );
  });
  test('the same threshold without analysis, and 5 ms with it, are accepted', () => {
    expect(app({ monitoring: { thresholds: { latencyP95Ms: { warning: 2, critical: 10 } } } })).not.toThrow();
    expect(
      app({
        strategy: DeploymentStrategy.blueGreen({ smokeTest: { paths: ['/api/status'] } }),
        monitoring: { thresholds: { latencyP95Ms: { warning: 5, critical: 10 } } },
      }),
    ).not.toThrow();
  });
});

test('the smoke test image is held to the production rule too', () => {
  expect(app({ strategy: DeploymentStrategy.blueGreen({ smokeTest: { paths: ['/api/status'], image: 'curlimages/curl:main' } }) })).toThrow(
    `[api] 'strategy.smokeTest.image' ("curlimages/curl:main") has the tag "main", a name that moves`,
  );
  expect(
    app({ environment: 'staging', strategy: DeploymentStrategy.blueGreen({ smokeTest: { image: 'curlimages/curl:main' } }) }),
  ).not.toThrow();
});

describe('a production stack sized as staging', () => {
  const stack = (environment: string, profile: EnvironmentProfile, unlistedEnvironment?: boolean) => () =>
    new SamokoderStack(Testing.app(), 'samokoder-x', {
      environment,
      unlistedEnvironment,
      profile,
      region: AwsRegion.EU_CENTRAL_1,
      tags: { environment, service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
      remoteState: { bucket: 'state-bucket', region: 'eu-central-1' },
      supportCheckDate: TEST_DATE,
      alarmSubscriptions: [AlarmSubscription.email('oncall@samokoder.com')],
    });
  test.each([
    ['production', undefined],
    ['eu-prod-2', true],
  ])('EnvironmentProfile.STAGING for %s is refused', (environment, unlisted) => {
    expect(stack(environment, EnvironmentProfile.STAGING, unlisted)).toThrow(
      `[samokoder-x] 'profile' ("EnvironmentProfile.STAGING") gives production ("${environment}") a single-AZ database and one NAT gateway: a zone outage stops it; use EnvironmentProfile.PRODUCTION and override sizes prop by prop`,
    );
  });
  test('the staging profile for staging is accepted', () => {
    expect(stack('staging', EnvironmentProfile.STAGING)).not.toThrow();
  });
});
