/**
 * `npm run verify:k8s`: the synthesized Kubernetes output on a real API server (the version in engines.ts VERSIONS, see control-plane.ts).
 *
 * Per cluster with a bootstrap file under dist/argocd/bootstrap/, on a fresh control plane with the pinned CRDs:
 *  1. applies the bootstrap file and what the root Application syncs, then follows every child Application to its
 *     source path and applies its manifests the way Argo CD syncs them (hooks, waves, kind order), each step
 *     server-side, first with --dry-run=server, then for real;
 *  2. checks each Application's objects against its AppProject (repositories, destinations, allowed kinds);
 *  3. dry-runs a Pod from every pod template (so PodSecurity, LimitRange and quota judge the pods themselves);
 *  4. collects the Warning events of the controllers (a ReplicaSet or Job that cannot create its pods says so);
 *  5. reads every object back and lists where the server stored something other than what we wrote.
 * The Argo CD hub's own configuration (dist/argocd/hub/: argocd-cm, the repository and cluster registrations) goes
 * on a fresh control plane beside upstream's argocd-cm, and its registrations are checked against every
 * cluster's Applications (verifyHub). Then it installs the Helm chart (dist-helm/samokoder) on that same control plane
 * once every CRD is installed, and runs its self-test: objects with one known defect each must be refused, or the checker itself is broken.
 *
 * Fails on any rejection, any server or controller warning, any project violation, and on a list of server
 * rewrites that differs from the pinned one (test/real-engines/server-rewrites.txt).
 *
 *   npm run verify:k8s [-- --dist dist] [-- --chart dist-helm/samokoder] [-- --update-rewrites]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hubObjects, hubProblems, registrationSecrets } from './argocd-hub';
import { ClusterCapabilities, renderHelmApplication, wholeUpstream } from './charts';
import { autoscaledBy, NodePool, nodePoolOf } from './cloud-nodes';
import { verifyVolumes, volumeSelfTest } from './volume-binding';
import { verifyScheduling } from './verify-scheduling';
import { applyControllerObjects, controllerPodsPlaced, controllerSelfTest } from './controller-objects-apply';
import { ControlPlane, ensureControlPlane, startControlPlane } from './control-plane';
import { cpuSeconds, finish, realEnginesDir, REPO, runAsync, runMain, since, sleep, stopAll, VERSIONS } from './engines';
import {
  ApplicationSync,
  clustersOf,
  groupOf,
  K8sObject,
  loadObjects,
  loadYamlText,
  planCluster,
  podTemplates,
  projectViolations,
  ref,
  sharedObjects,
  syncSteps,
  wave,
  yamlFiles,
} from './gitops';
import { formatRewrite, rewritesOf } from './rewrites';

/**
 * What an Argo CD installation provides and the output relies on (it does not install Argo CD itself): its namespace
 * and its CRDs. Everything else, CRDs included, comes from the platform layer of the output.
 */
export const PREREQUISITE_NAMESPACES = ['argocd'];
const WEBHOOK_KINDS = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'];
const ARGO_CD_CRDS = ['argocd-application.yaml', 'argocd-appproject.yaml', 'argocd-applicationset.yaml'];

/**
 * Warning events that say something about the control plane, not about our objects. Each is named with why.
 * - ClusterIPNotAllocated "...; repairing": kube-apiserver's ClusterIP repair loop ran while a Service was being
 *   created and fixes its own bookkeeping (seen once in about 20 runs, on a different Service each time).
 * - KubernetesDefaultServiceCIDRInconsistent with an empty default ServiceCIDR (`[]`): kube-controller-manager (1.35)
 *   compared its flag with the default ServiceCIDR object before kube-apiserver had written it (seen once at start-up);
 *   a non-empty mismatch is a real misconfiguration and stays a warning.
 */
export function isControlPlaneNoise(event: K8sObject): boolean {
  const message = String(event.message ?? '');
  return (
    (event.reason === 'ClusterIPNotAllocated' && /is not allocated; repairing$/.test(message)) ||
    (event.reason === 'KubernetesDefaultServiceCIDRInconsistent' && /^The default ServiceCIDR \[\] does not match/.test(message))
  );
}

const REWRITES_FILE = path.join(REPO, 'test', 'real-engines', 'server-rewrites.txt');
const KNOWN_FILE = path.join(REPO, 'test', 'real-engines', 'known-findings.txt');

const log = (m: string) => console.log(m);

/** Server warnings that kubectl and helm print on stderr ("Warning: ..."). */
export function warningsOf(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^Warning:/.test(l) || /warnings\.go:\d+\]/.test(l))
    .map((l) => l.replace(/^.*warnings\.go:\d+\]\s*/, 'Warning: '));
}

export class Checker {
  readonly problems: string[] = [];
  readonly applied: K8sObject[] = [];
  private scope = new Map<string, boolean>();

  constructor(readonly cp: ControlPlane) {}

  private fail(message: string): void {
    this.problems.push(`[${this.cp.name}] ${message}`);
  }

  /** Installs CRD files (all of the pinned set when none are given) and waits until they are Established. */
  async installCrds(files?: string[]): Promise<void> {
    const dir = path.join(realEnginesDir(), 'crds');
    const objects = (files ?? yamlFiles(dir)).flatMap(loadObjects);
    const r = await this.cp.client.apply(objects, { force: true });
    if (!r.ok) throw new Error(`installing the CRDs failed: ${r.error}`);
    await this.waitForCrds();
  }

