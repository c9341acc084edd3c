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
];
