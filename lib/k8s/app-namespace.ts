import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { ILimitRange } from 'kubernetes-models/v1/LimitRange';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { _apiObject, _ARGOCD_KEEP } from '../private/k8s-object';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireIntegerInRange } from '../common/validate';
import { cpuQuantity, memoryQuantity } from './quantity';
import { _AllKeys, _checkLists, _checkProps } from '../common/props';
import { GATEWAY_ACCESS_LABEL_VALUE, gatewayAccessLabel } from '../common/gateway-access';
import { SECRET_STORE_ACCESS_LABEL_VALUE, secretStoreAccessLabel } from '../common/store-access';

/** Compute budget of a namespace (ResourceQuota) and the per-container defaults (LimitRange). */
export interface NamespaceBudget {
  /** Pods allowed at once (all replicas at their maximum, plus surge and jobs). */
  readonly pods: number;
  /** Sum of CPU requests, in millicores. */
  readonly cpuRequestMillis: number;
  /** Sum of CPU limits, in millicores. @default - no CPU limit quota */
  readonly cpuLimitMillis?: number;
  /** Sum of memory requests, in MiB. */
  readonly memoryRequestMiB: number;
  /** Sum of memory limits, in MiB. */
  readonly memoryLimitMiB: number;
  /** PersistentVolumeClaims allowed. @default 0 */
  readonly persistentVolumeClaims?: number;
  /** Container defaults when a pod sets none. @default - 250m/512Mi requests, 1000m/2Gi limits */
  readonly containerDefaults?: PodSize;
}

/** What one pod asks for and may use. */
export interface PodSize {
  readonly cpuRequestMillis: number;
  /** @default - no CPU limit */
  readonly cpuLimitMillis?: number;
  readonly memoryRequestMiB: number;
  readonly memoryLimitMiB: number;
}

/**
 * The most an app can occupy at once: its pods at the replica maximum, during a release (rolling surge, or a
 * blue-green preview beside the active set), with its migration Job; and what each pod asks.
 */
export interface AppFootprint extends PodSize {
  /** Pods at the peak of a release. */
  readonly pods: number;
  /** PersistentVolumeClaims. @default 0 */
  readonly persistentVolumeClaims?: number;
}

/**
 * A namespace budget that holds every app at its peak at once (see {@link AppFootprint}), plus `headroomPods` pods of
 * the largest size for what else runs there (a debug pod, a one-off Job). Container defaults are the largest app's.
 */
export function budgetFor(apps: readonly AppFootprint[], headroomPods = 2): NamespaceBudget {
  if (apps.length === 0) throw new Error("budgetFor: 'apps' ([]) must list at least one app footprint");
  if (!Number.isInteger(headroomPods) || headroomPods < 0 || headroomPods > 1000) {
    throw new Error(`budgetFor: 'headroomPods' (${headroomPods}) must be a whole number from 0 to 1000`);
  }
  const largest = [...apps].sort((a, b) => b.memoryLimitMiB - a.memoryLimitMiB)[0];
  const sum = (f: (a: AppFootprint) => number) => apps.reduce((n, a) => n + f(a) * a.pods, 0) + f(largest) * headroomPods;
  const limited = apps.every((a) => a.cpuLimitMillis !== undefined);
  return {
    pods: apps.reduce((n, a) => n + a.pods, 0) + headroomPods,
    cpuRequestMillis: sum((a) => a.cpuRequestMillis),
    cpuLimitMillis: limited ? sum((a) => a.cpuLimitMillis!) : undefined,
    memoryRequestMiB: sum((a) => a.memoryRequestMiB),
    memoryLimitMiB: sum((a) => a.memoryLimitMiB),
    persistentVolumeClaims: apps.reduce((n, a) => n + (a.persistentVolumeClaims ?? 0), 0),
    containerDefaults: sizeOf(largest),
  };
}

export { RESERVED_NAMESPACES, refuseReservedNamespace } from '../common/namespaces';

