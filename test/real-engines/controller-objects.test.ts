import {
  acmeSolverObjects,
  adler32,
  certManagerSettings,
  envoyGatewaySettings,
  envoyProxyObjects,
  hashedName,
  proxyDisruption,
  strategicMerge,
} from '../../scripts/real-engines/controller-objects';
import { podShapes, proxyEndpoints, proxyPaths, routeAttachment } from '../../scripts/real-engines/gateway-paths';
import { K8sObject } from '../../scripts/real-engines/gitops';
import { connectionAllowed, Endpoint, selectorMatches } from '../../scripts/real-engines/network-policy';

const policy = (namespace: string, name: string, spec: K8sObject): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace },
  spec,
});
const pod = (namespace: string, labels: Record<string, string>, ports: Record<string, number> = {}): Endpoint => ({
  namespace,
  namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
  labels,
  ports,
});
const proxy = pod('envoy-gateway-system', { 'app.kubernetes.io/name': 'envoy' });
const api = pod('samokoder', { app: 'api' }, { http: 8000 });
const denyAll = policy('samokoder', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const fromEdge = (ports: K8sObject[]) =>
  policy('samokoder', 'allow-edge', {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } } }], ports }],
  });

describe('NetworkPolicy semantics (network-policy.ts)', () => {
  test('label selectors: matchLabels and the four operators; an empty selector matches every pod', () => {
    const labels = { app: 'api', tier: 'web' };
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'api' } }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
  });

  test('a pod no policy selects takes every connection', () => {
    expect(connectionAllowed([], proxy, api, 8000).allowed).toBe(true);
  });

  test('default deny refuses; an ingress rule for the proxies’ namespace on the port admits (egress of the proxies unrestricted)', () => {
    expect(connectionAllowed([denyAll], proxy, api, 8000)).toMatchObject({ allowed: false, why: expect.stringMatching(/default-deny/) });
    expect(connectionAllowed([denyAll, fromEdge([{ port: 8000 }])], proxy, api, 8000).allowed).toBe(true);
    expect(connectionAllowed([denyAll, fromEdge([{ port: 8000 }])], proxy, api, 9000).allowed).toBe(false);
    expect(connectionAllowed([denyAll, fromEdge([{ port: 8000, protocol: 'UDP' }])], proxy, api, 8000).allowed).toBe(false);
  });

  test('named ports resolve on the destination pod; endPort makes a range', () => {
    expect(connectionAllowed([denyAll, fromEdge([{ port: 'http' }])], proxy, api, 8000).allowed).toBe(true);
    expect(connectionAllowed([denyAll, fromEdge([{ port: 'metrics' }])], proxy, api, 8000).allowed).toBe(false);
    expect(connectionAllowed([denyAll, fromEdge([{ port: 7000, endPort: 8080 }])], proxy, api, 8000).allowed).toBe(true);
  });

  test('a peer with only podSelector means pods of the policy’s own namespace', () => {
    const sameNs = policy('samokoder', 'from-envoy-labels', {
      podSelector: {},
      ingress: [{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'envoy' } } }] }],
    });
    expect(connectionAllowed([sameNs], proxy, api, 8000).allowed).toBe(false);
    expect(connectionAllowed([sameNs], pod('samokoder', { 'app.kubernetes.io/name': 'envoy' }), api, 8000).allowed).toBe(true);
  });

  test('policyTypes defaults to Ingress (plus Egress with egress rules); the source’s egress policies count', () => {
    const egressOnly = policy('envoy-gateway-system', 'proxies-out', {
      podSelector: {},
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }],
    });
    expect(connectionAllowed([egressOnly], proxy, api, 8000)).toMatchObject({ allowed: false, why: expect.stringMatching(/^egress/) });
    expect(
      connectionAllowed(
        [policy('samokoder', 'ipblock', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
        proxy,
        api,
        8000,
      ).allowed,
    ).toBe(false);
  });
});

