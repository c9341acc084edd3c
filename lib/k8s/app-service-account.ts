import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { invalidProp } from '../common/errors';
import { _nearest } from '../common/props';
import { _freeId, isDnsSubdomain, requireDnsLabel, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { kplus } from '../private/kplus';
import { DANGEROUS_GRANTS, RBAC_VERBS, RbacRule } from './rbac';

/** Props for {@link AppServiceAccount}. */
export interface AppServiceAccountProps {
  /** Name of the ServiceAccount (and of its Role and RoleBinding). */
  readonly name: string;
  /** @default - the chart's namespace */
  readonly namespace?: string;
  /** Least-privilege rules; the token is mounted only when there are some. @default [] */
  readonly rbac?: RbacRule[];
  /** ServiceAccount annotations (e.g. `eks.amazonaws.com/role-arn` for IRSA; EKS Pod Identity needs none). @default {} */
  readonly annotations?: Record<string, string>;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * The namespaced resources of Kubernetes' built-in API groups (v1.35: `kubectl api-resources --namespaced`), for the
 * near-miss check of resource names (`configmap` → `configmaps`).
 */
const BUILT_IN_RESOURCES: Readonly<Record<string, readonly string[]>> = {
  '': [
    'bindings',
    'configmaps',
    'endpoints',
    'events',
    'limitranges',
    'persistentvolumeclaims',
    'pods',
    'podtemplates',
    'replicationcontrollers',
    'resourcequotas',
    'secrets',
    'serviceaccounts',
    'services',
  ],
  apps: ['controllerrevisions', 'daemonsets', 'deployments', 'replicasets', 'statefulsets'],
  batch: ['cronjobs', 'jobs'],
  autoscaling: ['horizontalpodautoscalers'],
  policy: ['poddisruptionbudgets'],
  'networking.k8s.io': ['ingresses', 'networkpolicies'],
  'coordination.k8s.io': ['leases'],
  'discovery.k8s.io': ['endpointslices'],
};

/**
 * Refuses rules a namespaced app should never hold: `*` anywhere, and the privilege-escalation verbs. `prop` names the
 * rules in messages (`rbac`).
 */
export function validateRbacRules(path: string, prop: string, rules: readonly RbacRule[]): void {
  rules.forEach((rule, i) => {
    // A wildcard in any form: `*`, `*/scale`, `pods/*`, `secret*`.
    for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames'] as const) {
      const values = (rule[field] ?? []) as string[];
      if (values.some((v) => v.includes('*'))) {
        throw invalidProp(
          path,
          `${prop}[${i}].${field}`,
          values,
          "must not contain '*' in any form (`*`, `*/scale`, `pods/*`): list what the app needs",
        );
      }
    }
    for (const verb of rule.verbs as string[]) {
      if (['escalate', 'bind', 'impersonate'].includes(verb)) {
        throw invalidProp(path, `${prop}[${i}].verbs`, verb, 'is a privilege-escalation verb and is refused (escalate, bind, impersonate)');
      }
    }
    if (rule.resources.length === 0 || rule.verbs.length === 0) {
      throw invalidProp(path, `${prop}[${i}]`, rule, 'must name at least one resource and one verb');
    }
    // Kubernetes matches these exactly: `Secrets`, `GET` or `deployment` grant nothing, silently.
    for (const v of rule.verbs as string[]) {
      if (!(RBAC_VERBS as readonly string[]).includes(v)) {
        throw invalidProp(path, `${prop}[${i}].verbs`, v, `is not a verb a Role grants here (${RBAC_VERBS.join(', ')})`);
      }
    }
    for (const r of rule.resources) {
      if (!/^[a-z][a-z0-9-]*(\/[a-z]+)?$/.test(r)) {
        throw invalidProp(
          path,
          `${prop}[${i}].resources`,
          r,
          'must be a lower-case plural resource name such as "configmaps" or "pods/log": Kubernetes matches names exactly, so "Secrets" grants nothing',
        );
      }
    }
    // A resource of a built-in group Kubernetes does not have but nearly does (`configmap`, `deployment`, `ingress`):
    // granted as written it matches nothing. Only near misses are refused: a group's other resources may be newer.
    rule.resources.forEach((r, j) => {
      const [base, sub] = r.split('/');
      const known = rule.apiGroups.flatMap((g) => BUILT_IN_RESOURCES[g] ?? []);
      if (known.length === 0 || known.includes(base)) return;
      const plurals = [`${base}s`, `${base}es`, base.replace(/y$/, 'ies')];
      const near = known.find((k) => plurals.includes(k)) ?? _nearest(base, known, 1);
      if (near) {
        throw invalidProp(
          path,
          `${prop}[${i}].resources[${j}]`,
          r,
          `is not a resource of ${rule.apiGroups.map((g) => (g === '' ? 'the core API group ("")' : `"${g}"`)).join(', ')}: did you mean "${near}${sub ? `/${sub}` : ''}"? (Kubernetes matches the plural name exactly)`,
        );
      }
    });
    for (const g of rule.apiGroups) {
      if (g !== '' && !isDnsSubdomain(g)) {
        throw invalidProp(path, `${prop}[${i}].apiGroups`, g, 'must be "" (the core group) or an API group such as "apps" or "batch"');
      }
    }
    const dangerous = DANGEROUS_GRANTS.filter(
      (d) => rule.apiGroups.includes(d.group) && rule.resources.includes(d.resource) && rule.verbs.some((v) => d.verbs.includes(v)),
    );
    if (dangerous.length > 0 && !(typeof rule.acknowledgeRisk === 'string' && rule.acknowledgeRisk.trim().length >= 10)) {
      const d = dangerous[0];
      throw invalidProp(
        path,
        `${prop}[${i}]`,
        `${d.verbs.filter((v) => (rule.verbs as string[]).includes(v)).join(',')} ${d.group ? `${d.group}/` : ''}${d.resource}`,
        `${d.why}: refused unless 'acknowledgeRisk' says why the app needs it (at least 10 characters)`,
      );
    }
  });
}

/**
 * An app's own identity in the cluster: a ServiceAccount whose token is mounted only when the app talks to the
 * Kubernetes API, with a Role and RoleBinding from typed least-privilege rules. Cloud permissions come from the
 * platform (EKS Pod Identity binds a cloud role to the ServiceAccount's name).
 */
export class AppServiceAccount extends Construct {
  public readonly serviceAccount: kplus.ServiceAccount;
  /** True when the app gets an API token (it has RBAC rules). */
  public readonly mountsToken: boolean;
  public readonly role?: ApiObject;
  public readonly roleBinding?: ApiObject;

  constructor(scope: Construct, id: string, props: AppServiceAccountProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name);
    const rbac = props.rbac ?? [];
    validateRbacRules(path, 'rbac', rbac);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const metadata = { name, labels: { ...props.labels } };
    this.mountsToken = rbac.length > 0;
    this.serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata, ...(props.namespace ? { namespace: props.namespace } : {}), annotations: { ...props.annotations } },
      automountToken: this.mountsToken,
    });
    if (!this.mountsToken) return;
    const ns = props.namespace ? { namespace: props.namespace } : {};
    this.role = _apiObject<IRole>(this, 'Role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { ...metadata, ...ns },
      rules: rbac.map((r) => ({
        apiGroups: r.apiGroups,
        resources: r.resources,
        verbs: r.verbs,
        ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
      })),
    });
    this.roleBinding = _apiObject<IRoleBinding>(this, 'RoleBinding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { ...metadata, ...ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, ...(namespace ? { namespace } : {}) }],
    });
  }
}
