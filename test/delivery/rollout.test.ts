import { DeploymentStrategy, ProductionApp, ProductionAppProps, WorkloadKind } from 'samokoder-infra';
import { all, find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

const base: ProductionAppProps = { name: 'api', image: 'ghcr.io/samokoder/api:1.4.2', host: 'api.samokoder.com' };
const app = (props: Partial<ProductionAppProps> = {}): K8sObject[] => render(new ProductionApp(testApp(), 'api', { ...base, ...props }));

describe('blue-green with Argo Rollouts', () => {
  const o = app({ strategy: DeploymentStrategy.blueGreen() });

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
      prePromotionAnalysis: { templates: [{ templateName: 'api-slo' }], args: [{ name: 'service-name', value: 'api-preview' }] },
      postPromotionAnalysis: { templates: [{ templateName: 'api-slo' }], args: [{ name: 'service-name', value: 'api' }] },
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
    expect(t.spec.metrics.map((m: K8sObject) => [m.name, m.successCondition, m.failureLimit])).toEqual([
      ['error-ratio', 'result[0] <= 0.01', 1],
      ['latency-p95', 'isNaN(result[0]) || result[0] <= 0.5', 1],
    ]);
    expect(t.spec.metrics[0].provider.prometheus.query).toContain('job="{{args.service-name}}"');
    const custom = app({
      strategy: DeploymentStrategy.blueGreen(),
      monitoring: { thresholds: { errorRatePercent: { warning: 2, critical: 5 } } },
    });
    expect(find(custom, 'AnalysisTemplate', 'api-slo').spec.metrics[0].successCondition).toBe('result[0] <= 0.02');
  });

  test('the HPA and PDB act on the Rollout and its pods', () => {
    expect(find(o, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'api',
    });
    expect(find(o, 'PodDisruptionBudget', 'api').spec.selector.matchLabels).toEqual(find(o, 'Rollout', 'api').spec.selector.matchLabels);
  });

  test('Rollout, AnalysisTemplate and the rest validate against their schemas', () => {
    const canary = app({ strategy: DeploymentStrategy.canary() });
    const result = schemaCheck([...o, ...canary]);
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
        }),
      }),
      'Rollout',
      'api',
    ).spec.strategy.canary;
    expect(c.steps).toEqual([{ setWeight: 10 }, { pause: { duration: '2m' } }, { setWeight: 50 }, { pause: { duration: '10m' } }]);
    expect(c.analysis).toEqual({
      templates: [{ templateName: 'api-slo' }],
      args: [{ name: 'service-name', value: 'api' }],
      startingStep: 1,
    });
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
      { strategy: DeploymentStrategy.blueGreen(), monitoring: false },
      `[api] 'monitoring' (false) must be on for a rollout with analysis: the analysis reads the SLIs the monitoring spec defines`,
    ],
    [
      { strategy: DeploymentStrategy.blueGreen(), workload: WorkloadKind.STATEFUL_SET },
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
      { strategy: DeploymentStrategy.canary({ steps: [{ weight: 50, pause: '5 minutes' }] }) },
      `[api] 'strategy.steps[0].pause' ("5 minutes") must be a Prometheus duration`,
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
