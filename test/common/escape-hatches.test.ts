/**
 * The `.of()` escape hatches are checked like the named members where they are used (format, the library's table,
 * a "did you mean" suggestion), and a value newer than the table is used only when declared (`unlisted`).
 */
import { App, Testing } from 'cdktf';
import {
  AlarmSubscription,
  AwsRegion,
  DoksKubernetesVersion,
  DoRegion,
  EksKubernetesVersion,
  MultiRegionDR,
  MultiRegionDRProps,
  PlatformCloud,
  PostgresVersion,
  SamokoderStack,
  SamokoderStackProps,
  SamokoderStateStack,
} from 'samokoder-infra';
import { TEST_DATE } from '../util/tf';

const tags = { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' };
const stack = (props: Partial<SamokoderStackProps>) => () =>
  new SamokoderStack(Testing.app(), 'prod', {
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    tags,
    remoteState: { bucket: 'state-bucket', region: 'eu-central-1' },
    supportCheckDate: TEST_DATE,
    alarmSubscriptions: [AlarmSubscription.email('oncall@samokoder.com')],
    ...props,
  });
const drBase: MultiRegionDRProps = {
  project: 'samokoder',
  localState: true,
  domain: 'samokoder.com',
  host: 'app.samokoder.com',
  alertEmails: ['oncall@samokoder.com'],
  apiAllowedCidrs: ['203.0.113.0/24'],
  tags,
  supportCheckDate: TEST_DATE,
};
const dr = (props: Partial<MultiRegionDRProps>) => () => new MultiRegionDR(Testing.app() as App, 'dr', { ...drBase, ...props });

describe('AwsRegion.of', () => {
  test('a misspelled region is refused with a suggestion', () => {
    expect(stack({ region: AwsRegion.of('eu-centrl-1', ['a', 'b', 'c']) })).toThrow(
      `[prod] 'region' ("eu-centrl-1") is not an AWS region on the library's list of 2026-11-21 (did you mean "eu-central-1"?): for a region newer than the list, AwsRegion.of('eu-centrl-1', zones, { unlisted: true })`,
    );
  });
  test('a name that is not a region name is refused', () => {
    expect(stack({ region: AwsRegion.of('Frankfurt', ['a', 'b']) })).toThrow(
      `[prod] 'region' ("Frankfurt") must be an AWS region name such as "eu-central-1"`,
    );
  });
  test('zone letters that are not letters are refused', () => {
    expect(stack({ region: AwsRegion.of('eu-south-2', ['a', 'b', 'eu-south-2c']) })).toThrow(
      `[prod] 'region' ("eu-south-2") has zone letters ["a","b","eu-south-2c"]: each must be one lower-case letter, listed once (AwsRegion.of('eu-south-2', ['a', 'b', 'c']))`,
    );
  });
  test('the secrets region of a DR pair is checked too', () => {
    expect(dr({ secretsRegion: AwsRegion.of('us-east-3', ['a', 'b']) })).toThrow(
      `[dr] 'secretsRegion' ("us-east-3") is not an AWS region on the library's list of 2026-11-21 (did you mean "us-east-1"?)`,
    );
  });
  test('a listed region without a member, and a declared newer one, are accepted', () => {
    expect(stack({ region: AwsRegion.of('eu-south-2', ['a', 'b', 'c']) })).not.toThrow();
    // A region newer than the library has no recovery partner in its table: production names where its copies go.
    const newer = AwsRegion.of('eu-east-9', ['a', 'b', 'c'], { unlisted: true });
    expect(stack({ region: newer, recovery: { region: AwsRegion.EU_CENTRAL_1 } })).not.toThrow();
  });
  test('the state stack checks its region', () => {
    expect(
      () => new SamokoderStateStack(Testing.app(), 'state', { region: AwsRegion.of('eu-centrl-1', ['a']), bucketName: 'team-state', tags }),
    ).toThrow(`[state] 'region' ("eu-centrl-1") is not an AWS region on the library's list`);
  });
});

describe('DoRegion.of', () => {
  test('a slug the table does not know is refused with a suggestion, with or without products', () => {
    const message = `[dr] 'secondary.region' ("sfo4") is not a DigitalOcean region in the table of 2026-11-21 (did you mean "sfo3"?): for a region newer than the table, DoRegion.of('sfo4', [products it offers], { unlisted: true })`;
    expect(dr({ secondary: { region: DoRegion.of('sfo4') } })).toThrow(message);
    expect(dr({ secondary: { region: DoRegion.of('sfo4', ['kubernetes', 'databases', 'spaces', 'loadBalancers']) } })).toThrow(message);
  });
  test('a slug that is not a slug is refused', () => {
    expect(dr({ secondary: { region: DoRegion.of('San Francisco') } })).toThrow(
      `[dr] 'secondary.region' ("San Francisco") is not a DigitalOcean region slug such as "nyc3" (three letters and a digit)`,
    );
  });
  test('a declared newer region is used with the products given; a known slug with corrected products too', () => {
    const products = ['kubernetes', 'databases', 'spaces', 'loadBalancers', 'containerRegistry'] as const;
    expect(dr({ secondary: { region: DoRegion.of('sfo4', products, { unlisted: true }) } })).not.toThrow();
    expect(dr({ secondary: { region: DoRegion.of('ric1', products) } })).not.toThrow();
    expect(dr({ secondary: { region: DoRegion.of('sfo3') } })).not.toThrow();
  });
});

describe('Kubernetes versions', () => {
  test.each([
    ['banana', 'is not a Kubernetes minor version such as "1.35"'],
    ['v1.35', 'is not a Kubernetes minor version such as "1.35" (did you mean "1.35"?)'],
    ['1.35.2', 'is not a Kubernetes minor version such as "1.35" (did you mean "1.35"?)'],
  ])('EKS %j is refused', (v, why) => {
    expect(stack({ kubernetesVersion: EksKubernetesVersion.of(v) })).toThrow(`[prod] 'kubernetesVersion' ("${v}") ${why}: EKS versions`);
  });
  test.each([
    ['banana', 'is not a Kubernetes minor version such as "1.35"'],
    ['1.36.1', 'is not a Kubernetes minor version such as "1.35" (did you mean "1.36"?)'],
  ])('DOKS %j is refused', (v, why) => {
    expect(dr({ kubernetesVersion: DoksKubernetesVersion.of(v) })).toThrow(`[dr] 'kubernetesVersion' ("${v}") ${why}: DOKS minors`);
  });
  test('a version newer than the table is used with its support dates', () => {
    const window = { released: '2026-05-01', endOfStandardSupport: '2027-07-01', endOfExtendedSupport: '2028-07-01' };
    expect(stack({ kubernetesVersion: EksKubernetesVersion.of('1.36', window) })).not.toThrow();
    expect(dr({ kubernetesVersion: DoksKubernetesVersion.of('1.37', '2027-10-28') })).not.toThrow();
  });
});

describe('engine versions', () => {
  test('an RDS PostgreSQL major newer than the table needs unlisted', () => {
    expect(stack({ postgresVersion: PostgresVersion.of('71') })).toThrow(
      `[prod] 'postgresVersion' ("71") is not a PostgreSQL major RDS offered on 2026-11-21 (13, 14, 15, 16, 17, 18): for a newer one, PostgresVersion.of('71', { unlisted: true })`,
    );
    expect(stack({ postgresVersion: PostgresVersion.of('19', { unlisted: true }) })).not.toThrow();
    expect(stack({ postgresVersion: PostgresVersion.of('17.6') })).not.toThrow();
  });
  test('an RDS version with a typo gets a suggestion', () => {
    expect(stack({ postgresVersion: PostgresVersion.of('17.x') })).toThrow(
      `[prod] 'postgresVersion' ("17.x") must be a PostgreSQL version RDS offers: a major from 13 ("17") or a major.minor ("17.6") (did you mean "17"?)`,
    );
  });
  test.each<[Partial<MultiRegionDRProps>, string]>([
    [{ postgres: { version: '9.6' } }, `'postgres.version' ("9.6") must be a PostgreSQL major version such as "17"`],
    [{ postgres: { version: 'banana' } }, `'postgres.version' ("banana") must be a PostgreSQL major version such as "17"`],
    [{ postgres: { version: '17.2' } }, `'postgres.version' ("17.2") must be a PostgreSQL major version such as "17" (did you mean "17"?)`],
    [
      { postgres: { version: '14' } },
      `'postgres.version' ("14") reached its end of availability on DigitalOcean on 2026-05-12: new clusters take 15, 16, 17`,
    ],
    [
      { postgres: { version: '19' } },
      `'postgres.version' ("19") is not a PostgreSQL version DigitalOcean offers (15, 16, 17 on 2026-11-21): for a newer one, set postgres.unlistedVersion: true`,
    ],
    [{ valkey: { version: 'banana' } }, `'valkey.version' ("banana") must be a Valkey major version such as "8"`],
    [
      { valkey: { version: '9' } },
      `'valkey.version' ("9") is not a Valkey version DigitalOcean offers (8 on 2026-11-21): for a newer one, set valkey.unlistedVersion: true`,
    ],
  ])('DigitalOcean %j is refused', (props, message) => {
    expect(dr(props)).toThrow(`[dr/Data] ${message}`);
  });
  test('DigitalOcean versions in the table, and declared newer ones, are accepted', () => {
    expect(dr({ postgres: { version: '15' }, valkey: { version: '8' } })).not.toThrow();
    expect(dr({ postgres: { version: '18', unlistedVersion: true }, valkey: { version: '9', unlistedVersion: true } })).not.toThrow();
  });
});

// The factories alone never throw: they have no construct path to name, so checking waits for the construct.
test('the factories themselves do not throw', () => {
  expect(() => [AwsRegion.of('x', []), DoRegion.of('x'), PostgresVersion.of('x')]).not.toThrow();
});

describe('AWS region names given as strings', () => {
  test('remoteState.region with a typo is refused; a newer region is declared', () => {
    expect(stack({ remoteState: { bucket: 'state-bucket', region: 'eu-centrl-1' } })).toThrow(
      `[prod] 'remoteState.region' ("eu-centrl-1") is not an AWS region on the library's list of 2026-11-21 (did you mean "eu-central-1"?): for a region newer than the list, set remoteState.unlistedRegion: true`,
    );
    expect(stack({ remoteState: { bucket: 'state-bucket', region: 'eu-east-9', unlistedRegion: true } })).not.toThrow();
  });
  test('PlatformCloud regions with a typo are refused; newer ones are declared', () => {
    expect(() => PlatformCloud.aws({ region: 'eu-centrl-1' })).toThrow(
      `[PlatformCloud.aws()] 'region' ("eu-centrl-1") is not an AWS region on the library's list of 2026-11-21 (did you mean "eu-central-1"?): for a region newer than the list, set unlistedRegion: true`,
    );
    expect(() => PlatformCloud.digitalocean({ secretsRegion: 'us-east-3' })).toThrow(
      `[PlatformCloud.digitalocean()] 'secretsRegion' ("us-east-3") is not an AWS region on the library's list of 2026-11-21 (did you mean "us-east-1"?): for a region newer than the list, set unlistedSecretsRegion: true`,
    );
    expect(() => PlatformCloud.aws({ region: 'eu-east-9', unlistedRegion: true })).not.toThrow();
    expect(() => PlatformCloud.digitalocean({ secretsRegion: 'eu-east-9', unlistedSecretsRegion: true })).not.toThrow();
    expect(() => PlatformCloud.aws({ region: 'us-gov-west-1' })).not.toThrow();
  });
});

describe('support dates of a listed version cannot be rewritten', () => {
  test('an EKS version past its support, given new dates, is refused', () => {
    const window = { released: '2023-09-26', endOfStandardSupport: '2030-01-01', endOfExtendedSupport: '2031-01-01' };
    expect(stack({ kubernetesVersion: EksKubernetesVersion.of('1.28', window) })).toThrow(
      `[prod] 'kubernetesVersion' ("1.28") is in the EKS support table (standard support to 2024-11-26, extended to 2025-11-26): its dates cannot be replaced; leave the window out (dates are for versions the table does not list)`,
    );
  });
  test('a DOKS version past its end of life, given a new date, is refused', () => {
    expect(dr({ kubernetesVersion: DoksKubernetesVersion.of('1.33', '2030-01-01') })).toThrow(
      `[dr] 'kubernetesVersion' ("1.33") is in the DOKS version table (end of life 2026-06-28): its date cannot be replaced; leave it out (dates are for minors the table does not list)`,
    );
  });
  test('dates of an unlisted version must be ISO dates in order', () => {
    const window = { released: '2027-09-01', endOfStandardSupport: '2027-01-01', endOfExtendedSupport: '2028-01-01' };
    expect(stack({ kubernetesVersion: EksKubernetesVersion.of('1.37', window) })).toThrow(
      `[prod] 'kubernetesVersion' ("1.37") has a support window out of order (released 2027-09-01, standard support to 2027-01-01, extended to 2028-01-01): released ≤ end of standard ≤ end of extended support, as ISO dates`,
    );
    expect(dr({ kubernetesVersion: DoksKubernetesVersion.of('1.37', 'next year') })).toThrow(
      `[dr] 'kubernetesVersion' ("1.37") has an end-of-life date that is not an ISO date ("next year")`,
    );
  });
  test('the same dates as the table are accepted', () => {
    const w = EksKubernetesVersion.V1_35.window!;
    expect(stack({ kubernetesVersion: EksKubernetesVersion.of('1.35', w) })).not.toThrow();
  });
});
