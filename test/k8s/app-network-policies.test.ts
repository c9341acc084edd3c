/**
 * AppNetworkPolicies used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppNetworkPolicies, Dependency } from 'samokoder-infra';
import { all, find, render, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });

describe('AppNetworkPolicies (for any workload)', () => {
  test('DNS, named callers and namespaces on the port, dependencies on theirs', () => {
    const c = chart();
    new AppNetworkPolicies(c, 'Net', {
      name: 'legacy',
      podLabels: { app: 'legacy' },
      port: 8080,
      allowFromApps: ['web'],
      allowFromNamespaces: [{ id: 'ingress', namespace: 'ingress-nginx' }],
      dependencies: [Dependency.cidr('db', '10.0.100.0/24', 5432)],
    });
    const o = render(c);
    expect(all(o, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual([
      'legacy-allow-dns',
      'legacy-allow-from-apps',
      'legacy-allow-from-ingress',
      'legacy-allow-dependencies',
    ]);
    expect(find(o, 'NetworkPolicy', 'legacy-allow-from-ingress').spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
        ports: [{ protocol: 'TCP', port: 8080 }],
      },
    ]);
    expect(find(o, 'NetworkPolicy', 'legacy-allow-dependencies').spec.egress[0]).toEqual({
      to: [{ ipBlock: { cidr: '10.0.100.0/24' } }],
      ports: [{ protocol: 'TCP', port: 5432 }],
    });
  });

  test('refuses a CIDR without a mask, with its own path', () => {
    expect(
      () =>
        new AppNetworkPolicies(chart(), 'Net', {
          name: 'x',
          podLabels: { app: 'x' },
          port: 80,
          dependencies: [Dependency.cidr('db', '10.0.0.1', 5432)],
        }),
    ).toThrow('[c/Net]');
  });
});
