/**
 * The minimal-usage fixtures as a synthesized output (cdktf.out/ and dist/ under the directory given), for the
 * upgrade check between two versions of the library (scripts/upgrade/check-upgrade.sh runs this file in both
 * checkouts). The same uses as test/upgrade/minimal-use.test.ts: each public construct as a team writes it at its
 * smallest, so the library's defaults, not the reference's names, are what is compared. Use only API that the
 * last release also has.
 *
 *   npx tsx scripts/upgrade/minimal-usage.ts <out-dir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { App as K8sApp } from 'cdk8s';
import { App } from 'cdktf';
import {
  AlarmSubscription,
  AwsRegion,
  ClusterPlatform,
  MultiRegionDR,
  PlatformCloud,
  ProductionApp,
  SamokoderStack,
  SamokoderStateStack,
} from 'samokoder-infra';

const out = process.argv[2];
if (!out) throw new Error('usage: tsx scripts/upgrade/minimal-usage.ts <out-dir>');
fs.mkdirSync(out, { recursive: true });
const tags = { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' };

const cloud = new App({ outdir: path.join(out, 'cdktf.out') });
new SamokoderStack(cloud, 'billing-production', {
  environment: 'production',
  region: AwsRegion.EU_WEST_1,
  tags,
  remoteState: { bucket: 'acme-terraform-state', region: 'eu-west-1' },
  alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
});
new SamokoderStateStack(cloud, 'billing-state', { region: AwsRegion.EU_WEST_1, bucketName: 'acme-terraform-state', tags });
new MultiRegionDR(cloud, 'billing-dr', {
  domain: 'acme.dev',
  host: 'billing.acme.dev',
  alertEmails: ['payments-oncall@acme.dev'],
  apiAllowedCidrs: ['203.0.113.0/24'],
  tags,
  supportCheckDate: '2026-11-21',
  remoteState: { bucket: 'acme-terraform-state', region: 'eu-west-1' },
});
cloud.synth();

const k8s = new K8sApp({ outdir: path.join(out, 'dist') });
new ProductionApp(k8s, 'billing', { name: 'billing', image: `ghcr.io/acme/billing@sha256:${'a'.repeat(64)}` });
for (const [id, cloudOf] of [
  ['aws', PlatformCloud.aws({ region: 'eu-west-1' })],
  ['do', PlatformCloud.digitalocean({ secretsRegion: 'eu-west-1' })],
] as const)
  new ClusterPlatform(k8s, id, {
    cluster: `billing-${id}`,
    cloud: cloudOf,
    source: { repoURL: 'https://git.acme.dev/platform/gitops.git' },
    configPath: `clusters/billing-${id}/platform`,
    acmeEmail: 'payments-oncall@acme.dev',
  });
k8s.synth();
console.log(`minimal-usage fixtures synthesized into ${out}`);
