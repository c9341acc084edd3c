/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // One worker per core (jest's default leaves a core idle, which on the 2-core machines is half of them).
  maxWorkers: '100%',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    '^samokoder-infra$': '<rootDir>/lib/index.ts',
    '^samokoder-infra/(k8s|aws|digitalocean)$': '<rootDir>/lib/entry-$1.ts',
  },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // Snapshots are committed; CI=true makes jest refuse to write missing ones.
  ci: process.env.CI === 'true',
};
