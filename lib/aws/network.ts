import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import { _claimNetworkRange, Ipv4Cidr, parseCidr } from '../common/cidr';
import { invalidProp } from '../common/errors';
import { _Registry } from '../common/registry';
import { _policy, _serviceTrust } from './private/kms';
import { AwsRegion } from './region';
import { _AllKeys, _checkProps } from '../common/props';
import { _freeId } from '../common/validate';

/** How many NAT gateways the network gets. */
export class NatGateways {
  /** One NAT gateway per availability zone: a zone outage does not cut the others off (production). */
  public static readonly ONE_PER_AZ = new NatGateways('one-per-az');
  /** A single NAT gateway shared by all zones: cheaper, one zone is a single point of failure (staging). */
  public static readonly SINGLE = new NatGateways('single');
  private constructor(public readonly strategy: 'one-per-az' | 'single') {}
}

/** Props for {@link SamokoderNetwork}. */
export interface SamokoderNetworkProps {
  /** Prefix for resource names, e.g. `samokoder-production`. */
  readonly namePrefix: string;
  /** Region; its zone list bounds `azCount`. */
  readonly region: AwsRegion;
  /**
   * VPC CIDR block, /16 to /20. It is split into a private /19-equivalent per zone (sized for pod IPs: the VPC CNI
   * gives every pod a VPC address), a public /22-equivalent and a database /24-equivalent per zone.
   * @default '10.0.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Number of availability zones, at least 2 and at most what the region has (and 6).
   * @default 3
   */
  readonly azCount?: number;
  /**
   * NAT gateway layout.
   * @default NatGateways.ONE_PER_AZ
   */
  readonly natGateways?: NatGateways;
  /**
   * EKS cluster name for the `kubernetes.io/cluster/<name>` subnet discovery tag.
   * @default - no cluster tag (the role tags are still written)
   */
  readonly clusterName?: string;
  /**
   * Ranges this VPC must not overlap: peered VPCs, VPN and office networks, other environments. IPv6 ranges are
   * accepted (checked, and never in the way of the IPv4 VPC).
   * @default []
   */
  readonly avoidCidrs?: string[];
  /** KMS key ARN that encrypts the flow-log group. */
  readonly logsKmsKeyArn: string;
  /**
   * Retention of the VPC flow logs, in days.
   * @default 365
   */
  readonly flowLogRetentionDays?: number;
}

