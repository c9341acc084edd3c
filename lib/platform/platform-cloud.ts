import type { IEnvoyProxy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/EnvoyProxy';
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';

type ProxyService = NonNullable<NonNullable<NonNullable<IEnvoyProxy['spec']['provider']>['kubernetes']>['envoyService']>;
type StoreProvider = NonNullable<IClusterSecretStore['spec']>['provider'];

/** Options of {@link PlatformCloud.aws}. */
export interface AwsPlatformOptions {
  /** Region of the Secrets Manager entries. */
  readonly region: string;
}

/** Options of {@link PlatformCloud.digitalocean}. */
export interface DigitalOceanPlatformOptions {
  /**
   * Region of the AWS Secrets Manager entries the cluster reads. DigitalOcean has no secret manager; the entries stay
   * in AWS (outside both DigitalOcean regions, so a regional outage does not take them along).
   */
  readonly secretsRegion: string;
  /**
   * The Secret holding a read-only AWS key for External Secrets (keys `access-key-id`, `secret-access-key`), created
   * once per cluster out of band (see the DR runbook): the only credential not synced from the store.
   * @default - `aws-secrets-reader` in `external-secrets`
   */
  readonly credentialsSecret?: { readonly name: string; readonly namespace: string };
}

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
    );
  }

  /**
   * DOKS: secrets from AWS Secrets Manager with a read-only key (DigitalOcean has none of its own); the gateway's
   * proxies on NodePorts behind the regional load balancer the `MultiRegionDR` stack creates.
   */
  public static digitalocean(options: DigitalOceanPlatformOptions): PlatformCloud {
    const secret = options.credentialsSecret ?? { name: 'aws-secrets-reader', namespace: 'external-secrets' };
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
      { type: 'NodePort', externalTrafficPolicy: 'Local' },
    );
  }

  private constructor(
    public readonly name: 'aws' | 'digitalocean',
    /** @internal */ public readonly _storeProvider: StoreProvider,
    /** @internal */ public readonly _proxyService: ProxyService,
  ) {}
}
