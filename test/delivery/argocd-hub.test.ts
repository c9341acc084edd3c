import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import {
  APPLICATION_HEALTH_LUA,
  ARGO_CD_INSTALL_MANIFEST,
  ARGO_CD_VERSION,
  AppNamespace,
  ArgoCdCluster,
  ArgoCdHub,
  ArgoCdHubProps,
  GitOpsRepository,
  SecretStore,
} from 'samokoder-infra';
import { render, testApp } from '../util/k8s';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
type Obj = Record<string, any>;

const hub = (props: Partial<ArgoCdHubProps> = {}) =>
  render(
    new ArgoCdHub(testApp(), 'hub', {
      clusters: [ArgoCdCluster.eks('prod', 'acme/prod/argocd-cluster')],
      repositories: [{ url: 'https://git.acme.dev/platform/gitops.git', entry: 'acme/argocd/gitops' }],
      ...props,
    }).config,
  );
const byName = (objects: Obj[], name: string) => objects.find((o) => o.metadata.name === name)!;

describe('ArgoCdHub', () => {
  test('argocd-cm carries the Application health check, with the labels of upstream install.yaml', () => {
    const cm = byName(hub(), 'argocd-cm');
    expect(cm).toMatchObject({
      kind: 'ConfigMap',
      metadata: { namespace: 'argocd', labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' } },
      data: { 'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA },
    });
    expect(Object.keys(cm.data)).toEqual(['resource.customizations.health.argoproj.io_Application']);
  });

  test('the pinned install is upstream install.yaml at the tag the CRDs come from', () => {
    expect(ARGO_CD_VERSION).toBe('v3.5.1');
    expect(ARGO_CD_INSTALL_MANIFEST).toBe('https://raw.githubusercontent.com/argoproj/argo-cd/v3.5.1/manifests/install.yaml');
    const h = new ArgoCdHub(testApp(), 'hub', { clusters: [ArgoCdCluster.eks('prod', 'e')] });
    expect(h.installCommands('dist/argocd/hub/config.k8s.yaml')).toEqual([
      'kubectl create namespace argocd',
      `kubectl apply -n argocd --server-side --force-conflicts -f ${ARGO_CD_INSTALL_MANIFEST}`,
      'kubectl apply -n argocd --server-side -f dist/argocd/hub/config.k8s.yaml',
    ]);
  });

  test('an EKS cluster becomes a cluster Secret with awsAuthConfig, everything but its name read from the entry', () => {
    const es = byName(hub(), 'cluster-prod');
    expect(es.spec.dataFrom).toEqual([{ extract: { key: 'acme/prod/argocd-cluster' } }]);
    expect(es.spec.secretStoreRef).toEqual({ name: 'aws-secrets-manager', kind: 'ClusterSecretStore' });
    const t = es.spec.target.template;
    expect(t.metadata.labels).toEqual({ 'argocd.argoproj.io/secret-type': 'cluster' });
    expect(t.data.name).toBe('prod');
    expect(t.data.server).toBe('{{ .server }}');
    // What External Secrets writes is JSON Argo CD parses (the entry's values hold no quote: ARNs, base64, a URL).
    const config = JSON.parse(t.data.config.replace(/\{\{ \.(\w+) \}\}/g, 'x-$1'));
    expect(config).toEqual({
      awsAuthConfig: { clusterName: 'x-clusterName', roleARN: 'x-roleArn' },
      tlsClientConfig: { insecure: false, caData: 'x-caData' },
    });
  });

  test('a bearer-token cluster reads its token from the entry, through the store given for it', () => {
    const es = byName(hub({ clusters: [ArgoCdCluster.bearerToken('dr', 'acme/argocd/dr', SecretStore.cluster('other'))] }), 'cluster-dr');
    expect(es.spec.secretStoreRef.name).toBe('other');
    expect(JSON.parse(es.spec.target.template.data.config.replace(/\{\{ \.(\w+) \}\}/g, 'x-$1'))).toEqual({
      bearerToken: 'x-bearerToken',
      tlsClientConfig: { insecure: false, caData: 'x-caData' },
    });
  });

  test('a repository Secret holds its credentials by reference: https gets username and password, ssh its key', () => {
    const https = byName(hub(), 'repo-git-acme-dev-platform-gitops');
    expect(https.spec.target.template).toMatchObject({
      metadata: { labels: { 'argocd.argoproj.io/secret-type': 'repository' } },
      data: { type: 'git', url: 'https://git.acme.dev/platform/gitops.git', username: '{{ .username }}', password: '{{ .password }}' },
    });
    expect(https.spec.data).toEqual([
      { secretKey: 'username', remoteRef: { key: 'acme/argocd/gitops', property: 'username' } },
      { secretKey: 'password', remoteRef: { key: 'acme/argocd/gitops', property: 'password' } },
    ]);
    const ssh = hub({ repositories: [{ url: 'git@git.acme.dev:platform/gitops.git', entry: 'acme/argocd/ssh' }] }).find(
      (o) => o.spec?.target?.template?.data?.url === 'git@git.acme.dev:platform/gitops.git',
    )!;
    expect(ssh.spec.data).toEqual([{ secretKey: 'sshPrivateKey', remoteRef: { key: 'acme/argocd/ssh', property: 'sshPrivateKey' } }]);
  });

  test.each<[Partial<ArgoCdHubProps>, string]>([
    [{ clusters: [] }, `[hub] 'clusters' ([]) must register at least one cluster (ArgoCdCluster.eks or .bearerToken)`],
    [
      { clusters: [ArgoCdCluster.eks('in-cluster', 'e')] },
      `[hub] 'clusters[0].name' ("in-cluster") is the name Argo CD gives its own cluster (the roots' destination): registering it would replace that entry`,
    ],
    [
      { clusters: [ArgoCdCluster.eks('prod', 'e'), ArgoCdCluster.bearerToken('prod', 'f')] },
      `[hub] 'clusters[1].name' ("prod") is listed twice (clusters[0])`,
    ],
    [
      { clusters: [ArgoCdCluster.eks('prod', 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB')] },
      `[hub] 'clusters[0].entry' ("<redacted>") must be the name of a secret-store entry`,
    ],
    [
      { repositories: [{ url: 'https://git.acme.dev/a.git', entry: 'e', auth: 'ssh' }] },
      `[hub] 'repositories[0].auth' ("ssh") does not match the URL (an HTTPS URL): Argo CD reads username and password for it`,
    ],
    [
      {
        repositories: [
          { url: 'https://git.acme.dev/a.git', entry: 'e' },
          { url: 'https://git.acme.dev/a.git', entry: 'f' },
        ],
      },
      `[hub] 'repositories[1].url' ("https://git.acme.dev/a.git") is listed twice (repositories[0])`,
    ],
    [
      { repositories: [{ url: 'https://bot:s3cr3t@git.acme.dev/a.git', entry: 'e' }] },
      `[hub] 'repositories[0].url' ("<redacted>") holds credentials (user:token@)`,
    ],
  ])('%j is refused', (props, message) => {
    expect(() => hub(props)).toThrow(message);
  });
});

describe('GitOpsRepository.hub', () => {
  let out: string;
  beforeEach(() => {
    out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-hub-')), 'dist');
  });
  afterEach(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

  const repository = () => {
    const repo = new GitOpsRepository({ repoURL: 'https://git.acme.dev/payments/gitops.git' });
    new AppNamespace(new Chart(repo.manifests('production'), 'namespace'), 'Namespace', {
      name: 'billing',
      budget: { pods: 10, cpuRequestMillis: 4000, memoryRequestMiB: 8192, memoryLimitMiB: 8192 },
    });
    repo.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
    repo.cluster({ name: 'prod-us', manifests: 'production', namespace: 'billing' });
    return repo;
  };

  test('writes argocd/hub/config.k8s.yaml when every destination is registered', () => {
    const repo = repository();
    repo.hub({ clusters: [ArgoCdCluster.eks('prod-eu', 'a'), ArgoCdCluster.eks('prod-us', 'b')] });
    const files = repo.synth(out).map((f) => f.file);
    expect(files).toContain(path.join('argocd', 'hub', 'config.k8s.yaml'));
  });

  test('refuses an output whose Application deploys to a cluster the hub does not register, and writes nothing', () => {
    const repo = repository();
    repo.hub({ clusters: [ArgoCdCluster.eks('prod-eu', 'a')] });
    expect(() => repo.synth(out)).toThrow(
      `[GitOpsRepository/hub] 'clusters' (["prod-eu"]) lacks "prod-us", the destination of Application namespace-prod-us (argocd/prod-us/apps.k8s.yaml): Argo CD would refuse to sync it (cluster not found); register it with ArgoCdCluster.eks() or .bearerToken()`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  test.each(['hub', 'bootstrap'])('a cluster named %s is refused: it names a directory of the Argo CD output', (name) => {
    const repo = new GitOpsRepository({ repoURL: 'https://git.acme.dev/payments/gitops.git' });
    new Chart(repo.manifests('production'), 'namespace');
    expect(() => repo.cluster({ name, manifests: 'production', namespace: 'billing' })).toThrow(
      `[GitOpsRepository/${name}] 'name' ("${name}") names a directory of the Argo CD output (dist/argocd/${name}/): name the cluster otherwise`,
    );
  });

  test('a second hub is refused', () => {
    const repo = repository();
    repo.hub({ clusters: [ArgoCdCluster.eks('prod-eu', 'a')] });
    expect(() => repo.hub({ clusters: [ArgoCdCluster.eks('prod-eu', 'a')] })).toThrow('is already declared: a repository writes one hub');
  });
});
