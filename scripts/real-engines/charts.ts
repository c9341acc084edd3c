/**
 * The platform layer's upstream sources as Argo CD would sync them, offline: the Helm charts at the Git tags that
 * released the pinned chart versions and the upstream CRD directories whole (../shared/real-engines/charts/, with
 * SOURCES.tsv naming repository, tag, path and sha256 of each tarball).
 *
 * A Git tag is not the published chart; what the release tooling adds is done here, each step named:
 * - placeholder `version`/`appVersion` in Chart.yaml (cert-manager keeps v0.0.0, gateway-helm v0.0.0-latest) are
 *   set to the pinned version, as their release jobs do (cert-manager's `make helm-chart` sets both to the release
 *   tag; Envoy Gateway's tools/make/helm.mk `helm-package` passes --version and --app-version);
 * - gateway-helm ships values.tmpl.yaml; its release fills the control-plane image with envsubst
 *   (`GatewayImage=docker.io/envoyproxy/gateway:<tag>`, `GatewayImagePullPolicy=IfNotPresent`, tools/make/helm.mk);
 * - remote subcharts are placed under the chart's charts/ (kube-prometheus-stack's kube-state-metrics,
 *   prometheus-node-exporter, prometheus-windows-exporter and grafana, at the versions its Chart.yaml pins), and a
 *   dependency whose chart is not in the set is dropped (external-secrets' bitwarden-sdk-server, off by default).
 *
 * Then `helm template` renders an Application the way Argo CD's repo server does (see renderArgs).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { cacheDir, realEnginesDir, run } from './engines';
import { K8sObject, loadYamlText, matchesInclude, yamlFiles } from './gitops';

export interface ChartSource {
  /** The tarball's name, and the directory it unpacks to: `<chart>-<version>` or `<repo>-<tag>-<path>`. */
  readonly name: string;
  /** GitHub repository (owner/name). */
  readonly repository: string;
  readonly tag: string;
  /** Path inside the repository. */
  readonly path: string;
  readonly sha256: string;
}

export function chartSources(dir = path.join(realEnginesDir(), 'charts')): ChartSource[] {
  return fs
    .readFileSync(path.join(dir, 'SOURCES.tsv'), 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const [name, repository, tag, p, sha256] = l.split('\t');
      return { name, repository, tag, path: p, sha256 };
    });
}

/**
 * Where each Helm repository of the platform layer publishes its charts from (the GitHub repository whose tags
 * release them). A chart Application from a repository not listed here cannot be rendered offline.
 */
export const CHART_REPOSITORIES: Readonly<Record<string, string>> = {
  'https://charts.jetstack.io': 'cert-manager/cert-manager',
  'https://charts.external-secrets.io': 'external-secrets/external-secrets',
  'https://argoproj.github.io/argo-helm': 'argoproj/argo-helm',
  'https://prometheus-community.github.io/helm-charts': 'prometheus-community/helm-charts',
  'https://grafana-community.github.io/helm-charts': 'grafana-community/helm-charts',
  // Envoy Gateway publishes gateway-helm only as an OCI artifact (oci://docker.io/envoyproxy/gateway-helm).
  'docker.io/envoyproxy': 'envoyproxy/gateway',
  'oci://docker.io/envoyproxy': 'envoyproxy/gateway',
  'registry-1.docker.io/envoyproxy': 'envoyproxy/gateway',
};

/** The tarballs unpacked once per machine (keyed by SOURCES.tsv's content), each checked against its sha256. */
export function unpackedSources(dir = path.join(realEnginesDir(), 'charts')): string {
  const key = createHash('sha256')
    .update(fs.readFileSync(path.join(dir, 'SOURCES.tsv')))
    .digest('hex')
    .slice(0, 16);
  const root = path.join(cacheDir('charts'), key);
  if (fs.existsSync(root)) return root;
  // Unpacked beside and renamed into place: parts of verify:k8s run side by side and may both get here first.
  const tmp = fs.mkdtempSync(`${root}.tmp-`);
  for (const s of chartSources(dir)) {
    const tarball = path.join(dir, `${s.name}.tar.xz`);
    const sum = createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
    if (sum !== s.sha256) throw new Error(`${tarball}: sha256 ${sum}, SOURCES.tsv says ${s.sha256}`);
    const r = run('tar', ['-xJf', tarball, '-C', tmp]);
    if (r.status !== 0) throw new Error(`unpacking ${tarball}: ${r.stderr}`);
  }
  publish(tmp, root);
  return root;
}

