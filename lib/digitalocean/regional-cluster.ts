import { Construct } from 'constructs';
import { KubernetesCluster } from '@cdktf/provider-digitalocean/lib/kubernetes-cluster';
import { Loadbalancer } from '@cdktf/provider-digitalocean/lib/loadbalancer';
import { SpacesBucket } from '@cdktf/provider-digitalocean/lib/spaces-bucket';
import { Vpc } from '@cdktf/provider-digitalocean/lib/vpc';
import { _claimNetworkRange, internetWideReason, Ipv4Cidr, Ipv6Cidr } from '../common/cidr';
import { invalidCombination, invalidProp } from '../common/errors';
import { _Registry } from '../common/registry';
import { _freeId, requireDnsLabel, requireIntegerInRange, requireUrlPath } from '../common/validate';
import { DoRegion } from './region';

/** Autoscaling node pool of a regional cluster. */
export interface NodePoolOptions {
  /** Droplet size slug. @default 's-4vcpu-8gb' */
  readonly size?: string;
  /** @default 3 */
  readonly minNodes?: number;
  /** @default 10 */
  readonly maxNodes?: number;
}

/** How the regional load balancer checks the cluster's entry point (the Gateway's NodePort). */
export interface RegionalHealthCheck {
  /** NodePort of the Gateway's HTTP listener on every node. @default 30080 */
  readonly nodePort?: number;
  /** Health path served through the Gateway. @default '/healthz' */
  readonly path?: string;
  /** Seconds between checks (3–300). @default 5 */
  readonly intervalSeconds?: number;
  /** Failed checks before a node is taken out (2–10). @default 3 */
  readonly unhealthyThreshold?: number;
}

/** The pod and service networks of a DOKS cluster created without `cluster_subnet`/`service_subnet`. */
const DOKS_DEFAULT_NETWORKS: ReadonlyArray<[string, Ipv4Cidr]> = [
  ['pod', Ipv4Cidr.parse('DOKS', 'cluster_subnet', '10.244.0.0/16')],
  ['service', Ipv4Cidr.parse('DOKS', 'service_subnet', '10.245.0.0/16')],
];

