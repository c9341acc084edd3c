import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { PlatformContract } from '../common/contract';
import { invalidProp, ValidationError } from '../common/errors';
import { requireDnsLabel } from '../common/validate';
import { ClusterPlatform, ClusterPlatformProps } from '../platform/cluster-platform';
import { assertPlatformWiring, ExternalNames } from '../platform/wiring';
import { PolicyPack } from '../policy/policy-pack';
import { renderCharts } from '../private/render';
import { saveManifests } from '../private/yaml';
import { AppOfApps, AppOfAppsProps } from '../delivery/app-of-apps';
import { _requireRepoUrl, _requireRevision, GitSource } from '../delivery/argocd';
import { ArgoCdHub, ArgoCdHubProps } from '../delivery/argocd-hub';
import { _AllKeys, _checkLists, _checkProps } from '../common/props';

/** Props for {@link GitOpsRepository}. */
export interface GitOpsRepositoryProps {
  /** The GitOps repository Argo CD reads: `https://…`, `ssh://…` or `git@host:org/repo.git`. */
  readonly repoURL: string;
  /** Branch, tag or commit Argo CD follows. @default 'main' */
  readonly targetRevision?: string;
  /**
   * Directory of the manifests inside the repository, and the directory `synth()` writes (unless `cdk8s synth` names
   * another through CDK8S_OUTDIR: keep `output` in cdk8s.yaml equal to it). Relative, without `..`.
   * @default 'dist'
   */
  readonly path?: string;
  /** Run the policy pack on every chart before anything is written. @default true */
  readonly policyPack?: boolean;
  /**
   * A file that records the Argo CD Applications of the last output (commit it with the output). `synth()` refuses an
   * output that drops an Application listed there unless `acknowledgeRemovals` names it: the root would prune the
   * Application, and the Application everything it deployed. Relative to the directory that holds the output
   * directory (the repository root for `dist`: `cdk8s synth` empties the output directory before the program runs, so
   * the record lives beside it). `false` turns the check off. @default 'gitops.lock.json'
   */
  readonly applicationsLock?: string | false;
  /** Applications removed on purpose (their names), for the `applicationsLock` check. @default [] */
  readonly acknowledgeRemovals?: string[];
}

/** One cluster Argo CD deploys to: which manifest set it runs, and optionally its platform layer. */
export interface GitOpsClusterOptions {
  /** Name of the cluster in Argo CD (`argocd cluster add <context> --name <name>`). */
  readonly name: string;
  /** The manifest set it runs (see {@link GitOpsRepository.manifests}). */
  readonly manifests: string;
  /** Namespace of the apps (unless an entry of `apps` names its own). */
  readonly namespace: string;
  /** Apps in sync order (the namespace first). @default - the set's charts, in the order they were created */
  readonly apps?: AppOfAppsProps['apps'];
  /** Team name of the Argo CD projects. @default - the namespace */
  readonly team?: string;
  /**
   * The cluster's platform layer (controllers, CRDs, GatewayClass, issuer, secret store), written to
   * `<path>/argocd/<cluster>/platform.k8s.yaml` and `<path>/platform/<cluster>/config.k8s.yaml`.
   * @default - none: the platform is installed another way
   */
  readonly platform?: Omit<ClusterPlatformProps, 'cluster' | 'source' | 'configPath'>;
  /**
   * Write the platform layer (`platform`) into this repository. `false` for a team's repository on a shared cluster
   * whose platform layer and Gateway another repository installs: `platform` then describes that platform for the
   * wiring check only (its secret store, GatewayClass, issuer, proxies, Prometheus, and the shared Gateway, whose
   * admission label the check asks of the team's namespace), and nothing of it is written.
   * @default true
   */
  readonly writePlatform?: boolean;
  /**
   * The cloud stack's contract for this cluster: with a platform layer, `synth()` checks that every name the
   * manifests consume is produced by the stack or the platform (see `assertPlatformWiring`) before writing.
   * @default - not checked
   */
  readonly contract?: PlatformContract;
  /** Names the wiring check accepts as made outside. @default - none */
  readonly external?: ExternalNames;
}

