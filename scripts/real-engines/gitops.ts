/**
 * The GitOps output as Argo CD sees it: per cluster, the bootstrap file, the Applications the root syncs, and for
 * each Application the manifests at its source path, in the order Argo CD applies them. Pure functions; the
 * checks that talk to a server are in verify-k8s.ts.
 *
 * The sync order follows Argo CD's gitops-engine (pkg/sync/sync_tasks.go): by phase (PreSync hooks, Sync, PostSync),
 * then sync wave, then kind (Namespace, NetworkPolicy, ResourceQuota, ... Ingress; custom kinds last), then name;
 * a Namespace moves before the first object in it and a CRD before the first object of its kind. Argo CD waits for
 * each (phase, wave) group to be healthy before it applies the next one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- manifests are free-form JSON
export type K8sObject = Record<string, any>;

export function loadObjects(file: string): K8sObject[] {
  return loadYamlText(fs.readFileSync(file, 'utf8'));
}

/** The objects of a multi-document YAML text (empty documents dropped). */
export function loadYamlText(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => !!o);
}

/** Every *.yaml / *.yml file under `dir`, sorted. */
export function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export function ref(o: K8sObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind}/${ns}${o.metadata?.name ?? o.metadata?.generateName ?? '?'}`;
}

export function groupOf(o: K8sObject): string {
  const v = String(o.apiVersion ?? '');
  return v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
}

export interface ApplicationSync {
  readonly application: K8sObject;
  readonly project: K8sObject | undefined;
  /**
   * Where its manifests come from: `local` (this repository, at `path`), `upstream` (another Git repository, resolved
   * by the caller, e.g. to the whole upstream directory at its tag), `helm` (a chart: rendered by the caller with the
   * cluster's capabilities, see charts.ts; `objects` is empty here).
   */
  readonly origin: 'local' | 'upstream' | 'helm';
  /** The source path (repository-relative), or the chart as `repo chart@version`. */
  readonly path: string;
  readonly objects: K8sObject[];
}

/**
 * Files of an upstream Git source Argo CD would sync (repository, tag, directory, include glob, recurse), and what
 * could not be followed offline.
 */
export type UpstreamResolver = (source: { repoURL: string; revision: string; path: string; include?: string; recurse?: boolean }) => {
  files: string[];
  problems: string[];
};

export interface ClusterPlan {
  readonly cluster: string;
  /** The objects applied by hand once (kubectl apply -f dist/argocd/bootstrap/<cluster>.k8s.yaml). */
  readonly bootstrap: K8sObject[];
  /** What the root Application syncs: AppProjects and Applications. */
  readonly children: K8sObject[];
  /** The child Applications in the order Argo CD syncs them (wave, then name), with their manifests. */
  readonly applications: ApplicationSync[];
  /** Problems found while following the tree (a path with no manifests, a repo that is not ours, ...). */
  readonly problems: string[];
}

/** The clusters with a bootstrap file under `<dist>/argocd/bootstrap/`. */
export function clustersOf(dist: string): string[] {
  return yamlFiles(path.join(dist, 'argocd', 'bootstrap')).map((f) => path.basename(f).replace(/\.k8s\.ya?ml$|\.ya?ml$/, ''));
}

/**
 * An object's sync wave: `argocd.argoproj.io/sync-wave` when it parses, else `helm.sh/hook-weight`, else 0 (Argo CD's
 * gitops-engine pkg/sync/syncwaves/waves.go `Wave`, for any object, hook or not).
 */
export function wave(o: K8sObject): number {
  const a = o.metadata?.annotations ?? {};
  for (const w of [a['argocd.argoproj.io/sync-wave'], a['helm.sh/hook-weight']]) {
    const n = w === undefined ? NaN : Number(w);
    if (Number.isInteger(n)) return n;
  }
  return 0;
}

/** True when `name` matches an Argo CD directory include glob such as `{a.yaml,b.yaml}` or `*.yaml`. */
export function matchesInclude(name: string, include: string | undefined): boolean {
  if (!include) return true;
  const alternatives = include.startsWith('{') && include.endsWith('}') ? include.slice(1, -1).split(',') : [include];
  return alternatives.some((g) =>
    new RegExp(
      `^${g
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(name),
  );
}

