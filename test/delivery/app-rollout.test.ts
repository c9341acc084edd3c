import { Chart } from 'cdk8s';
import { AppRollout, AppServiceAccount, AppWorkload, DeploymentStrategy } from 'samokoder-infra';
import { find, render, testApp } from '../util/k8s';

function setup() {
  const c = new Chart(testApp(), 'c', { namespace: 'team' });
  const sa = new AppServiceAccount(c, 'Identity', { name: 'web' });
  const w = new AppWorkload(c, 'Workload', { name: 'web', image: 'ghcr.io/acme/web:1.0.0', serviceAccount: sa.serviceAccount });
  return { c, w };
}

describe('AppRollout (without a ProductionApp)', () => {
  test('a canary without analysis over any Deployment, which it keeps at zero replicas', () => {
    const { c, w } = setup();
    new AppRollout(c, 'Rollout', {
      name: 'web',
      deployment: w.workload as never,
      strategy: DeploymentStrategy.canary({ analysis: false, steps: [{ weight: 50, pause: '1m' }] }),
      selectorLabels: w.selectorLabels,
      ports: w.resolved.ports,
      replicas: 4,
    });
    const o = render(c);
    expect(find(o, 'Deployment', 'web').spec.replicas).toBe(0);
    expect(find(o, 'Rollout', 'web').spec).toMatchObject({
      replicas: 4,
      workloadRef: { kind: 'Deployment', name: 'web' },
      strategy: { canary: { steps: [{ setWeight: 50 }, { pause: { duration: '1m' } }] } },
    });
  });

  test('a strategy validates its own steps', () => {
    const { c, w } = setup();
    expect(
      () =>
        new AppRollout(c, 'Rollout', {
          name: 'web',
          deployment: w.workload as never,
          strategy: DeploymentStrategy.canary({
            analysis: false,
            steps: [
              { weight: 50, pause: '1m' },
              { weight: 40, pause: '1m' },
            ],
          }),
          selectorLabels: w.selectorLabels,
          ports: w.resolved.ports,
        }),
    ).toThrow(`[c/Rollout] 'strategy.steps[1].weight' (40) must be greater than the previous step's (50)`);
  });

  test('an analysing strategy needs the monitoring spec', () => {
    const { c, w } = setup();
    expect(
      () =>
        new AppRollout(c, 'Rollout', {
          name: 'web',
          deployment: w.workload as never,
          strategy: DeploymentStrategy.blueGreen({ smokeTest: { paths: ['/api/status'] } }),
          selectorLabels: w.selectorLabels,
          ports: w.resolved.ports,
        }),
    ).toThrow(`[c/Rollout] 'monitoring' (undefined) is required for a rollout with analysis`);
  });
});
