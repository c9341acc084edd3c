import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  ClusterPlan,
  K8sObject,
  phaseOf,
  planCluster,
  podTemplates,
  projectViolations,
  sharedObjects,
  syncSteps,
} from '../../scripts/real-engines/gitops';
import { formatRewrite, rewritesOf } from '../../scripts/real-engines/rewrites';
import { isControlPlaneNoise, warningsOf } from '../../scripts/real-engines/verify-k8s';

const obj = (kind: string, name: string, extra: K8sObject = {}): K8sObject => ({
  apiVersion: kind === 'Job' ? 'batch/v1' : kind === 'HTTPRoute' ? 'gateway.networking.k8s.io/v1' : 'v1',
  kind,
  metadata: { name, ...(kind === 'Namespace' ? {} : { namespace: 'app' }), ...extra.metadata },
  ...(extra.spec ? { spec: extra.spec } : {}),
});
const wave = (w: number) => ({ metadata: { annotations: { 'argocd.argoproj.io/sync-wave': String(w) } } });
const names = (steps: ReturnType<typeof syncSteps>) =>
  steps.map((s) => `${s.phase}/${s.wave}: ${s.objects.map((o) => `${o.kind}/${o.metadata.name}`).join(' ')}`);

describe('the Argo CD sync order the real-engine check follows', () => {
  test('by phase, then wave, then kind (Namespace ... Job ... custom kinds last), then name', () => {
    const steps = syncSteps([
      obj('HTTPRoute', 'r'),
      obj('Deployment', 'api'),
      obj('Service', 'api'),
      obj('ConfigMap', 'b'),
      obj('ConfigMap', 'a'),
      obj('ServiceAccount', 'api'),
      obj('Job', 'migrate', { metadata: { annotations: { 'argocd.argoproj.io/hook': 'PreSync' } } }),
    ]);
    expect(names(steps)).toEqual([
      'PreSync/0: Job/migrate',
      'Sync/0: ServiceAccount/api ConfigMap/a ConfigMap/b Service/api Deployment/api HTTPRoute/r',
    ]);
  });

  test('waves split the sync into groups; a Sync hook keeps its wave', () => {
    const steps = syncSteps([
      obj('Deployment', 'api'),
      obj('Job', 'migrate', { metadata: { annotations: { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '-1' } } }),
      obj('ServiceAccount', 'api', wave(-2)),
    ]);
    expect(names(steps)).toEqual(['Sync/-2: ServiceAccount/api', 'Sync/-1: Job/migrate', 'Sync/0: Deployment/api']);
  });

  test('a Namespace moves before the first object in it, taking its phase and wave', () => {
    const steps = syncSteps([obj('ConfigMap', 'c', wave(-3)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } }]);
    expect(names(steps)).toEqual(['Sync/-3: Namespace/app ConfigMap/c']);
  });

  test('Skip and SyncFail hooks are not applied; Helm hooks map to Argo CD phases', () => {
    expect(syncSteps([obj('Job', 'x', { metadata: { annotations: { 'argocd.argoproj.io/hook': 'Skip' } } })])).toEqual([]);
    expect(phaseOf(obj('Job', 'x', { metadata: { annotations: { 'helm.sh/hook': 'pre-install,pre-upgrade' } } }))).toBe('PreSync');
    expect(phaseOf(obj('Job', 'x', { metadata: { annotations: { 'helm.sh/hook': 'post-upgrade' } } }))).toBe('PostSync');
    // Not synced: test and delete hooks; not a hook: crd-install; Argo CD's own hook wins over Helm's.
    for (const h of ['test', 'test-success', 'pre-delete', 'post-delete', 'pre-rollback'])
      expect([h, phaseOf(obj('Pod', 'x', { metadata: { annotations: { 'helm.sh/hook': h } } }))]).toEqual([h, 'Skip']);
    expect(phaseOf(obj('CustomResourceDefinition', 'x', { metadata: { annotations: { 'helm.sh/hook': 'crd-install' } } }))).toBe('Sync');
    const both = { 'helm.sh/hook': 'pre-install', 'argocd.argoproj.io/hook': 'PostSync' };
    expect(phaseOf(obj('Job', 'x', { metadata: { annotations: both } }))).toBe('PostSync');
  });

  test('a Helm hook weight is the wave when there is no sync-wave annotation', () => {
    const weighted = (name: string, annotations: Record<string, string>) => obj('ConfigMap', name, { metadata: { annotations } });
    const steps = syncSteps([
      weighted('late', { 'helm.sh/hook-weight': '5' }),
      weighted('early', { 'helm.sh/hook-weight': '-5' }),
      weighted('wave-wins', { 'helm.sh/hook-weight': '-9', 'argocd.argoproj.io/sync-wave': '1' }),
    ]);
    expect(names(steps)).toEqual(['Sync/-5: ConfigMap/early', 'Sync/1: ConfigMap/wave-wins', 'Sync/5: ConfigMap/late']);
  });

  test('pod templates of every workload kind, including a CronJob, a Rollout and an analysis Job', () => {
    const t = { spec: { template: { spec: { containers: [] } } } };
    const found = podTemplates([
      obj('Deployment', 'a', t),
      { ...obj('Rollout', 'r', t), apiVersion: 'argoproj.io/v1alpha1' },
      { ...obj('CronJob', 'c'), spec: { jobTemplate: t } },
      obj('Service', 's', { spec: { ports: [] } }),
      {
        ...obj('AnalysisTemplate', 'smoke'),
        spec: {
          metrics: [
            { name: 'smoke', provider: { job: t } },
            { name: 'p', provider: { prometheus: {} } },
          ],
        },
      },
    ]);
    expect(found.map((f) => f.owner.metadata.name)).toEqual(['a', 'r', 'c', 'smoke']);
  });
});

