import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../apps/config';
import { SynthesizedKubernetes, synthKubernetes } from '../../apps/kubernetes';
import { buildTerraformApp, TerraformPlatform } from '../../apps/terraform';
import { TEST_DATE } from './tf';

/**
 * The reference platform (apps/), built once per test suite and shared by the tests that read it: the snapshots,
 * the joints between the stacks and the clusters, the policy rules' passing fixtures, the alert files. Building it
 * once instead of in each test file was a quarter of `npm test`. Tests that change what they read clone it first.
 */
export const referenceConfig = loadConfig({ SAMOKODER_SUPPORT_CHECK_DATE: TEST_DATE });

let cloud: TerraformPlatform | undefined;
/** The cloud stacks, built (not synthesized). */
export function referenceCloud(): TerraformPlatform {
  return (cloud ??= buildTerraformApp(referenceConfig));
}

let kubernetes: (SynthesizedKubernetes & { outdir: string }) | undefined;
/** The Kubernetes output, written to a directory of this test run (removed when the run ends). */
export function referenceKubernetes(): SynthesizedKubernetes & { outdir: string } {
  if (!kubernetes) {
    // A dist/ of its own: the GitOps record of Applications (gitops.lock.json) is written beside the output directory.
    const outdir = path.join(fs.mkdtempSync(path.join(testTmp(), 'reference-')), 'dist');
    kubernetes = { ...synthKubernetes(referenceConfig, outdir, undefined, referenceCloud()), outdir };
  }
  return kubernetes;
}

/** A directory for this test run's files: the global setup's (removed with it), or the system's. */
export function testTmp(): string {
  return process.env.SAMOKODER_TEST_TMP ?? os.tmpdir();
}
