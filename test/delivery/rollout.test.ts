import { DeploymentStrategy, ProductionApp, ProductionAppProps, WorkloadKind } from 'samokoder-infra';
import { all, find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

const base: ProductionAppProps = { name: 'api', image: 'ghcr.io/samokoder/api:1.4.2', host: 'api.samokoder.com' };
// Production needs the smoke test's paths (the health path alone judges nothing).
const SMOKE = { paths: ['/api/status'] };
const app = (props: Partial<ProductionAppProps> = {}): K8sObject[] => render(new ProductionApp(testApp(), 'api', { ...base, ...props }));

describe('blue-green with Argo Rollouts', () => {
  const o = app({ strategy: DeploymentStrategy.blueGreen({ smokeTest: SMOKE }) });

  test('a Rollout references the Deployment (workloadRef), which keeps the pod spec at zero replicas', () => {
    const rollout = find(o, 'Rollout', 'api');
    expect(rollout.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', scaleDown: 'never' });
    expect(rollout.spec.template).toBeUndefined();
    expect(rollout.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' });
    const d = find(o, 'Deployment', 'api');
    expect(d.spec.replicas).toBe(0);
    expect(d.spec.template.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  });

  test('active and preview Services, no auto-promotion, scale-down delay, analysis before and after promotion', () => {
    const bg = find(o, 'Rollout', 'api').spec.strategy.blueGreen;
    expect(bg).toEqual({
      activeService: 'api',
      previewService: 'api-preview',
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 300,
      abortScaleDownDelaySeconds: 30,
      prePromotionAnalysis: {
        templates: [{ templateName: 'api-smoke' }, { templateName: 'api-slo' }],
        args: [{ name: 'service-name', value: 'api-preview' }],
      },
      postPromotionAnalysis: {
        templates: [{ templateName: 'api-smoke' }, { templateName: 'api-slo' }],
        args: [{ name: 'service-name', value: 'api' }],
      },
    });
    expect(find(o, 'Service', 'api-preview').spec.selector).toEqual({
      'app.kubernetes.io/name': 'api',
      'app.kubernetes.io/instance': 'api',
    });
    expect(find(o, 'Service', 'api-preview').metadata.labels['samokoder.dev/scrape']).toBe('true');
  });

  test('the AnalysisTemplate measures the SLIs with the warning thresholds of the monitoring spec', () => {
    const t = find(o, 'AnalysisTemplate', 'api-slo');
    expect(t.spec.args).toEqual([{ name: 'service-name' }]);
    // No traffic is a failure, never a pass: an empty result or NaN fails each metric.
    expect(t.spec.metrics.map((m: K8sObject) => [m.name, m.successCondition, m.failureLimit, m.initialDelay])).toEqual([
      ['requests', 'len(result) > 0 && result[0] > 0', 1, '1m'],
      ['error-ratio', 'len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.01', 1, '1m'],
      ['latency-p95', 'len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.5', 1, '1m'],
    ]);
    expect(t.spec.metrics[1].provider.prometheus.query).toBe(
      '(sum(rate(http_requests_total{job="{{args.service-name}}",status=~"5.."}[2m])) or vector(0)) / sum(rate(http_requests_total{job="{{args.service-name}}"}[2m]))',
    );
    expect(JSON.stringify(t.spec.metrics)).not.toContain('clamp_min');
    const custom = app({
      strategy: DeploymentStrategy.blueGreen({ smokeTest: SMOKE }),
      monitoring: { thresholds: { errorRatePercent: { warning: 2, critical: 5 } } },
    });
    expect(find(custom, 'AnalysisTemplate', 'api-slo').spec.metrics[1].successCondition).toBe(
      'len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.02',
    );
  });

  test('a smoke test sends requests to the version under test while the analysis measures it', async () => {
    const t = find(o, 'AnalysisTemplate', 'api-smoke');
    expect(t.spec.args).toEqual([{ name: 'service-name' }]);
    const job = t.spec.metrics[0].provider.job;
    expect(job.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 450 });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ restartPolicy: 'Never', automountServiceAccountToken: false, securityContext: { runAsNonRoot: true } });
    const c = pod.containers[0];
    expect(c.image).toBe('curlimages/curl:8.17.0');
    expect(c.env).toEqual([
      { name: 'BASE_URL', value: 'http://{{args.service-name}}.api.svc:8000' },
      { name: 'SMOKE_PATHS', value: '/api/status' },
    ]);
    expect(c.command[2]).toContain('end=$(( $(date +%s) + 330 ))');
    expect(c.command[2]).toContain('curl -fsS -o /dev/null --max-time 5 "$BASE_URL$p"');
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // In a default-deny namespace: the smoke pods reach DNS and the app's pods; the app's pods accept them.
    const egress = find(o, 'NetworkPolicy', 'api-smoke-egress').spec;
    expect(job.spec.template.metadata.labels).toMatchObject(egress.podSelector.matchLabels);
    // Not the app's instance: the app's egress policies (to its database) must not select the smoke test.
    expect(job.spec.template.metadata.labels['app.kubernetes.io/instance']).toBe('api-smoke');
    expect(egress.egress[1]).toEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'api' } } }],
      ports: [{ protocol: 'TCP', port: 8000 }],
    });
    const ingress = find(o, 'NetworkPolicy', 'api-allow-from-smoke').spec;
    expect(ingress.ingress[0].from[0].podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'api-smoke',
      'app.kubernetes.io/instance': 'api-smoke',
      'app.kubernetes.io/component': 'smoke-test',
    });
    expect(await schemaCheck(o)).toMatchObject({ ok: true });
  });

  test('the smoke test takes its paths, duration and image; false leaves the traffic to the user', () => {
    const custom = app({
      healthPath: '/ready',
      strategy: DeploymentStrategy.blueGreen({
        smokeTest: { paths: ['/ready', '/v1/ping'], durationSeconds: 600, image: 'curlimages/curl:8.16.0' },
      }),
    });
    const c = find(custom, 'AnalysisTemplate', 'api-smoke').spec.metrics[0].provider.job.spec.template.spec.containers[0];
    expect(c.env[1]).toEqual({ name: 'SMOKE_PATHS', value: '/ready /v1/ping' });
    expect(c.image).toBe('curlimages/curl:8.16.0');
    expect(
      find(app({ environment: 'staging', healthPath: '/ready', strategy: DeploymentStrategy.blueGreen() }), 'AnalysisTemplate', 'api-smoke')
        .spec.metrics[0].provider.job.spec.template.spec.containers[0].env[1].value,
    ).toBe('/ready');
    const none = app({ strategy: DeploymentStrategy.blueGreen({ smokeTest: false }) });
    expect(all(none, 'AnalysisTemplate').map((t) => t.metadata.name)).toEqual(['api-slo']);
    expect(find(none, 'AnalysisTemplate', 'api-slo').spec.metrics[0].initialDelay).toBeUndefined();
    expect(all(none, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('api-allow-from-smoke');
    // The quota counts the smoke test's pod: 20 + 20 + 1 + 2 with it, one less without.
    expect(find(o, 'ResourceQuota').spec.hard.pods).toBe('43');
    expect(find(none, 'ResourceQuota').spec.hard.pods).toBe('42');
  });

  test.each([
    [{ paths: [] }, `[api] 'strategy.smokeTest.paths' ([]) must list at least one path (or leave it out for the health path)`],
    [{ paths: ['health'] }, `[api] 'strategy.smokeTest.paths[0]' ("health") must be an absolute URL path such as "/health"`],
    [{ durationSeconds: 10 }, `[api] 'strategy.smokeTest.durationSeconds' (10) must be a whole number from 60 to 3600`],
    [{ image: 'curlimages/curl' }, `[api] 'strategy.smokeTest.image' ("curlimages/curl") must be pinned`],
  ])('smoke test %j is refused', (smokeTest, message) => {
    expect(() => app({ strategy: DeploymentStrategy.blueGreen({ smokeTest }) })).toThrow(message);
  });

  test('in production the smoke test names its paths: the health path alone judges nothing', () => {
    const message = `[api] 'strategy.smokeTest.paths' (undefined) must name the endpoints a production release is judged on: by default the smoke test requests only the health path, so the analysis measures no traffic (every release aborts) or a path that touches nothing. List paths that exercise the app, answered without credentials (e.g. ['/api/status']), or set smokeTest: false and bring your own traffic`;
    expect(() => app({ strategy: DeploymentStrategy.blueGreen() })).toThrow(message);
    expect(() => app({ strategy: DeploymentStrategy.canary() })).toThrow(message);
    expect(() => app({ environment: 'staging', strategy: DeploymentStrategy.blueGreen() })).not.toThrow();
    expect(() => app({ strategy: DeploymentStrategy.blueGreen({ smokeTest: false }) })).not.toThrow();
  });

  test('the HPA and PDB act on the Rollout and its pods', () => {
    expect(find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'api',
    });
    expect(find(o, 'PodDisruptionBudget', 'api').spec.selector.matchLabels).toEqual(find(o, 'Rollout', 'api').spec.selector.matchLabels);
  });

  test('Rollout, AnalysisTemplate and the rest validate against their schemas', async () => {
    const canary = app({ strategy: DeploymentStrategy.canary({ smokeTest: SMOKE }) });
    const result = await schemaCheck([...o, ...canary]);
    expect(result.output).toMatch(/manifest schema check: \d+ valid, 0 invalid/);
  });

  test('rolling update (the default) emits no Rollout', () => {
    expect(all(app(), 'Rollout')).toHaveLength(0);
  });
});