  /**
   * Waits for every CRD to be Established (Argo CD's health of a CRD; `kubectl wait --for=condition=Established crd
   * --all --timeout=180s`), then learns the kinds' scopes from discovery (`kubectl api-resources`).
   */
  async waitForCrds(): Promise<void> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      // Right after an apply a CRD may have no conditions yet: it is not Established until it says so.
      const crds = await this.cp.client.list('apiextensions.k8s.io', 'CustomResourceDefinition');
      const waiting = crds.filter(
        (c) => !(c.status?.conditions ?? []).some((x: K8sObject) => x.type === 'Established' && x.status === 'True'),
      );
      if (waiting.length === 0) break;
      if (Date.now() > deadline) throw new Error(`CRDs not Established in 180 s: ${waiting.map((c) => c.metadata.name).join(', ')}`);
      await sleep(250);
    }
    for (const r of await this.cp.client.apiResources()) this.scope.set(`${r.group}/${r.kind}`, !r.namespaced);
  }

  clusterScoped = (group: string, kind: string): boolean => this.scope.get(`${group}/${kind}`) ?? false;

  /** Server-side apply of `objects` (dry run, then for real). Returns false when the server refused anything. */
  async apply(objects: K8sObject[], what: string, options: { dryRunOnly?: boolean } = {}): Promise<boolean> {
    // Namespaces first, for real: a server-side dry run of an object in a namespace that does not exist yet fails
    // (Argo CD skips that dry-run failure for namespaces it is about to create).
    const namespaces = objects.filter((o) => o.kind === 'Namespace' && groupOf(o) === '');
    if (namespaces.length && namespaces.length < objects.length) {
      return (
        (await this.apply(namespaces, what, options)) &&
        this.apply(
          objects.filter((o) => !namespaces.includes(o)),
          what,
          options,
        )
      );
    }
    if (objects.length === 0) return true;
    // kubectl apply --server-side --field-manager=argocd-controller [--dry-run=server] (kube-client.ts).
    const dry = await this.cp.client.apply(objects, { fieldManager: 'argocd-controller', dryRun: true });
    for (const w of dry.warnings) this.fail(`${what}: server warning: ${w}`);
    if (!dry.ok) {
      this.fail(`${what}: refused (dry run): ${dry.error}`);
      return false;
    }
    if (options.dryRunOnly) return true;
    const real = await this.cp.client.apply(objects, { fieldManager: 'argocd-controller' });
    if (!real.ok) {
      this.fail(`${what}: refused: ${real.error}`);
      return false;
    }
    this.applied.push(...objects);
    return true;
  }

  /** A Pod made from each pod template, dry-run on the server: PodSecurity, LimitRange and quota judge the pod. */
  async dryRunPods(objects: K8sObject[]): Promise<void> {
    const pods = podTemplates(objects).map(({ owner, template }) => ({
      owner,
      pod: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${owner.metadata.name}-verify`, namespace: owner.metadata.namespace, labels: template.metadata?.labels },
        spec: template.spec,
      },
    }));
    // Each pod on its own (kubectl create --dry-run=server), so every refusal and warning names the template it came
    // from; over one kept-alive connection, one request each (kubectl sent one per item of a List too).
    for (const { owner, pod } of pods) {
      const r = await this.cp.client.create([pod], { dryRun: true });
      for (const w of r.warnings) this.fail(`Pod from ${ref(owner)}: server warning: ${w}`);
      if (!r.ok) this.fail(`Pod from ${ref(owner)}: refused: ${r.error}`);
    }
  }

  /** Warning events of the controllers (FailedCreate of a ReplicaSet or Job, ...). */
  async warningEvents(): Promise<string[]> {
    // kubectl get events -A --field-selector=type=Warning: a refusal is a problem, not an empty list.
    const items = await this.cp.client.list('', 'Event', { fieldSelector: 'type=Warning' }).catch((e: Error) => {
      this.fail(`reading the Warning events failed: ${e.message}`);
      return [] as K8sObject[];
    });
    return items
      .filter((e) => !isControlPlaneNoise(e))
      .map((e) => `${e.involvedObject?.kind}/${e.involvedObject?.namespace}/${e.involvedObject?.name}: ${e.reason}: ${e.message}`);
  }

  /** Reads back what was applied; returns one line per field the server stores differently. */
  async rewrites(): Promise<string[]> {
    const out: string[] = [];
    const objects = this.applied.filter((o) => o.metadata?.name);
    // kubectl get -f - -o json: each object read back (one that is missing is reported below).
    const r = await this.cp.client.getEach(objects);
    if (r.error) {
      this.fail(`reading back the applied objects failed: ${r.error}`);
      return out;
    }
    const stored = r.found;
    for (const wrote of objects) {
      const match = stored.find(
        (s) =>
          s.kind === wrote.kind &&
          groupOf(s) === groupOf(wrote) &&
          s.metadata.name === wrote.metadata.name &&
          (s.metadata.namespace ?? '') === (wrote.metadata.namespace ?? ''),
      );
      if (!match) {
        this.fail(`${ref(wrote)}: applied but not found when read back`);
        continue;
      }
      out.push(...rewritesOf(wrote, match).map(formatRewrite));
    }
    return out;
  }
}

/** Waits until each Job among `objects` has a Pod or a warning event; returns the Jobs without a Pod. */
async function waitForJobPods(cp: ControlPlane, objects: K8sObject[]): Promise<string[]> {
  const jobs = objects.filter((o) => o.kind === 'Job');
  const pending = new Set(jobs.map(ref));
  const deadline = Date.now() + 15_000;
  while (pending.size && Date.now() < deadline) {
    for (const job of jobs) {
      // kubectl get pods -n <ns> -l job-name=<job>: a refused read counts as no Pod yet, as it did with kubectl.
      const found = await cp.client
        .list('', 'Pod', { namespace: job.metadata.namespace, labelSelector: `job-name=${job.metadata.name}` })
        .catch(() => [] as K8sObject[]);
      if (found.length) pending.delete(ref(job));
    }
    if (pending.size) await sleep(500);
  }
  return [...pending];
}

/**
 * Applies one Application's objects as Argo CD syncs them: (phase, wave) group by group, each after the one before
 * it; a group with Jobs (hooks such as a migration) must have their Pods created before the next group, as Argo CD
 * waits for a hook to complete. Returns the number of objects applied.
 */
async function syncApplication(check: Checker, label: string, objects: K8sObject[]): Promise<number> {
  let count = 0;
  for (const step of syncSteps(objects)) {
    const what = `${label} ${step.phase} wave ${step.wave}`;
    if (!(await check.apply(step.objects, what))) continue;
    count += step.objects.length;
    for (const job of await waitForJobPods(check.cp, step.objects))
      check.problems.push(`[${check.cp.name}] ${what}: ${job} created no Pod`);
  }
  return count;
}

/**
 * What the API server tells `helm template` about the cluster, as Argo CD passes it: its version and every
 * group/version and group/version/Kind it serves (CRDs installed by earlier waves included).
 */
async function capabilitiesOf(cp: ControlPlane): Promise<ClusterCapabilities> {
  // kubectl api-versions, and the APIVERSION/KIND columns of kubectl api-resources (kube-client.ts).
  const versions = await cp.client.apiVersions();
  const kinds = (await cp.client.apiResources()).map((r) => `${r.group ? `${r.group}/` : ''}${r.version}/${r.kind}`);
  // Argo CD passes the version as k8s.io/apimachinery's ParseGeneric prints it (no "v"; reposerver parseKubeVersion).
  return { kubeVersion: VERSIONS.kubernetes, apiVersions: [...new Set([...versions, ...kinds])].sort() };
}

/** The synthesized Terraform stacks (cdktf.out/stacks/<stack>/cdk.tf.json): where the clusters' node pools are. */
function terraformStacks(dir = path.join(REPO, 'cdktf.out', 'stacks')): Array<{ name: string; json: K8sObject }> {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((s) => fs.existsSync(path.join(dir, s, 'cdk.tf.json')))
    .sort()
    .map((name) => ({ name, json: JSON.parse(fs.readFileSync(path.join(dir, name, 'cdk.tf.json'), 'utf8')) }));
}

async function verifyCluster(bin: string, dist: string, cluster: string): Promise<PartResult> {
  const t0 = Date.now();
  const crds = path.join(realEnginesDir(), 'crds');
  const plan = planCluster(REPO, dist, cluster, wholeUpstream());
  const cp = await startControlPlane(cluster, bin, log);
  const check = new Checker(cp);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `verify-k8s-${cluster}-`));
  try {
    check.problems.push(...plan.problems.map((p) => `[${cluster}] ${p}`));
    // Argo CD's own install: its namespace and CRDs. Every other CRD comes from the platform layer below.
    await check.installCrds(ARGO_CD_CRDS.map((f) => path.join(crds, f)));
    await cp.client.create(PREREQUISITE_NAMESPACES.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
    await check.apply(plan.bootstrap, `bootstrap (dist/argocd/bootstrap/${cluster})`);
    await check.apply(plan.children, 'what the root Application syncs');
    let count = plan.bootstrap.length + plan.children.length;
    let chartObjects = 0;
    const charts: string[] = [];
    const synced: ApplicationSync[] = [];
    const notInstalled: string[] = [];
    // CRDs applied by one wave's Applications are waited for once, before the next wave (Argo CD syncs the
    // Applications of a wave side by side, and a chart is rendered with the API versions the cluster then serves).
    let crdsPending = false;
    let previousWave: number | undefined;
    for (const planned of plan.applications) {
      let app = planned;
      const appWave = wave(app.application);
      if (crdsPending && appWave !== previousWave) {
        await check.waitForCrds();
        crdsPending = false;
      }
      previousWave = appWave;
      const label = `${ref(app.application)} (${app.path})`;
      const destination = app.application.spec?.destination?.namespace;
      // Argo CD creates the destination namespace first when the Application asks it to, with the labels and
      // annotations of its managedNamespaceMetadata (gitops-engine's namespace sync), which admission then enforces.
      if (destination && (app.application.spec?.syncPolicy?.syncOptions ?? []).includes('CreateNamespace=true')) {
        const managed = app.application.spec?.syncPolicy?.managedNamespaceMetadata ?? {};
        const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: destination, ...managed } };
        const r = await cp.client.apply([namespace], { fieldManager: 'argocd-controller' });
        if (!r.ok) check.problems.push(`[${cluster}] ${label}: namespace ${destination} not created: ${r.error}`);
      }
      if (app.origin === 'helm') {
        // Rendered now, as Argo CD renders at sync time: with the API versions the cluster serves after earlier waves.
        const rendered = renderHelmApplication(path.join(bin, 'helm'), app.application, await capabilitiesOf(cp), work);
        check.problems.push(...rendered.problems.map((p) => `[${cluster}] ${p}`));
        check.problems.push(
          ...rendered.unstable.map(
            (f) => `[${cluster}] ${label}: renders differently each time (OutOfSync at every refresh, self-heal re-applies it): ${f}`,
          ),
        );
        app = { ...app, objects: rendered.objects };
        charts.push(app.path);
        chartObjects += rendered.objects.length;
      }
      // Argo CD puts a namespaced object without a namespace into the destination's (controller/state.go
      // NormalizeTargetObjects); chart templates and upstream directories rely on it.
      const into = app.application.spec?.destination?.namespace;
      app = {
        ...app,
        objects: app.objects.map((o) =>
          o.metadata?.namespace || !into || check.clusterScoped(groupOf(o), o.kind)
            ? o
            : { ...o, metadata: { ...o.metadata, namespace: into } },
        ),
      };
      synced.push(app);
      if (app.project) {
        check.problems.push(
          ...projectViolations(app.application, app.project, app.objects, check.clusterScoped).map((p) => `[${cluster}] ${p}`),
        );
      }
      // Admission webhooks are checked by the server (dry run) but not installed: no webhook server runs offline, so
      // every later object they match would be refused for want of it. On a cluster the controllers' Deployments
      // serve them, and Argo CD's waves wait for those Deployments to be healthy before the next wave.
      const webhooks = app.objects.filter((o) => WEBHOOK_KINDS.includes(o.kind) && groupOf(o) === 'admissionregistration.k8s.io');
      if (webhooks.length) {
        await check.apply(webhooks, `${label} webhook configurations`, { dryRunOnly: true });
        notInstalled.push(...webhooks.map(ref));
      }
      const tracked = check.applied.length;
      count += await syncApplication(
        check,
        label,
        app.objects.filter((o) => !webhooks.includes(o)),
      );
      // Server rewrites are pinned for what we write; a chart's or an upstream directory's are upstream's business.
      if (app.origin !== 'local') check.applied.splice(tracked);
      if (app.objects.some((o) => o.kind === 'CustomResourceDefinition')) crdsPending = true;
      await check.dryRunPods(app.objects);
    }
    if (crdsPending) await check.waitForCrds();
    // Every CRD is installed now, so each kind's scope is known: no object may belong to two Applications.
    check.problems.push(...sharedObjects({ ...plan, applications: synced }, check.clusterScoped).map((p) => `[${cluster}] ${p}`));
    await sleep(3000); // let the controllers act on what was applied
    check.problems.push(...(await check.warningEvents()).map((e) => `[${cluster}] controller warning: ${e}`));
    const rewrites = (await check.rewrites()).map((r) => `${cluster}: ${r}`);
    // A cluster that schedules: the cloud's nodes for this cluster's pool, the Rollouts' ReplicaSets, kube-scheduler.
    // What the controllers create for us (Envoy Gateway's proxies, cert-manager's solvers), as they send it; their pods
    // are scheduled with ours below (controller-objects-apply.ts).
    const objects = synced.flatMap((a) => a.objects);
    const made = await applyControllerObjects(cp, objects);
    check.problems.push(...made.problems.map((p) => `[${cluster}] ${p}`));
    const stacks = terraformStacks();
    const pool = nodePoolOf(stacks, cluster);
    let scheduling: string[] = [made.summary];
    if (!pool) check.problems.push(`[${cluster}] no node pool for this cluster in cdktf.out/stacks (run npm run synth)`);
    else {
      // Every claim binds as the cloud binds it (volume-binding.ts), before the pods that mount them are scheduled.
      const stack = stacks.find((st) =>
        Object.values<K8sObject>(st.json.resource?.aws_eks_cluster ?? {}).some((c) => String(c.name).endsWith(`-${cluster}`)),
      );
      const volumes = await verifyVolumes(cp, objects, pool.cloud, stack?.json);
      check.problems.push(...volumes.problems.map((p) => `[${cluster}] ${p}`));
      scheduling = [...scheduling, volumes.line];
      const placed = await verifyScheduling(cp, objects, { ...pool, autoscaled: autoscaledBy(pool, objects) });
      check.problems.push(...placed.problems.map((p) => `[${cluster}] ${p}`));
      scheduling = [...scheduling, ...placed.lines, await controllerPodsPlaced(cp)];
    }
    log(
      `  ${cluster}: ${count} objects in ${plan.applications.length} Applications applied from an empty cluster, ` +
        `${chartObjects} of them rendered from ${charts.length} Helm charts (${charts.map((c) => c.split(' ')[1]).join(', ')}) and checked ` +
        `against their project; ${scheduling.join('; ')}; ${check.problems.length} problems; ${rewrites.length} rewrites (${since(t0)} s)`,
    );
    const notExercised = [
      ...(notInstalled.length
        ? [
            `${cluster}: ${notInstalled.length} admission webhook configurations validated by a dry run, not installed (no webhook server offline): ${notInstalled.join(', ')}`,
          ]
        : []),
      ...made.unmodelled.map((u) => `${cluster}: controller-made objects not modelled: ${u}`),
    ];
    return { problems: check.problems, rewrites, notExercised };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    await cp.stop();
  }
}

/**
 * The Argo CD hub's configuration (dist/argocd/hub/) on a fresh control plane with only Argo CD's and External
 * Secrets' CRDs (its own, or the one the Helm chart goes on next): upstream's argocd-cm first, as manifests/install.yaml at v3.5.1 makes it (its labels, no data) under
 * its own field manager, then ours server-side (the documented install order), then upstream's again with
 * --force-conflicts (an upgrade of Argo CD): the Application health check must survive both. The registrations are
 * checked against every cluster's plan (see argocd-hub.ts).
 */
async function verifyHub(bin: string, dist: string, shared?: ControlPlane): Promise<PartResult> {
  const t0 = Date.now();
  const hub = hubObjects(dist);
  if (hub.length === 0) {
    return { problems: [], rewrites: [], notExercised: ['hub: the output has no argocd/hub/ (Argo CD configured elsewhere)'] };
  }
  const plans = clustersOf(dist).map((c) => planCluster(REPO, dist, c));
  const problems = hubProblems(hub, plans).map((p) => `[hub] ${p}`);
  // On a shared control plane the hub goes first (before the Helm part installs the other CRDs), under its own name.
  const cp = shared ? { ...shared, name: 'hub' } : await startControlPlane('hub', bin, log);
  const check = new Checker(cp);
  try {
    const crds = path.join(realEnginesDir(), 'crds');
    await check.installCrds([...ARGO_CD_CRDS, 'eso-externalsecrets.yaml'].map((f) => path.join(crds, f)));
    await cp.client.create([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }]);
    const upstream = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'argocd-cm',
        namespace: 'argocd',
        labels: { 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' },
      },
    };
    // kubectl apply --server-side --field-manager=argocd-install [--force-conflicts] (kube-client.ts).
    const install = async (what: string, force: boolean) => {
      const r = await cp.client.apply([upstream], { fieldManager: 'argocd-install', force });
      if (!r.ok) check.problems.push(`[hub] upstream argocd-cm (${what}): refused: ${r.error}`);
    };
    await install('install', false);
    await check.apply(hub, 'dist/argocd/hub (kubectl apply --server-side)');
    await install('upgrade', true);
    const cm = await cp.client.get('', 'ConfigMap', 'argocd', 'argocd-cm');
    const data = cm?.data ?? {};
    if (!data['resource.customizations.health.argoproj.io_Application']) {
      check.problems.push('[hub] argocd-cm lost the Application health check when upstream install.yaml was applied again');
    }
    const rewrites = (await check.rewrites()).map((r) => `hub: ${r}`);
    problems.push(...check.problems);
    const registrations = registrationSecrets(hub);
    log(
      `  hub: ${hub.length} objects applied beside upstream's argocd-cm; ${registrations.length} registrations ` +
        `(${registrations.filter((r) => r.type === 'cluster').length} clusters) checked against the Applications of ${plans.length} clusters; ` +
        `${problems.length} problems; ${rewrites.length} rewrites (${since(t0)} s)`,
    );
    return { problems, rewrites };
  } finally {
    if (!shared) await cp.stop();
  }
}

/** The Helm chart, rendered and installed (on its own control plane, or after the hub on its) next to the namespace it is made for. */
async function verifyHelmChart(bin: string, dist: string, chart: string, shared?: ControlPlane): Promise<string[]> {
  const t0 = Date.now();
  const cp = shared ? { ...shared, name: 'helm' } : await startControlPlane('helm', bin, log);
  const check = new Checker(cp);
  try {
    await check.installCrds();
    // The chart holds the services; the namespace (quota, limits, default deny) comes from its own chart.
    const nsObjects = yamlFiles(path.join(dist, 'production', 'namespace')).flatMap(loadObjects);
    await check.apply(nsObjects, 'production namespace (the chart\u2019s prerequisite)');
    const ns = (nsObjects.find((o: K8sObject) => o.kind === 'Namespace')?.metadata.name as string) ?? 'samokoder';
    const template = cp.helm(['template', 'samokoder', chart, '--namespace', ns, '--kube-version', `v${VERSIONS.kubernetes}`]);
    if (template.status !== 0) check.problems.push(`[helm] helm template failed: ${template.stderr.trim()}`);
    // Hooks (the migration Job) wait for their Job to complete, which needs a kubelet: install without running them,
    // then check each hook against the server as it would be created (after install, before upgrade).
    const helmStep = (what: string, args: string[]) => {
      const r = cp.helm(args);
      for (const w of warningsOf(r.stderr)) check.problems.push(`[helm] ${what}: server warning: ${w}`);
      if (r.status !== 0) check.problems.push(`[helm] ${what} failed: ${r.stderr.trim()}`);
      return r;
    };
    const hooksAgainstServer = async (when: string) => {
      const hooks = helmStep('helm get hooks', ['get', 'hooks', 'samokoder', '--namespace', ns]);
      const objects = loadYamlText(hooks.stdout);
      if (objects.length === 0) check.problems.push(`[helm] the chart has no hooks: the migration Job must be one (${when})`);
      for (const o of objects) {
        // kubectl apply --server-side --dry-run=server --field-manager=helm (kube-client.ts).
        const r = await cp.client.apply([o], { fieldManager: 'helm', dryRun: true });
        for (const w of r.warnings) check.problems.push(`[helm] hook ${o.kind}/${o.metadata.name} ${when}: server warning: ${w}`);
        if (!r.ok) check.problems.push(`[helm] hook ${o.kind}/${o.metadata.name} ${when}: refused: ${r.error}`);
      }
    };
    helmStep('helm install --dry-run=server', ['install', 'samokoder', chart, '--namespace', ns, '--dry-run=server']);
    helmStep('helm install', ['install', 'samokoder', chart, '--namespace', ns, '--no-hooks']);
    await hooksAgainstServer('after install');
    // A new image: a Job that is not a hook would be patched, and its pod template is immutable.
    const values = cp.helm(['get', 'values', 'samokoder', '--namespace', ns, '--all', '--output', 'json']);
    const next = Object.keys(values.status === 0 ? JSON.parse(values.stdout) : {}).flatMap((svc) => {
      const image = JSON.parse(values.stdout)[svc]?.image;
      return typeof image === 'string' ? ['--set', `${svc}.image=${image.replace(/:[^:@/]+$/, ':0.0.0-verify-upgrade')}`] : [];
    });
    helmStep('helm upgrade (new images)', ['upgrade', 'samokoder', chart, '--namespace', ns, '--no-hooks', ...next]);
    await hooksAgainstServer('before upgrade');
    await sleep(3000);
    check.problems.push(...(await check.warningEvents()).map((e) => `[helm] controller warning: ${e}`));
    log(
      `  helm: chart ${path.relative(REPO, chart)} rendered and installed into "${ns}"; ${check.problems.length} problems (${since(t0)} s)`,
    );
    return check.problems;
  } finally {
    if (!shared) await cp.stop();
  }
}

/** Kinds without a namespace, for the chart self-test (which runs without a server to ask). */
const BUILT_IN_CLUSTER_KINDS = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PriorityClass',
  'StorageClass',
  'IngressClass',
  'GatewayClass',
  'ClusterIssuer',
  'ClusterSecretStore',
]);

