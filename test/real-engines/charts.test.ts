import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { chartSources, preparedChart, renderArgs, renderCache, unstableFields, wholeUpstream } from '../../scripts/real-engines/charts';
import { K8sObject } from '../../scripts/real-engines/gitops';
import { testTmp } from '../util/reference';

/**
 * The offline stand-in for Argo CD's repo server (scripts/real-engines/charts.ts), on a small charts directory made
 * here (the real one is ../shared/real-engines/charts; verify:k8s renders it with helm).
 */
const root = fs.mkdtempSync(path.join(testTmp(), 'charts-test-'));
const sources = path.join(root, 'sources');
fs.mkdirSync(sources);
// The unpacked sources go to a cache of this test's own (set while its tests run: other files share the process).
const cacheBefore = process.env.SAMOKODER_CACHE;
beforeAll(() => (process.env.SAMOKODER_CACHE = path.join(root, 'cache')));
afterAll(() => {
  if (cacheBefore === undefined) delete process.env.SAMOKODER_CACHE;
  else process.env.SAMOKODER_CACHE = cacheBefore;
});

function tarball(name: string, files: Record<string, string>, meta: { repository: string; tag: string; path: string }): string {
  const dir = path.join(root, 'build', name);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  const file = path.join(sources, `${name}.tar.xz`);
  const r = spawnSync('tar', ['-cJf', file, '-C', path.join(root, 'build'), name]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  const sha = spawnSync('sha256sum', [file], { encoding: 'utf8' }).stdout.split(' ')[0];
  return `${name}\t${meta.repository}\t${meta.tag}\t${meta.path}\t${sha}`;
}

const crd = (name: string) => `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}\n`;
fs.writeFileSync(
  path.join(sources, 'SOURCES.tsv'),
  [
    'name\trepository\ttag\tpath\tsha256',
    tarball(
      'demo-v1.2.3',
      {
        'Chart.yaml':
          'apiVersion: v2\nname: demo\nversion: v0.0.0\nappVersion: v0.0.0\ndependencies:\n  - name: sub\n    version: "1.0.*"\n    repository: https://charts.example.dev\n  - name: gone\n    version: 0.1.0\n    repository: oci://ghcr.io/x\n',
        'Chart.lock': 'dependencies: []\n',
        'values.tmpl.yaml': 'image: ${GatewayImage}\npullPolicy: ${GatewayImagePullPolicy}\n',
      },
      { repository: 'example/demo', tag: 'v1.2.3', path: 'charts/demo' },
    ),
    tarball(
      'sub-1.0.7',
      { 'Chart.yaml': 'apiVersion: v2\nname: sub\nversion: 1.0.7\n' },
      { repository: 'example/charts', tag: 'sub-1.0.7', path: 'charts/sub' },
    ),
    tarball(
      'plain-v2-crds',
      { 'a.yaml': crd('a'), 'b.yml': crd('b'), 'README.md': '# not a manifest', 'nested/c.yaml': crd('c') },
      { repository: 'example/plain', tag: 'v2', path: 'config/crds' },
    ),
    tarball(
      'kust-v3-crds',
      { 'one.yaml': crd('one'), 'two.yaml': crd('two'), 'kustomization.yaml': 'resources:\n  - one.yaml\n' },
      { repository: 'example/kust', tag: 'v3', path: 'manifests/crds' },
    ),
  ].join('\n') + '\n',
);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('upstream sources as the release publishes them', () => {
  test('SOURCES.tsv names each tarball, its repository, tag and path', () => {
    expect(chartSources(sources).map((s) => [s.name, s.repository, s.tag])).toEqual([
      ['demo-v1.2.3', 'example/demo', 'v1.2.3'],
      ['sub-1.0.7', 'example/charts', 'sub-1.0.7'],
      ['plain-v2-crds', 'example/plain', 'v2'],
      ['kust-v3-crds', 'example/kust', 'v3'],
    ]);
  });

  test('placeholder versions set, values.tmpl.yaml filled, remote subcharts placed, a missing one dropped with the lock', () => {
    const dir = preparedChart('demo', 'v1.2.3', sources);
    const chart = fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8');
    expect(chart).toMatch(/^version: v1\.2\.3$/m);
    expect(chart).toMatch(/^appVersion: v1\.2\.3$/m);
    expect(chart).toContain('name: sub');
    expect(chart).not.toContain('name: gone');
    expect(fs.existsSync(path.join(dir, 'Chart.lock'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'charts', 'sub', 'Chart.yaml'), 'utf8')).toContain('version: 1.0.7');
    expect(fs.readFileSync(path.join(dir, 'values.yaml'), 'utf8')).toBe(
      'image: docker.io/envoyproxy/gateway:v1.2.3\npullPolicy: IfNotPresent\n',
    );
    // Prepared once: a second call returns the same directory.
    expect(preparedChart('demo', 'v1.2.3', sources)).toBe(dir);
  });

  test('a chart version that is not among the sources is refused by name', () => {
    expect(() => preparedChart('demo', '99.0.0-does-not-exist', sources)).toThrow(
      'chart demo@99.0.0-does-not-exist is not among the pinned chart sources',
    );
  });

  test('a tarball that does not match its sha256 is refused', () => {
    const bad = path.join(root, 'bad');
    fs.mkdirSync(bad);
    fs.copyFileSync(path.join(sources, 'sub-1.0.7.tar.xz'), path.join(bad, 'sub-1.0.7.tar.xz'));
    fs.writeFileSync(
      path.join(bad, 'SOURCES.tsv'),
      `name\trepository\ttag\tpath\tsha256\nsub-1.0.7\texample/charts\tsub-1.0.7\tcharts/sub\t${'0'.repeat(64)}\n`,
    );
    expect(() => preparedChart('sub', '1.0.7', bad)).toThrow(/sha256 [0-9a-f]{64}, SOURCES.tsv says 0{64}/);
  });
});

describe('a Git directory as Argo CD syncs it', () => {
  const resolve = wholeUpstream(sources);

  test('the whole directory, not recursed, YAML files only', () => {
    const r = resolve({ repoURL: 'https://github.com/example/plain.git', revision: 'v2', path: 'config/crds' });
    expect(r.files.map((f) => path.basename(f))).toEqual(['a.yaml', 'b.yml']);
    expect(
      resolve({ repoURL: 'https://github.com/example/plain.git', revision: 'v2', path: 'config/crds', recurse: true }).files,
    ).toHaveLength(3);
    expect(
      resolve({ repoURL: 'https://github.com/example/plain.git', revision: 'v2', path: 'config/crds', include: 'b.*' }).files,
    ).toHaveLength(1);
  });

  test('a directory with a kustomization.yaml is built from its resources', () => {
    const r = resolve({ repoURL: 'https://github.com/example/kust.git', revision: 'v3', path: 'manifests/crds' });
    expect(r.files.map((f) => path.basename(f))).toEqual(['one.yaml']);
    expect(r.problems).toEqual([]);
  });

  test('a directory that is not pinned is a problem, not an empty sync', () => {
    expect(resolve({ repoURL: 'https://github.com/example/plain.git', revision: 'v9', path: 'config/crds' })).toEqual({
      files: [],
      problems: ['https://github.com/example/plain.git@v9 path config/crds: not among the pinned upstream directories'],
    });
  });
});

describe('helm template as Argo CD runs it', () => {
  const app = (helm: K8sObject): K8sObject => ({
    metadata: { name: 'demo-production' },
    spec: { destination: { namespace: 'demo-system' }, source: { chart: 'demo', targetRevision: 'v1.2.3', helm } },
  });
  const caps = { kubeVersion: '1.34.4', apiVersions: ['v1', 'monitoring.coreos.com/v1/ServiceMonitor'] };

  test('release name (else the Application name), destination namespace, cluster capabilities, CRDs unless skipped', () => {
    expect(renderArgs(app({}), '/c', undefined, caps)).toEqual([
      'template',
      'demo-production',
      '/c',
      '--namespace',
      'demo-system',
      '--kube-version',
      '1.34.4',
      '--api-versions',
      'v1',
      '--api-versions',
      'monitoring.coreos.com/v1/ServiceMonitor',
      '--include-crds',
    ]);
    const args = renderArgs(app({ releaseName: 'demo', skipCrds: true, skipTests: true }), '/c', undefined, caps);
    expect(args[1]).toBe('demo');
    expect(args).not.toContain('--include-crds');
    expect(args).toContain('--skip-tests');
  });

  test('value files, then the values object, then parameters (Argo CD\u2019s precedence)', () => {
    const args = renderArgs(
      app({
        valueFiles: ['values-prod.yaml'],
        parameters: [
          { name: 'a', value: '1' },
          { name: 'b', value: '2', forceString: true },
        ],
      }),
      '/c',
      '/tmp/v.json',
      caps,
    );
    expect(args.slice(args.indexOf('--include-crds') + 1)).toEqual([
      '-f',
      '/c/values-prod.yaml',
      '-f',
      '/tmp/v.json',
      '--set',
      'a=1',
      '--set-string',
      'b=2',
    ]);
  });

  test('a field that differs between two renders is reported unless the Application ignores it', () => {
    const secret = (password: string): K8sObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'm' },
      data: { password, user: 'admin' },
    });
    const application = app({});
    expect(unstableFields(application, [secret('a')], [secret('b')])).toEqual(['Secret/m/s /data/password']);
    expect(unstableFields(application, [secret('a')], [secret('a')])).toEqual([]);
    const ignoring = {
      ...application,
      spec: { ...application.spec, ignoreDifferences: [{ group: '', kind: 'Secret', jsonPointers: ['/data'] }] },
    };
    expect(unstableFields(ignoring, [secret('a')], [secret('b')])).toEqual([]);
    expect(unstableFields(application, [secret('a')], [])).toEqual(['Secret/m/s: only in one of two renders']);
  });
});

