import type { IEnvoyProxy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/EnvoyProxy';
import { _requireAwsRegionName } from '../common/aws-regions';
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';

import { requireDnsLabel, requireIntegerInRange } from '../common/validate';
import { _AllKeys, _checkProps } from '../common/props';
import { _CLUSTER_AUTOSCALER_IDENTITY, _EXTERNAL_DNS_IDENTITY } from '../common/identities';
import { invalidProp } from '../common/errors';
import { _requireIamUserName } from '../k8s/reader-key-rotation';
import { PlatformDns } from './platform-dns';

type ProxyService = NonNullable<NonNullable<NonNullable<IEnvoyProxy['spec']['provider']>['kubernetes']>['envoyService']>;
type StoreProvider = NonNullable<IClusterSecretStore['spec']>['provider'];

/** A StorageClass the platform layer creates on a cloud that ships none it can use (see {@link PlatformCloud}). */
export interface PlatformStorageClass {
  readonly name: string;
  readonly provisioner: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * The StorageClasses each cloud's managed Kubernetes ships, read from the source:
 * - EKS: `gp2` only (in-tree `kubernetes.io/aws-ebs`, served by the EBS CSI driver through CSI migration), and since
 *   EKS 1.30 no longer marked default ("Amazon EKS no longer includes the default annotation on the gp2 StorageClass
 *   resource applied to newly created clusters": EKS user guide, Kubernetes 1.30 release notes). No `gp3`.
 * - DOKS: `do-block-storage` (default), `do-block-storage-retain`, `do-block-storage-xfs`,
 *   `do-block-storage-xfs-retain`, provisioner `dobs.csi.digitalocean.com` (digitalocean/csi-digitalocean
 *   deploy/kubernetes/releases/csi-digitalocean-v4.19.0/driver.yaml, what DOKS installs).
 */
const SHIPPED_STORAGE_CLASSES = {
  aws: ['gp2'],
  digitalocean: ['do-block-storage', 'do-block-storage-retain', 'do-block-storage-xfs', 'do-block-storage-xfs-retain'],
} as const;

/**
 * On EKS the platform creates `gp3`: encrypted EBS gp3 through the EBS CSI driver (the `aws-ebs-csi-driver` add-on
 * `EksCluster` installs), bound where the pod lands (`WaitForFirstConsumer`: EBS volumes live in one zone), kept when
 * its claim is deleted (`Retain`: metrics and other state survive an accidental delete) and expandable.
 */
const EKS_GP3: PlatformStorageClass = {
  name: 'gp3',
  provisioner: 'ebs.csi.aws.com',
  parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
};

/** Options of {@link PlatformCloud.aws}. */
export interface AwsPlatformOptions {
  /** Region of the Secrets Manager entries: one of `AwsRegion.KNOWN_NAMES`, or a newer one with `unlistedRegion`. */
  readonly region: string;
  /** `region` is newer than the library's list of regions: use it as given. @default false */
  readonly unlistedRegion?: boolean;
  /**
   * The EKS cluster's name (the stack's `contract.clusterName`). When given, the platform layer runs Cluster
   * Autoscaler for its managed node groups (with the Pod Identity role `SamokoderStack` creates for it); without an
   * autoscaler the node group never grows past its desired size. @default - no Cluster Autoscaler
   */
  readonly clusterName?: string;
  /**
   * Keep the cluster's public hosts pointed at its gateway's load balancer: the platform layer runs external-dns for
   * the routes on the shared Gateway, owning its records in the zone under `clusterName` (needs `clusterName`).
   * @default - no DNS records: the hosts resolve only where something else points them
   */
  readonly dns?: PlatformDns;
}

/** Options of {@link PlatformCloud.digitalocean}. */
export interface DigitalOceanPlatformOptions {
  /**
   * Region of the AWS Secrets Manager entries the cluster reads. DigitalOcean has no secret manager; the entries stay
   * in AWS (outside both DigitalOcean regions, so a regional outage does not take them along).
   */
  readonly secretsRegion: string;
  /** `secretsRegion` is newer than the library's list of regions: use it as given. @default false */
  readonly unlistedSecretsRegion?: boolean;
  /**
   * The Secret holding a read-only AWS key for External Secrets (keys `access-key-id`, `secret-access-key`), created
   * once per cluster out of band (see the DR runbook): the only credential not synced from the store.
   * @default - `aws-secrets-reader` in `external-secrets`
   */
  readonly credentialsSecret?: { readonly name: string; readonly namespace: string };
  /**
   * The IAM user whose access key `credentialsSecret` holds: take it from the stack's contract
   * (`contract.secretsReader?.iamUser`; `MultiRegionDR` makes one per cluster, allowed to rotate its own key only).
   * When given, the platform layer rotates the key weekly with a `ReaderKeyRotation` in the Secret's namespace (a
   * CronJob whose Role may get and patch that one Secret), and warns when a rotation is late.
   * @default - the key is never rotated
   */
  readonly credentialsUser?: string;
  /**
   * The NodePort the regional load balancer forwards to (take it from the stack's contract:
   * `contract.entry.nodePort`), pinned on the proxies' Service for the gateway's HTTP listener.
   * @default 30080
   */
  readonly nodePort?: number;
  /** Port of the gateway's HTTP listener that the NodePort serves. @default 80 */
  readonly listenerPort?: number;
}

const AWSPLATFORMOPTIONS_KEYS = ['region', 'unlistedRegion', 'clusterName', 'dns'] as const;
const DIGITALOCEANPLATFORMOPTIONS_KEYS = [
  'secretsRegion',
  'unlistedSecretsRegion',
  'credentialsSecret',
  'credentialsUser',
  'nodePort',
  'listenerPort',
] as const;

/**
 * The cloud a cluster runs on: where its secrets come from and how traffic reaches its gateway. A closed vocabulary,
 * extended per cloud.
 */
export class PlatformCloud {
  /**
   * EKS: secrets from AWS Secrets Manager through External Secrets, which authenticates with its own EKS Pod
   * Identity (no keys: see `SamokoderStack`, which grants it the environment's entries only); the gateway behind a
   * Network Load Balancer that keeps the client address (`externalTrafficPolicy: Local`), so rate limits can count
   * per client.
   */
  public static aws(options: AwsPlatformOptions): PlatformCloud {
    _checkProps<_AllKeys<AwsPlatformOptions, typeof AWSPLATFORMOPTIONS_KEYS>>(
      'PlatformCloud.aws()',
      'AWS platform options',
      options,
      AWSPLATFORMOPTIONS_KEYS,
      ['region'] as const,
      '',
    );
    _requireAwsRegionName('PlatformCloud.aws()', 'region', options.region, options.unlistedRegion, 'set unlistedRegion: true');
    if (options.clusterName !== undefined) requireDnsLabel('PlatformCloud.aws()', 'clusterName', options.clusterName, 100);
    if (options.dns !== undefined && !(options.dns instanceof PlatformDns)) {
      throw invalidProp('PlatformCloud.aws()', 'dns', options.dns, 'must be made with PlatformDns.digitalOcean() or PlatformDns.route53()');
    }
    if (options.dns !== undefined && options.clusterName === undefined) {
      throw invalidProp(
        'PlatformCloud.aws()',
        'dns',
        options.dns.zone,
        "needs clusterName: it is the owner id of the cluster's records in the zone (each cluster deletes only its own)",
      );
    }
    return new PlatformCloud(
      'aws',
      { aws: { service: 'SecretsManager', region: options.region } },
      {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        annotations: {
          'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
          'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
        },
      },
      undefined,
      { shipped: SHIPPED_STORAGE_CLASSES.aws, created: [EKS_GP3], default: EKS_GP3.name },
      options.clusterName === undefined ? undefined : { clusterName: options.clusterName, region: options.region },
      options.dns === undefined ? undefined : { dns: options.dns, ownerId: options.clusterName!, region: options.region },
    );
  }

  /**
   * DOKS: secrets from AWS Secrets Manager with a read-only key (DigitalOcean has none of its own); the gateway's
   * proxies on NodePorts behind the regional load balancer the `MultiRegionDR` stack creates.
   */
  public static digitalocean(options: DigitalOceanPlatformOptions): PlatformCloud {
    _checkProps<_AllKeys<DigitalOceanPlatformOptions, typeof DIGITALOCEANPLATFORMOPTIONS_KEYS>>(
      'PlatformCloud.digitalocean()',
      'DigitalOcean platform options',
      options,
      DIGITALOCEANPLATFORMOPTIONS_KEYS,
      ['secretsRegion'] as const,
      '',
    );
    const nodePort = options.nodePort ?? 30080;
    const listenerPort = options.listenerPort ?? 80;
    const where = 'PlatformCloud.digitalocean()';
    _requireAwsRegionName(where, 'secretsRegion', options.secretsRegion, options.unlistedSecretsRegion, 'set unlistedSecretsRegion: true');
    requireIntegerInRange(where, 'nodePort', nodePort, 30000, 32767);
    requireIntegerInRange(where, 'listenerPort', listenerPort, 1, 65535);
    const secret = options.credentialsSecret ?? { name: 'aws-secrets-reader', namespace: 'external-secrets' };
    const credentialsUser =
      options.credentialsUser === undefined ? undefined : _requireIamUserName(where, 'credentialsUser', options.credentialsUser);
    if (credentialsUser !== undefined) {
      // The rotation's Role and CronJob name them (see ReaderKeyRotation): checked here, before anything is built.
      requireDnsLabel(where, 'credentialsSecret.name', secret.name);
      requireDnsLabel(where, 'credentialsSecret.namespace', secret.namespace);
    }
    return new PlatformCloud(
      'digitalocean',
      {
        aws: {
          service: 'SecretsManager',
          region: options.secretsRegion,
          auth: {
            secretRef: {
              accessKeyIDSecretRef: { name: secret.name, namespace: secret.namespace, key: 'access-key-id' },
              secretAccessKeySecretRef: { name: secret.name, namespace: secret.namespace, key: 'secret-access-key' },
            },
          },
        },
      },
      {
        type: 'NodePort',
        externalTrafficPolicy: 'Local',
        // Envoy Gateway names the Service ports after the listeners and lets Kubernetes pick NodePorts; the load
        // balancer forwards to a fixed one, so it is pinned here (strategic merge: Service ports merge by port).
        patch: { type: 'StrategicMerge', value: { spec: { ports: [{ port: listenerPort, nodePort }] } } },
      },
      { nodePort, listenerPort },
      // DOKS ships a retaining class: used as is.
      { shipped: SHIPPED_STORAGE_CLASSES.digitalocean, created: [], default: 'do-block-storage-retain' },
      undefined,
      undefined,
      credentialsUser === undefined ? undefined : { iamUser: credentialsUser, secret: { name: secret.name, namespace: secret.namespace } },
    );
  }

  private constructor(
    public readonly name: 'aws' | 'digitalocean',
    /** @internal */ public readonly _storeProvider: StoreProvider,
    /** @internal */ public readonly _proxyService: ProxyService,
    /** Where a load balancer in front of the nodes reaches the gateway, when the cloud pins it. */
    public readonly nodeEntry: { readonly nodePort: number; readonly listenerPort: number } | undefined,
    private readonly storage: {
      readonly shipped: readonly string[];
      readonly created: readonly PlatformStorageClass[];
      readonly default: string;
    },
    /** The EKS cluster whose node groups Cluster Autoscaler resizes, when the platform runs it. @internal */
    public readonly _autoscaler?: { readonly clusterName: string; readonly region: string },
    /** The DNS the platform keeps for the cluster's hosts, and the cluster's owner id in the zone. @internal */
    public readonly _dns?: { readonly dns: PlatformDns; readonly ownerId: string; readonly region: string },
    /** The store's key the platform rotates: its IAM user and the Secret holding it. @internal */
    public readonly _keyRotation?: { readonly iamUser: string; readonly secret: { readonly name: string; readonly namespace: string } },
  ) {}

  /** The namespaces the platform layer's own controllers on this cloud run in (beyond the components'). @internal */
  public get _namespaces(): string[] {
    return [
      ...(this._autoscaler ? [_CLUSTER_AUTOSCALER_IDENTITY.namespace] : []),
      ...(this._dns ? [_EXTERNAL_DNS_IDENTITY.namespace] : []),
      // The rotation runs beside the Secret it rewrites (External Secrets' namespace unless the Secret is elsewhere).
      ...(this._keyRotation ? [this._keyRotation.secret.namespace] : []),
    ];
  }

  /** StorageClasses a cluster on this cloud has: what the cloud ships and what the platform layer creates. */
  public get storageClasses(): readonly string[] {
    return [...this.storage.shipped, ...this.storage.created.map((c) => c.name)];
  }

  /** The StorageClass the platform's volumes use by default (a retaining one that exists on this cloud). */
  public get defaultStorageClass(): string {
    return this.storage.default;
  }

  /** The StorageClasses the platform layer creates on this cloud. @internal */
  public get _createdStorageClasses(): readonly PlatformStorageClass[] {
    return this.storage.created;
  }
}

/**
 * Part of `checkPlatformWiring`: where the contract names the IAM user the cluster's store reads with
 * (`secretsReader`, a DigitalOcean DR cluster), the platform layer rotates that user's key, and no other's (IAM lets
 * the user create and delete its own keys only: a rotation of another user's key fails every week). @internal
 */
export function _checkKeyRotationWiring(reader: string | undefined, cloud: PlatformCloud): string[] {
  const rotated = cloud._keyRotation?.iamUser;
  if (reader === undefined || rotated === reader) return [];
  if (rotated === undefined) {
    return [
      `the secret store reads with a key of the IAM user "${reader}" (the contract's secretsReader), which the platform layer does not rotate: pass credentialsUser: contract.secretsReader.iamUser to PlatformCloud.digitalocean()`,
    ];
  }
  return [
    `the platform layer rotates the key of the IAM user "${rotated}", but the contract's secretsReader for this cluster is "${reader}": every run would fail (IAM lets a user rotate only its own keys)`,
  ];
}
