import { Construct } from 'constructs';
import { EksPodIdentityAssociation } from '@cdktf/provider-aws/lib/eks-pod-identity-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { invalidProp } from '../common/errors';
import { _freeId, isUnresolved, requireDnsLabel } from '../common/validate';
import { _POD_IDENTITY_TRUST } from './eks-cluster';
import { _policy } from './private/kms';

/** Props for {@link PodRole}. */
export interface PodRoleProps {
  /** IAM role name. */
  readonly roleName: string;
  readonly clusterName: string;
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Kubernetes service account the pods run as. */
  readonly serviceAccount: string;
  /** Buckets the pods read and write objects in. @default [] */
  readonly bucketArns?: string[];
  /**
   * Objects the pods may write and nothing else (no read, list or delete): ARN patterns such as
   * `arn:aws:s3:::billing-production-backups/postgres/*`, for a job that only uploads (a dump).
   * @default []
   */
  readonly writeOnlyObjectArns?: string[];
  /** Secrets Manager ARNs (wildcards allowed at the end) the pods may read. @default [] */
  readonly secretArns?: string[];
  /** KMS keys the pods may decrypt with (for SSE-KMS buckets and secrets). @default [] */
  readonly kmsKeyArns?: string[];
  /** `rds-db:connect` resources (`arn:aws:rds-db:<region>:<account>:dbuser:<resource-id>/<user>`). @default [] */
  readonly rdsDbUserArns?: string[];
  /** ElastiCache replication group and user ARNs for `elasticache:Connect` (IAM auth). @default [] */
  readonly elasticacheConnectArns?: string[];
  /**
   * Cluster Autoscaler's rights: discover the Auto Scaling groups and instance types (read-only, on every resource:
   * these actions take none), describe the named managed node groups, and resize or shrink only the Auto Scaling
   * groups EKS tagged with this cluster's name (`eks:cluster-name`). From cluster-autoscaler 1.35.2's AWS README
   * ("Full Cluster Autoscaler Features Policy"), with the mutating statement limited as it recommends.
   * @default - none
   */
  readonly scaleNodeGroups?: {
    readonly clusterName: string;
    readonly region: string;
    readonly account: string;
    readonly nodeGroupArns: string[];
  };
  /**
   * external-dns' rights on one Route 53 hosted zone (`PlatformDns.route53`): change records of the named domains
   * only (each name and everything under it, through the `route53:ChangeResourceRecordSetsNormalizedRecordNames`
   * condition), list and read that zone's records and tags, list hosted zones (an action that takes no resource).
   * From external-dns v0.22.0 docs/tutorials/aws.md (its policy "limited to specific domains"), with the zone's ARN
   * in place of `hostedzone/*`. @default - none
   */
  readonly changeRecordSets?: {
    /** The hosted zone's id (`Z…`, or a reference to an `aws_route53_zone`'s `zone_id`). */
    readonly hostedZoneId: string;
    /** The names (each with everything under it) whose records it may change: the `PlatformDns` `domains`. */
    readonly domains: string[];
    /** Names denied even under `domains` (the `PlatformDns` `excludeDomains`). @default [] */
    readonly excludeDomains?: string[];
  };
}

/**
 * An IAM role for one Kubernetes service account through EKS Pod Identity, limited to the named buckets, secrets,
 * keys and database users: no wildcards on actions, no `*` resources.
 */
export class PodRole extends Construct {
  public readonly role: IamRole;
  /** The Kubernetes service account the role is bound to. */
  public readonly serviceAccount: string;