/**
 * Follows the GitOps tree of one cluster from its bootstrap file. `root` is the repository root, against which
 * Application source paths of this repository resolve (the GitOps repository is laid out like this one's `dist/`);
 * `upstream` resolves sources in other repositories.
 */
export function planCluster(
  root: string,
  dist: string,
  cluster: string,
  upstream: UpstreamResolver = () => ({ files: [], problems: [] }),
): ClusterPlan {
  const problems: string[] = [];
  const bootstrapFile = yamlFiles(path.join(dist, 'argocd', 'bootstrap')).find((f) => path.basename(f).startsWith(`${cluster}.`));
  const bootstrap = bootstrapFile ? loadObjects(bootstrapFile) : [];
  const rootApps = bootstrap.filter((o) => o.kind === 'Application');
  if (rootApps.length !== 1) problems.push(`bootstrap of ${cluster}: expected one root Application, found ${rootApps.length}`);
  const ours = rootApps[0]?.spec?.source?.repoURL;
  const children: K8sObject[] = [];
  for (const app of rootApps) {
    const files = yamlFiles(path.join(root, app.spec?.source?.path ?? '<none>'));
    if (files.length === 0) problems.push(`${ref(app)}: source path "${app.spec?.source?.path}" holds no manifests`);
    children.push(...files.flatMap(loadObjects));
  }
  const projects = [...bootstrap, ...children].filter((o) => o.kind === 'AppProject');
  const applications = children
    .filter((o) => o.kind === 'Application')
    .sort((a, b) => wave(a) - wave(b) || String(a.metadata.name).localeCompare(String(b.metadata.name)))
    .map((application): ApplicationSync => {
      const src = application.spec?.source ?? {};
      const project = projects.find((p) => p.metadata.name === application.spec?.project);
      if (!project) problems.push(`${ref(application)}: project "${application.spec?.project}" is not defined`);
      if (src.chart)
        return { application, project, origin: 'helm', path: `${src.repoURL} ${src.chart}@${src.targetRevision}`, objects: [] };
      const include = src.directory?.include as string | undefined;
      let files: string[];
      if (src.repoURL === ours) {
        files = yamlFiles(path.join(root, src.path ?? '<none>')).filter((f) => matchesInclude(path.basename(f), include));
      } else {
        const resolved = upstream({
          repoURL: src.repoURL,
          revision: src.targetRevision,
          path: src.path,
          include,
          recurse: src.directory?.recurse,
        });
        files = resolved.files;
        problems.push(...resolved.problems.map((p) => `${ref(application)}: ${p}`));
      }
      if (files.length === 0)
        problems.push(
          `${ref(application)}: source ${src.repoURL === ours ? '' : `${src.repoURL}@${src.targetRevision} `}path "${src.path}" holds no manifests`,
        );
      return {
        application,
        project,
        origin: src.repoURL === ours ? 'local' : 'upstream',
        path: src.path ?? '<none>',
        objects: files.flatMap(loadObjects),
      };
    });
  return { cluster, bootstrap, children, applications, problems };
}

/**
 * Argo CD's sync phase of an object. Its own hook annotation wins (Helm hooks are then ignored). Helm hooks map as
 * gitops-engine pkg/sync/hook/helm maps them: pre-install/pre-upgrade → PreSync, post-install/post-upgrade → PostSync;
 * `crd-install` is not a hook (a plain resource); test, rollback and delete hooks have no sync phase and are not
 * applied by a sync (`Skip` here; pre-/post-delete run only when the Application is deleted, controller/hook.go).
 */
export function phaseOf(o: K8sObject): 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'Skip' {
  const a = o.metadata?.annotations ?? {};
  const hook = String(a['argocd.argoproj.io/hook'] ?? '');
  if (hook) {
    const first = hook.split(',')[0].trim();
    if (first === 'PreSync' || first === 'PostSync' || first === 'SyncFail' || first === 'Skip') return first;
    return 'Sync';
  }
  const helm = String(a['helm.sh/hook'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h && h !== 'crd-install');
  if (helm.length === 0) return 'Sync';
  if (helm.some((h) => h === 'pre-install' || h === 'pre-upgrade')) return 'PreSync';
  if (helm.some((h) => h === 'post-install' || h === 'post-upgrade')) return 'PostSync';
  return 'Skip';
}

const PHASE_ORDER = { PreSync: -1, Sync: 0, PostSync: 1, SyncFail: 2, Skip: 3 } as const;

const KIND_ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];
function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? 0 : i - KIND_ORDER.length;
}

