/**
 * verify:k8s, part two of each cluster: a cluster that schedules. After the GitOps tree is applied, the cluster gets
 * the nodes its cloud registers for its node pool at the pool's minimum (cloud-nodes.ts: labels, allocatable,
 * taints, from the sources) and what the cloud already runs on them, the ReplicaSets the Argo Rollouts controller would
 * make, and kube-scheduler of the same build. Then:
 * - steady load (each autoscaler at its minimum): every pod of every workload must be created (quota, admission) and
 *   placed;
 * - peak (each autoscaler at its maximum, during a blue-green release with the preview at full size): the pods must be
 *   created; if they do not fit on the minimum, nodes are added one by one up to the pool's maximum: the result says
 *   how many nodes the peak needs, and fails when that is more than the pool's maximum, or more than its minimum on a
 *   pool nothing scales (an EKS node group without an autoscaler in the cluster).
 */
import { ControlPlane } from './control-plane';
import { nodeOf, NodePool, systemWorkloads } from './cloud-nodes';
import { sleep } from './engines';
import { K8sObject, ref } from './gitops';
import { errorMessage } from './kube-client';
import { Load, placements, PodPlacement, rolloutReplicaSets } from './scheduling';

async function applyJson(cp: ControlPlane, objects: K8sObject[], what: string): Promise<string[]> {
  if (objects.length === 0) return [];
  // kubectl apply --server-side --field-manager=verify-scheduling (kube-client.ts).
  const r = await cp.client.apply(objects, { fieldManager: 'verify-scheduling' });
  return r.ok ? [] : [`${what}: refused: ${r.error}`];
}

/**
 * Registers nodes `from`..`to`-1 of the pool with their status (allocatable, Ready), as their kubelets would.
 * `scheduling`: kube-scheduler already runs (see the taint below).
 */
export async function addNodes(cp: ControlPlane, pool: NodePool, from: number, to: number, scheduling: boolean): Promise<string[]> {
  const problems: string[] = [];
  for (let i = from; i < to; i++) {
    const node = nodeOf(pool, i);
    const { status, ...spec } = node;
    problems.push(...(await applyJson(cp, [spec], `Node ${node.metadata.name}`)));
    // kubectl patch node <name> --subresource=status --type=merge -p <status>.
    const r = await cp.client.patch('', 'Node', undefined, node.metadata.name, { status }, 'status');
    if (!r.ok) problems.push(`Node ${node.metadata.name} status: ${errorMessage(r)}`);
    // The API server taints a new node not-ready (TaintNodesByCondition admission); the node lifecycle controller
    // lifts it once the kubelet reports Ready. That controller is off here (no kubelet renews a lease): lift it, once
    // the DaemonSets that tolerate the taint have their pods on the node. On a cloud a node turns Ready seconds after
    // it registers, once its network daemon runs, so those daemons are placed before any pod that waits for room.
    // (kubectl's start-up used to stand in for those seconds; without them the waiting pods took the node first and
    // the daemons' preemption victims stayed Terminating for want of a kubelet.) Before kube-scheduler starts there
    // is nothing to wait for: it then finds every pod pending and takes the daemons (system-node-critical) first.
    if (scheduling) await daemonPodsPlaced(cp, node);
    problems.push(...(await untaint(cp, node.metadata.name, 'node.kubernetes.io/not-ready')));
  }
  return problems;
}