  constructor(scope: Construct, id: string, props: PodRoleProps) {
    super(scope, _freeId(scope, id));
    // IAM role names: 1-64 characters of letters, digits and + = , . @ _ - (IAM's limits, checked at apply otherwise).
    if (!isUnresolved(props.roleName) && !/^[\w+=,.@-]{1,64}$/.test(props.roleName)) {
      throw invalidProp(
        this.node.path,
        'roleName',
        props.roleName,
        `must be 1-64 characters of letters, digits and + = , . @ _ - (IAM role names; it has ${props.roleName.length})`,
      );
    }
    requireDnsLabel(this.node.path, 'namespace', props.namespace);
    this.serviceAccount = requireDnsLabel(this.node.path, 'serviceAccount', props.serviceAccount, 253);
    this.role = new IamRole(this, 'Role', {
      name: props.roleName,
      description: `Pod Identity role for ${props.namespace}/${props.serviceAccount}`,
      assumeRolePolicy: _POD_IDENTITY_TRUST,
    });
    const statements: object[] = [];
    const buckets = props.bucketArns ?? [];
    if (buckets.length > 0) {
      statements.push({ Sid: 'ListBuckets', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: buckets });
      statements.push({
        Sid: 'ReadWriteObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        Resource: buckets.map((b) => `${b}/*`),
      });
    }
    if ((props.writeOnlyObjectArns ?? []).length > 0) {
      statements.push({ Sid: 'WriteObjects', Effect: 'Allow', Action: ['s3:PutObject'], Resource: props.writeOnlyObjectArns });
    }
    if ((props.secretArns ?? []).length > 0) {
      statements.push({
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: props.secretArns,
      });
    }
    if ((props.kmsKeyArns ?? []).length > 0) {
      statements.push({ Sid: 'UseKeys', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: props.kmsKeyArns });
    }
    if ((props.rdsDbUserArns ?? []).length > 0) {
      statements.push({ Sid: 'ConnectDatabase', Effect: 'Allow', Action: ['rds-db:connect'], Resource: props.rdsDbUserArns });
    }
    if ((props.elasticacheConnectArns ?? []).length > 0) {
      statements.push({ Sid: 'ConnectCache', Effect: 'Allow', Action: ['elasticache:Connect'], Resource: props.elasticacheConnectArns });
    }
    const scale = props.scaleNodeGroups;
    if (scale) {
      statements.push({
        Sid: 'DiscoverNodeGroups',
        Effect: 'Allow',
        Action: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeAutoScalingInstances',
          'autoscaling:DescribeLaunchConfigurations',
          'autoscaling:DescribeScalingActivities',
          'ec2:DescribeImages',
          'ec2:DescribeInstanceTypes',
          'ec2:DescribeLaunchTemplateVersions',
          'ec2:GetInstanceTypesFromInstanceRequirements',
        ],
        Resource: '*',
      });
      statements.push({ Sid: 'DescribeNodeGroups', Effect: 'Allow', Action: ['eks:DescribeNodegroup'], Resource: scale.nodeGroupArns });
      statements.push({
        Sid: 'ResizeNodeGroups',
        Effect: 'Allow',
        Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        Resource: `arn:aws:autoscaling:${scale.region}:${scale.account}:autoScalingGroup:*:autoScalingGroupName/*`,
        Condition: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': scale.clusterName } },
      });
    }
    const records = props.changeRecordSets;
    if (records) {
      const id = records.hostedZoneId;
      if (!isUnresolved(id) && !/^Z[A-Z0-9]{1,31}$/.test(id)) {
        throw invalidProp(
          this.node.path,
          'changeRecordSets.hostedZoneId',
          id,
          'must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ"',
        );
      }
      if (records.domains.length === 0) throw invalidProp(this.node.path, 'changeRecordSets.domains', [], 'must name at least one domain');
      const zone = `arn:aws:route53:::hostedzone/${id}`;
      // Route 53 compares normalized names (lower case, no trailing dot): each name and everything under it.
      const patterns = (list: readonly string[]) => list.map((d) => d.toLowerCase().replace(/\.$/, '')).flatMap((d) => [d, `*.${d}`]);
      const key = 'route53:ChangeResourceRecordSetsNormalizedRecordNames';
      statements.push({
        Sid: 'ChangeRecords',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets'],
        Resource: zone,
        Condition: { 'ForAllValues:StringLike': { [key]: patterns(records.domains) } },
      });
      const excluded = records.excludeDomains ?? [];
      if (excluded.length > 0) {
        statements.push({
          Sid: 'KeepOffExcluded',
          Effect: 'Deny',
          Action: ['route53:ChangeResourceRecordSets'],
          Resource: zone,
          Condition: { 'ForAnyValue:StringLike': { [key]: patterns(excluded) } },
        });
      }
      statements.push({
        Sid: 'ReadRecords',
        Effect: 'Allow',
        Action: ['route53:ListResourceRecordSets', 'route53:ListTagsForResources'],
        Resource: zone,
      });
      statements.push({ Sid: 'ListZones', Effect: 'Allow', Action: ['route53:ListHostedZones'], Resource: '*' });
    }
    if (statements.length > 0) {
      new IamRolePolicy(this, 'Policy', { role: this.role.id, name: 'least-privilege', policy: _policy(statements) });
    }
    new EksPodIdentityAssociation(this, 'Association', {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: this.role.arn,
    });
  }

  public get roleArn(): string {
    return this.role.arn;
  }
}
