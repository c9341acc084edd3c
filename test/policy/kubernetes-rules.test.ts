import { K8sIndex, KUBERNETES_RULES, PolicyPack } from 'samokoder-infra';
import { K8sObject } from '../util/k8s';
import { referenceKubernetes } from '../util/reference';

const out = referenceKubernetes();
const production = out.files.filter((f) => f.file.startsWith('production')).flatMap((f) => f.objects!) as K8sObject[];
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const main = (o: K8sObject) => o.spec.template.spec.containers[0];

/** For each rule: which object to break, and how. */
const FAILING: Record<string, { kind: string; name?: string; mutate: (o: K8sObject, all: K8sObject[]) => void }> = {
  'SK-K8S-001': { kind: 'Deployment', name: 'api', mutate: (o) => void (main(o).securityContext.runAsUser = 0) },
  'SK-K8S-002': { kind: 'Deployment', name: 'api', mutate: (o) => void (main(o).securityContext.allowPrivilegeEscalation = true) },
  'SK-K8S-003': { kind: 'Deployment', name: 'api', mutate: (o) => void (main(o).securityContext.readOnlyRootFilesystem = false) },
  'SK-K8S-004': {
    kind: 'Deployment',
    name: 'api',
    mutate: (o) => void (main(o).securityContext.capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] }),
  },
  'SK-K8S-005': {
    kind: 'Deployment',
    name: 'api',
    mutate: (o) => void (delete main(o).securityContext.seccompProfile, delete o.spec.template.spec.securityContext.seccompProfile),
  },
  'SK-K8S-006': { kind: 'Deployment', name: 'api', mutate: (o) => void (o.spec.template.spec.hostNetwork = true) },
  'SK-K8S-007': { kind: 'Deployment', name: 'api', mutate: (o) => void delete main(o).resources.limits.memory },
  'SK-K8S-008': { kind: 'Deployment', name: 'bot', mutate: (o) => void delete main(o).readinessProbe },
  'SK-K8S-009': { kind: 'Deployment', name: 'api', mutate: (o) => void (main(o).image = 'ghcr.io/samokoder/api:latest') },
  'SK-K8S-010': { kind: 'Deployment', name: 'api', mutate: (o) => void (o.spec.template.spec.automountServiceAccountToken = true) },
  'SK-K8S-011': {
    kind: 'Deployment',
    name: 'api',
    mutate: (_o, all) => void all.splice(0, all.length, ...all.filter((p) => p.kind !== 'NetworkPolicy')),
  },
  'SK-K8S-012': { kind: 'Role', mutate: (o) => void (o.rules = [{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['get'] }]) },
  'SK-K8S-013': { kind: 'PodDisruptionBudget', name: 'bot', mutate: (o) => void (o.spec.minAvailable = 3) },
  'SK-K8S-014': {
    kind: 'ConfigMap',
    name: 'api-config',
    mutate: (o) => void (o.data.OPENAI_API_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0'),
  },
  'SK-K8S-015': { kind: 'Service', name: 'api', mutate: (o) => void (o.spec.type = 'LoadBalancer') },
  'SK-K8S-016': { kind: 'Namespace', mutate: (o) => void (o.metadata.labels['pod-security.kubernetes.io/enforce'] = 'baseline') },
  'SK-K8S-018': {
    kind: 'NetworkPolicy',
    name: 'api-allow-from-apps',
    // The api stops admitting the bot, which still sends to it: the bot's egress policy is the one found wanting.
    mutate: (o) => void (o.spec.ingress[0].from = [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'someone-else' } } }]),
  },
  'SK-K8S-017': {
    kind: 'ServiceAccount',
    name: 'api',
    mutate: (o) =>
      void (o.metadata.annotations = { 'example.com/source': 'https://deploy:ghp_abcdefghijklmnopqrstuvwxyz0123@github.com/x/y.git' }),
  },
};

describe('Kubernetes rules', () => {
  test('every rule has a failing fixture', () => {
    expect(Object.keys(FAILING).sort()).toEqual(KUBERNETES_RULES.map((r) => r.id).sort());
  });

  test('the reference platform passes every rule (the passing fixtures), every environment and Argo CD object included', () => {
    const all = out.files.flatMap((f) => f.objects!);
    const findings = PolicyPack.checkObjects(all);
    expect(findings.map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test.each(KUBERNETES_RULES.map((r) => [r.id, r] as const))('%s fails on its failing fixture', (id, rule) => {
    const m = FAILING[id];
    const objects = clone(production);
    // Role fixtures: the reference has none, so a minimal one is added.
    if (m.kind === 'Role')
      objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'x', namespace: 'samokoder' },
        rules: [],
      });
    const target = objects.find((o) => o.kind === m.kind && (m.name === undefined || o.metadata.name === m.name));
    if (!target) throw new Error(`no ${m.kind}/${m.name} in the reference`);
    expect([rule.check(target, new K8sIndex(objects)) ?? []].flat()).toEqual([]);
    m.mutate(target, objects);
    const findings = PolicyPack.checkObjects(objects).filter((f) => f.rule.id === id);
    expect(findings.length).toBeGreaterThan(0);
  });

  test('a credential anywhere is found and named by its field, never printed: repoURL, annotations, webhook URLs', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: 'x',
        namespace: 'argocd',
        annotations: { 'notify/slack': 'https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX' },
      },
      spec: { source: { repoURL: 'https://ci:glpat-abcdefghijklmnopqrstu@gitlab.example.com/g/r.git', path: 'dist' } },
    };
    const findings = PolicyPack.checkObjects([app]).filter((f) => f.rule.id === 'SK-K8S-017');
    const text = findings.map((f) => `${f.subject}: ${f.detail}`).join('\n');
    expect(text).toContain('metadata.annotations.notify/slack holds something shaped like a credential');
    expect(text).toContain('spec.source.repoURL holds something shaped like a credential');
    expect(text).not.toContain('glpat-');
    expect(text).not.toContain('hooks.slack.com');
  });

  test('SK-K8S-010: a ClusterRoleBinding grants a token, but only to the account of its namespace', () => {
    const d = clone(production.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')!);
    d.metadata.namespace = 'watcher';
    Object.assign(d.spec.template.spec, { serviceAccountName: 'watcher', automountServiceAccountToken: true });
    const binding = (namespace: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'watcher' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'watcher' },
      subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace }],
    });
    const ids = (objects: K8sObject[]) => PolicyPack.checkObjects(objects).map((f) => f.rule.id);
    expect(ids([d, binding('watcher')])).not.toContain('SK-K8S-010');
    expect(ids([d, binding('elsewhere')])).toContain('SK-K8S-010');
    expect(ids([d])).toContain('SK-K8S-010');
  });

  test('a Rollout with an inline template is checked like a Deployment (scanners do not read it; we do)', () => {
    const d = clone(production.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')!);
    main(d).securityContext.privileged = true;
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'inline', namespace: 'samokoder' },
      spec: { template: d.spec.template },
    };
    const ids = PolicyPack.checkObjects([rollout]).map((f) => f.rule.id);
    expect(ids).toContain('SK-K8S-002');
  });
});
