import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { ApiObject, Chart } from 'cdk8s';
import { AppNamespace, Dependency, GitOpsRepository, PlatformCloud, PlatformContract, ProductionApp } from 'samokoder-infra';

let out: string;
// Each test's output in a directory of its own: the record of Applications (gitops.lock.json) is written beside it.
beforeEach(() => {
  out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-')), 'dist');
  fs.mkdirSync(out);
});
afterEach(() => fs.rmSync(path.dirname(out), { recursive: true, force: true }));

function team(props: Partial<ConstructorParameters<typeof GitOpsRepository>[0]> = {}) {
  const repo = new GitOpsRepository({ repoURL: 'https://git.acme.dev/payments/gitops.git', ...props });
  const prod = repo.manifests('production');
  new AppNamespace(new Chart(prod, 'namespace'), 'Namespace', {
    name: 'billing',
    budget: { pods: 10, cpuRequestMillis: 4000, memoryRequestMiB: 8192, memoryLimitMiB: 8192 },
  });
  new ProductionApp(prod, 'billing', {
    name: 'billing',
    namespace: 'billing',
    createNamespace: false,
    image: 'ghcr.io/acme/billing:2.3.1',
  });
  return repo;
}
const read = (file: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(out, file), 'utf8')).map((d) => d.toJSON());

describe('GitOpsRepository: an output that drops Applications (gitops.lock.json)', () => {
  const lockOf = () => path.join(path.dirname(out), 'gitops.lock.json');
  const twoClusters = (props: Partial<ConstructorParameters<typeof GitOpsRepository>[0]> = {}, clusters = ['prod-eu', 'prod-us']) => {
    const repo = team(props);
    for (const name of clusters) repo.cluster({ name, manifests: 'production', namespace: 'billing' });
    return repo;
  };

  test('the first output records its Applications beside the output directory', () => {
    twoClusters().synth(out);
    expect(JSON.parse(fs.readFileSync(lockOf(), 'utf8'))).toEqual({
      applications: [
        'billing-prod-eu',
        'billing-prod-us',
        'billing-root-prod-eu',
        'billing-root-prod-us',
        'namespace-prod-eu',
        'namespace-prod-us',
      ],
    });
  });

  test('dropping Applications is refused, naming them, and nothing is written; acknowledged, it goes through', () => {
    twoClusters().synth(out);
    const before = fs.readFileSync(path.join(out, 'argocd/prod-us/apps.k8s.yaml'), 'utf8');
    expect(() => twoClusters({}, ['prod-eu']).synth(out)).toThrow(
      `[GitOpsRepository] 'acknowledgeRemovals' ([]) lacks billing-prod-us, billing-root-prod-us, namespace-prod-us: they are in gitops.lock.json (the last output) and gone from this output, so the root would prune them and Argo CD everything they deployed. Name them in acknowledgeRemovals to remove them on purpose`,
    );
    expect(fs.readFileSync(path.join(out, 'argocd/prod-us/apps.k8s.yaml'), 'utf8')).toBe(before);
    twoClusters({ acknowledgeRemovals: ['billing-prod-us', 'billing-root-prod-us', 'namespace-prod-us'] }, ['prod-eu']).synth(out);
    expect(JSON.parse(fs.readFileSync(lockOf(), 'utf8')).applications).toEqual([
      'billing-prod-eu',
      'billing-root-prod-eu',
      'namespace-prod-eu',
    ]);
    // Adding Applications needs nothing.
    twoClusters().synth(out);
  });

  test('turned off, nothing is recorded; a record this library did not write is refused', () => {
    twoClusters({ applicationsLock: false }).synth(out);
    expect(fs.existsSync(lockOf())).toBe(false);
    fs.writeFileSync(lockOf(), '{"apps": 1}');
    expect(() => twoClusters().synth(out)).toThrow(
      `[GitOpsRepository] 'applicationsLock' (${lockOf()}) is not a record this library wrote ({"applications": [names]}): restore it from Git`,
    );
    expect(() => team({ applicationsLock: '../x.json' })).toThrow(
      `[GitOpsRepository] 'applicationsLock' ("../x.json") must be a relative file path without .. (or false)`,
    );
  });
});

describe('GitOpsRepository: where it writes', () => {
  test('an output directory that holds the working directory (or is the root or home) is refused: synth replaces it', () => {
    const repo = team();
    repo.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
    const cwd = process.cwd();
    for (const dir of ['.', '..', '/', os.homedir(), path.dirname(cwd)]) {
      expect(() => repo.synth(dir)).toThrow(
        `[GitOpsRepository] 'outdir' (${JSON.stringify(path.resolve(dir))}) would replace the working directory, one above it, the file system root or the home directory: synth empties its output directory, so name one of its own (CDK8S_OUTDIR or cdk8s.yaml output, e.g. dist)`,
      );
    }
    expect(fs.existsSync(path.join(cwd, 'package.json'))).toBe(true);
  });

  test('the output is swapped in whole: nothing half-written beside it, the previous output gone', () => {
    const repo = team();
    repo.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
    fs.writeFileSync(path.join(out, 'stale.yaml'), 'from an older output');
    repo.synth(out);
    expect(fs.existsSync(path.join(out, 'stale.yaml'))).toBe(false);
    expect(fs.readdirSync(path.dirname(out)).sort()).toEqual(['dist', 'gitops.lock.json']);
  });
});

