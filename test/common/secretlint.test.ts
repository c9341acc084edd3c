import { Chart } from 'cdk8s';
import { ProductionApp } from 'samokoder-infra';
import { secretlintFindings } from '../../lib/common/secretlint';
import { refuseCredential } from '../../lib/common/validate';
import { testApp } from '../util/k8s';

// secretlint's recommended preset, in process at synth (#27): the maintained rule set beside the hand-written shapes.
describe("secretlint's recommended preset runs on the values a user gives", () => {
  test('its rules report the token shapes they know, and names and references pass', () => {
    expect(secretlintFindings('xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx')).toEqual(['slack']);
    expect(secretlintFindings('https://user:hunter2pass@example.com/x')).toEqual(['basicauth']);
    for (const fine of [
      'hello world',
      'samokoder/production/app',
      'postgresql://app@db:5432/app',
      '${DATABASE_URL}',
      'AKIAIOSFODNN7EXAMPLE',
    ]) {
      expect([fine, secretlintFindings(fine)]).toEqual([fine, []]);
    }
  });

  test('a shape only secretlint knows is refused at the prop, naming the rule; the hand-written shapes still come first', () => {
    // A Vercel token: secretlint's `vercel` rule; not one of the hand-written shapes.
    const vercel = `vcp_${'a1B2c3D4e5'.repeat(3)}`;
    expect(secretlintFindings(vercel)).toEqual(['vercel']);
    expect(() => refuseCredential('app', 'config.TOKEN', vercel)).toThrow(
      `[app] 'config.TOKEN' ("<redacted>") holds something shaped like a credential: synthesized files are committed to Git; keep the value in the secret store and reference it (secretlint: vercel)`,
    );
    expect(
      () =>
        new ProductionApp(new Chart(testApp(), 'c'), 'api', {
          name: 'api',
          image: 'ghcr.io/acme/api:1.0.0',
          environment: 'staging',
          args: ['--verbose', vercel],
        }),
    ).toThrow(`'args[1]' ("<redacted>") holds something shaped like a credential`);
  });
});
