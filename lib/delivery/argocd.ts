import { Construct } from 'constructs';
import type { IAppProject } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { invalidProp } from '../common/errors';
import { RESERVED_NAMESPACES } from '../common/namespaces';
import { literalCredentialPath } from '../common/secret-detection';
import { _freeId, requireDnsLabel, requireIntegerInRange, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';

/** A Git repository Argo CD syncs from. */
export interface GitSource {
  /** `https://…`, `ssh://…` or `git@host:org/repo.git`. */
  readonly repoURL: string;
  /** Branch, tag or commit. @default 'main' */
  readonly targetRevision?: string;
}

/** Where an Application deploys to: a cluster registered in Argo CD, by name, and a namespace. */
export interface ArgoDestination {
  /** Cluster name as registered in Argo CD (`in-cluster` for Argo CD's own). */
  readonly cluster: string;
  readonly namespace: string;
}

const REPO_URL = /^(https:\/\/[^\s/$.?#].[^\s]*|ssh:\/\/[^\s]+|git@[^\s:]+:[^\s]+)$/;

/** Throws unless `url` is a Git URL Argo CD can clone. @internal */
export function _requireRepoUrl(path: string, prop: string, url: string): string {
  // `https://user:token@host/…` puts a credential into Git: Argo CD reads credentials from its repository Secrets.
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/i.test(url) && !/^ssh:\/\/[A-Za-z0-9._-]+@/.test(url)) {
    throw invalidProp(
      path,
      prop,
      '<redacted>',
      'holds credentials (user:token@): register the repository with Argo CD (a repository Secret) and write the URL without them',
    );
  }
  if (!REPO_URL.test(url)) {
    throw invalidProp(path, prop, url, 'is not a repository URL: use https://host/org/repo.git, ssh://… or git@host:org/repo.git');
  }
  return url;
}

/**
 * A Git revision Argo CD can resolve: a branch, tag or commit (`main`, `v1.4.2`, `release/2026-11`, a SHA), per
 * `git check-ref-format`: no spaces, no `..`, none of `~^:?*[\`, not ending with `/`, `.` or `.lock`.
 * @internal
 */
export function _requireRevision(path: string, prop: string, revision: string): string {
  if (typeof revision !== 'string' || revision === '' || /[\s~^:?*[\\]|\.\.|@\{|\/\/|^[/.-]|[/.]$|\.lock$/.test(revision)) {
    throw invalidProp(
      path,
      prop,
      revision,
      'must be a branch, tag or commit such as "main", "v1.4.2" or "release/2026-11" (git check-ref-format)',
    );
  }
  return revision;
}

function requireProject(path: string, prop: string, project: string): string {
  if (project === 'default') {
    throw invalidProp(
      path,
      prop,
      project,
      "is Argo CD's catch-all project, which allows any source, destination and kind: name a project of your own",
    );
  }
  return requireDnsLabel(path, prop, project);
}

/** A Helm chart Argo CD renders, from a chart repository or an OCI registry. */
export interface HelmChartSource {
  /**
   * `https://charts.example.com`, or an OCI registry path without a scheme such as `docker.io/envoyproxy` (Argo CD
   * pulls `oci://<repoURL>/<chart>`; a URL without a scheme is taken as an OCI Helm repository even when no repository
   * is registered: argo-cd v3.5.1 reposerver/repository `newHelmClientResolveRevision`, `enableOCI := repo.EnableOCI ||
   * helm.IsHelmOciRepo(repo.Repo)`; register one only for credentials).
   */
  readonly repoURL: string;
  readonly chart: string;
  /** The chart version, pinned (no ranges). */
  readonly version: string;
  /** @default - the Application's name */
  readonly releaseName?: string;
  /** Helm values. @default {} */
  readonly values?: Record<string, unknown>;
  /** Leave the chart's CRDs out (an Application of their own syncs them). @default false */
  readonly skipCrds?: boolean;
}

/** A field Argo CD should not compare (one a controller of the cluster writes, such as a webhook's CA bundle). */
export interface IgnoredDifference {
  readonly group: string;
  readonly kind: string;
  readonly jsonPointers: string[];
}

/** Props for {@link ArgoCdApplication}. */
export interface ArgoCdApplicationProps {
  /** Application name (unique in Argo CD's namespace). */
  readonly name: string;
  /** AppProject; never `default`. */
  readonly project: string;
  /** The Git repository of `path`. Required unless `chart` is given. */
  readonly source?: GitSource;
  /** Directory in the repository with the manifests. Required unless `chart` is given. */
  readonly path?: string;
  /** Only the files of `path` matching this glob, e.g. `{a.yaml,b.yaml}`. @default - every manifest of `path` */
  readonly include?: string;
  /** A Helm chart instead of a directory of manifests. @default - none */
  readonly chart?: HelmChartSource;
  readonly destination: ArgoDestination;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly argocdNamespace?: string;
  /** Sync wave (lower first) when an app-of-apps syncs several Applications. @default 0 */
  readonly syncWave?: number;
  /** Automated sync with prune and self-heal. @default true */
  readonly automated?: boolean;
  /** Let Argo CD create the destination namespace (for upstream charts that do not). @default false */
  readonly createNamespace?: boolean;
  /** Fields not compared (and not reverted by self-heal). @default [] */
  readonly ignoreDifferences?: IgnoredDifference[];
  /** @default {} */
  readonly labels?: Record<string, string>;
  /**
   * Keep what it deployed: deleting the Application leaves its objects (no cascade finalizer) and a sync never prunes
   * (`Prune=false`). For CRDs (deleting one deletes every object of its kind) and for the root of an app of apps
   * (retire it with `kubectl delete --cascade=orphan`). @default false
   */
  readonly retain?: boolean;
}

const HELM_REPO_URL = /^(https:\/\/[^\s]+|[a-z0-9.-]+\.[a-z]{2,}(:\d+)?(\/[a-z0-9._-]+)+)$/;
const PINNED_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Deleting the Application deletes what it deployed, in the foreground (Argo CD's `common.ForegroundPropagationPolicyFinalizer`). */
const ARGOCD_FINALIZER = 'resources-finalizer.argocd.argoproj.io/foreground';

/**
 * An Argo CD Application: automated sync with prune and self-heal (Git is the truth; a rollback is a `git revert`),
 * retries with exponential backoff, server-side apply (large CRDs overflow client-side apply's annotation), and a
 * finalizer so deleting the Application deletes what it deployed. The finalizer is the path-qualified
 * `resources-finalizer.argocd.argoproj.io/foreground` (the same foreground cascade as the bare name, which Kubernetes
 * >= 1.32 answers with a warning on every apply: finalizer names should contain a `/`).
 */
export class ArgoCdApplication extends Construct {
  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    requireDnsLabel(path, 'name', props.name, 253);
    requireLabels(path, 'labels', props.labels);
    const project = requireProject(path, 'project', props.project);
    if (!props.destination.namespace) {
      throw invalidProp(
        path,
        'destination.namespace',
        props.destination.namespace,
        'is required: an Application without a namespace deploys into whatever namespace its manifests name, or default',
      );
    }
    requireDnsLabel(path, 'destination.namespace', props.destination.namespace);
    requireDnsLabel(path, 'destination.cluster', props.destination.cluster, 253);
    const source = applicationSource(path, props);
    _apiObject<IApplication>(this, 'Application', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: props.name,
        namespace: props.argocdNamespace ?? 'argocd',
        labels: { ...props.labels },
        annotations: { 'argocd.argoproj.io/sync-wave': String(requireIntegerInRange(path, 'syncWave', props.syncWave ?? 0, -1000, 1000)) },
        ...(props.retain ? {} : { finalizers: [ARGOCD_FINALIZER] }),
      },
      spec: {
        project,
        source,
        destination: { name: props.destination.cluster, namespace: props.destination.namespace },
        revisionHistoryLimit: 10,
        syncPolicy: {
          ...((props.automated ?? true) ? { automated: { prune: true, selfHeal: true, allowEmpty: false } } : {}),
          syncOptions: [
            'ServerSideApply=true',
            `CreateNamespace=${props.createNamespace ?? false}`,
            'PrunePropagationPolicy=foreground',
            'PruneLast=true',
            'FailOnSharedResource=true',
            ...(props.retain ? ['Prune=false'] : []),
          ],
          retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '3m' } },
        },
        ...(props.ignoreDifferences?.length ? { ignoreDifferences: props.ignoreDifferences.map((d) => ({ ...d })) } : {}),
      },
    });
  }
}