describe('canary', () => {
  test('weighted steps with pauses and background analysis', () => {
    const c = find(
      app({
        strategy: DeploymentStrategy.canary({
          steps: [
            { weight: 10, pause: '2m' },
            { weight: 50, pause: '10m' },
          ],
          smokeTest: SMOKE,
        }),
      }),
      'Rollout',
      'api',
    ).spec.strategy.canary;
    expect(c.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '2m' } }, { setWeight: 50 }, { pause: { duration: '10m' } }]);
    expect(c.analysis).toEqual({
      templates: [{ templateName: 'api-smoke' }, { templateName: 'api-slo' }],
      args: [{ name: 'service-name', value: 'api' }],
      startingStep: 1,
    });
  });
});

describe('canary analysis coverage (edges)', () => {
  test('pauses as long as the analysis pass; without analysis any pause does', () => {
    expect(() => app({ strategy: DeploymentStrategy.canary({ steps: [{ weight: 50, pause: '5m' }], smokeTest: SMOKE }) })).not.toThrow();
    expect(() => app({ strategy: DeploymentStrategy.canary({ steps: [{ weight: 50, pause: '4m' }], smokeTest: false }) })).not.toThrow();
    expect(() => app({ strategy: DeploymentStrategy.canary({ steps: [{ weight: 50, pause: '30s' }], analysis: false }) })).not.toThrow();
  });
});

