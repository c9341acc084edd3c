/**
 * NetworkPolicy (networking.k8s.io/v1) evaluated offline: may a connection from one pod to another on a port pass?
 * No CNI runs here, so the semantics are written out from the API's own definition (kubernetes/api@v0.35
 * networking/v1/types.go, NetworkPolicySpec / NetworkPolicyPeer / NetworkPolicyPort comments, and the concepts page
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/):
 * - a pod is isolated for ingress (egress) when a policy of its namespace selects it and lists Ingress (Egress) in
 *   policyTypes; policyTypes defaults to Ingress, plus Egress when the policy has egress rules;
 * - an isolated pod admits a connection when any selecting policy has a rule whose peers and ports both match (the
 *   union of the rules; no rule denies);
 * - a rule without `from`/`to` matches every peer, one without `ports` every port; a peer with only podSelector means
 *   pods of the policy's namespace, with only namespaceSelector every pod of the matching namespaces, with both the
 *   selected pods of those namespaces; ipBlock peers are for addresses outside the cluster (whether they match pod
 *   IPs is up to the CNI): here they never match a pod, which errs towards "refused";
 * - a port entry matches by protocol (default TCP) and number, a named port by the destination pod's container port
 *   of that name, a range by `endPort`.
 * A connection passes when the source's egress and the destination's ingress both admit it.
 */
import { K8sObject } from './gitops';
import { selects } from './alertmanager-config';

/** One end of a connection: a pod's labels and namespace (with the namespace's labels), and its container ports. */
export interface Endpoint {
  readonly namespace: string;
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** Container ports of the pod (for named ports): name → number. */
  readonly ports?: Readonly<Record<string, number>>;
}

export interface Verdict {
  readonly allowed: boolean;
  /** Why: the policy that admitted it, or the policies that isolate the pod and admit nothing of this. */
  readonly why: string;
}

// One reading of a label selector for every check here (alertmanager-config.ts's, which the routing check uses).
export const selectorMatches = selects;

function policyTypes(policy: K8sObject): string[] {
  if (policy.spec?.policyTypes?.length) return policy.spec.policyTypes;
  return policy.spec?.egress?.length ? ['Ingress', 'Egress'] : ['Ingress'];
}

function peerMatches(peer: K8sObject, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, other.namespaceLabels)
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, other.labels) : true;
  return nsOk && podOk;
}

function portMatches(entry: K8sObject, port: number, protocol: string, destination: Endpoint): boolean {
  if ((entry.protocol ?? 'TCP') !== protocol) return false;
  if (entry.port === undefined) return true;
  const number = typeof entry.port === 'number' ? entry.port : destination.ports?.[entry.port];
  if (number === undefined) return false;
  return entry.endPort !== undefined ? port >= number && port <= entry.endPort : port === number;
}

/** One direction: does `pod`'s namespace let this connection in (ingress) or out (egress)? */
function direction(
  policies: K8sObject[],
  kind: 'Ingress' | 'Egress',
  pod: Endpoint,
  peer: Endpoint,
  port: number,
  protocol: string,
  destination: Endpoint,
): Verdict {
  const selecting = policies.filter(
    (p) =>
      p.kind === 'NetworkPolicy' &&
      p.metadata?.namespace === pod.namespace &&
      policyTypes(p).includes(kind) &&
      selectorMatches(p.spec?.podSelector ?? {}, pod.labels),
  );
  if (selecting.length === 0) return { allowed: true, why: `no ${kind} policy selects the pod` };
  for (const p of selecting) {
    const rules: K8sObject[] = (kind === 'Ingress' ? p.spec?.ingress : p.spec?.egress) ?? [];
    for (const rule of rules) {
      const peers: K8sObject[] | undefined = kind === 'Ingress' ? rule.from : rule.to;
      const peerOk = !peers?.length || peers.some((x) => peerMatches(x, p.metadata.namespace, peer));
      const portOk = !rule.ports?.length || rule.ports.some((e: K8sObject) => portMatches(e, port, protocol, destination));
      if (peerOk && portOk) return { allowed: true, why: `${kind.toLowerCase()} admitted by NetworkPolicy ${p.metadata.name}` };
    }
  }
  return {
    allowed: false,
    why: `${kind.toLowerCase()} of ${pod.namespace} refused: isolated by ${selecting.map((p) => p.metadata.name).join(', ')}, no rule admits it`,
  };
}

/** May `from` open a connection to `to` on `port`/`protocol` (egress of the source and ingress of the destination)? */
export function connectionAllowed(policies: K8sObject[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): Verdict {
  const out = direction(policies, 'Egress', from, to, port, protocol, to);
  if (!out.allowed) return out;
  const into = direction(policies, 'Ingress', to, from, port, protocol, to);
  return into.allowed ? { allowed: true, why: `${out.why}; ${into.why}` } : into;
}
