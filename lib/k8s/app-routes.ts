import { Construct } from 'constructs';
import type { IBackendTrafficPolicy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { Chart } from 'cdk8s';
import { _apiObject } from '../private/k8s-object';
import { kplus } from '../private/kplus';
import { AppRouting, DEFAULT_RATE_LIMITS, RateLimit, SECURITY_HEADERS, validateRateLimits, validateRouting } from './routing';
import { pascalCase } from '../common/names';
import { _freeId, requireDnsLabel, requireHostname, requireIntegerInRange, requireLabels, requireUrlPath } from '../common/validate';

/** Props for {@link AppRoutes}. */
export interface AppRoutesProps {
  /** The Service the routes send traffic to (also names the routes). */
  readonly name: string;
  /** Public host name. */
  readonly host: string;
  /** More host names served by the same routes (a regional name, say). @default [] */
  readonly additionalHosts?: string[];
  /** The app's health path, where a load balancer probe is sent (see `loadBalancerHealthPath`). @default '/health' */
  readonly healthPath?: string;
  /** The Service port. */
  readonly port: number;
  /** How public traffic reaches the app. @default AppRouting.gateway() */
  readonly routing?: AppRouting;
  /** Rate limits per path group. @default DEFAULT_RATE_LIMITS (api 10/s, login 5/min, upload 2/s) */
  readonly rateLimits?: RateLimit[];
  /** @default - the chart's namespace */
  readonly namespace?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * The public routes of an app: HTTPRoutes with security headers and Envoy Gateway rate-limit policies (Gateway API)
 * or Ingresses (ingress-nginx), one per rate-limit group plus the catch-all.
 */
function checkedRouting(path: string, routing: AppRouting): AppRouting {
  validateRouting(path, 'routing', routing);
  return routing;
}

export class AppRoutes extends Construct {
  constructor(scope: Construct, id: string, props: AppRoutesProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const path = this.node.path;
    const rateLimits = props.rateLimits ?? [...DEFAULT_RATE_LIMITS];
    validateRateLimits(path, rateLimits);
    addRoutes(this, {
      name: requireDnsLabel(path, 'name', props.name),
      namespace: props.namespace ?? Chart.of(this).namespace ?? 'default',
      hosts: [
        requireHostname(path, 'host', props.host),
        ...(props.additionalHosts ?? []).map((h, i) => requireHostname(path, `additionalHosts[${i}]`, h)),
      ],
      healthPath: requireUrlPath(path, 'healthPath', props.healthPath ?? '/health'),
      port: requireIntegerInRange(path, 'port', props.port, 1, 65535),
      routing: checkedRouting(path, props.routing ?? AppRouting.gateway()),
      rateLimits,
      meta: (n: string) => ({ name: n, labels: { ...props.labels } }),
    });
  }
}

interface RouteProps {
  readonly name: string;
  readonly namespace: string;
  readonly hosts: string[];
  readonly healthPath: string;
  readonly port: number;
  readonly routing: AppRouting;
  readonly rateLimits: RateLimit[];
  readonly meta: (n: string) => { name: string; labels: Record<string, string> };
}

/** Every IPv4 and every IPv6 client, each counted on its own (Envoy Gateway's `Distinct` source CIDR match). */
const PER_CLIENT = ['0.0.0.0/0', '::/0'] as const;

function addRoutes(scope: Construct, props: RouteProps): void {
  const { name, namespace, hosts, port, routing, rateLimits, meta } = props;

  // One route per rate-limit group, plus the catch-all: the longest matching prefix wins on both Gateway API and
  // ingress-nginx, so each group gets exactly its own limit.
  const groups: Array<{ name: string; pathPrefix: string; limit?: RateLimit }> = [
    ...rateLimits.map((r) => ({ name: r.name, pathPrefix: r.pathPrefix, limit: r })),
  ];
  if (!groups.some((g) => g.pathPrefix === '/')) groups.push({ name: 'root', pathPrefix: '/' });
  const byId = (g: { name: string }) => pascalCase(g.name);

  if (routing._gateway) {
    const gw = routing._gateway;
    for (const g of groups) {
      const routeName = `${name}-${g.name}`;
      _apiObject<IHTTPRoute>(scope, `Route${byId(g)}`, {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: meta(routeName),
        spec: {
          parentRefs: [
            {
              group: 'gateway.networking.k8s.io',
              kind: 'Gateway',
              name: gw.gatewayName,
              namespace: gw.gatewayNamespace,
              sectionName: gw.sectionName,
            },
          ],
          hostnames: [...hosts],
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: g.pathPrefix } }],
              filters: [
                {
                  type: 'ResponseHeaderModifier',
                  responseHeaderModifier: { set: Object.entries(SECURITY_HEADERS).map(([k, v]) => ({ name: k, value: v })) },
                },
              ],
              backendRefs: [{ group: '', kind: 'Service', name, port: port }],
            },
          ],
        },
      });
      if (g.limit) {
        _apiObject<IBackendTrafficPolicy>(scope, `RateLimit${byId(g)}`, {
          apiVersion: 'gateway.envoyproxy.io/v1alpha1',
          kind: 'BackendTrafficPolicy',
          metadata: meta(routeName),
          spec: {
            targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: routeName }],
            // Per client: a `Distinct` source CIDR gives every client address its own bucket (one rule per address
            // family). Local limits count per proxy replica; see the README on rate limits for Global (Redis).
            rateLimit: {
              local: {
                rules: PER_CLIENT.map((value) => ({
                  clientSelectors: [{ sourceCIDR: { type: 'Distinct', value } }],
                  limit: { requests: g.limit!.requests, unit: g.limit!.unit },
                })),
              },
            },
          },
        });
      }
    }
    if (gw.loadBalancerHealthPath) {
      const parentRefs = [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'Gateway',
          name: gw.gatewayName,
          namespace: gw.gatewayNamespace,
          sectionName: gw.sectionName,
        },
      ];
      // No host names: the probe arrives with the node's address as Host.
      _apiObject<IHTTPRoute>(scope, 'LoadBalancerHealth', {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: meta(`${name}-lb-health`),
        spec: {
          parentRefs,
          rules: [
            {
              // The app's own health path too: a probe may ask for it with the node's address (the global load
              // balancer checks the regional ones by address).
              matches: [...new Set([gw.loadBalancerHealthPath, props.healthPath])].map((value) => ({
                path: { type: 'Exact' as const, value },
              })),
              filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: props.healthPath } } }],
              backendRefs: [{ group: '', kind: 'Service', name, port }],
            },
          ],
        },
      });
    }
    return;
  }

  const ing = routing._ingress!;
  const headers = new kplus.ConfigMap(scope, 'SecurityHeaders', {
    metadata: meta(`${name}-security-headers`),
    data: { ...SECURITY_HEADERS },
  });
  for (const g of groups) {
    const annotations: Record<string, string> = {
      'cert-manager.io/cluster-issuer': ing.clusterIssuer,
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/custom-headers': `${namespace}/${headers.name}`,
    };
    if (g.limit) {
      const key = g.limit.unit === 'Second' ? 'limit-rps' : g.limit.unit === 'Minute' ? 'limit-rpm' : 'limit-rpm';
      const value = g.limit.unit === 'Hour' ? Math.max(1, Math.floor(g.limit.requests / 60)) : g.limit.requests;
      annotations[`nginx.ingress.kubernetes.io/${key}`] = String(value);
    }
    _apiObject<IIngress>(scope, `Ingress${byId(g)}`, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { ...meta(`${name}-${g.name}`), annotations },
      spec: {
        ingressClassName: ing.className,
        tls: [{ hosts: [...hosts], secretName: `${name}-tls` }],
        rules: hosts.map((host) => ({
          host,
          http: { paths: [{ path: g.pathPrefix, pathType: 'Prefix' as const, backend: { service: { name, port: { number: port } } } }] },
        })),
      },
    });
  }
}