describe('helm template renders shared by the parts of one verify:k8s run', () => {
  const before = process.env.SAMOKODER_VERIFY_HELM_CACHE;
  const dir = path.join(root, 'renders');
  afterEach(() => {
    if (before === undefined) delete process.env.SAMOKODER_VERIFY_HELM_CACHE;
    else process.env.SAMOKODER_VERIFY_HELM_CACHE = before;
  });
  const values = (name: string, text: string) => {
    const file = path.join(root, `${name}.values.json`);
    fs.writeFileSync(file, text);
    return file;
  };
  const args = (file: string) => ['template', 'demo', '/c', '-f', file, '--api-versions', 'v1'];
  const pair: [K8sObject[], K8sObject[]] = [
    [{ kind: 'ConfigMap', metadata: { name: 'a' } }],
    [{ kind: 'ConfigMap', metadata: { name: 'b' } }],
  ];

  test('the same command with the same values (in another cluster’s file) reads what the first render kept', () => {
    fs.mkdirSync(dir, { recursive: true });
    process.env.SAMOKODER_VERIFY_HELM_CACHE = dir;
    const first = values('demo-production', '{"a":1}');
    expect(renderCache('/bin/helm', args(first), first).read()).toBeUndefined();
    renderCache('/bin/helm', args(first), first).write(pair);
    const second = values('demo-staging', '{"a":1}');
    expect(renderCache('/bin/helm', args(second), second).read()).toEqual(pair);
    // Other values, another argument or another helm: rendered again.
    const other = values('demo-dr', '{"a":2}');
    expect(renderCache('/bin/helm', args(other), other).read()).toBeUndefined();
    expect(renderCache('/bin/helm', [...args(second), '--skip-tests'], second).read()).toBeUndefined();
    expect(renderCache('/other/helm', args(second), second).read()).toBeUndefined();
  });

  test('without the run’s directory nothing is kept', () => {
    delete process.env.SAMOKODER_VERIFY_HELM_CACHE;
    const file = values('demo-solo', '{"solo":true}');
    renderCache('/bin/helm', args(file), file).write(pair);
    expect(renderCache('/bin/helm', args(file), file).read()).toBeUndefined();
  });
});