/** Day of the week for maintenance windows. */
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';
/** @internal */
export const _WEEKDAYS: readonly string[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Props for {@link RegionalCluster}. */
export interface RegionalClusterProps {
  /** Name prefix (a DNS label), e.g. `samokoder-nyc3`. */
  readonly name: string;
  readonly region: DoRegion;
  /** VPC range: RFC 1918, /16 to /24. */
  readonly vpcCidr: string;
  /** Exact DOKS version (a Terraform reference to `digitalocean_kubernetes_versions.latest_version`). */
  readonly kubernetesVersion: string;
  /** @default - 3 to 10 s-4vcpu-8gb nodes */
  readonly nodePool?: NodePoolOptions;
  /** Day of the weekly maintenance window (auto-upgrades happen only then). */
  readonly maintenanceDay: Weekday;
  /** Start of the maintenance window, UTC `HH:MM`. @default '04:00' */
  readonly maintenanceStart?: string;
  /** Tags for every taggable resource. */
  readonly tags: string[];
  /** Name of the TLS certificate the HTTPS listener uses. */
  readonly certificateName: string;
  /** @default - NodePort 30080, /healthz every 5 s, unhealthy after 3 failures */
  readonly healthCheck?: RegionalHealthCheck;
  /**
   * IPv4 CIDRs allowed to reach the Kubernetes API (control-plane firewall; DigitalOcean takes no IPv6 there).
   * @default - no restriction beyond DigitalOcean's authentication
   */
  readonly apiAllowedCidrs?: string[];
}

/**
 * One region of the platform: a VPC, an HA DOKS cluster with auto-upgrades in its own maintenance window, surge
 * upgrades and an autoscaling node pool, a regional load balancer (HTTPS, HTTP redirected, health-checked) in front of
 * the cluster's Gateway, and a private, versioned Spaces bucket.
 */
export class RegionalCluster extends Construct {
  public readonly vpc: Vpc;
  public readonly cluster: KubernetesCluster;
  public readonly loadBalancer: Loadbalancer;
  public readonly bucket: SpacesBucket;
  public readonly region: DoRegion;
  /** Resolved node pool sizing. */
  public readonly nodePool: Required<NodePoolOptions>;
  /** Resolved health check. */
  public readonly healthCheck: Required<RegionalHealthCheck>;
  /** Parsed VPC range. */
  public readonly vpcRange: Ipv4Cidr;
  /** The cluster's name (for the check across stacks). @internal */
  public readonly _name: string;

  constructor(scope: Construct, id: string, props: RegionalClusterProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name, 50);
    props.region._require(path, 'region', 'kubernetes');
    props.region._require(path, 'region', 'loadBalancers');
    props.region._require(path, 'region', 'spaces');
    this.region = props.region;
    this.vpcRange = Ipv4Cidr.parse(path, 'vpcCidr', props.vpcCidr);
    if (!this.vpcRange.isPrivate() || this.vpcRange.prefix < 16 || this.vpcRange.prefix > 24) {
      throw invalidProp(path, 'vpcCidr', props.vpcCidr, 'must be an RFC 1918 range from /16 to /24 (DigitalOcean VPC limits)');
    }
    // DOKS gives a cluster created without cluster_subnet/service_subnet (as these are) its pods and Services from
    // these ranges (the DigitalOcean API's cluster examples); a VPC inside them makes nodes unreachable from pods.
    for (const [what, range] of DOKS_DEFAULT_NETWORKS) {
      if (range.overlaps(this.vpcRange)) {
        const how = range.toString() === this.vpcRange.toString() ? 'is' : 'overlaps';
        throw invalidProp(
          path,
          'vpcCidr',
          props.vpcCidr,
          `${how} the ${what} network DOKS gives a cluster by default (${range}): nodes could not reach pods or Services; use another range such as "10.10.0.0/16"`,
        );
      }
    }
    // Other DR pairs of the same app: cluster names are unique in a DigitalOcean account and the Spaces bucket
    // (`<name>-files`) is named globally, so a second pair of the same project cannot be created; VPCs that may be
    // peered need disjoint ranges.
    const clusters = _Registry.of<RegionalCluster>(this, 'RegionalCluster');
    for (const other of clusters.all()) {
      // The pair of one MultiRegionDR is checked by it (one message for both regions).
      if (other.node.scope === this.node.scope) continue;
      if (other._name === name) {
        throw invalidProp(
          path,
          'name',
          name,
          `is already the name of ${other.node.path}: DigitalOcean cluster names are unique in an account and Spaces bucket names are global (give each stack its own project)`,
        );
      }
      if (other.vpcRange.overlaps(this.vpcRange)) {
        throw invalidProp(
          path,
          'vpcCidr',
          this.vpcRange.toString(),
          `overlaps ${other.vpcRange.toString()}, the VPC of ${other.node.path} in the same app: VPCs that may be peered need disjoint ranges`,
        );
      }
    }
    _claimNetworkRange(this, 'vpcCidr', props.vpcCidr, this.vpcRange, 'DigitalOcean');
    this._name = name;
    clusters.add(this);
    const np = props.nodePool ?? {};
    const minNodes = requireIntegerInRange(path, 'nodePool.minNodes', np.minNodes ?? 3, 1, 512);
    const maxNodes = requireIntegerInRange(path, 'nodePool.maxNodes', np.maxNodes ?? 10, 1, 512);
    if (minNodes > maxNodes) {
      throw invalidCombination(path, `'nodePool.minNodes' (${minNodes}) must not exceed 'nodePool.maxNodes' (${maxNodes})`);
    }
    this.nodePool = { size: np.size ?? 's-4vcpu-8gb', minNodes, maxNodes };
    const hc = props.healthCheck ?? {};
    this.healthCheck = {
      nodePort: requireIntegerInRange(path, 'healthCheck.nodePort', hc.nodePort ?? 30080, 30000, 32767),
      path: requireUrlPath(path, 'healthCheck.path', hc.path ?? '/healthz'),
      intervalSeconds: requireIntegerInRange(path, 'healthCheck.intervalSeconds', hc.intervalSeconds ?? 5, 3, 300),
      unhealthyThreshold: requireIntegerInRange(path, 'healthCheck.unhealthyThreshold', hc.unhealthyThreshold ?? 3, 2, 10),
    };
    const start = props.maintenanceStart ?? '04:00';
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(start)) {
      throw invalidProp(path, 'maintenanceStart', start, 'must be a UTC time HH:MM');
    }
    (props.apiAllowedCidrs ?? []).forEach((c, i) => {
      // DigitalOcean's API: "an array of public addresses (IPv4 or CIDR)" for the control-plane firewall.
      if (Ipv6Cidr.tryParse(c)) {
        throw invalidProp(
          path,
          `apiAllowedCidrs[${i}]`,
          c,
          'is an IPv6 range: the DOKS control-plane firewall admits IPv4 addresses and ranges only',
        );
      }
      Ipv4Cidr.parse(path, `apiAllowedCidrs[${i}]`, c);
      // An entry that is the whole internet alone is named by its index; the list, when only together they are.
      const alone = internetWideReason([c]);
      if (alone) throw invalidProp(path, `apiAllowedCidrs[${i}]`, c, `opens the Kubernetes API to the whole internet (${alone})`);
    });
    const wide = internetWideReason(props.apiAllowedCidrs ?? []);
    if (wide) {
      throw invalidProp(path, 'apiAllowedCidrs', props.apiAllowedCidrs, `opens the Kubernetes API to the whole internet (${wide})`);
    }

    const region = props.region.slug;
    this.vpc = new Vpc(this, 'Vpc', {
      name: `${name}-vpc`,
      region,
      ipRange: this.vpcRange.toString(),
      description: `${name}: cluster, load balancer and databases`,
    });
    const nodeTag = `${name}-nodes`;
    this.cluster = new KubernetesCluster(this, 'Cluster', {
      name,
      region,
      version: props.kubernetesVersion,
      vpcUuid: this.vpc.id,
      ha: true,
      autoUpgrade: true,
      surgeUpgrade: true,
      maintenancePolicy: { day: props.maintenanceDay, startTime: start },
      registryIntegration: true,
      destroyAllAssociatedResources: false,
      tags: props.tags,
      nodePool: {
        name: `${name}-default`,
        size: this.nodePool.size,
        autoScale: true,
        minNodes,
        maxNodes,
        tags: [...props.tags, nodeTag],
        labels: { 'samokoder.dev/pool': 'default' },
      },
      ...(props.apiAllowedCidrs && props.apiAllowedCidrs.length > 0
        ? { controlPlaneFirewall: { enabled: true, allowedAddresses: props.apiAllowedCidrs } }
        : {}),
      lifecycle: { preventDestroy: true },
    });
    this.loadBalancer = new Loadbalancer(this, 'LoadBalancer', {
      name: `${name}-ingress`,
      region,
      type: 'REGIONAL',
      vpcUuid: this.vpc.id,
      sizeUnit: 2,
      dropletTag: nodeTag,
      redirectHttpToHttps: true,
      enableBackendKeepalive: true,
      httpIdleTimeoutSeconds: 60,
      disableLetsEncryptDnsRecords: true,
      forwardingRule: [
        {
          entryProtocol: 'https',
          entryPort: 443,
          targetProtocol: 'http',
          targetPort: this.healthCheck.nodePort,
          certificateName: props.certificateName,
          tlsPassthrough: false,
        },
        { entryProtocol: 'http', entryPort: 80, targetProtocol: 'http', targetPort: this.healthCheck.nodePort },
      ],
      healthcheck: {
        protocol: 'http',
        port: this.healthCheck.nodePort,
        path: this.healthCheck.path,
        checkIntervalSeconds: this.healthCheck.intervalSeconds,
        responseTimeoutSeconds: Math.min(3, this.healthCheck.intervalSeconds - 1),
        unhealthyThreshold: this.healthCheck.unhealthyThreshold,
        healthyThreshold: 3,
      },
      dependsOn: [this.cluster],
    });
    this.bucket = new SpacesBucket(this, 'Bucket', {
      name: `${name}-files`,
      region,
      acl: 'private',
      forceDestroy: false,
      versioning: { enabled: true },
      lifecycleRule: [
        { id: 'noncurrent-and-multipart', enabled: true, abortIncompleteMultipartUploadDays: 7, noncurrentVersionExpiration: { days: 90 } },
      ],
      lifecycle: { preventDestroy: true },
    });
  }

  /** Seconds until the load balancer takes an unhealthy entry point out: interval × unhealthy threshold. */
  public get detectionSeconds(): number {
    return this.healthCheck.intervalSeconds * this.healthCheck.unhealthyThreshold;
  }
}
