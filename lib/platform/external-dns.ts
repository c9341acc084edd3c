import { Construct } from 'constructs';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { _podIdentityAgentEgressRule } from './identity-egress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { _EXTERNAL_DNS_IDENTITY } from '../common/identities';
import { SECRET_STORE_ACCESS_LABEL_VALUE, secretStoreAccessLabel } from '../common/store-access';
import { _apiObject, _dnsEgressRule } from '../private/k8s-object';
import { PlatformDns } from './platform-dns';

/** external-dns v0.22.0 (kubernetes-sigs/external-dns tag v0.22.0, 2026-08-19). */
export const EXTERNAL_DNS_IMAGE = 'registry.k8s.io/external-dns/external-dns:v0.22.0';
/**
 * The DigitalOcean webhook provider 0.1.2 (amoniacou/external-dns-digitalocean-webhook tag v0.1.2; its release
 * workflow tags the image with the bare semver, `docker/metadata-action` `type=semver,pattern={{version}}`).
 */
export const EXTERNAL_DNS_DIGITALOCEAN_WEBHOOK_IMAGE = 'ghcr.io/amoniacou/external-dns-digitalocean-webhook:0.1.2';

/** The Secret External Secrets writes the provider token to (key `token`). */
const TOKEN_SECRET = 'external-dns-digitalocean';
const METRICS_PORT = 7979;
const WEBHOOK_PORT = 8888;

/** The arguments of the external-dns container (exported for the tests that model its filters). @internal */
export function _externalDnsArgs(dns: PlatformDns, ownerId: string, gateway: { name: string; namespace: string }): string[] {
  return [
    // Routes attached to the platform's shared Gateway only; the target is the address in the Gateway's status.
    '--source=gateway-httproute',
    `--gateway-name=${gateway.name}`,
    `--gateway-namespace=${gateway.namespace}`,
    ...dns.domains.map((d) => `--domain-filter=${d}`),
    ...dns.excludeDomains.map((d) => `--exclude-domains=${d}`),
    ...(dns.provider === 'route53'
      ? ['--provider=aws', '--aws-zone-type=public', `--zone-id-filter=${dns.hostedZoneId}`]
      : ['--provider=webhook', `--webhook-provider-url=http://localhost:${WEBHOOK_PORT}`]),
    // sync removes a record whose route is gone (no name left pointing at a deleted load balancer), but only records
    // whose ownership TXT names this cluster: records of others (Terraform's, another cluster's) are never planned.
    '--policy=sync',
    '--registry=txt',
    `--txt-owner-id=${ownerId}`,
    // The ownership record beside `api.example.com` (CNAME) is `extdns-cname-api.example.com`: recognisable in a zone
    // other tools share (v0.22.0 docs/registry/txt.md: the record type template).
    '--txt-prefix=extdns-%{record_type}-',
    '--interval=1m',
    `--metrics-address=:${METRICS_PORT}`,
  ];
}

const restricted = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
const resources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };
const probe = (port: string, initialDelaySeconds: number) => ({
  httpGet: { path: '/healthz', port },
  initialDelaySeconds,
  periodSeconds: 10,
});

/**
 * external-dns for the cluster's public hosts, in its own namespace. RBAC from v0.22.0 docs/sources/gateway-api.md
 * ("Manifest with RBAC"), limited to the one source it runs (Gateways, HTTPRoutes and the namespaces their
 * `allowedRoutes` select); flags from docs/flags.md; the security context, probes (`/healthz` on the metrics
 * address) and `Recreate` strategy of its chart (charts/external-dns/values.yaml: two instances with one owner id
 * must never plan at once). On DigitalOcean its webhook runs beside it (its README, "Kubernetes Deployment (Sidecar)");
 * on Route 53 it signs in with the service account's Pod Identity.
 * One replica and no PodDisruptionBudget: the records stay while the pod is away (a drain only delays the next
 * change), and a budget of one on one replica would block every node drain.
 */
export function _externalDns(
  scope: Construct,
  o: {
    dns: PlatformDns;
    ownerId: string;
    region: string;
    gateway: { name: string; namespace: string };
    labels: Record<string, string>;
    prometheusNamespace: string;
    secretStoreName: string;
  },
): void {
  const { namespace, serviceAccount } = _EXTERNAL_DNS_IDENTITY;
  const labels = { ...o.labels, 'app.kubernetes.io/name': 'external-dns' };
  _apiObject<INamespace>(scope, 'ExternalDnsNamespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: {
        ...o.labels,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        // The DigitalOcean token comes through the platform's store, which admits labelled namespaces only.
        ...(o.dns.provider === 'digitalocean' ? { [secretStoreAccessLabel(o.secretStoreName)]: SECRET_STORE_ACCESS_LABEL_VALUE } : {}),
      },
    },
  });
  _apiObject<IServiceAccount>(scope, 'ExternalDnsServiceAccount', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: serviceAccount, namespace, labels },
  });
  const read = ['get', 'watch', 'list'];
  _apiObject<IClusterRole>(scope, 'ExternalDnsClusterRole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'external-dns', labels },
    rules: [
      { apiGroups: [''], resources: ['namespaces'], verbs: read },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes'], verbs: read },
    ],
  });
  _apiObject<IClusterRoleBinding>(scope, 'ExternalDnsClusterRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'external-dns', labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'external-dns' },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  });
  if (o.dns.tokenEntry !== undefined) {
    _externalDnsToken(scope, namespace, labels, o.secretStoreName, o.dns.tokenEntry);
  }
  _externalDnsWorkload(scope, { ...o, namespace, serviceAccount, labels });
}

