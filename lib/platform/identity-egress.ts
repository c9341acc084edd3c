import { Ipv4Cidr } from '../common/cidr';
import { matches, podLabelsOf, podSpecOf, POD_KINDS } from '../policy/kubernetes-kit';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
type K8sObject = Record<string, any>;

/**
 * The EKS Pod Identity agent: a DaemonSet on every node answering on the link-local 169.254.170.23, port 80 (EKS user
 * guide, "Learn how EKS Pod Identity grants pods access to AWS services": the SDKs read
 * AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials). A pod whose NetworkPolicies allow no
 * egress there gets no credentials under a CNI that enforces them (cilium/cilium#34387 is that failure).
 */
const AGENT = Ipv4Cidr.parse('wiring', 'podIdentityAgent', '169.254.170.23/32');
const AGENT_PORT = 80;

/** The NetworkPolicy egress rule that lets a pod with a cloud identity reach the agent. @internal */
export function _podIdentityAgentEgressRule() {
  return { to: [{ ipBlock: { cidr: AGENT.toString() } }], ports: [{ protocol: 'TCP' as const, port: AGENT_PORT }] };
}

/** Whether one egress rule lets a pod reach the agent. */
function reachesAgent(rule: K8sObject): boolean {
  const ports: K8sObject[] = rule.ports ?? [];
  const portOk =
    ports.length === 0 || ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && (p.port === undefined || p.port === AGENT_PORT));
  if (!portOk) return false;
  const to: K8sObject[] = rule.to ?? [];
  if (to.length === 0) return true;
  return to.some((peer) => {
    if (!peer.ipBlock?.cidr) return false;
    const block = Ipv4Cidr.tryParse(peer.ipBlock.cidr);
    if (!block || !block.contains(AGENT)) return false;
    return !(peer.ipBlock.except ?? []).some((e: string) => Ipv4Cidr.tryParse(e)?.overlaps(AGENT));
  });
}

/**
 * Part of `checkPlatformWiring`: every workload that runs as a service account with a cloud identity (the contract's
 * `podIdentities`) may reach the Pod Identity agent under the NetworkPolicies that select it. A policy that restricts
 * egress without that rule leaves the pod without credentials: the cluster autoscaler's did (#24).
 */
export function _checkIdentityEgress(
  identities: ReadonlyArray<{ namespace: string; serviceAccount: string }>,
  objects: readonly K8sObject[],
): string[] {
  const bound = new Set(identities.map((i) => `${i.namespace}/${i.serviceAccount}`));
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const out: string[] = [];
  for (const o of objects.filter((x) => POD_KINDS.includes(x.kind))) {
    const ns = o.metadata?.namespace ?? 'default';
    const sa = podSpecOf(o)?.serviceAccountName ?? 'default';
    if (!bound.has(`${ns}/${sa}`)) continue;
    const labels = podLabelsOf(o);
    const restricting = policies.filter(
      (p) =>
        (p.metadata?.namespace ?? 'default') === ns &&
        matches(p.spec?.podSelector?.matchLabels, labels) &&
        (p.spec?.podSelector?.matchExpressions ?? []).length === 0 &&
        ((p.spec?.policyTypes ?? []).includes('Egress') || p.spec?.egress !== undefined),
    );
    if (restricting.length === 0) continue;
    if (restricting.some((p) => (p.spec?.egress ?? []).some(reachesAgent))) continue;
    out.push(
      `${o.kind} ${ns}/${o.metadata?.name}: runs as "${sa}", which has a cloud identity (EKS Pod Identity), but its NetworkPolicies (${restricting
        .map((p) => p.metadata?.name)
        .join(
          ', ',
        )}) allow no egress to the Pod Identity agent (169.254.170.23:${AGENT_PORT}): it would get no credentials (Dependency.podIdentityAgent() for an app)`,
    );
  }
  return out;
}
