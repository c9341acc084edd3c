/**
 * AppScaling used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppScaling, AppServiceAccount, AppWorkload } from 'samokoder-infra';
import { find, render, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });
const sa = (c: Chart) => new AppServiceAccount(c, 'Identity', { name: 'worker' });

describe('AppScaling', () => {
  test('an HPA on the target and a PDB on the labels', () => {
    const c = chart();
    const w = new AppWorkload(c, 'Workload', { name: 'worker', image: 'ghcr.io/acme/worker:1.0.0', serviceAccount: sa(c).serviceAccount });
    new AppScaling(c, 'Scaling', {
      name: 'worker',
      target: w.workload,
      selectorLabels: w.selectorLabels,
      autoscaling: { minReplicas: 4, maxReplicas: 8 },
    });
    const o = render(c);
    expect(find(o, 'HorizontalPodAutoscaler', 'worker').spec).toMatchObject({
      minReplicas: 4,
      maxReplicas: 8,
      scaleTargetRef: { kind: 'Deployment', name: 'worker' },
    });
    expect(find(o, 'PodDisruptionBudget', 'worker').spec).toMatchObject({ minAvailable: 2, selector: { matchLabels: w.selectorLabels } });
  });

  test('refuses a budget that blocks every drain, with its own path', () => {
    const c = chart();
    const w = new AppWorkload(c, 'Workload', { name: 'w', image: 'ghcr.io/acme/w:1.0.0', serviceAccount: sa(c).serviceAccount });
    expect(
      () =>
        new AppScaling(c, 'Scaling', { name: 'w', target: w.workload, selectorLabels: w.selectorLabels, autoscaling: false, replicas: 2 }),
    ).toThrow(`[c/Scaling] 'minAvailable' (2) must be less than the minimum replica count (2)`);
  });
});
