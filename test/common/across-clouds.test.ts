/**
 * Across clouds: an AWS environment and a DigitalOcean DR pair of one app are checked against each other, and a
 * cost-allocation tag is written to DigitalOcean as given or refused (a rewritten tag no longer joins with AWS).
 */
import { App, Testing } from 'cdktf';
import { AlarmSubscription, AwsRegion, MultiRegionDR, MultiRegionDRProps, SamokoderStack } from 'samokoder-infra';
import { TEST_DATE } from '../util/tf';

const tags = { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' };
const aws = (app: App, vpcCidr: string) =>
  new SamokoderStack(app, 'samokoder-production', {
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    vpcCidr,
    tags,
    remoteState: { bucket: 'state-bucket', region: 'eu-central-1' },
    supportCheckDate: TEST_DATE,
    alarmSubscriptions: [AlarmSubscription.email('oncall@samokoder.com')],
  });
const drProps: MultiRegionDRProps = {
  project: 'samokoder',
  localState: true,
  domain: 'samokoder.com',
  host: 'app.samokoder.com',
  alertEmails: ['oncall@samokoder.com'],
  apiAllowedCidrs: ['203.0.113.0/24'],
  tags,
  supportCheckDate: TEST_DATE,
};
const dr = (app: App, props: Partial<MultiRegionDRProps> = {}) => new MultiRegionDR(app, 'samokoder-dr', { ...drProps, ...props });

describe('VPC ranges across clouds', () => {
  test('a DR VPC equal to an AWS VPC of the same app is refused', () => {
    const app = Testing.app();
    aws(app, '10.10.0.0/16');
    expect(() => dr(app)).toThrow(
      `[samokoder-dr] 'primary.vpcCidr' ("10.10.0.0/16") overlaps 10.10.0.0/16, the AWS VPC of samokoder-production/Network in the same app: networks that may be connected (a VPN between the clouds) need disjoint ranges`,
    );
  });
  test('an AWS VPC inside a DR VPC of the same app is refused', () => {
    const app = Testing.app();
    dr(app);
    expect(() => aws(app, '10.20.0.0/18')).toThrow(
      `[samokoder-production] 'vpcCidr' ("10.20.0.0/18") overlaps 10.20.0.0/16, the DigitalOcean VPC of samokoder-dr/Sfo3 in the same app: networks that may be connected (a VPN between the clouds) need disjoint ranges`,
    );
  });
  test('disjoint ranges are accepted, in either order', () => {
    const one = Testing.app();
    aws(one, '10.0.0.0/16');
    expect(() => dr(one)).not.toThrow();
    const two = Testing.app();
    dr(two);
    expect(() => aws(two, '10.30.0.0/16')).not.toThrow();
  });
});

describe('DigitalOcean tags are written as given or refused', () => {
  test.each([
    ['costCenter', 'CC.1042'],
    ['service', 'сервис'],
    ['team', 'platform team'],
    ['team', 'team:payments'],
  ])('tags.%s %j is refused', (field, value) => {
    expect(() => dr(Testing.app(), { tags: { ...tags, [field]: value } })).toThrow(
      `[samokoder-dr] 'tags.${field}' (${JSON.stringify(value)}) cannot be written as a DigitalOcean tag as given (DigitalOcean takes ASCII letters, digits, - and _ in a "key:value" tag), so cost reports would no longer join with AWS: use letters, digits, - and _ only`,
    );
  });
  test('letters, digits, - and _ are accepted (lower-cased, as DigitalOcean tag names have always been written)', () => {
    expect(() => dr(Testing.app(), { tags: { ...tags, costCenter: 'CC-1042', team: 'platform_core' } })).not.toThrow();
  });
});
