/**
 * `npm run test:file -- test/k8s/app-config.test.ts`: one test file (unit or integration) on its own, outside the
 * suites jest.config.js groups them into.
 * @type {import('jest').Config}
 */
const unit = require('./jest.config.js');

// Snapshots belong to the suites (test/__snapshots__/<suite>.suite.ts.snap, keys prefixed with the file's path):
// here they are never written, so a file with snapshot tests reports them as not written (run its suite instead).
module.exports = { ...unit, testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/'], ci: true };
