/**
 * AppConfig used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppConfig, AppSecret } from 'samokoder-infra';
import { all, find, render, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });

describe('AppConfig', () => {
  test('a ConfigMap, ExternalSecrets by reference, envFrom in that order and hashes that follow the content', () => {
    const c = chart();
    const cfg = new AppConfig(c, 'Config', {
      name: 'worker',
      config: { B: '2', A: '1' },
      secrets: [AppSecret.fromStore('TOKEN', 'team/worker', 'token')],
      connectionEntry: 'team/connection',
    });
    const o = render(c);
    expect(find(o, 'ConfigMap', 'worker-config').data).toEqual({ A: '1', B: '2' });
    expect(all(o, 'ExternalSecret').map((x) => x.metadata.name)).toEqual(['worker-connection', 'worker-secrets']);
    expect(cfg.envFromJson).toEqual([
      { configMapRef: { name: 'worker-config' } },
      { secretRef: { name: 'worker-connection' } },
      { secretRef: { name: 'worker-secrets' } },
    ]);
    const other = new AppConfig(chart(), 'Config', { name: 'worker', config: { B: '3', A: '1' } });
    expect(other.podAnnotations['samokoder.dev/config-hash']).not.toBe(cfg.podAnnotations['samokoder.dev/config-hash']);
  });

  test('settings whose names mention a credential word pass when their values cannot be credentials', () => {
    const c = chart();
    new AppConfig(c, 'Config', { name: 'worker', config: { TOKEN_TTL: '3600', SECRET_NAME: 'worker-secrets', REQUIRE_PASSWORD: 'true' } });
    expect(find(render(c), 'ConfigMap', 'worker-config').data).toEqual({
      REQUIRE_PASSWORD: 'true',
      SECRET_NAME: 'worker-secrets',
      TOKEN_TTL: '3600',
    });
  });

  test('refuses a variable declared twice, with its own path', () => {
    expect(
      () =>
        new AppConfig(chart(), 'Config', { name: 'w', config: { LOG_LEVEL: 'info' }, secrets: [AppSecret.fromStore('LOG_LEVEL', 'a/b')] }),
    ).toThrow(`[c/Config] 'secrets[0].envName' ("LOG_LEVEL") is declared twice (in secrets or config)`);
  });
});
