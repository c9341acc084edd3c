import { Chart } from 'cdk8s';
import { AppOfApps, ArgoCdApplication, ArgoCdApplicationProps, ArgoCdProject } from 'samokoder-infra';
import { find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

const appProps: ArgoCdApplicationProps = {
  name: 'api-production',
  project: 'samokoder-production',
  source: { repoURL: 'https://git.example.com/platform/gitops.git' },
  path: 'dist/production/api',
  destination: { cluster: 'production', namespace: 'samokoder' },
};

function application(props: Partial<ArgoCdApplicationProps> = {}): K8sObject {
  const chart = new Chart(testApp(), 'c');
  new ArgoCdApplication(chart, 'App', { ...appProps, ...props });
  return find(render(chart), 'Application');
}

describe('ArgoCdApplication', () => {
  test('namespace labels go to managedNamespaceMetadata, and need createNamespace', () => {
    const labels = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    expect(application({ createNamespace: true, namespaceLabels: labels }).spec.syncPolicy.managedNamespaceMetadata).toEqual({ labels });
    expect(application().spec.syncPolicy.managedNamespaceMetadata).toBeUndefined();
    expect(() => application({ namespaceLabels: labels })).toThrow(
      `[c/App] 'namespaceLabels' ({"pod-security.kubernetes.io/enforce":"restricted"}) needs createNamespace: true (Argo CD applies managedNamespaceMetadata only with CreateNamespace=true: docs/user-guide/sync-options.md, "Namespace Auto-Creation")`,
    );
  });

  test('automated sync with prune and self-heal, retry with backoff, server-side apply, finalizer', () => {
    const a = application();
    expect(a.metadata).toMatchObject({
      name: 'api-production',
      namespace: 'argocd',
      finalizers: ['resources-finalizer.argocd.argoproj.io/foreground'],
    });
    expect(a.spec.source).toEqual({
      repoURL: 'https://git.example.com/platform/gitops.git',
      targetRevision: 'main',
      path: 'dist/production/api',
    });
    expect(a.spec.destination).toEqual({ name: 'production', namespace: 'samokoder' });
    expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true, allowEmpty: false });
    expect(a.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
    expect(a.spec.syncPolicy.retry).toEqual({ limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } });
  });

  test.each<[Partial<ArgoCdApplicationProps>, string]>([
    [
      { source: { repoURL: 'gitops-repo' } },
      `[c/App] 'source.repoURL' ("gitops-repo") is not a repository URL: use https://host/org/repo.git, ssh://… or git@host:org/repo.git`,
    ],
    [
      { destination: { cluster: 'production', namespace: '' } },
      `[c/App] 'destination.namespace' ("") is required: an Application without a namespace deploys into whatever namespace its manifests name, or default`,
    ],
    [
      { project: 'default' },
      `[c/App] 'project' ("default") is Argo CD's catch-all project, which allows any source, destination and kind: name a project of your own`,
    ],
    [{ path: '../elsewhere' }, `[c/App] 'path' ("../elsewhere") must be a relative path inside the repository`],
    [
      { source: { repoURL: 'https://ci:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/acme/gitops.git' } },
      `[c/App] 'source.repoURL' ("<redacted>") holds credentials (user:token@)`,
    ],
    [
      { source: { repoURL: 'https://github.com/acme/gitops.git', targetRevision: '' } },
      `[c/App] 'source.targetRevision' ("") must be a branch, tag or commit`,
    ],
  ])('%j is refused', (props, message) => {
    expect(() => application(props)).toThrow(message);
  });

  test('git@ and ssh:// URLs are accepted', () => {
    expect(application({ source: { repoURL: 'git@git.example.com:platform/gitops.git' } }).spec.source.repoURL).toBe(
      'git@git.example.com:platform/gitops.git',
    );
  });
});

describe('ArgoCdApplication Helm values (#27: a password by its key name passed)', () => {
  const helm = (values: Record<string, unknown>) => ({
    source: undefined,
    path: undefined,
    chart: { repoURL: 'https://charts.example.com', chart: 'app', version: '1.2.3', values },
  });
  test.each<[Record<string, unknown>, string]>([
    [{ adminPassword: 'hunter2' }, `'chart.values.adminPassword'`],
    [{ auth: { password: 'hunter2' } }, `'chart.values.auth.password'`],
    [{ redis: { auth: { token: 's3cr3t-value' } } }, `'chart.values.redis.auth.token'`],
    [{ smtp: { api_key: 'abc123def' } }, `'chart.values.smtp.api_key'`],
    [{ env: [{ name: 'X', value: 'ghp_' + 'a1B2c3D4e5'.repeat(4) }] }, `'chart.values.env[0].value'`],
  ])('%j is refused at the value the user wrote', (values, prop) => {
    expect(() => application(helm(values) as never)).toThrow(
      `[c/App] ${prop} ("<redacted>") looks like a literal credential: Helm values are committed to Git in the Application; give the chart an existing Secret (most charts take existingSecret) filled from the secret store`,
    );
  });

  test('references to Secrets and settings about credentials pass', () => {
    const values = {
      grafana: { admin: { existingSecret: 'grafana-admin', userKey: 'admin-user', passwordKey: 'admin-password' } },
      auth: { existingSecret: 'redis-auth', existingSecretPasswordKey: 'password', enabled: true },
      tokenTtl: '30m',
      passwordLength: 32,
      secretName: 'app-tls',
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
      affinity: { nodeAffinity: { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] } },
      tls: { key: 'tls.key', cert: 'tls.crt' },
      dex: { config: { clientSecret: '$dex.github.clientSecret' } },
    };
    expect(application(helm(values) as never).spec.source.helm.valuesObject).toEqual(values);
  });
});

