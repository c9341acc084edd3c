import { Construct } from 'constructs';
import type { IBackendTrafficPolicy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/BackendTrafficPolicy';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { _apiObject } from '../../private/k8s-object';
import { kplus } from '../../private/kplus';
import { AppRouting, RateLimit, SECURITY_HEADERS } from '../routing';
import { pascalCase } from '../../common/names';

/** What the routes of one app need. @internal */
export interface AppRoutesProps {
  readonly name: string;
  readonly namespace: string;
  readonly host: string;
  readonly port: number;
  readonly routing: AppRouting;
  readonly rateLimits: RateLimit[];
  readonly meta: (n: string) => { name: string; labels: Record<string, string> };
}

/**
 * The public routes of an app: HTTPRoutes and rate-limit policies (Gateway API) or Ingresses (ingress-nginx), one per
 * rate-limit group plus the catch-all.
 * @internal
 */
export function _addAppRoutes(scope: Construct, props: AppRoutesProps): void {
  const { name, namespace, host, port, routing, rateLimits, meta } = props;

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
          hostnames: [host],
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
            rateLimit: { type: 'Local', local: { rules: [{ limit: { requests: g.limit.requests, unit: g.limit.unit } }] } },
          },
        });
      }
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
        tls: [{ hosts: [host], secretName: `${name}-tls` }],
        rules: [
          {
            host,
            http: { paths: [{ path: g.pathPrefix, pathType: 'Prefix', backend: { service: { name, port: { number: port } } } }] },
          },
        ],
      },
    });
  }
}
