import { invalidProp } from '../common/errors';
import { isDnsSubdomain, isUnresolved, requireDnsLabel, requireUrlPath } from '../common/validate';
import { _AllKeys, _checkProps } from '../common/props';

/** Time unit of a rate limit. */
export type RateLimitUnit = 'Second' | 'Minute' | 'Hour';
const RATE_LIMIT_UNITS: readonly RateLimitUnit[] = ['Second', 'Minute', 'Hour'];

/** A rate limit for one group of paths (API, login, upload, …). */
export interface RateLimit {
  /** Group name, a DNS label (`api`, `login`, `upload`): names the route and policy. */
  readonly name: string;
  /** Path prefix the limit applies to, e.g. `/api/auth/login`. */
  readonly pathPrefix: string;
  /** Requests allowed per `unit` and client. Must be > 0. */
  readonly requests: number;
  readonly unit: RateLimitUnit;
}

/**
 * The audit's limits: API 10 requests/second, login 5/minute, upload 2/second.
 */
export const DEFAULT_RATE_LIMITS: readonly RateLimit[] = [
  { name: 'api', pathPrefix: '/api', requests: 10, unit: 'Second' },
  { name: 'login', pathPrefix: '/api/auth/login', requests: 5, unit: 'Minute' },
  { name: 'upload', pathPrefix: '/api/upload', requests: 2, unit: 'Second' },
];

/** Checks rate-limit groups: DNS-label names (at most 30 characters), absolute path prefixes, positive counts. */
const RATELIMIT_KEYS = ['name', 'pathPrefix', 'requests', 'unit'] as const;
const GATEWAYROUTINGOPTIONS_KEYS = ['gatewayName', 'gatewayNamespace', 'sectionName', 'proxyNamespace', 'loadBalancerHealthPath'] as const;
const INGRESSROUTINGOPTIONS_KEYS = ['className', 'clusterIssuer', 'controllerNamespace'] as const;

export function validateRateLimits(path: string, rateLimits: readonly RateLimit[]): void {
  rateLimits.forEach((r, i) => {
    _checkProps<_AllKeys<RateLimit, typeof RATELIMIT_KEYS>>(
      path,
      'rate limit',
      r,
      RATELIMIT_KEYS,
      ['name', 'pathPrefix', 'requests', 'unit'] as const,
      `rateLimits[${i}].`,
    );
    requireDnsLabel(path, `rateLimits[${i}].name`, r.name, 30);
    requireUrlPath(path, `rateLimits[${i}].pathPrefix`, r.pathPrefix);
    // A unit outside these is refused by Envoy Gateway's CRD or has no ingress-nginx annotation (see AppRoutes).
    if (!RATE_LIMIT_UNITS.includes(r.unit)) {
      throw invalidProp(path, `rateLimits[${i}].unit`, r.unit, `must be one of ${RATE_LIMIT_UNITS.map((u) => `"${u}"`).join(', ')}`);
    }
    if (!(Number.isInteger(r.requests) && r.requests > 0)) {
      throw invalidProp(path, `rateLimits[${i}].requests`, r.requests, 'must be a whole number greater than 0');
    }
    const j = rateLimits.findIndex((o) => o.name === r.name || o.pathPrefix === r.pathPrefix);
    if (j < i) {
      const same = rateLimits[j].name === r.name ? 'name' : 'pathPrefix';
      throw invalidProp(
        path,
        `rateLimits[${i}].${same}`,
        r[same],
        `is already used by rateLimits[${j}]: each group needs its own name and path (they name routes and policies)`,
      );
    }
  });
}

/** Response headers added to every routed response (HSTS plus the usual hardening headers). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; object-src 'none'",
};

/** Options of {@link AppRouting.gateway}. */
export interface GatewayRoutingOptions {
  /** Name of the shared Gateway the routes attach to (TLS terminates there). @default 'public' */
  readonly gatewayName?: string;
  /** Namespace of that Gateway. @default 'gateway-system' */
  readonly gatewayNamespace?: string;
  /** Listener of the Gateway (its HTTPS listener for the host). @default 'https' */
  readonly sectionName?: string;
  /**
   * Namespace the gateway's proxy pods run in: the network policy admits traffic from there. Envoy Gateway runs the
   * proxies in its controller namespace by default, not in the Gateway's.
   * @default 'envoy-gateway-system'
   */
  readonly proxyNamespace?: string;
  /**
   * The path a cloud load balancer probes on the nodes (with any Host header, usually the node's address), e.g. the
   * stack's `contract.entry.healthPath`. An extra route without host names sends it (and the app's own health path,
   * asked for by address) to this app's health path, so the region counts as healthy while the app answers. Set it on
   * one app per cluster.
   * @default - none
   */
  readonly loadBalancerHealthPath?: string;
}

