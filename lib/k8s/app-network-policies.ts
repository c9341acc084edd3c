import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { internetWideReason, isIpv6Written, Ipv6Cidr, parseCidr } from '../common/cidr';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireIntegerInRange, requireLabels } from '../common/validate';
import { pascalCase } from '../common/names';
import { _apiObject, _dnsEgressRule } from '../private/k8s-object';
import { Dependency } from './dependency';
import { _AllKeys, _checkProps } from '../common/props';

/** A namespace whose pods may call the app on its port (an ingress controller, the gateway proxies, Prometheus). */
export interface NamespaceAllowance {
  /** Names the policy: `<name>-allow-from-<id>`. A DNS label. */
  readonly id: string;
  /** The namespace, matched by its `kubernetes.io/metadata.name` label. */
  readonly namespace: string;
}

/** An app in another namespace allowed to call this one (the other side of its `Dependency.app(name, namespace, port)`). */
export interface AppCaller {
  /** The caller's `app.kubernetes.io/name`. */
  readonly app: string;
  /** The caller's namespace. */
  readonly namespace: string;
}

/** Props for {@link AppNetworkPolicies}. */
export interface AppNetworkPoliciesProps {
  /** App name: the policies are named `<name>-allow-…`. */
  readonly name: string;
  /** Labels of the app's serving pods (ingress policies select them). */
  readonly podLabels: Record<string, string>;
  /**
   * Labels of every pod that acts for the app, serving pods and jobs alike (egress policies select them).
   * @default - `podLabels`
   */
  readonly egressLabels?: Record<string, string>;
  /** The port callers may reach. */
  readonly port: number;
  /** Allow DNS to kube-dns. @default true */
  readonly dns?: boolean;
  /**
   * Apps allowed to call this one on its port: a name for an app in the same namespace, `{ app, namespace }` for one
   * in another namespace (the policy then selects that namespace too; without it the traffic is dropped).
   * @default []
   */
  readonly allowFromApps?: Array<string | AppCaller>;
  /** Namespaces allowed to call this one on its port. @default [] */
  readonly allowFromNamespaces?: NamespaceAllowance[];
  /** Egress the app needs besides DNS. @default [] */
  readonly dependencies?: Dependency[];
  /** @default {} */
  readonly labels?: Record<string, string>;
  /**
   * Namespace of the policies, for a chart without one (a platform-owned job beside the namespace object).
   * @default - the chart's
   */
  readonly namespace?: string;
}

/** Checks the egress declarations: every dependency has a port, and a valid CIDR or app and namespace. */
export function validateDependencies(path: string, deps: readonly Dependency[]): void {
  deps.forEach((d, i) => {
    if (d.port === undefined) {
      throw invalidProp(path, `dependencies[${i}].port`, undefined, `is required: '${d.name}' would otherwise be reachable on every port`);
    }
    requireIntegerInRange(path, `dependencies[${i}].port`, d.port, 1, 65535);
    if (d._to.kind === 'cidr') {
      // IPv4 or IPv6: a NetworkPolicy's ipBlock takes both.
      parseCidr(path, `dependencies[${i}].cidr`, d._to.cidr);
      // An entry that is the whole internet alone is named by its index; the list, when only together they are.
      const alone = d._to.exceptPrivate ? undefined : internetWideReason([d._to.cidr]);
      if (alone) {
        throw invalidProp(
          path,
          `dependencies[${i}].cidr`,
          d._to.cidr,
          `opens egress to the whole internet (${alone}): name the networks, or use Dependency.internetHttps() for HTTPS out`,
        );
      }
    } else {
      requireDnsLabel(path, `dependencies[${i}].name`, d._to.app);
      requireDnsLabel(path, `dependencies[${i}].namespace`, d._to.namespace);
    }
  });
  // The internet is reached through Dependency.internetHttps() (443 only, private ranges excepted); a CIDR
  // dependency, alone or with the others, must not amount to it.
  const cidrDeps = deps.filter((d) => d._to.kind === 'cidr' && !d._to.exceptPrivate);
  const wide = internetWideReason(cidrDeps.map((d) => (d._to.kind === 'cidr' ? d._to.cidr : '')));
  if (wide) {
    throw invalidProp(
      path,
      'dependencies',
      cidrDeps.map((d) => (d._to.kind === 'cidr' ? d._to.cidr : '')),
      `open egress to the whole internet (${wide}): name the networks, or use Dependency.internetHttps() for HTTPS out`,
    );
  }
}

