import { Construct } from 'constructs';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
import { invalidProp } from '../common/errors';
import { literalCredentialPath } from '../common/secret-detection';
import { _freeId, requireDnsLabel, requireIntegerInRange, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { _requireRepoUrl, _requireRevision, ArgoDestination, HELM_REPO_URL, requireProject } from './argocd-base';

/** @internal */
export { _requireRepoUrl, _requireRevision } from './argocd-base';
export type { ArgoDestination } from './argocd-base';
export * from './argocd-project';

/** A Git repository Argo CD syncs from. */
export interface GitSource {
  /** `https://…`, `ssh://…` or `git@host:org/repo.git`. */
  readonly repoURL: string;
  /** Branch, tag or commit. @default 'main' */
  readonly targetRevision?: string;
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
  /**
   * Labels Argo CD keeps on the namespace it creates (`syncPolicy.managedNamespaceMetadata`, applied only with
   * `CreateNamespace=true`), e.g. its Pod Security level. Needs `createNamespace`. @default - none
   */
  readonly namespaceLabels?: Record<string, string>;
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
    if (props.namespaceLabels) {
      requireLabels(path, 'namespaceLabels', props.namespaceLabels);
      if (!props.createNamespace) {
        throw invalidProp(
          path,
          'namespaceLabels',
          props.namespaceLabels,
          'needs createNamespace: true (Argo CD applies managedNamespaceMetadata only with CreateNamespace=true: docs/user-guide/sync-options.md, "Namespace Auto-Creation")',
        );
      }
    }
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
          ...(props.namespaceLabels ? { managedNamespaceMetadata: { labels: { ...props.namespaceLabels } } } : {}),
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