/** Options of {@link AppRouting.ingress}. */
export interface IngressRoutingOptions {
  /** IngressClass name. @default 'nginx' */
  readonly className?: string;
  /** cert-manager ClusterIssuer that issues the TLS certificate. @default 'letsencrypt-prod' */
  readonly clusterIssuer?: string;
  /** Namespace the ingress controller runs in (admitted by the network policy). @default 'ingress-nginx' */
  readonly controllerNamespace?: string;
}

/**
 * How public traffic reaches the service.
 *
 * The default is Gateway API: ingress-nginx was retired in March 2026, Gateway API is the Kubernetes project's
 * successor, it expresses TLS, headers and per-route policies without controller-specific annotations, and the
 * rate-limit policy we emit (Envoy Gateway's BackendTrafficPolicy) attaches to routes by reference. Ingress stays
 * available for clusters that still run an ingress controller.
 */
export class AppRouting {
  /** HTTPRoutes attached to a shared Gateway; rate limits as Envoy Gateway `BackendTrafficPolicy` objects. */
  public static gateway(options: GatewayRoutingOptions = {}): AppRouting {
    _checkProps<_AllKeys<GatewayRoutingOptions, typeof GATEWAYROUTINGOPTIONS_KEYS>>(
      'AppRouting.gateway()',
      'gateway routing options',
      options,
      GATEWAYROUTINGOPTIONS_KEYS,
      [] as const,
      '',
    );
    return new AppRouting(
      'gateway',
      {
        gatewayName: options.gatewayName ?? 'public',
        gatewayNamespace: options.gatewayNamespace ?? 'gateway-system',
        sectionName: options.sectionName ?? 'https',
        proxyNamespace: options.proxyNamespace ?? 'envoy-gateway-system',
        loadBalancerHealthPath: options.loadBalancerHealthPath ?? '',
      },
      undefined,
    );
  }
  /** Ingress objects (ingress-nginx annotations), TLS from cert-manager. */
  public static ingress(options: IngressRoutingOptions = {}): AppRouting {
    _checkProps<_AllKeys<IngressRoutingOptions, typeof INGRESSROUTINGOPTIONS_KEYS>>(
      'AppRouting.ingress()',
      'ingress routing options',
      options,
      INGRESSROUTINGOPTIONS_KEYS,
      [] as const,
      '',
    );
    return new AppRouting('ingress', undefined, {
      className: options.className ?? 'nginx',
      clusterIssuer: options.clusterIssuer ?? 'letsencrypt-prod',
      controllerNamespace: options.controllerNamespace ?? 'ingress-nginx',
    });
  }
  private constructor(
    public readonly kind: 'gateway' | 'ingress',
    /** @internal */
    public readonly _gateway: Required<GatewayRoutingOptions> | undefined,
    /** @internal */
    public readonly _ingress: Required<IngressRoutingOptions> | undefined,
  ) {}

  /** Namespace whose pods send public traffic to the app (admitted by the network policy). */
  public get sourceNamespace(): string {
    return this._gateway ? this._gateway.proxyNamespace : this._ingress!.controllerNamespace;
  }
}

/** Checks what a routing choice carries that the constructs cannot check in its factory (no construct path there). */
export function validateRouting(path: string, prop: string, routing: AppRouting): void {
  const lbPath = routing._gateway?.loadBalancerHealthPath;
  if (lbPath) requireUrlPath(path, `${prop}.loadBalancerHealthPath`, lbPath);
  // Names the API server checks on the objects these go into (a parentRef's namespace and section, an Ingress's class,
  // a NetworkPolicy's namespace selector, a cert-manager issuer): refused here, by the option the user wrote.
  const g = routing._gateway;
  const i = routing._ingress;
  const names: Array<[string, string | undefined, 'label' | 'subdomain']> = [
    ['gatewayName', g?.gatewayName, 'subdomain'],
    ['gatewayNamespace', g?.gatewayNamespace, 'label'],
    ['sectionName', g?.sectionName, 'subdomain'],
    ['proxyNamespace', g?.proxyNamespace, 'label'],
    ['className', i?.className, 'subdomain'],
    ['clusterIssuer', i?.clusterIssuer, 'subdomain'],
    ['controllerNamespace', i?.controllerNamespace, 'label'],
  ];
  for (const [option, value, kind] of names) {
    if (value === undefined || isUnresolved(value)) continue;
    if (kind === 'label') requireDnsLabel(path, `${prop}.${option}`, value);
    else if (!isDnsSubdomain(value)) {
      throw invalidProp(
        path,
        `${prop}.${option}`,
        value,
        'must be a Kubernetes object name: lower-case letters, digits, "-" and ".", at most 253 characters',
      );
    }
  }
}
