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
import { Load, placements, PodPlacement, rolloutReplicaSets } from './scheduling';

function applyJson(cp: ControlPlane, objects: K8sObject[], what: string): string[] {
  if (objects.length === 0) return [];
  const r = cp.kubectl(['apply', '--server-side', '--field-manager=verify-scheduling', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  });
  return r.status === 0 ? [] : [`${what}: refused: ${r.stderr.trim()}`];
}

/** Registers nodes `from`..`to`-1 of the pool with their status (allocatable, Ready), as their kubelets would. */
export function addNodes(cp: ControlPlane, pool: NodePool, from: number, to: number): string[] {
  const problems: string[] = [];
  for (let i = from; i < to; i++) {
    const node = nodeOf(pool, i);
    const { status, ...spec } = node;
    problems.push(...applyJson(cp, [spec], `Node ${node.metadata.name}`));
    const r = cp.kubectl(['patch', 'node', node.metadata.name, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
    if (r.status !== 0) problems.push(`Node ${node.metadata.name} status: ${r.stderr.trim()}`);
    // The API server taints a new node not-ready (TaintNodesByCondition admission); the node lifecycle controller
    // lifts it once the kubelet reports Ready. That controller is off here (no kubelet renews a lease): lift it.
    const t = cp.kubectl(['taint', 'node', node.metadata.name, 'node.kubernetes.io/not-ready-']);
    if (t.status !== 0 && !/not found/.test(t.stderr)) problems.push(`Node ${node.metadata.name} taint: ${t.stderr.trim()}`);
  }
  return problems;
}

function pods(cp: ControlPlane): K8sObject[] {
  const r = cp.kubectl(['get', 'pods', '-A', '-o', 'json']);
  return r.status === 0 ? JSON.parse(r.stdout).items : [];
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
    const now = placements(pods(cp));
    const missing = missingPods(cp);
    const key = [...now.map((p) => `${p.pod}@${p.node ?? p.unschedulable ?? '?'}`), ...missing].join('\n');
    const decided = now.every((p) => p.node || p.unschedulable);
    seen.push(key);
    const stable = (n: number) => seen.length >= n && seen.slice(-n).every((k) => k === key);
    if ((decided && (missing.length === 0 ? stable(2) : stable(3))) || Date.now() > deadline) return now;
    await sleep(1500);
  }
}

/** ReplicaSets (ours and the controllers') whose pods were not all created, with the controller's reason. */
function missingPods(cp: ControlPlane): string[] {
  const r = cp.kubectl(['get', 'replicasets,statefulsets,daemonsets', '-A', '-o', 'json']);
  if (r.status !== 0) return [`reading the workloads failed: ${r.stderr.trim()}`];
  const events = JSON.parse(
    cp.kubectl(['get', 'events', '-A', '--field-selector=reason=FailedCreate', '-o', 'json']).stdout || '{"items":[]}',
  ).items as K8sObject[];
  const out: string[] = [];
  for (const w of JSON.parse(r.stdout).items as K8sObject[]) {
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
    rolloutReplicaSets(objects, load).map((rs) => {
      const rollout = rs.metadata.labels['rollouts.samokoder.dev/rollout'];
      const uid = cp.kubectl(['get', 'rollout', '-n', rs.metadata.namespace, rollout, '-o', 'jsonpath={.metadata.uid}']).stdout.trim();
      const ownerReferences = [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: rollout, uid, controller: true, blockOwnerDeletion: true },
      ];
      return { ...rs, metadata: { ...rs.metadata, ownerReferences } };
    });
  problems.push(...applyJson(cp, systemWorkloads(pool.cloud), `what ${pool.cloud} runs in kube-system`));
  problems.push(...addNodes(cp, pool, 0, pool.min));
  problems.push(...applyJson(cp, at('steady'), 'the Rollouts\u2019 ReplicaSets (steady)'));
  await cp.startScheduler();
  const steady = summarize(await settle(cp));
  for (const m of missingPods(cp)) problems.push(`steady load: ${m}`);
  for (const p of steady.pending)
    problems.push(`steady load on ${pool.min} × ${pool.instanceType}: ${p.pod} not scheduled: ${p.unschedulable}`);
  lines.push(`steady: ${steady.scheduled} pods scheduled, ${steady.pending.length} pending on ${pool.min} × ${pool.instanceType}`);

  // Peak: the same Rollouts at the autoscalers' maximum, blue-green preview beside the active set.
  for (const rs of at('steady')) cp.kubectl(['delete', 'replicaset', '-n', rs.metadata.namespace, rs.metadata.name, '--wait=true']);
  problems.push(...applyJson(cp, at('peak'), 'the Rollouts\u2019 ReplicaSets (peak)'));
  let nodes = pool.min;
  let peak = summarize(await settle(cp));
  const peakMissing = missingPods(cp);
  for (const m of peakMissing) problems.push(`peak (autoscalers at maximum, blue-green preview at full size): ${m}`);
  while (peak.pending.length && nodes < pool.max) {
    problems.push(...addNodes(cp, pool, nodes, nodes + 1));
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
