import { PodRole } from 'samokoder-infra';
import { synth, testStack } from '../util/tf';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON is untyped
type Obj = Record<string, any>;

const externalDnsRole = (changeRecordSets: NonNullable<ConstructorParameters<typeof PodRole>[2]['changeRecordSets']>) => {
  const stack = testStack();
  new PodRole(stack, 'ExternalDns', {
    roleName: 'shop-production-external-dns',
    clusterName: 'shop-production',
    namespace: 'external-dns',
    serviceAccount: 'external-dns',
    changeRecordSets,
  });
  const policy = Object.values(synth(stack).resource.aws_iam_role_policy)[0] as Obj;
  return JSON.parse(policy.policy as string).Statement as Obj[];
};

describe('PodRole changeRecordSets (external-dns on Route 53)', () => {
  test('changes records of its names in one zone only; reads that zone; lists zones, which takes no resource', () => {
    const statements = externalDnsRole({ hostedZoneId: 'Z0123456789ABC', domains: ['Example.com.'], excludeDomains: ['app.example.com'] });
    const zone = 'arn:aws:route53:::hostedzone/Z0123456789ABC';
    const key = 'route53:ChangeResourceRecordSetsNormalizedRecordNames';
    expect(statements).toEqual([
      {
        Sid: 'ChangeRecords',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets'],
        Resource: zone,
        Condition: { 'ForAllValues:StringLike': { [key]: ['example.com', '*.example.com'] } },
      },
      {
        Sid: 'KeepOffExcluded',
        Effect: 'Deny',
        Action: ['route53:ChangeResourceRecordSets'],
        Resource: zone,
        Condition: { 'ForAnyValue:StringLike': { [key]: ['app.example.com', '*.app.example.com'] } },
      },
      { Sid: 'ReadRecords', Effect: 'Allow', Action: ['route53:ListResourceRecordSets', 'route53:ListTagsForResources'], Resource: zone },
      { Sid: 'ListZones', Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' },
    ]);
  });

  test('without exclusions, no Deny statement', () => {
    expect(externalDnsRole({ hostedZoneId: 'Z0123456789ABC', domains: ['staging.example.com'] }).map((s) => s.Sid)).toEqual([
      'ChangeRecords',
      'ReadRecords',
      'ListZones',
    ]);
  });

  test.each<[Obj, string]>([
    [
      { hostedZoneId: '/hostedzone/Z0123456789ABC', domains: ['example.com'] },
      `[test/ExternalDns] 'changeRecordSets.hostedZoneId' ("/hostedzone/Z0123456789ABC") must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ"`,
    ],
    [{ hostedZoneId: 'Z0123456789ABC', domains: [] }, `[test/ExternalDns] 'changeRecordSets.domains' ([]) must name at least one domain`],
  ])('refused: %#', (changeRecordSets, message) => {
    expect(() => externalDnsRole(changeRecordSets as Parameters<typeof externalDnsRole>[0])).toThrow(message);
  });
});