export interface SyncStep {
  readonly phase: string;
  readonly wave: number;
  readonly objects: K8sObject[];
}

/** The (phase, wave) groups of one Application's sync, in order. SyncFail and Skip hooks are left out. */
export function syncSteps(objects: K8sObject[]): SyncStep[] {
  type Task = { o: K8sObject; phase: keyof typeof PHASE_ORDER; wave: number };
  const tasks: Task[] = objects
    .map((o) => ({ o, phase: phaseOf(o), wave: wave(o) }))
    .filter((t) => t.phase !== 'Skip' && t.phase !== 'SyncFail');
  tasks.sort(
    (a, b) =>
      PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase] ||
      a.wave - b.wave ||
      kindRank(a.o.kind) - kindRank(b.o.kind) ||
      String(a.o.metadata?.name ?? '').localeCompare(String(b.o.metadata?.name ?? '')),
  );
  // A dependency (a Namespace, a CRD) moves before the first task that needs it, taking its phase and wave.
  const bubble = (depKey: (o: K8sObject) => string | undefined, needs: (o: K8sObject) => string | undefined) => {
    const first = new Map<string, number>();
    for (let i = 0; i < tasks.length; i++) {
      const key = depKey(tasks[i].o);
      if (key !== undefined) {
        const at = first.get(key);
        if (at !== undefined) {
          const [t] = tasks.splice(i, 1);
          t.phase = tasks[at].phase;
          t.wave = tasks[at].wave;
          tasks.splice(at, 0, t);
          for (const [k, v] of first) if (v >= at) first.set(k, v + 1);
        }
      } else {
        const need = needs(tasks[i].o);
        if (need !== undefined && !first.has(need)) first.set(need, i);
      }
    }
  };
  bubble(
    (o) => (o.kind === 'Namespace' && groupOf(o) === '' ? o.metadata?.name : undefined),
    (o) => o.metadata?.namespace || undefined,
  );
  bubble(
    (o) => (o.kind === 'CustomResourceDefinition' ? `${o.spec?.group}/${o.spec?.names?.kind}` : undefined),
    (o) => `${groupOf(o)}/${o.kind}`,
  );
  const steps: SyncStep[] = [];
  for (const t of tasks) {
    const last = steps[steps.length - 1];
    if (last && last.phase === t.phase && last.wave === t.wave) last.objects.push(t.o);
    else steps.push({ phase: t.phase, wave: t.wave, objects: [t.o] });
  }
  return steps;
}

/**
 * Argo CD's glob match (util/glob: gobwas/glob without separators): `*` any run of characters, `?` one, `[abc]`,
 * `[a-c]`, `[!abc]` a class, `{a,b}` alternatives. A malformed pattern matches nothing (Argo CD logs and skips it).
 * The library's `_argoGlob` (lib/delivery/argocd-project.ts) reads patterns the same way.
 */
function glob(pattern: string, value: string): boolean {
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
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
  try {
    return depth === 0 && new RegExp(`^${out}$`).test(value);
  } catch {
    return false;
  }
}

/**
 * What Argo CD's project would refuse when syncing `objects` for `application` (our reading of AppProject
 * semantics: source repositories, destinations, cluster- and namespace-scoped resource allow lists). `clusterScoped`
 * tells whether a group/kind is cluster-scoped (asked of the API server).
 */