/** An IPv6 block in the form the API server keeps (RFC 5952); IPv4 blocks as written. */
function canonicalCidr(cidr: string): string {
  return isIpv6Written(cidr) ? String(Ipv6Cidr.tryParse(cidr) ?? cidr) : cidr;
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16'];

/** Every prop of {@link AppNetworkPoliciesProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const APP_NETWORK_POLICIES_PROPS = [
  'name',
  'podLabels',
  'egressLabels',
  'port',
  'dns',
  'allowFromApps',
  'allowFromNamespaces',
  'dependencies',
  'labels',
  'namespace',
] as const;
const APP_NETWORK_POLICIES_REQUIRED = ['name', 'podLabels', 'port'] as const;

/**
 * Network isolation for one app, on top of a namespace that denies everything by default (see {@link AppNamespace}):
 * DNS egress, ingress on the app's port from named apps and namespaces only, and egress to each declared
 * {@link Dependency} on its port. Usable for any workload, not only a {@link ProductionApp}.
 */
export class AppNetworkPolicies extends Construct {
  /** The policies, in order. */
  public readonly policies: ApiObject[] = [];

  constructor(scope: Construct, id: string, props: AppNetworkPoliciesProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<AppNetworkPoliciesProps, typeof APP_NETWORK_POLICIES_PROPS>>(
      this.node.path,
      'AppNetworkPolicies',
      props,
      APP_NETWORK_POLICIES_PROPS,
      APP_NETWORK_POLICIES_REQUIRED,
    );
    const path = this.node.path;
    requireLabels(this.node.path, 'labels', props.labels);
    requireLabels(this.node.path, 'egressLabels', props.egressLabels);
    requireLabels(this.node.path, 'podLabels', props.podLabels);
    const name = requireDnsLabel(path, 'name', props.name, 253);
    const port = requireIntegerInRange(path, 'port', props.port, 1, 65535);
    const namespace = props.namespace === undefined ? undefined : requireDnsLabel(path, 'namespace', props.namespace);
    const deps = props.dependencies ?? [];
    validateDependencies(path, deps);
    const callers = (props.allowFromApps ?? []).map((a, i) =>
      typeof a === 'string'
        ? { app: requireDnsLabel(path, `allowFromApps[${i}]`, a) }
        : {
            app: requireDnsLabel(path, `allowFromApps[${i}].app`, a.app),
            namespace: requireDnsLabel(path, `allowFromApps[${i}].namespace`, a.namespace),
          },
    );
    const namespaces = props.allowFromNamespaces ?? [];
    namespaces.forEach((n, i) => {
      requireDnsLabel(path, `allowFromNamespaces[${i}].id`, n.id);
      requireDnsLabel(path, `allowFromNamespaces[${i}].namespace`, n.namespace);
    });
    const egressSelector = props.egressLabels ?? props.podLabels;
    const policy = (policyId: string, policyName: string, spec: NonNullable<INetworkPolicy['spec']>) =>
      this.policies.push(
        _apiObject<INetworkPolicy>(this, policyId, {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: policyName, namespace, labels: { ...props.labels } },
          spec,
        }),
      );
    const fromNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });

    if (props.dns ?? true) {
      policy('AllowDns', `${name}-allow-dns`, {
        podSelector: { matchLabels: egressSelector },
        policyTypes: ['Egress'],
        egress: [_dnsEgressRule()],
      });
    }
    if (callers.length > 0) {
      policy('AllowFromApps', `${name}-allow-from-apps`, {
        podSelector: { matchLabels: props.podLabels },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: callers.map((a) => ({
              ...(a.namespace ? fromNamespace(a.namespace) : {}),
              podSelector: { matchLabels: { 'app.kubernetes.io/name': a.app } },
            })),
            ports: [{ protocol: 'TCP', port }],
          },
        ],
      });
    }
    for (const n of namespaces) {
      policy(`AllowFrom${pascalCase(n.id)}`, `${name}-allow-from-${n.id}`, {
        podSelector: { matchLabels: props.podLabels },
        policyTypes: ['Ingress'],
        ingress: [{ from: [fromNamespace(n.namespace)], ports: [{ protocol: 'TCP', port }] }],
      });
    }
    if (deps.length > 0) {
      policy('AllowDependencies', `${name}-allow-dependencies`, {
        podSelector: { matchLabels: egressSelector },
        policyTypes: ['Egress'],
        egress: deps.map((d) => ({
          to: [
            d._to.kind === 'app'
              ? { ...fromNamespace(d._to.namespace), podSelector: { matchLabels: { 'app.kubernetes.io/name': d._to.app } } }
              : { ipBlock: { cidr: canonicalCidr(d._to.cidr), ...(d._to.exceptPrivate ? { except: PRIVATE_RANGES } : {}) } },
          ],
          ports: [{ protocol: 'TCP', port: d.port }],
        })),
      });
    }
  }
}