describe('AppProject admission as Argo CD applies it', () => {
  const app = {
    kind: 'Application',
    metadata: { name: 'api-production', namespace: 'argocd' },
    spec: { project: 'p', source: { repoURL: 'https://git.example/gitops.git' }, destination: { name: 'production', namespace: 'app' } },
  };
  const project = {
    kind: 'AppProject',
    metadata: { name: 'p' },
    spec: {
      sourceRepos: ['https://git.example/*'],
      destinations: [{ name: 'production', namespace: 'app' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      namespaceResourceWhitelist: [{ group: '', kind: 'ConfigMap' }],
    },
  };
  const clusterScoped = (group: string, kind: string) =>
    ['/Namespace', 'rbac.authorization.k8s.io/ClusterRole'].includes(`${group}/${kind}`);

  test('allowed kinds in allowed namespaces pass', () => {
    expect(
      projectViolations(
        app,
        project,
        [obj('ConfigMap', 'c'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } }],
        clusterScoped,
      ),
    ).toEqual([]);
  });

  test('a kind, a namespace, a cluster-scoped kind or a repository the project does not allow is reported', () => {
    const found = projectViolations(
      { ...app, spec: { ...app.spec, source: { repoURL: 'https://other.example/x.git' } } },
      project,
      [
        obj('Secret', 's'),
        { ...obj('ConfigMap', 'c'), metadata: { name: 'c', namespace: 'kube-system' } },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } },
      ],
      clusterScoped,
    );
    expect(found).toEqual([
      'Application/argocd/api-production: repository https://other.example/x.git is not among the sourceRepos of project p',
      'Application/argocd/api-production: Secret/app/s is not in the namespaceResourceWhitelist of project p',
      'Application/argocd/api-production: ConfigMap/kube-system/c goes to namespace "kube-system" on "production", not a destination of project p',
      'Application/argocd/api-production: ClusterRole/r is cluster-scoped and not in the clusterResourceWhitelist of project p',
    ]);
  });
});

describe('AppProject namespace patterns as Argo CD matches them (gobwas globs)', () => {
  const app = {
    kind: 'Application',
    metadata: { name: 'api-production', namespace: 'argocd' },
    spec: {
      project: 'p',
      source: { repoURL: 'https://git.example/gitops.git' },
      destination: { name: 'production', namespace: 'team-api' },
    },
  };
  const project = (namespace: string) => ({
    kind: 'AppProject',
    metadata: { name: 'p' },
    spec: { sourceRepos: ['https://git.example/*'], destinations: [{ name: 'production', namespace }] },
  });
  const inNamespace = (ns: string) => [{ ...obj('ConfigMap', 'c'), metadata: { name: 'c', namespace: ns } }];
  test.each([
    ['team-*', 'team-api', true],
    ['team-?pi', 'team-api', true],
    ['team-[ab]pi', 'team-api', true],
    ['team-[!a]pi', 'team-api', false],
    ['team-{api,web}', 'team-web', true],
    ['team-{api,web}', 'team-db', false],
  ])('%s admits %s: %s', (pattern, ns, admitted) => {
    expect(projectViolations(app, project(pattern), inNamespace(ns), () => false)).toHaveLength(admitted ? 0 : 1);
  });
});

describe('following the GitOps tree from a bootstrap file', () => {
  test('a source path with no manifests and an undefined project are reported', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    const dist = path.join(root, 'dist');
    fs.mkdirSync(path.join(dist, 'argocd', 'bootstrap'), { recursive: true });
    fs.mkdirSync(path.join(dist, 'argocd', 'c1'), { recursive: true });
    fs.writeFileSync(
      path.join(dist, 'argocd', 'bootstrap', 'c1.k8s.yaml'),
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: root, namespace: argocd}\nspec: {project: boot, source: {path: dist/argocd/c1}}\n',
    );
    fs.writeFileSync(
      path.join(dist, 'argocd', 'c1', 'apps.k8s.yaml'),
      'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: api, namespace: argocd}\nspec: {project: nope, source: {path: dist/c1/api}}\n',
    );
    const plan = planCluster(root, dist, 'c1');
    fs.rmSync(root, { recursive: true, force: true });
    expect(plan.problems).toEqual([
      'Application/argocd/api: project "nope" is not defined',
      'Application/argocd/api: source path "dist/c1/api" holds no manifests',
    ]);
  });
});

