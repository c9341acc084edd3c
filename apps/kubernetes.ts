/**
 * The reference Samokoder services, synthesized by `cdk8s synth` (see cdk8s.yaml) into dist/<environment>/,
 * one YAML file per chart (namespace, api, bot): the layout the GitOps repository expects.
 */
import * as path from 'path';
import { App, YamlOutputType } from 'cdk8s';
import { loadConfig, PlatformConfig } from './config';
import { buildKubernetesApps } from './kubernetes-apps';
import { buildTerraformApp } from './terraform';

/** Synthesizes every environment into `outdir/<environment>/`. */
export function synthKubernetes(config: PlatformConfig, outdir: string): App[] {
  // The cloud stacks are built in memory (not synthesized) only to read their typed contracts, so names the
  // clusters rely on (namespace, service accounts, secret names, subnet CIDRs) are never typed twice.
  const cloud = buildTerraformApp(config);
  return config.services.map((services) => {
    const stack = cloud.stacks[services.name];
    const app = new App({ outdir: path.join(outdir, services.name), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildKubernetesApps(app, services, stack.contract);
    app.synth();
    return app;
  });
}

if (require.main === module) {
  synthKubernetes(loadConfig(), process.env.CDK8S_OUTDIR ?? 'dist');
}
