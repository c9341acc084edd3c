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
}
