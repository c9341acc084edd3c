/** Verbs a namespaced Role may grant. `escalate`, `bind`, `impersonate` and `*` are not representable. */
export type RbacVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** One least-privilege RBAC rule. */
export interface RbacRule {
  /** API groups (`''` is the core group). No `*`. */
  readonly apiGroups: string[];
  /** Resources, e.g. `configmaps` or `leases`. No `*`. */
  readonly resources: string[];
  readonly verbs: RbacVerb[];
  /** Restrict to these object names. @default - all objects of the resources */
  readonly resourceNames?: string[];
  /**
   * Why the app needs a dangerous grant (reading Secrets, exec/attach/port-forward into pods, creating pods or
   * service-account tokens, node proxy): such rules are refused without a reason here. It is not written to the Role.
   * @default - none: dangerous grants are refused
   */
  readonly acknowledgeRisk?: string;
}

/**
 * Grants that hand over more than they name: each lets the app read credentials or act as another identity. `verbs`
 * lists the verbs that make the grant dangerous.
 */
export const DANGEROUS_GRANTS: ReadonlyArray<{
  readonly group: string;
  readonly resource: string;
  readonly verbs: readonly string[];
  readonly why: string;
}> = [
  { group: '', resource: 'secrets', verbs: ['get', 'list', 'watch'], why: 'reads every Secret it can name (credentials of other apps)' },
  { group: '', resource: 'pods/exec', verbs: ['create', 'get'], why: 'runs commands in other pods, with their identities' },
  { group: '', resource: 'pods/attach', verbs: ['create', 'get'], why: 'attaches to other pods' },
  { group: '', resource: 'pods/portforward', verbs: ['create', 'get'], why: 'reaches other pods around the network policies' },
  { group: '', resource: 'pods', verbs: ['create'], why: 'starts pods as any ServiceAccount of the namespace' },
  { group: '', resource: 'serviceaccounts/token', verbs: ['create'], why: 'mints tokens of other ServiceAccounts' },
  { group: '', resource: 'nodes/proxy', verbs: ['get', 'create'], why: "reaches the kubelet's API" },
  {
    group: 'apps',
    resource: 'deployments',
    verbs: ['create', 'update', 'patch'],
    why: 'runs any image as any ServiceAccount of the namespace',
  },
  { group: 'batch', resource: 'jobs', verbs: ['create'], why: 'runs any image as any ServiceAccount of the namespace' },
  ...(['statefulsets', 'daemonsets', 'replicasets'] as const).map((resource) => ({
    group: 'apps',
    resource,
    verbs: ['create', 'update', 'patch'],
    why: 'runs any image as any ServiceAccount of the namespace',
  })),
  {
    group: 'batch',
    resource: 'cronjobs',
    verbs: ['create', 'update', 'patch'],
    why: 'runs any image as any ServiceAccount of the namespace',
  },
  {
    group: '',
    resource: 'replicationcontrollers',
    verbs: ['create', 'update', 'patch'],
    why: 'runs any image as any ServiceAccount of the namespace',
  },
  { group: '', resource: 'pods', verbs: ['update', 'patch'], why: 'swaps the image of running pods, which keep their identities' },
  {
    group: '',
    resource: 'pods/ephemeralcontainers',
    verbs: ['update', 'patch'],
    why: 'injects a container into running pods, with their identities',
  },
  {
    group: '',
    resource: 'secrets',
    verbs: ['create', 'update', 'patch'],
    why: "writes Secrets: mints a token Secret for any ServiceAccount, or replaces other apps' credentials",
  },
  ...(['roles', 'rolebindings'] as const).map((resource) => ({
    group: 'rbac.authorization.k8s.io',
    resource,
    verbs: ['create', 'update', 'patch'],
    why: 'changes who may do what in the namespace',
  })),
  {
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'],
    why: "rewrites the namespace's network isolation",
  },
];

/** The verbs a namespaced Role may grant here (Kubernetes' resource verbs, less the escalation ones). */
export const RBAC_VERBS: readonly RbacVerb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
