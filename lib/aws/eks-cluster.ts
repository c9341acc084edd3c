import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { EksAddon } from '@cdktf/provider-aws/lib/eks-addon';
import { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { internetWideReason, Ipv4Cidr, Ipv6Cidr } from '../common/cidr';
import { invalidCombination, invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireIntegerInRange, requireIsoDate } from '../common/validate';
import { EksKubernetesVersion } from './eks-version';
import { _requireRetention } from './network';
import { _requireInstanceTypes } from './private/limits';
import { _createKey, _serviceTrust } from './private/kms';
import { _AllKeys, _checkProps } from '../common/props';

/** Who can reach the Kubernetes API endpoint. */
export class EndpointAccess {
  /** Private endpoint only: the API is reachable from inside the VPC (and peered networks, VPN). */
  public static readonly PRIVATE = new EndpointAccess([]);
  /**
   * Private endpoint plus a public one limited to the given IPv4 CIDRs (office, CI runners). `0.0.0.0/0` is
   * refused, and so are IPv6 ranges: EKS admits them on IPv6 clusters only, and this construct makes IPv4 ones.
   */
  public static publicAndPrivate(cidrs: readonly string[]): EndpointAccess {
    return new EndpointAccess(cidrs);
  }
  private constructor(public readonly publicCidrs: readonly string[]) {}
  /** @internal */
  public _isPublic(): boolean {
    return this !== EndpointAccess.PRIVATE;
  }
}

/** A managed node group's sizing. */
export interface NodeGroupOptions {
  /**
   * EC2 instance types, largest share first, all of one CPU architecture: Graviton types (`m7g.large`) get the
   * ARM AMI (`AL2023_ARM_64_STANDARD`), others the x86 one.
   * @default ['m6i.large']
   */
  readonly instanceTypes?: string[];
  /**
   * Minimum nodes (at least one per zone keeps the PodDisruptionBudgets drainable).
   * @default 3
   */
  readonly minSize?: number;
  /** @default 10 */
  readonly maxSize?: number;
  /** @default - minSize */
  readonly desiredSize?: number;
  /** Root volume size in GiB (gp3, encrypted). @default 50 */
  readonly diskSizeGiB?: number;
  /** `ON_DEMAND` or `SPOT`. @default 'ON_DEMAND' */
  readonly capacityType?: 'ON_DEMAND' | 'SPOT';
}

/** Props for {@link SamokoderCluster}. */
export interface SamokoderClusterProps {
  /** Cluster name (a DNS label, at most 100 characters). */
  readonly clusterName: string;
  /** Private subnet IDs for the control-plane ENIs and the nodes. */
  readonly subnetIds: string[];
  /** Region name (for the CloudWatch Logs key policy). */
  readonly region: string;
  /**
   * Kubernetes version; must be in EKS standard support on `supportCheckDate`.
   * @default EksKubernetesVersion.DEFAULT
   */
  readonly version?: EksKubernetesVersion;
  /**
   * The day the support check is made for (ISO date). Pin it in tests; leave it unset in programs so an
   * unsupported version fails the next synth.
   * @default - today
   */
  readonly supportCheckDate?: string;
  /**
   * API endpoint exposure.
   * @default EndpointAccess.PRIVATE
   */
  readonly endpointAccess?: EndpointAccess;
  /**
   * Retention of the control-plane logs (the audit trail), in days.
   * @default 365
   */
  readonly logRetentionDays?: number;
  /** Managed node group sizing. @default - 3 to 10 m6i.large on demand */
  readonly nodeGroup?: NodeGroupOptions;
  /**
   * IAM principals (roles) given cluster-admin through EKS access entries.
   * @default - none; the identity that creates the cluster is then given admin (bootstrap) so it is not locked out
   */
  readonly adminPrincipalArns?: string[];
}

const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
const POD_IDENTITY_TRUST = _serviceTrust('pods.eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']);

