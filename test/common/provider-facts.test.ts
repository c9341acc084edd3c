/**
 * Provider and API facts: what S3, the Kubernetes API server, Envoy Gateway and DigitalOcean refuse (or silently
 * rewrite) is refused at synth, with a message naming the prop, the value and what is allowed.
 */
import { Testing as Tf, TerraformStack } from 'cdktf';
import { Chart } from 'cdk8s';
import {
  AppConfig,
  AppMonitoring,
  AppNetworkPolicies,
  AppRoutes,
  AppRouting,
  AppServiceAccount,
  AppWorkload,
  ArgoCdApplication,
  BucketLifecycle,
  MultiRegionDR,
  MultiRegionDRProps,
  ProductionApp,
  RateLimit,
  SecureBucket,
  WorkloadKind,
} from 'samokoder-infra';
import { testApp } from '../util/k8s';
import { TEST_DATE } from '../util/tf';

const app = (props: object) => () => new ProductionApp(testApp(), 'api', { name: 'api', image: 'ghcr.io/samokoder/api:1.4.2', ...props });

describe('S3 bucket names S3 reserves', () => {
  const bucket = (bucketName: string) => () =>
    new SecureBucket(new TerraformStack(Tf.app(), 's'), 'Files', { bucketName, lifecycle: BucketLifecycle.files() });
  const rule =
    'is not a valid S3 bucket name: 3–63 lower-case letters, digits, hyphens and dots, starting and ending with a letter or digit, no "..", not an IP address, no xn--/sthree-/amzn-s3-demo- prefix or -s3alias/--ol-s3/--x-s3/.mrap suffix';
  test.each(['files--x-s3', 'files.mrap', 'amzn-s3-demo-files', 'sthree-files'])('%s is refused', (name) => {
    expect(bucket(name)).toThrow(`[s/Files] 'bucketName' ("${name}") ${rule}`);
  });
  test.each(['files-x-s3', 'files.mrap-eu', 'amzn-files', 'team-s3-demo-files'])('%s is accepted', (name) => {
    expect(bucket(name)).not.toThrow();
  });
});

describe('Kubernetes port names (IANA_SVC_NAME)', () => {
  const rule =
    'must be an IANA service name: at most 15 lower-case letters, digits and -, with at least one letter, no "--", not starting or ending with -';
  test.each(['9090', 'grpc--web', 'Metrics_Port', 'metrics-port-long'])('%s is refused', (name) => {
    expect(app({ extraPorts: [{ name, port: 9090 }] })).toThrow(`[api] 'extraPorts[0].name' ("${name}") ${rule}`);
  });
  test.each(['metrics', 'grpc-web', 'h2c', 'p9090', 'metrics-port-ab'])('%s is accepted', (name) => {
    expect(app({ extraPorts: [{ name, port: 9090 }] })).not.toThrow();
  });
});

describe('two volume mounts at one path', () => {
  test.each(['/tmp', '/tmp/'])('storage at %s (where the writable emptyDir is mounted) is refused', (mountPath) => {
    expect(app({ workload: WorkloadKind.STATEFUL_SET, storage: { sizeGiB: 1, mountPath } })).toThrow(
      `[api] 'storage.mountPath' ("${mountPath}") is where the writable /tmp volume is mounted: the API server refuses two mounts at one path; use a directory of its own such as "/data"`,
    );
  });
  test('a directory beside it is accepted', () => {
    expect(app({ workload: WorkloadKind.STATEFUL_SET, storage: { sizeGiB: 1, mountPath: '/tmp-data' } })).not.toThrow();
  });
});

describe('label values the API server refuses', () => {
  test.each([
    ['команда', 'team'],
    ['platform team', 'team'],
  ])('chartProps.labels value %j is refused', (value, key) => {
    expect(app({ chartProps: { labels: { [key]: value } } })).toThrow(
      `[api] 'chartProps.labels.${key}' (${JSON.stringify(value)}) must be a Kubernetes label value: at most 63 letters, digits, - _ . beginning and ending with a letter or digit`,
    );
  });
  test('a label key Kubernetes refuses', () => {
    expect(app({ chartProps: { labels: { 'team name': 'payments' } } })).toThrow(
      `[api] 'chartProps.labels.team name' ("team name") must be an annotation key`,
    );
  });
  test('ASCII label values are accepted', () => {
    expect(app({ chartProps: { labels: { team: 'payments', 'acme.dev/cost-center': 'CC-2001' } } })).not.toThrow();
  });
});

describe('rate-limit units', () => {
  const limit = (unit: string): RateLimit => ({ name: 'api', pathPrefix: '/api', requests: 10, unit: unit as RateLimit['unit'] });
  test.each(['Week', 'second', 'Millisecond'])('%s is refused', (unit) => {
    expect(app({ host: 'api.example.com', rateLimits: [limit(unit)] })).toThrow(
      `[api] 'rateLimits[0].unit' ("${unit}") must be one of "Second", "Minute", "Hour"`,
    );
  });
  test.each(['Second', 'Minute', 'Hour'])('%s is accepted', (unit) => {
    expect(app({ host: 'api.example.com', rateLimits: [limit(unit)] })).not.toThrow();
  });
});

