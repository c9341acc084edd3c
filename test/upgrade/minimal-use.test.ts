/**
 * Each public construct's smallest valid use, as a team would write it (required props only, the team's own names),
 * and everything it synthesizes, pinned whole (#25): beside the reference platform's snapshots, which pin every name
 * the reference chooses, these pin the library's defaults. A change here is a change every team gets on upgrade:
 * review it as such, and say it in the CHANGELOG (with a migration step when it names something stateful; those
 * names are also pinned on their own in stateful-names.test.ts).
 */
import { App as K8sApp, Chart } from 'cdk8s';
import { Testing } from 'cdktf';
import {
  AlarmSubscription,
  AppNamespace,
  ArgoCdCluster,
  ArgoCdHub,
  AwsRegion,
  DatabaseBootstrap,
  DatabaseDump,
  ClusterPlatform,
  FilesSync,
  MultiRegionDR,
  PlatformCloud,
  PlatformContract,
  PlatformGateway,
  ProductionApp,
  ReplicationHeartbeat,
  ReplicationLagMonitor,
  SamokoderStack,
  SamokoderStateStack,
} from 'samokoder-infra';
import { render } from '../util/k8s';

const tags = { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' };
const image = `ghcr.io/acme/billing@sha256:${'a'.repeat(64)}`;
/** The output, with the library's own version label (it moves with every release) normalized. */
const stable = (json: unknown): unknown =>
  JSON.parse(JSON.stringify(json).replace(/("app\.kubernetes\.io\/version":")[^"]*(")/g, '$1<library version>$2'));

describe('the smallest use of each public construct, whole', () => {
  test('SamokoderStack', () => {
    const stack = new SamokoderStack(Testing.app(), 'billing-production', {
      environment: 'production',
      region: AwsRegion.EU_WEST_1,
      tags,
      remoteState: { bucket: 'acme-terraform-state', region: 'eu-west-1' },
      alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
    });
    expect(stable(JSON.parse(Testing.synth(stack)))).toMatchSnapshot();
  });

  test('DatabaseBootstrap from a SamokoderStack contract', () => {
    const stack = new SamokoderStack(Testing.app(), 'billing-production', {
      environment: 'production',
      region: AwsRegion.EU_WEST_1,
      tags,
      remoteState: { bucket: 'acme-terraform-state', region: 'eu-west-1' },
      alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
    });
    const chart = new Chart(new K8sApp(), 'billing', { namespace: stack.contract.namespace });
    new DatabaseBootstrap(chart, 'DatabaseBootstrap', { platform: stack.contract });
    expect(stable(render(chart))).toMatchSnapshot();
  });

  test('DatabaseDump from a SamokoderStack contract', () => {
    const stack = new SamokoderStack(Testing.app(), 'billing-production', {
      environment: 'production',
      region: AwsRegion.EU_WEST_1,
      tags,
      remoteState: { bucket: 'acme-terraform-state', region: 'eu-west-1' },
      alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
    });
    const chart = new Chart(new K8sApp(), 'billing', { namespace: stack.contract.namespace });
    new DatabaseDump(chart, 'DatabaseDump', { platform: stack.contract });
    expect(stable(render(chart))).toMatchSnapshot();
  });

  test('SamokoderStateStack', () => {
    const stack = new SamokoderStateStack(Testing.app(), 'billing-state', {
      region: AwsRegion.EU_WEST_1,
      bucketName: 'acme-terraform-state',
      tags,
    });
    expect(stable(JSON.parse(Testing.synth(stack)))).toMatchSnapshot();
  });

  test('MultiRegionDR, its per-cluster contracts and its failover plan', () => {
    const dr = new MultiRegionDR(Testing.app(), 'billing-dr', {
      localState: true,
      domain: 'acme.dev',
      host: 'billing.acme.dev',
      alertEmails: ['payments-oncall@acme.dev'],
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags,
      supportCheckDate: '2026-11-21',
    });
    expect(stable(JSON.parse(Testing.synth(dr)))).toMatchSnapshot('terraform');
    expect(stable({ primary: dr.contract('primary'), secondary: dr.contract('secondary') })).toMatchSnapshot('contracts');
    expect(Object.fromEntries(dr.failoverPlan.files.map(([name, content]) => [name, content]))).toMatchSnapshot('failover plan');
  });

  test('ProductionApp', () => {
    const app = new K8sApp();
    expect(stable(render(new ProductionApp(app, 'billing', { name: 'billing', image })))).toMatchSnapshot();
  });

  test('AppNamespace and PlatformGateway', () => {
    const chart = new Chart(new K8sApp(), 'billing');
    new AppNamespace(chart, 'Namespace', {
      name: 'billing',
      budget: { pods: 10, cpuRequestMillis: 2000, memoryRequestMiB: 4096, memoryLimitMiB: 8192 },
    });
    new PlatformGateway(chart, 'Gateway', { hosts: ['billing.acme.dev'] });
    expect(stable(render(chart))).toMatchSnapshot();
  });

  test('ClusterPlatform on each cloud', () => {
    const app = new K8sApp();
    const platform = (id: string, cloud: PlatformCloud) =>
      new ClusterPlatform(app, id, {
        cluster: `billing-${id}`,
        cloud,
        source: { repoURL: 'https://git.acme.dev/platform/gitops.git' },
        configPath: `clusters/billing-${id}/platform`,
        acmeEmail: 'payments-oncall@acme.dev',
      });
    const aws = platform('aws', PlatformCloud.aws({ region: 'eu-west-1' }));
    const digitalocean = platform('do', PlatformCloud.digitalocean({ secretsRegion: 'eu-west-1' }));
    expect(
      stable({
        aws: [...render(aws.applications), ...render(aws.config)],
        digitalocean: [...render(digitalocean.applications), ...render(digitalocean.config)],
      }),
    ).toMatchSnapshot();
  });

  test('ArgoCdHub', () => {
    const hub = new ArgoCdHub(new K8sApp(), 'hub', {
      clusters: [ArgoCdCluster.eks('billing-production', 'billing/production/argocd-cluster')],
    });
    expect(stable(render(hub.config))).toMatchSnapshot();
  });

  test('ReplicationLagMonitor, ReplicationHeartbeat and FilesSync on a DR secondary', () => {
    const dr = new MultiRegionDR(Testing.app(), 'billing-dr', {
      localState: true,
      domain: 'acme.dev',
      host: 'billing.acme.dev',
      alertEmails: ['payments-oncall@acme.dev'],
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags,
      supportCheckDate: '2026-11-21',
    });
    const platform: PlatformContract = dr.contract('secondary');
    const chart = new Chart(new K8sApp(), 'billing', { namespace: platform.namespace });
    new ReplicationLagMonitor(chart, 'ReplicationLag', { platform });
    new ReplicationHeartbeat(chart, 'ReplicationHeartbeat', { platform });
    new FilesSync(chart, 'FilesSync', { platform });
    expect(stable(render(chart))).toMatchSnapshot();
  });
});
