/**
 * State keys (#25): one state per stack. Two stacks that share a backend key overwrite each other's state (each
 * plan sees the other's resources as gone and destroys them); a stack whose state silently moves to a local file
 * starts a second, empty environment on the next machine.
 */
import { App, Testing } from 'cdktf';
import { AlarmSubscription, AwsRegion, MultiRegionDR, MultiRegionDRProps, SamokoderStack, SamokoderStackProps } from 'samokoder-infra';

const tags = { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' };
const remoteState = { bucket: 'acme-terraform-state', region: 'eu-west-1' };
const awsProps = (over: Partial<SamokoderStackProps> = {}): SamokoderStackProps => ({
  environment: 'production',
  region: AwsRegion.EU_WEST_1,
  tags,
  remoteState,
  alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
  ...over,
});
const drProps = (over: Partial<MultiRegionDRProps> = {}): MultiRegionDRProps => ({
  domain: 'acme.dev',
  host: 'billing.acme.dev',
  alertEmails: ['payments-oncall@acme.dev'],
  apiAllowedCidrs: ['203.0.113.0/24'],
  tags,
  supportCheckDate: '2026-11-21',
  ...over,
});
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized Terraform JSON
const backendOf = (stack: SamokoderStack | MultiRegionDR): any => JSON.parse(Testing.synth(stack)).terraform.backend;

describe('one state per stack', () => {
  test('a SamokoderStack named production-dr beside the MultiRegionDR of its project: refused (their keys were one)', () => {
    const app = Testing.app();
    new MultiRegionDR(app, 'billing-dr', drProps({ remoteState }));
    const props = awsProps({ environment: 'production-dr', unlistedEnvironment: true, tags: { ...tags, environment: 'production-dr' } });
    expect(() => new SamokoderStack(app, 'billing-production-dr', props)).toThrow(
      `[billing-production-dr] 'environment' ("production-dr") ends in -dr, so its default state key (billing/production-dr/terraform.tfstate) is the one MultiRegionDR gives the pair of environment "production": name the environment otherwise, or set remoteState.key`,
    );
    // Given that key by hand, it is refused as the DR pair's state.
    const key = 'billing/production-dr/terraform.tfstate';
    expect(() => new SamokoderStack(app, 'billing-ops', { ...props, project: 'billing', remoteState: { ...remoteState, key } })).toThrow(
      `[billing-ops] 'remoteState.key' ("billing/production-dr/terraform.tfstate") is the state of billing-dr too (bucket acme-terraform-state): two stacks with one state destroy each other's resources on every apply; set remoteState.key on one of them`,
    );
  });

  test('two stacks given one key are refused, whichever kind', () => {
    const app = Testing.app();
    new SamokoderStack(app, 'billing-production', awsProps({ remoteState: { ...remoteState, key: 'billing.tfstate' } }));
    expect(
      () =>
        new SamokoderStack(
          app,
          'billing-staging',
          awsProps({
            environment: 'staging',
            tags: { ...tags, environment: 'staging' },
            remoteState: { ...remoteState, key: 'billing.tfstate' },
          }),
        ),
    ).toThrow(
      `[billing-staging] 'remoteState.key' ("billing.tfstate") is the state of billing-production too (bucket acme-terraform-state)`,
    );
  });

  test('the same key in another bucket is another state', () => {
    const app = Testing.app();
    new SamokoderStack(app, 'billing-production', awsProps());
    expect(
      () =>
        new MultiRegionDR(
          app,
          'billing-dr',
          drProps({ remoteState: { ...remoteState, bucket: 'acme-dr-state', key: 'billing/production/terraform.tfstate' } }),
        ),
    ).not.toThrow();
  });

  test('the DR stack\u2019s default key is its own: <project>/<environment>-dr', () => {
    const app = Testing.app();
    const aws = new SamokoderStack(app, 'billing-production', awsProps());
    const dr = new MultiRegionDR(app, 'billing-dr', drProps({ remoteState }));
    expect([backendOf(aws).s3.key, backendOf(dr).s3.key]).toEqual([
      'billing/production/terraform.tfstate',
      'billing/production-dr/terraform.tfstate',
    ]);
  });

  test('a SamokoderStack environment ending in -dr with the default key is refused: that key is a DR pair\u2019s', () => {
    expect(
      () =>
        new SamokoderStack(
          new App(),
          'billing-production-dr',
          awsProps({ environment: 'production-dr', unlistedEnvironment: true, tags: { ...tags, environment: 'production-dr' } }),
        ),
    ).toThrow(
      `[billing-production-dr] 'environment' ("production-dr") ends in -dr, so its default state key (billing/production-dr/terraform.tfstate) is the one MultiRegionDR gives the pair of environment "production": name the environment otherwise, or set remoteState.key`,
    );
  });
});

describe('MultiRegionDR keeps local state only when told to', () => {
  test('without remoteState or localState it is refused', () => {
    expect(() => new MultiRegionDR(Testing.app(), 'billing-dr', drProps())).toThrow(
      `[billing-dr] 'remoteState' (undefined) is required: without it Terraform keeps the pair's state in a local file (terraform.billing-dr.tfstate) that the next machine does not have, and plans the pair again from nothing; set remoteState, or localState: true to keep state locally on purpose`,
    );
  });

  test('localState: true keeps the local file, written by a relative path', () => {
    expect(backendOf(new MultiRegionDR(Testing.app(), 'billing-dr', drProps({ localState: true })))).toEqual({
      local: { path: '../../../terraform.billing-dr.tfstate' },
    });
  });

  test('both is refused', () => {
    expect(() => new MultiRegionDR(Testing.app(), 'billing-dr', drProps({ localState: true, remoteState }))).toThrow(
      `[billing-dr] 'localState' (true) cannot be set with remoteState: choose one`,
    );
  });
});