function _externalDnsToken(scope: Construct, namespace: string, labels: Record<string, string>, store: string, entry: string): void {
  _apiObject<IExternalSecret>(scope, 'ExternalDnsToken', {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: TOKEN_SECRET, namespace, labels },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { name: store, kind: 'ClusterSecretStore' },
      target: { name: TOKEN_SECRET, creationPolicy: 'Owner', deletionPolicy: 'Retain' },
      data: [{ secretKey: 'token', remoteRef: { key: entry, property: 'token' } }],
    },
  });
}

function _externalDnsWorkload(
  scope: Construct,
  o: Parameters<typeof _externalDns>[1] & { namespace: string; serviceAccount: string; labels: Record<string, string> },
): void {
  const { namespace, serviceAccount, labels } = o;
  const route53 = o.dns.provider === 'route53';
  // DNS, HTTPS out (the cluster's API endpoint and api.digitalocean.com or Route 53, which have no fixed addresses),
  // on Route 53 the node's EKS Pod Identity agent for its credentials, metrics scraped from Prometheus' namespace;
  // nothing reaches the webhook, which external-dns calls on localhost.
  _apiObject<INetworkPolicy>(scope, 'ExternalDnsNetworkPolicy', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'external-dns', namespace, labels },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'external-dns' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': o.prometheusNamespace } } }],
          ports: [{ protocol: 'TCP', port: METRICS_PORT }],
        },
      ],
      egress: [_dnsEgressRule(), { ports: [{ protocol: 'TCP', port: 443 }] }, ...(route53 ? [_podIdentityAgentEgressRule()] : [])],
    },
  });
  _apiObject<IDeployment>(scope, 'ExternalDnsDeployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'external-dns',
      namespace,
      labels,
      // Checkov's per-resource suppression (its reason is kept with it): the controller talks to the API server.
      annotations: { 'checkov.io/skip1': 'CKV_K8S_38=external-dns watches Gateways and HTTPRoutes: it needs its token' },
    },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'external-dns' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: serviceAccount,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65532,
            runAsGroup: 65532,
            fsGroup: 65534,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'external-dns',
              image: EXTERNAL_DNS_IMAGE,
              args: _externalDnsArgs(o.dns, o.ownerId, o.gateway),
              // The AWS SDK needs a region even for Route 53, a global service (v0.22.0 docs/tutorials/aws.md).
              ...(route53 ? { env: [{ name: 'AWS_DEFAULT_REGION', value: o.region }] } : {}),
              ports: [{ name: 'metrics', containerPort: METRICS_PORT }],
              resources,
              livenessProbe: probe('metrics', 10),
              readinessProbe: probe('metrics', 5),
              securityContext: restricted,
            },
            ...(route53 ? [] : [digitalOceanWebhook(o.dns.zone)]),
          ],
        },
      },
    },
  });
}

/** The DigitalOcean webhook provider beside external-dns (its README, "Kubernetes Deployment (Sidecar)"). */
function digitalOceanWebhook(zone: string) {
  return {
    name: 'digitalocean-webhook',
    image: EXTERNAL_DNS_DIGITALOCEAN_WEBHOOK_IMAGE,
    args: [`--port=${WEBHOOK_PORT}`],
    env: [
      { name: 'DO_TOKEN', valueFrom: { secretKeyRef: { name: TOKEN_SECRET, key: 'token' } } },
      // The zones it lists: the one zone, not every zone the token can see.
      { name: 'DO_DOMAIN_FILTER', value: zone },
    ],
    ports: [{ name: 'webhook', containerPort: WEBHOOK_PORT }],
    resources,
    livenessProbe: probe('webhook', 10),
    readinessProbe: probe('webhook', 5),
    securityContext: restricted,
  };
}

/**
 * The wiring of the platform's DNS (part of `checkPlatformWiring`): the DigitalOcean token entry is one the stack
 * creates (or one declared external), and every host a route on the shared Gateway serves is a name external-dns manages, so each
 * resolves. Returns one line per mismatch.
 * @internal
 */
export function _checkDnsWiring(
  cluster: string,
  dns: { readonly dns: PlatformDns } | undefined,
  gateway: { readonly name: string; readonly namespace: string },
  entries: ReadonlySet<string>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
  routes: readonly Record<string, any>[],
): string[] {
  if (!dns) return [];
  const out: string[] = [];
  const d = dns.dns;
  if (d.tokenEntry !== undefined && !entries.has(d.tokenEntry)) {
    out.push(
      `[wiring ${cluster}] external-dns reads store entry "${d.tokenEntry}", which the stack does not create (it creates: ${[...entries].join(', ')}): add it to the stack's secretEntries or declare it external`,
    );
  }
  const managed = `domains ${d.domains.join(', ')}${d.excludeDomains.length ? `, excluded ${d.excludeDomains.join(', ')}` : ''}`;
  const servedBy = new Map<string, string[]>();
  for (const r of routes) {
    const ns = r.metadata?.namespace;
    const onGateway = (r.spec?.parentRefs ?? []).some(
      (p: { name?: string; namespace?: string }) => p.name === gateway.name && (p.namespace ?? ns) === gateway.namespace,
    );
    if (!onGateway) continue;
    for (const h of (r.spec?.hostnames ?? []) as string[]) servedBy.set(h, [...(servedBy.get(h) ?? []), `${ns}/${r.metadata?.name}`]);
  }
  for (const [h, by] of servedBy) {
    if (d.manages(h)) continue;
    out.push(
      `[wiring ${cluster}] "${h}" (served by HTTPRoute ${by.join(', ')}) is not a name the cluster's external-dns manages (${managed}): nothing points it at the gateway's load balancer`,
    );
  }
  return out;
}