describe('ArgoCdProject', () => {
  test('restricts repositories, destinations and kinds', () => {
    const chart = new Chart(testApp(), 'c');
    new ArgoCdProject(chart, 'P', {
      name: 'samokoder-production',
      description: 'd',
      sourceRepos: ['https://git.example.com/platform/gitops.git'],
      destinations: [{ cluster: 'production', namespace: 'samokoder' }],
      namespaceResources: [{ group: 'apps', kind: 'Deployment' }],
    });
    const p = find(render(chart), 'AppProject');
    expect(p.spec).toEqual({
      description: 'd',
      sourceRepos: ['https://git.example.com/platform/gitops.git'],
      destinations: [{ name: 'production', namespace: 'samokoder' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
      namespaceResourceWhitelist: [{ group: 'apps', kind: 'Deployment' }],
      orphanedResources: { warn: true },
    });
  });

  test.each([
    [{ name: 'default' }, `'name' ("default") is Argo CD's catch-all project`],
    [
      { destinations: [{ cluster: 'production', namespace: '*' }] },
      `'destinations[0].namespace' ("*") matches every namespace: name the namespaces, or a pattern such as "team-*"`,
    ],
    [
      { destinations: [{ cluster: '*', namespace: 'samokoder' }] },
      `'destinations[0].cluster' ("*") must name a cluster registered in Argo CD, not every cluster`,
    ],
    [
      { clusterResources: [{ group: '*', kind: '*' }] },
      `'clusterResources[0]' ({"group":"*","kind":"*"}) must name a group and kind: a wildcard lets the project manage kinds no one reviewed`,
    ],
    [
      { namespaceResources: [{ group: 'apps', kind: '*' }] },
      `'namespaceResources[0]' ({"group":"apps","kind":"*"}) must name a group and kind`,
    ],
    [{ sourceRepos: ['*'] }, `'sourceRepos[0]' ("*")`],
    [
      { destinations: [{ cluster: 'production', namespace: '!kube-system' }] },
      `'destinations[0].namespace' ("!kube-system") means every namespace but kube-system (Argo CD's negation): name the namespaces, or a pattern such as "team-*"`,
    ],
    // Namespace patterns (#27): accepted unless they reach every namespace or Kubernetes' and the platform's own.
    [
      { destinations: [{ cluster: 'production', namespace: '**' }] },
      `'destinations[0].namespace' ("**") matches every namespace: name the namespaces, or a pattern such as "team-*"`,
    ],
    [
      { destinations: [{ cluster: 'production', namespace: 'kube-*' }] },
      `'destinations[0].namespace' ("kube-*") matches "kube-system", a namespace of Kubernetes or the platform layer: start the pattern with the team's own prefix (e.g. "team-*")`,
    ],
    [
      { destinations: [{ cluster: 'production', namespace: '*-system' }] },
      `'destinations[0].namespace' ("*-system") matches "kube-system", a namespace of Kubernetes or the platform layer`,
    ],
    [
      { destinations: [{ cluster: 'production', namespace: '?efault' }] },
      `'destinations[0].namespace' ("?efault") matches "default", a namespace of Kubernetes or the platform layer`,
    ],
    [
      { destinations: [{ cluster: 'production', namespace: 'Team-*' }] },
      `'destinations[0].namespace' ("Team-*") must be a namespace (a DNS label) or an Argo CD pattern of one (lower-case letters, digits and - with * ? [...] {a,b})`,
    ],
    [
      { destinations: [{ cluster: 'production', namespace: 'team-[a-' }] },
      `'destinations[0].namespace' ("team-[a-") must be a namespace (a DNS label) or an Argo CD pattern of one`,
    ],
  ])('%j is refused', (props, message) => {
    const chart = new Chart(testApp(), 'c');
    expect(
      () =>
        new ArgoCdProject(chart, 'P', {
          name: 'p',
          description: 'd',
          sourceRepos: ['https://g.example.com/r.git'],
          destinations: [{ cluster: 'c', namespace: 'n' }],
          ...props,
        }),
    ).toThrow(message);
  });
});

describe('ArgoCdProject namespace patterns', () => {
  test.each(['team-*', 'team-?', 'team-[ab]', 'team-{api,web}', 'payments-*-prod', '*-payments'])(
    '%s is accepted as written',
    (pattern) => {
      const chart = new Chart(testApp(), 'c');
      new ArgoCdProject(chart, 'P', {
        name: 'p',
        description: 'd',
        sourceRepos: ['https://g.example.com/r.git'],
        destinations: [{ cluster: 'c', namespace: pattern }],
      });
      expect(find(render(chart), 'AppProject').spec.destinations).toEqual([{ name: 'c', namespace: pattern }]);
    },
  );
});

describe('ArgoCdProject repository patterns (#27)', () => {
  const project = (sourceRepos: string[]) => () => {
    const chart = new Chart(testApp(), 'c');
    new ArgoCdProject(chart, 'P', { name: 'p', description: 'd', sourceRepos, destinations: [{ cluster: 'c', namespace: 'n' }] });
    return find(render(chart), 'AppProject').spec.sourceRepos;
  };
  test.each([
    'https://github.com/acme/*',
    'https://github.com/acme/payments-*',
    'https://github.com/acme/payments-*.git',
    'git@github.com:acme/*',
  ])('%s is accepted as written', (pattern) => {
    expect(project([pattern])()).toEqual([pattern]);
  });
  test.each<[string, string]>([
    ['https://github.com/*', 'matches every repository of the host: name an organisation (https://host/org/*)'],
    ['https://github.com/*/gitops.git', 'matches every repository of the host: name an organisation (https://host/org/*)'],
    ['https://*.example.com/acme/*', 'matches repositories of any host: name the host'],
  ])('%s is refused with the reason', (pattern, why) => {
    expect(project([pattern])).toThrow(`[c/P] 'sourceRepos[0]' ("${pattern}") ${why}`);
  });
});

describe('AppOfApps', () => {
  test('a manifest set a letter or two from a known environment is a typo until declared; variants and other sets pass', () => {
    const aoa = (cluster: { name: string; environment: string; unlistedEnvironment?: boolean }) =>
      new AppOfApps(testApp(), 'apps', {
        source: { repoURL: 'https://git.example.com/platform/gitops.git' },
        cluster,
        namespace: 'samokoder',
        apps: ['namespace', 'api'],
      });
    expect(() => aoa({ name: 'production', environment: 'stagign' })).toThrow(
      `[apps] 'cluster.environment' ("stagign") is not a known environment but a letter or two from "staging" (did you mean "staging"?): the root would sync <manifestsRoot>/stagign/, where the manifests of "staging" are not; set cluster.unlistedEnvironment: true if the name is meant`,
    );
    expect(() => aoa({ name: 'prod', environment: 'prodd' })).toThrow(`did you mean "prod"?`);
    for (const environment of ['dr-nyc3', 'staging-eu', 'qa2', 'prod-2', 'payments', 'production']) {
      expect(() => aoa({ name: 'c', environment })).not.toThrow();
    }
    expect(() => aoa({ name: 'c', environment: 'prodution', unlistedEnvironment: true })).not.toThrow();
  });

  test('a project, an Application per app (namespace first) and a root Application with its own project', async () => {
    const root = testApp();
    const aoa = new AppOfApps(root, 'production', {
      source: { repoURL: 'https://git.example.com/platform/gitops.git' },
      cluster: { name: 'production', environment: 'production' },
      namespace: 'samokoder',
      apps: ['namespace', 'api', 'bot'],
    });
    const children = render(aoa.children);
    const apps = children.filter((o) => o.kind === 'Application');
    expect(apps.map((a) => [a.metadata.name, a.spec.source.path, a.metadata.annotations['argocd.argoproj.io/sync-wave']])).toEqual([
      ['namespace-production', 'dist/production/namespace', '-1'],
      ['api-production', 'dist/production/api', '0'],
      ['bot-production', 'dist/production/bot', '0'],
    ]);
    expect(apps.every((a) => a.spec.project === 'samokoder-production')).toBe(true);
    const rootApp = find(render(aoa.bootstrap), 'Application');
    expect(rootApp.spec).toMatchObject({
      project: 'samokoder-bootstrap-production',
      source: { path: 'dist/argocd/production' },
      destination: { name: 'in-cluster', namespace: 'argocd' },
    });
    const result = await schemaCheck([...children, ...render(aoa.bootstrap)]);
    expect(result.output).toMatch(/manifest schema check: \d+ valid, 0 invalid/);
  });
});
