/**
 * The unit and snapshot tests: what `npm test` runs, dozens of times a session, so it stays fast (≤ 15 s with the
 * type-check and lint on a 2-core machine). Suites that start processes (the cdk8s CLI, ESLint, bash and shellcheck
 * against stubs) are named `*.integration.test.ts` and run by `npm run test:integration` (jest.integration.config.js),
 * which CI runs too.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  // One worker per core (jest's default leaves a core idle, which on the 2-core machines is half of them).
  maxWorkers: '100%',
  roots: ['<rootDir>/test'],
  // The unit test files, grouped into a few suites (test/util/suites.ts says why).
  testMatch: ['<rootDir>/test/*.suite.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
    // secretlint's preset is ESM, which Node.js requires natively (20.19+, 22.12+) but jest's module loader does not.
    '/@secretlint/secretlint-rule-preset-recommend/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!@secretlint/secretlint-rule-preset-recommend/)'],
  moduleNameMapper: {
    '^samokoder-infra$': '<rootDir>/lib/index.ts',
    '^samokoder-infra/(k8s|aws|digitalocean)$': '<rootDir>/lib/entry-$1.ts',
  },
  setupFiles: ['<rootDir>/test/setup.ts'],
  // Suites share builds made in a beforeAll (the reference platform): generous, so a busy machine is slow, not red.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // Snapshots are committed; CI=true makes jest refuse to write missing ones.
  ci: process.env.CI === 'true',
};
