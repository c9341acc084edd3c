/**
 * A team's DigitalOcean DR pair with its failover plan: `npx tsx examples/digitalocean-dr.ts <outdir>`.
 */
import * as path from 'path';
import { App } from 'cdktf';
import { Duration, DoRegion, MultiRegionDR, PolicyPack } from 'samokoder-infra';

export function build(outdir: string): { app: App; dr: MultiRegionDR } {
  const app = new App({ outdir });
  const dr = new MultiRegionDR(app, 'billing-dr', {
    project: 'billing',
    domain: 'acme.dev',
    host: 'billing.acme.dev',
    primary: { region: DoRegion.NYC3, vpcCidr: '10.30.0.0/16' },
    secondary: { region: DoRegion.AMS3, vpcCidr: '10.40.0.0/16' },
    registry: { region: DoRegion.AMS3 },
    alertEmails: ['payments-oncall@acme.dev'],
    apiAllowedCidrs: ['203.0.113.0/24'],
    tags: { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' },
    rtoTarget: Duration.minutes(15),
    rpoTarget: Duration.minutes(5),
    remoteState: { bucket: 'acme-terraform-state', region: 'eu-central-1' },
  });
  PolicyPack.enforce(app);
  return { app, dr };
}

if (require.main === module) {
  const outdir = process.argv[2] ?? 'dist-examples/digitalocean-dr';
  const { app, dr } = build(outdir);
  app.synth();
  dr.failoverPlan.writeTo(path.join(outdir, 'stacks', dr.node.id, 'failover'));
  console.log(
    `expected RTO ${Duration.seconds(dr.recovery.expectedRtoSeconds)}, RPO about ${Duration.seconds(dr.recovery.expectedRpoSeconds)}`,
  );
}