/** One file `synth()` writes: its path under the output directory, and the chart it holds. */
export interface GitOpsFile {
  readonly file: string;
  readonly chart: Chart;
  /**
   * The objects written to the file, as rendered (set by {@link GitOpsRepository.synth}): read them instead of
   * calling `chart.toJson()` again, which prepares and validates the whole app once more.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
  readonly objects?: any[];
}

/** What {@link GitOpsRepository.cluster} made. */
export interface GitOpsClusterParts {
  readonly appOfApps: AppOfApps;
  readonly platform?: ClusterPlatform;
}

const GITOPS_REPOSITORY_PROPS = ['repoURL', 'targetRevision', 'path', 'policyPack', 'applicationsLock', 'acknowledgeRemovals'] as const;
const GITOPS_CLUSTER_OPTIONS = [
  'name',
  'manifests',
  'namespace',
  'apps',
  'team',
  'platform',
  'writePlatform',
  'contract',
  'external',
] as const;

/**
 * A team's GitOps repository as code: manifest sets (one cdk8s App each) written to `<path>/<set>/<chart>/<chart>.k8s.yaml`,
 * and per cluster the Argo CD app of apps that syncs exactly those paths (`<path>/argocd/<cluster>/`, the root in
 * `<path>/argocd/bootstrap/<cluster>.k8s.yaml`) and, optionally, its platform layer. `synth()` validates everything
 * (the policy pack, the wiring with the cloud contract), renders once, and only then replaces the output directory,
 * so it works the same under `cdk8s synth` (which runs the program and reads CDK8S_OUTDIR) and from a plain script.
 *
 * ```ts
 * const repo = new GitOpsRepository({ repoURL: 'https://git.acme.dev/platform/gitops.git' });
 * new ProductionApp(repo.manifests('production'), 'billing', { name: 'billing', image: 'ghcr.io/acme/billing:2.3.1' });
 * repo.cluster({ name: 'production', manifests: 'production', namespace: 'billing' });
 * repo.synth();
 * ```
 */
export class GitOpsRepository {
  /** The repository and revision every Application reads. */
  public readonly source: Required<GitSource>;
  /** Directory of the manifests in the repository. */
  public readonly path: string;
  private readonly sets = new Map<string, App>();
  private readonly argocd = new App();
  private readonly clusters: Array<{ options: GitOpsClusterOptions; parts: GitOpsClusterParts }> = [];
  private readonly files: GitOpsFile[] = [];
  private readonly policyPack: boolean;
  private readonly lock: string | false;
  private readonly acknowledged: readonly string[];
  private hubParts: ArgoCdHub | undefined;

  constructor(props: GitOpsRepositoryProps) {
    const where = 'GitOpsRepository';
    _checkProps<_AllKeys<GitOpsRepositoryProps, typeof GITOPS_REPOSITORY_PROPS>>(
      where,
      'GitOpsRepository',
      props,
      GITOPS_REPOSITORY_PROPS,
      ['repoURL'] as const,
    );
    _checkLists(where, props, ['acknowledgeRemovals']);
    if (typeof props?.repoURL !== 'string' || props.repoURL === '') {
      throw invalidProp(where, 'repoURL', props?.repoURL, 'is required: the URL of the GitOps repository Argo CD reads');
    }
    _requireRepoUrl(where, 'repoURL', props.repoURL);
    this.source = { repoURL: props.repoURL, targetRevision: _requireRevision(where, 'targetRevision', props.targetRevision ?? 'main') };
    const p = props.path ?? 'dist';
    if (path.isAbsolute(p) || p.split('/').includes('..') || !/^[A-Za-z0-9._/-]+$/.test(p)) {
      throw invalidProp(where, 'path', p, 'must be a relative directory inside the repository (letters, digits, . _ - /; no ..)');
    }
    this.path = p.replace(/\/+$/, '');
    this.policyPack = props.policyPack ?? true;
    const lock = props.applicationsLock ?? 'gitops.lock.json';
    if (lock !== false && (typeof lock !== 'string' || lock === '' || path.isAbsolute(lock) || lock.split('/').includes('..'))) {
      throw invalidProp(where, 'applicationsLock', lock, 'must be a relative file path without .. (or false)');
    }
    this.lock = lock;
    this.acknowledged = (props.acknowledgeRemovals ?? []).map((n, i) => requireDnsLabel(where, `acknowledgeRemovals[${i}]`, n, 253));
  }

  /** The cdk8s App of a manifest set (created on first use): its charts are written to `<path>/<name>/<chart>/`. */
  public manifests(name: string): App {
    requireDnsLabel('GitOpsRepository', 'manifests', name);
    if (name === 'argocd' || name === 'platform') {
      throw invalidProp('GitOpsRepository', 'manifests', name, 'is reserved for the Argo CD and platform directories');
    }
    let app = this.sets.get(name);
    if (!app) {
      app = new App();
      this.sets.set(name, app);
    }
    return app;
  }