/** Moves a finished directory into place; when another process was first, keeps theirs. */
function publish(tmp: string, target: string): void {
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw e;
  }
}

/** Rewrites top-level scalar fields of a Chart.yaml (keeping the rest as written). */
function setChartFields(file: string, fields: Record<string, string>, dropDependencies: (name: string) => boolean): void {
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  for (const [k, v] of Object.entries(fields)) doc.set(k, v);
  const deps = doc.get('dependencies') as { items?: Array<{ get(k: string): unknown }> } | undefined;
  if (deps?.items) deps.items = deps.items.filter((d) => !dropDependencies(String(d.get('name'))));
  fs.writeFileSync(file, doc.toString());
}

/**
 * The chart `chart` at `version` as its release publishes it, in a directory of its own (prepared once per machine).
 * Throws when the chart is not among the sources.
 */
export function preparedChart(chart: string, version: string, sourcesDir?: string): string {
  const root = unpackedSources(sourcesDir);
  const sources = chartSources(sourcesDir);
  const source = sources.find((s) => s.name === `${chart}-${version}`);
  if (!source)
    throw new Error(`chart ${chart}@${version} is not among the pinned chart sources (${sources.map((s) => s.name).join(', ')})`);
  const final = path.join(root, 'prepared', source.name);
  if (fs.existsSync(final)) return final;
  fs.mkdirSync(path.dirname(final), { recursive: true });
  const target = fs.mkdtempSync(`${final}.tmp-`);
  fs.cpSync(path.join(root, source.name), target, { recursive: true });
  const chartFile = path.join(target, 'Chart.yaml');
  const meta = parseDocument(fs.readFileSync(chartFile, 'utf8')).toJS() as {
    version?: string;
    appVersion?: string;
    dependencies?: Array<{ name: string; version: string; repository?: string }>;
  };
  const placeholder = (v: string | undefined) => !v || /^v?0\.0\.0(-latest)?$/.test(String(v)) || v === 'latest';
  const fields: Record<string, string> = {};
  if (placeholder(meta.version)) fields.version = version;
  if (placeholder(meta.appVersion)) fields.appVersion = version;
  // Remote subcharts: the pinned sources of the same name and a matching version, else the dependency is dropped.
  const remote = (meta.dependencies ?? []).filter((d) => d.repository && !d.repository.startsWith('file://'));
  const missing = new Set<string>();
  for (const d of remote) {
    const pattern = new RegExp(`^${d.name}-v?${d.version.replace(/\./g, '\\.').replace(/\*/g, '[0-9]+')}$`);
    const sub = sources.find((s) => pattern.test(s.name));
    if (!sub) {
      missing.add(d.name);
      continue;
    }
    fs.cpSync(path.join(root, sub.name), path.join(target, 'charts', d.name), { recursive: true });
  }
  setChartFields(chartFile, fields, (name) => missing.has(name));
  // A lock file names the dropped dependencies: helm refuses a lock out of sync with Chart.yaml.
  if (missing.size) fs.rmSync(path.join(target, 'Chart.lock'), { force: true });
  const template = path.join(target, 'values.tmpl.yaml');
  if (fs.existsSync(template) && !fs.existsSync(path.join(target, 'values.yaml'))) {
    const filled = fs
      .readFileSync(template, 'utf8')
      .replace(/\$\{GatewayImage\}/g, `docker.io/envoyproxy/gateway:${version}`)
      .replace(/\$\{GatewayImagePullPolicy\}/g, 'IfNotPresent');
    if (/\$\{[A-Za-z]+\}/.test(filled))
      throw new Error(`${template}: a placeholder is left unfilled: ${/\$\{[A-Za-z]+\}/.exec(filled)![0]}`);
    fs.writeFileSync(path.join(target, 'values.yaml'), filled);
  }
  publish(target, final);
  return final;
}

/** What the cluster tells `helm template` about itself, as Argo CD passes it (--kube-version, --api-versions). */
export interface ClusterCapabilities {
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
}

