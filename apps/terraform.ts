/**
 * The reference Samokoder cloud platform, synthesized by `cdktf synth` (see cdktf.json) into cdktf.out/.
 */
import { App } from 'cdktf';
import { AlarmSubscription, MultiRegionDR, PolicyPack, SamokoderStack, SamokoderStateStack } from 'samokoder-infra';
import { DNS_TOKEN_ENTRY, loadConfig, PlatformConfig } from './config';

export interface TerraformPlatform {
  readonly app: App;
  /** The environment stacks by environment name. */
  readonly stacks: Record<string, SamokoderStack>;
  readonly dr: MultiRegionDR;
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
      // Environments may be peered or share a VPN: their ranges must stay disjoint.
      avoidCidrs: [...config.aws.filter((other) => other !== env).map((other) => other.vpcCidr), config.gitops.hub.cidr],
      tags: env.tags,
      alarmSubscriptions: env.alarmEmails.map((e) => AlarmSubscription.email(e)),
      supportCheckDate: config.supportCheckDate,
      remoteState: { bucket: config.stateBucket, region: config.stateRegion.name },
      // The reference services: the api writes uploaded files, the bot reads nothing from AWS but its secrets.
      appIdentities: [{ serviceAccount: 'api', filesBucketAccess: true }, { serviceAccount: 'bot' }],
      // `external-dns`: the DigitalOcean token (property `token`, scopes domain:* only) with which the cluster's
      // external-dns writes its hosts into the DR stack's zone (apps/kubernetes.ts, docs/delivery.md "DNS").
      secretEntries: ['app', 'alerting', DNS_TOKEN_ENTRY],
      // The Argo CD hub (a management cluster in its own region, its VPC peered with this one) deploys here.
      argoCdHub: { managementRole: config.gitops.hub.managementRole, apiAccessCidrs: [config.gitops.hub.cidr] },
    });
  }
  // DigitalOcean: nyc3 primary, sfo3 secondary (the defaults), state in the same S3 bucket as the AWS stacks.
  const dr = new MultiRegionDR(app, 'samokoder-dr', {
    domain: config.dr.domain,
    host: config.dr.host,
    additionalHosts: [config.dr.botHost],
    alertEmails: config.dr.alertEmails,
    tags: config.dr.tags,
    supportCheckDate: config.supportCheckDate,
    remoteState: { bucket: config.stateBucket, region: config.stateRegion.name },
    // The clusters' Kubernetes APIs admit only the Argo CD hub (it deploys there) and the operators (the scripts).
    apiAllowedCidrs: [...config.gitops.hub.egressCidrs, ...config.dr.operatorCidrs],
  });
  // The policy pack checks every stack when it is synthesized; an error stops synthesis.
  PolicyPack.enforce(app);
  return { app, stacks, dr };
}

if (require.main === module) {
  // The DR stack writes its failover plan next to its cdk.tf.json itself (stacks/samokoder-dr/failover/).
  buildTerraformApp(loadConfig()).app.synth();
}
