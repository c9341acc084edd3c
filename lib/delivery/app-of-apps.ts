import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel } from '../common/validate';
import { _LibraryChart } from '../private/render';
import { ArgoCdApplication, ArgoCdProject, GitSource, GroupKind } from './argocd';
import { _AllKeys, _checkLists, _checkProps, _nearest } from '../common/props';
import { KNOWN_ENVIRONMENTS } from '../common/environment';

/** The namespaced kinds the library emits for an application (the default allow list of app projects). */
export const APP_NAMESPACED_KINDS: readonly GroupKind[] = [
  { group: '', kind: 'ConfigMap' },
  { group: '', kind: 'Service' },
  { group: '', kind: 'ServiceAccount' },
  { group: '', kind: 'PersistentVolumeClaim' },
  { group: '', kind: 'ResourceQuota' },
  { group: '', kind: 'LimitRange' },
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'batch', kind: 'Job' },
  { group: 'batch', kind: 'CronJob' },
  { group: 'autoscaling', kind: 'HorizontalPodAutoscaler' },
  { group: 'policy', kind: 'PodDisruptionBudget' },
  { group: 'networking.k8s.io', kind: 'NetworkPolicy' },
  { group: 'networking.k8s.io', kind: 'Ingress' },
  { group: 'rbac.authorization.k8s.io', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', kind: 'RoleBinding' },
  { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
  { group: 'gateway.networking.k8s.io', kind: 'Gateway' },
  { group: 'cert-manager.io', kind: 'Certificate' },
  { group: 'gateway.envoyproxy.io', kind: 'BackendTrafficPolicy' },
  { group: 'gateway.envoyproxy.io', kind: 'ClientTrafficPolicy' },
  { group: 'external-secrets.io', kind: 'ExternalSecret' },
  { group: 'monitoring.coreos.com', kind: 'ServiceMonitor' },
  { group: 'monitoring.coreos.com', kind: 'PrometheusRule' },
  { group: 'monitoring.coreos.com', kind: 'AlertmanagerConfig' },
  { group: 'argoproj.io', kind: 'Rollout' },
  { group: 'argoproj.io', kind: 'AnalysisTemplate' },
];

/** One cluster an environment's apps run on. */
export interface GitOpsCluster {
  /** Name of the cluster in Argo CD, e.g. `production` or `production-dr-sfo3`. */
  readonly name: string;
  /** Environment whose manifests it runs (`dist/<environment>/<app>`). */
  readonly environment: string;
  /**
   * `environment` is a letter or two from a name in `KNOWN_ENVIRONMENTS` (`prodution`) and is meant: without this it
   * is refused as a probable typo (the root would sync a directory the manifests are not in). Other names (`dr-nyc3`,
   * `staging-eu`, `qa2`) need no declaration. @default false
   */
  readonly unlistedEnvironment?: boolean;
}

/** Props for {@link AppOfApps}. */
export interface AppOfAppsProps {
  readonly source: GitSource;
  readonly cluster: GitOpsCluster;
  /** Namespace of the apps (unless an app names its own). */
  readonly namespace: string;
  /**
   * App directories under `<manifestsRoot>/<environment>/`, in sync order (the namespace first); an entry may name
   * the namespace it deploys to.
   */
  readonly apps: Array<string | { readonly name: string; readonly namespace: string }>;
  /** Repository directory of the manifests. @default 'dist' */
  readonly manifestsRoot?: string;
  /** Repository directory of the Argo CD objects. @default '<manifestsRoot>/argocd' */
  readonly argocdRoot?: string;
  /** Team name, for the project. @default - the apps' namespace */
  readonly team?: string;
}

/** Every prop of {@link AppOfAppsProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const APP_OF_APPS_PROPS = ['source', 'cluster', 'namespace', 'apps', 'manifestsRoot', 'argocdRoot', 'team'] as const;
const APP_OF_APPS_REQUIRED = ['source', 'cluster', 'namespace', 'apps'] as const;

/**
 * The app-of-apps for one cluster: an AppProject for the team and cluster, an Application per app (namespace first,
 * by sync wave), and the root Application that syncs those from `<argocdRoot>/<cluster>/`. Bootstrap by applying the
 * root Application and its project (in `<argocdRoot>/bootstrap/`) once; everything after comes from Git.
 *
 * It makes two charts, because the two halves live in different directories: `children` (synced by the root) and
 * `bootstrap` (applied by hand once).
 */
export class AppOfApps extends Construct {
  /** The Applications and project, synced by the root: write it to `<argocdRoot>/<cluster>/`. */
  public readonly children: Chart;
  /** The root Application and its project: write it to `<argocdRoot>/bootstrap/`. */
  public readonly bootstrap: Chart;
  /** Where `children` belongs in the repository. */
  public readonly childrenPath: string;

  constructor(scope: Construct, id: string, props: AppOfAppsProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<AppOfAppsProps, typeof APP_OF_APPS_PROPS>>(
      this.node.path,
      'AppOfApps',
      props,
      APP_OF_APPS_PROPS,
      APP_OF_APPS_REQUIRED,
    );
    _checkLists(this.node.path, props, ['apps']);
    const cluster = requireDnsLabel(this.node.path, 'cluster.name', props.cluster.name, 50);
    // The team (by default the namespace) and the cluster name the AppProjects and Applications: checked here, so a
    // bad one is blamed on itself rather than on the names made from it.
    requireDnsLabel(this.node.path, 'namespace', props.namespace);
    const teamProp = props.team === undefined ? 'namespace' : 'team';
    const team = requireDnsLabel(this.node.path, teamProp, props.team ?? props.namespace);
    const longest = `${team}-bootstrap-${cluster}`;
    if (longest.length > 63) {
      throw invalidProp(
        this.node.path,
        teamProp,
        team,
        `and 'cluster.name' ("${cluster}") make the AppProject name "${longest}" (${longest.length} characters; Argo CD allows 63): shorten the team (it defaults to the namespace) or the cluster name`,
      );
    }
    // The environment names the directory every child Application reads (`<manifestsRoot>/<environment>/<app>`):
    // checked here, so a bad one is blamed on itself rather than on the paths made from it.
    if (typeof props.cluster.environment !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(props.cluster.environment)) {
      throw invalidProp(
        this.node.path,
        'cluster.environment',
        props.cluster.environment,
        'must be the name of a manifest set (a DNS label such as "production"): it names the directory <manifestsRoot>/<environment>/ Argo CD reads',
      );
    }
    _refuseEnvironmentTypo(this.node.path, props.cluster);
    const root = props.manifestsRoot ?? 'dist';
    const argocdRoot = props.argocdRoot ?? `${root}/argocd`;
    for (const [prop, dir] of [
      ['manifestsRoot', root],
      ['argocdRoot', argocdRoot],
    ] as const) {
      if (dir === '' || dir.startsWith('/') || dir.split('/').includes('..')) {
        throw invalidProp(
          this.node.path,
          prop,
          dir,
          'must be a relative directory inside the repository (Argo CD reads paths from its root)',
        );
      }
    }
    const project = `${team}-${cluster}`;
    if (!Array.isArray(props.apps) || props.apps.length === 0) {
      throw invalidProp(this.node.path, 'apps', props.apps, 'must list at least one app: an app of apps with none syncs nothing');
    }
    const apps = props.apps.map((a) => (typeof a === 'string' ? { name: a, namespace: props.namespace } : a));
    apps.forEach((a, i) => {
      const entry = typeof props.apps[i] === 'string' ? `apps[${i}]` : `apps[${i}].name`;
      requireDnsLabel(this.node.path, entry, a.name);
      const nsProp = typeof props.apps[i] === 'string' ? 'namespace' : `apps[${i}].namespace`;
      requireDnsLabel(this.node.path, nsProp, a.namespace);
      // Kubernetes' own namespaces hold no team's app (the platform's own, gateway-system included, may).
      if (a.namespace === 'default' || a.namespace.startsWith('kube-')) {
        throw invalidProp(
          this.node.path,
          nsProp,
          a.namespace,
          "is one of Kubernetes' own namespaces (default, kube-*): deploy the app to a namespace of its own",
        );
      }
      const first = apps.findIndex((b) => b.name === a.name);
      // One Application per app name and cluster (`<app>-<cluster>`), whatever the namespace.
      if (first < i) throw invalidProp(this.node.path, `apps[${i}]`, a.name, `is listed twice (apps[${first}])`);
    });
    this.children = new _LibraryChart(this, 'Children');
    this.bootstrap = new _LibraryChart(this, 'Bootstrap');
    this.childrenPath = `${argocdRoot}/${cluster}`;
    const namespaces = [...new Set(apps.map((a) => a.namespace))];
    new ArgoCdProject(this.children, 'Project', {
      name: project,
      description: `${team} apps on ${cluster} (${props.cluster.environment})`,
      sourceRepos: [props.source.repoURL],
      destinations: namespaces.map((namespace) => ({ cluster, namespace })),
      namespaceResources: [...APP_NAMESPACED_KINDS],
    });
    apps.forEach((app, i) => {
      new ArgoCdApplication(this.children, `App-${app.name}`, {
        name: `${app.name}-${cluster}`,
        project,
        source: props.source,
        path: `${root}/${props.cluster.environment}/${app.name}`,
        destination: { cluster, namespace: app.namespace },
        syncWave: i === 0 ? -1 : 0,
        labels: { 'samokoder.dev/cluster': cluster, 'samokoder.dev/app': app.name },
      });
    });
    const bootstrapProject = `${team}-bootstrap-${cluster}`;
    new ArgoCdProject(this.bootstrap, 'Project', {
      name: bootstrapProject,
      description: `Root of ${team} on ${cluster}: manages its Applications and AppProject only`,
      sourceRepos: [props.source.repoURL],
      destinations: [{ cluster: 'in-cluster', namespace: 'argocd' }],
      clusterResources: [],
      namespaceResources: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
      ],
    });
    new ArgoCdApplication(this.bootstrap, 'Root', {
      name: `${team}-root-${cluster}`,
      project: bootstrapProject,
      source: props.source,
      path: this.childrenPath,
      destination: { cluster: 'in-cluster', namespace: 'argocd' },
      labels: { 'samokoder.dev/cluster': cluster },
      // Deleting the root must not delete every Application under it (and what they deployed).
      retain: true,
    });
  }
}

/**
 * A manifest-set name one or two letters from a known environment (`prodution`, `stagign`) is a typo until declared:
 * the root would sync `<manifestsRoot>/prodution/`, which the manifests are not in. A known name followed by a
 * separator or a digit (`staging-eu`, `qa2`) is a variant, and a name far from all of them (`dr-nyc3`) a set of its
 * own: both pass. Short names allow one letter (`tset` is not judged).
 */
function _refuseEnvironmentTypo(path: string, cluster: GitOpsCluster): void {
  const env = cluster.environment;
  if (cluster.unlistedEnvironment || KNOWN_ENVIRONMENTS.includes(env)) return;
  const near = _nearest(env, KNOWN_ENVIRONMENTS, env.length <= 5 ? 1 : 2);
  if (near === undefined || new RegExp(`^${near}[-0-9]`).test(env)) return;
  throw invalidProp(
    path,
    'cluster.environment',
    env,
    `is not a known environment but a letter or two from "${near}" (did you mean "${near}"?): the root would sync <manifestsRoot>/${env}/, where the manifests of "${near}" are not; set cluster.unlistedEnvironment: true if the name is meant`,
  );
}
