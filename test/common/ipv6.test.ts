/**
 * IPv6 ranges (#27): accepted where the system they are written to accepts them (a NetworkPolicy's ipBlock), refused
 * with the reason where it does not (EKS public access on an IPv4 cluster, the DOKS control-plane firewall), and
 * `::/0` refused wherever `0.0.0.0/0` is.
 */
import { Testing } from 'cdktf';
import { AwsRegion, Dependency, EndpointAccess, MultiRegionDR, ProductionApp, SamokoderCluster, SamokoderNetwork } from 'samokoder-infra';
import { find, render, testApp } from '../util/k8s';
import { TEST_DATE, testStack } from '../util/tf';

const app = (...dependencies: Dependency[]) => new ProductionApp(testApp(), 'api', { name: 'api', image: 'r/api:1.0.0', dependencies });

describe('IPv6 egress dependencies (a NetworkPolicy ipBlock takes IPv6)', () => {
  test.each<[string, string]>([
    ['2001:db8::/64', '2001:db8::/64'],
    ['2001:db8:0:1::/64', '2001:db8:0:1::/64'],
    ['2001:db8:abcd:12::5/128', '2001:db8:abcd:12::5/128'],
    ['fd00::/8', 'fd00::/8'],
    // Written in the canonical form the API server keeps (RFC 5952), so Argo CD shows no diff.
    ['2001:DB8:0:0:0:0:0:0/32', '2001:db8::/32'],
    ['2001:0db8:0000::/48', '2001:db8::/48'],
  ])('%s is accepted and written as %s', (cidr, written) => {
    const objects = render(app(Dependency.cidr('db', cidr, 5432)));
    const policy = find(objects, 'NetworkPolicy', 'api-allow-dependencies');
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: written } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });

  test('an IPv4 and an IPv6 range side by side', () => {
    expect(() => app(Dependency.cidr('db4', '10.0.3.0/24', 5432), Dependency.cidr('db6', '2001:db8::/64', 5432))).not.toThrow();
  });

  test.each<[string, string]>([
    ['::/0', `'dependencies[0].cidr' ("::/0") opens egress to the whole internet (::/0 is the whole internet)`],
    ['8000::/1', `'dependencies[0].cidr' ("8000::/1") opens egress to the whole internet (8000::/1 is wider than an IPv6 /16)`],
    ['2001:db8::1/64', `'dependencies[0].cidr' ("2001:db8::1/64") has host bits set. Did you mean "2001:db8::/64"?`],
    ['2001:db8::', `'dependencies[0].cidr' ("2001:db8::") has no prefix length. Did you mean "2001:db8::/64"?`],
    ['2001:db8::5', `'dependencies[0].cidr' ("2001:db8::5") has no prefix length. Did you mean "2001:db8::5/128"?`],
    [
      '2001:db8::/129',
      `'dependencies[0].cidr' ("2001:db8::/129") is not an IPv4 or IPv6 CIDR block such as "10.0.0.0/16" or "2001:db8::/64"`,
    ],
    ['2001:db8:::/64', `'dependencies[0].cidr' ("2001:db8:::/64") is not an IPv4 or IPv6 CIDR block`],
    ['1:2:3:4:5:6:7:8:9/64', `'dependencies[0].cidr' ("1:2:3:4:5:6:7:8:9/64") is not an IPv4 or IPv6 CIDR block`],
    [
      '::ffff:0.0.0.0/96',
      `'dependencies[0].cidr' ("::ffff:0.0.0.0/96") is an IPv4-mapped IPv6 range: write the IPv4 block (NetworkPolicies match IPv4 clients by their IPv4 address)`,
    ],
  ])('%s is refused', (cidr, message) => {
    expect(() => app(Dependency.cidr('db', cidr, 5432))).toThrow(`[api] ${message}`);
  });
});

describe('IPv6 where the system refuses it, with the reason', () => {
  test('EKS public access on an IPv4 cluster', () => {
    expect(
      () =>
        new SamokoderCluster(testStack(), 'Cluster', {
          clusterName: 'sk-prod',
          region: 'eu-central-1',
          subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
          supportCheckDate: TEST_DATE,
          endpointAccess: EndpointAccess.publicAndPrivate(['203.0.113.0/24', '2001:db8::/48']),
        }),
    ).toThrow(
      `[test/Cluster] 'endpointAccess.publicCidrs[1]' ("2001:db8::/48") is an IPv6 range: EKS admits IPv6 ranges to the public endpoint of IPv6 clusters only, and this cluster is IPv4; list the IPv4 ranges the clients connect from`,
    );
  });

  test('the DOKS control-plane firewall', () => {
    expect(
      () =>
        new MultiRegionDR(Testing.app(), 'dr', {
          localState: true,
          domain: 'samokoder.com',
          host: 'app.samokoder.com',
          alertEmails: ['oncall@samokoder.com'],
          tags: { environment: 'production', service: 's', team: 't', costCenter: 'c' },
          supportCheckDate: TEST_DATE,
          apiAllowedCidrs: ['2001:db8::/48'],
        }),
    ).toThrow(
      `[dr] 'apiAllowedCidrs[0]' ("2001:db8::/48") is an IPv6 range: the DOKS control-plane firewall admits IPv4 addresses and ranges only`,
    );
  });
});

describe('IPv6 ranges a VPC must avoid', () => {
  const network = (avoidCidrs: string[]) => () =>
    new SamokoderNetwork(testStack(), 'Network', {
      namePrefix: 'sk-prod',
      region: AwsRegion.EU_CENTRAL_1,
      logsKmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
      avoidCidrs,
    });
  test('an office network listed with its IPv4 and IPv6 ranges is accepted (an IPv6 range cannot overlap the IPv4 VPC)', () => {
    expect(network(['192.168.10.0/24', '2001:db8:10::/48'])).not.toThrow();
  });
  test('a malformed IPv6 range is still refused', () => {
    expect(network(['2001:db8::1/48'])).toThrow(
      `[test/Network] 'avoidCidrs[0]' ("2001:db8::1/48") has host bits set. Did you mean "2001:db8::/48"?`,
    );
  });
});