describe('database migration', () => {
  const o = app({ migration: { command: ['alembic', 'upgrade', 'head'] }, config: { LOG_LEVEL: 'info' } });

  test('a Sync hook Job in wave -1 with backoff limit, deadline and TTL', () => {
    const job = find(o, 'Job', 'api-migrate');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/sync-wave': '-1',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    expect(job.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400 });
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  test('runs after what it needs (wave -2) and before the new pods (wave 0); a PreSync hook would run before them', () => {
    const wave = (x: K8sObject) => Number(x.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);
    for (const kind of ['ServiceAccount', 'NetworkPolicy']) for (const x of all(o, kind)) expect([kind, wave(x)]).toEqual([kind, -2]);
    expect(wave(find(o, 'ConfigMap', 'api-config'))).toBe(-2);
    expect(wave(find(o, 'Job', 'api-migrate'))).toBe(-1);
    expect(wave(find(o, 'Deployment', 'api'))).toBe(0);
    expect(wave(find(o, 'Service', 'api'))).toBe(0);
  });

  test('with the same restricted security context, identity and config as the app', () => {
    const spec = find(o, 'Job', 'api-migrate').spec.template.spec;
    expect(spec).toMatchObject({
      serviceAccountName: 'api',
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    });
    const c = spec.containers[0];
    expect(c.image).toBe('ghcr.io/samokoder/api:1.4.2');
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'api-config' } }]);
    // Its pods are not the app's: the Service and PDB do not select them, the egress policies do.
    const labels = spec === undefined ? {} : find(o, 'Job', 'api-migrate').spec.template.metadata.labels;
    expect(labels['app.kubernetes.io/name']).toBe('api-migrate');
    expect(find(o, 'NetworkPolicy', 'api-allow-dns').spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'api' });
  });
});

