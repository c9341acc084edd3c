import { App } from 'cdk8s';
import { ClusterPlatform, ClusterPlatformProps, PLATFORM_SYNC_WAVES, PlatformCloud, PlatformComponent } from 'samokoder-infra';
import { CHART_REPOSITORIES, chartSources } from '../../scripts/real-engines/charts';
import { all, find, K8sObject, render, schemaCheck } from '../util/k8s';

const base: ClusterPlatformProps = {
  cluster: 'production',
  cloud: PlatformCloud.aws({ region: 'eu-central-1' }),
  source: { repoURL: 'https://git.example.dev/platform/gitops.git' },
  configPath: 'dist/platform/production',
  acmeEmail: 'oncall@example.dev',
};
const platform = (props: Partial<ClusterPlatformProps> = {}) => new ClusterPlatform(new App(), 'Platform', { ...base, ...props });
const wave = (a: K8sObject) => Number(a.metadata.annotations['argocd.argoproj.io/sync-wave']);

describe('ClusterPlatform', () => {
  const p = platform();
  const apps = all(render(p.applications), 'Application');
  const config = render(p.config);

  test('CRDs, then controllers, then their configuration, all before the apps (waves -1 and 0)', () => {
    const byName = Object.fromEntries(apps.map((a) => [a.metadata.name, wave(a)]));
    expect(byName['cert-manager-crds-production']).toBe(PLATFORM_SYNC_WAVES.crds);
    expect(byName['cert-manager-production']).toBe(PLATFORM_SYNC_WAVES.controllers);
    expect(byName['platform-config-production']).toBe(PLATFORM_SYNC_WAVES.config);
    expect(Math.max(...apps.map(wave))).toBeLessThan(-1);
  });

  test('controllers are upstream charts at pinned versions without their CRDs; CRDs come from the same tags', () => {
    const chart = (n: string) => find(apps, 'Application', `${n}-production`).spec.source;
    expect(chart('envoy-gateway')).toMatchObject({
      repoURL: 'docker.io/envoyproxy',
      chart: 'gateway-helm',
      targetRevision: 'v1.9.0',
      helm: { skipCrds: true },
    });
    expect(chart('kube-prometheus-stack')).toMatchObject({ chart: 'kube-prometheus-stack', targetRevision: '88.0.0' });
    expect(chart('kube-prometheus-stack').helm.valuesObject.prometheus.prometheusSpec.retention).toBe('35d');
    expect(find(apps, 'Application', 'cert-manager-crds-production').spec.source).toEqual({
      repoURL: 'https://github.com/cert-manager/cert-manager.git',
      targetRevision: 'v1.21.1',
      path: 'deploy/crds',
    });
    for (const a of apps)
      expect(a.spec.syncPolicy.syncOptions).toContain(
        a.metadata.name.startsWith('platform-config') ? 'CreateNamespace=false' : 'CreateNamespace=true',
      );
  });

  test('every namespace Argo CD creates for a component is under PodSecurity: restricted, or the level its pods need', () => {
    // Argo CD labels a namespace it creates only from managedNamespaceMetadata; without it the controllers and the
    // pods they make (Envoy's proxies, cert-manager's solvers) run unchecked.
    const levels: Record<string, string> = {};
    for (const a of apps.filter((x) => x.spec.syncPolicy.syncOptions.includes('CreateNamespace=true'))) {
      const labels = a.spec.syncPolicy.managedNamespaceMetadata?.labels ?? {};
      expect([a.metadata.name, labels['pod-security.kubernetes.io/enforce-version']]).toEqual([a.metadata.name, 'latest']);
      const level = labels['pod-security.kubernetes.io/enforce'];
      const ns = a.spec.destination.namespace;
      // Two Applications that create one namespace give it the same labels (else they would fight over them).
      expect([a.metadata.name, level]).toEqual([a.metadata.name, (levels[ns] ??= level)]);
      expect([a.metadata.name, labels['pod-security.kubernetes.io/warn']]).toEqual([a.metadata.name, level]);
      expect([a.metadata.name, labels['pod-security.kubernetes.io/audit']]).toEqual([a.metadata.name, 'restricted']);
    }
    expect(levels).toEqual({
      'argo-rollouts': 'restricted',
      'cert-manager': 'restricted',
      'envoy-gateway-system': 'restricted',
      'external-secrets': 'restricted',
      // node-exporter reads the node: hostNetwork, hostPID and hostPath mounts of /proc, /sys and / (privileged).
      monitoring: 'privileged',
    });
  });

  test('every CRD source and every chart is one the real engines hold at its tag (so verify:k8s syncs what Argo CD would)', () => {
    const sources = chartSources();
    for (const a of apps.filter((x) => x.kind === 'Application')) {
      const s = a.spec.source;
      const found = s.chart
        ? sources.some((c) => c.name === `${s.chart}-${s.targetRevision}` && c.repository === CHART_REPOSITORIES[s.repoURL])
        : s.repoURL.startsWith('https://github.com/')
          ? sources.some((c) => `https://github.com/${c.repository}.git` === s.repoURL && c.tag === s.targetRevision && c.path === s.path)
          : true; // the GitOps repository itself
      expect([a.metadata.name, found]).toEqual([a.metadata.name, true]);
    }
  });

  test('what Argo CD renders from the charts stays in the project and is the same on every render (checked by verify:k8s)', () => {
    const values = (n: string) => find(apps, 'Application', `${n}-production`).spec.source.helm.valuesObject;
    const project = render(p.applications).find((o) => o.kind === 'AppProject')!;
    const namespaces = project.spec.destinations.map((d: K8sObject) => d.namespace);
    // The Gateway API directory holds the safe-upgrades admission policy: the project admits its kinds, and Envoy
    // Gateway's crds subchart (which renders the same two objects from templates) is off, so one Application owns them.
    expect(project.spec.clusterResourceWhitelist).toEqual(
      expect.arrayContaining([
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicy' },
        { group: 'admissionregistration.k8s.io', kind: 'ValidatingAdmissionPolicyBinding' },
      ]),
    );
    expect(values('envoy-gateway').crds).toEqual({ enabled: false });
    // Nothing goes to kube-system: cert-manager's leases in its namespace, no control-plane exporters.
    expect(namespaces).not.toContain('kube-system');
    expect(values('cert-manager').global.leaderElection.namespace).toBe('cert-manager');
    for (const exporter of ['kubeControllerManager', 'kubeScheduler', 'kubeEtcd', 'kubeProxy', 'coreDns'])
      expect([exporter, values('kube-prometheus-stack')[exporter]]).toEqual([exporter, { enabled: false }]);
    // Grafana's admin password: made once in the cluster by a generator, before Grafana, never drawn by the chart.
    const kps = values('kube-prometheus-stack');
    expect(kps.grafana.admin.existingSecret).toBe('grafana-admin');
    const [generator, externalSecret] = kps.extraManifests;
    expect(generator).toMatchObject({ kind: 'Password', metadata: { name: 'grafana-admin' }, spec: { secretKeys: ['admin-password'] } });
    expect(externalSecret).toMatchObject({
      kind: 'ExternalSecret',
      spec: { refreshPolicy: 'CreatedOnce', target: { name: 'grafana-admin' } },
    });
    expect(externalSecret.spec.dataFrom[0].sourceRef.generatorRef).toMatchObject({ kind: 'Password', name: 'grafana-admin' });
    for (const o of kps.extraManifests) expect(o.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
  });

  test('every volume of the platform names a StorageClass its cloud has (EKS ships no gp3; DOKS has no gp3 at all)', () => {
    const clouds = [PlatformCloud.aws({ region: 'eu-central-1' }), PlatformCloud.digitalocean({ secretsRegion: 'eu-central-1' })];
    for (const cloud of clouds) {
      const q = platform({ cloud });
      const stack = find(all(render(q.applications), 'Application'), 'Application', 'kube-prometheus-stack-production');
      const claim = stack.spec.source.helm.valuesObject.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec;
      const created = all(render(q.config), 'StorageClass').map((o) => o.metadata.name);
      expect([cloud.name, cloud.storageClasses]).toEqual([cloud.name, expect.arrayContaining([claim.storageClassName, ...created])]);
      expect([cloud.name, claim.storageClassName]).toEqual([cloud.name, cloud.defaultStorageClass]);
    }
    // What each cloud ships, from its source (see platform-cloud.ts): EKS gp2 only; DOKS the four do-block-storage classes.
    expect(clouds.map((c) => c.storageClasses)).toEqual([
      ['gp2', 'gp3'],
      ['do-block-storage', 'do-block-storage-retain', 'do-block-storage-xfs', 'do-block-storage-xfs-retain'],
    ]);
    // On EKS the platform creates gp3: encrypted, zone-aware binding, kept when its claim goes, in the project's kinds.
    const q = platform();
    expect(find(render(q.config), 'StorageClass', 'gp3')).toMatchObject({
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
    const kinds = render(q.applications).find((o) => o.kind === 'AppProject')!.spec.clusterResourceWhitelist;
    expect(kinds).toContainEqual({ group: 'storage.k8s.io', kind: 'StorageClass' });
    const doProject = render(platform({ cloud: clouds[1] }).applications).find((o) => o.kind === 'AppProject')!;
    expect(doProject.spec.clusterResourceWhitelist).not.toContainEqual({ group: 'storage.k8s.io', kind: 'StorageClass' });
  });

  test('on EKS with the cluster’s name: Cluster Autoscaler for its node groups, isolated, with the identity the stack binds', () => {
    const q = platform({ cloud: PlatformCloud.aws({ region: 'eu-central-1', clusterName: 'samokoder-production' }) });
    const objects = render(q.config);
    const deployment = find(objects, 'Deployment', 'cluster-autoscaler');
    expect(deployment.metadata.namespace).toBe('cluster-autoscaler');
    const c = deployment.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2');
    expect(c.command).toEqual(
      expect.arrayContaining([
        '--cloud-provider=aws',
        '--namespace=cluster-autoscaler',
        '--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/samokoder-production',
      ]),
    );
    expect(c.env).toEqual([{ name: 'AWS_REGION', value: 'eu-central-1' }]);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('cluster-autoscaler');
    // The DRA objects 1.35 watches (its default --enable-dynamic-resource-allocation), beside nodes and pods.
    const rules = find(objects, 'ClusterRole', 'cluster-autoscaler').rules;
    expect(rules).toContainEqual({
      apiGroups: ['resource.k8s.io'],
      resources: ['resourceslices', 'deviceclasses', 'resourceclaims'],
      verbs: ['watch', 'list', 'get'],
    });
    expect(find(objects, 'NetworkPolicy', 'cluster-autoscaler').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const project = render(q.applications).find((o) => o.kind === 'AppProject')!;
    expect(project.spec.destinations.map((d: K8sObject) => d.namespace)).toContain('cluster-autoscaler');
    // Without the cluster's name (or on DOKS, which scales its pools itself): none.
    expect(all(render(p.config), 'Deployment')).toEqual([]);
  });

  test('the cluster objects the apps name: GatewayClass eg, ClusterIssuer with an HTTP-01 solver on the shared gateway, secret store', () => {
    expect(find(config, 'GatewayClass', 'eg').spec.controllerName).toBe('gateway.envoyproxy.io/gatewayclass-controller');
    // The solver's Service is ClusterIP: cert-manager defaults it to NodePort, which the gateway namespace's quota
    // refuses (services.nodeports 0), and the proxies reach it inside the cluster anyway.
    expect(find(config, 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers[0].http01.gatewayHTTPRoute.serviceType).toBe('ClusterIP');
    expect(find(config, 'ClusterIssuer', 'letsencrypt-prod').spec.acme.solvers[0].http01.gatewayHTTPRoute.parentRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateway-system', sectionName: 'http' },
    ]);
    expect(find(config, 'ClusterSecretStore', 'aws-secrets-manager').spec.provider).toEqual({
      aws: { service: 'SecretsManager', region: 'eu-central-1' },
    });
    // Only namespaces that carry the store's label may read through it (an app namespace made by the library does):
    // without the condition any namespace's ExternalSecret could read every entry the cluster's identity can.
    expect(find(config, 'ClusterSecretStore', 'aws-secrets-manager').spec.conditions).toEqual([
      { namespaceSelector: { matchLabels: { 'secret-store-access.samokoder.dev/aws-secrets-manager': 'true' } } },
    ]);
    expect(find(config, 'EnvoyProxy', 'platform-proxy').spec.provider.kubernetes.envoyService.externalTrafficPolicy).toBe('Local');
    // Two proxies, and a node drain may evict only one of them (Envoy Gateway makes the budget from envoyPDB).
    expect(find(config, 'EnvoyProxy', 'platform-proxy').spec.provider.kubernetes).toMatchObject({
      envoyDeployment: { replicas: 2 },
      envoyPDB: { minAvailable: 1 },
    });
    expect(p.externalSecretsServiceAccount).toEqual({ namespace: 'external-secrets', name: 'external-secrets' });
  });

  test('the project lists its repositories, namespaces and cluster kinds, never a wildcard', () => {
    const project = render(p.applications).find((o) => o.kind === 'AppProject')!;
    expect(JSON.stringify(project.spec)).not.toContain('"*"');
    expect(project.spec.sourceRepos).toContain('https://prometheus-community.github.io/helm-charts');
  });

  test('objects validate against the schemas', async () => {
    const result = await schemaCheck([...render(p.applications), ...config]);
    expect(result.output).toContain('0 invalid');
  });

  test('on DigitalOcean the store reads AWS Secrets Manager with a key placed out of band', () => {
    const d = render(platform({ cloud: PlatformCloud.digitalocean({ secretsRegion: 'eu-central-1' }) }).config);
    expect(find(d, 'ClusterSecretStore').spec.provider.aws.auth.secretRef.accessKeyIDSecretRef).toEqual({
      name: 'aws-secrets-reader',
      namespace: 'external-secrets',
      key: 'access-key-id',
    });
  });

  test('on DigitalOcean with credentialsUser the platform rotates the key the store reads, beside its Secret', () => {
    const cloud = PlatformCloud.digitalocean({
      secretsRegion: 'eu-central-1',
      credentialsSecret: { name: 'reader', namespace: 'store-keys' },
      credentialsUser: 'billing-nyc3-secrets-reader',
    });
    const d = platform({ cloud });
    const objects = render(d.config);
    const ref = find(objects, 'ClusterSecretStore').spec.provider.aws.auth.secretRef.accessKeyIDSecretRef;
    const job = find(objects, 'CronJob', 'aws-secrets-reader-rotation');
    expect(job.metadata.namespace).toBe(ref.namespace);
    const create = job.spec.jobTemplate.spec.template.spec.initContainers[0];
    expect(create.env).toEqual(
      expect.arrayContaining([
        { name: 'IAM_USER', value: 'billing-nyc3-secrets-reader' },
        { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } },
      ]),
    );
    expect(find(objects, 'Role', 'aws-secrets-reader-rotation').rules[0].resourceNames).toEqual([ref.name]);
    expect(find(objects, 'PrometheusRule', 'aws-secrets-reader-rotation').metadata.labels).toMatchObject(d.prometheusSelector);
    // Argo CD's platform project may sync into the Secret's namespace.
    const project = find(render(d.applications), 'AppProject');
    expect(project.spec.destinations.map((x: K8sObject) => x.namespace)).toContain('store-keys');
  });

  test('without credentialsUser (and on AWS, where the store has a pod identity) nothing rotates', () => {
    const d = render(platform({ cloud: PlatformCloud.digitalocean({ secretsRegion: 'eu-central-1' }) }).config);
    expect(all(d, 'CronJob')).toEqual([]);
    expect(all(config, 'CronJob')).toEqual([]);
  });

  test.each<[Record<string, unknown>, string]>([
    [
      { credentialsUser: 'has space' },
      `[PlatformCloud.digitalocean()] 'credentialsUser' ("has space") must be an IAM user name (1-64 of letters, digits and +=,.@_-)`,
    ],
    [
      { credentialsUser: 'u', credentialsSecret: { name: 'Reader', namespace: 'external-secrets' } },
      `[PlatformCloud.digitalocean()] 'credentialsSecret.name' ("Reader") must be a DNS label`,
    ],
  ])('PlatformCloud.digitalocean(%j) is refused', (options, message) => {
    expect(() => PlatformCloud.digitalocean({ secretsRegion: 'eu-central-1', ...options })).toThrow(message);
  });

  test('components can be replaced or extended; names stay unique', () => {
    const only = platform({ components: [PlatformComponent.GATEWAY_API, PlatformComponent.ENVOY_GATEWAY] });
    expect(all(render(only.applications), 'Application').map((a) => a.metadata.name)).toEqual([
      'gateway-api-crds-production',
      'envoy-gateway-crds-production',
      'envoy-gateway-production',
      'platform-config-production',
    ]);
    expect(() => platform({ components: [PlatformComponent.GATEWAY_API, PlatformComponent.GATEWAY_API] })).toThrow(
      `[Platform] 'components[1].name' ("gateway-api") is used by another component`,
    );
  });

  test.each<[Partial<ClusterPlatformProps>, string]>([
    [{ acmeEmail: 'oncall' }, `[Platform] 'acmeEmail' ("oncall") must be an e-mail address`],
    [{ prometheus: { retentionDays: 0 } }, `[Platform] 'prometheus.retentionDays' (0) must be a whole number from 1 to 3650`],
    [{ cluster: 'Prod' }, `[Platform] 'cluster' ("Prod") must be a DNS label`],
    [
      { configPath: '/srv/gitops' },
      `[Platform] 'configPath' ("/srv/gitops") must be a relative directory inside the GitOps repository (no leading "/", no "..")`,
    ],
    [
      { acmeServer: 'http://acme.internal/directory' },
      `[Platform] 'acmeServer' ("http://acme.internal/directory") must be the https:// URL of an ACME directory (account keys and orders travel over it)`,
    ],
    [{ argocdNamespace: 'Argo' }, `[Platform] 'argocdNamespace' ("Argo") must be a DNS label`],
    [
      { prometheus: { storageClass: 'Fast SSD' } },
      `[Platform] 'prometheus.storageClass' ("Fast SSD") must be the name of a StorageClass (a lower-case DNS subdomain)`,
    ],
    [
      { prometheus: { retention: 10 } as never },
      `[Platform] 'prometheus.retention' (10) is not a prop of Prometheus options: did you mean 'retentionDays'?`,
    ],
    [
      { gateway: { nmae: 'public' } as never },
      `[Platform] 'gateway.nmae' ("public") is not a prop of gateway reference: did you mean 'name'?`,
    ],
    [{ components: [] }, `[Platform] 'components' ([]) must list at least one component (or leave it out for the defaults)`],
  ])('%j is refused', (props, message) => {
    expect(() => platform(props)).toThrow(message);
  });

  test('one platform layer per cluster in an app; two clusters may each have one', () => {
    const app = new App();
    new ClusterPlatform(app, 'P1', base);
    expect(() => new ClusterPlatform(app, 'P2', base)).toThrow(
      `[P2] 'cluster' ("production") already has a platform layer (P1): its Applications and AppProject would collide`,
    );
    expect(() => new ClusterPlatform(app, 'P3', { ...base, cluster: 'staging', configPath: 'dist/platform/staging' })).not.toThrow();
  });
});

describe('ClusterPlatform component values (#27)', () => {
  test('a literal password in a component’s Helm values is refused by the component, before anything is built', () => {
    const custom = PlatformComponent.of({
      name: 'vault',
      namespace: 'vault',
      chart: {
        repoURL: 'https://helm.releases.hashicorp.com',
        chart: 'vault',
        version: '0.31.0',
        values: { server: { dev: { devRootToken: 'root-token-1' } } },
      },
    });
    expect(() => platform({ components: [PlatformComponent.CERT_MANAGER, custom] })).toThrow(
      `[Platform] 'components[1].chart.values.server.dev.devRootToken' ("<redacted>") looks like a literal credential: Helm values are committed to Git in the Application; give the chart an existing Secret (most charts take existingSecret) filled from the secret store`,
    );
  });

  test('a Pod Security level that is not one, or two levels for one namespace, is refused', () => {
    const strict = PlatformComponent.of({ ...PlatformComponent.CERT_MANAGER.spec, podSecurity: 'strict' as never });
    expect(() => platform({ components: [PlatformComponent.GATEWAY_API, strict] })).toThrow(
      `[Platform] 'components[1].podSecurity' ("strict") must be one of restricted, baseline, privileged`,
    );
    const loose = PlatformComponent.of({ ...PlatformComponent.ENVOY_GATEWAY.spec, podSecurity: 'baseline' });
    expect(() => platform({ components: [PlatformComponent.GATEWAY_API, loose] })).toThrow(
      `[Platform] 'components[1].podSecurity' ("baseline") differs from gateway-api's (restricted), which shares the namespace envoy-gateway-system: one namespace has one Pod Security level`,
    );
  });
});