  /** A cluster: its app of apps (and platform layer) syncing the manifest set it runs. */
  public cluster(options: GitOpsClusterOptions): GitOpsClusterParts {
    _checkProps<_AllKeys<GitOpsClusterOptions, typeof GITOPS_CLUSTER_OPTIONS>>(
      `GitOpsRepository/${String(options?.name)}`,
      'GitOpsRepository.cluster()',
      options,
      GITOPS_CLUSTER_OPTIONS,
      ['name', 'manifests', 'namespace'] as const,
    );
    const set = this.sets.get(options.manifests);
    if (!set) {
      throw invalidProp(
        `GitOpsRepository/${options.name}`,
        'manifests',
        options.manifests,
        `names no manifest set (it has: ${[...this.sets.keys()].join(', ') || 'none'})`,
      );
    }
    if (options.apps === undefined && set.charts.length === 0) {
      throw invalidProp(
        `GitOpsRepository/${options.name}`,
        'manifests',
        options.manifests,
        "has no charts yet: add the set's charts before its clusters (or list the cluster's 'apps')",
      );
    }
    // `<path>/argocd/<cluster>/` sits beside the bootstrap and hub directories.
    if (options.name === 'bootstrap' || options.name === 'hub') {
      throw invalidProp(
        `GitOpsRepository/${options.name}`,
        'name',
        options.name,
        `names a directory of the Argo CD output (${this.path}/argocd/${options.name}/): name the cluster otherwise`,
      );
    }
    if (this.clusters.some((c) => c.options.name === options.name)) {
      throw invalidProp(`GitOpsRepository/${options.name}`, 'name', options.name, 'is already a cluster of this repository');
    }
    // A cluster's platform layer is the sibling `<cluster>-platform` of the clusters' apps of apps.
    const owner = this.clusters.find((c) => c.options.platform && `${c.options.name}-platform` === options.name);
    if (owner) {
      throw invalidProp(
        `GitOpsRepository/${options.name}`,
        'name',
        options.name,
        `is the id of the platform layer of cluster ${owner.options.name}: name the cluster otherwise`,
      );
    }
    if (options.platform && this.clusters.some((c) => c.options.name === `${options.name}-platform`)) {
      throw invalidProp(
        `GitOpsRepository/${options.name}`,
        'name',
        options.name,
        `gives its platform layer the id ${options.name}-platform, the name of another cluster of this repository: name the cluster otherwise`,
      );
    }
    const platform = options.platform
      ? new ClusterPlatform(this.argocd, `${options.name}-platform`, {
          ...options.platform,
          cluster: options.name,
          source: this.source,
          configPath: `${this.path}/platform/${options.name}`,
        })
      : undefined;
    const appOfApps = new AppOfApps(this.argocd, options.name, {
      source: this.source,
      cluster: { name: options.name, environment: options.manifests },
      namespace: options.namespace,
      apps: options.apps ?? set.charts.map((c) => ({ name: c.node.id, namespace: c.namespace ?? options.namespace })),
      team: options.team,
      manifestsRoot: this.path,
    });
    if (platform && (options.writePlatform ?? true)) {
      this.files.push({ file: path.join('argocd', options.name, 'platform.k8s.yaml'), chart: platform.applications });
      this.files.push({ file: path.join('platform', options.name, 'config.k8s.yaml'), chart: platform.config });
    }
    this.files.push({ file: path.join('argocd', options.name, 'apps.k8s.yaml'), chart: appOfApps.children });
    this.files.push({ file: path.join('argocd', 'bootstrap', `${options.name}.k8s.yaml`), chart: appOfApps.bootstrap });
    const parts = { appOfApps, platform };
    this.clusters.push({ options, parts });
    return parts;
  }

  /**
   * The Argo CD hub's own configuration (see {@link ArgoCdHub}): `argocd-cm` with the Application health check the
   * roots' sync waves need, and the repository and cluster registrations, written to `<path>/argocd/hub/config.k8s.yaml`.
   * `synth()` then checks that every cluster an Application of this repository deploys to is registered.
   */
  public hub(props: ArgoCdHubProps): ArgoCdHub {
    if (this.hubParts) throw invalidProp('GitOpsRepository/hub', 'hub', 'hub', 'is already declared: a repository writes one hub');
    this.hubParts = new ArgoCdHub(this.argocd, 'hub', props);
    this.files.push({ file: path.join('argocd', 'hub', 'config.k8s.yaml'), chart: this.hubParts.config });
    return this.hubParts;
  }

