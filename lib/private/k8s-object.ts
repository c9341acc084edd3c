import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ApiObject, ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';
import { _scanChartsForCredentials } from './credential-scan';

/**
 * Creates an ApiObject from a body typed with its `kubernetes-models` / `@kubernetes-models/*` interface, so a
 * field that does not exist in the schema is a compile error (the schemas' validators accept unknown fields).
 * @internal
 */
export function _apiObject<T extends { apiVersion: string; kind: string }>(scope: Construct, id: string, body: T): ApiObject {
  // Every object the library writes is under the credential scan of its app (registered once per app).
  _scanChartsForCredentials(scope);
  return new ApiObject(scope, id, body as unknown as ApiObjectProps);
}

/**
 * Post-processes the JSON an ApiObject renders, for fields a typed converter (cdk8s-plus-28's, frozen at Kubernetes
 * 1.28) would drop. The hook wraps that object's own `toJson`, so every rendering path carries it.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
export function _afterRender(obj: ApiObject, finish: (json: any) => any): void {
  const render = obj.toJson.bind(obj);
  Object.defineProperty(obj, 'toJson', { value: () => finish(render()), configurable: true });
}

/**
 * The Argo CD sync options of an object whose deletion loses data (a namespace, a volume claim): never pruned when it
 * leaves Git, never deleted with its Application (argo-cd docs/user-guide/sync-options.md, "No Prune Resources" and
 * "No Resource Deletion"; options in one annotation are comma-separated).
 */
export const _ARGOCD_KEEP = ['argocd.argoproj.io/sync-options', 'Prune=false,Delete=false'] as const;

/**
 * The egress rule that lets a pod resolve names: UDP and TCP 53 to the cluster DNS pods in kube-system (CoreDNS keeps
 * the `k8s-app: kube-dns` label on EKS and DOKS). A new object per call: cdk8s may patch what it is given.
 */
export function _dnsEgressRule(): INetworkPolicyEgressRule {
  return {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
        podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      },
    ],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
}

/**
 * The two NetworkPolicies of a small platform part the cluster's Prometheus scrapes (the lag monitor, the primary
 * probe): ingress from the Prometheus namespace on its metrics port only, and the egress it needs besides DNS.
 * @internal
 */
export function _scrapedPartPolicies(
  scope: Construct,
  props: {
    readonly metadata: { readonly name?: string; readonly namespace?: string; readonly labels?: Record<string, string> };
    readonly name: string;
    readonly selector: Record<string, string>;
    readonly prometheusNamespace: string;
    readonly metricsPort: number;
    readonly egress: INetworkPolicyEgressRule[];
  },
): void {
  const podSelector = { matchLabels: props.selector };
  _apiObject<INetworkPolicy>(scope, 'Ingress', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...props.metadata, name: `${props.name}-allow-prometheus` },
    spec: {
      podSelector,
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.prometheusNamespace } } }],
          ports: [{ protocol: 'TCP', port: props.metricsPort }],
        },
      ],
    },
  });
  _apiObject<INetworkPolicy>(scope, 'Egress', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { ...props.metadata, name: `${props.name}-allow-egress` },
    spec: { podSelector, policyTypes: ['Egress'], egress: [_dnsEgressRule(), ...props.egress] },
  });
}
