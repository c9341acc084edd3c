import { Construct } from 'constructs';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import type { IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { _podIdentityAgentEgressRule } from './identity-egress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INamespace } from 'kubernetes-models/v1/Namespace';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { _CLUSTER_AUTOSCALER_IDENTITY } from '../common/identities';
import { _apiObject, _dnsEgressRule } from '../private/k8s-object';

/** Cluster Autoscaler 1.35.2, the release for Kubernetes 1.35 (kubernetes/autoscaler tag cluster-autoscaler-1.35.2). */
export const CLUSTER_AUTOSCALER_IMAGE = 'registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.2';

const read = ['watch', 'list', 'get'];

/**
 * Cluster Autoscaler for an EKS cluster's managed node groups, found by the tags EKS puts on their Auto Scaling groups
 * (`k8s.io/cluster-autoscaler/enabled`, `k8s.io/cluster-autoscaler/<cluster>`: "Nodes launched as part of a managed
 * node group are automatically tagged for auto-discovery by the Kubernetes Cluster Autoscaler", EKS user guide).
 * RBAC and flags from kubernetes/autoscaler at cluster-autoscaler-1.35.2 (cloudprovider/aws/examples/
 * cluster-autoscaler-autodiscover.yaml), plus the dynamic resource allocation objects 1.35 watches (its
 * `--enable-dynamic-resource-allocation` defaults to true; the example's RBAC lacks them, fixed upstream in 1.36), its
 * lock and status in its own namespace (`--namespace`), the region given (`AWS_REGION`: it reads no instance
 * metadata), and the restricted security context the example sets.
 */
export function _clusterAutoscaler(
  scope: Construct,
  options: { clusterName: string; region: string; labels: Record<string, string>; prometheusNamespace: string },
): void {
  const { namespace, serviceAccount } = _CLUSTER_AUTOSCALER_IDENTITY;
  const labels = { ...options.labels, 'app.kubernetes.io/name': 'cluster-autoscaler' };
  _apiObject<INamespace>(scope, 'AutoscalerNamespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: namespace,
      labels: {
        ...options.labels,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
    },
  });
  _apiObject<IServiceAccount>(scope, 'AutoscalerServiceAccount', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: serviceAccount, namespace, labels },
  });
  _apiObject<IClusterRole>(scope, 'AutoscalerClusterRole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'cluster-autoscaler', labels },
    rules: [
      { apiGroups: [''], resources: ['events', 'endpoints'], verbs: ['create', 'patch'] },
      { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
      { apiGroups: [''], resources: ['pods/status'], verbs: ['update'] },
      { apiGroups: [''], resources: ['endpoints'], resourceNames: ['cluster-autoscaler'], verbs: ['get', 'update'] },
      { apiGroups: [''], resources: ['nodes'], verbs: [...read, 'update'] },
      {
        apiGroups: [''],
        resources: ['namespaces', 'pods', 'services', 'replicationcontrollers', 'persistentvolumeclaims', 'persistentvolumes'],
        verbs: read,
      },
      { apiGroups: ['apps'], resources: ['statefulsets', 'replicasets', 'daemonsets'], verbs: read },
      { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['watch', 'list'] },
      {
        apiGroups: ['storage.k8s.io'],
        resources: ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities', 'volumeattachments'],
        verbs: read,
      },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: read },
      { apiGroups: ['resource.k8s.io'], resources: ['resourceslices', 'deviceclasses', 'resourceclaims'], verbs: read },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['cluster-autoscaler'], verbs: ['get', 'update'] },
    ],
  });
  _apiObject<IClusterRoleBinding>(scope, 'AutoscalerClusterRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'cluster-autoscaler', labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-autoscaler' },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  });
  _apiObject<IRole>(scope, 'AutoscalerRole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'cluster-autoscaler', namespace, labels },
    rules: [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'list', 'watch'] },
      {
        apiGroups: [''],
        resources: ['configmaps'],
        resourceNames: ['cluster-autoscaler-status'],
        verbs: ['delete', 'get', 'update', 'watch'],
      },
    ],
  });
  _apiObject<IRoleBinding>(scope, 'AutoscalerRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'cluster-autoscaler', namespace, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cluster-autoscaler' },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  });
  // Isolated like the apps: DNS, HTTPS out (the cluster's API endpoint and the AWS APIs), metrics scraped from
  // Prometheus' namespace, nothing else.
  _apiObject<INetworkPolicy>(scope, 'AutoscalerNetworkPolicy', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'cluster-autoscaler', namespace, labels },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cluster-autoscaler' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': options.prometheusNamespace } } }],
          ports: [{ protocol: 'TCP', port: 8085 }],
        },
      ],
      // The AWS API on 443, and the Pod Identity agent for its credentials (checkPlatformWiring checks every identity).
      egress: [_dnsEgressRule(), { ports: [{ protocol: 'TCP', port: 443 }] }, _podIdentityAgentEgressRule()],
    },
  });
  _apiObject<IDeployment>(scope, 'AutoscalerDeployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'cluster-autoscaler',
      namespace,
      labels,
      // Checkov's per-resource suppression (its reason is kept with it): the controller talks to the API server.
      annotations: {
        'checkov.io/skip1': 'CKV_K8S_38=Cluster Autoscaler watches nodes and pods and resizes node groups: it needs its token',
      },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'cluster-autoscaler' } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: serviceAccount,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            runAsGroup: 65534,
            fsGroup: 65534,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'cluster-autoscaler',
              image: CLUSTER_AUTOSCALER_IMAGE,
              command: [
                './cluster-autoscaler',
                '--cloud-provider=aws',
                `--namespace=${namespace}`,
                `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${options.clusterName}`,
                '--balance-similar-node-groups',
                '--expander=least-waste',
                '--skip-nodes-with-local-storage=false',
                '--stderrthreshold=info',
              ],
              env: [{ name: 'AWS_REGION', value: options.region }],
              ports: [{ name: 'metrics', containerPort: 8085 }],
              resources: { requests: { cpu: '100m', memory: '600Mi' }, limits: { cpu: '500m', memory: '600Mi' } },
              livenessProbe: { httpGet: { path: '/health-check', port: 'metrics' }, periodSeconds: 30 },
              readinessProbe: { httpGet: { path: '/health-check', port: 'metrics' }, periodSeconds: 10 },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  });
}