describe('bad input', () => {
  test.each<[Partial<ProductionAppProps>, string]>([
    [
      { strategy: DeploymentStrategy.blueGreen({ previewService: 'api' }) },
      `[api] 'strategy.activeService' and 'strategy.previewService' are both "api": the preview must be a separate Service`,
    ],
    [
      { strategy: DeploymentStrategy.blueGreen({ autoPromotion: true, analysis: false }) },
      `[api] 'strategy.autoPromotion' (true) is refused in production without analysis: an unmeasured version would be promoted on its own`,
    ],
    [
      { strategy: DeploymentStrategy.blueGreen({ smokeTest: SMOKE }), monitoring: false },
      `[api] 'monitoring' (false) must be on for a rollout with analysis: the analysis reads the SLIs the monitoring spec defines`,
    ],
    [
      { strategy: DeploymentStrategy.blueGreen({ smokeTest: SMOKE }), workload: WorkloadKind.STATEFUL_SET },
      `[api] 'strategy' ("blueGreen") needs WorkloadKind.DEPLOYMENT: Argo Rollouts references the Deployment through workloadRef`,
    ],
    [
      {
        strategy: DeploymentStrategy.canary({
          steps: [
            { weight: 50, pause: '5m' },
            { weight: 40, pause: '5m' },
          ],
        }),
      },
      `[api] 'strategy.steps[1].weight' (40) must be greater than the previous step's (50)`,
    ],
    [
      { strategy: DeploymentStrategy.canary({ steps: [{ weight: 50, pause: '5 minutes' }], smokeTest: SMOKE }) },
      `[api] 'strategy.steps[0].pause' ("5 minutes") must be a Prometheus duration`,
    ],
    [
      {
        strategy: DeploymentStrategy.canary({
          steps: [
            { weight: 20, pause: '1m' },
            { weight: 60, pause: '2m' },
          ],
          smokeTest: SMOKE,
        }),
      },
      `[api] 'strategy.steps' ("20%/1m, 60%/2m") pause 180s in all, shorter than the analysis (300s: 5 measurements 1m apart, after a 1m smoke-test delay): the canary would finish before the analysis could fail it; lengthen the pauses`,
    ],
    [
      { strategy: DeploymentStrategy.canary({ steps: [{ weight: 50, pause: '3m' }], smokeTest: false }) },
      `[api] 'strategy.steps' ("50%/3m") pause 180s in all, shorter than the analysis (240s: 5 measurements 1m apart): the canary would finish`,
    ],
    [{ migration: { command: [] } }, `[api] 'migration.command' ([]) must name the migration command`],
    [{ migration: { command: ['migrate'], image: 'api:latest' } }, `[api] 'migration.image' ("api:latest") must be pinned`],
  ])('%j is refused', (props, message) => {
    expect(() => app(props)).toThrow(message);
  });

  test('automatic promotion without analysis is allowed outside production', () => {
    expect(() =>
      app({ environment: 'staging', strategy: DeploymentStrategy.blueGreen({ autoPromotion: true, analysis: false }) }),
    ).not.toThrow();
  });
});