/** CloudWatch Logs accepts only these retention values. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** @internal */
export function _requireRetention(path: string, prop: string, days: number): number {
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(days)) {
    throw invalidProp(path, prop, days, `must be one of CloudWatch Logs' retention values: ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  return days;
}

/** Every prop of {@link SamokoderNetworkProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const SAMOKODER_NETWORK_PROPS = [
  'namePrefix',
  'region',
  'cidr',
  'azCount',
  'natGateways',
  'clusterName',
  'avoidCidrs',
  'logsKmsKeyArn',
  'flowLogRetentionDays',
] as const;
const SAMOKODER_NETWORK_REQUIRED = ['namePrefix', 'region', 'logsKmsKeyArn'] as const;

/**
 * A three-tier VPC: public subnets (load balancers, NAT), private subnets (EKS nodes and pods) and isolated
 * database subnets (no route to the internet), across availability zones, with flow logs and an emptied default
 * security group.
 */
export class SamokoderNetwork extends Construct {
  public readonly vpc: Vpc;
  public readonly publicSubnets: Subnet[];
  public readonly privateSubnets: Subnet[];
  public readonly databaseSubnets: Subnet[];
  /** The availability zones in use. */
  public readonly availabilityZones: string[];
  /** CIDR blocks of the database subnets, in zone order. */
  public readonly databaseCidrs: string[];
  /** The VPC's range. */
  public readonly cidr: string;

  constructor(scope: Construct, id: string, props: SamokoderNetworkProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<SamokoderNetworkProps, typeof SAMOKODER_NETWORK_PROPS>>(
      this.node.path,
      'SamokoderNetwork',
      props,
      SAMOKODER_NETWORK_PROPS,
      SAMOKODER_NETWORK_REQUIRED,
    );
    const path = this.node.path;
    const cidr = Ipv4Cidr.parse(path, 'cidr', props.cidr ?? '10.0.0.0/16');
    if (cidr.prefix < 16 || cidr.prefix > 20) {
      throw invalidProp(path, 'cidr', props.cidr, 'must have a prefix length from /16 to /20 (pods take one VPC address each)');
    }
    if (!cidr.isPrivate()) {
      throw invalidProp(path, 'cidr', props.cidr, 'must be inside an RFC 1918 range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)');
    }
    this.cidr = cidr.toString();
    // Every other network of the same app (another environment's stack) must not overlap either.
    const networks = _Registry.of<SamokoderNetwork>(this, 'SamokoderNetwork');
    for (const other of networks.all()) {
      if (Ipv4Cidr.parse(other.node.path, 'cidr', other.cidr).overlaps(cidr)) {
        throw invalidProp(
          path,
          'cidr',
          props.cidr ?? cidr.toString(),
          `overlaps ${other.cidr}, the VPC of ${other.node.path} in the same app: environments that may be peered or routed need disjoint ranges`,
        );
      }
    }
    _claimNetworkRange(this, 'cidr', props.cidr ?? cidr.toString(), cidr, 'AWS');
    networks.add(this);
    (props.avoidCidrs ?? []).forEach((other, i) => {
      const o = parseCidr(path, `avoidCidrs[${i}]`, other);
      // An IPv6 range (an office network's other half) is checked, but cannot overlap the IPv4 VPC.
      if (o instanceof Ipv4Cidr && o.overlaps(cidr)) {
        throw invalidProp(
          path,
          'cidr',
          props.cidr ?? cidr.toString(),
          `overlaps ${o} (avoidCidrs[${i}]): peered or routed networks need disjoint ranges`,
        );
      }
    });
    const zones = props.region._check(path, 'region').availabilityZones;
    const azCount = props.azCount ?? 3;
    if (!Number.isInteger(azCount) || azCount < 2 || azCount > Math.min(zones.length, 6)) {
      throw invalidProp(
        path,
        'azCount',
        azCount,
        `must be from 2 to ${Math.min(zones.length, 6)} (${props.region.name} has ${zones.length} zones: ${zones.join(', ')})`,
      );
    }
    const retention = _requireRetention(path, 'flowLogRetentionDays', props.flowLogRetentionDays ?? 365);
    const nat = props.natGateways ?? NatGateways.ONE_PER_AZ;
    this.availabilityZones = zones.slice(0, azCount);

    const p = cidr.prefix;
    const blocks = cidr.carve([
      ...Array<number>(azCount).fill(p + 3),
      ...Array<number>(azCount).fill(p + 6),
      ...Array<number>(azCount).fill(p + 8),
    ]);
    const privateCidrs = blocks.slice(0, azCount);
    const publicCidrs = blocks.slice(azCount, 2 * azCount);
    const databaseCidrs = blocks.slice(2 * azCount);
    this.databaseCidrs = databaseCidrs.map((b) => b.toString());

    const name = props.namePrefix;
    this.vpc = new Vpc(this, 'Vpc', {
      cidrBlock: cidr.toString(),
      enableDnsSupport: true,
      enableDnsHostnames: true,
      instanceTenancy: 'default',
      tags: { Name: name },
    });

    // Empty the default security group: nothing may silently fall back to it.
    new DefaultSecurityGroup(this, 'DefaultSecurityGroup', {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: { Name: `${name}-default-deny` },
    });

    const clusterTag: Record<string, string> = props.clusterName ? { [`kubernetes.io/cluster/${props.clusterName}`]: 'shared' } : {};
    const subnet = (tier: string, i: number, block: Ipv4Cidr, tags: Record<string, string>) =>
      new Subnet(this, `${tier}Subnet${i + 1}`, {
        vpcId: this.vpc.id,
        cidrBlock: block.toString(),
        availabilityZone: this.availabilityZones[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: `${name}-${tier.toLowerCase()}-${this.availabilityZones[i]}`, Tier: tier.toLowerCase(), ...tags },
      });
    this.publicSubnets = publicCidrs.map((b, i) => subnet('Public', i, b, { 'kubernetes.io/role/elb': '1', ...clusterTag }));
    this.privateSubnets = privateCidrs.map((b, i) => subnet('Private', i, b, { 'kubernetes.io/role/internal-elb': '1', ...clusterTag }));
    this.databaseSubnets = databaseCidrs.map((b, i) => subnet('Database', i, b, {}));

    const igw = new InternetGateway(this, 'InternetGateway', { vpcId: this.vpc.id, tags: { Name: name } });
    const publicRoutes = new RouteTable(this, 'PublicRouteTable', { vpcId: this.vpc.id, tags: { Name: `${name}-public` } });
    new Route(this, 'PublicDefaultRoute', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: igw.id,
    });
    this.publicSubnets.forEach(
      (s, i) => new RouteTableAssociation(this, `PublicRouteTableAssociation${i + 1}`, { subnetId: s.id, routeTableId: publicRoutes.id }),
    );

    const natCount = nat.strategy === 'one-per-az' ? azCount : 1;
    const natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `NatEip${i + 1}`, { domain: 'vpc', tags: { Name: `${name}-nat-${i + 1}` } });
      return new NatGateway(this, `NatGateway${i + 1}`, {
        allocationId: eip.allocationId,
        subnetId: this.publicSubnets[i].id,
        connectivityType: 'public',
        tags: { Name: `${name}-nat-${this.availabilityZones[i]}` },
        dependsOn: [igw],
      });
    });
    this.privateSubnets.forEach((s, i) => {
      const table = new RouteTable(this, `PrivateRouteTable${i + 1}`, {
        vpcId: this.vpc.id,
        tags: { Name: `${name}-private-${this.availabilityZones[i]}` },
      });
      new Route(this, `PrivateDefaultRoute${i + 1}`, {
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: natGateways[Math.min(i, natCount - 1)].id,
      });
      new RouteTableAssociation(this, `PrivateRouteTableAssociation${i + 1}`, { subnetId: s.id, routeTableId: table.id });
    });
    // Database subnets: a route table with only the local route (isolated tier).
    const databaseRoutes = new RouteTable(this, 'DatabaseRouteTable', { vpcId: this.vpc.id, tags: { Name: `${name}-database` } });
    this.databaseSubnets.forEach(
      (s, i) =>
        new RouteTableAssociation(this, `DatabaseRouteTableAssociation${i + 1}`, { subnetId: s.id, routeTableId: databaseRoutes.id }),
    );

    // Flow logs of all traffic to an encrypted log group, through a role that can write only there.
    const logGroup = new CloudwatchLogGroup(this, 'FlowLogGroup', {
      name: `/aws/vpc/${name}/flow-logs`,
      retentionInDays: retention,
      kmsKeyId: props.logsKmsKeyArn,
    });
    const role = new IamRole(this, 'FlowLogRole', {
      name: `${name}-vpc-flow-logs`,
      assumeRolePolicy: _serviceTrust('vpc-flow-logs.amazonaws.com'),
    });
    new IamRolePolicy(this, 'FlowLogRolePolicy', {
      role: role.id,
      name: 'write-flow-logs',
      policy: _policy([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [`${logGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, 'FlowLog', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 60,
    });
  }

  /** IDs of the private subnets. */
  public get privateSubnetIds(): string[] {
    return this.privateSubnets.map((s) => s.id);
  }

  /** IDs of the database subnets. */
  public get databaseSubnetIds(): string[] {
    return this.databaseSubnets.map((s) => s.id);
  }
}
