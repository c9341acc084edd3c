import { spawnSync } from 'child_process';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are free-form JSON
export type K8sObject = Record<string, any>;

export function testApp(): App {
  return Testing.app();
}

/** The objects of a chart, as cdk8s renders them (validations run). */
export function render(chart: Chart): K8sObject[] {
  return Testing.synth(chart) as K8sObject[];
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const hit = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (hit.length !== 1) throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${hit.length}`);
  return hit[0];
}

export function all(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/**
 * Validates objects with the project's schema check (scripts/check-manifests.mjs, the same one `npm run check` runs
 * on dist/): the checker test/global-setup.ts started for the run, or a process of its own when a suite runs outside
 * jest's global setup. Returns its output lines and whether every object is valid.
 */
export async function schemaCheck(objects: K8sObject[]): Promise<{ ok: boolean; output: string }> {
  const url = process.env.SAMOKODER_SCHEMA_CHECK_URL;
  if (url) {
    const post = () => fetch(url, { method: 'POST', body: JSON.stringify(objects) });
    // One retry on a connection the server closed as it was reused (a transport error, never a verdict).
    const res = await post().catch(post);
    return (await res.json()) as { ok: boolean; output: string };
  }
  const script = path.join(__dirname, '..', '..', 'scripts', 'check-manifests.mjs');
  const res = spawnSync(process.execPath, [script, '--json'], { input: JSON.stringify(objects), encoding: 'utf8' });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}