export function projectViolations(
  app: K8sObject,
  project: K8sObject,
  objects: K8sObject[],
  clusterScoped: (group: string, kind: string) => boolean,
): string[] {
  const spec = project.spec ?? {};
  const out: string[] = [];
  const where = ref(app);
  const repo = app.spec?.source?.repoURL;
  if (!(spec.sourceRepos ?? []).some((r: string) => glob(r, repo)))
    out.push(`${where}: repository ${repo} is not among the sourceRepos of project ${project.metadata.name}`);
  const destination = app.spec?.destination ?? {};
  const allowed = (list: Array<{ group?: string; kind?: string }> | undefined, group: string, kind: string) =>
    (list ?? []).some((e) => glob(e.group ?? '', group) && glob(e.kind ?? '', kind));
  for (const o of objects) {
    const group = groupOf(o);
    const scoped = clusterScoped(group, o.kind);
    if (scoped) {
      if (!allowed(spec.clusterResourceWhitelist, group, o.kind))
        out.push(`${where}: ${ref(o)} is cluster-scoped and not in the clusterResourceWhitelist of project ${project.metadata.name}`);
      continue;
    }
    const whitelist = spec.namespaceResourceWhitelist;
    if (whitelist && !allowed(whitelist, group, o.kind))
      out.push(`${where}: ${ref(o)} is not in the namespaceResourceWhitelist of project ${project.metadata.name}`);
    if (allowed(spec.namespaceResourceBlacklist, group, o.kind))
      out.push(`${where}: ${ref(o)} is in the namespaceResourceBlacklist of project ${project.metadata.name}`);
    const ns = o.metadata?.namespace ?? destination.namespace ?? '';
    const ok = (spec.destinations ?? []).some(
      (d: { name?: string; server?: string; namespace?: string }) =>
        (d.name === undefined || glob(d.name, destination.name ?? '')) &&
        (d.server === undefined || glob(d.server, destination.server ?? '')) &&
        glob(d.namespace ?? '', ns),
    );
    if (!ok)
      out.push(
        `${where}: ${ref(o)} goes to namespace "${ns}" on "${destination.name ?? destination.server}", not a destination of project ${project.metadata.name}`,
      );
  }
  return out;
}

/** Pod specs of the workloads among `objects`, with the object they come from. */
export function podTemplates(objects: K8sObject[]): Array<{ owner: K8sObject; template: K8sObject }> {
  const out: Array<{ owner: K8sObject; template: K8sObject }> = [];
  for (const o of objects) {
    const t =
      o.kind === 'CronJob'
        ? o.spec?.jobTemplate?.spec?.template
        : ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Rollout'].includes(o.kind)
          ? o.spec?.template
          : undefined;
    if (t?.spec) out.push({ owner: o, template: t });
    // The Jobs an Argo Rollouts analysis runs (a smoke test) are pods of the namespace too.
    if (o.kind === 'AnalysisTemplate' || o.kind === 'ClusterAnalysisTemplate') {
      for (const m of o.spec?.metrics ?? []) {
        const job = m.provider?.job?.spec?.template;
        if (job?.spec) out.push({ owner: o, template: job });
      }
    }
  }
  return out;
}

/**
 * Objects that two Applications of one cluster would both sync. Argo CD tracks each object's owner by its tracking
 * label or annotation: with `FailOnSharedResource=true` the second Application's sync fails, and without it the two
 * fight over the object at every sync. Applying everything with one field manager (as verify:k8s does) cannot see
 * it, so it is checked on the plan. `clusterScoped` says which kinds have no namespace (learned from the server);
 * namespaced objects without one land in their Application's destination namespace.
 */
export function sharedObjects(plan: ClusterPlan, clusterScoped: (group: string, kind: string) => boolean): string[] {
  const owners = new Map<string, string[]>();
  const own = (app: K8sObject, objects: K8sObject[]) => {
    for (const o of objects) {
      const scoped = clusterScoped(groupOf(o), o.kind);
      const ns = scoped ? '' : (o.metadata?.namespace ?? app.spec?.destination?.namespace ?? '');
      const key = `${groupOf(o) || 'core'}/${o.kind}/${ns ? `${ns}/` : ''}${o.metadata?.name}`;
      const list = owners.get(key) ?? [];
      if (!list.includes(ref(app))) list.push(ref(app));
      owners.set(key, list);
    }
  };
  const root = plan.bootstrap.find((o) => o.kind === 'Application');
  if (root) own(root, plan.children);
  for (const a of plan.applications) own(a.application, a.objects);
  return [...owners]
    .filter(([, apps]) => apps.length > 1)
    .map(([key, apps]) => `${key} is synced by ${apps.join(' and ')}: Argo CD lets one Application own an object (FailOnSharedResource)`);
}