/**
 * The `helm template` arguments Argo CD's repo server uses for a Helm source (argo-cd reposerver/repository
 * helmTemplate → util/helm/cmd.go template): the release name (`helm.releaseName`, else the Application's name),
 * `--namespace` the destination namespace, `--kube-version` and `--api-versions` of the destination cluster,
 * `--include-crds` unless `helm.skipCrds`, `--skip-tests` when `helm.skipTests`, then value files, `values` /
 * `valuesObject` (written to a file, after the value files) and `parameters` (--set, --set-string) last.
 */
export function renderArgs(
  application: K8sObject,
  chartDir: string,
  valuesFile: string | undefined,
  cluster: ClusterCapabilities,
): string[] {
  const src = application.spec?.source ?? {};
  const helm = src.helm ?? {};
  const args = [
    'template',
    helm.releaseName ?? application.metadata?.name,
    chartDir,
    '--namespace',
    application.spec?.destination?.namespace ?? 'default',
    '--kube-version',
    cluster.kubeVersion,
  ];
  for (const v of cluster.apiVersions) args.push('--api-versions', v);
  if (!helm.skipCrds) args.push('--include-crds');
  if (helm.skipTests) args.push('--skip-tests');
  for (const f of helm.valueFiles ?? []) args.push('-f', path.join(chartDir, f));
  if (valuesFile) args.push('-f', valuesFile);
  for (const p of helm.parameters ?? []) args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
  return args;
}

export interface RenderedChart {
  readonly objects: K8sObject[];
  /** Why it could not be rendered (empty when it was). */
  readonly problems: string[];
  /** Fields that differ between two renders of the same input, outside the Application's ignoreDifferences. */
  readonly unstable: string[];
}

/**
 * Renders a Helm Application at its pinned chart version, twice: what differs between the two renders (a random
 * password, a generated certificate) makes the Application OutOfSync at every refresh, and self-heal re-applies a
 * new value each time, unless the Application ignores that field.
 */
export function renderHelmApplication(
  helmBin: string,
  application: K8sObject,
  cluster: ClusterCapabilities,
  workDir: string,
  sourcesDir?: string,
): RenderedChart {
  const src = application.spec?.source ?? {};
  const where = `Application ${application.metadata?.name}`;
  const repository = CHART_REPOSITORIES[String(src.repoURL).replace(/\/$/, '')];
  if (!repository) return { objects: [], problems: [`${where}: chart repository ${src.repoURL} has no offline source`], unstable: [] };
  let chartDir: string;
  try {
    chartDir = preparedChart(src.chart, src.targetRevision, sourcesDir);
  } catch (e) {
    return { objects: [], problems: [`${where}: ${(e as Error).message}`], unstable: [] };
  }
  const owner = chartSources(sourcesDir).find((s) => s.name === `${src.chart}-${src.targetRevision}`)!;
  if (owner.repository !== repository)
    return {
      objects: [],
      problems: [`${where}: ${src.repoURL} publishes charts from ${repository}, the pinned ${owner.name} is from ${owner.repository}`],
      unstable: [],
    };
  let valuesFile: string | undefined;
  const helm = src.helm ?? {};
  if (helm.valuesObject || helm.values) {
    valuesFile = path.join(workDir, `${application.metadata?.name}.values.json`);
    const values = helm.valuesObject ?? parseDocument(String(helm.values)).toJS();
    fs.writeFileSync(valuesFile, JSON.stringify(values));
  }
  const args = renderArgs(application, chartDir, valuesFile, cluster);
  const cached = renderCache(helmBin, args, valuesFile);
  let pair = cached.read();
  if (!pair) {
    const renders = [run(helmBin, args), run(helmBin, args)];
    const failed = renders.find((r) => r.status !== 0);
    if (failed) return { objects: [], problems: [`${where}: helm template failed: ${failed.stderr.trim()}`], unstable: [] };
    pair = renders.map((r) => loadYamlText(r.stdout)) as [K8sObject[], K8sObject[]];
    cached.write(pair);
  }
  const [first, second] = pair;
  // unstableFields judges the pair with this Application's own ignoreDifferences, cached or not.
  return { objects: first, problems: [], unstable: unstableFields(application, first, second) };
}

/**
 * Both renders of one `helm template` command line, kept for the run in $SAMOKODER_VERIFY_HELM_CACHE (verify-k8s
 * sets it for its parts): every cluster renders the same charts with the same release names, values and
 * capabilities, so each distinct command (the values file by its content, the chart directory by its pinned
 * name-version) is rendered twice once per run, not once per cluster. A failed render is not kept.
 */
