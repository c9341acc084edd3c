import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';

/**
 * Every directory a test run makes lands in the run's own directory, which the global teardown removes: cdk8s' and
 * cdktf's `Testing.app()` each make a directory under the system's temporary directory per app and never remove it,
 * and two days of test runs once left ~350,000 of them (50 GB) in /tmp, until a CI run's `npm ci` died of ENOSPC.
 */
describe('temporary files of a test run', () => {
  const runDir = process.env.SAMOKODER_TEST_TMP;

  test('the run has its own directory, and the system temporary directory points into it', () => {
    expect(path.basename(runDir ?? '')).toMatch(/^samokoder-test-/);
    expect(fs.statSync(runDir!).isDirectory()).toBe(true);
    expect(path.relative(runDir!, os.tmpdir()).startsWith('..')).toBe(false);
  });

  test("cdk8s' and cdktf's test apps write under the run's directory", () => {
    const k8s = K8sTesting.app();
    const tf = TfTesting.app();
    for (const outdir of [k8s.outdir, tf.outdir]) {
      expect(path.relative(runDir!, outdir).startsWith('..')).toBe(false);
    }
  });
});
