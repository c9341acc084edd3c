/**
 * A team's own AWS environment from the same golden path: `npx tsx examples/aws-environment.ts <outdir>`.
 */
import { App } from 'cdktf';
import { AlarmSubscription, AwsRegion, EnvironmentProfile, SamokoderStack } from 'samokoder-infra';

export function build(outdir: string): App {
  const app = new App({ outdir });
  new SamokoderStack(app, 'billing-staging', {
    project: 'billing',
    environment: 'staging',
    profile: EnvironmentProfile.STAGING,
    region: AwsRegion.EU_WEST_1,
    vpcCidr: '10.20.0.0/16',
    tags: { environment: 'staging', service: 'billing', team: 'payments', costCenter: 'CC-2001' },
    remoteState: { bucket: 'acme-terraform-state', region: 'eu-west-1' },
    appIdentities: [{ serviceAccount: 'billing', filesBucketAccess: true }],
    alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
  });
  return app;
}

if (require.main === module) {
  build(process.argv[2] ?? 'dist-examples/aws-environment').synth();
}