/** Every prop of {@link SamokoderClusterProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const NODE_GROUP_OPTIONS = ['instanceTypes', 'minSize', 'maxSize', 'desiredSize', 'diskSizeGiB', 'capacityType'] as const;
const SAMOKODER_CLUSTER_PROPS = [
  'clusterName',
  'subnetIds',
  'region',
  'version',
  'supportCheckDate',
  'endpointAccess',
  'logRetentionDays',
  'nodeGroup',
  'adminPrincipalArns',
] as const;
const SAMOKODER_CLUSTER_REQUIRED = ['clusterName', 'subnetIds', 'region'] as const;

/**
 * An EKS cluster with a private API endpoint, all control-plane logs, KMS envelope encryption of secrets, access
 * entries (authentication mode API), a managed node group behind an IMDSv2-only launch template, Pod Identity and
 * the core add-ons.
 */
export class SamokoderCluster extends Construct {
  public readonly cluster: EksCluster;
  public readonly nodeGroup: EksNodeGroup;
  public readonly version: EksKubernetesVersion;

  constructor(scope: Construct, id: string, props: SamokoderClusterProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<SamokoderClusterProps, typeof SAMOKODER_CLUSTER_PROPS>>(
      this.node.path,
      'SamokoderCluster',
      props,
      SAMOKODER_CLUSTER_PROPS,
      SAMOKODER_CLUSTER_REQUIRED,
    );
    const path = this.node.path;
    const name = requireDnsLabel(path, 'clusterName', props.clusterName, 100);
    this.version = props.version ?? EksKubernetesVersion.DEFAULT;
    this.version.assertSupported(
      path,
      'version',
      requireIsoDate(path, 'supportCheckDate', props.supportCheckDate ?? new Date().toISOString().slice(0, 10)),
    );
    const access = props.endpointAccess ?? EndpointAccess.PRIVATE;
    if (access._isPublic()) {
      if (access.publicCidrs.length === 0) {
        throw invalidProp(
          path,
          'endpointAccess.publicCidrs',
          [],
          'must list at least one CIDR when the endpoint is public (or use EndpointAccess.PRIVATE)',
        );
      }
      access.publicCidrs.forEach((c, i) => {
        // EKS admits IPv6 ranges to the public endpoint of IPv6 clusters only (made after October 2024, ipFamily
        // ipv6); this construct makes IPv4 clusters (the VPC CNI's default).
        if (Ipv6Cidr.tryParse(c)) {
          throw invalidProp(
            path,
            `endpointAccess.publicCidrs[${i}]`,
            c,
            'is an IPv6 range: EKS admits IPv6 ranges to the public endpoint of IPv6 clusters only, and this cluster is IPv4; list the IPv4 ranges the clients connect from',
          );
        }
        Ipv4Cidr.parse(path, `endpointAccess.publicCidrs[${i}]`, c);
        // An entry that is the whole internet alone is named by its index; the list, when only together they are.
        const alone = internetWideReason([c]);
        if (alone) {
          throw invalidProp(
            path,
            `endpointAccess.publicCidrs[${i}]`,
            c,
            `opens the Kubernetes API to the whole internet (${alone}): list the CIDRs that need it`,
          );
        }
      });
      const wide = internetWideReason(access.publicCidrs);
      if (wide) {
        throw invalidProp(
          path,
          'endpointAccess.publicCidrs',
          access.publicCidrs,
          `opens the Kubernetes API to the whole internet (${wide}): list the CIDRs that need it`,
        );
      }
    }
    const retention = _requireRetention(path, 'logRetentionDays', props.logRetentionDays ?? 365);
    const ng = props.nodeGroup ?? {};
    _checkProps<_AllKeys<NodeGroupOptions, typeof NODE_GROUP_OPTIONS>>(
      path,
      'node group options',
      ng,
      NODE_GROUP_OPTIONS,
      [],
      'nodeGroup.',
    );
    const minSize = requireIntegerInRange(path, 'nodeGroup.minSize', ng.minSize ?? 3, 1, 450);
    const maxSize = requireIntegerInRange(path, 'nodeGroup.maxSize', ng.maxSize ?? 10, 1, 450);
    if (minSize > maxSize) {
      throw invalidCombination(path, `'nodeGroup.minSize' (${minSize}) must not exceed 'nodeGroup.maxSize' (${maxSize})`);
    }
    const desiredSize = ng.desiredSize ?? minSize;
    if (desiredSize < minSize || desiredSize > maxSize) {
      throw invalidProp(path, 'nodeGroup.desiredSize', desiredSize, `must be within [minSize, maxSize] = [${minSize}, ${maxSize}]`);
    }
    const diskSize = requireIntegerInRange(path, 'nodeGroup.diskSizeGiB', ng.diskSizeGiB ?? 50, 20, 16384);
    // The AMI type follows the instance types' CPU architecture (Graviton types get the ARM AMI).
    const nodeTypes = _requireInstanceTypes(path, 'nodeGroup.instanceTypes', ng.instanceTypes ?? ['m6i.large']);

    // Keys: one for secrets envelope encryption, one for the control-plane log group.
    const secretsKey = _createKey(this, 'SecretsKey', {
      alias: `${name}-eks-secrets`,
      description: `${name} EKS secrets envelope encryption`,
    });
    const logsKey = _createKey(this, 'LogsKey', {
      alias: `${name}-eks-logs`,
      description: `${name} EKS control-plane logs`,
      logsRegion: props.region,
    });
    // The log group exists before the cluster so EKS does not create an unencrypted one without retention.
    const logGroup = new CloudwatchLogGroup(this, 'ControlPlaneLogs', {
      name: `/aws/eks/${name}/cluster`,
      retentionInDays: retention,
      kmsKeyId: logsKey.arn,
    });

    const clusterRole = new IamRole(this, 'ClusterRole', {
      name: `${name}-cluster`,
      assumeRolePolicy: _serviceTrust('eks.amazonaws.com', ['sts:AssumeRole', 'sts:TagSession']),
    });
    new IamRolePolicyAttachment(this, 'ClusterRolePolicy', {
      role: clusterRole.name,
      policyArn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    });

    const admins = props.adminPrincipalArns ?? [];
    this.cluster = new EksCluster(this, 'Cluster', {
      name,
      version: this.version.version,
      roleArn: clusterRole.arn,
      enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
      deletionProtection: true,
      bootstrapSelfManagedAddons: false,
      vpcConfig: {
        subnetIds: props.subnetIds,
        endpointPrivateAccess: true,
        endpointPublicAccess: access._isPublic(),
        ...(access._isPublic() ? { publicAccessCidrs: [...access.publicCidrs] } : {}),
      },
      accessConfig: {
        authenticationMode: 'API',
        bootstrapClusterCreatorAdminPermissions: admins.length === 0,
      },
      encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ['secrets'] },
      upgradePolicy: { supportType: 'STANDARD' },
      lifecycle: { preventDestroy: true },
      dependsOn: [logGroup],
    });