  /**
   * Validates, renders and writes every file; returns them (paths relative to the output directory). Nothing is
   * written when anything is invalid.
   */
  // eslint-disable-next-line no-restricted-syntax -- the cdk8s CLI's contract with a program: it names the output directory in CDK8S_OUTDIR
  public synth(outdir: string = process.env.CDK8S_OUTDIR ?? this.path): GitOpsFile[] {
    // synth replaces its output directory: never one that holds the working directory, the root or the home.
    const resolved = path.resolve(outdir);
    const cwd = process.cwd();
    if (
      resolved === path.parse(resolved).root ||
      resolved === os.homedir() ||
      cwd === resolved ||
      cwd.startsWith(`${resolved}${path.sep}`)
    ) {
      throw invalidProp(
        'GitOpsRepository',
        'outdir',
        resolved,
        'would replace the working directory, one above it, the file system root or the home directory: synth empties its output directory, so name one of its own (CDK8S_OUTDIR or cdk8s.yaml output, e.g. dist)',
      );
    }
    const apps = [...this.sets.values(), this.argocd];
    if (this.policyPack) apps.forEach((a) => PolicyPack.enforce(a));
    const rendered = new Map(apps.flatMap((a) => renderCharts(a)).map((r) => [r.chart, r.objects]));
    for (const { options: c, parts } of this.clusters) {
      if (!c.contract) continue;
      if (!parts.platform) {
        throw new ValidationError(
          `[GitOpsRepository/${c.name}] 'contract' needs 'platform': the wiring check compares the stack with the platform layer`,
        );
      }
      // The cluster's apps and its platform layer's own objects (the controllers' identities and policies).
      const objects = [
        ...this.sets.get(c.manifests)!.charts.flatMap((chart) => rendered.get(chart)!),
        ...(rendered.get(parts.platform.config) ?? []),
      ];
      assertPlatformWiring({ cluster: c.name, contract: c.contract, platform: parts.platform, objects, external: c.external });
    }
    const applications = [
      ...new Set(
        // The Applications written (a platform layer described for the wiring check only is not).
        this.files.flatMap((f) =>
          (rendered.get(f.chart) ?? []).filter((o) => o.kind === 'Application').map((o) => String(o.metadata.name)),
        ),
      ),
    ].sort();
    if (this.hubParts) {
      const registered = this.hubParts.clusterNames;
      for (const f of this.files) {
        for (const o of rendered.get(f.chart) ?? []) {
          const cluster = o.kind === 'Application' ? String(o.spec?.destination?.name) : undefined;
          if (cluster === undefined || cluster === 'in-cluster' || registered.includes(cluster)) continue;
          throw invalidProp(
            'GitOpsRepository/hub',
            'clusters',
            [...registered],
            `lacks "${cluster}", the destination of Application ${o.metadata.name} (${f.file}): Argo CD would refuse to sync it (cluster not found); register it with ArgoCdCluster.eks() or .bearerToken()`,
          );
        }
      }
    }
    const lock = this.lock === false ? undefined : path.join(path.dirname(path.resolve(outdir)), this.lock);
    const recorded = lock && fs.existsSync(lock) ? readLock(lock) : undefined;
    const dropped = (recorded ?? []).filter((a) => !applications.includes(a) && !this.acknowledged.includes(a));
    if (dropped.length) {
      throw invalidProp(
        'GitOpsRepository',
        'acknowledgeRemovals',
        [...this.acknowledged],
        `lacks ${dropped.join(', ')}: ${dropped.length === 1 ? 'it is' : 'they are'} in ${this.lock} (the last output) and gone from this output, so the root would prune ${dropped.length === 1 ? 'it' : 'them'} and Argo CD everything ${dropped.length === 1 ? 'it' : 'they'} deployed. Name ${dropped.length === 1 ? 'it' : 'them'} in acknowledgeRemovals to remove ${dropped.length === 1 ? 'it' : 'them'} on purpose`,
      );
    }
    const files: GitOpsFile[] = [
      ...[...this.sets.entries()].flatMap(([set, app]) =>
        app.charts.map((chart) => ({ file: path.join(set, chart.node.id, `${chart.node.id}.k8s.yaml`), chart })),
      ),
      ...this.files,
    ];
    // Written beside the output directory, then swapped in: a failure half-way leaves the previous output whole.
    const target = path.resolve(outdir);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const staging = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.new-`));
    try {
      for (const { file, chart } of files) {
        fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
        saveManifests(path.join(staging, file), rendered.get(chart)!);
      }
    } catch (e) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    const previous = fs.existsSync(target) ? `${staging.replace(/\.new-/, '.old-')}` : undefined;
    if (previous) fs.renameSync(target, previous);
    fs.renameSync(staging, target);
    if (previous) fs.rmSync(previous, { recursive: true, force: true });
    if (lock) {
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      fs.writeFileSync(lock, `${JSON.stringify({ applications }, null, 2)}\n`);
    }
    return files.map((f) => ({ ...f, objects: rendered.get(f.chart)! }));
  }
}

/** The Applications an `applicationsLock` file records. */
function readLock(file: string): string[] {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (Array.isArray(parsed?.applications) && parsed.applications.every((a: unknown) => typeof a === 'string')) return parsed.applications;
  } catch {
    // reported below
  }
  throw new ValidationError(
    `[GitOpsRepository] 'applicationsLock' (${file}) is not a record this library wrote ({"applications": [names]}): restore it from Git`,
  );
}