/**
 * The scheduling check's own test, on a DOKS node: a pod that requires a zone spread (DOKS nodes have no zone label)
 * and a pod larger than any node must both be reported as not scheduled.
 */
async function schedulingSelfTest(cp: ControlPlane): Promise<string[]> {
  const pool: NodePool = {
    cloud: 'digitalocean',
    name: 'self-test-pool',
    instanceType: 's-4vcpu-8gb',
    min: 1,
    max: 1,
    autoscaled: true,
    region: 'nyc3',
    zones: [],
    labels: {},
  };
  const workload = (name: string, spec: K8sObject): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: 'registry.invalid/x:1', resources: { requests: { cpu: '100m', memory: '64Mi' } } }], ...spec },
      },
    },
  });
  const broken = [
    workload('broken-zone-spread', {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: { matchLabels: { app: 'broken-zone-spread' } },
        },
      ],
    }),
    workload('broken-too-big', {
      containers: [{ name: 'big', image: 'registry.invalid/x:1', resources: { requests: { cpu: '16', memory: '64Mi' } } }],
    }),
  ];
  const r = await cp.client.apply(broken);
  if (!r.ok) return [`[self-test] scheduling: could not apply the broken workloads: ${r.error}`];
  const result = await verifyScheduling(cp, broken, pool);
  const problems: string[] = [];
  for (const [name, expect] of [
    ['broken-zone-spread', /topology spread constraints|missing required label/],
    ['broken-too-big', /Insufficient cpu/],
  ] as const) {
    const caught = result.problems.find((p) => p.includes(name) && expect.test(p));
    if (!caught) problems.push(`[self-test] scheduling: ${name} was placed, the checker let it through`);
    else log(`  self-test: ${name} on a DOKS node: not scheduled (${caught.slice(0, 160)}…)`);
  }
  return problems;
}

