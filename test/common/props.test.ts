/**
 * Plain JavaScript callers: no type checker stands between them and the constructs, so the constructs check their
 * props at the boundary.
 */
import { App as Cdk8sApp } from 'cdk8s';
import { Testing } from 'cdktf';
import { AwsRegion, ClusterPlatform, MultiRegionDR, PlatformCloud, ProductionApp, SamokoderStack } from 'samokoder-infra';
import { TEST_DATE } from '../util/tf';

// What a JavaScript caller can pass: anything.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const js = (props: Record<string, unknown>): any => props;

describe('props checked at the boundary for JavaScript callers', () => {
  test('a misspelled optional prop is refused with a suggestion, not ignored', () => {
    expect(() => new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api', image: 'r/api:1.0.0', hots: 'api.example.com' }))).toThrow(
      `[api] 'hots' ("api.example.com") is not a prop of ProductionApp: did you mean 'host'?`,
    );
    expect(
      () =>
        new ClusterPlatform(
          new Cdk8sApp(),
          'p',
          js({
            cluster: 'production',
            cloud: PlatformCloud.aws({ region: 'eu-central-1' }),
            source: { repoURL: 'https://g.example.com/r.git', targetRevision: 'main' },
            configPath: 'dist/platform/production',
            acmeEmail: 'a@example.com',
            acmeEmial: 'x',
          }),
        ),
    ).toThrow(`[p] 'acmeEmial' ("x") is not a prop of ClusterPlatform: did you mean 'acmeEmail'?`);
  });

  test('a prop nothing resembles lists what the construct takes', () => {
    expect(() => new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api', image: 'r/api:1.0.0', colour: 'blue' }))).toThrow(
      `[api] 'colour' ("blue") is not a prop of ProductionApp (it takes name, host, additionalHosts, namespace,`,
    );
  });

  test('a missing required prop fails with our message, not a TypeError', () => {
    expect(() => new ProductionApp(new Cdk8sApp(), 'api', js({ name: 'api' }))).toThrow(
      `[api] 'image' (undefined) is required by ProductionApp`,
    );
    expect(() => new SamokoderStack(Testing.app(), 'prod', js({ environment: 'production', region: AwsRegion.EU_CENTRAL_1 }))).toThrow(
      `[prod] 'tags' (undefined) is required by SamokoderStack`,
    );
    expect(() => new MultiRegionDR(Testing.app(), 'dr', js({ domain: 'samokoder.com', supportCheckDate: TEST_DATE }))).toThrow(
      `[dr] 'tags' (undefined) is required by MultiRegionDR`,
    );
  });
});