/** The rule of a literal credential in Helm values. @internal */
export const _HELM_VALUES_CREDENTIAL =
  'looks like a literal credential: Helm values are committed to Git in the Application; give the chart an existing Secret (most charts take existingSecret) filled from the secret store';

function applicationSource(path: string, props: ArgoCdApplicationProps): NonNullable<IApplication['spec']>['source'] {
  if (props.chart) {
    const c = props.chart;
    if (props.path !== undefined || props.source !== undefined) {
      throw invalidProp(path, 'chart', c.chart, "cannot be combined with 'source' and 'path': an Application has one source");
    }
    if (!HELM_REPO_URL.test(c.repoURL)) {
      throw invalidProp(
        path,
        'chart.repoURL',
        c.repoURL,
        'must be an https:// chart repository or an OCI registry path such as docker.io/org',
      );
    }
    if (!PINNED_VERSION.test(c.version))
      throw invalidProp(path, 'chart.version', c.version, 'must be a pinned version such as 1.2.3, not a range');
    const leaked = literalCredentialPath(c.values ?? {}, 'chart.values');
    if (leaked) {
      throw invalidProp(path, leaked, '<redacted>', _HELM_VALUES_CREDENTIAL);
    }
    return {
      repoURL: c.repoURL,
      chart: requireDnsLabel(path, 'chart.chart', c.chart),
      targetRevision: c.version,
      helm: {
        releaseName: c.releaseName ?? props.name,
        ...(c.skipCrds ? { skipCrds: true } : {}),
        ...(c.values && Object.keys(c.values).length ? { valuesObject: c.values } : {}),
      },
    };
  }
  if (props.source === undefined || props.path === undefined) {
    throw invalidProp(path, 'path', props.path, "is required (with 'source') unless 'chart' is given");
  }
  _requireRepoUrl(path, 'source.repoURL', props.source.repoURL);
  if (props.source.targetRevision !== undefined) _requireRevision(path, 'source.targetRevision', props.source.targetRevision);
  if (props.path.startsWith('/') || props.path.includes('..')) {
    throw invalidProp(path, 'path', props.path, 'must be a relative path inside the repository');
  }
  return {
    repoURL: props.source.repoURL,
    targetRevision: props.source.targetRevision ?? 'main',
    path: props.path,
    ...(props.include ? { directory: { include: props.include } } : {}),
  };
}