/** The per-pod part of a footprint. */
function sizeOf(p: PodSize): PodSize {
  return {
    cpuRequestMillis: p.cpuRequestMillis,
    cpuLimitMillis: p.cpuLimitMillis,
    memoryRequestMiB: p.memoryRequestMiB,
    memoryLimitMiB: p.memoryLimitMiB,
  };
}

/** Props for {@link AppNamespace}. */
export interface AppNamespaceProps {
  /** Namespace name (a DNS label). */
  readonly name: string;
  readonly budget: NamespaceBudget;
  /** `app.kubernetes.io/part-of` label. @default - the namespace's name */
  readonly partOf?: string;
  /**
   * Names of the shared Gateways (`PlatformGateway`) this namespace's routes attach to. Each puts the label
   * `gateway-access.samokoder.dev/<gateway>: "true"` on the namespace, by which the Gateway admits its routes
   * (without it a route is never attached: see `gatewayAccessLabel`).
   * @default [] - admitted by no shared Gateway
   */
  readonly gatewayAccess?: string[];
  /**
   * ClusterSecretStores the namespace's ExternalSecrets may read through: `secret-store-access.samokoder.dev/<store>:
   * "true"` on the namespace, which the platform layer's store admits (see `secretStoreAccessLabel`).
   * @default []
   */
  readonly secretStoreAccess?: string[];
}

/** Every prop of {@link AppNamespaceProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const APP_NAMESPACE_PROPS = ['name', 'budget', 'partOf', 'gatewayAccess', 'secretStoreAccess'] as const;
const APP_NAMESPACE_REQUIRED = ['name', 'budget'] as const;

/**
 * A namespace that enforces Pod Security "restricted", with a ResourceQuota, a LimitRange and a default-deny
 * NetworkPolicy for ingress and egress (every pod in it is selected by a policy; apps add their allowances).
 * No LoadBalancer or NodePort Services are allowed: traffic enters through the Gateway or ingress controller.
 */
export class AppNamespace extends Construct {
  public readonly namespaceName: string;
  private readonly namespaceObject: ApiObject;

  constructor(scope: Construct, id: string, props: AppNamespaceProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<AppNamespaceProps, typeof APP_NAMESPACE_PROPS>>(
      this.node.path,
      'AppNamespace',
      props,
      APP_NAMESPACE_PROPS,
      APP_NAMESPACE_REQUIRED,
    );
    _checkLists(this.node.path, props, ['gatewayAccess', 'secretStoreAccess']);
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name);
    const b = props.budget;
    requireIntegerInRange(path, 'budget.pods', b.pods, 1, 100000);
    // Kubernetes' own namespaces hold the control plane's and every tenant's defaults: a default-deny policy and a
    // quota there break what already runs. (The platform's namespaces are made by the platform through this class.)
    if (['default', 'kube-system', 'kube-public', 'kube-node-lease'].includes(name)) {
      throw invalidProp(
        path,
        'name',
        name,
        "is one of Kubernetes' own namespaces: a default-deny policy and a quota there break the cluster",
      );
    }
    const d = b.containerDefaults ?? { cpuRequestMillis: 250, cpuLimitMillis: 1000, memoryRequestMiB: 512, memoryLimitMiB: 2048 };
    // The quota and the container defaults are whole millicores and MiB, each request within its limit, and given
    // defaults fit the quota (otherwise no pod without explicit resources can start).
    const sizes: Array<[string, PodSize | NamespaceBudget]> = [
      ['budget', b],
      ['budget.containerDefaults', d],
    ];
    for (const [prop, size] of sizes) {
      for (const key of ['cpuRequestMillis', 'cpuLimitMillis', 'memoryRequestMiB', 'memoryLimitMiB'] as const) {
        if (size[key] !== undefined) requireIntegerInRange(path, `${prop}.${key}`, size[key]!, 1, 4194304);
      }
      if (size.cpuLimitMillis !== undefined && size.cpuRequestMillis > size.cpuLimitMillis) {
        throw invalidProp(
          path,
          `${prop}.cpuRequestMillis`,
          size.cpuRequestMillis,
          `must not exceed '${prop}.cpuLimitMillis' (${size.cpuLimitMillis})`,
        );
      }
      if (size.memoryRequestMiB > size.memoryLimitMiB) {
        throw invalidProp(
          path,
          `${prop}.memoryRequestMiB`,
          size.memoryRequestMiB,
          `must not exceed '${prop}.memoryLimitMiB' (${size.memoryLimitMiB})`,
        );
      }
    }
    // Checked when the defaults are given: the built-in ones serve namespaces whose pods all declare resources.
    for (const key of b.containerDefaults ? (['cpuRequestMillis', 'memoryRequestMiB', 'memoryLimitMiB'] as const) : []) {
      if (d[key] > b[key]) {
        throw invalidProp(
          path,
          `budget.containerDefaults.${key}`,
          d[key],
          `is more than the whole namespace's quota ('budget.${key}' ${b[key]}): no default container would fit`,
        );
      }
    }
    const gatewayAccess = (props.gatewayAccess ?? []).map((g, i) => requireDnsLabel(path, `gatewayAccess[${i}]`, g));
    const storeAccess = (props.secretStoreAccess ?? []).map((g, i) => requireDnsLabel(path, `secretStoreAccess[${i}]`, g));
    const partOf = props.partOf ?? name;
    this.namespaceName = name;
    const labels = { 'app.kubernetes.io/part-of': partOf, 'app.kubernetes.io/managed-by': 'samokoder-infra' };

