/**
 * Typos that rename everything: an environment name outside the known set is declared (it names every resource and
 * the state key), and a cost-allocation tag that contradicts the environment is refused.
 */
import { Testing } from 'cdktf';
import {
  AlarmSubscription,
  AwsRegion,
  KNOWN_ENVIRONMENTS,
  MultiRegionDR,
  MultiRegionDRProps,
  ProductionApp,
  ProductionAppProps,
  SamokoderStack,
  SamokoderStackProps,
} from 'samokoder-infra';
import { testApp } from '../util/k8s';
import { TEST_DATE } from '../util/tf';

const tags = (environment: string) => ({ environment, service: 'samokoder', team: 'platform', costCenter: 'CC-1042' });
const stack = (props: Partial<SamokoderStackProps>) => () =>
  new SamokoderStack(Testing.app(), 'samokoder-x', {
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    tags: tags(props.environment ?? 'production'),
    remoteState: { bucket: 'state-bucket', region: 'eu-central-1' },
    supportCheckDate: TEST_DATE,
    alarmSubscriptions: [AlarmSubscription.email('oncall@samokoder.com')],
    ...props,
  });
const dr = (props: Partial<MultiRegionDRProps>) => () =>
  new MultiRegionDR(Testing.app(), 'samokoder-dr', {
    localState: true,
    domain: 'samokoder.com',
    host: 'app.samokoder.com',
    alertEmails: ['oncall@samokoder.com'],
    apiAllowedCidrs: ['203.0.113.0/24'],
    tags: tags(props.environment ?? 'production'),
    supportCheckDate: TEST_DATE,
    ...props,
  });
const known = KNOWN_ENVIRONMENTS.join(', ');

describe('environment names outside the known set', () => {
  test.each([
    ['prodution', ' (did you mean "production"?)'],
    ['stagign', ' (did you mean "staging"?)'],
    ['eu-prod-2', ''],
  ])('SamokoderStack environment %j is refused', (environment, hint) => {
    expect(stack({ environment })).toThrow(
      `[samokoder-x] 'environment' ("${environment}") is not one of the environment names the library knows (${known})${hint}: it names every resource and the state key, so a typo moves the whole environment; set unlistedEnvironment: true if the name is meant`,
    );
  });
  test('MultiRegionDR environment "prodution" is refused', () => {
    expect(dr({ environment: 'prodution' })).toThrow(
      `[samokoder-dr] 'environment' ("prodution") is not one of the environment names the library knows (${known}) (did you mean "production"?)`,
    );
  });
  test('a declared name is accepted, and keeps production guards when it means production', () => {
    expect(stack({ environment: 'eu-prod-2', unlistedEnvironment: true })).not.toThrow();
    expect(dr({ environment: 'eu-prod-2', unlistedEnvironment: true })).not.toThrow();
  });
  test.each(KNOWN_ENVIRONMENTS)('%s is accepted without a declaration', (environment) => {
    expect(stack({ environment })).not.toThrow();
  });
});

describe('tags that contradict the environment', () => {
  test('a staging stack tagged production is refused', () => {
    expect(stack({ environment: 'staging', tags: tags('production') })).toThrow(
      `[samokoder-x] 'tags.environment' ("production") contradicts 'environment' ("staging"): cost reports would book this environment's spend to "production"; tag it "staging"`,
    );
  });
  test('a DR pair tagged staging for production is refused', () => {
    expect(dr({ tags: tags('staging') })).toThrow(
      `[samokoder-dr] 'tags.environment' ("staging") contradicts 'environment' ("production"): cost reports would book this environment's spend to "staging"; tag it "production"`,
    );
  });
  test('the same name in another case is accepted', () => {
    expect(stack({ environment: 'staging', tags: tags('Staging') })).not.toThrow();
  });
});

describe('ProductionApp environment', () => {
  const app = (props: Partial<ProductionAppProps>) => () =>
    new ProductionApp(testApp(), 'api', { name: 'api', image: 'ghcr.io/samokoder/api:1.4.2', ...props });
  test('a typo that would switch production guards off is refused', () => {
    expect(app({ environment: 'prodcution' })).toThrow(
      `[api] 'environment' ("prodcution") is not one of the environment names the library knows (${known}) (did you mean "production"?): it decides whether production's guards apply, so a typo can switch them off; set unlistedEnvironment: true if the name is meant`,
    );
  });
  test('a declared name is accepted, with production guards when it means production', () => {
    expect(app({ environment: 'eu-prod-2', unlistedEnvironment: true })).not.toThrow();
    expect(app({ environment: 'eu-prod-2', unlistedEnvironment: true, autoscaling: false, replicas: 1, minAvailable: 0 })).toThrow(
      `[api] 'replicas' (1) leaves production with one pod`,
    );
    expect(app({ environment: 'staging' })).not.toThrow();
  });
});
