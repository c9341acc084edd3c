/**
 * The reference Samokoder cloud platform, synthesized by `cdktf synth` (see cdktf.json) into cdktf.out/.
 */
import { App } from 'cdktf';
import { SamokoderStack, SamokoderStateStack } from 'samokoder-infra';
import { loadConfig, PlatformConfig } from './config';

export interface TerraformPlatform {
  readonly app: App;
  /** The environment stacks by environment name. */
  readonly stacks: Record<string, SamokoderStack>;
}

export function buildTerraformApp(config: PlatformConfig, app: App = new App()): TerraformPlatform {
  const stacks: Record<string, SamokoderStack> = {};
  new SamokoderStateStack(app, 'samokoder-state', {
    region: config.stateRegion,
    bucketName: config.stateBucket,
    tags: { environment: 'shared', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
  });
  for (const env of config.aws) {
    stacks[env.name] = new SamokoderStack(app, `samokoder-${env.name}`, {
      environment: env.name,
      region: env.region,
      profile: env.profile,
      vpcCidr: env.vpcCidr,
      tags: env.tags,
      supportCheckDate: config.supportCheckDate,
      remoteState: { bucket: config.stateBucket, region: config.stateRegion.name },
    });
  }
  return { app, stacks };
}

if (require.main === module) {
  buildTerraformApp(loadConfig()).app.synth();
}
