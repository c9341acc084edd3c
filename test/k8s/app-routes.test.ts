/**
 * AppRoutes used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppRoutes } from 'samokoder-infra';
import { all, find, render, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });

describe('AppRoutes', () => {
  test('one HTTPRoute per rate-limit group plus the catch-all, each with its policy', () => {
    const c = chart();
    new AppRoutes(c, 'Routes', {
      name: 'web',
      host: 'web.acme.dev',
      port: 8080,
      rateLimits: [{ name: 'login', pathPrefix: '/login', requests: 5, unit: 'Minute' }],
    });
    const o = render(c);
    expect(all(o, 'HTTPRoute').map((r) => r.metadata.name)).toEqual(['web-login', 'web-root']);
    expect(find(o, 'BackendTrafficPolicy', 'web-login').spec.targetRefs[0].name).toBe('web-login');
  });

  test('refuses a path prefix that is not a path, with its own path', () => {
    expect(
      () =>
        new AppRoutes(chart(), 'Routes', {
          name: 'w',
          host: 'w.acme.dev',
          port: 80,
          rateLimits: [{ name: 'a', pathPrefix: 'api', requests: 1, unit: 'Second' }],
        }),
    ).toThrow(`[c/Routes] 'rateLimits[0].pathPrefix' ("api") must be an absolute URL path such as "/health"`);
  });
});
