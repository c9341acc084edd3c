import { App, Chart } from 'cdk8s';
import {
  AppRouting,
  checkPlatformWiring,
  ClusterPlatform,
  PlatformCloud,
  PlatformContract,
  PlatformDns,
  PlatformGateway,
  ProductionApp,
} from 'samokoder-infra';
import { all, find, K8sObject, render, schemaCheck } from '../util/k8s';

const dns = (options: Partial<Parameters<typeof PlatformDns.digitalOcean>[0]> = {}) =>
  PlatformDns.digitalOcean({ zone: 'example.dev', tokenEntry: 'shop/production/external-dns', ...options });
const platform = (cloud: PlatformCloud) =>
  new ClusterPlatform(new App(), 'Platform', {
    cluster: 'production',
    cloud,
    source: { repoURL: 'https://git.example.dev/platform/gitops.git' },
    configPath: 'dist/platform/production',
    acmeEmail: 'oncall@example.dev',
  });

describe('PlatformDns', () => {
  const p = platform(
    PlatformCloud.aws({ region: 'eu-central-1', clusterName: 'shop-production', dns: dns({ excludeDomains: ['app.example.dev'] }) }),
  );
  const objects = render(p.config);
  const deployment = find(objects, 'Deployment', 'external-dns');
  const [controller, webhook] = deployment.spec.template.spec.containers as K8sObject[];

  test('external-dns watches the routes on the shared Gateway and owns its records in the zone under the cluster’s name', () => {
    expect(deployment.metadata.namespace).toBe('external-dns');
    expect(controller.image).toBe('registry.k8s.io/external-dns/external-dns:v0.22.0');
    expect(controller.args).toEqual([
      '--source=gateway-httproute',
      '--gateway-name=public',
      '--gateway-namespace=gateway-system',
      '--domain-filter=example.dev',
      '--exclude-domains=app.example.dev',
      '--provider=webhook',
      '--webhook-provider-url=http://localhost:8888',
      '--policy=sync',
      '--registry=txt',
      '--txt-owner-id=shop-production',
      '--txt-prefix=extdns-%{record_type}-',
      '--interval=1m',
      '--metrics-address=:7979',
    ]);
    // One at a time: two instances with one owner id would plan against each other.
    expect(deployment.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
  });

  test('the DigitalOcean webhook beside it reads the token from the store entry, never a value, and lists the one zone', () => {
    expect(webhook.image).toBe('ghcr.io/amoniacou/external-dns-digitalocean-webhook:0.1.2');
    expect(webhook.env).toEqual([
      { name: 'DO_TOKEN', valueFrom: { secretKeyRef: { name: 'external-dns-digitalocean', key: 'token' } } },
      { name: 'DO_DOMAIN_FILTER', value: 'example.dev' },
    ]);
    expect(find(objects, 'ExternalSecret', 'external-dns-digitalocean').spec).toMatchObject({
      secretStoreRef: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
      data: [{ secretKey: 'token', remoteRef: { key: 'shop/production/external-dns', property: 'token' } }],
    });
    // The store admits the namespace; the namespace runs restricted pods only.
    expect(find(objects, 'Namespace', 'external-dns').metadata.labels).toMatchObject({
      'secret-store-access.samokoder.dev/aws-secrets-manager': 'true',
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    expect(all(objects, 'Secret')).toEqual([]);
  });

  test('least privilege: reads Gateways, HTTPRoutes and namespaces only; DNS and HTTPS out, metrics in from Prometheus', () => {
    expect(find(objects, 'ClusterRole', 'external-dns').rules).toEqual([
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'watch', 'list'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes'], verbs: ['get', 'watch', 'list'] },
    ]);
    expect(find(objects, 'ClusterRoleBinding', 'external-dns').subjects).toEqual([
      { kind: 'ServiceAccount', name: 'external-dns', namespace: 'external-dns' },
    ]);
    const policy = find(objects, 'NetworkPolicy', 'external-dns').spec;
    expect(policy.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [{ protocol: 'TCP', port: 7979 }],
      },
    ]);
    expect(policy.egress[1]).toEqual({ ports: [{ protocol: 'TCP', port: 443 }] });
    for (const c of [controller, webhook]) {
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    // One replica, no PodDisruptionBudget: a budget of one would block every drain, and records outlive the pod.
    expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
  });

  test('the platform AppProject admits its namespace; without dns, nothing of it', () => {
    const project = render(p.applications).find((o) => o.kind === 'AppProject')!;
    expect(project.spec.destinations.map((d: K8sObject) => d.namespace)).toContain('external-dns');
    const plain = platform(PlatformCloud.aws({ region: 'eu-central-1', clusterName: 'shop-production' }));
    expect(render(plain.config).filter((o) => o.metadata.name === 'external-dns')).toEqual([]);
  });

  test('every object validates against the Kubernetes and CRD schemas', async () => {
    const result = await schemaCheck(objects);
    expect(result.output).toContain(`manifest schema check: ${objects.length} valid, 0 invalid`);
  });

  test('manages(): inside domains, outside the exclusions, label by label', () => {
    const d = dns({ domains: ['example.dev'], excludeDomains: ['app.example.dev', 'staging.example.dev'] });
    expect(d.manages('api.example.dev')).toBe(true);
    expect(d.manages('example.dev')).toBe(true);
    expect(d.manages('app.example.dev')).toBe(false);
    expect(d.manages('nyc3.app.example.dev')).toBe(false);
    expect(d.manages('myapp.example.dev')).toBe(true);
    expect(d.manages('api.staging.example.dev')).toBe(false);
    expect(d.manages('example.com')).toBe(false);
  });

  test('Route 53: the in-tree AWS provider on the one zone, signed in by Pod Identity (its agent admitted), no token, no sidecar', () => {
    const q = platform(
      PlatformCloud.aws({
        region: 'eu-central-1',
        clusterName: 'shop-production',
        dns: PlatformDns.route53({ zone: 'example.dev', hostedZoneId: 'Z0123456789ABC', domains: ['staging.example.dev'] }),
      }),
    );
    const out = render(q.config);
    const d = find(out, 'Deployment', 'external-dns');
    expect(d.spec.template.spec.containers.map((c: K8sObject) => c.name)).toEqual(['external-dns']);
    const c = d.spec.template.spec.containers[0];
    expect(c.args).toEqual(
      expect.arrayContaining([
        '--domain-filter=staging.example.dev',
        '--provider=aws',
        '--aws-zone-type=public',
        '--zone-id-filter=Z0123456789ABC',
        '--txt-owner-id=shop-production',
      ]),
    );
    expect(c.args.filter((a: string) => a.startsWith('--webhook'))).toEqual([]);
    expect(c.env).toEqual([{ name: 'AWS_DEFAULT_REGION', value: 'eu-central-1' }]);
    expect(all(out, 'ExternalSecret')).toEqual([]);
    expect(find(out, 'Namespace', 'external-dns').metadata.labels).not.toHaveProperty(
      'secret-store-access.samokoder.dev/aws-secrets-manager',
    );
    expect(find(out, 'NetworkPolicy', 'external-dns').spec.egress).toContainEqual({
      to: [{ ipBlock: { cidr: '169.254.170.23/32' } }],
      ports: [{ protocol: 'TCP', port: 80 }],
    });
  });

  test.each<[() => unknown, string]>([
    [() => dns({ zone: '*.example.dev' }), `[PlatformDns.digitalOcean()] 'zone' ("*.example.dev") must be a zone name, not a wildcard`],
    [
      () => dns({ tokenEntry: 'dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' }),
      `[PlatformDns.digitalOcean()] 'tokenEntry' ("<redacted>") must be the name of a secret-store entry (letters, digits and / _ + = . @ -), never the secret value itself`,
    ],
    [
      () => dns({ domains: ['api.example.com'] }),
      `[PlatformDns.digitalOcean()] 'domains[0]' ("api.example.com") must be a name inside the zone "example.dev" (no wildcard: everything under it is included)`,
    ],
    [
      () => dns({ domains: ['staging.example.dev'], excludeDomains: ['example.dev'] }),
      `[PlatformDns.digitalOcean()] 'excludeDomains[0]' ("example.dev") covers all of "staging.example.dev" in domains: it would manage nothing there`,
    ],
    [() => dns({ domains: [] }), `[PlatformDns.digitalOcean()] 'domains' ([]) must name at least one name (or leave it out for the zone)`],
    [
      () => dns({ excludeDomains: 'app.example.dev' as unknown as string[] }),
      `[PlatformDns.digitalOcean()] 'excludeDomains' ("app.example.dev") must be a list (an array), even of one entry: ["app.example.dev"]`,
    ],
    [
      () => PlatformCloud.aws({ region: 'eu-central-1', dns: dns() }),
      `[PlatformCloud.aws()] 'dns' ("example.dev") needs clusterName: it is the owner id of the cluster's records in the zone (each cluster deletes only its own)`,
    ],
    [
      () => PlatformCloud.aws({ region: 'eu-central-1', clusterName: 'c', dns: { zone: 'example.dev' } as unknown as PlatformDns }),
      `[PlatformCloud.aws()] 'dns' ({"zone":"example.dev"}) must be made with PlatformDns.digitalOcean() or PlatformDns.route53()`,
    ],
    [
      () => PlatformDns.route53({ zone: 'example.dev', hostedZoneId: '/hostedzone/Z0123' }),
      `[PlatformDns.route53()] 'hostedZoneId' ("/hostedzone/Z0123") must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ" (without /hostedzone/)`,
    ],
    [
      () => PlatformDns.route53({ zone: 'example.dev', hostedZoneId: 'Z0123', domains: ['example.com'] }),
      `[PlatformDns.route53()] 'domains[0]' ("example.com") must be a name inside the zone "example.dev" (no wildcard: everything under it is included)`,
    ],
  ])('refused: %#', (build, message) => {
    expect(build).toThrow(message);
  });
});

describe('checkPlatformWiring: the platform DNS', () => {
  const contract: PlatformContract = {
    environment: 'production',
    region: 'eu-central-1',
    clusterName: 'shop-production',
    kubernetesVersion: '1.35',
    namespace: 'shop',
    serviceAccounts: ['api'],
    podIdentities: [
      { namespace: 'shop', serviceAccount: 'api' },
      { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
    ],
    secretEntries: ['shop/production/connection', 'shop/production/external-dns'],
    connectionSecretName: 'shop/production/connection',
    secretPrefix: 'shop/production/',
    dataSubnetCidrs: [],
    dataTier: [],
  };
  const wiring = (d: PlatformDns, entries = contract.secretEntries) => {
    const app = new App();
    const p = platform(PlatformCloud.aws({ region: 'eu-central-1', clusterName: 'shop-production', dns: d }));
    const api = new ProductionApp(app, 'api', {
      name: 'api',
      image: 'ghcr.io/shop/api:1.0.0',
      host: 'api.example.dev',
      platform: contract,
      routing: AppRouting.gateway(),
    });
    const gw = new Chart(app, 'gateway');
    new PlatformGateway(gw, 'Gateway', { hosts: ['api.example.dev'], routeNamespaces: ['shop'] });
    const objects = [...render(api), ...render(gw)];
    return checkPlatformWiring({ cluster: 'production', contract: { ...contract, secretEntries: entries }, platform: p, objects });
  };

  test('the entry exists and the filters cover every host on the shared Gateway: nothing to report', () => {
    expect(wiring(dns({ excludeDomains: ['app.example.dev'] }))).toEqual([]);
  });

  test('a token entry the stack does not create', () => {
    expect(wiring(dns(), ['shop/production/connection'])).toEqual([
      '[wiring production] external-dns reads store entry "shop/production/external-dns", which the stack does not create (it creates: shop/production/connection): add it to the stack\'s secretEntries or declare it external',
    ]);
  });

  test('a host the filters leave out would never resolve', () => {
    expect(wiring(dns({ excludeDomains: ['api.example.dev'] }))).toEqual([
      '[wiring production] "api.example.dev" (served by HTTPRoute shop/api-api, shop/api-login, shop/api-upload, shop/api-root) is not a name the cluster\'s external-dns manages (domains example.dev, excluded api.example.dev): nothing points it at the gateway\'s load balancer',
    ]);
  });
});
