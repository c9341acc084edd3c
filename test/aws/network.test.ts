import { AwsRegion, NatGateways, SamokoderNetwork, SamokoderNetworkProps } from 'samokoder-infra';
import { only, resources, synth, testStack } from '../util/tf';

function network(props: Partial<SamokoderNetworkProps> = {}) {
  const stack = testStack();
  new SamokoderNetwork(stack, 'Network', {
    namePrefix: 'sk-prod',
    region: AwsRegion.EU_CENTRAL_1,
    logsKmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
    clusterName: 'sk-prod',
    ...props,
  });
  return synth(stack);
}

describe('SamokoderNetwork', () => {
  test('GIVEN defaults THEN a /16 VPC over 3 zones with private /19, public /22 and database /24 subnets', () => {
    const s = network();
    expect(only(s, 'aws_vpc')).toMatchObject({ cidr_block: '10.0.0.0/16', enable_dns_hostnames: true, enable_dns_support: true });
    const subnets = resources(s, 'aws_subnet');
    const byTier = (tier: string) => subnets.filter((x) => x.tags.Tier === tier).map((x) => [x.cidr_block, x.availability_zone]);
    expect(byTier('private')).toEqual([
      ['10.0.0.0/19', 'eu-central-1a'],
      ['10.0.32.0/19', 'eu-central-1b'],
      ['10.0.64.0/19', 'eu-central-1c'],
    ]);
    expect(byTier('public')).toEqual([
      ['10.0.96.0/22', 'eu-central-1a'],
      ['10.0.100.0/22', 'eu-central-1b'],
      ['10.0.104.0/22', 'eu-central-1c'],
    ]);
    expect(byTier('database')).toEqual([
      ['10.0.108.0/24', 'eu-central-1a'],
      ['10.0.109.0/24', 'eu-central-1b'],
      ['10.0.110.0/24', 'eu-central-1c'],
    ]);
  });

  test('no subnet assigns public IPs on launch, and every tier carries its discovery tags', () => {
    const subnets = resources(network(), 'aws_subnet');
    expect(subnets.every((x) => x.map_public_ip_on_launch === false)).toBe(true);
    for (const x of subnets.filter((y) => y.tags.Tier === 'public')) {
      expect(x.tags).toMatchObject({ 'kubernetes.io/role/elb': '1', 'kubernetes.io/cluster/sk-prod': 'shared' });
    }
    for (const x of subnets.filter((y) => y.tags.Tier === 'private')) {
      expect(x.tags).toMatchObject({ 'kubernetes.io/role/internal-elb': '1' });
    }
  });

  test('one NAT gateway per zone by default, a single one on request', () => {
    expect(resources(network(), 'aws_nat_gateway')).toHaveLength(3);
    const single = network({ natGateways: NatGateways.SINGLE });
    expect(resources(single, 'aws_nat_gateway')).toHaveLength(1);
    const routes = resources(single, 'aws_route').filter((r) => r.nat_gateway_id);
    expect(new Set(routes.map((r) => r.nat_gateway_id)).size).toBe(1);
    expect(routes).toHaveLength(3);
  });

  test('database subnets have no route to the internet', () => {
    const s = network();
    const dbTable = Object.entries(s.resource.aws_route_table).find(
      ([, t]) => (t.tags as Record<string, string>).Name === 'sk-prod-database',
    )![0];
    const routesToDb = resources(s, 'aws_route').filter((r) => String(r.route_table_id).includes(dbTable));
    expect(routesToDb).toEqual([]);
  });

  test('the default security group is managed and has no rules', () => {
    expect(only(network(), 'aws_default_security_group')).toMatchObject({ ingress: [], egress: [] });
  });

  test('flow logs of all traffic go to an encrypted log group with retention', () => {
    const s = network();
    expect(only(s, 'aws_flow_log')).toMatchObject({ traffic_type: 'ALL', log_destination_type: 'cloud-watch-logs' });
    expect(only(s, 'aws_cloudwatch_log_group')).toMatchObject({
      retention_in_days: 365,
      kms_key_id: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
    });
  });

  describe('bad input', () => {
    test.each([
      [
        { azCount: 1 },
        `[test/Network] 'azCount' (1) must be from 2 to 3 (eu-central-1 has 3 zones: eu-central-1a, eu-central-1b, eu-central-1c)`,
      ],
      [
        { azCount: 4 },
        `[test/Network] 'azCount' (4) must be from 2 to 3 (eu-central-1 has 3 zones: eu-central-1a, eu-central-1b, eu-central-1c)`,
      ],
      [{ cidr: '10.0.0.0' }, `[test/Network] 'cidr' ("10.0.0.0") has no prefix length. Did you mean "10.0.0.0/16"?`],
      [{ cidr: '10.0.300.0/16' }, `[test/Network] 'cidr' ("10.0.300.0/16") is not an IPv4 CIDR block such as "10.0.0.0/16"`],
      [{ cidr: '10.0.1.0/16' }, `[test/Network] 'cidr' ("10.0.1.0/16") has host bits set. Did you mean "10.0.0.0/16"?`],
      [
        { cidr: '10.0.0.0/24' },
        `[test/Network] 'cidr' ("10.0.0.0/24") must have a prefix length from /16 to /20 (pods take one VPC address each)`,
      ],
      [
        { cidr: '8.8.0.0/16' },
        `[test/Network] 'cidr' ("8.8.0.0/16") must be inside an RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)`,
      ],
      [
        { avoidCidrs: ['10.0.128.0/17'] },
        `[test/Network] 'cidr' ("10.0.0.0/16") overlaps 10.0.128.0/17 (avoidCidrs[0]): peered or routed networks need disjoint ranges`,
      ],
      [{ avoidCidrs: ['10.1.0.0'] }, `[test/Network] 'avoidCidrs[0]' ("10.1.0.0") has no prefix length`],
      [
        { flowLogRetentionDays: 10 },
        `[test/Network] 'flowLogRetentionDays' (10) must be one of CloudWatch Logs' retention values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
      ],
    ])('%j is refused', (props, message) => {
      expect(() => network(props)).toThrow(message);
    });
  });
});
