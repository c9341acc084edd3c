/**
 * AppServiceAccount used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppServiceAccount } from 'samokoder-infra';
import { all, find, render, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });

describe('AppServiceAccount', () => {
  test('no token without rules; with rules a Role and a RoleBinding in the chart namespace', () => {
    const c = chart();
    new AppServiceAccount(c, 'Plain', { name: 'plain' });
    new AppServiceAccount(c, 'Reader', { name: 'reader', rbac: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] });
    const o = render(c);
    expect(find(o, 'ServiceAccount', 'plain').automountServiceAccountToken).toBe(false);
    expect(find(o, 'ServiceAccount', 'reader').automountServiceAccountToken).toBe(true);
    expect(find(o, 'RoleBinding', 'reader').subjects).toEqual([{ kind: 'ServiceAccount', name: 'reader', namespace: 'team' }]);
    expect(all(o, 'Role')).toHaveLength(1);
  });

  test('refuses wildcards with its own path', () => {
    expect(
      () => new AppServiceAccount(chart(), 'Id', { name: 'x', rbac: [{ apiGroups: ['*'], resources: ['pods'], verbs: ['get'] }] }),
    ).toThrow(`[c/Id] 'rbac[0].apiGroups' (["*"]) must not contain '*' in any form`);
  });

  test('a dangerous grant passes with a reason, which stays out of the Role', () => {
    const c = chart();
    new AppServiceAccount(c, 'Id', {
      name: 'x',
      rbac: [
        {
          apiGroups: [''],
          resources: ['secrets'],
          verbs: ['get'],
          resourceNames: ['x-tls'],
          acknowledgeRisk: 'reads its own TLS secret to reload it',
        },
      ],
    });
    const role = find(render(c), 'Role', 'x');
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['x-tls'] }]);
  });
});
