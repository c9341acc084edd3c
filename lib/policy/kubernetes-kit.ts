import { RuleInfo } from './rule';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are free-form JSON
export type K8sObject = Record<string, any>;

/** Every object of one synthesis, indexed for cross-object rules. */
export class K8sIndex {
  private readonly byKindNs = new Map<string, K8sObject[]>();
  constructor(public readonly objects: readonly K8sObject[]) {
    for (const o of objects) {
      const key = `${o.kind}/${o.metadata?.namespace ?? ''}`;
      const list = this.byKindNs.get(key);
      if (list) list.push(o);
      else this.byKindNs.set(key, [o]);
    }
  }
  /** Objects of `kind` in `namespace` (`''` for cluster-scoped). */
  public of(kind: string, namespace: string | undefined): readonly K8sObject[] {
    return this.byKindNs.get(`${kind}/${namespace ?? ''}`) ?? [];
  }
}

/** A rule over rendered Kubernetes objects. */
export interface KubernetesRule extends RuleInfo {
  readonly target: 'kubernetes';
  /** Kinds the rule applies to; `pods` for every object with a pod template (the Rollout's inline one included). */
  readonly kinds: readonly string[] | 'pods' | '*';
  /** Returns what is wrong, or nothing. `all` indexes every object of the same synthesis (for cross-object rules). */
  readonly check: (o: K8sObject, all: K8sIndex) => string | string[] | undefined;
}

/** Kinds whose objects carry a pod template. */
export const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Rollout', 'Pod'];

/** The pod spec of an object with a pod template (a Rollout referencing a Deployment has none). */
export function podSpecOf(o: K8sObject): K8sObject | undefined {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  return o.spec?.template?.spec;
}

/** Labels of the pods an object creates. */
export function podLabelsOf(o: K8sObject): Record<string, string> {
  if (o.kind === 'Pod') return o.metadata?.labels ?? {};
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  return o.spec?.template?.metadata?.labels ?? {};
}

export function containersOf(o: K8sObject): K8sObject[] {
  const spec = podSpecOf(o);
  return spec ? [...(spec.initContainers ?? []), ...(spec.containers ?? [])] : [];
}

export const matches = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

export const rule = (r: Omit<KubernetesRule, 'target'>): KubernetesRule => ({ target: 'kubernetes', ...r });

/** Kinds whose pods serve or call (jobs included). */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'Job', 'CronJob'];

/** Runs `f` for every container and collects its findings, prefixed with the container name. */
export function perContainer(o: K8sObject, f: (c: K8sObject, pod: K8sObject) => string | undefined): string[] {
  const pod = podSpecOf(o) ?? {};
  return containersOf(o)
    .map((c) => {
      const d = f(c, pod);
      return d ? `container "${c.name}": ${d}` : undefined;
    })
    .filter((x): x is string => x !== undefined);
}

/** The effective value of a security-context field: the container's, else the pod's. */
export const sc = (c: K8sObject, pod: K8sObject, field: string) => c.securityContext?.[field] ?? pod.securityContext?.[field];
