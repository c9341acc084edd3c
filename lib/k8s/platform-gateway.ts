import { Construct } from 'constructs';
import type { ICertificate } from '@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate';
import type { IClientTrafficPolicy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/ClientTrafficPolicy';
import type { IGateway } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway';
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireHostname, requireIntegerInRange } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { AppNamespace } from './app-namespace';
import { _AllKeys, _checkProps } from '../common/props';
import { GATEWAY_ACCESS_LABEL_VALUE, gatewayAccessLabel } from '../common/gateway-access';

/** Props for {@link PlatformGateway}. */
export interface PlatformGatewayProps {
  /** Host names served (each app's `host`); the certificate covers them all. */
  readonly hosts: string[];
  /** Gateway name; apps attach with `AppRouting.gateway({ gatewayName })`. @default 'public' */
  readonly name?: string;
  /** Namespace of the Gateway object. @default 'gateway-system' */
  readonly namespace?: string;
  /** GatewayClass of the controller. @default 'eg' (Envoy Gateway) */
  readonly gatewayClassName?: string;
  /** cert-manager ClusterIssuer that issues the certificate (Let's Encrypt). @default 'letsencrypt-prod' */
  readonly clusterIssuer?: string;
  /**
   * Namespaces whose HTTPRoutes may attach to the app listener, in addition to the label every admitted namespace
   * carries (`gateway-access.samokoder.dev/<name>: "true"`, see {@link PlatformGateway.admissionLabel}): when given,
   * a namespace must carry the label *and* be named here.
   * @default - every namespace that carries the label (a team's `ProductionApp` puts it on the namespace it creates)
   */
  readonly routeNamespaces?: string[];
  /** Emit the namespace (Pod Security restricted, quota, default-deny). @default true */
  readonly createNamespace?: boolean;
  /**
   * Namespace the controller's proxies run in: they forward ACME HTTP-01 challenges to cert-manager's solver pod,
   * which the namespace's default deny would otherwise isolate.
   * @default 'envoy-gateway-system'
   */
  readonly proxyNamespace?: string;
  /**
   * Where TLS ends. `gateway`: an HTTPS listener with a cert-manager certificate, HTTP redirected. `loadBalancer`:
   * the cloud's load balancer terminates TLS (DigitalOcean's regional load balancers, with the stack's certificate)
   * and forwards plain HTTP to the nodes, so the HTTP listener serves the routes of `routeNamespaces` and there is no
   * certificate or redirect here (the load balancer redirects). Take it from the contract: `contract.entry.tlsTermination`.
   * @default 'gateway'
   */
  readonly tlsTermination?: 'gateway' | 'loadBalancer';
  /** Port of the HTTP listener (what the proxies' NodePort serves). @default 80 */
  readonly httpPort?: number;
}

/** The port and label of cert-manager's HTTP-01 solver pods (`acmesolver --listen-port=8089`). */
const ACME_SOLVER = { port: 8089, label: 'acme.cert-manager.io/http01-solver' };

/** Every prop of {@link PlatformGatewayProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const PLATFORM_GATEWAY_PROPS = [
  'hosts',
  'name',
  'namespace',
  'gatewayClassName',
  'clusterIssuer',
  'routeNamespaces',
  'createNamespace',
  'proxyNamespace',
  'tlsTermination',
  'httpPort',
] as const;
const PLATFORM_GATEWAY_REQUIRED = ['hosts'] as const;

/**
 * The shared entry of a cluster on Gateway API: a Gateway with an HTTPS listener (TLS terminated with a cert-manager
 * certificate for every host, TLS 1.2+ by the controller's defaults) that only the named namespaces may attach routes
 * to, and an HTTP listener whose only route redirects to HTTPS (301). Behind a load balancer that terminates TLS
 * (`tlsTermination: 'loadBalancer'`), one HTTP listener serves the routes instead.
 */
export class PlatformGateway extends Construct {
  public readonly gatewayName: string;
  public readonly gatewayNamespace: string;
  /** The listener apps attach their routes to (`AppRouting.gateway({ sectionName })`): `https`, or `http` behind a TLS load balancer. */
  public readonly listenerName: string;
  /**
   * The label a namespace carries for its routes to attach (`gateway-access.samokoder.dev/<name>`: `"true"`): put it
   * there with `AppNamespace`'s `gatewayAccess` (a `ProductionApp` that creates its namespace does it for the
   * Gateway its routes name).
   */
  public readonly admissionLabel: { readonly key: string; readonly value: string };