const gatewayClass = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GatewayClass',
  metadata: { name: 'eg' },
  spec: {
    controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
    parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: 'proxy', namespace: 'envoy-gateway-system' },
  },
};
const envoyProxy = (kubernetes: K8sObject) => ({
  apiVersion: 'gateway.envoyproxy.io/v1alpha1',
  kind: 'EnvoyProxy',
  metadata: { name: 'proxy', namespace: 'envoy-gateway-system' },
  spec: { provider: { type: 'Kubernetes', kubernetes } },
});
const gateway = (listeners: K8sObject[]) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'public', namespace: 'gateway-system' },
  spec: { gatewayClassName: 'eg', listeners },
});
const http = { name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'Same' } } };
const https = { name: 'https', protocol: 'HTTPS', port: 443, allowedRoutes: { namespaces: { from: 'All' } } };

describe('what Envoy Gateway v1.9.0 creates per Gateway (controller-objects.ts)', () => {
  test('names: utils.GetHashedName (its own test vectors) behind the "envoy-" prefix', () => {
    expect(hashedName('http', 6)).toBe('http-e0603c49');
    expect(hashedName('namespace/name', 10)).toBe('namespace-18a6500f');
    expect(hashedName('envoy-gateway-system/eg/http', 6)).toBe('envoy-2ecf157b');
  });

  test('defaults: ServiceAccount, ConfigMap, Deployment and Service in the controller namespace, LoadBalancer with Local traffic, ports shifted by 10000', () => {
    const { objects } = envoyProxyObjects([gatewayClass, envoyProxy({ envoyDeployment: { replicas: 2 } }), gateway([https, http])]);
    expect(objects.map((o) => o.kind)).toEqual(['ServiceAccount', 'ConfigMap', 'Deployment', 'Service']);
    const [deployment, service] = [objects[2], objects[3]];
    expect(deployment.metadata).toMatchObject({ namespace: 'envoy-gateway-system', name: `envoy-${hashedName('gateway-system/public')}` });
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.metadata.labels).toMatchObject({
      'app.kubernetes.io/component': 'proxy',
      'gateway.envoyproxy.io/owning-gateway-name': 'public',
      'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway-system',
    });
    const [envoy, shutdown] = deployment.spec.template.spec.containers;
    expect(envoy.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' } });
    expect(shutdown.resources).toEqual({ requests: { cpu: '10m', memory: '32Mi' } });
    expect(envoy.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, allowPrivilegeEscalation: false });
    expect(service.spec).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [
        { name: 'https-443', port: 443, targetPort: 10443, protocol: 'TCP' },
        { name: 'http-80', port: 80, targetPort: 10080, protocol: 'TCP' },
      ],
    });
  });

  test('the EnvoyProxy’s Service type, annotations and StrategicMerge patch (the DR NodePort merges into the port-80 entry)', () => {
    const kube = {
      envoyService: {
        type: 'NodePort',
        annotations: { a: 'b' },
        patch: { type: 'StrategicMerge', value: { spec: { ports: [{ port: 80, nodePort: 30080 }] } } },
      },
    };
    const service = envoyProxyObjects([gatewayClass, envoyProxy(kube), gateway([http])]).objects.find((o) => o.kind === 'Service')!;
    expect(service.metadata.annotations).toEqual({ a: 'b' });
    expect(service.spec.ports).toEqual([{ name: 'http-80', protocol: 'TCP', port: 80, targetPort: 10080, nodePort: 30080 }]);
    expect(strategicMerge({ ports: [{ port: 1 }] }, { ports: [{ port: 2 }] })).toEqual({ ports: [{ port: 1 }, { port: 2 }] });
  });

  test('a GatewayClass of another controller gets nothing; GatewayNamespace mode puts the proxies beside the Gateway', () => {
    const other = { ...gatewayClass, spec: { ...gatewayClass.spec, controllerName: 'example.com/other' } };
    expect(envoyProxyObjects([other, gateway([http])]).objects).toEqual([]);
    const config = {
      kind: 'ConfigMap',
      metadata: { name: 'envoy-gateway-config', namespace: 'envoy-gateway-system' },
      data: { 'envoy-gateway.yaml': 'provider:\n  type: Kubernetes\n  kubernetes:\n    deploy:\n      type: GatewayNamespace\n' },
    };
    const settings = envoyGatewaySettings([config]);
    expect(settings.gatewayNamespaceMode).toBe(true);
    const d = envoyProxyObjects([gatewayClass, gateway([http])], settings).objects.find((o) => o.kind === 'Deployment')!;
    expect(d.metadata).toMatchObject({ name: 'public', namespace: 'gateway-system' });
  });

  test('envoyPDB makes a PodDisruptionBudget on the stable selector; two proxies without one keeping a pod are reported', () => {
    const without = envoyProxyObjects([gatewayClass, envoyProxy({ envoyDeployment: { replicas: 2 } }), gateway([http])]).objects;
    expect(proxyDisruption(without)[0]).toMatch(/proxies of Gateway gateway-system\/public .*2 replicas\) have no PodDisruptionBudget/);
    const zero = envoyProxyObjects([
      gatewayClass,
      envoyProxy({ envoyDeployment: { replicas: 2 }, envoyPDB: { patch: { value: {} } } }),
      gateway([http]),
    ]);
    expect(zero.objects.find((o) => o.kind === 'PodDisruptionBudget')!.spec.minAvailable).toBe(0);
    expect(proxyDisruption(zero.objects)).toHaveLength(1);
    const kept = envoyProxyObjects([
      gatewayClass,
      envoyProxy({ envoyDeployment: { replicas: 2 }, envoyPDB: { minAvailable: 1 } }),
      gateway([http]),
    ]).objects;
    expect(kept.find((o) => o.kind === 'PodDisruptionBudget')!.spec).toEqual({
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'envoy',
          'app.kubernetes.io/component': 'proxy',
          'app.kubernetes.io/managed-by': 'envoy-gateway',
          'gateway.envoyproxy.io/owning-gateway-namespace': 'gateway-system',
          'gateway.envoyproxy.io/owning-gateway-name': 'public',
        },
      },
      minAvailable: 1,
    });
    expect(proxyDisruption(kept)).toEqual([]);
  });

  test('DaemonSet and HPA settings are reported as not modelled', () => {
    expect(envoyProxyObjects([gatewayClass, envoyProxy({ envoyHpa: { maxReplicas: 3 } }), gateway([http])]).unmodelled).toEqual([
      'EnvoyProxy proxy: envoyHpa (the model makes the Deployment only)',
    ]);
  });
});

