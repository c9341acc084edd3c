import type { ChildProcess } from 'child_process';
import * as fs from 'fs';

/** Stops the schema checker test/global-setup.ts started and removes the run's directory. */
export default async function globalTeardown(): Promise<void> {
  if (process.env.SAMOKODER_TEST_TMP) fs.rmSync(process.env.SAMOKODER_TEST_TMP, { recursive: true, force: true });
  const child = (globalThis as Record<string, unknown>).__schemaChecker as ChildProcess | undefined;
  child?.stdin?.end();
  child?.kill();
}
