import { invalidDerivedProp, invalidProp } from './errors';

/**
 * Namespaces no app may take: Kubernetes' own, and those the platform layer's controllers and gateway run in (see
 * `ClusterPlatform`, `PlatformGateway`). An app there would get a default-deny policy and a quota that break what
 * already runs. `ProductionApp` refuses them; `AppNamespace` itself does not (the platform guards its own).
 */
export const RESERVED_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'argocd',
  'argo-rollouts',
  'cert-manager',
  'envoy-gateway-system',
  'external-secrets',
  'gateway-system',
  'monitoring',
];

/**
 * Throws when `namespace` is one of {@link RESERVED_NAMESPACES} or starts with `kube-` (Kubernetes reserves the
 * prefix for its system namespaces). `prop` is the prop the value came from (the app's name when the namespace
 * defaults to it), `fix` what to do about it; `source` says where a value the library took came from.
 */
export function refuseReservedNamespace(
  path: string,
  prop: string,
  namespace: string,
  fix = 'give the app a namespace of its own',
  source?: string,
): string {
  if (RESERVED_NAMESPACES.includes(namespace) || namespace.startsWith('kube-')) {
    const rule = `is reserved for Kubernetes or the platform layer (${RESERVED_NAMESPACES.join(', ')}, and every kube-* namespace): ${fix}`;
    throw source ? invalidDerivedProp(path, prop, namespace, source, rule) : invalidProp(path, prop, namespace, rule);
  }
  return namespace;
}
