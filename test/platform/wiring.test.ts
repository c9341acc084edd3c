import { App, Chart } from 'cdk8s';
import {
  AppRouting,
  checkPlatformWiring,
  assertPlatformWiring,
  ClusterPlatform,
  Dependency,
  PlatformCloud,
  PlatformContract,
  PlatformGateway,
  ProductionApp,
  promqlLookbackDays,
  samokoderSecrets,
} from 'samokoder-infra';
import { K8sObject, render } from '../util/k8s';

const contract: PlatformContract = {
  environment: 'production',
  region: 'eu-central-1',
  clusterName: 'samokoder-production',
  kubernetesVersion: '1.35',
  namespace: 'samokoder',
  serviceAccounts: ['api'],
  podIdentities: [
    { namespace: 'samokoder', serviceAccount: 'api' },
    { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
  ],
  secretEntries: ['samokoder/production/connection', 'samokoder/production/app'],
  connectionSecretName: 'samokoder/production/connection',
  secretPrefix: 'samokoder/production/',
  dataSubnetCidrs: ['10.0.108.0/24'],
  dataTier: [{ name: 'postgres', cidrs: ['10.0.108.0/24'], port: 5432 }],
};

function cluster(contractOverride: Partial<PlatformContract> = {}) {
  const c = { ...contract, ...contractOverride };
  const app = new App();
  const platform = new ClusterPlatform(app, 'Platform', {
    cluster: 'production',
    cloud: PlatformCloud.aws({ region: 'eu-central-1' }),
    source: { repoURL: 'https://git.example.dev/gitops.git' },
    configPath: 'dist/platform/production',
    acmeEmail: 'oncall@example.dev',
  });
  const api = new ProductionApp(app, 'api', {
    name: 'api',
    image: 'ghcr.io/samokoder/api:1.0.0',
    host: 'api.samokoder.com',
    platform: c,
    routing: AppRouting.gateway(),
    secrets: samokoderSecrets('samokoder/production/app', ['DATABASE_URL']),
    // api's service account has a cloud identity in the contract: ProductionApp adds the Pod Identity agent itself.
    dependencies: c.dataTier.flatMap((t) => t.cidrs.map((cidr) => Dependency.cidr(t.name, cidr, t.port))),
  });
  const gw = new Chart(app, 'gateway');
  new PlatformGateway(gw, 'Gateway', { hosts: ['api.samokoder.com'], routeNamespaces: ['samokoder'] });
  const objects = [...render(api), ...render(gw)];
  return { contract: c, platform, objects };
}

const check = (x: ReturnType<typeof cluster>, mutate: (o: K8sObject[]) => void = () => {}) => {
  const objects = JSON.parse(JSON.stringify(x.objects)) as K8sObject[];
  mutate(objects);
  return checkPlatformWiring({ cluster: 'production', contract: x.contract, platform: x.platform, objects });
};
const find = (o: K8sObject[], kind: string, name?: string) =>
  o.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name))!;

