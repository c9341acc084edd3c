/**
 * The nodes each cloud's managed Kubernetes registers and what already runs on them, modelled from the upstream
 * sources so kube-scheduler can place our pods on equivalent nodes offline.
 *
 * EKS managed node group, Amazon Linux 2023 (nodeadm):
 * - labels: kubelet's well-known ones (kubernetes.io/hostname = the EC2 private DNS name, os, arch); the
 *   cloud-controller-manager's node controller sets node.kubernetes.io/instance-type, topology.kubernetes.io/zone and
 *   /region (kubernetes/cloud-provider controllers/node/node_controller.go); the AWS CCM adds topology.k8s.aws/zone-id
 *   (cloud-provider-aws pkg/providers/v1/instances_v2.go); EKS passes eks.amazonaws.com/nodegroup,
 *   nodegroup-image and capacityType as kubelet --node-labels (EKS user guide, managed node update behavior).
 * - allocatable: max pods = ENIs × (IPs per ENI − 1) + 2 (amazon-eks-ami nodeadm/internal/kubelet/eni_max_pods.go:
 *   m6i.large 29, t3.large 35); kube-reserved CPU 6 % of the first core + 1 % of the second (70m on 2 vCPU), memory
 *   11 MiB × max pods + 255 MiB; eviction-hard memory.available 100Mi (nodeadm/internal/kubelet/config.go). Memory
 *   capacity of an 8 GiB instance as a node reports it: 8006060Ki (observed, t3.large, AL2023).
 * - no taints once initialized; on every node the aws-node (50m) and kube-proxy (100m) DaemonSets, ebs-csi-node
 *   (30m, 104Mi) with the EBS CSI add-on, and CoreDNS (2 × 100m, 70Mi) in the cluster (observed requests).
 *
 * DOKS node pool:
 * - labels: kubelet's; node.kubernetes.io/instance-type = the droplet size and topology.kubernetes.io/region = the
 *   region (digitalocean-cloud-controller-manager cloud-controller-manager/do/droplets.go InstanceMetadata), `region`
 *   (csi-digitalocean driver/node.go topology key), doks.digitalocean.com/node-pool, node-pool-id, node-id, version
 *   (DOKS provisioning), plus the pool's own labels. **No topology.kubernetes.io/zone**: InstanceMetadata returns no
 *   zone and Zones() is unimplemented (cloud.go: "For adding zone info in the future, update the InstanceMetadata
 *   method"), so a pod that requires a zone spread (DoNotSchedule) finds no node.
 * - allocatable of s-4vcpu-8gb: cpu 3900m, memory 6694Mi, pods 110 (measured on a DOKS node; DigitalOcean's limits
 *   page publishes the table, not retrieved offline).
 * - no taints; on every node cilium (310m, 310Mi), do-node-agent (102m, 80Mi), kube-proxy (0, 125Mi), cpc-bridge-proxy
 *   (100m, 75Mi, HA control plane); CoreDNS (100m, 150Mi) and cilium-operator (100m, 150Mi) in the cluster.
 */
import { K8sObject } from './gitops';

export interface NodeShape {
  readonly cpu: string;
  readonly memory: string;
  readonly pods: number;
  readonly capacityCpu: string;
  readonly capacityMemory: string;
}

const EKS_MEMORY_KI = 8006060;
const eks = (maxPods: number): NodeShape => ({
  cpu: '1930m',
  memory: `${EKS_MEMORY_KI - (11 * maxPods + 255 + 100) * 1024}Ki`,
  pods: maxPods,
  capacityCpu: '2',
  capacityMemory: `${EKS_MEMORY_KI}Ki`,
});

/** Allocatable per instance type or droplet size the stacks use. */
export const NODE_SHAPES: Readonly<Record<string, NodeShape>> = {
  'm6i.large': eks(29),
  't3.large': eks(35),
  's-4vcpu-8gb': { cpu: '3900m', memory: '6694Mi', pods: 110, capacityCpu: '4', capacityMemory: '8149728Ki' },
};

/** A node pool of a cluster, as the Terraform output declares it. */
export interface NodePool {
  readonly cloud: 'aws' | 'digitalocean';
  readonly name: string;
  readonly instanceType: string;
  readonly min: number;
  readonly max: number;
  /** The cloud scales the pool itself (DOKS auto_scale); EKS needs an autoscaler in the cluster (see autoscaledBy). */
  readonly autoscaled: boolean;
  /** The cloud's name of the cluster (EKS: what Cluster Autoscaler's auto-discovery tags name). */
  readonly clusterName?: string;
  readonly region: string;
  /** AWS: the zones the node group's subnets are in (nodes spread over them). */
  readonly zones: readonly string[];
  /** Labels the pool declares for its nodes. */
  readonly labels: Readonly<Record<string, string>>;
}

