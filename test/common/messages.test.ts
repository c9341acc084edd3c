/**
 * Semantics the parsers accept and messages that used to point the wrong way: each refused with a message about
 * the prop the user got wrong.
 */
import { Chart } from 'cdk8s';
import { ArgoCdApplication, DeploymentStrategy, DoksKubernetesVersion, Ipv4Cidr, MultiRegionDR, ProductionApp, Sli } from 'samokoder-infra';
import { Testing } from 'cdktf';
import { testApp } from '../util/k8s';

const base = { name: 'api', image: 'ghcr.io/samokoder/api:1.4.2' };

describe('semantics the parsers accepted', () => {
  test('an SLO objective written as a ratio', () => {
    expect(
      () =>
        new ProductionApp(testApp(), 'api', { ...base, monitoring: { slos: [{ name: 'a', objectivePercent: 0.999, sli: Sli.uptime() }] } }),
    ).toThrow(
      `[api/Monitoring] 'monitoring.slos[0].objectivePercent' (0.999) looks like a ratio: objectives are percentages (99.9 for 0.999)`,
    );
  });

  test('an error regex that does not compile is the user’s, not an internal error', () => {
    expect(() => new ProductionApp(testApp(), 'api', { ...base, monitoring: { metrics: { errorStatusRegex: '5..(' } } })).toThrow(
      `[api/Monitoring] 'monitoring.metrics.errorStatusRegex' ("5..(") must be a regular expression over status codes such as "5.." or "5..|429"`,
    );
    expect(() => new ProductionApp(testApp(), 'api', { ...base, monitoring: { metrics: { errorStatusRegex: '(?!404)4..' } } })).toThrow(
      `[api/Monitoring] 'monitoring.metrics.errorStatusRegex' ("(?!404)4..") must be a regular expression over status codes such as "5.." or "5..|429"`,
    );
    expect(() => new ProductionApp(testApp(), 'api', { ...base, monitoring: { metrics: { errorStatusRegex: '5..|429' } } })).not.toThrow();
  });

  test('a canary with no steps', () => {
    expect(() => new ProductionApp(testApp(), 'api', { ...base, strategy: DeploymentStrategy.canary({ steps: [] }) })).toThrow(
      `[api] 'strategy.steps' ([]) must list at least one weighted step (or leave it out for 25/50/75 %)`,
    );
  });

  test('a sync wave that is not an integer', () => {
    const chart = new Chart(testApp(), 'c');
    expect(
      () =>
        new ArgoCdApplication(chart, 'A', {
          name: 'api',
          project: 'p',
          source: { repoURL: 'https://g.example.com/r.git', targetRevision: 'main' },
          path: 'dist/api',
          destination: { cluster: 'production', namespace: 'samokoder' },
          syncWave: 1.5,
        }),
    ).toThrow(`[c/A] 'syncWave' (1.5) must be a whole number from -1000 to 1000`);
  });
});

describe('messages that pointed the wrong way', () => {
  test('a host address without a mask is offered a /32, a network address a /16 or /24', () => {
    expect(() => Ipv4Cidr.parse('p', 'cidr', '203.0.113.7')).toThrow(`Did you mean "203.0.113.7/32"?`);
    expect(() => Ipv4Cidr.parse('p', 'cidr', '10.1.0.0')).toThrow(`Did you mean "10.1.0.0/16"?`);
    expect(() => Ipv4Cidr.parse('p', 'cidr', '10.1.2.0')).toThrow(`Did you mean "10.1.2.0/24"?`);
  });

  test('a malformed date is blamed on the date, not the version', () => {
    const props = {
      domain: 'samokoder.com',
      host: 'app.samokoder.com',
      alertEmails: ['oncall@samokoder.com'],
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags: { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
      kubernetesVersion: DoksKubernetesVersion.DEFAULT,
    };
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...props, supportCheckDate: '21.11.2026' })).toThrow(
      `[dr] 'supportCheckDate' ("21.11.2026") must be an ISO date such as "2026-11-21"`,
    );
    expect(() => new MultiRegionDR(Testing.app(), 'dr', { ...props, supportCheckDate: '2026-02-30' })).toThrow(
      `'supportCheckDate' ("2026-02-30")`,
    );
  });
});