/**
 * A project source repository: a URL, or a pattern whose glob is in the last part of the path only, under a named
 * host and organisation (`https://host/org/*`, `https://host/org/payments-*`, `git@host:org/*`). Refused with the
 * reason: `*`, a glob in the host (any host) or above the last part (`https://host/*`: every organisation).
 */
function requireRepoPattern(path: string, prop: string, repo: string): void {
  if (!/[*?[{]/.test(repo)) return;
  const m = /^(https:\/\/|ssh:\/\/(?:[A-Za-z0-9._-]+@)?|git@)([^/:]+)[/:](.+)$/.exec(repo);
  if (!m) {
    throw invalidProp(
      path,
      prop,
      repo,
      'must name repositories; a pattern keeps its glob in the last part of an organisation path (https://host/org/*)',
    );
  }
  if (/[*?[{]/.test(m[2])) throw invalidProp(path, prop, repo, 'matches repositories of any host: name the host');
  const parts = m[3].split('/');
  if (parts.length < 2 || parts.slice(0, -1).some((p) => /[*?[{]/.test(p))) {
    throw invalidProp(path, prop, repo, 'matches every repository of the host: name an organisation (https://host/org/*)');
  }
}

/**
 * The namespace of a project destination: a namespace, or an Argo CD pattern of namespaces (`team-*`, `team-?`,
 * `team-[ab]`, `team-{api,web}`: Argo CD matches destinations as globs). Refused: a pattern that matches every
 * namespace (`*`, `**`), one that reaches Kubernetes' or the platform layer's namespaces (`kube-*`, `*-system`:
 * the project could deploy over the platform), a negation (`!ns`, Argo CD's "every namespace but ns"), and what
 * matches no namespace (upper case, an unclosed `[`).
 */
function requireNamespacePattern(path: string, prop: string, pattern: string): void {
  const rule = 'name the namespaces, or a pattern such as "team-*"';
  if (pattern.startsWith('!')) {
    throw invalidProp(path, prop, pattern, `means every namespace but ${pattern.slice(1)} (Argo CD's negation): ${rule}`);
  }
  if (!/[*?[{]/.test(pattern)) {
    requireDnsLabel(path, prop, pattern);
    return;
  }
  const re = _argoGlob(pattern);
  if (!re || !/^[-a-z0-9*?[\]{},!]+$/.test(pattern)) {
    throw invalidProp(
      path,
      prop,
      pattern,
      'must be a namespace (a DNS label) or an Argo CD pattern of one (lower-case letters, digits and - with * ? [...] {a,b})',
    );
  }
  if (/^[*?]*$/.test(pattern) && pattern.includes('*')) throw invalidProp(path, prop, pattern, `matches every namespace: ${rule}`);
  const reserved = RESERVED_NAMESPACES.find((n) => re.test(n));
  if (reserved) {
    throw invalidProp(
      path,
      prop,
      pattern,
      `matches "${reserved}", a namespace of Kubernetes or the platform layer: start the pattern with the team's own prefix (e.g. "team-*")`,
    );
  }
}

/**
 * An Argo CD glob as a regular expression (Argo CD's util/glob, gobwas/glob without separators): `*` any run of
 * characters, `?` one, `[abc]`/`[a-c]`/`[!abc]` one of (or none of) a class, `{a,b}` one of the alternatives.
 * Undefined when the pattern is malformed (an unclosed `[` or `{`).
 * @internal
 */
export function _argoGlob(pattern: string): RegExp | undefined {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return undefined;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      if (body === '' || body.startsWith('-') || body.endsWith('-')) return undefined;
      out += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else if (c === ',' && depth > 0) out += '|';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  if (depth !== 0) return undefined;
  try {
    return new RegExp(`^${out}$`);
  } catch {
    return undefined;
  }
}

/** A Kubernetes kind, for AppProject allow lists. */
export interface GroupKind {
  readonly group: string;
  readonly kind: string;
}

/** Props for {@link ArgoCdProject}. */
export interface ArgoCdProjectProps {
  readonly name: string;
  readonly description: string;
  /** Repositories Applications of the project may sync from. */
  readonly sourceRepos: string[];
  /** Clusters and namespaces they may deploy to. */
  readonly destinations: ArgoDestination[];
  /** Cluster-scoped kinds they may manage. @default [Namespace] */
  readonly clusterResources?: GroupKind[];
  /** Namespaced kinds they may manage. @default - everything except ResourceQuota-free escapes listed in the README */
  readonly namespaceResources?: GroupKind[];
  /** @default 'argocd' */
  readonly argocdNamespace?: string;
}

/**
 * An Argo CD AppProject per team/environment: only the named repositories, destinations and kinds. Argo CD's
 * `default` project allows everything and is never used.
 */
export class ArgoCdProject extends Construct {
  public readonly projectName: string;

  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    this.projectName = requireProject(path, 'name', props.name);
    props.sourceRepos.forEach((r, i) => {
      if (!HELM_REPO_URL.test(r)) _requireRepoUrl(path, `sourceRepos[${i}]`, r);
    });
    if (props.destinations.length === 0) throw invalidProp(path, 'destinations', [], 'must name at least one cluster and namespace');
    props.destinations.forEach((d, i) => {
      if (!d.namespace)
        throw invalidProp(
          path,
          `destinations[${i}].namespace`,
          d.namespace,
          'is required: a project without namespaces may deploy anywhere',
        );
      requireNamespacePattern(path, `destinations[${i}].namespace`, d.namespace);
      if (!d.cluster || d.cluster.includes('*'))
        throw invalidProp(path, `destinations[${i}].cluster`, d.cluster, 'must name a cluster registered in Argo CD, not every cluster');
    });
    (props.sourceRepos ?? []).forEach((r, i) => requireRepoPattern(path, `sourceRepos[${i}]`, r));
    for (const [prop, list] of [
      ['clusterResources', props.clusterResources ?? []],
      ['namespaceResources', props.namespaceResources ?? []],
    ] as const) {
      list.forEach((g, i) => {
        if (g.kind.includes('*') || g.group.includes('*')) {
          throw invalidProp(
            path,
            `${prop}[${i}]`,
            g,
            'must name a group and kind: a wildcard lets the project manage kinds no one reviewed',
          );
        }
      });
    }
    _apiObject<IAppProject>(this, 'Project', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: { name: this.projectName, namespace: props.argocdNamespace ?? 'argocd' },
      spec: {
        description: props.description,
        sourceRepos: props.sourceRepos,
        destinations: props.destinations.map((d) => ({ name: d.cluster, namespace: d.namespace })),
        clusterResourceWhitelist: (props.clusterResources ?? [{ group: '', kind: 'Namespace' }]).map((g) => ({ ...g })),
        ...(props.namespaceResources ? { namespaceResourceWhitelist: props.namespaceResources.map((g) => ({ ...g })) } : {}),
        orphanedResources: { warn: true },
      },
    });
  }
}