const issuer = (solver: K8sObject) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'ClusterIssuer',
  metadata: { name: 'le' },
  spec: { acme: { solvers: [solver] } },
});
const certificate = {
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  metadata: { name: 'public-tls', namespace: 'gateway-system' },
  spec: { dnsNames: ['a.example.com', 'b.example.com'], issuerRef: { kind: 'ClusterIssuer', name: 'le' } },
};
const parentRefs = [{ name: 'public', namespace: 'gateway-system', sectionName: 'http' }];

describe('what cert-manager v1.21.1 creates per HTTP-01 challenge (controller-objects.ts)', () => {
  test('Adler-32 as hash/adler32 computes it (the domain and token labels)', () => {
    expect(adler32('Wikipedia')).toBe(0x11e60398);
  });

  test('one Pod, Service and HTTPRoute per host, in the Certificate’s namespace; the Service is a NodePort unless the solver says otherwise', () => {
    const sets = acmeSolverObjects([certificate, issuer({ http01: { gatewayHTTPRoute: { parentRefs } } })]);
    expect(sets.map((s) => s.host)).toEqual(['a.example.com', 'b.example.com']);
    const [a] = sets;
    expect(a.pod.metadata).toMatchObject({ namespace: 'gateway-system', generateName: 'cm-acme-http-solver-' });
    expect(a.pod.metadata.labels).toMatchObject({
      'acme.cert-manager.io/http-domain': String(adler32('a.example.com')),
      'acme.cert-manager.io/http01-solver': 'true',
    });
    expect(a.pod.spec.containers[0].resources).toEqual({
      requests: { cpu: '10m', memory: '64Mi' },
      limits: { cpu: '100m', memory: '64Mi' },
    });
    expect(a.pod.spec.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(a.service.spec.type).toBe('NodePort');
    const route = a.route!('svc');
    expect(route.spec).toMatchObject({ parentRefs, hostnames: ['a.example.com'] });
    expect(route.spec.rules[0].backendRefs[0]).toMatchObject({ name: 'svc', port: 8089 });
    const clusterIp = acmeSolverObjects([certificate, issuer({ http01: { gatewayHTTPRoute: { parentRefs, serviceType: 'ClusterIP' } } })]);
    expect(clusterIp[0].service.spec.type).toBe('ClusterIP');
  });

  test('the controller’s --acme-http01-solver-* flags and the solver’s podTemplate override the defaults', () => {
    const controller = {
      kind: 'Deployment',
      metadata: { name: 'cert-manager', namespace: 'cert-manager' },
      spec: {
        template: {
          spec: {
            serviceAccountName: 'cert-manager',
            containers: [{ args: ['--acme-http01-solver-image=img:1', '--acme-http01-solver-resource-request-cpu=20m'] }],
          },
        },
      },
    };
    const settings = certManagerSettings([controller]);
    expect(settings).toMatchObject({
      image: 'img:1',
      requests: { cpu: '20m', memory: '64Mi' },
      identity: 'system:serviceaccount:cert-manager:cert-manager',
    });
    const withTemplate = issuer({
      http01: { gatewayHTTPRoute: { parentRefs, podTemplate: { spec: { resources: { limits: { memory: '96Mi' } } } } } },
    });
    const [a] = acmeSolverObjects([certificate, withTemplate, controller]);
    expect(a.pod.spec.containers[0]).toMatchObject({ image: 'img:1', resources: { requests: { cpu: '20m' }, limits: { memory: '96Mi' } } });
  });
});

describe('the proxies’ paths (gateway-paths.ts)', () => {
  const namespaces = [{ kind: 'Namespace', metadata: { name: 'samokoder', labels: { access: 'true' } } }];
  const route = (namespace: string, parent: K8sObject, backend: K8sObject): K8sObject => ({
    kind: 'HTTPRoute',
    metadata: { name: 'r', namespace },
    spec: { parentRefs: [parent], rules: [{ backendRefs: [backend] }] },
  });
  const app: K8sObject[] = [
    {
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'samokoder' },
      spec: {
        template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ ports: [{ name: 'http', containerPort: 8000 }] }] } },
      },
    },
    {
      kind: 'Service',
      metadata: { name: 'api', namespace: 'samokoder' },
      spec: { selector: { app: 'api' }, ports: [{ port: 80, targetPort: 'http' }] },
    },
  ];

  test('attachment: Same admits only the Gateway’s namespace, Selector by the namespace’s labels, and the sectionName must exist', () => {
    const gw = gateway([
      http,
      { ...https, allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { access: 'true' } } } } },
    ]);
    const parent = (sectionName: string) => ({ name: 'public', namespace: 'gateway-system', sectionName });
    expect(routeAttachment(route('samokoder', parent('https'), {}), [gw], namespaces)).toEqual([]);
    expect(routeAttachment(route('samokoder', parent('http'), {}), [gw], namespaces)[0]).toMatch(/own namespace only/);
    expect(routeAttachment(route('other', parent('https'), {}), [gw], namespaces)[0]).toMatch(/does not match/);
    expect(routeAttachment(route('samokoder', parent('grpc'), {}), [gw], namespaces)[0]).toMatch(/no listener grpc/);
  });

  test('a backend is reached on the Service’s target port (named ports resolved on the pod), under the policies of both ends', () => {
    const { objects } = envoyProxyObjects([gatewayClass, gateway([https])]);
    const proxies = proxyEndpoints(objects, namespaces);
    const r = route('samokoder', { name: 'public', namespace: 'gateway-system' }, { name: 'api', port: 80 });
    expect(podShapes(app)[0]).toMatchObject({ namespace: 'samokoder', ports: { http: 8000 } });
    expect(proxyPaths([...app, r], proxies, namespaces)).toEqual({ problems: [], checked: 1 });
    const denied = proxyPaths([...app, r, denyAll], proxies, namespaces);
    expect(denied.problems[0]).toMatch(/cannot reach Deployment\/samokoder\/api on port 8000: ingress of samokoder refused/);
    expect(proxyPaths([...app, r, denyAll, fromEdge([{ port: 8000 }])], proxies, namespaces).problems).toEqual([]);
    const wrongPort = route('samokoder', { name: 'public', namespace: 'gateway-system' }, { name: 'api', port: 81 });
    expect(proxyPaths([...app, wrongPort], proxies, namespaces).problems).toEqual([
      'HTTPRoute/samokoder/r: Service samokoder/api has no port 81',
    ]);
  });
});
