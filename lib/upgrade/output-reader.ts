/**
 * Reads one synthesized output from disk for the upgrade check: the Terraform JSON of every stack under
 * `<dir>/cdktf.out/stacks/` and every Kubernetes object of the YAML files under `<dir>/dist/` (both names can be
 * changed, as a team's cdktf.json and cdk8s.yaml can).
 */
import { Yaml } from 'cdk8s';
import * as fs from 'fs';
import * as path from 'path';
import { SynthesizedOutput } from './upgrade-check';

/** Where the engines' output sits in a synthesized directory. */
export interface OutputLayout {
  /** @default 'cdktf.out' */
  readonly terraform?: string;
  /** @default 'dist' */
  readonly kubernetes?: string;
}

function yamlFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return yamlFiles(full);
      return /\.ya?ml$/.test(e.name) ? [full] : [];
    });
}

/** The output under `dir`; throws when it holds neither engine's output. */
export function readSynthesizedOutput(dir: string, layout: OutputLayout = {}): SynthesizedOutput {
  const tfDir = path.join(dir, layout.terraform ?? 'cdktf.out', 'stacks');
  const k8sDir = path.join(dir, layout.kubernetes ?? 'dist');
  if (!fs.existsSync(tfDir) && !fs.existsSync(k8sDir))
    throw new Error(`${dir}: neither ${path.relative(dir, tfDir)}/ nor ${path.relative(dir, k8sDir)}/ exists: synthesize first`);
  const stacks = new Map<string, Record<string, unknown>>();
  if (fs.existsSync(tfDir))
    for (const stack of fs.readdirSync(tfDir).sort()) {
      const file = path.join(tfDir, stack, 'cdk.tf.json');
      if (fs.existsSync(file)) stacks.set(stack, JSON.parse(fs.readFileSync(file, 'utf8')));
    }
  const objects = fs.existsSync(k8sDir)
    ? yamlFiles(k8sDir).flatMap((f) => Yaml.load(f).filter((o) => o && typeof o === 'object' && o.kind))
    : [];
  return { stacks, objects };
}
