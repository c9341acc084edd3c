/**
 * AppNetworkPolicies used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppNetworkPolicies, Dependency, PolicyPack, ProductionApp, ProductionAppProps } from 'samokoder-infra';
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

describe('callers in another namespace', () => {
  const build = (allowFromApps: ProductionAppProps['allowFromApps']) => {
    const a = testApp();
    const api = new ProductionApp(a, 'api', { name: 'api', image: 'r/api:1.0.0', namespace: 'team-b', allowFromApps });
    const bot = new ProductionApp(a, 'bot', {
      name: 'bot',
      image: 'r/bot:1.0.0',
      namespace: 'team-a',
      dependencies: [Dependency.app('api', 'team-b', 8000)],
    });
    return [...render(api), ...render(bot)];
  };

  test('an app admitted by name only, from another namespace, is found by the policy pack (the traffic would be dropped)', () => {
    const findings = PolicyPack.checkObjects(build(['bot'])).filter((f) => f.rule.id === 'SK-K8S-018');
    expect(findings.map((f) => `${f.subject}: ${f.detail}`)).toEqual([
      'NetworkPolicy/team-a/bot-allow-dependencies: egress to api in team-b on 8000 is admitted by no ingress policy of api: the traffic would be dropped',
    ]);
  });

  test('{ app, namespace } admits it: the ingress rule selects the caller namespace too', () => {
    const objects = build([{ app: 'bot', namespace: 'team-a' }]);
    expect(PolicyPack.checkObjects(objects).filter((f) => f.rule.id === 'SK-K8S-018')).toEqual([]);
    const policy = find(objects, 'NetworkPolicy', 'api-allow-from-apps');
    expect(policy.spec.ingress[0].from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'bot' } },
      },
    ]);
  });
});