const NOT_READY = { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' };

/** A pod spec's tolerations tolerate the not-ready NoSchedule taint (k8s.io/api core/v1 Toleration.ToleratesTaint). */
function toleratesNotReady(spec: K8sObject): boolean {
  return (spec.tolerations ?? []).some(
    (t: K8sObject) =>
      (!t.effect || t.effect === NOT_READY.effect) &&
      (t.operator === 'Exists' ? !t.key || t.key === NOT_READY.key : t.key === NOT_READY.key && !t.value),
  );
}

/** A node selector requirement (In, NotIn, Exists, DoesNotExist) against a node's labels. */
function matches(e: K8sObject, labels: Record<string, string>): boolean {
  const has = e.key in labels;
  if (e.operator === 'In') return has && (e.values ?? []).includes(labels[e.key]);
  if (e.operator === 'NotIn') return !has || !(e.values ?? []).includes(labels[e.key]);
  if (e.operator === 'Exists') return has;
  if (e.operator === 'DoesNotExist') return !has;
  return false;
}

/**
 * Waits (at most 20 s) until every DaemonSet that would run a pod on the still tainted `node` has one bound there:
 * the DaemonSet controller's own test (pkg/controller/daemon NodeShouldRunDaemonPod: node selector, required node
 * affinity, and the node's NoSchedule taints against the pod's tolerations).
 */
async function daemonPodsPlaced(cp: ControlPlane, node: K8sObject): Promise<void> {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  const expected = (await cp.client.list('apps', 'DaemonSet')).filter((ds) => {
    const spec = ds.spec?.template?.spec ?? {};
    const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    return (
      toleratesNotReady(spec) &&
      Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v) &&
      (!terms || terms.some((t: K8sObject) => (t.matchExpressions ?? []).every((e: K8sObject) => matches(e, labels))))
    );
  }).length;
  for (const deadline = Date.now() + 20_000; expected > 0 && Date.now() < deadline; await sleep(200)) {
    const placed = await cp.client.list('', 'Pod', { fieldSelector: `spec.nodeName=${node.metadata.name}` });
    if (placed.filter((p) => (p.metadata.ownerReferences ?? []).some((o: K8sObject) => o.kind === 'DaemonSet')).length >= expected) return;
  }
}

/**
 * `kubectl taint node <name> <key>-`: the node's taints without those of `key`, sent as the whole list (Node
 * spec.taints has no patch strategy, so kubectl's two-way strategic merge patch replaces it: kubectl/pkg/cmd/taint
 * taint.go), with the resourceVersion read so a concurrent change is a conflict, retried. A key the node does not
 * carry is not an error here (kubectl says `taint "<key>" not found`).
 */
async function untaint(cp: ControlPlane, name: string, key: string): Promise<string[]> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const node = await cp.client.get('', 'Node', undefined, name);
    if (!node) return [`Node ${name} taint: node not found`];
    const taints: K8sObject[] = node.spec?.taints ?? [];
    const kept = taints.filter((t) => t.key !== key);
    if (kept.length === taints.length) return [];
    const patch = { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: kept.length ? kept : null } };
    const r = await cp.client.patch('', 'Node', undefined, name, patch);
    if (r.ok) return [];
    if (r.code !== 409) return [`Node ${name} taint: ${errorMessage(r)}`];
  }
  return [`Node ${name} taint: conflicts on every attempt`];
}

async function pods(cp: ControlPlane): Promise<K8sObject[]> {
  return cp.client.list('', 'Pod').catch(() => [] as K8sObject[]);
}

/**
 * Waits until the controllers have created the pods they will (every workload has its pods, or the same ones missing
 * three polls in a row: a quota refusal stays), every pod has a scheduling verdict, and nothing changed since the
 * previous poll; at most `seconds`.
 */
async function settle(cp: ControlPlane, seconds = 90): Promise<PodPlacement[]> {
  const deadline = Date.now() + seconds * 1000;
  const seen: string[] = [];
  for (;;) {
    const now = placements(await pods(cp));
    const missing = await missingPods(cp);
    const key = [...now.map((p) => `${p.pod}@${p.node ?? p.unschedulable ?? '?'}`), ...missing].join('\n');
    const decided = now.every((p) => p.node || p.unschedulable);
    seen.push(key);
    const stable = (n: number) => seen.length >= n && seen.slice(-n).every((k) => k === key);
    if ((decided && (missing.length === 0 ? stable(2) : stable(3))) || Date.now() > deadline) return now;
    await sleep(1500);
  }
}

/** ReplicaSets (ours and the controllers') whose pods were not all created, with the controller's reason. */
async function missingPods(cp: ControlPlane): Promise<string[]> {
  const workloads: K8sObject[] = [];
  try {
    for (const kind of ['ReplicaSet', 'StatefulSet', 'DaemonSet']) workloads.push(...(await cp.client.list('apps', kind)));
  } catch (e) {
    return [`reading the workloads failed: ${(e as Error).message}`];
  }
  const events = await cp.client.list('', 'Event', { fieldSelector: 'reason=FailedCreate' }).catch(() => [] as K8sObject[]);
  const out: string[] = [];
  for (const w of workloads) {
    const want = w.kind === 'DaemonSet' ? w.status?.desiredNumberScheduled : w.spec?.replicas;
    const have = w.kind === 'DaemonSet' ? w.status?.currentNumberScheduled : w.status?.replicas;
    if ((want ?? 0) > (have ?? 0)) {
      const why = events.filter((e) => e.involvedObject?.name === w.metadata.name && e.involvedObject?.namespace === w.metadata.namespace);
      out.push(`${ref(w)}: ${have ?? 0} of ${want} pods created${why.length ? `: ${why[why.length - 1].message}` : ''}`);
    }
  }
  return out;
}