  constructor(scope: Construct, id: string, props: PlatformGatewayProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<PlatformGatewayProps, typeof PLATFORM_GATEWAY_PROPS>>(
      this.node.path,
      'PlatformGateway',
      props,
      PLATFORM_GATEWAY_PROPS,
      PLATFORM_GATEWAY_REQUIRED,
    );
    const path = this.node.path;
    this.gatewayName = requireDnsLabel(path, 'name', props.name ?? 'public');
    this.gatewayNamespace = requireDnsLabel(path, 'namespace', props.namespace ?? 'gateway-system');
    if (props.hosts.length === 0) throw invalidProp(path, 'hosts', [], 'must name at least one host');
    props.hosts.forEach((h, i) => {
      requireHostname(path, `hosts[${i}]`, h);
      if (props.hosts.indexOf(h) !== i)
        throw invalidProp(path, `hosts[${i}]`, h, 'is listed twice: listeners of one Gateway need distinct host names');
    });
    if (props.routeNamespaces !== undefined && props.routeNamespaces.length === 0) {
      throw invalidProp(
        path,
        'routeNamespaces',
        [],
        `must name the namespaces allowed to attach routes, or be left out to admit every namespace labelled ${gatewayAccessLabel(this.gatewayName)}=true`,
      );
    }
    (props.routeNamespaces ?? []).forEach((n, i) => requireDnsLabel(path, `routeNamespaces[${i}]`, n));
    const ns = this.gatewayNamespace;
    const labels = { 'app.kubernetes.io/name': this.gatewayName, 'app.kubernetes.io/managed-by': 'samokoder-infra' };
    const secretName = `${this.gatewayName}-tls`;
    const tlsAtGateway = (props.tlsTermination ?? 'gateway') === 'gateway';
    if (!['gateway', 'loadBalancer'].includes(props.tlsTermination ?? 'gateway')) {
      throw invalidProp(path, 'tlsTermination', props.tlsTermination, "must be 'gateway' or 'loadBalancer'");
    }
    const httpPort = requireIntegerInRange(path, 'httpPort', props.httpPort ?? 80, 1, 65535);
    // Routes of other namespaces attach by the namespace's label (the platform documents it; a team's namespace
    // carries it), and, when the platform names them, only from those namespaces.
    this.admissionLabel = { key: gatewayAccessLabel(this.gatewayName), value: GATEWAY_ACCESS_LABEL_VALUE };
    const appRoutes = {
      kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
      namespaces: {
        from: 'Selector' as const,
        selector: {
          matchLabels: { [this.admissionLabel.key]: this.admissionLabel.value },
          ...(props.routeNamespaces
            ? { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...props.routeNamespaces].sort() }] }
            : {}),
        },
      },
    };
    /** The listener the apps attach to. */
    this.listenerName = tlsAtGateway ? 'https' : 'http';

    if (props.createNamespace ?? true) {
      // The Gateway object lives here; the proxies run in the controller's namespace.
      new AppNamespace(this, 'Namespace', {
        name: ns,
        budget: solverBudget(props.hosts.length),
      });
    }
    // cert-manager answers HTTP-01 challenges with a solver pod in this namespace (the Certificate's), reached from the
    // proxies: one per host at once (see solverBudget).
    const proxyNamespace = requireDnsLabel(path, 'proxyNamespace', props.proxyNamespace ?? 'envoy-gateway-system');
    if (!tlsAtGateway) {
      this.gateway(ns, labels, props.gatewayClassName, [{ name: 'http', protocol: 'HTTP', port: httpPort, allowedRoutes: appRoutes }]);
      // Every connection comes from the load balancer: without this Envoy sees its address as the client's, and the
      // apps' per-client rate limits become one bucket for everyone. DigitalOcean's load balancers append the client
      // to X-Forwarded-For when they end TLS; Envoy Gateway (ClientTrafficPolicy.clientIPDetection) takes the
      // rightmost entry, the one the load balancer wrote, and ignores what a client put before it. A client that
      // reaches a node's NodePort directly could still choose its rate-limit key: keep the NodePort behind the
      // cluster's firewall.
      _apiObject<IClientTrafficPolicy>(this, 'ClientAddress', {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'ClientTrafficPolicy',
        metadata: { name: `${this.gatewayName}-client-address`, namespace: ns, labels },
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.gatewayName }],
          clientIPDetection: { xForwardedFor: { numTrustedHops: 1 } },
        },
      });
      return;
    }
    _apiObject<INetworkPolicy>(this, 'AcmeSolverIngress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-acme-http01-solver', namespace: ns, labels },
      spec: {
        podSelector: { matchLabels: { [ACME_SOLVER.label]: 'true' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': proxyNamespace } } }],
            ports: [{ protocol: 'TCP', port: ACME_SOLVER.port }],
          },
        ],
      },
    });
    _apiObject<ICertificate>(this, 'Certificate', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: secretName, namespace: ns, labels },
      spec: {
        secretName,
        dnsNames: [...props.hosts].sort(),
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: props.clusterIssuer ?? 'letsencrypt-prod' },
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        renewBefore: '720h',
      },
    });
    this.gateway(ns, labels, props.gatewayClassName, [
      {
        name: 'https',
        protocol: 'HTTPS',
        port: 443,
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: secretName }] },
        allowedRoutes: appRoutes,
      },
      {
        name: 'http',
        protocol: 'HTTP',
        port: httpPort,
        allowedRoutes: { kinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }], namespaces: { from: 'Same' } },
      },
    ]);
    _apiObject<IHTTPRoute>(this, 'HttpsRedirect', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: `${this.gatewayName}-https-redirect`, namespace: ns, labels },
      spec: {
        parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: this.gatewayName, sectionName: 'http' }],
        rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
      },
    });
  }

  private gateway(ns: string, labels: Record<string, string>, className: string | undefined, listeners: Listener[]): void {
    _apiObject<IGateway>(this, 'Gateway', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: this.gatewayName, namespace: ns, labels },
      spec: { gatewayClassName: className ?? 'eg', listeners },
    });
  }
}

type Listener = IGateway['spec']['listeners'][number];

/**
 * The gateway namespace's quota: room for cert-manager's HTTP-01 solvers only. cert-manager (v1.21.1) makes one
 * Challenge per DNS name of the Certificate and solves them at once, each with a pod asking 10m CPU and 64Mi (limit
 * 64Mi) and a ClusterIP Service (the platform's issuer sets `serviceType: ClusterIP`; NodePorts stay at 0). A quota of
 * one pod let one name through and left the others Pending, so TLS was never issued for two hosts.
 */
function solverBudget(hosts: number): { pods: number; cpuRequestMillis: number; memoryRequestMiB: number; memoryLimitMiB: number } {
  return {
    pods: hosts,
    cpuRequestMillis: Math.max(100, 10 * hosts),
    memoryRequestMiB: Math.max(128, 64 * hosts),
    memoryLimitMiB: Math.max(128, 64 * hosts),
  };
}
