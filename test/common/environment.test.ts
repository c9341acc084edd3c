import { DeploymentStrategy, environmentTier, ProductionApp } from 'samokoder-infra';
import { testApp } from '../util/k8s';

describe('environment tier', () => {
  test.each(['production', 'prod', 'PROD', 'prd', 'live', 'prod-eu', 'eu_prd_2', 'customer.live', 'production2', 'prod01', 'eu-live3'])(
    '%s is production',
    (name) => {
      expect(environmentTier(name)).toBe('production');
    },
  );
  test.each(['staging', 'dev', 'preprod', 'prodlike-sandbox', 'qa', 'liveness', 'staging2', 'v2'])('%s is not', (name) => {
    expect(environmentTier(name)).toBe('non-production');
  });

  test('production guards hold however production is spelled', () => {
    const props = {
      name: 'api',
      image: 'ghcr.io/samokoder/api:1.4.2',
      strategy: DeploymentStrategy.blueGreen({ autoPromotion: true, analysis: false }),
    };
    // Names outside KNOWN_ENVIRONMENTS are declared (test/common/environment-names.test.ts); the guards hold either way.
    for (const environment of ['production', 'prod', 'eu-prd', 'live']) {
      expect(() => new ProductionApp(testApp(), 'api', { ...props, environment, unlistedEnvironment: true })).toThrow(
        `[api] 'strategy.autoPromotion' (true) is refused in production without analysis`,
      );
    }
    expect(() => new ProductionApp(testApp(), 'api', { ...props, environment: 'staging' })).not.toThrow();
  });
});
