import { invalidProp } from './errors';

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

/** Throws when `namespace` is one of {@link RESERVED_NAMESPACES}. */
export function refuseReservedNamespace(path: string, prop: string, namespace: string): string {
  if (RESERVED_NAMESPACES.includes(namespace)) {
    throw invalidProp(
      path,
      prop,
      namespace,
      `is reserved for Kubernetes or the platform layer (${RESERVED_NAMESPACES.join(', ')}): give the app a namespace of its own`,
    );
  }
  return namespace;
}