    admins.forEach((arn, i) => {
      const entry = new EksAccessEntry(this, `AdminAccessEntry${i + 1}`, {
        clusterName: this.cluster.name,
        principalArn: arn,
        type: 'STANDARD',
      });
      new EksAccessPolicyAssociation(this, `AdminAccessPolicy${i + 1}`, {
        clusterName: this.cluster.name,
        principalArn: arn,
        policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
        accessScope: { type: 'cluster' },
        dependsOn: [entry],
      });
    });

    // Nodes: least privilege. The CNI and CSI permissions go to their own pods through Pod Identity, not the node.
    const nodeRole = new IamRole(this, 'NodeRole', {
      name: `${name}-node`,
      assumeRolePolicy: _serviceTrust('ec2.amazonaws.com'),
    });
    const nodePolicies = ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly'].map(
      (policy) =>
        new IamRolePolicyAttachment(this, `NodeRole${policy}`, {
          role: nodeRole.name,
          policyArn: `arn:aws:iam::aws:policy/${policy}`,
        }),
    );
    const launchTemplate = new LaunchTemplate(this, 'NodeLaunchTemplate', {
      name: `${name}-nodes`,
      description: `${name} managed nodes: IMDSv2 only, hop limit 1, encrypted gp3 root volume, no SSH key`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: { volumeSize: diskSize, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications: [{ resourceType: 'instance', tags: { Name: `${name}-node` } }],
    });
    this.nodeGroup = new EksNodeGroup(this, 'NodeGroup', {
      clusterName: this.cluster.name,
      nodeGroupName: `${name}-default`,
      nodeRoleArn: nodeRole.arn,
      subnetIds: props.subnetIds,
      amiType: nodeTypes.amiType,
      capacityType: ng.capacityType ?? 'ON_DEMAND',
      instanceTypes: nodeTypes.types,
      launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.toString() },
      scalingConfig: { minSize, maxSize, desiredSize },
      updateConfig: { maxUnavailablePercentage: 33 },
      nodeRepairConfig: { enabled: true },
      dependsOn: nodePolicies,
    });

    // Core add-ons. Versions are left to EKS (the default for the cluster version), so output stays stable.
    const addonRole = (addon: string, policyArn: string) => {
      const role = new IamRole(this, `${addon}Role`, { name: `${name}-${addon}`, assumeRolePolicy: POD_IDENTITY_TRUST });
      new IamRolePolicyAttachment(this, `${addon}RolePolicy`, { role: role.name, policyArn });
      return role;
    };
    const podIdentityAgent = this.addon('eks-pod-identity-agent');
    const cniRole = addonRole('vpc-cni', 'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy');
    // Network policy enforcement is off in the VPC CNI unless asked for: without it every NetworkPolicy is stored
    // and silently ignored.
    this.addon('vpc-cni', { roleArn: cniRole.arn, serviceAccount: 'aws-node' }, [podIdentityAgent], { enableNetworkPolicy: 'true' });
    this.addon('kube-proxy');
    this.addon('coredns', undefined, [this.nodeGroup]);
    const ebsRole = addonRole('ebs-csi', 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy');
    this.addon('aws-ebs-csi-driver', { roleArn: ebsRole.arn, serviceAccount: 'ebs-csi-controller-sa' }, [podIdentityAgent, this.nodeGroup]);
    const cwRole = addonRole('cloudwatch', 'arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy');
    this.addon('amazon-cloudwatch-observability', { roleArn: cwRole.arn, serviceAccount: 'cloudwatch-agent' }, [
      podIdentityAgent,
      this.nodeGroup,
    ]);
  }

  /** The cluster's name. */
  public get clusterName(): string {
    return this.cluster.name;
  }

  /** The security group EKS attaches to the control plane and managed nodes: the source data stores admit. */
  public get clusterSecurityGroupId(): string {
    return this.cluster.vpcConfig.clusterSecurityGroupId;
  }

  /** The OIDC issuer URL of the cluster. */
  public get oidcIssuerUrl(): string {
    return this.cluster.identity.get(0).oidc.get(0).issuer;
  }

  private addon(
    addonName: string,
    podIdentity?: { roleArn: string; serviceAccount: string },
    dependsOn: Array<EksAddon | EksNodeGroup> = [],
    configuration?: Record<string, unknown>,
  ): EksAddon {
    return new EksAddon(this, `Addon-${addonName}`, {
      clusterName: this.cluster.name,
      addonName,
      ...(configuration ? { configurationValues: JSON.stringify(configuration) } : {}),
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      ...(podIdentity ? { podIdentityAssociation: [podIdentity] } : {}),
      dependsOn,
    });
  }
}

/** The trust policy for roles assumed by pods through EKS Pod Identity. @internal */
export const _POD_IDENTITY_TRUST = POD_IDENTITY_TRUST;
