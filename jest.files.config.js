/**
 * `npm run test:file -- test/k8s/app-config.test.ts`: one test file (unit or integration) on its own, outside the
 * suites jest.config.js groups them into.
 * @type {import('jest').Config}
 */
const unit = require('./jest.config.js');

// Snapshots belong to the suites (test/__snapshots__/<suite>.suite.ts.snap, keys prefixed with the file's path):
// here they are never written, so a file with snapshot tests reports them as not written (run its suite instead).
// `ci: true` alone does not do it: jest's --ci flag defaults to is-ci and overrides the config, so package.json's
// test:file passes --ci as well (without it, a file run wrote test/<dir>/__snapshots__/ beside the suites' ones).
module.exports = { ...unit, testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/'], ci: true };
