import { Construct } from 'constructs';
import { KubernetesCluster } from '@cdktf/provider-digitalocean/lib/kubernetes-cluster';
import { Loadbalancer } from '@cdktf/provider-digitalocean/lib/loadbalancer';
import { SpacesBucket } from '@cdktf/provider-digitalocean/lib/spaces-bucket';
import { Vpc } from '@cdktf/provider-digitalocean/lib/vpc';
import { _claimNetworkRange, internetWideReason, Ipv4Cidr, Ipv6Cidr } from '../common/cidr';
import { invalidCombination, invalidProp } from '../common/errors';
import { _Registry } from '../common/registry';
import { _freeId, refuseCredential, requireDnsLabel, requireIntegerInRange, requireUrlPath } from '../common/validate';
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
   * IPv4 CIDRs allowed to reach the Kubernetes API (DigitalOcean's control-plane firewall; it takes no IPv6 there):
   * the Argo CD hub's egress (NAT) addresses, which register the cluster with a bearer token, and the operators'.
   * Required unless `publicKubernetesApi` accepts a public API.
   * @default - none: the cluster is refused without this or `publicKubernetesApi`
   */
  readonly apiAllowedCidrs?: string[];
  /**
   * Accepts a Kubernetes API reachable from the whole internet (behind DigitalOcean's authentication only), for an
   * account without the control-plane firewall: DigitalOcean's API describes it as "early availability (invite only)",
   * and provider 2.71.0 requires `allowed_addresses` once the block is written. The reason is written into the runbook
   * and the drill checklist as an accepted risk. Not together with `apiAllowedCidrs`.
   * @default - not accepted: `apiAllowedCidrs` is required
   */
  readonly publicKubernetesApi?: PublicKubernetesApi;
}

/** An explicit acknowledgement that a cluster's Kubernetes API stays reachable from the whole internet. */
export interface PublicKubernetesApi {
  /** Why, in one line (10–300 characters), e.g. `'no control-plane firewall on this account yet (ticket OPS-142)'`. */
  readonly reason: string;
}

/** Who may reach a cluster's Kubernetes API: the allow list, or the reason it is public. */
export interface KubernetesApiAccess {
  /** The control-plane firewall's addresses; empty when the API is public. */
  readonly allowedCidrs: readonly string[];
  /** Why the API is public (`publicKubernetesApi.reason`). */
  readonly publicReason?: string;
}

/**
 * Resolves the API access before anything is built: an allow list (each entry IPv4, none and not all of them the whole
 * internet) or an explicit public API with its reason; neither is refused, since a missing list would leave the API
 * open by default while an explicit 0.0.0.0/0 is refused.
 * Sources: DigitalOcean API `kubernetes/models/control_plane_firewall.yml` (digitalocean/openapi 7c1300c, "early
 * availability (invite only)", "public addresses (IPv4 or CIDR)"); provider 2.71.0 `control_plane_firewall`:
 * `enabled` and `allowed_addresses` both required (@cdktf/provider-digitalocean 13.14.1 `KubernetesClusterControlPlaneFirewall`).
 * @internal
 */
export function _resolveApiAccess(
  path: string,
  cidrs: readonly string[] | undefined,
  open: PublicKubernetesApi | undefined,
): KubernetesApiAccess {
  const listed = cidrs !== undefined && cidrs.length > 0;
  if (listed && open !== undefined) {
    throw invalidCombination(
      path,
      "'apiAllowedCidrs' and 'publicKubernetesApi' are both set: the API is either limited to the list or public, not both",
    );
  }
  if (!listed && open === undefined) {
    throw invalidProp(
      path,
      'apiAllowedCidrs',
      cidrs,
      "must list the IPv4 addresses allowed to reach the clusters' Kubernetes API (DigitalOcean's control-plane firewall): " +
        "the Argo CD hub's egress (NAT) addresses, which register the clusters with a bearer token, and the operators'. " +
        "Where the account has no control-plane firewall (DigitalOcean: early availability, invite only), set 'publicKubernetesApi: { reason }' " +
        'instead to accept an API reachable from the whole internet',
    );
  }
  if (open !== undefined) {
    const reason: unknown = open.reason;
    if (typeof reason !== 'string' || /[\r\n]/.test(reason) || reason.trim().length < 10 || reason.length > 300) {
      throw invalidProp(
        path,
        'publicKubernetesApi.reason',
        reason,
        'must say in one line (10 to 300 characters) why the Kubernetes API may stay public: it is written into the runbook and the drill checklist as an accepted risk',
      );
    }
    refuseCredential(path, 'publicKubernetesApi.reason', reason);
    return { allowedCidrs: [], publicReason: reason.trim() };
  }
  (cidrs ?? []).forEach((c, i) => {
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
  const wide = internetWideReason([...(cidrs ?? [])]);
  if (wide) throw invalidProp(path, 'apiAllowedCidrs', cidrs, `opens the Kubernetes API to the whole internet (${wide})`);
  return { allowedCidrs: [...(cidrs ?? [])] };
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
  /** Who may reach the Kubernetes API: the control-plane firewall's list, or why it is public. */
  public readonly apiAccess: KubernetesApiAccess;
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
    this.apiAccess = _resolveApiAccess(path, props.apiAllowedCidrs, props.publicKubernetesApi);

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
      // Without the block (a public API, accepted above) DigitalOcean leaves the control plane without a firewall.
      ...(this.apiAccess.allowedCidrs.length > 0
        ? { controlPlaneFirewall: { enabled: true, allowedAddresses: [...this.apiAccess.allowedCidrs] } }
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
