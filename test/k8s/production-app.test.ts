import { Chart } from 'cdk8s';
import {
  AppRouting,
  AppSecret,
  DeploymentStrategy,
  Dependency,
  PlatformContract,
  ProductionApp,
  ProductionAppProps,
  RbacVerb,
  samokoderSecrets,
  SecretStore,
  WorkloadKind,
} from 'samokoder-infra';
import { all, find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

const base: ProductionAppProps = { name: 'api', image: 'ghcr.io/samokoder/api:1.4.2', host: 'api.samokoder.com' };

function app(props: Partial<ProductionAppProps> = {}): K8sObject[] {
  return render(new ProductionApp(testApp(), 'api', { ...base, ...props }));
}

function podSpec(objects: K8sObject[], kind = 'Deployment') {
  return find(objects, kind, 'api').spec.template.spec;
}

describe('ProductionApp', () => {
  test('the namespace it creates carries the admission label of the Gateway its routes name, and no other', () => {
    const labels = (props: Partial<ProductionAppProps>) => find(app(props), 'Namespace').metadata.labels;
    expect(labels({})['gateway-access.samokoder.dev/public']).toBe('true');
    expect(labels({ routing: AppRouting.gateway({ gatewayName: 'internal' }) })).toMatchObject({
      'gateway-access.samokoder.dev/internal': 'true',
    });
    const unrouted = [labels({ host: undefined }), labels({ routing: AppRouting.ingress() })];
    for (const l of unrouted) expect(Object.keys(l).filter((k) => k.startsWith('gateway-access.'))).toEqual([]);
  });

  describe('namespace', () => {
    test('enforces Pod Security "restricted", with quota, limits and default deny', () => {
      const o = app();
      const ns = find(o, 'Namespace', 'api');
      expect(ns.metadata.labels).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      });
      expect(ns.metadata.namespace).toBeUndefined();
      expect(find(o, 'ResourceQuota').spec.hard).toMatchObject({ pods: '27', 'services.loadbalancers': '0', 'services.nodeports': '0' });
      expect(find(o, 'LimitRange').spec.limits[0]).toMatchObject({
        defaultRequest: { cpu: '250m', memory: '512Mi' },
        default: { cpu: '1', memory: '2Gi' },
      });
      expect(find(o, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    test('the quota holds the app at its peak: rolling surge of 25 %, blue-green preview beside active, migration Job', () => {
      const quota = (props: Partial<ProductionAppProps>) => find(app(props), 'ResourceQuota').spec.hard;
      // Default: 20 replicas at most, rolling: ceil(20 × 1.25) = 25, plus 2 pods of room.
      expect(quota({}).pods).toBe('27');
      // Blue-green at the maximum: 20 active + 20 preview + 1 migration + 1 smoke test + 2 of room.
      const bg = quota({
        strategy: DeploymentStrategy.blueGreen({ smokeTest: { paths: ['/api/status'] } }),
        migration: { command: ['migrate'] },
      });
      expect(bg).toMatchObject({ pods: '44', 'requests.cpu': '11', 'requests.memory': '22Gi', 'limits.memory': '88Gi' });
      const blueGreen = new ProductionApp(testApp(), 'api', {
        ...base,
        strategy: DeploymentStrategy.blueGreen({ smokeTest: { paths: ['/api/status'] } }),
        migration: { command: ['migrate'] },
      });
      expect(blueGreen.footprint).toMatchObject({ pods: 42, cpuRequestMillis: 250, memoryRequestMiB: 512 });
    });

    test('can be left to another chart', () => {
      const o = app({ createNamespace: false, namespace: 'shared' });
      expect(all(o, 'Namespace')).toHaveLength(0);
      expect(find(o, 'Deployment', 'api').metadata.namespace).toBe('shared');
    });
  });

  describe('workload', () => {
    test('every container meets Pod Security "restricted"', () => {
      const spec = podSpec(app());
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of spec.containers) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsGroup: 10001,
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
        });
      }
      // Not written at all: false is the default, and the API server drops it (npm run verify:k8s).
      expect(spec.hostNetwork).toBeUndefined();
      expect(spec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
      expect(spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/tmp', name: 'tmp' });
    });

    test('requests and limits default to 250m/1000m CPU and 512Mi/2Gi memory; the CPU limit is optional', () => {
      expect(podSpec(app()).containers[0].resources).toEqual({
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { cpu: '1', memory: '2Gi' },
      });
      expect(podSpec(app({ resources: { cpuLimitMillis: null } })).containers[0].resources).toEqual({
        requests: { cpu: '250m', memory: '512Mi' },
        limits: { memory: '2Gi' },
      });
    });

    test('probes: HTTP readiness and startup on the health path, a different liveness check', () => {
      const c = podSpec(app()).containers[0];
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/health', port: 8000 });
      expect(c.startupProbe).toMatchObject({ httpGet: { path: '/health', port: 8000 }, failureThreshold: 30, periodSeconds: 5 });
      expect(c.livenessProbe.tcpSocket).toEqual({ port: 8000 });
      expect(podSpec(app({ livenessPath: '/livez' })).containers[0].livenessProbe.httpGet).toMatchObject({ path: '/livez' });
    });

    test('graceful termination: native preStop sleep inside the termination grace period', () => {
      const spec = podSpec(app());
      expect(spec.terminationGracePeriodSeconds).toBe(45);
      expect(spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    });

    test('spread over zones (hard) and nodes (soft); rolling update never drops below the desired count', () => {
      const o = app();
      const d = find(o, 'Deployment', 'api');
      expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } });
      expect(d.spec.template.spec.topologySpreadConstraints.map((t: K8sObject) => [t.topologyKey, t.whenUnsatisfiable])).toEqual([
        ['topology.kubernetes.io/zone', 'DoNotSchedule'],
        ['kubernetes.io/hostname', 'ScheduleAnyway'],
      ]);
    });

    test('an HPA owns the replica count by default; a fixed count without autoscaling', () => {
      expect(find(app(), 'Deployment', 'api').spec.replicas).toBeUndefined();
      const fixed = app({ autoscaling: false, replicas: 4 });
      expect(find(fixed, 'Deployment', 'api').spec.replicas).toBe(4);
      expect(all(fixed, 'HorizontalPodAutoscaler')).toHaveLength(0);
    });

    test('pinned image, pulled if not present', () => {
      const c = podSpec(app({ image: 'ghcr.io/samokoder/api@sha256:' + 'a'.repeat(64) })).containers[0];
      expect(c.image).toBe('ghcr.io/samokoder/api@sha256:' + 'a'.repeat(64));
      expect(c.imagePullPolicy).toBe('IfNotPresent');
    });

    test('a StatefulSet gets a headless Service and one volume per replica', () => {
      const o = app({ workload: WorkloadKind.STATEFUL_SET, storage: { sizeGiB: 20, mountPath: '/var/lib/app' } });
      const sts = find(o, 'StatefulSet', 'api');
      expect(sts.spec.serviceName).toBe('api-headless');
      expect(sts.spec.volumeClaimTemplates).toEqual([
        {
          metadata: expect.objectContaining({ name: 'data' }),
          spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'gp3', resources: { requests: { storage: '20Gi' } } },
        },
      ]);
      expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/app' });
      expect(find(o, 'Service', 'api-headless').spec.clusterIP).toBe('None');
      expect(all(o, 'PersistentVolumeClaim')).toHaveLength(0);
      expect(sts.spec.template.spec.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 10 } } });
    });

    test('a Deployment with shared storage gets a ReadWriteMany claim mounted at the path', () => {
      const o = app({ storage: { sizeGiB: 5, storageClass: 'efs', mountPath: '/uploads' } });
      expect(find(o, 'PersistentVolumeClaim', 'api-data').spec).toMatchObject({
        accessModes: ['ReadWriteMany'],
        storageClassName: 'efs',
        resources: { requests: { storage: '5Gi' } },
      });
      expect(podSpec(o).containers[0].volumeMounts).toContainEqual({ mountPath: '/uploads', name: 'data' });
    });
  });

  describe('services, scaling and disruption', () => {
    test('ClusterIP and headless Services select the pods by their app labels', () => {
      const o = app();
      const svc = find(o, 'Service', 'api');
      expect(svc.spec).toMatchObject({
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' },
      });
      expect(svc.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 8000, protocol: 'TCP' }]);
      expect(find(o, 'Service', 'api-headless').spec.clusterIP).toBe('None');
    });

    test('HPA 3–20 on CPU 70 % and memory 80 %, with damped scale-down', () => {
      const hpa = find(app(), 'HorizontalPodAutoscaler', 'api');
      expect(hpa.spec).toMatchObject({ minReplicas: 3, maxReplicas: 20, scaleTargetRef: { kind: 'Deployment', name: 'api' } });
      expect(hpa.spec.metrics.map((m: K8sObject) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([
        ['cpu', 70],
        ['memory', 80],
      ]);
      expect(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds).toBe(300);
    });

    test('PDB minAvailable 2 with AlwaysAllow for unhealthy pods', () => {
      expect(find(app(), 'PodDisruptionBudget', 'api').spec).toEqual({
        minAvailable: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
    });
  });

  describe('RBAC and identity', () => {
    test('a dedicated ServiceAccount without a token by default', () => {
      const o = app();
      expect(find(o, 'ServiceAccount', 'api').automountServiceAccountToken).toBe(false);
      expect(podSpec(o)).toMatchObject({ serviceAccountName: 'api', automountServiceAccountToken: false });
      expect(all(o, 'Role')).toHaveLength(0);
    });

    test('typed rules give a Role and RoleBinding, and mount the token', () => {
      const o = app({
        rbac: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['api-leader'] }],
      });
      expect(find(o, 'Role', 'api').rules).toEqual([
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update'], resourceNames: ['api-leader'] },
      ]);
      expect(find(o, 'RoleBinding', 'api')).toMatchObject({
        roleRef: { kind: 'Role', name: 'api' },
        subjects: [{ kind: 'ServiceAccount', name: 'api', namespace: 'api' }],
      });
      expect(podSpec(o).automountServiceAccountToken).toBe(true);
    });

    test('IRSA annotations go on the ServiceAccount', () => {
      const sa = find(
        app({ serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/api' } }),
        'ServiceAccount',
        'api',
      );
      expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/api' });
    });
  });

  describe('network policies', () => {
    test('DNS egress, ingress from the gateway namespace only, declared dependencies with ports', () => {
      const o = app({
        dependencies: [
          Dependency.cidr('postgres', '10.0.108.0/24', 5432),
          Dependency.app('auth', 'identity', 9000),
          Dependency.internetHttps(),
        ],
      });
      expect(find(o, 'NetworkPolicy', 'api-allow-dns').spec.egress[0].ports).toEqual([
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
      expect(find(o, 'NetworkPolicy', 'api-allow-from-edge').spec.ingress).toEqual([
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'envoy-gateway-system' } } }],
          ports: [{ protocol: 'TCP', port: 8000 }],
        },
      ]);
      const egress = find(o, 'NetworkPolicy', 'api-allow-dependencies').spec.egress;
      expect(egress[0]).toEqual({ to: [{ ipBlock: { cidr: '10.0.108.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] });
      expect(egress[1].to[0]).toEqual({
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'identity' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'auth' } },
      });
      expect(egress[2].to[0].ipBlock.except).toEqual(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']);
    });

    test('every pod of the app is selected by a policy', () => {
      const o = app();
      const selecting = all(o, 'NetworkPolicy').filter(
        (p) => Object.keys(p.spec.podSelector).length === 0 || p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'api',
      );
      expect(selecting.length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('config and secrets', () => {
    test('config becomes a ConfigMap whose hash rolls the pods when it changes', () => {
      const a = app({ config: { LOG_LEVEL: 'info' } });
      const b = app({ config: { LOG_LEVEL: 'debug' } });
      expect(find(a, 'ConfigMap', 'api-config').data).toEqual({ LOG_LEVEL: 'info' });
      const hash = (o: K8sObject[]) => find(o, 'Deployment', 'api').spec.template.metadata.annotations['samokoder.dev/config-hash'];
      expect(hash(a)).toMatch(/^[0-9a-f]{16}$/);
      expect(hash(a)).not.toBe(hash(b));
      expect(podSpec(a).containers[0].envFrom).toContainEqual({ configMapRef: { name: 'api-config' } });
    });

    test('secrets are ExternalSecrets by reference: the store entry and property, never a value', () => {
      const o = app({ secrets: samokoderSecrets('samokoder/production/app'), secretStore: SecretStore.cluster('aws') });
      const es = find(o, 'ExternalSecret', 'api-secrets');
      expect(es.spec.secretStoreRef).toEqual({ name: 'aws', kind: 'ClusterSecretStore' });
      expect(es.spec.target).toEqual({ name: 'api-secrets', creationPolicy: 'Owner', deletionPolicy: 'Retain' });
      expect(es.spec.data.map((d: K8sObject) => d.secretKey)).toEqual([
        'DATABASE_URL',
        'REDIS_URL',
        'OPENAI_API_KEY',
        'ANTHROPIC_API_KEY',
        'JWT_SECRET',
        'SENTRY_DSN',
        'SLACK_WEBHOOK_URL',
        'PAGERDUTY_ROUTING_KEY',
        'ENCRYPTION_KEY',
        'ENCRYPTION_SALT',
      ]);
      expect(es.spec.data[0].remoteRef).toEqual({ key: 'samokoder/production/app', property: 'DATABASE_URL' });
      expect(all(o, 'Secret')).toHaveLength(0);
      expect(podSpec(o).containers[0].envFrom).toContainEqual({ secretRef: { name: 'api-secrets' } });
    });

    const awsContract: PlatformContract = {
      environment: 'production',
      region: 'eu-central-1',
      clusterName: 'samokoder-production',
      kubernetesVersion: '1.35',
      namespace: 'samokoder',
      serviceAccounts: ['api'],
      podIdentities: [{ namespace: 'samokoder', serviceAccount: 'api' }],
      secretEntries: ['samokoder/production/connection'],
      connectionSecretName: 'samokoder/production/connection',
      secretPrefix: 'samokoder/production/',
      dataSubnetCidrs: ['10.0.108.0/24'],
      dataTier: [{ name: 'postgres', cidrs: ['10.0.108.0/24'], port: 5432 }],
    };

    test('on a DigitalOcean platform contract: the volume uses a class DOKS ships, and no zone spread', () => {
      const platform: PlatformContract = {
        ...awsContract,
        cloud: 'digitalocean',
        clusterName: 'samokoder-nyc3',
        serviceAccounts: [],
        podIdentities: [],
      };
      const storage = { sizeGiB: 5, accessMode: 'ReadWriteMany' as const };
      const onDo = app({ platform, createNamespace: false, storage });
      expect(find(onDo, 'PersistentVolumeClaim').spec.storageClassName).toBe('do-block-storage-retain');
      expect(podSpec(onDo).topologySpreadConstraints.map((c: K8sObject) => c.topologyKey)).toEqual(['kubernetes.io/hostname']);
      expect(find(app({ storage }), 'PersistentVolumeClaim').spec.storageClassName).toBe('gp3');
    });

    test('with an AWS contract its identity can reach the Pod Identity agent (added once, also when given); not on DigitalOcean', () => {
      const agentRules = (o: K8sObject[]) =>
        all(o, 'NetworkPolicy').flatMap((np) =>
          (np.spec.egress ?? []).filter((r: K8sObject) => JSON.stringify(r).includes('169.254.170.23')),
        );
      expect(agentRules(app({ platform: awsContract, createNamespace: false }))).toEqual([
        { to: [{ ipBlock: { cidr: '169.254.170.23/32' } }], ports: [{ port: 80, protocol: 'TCP' }] },
      ]);
      expect(
        agentRules(app({ platform: awsContract, createNamespace: false, dependencies: [Dependency.podIdentityAgent()] })),
      ).toHaveLength(1);
      const onDo: PlatformContract = { ...awsContract, cloud: 'digitalocean', serviceAccounts: [], podIdentities: [] };
      expect(agentRules(app({ platform: onDo, createNamespace: false }))).toEqual([]);
    });

    test('with a platform contract: connection settings from the store, namespace from the platform', () => {
      const platform = awsContract;
      const o = app({ platform, createNamespace: false });
      const es = find(o, 'ExternalSecret', 'api-connection');
      expect(es.metadata.namespace).toBe('samokoder');
      expect(es.spec.dataFrom).toEqual([{ extract: { key: 'samokoder/production/connection' } }]);
      expect(() => app({ name: 'worker', platform, createNamespace: false })).toThrow(
        `[api] 'name' ("worker") has no cloud identity in the platform contract (service accounts with one: api)`,
      );
    });
  });

  describe('routing', () => {
    test('Gateway API by default: one HTTPRoute per rate-limit group plus the catch-all, with security headers', () => {
      const o = app();
      const routes = all(o, 'HTTPRoute');
      expect(routes.map((r) => r.metadata.name)).toEqual(['api-api', 'api-login', 'api-upload', 'api-root']);
      const login = find(o, 'HTTPRoute', 'api-login');
      expect(login.spec.parentRefs).toEqual([
        { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system', sectionName: 'https' },
      ]);
      expect(login.spec.hostnames).toEqual(['api.samokoder.com']);
      expect(login.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/api/auth/login' } }]);
      const headers = login.spec.rules[0].filters[0].responseHeaderModifier.set;
      expect(headers).toContainEqual({ name: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' });
      expect(headers.map((h: K8sObject) => h.name)).toEqual(
        expect.arrayContaining(['X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy', 'Content-Security-Policy']),
      );
    });

    test('rate limits become BackendTrafficPolicies targeting their routes', () => {
      const policies = all(app(), 'BackendTrafficPolicy');
      expect(policies.map((p) => [p.spec.targetRefs[0].name, p.spec.rateLimit.local.rules[0].limit])).toEqual([
        ['api-api', { requests: 10, unit: 'Second' }],
        ['api-login', { requests: 5, unit: 'Minute' }],
        ['api-upload', { requests: 2, unit: 'Second' }],
      ]);
    });

    test('rate limits count per client: each IPv4 and IPv6 address has its own bucket, not one for everyone', () => {
      const login = find(app(), 'BackendTrafficPolicy', 'api-login').spec.rateLimit;
      expect(login.type).toBeUndefined(); // deprecated in Envoy Gateway 1.9: the `local` field says it
      expect(login.local.rules).toEqual([
        { clientSelectors: [{ sourceCIDR: { type: 'Distinct', value: '0.0.0.0/0' } }], limit: { requests: 5, unit: 'Minute' } },
        { clientSelectors: [{ sourceCIDR: { type: 'Distinct', value: '::/0' } }], limit: { requests: 5, unit: 'Minute' } },
      ]);
    });

    test('Ingress on request: TLS from cert-manager, HTTPS redirect, security headers, limits per path group', () => {
      const o = app({ routing: AppRouting.ingress({ className: 'nginx', clusterIssuer: 'letsencrypt-prod' }) });
      expect(all(o, 'HTTPRoute')).toHaveLength(0);
      const login = find(o, 'Ingress', 'api-login');
      expect(login.metadata.annotations).toMatchObject({
        'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
        'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
        'nginx.ingress.kubernetes.io/limit-rpm': '5',
        'nginx.ingress.kubernetes.io/custom-headers': 'api/api-security-headers',
      });
      expect(login.spec.tls).toEqual([{ hosts: ['api.samokoder.com'], secretName: 'api-tls' }]);
      expect(find(o, 'Ingress', 'api-api').metadata.annotations['nginx.ingress.kubernetes.io/limit-rps']).toBe('10');
      expect(find(o, 'NetworkPolicy', 'api-allow-from-edge').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
        'kubernetes.io/metadata.name': 'ingress-nginx',
      });
    });

    test('no host, no routing and no edge policy', () => {
      const o = app({ host: undefined });
      expect(all(o, 'HTTPRoute')).toHaveLength(0);
      expect(all(o, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('api-allow-from-edge');
    });
  });

  test('every object validates against the Kubernetes and CRD schemas, in every variant', async () => {
    const variants = [
      app(),
      app({
        routing: AppRouting.ingress(),
        secrets: [AppSecret.fromStore('JWT_SECRET', 'app/jwt')],
        rbac: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      }),
      app({ workload: WorkloadKind.STATEFUL_SET, storage: {}, dependencies: [Dependency.podIdentityAgent()] }),
    ];
    const result = await schemaCheck(variants.flat());
    expect(result.output).toMatch(/manifest schema check: \d+ valid, 0 invalid/);
    expect(result.ok).toBe(true);
  });

  test('the schema check catches an invalid object (so the test above can fail)', async () => {
    const objects = app();
    const broken = objects.map((o) => (o.kind === 'Service' ? { ...o, spec: { ...o.spec, type: 'Public' } } : o));
    const result = await schemaCheck(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('Service/api: data/spec/type must be equal to one of the allowed values');
  });

  describe('bad input', () => {
    test.each<[Partial<ProductionAppProps>, string]>([
      [
        { autoscaling: { minReplicas: 5, maxReplicas: 4 } },
        `[api] 'autoscaling.minReplicas' (5) must not exceed 'autoscaling.maxReplicas' (4)`,
      ],
      [
        { minAvailable: 3 },
        `[api] 'minAvailable' (3) must be less than the minimum replica count (3): otherwise no pod may ever be evicted and node drains block forever`,
      ],
      [
        { replicas: 3 },
        `[api] 'replicas' (3) must not be set when autoscaling is on: the HPA owns the replica count (set autoscaling: false for a fixed count)`,
      ],
      [
        { resources: { cpuRequestMillis: 2000 } },
        `[api] 'resources.cpuRequestMillis' (2000) must not exceed 'resources.cpuLimitMillis' (1000)`,
      ],
      [
        { resources: { memoryRequestMiB: 4096 } },
        `[api] 'resources.memoryRequestMiB' (4096) must not exceed 'resources.memoryLimitMiB' (2048)`,
      ],
      [
        { image: 'ghcr.io/samokoder/api:latest' },
        `[api] 'image' ("ghcr.io/samokoder/api:latest") must be pinned to a version tag or digest ("repo/app:1.4.2" or "repo/app@sha256:<64 hex>"); "latest" and untagged images are refused`,
      ],
      [{ image: 'localhost:5000/api' }, `[api] 'image' ("localhost:5000/api") must be pinned to a version tag or digest`],
      [{ name: 'API' }, `[api] 'name' ("API") must be a DNS label`],
      [
        { host: 'not a host' },
        `[api] 'host' ("not a host") must be a fully qualified lower-case host name such as "api.example.com" (RFC 1123; "*." allowed as a prefix)`,
      ],
      [{ host: 'localhost' }, `[api] 'host' ("localhost") must be a fully qualified lower-case host name`],
      [
        { workload: WorkloadKind.STATEFUL_SET, storage: { mountPath: '/etc' } },
        `[api] 'storage.mountPath' ("/etc") would hide the image's /etc directory: mount the volume on a directory of its own such as "/data"`,
      ],
      [
        { workload: WorkloadKind.STATEFUL_SET, storage: { mountPath: '/' } },
        `[api] 'storage.mountPath' ("/") would hide the image's whole file system`,
      ],
      [
        { workload: WorkloadKind.STATEFUL_SET, storage: { mountPath: 'data' } },
        `[api] 'storage.mountPath' ("data") must be an absolute directory in the container such as "/data" (letters, digits, . _ ~ - /; no "..")`,
      ],
      [
        { workload: WorkloadKind.STATEFUL_SET, storage: { storageClass: 'Fast SSD' } },
        `[api] 'storage.storageClass' ("Fast SSD") must be the name of a StorageClass (a lower-case DNS subdomain such as "gp3" or "do-block-storage")`,
      ],
      [{ command: [''] }, `[api] 'command[0]' ("") must name the executable to run (or leave command out for the image entrypoint)`],
      [{ args: [42 as never] }, `[api] 'args' ([42]) must be a list of strings`],
      [
        { serviceAccountAnnotations: { 'bad key!': 'v' } },
        `[api] 'serviceAccountAnnotations.bad key!' ("bad key!") must be an annotation key: an optional DNS-subdomain prefix and "/", then at most 63 letters, digits, - _ . (e.g. "eks.amazonaws.com/role-arn")`,
      ],
      [
        { secretStore: 'aws' as never },
        `[api] 'secretStore' ("aws") must be a SecretStore (SecretStore.cluster('name') or SecretStore.namespaced('name'))`,
      ],
      [
        { secretStore: SecretStore.cluster('AWS Store') },
        `[api] 'secretStore.name' ("AWS Store") must be the name of a (Cluster)SecretStore: a lower-case DNS subdomain`,
      ],
      [
        { config: { BIG: 'x'.repeat(1024 * 1024) } },
        `[api] 'config' ("1048579 bytes") is larger than a ConfigMap may be (1 MiB): keep large data in a volume or object storage`,
      ],
      [
        { autoscaling: { min: 2, max: 5 } as never },
        `[api] 'autoscaling.min' (2) is not a prop of autoscaling options (it takes minReplicas, maxReplicas, cpuUtilization, memoryUtilization)`,
      ],
      [
        { host: '10.0.0.1' },
        `[api] 'host' ("10.0.0.1") is an IP address, not a host name: routes match host names and certificates are issued for them`,
      ],
      [{ port: 0 }, `[api] 'port' (0) must be a whole number from 1 to 65535`],
      [{ port: 70000 }, `[api] 'port' (70000) must be a whole number from 1 to 65535`],
      [
        { extraPorts: [{ name: 'http', port: 9090 }] },
        `[api] 'extraPorts[0].name' ("http") is used by another port: port names must be unique`,
      ],
      [
        { extraPorts: [{ name: 'metrics', port: 8000 }] },
        `[api] 'extraPorts[0].port' (8000) is used by another port: port numbers must be unique`,
      ],
      [
        { rateLimits: [{ name: 'api', pathPrefix: '/api', requests: 0, unit: 'Second' }] },
        `[api] 'rateLimits[0].requests' (0) must be a whole number greater than 0`,
      ],
      [
        { config: { OPENAI_API_KEY: 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0' } },
        `[api] 'config.OPENAI_API_KEY' ("<redacted>") looks like a literal secret value: synthesized manifests are committed to Git. Declare it with AppSecret.fromStore() so External Secrets injects it`,
      ],
      [
        { namespace: 'kube-system', createNamespace: false },
        `[api] 'namespace' ("kube-system") is reserved for Kubernetes or the platform layer (default, kube-system, kube-public, kube-node-lease, argocd, argo-rollouts, cert-manager, envoy-gateway-system, external-secrets, gateway-system, monitoring, and every kube-* namespace): give the app a namespace of its own`,
      ],
      [{ namespace: 'default' }, `[api] 'namespace' ("default") is reserved for Kubernetes or the platform layer`],
      [{ namespace: 'monitoring', createNamespace: false }, `[api] 'namespace' ("monitoring") is reserved`],
      [{ config: { DB_PASS: 'hunter2' } }, `[api] 'config.DB_PASS' ("<redacted>") looks like a literal secret value`],
      [
        { config: { PAYMENT_PROVIDER: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc' } },
        `[api] 'config.PAYMENT_PROVIDER' ("<redacted>") looks like a literal secret value`,
      ],
      [
        { config: { DATABASE_URL: 'postgres://app:hunter2@db:5432/app' } },
        `[api] 'config.DATABASE_URL' ("<redacted>") looks like a literal secret value`,
      ],
      [
        { secrets: [AppSecret.fromStore('OPENAI_API_KEY', 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXyZ0')] },
        `[api] 'secrets[0].remoteKey' ("<redacted>") must be the name of a secret-store entry (letters, digits and / _ + = . @ -), never the secret value itself`,
      ],
      [
        { dependencies: [Dependency.cidr('db', '10.0.0.0/24', undefined as unknown as number)] },
        `[api] 'dependencies[0].port' (undefined) is required: 'db' would otherwise be reachable on every port`,
      ],
      [{ dependencies: [Dependency.cidr('db', '10.0.0.0', 5432)] }, `[api] 'dependencies[0].cidr' ("10.0.0.0") has no prefix length`],
      [
        { dependencies: [Dependency.cidr('lo', '0.0.0.0/1', 443), Dependency.cidr('hi', '128.0.0.0/1', 443)] },
        `[api] 'dependencies[0].cidr' ("0.0.0.0/1") opens egress to the whole internet (0.0.0.0/1 is wider than a /8 (2147483648 addresses)): name the networks, or use Dependency.internetHttps() for HTTPS out`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] },
        `[api] 'rbac[0].resources' (["*"]) must not contain '*' in any form (\`*\`, \`*/scale\`, \`pods/*\`): list what the app needs`,
      ],
      [
        { rbac: [{ apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] }] },
        `[api] 'rbac[0].resources' (["*/scale"]) must not contain '*' in any form`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] },
        `[api] 'rbac[0]' ("get secrets") reads every Secret it can name (credentials of other apps): refused unless 'acknowledgeRisk' says why the app needs it (at least 10 characters)`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'], acknowledgeRisk: 'yes' }] },
        `[api] 'rbac[0]' ("create pods/exec") runs commands in other pods, with their identities: refused unless 'acknowledgeRisk'`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }] },
        `[api] 'rbac[0]' ("create secrets") writes Secrets: mints a token Secret for any ServiceAccount, or replaces other apps' credentials: refused unless 'acknowledgeRisk'`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch'] }] },
        `[api] 'rbac[0]' ("patch pods/ephemeralcontainers") injects a container into running pods, with their identities: refused unless 'acknowledgeRisk'`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['pods'], verbs: ['patch'] }] },
        `[api] 'rbac[0]' ("patch pods") swaps the image of running pods, which keep their identities`,
      ],
      [
        { rbac: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'], verbs: ['create'] }] },
        `[api] 'rbac[0]' ("create rbac.authorization.k8s.io/rolebindings") changes who may do what in the namespace`,
      ],
      [
        { rbac: [{ apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['update'] }] },
        `[api] 'rbac[0]' ("update batch/cronjobs") runs any image as any ServiceAccount of the namespace`,
      ],
      [
        { rbac: [{ apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['delete'] }] },
        `[api] 'rbac[0]' ("delete networking.k8s.io/networkpolicies") rewrites the namespace's network isolation`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['Secrets'], verbs: ['get'] }] },
        `[api] 'rbac[0].resources' ("Secrets") must be a lower-case plural resource name such as "configmaps" or "pods/log": Kubernetes matches names exactly, so "Secrets" grants nothing`,
      ],
      [
        { rbac: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['GET' as RbacVerb] }] },
        `[api] 'rbac[0].verbs' ("GET") is not a verb a Role grants here (get, list, watch, create, update, patch, delete, deletecollection)`,
      ],
      [
        { rbac: [{ apiGroups: ['Apps'], resources: ['deployments'], verbs: ['get'] }] },
        `[api] 'rbac[0].apiGroups' ("Apps") must be "" (the core group) or an API group such as "apps" or "batch"`,
      ],
      [
        { secrets: [AppSecret.fromStore('stripe-key', 'billing/production/app', 'stripe')] },
        `[api] 'secrets[0].envName' ("stripe-key") must be an environment variable name (letters, digits, _; not starting with a digit)`,
      ],
      [
        { rbac: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['escalate' as RbacVerb] }] },
        `[api] 'rbac[0].verbs' ("escalate") is a privilege-escalation verb and is refused (escalate, bind, impersonate)`,
      ],
      [
        { storage: { accessMode: 'ReadWriteOnce' } },
        `[api] 'storage.accessMode' ("ReadWriteOnce") cannot be shared by the replicas of a Deployment: use ReadWriteMany or WorkloadKind.STATEFUL_SET (one volume per replica)`,
      ],
      [{ healthPath: 'health' }, `[api] 'healthPath' ("health") must be an absolute URL path such as "/health"`],
      [
        { livenessPath: '/health' },
        `[api] 'livenessPath' ("/health") must differ from 'healthPath': a failing dependency would restart every pod at once`,
      ],
      [{ preStopSleepSeconds: 50 }, `[api] 'preStopSleepSeconds' (50) must be less than 'terminationGracePeriodSeconds' (45)`],
      [{ runAsUser: 0 }, `[api] 'runAsUser' (0) must be a whole number from 10000 to 2147483647`],
      [
        { partOf: 'Payments Team' },
        `[api] 'partOf' ("Payments Team") must be a Kubernetes label value: at most 63 letters, digits, - _ . beginning and ending with a letter or digit`,
      ],
      [{ partOf: 'p'.repeat(64) }, `[api] 'partOf' ("${'p'.repeat(64)}") must be a Kubernetes label value: at most 63 letters`],
    ])('%j is refused', (props, message) => {
      expect(() => app(props)).toThrow(message);
    });

    test('nothing is left in the tree after a refusal', () => {
      const root = testApp();
      expect(() => new ProductionApp(root, 'api', { ...base, image: 'api' })).toThrow(/must be pinned/);
      const chart = root.node.tryFindChild('api') as Chart | undefined;
      expect(chart?.node.children.length ?? 0).toBe(0);
    });
  });
});

describe('across constructs', () => {
  test('two apps with the same name in one namespace are refused with our message', () => {
    const a = testApp();
    new ProductionApp(a, 'api', base);
    expect(() => new ProductionApp(a, 'api-again', { ...base, createNamespace: false })).toThrow(
      `[api-again] 'name' ("api") is already an app in namespace "api" (api): its objects would collide`,
    );
    // The same name in another namespace is another app (on its own host).
    expect(() => new ProductionApp(a, 'api-team-b', { ...base, namespace: 'team-b', host: 'api.team-b.samokoder.com' })).not.toThrow();
  });

  test('two apps on one host in one cluster are refused, by host or additional host', () => {
    const a = testApp();
    new ProductionApp(a, 'api', base);
    expect(() => new ProductionApp(a, 'web', { ...base, name: 'web', namespace: 'web' })).toThrow(
      `[web] 'host' ("api.samokoder.com") is already a host of api: both apps would route "/" of it (one app per host)`,
    );
    expect(
      () =>
        new ProductionApp(a, 'web2', {
          ...base,
          name: 'web',
          namespace: 'web',
          host: 'web.samokoder.com',
          additionalHosts: ['api.samokoder.com'],
        }),
    ).toThrow(`[web2] 'additionalHosts[0]' ("api.samokoder.com") is already a host of api`);
    // Separate apps (clusters) may serve the same host: the DR pair does.
    expect(() => new ProductionApp(testApp(), 'api', base)).not.toThrow();
  });

  test('two rate-limit groups with the same name or path are refused', () => {
    const limit = { name: 'api', pathPrefix: '/api', requests: 10, unit: 'Second' } as const;
    expect(() => app({ rateLimits: [limit, { ...limit, pathPrefix: '/v2' }] })).toThrow(
      `[api] 'rateLimits[1].name' ("api") is already used by rateLimits[0]: each group needs its own name and path (they name routes and policies)`,
    );
    expect(() => app({ rateLimits: [limit, { ...limit, name: 'api2' }] })).toThrow(
      `[api] 'rateLimits[1].pathPrefix' ("/api") is already used by rateLimits[0]`,
    );
  });
});