describe('one owner per object, as Argo CD tracks them (FailOnSharedResource)', () => {
  const app = (name: string, namespace: string): K8sObject => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { destination: { namespace } },
  });
  const plan = (...apps: Array<[K8sObject, K8sObject[]]>): ClusterPlan => ({
    cluster: 'c1',
    bootstrap: [],
    children: [],
    problems: [],
    applications: apps.map(([application, objects]) => ({ application, project: undefined, origin: 'local', path: 'p', objects })),
  });
  const namespaced = (group: string, kind: string) =>
    !['Namespace', 'ClusterRole', 'CustomResourceDefinition'].includes(kind) && group !== 'x';

  test('the same Service in two Applications is refused; the same name in two namespaces is not', () => {
    const svc = (ns?: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', ...(ns ? { namespace: ns } : {}) } });
    expect(sharedObjects(plan([app('a', 'team'), [svc('team')]], [app('b', 'team'), [svc()]]), (g, k) => !namespaced(g, k))).toEqual([
      'core/Service/team/api is synced by Application/argocd/a and Application/argocd/b: Argo CD lets one Application own an object (FailOnSharedResource)',
    ]);
    expect(sharedObjects(plan([app('a', 'one'), [svc()]], [app('b', 'two'), [svc()]]), (g, k) => !namespaced(g, k))).toEqual([]);
  });

  test('a cluster-scoped object is one object whatever the destinations', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } };
    expect(sharedObjects(plan([app('a', 'one'), [role]], [app('b', 'two'), [role]]), (g, k) => !namespaced(g, k))).toHaveLength(1);
  });
});

describe('what the API server stored differently', () => {
  const wrote = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'l', namespace: 'app' },
    spec: { limits: [{ default: { cpu: '1000m', memory: '2Gi' } }], externalIPs: [] },
  };

  test('normalized quantities and dropped empty fields are rewrites; what the server adds is not', () => {
    const stored = {
      ...wrote,
      metadata: { name: 'l', namespace: 'app', uid: 'x', annotations: { added: 'by-server' } },
      spec: { limits: [{ default: { cpu: '1', memory: '2Gi' }, type: 'Container' }] },
      status: {},
    };
    expect(rewritesOf(wrote, stored).map(formatRewrite)).toEqual([
      'LimitRange/app/l spec.limits[0].default.cpu: "1000m" -> "1"',
      'LimitRange/app/l spec.externalIPs: [] -> (dropped)',
    ]);
  });

  test('an object stored as written has no rewrites', () => {
    expect(rewritesOf(wrote, JSON.parse(JSON.stringify(wrote)))).toEqual([]);
  });
});

test('server warnings are read from kubectl and from client-go log lines', () => {
  const stderr = [
    'Warning: metadata.finalizers: "x": prefer a domain-qualified finalizer name',
    'W1122 06:00:00.000000   123 warnings.go:70] spec.foo: deprecated',
    'namespace/app serverside-applied',
  ].join('\n');
  expect(warningsOf(stderr)).toEqual([
    'Warning: metadata.finalizers: "x": prefer a domain-qualified finalizer name',
    'Warning: spec.foo: deprecated',
  ]);
});

test('only the control plane\u2019s own bookkeeping is not a warning about our objects', () => {
  const event = (reason: string, message: string) => ({ reason, message, involvedObject: { kind: 'Service', name: 'bot' } });
  expect(isControlPlaneNoise(event('ClusterIPNotAllocated', 'Cluster IP [IPv4]: 10.96.132.185 is not allocated; repairing'))).toBe(true);
  expect(isControlPlaneNoise(event('FailedCreate', 'Error creating: pods "api-migrate-" is forbidden'))).toBe(false);
  const cidr = 'KubernetesDefaultServiceCIDRInconsistent';
  expect(
    isControlPlaneNoise(event(cidr, 'The default ServiceCIDR [] does not match the controller flag configurations [10.96.0.0/16]')),
  ).toBe(true);
  expect(
    isControlPlaneNoise(
      event(cidr, 'The default ServiceCIDR [10.0.0.0/16] does not match the controller flag configurations [10.96.0.0/16]'),
    ),
  ).toBe(false);
  expect(
    isControlPlaneNoise(event('ClusterIPOutOfRange', 'Cluster IP [IPv4]: 10.0.0.1 is not within the service CIDR; please recreate')),
  ).toBe(false);
});
