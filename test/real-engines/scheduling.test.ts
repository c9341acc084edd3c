import { autoscaledBy, NODE_SHAPES, nodeOf, NodePool, nodePoolOf, systemWorkloads } from '../../scripts/real-engines/cloud-nodes';
import { K8sObject } from '../../scripts/real-engines/gitops';
import { placements, requiredNodeLabels, rolloutReplicaSets } from '../../scripts/real-engines/scheduling';

const eks: NodePool = {
  cloud: 'aws',
  name: 'app-default',
  instanceType: 'm6i.large',
  min: 3,
  max: 10,
  autoscaled: false,
  region: 'eu-central-1',
  zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
  labels: {},
};
const doks: NodePool = {
  ...eks,
  cloud: 'digitalocean',
  name: 'dr-default',
  instanceType: 's-4vcpu-8gb',
  region: 'nyc3',
  zones: [],
  autoscaled: true,
  labels: { 'samokoder.dev/pool': 'default' },
};

describe('the nodes each cloud registers (cloud-nodes.ts)', () => {
  test('EKS allocatable from nodeadm: 1930m, capacity − (11 MiB × max pods + 255 MiB) − 100Mi eviction, max pods by ENIs', () => {
    expect(NODE_SHAPES['m6i.large']).toMatchObject({ cpu: '1930m', memory: `${8006060 - 674 * 1024}Ki`, pods: 29 });
    // Observed on a t3.large AL2023 node: 7248300Ki.
    expect(NODE_SHAPES['t3.large']).toMatchObject({ cpu: '1930m', memory: '7248300Ki', pods: 35 });
  });

  test('EKS nodes spread over the node group\u2019s zones with the labels EKS and the cloud controller set', () => {
    const zones = [0, 1, 2, 3].map((i) => nodeOf(eks, i).metadata.labels['topology.kubernetes.io/zone']);
    expect(zones).toEqual(['eu-central-1a', 'eu-central-1b', 'eu-central-1c', 'eu-central-1a']);
    expect(nodeOf(eks, 0).metadata.labels).toMatchObject({
      'eks.amazonaws.com/nodegroup': 'app-default',
      'eks.amazonaws.com/capacityType': 'ON_DEMAND',
      'node.kubernetes.io/instance-type': 'm6i.large',
      'topology.kubernetes.io/region': 'eu-central-1',
    });
  });

  test('DOKS nodes carry the region, the pool and its labels, never a zone', () => {
    const labels = nodeOf(doks, 0).metadata.labels;
    expect(labels).toMatchObject({
      region: 'nyc3',
      'topology.kubernetes.io/region': 'nyc3',
      'doks.digitalocean.com/node-pool': 'dr-default',
      'samokoder.dev/pool': 'default',
    });
    expect(Object.keys(labels).filter((k) => k.includes('zone'))).toEqual([]);
    expect(nodeOf(doks, 0).status.allocatable).toEqual({ cpu: '3900m', memory: '6694Mi', pods: '110' });
  });

  test('an EKS pool is scaled only when the cluster runs Cluster Autoscaler discovering its own cluster’s groups', () => {
    const pool = { ...eks, clusterName: 'billing-production' };
    const autoscaler = (cluster: string): K8sObject => ({
      kind: 'Deployment',
      spec: {
        template: {
          spec: {
            containers: [
              {
                command: [
                  './cluster-autoscaler',
                  `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${cluster}`,
                ],
              },
            ],
          },
        },
      },
    });
    expect(autoscaledBy(pool, [])).toBe(false);
    expect(autoscaledBy(pool, [autoscaler('billing-production')])).toBe(true);
    expect(autoscaledBy(pool, [autoscaler('billing-staging')])).toBe(false);
    expect(autoscaledBy(doks, [])).toBe(true);
  });

  test('an instance type without a shape is refused by name', () => {
    expect(() => nodeOf({ ...eks, instanceType: 'x9.huge' }, 0)).toThrow('no node shape for x9.huge');
  });

  test('what each cloud runs before our pods: per-node agents and cluster DNS', () => {
    expect(systemWorkloads('aws').map((w) => `${w.kind}/${w.metadata.name}`)).toEqual([
      'DaemonSet/aws-node',
      'DaemonSet/kube-proxy',
      'DaemonSet/ebs-csi-node',
      'Deployment/coredns',
    ]);
    expect(systemWorkloads('digitalocean').map((w) => w.metadata.name)).toContain('cilium');
  });

  test('the node pool of an Argo CD cluster from the Terraform: EKS by cluster name, DOKS by region', () => {
    const aws = {
      name: 's',
      json: {
        provider: { aws: [{ region: 'eu-central-1' }] },
        resource: {
          aws_eks_cluster: { c: { name: 'samokoder-production' } },
          aws_eks_node_group: {
            g: {
              node_group_name: 'samokoder-production-default',
              instance_types: ['m6i.large'],
              scaling_config: { min_size: 3, max_size: 10 },
              subnet_ids: ['a', 'b', 'c'],
            },
          },
        },
      },
    };
    const dr = {
      name: 'dr',
      json: {
        resource: {
          digitalocean_kubernetes_cluster: {
            n: { region: 'nyc3', node_pool: { name: 'p', size: 's-4vcpu-8gb', min_nodes: 3, max_nodes: 10, auto_scale: true } },
          },
        },
      },
    };
    expect(nodePoolOf([aws, dr], 'production')).toMatchObject({
      cloud: 'aws',
      min: 3,
      max: 10,
      autoscaled: false,
      zones: ['eu-central-1a', 'eu-central-1b', 'eu-central-1c'],
    });
    expect(nodePoolOf([aws, dr], 'dr-nyc3')).toMatchObject({ cloud: 'digitalocean', instanceType: 's-4vcpu-8gb', autoscaled: true });
    expect(nodePoolOf([aws, dr], 'staging')).toBeUndefined();
  });
});

