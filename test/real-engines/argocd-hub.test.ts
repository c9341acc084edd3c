import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { AppNamespace, ArgoCdCluster, GitOpsRepository } from 'samokoder-infra';
import { hubObjects, hubProblems, registrationSecrets } from '../../scripts/real-engines/argocd-hub';
import { clustersOf, K8sObject, planCluster } from '../../scripts/real-engines/gitops';

let root: string;
let dist: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-check-'));
  dist = path.join(root, 'dist');
  const repo = new GitOpsRepository({ repoURL: 'https://git.acme.dev/payments/gitops.git' });
  new AppNamespace(new Chart(repo.manifests('production'), 'namespace'), 'Namespace', {
    name: 'billing',
    budget: { pods: 10, cpuRequestMillis: 4000, memoryRequestMiB: 8192, memoryLimitMiB: 8192 },
  });
  repo.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
  repo.cluster({ name: 'prod-do', manifests: 'production', namespace: 'billing' });
  repo.hub({
    clusters: [ArgoCdCluster.eks('prod-eu', 'acme/prod-eu/argocd-cluster'), ArgoCdCluster.bearerToken('prod-do', 'acme/argocd/prod-do')],
    repositories: [{ url: 'https://git.acme.dev/payments/gitops.git', entry: 'acme/argocd/gitops' }],
  });
  repo.synth(dist);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const plans = () => clustersOf(dist).map((c) => planCluster(root, dist, c));
const without = (objects: K8sObject[], drop: (o: K8sObject) => boolean) => objects.filter((o) => !drop(o));
const clone = (objects: K8sObject[]): K8sObject[] => JSON.parse(JSON.stringify(objects));

describe('the hub check of verify:k8s', () => {
  test('passes on a hub that registers every destination and the repository', () => {
    expect(plans().map((p) => p.cluster)).toEqual(['prod-do', 'prod-eu']);
    expect(hubProblems(hubObjects(dist), plans())).toEqual([]);
  });

  test('reads the Secrets External Secrets would write from the templates', () => {
    const eks = registrationSecrets(hubObjects(dist)).find((s) => s.data.name === 'prod-eu')!;
    expect(eks).toMatchObject({ type: 'cluster', data: { server: '<server>' } });
    expect(JSON.parse(eks.data.config).awsAuthConfig).toEqual({ clusterName: '<clusterName>', roleARN: '<roleArn>' });
  });

  test('catches argocd-cm without the Application health check', () => {
    const hub = clone(hubObjects(dist));
    delete hub.find((o) => o.kind === 'ConfigMap')!.data;
    expect(hubProblems(hub, plans())).toEqual([
      "hub: argocd-cm has no resource.customizations.health.argoproj.io_Application that reads obj.status.health: Argo CD >= 1.8 gives an Application no health, so a root's sync waves do not wait for its children",
    ]);
  });

  test('catches argocd-cm without the label Argo CD lists its ConfigMaps by', () => {
    const hub = clone(hubObjects(dist));
    delete hub.find((o) => o.kind === 'ConfigMap')!.metadata.labels['app.kubernetes.io/part-of'];
    expect(hubProblems(hub, plans())).toEqual([
      'hub: argocd-cm lacks the label app.kubernetes.io/part-of=argocd: Argo CD lists only ConfigMaps with it (util/settings)',
    ]);
  });

  test('catches a destination no cluster Secret registers', () => {
    const hub = without(hubObjects(dist), (o) => o.metadata.name === 'cluster-prod-do');
    const problems = hubProblems(hub, plans());
    expect(problems).toContain(
      'hub: Application/argocd/namespace-prod-do (cluster prod-do) deploys to "prod-do", which no cluster Secret registers: Argo CD cannot sync it',
    );
  });

  test('catches a cluster config Argo CD cannot read, and a root repository without credentials', () => {
    const hub = clone(hubObjects(dist));
    const es = hub.find((o) => o.metadata.name === 'cluster-prod-eu')!;
    es.spec.target.template.data.config = JSON.stringify({ bearerToken: 'x', awsAuthConfig: {}, tls: {} });
    const problems = hubProblems(
      without(hub, (o) => o.metadata.name.startsWith('repo-')),
      plans(),
    );
    expect(problems).toEqual([
      'hub: ExternalSecret/argocd/cluster-prod-eu: config holds keys Argo CD does not read: tls',
      'hub: ExternalSecret/argocd/cluster-prod-eu: config names 2 ways to authenticate (bearerToken, awsAuthConfig), not one',
      'hub: the root of prod-do reads https://git.acme.dev/payments/gitops.git, which no repository Secret registers',
      'hub: the root of prod-eu reads https://git.acme.dev/payments/gitops.git, which no repository Secret registers',
    ]);
  });
});