describe('GitOpsRepository', () => {
  test("writes the team's charts in the GitOps layout and an app of apps whose every path exists", () => {
    const repo = team({ path: 'deploy' });
    repo.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
    const files = repo.synth(out).map((f) => f.file);
    expect(files).toEqual([
      'production/namespace/namespace.k8s.yaml',
      'production/billing/billing.k8s.yaml',
      'argocd/prod-eu/apps.k8s.yaml',
      'argocd/bootstrap/prod-eu.k8s.yaml',
    ]);
    const apps = read('argocd/prod-eu/apps.k8s.yaml').filter((o) => o.kind === 'Application');
    // Default apps: the set's charts in creation order, the namespace first; paths under `path`, revision 'main'.
    expect(apps.map((a) => [a.metadata.name, a.spec.source.path, a.spec.source.targetRevision])).toEqual([
      ['namespace-prod-eu', 'deploy/production/namespace', 'main'],
      ['billing-prod-eu', 'deploy/production/billing', 'main'],
    ]);
    for (const a of apps) expect(fs.existsSync(path.join(out, a.spec.source.path.replace(/^deploy\//, '')))).toBe(true);
    const root = read('argocd/bootstrap/prod-eu.k8s.yaml').find((o) => o.kind === 'Application');
    expect(root.spec.source).toMatchObject({ repoURL: 'https://git.acme.dev/payments/gitops.git', path: 'deploy/argocd/prod-eu' });
    // No absolute path and nothing of the library's reference deployment in a team's output.
    const text = files.map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join('\n');
    expect(text).not.toContain(out);
    // (the library's own name and label domain excepted)
    expect(text.replace(/samokoder-infra|samokoder\.dev\//g, '').toLowerCase()).not.toContain('samokoder');
  });

  test('with a platform layer, its files too; under cdk8s synth, CDK8S_OUTDIR is where it writes', () => {
    const repo = team();
    repo.cluster({
      name: 'prod-eu',
      manifests: 'production',
      namespace: 'billing',
      platform: { cloud: PlatformCloud.aws({ region: 'eu-central-1' }), acmeEmail: 'oncall@acme.dev' },
    });
    const before = process.env.CDK8S_OUTDIR;
    process.env.CDK8S_OUTDIR = out;
    try {
      expect(repo.synth().map((f) => f.file)).toContain('platform/prod-eu/config.k8s.yaml');
    } finally {
      if (before === undefined) delete process.env.CDK8S_OUTDIR;
      else process.env.CDK8S_OUTDIR = before;
    }
    const platformApps = read('argocd/prod-eu/platform.k8s.yaml').filter((o) => o.kind === 'Application');
    // The platform's config Application syncs exactly the directory the config chart was written to.
    expect(platformApps.map((a) => a.spec.source?.path)).toContain('dist/platform/prod-eu');
  });

  describe("a team on a shared cluster: the platform layer and the Gateway are another repository's (writePlatform: false)", () => {
    const contract: PlatformContract = {
      environment: 'production',
      region: 'eu-central-1',
      clusterName: 'billing-production',
      kubernetesVersion: '1.35',
      namespace: 'billing',
      serviceAccounts: ['billing'],
      connectionSecretName: 'billing/production/connection',
      podIdentities: [
        { namespace: 'billing', serviceAccount: 'billing' },
        { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
      ],
      secretEntries: ['billing/production/connection'],
      dataSubnetCidrs: ['10.40.108.0/24'],
      dataTier: [{ name: 'postgres', cidrs: ['10.40.108.0/24'], port: 5432 }],
      secretPrefix: 'billing/production/',
    };
    const shared = (options: { createNamespace?: boolean } = {}) => {
      const repo = new GitOpsRepository({ repoURL: 'https://git.acme.dev/payments/gitops.git' });
      const prod = repo.manifests('production');
      if (options.createNamespace === false) {
        new AppNamespace(new Chart(prod, 'namespace'), 'Namespace', {
          name: 'billing',
          budget: { pods: 10, cpuRequestMillis: 4000, memoryRequestMiB: 8192, memoryLimitMiB: 8192 },
        });
      }
      new ProductionApp(prod, 'billing', {
        name: 'billing',
        image: 'ghcr.io/acme/billing:2.3.1',
        host: 'billing.acme.dev',
        platform: contract,
        createNamespace: options.createNamespace,
        dependencies: Dependency.dataTier(contract),
      });
      repo.cluster({
        name: 'prod-eu',
        manifests: 'production',
        namespace: 'billing',
        contract,
        platform: { cloud: PlatformCloud.aws({ region: 'eu-central-1' }), acmeEmail: 'oncall@acme.dev' },
        writePlatform: false,
      });
      return repo;
    };

    test('the platform is described for the wiring check, not written, nor recorded in gitops.lock.json', () => {
      const files = shared()
        .synth(out)
        .map((f) => f.file);
      expect(files.filter((f) => f.startsWith('platform/') || f.endsWith('platform.k8s.yaml'))).toEqual([]);
      const lock = JSON.parse(fs.readFileSync(path.join(path.dirname(out), 'gitops.lock.json'), 'utf8'));
      expect(lock.applications).toEqual(['billing-prod-eu', 'billing-root-prod-eu']);
    });

    test("a team namespace without the Gateway's admission label is refused, with the label and the fix", () => {
      expect(() => shared({ createNamespace: false }).synth(out)).toThrow(
        `[wiring prod-eu] HTTPRoute billing/billing-api: namespace "billing" is not admitted by the platform's Gateway gateway-system/public, which admits namespaces labelled gateway-access.samokoder.dev/public=true: "billing" does not carry it, so the route would never attach (create the namespace with AppNamespace's gatewayAccess: ['public'], or let ProductionApp create it)`,
      );
    });
  });

  test('nothing is written when the policy pack refuses a chart', () => {
    const repo = team();
    new ApiObject(new Chart(repo.manifests('production'), 'exposed'), 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'exposed', namespace: 'billing' },
      spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] },
    });
    repo.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
    fs.writeFileSync(path.join(out, 'keep.txt'), 'previous output');
    expect(() => repo.synth(out)).toThrow('SK-K8S-015');
    expect(fs.readdirSync(out)).toEqual(['keep.txt']);
  });

  test.each<[string, (r: GitOpsRepository) => unknown]>([
    [
      `[GitOpsRepository] 'repoURL' ("") is required: the URL of the GitOps repository Argo CD reads`,
      () => new GitOpsRepository({ repoURL: '' }),
    ],
    [
      `[GitOpsRepository] 'path' ("../gitops") must be a relative directory inside the repository (letters, digits, . _ - /; no ..)`,
      () => new GitOpsRepository({ repoURL: 'https://git.acme.dev/x.git', path: '../gitops' }),
    ],
    [`[GitOpsRepository] 'manifests' ("argocd") is reserved for the Argo CD and platform directories`, (r) => r.manifests('argocd')],
    [
      `[GitOpsRepository] 'repoURL' ("<redacted>") holds credentials (user:token@): register the repository with Argo CD (a repository Secret) and write the URL without them`,
      () => new GitOpsRepository({ repoURL: 'https://oauth2:glpat-abcdefghijklmnopqrstuvwx@gitlab.com/acme/gitops.git' }),
    ],
    [
      `[GitOpsRepository] 'repoURL' ("http://git.acme.dev/x.git") is not a repository URL: use https://host/org/repo.git, ssh://… or git@host:org/repo.git`,
      () => new GitOpsRepository({ repoURL: 'http://git.acme.dev/x.git' }),
    ],
    [
      `[GitOpsRepository] 'targetRevision' ("feature branch") must be a branch, tag or commit such as "main", "v1.4.2" or "release/2026-11" (git check-ref-format)`,
      () => new GitOpsRepository({ repoURL: 'https://git.acme.dev/x.git', targetRevision: 'feature branch' }),
    ],
    [
      `[GitOpsRepository/prod-eu] 'manifests' ("staging") names no manifest set (it has: production)`,
      (r) => r.cluster({ name: 'prod-eu', manifests: 'staging', namespace: 'billing' }),
    ],
    [
      `[GitOpsRepository/prod-eu] 'name' ("prod-eu") is already a cluster of this repository`,
      (r) => {
        r.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
        r.cluster({ name: 'prod-eu', manifests: 'production', namespace: 'billing' });
      },
    ],
  ])('%s', (message, act) => {
    expect(() => act(team())).toThrow(message);
  });
});

describe('unusual but valid sources', () => {
  test.each([
    ['ssh://git@git.acme.dev:2222/platform/gitops.git', 'release/2026-11'],
    ['git@git.acme.dev:platform/gitops.git', 'v1.4.2'],
    ['https://git.acme.dev/x.git', '4f2c1e9a8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e'],
  ])('%s at %s', (repoURL, targetRevision) => {
    expect(() => new GitOpsRepository({ repoURL, targetRevision })).not.toThrow();
  });
});
