import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Starts the schema checker (scripts/check-manifests.mjs, the one `npm run check` runs on dist/) once for the run:
 * `kubernetes-models` is ESM-only, so it runs in its own process, and starting one per check cost a third of a
 * second each. `schemaCheck` in test/util/k8s.ts posts to it; it exits when the run does (its stdin closes).
 */
export default async function globalSetup(): Promise<void> {
  // One directory for the files this run writes (the shared reference output among them); the teardown removes it.
  process.env.SAMOKODER_TEST_TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'samokoder-test-'));
  // …and for every directory the run makes: cdk8s' and cdktf's `Testing.app()` make one per app under the system's
  // temporary directory and never remove it (two days of runs once left 350,000 in /tmp and a CI run died of ENOSPC).
  // Node.js reads TMPDIR at each `os.tmpdir()`, and jest's workers, started after this, inherit it, as do the
  // processes tests start.
  process.env.TMPDIR = process.env.SAMOKODER_TEST_TMP;
  const script = path.join(__dirname, '..', 'scripts', 'check-manifests.mjs');
  const child = spawn(process.execPath, [script, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the schema checker exited (${code}) before it listened`)));
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
  });
  child.removeAllListeners('exit');
  child.unref();
  (child.stdout as unknown as { unref(): void }).unref();
  (child.stdin as unknown as { unref(): void }).unref();
  process.env.SAMOKODER_SCHEMA_CHECK_URL = `http://127.0.0.1:${port}/`;
  (globalThis as Record<string, unknown>).__schemaChecker = child;
}
