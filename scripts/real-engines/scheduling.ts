/**
 * Where the pods land: the Node objects each cloud's managed Kubernetes registers (see cloud-nodes.ts), the
 * ReplicaSets the Argo Rollouts controller would make from a Rollout, and the check of what kube-scheduler made of
 * them. Pure functions; verify-k8s.ts registers the nodes, starts the scheduler and reads the pods back.
 */
import { K8sObject, ref } from './gitops';

/** The pod template a Rollout runs: its own, or the one of the Deployment its `workloadRef` names. */
export function rolloutTemplate(rollout: K8sObject, objects: K8sObject[]): K8sObject | undefined {
  if (rollout.spec?.template) return rollout.spec.template;
  const w = rollout.spec?.workloadRef;
  if (!w) return undefined;
  return objects.find((o) => o.kind === w.kind && o.metadata?.name === w.name && o.metadata?.namespace === rollout.metadata?.namespace)
    ?.spec?.template;
}

/** The HPA that scales `target`, if any. */
export function autoscalerOf(target: K8sObject, objects: K8sObject[]): K8sObject | undefined {
  return objects.find(
    (o) =>
      o.kind === 'HorizontalPodAutoscaler' &&
      o.metadata?.namespace === target.metadata?.namespace &&
      o.spec?.scaleTargetRef?.kind === target.kind &&
      o.spec?.scaleTargetRef?.name === target.metadata?.name,
  );
}

export type Load = 'steady' | 'peak';

/**
 * The ReplicaSets the Argo Rollouts controller keeps for each Rollout, as plain ReplicaSets (no controller runs here).
 * `steady`: the active one at the autoscaler's minimum (else `spec.replicas`). `peak`: a blue-green release at the
 * autoscaler's maximum, with the preview at full size beside the active one (Argo Rollouts scales the preview to
 * `spec.replicas` unless `previewReplicaCount` is set); a canary's new ReplicaSet adds its share on top.
 */
export function rolloutReplicaSets(objects: K8sObject[], load: Load): K8sObject[] {
  const out: K8sObject[] = [];
  for (const rollout of objects.filter((o) => o.kind === 'Rollout')) {
    const template = rolloutTemplate(rollout, objects);
    if (!template) continue;
    const hpa = autoscalerOf(rollout, objects);
    const replicas = Number((load === 'peak' ? hpa?.spec?.maxReplicas : hpa?.spec?.minReplicas) ?? rollout.spec?.replicas ?? 1);
    const sets: Array<[string, number]> = [['active', replicas]];
    if (load === 'peak') {
      const bg = rollout.spec?.strategy?.blueGreen;
      if (bg) sets.push(['preview', Number(bg.previewReplicaCount ?? replicas)]);
      else if (rollout.spec?.strategy?.canary) sets.push(['canary', replicas]);
    }
    for (const [role, count] of sets) {
      const labels = { ...(template.metadata?.labels ?? {}), 'rollouts-pod-template-hash': `verify-${role}` };
      out.push({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${rollout.metadata.name}-${role}`,
          namespace: rollout.metadata.namespace,
          labels: { ...labels, 'rollouts.samokoder.dev/rollout': rollout.metadata.name },
        },
        spec: {
          replicas: count,
          selector: { matchLabels: labels },
          template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
        },
      });
    }
  }
  return out;
}

/** A pod as read back from the server, reduced to what the scheduling check reports. */
export interface PodPlacement {
  readonly pod: string;
  readonly node?: string;
  /** The scheduler's reason when it could not place the pod. */
  readonly unschedulable?: string;
}

export function placements(pods: K8sObject[]): PodPlacement[] {
  return pods.map((p) => {
    const condition = (p.status?.conditions ?? []).find((c: K8sObject) => c.type === 'PodScheduled');
    return {
      pod: ref(p),
      node: p.spec?.nodeName,
      unschedulable: condition?.status === 'False' ? `${condition.reason}: ${condition.message}` : undefined,
    };
  });
}

/**
 * Label keys a pod needs on a node to be placed at all: the topology keys of its `DoNotSchedule` spread constraints
 * (kube-scheduler's PodTopologySpread filter rejects a node without the key: "didn't match pod topology spread
 * constraints (missing required label)"), its nodeSelector keys and the keys of its required node affinity.
 */
export function requiredNodeLabels(podSpec: K8sObject): string[] {
  const keys = new Set<string>();
  for (const c of podSpec.topologySpreadConstraints ?? []) if (c.whenUnsatisfiable === 'DoNotSchedule') keys.add(c.topologyKey);
  for (const k of Object.keys(podSpec.nodeSelector ?? {})) keys.add(k);
  for (const term of podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
    for (const e of term.matchExpressions ?? []) if (e.operator !== 'DoesNotExist' && e.operator !== 'NotIn') keys.add(e.key);
  return [...keys].sort();
}