function summarize(placed: PodPlacement[]): { scheduled: number; pending: PodPlacement[] } {
  return { scheduled: placed.filter((p) => p.node).length, pending: placed.filter((p) => !p.node) };
}

export interface SchedulingResult {
  readonly problems: string[];
  readonly lines: string[];
}

/** The scheduling check of one cluster whose GitOps tree `objects` is applied on `cp` (see the file comment). */
export async function verifyScheduling(cp: ControlPlane, objects: K8sObject[], pool: NodePool): Promise<SchedulingResult> {
  const problems: string[] = [];
  const lines: string[] = [];
  // Owned by their Rollout, as the Rollouts controller makes them: a ReplicaSet without a controller owner is adopted
  // (and scaled to zero) by the template Deployment whose selector it matches.
  const at = (load: Load) =>
    Promise.all(
      rolloutReplicaSets(objects, load).map(async (rs) => {
        const rollout = rs.metadata.labels['rollouts.samokoder.dev/rollout'];
        const found = await cp.client.get('argoproj.io', 'Rollout', rs.metadata.namespace, rollout).catch(() => undefined);
        const uid = found?.metadata?.uid ?? '';
        const ownerReferences = [
          { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout, uid, controller: true, blockOwnerDeletion: true },
        ];
        return { ...rs, metadata: { ...rs.metadata, ownerReferences } };
      }),
    );
  problems.push(...(await applyJson(cp, systemWorkloads(pool.cloud), `what ${pool.cloud} runs in kube-system`)));
  problems.push(...(await addNodes(cp, pool, 0, pool.min, false)));
  problems.push(...(await applyJson(cp, await at('steady'), 'the Rollouts\u2019 ReplicaSets (steady)')));
  await cp.startScheduler();
  const steady = summarize(await settle(cp));
  for (const m of await missingPods(cp)) problems.push(`steady load: ${m}`);
  for (const p of steady.pending)
    problems.push(`steady load on ${pool.min} × ${pool.instanceType}: ${p.pod} not scheduled: ${p.unschedulable}`);
  lines.push(`steady: ${steady.scheduled} pods scheduled, ${steady.pending.length} pending on ${pool.min} × ${pool.instanceType}`);

  // Peak: the same Rollouts at the autoscalers' maximum, blue-green preview beside the active set.
  // kubectl delete replicaset -n <ns> <name> --wait=true, each.
  for (const rs of await at('steady')) await cp.client.delete('apps', 'ReplicaSet', rs.metadata.namespace, rs.metadata.name, true);
  problems.push(...(await applyJson(cp, await at('peak'), 'the Rollouts\u2019 ReplicaSets (peak)')));
  let nodes = pool.min;
  let peak = summarize(await settle(cp));
  const peakMissing = await missingPods(cp);
  for (const m of peakMissing) problems.push(`peak (autoscalers at maximum, blue-green preview at full size): ${m}`);
  while (peak.pending.length && nodes < pool.max) {
    problems.push(...(await addNodes(cp, pool, nodes, nodes + 1, true)));
    nodes++;
    peak = summarize(await settle(cp, 60));
  }
  const scaling = !pool.autoscaled
    ? 'nothing scales the pool (no autoscaler in the cluster)'
    : pool.cloud === 'aws'
      ? 'Cluster Autoscaler in the cluster scales the pool'
      : 'the cloud scales the pool';
  if (peak.pending.length) {
    problems.push(
      `peak does not fit even at the pool's maximum (${pool.max} × ${pool.instanceType}): ${peak.pending.length} pods pending, e.g. ${peak.pending[0].pod}: ${peak.pending[0].unschedulable}`,
    );
  } else if (nodes > pool.min && !pool.autoscaled) {
    problems.push(`peak needs ${nodes} × ${pool.instanceType}, the pool stays at its minimum of ${pool.min}: ${scaling}`);
  }
  lines.push(
    `peak: ${peak.scheduled} pods scheduled, ${peak.pending.length} pending; ` +
      `${nodes === pool.min ? `fits on the minimum of ${pool.min} nodes` : `needs ${nodes} of ${pool.min}–${pool.max} nodes (${scaling})`}`,
  );
  return { problems, lines };
}