describe('DigitalOcean', () => {
  const base: MultiRegionDRProps = {
    project: 'samokoder',
    localState: true,
    domain: 'samokoder.com',
    host: 'app.samokoder.com',
    alertEmails: ['oncall@samokoder.com'],
    apiAllowedCidrs: ['203.0.113.0/24'],
    tags: { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
    supportCheckDate: TEST_DATE,
  };
  const dr = (props: Partial<MultiRegionDRProps>) => () => new MultiRegionDR(Tf.app(), 'dr', { ...base, ...props });

  test.each([
    ['10.244.0.0/16', 'is the pod network DOKS gives a cluster by default (10.244.0.0/16)'],
    ['10.244.128.0/20', 'overlaps the pod network DOKS gives a cluster by default (10.244.0.0/16)'],
    ['10.245.0.0/16', 'is the service network DOKS gives a cluster by default (10.245.0.0/16)'],
  ])('a VPC range %s is refused', (vpcCidr, why) => {
    expect(dr({ primary: { vpcCidr } })).toThrow(
      `[dr] 'primary.vpcCidr' ("${vpcCidr}") ${why}: nodes could not reach pods or Services; use another range such as "10.10.0.0/16"`,
    );
  });
  test('a VPC range beside them is accepted', () => {
    expect(dr({ primary: { vpcCidr: '10.243.0.0/16' } })).not.toThrow();
  });

  test.each(['healthz', 'http://x/healthz', ''])('a health-check path %j is refused', (p) => {
    expect(dr({ healthCheck: { path: p } })).toThrow(`[dr] 'healthCheck.path' ("${p}") must be an absolute URL path such as "/health"`);
  });
  test('a health-check path with a leading / is accepted', () => {
    expect(dr({ healthCheck: { path: '/ready' } })).not.toThrow();
  });
});

describe('label values given to the parts used alone', () => {
  const chart = () => new Chart(testApp(), 'c');
  const labels = { team: 'команда' };
  const sa = (c: Chart) => new AppServiceAccount(c, 'Identity', { name: 'worker' });
  test.each<[string, (c: Chart) => unknown]>([
    ['AppServiceAccount', (c) => new AppServiceAccount(c, 'Part', { name: 'worker', labels })],
    ['AppConfig', (c) => new AppConfig(c, 'Part', { name: 'worker', config: { A: '1' }, labels })],
    [
      'AppWorkload',
      (c) =>
        new AppWorkload(c, 'Part', { name: 'worker', image: 'ghcr.io/acme/worker:1.0.0', serviceAccount: sa(c).serviceAccount, labels }),
    ],
    ['AppNetworkPolicies', (c) => new AppNetworkPolicies(c, 'Part', { name: 'worker', podLabels: { app: 'worker' }, port: 8080, labels })],
    ['AppRoutes', (c) => new AppRoutes(c, 'Part', { name: 'web', host: 'web.acme.dev', port: 8080, labels })],
    [
      'AppMonitoring',
      (c) =>
        new AppMonitoring(c, 'Part', { app: 'api', namespace: 'samokoder', serviceSelector: { 'app.kubernetes.io/name': 'api' }, labels }),
    ],
    [
      'ArgoCdApplication',
      (c) =>
        new ArgoCdApplication(c, 'Part', {
          name: 'api-production',
          project: 'samokoder-production',
          source: { repoURL: 'https://git.example.com/platform/gitops.git' },
          path: 'dist/production/api',
          destination: { cluster: 'production', namespace: 'samokoder' },
          labels,
        }),
    ],
  ])('%s refuses a non-ASCII label value', (_, make) => {
    expect(() => make(chart())).toThrow(
      `[c/Part] 'labels.team' ("команда") must be a Kubernetes label value: at most 63 letters, digits, - _ . beginning and ending with a letter or digit`,
    );
  });
});

describe('load balancer health paths', () => {
  test('a gateway load balancer health path without a leading / is refused', () => {
    expect(app({ host: 'api.example.com', routing: AppRouting.gateway({ loadBalancerHealthPath: 'healthz' }) })).toThrow(
      `[api] 'routing.loadBalancerHealthPath' ("healthz") must be an absolute URL path such as "/health"`,
    );
  });
  test('AppRoutes used alone checks its health path', () => {
    expect(
      () => new AppRoutes(new Chart(testApp(), 'c'), 'Routes', { name: 'web', host: 'web.acme.dev', port: 8080, healthPath: 'health' }),
    ).toThrow(`[c/Routes] 'healthPath' ("health") must be an absolute URL path such as "/health"`);
  });
  test('an absolute one is accepted', () => {
    expect(app({ host: 'api.example.com', routing: AppRouting.gateway({ loadBalancerHealthPath: '/healthz' }) })).not.toThrow();
  });
});

test('dashboard labels the API server refuses', () => {
  expect(app({ monitoring: { dashboardLabels: { grafana_dashboard: 'да' } } })).toThrow(
    `[api/Monitoring] 'monitoring.dashboardLabels.grafana_dashboard' ("да") must be a Kubernetes label value`,
  );
});
