/**
 * AppMigration used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppMigration, AppServiceAccount } from 'samokoder-infra';
import { find, render, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });
const sa = (c: Chart) => new AppServiceAccount(c, 'Identity', { name: 'worker' });

describe('AppMigration', () => {
  test('a Sync hook in wave -1, after the constructs it needs (wave -2)', () => {
    const c = chart();
    const id = sa(c);
    new AppMigration(c, 'Migration', {
      name: 'worker',
      command: ['migrate'],
      appImage: 'ghcr.io/acme/worker:1.0.0',
      serviceAccountName: 'worker',
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 3072 },
      after: [id],
    });
    const o = render(c);
    expect(find(o, 'ServiceAccount', 'worker').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-2' });
    const job = find(o, 'Job', 'worker-migrate');
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '-1' });
    expect(job.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '2', memory: '3Gi' },
    });
  });

  test('refuses an empty command, with its own path', () => {
    expect(
      () =>
        new AppMigration(chart(), 'Migration', {
          name: 'w',
          command: [],
          appImage: 'ghcr.io/acme/w:1.0.0',
          serviceAccountName: 'w',
          resources: { cpuRequestMillis: 1, memoryRequestMiB: 1, memoryLimitMiB: 1 },
        }),
    ).toThrow(`[c/Migration] 'migration.command' ([]) must name the migration command`);
  });
});
