import { Chart } from 'cdk8s';
import type { IClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer';
import type { IEnvoyProxy } from '@kubernetes-models/envoy-gateway/gateway.envoyproxy.io/v1alpha1/EnvoyProxy';
import type { IClusterSecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore';
import type { IGatewayClass } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass';
import type { IStorageClass } from 'kubernetes-models/storage.k8s.io/v1/StorageClass';
import { SECRET_STORE_ACCESS_LABEL_VALUE, secretStoreAccessLabel } from '../common/store-access';
import { _apiObject } from '../private/k8s-object';
import { ReaderKeyRotation } from '../k8s/reader-key-rotation';
import { _clusterAutoscaler } from './cluster-autoscaler';
import { _externalDns } from './external-dns';
import { PlatformCloud } from './platform-cloud';

/** What the platform layer's `config` chart is made from (see {@link ClusterPlatform}). */
export interface _PlatformConfigOptions {
  readonly labels: Record<string, string>;
  readonly cloud: PlatformCloud;
  readonly proxyNamespace: string;
  readonly prometheusNamespace: string;
  readonly gatewayClassName: string;
  readonly issuerName: string;
  readonly acmeEmail: string;
  readonly acmeServer: string;
  readonly gateway: { readonly name: string; readonly namespace: string; readonly httpListener: string };
  readonly secretStoreName: string;
}

/**
 * The cluster objects the apps name: the proxies' configuration and GatewayClass, the ACME ClusterIssuer, Cluster
 * Autoscaler, external-dns and the StorageClasses the cloud lacks, the ClusterSecretStore (and, outside AWS, the
 * rotation of the key it reads with).
 */
export function _platformConfig(chart: Chart, o: _PlatformConfigOptions): void {
  const proxyConfig = 'platform-proxy';
  _apiObject<IEnvoyProxy>(chart, 'ProxyConfig', {
    apiVersion: 'gateway.envoyproxy.io/v1alpha1',
    kind: 'EnvoyProxy',
    metadata: { name: proxyConfig, namespace: o.proxyNamespace, labels: o.labels },
    spec: {
      provider: {
        type: 'Kubernetes',
        kubernetes: {
          envoyService: o.cloud._proxyService,
          envoyDeployment: { replicas: 2 },
          // The cluster's only entry: a node drain (node group update, Cluster Autoscaler) evicts one proxy at a time.
          envoyPDB: { minAvailable: 1 },
        },
      },
    },
  });
  _apiObject<IGatewayClass>(chart, 'GatewayClass', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: o.gatewayClassName, labels: o.labels },
    spec: {
      controllerName: 'gateway.envoyproxy.io/gatewayclass-controller',
      parametersRef: { group: 'gateway.envoyproxy.io', kind: 'EnvoyProxy', name: proxyConfig, namespace: o.proxyNamespace },
    },
  });
  _apiObject<IClusterIssuer>(chart, 'Issuer', {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    metadata: { name: o.issuerName, labels: o.labels },
    spec: {
      acme: {
        email: o.acmeEmail,
        server: o.acmeServer,
        privateKeySecretRef: { name: `${o.issuerName}-account` },
        // HTTP-01 through the shared Gateway's HTTP listener: cert-manager puts the solver pod, Service and route in
        // the gateway's namespace, whose policies admit it (see PlatformGateway). No DNS credentials needed.
        solvers: [
          {
            http01: {
              gatewayHTTPRoute: {
                // cert-manager's default is NodePort, which the gateway namespace's quota refuses (and nothing
                // outside the cluster needs): the proxies reach the solver in the cluster.
                serviceType: 'ClusterIP',
                parentRefs: [
                  {
                    group: 'gateway.networking.k8s.io',
                    kind: 'Gateway',
                    name: o.gateway.name,
                    namespace: o.gateway.namespace,
                    sectionName: o.gateway.httpListener,
                  },
                ],
              },
            },
          },
        ],
      },
    },
  });
  if (o.cloud._autoscaler) {
    _clusterAutoscaler(chart, { ...o.cloud._autoscaler, labels: o.labels, prometheusNamespace: o.prometheusNamespace });
  }
  if (o.cloud._dns) {
    const { prometheusNamespace, secretStoreName } = o;
    _externalDns(chart, { ...o.cloud._dns, gateway: o.gateway, labels: o.labels, prometheusNamespace, secretStoreName });
  }
  if (o.cloud._keyRotation) {
    // Outside AWS the store reads with a key: rotated weekly in the Secret's namespace (the Role names that Secret).
    const { iamUser, secret } = o.cloud._keyRotation;
    new ReaderKeyRotation(chart, 'ReaderKeyRotation', { iamUser, secret, labels: o.labels });
  }
  for (const c of o.cloud._createdStorageClasses) {
    _apiObject<IStorageClass>(chart, `StorageClass-${c.name}`, {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: c.name, labels: o.labels },
      provisioner: c.provisioner,
      parameters: { ...c.parameters },
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
    });
  }
  _apiObject<IClusterSecretStore>(chart, 'SecretStore', {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ClusterSecretStore',
    metadata: { name: o.secretStoreName, labels: o.labels },
    spec: {
      provider: o.cloud._storeProvider,
      // Only labelled namespaces (the apps') read through it, not every namespace of the cluster.
      conditions: [
        { namespaceSelector: { matchLabels: { [secretStoreAccessLabel(o.secretStoreName)]: SECRET_STORE_ACCESS_LABEL_VALUE } } },
      ],
    },
  });
}
