import { Chart } from 'cdk8s';
import { PlatformGateway, PlatformGatewayProps, ProductionApp } from 'samokoder-infra';
import { find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

function gateway(props: Partial<PlatformGatewayProps> = {}): K8sObject[] {
  const chart = new Chart(testApp(), 'gw');
  new PlatformGateway(chart, 'Gateway', { hosts: ['api.samokoder.com', 'bot.samokoder.com'], routeNamespaces: ['samokoder'], ...props });
  return render(chart);
}

describe('PlatformGateway', () => {
  test('the namespace quota admits one HTTP-01 solver pod per host at once (cert-manager solves every name in parallel)', () => {
    // cert-manager v1.21.1 creates one Challenge, so one solver pod (requests 10m CPU, 64Mi; limit 64Mi), per DNS name
    // of the Certificate, all at once; its Service is ClusterIP on the platform's issuer (see ClusterPlatform).
    for (const hosts of [
      ['api.samokoder.com'],
      ['api.samokoder.com', 'bot.samokoder.com'],
      ['a.x.dev', 'b.x.dev', 'c.x.dev', 'd.x.dev', 'e.x.dev', 'f.x.dev', 'g.x.dev', 'h.x.dev', 'i.x.dev', 'j.x.dev', 'k.x.dev'],
    ]) {
      const quota = find(gateway({ hosts }), 'ResourceQuota', 'gateway-system-quota').spec.hard;
      const n = hosts.length;
      expect([n, Number(quota.pods)]).toEqual([n, n]);
      expect(Number(String(quota['requests.cpu']).replace('m', ''))).toBeGreaterThanOrEqual(10 * n);
      expect(Number(String(quota['requests.memory']).replace('Mi', ''))).toBeGreaterThanOrEqual(64 * n);
      expect(Number(String(quota['limits.memory']).replace('Mi', ''))).toBeGreaterThanOrEqual(64 * n);
      expect(quota['services.nodeports']).toBe('0');
    }
  });

  test('without routeNamespaces, every namespace with the admission label; the label is per Gateway', () => {
    const chart = new Chart(testApp(), 'gw');
    const gw = new PlatformGateway(chart, 'Gateway', { hosts: ['api.acme.dev'], name: 'internal' });
    expect(gw.admissionLabel).toEqual({ key: 'gateway-access.samokoder.dev/internal', value: 'true' });
    const listener = find(render(chart), 'Gateway', 'internal').spec.listeners.find((l: K8sObject) => l.name === 'https');
    expect(listener.allowedRoutes.namespaces).toEqual({
      from: 'Selector',
      selector: { matchLabels: { 'gateway-access.samokoder.dev/internal': 'true' } },
    });
  });

  test('the ACME HTTP-01 solver pod is reachable from the proxies despite the default deny, and only on its port', () => {
    const policy = find(gateway({ proxyNamespace: 'edge-proxies' }), 'NetworkPolicy', 'allow-acme-http01-solver');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: { 'acme.cert-manager.io/http01-solver': 'true' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'edge-proxies' } } }],
          ports: [{ protocol: 'TCP', port: 8089 }],
        },
      ],
    });
  });

  test('an HTTPS listener with a cert-manager certificate for every host, routes only from labelled and named namespaces', () => {
    const o = gateway();
    const gw = find(o, 'Gateway', 'public');
    expect(gw.metadata.namespace).toBe('gateway-system');
    const https = gw.spec.listeners.find((l: K8sObject) => l.name === 'https');
    expect(https).toMatchObject({
      protocol: 'HTTPS',
      port: 443,
      tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'public-tls' }] },
    });
    expect(https.allowedRoutes.namespaces).toEqual({
      from: 'Selector',
      selector: {
        matchLabels: { 'gateway-access.samokoder.dev/public': 'true' },
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['samokoder'] }],
      },
    });
    expect(find(o, 'Certificate', 'public-tls').spec).toMatchObject({
      secretName: 'public-tls',
      dnsNames: ['api.samokoder.com', 'bot.samokoder.com'],
      issuerRef: { kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
    });
  });

  test('HTTP only redirects to HTTPS', () => {
    const redirect = find(gateway(), 'HTTPRoute', 'public-https-redirect');
    expect(redirect.spec.parentRefs[0].sectionName).toBe('http');
    expect(redirect.spec.rules).toEqual([
      { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] },
    ]);
  });

  test('validates against the Gateway API and cert-manager schemas, with the routes of an app attached', async () => {
    const root = testApp();
    const chart = new Chart(root, 'gw');
    new PlatformGateway(chart, 'Gateway', { hosts: ['api.samokoder.com'], routeNamespaces: ['api'] });
    const app = new ProductionApp(root, 'api', { name: 'api', image: 'r/api:1.0.0', host: 'api.samokoder.com' });
    const objects = [...render(chart), ...app.toJson()];
    const result = await schemaCheck(objects);
    expect(result.output).toContain(`manifest schema check: ${objects.length} valid, 0 invalid`);
    // The app's routes name this Gateway and listener; the edge policy admits the proxies' namespace.
    expect(find(objects, 'HTTPRoute', 'api-root').spec.parentRefs[0]).toMatchObject({
      name: 'public',
      namespace: 'gateway-system',
      sectionName: 'https',
    });
    expect(find(objects, 'NetworkPolicy', 'api-allow-from-edge').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'envoy-gateway-system',
    });
  });

  test.each<[Partial<PlatformGatewayProps>, string]>([
    [
      { routeNamespaces: [] },
      `[gw/Gateway] 'routeNamespaces' ([]) must name the namespaces allowed to attach routes, or be left out to admit every namespace labelled gateway-access.samokoder.dev/public=true`,
    ],
    [
      { routeNamespaces: ['Billing'] },
      `[gw/Gateway] 'routeNamespaces[0]' ("Billing") must be a DNS label: at most 63 characters of lower-case letters, digits and '-', starting and ending with a letter or digit`,
    ],
    [{ hosts: [] }, `[gw/Gateway] 'hosts' ([]) must name at least one host`],
    [{ hosts: ['bad host'] }, `[gw/Gateway] 'hosts[0]' ("bad host") must be a fully qualified lower-case host name`],
    [
      { hosts: ['app.acme.dev', 'app.acme.dev'] },
      `[gw/Gateway] 'hosts[1]' ("app.acme.dev") is listed twice: listeners of one Gateway need distinct host names`,
    ],
  ])('%j is refused', (props, message) => {
    expect(() => gateway(props)).toThrow(message);
  });
});
