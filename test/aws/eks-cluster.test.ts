import { EksKubernetesVersion, EndpointAccess, SamokoderCluster, SamokoderClusterProps } from 'samokoder-infra';
import { only, resources, synth, TEST_DATE, testStack } from '../util/tf';

function cluster(props: Partial<SamokoderClusterProps> = {}) {
  const stack = testStack();
  new SamokoderCluster(stack, 'Cluster', {
    clusterName: 'sk-prod',
    region: 'eu-central-1',
    subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    supportCheckDate: TEST_DATE,
    ...props,
  });
  return synth(stack);
}

describe('SamokoderCluster', () => {
  test('defaults: newest supported version, private endpoint, all control-plane logs, KMS secrets, API auth, STANDARD upgrades', () => {
    const c = only(cluster(), 'aws_eks_cluster');
    expect(c.version).toBe('1.35');
    expect(c.vpc_config).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    expect(c.vpc_config.public_access_cidrs).toBeUndefined();
    expect(c.enabled_cluster_log_types).toEqual(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']);
    expect(c.encryption_config).toMatchObject({ resources: ['secrets'] });
    expect(c.encryption_config.provider.key_arn).toMatch(/aws_kms_key\.Cluster_SecretsKey/);
    expect(c.access_config).toEqual({ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: true });
    expect(c.upgrade_policy).toEqual({ support_type: 'STANDARD' });
    expect(c.deletion_protection).toBe(true);
    expect(c.lifecycle).toEqual({ prevent_destroy: true });
  });

  test('the control-plane log group exists first, with retention and KMS', () => {
    const s = cluster();
    expect(only(s, 'aws_cloudwatch_log_group')).toMatchObject({ name: '/aws/eks/sk-prod/cluster', retention_in_days: 365 });
    expect(only(s, 'aws_eks_cluster').depends_on).toEqual([expect.stringMatching(/^aws_cloudwatch_log_group\./)]);
  });

  test('keys rotate', () => {
    const keys = resources(cluster(), 'aws_kms_key');
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => k.enable_key_rotation === true && k.deletion_window_in_days === 30)).toBe(true);
  });

  test('nodes: private subnets, min 3, IMDSv2 with hop limit 1, no SSH key, encrypted root volume', () => {
    const s = cluster();
    const ng = only(s, 'aws_eks_node_group');
    expect(ng.scaling_config).toEqual({ min_size: 3, max_size: 10, desired_size: 3 });
    expect(ng.subnet_ids).toEqual(['subnet-a', 'subnet-b', 'subnet-c']);
    expect(ng.remote_access).toBeUndefined();
    const lt = only(s, 'aws_launch_template');
    expect(lt.metadata_options).toEqual({
      http_endpoint: 'enabled',
      http_tokens: 'required',
      http_put_response_hop_limit: 1,
      instance_metadata_tags: 'disabled',
    });
    expect(lt.key_name).toBeUndefined();
    expect(lt.block_device_mappings[0].ebs).toMatchObject({ encrypted: 'true', volume_type: 'gp3' });
  });

  test('node role holds only node policies; CNI and CSI permissions go to their pods through Pod Identity', () => {
    const s = cluster();
    const attachments = resources(s, 'aws_iam_role_policy_attachment').map((a) => a.policy_arn);
    expect(attachments).toEqual(
      expect.arrayContaining([
        'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
        'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly',
        'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
      ]),
    );
    const addons = resources(s, 'aws_eks_addon');
    expect(addons.map((a) => a.addon_name).sort()).toEqual([
      'amazon-cloudwatch-observability',
      'aws-ebs-csi-driver',
      'coredns',
      'eks-pod-identity-agent',
      'kube-proxy',
      'vpc-cni',
    ]);
    const cni = addons.find((a) => a.addon_name === 'vpc-cni')!;
    expect(cni.pod_identity_association).toEqual([{ role_arn: expect.stringMatching(/vpc-cniRole/), service_account: 'aws-node' }]);
    const trust = JSON.parse(String(resources(s, 'aws_iam_role').find((r) => r.name === 'sk-prod-vpc-cni')!.assume_role_policy));
    expect(trust.Statement[0]).toEqual({
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
    });
  });

  test('admins get access entries with the cluster-admin policy, and then no creator bootstrap', () => {
    const s = cluster({ adminPrincipalArns: ['arn:aws:iam::111122223333:role/platform-admin'] });
    expect(only(s, 'aws_eks_cluster').access_config.bootstrap_cluster_creator_admin_permissions).toBe(false);
    expect(only(s, 'aws_eks_access_policy_association')).toMatchObject({
      principal_arn: 'arn:aws:iam::111122223333:role/platform-admin',
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  test('a public endpoint is limited to the given CIDRs', () => {
    const c = only(cluster({ endpointAccess: EndpointAccess.publicAndPrivate(['203.0.113.0/24']) }), 'aws_eks_cluster');
    expect(c.vpc_config).toMatchObject({ endpoint_public_access: true, public_access_cidrs: ['203.0.113.0/24'] });
  });

  describe('version support', () => {
    test("1.28 (the seed's version) is past end of support", () => {
      expect(() => cluster({ version: EksKubernetesVersion.of('1.28') })).toThrow(
        `[test/Cluster] 'version' ("1.28") reached end of support on 2025-11-26: EKS versions in standard support on 2026-11-21: 1.34, 1.35`,
      );
    });
    test('an unknown version without a support window is refused', () => {
      expect(() => cluster({ version: EksKubernetesVersion.of('1.3x') })).toThrow(
        `[test/Cluster] 'version' ("1.3x") is not a Kubernetes minor version such as "1.35": EKS versions in standard support on 2026-11-21: 1.34, 1.35`,
      );
      expect(() => cluster({ version: EksKubernetesVersion.of('1.37') })).toThrow(
        `[test/Cluster] 'version' ("1.37") is not in the EKS support table and has no support window: EKS versions in standard support on 2026-11-21: 1.34, 1.35`,
      );
    });
    test('1.33 is in extended support only', () => {
      expect(() => cluster({ version: EksKubernetesVersion.V1_33 })).toThrow(
        `[test/Cluster] 'version' ("1.33") left standard support on 2026-07-29: EKS versions in standard support on 2026-11-21: 1.34, 1.35`,
      );
    });
    test('1.34 is accepted today and refused after 2026-12-02', () => {
      expect(only(cluster({ version: EksKubernetesVersion.V1_34 }), 'aws_eks_cluster').version).toBe('1.34');
      expect(() => cluster({ version: EksKubernetesVersion.V1_34, supportCheckDate: '2026-12-03' })).toThrow(
        `[test/Cluster] 'version' ("1.34") left standard support on 2026-12-02: EKS versions in standard support on 2026-12-03: 1.35`,
      );
    });
    test('a newer version with its window is accepted', () => {
      const v = EksKubernetesVersion.of('1.36', {
        released: '2026-06-01',
        endOfStandardSupport: '2027-08-01',
        endOfExtendedSupport: '2028-08-01',
      });
      expect(only(cluster({ version: v }), 'aws_eks_cluster').version).toBe('1.36');
    });
  });

  test('the AMI type follows the CPU architecture of the instance types', () => {
    const ami = (instanceTypes: string[]) => only(cluster({ nodeGroup: { instanceTypes } }), 'aws_eks_node_group').ami_type;
    expect(ami(['m6i.large'])).toBe('AL2023_x86_64_STANDARD');
    expect(ami(['m7g.large', 'c7gn.xlarge', 'r8g.large'])).toBe('AL2023_ARM_64_STANDARD');
    expect(ami(['t4g.large', 'a1.large', 'im4gn.large', 'is4gen.medium', 'x2gd.large'])).toBe('AL2023_ARM_64_STANDARD');
    // g5 is an NVIDIA GPU family on x86; m6a is AMD.
    expect(ami(['g5.xlarge', 'm6a.large', 'm7i-flex.large', 'inf2.xlarge'])).toBe('AL2023_x86_64_STANDARD');
  });

  describe('bad input', () => {
    test.each([
      [
        { endpointAccess: EndpointAccess.publicAndPrivate(['0.0.0.0/0']) },
        `[test/Cluster] 'endpointAccess.publicCidrs[0]' ("0.0.0.0/0") opens the Kubernetes API to the whole internet (0.0.0.0/0 is the whole internet): list the CIDRs that need it`,
      ],
      [
        { endpointAccess: EndpointAccess.publicAndPrivate(['0.0.0.0/1', '128.0.0.0/1']) },
        `[test/Cluster] 'endpointAccess.publicCidrs[0]' ("0.0.0.0/1") opens the Kubernetes API to the whole internet (0.0.0.0/1 is wider than a /8 (2147483648 addresses))`,
      ],
      [
        { endpointAccess: EndpointAccess.publicAndPrivate(Array.from({ length: 64 }, (_, i) => `${i + 1}.0.0.0/8`)) },
        `opens the Kubernetes API to the whole internet (together they cover 25 % of all IPv4 addresses)`,
      ],
      [
        { endpointAccess: EndpointAccess.publicAndPrivate([]) },
        `[test/Cluster] 'endpointAccess.publicCidrs' ([]) must list at least one CIDR when the endpoint is public (or use EndpointAccess.PRIVATE)`,
      ],
      [{ nodeGroup: { minSize: 5, maxSize: 4 } }, `[test/Cluster] 'nodeGroup.minSize' (5) must not exceed 'nodeGroup.maxSize' (4)`],
      [
        { nodeGroup: { minSize: 3, maxSize: 6, desiredSize: 7 } },
        `[test/Cluster] 'nodeGroup.desiredSize' (7) must be within [minSize, maxSize] = [3, 6]`,
      ],
      [
        { nodeGroup: { minSize: 3, maxSize: 6, desiredSize: 2 } },
        `[test/Cluster] 'nodeGroup.desiredSize' (2) must be within [minSize, maxSize] = [3, 6]`,
      ],
      [{ clusterName: 'Samokoder_Prod' }, `[test/Cluster] 'clusterName' ("Samokoder_Prod") must be a DNS label`],
      [{ logRetentionDays: 0 }, `[test/Cluster] 'logRetentionDays' (0) must be one of CloudWatch Logs' retention values`],
      [
        { nodeGroup: { instanceTypes: ['m7g.large', 'm6i.large'] } },
        `[test/Cluster] 'nodeGroup.instanceTypes' (["m7g.large","m6i.large"]) mixes CPU architectures (m7g.large (arm64), m6i.large (x86_64)): one node group runs one AMI type; use all Graviton or all x86 types`,
      ],
      [
        { nodeGroup: { instanceTypes: ['m6i-large'] } },
        `[test/Cluster] 'nodeGroup.instanceTypes[0]' ("m6i-large") must be an EC2 instance type of the form <family>.<size>, e.g. m6i.large or m7g.large`,
      ],
      [
        { nodeGroup: { instanceTypes: [] } },
        `[test/Cluster] 'nodeGroup.instanceTypes' ([]) must name at least one EC2 instance type, e.g. m6i.large`,
      ],
    ])('%j is refused', (props, message) => {
      expect(() => cluster(props)).toThrow(message);
    });
  });
});
