/**
 * What moto (the local AWS API `npm run verify:tf` applies the AWS stacks against) does not implement, so that an
 * error from it is moto's and not ours. Everything not listed here is treated as ours.
 *
 * How the two were told apart: an error is moto's only when moto could not have answered like AWS, shown in its
 * source (moto 5.2.5, site-packages/moto):
 * - the API has no route in moto, so the reply is moto's HTML "404 Not Found" page, not an AWS error document
 *   (the provider then says "deserialization failed ... invalid character '<' or 'A'");
 * - the provider speaks a protocol moto does not (CloudWatch's Smithy RPC v2 CBOR), or moto crashes (HTTP 502 from
 *   its proxy);
 * - the failing value is one moto never fills in (EKS's cluster security group id is empty in moto).
 * An AWS error code (InvalidParameterValue, InvalidTargetBucketForLogging, NoSuchEntity, DependencyViolation, ...) is
 * an answer moto gives on purpose, as AWS would: ours.
 */

export interface MotoGap {
  /** Terraform resource type the error is reported for. */
  readonly resourceType: string;
  /** The API call that fails. */
  readonly api: string;
  /** Matches the error text (summary and detail). */
  readonly match: RegExp;
  /** Why this is moto's, with where it shows. */
  readonly reason: string;
}

export const MOTO_GAPS: readonly MotoGap[] = [
  {
    resourceType: 'aws_cloudwatch_metric_alarm',
    api: 'CloudWatch PutMetricAlarm',
    match: /unexpected smithy-protocol response header/,
    reason:
      'the AWS provider 6.x calls CloudWatch with the Smithy RPC v2 CBOR protocol; moto/cloudwatch answers only the query protocol (404)',
  },
  {
    resourceType: 'aws_eks_addon',
    api: 'EKS CreateAddon',
    match: /CreateAddon, https response error StatusCode: 404/,
    reason: 'moto/eks/urls.py has no /clusters/{name}/addons route',
  },
  {
    resourceType: 'aws_eks_access_entry',
    api: 'EKS CreateAccessEntry',
    match: /CreateAccessEntry, https response error StatusCode: 404/,
    reason: 'moto/eks/urls.py has no /clusters/{name}/access-entries route',
  },
  {
    resourceType: 'aws_eks_pod_identity_association',
    api: 'EKS CreatePodIdentityAssociation',
    match: /CreatePodIdentityAssociation, https response error StatusCode: 404/,
    reason: 'moto/eks/urls.py has no /clusters/{name}/pod-identity-associations route',
  },
  {
    resourceType: 'aws_elasticache_user_group',
    api: 'ElastiCache CreateUserGroup',
    match: /CreateUserGroup, .*StatusCode: (404|501|502)/,
    reason: 'moto/elasticache/responses.py has no CreateUserGroup action',
  },
  {
    resourceType: 'aws_db_instance_automated_backups_replication',
    api: 'RDS StartDBInstanceAutomatedBackupsReplication',
    match: /StartDBInstanceAutomatedBackupsReplication, .*StatusCode: 502/,
    reason:
      'moto/rds/responses.py has no start_db_instance_automated_backups_replication: call_action raises NotImplementedError (moto/core/responses.py), which its proxy answers with 502',
  },
  {
    resourceType: 'aws_vpc_security_group_ingress_rule',
    api: 'EC2 AuthorizeSecurityGroupIngress (from the EKS cluster security group)',
    match: /InvalidGroup\.NotFound: The security group '' does not exist/,
    reason:
      "moto's EKS CreateCluster returns no resourcesVpcConfig.clusterSecurityGroupId (moto/eks/models.py never sets it), so the referenced group id is empty",
  },
];

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  readonly summary: string;
  readonly detail?: string;
  /** The resource address, e.g. aws_eks_addon.Cluster_Addon-vpc-cni_1234. */
  readonly address?: string;
}

/** The gap an error belongs to, or undefined when the error is ours. */
export function motoGapOf(d: Diagnostic): MotoGap | undefined {
  const type = d.address?.split('.')[0];
  const text = `${d.summary}\n${d.detail ?? ''}`;
  return MOTO_GAPS.find((g) => g.resourceType === type && g.match.test(text));
}