export function renderCache(helmBin: string, args: string[], valuesFile: string | undefined) {
  const dir = process.env.SAMOKODER_VERIFY_HELM_CACHE;
  const key = createHash('sha256')
    .update(JSON.stringify([helmBin, args.map((a) => (a === valuesFile ? fs.readFileSync(a, 'utf8') : a))]))
    .digest('hex');
  const file = dir ? path.join(dir, `${key}.json`) : undefined;
  return {
    read: (): [K8sObject[], K8sObject[]] | undefined =>
      file && fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined,
    write: (pair: [K8sObject[], K8sObject[]]) => {
      if (!file) return;
      // Written whole under another name, then renamed: a part running beside this one reads all of it or nothing.
      const tmp = `${file}.${process.pid}`;
      fs.writeFileSync(tmp, JSON.stringify(pair));
      fs.renameSync(tmp, file);
    },
  };
}

/** JSON pointers (RFC 6901) of the leaves where `a` and `b` differ. */
function differences(a: unknown, b: unknown, at = ''): string[] {
  if (a === b) return [];
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) =>
      differences(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      ),
    );
  }
  return [at || '/'];
}

function ignored(application: K8sObject, o: K8sObject, pointer: string): boolean {
  const group = String(o.apiVersion ?? '').includes('/') ? String(o.apiVersion).split('/')[0] : '';
  return (application.spec?.ignoreDifferences ?? []).some(
    (d: K8sObject) =>
      (d.group ?? '') === group &&
      d.kind === o.kind &&
      (!d.name || d.name === o.metadata?.name) &&
      (!d.namespace || d.namespace === o.metadata?.namespace) &&
      (d.jsonPointers ?? []).some((p: string) => pointer === p || pointer.startsWith(`${p}/`)),
  );
}

/** Fields of the objects that two renders disagree on, not covered by the Application's ignoreDifferences. */
export function unstableFields(application: K8sObject, first: K8sObject[], second: K8sObject[]): string[] {
  const key = (o: K8sObject) => `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  const other = new Map(second.map((o) => [key(o), o]));
  const out: string[] = [];
  for (const o of first) {
    const twin = other.get(key(o));
    const label = `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`;
    if (!twin) {
      out.push(`${label}: only in one of two renders`);
      continue;
    }
    for (const p of differences(o, twin)) if (!ignored(application, o, p)) out.push(`${label} ${p}`);
  }
  return out;
}

/**
 * An upstream Git directory as Argo CD syncs it: the whole directory at the tag (not a subset). A directory with a
 * kustomization.yaml is a Kustomize application (Argo CD detects the type from that file): its `resources` are what
 * is applied; only plain resource lists are supported offline, anything else is reported. Otherwise the YAML files
 * directly in the directory (Argo CD's `directory.recurse` is off by default), filtered by `directory.include`.
 */
export function wholeUpstream(sourcesDir?: string): (source: {
  repoURL: string;
  revision: string;
  path: string;
  include?: string;
  recurse?: boolean;
}) => {
  files: string[];
  problems: string[];
} {
  return ({ repoURL, revision, path: dirPath, include, recurse }) => {
    const repo = repoURL.replace(/^https:\/\/github\.com\//, '').replace(/\.git$/, '');
    const source = chartSources(sourcesDir).find((s) => s.repository === repo && s.tag === revision && s.path === dirPath);
    if (!source) return { files: [], problems: [`${repoURL}@${revision} path ${dirPath}: not among the pinned upstream directories`] };
    const dir = path.join(unpackedSources(sourcesDir), source.name);
    const kustomization = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => path.join(dir, f)).find(fs.existsSync);
    if (kustomization) {
      const k = parseDocument(fs.readFileSync(kustomization, 'utf8')).toJS() as Record<string, unknown>;
      const unsupported = Object.keys(k).filter((f) => !['apiVersion', 'kind', 'resources'].includes(f));
      const problems = unsupported.length
        ? [`${repoURL}@${revision} ${dirPath}: kustomization fields ${unsupported.join(', ')} are not applied offline`]
        : [];
      return { files: ((k.resources as string[]) ?? []).map((r) => path.join(dir, r)), problems };
    }
    const files = (recurse ? yamlFiles(dir) : yamlFiles(dir).filter((f) => path.dirname(f) === dir)).filter((f) =>
      matchesInclude(path.basename(f), include),
    );
    return { files, problems: [] };
  };
}