/** How many broken outputs controllerSelfTest (controller-objects-apply.ts) tries. */
const CONTROLLER_SELF_TEST_CASES = 5;

/** How many broken outputs chartSelfTest tries. */
const CHART_SELF_TEST_CASES = 4;

/**
 * The chart checks' own test, by rendering only (no server): each Helm Application with one known defect put back
 * (the defects the platform layer was fixed for) must be caught, and a chart version that does not exist must fail.
 */
export function chartSelfTest(helmBin: string, dist: string, cluster: string): string[] {
  const plan = planCluster(REPO, dist, cluster, wholeUpstream());
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-k8s-charts-'));
  const caps: ClusterCapabilities = { kubeVersion: VERSIONS.kubernetes, apiVersions: [] };
  const scoped = (_group: string, kind: string) => BUILT_IN_CLUSTER_KINDS.has(kind);
  const app = (component: string) =>
    plan.applications.find((a) => a.application.metadata?.labels?.['samokoder.dev/component'] === component && a.origin === 'helm');
  const crdApp = (component: string) =>
    plan.applications.find((a) => a.application.metadata?.labels?.['samokoder.dev/component'] === component && a.origin === 'upstream');
  const broken = (a: ApplicationSync | undefined, change: (helm: K8sObject) => void): K8sObject | undefined => {
    if (!a) return undefined;
    const copy = JSON.parse(JSON.stringify(a.application)) as K8sObject;
    change(copy.spec.source);
    return copy;
  };
  const problems: string[] = [];
  const expectCaught = (name: string, found: string[]) => {
    if (found.length === 0) problems.push(`[self-test] ${name}: the checker let it through`);
    else log(`  self-test: ${name}: caught (${found[0].slice(0, 160)}${found[0].length > 160 ? '…' : ''})`);
  };
  try {
    const missing = broken(app('cert-manager'), (src) => (src.targetRevision = '99.0.0-does-not-exist'));
    expectCaught('a chart version that does not exist', missing ? renderHelmApplication(helmBin, missing, caps, work).problems : []);
    const leases = broken(app('cert-manager'), (src) => delete src.helm.valuesObject.global);
    const leaseObjects = leases ? renderHelmApplication(helmBin, leases, caps, work).objects : [];
    expectCaught(
      'cert-manager with its leader-election leases in kube-system (not a destination)',
      leases && app('cert-manager')?.project ? projectViolations(leases, app('cert-manager')!.project!, leaseObjects, scoped) : [],
    );
    const password = broken(app('kube-prometheus-stack'), (src) => delete src.helm.valuesObject.grafana);
    expectCaught(
      'Grafana with a password the chart draws at random',
      password ? renderHelmApplication(helmBin, password, caps, work).unstable : [],
    );
    const subchart = broken(app('envoy-gateway'), (src) => delete src.helm.valuesObject.crds);
    const gatewayApi = crdApp('gateway-api');
    if (subchart && gatewayApi) {
      const objects = renderHelmApplication(helmBin, subchart, caps, work).objects;
      const twoOwners = { ...plan, applications: [gatewayApi, { ...app('envoy-gateway')!, application: subchart, objects }] };
      expectCaught('Envoy Gateway’s crds subchart beside the Gateway API CRD Application', sharedObjects(twoOwners, scoped));
    } else expectCaught('Envoy Gateway’s crds subchart beside the Gateway API CRD Application', []);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return problems;
}

/**
 * The checker's own test: our output with one known defect each must be refused. A checker that lets any of these
 * through is broken, and this run fails.
 */
async function selfTest(bin: string, dist: string, cluster: string): Promise<string[]> {
  const t0 = Date.now();
  const plan = planCluster(REPO, dist, cluster);
  const all = plan.applications.flatMap((a) => a.objects);
  const namespaceObjects = all.filter((o) => o.kind === 'Namespace');
  const deployment = all.find((o) => o.kind === 'Deployment');
  const route = all.find((o) => o.kind === 'HTTPRoute' && o.spec?.rules?.some((r: K8sObject) => r.matches?.length));
  if (!deployment || !route) return ['[self-test] the output has no Deployment or HTTPRoute with matches to break'];
  const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o));
  const privileged = clone(deployment);
  privileged.metadata.name = 'broken-privileged';
  privileged.spec.template.spec.containers[0].securityContext = { privileged: true };
  const noSlash = clone(route);
  noSlash.metadata.name = 'broken-path';
  const match = noSlash.spec.rules.find((r: K8sObject) => r.matches?.length).matches[0];
  match.path = { type: 'PathPrefix', value: 'api' };
  // Accepted with a Warning header: the check fails on server warnings, so it must see them. kube-apiserver warns of
  // a deprecated node label in a pod template (pkg/api/pod/warnings.go: `beta.kubernetes.io/os ... deprecated since
  // v1.14; use "kubernetes.io/os" instead`).
  const deprecated = clone(deployment);
  deprecated.metadata.name = 'broken-deprecated-label';
  deprecated.spec.template.spec.nodeSelector = { ...deprecated.spec.template.spec.nodeSelector, 'beta.kubernetes.io/os': 'linux' };
  const cases: Array<{ name: string; objects: K8sObject[]; pods?: boolean; expect: RegExp }> = [
    { name: 'privileged container (PodSecurity restricted)', objects: [privileged], pods: true, expect: /forbidden|violate|privileged/i },
    { name: 'HTTPRoute path without a leading "/" (CRD validation)', objects: [noSlash], expect: /path|must/i },
    { name: 'a deprecated node label in a pod template (server warning)', objects: [deprecated], expect: /server warning: .*deprecated/ },
  ];
  const withMigration = plan.applications.find((a) => a.objects.some((o) => o.kind === 'Job'));
  const custom = plan.applications.find(
    (a) =>
      a.origin === 'local' &&
      a.objects.some((o) => ['cert-manager.io', 'external-secrets.io', 'monitoring.coreos.com'].includes(groupOf(o))),
  );
  const problems: string[] = chartSelfTest(path.join(bin, 'helm'), dist, cluster);
  // One object in two Applications (a copy of one app's Service in another app's sync): FailOnSharedResource.
  const [owner, other] = plan.applications.filter((a) => a.origin === 'local' && a.objects.some((o) => o.kind === 'Service'));
  if (!owner || !other) problems.push('[self-test] the output has no two Applications to share an object between');
  else {
    const service = owner.objects.find((o) => o.kind === 'Service')!;
    const shared = { ...plan, applications: plan.applications.map((a) => (a === other ? { ...a, objects: [...a.objects, service] } : a)) };
    const caught = sharedObjects(shared, () => false)[0];
    if (!caught) problems.push(`[self-test] ${ref(service)} in two Applications: the checker let it through`);
    else log(`  self-test: one object in two Applications: refused (${caught.slice(0, 160)}…)`);
  }
  // A hub that does not register one of the clusters an Application deploys to.
  const hub = hubObjects(dist);
  const unregistered = hub.find((o) => o.kind === 'ExternalSecret' && o.spec?.target?.template?.data?.name === cluster);
  if (!unregistered) problems.push(`[self-test] the output's hub registers no cluster ${cluster} to drop`);
  else {
    const caught = hubProblems(
      hub.filter((o) => o !== unregistered),
      [plan],
    ).find((p) => p.includes('no cluster Secret registers'));
    if (!caught) problems.push(`[self-test] a hub without ${ref(unregistered)}: the checker let it through`);
    else log(`  self-test: a hub without the registration of ${cluster}: refused (${caught.slice(0, 160)}…)`);
  }
  const cp = await startControlPlane('self-test', bin, log);
  try {
    const check = new Checker(cp);
    // Without the platform layer (no CRDs yet), an app that uses a custom kind must be refused.
    if (custom) {
      const probe = new Checker(cp);
      await probe.apply(custom.objects, `${ref(custom.application)} without the platform layer`, { dryRunOnly: true });
      const caught = probe.problems.find((p) => /no matches for kind|ensure CRDs are installed/.test(p));
      if (!caught) problems.push('[self-test] an app synced before the platform layer (no CRDs): the checker let it through');
      else log(`  self-test: an app before the platform layer: refused (${caught.slice(0, 160)}…)`);
    }
    await check.installCrds();
    await check.apply(namespaceObjects, 'namespaces');
    if (withMigration) {
      // The migration as a PreSync hook runs before its ServiceAccount exists: its Job can create no Pod.
      const objects = withMigration.objects.map(clone);
      for (const job of objects.filter((o) => o.kind === 'Job')) {
        job.metadata.annotations = { 'argocd.argoproj.io/hook': 'PreSync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' };
      }
      const probe = new Checker(cp);
      await syncApplication(probe, 'migration as a PreSync hook', objects);
      const caught = probe.problems.find((p) => /created no Pod/.test(p));
      if (!caught) problems.push('[self-test] migration Job as a PreSync hook (before its ServiceAccount): the checker let it through');
      else log(`  self-test: migration Job as a PreSync hook: refused (${caught.slice(0, 160)}…)`);
    } else {
      problems.push('[self-test] the output has no migration Job to misorder');
    }
    for (const c of cases) {
      const probe = new Checker(cp);
      if (c.pods) await probe.dryRunPods(c.objects);
      else await probe.apply(c.objects, c.name, { dryRunOnly: true });
      const caught = probe.problems.find((p) => c.expect.test(p));
      if (!caught) problems.push(`[self-test] ${c.name}: the checker let it through`);
      else log(`  self-test: ${c.name}: refused (${caught.slice(0, 160)}${caught.length > 160 ? '…' : ''})`);
    }
    // The solvers need a cluster whose gateway ends TLS (a Certificate): the first such cluster's output.
    const withCertificate = clustersOf(dist)
      .map((c) => planCluster(REPO, dist, c).applications.flatMap((a) => a.objects))
      .find((objects) => objects.some((o) => o.kind === 'Certificate'));
    const controllers = await controllerSelfTest(cp, withCertificate ?? all, log);
    problems.push(...controllers.problems, ...(await schedulingSelfTest(cp)), ...(await volumeSelfTest(cp, log)));
  } finally {
    await cp.stop();
  }
  log(
    `  self-test: ${cases.length + (withMigration ? 1 : 0) + (custom ? 1 : 0) + 1 + CHART_SELF_TEST_CASES + CONTROLLER_SELF_TEST_CASES + 2 + 2 + 1} broken outputs, ${problems.length} let through (${since(t0)} s)`,
  );
  return problems;
}

