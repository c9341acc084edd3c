/**
 * AppWorkload used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppServiceAccount, AppWorkload, WorkloadKind } from 'samokoder-infra';
import { find, render, schemaCheck, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });
const sa = (c: Chart) => new AppServiceAccount(c, 'Identity', { name: 'worker' });

describe('AppWorkload', () => {
  test('a hardened Deployment with its Services; the pods run as the given ServiceAccount', async () => {
    const c = chart();
    const w = new AppWorkload(c, 'Workload', {
      name: 'worker',
      image: 'ghcr.io/acme/worker:1.0.0',
      port: 9000,
      replicas: 2,
      serviceAccount: sa(c).serviceAccount,
    });
    const o = render(c);
    const spec = find(o, 'Deployment', 'worker').spec;
    expect(spec.replicas).toBe(2);
    expect(spec.template.spec.serviceAccountName).toBe('worker');
    expect(spec.template.spec.containers[0].securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    expect(find(o, 'Service', 'worker').spec.ports).toEqual([{ name: 'http', port: 9000, targetPort: 9000, protocol: 'TCP' }]);
    expect(find(o, 'Service', 'worker-headless').spec.clusterIP).toBe('None');
    expect(w.resolved.ports).toEqual([{ name: 'http', port: 9000 }]);
    expect((await schemaCheck(o)).ok).toBe(true);
  });

  test('a StatefulSet gets one canonical-sized volume per replica', () => {
    const c = chart();
    new AppWorkload(c, 'Workload', {
      name: 'db',
      image: 'ghcr.io/acme/db:1.0.0',
      workload: WorkloadKind.STATEFUL_SET,
      replicas: 3,
      storage: { sizeGiB: 1024 },
      serviceAccount: sa(c).serviceAccount,
    });
    const template = find(render(c), 'StatefulSet', 'db').spec.volumeClaimTemplates[0];
    expect(template.spec.resources.requests.storage).toBe('1Ti'); // what the API server stores for 1024Gi
  });

  test('refuses shared ReadWriteOnce storage for several replicas, with its own path', () => {
    const c = chart();
    expect(
      () =>
        new AppWorkload(c, 'Workload', {
          name: 'w',
          image: 'ghcr.io/acme/w:1.0.0',
          replicas: 2,
          storage: { accessMode: 'ReadWriteOnce' },
          serviceAccount: sa(c).serviceAccount,
        }),
    ).toThrow(`[c/Workload] 'storage.accessMode' ("ReadWriteOnce") cannot be shared by the replicas of a Deployment`);
  });
});