    const ns = (this.namespaceObject = _apiObject<INamespace>(this, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        labels: {
          ...labels,
          ...Object.fromEntries([...new Set(gatewayAccess)].sort().map((g) => [gatewayAccessLabel(g), GATEWAY_ACCESS_LABEL_VALUE])),
          ...Object.fromEntries([...new Set(storeAccess)].sort().map((g) => [secretStoreAccessLabel(g), SECRET_STORE_ACCESS_LABEL_VALUE])),
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
        // Everything in it goes with a namespace: Argo CD never prunes it, nor deletes it with its Application.
        annotations: { [_ARGOCD_KEEP[0]]: _ARGOCD_KEEP[1] },
      },
    }));
    // Namespaces are cluster-scoped: drop the namespace a namespaced chart stamps on every object.
    if (Chart.of(this).namespace !== undefined) ns.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    _apiObject<IResourceQuota>(this, 'ResourceQuota', {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: `${name}-quota`, namespace: name, labels },
      spec: {
        hard: {
          pods: String(b.pods),
          'requests.cpu': cpuQuantity(b.cpuRequestMillis),
          'requests.memory': memoryQuantity(b.memoryRequestMiB),
          ...(b.cpuLimitMillis !== undefined ? { 'limits.cpu': cpuQuantity(b.cpuLimitMillis) } : {}),
          'limits.memory': memoryQuantity(b.memoryLimitMiB),
          persistentvolumeclaims: String(b.persistentVolumeClaims ?? 0),
          'services.loadbalancers': '0',
          'services.nodeports': '0',
        },
      },
    });
    _apiObject<ILimitRange>(this, 'LimitRange', {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: `${name}-limits`, namespace: name, labels },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: cpuQuantity(d.cpuRequestMillis), memory: memoryQuantity(d.memoryRequestMiB) },
            default: {
              ...(d.cpuLimitMillis !== undefined ? { cpu: cpuQuantity(d.cpuLimitMillis) } : {}),
              memory: memoryQuantity(d.memoryLimitMiB),
            },
          },
        ],
      },
    });
    _apiObject<INetworkPolicy>(this, 'DefaultDeny', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', namespace: name, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }

  /**
   * Admits the namespace to a ClusterSecretStore (its label, as `secretStoreAccess` does), for stores known only
   * once the namespace's contents are built (ProductionApp labels the namespace it creates for the stores its
   * ExternalSecrets name).
   */
  public allowSecretStore(store: string): void {
    this.namespaceObject.metadata.addLabel(
      secretStoreAccessLabel(requireDnsLabel(this.node.path, 'secretStoreAccess', store)),
      SECRET_STORE_ACCESS_LABEL_VALUE,
    );
  }
}