interface PartResult {
  problems: string[];
  rewrites: string[];
  /** What this part could not check, by name and why (printed, and counted in the summary: never "passed"). */
  notExercised?: string[];
}

/**
 * Runs the parts side by side, each in a child process with its own control plane, at most
 * $SAMOKODER_VERIFY_JOBS (default: the number of CPUs, at least 2) at a time. Each part waits on its control plane
 * most of the time (kubectl, the API server, the controllers), so two at a time on two cores took half as long as
 * one after the other. Each part's log is printed whole when it ends.
 */
async function runParts(parts: string[], args: string[]): Promise<PartResult[]> {
  const jobs = Math.max(1, Number(process.env.SAMOKODER_VERIFY_JOBS ?? Math.max(2, os.cpus().length)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-k8s-parts-'));
  // The parts' shared renders of identical `helm template` commands (charts.ts renderCache), for this run only.
  const helmCache = path.join(dir, 'helm-renders');
  fs.mkdirSync(helmCache);
  const results: PartResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const part = parts[next++];
      const file = path.join(dir, `${part}.json`);
      const forwarded = args.filter((a, i) => ['--dist', '--chart'].includes(a) || ['--dist', '--chart'].includes(args[i - 1]));
      const r = await runAsync(process.execPath, [...process.execArgv, __filename, ...forwarded, '--part', part, '--result', file], {
        env: { SAMOKODER_VERIFY_HELM_CACHE: helmCache },
      });
      process.stdout.write(r.stdout);
      if (r.status !== 0 || !fs.existsSync(file)) {
        results.push({ problems: [`[${part}] the check itself failed (exit ${r.status}): ${r.stderr.trim().slice(-2000)}`], rewrites: [] });
      } else {
        results.push(JSON.parse(fs.readFileSync(file, 'utf8')) as PartResult);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, parts.length) }, worker));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const dist = path.resolve(REPO, opt('--dist', 'dist'));
  const chart = path.resolve(REPO, opt('--chart', 'dist-helm/samokoder'));
  const t0 = Date.now();
  if (!args.includes('--part')) {
    log(`verify:k8s: Kubernetes v${VERSIONS.kubernetes} control plane, CRDs from ${realEnginesDir()}/crds, helm v${VERSIONS.helm}`);
  }
  const bin = ensureControlPlane(log);
  const clusters = clustersOf(dist);
  if (clusters.length === 0) throw new Error(`no clusters: ${dist}/argocd/bootstrap/ holds no bootstrap files (run npm run synth first)`);
  const problems: string[] = [];
  const rewrites: string[] = [];
  // One part (a cluster, the Helm chart or the self-test) in a child process of the run below.
  const part = opt('--part', '');
  if (part) {
    let result: PartResult = { problems: [], rewrites: [] };
    const helmPart = async (shared?: ControlPlane) => {
      if (fs.existsSync(path.join(chart, 'Chart.yaml'))) return verifyHelmChart(bin, dist, chart, shared);
      return [`no Helm chart at ${chart} (run npm run helm first)`];
    };
    if (part === 'helm') result.problems.push(...(await helmPart()));
    else if (part === 'hub+helm') {
      // One control plane for both (one start-up, one etcd, one controller-manager less): the hub first, with only
      // Argo CD's and External Secrets' CRDs as before, then the chart after every CRD is installed. The hub's objects
      // stay in "argocd"; the chart goes into its own namespace, and its warning events are read cluster-wide.
      const cp = await startControlPlane('hub+helm', bin, log);
      try {
        result = await verifyHub(bin, dist, cp);
        result.problems.push(...(await helmPart(cp)));
      } finally {
        await cp.stop();
      }
    } else if (part === 'self-test') result.problems.push(...(await selfTest(bin, dist, clusters[0])));
    else if (part === 'hub') result = await verifyHub(bin, dist);
    else result = await verifyCluster(bin, dist, part);
    fs.writeFileSync(opt('--result', ''), JSON.stringify(result));
    await stopAll();
    // CPU of this part: node itself, and every process it started and waited for (kubectl, helm, the control plane).
    log(
      `  part ${part}: CPU ${cpuSeconds('self').toFixed(1)} s node + ${cpuSeconds('self', true).toFixed(1)} s child processes, ${since(t0)} s wall`,
    );
    return;
  }
  // `--only helm` (or clusters, hub, self-test) while working on one part; CI runs all four.
  const only = opt('--only', 'all');
  const runs = (name: string) => only === 'all' || only === name;
  const parts = [
    ...(runs('clusters') ? clusters : []),
    // Together on one control plane when both run (see the part 'hub+helm' above).
    ...(runs('hub') && runs('helm') ? ['hub+helm'] : runs('hub') ? ['hub'] : runs('helm') ? ['helm'] : []),
    ...(runs('self-test') ? ['self-test'] : []),
  ];
  const notExercised: string[] = [];
  for (const r of await runParts(parts, args)) {
    problems.push(...r.problems);
    rewrites.push(...r.rewrites);
    notExercised.push(...(r.notExercised ?? []));
  }
  for (const l of notExercised.sort()) log(`  not exercised: ${l}`);
  let knownSeen = 0;
  if (runs('clusters')) {
    // Findings the check sees and an open issue tracks: printed every run, not failing it; a new one fails, and one
    // that no longer happens fails until it is removed from the list (so the list only shrinks when it is fixed).
    const known = fs.existsSync(KNOWN_FILE)
      ? fs
          .readFileSync(KNOWN_FILE, 'utf8')
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
      : [];
    const seen = new Set(problems);
    knownSeen = known.filter((k) => seen.has(k)).length;
    for (const k of known) {
      if (seen.has(k)) log(`  known finding (open, see ${path.relative(REPO, KNOWN_FILE)}): ${k}`);
      else problems.push(`known finding no longer happens (remove it from ${path.relative(REPO, KNOWN_FILE)}): ${k}`);
    }
    for (let i = problems.length - 1; i >= 0; i--) if (known.includes(problems[i])) problems.splice(i, 1);
  }
  if (only !== 'all') {
    await finish(
      problems,
      `verify:k8s --only ${only}: ${problems.length ? `${problems.length} failed` : 'passed'}; ${notExercised.length} not exercised (listed above); ${since(t0)} s`,
      log,
    );
    return;
  }

  const pinned = fs.existsSync(REWRITES_FILE)
    ? fs
        .readFileSync(REWRITES_FILE, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
    : [];
  const found = [...new Set(rewrites)].sort();
  if (args.includes('--update-rewrites')) {
    const header =
      '# Fields the API server stores differently from what we write (see scripts/real-engines/rewrites.ts).\n# Pinned: npm run verify:k8s fails when this list changes. Regenerate with npm run verify:k8s -- --update-rewrites.\n';
    fs.writeFileSync(REWRITES_FILE, header + found.map((l) => `${l}\n`).join(''));
    log(`wrote ${found.length} rewrites to ${path.relative(REPO, REWRITES_FILE)}`);
  } else {
    const added = found.filter((l) => !pinned.includes(l));
    const gone = pinned.filter((l) => !found.includes(l));
    for (const l of added) problems.push(`server rewrite not in ${path.relative(REPO, REWRITES_FILE)}: ${l}`);
    for (const l of gone) problems.push(`pinned server rewrite no longer happens (update the list): ${l}`);
  }
  for (const l of found) log(`  rewrite: ${l}`);
  await finish(
    problems,
    `verify:k8s: ${clusters.length} clusters + hub + helm + self-test: ${problems.length ? `${problems.length} failed` : 'passed'}; ` +
      `${notExercised.length} not exercised and ${knownSeen} known findings (listed above); ${found.length} pinned rewrites; ${since(t0)} s`,
    log,
  );
}

if (require.main === module) runMain(main);
