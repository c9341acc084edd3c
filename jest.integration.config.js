/**
 * `npm run test:integration`: the suites that start processes (the Helm chart through the real cdk8s CLI, ESLint on
 * fixtures, the generated DR scripts under bash and shellcheck against strict CLI stubs). Slower than the unit tests
 * and run by CI on every change (.ci/run); see jest.config.js.
 * @type {import('jest').Config}
 */
const unit = require('./jest.config.js');

module.exports = {
  ...unit,
  testMatch: ['**/*.integration.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