describe('what the scheduler is asked to place (scheduling.ts)', () => {
  const template = { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'x' }] } };
  const objects: K8sObject[] = [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'ns' }, spec: { replicas: 0, template } },
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'api', namespace: 'ns' },
      spec: { workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, strategy: { blueGreen: { activeService: 'api' } } },
    },
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: 'ns' },
      spec: { scaleTargetRef: { kind: 'Rollout', name: 'api' }, minReplicas: 3, maxReplicas: 20 },
    },
  ];
  const sets = (load: 'steady' | 'peak') => rolloutReplicaSets(objects, load).map((r) => `${r.metadata.name}=${r.spec.replicas}`);

  test('a Rollout runs its Deployment\u2019s template: at the autoscaler\u2019s minimum, and at its maximum with a full preview', () => {
    expect(sets('steady')).toEqual(['api-active=3']);
    expect(sets('peak')).toEqual(['api-active=20', 'api-preview=20']);
    const rs = rolloutReplicaSets(objects, 'peak')[1];
    expect(rs.spec.template.spec).toEqual(template.spec);
    expect(rs.spec.selector.matchLabels).toMatchObject({ app: 'api', 'rollouts-pod-template-hash': 'verify-preview' });
  });

  test('a preview replica count caps the preview', () => {
    const capped = objects.map((o) =>
      o.kind === 'Rollout' ? { ...o, spec: { ...o.spec, strategy: { blueGreen: { previewReplicaCount: 1 } } } } : o,
    );
    expect(rolloutReplicaSets(capped, 'peak').map((r) => r.spec.replicas)).toEqual([20, 1]);
  });

  test('the labels a pod needs on its node: hard spreads, node selectors, required affinity', () => {
    expect(
      requiredNodeLabels({
        topologySpreadConstraints: [
          { topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
          { topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
        ],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'pool', operator: 'In', values: ['a'] },
                    { key: 'gpu', operator: 'DoesNotExist' },
                  ],
                },
              ],
            },
          },
        },
      }),
    ).toEqual(['kubernetes.io/os', 'pool', 'topology.kubernetes.io/zone']);
  });

  test('a pod is placed (node name) or refused with the scheduler\u2019s reason', () => {
    const pod = (name: string, extra: K8sObject) => ({ kind: 'Pod', metadata: { name, namespace: 'ns' }, ...extra });
    expect(
      placements([
        pod('a', { spec: { nodeName: 'n1' } }),
        pod('b', {
          spec: {},
          status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes' }] },
        }),
        pod('c', { spec: {} }),
      ]),
    ).toEqual([
      { pod: 'Pod/ns/a', node: 'n1', unschedulable: undefined },
      { pod: 'Pod/ns/b', node: undefined, unschedulable: 'Unschedulable: 0/3 nodes' },
      { pod: 'Pod/ns/c', node: undefined, unschedulable: undefined },
    ]);
  });
});