describe('checkPlatformWiring: what one engine consumes, the other produces', () => {
  test('a platform built from one contract fits together', () => {
    expect(check(cluster())).toEqual([]);
  });

  test('a store entry the stack does not create', () => {
    expect(check(cluster({ secretEntries: ['samokoder/production/connection'] }))).toEqual([
      '[wiring production] ExternalSecret samokoder/api-secrets: reads store entry "samokoder/production/app", which the stack does not create (it creates: samokoder/production/connection); create it or declare it external',
    ]);
  });

  test('the secret controller without a cloud identity', () => {
    expect(check(cluster({ podIdentities: [{ namespace: 'samokoder', serviceAccount: 'api' }] }))).toEqual([
      '[wiring production] External Secrets runs as external-secrets/external-secrets, which has no cloud identity in the stack: no secret would sync',
    ]);
  });

  test('a secret store, GatewayClass or issuer the platform layer does not create', () => {
    const found = check(cluster(), (o) => {
      find(o, 'ExternalSecret').spec.secretStoreRef.name = 'vault';
      find(o, 'Gateway').spec.gatewayClassName = 'nginx';
      find(o, 'Certificate').spec.issuerRef.name = 'letsencrypt-staging';
    });
    expect(found).toEqual([
      '[wiring production] ExternalSecret samokoder/api-connection: reads from ClusterSecretStore "vault", which the platform layer does not create (it creates "aws-secrets-manager")',
      '[wiring production] Gateway gateway-system/public: names GatewayClass "nginx", which the platform layer does not create ("eg")',
      '[wiring production] Certificate gateway-system/public-tls: is issued by ClusterIssuer "letsencrypt-staging", which the platform layer does not create ("letsencrypt-prod")',
    ]);
  });

  test('an ExternalSecret in a namespace the ClusterSecretStore does not admit', () => {
    const found = check(cluster(), (o) => {
      const ns = o.find((x) => x.kind === 'Namespace' && x.metadata.name === 'samokoder')!;
      delete ns.metadata.labels['secret-store-access.samokoder.dev/aws-secrets-manager'];
    });
    expect(found[0]).toBe(
      '[wiring production] ExternalSecret samokoder/api-connection: namespace "samokoder" may not read through ClusterSecretStore "aws-secrets-manager", which admits namespaces labelled secret-store-access.samokoder.dev/aws-secrets-manager=true: "samokoder" does not carry it, so nothing would sync (create the namespace with AppNamespace\'s secretStoreAccess: [\'aws-secrets-manager\'], or let ProductionApp create it)',
    );
  });

  test('a host the certificate does not cover, a backend port the Service does not expose, a missing Gateway', () => {
    const found = check(cluster(), (o) => {
      const routes = o.filter((x) => x.kind === 'HTTPRoute' && x.metadata.namespace === 'samokoder');
      routes[0].spec.hostnames = ['api.samokoder.dev'];
      routes[1].spec.rules[0].backendRefs[0].port = 8080;
      routes[2].spec.parentRefs[0].name = 'internal';
    });
    expect(found).toEqual([
      '[wiring production] HTTPRoute samokoder/api-api: serves "api.samokoder.dev" on Gateway gateway-system/public, whose certificate (public-tls) does not cover it',
      '[wiring production] HTTPRoute samokoder/api-login: sends traffic to port 8080 of Service api, which exposes 8000',
      '[wiring production] HTTPRoute samokoder/api-upload: attaches to Gateway gateway-system/internal, which the output does not create',
    ]);
  });

  test("a route whose namespace the Gateway's listener does not admit: the label missing, or not among the named namespaces", () => {
    const unlabelled = check(cluster(), (o) => {
      delete find(o, 'Namespace', 'samokoder').metadata.labels['gateway-access.samokoder.dev/public'];
    });
    expect(unlabelled).toHaveLength(4);
    expect(unlabelled[0]).toBe(
      '[wiring production] HTTPRoute samokoder/api-api: namespace "samokoder" is not admitted by Gateway gateway-system/public listener "https": it admits namespaces with gateway-access.samokoder.dev/public=true and kubernetes.io/metadata.name In (samokoder), so the route would never attach (label the namespace gateway-access.samokoder.dev/public=true: AppNamespace\'s gatewayAccess, or let ProductionApp create it)',
    );
    const unnamed = check(cluster(), (o) => {
      find(o, 'Gateway', 'public').spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].values = ['billing'];
    });
    expect(unnamed[0]).toBe(
      '[wiring production] HTTPRoute samokoder/api-api: namespace "samokoder" is not admitted by Gateway gateway-system/public listener "https": it admits namespaces with gateway-access.samokoder.dev/public=true and kubernetes.io/metadata.name In (billing), so the route would never attach',
    );
    // Without a sectionName, a route attaches to any listener that admits it.
    const anyListener = check(cluster(), (o) => {
      delete find(o, 'Namespace', 'samokoder').metadata.labels['gateway-access.samokoder.dev/public'];
      find(o, 'Gateway', 'public').spec.listeners.push({
        name: 'open',
        protocol: 'HTTP',
        port: 8080,
        allowedRoutes: { namespaces: { from: 'All' } },
      });
      for (const r of o.filter((x) => x.kind === 'HTTPRoute' && x.metadata.namespace === 'samokoder'))
        delete r.spec.parentRefs[0].sectionName;
    });
    expect(anyListener).toEqual([]);
    const same = check(cluster(), (o) => {
      find(o, 'Gateway', 'public').spec.listeners[0].allowedRoutes.namespaces = { from: 'Same' };
    });
    expect(same[0]).toBe(
      '[wiring production] HTTPRoute samokoder/api-api: namespace "samokoder" is not admitted by Gateway gateway-system/public listener "https": it admits routes of its own namespace only ("gateway-system")',
    );
  });

  test("the platform's shared Gateway written by another repository: the team's namespace must carry its admission label", () => {
    const x = cluster();
    const team = (mutate: (o: K8sObject[]) => K8sObject[], external?: { namespaces: string[] }) =>
      checkPlatformWiring({
        cluster: 'production',
        contract: x.contract,
        platform: x.platform,
        objects: mutate(
          JSON.parse(
            JSON.stringify(x.objects.filter((o) => o.metadata?.namespace !== 'gateway-system' && o.metadata?.name !== 'gateway-system')),
          ),
        ),
        external,
      });
    expect(team((o) => o)).toEqual([]);
    const unlabelled = team((o) => {
      delete find(o, 'Namespace', 'samokoder').metadata.labels['gateway-access.samokoder.dev/public'];
      return o;
    });
    expect(unlabelled).toHaveLength(4);
    expect(unlabelled[0]).toBe(
      `[wiring production] HTTPRoute samokoder/api-api: namespace "samokoder" is not admitted by the platform's Gateway gateway-system/public, which admits namespaces labelled gateway-access.samokoder.dev/public=true: "samokoder" does not carry it, so the route would never attach (create the namespace with AppNamespace's gatewayAccess: ['public'], or let ProductionApp create it)`,
    );
    const withoutNamespace = (o: K8sObject[]) => o.filter((n) => n.kind !== 'Namespace');
    // Without the namespace neither its store label nor its gateway label can be there: both are reported.
    expect(team(withoutNamespace).find((l) => l.includes('HTTPRoute samokoder/api-api'))).toBe(
      `[wiring production] HTTPRoute samokoder/api-api: namespace "samokoder" is not admitted by the platform's Gateway gateway-system/public, which admits namespaces labelled gateway-access.samokoder.dev/public=true: the output does not create "samokoder", so the route would never attach (create the namespace with AppNamespace's gatewayAccess: ['public'], or let ProductionApp create it)`,
    );
    // A namespace made outside the output: its labels cannot be read here.
    expect(team(withoutNamespace, { namespaces: ['samokoder'] })).toEqual([]);
  });

  test('egress to a private range that is not the data tier, or to the data tier on another port', () => {
    const found = check(cluster(), (o) => {
      const deps = find(o, 'NetworkPolicy', 'api-allow-dependencies');
      deps.spec.egress[0].ports[0].port = 6379;
      deps.spec.egress.push({ to: [{ ipBlock: { cidr: '10.9.0.0/16' } }], ports: [{ protocol: 'TCP', port: 5432 }] });
    });
    expect(found).toEqual([
      '[wiring production] NetworkPolicy samokoder/api-allow-dependencies: allows egress to 10.0.108.0/24 on 6379, which is not a data tier of the stack (postgres 10.0.108.0/24 :5432)',
      '[wiring production] NetworkPolicy samokoder/api-allow-dependencies: allows egress to 10.9.0.0/16 on 5432, which is not a data tier of the stack (postgres 10.0.108.0/24 :5432)',
      // …and with the database's port gone, nothing reaches it.
      `[wiring production] ExternalSecret samokoder/api-connection: reads the connection settings ("samokoder/production/connection"), but no NetworkPolicy in "samokoder" allows egress to the data tier (postgres 10.0.108.0/24 :5432): the default deny would block the database (add Dependency.dataTier(contract) to the app's dependencies)`,
    ]);
  });

  test('connection settings read without any egress to the data tier: the app was built without its dependencies', () => {
    const found = check(cluster(), (o) => {
      const deps = find(o, 'NetworkPolicy', 'api-allow-dependencies');
      deps.spec.egress = deps.spec.egress.filter(
        (r: K8sObject) => !(r.to ?? []).some((t: K8sObject) => t.ipBlock?.cidr === '10.0.108.0/24'),
      );
    });
    expect(found).toEqual([
      `[wiring production] ExternalSecret samokoder/api-connection: reads the connection settings ("samokoder/production/connection"), but no NetworkPolicy in "samokoder" allows egress to the data tier (postgres 10.0.108.0/24 :5432): the default deny would block the database (add Dependency.dataTier(contract) to the app's dependencies)`,
    ]);
  });

  test("egress to an IPv6 range is not judged as a data tier (the stacks' VPCs are IPv4) and does not stop the check", () => {
    const found = check(cluster(), (o) => {
      const deps = find(o, 'NetworkPolicy', 'api-allow-dependencies');
      deps.spec.egress.push({ to: [{ ipBlock: { cidr: '2001:db8::/64' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    });
    expect(found).toEqual([]);
  });

  test('a namespace a policy admits that nothing creates', () => {
    const found = check(cluster(), (o) => {
      find(o, 'NetworkPolicy', 'api-allow-from-edge').spec.ingress[0].from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] =
        'ingress-nginx';
    });
    expect(found).toEqual([
      '[wiring production] NetworkPolicy samokoder/api-allow-from-edge: admits namespace "ingress-nginx", which neither the output nor the platform layer creates',
    ]);
  });

  test('monitoring Prometheus would ignore, or rules that look back further than it keeps metrics', () => {
    const found = check(cluster(), (o) => {
      delete find(o, 'ServiceMonitor').metadata.labels.release;
      find(o, 'PrometheusRule').spec.groups[0].rules[0].expr = 'avg_over_time(up[60d])';
    });
    expect(found).toEqual([
      '[wiring production] ServiceMonitor samokoder/api: lacks the label release=kube-prometheus-stack Prometheus selects by: it would be ignored',
      '[wiring production] PrometheusRule samokoder/api: looks back 60 days, but Prometheus keeps 35 (prometheus.retentionDays of the platform layer)',
    ]);
  });

  test('a workload with a cloud identity whose NetworkPolicies do not reach the Pod Identity agent', () => {
    const problems = check(cluster(), (o) => {
      for (const np of o.filter((x) => x.kind === 'NetworkPolicy'))
        np.spec.egress = (np.spec.egress ?? []).filter((r: K8sObject) => !JSON.stringify(r).includes('169.254.170.23'));
    });
    expect(problems).toEqual([
      expect.stringContaining('[wiring production] Deployment samokoder/api: runs as "api", which has a cloud identity'),
    ]);
  });

  test('names declared external pass', () => {
    const x = cluster({ secretEntries: ['samokoder/production/connection'] });
    expect(
      checkPlatformWiring({
        cluster: 'production',
        contract: x.contract,
        platform: x.platform,
        objects: x.objects,
        external: { secretEntries: ['samokoder/production/app'] },
      }),
    ).toEqual([]);
  });

  test('assertPlatformWiring throws every mismatch at once', () => {
    const x = cluster({ secretEntries: [] });
    expect(() => assertPlatformWiring({ cluster: 'production', contract: x.contract, platform: x.platform, objects: x.objects })).toThrow(
      /^the two engines do not fit together:\n\[wiring production\] ExternalSecret samokoder\/api-connection/,
    );
  });

  test.each([
    ['rate(x[5m])', 5 / 1440],
    ['avg_over_time(x[30d])', 30],
    ['rate(x[10m] offset 1w)', 7 + 10 / 1440],
    ['max_over_time(rate(x[5m])[3d:1m])', 3],
  ])('look-back of %s', (expr, days) => {
    expect(promqlLookbackDays(expr)).toBeCloseTo(days, 6);
  });
});

describe('checkPlatformWiring: the entry a DigitalOcean stack builds (load balancer, NodePort, hosts, health probe)', () => {
  const entry = {
    hosts: ['app.example.dev', 'nyc3.app.example.dev'],
    regionalHost: 'nyc3.app.example.dev',
    tlsTermination: 'loadBalancer' as const,
    nodePort: 30080,
    listenerPort: 80,
    healthPath: '/healthz',
    publicHealthPath: '/health',
  };
  const doContract: PlatformContract = {
    ...contract,
    cloud: 'digitalocean',
    serviceAccounts: [],
    podIdentities: [],
    dataTier: [{ name: 'postgres', cidrs: ['10.10.0.0/16'], port: 25060 }],
    entry,
  };
  function doCluster(
    options: {
      nodePort?: number;
      probe?: boolean;
      tls?: 'gateway' | 'loadBalancer';
      hosts?: string[];
      reader?: string;
      credentialsUser?: string;
    } = {},
  ) {
    const app = new App();
    const platform = new ClusterPlatform(app, 'Platform', {
      cluster: 'dr-nyc3',
      cloud: PlatformCloud.digitalocean({
        secretsRegion: 'us-east-2',
        nodePort: options.nodePort,
        credentialsUser: options.credentialsUser,
      }),
      source: { repoURL: 'https://git.example.dev/gitops.git' },
      configPath: 'dist/platform/dr-nyc3',
      acmeEmail: 'oncall@example.dev',
    });
    const gw = new Chart(app, 'gateway');
    const gateway = new PlatformGateway(gw, 'Gateway', {
      hosts: [...entry.hosts],
      routeNamespaces: ['samokoder'],
      tlsTermination: options.tls ?? 'loadBalancer',
    });
    const [host, ...more] = options.hosts ?? entry.hosts;
    const api = new ProductionApp(app, 'api', {
      name: 'api',
      image: 'ghcr.io/samokoder/api:1.0.0',
      host,
      additionalHosts: more,
      platform: doContract,
      routing: AppRouting.gateway({
        sectionName: gateway.listenerName,
        loadBalancerHealthPath: options.probe === false ? undefined : entry.healthPath,
      }),
      secrets: samokoderSecrets('samokoder/production/app', ['OPENAI_API_KEY']),
      dependencies: [Dependency.cidr('postgres', '10.10.0.0/16', 25060)],
    });
    const contract = options.reader ? { ...doContract, secretsReader: { iamUser: options.reader } } : doContract;
    return { contract, platform, objects: [...render(api), ...render(gw)] };
  }
  const at = '[wiring production]';

  test('a pair built from one contract fits together', () => {
    expect(check(doCluster())).toEqual([]);
  });

  test("the stack's reader for the cluster is the user whose key the platform layer rotates", () => {
    expect(check(doCluster({ reader: 'app-nyc3-secrets-reader', credentialsUser: 'app-nyc3-secrets-reader' }))).toEqual([]);
    expect(check(doCluster({ reader: 'app-nyc3-secrets-reader' }))).toEqual([
      `${at} the secret store reads with a key of the IAM user "app-nyc3-secrets-reader" (the contract's secretsReader), which the platform layer does not rotate: pass credentialsUser: contract.secretsReader.iamUser to PlatformCloud.digitalocean()`,
    ]);
    expect(check(doCluster({ reader: 'app-nyc3-secrets-reader', credentialsUser: 'app-sfo3-secrets-reader' }))).toEqual([
      `${at} the platform layer rotates the key of the IAM user "app-sfo3-secrets-reader", but the contract's secretsReader for this cluster is "app-nyc3-secrets-reader": every run would fail (IAM lets a user rotate only its own keys)`,
    ]);
  });

  test('the NodePort the load balancer forwards to is not the one the proxies pin', () => {
    expect(check(doCluster({ nodePort: 30443 }))).toEqual([
      `${at} the load balancer forwards to NodePort 30080 (listener port 80), but the proxies' Service pins 30443 (listener port 80)`,
    ]);
  });

  test('no route takes the load balancer probe: the region would be taken out', () => {
    expect(check(doCluster({ probe: false }))).toEqual([
      `${at} the load balancer probes /healthz on NodePort 30080 (any Host), but no route without host names on Gateway gateway-system/public listener "http" serves it: the region would be taken out (set AppRouting.gateway({ loadBalancerHealthPath }) on one app)`,
    ]);
  });

  test('a gateway that ends TLS itself behind a load balancer that already did: port 80 only redirects', () => {
    expect(check(doCluster({ tls: 'gateway' }))).toEqual([
      `${at} the load balancer probes /healthz on NodePort 30080 (any Host), but no route without host names on Gateway gateway-system/public listener "http" serves it: the region would be taken out (set AppRouting.gateway({ loadBalancerHealthPath }) on one app)`,
      `${at} the global load balancer and uptime checks request https://app.example.dev/health, which no route on Gateway gateway-system/public listener "http" serves`,
    ]);
  });

  test('an HTTPS listener where the load balancer sends plain HTTP', () => {
    expect(check(doCluster(), (o) => (find(o, 'Gateway').spec.listeners[0].protocol = 'HTTPS'))).toEqual([
      `${at} Gateway gateway-system/public listener "http" speaks HTTPS, but TLS ends at the load balancer: it must be HTTP`,
    ]);
  });

  test('a host the entry does not use, and the global host not served', () => {
    expect(check(doCluster({ hosts: ['api.example.dev'] }))).toEqual([
      `${at} HTTPRoute samokoder/api-api: serves "api.example.dev", which the entry's load balancer, certificate and uptime checks do not use (they use app.example.dev, nyc3.app.example.dev)`,
      `${at} HTTPRoute samokoder/api-login: serves "api.example.dev", which the entry's load balancer, certificate and uptime checks do not use (they use app.example.dev, nyc3.app.example.dev)`,
      `${at} HTTPRoute samokoder/api-upload: serves "api.example.dev", which the entry's load balancer, certificate and uptime checks do not use (they use app.example.dev, nyc3.app.example.dev)`,
      `${at} HTTPRoute samokoder/api-root: serves "api.example.dev", which the entry's load balancer, certificate and uptime checks do not use (they use app.example.dev, nyc3.app.example.dev)`,
      `${at} the global load balancer and uptime checks request https://app.example.dev/health, which no route on Gateway gateway-system/public listener "http" serves`,
    ]);
  });

  test('no Gateway listens where the NodePort arrives', () => {
    expect(check(doCluster(), (o) => (find(o, 'Gateway').spec.listeners[0].port = 8080))).toEqual([
      `${at} no Gateway listens on port 80, where NodePort 30080 arrives`,
    ]);
  });

  test('the AWS cloud pins no NodePort', () => {
    const x = doCluster();
    const aws = new ClusterPlatform(new App(), 'Platform', {
      cluster: 'dr-nyc3',
      cloud: PlatformCloud.aws({ region: 'us-east-2' }),
      source: { repoURL: 'https://git.example.dev/gitops.git' },
      configPath: 'dist/platform/dr-nyc3',
      acmeEmail: 'oncall@example.dev',
    });
    expect(checkPlatformWiring({ cluster: 'production', contract: x.contract, platform: aws, objects: x.objects })).toEqual([
      `${at} External Secrets runs as external-secrets/external-secrets, which has no cloud identity in the stack: no secret would sync`,
      `${at} the load balancer forwards to NodePort 30080, but the platform layer's cloud pins no NodePort`,
    ]);
  });

  test('PlatformCloud.digitalocean refuses a NodePort outside the range', () => {
    expect(() => PlatformCloud.digitalocean({ secretsRegion: 'us-east-2', nodePort: 8080 })).toThrow(
      "[PlatformCloud.digitalocean()] 'nodePort' (8080) must be a whole number from 30000 to 32767",
    );
    expect(() => PlatformCloud.digitalocean({ secretsRegion: 'mars-1' })).toThrow(
      `[PlatformCloud.digitalocean()] 'secretsRegion' ("mars-1") must be an AWS region name such as "eu-central-1"`,
    );
    expect(() => PlatformCloud.aws({ region: 'Frankfurt' })).toThrow(
      `[PlatformCloud.aws()] 'region' ("Frankfurt") must be an AWS region name`,
    );
  });
});
