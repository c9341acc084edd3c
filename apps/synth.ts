/**
 * `npm run synth`: the reference platform's Terraform JSON (cdktf.out/) and Kubernetes YAML (dist/) in one process.
 *
 * The output is byte for byte what `cdktf synth` (cdktf.json → apps/terraform.ts) and `cdk8s synth` (cdk8s.yaml →
 * apps/kubernetes.ts) write, which CI checks (`npm run synth:cli` in a second checkout, compared with `diff -r`).
 * Why one process: the two CLIs cost two more Node.js start-ups, the cdktf CLI's wrapper ~3 s, and the Kubernetes
 * program had to build every cloud stack again to read the contracts; here they are built once (9.4 s → about 2 s).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { loadConfig } from './config';
import { synthKubernetes } from './kubernetes';
import { buildTerraformApp } from './terraform';

const tfOut = 'cdktf.out';
const config = loadConfig();
const cloud = buildTerraformApp(config, new App({ outdir: tfOut }));
cloud.app.synth();
// As the cdktf CLI does after a synth: a stack directory no stack of the app wrote is an orphan and goes.
const stacksDir = path.join(tfOut, 'stacks');
const stacks = new Set(cloud.app.node.children.map((c) => c.node.id));
for (const dir of fs.readdirSync(stacksDir)) {
  if (!stacks.has(dir)) fs.rmSync(path.join(stacksDir, dir), { recursive: true, force: true });
}
synthKubernetes(config, 'dist', (m) => console.warn(m), cloud);
console.log(`synthesized ${stacks.size} stacks into ${tfOut}/stacks and the GitOps tree into dist/`);