/** The Node object number `i` of `pool`, with its status (allocatable, Ready) as the kubelet would report it. */
export function nodeOf(pool: NodePool, i: number): K8sObject {
  const shape = NODE_SHAPES[pool.instanceType];
  if (!shape) throw new Error(`no node shape for ${pool.instanceType}: add it to NODE_SHAPES (scripts/real-engines/cloud-nodes.ts)`);
  const common = {
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': pool.instanceType,
    'beta.kubernetes.io/instance-type': pool.instanceType,
    'topology.kubernetes.io/region': pool.region,
    'failure-domain.beta.kubernetes.io/region': pool.region,
  };
  let name: string;
  let labels: Record<string, string>;
  if (pool.cloud === 'aws') {
    const zone = pool.zones[i % pool.zones.length];
    name = `ip-10-0-${i % pool.zones.length}-${10 + i}.${pool.region}.compute.internal`;
    labels = {
      ...common,
      'kubernetes.io/hostname': name,
      'topology.kubernetes.io/zone': zone,
      'failure-domain.beta.kubernetes.io/zone': zone,
      'topology.k8s.aws/zone-id': `zone-id-of-${zone}`,
      'eks.amazonaws.com/nodegroup': pool.name,
      'eks.amazonaws.com/nodegroup-image': 'ami-0verify',
      'eks.amazonaws.com/capacityType': 'ON_DEMAND',
      ...pool.labels,
    };
  } else {
    name = `${pool.name}-n${i}`;
    labels = {
      ...common,
      'kubernetes.io/hostname': name,
      region: pool.region,
      'doks.digitalocean.com/node-pool': pool.name,
      'doks.digitalocean.com/node-pool-id': `pool-id-${pool.name}`,
      'doks.digitalocean.com/node-id': `node-id-${i}`,
      'doks.digitalocean.com/version': 'verify',
      ...pool.labels,
    };
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: {},
    status: {
      capacity: { cpu: shape.capacityCpu, memory: shape.capacityMemory, pods: String(shape.pods) },
      allocatable: { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods) },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated node' }],
    },
  };
}

const systemPod = (name: string, cpu: string, memory: string) => ({
  metadata: { labels: { 'app.kubernetes.io/name': name } },
  spec: {
    priorityClassName: 'system-node-critical',
    containers: [{ name, image: `registry.invalid/${name}:verify`, resources: { requests: { cpu, memory } } }],
    tolerations: [{ operator: 'Exists' }],
  },
});

/** What the cloud runs in kube-system before anything of ours, as workloads with the observed requests. */
export function systemWorkloads(cloud: 'aws' | 'digitalocean'): K8sObject[] {
  const daemon = (name: string, cpu: string, memory: string): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'kube-system' },
    spec: { selector: { matchLabels: { 'app.kubernetes.io/name': name } }, template: systemPod(name, cpu, memory) },
  });
  const deployment = (name: string, replicas: number, cpu: string, memory: string): K8sObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'kube-system' },
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        ...systemPod(name, cpu, memory),
        spec: { ...systemPod(name, cpu, memory).spec, priorityClassName: 'system-cluster-critical' },
      },
    },
  });
  return cloud === 'aws'
    ? [
        daemon('aws-node', '50m', '0'),
        daemon('kube-proxy', '100m', '0'),
        daemon('ebs-csi-node', '30m', '104Mi'),
        deployment('coredns', 2, '100m', '70Mi'),
      ]
    : [
        daemon('cilium', '310m', '310Mi'),
        daemon('do-node-agent', '102m', '80Mi'),
        daemon('kube-proxy', '0', '125Mi'),
        daemon('cpc-bridge-proxy', '100m', '75Mi'),
        deployment('coredns', 2, '100m', '150Mi'),
        deployment('cilium-operator', 1, '100m', '150Mi'),
      ];
}

/** The node pool of an Argo CD cluster, read from the synthesized Terraform (cdktf.out/stacks/<stack>/cdk.tf.json). */
export function nodePoolOf(stacks: Array<{ name: string; json: K8sObject }>, cluster: string): NodePool | undefined {
  const dr = /^dr-([a-z0-9]+)$/.exec(cluster);
  for (const { json } of stacks) {
    if (dr) {
      for (const c of Object.values<K8sObject>(json.resource?.digitalocean_kubernetes_cluster ?? {})) {
        if (c.region !== dr[1]) continue;
        const p = c.node_pool;
        return {
          cloud: 'digitalocean',
          name: p.name,
          instanceType: p.size,
          min: p.min_nodes ?? p.node_count,
          max: p.max_nodes ?? p.node_count,
          autoscaled: !!p.auto_scale,
          region: c.region,
          clusterName: c.name,
          zones: [],
          labels: p.labels ?? {},
        };
      }
      continue;
    }
    const eksCluster = Object.values<K8sObject>(json.resource?.aws_eks_cluster ?? {}).find((c) => String(c.name).endsWith(`-${cluster}`));
    const group = Object.values<K8sObject>(json.resource?.aws_eks_node_group ?? {})[0];
    if (!eksCluster || !group) continue;
    const region = String((json.provider?.aws ?? [])[0]?.region ?? 'eu-central-1');
    const zoneCount = Math.max(1, (group.subnet_ids ?? []).length);
    return {
      cloud: 'aws',
      name: group.node_group_name,
      instanceType: group.instance_types[0],
      min: group.scaling_config.min_size,
      max: group.scaling_config.max_size,
      autoscaled: false,
      clusterName: eksCluster.name,
      region,
      zones: ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, zoneCount).map((z) => `${region}${z}`),
      labels: group.labels ?? {},
    };
  }
  return undefined;
}

/**
 * Whether `objects` run Cluster Autoscaler for this EKS pool: a container whose command or args discover the Auto
 * Scaling groups tagged for this cluster (`--node-group-auto-discovery=asg:tag=...,k8s.io/cluster-autoscaler/<name>`).
 */
export function autoscaledBy(pool: NodePool, objects: K8sObject[]): boolean {
  if (pool.autoscaled) return true;
  const tag = `k8s.io/cluster-autoscaler/${pool.clusterName}`;
  return objects.some(
    (o) =>
      o.kind === 'Deployment' &&
      (o.spec?.template?.spec?.containers ?? []).some((c: K8sObject) =>
        [...(c.command ?? []), ...(c.args ?? [])].some(
          (a: string) => a.startsWith('--node-group-auto-discovery=asg:tag=') && a.split(/[=,]/).includes(tag),
        ),
      ),
  );
}
