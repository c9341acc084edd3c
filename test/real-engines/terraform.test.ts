import { MOTO_GAPS, motoGapOf } from '../../scripts/real-engines/moto-gaps';
import { accountApply, accountPlan, dependenciesOf, notExercisedLines } from '../../scripts/real-engines/tf-account';
import { scratchConfig, validateDiagnostics } from '../../scripts/real-engines/verify-tf';

describe('errors from moto: ours unless moto could not have answered like AWS', () => {
  // Error texts as the AWS provider 6.47.1 reported them against moto 5.2.5 (npm run verify:tf).
  const seen: Array<[string, string]> = [
    [
      'aws_cloudwatch_metric_alarm.Alarms_CacheCpu1_23B2528D',
      "creating CloudWatch Metric Alarm\nID: samokoder-production-cache-cpu1\nCause: operation error CloudWatch: PutMetricAlarm, , RequestID: , deserialization failed, unexpected smithy-protocol response header '' (HTTP status: 404 OK)",
    ],
    [
      'aws_eks_addon.Cluster_Addon-kube-proxy_9FB23DA5',
      "creating EKS Add-On (samokoder-production:kube-proxy): operation error EKS: CreateAddon, https response error StatusCode: 404, RequestID: , deserialization failed, failed to decode response body, invalid character 'A' looking for beginning of value",
    ],
    [
      'aws_eks_access_entry.ArgoCdAccess_AccessEntry_01E7FD7F',
      "creating EKS Access Entry (samokoder-production:arn:aws:iam::123456789012:role/samokoder-production-argocd): operation error EKS: CreateAccessEntry, https response error StatusCode: 404, RequestID: , deserialization failed, failed to decode response body, invalid character 'A' looking for beginning of value",
    ],
    [
      'aws_eks_pod_identity_association.AppRole-api_Association_C48A0378',
      'creating EKS Pod Identity Association\noperation error EKS: CreatePodIdentityAssociation, https response error StatusCode: 404, RequestID: , deserialization failed',
    ],
    [
      'aws_elasticache_user_group.Cache_UserGroup_978A79CF',
      'creating ElastiCache User Group (samokoder-production-users): operation error ElastiCache: CreateUserGroup, exceeded maximum number of attempts, 5, https response error StatusCode: 502, RequestID: ',
    ],
    [
      'aws_db_instance_automated_backups_replication.Recovery_DatabaseBackups_5B5EF308',
      'starting RDS Instance Automated Backups Replication (arn:aws:rds:eu-central-1:123456789012:db:samokoder-production): operation error RDS: StartDBInstanceAutomatedBackupsReplication, exceeded maximum number of attempts, 5, https response error StatusCode: 502, RequestID: , error while deserializing xml error response: XML syntax error on line 6: element <meta> closed by </head>',
    ],
    [
      'aws_vpc_security_group_ingress_rule.Database_IngressFromCluster_4515DC12',
      "creating VPC Security Group Rule\noperation error EC2: AuthorizeSecurityGroupIngress, https response error StatusCode: 400, RequestID: x, api error InvalidGroup.NotFound: The security group '' does not exist",
    ],
  ];

  test.each(seen)('%s is a moto gap', (address, text) => {
    const [summary, ...detail] = text.split('\n');
    expect(motoGapOf({ severity: 'error', summary, detail: detail.join('\n'), address })).toMatchObject({
      resourceType: address.split('.')[0],
    });
  });

  test('every listed gap was seen (no speculative entries)', () => {
    expect(MOTO_GAPS.map((g) => g.resourceType).sort()).toEqual(seen.map(([a]) => a.split('.')[0]).sort());
  });

  test.each([
    [
      'aws_s3_bucket_logging.FilesBucket_AccessLogging_6001E5A6',
      'creating S3 Bucket (x) Logging: operation error S3: PutBucketLogging, https response error StatusCode: 400, api error InvalidTargetBucketForLogging: You must either provide the necessary permissions to the logging service using a bucket policy',
    ],
    [
      'aws_iam_role_policy_attachment.Cluster_Policy_1',
      'attaching IAM Policy (arn:aws:iam::aws:policy/AmazonEKSClustrPolicy) to IAM Role (x): operation error IAM: AttachRolePolicy, https response error StatusCode: 404, NoSuchEntity: Policy arn:aws:iam::aws:policy/AmazonEKSClustrPolicy does not exist or is not attachable.',
    ],
    // The right error text on another resource type is still ours.
    ['aws_security_group_rule.Other', "InvalidGroup.NotFound: The security group '' does not exist"],
    ['aws_eks_addon.X', 'creating EKS Add-On: InvalidParameterException: Addon version 9.9 is not supported'],
  ])('%s is ours', (address, summary) => {
    expect(motoGapOf({ severity: 'error', summary, address })).toBeUndefined();
  });
});

describe('the scratch copy terraform validates', () => {
  const stack = {
    terraform: {
      backend: { s3: { bucket: 'b', key: 'k' } },
      required_providers: {
        aws: { source: 'aws', version: '6.25.0' },
        digitalocean: { source: 'digitalocean/digitalocean', version: '2.71.0' },
      },
    },
  };

  test('pins the AWS provider to the stand-in and leaves DigitalOcean exact; the original is untouched', () => {
    const copy = scratchConfig(stack) as typeof stack;
    expect(copy.terraform.required_providers).toEqual({
      aws: { source: 'aws', version: '6.47.1' },
      digitalocean: { source: 'digitalocean/digitalocean', version: '2.71.0' },
    });
    expect(copy.terraform.backend).toEqual(stack.terraform.backend);
    expect(stack.terraform.required_providers.aws.version).toBe('6.25.0');
  });

  test('drops the backend for a local apply', () => {
    expect((scratchConfig(stack, { dropBackend: true }) as { terraform: object }).terraform).not.toHaveProperty('backend');
  });
});

test('diagnostics are read from terraform validate -json and from the JSON lines of plan/apply', () => {
  expect(
    validateDiagnostics(
      JSON.stringify({ valid: false, diagnostics: [{ severity: 'error', summary: 'Unsupported argument', detail: 'd', range: {} }] }),
    ),
  ).toEqual([{ severity: 'error', summary: 'Unsupported argument', detail: 'd' }]);
  const lines = [
    JSON.stringify({ type: 'apply_complete', hook: {} }),
    JSON.stringify({ type: 'diagnostic', diagnostic: { severity: 'error', summary: 's', detail: 'd', address: 'aws_x.y' } }),
    'not json',
  ].join('\n');
  // The JSON lines of plan/apply: other lines are skipped, each diagnostic named with its address.
  expect(accountPlan('s', { resource: {} }, { status: 1, stdout: lines, stderr: '' }).problems).toEqual(['s: plan aws_x.y error: s: d']);
});

describe('the apply account: every planned resource created, refused at a known gap, or sent after nothing', () => {
  const line = (o: object) => JSON.stringify(o);
  const planned = (addr: string) => line({ type: 'planned_change', change: { resource: { addr, mode: 'managed' }, action: 'create' } });
  const complete = (addr: string) => line({ type: 'apply_complete', hook: { resource: { addr } } });
  const errored = (addr: string) => line({ type: 'apply_errored', hook: { resource: { addr } } });
  const diagnostic = (severity: string, summary: string, address?: string, detail?: string) =>
    line({ type: 'diagnostic', diagnostic: { severity, summary, detail, address } });
  const ok = (...lines: string[]) => ({ status: 0, stdout: lines.join('\n'), stderr: '' });
  const stack = {
    resource: {
      aws_eks_cluster: { C: { name: 'c' } },
      aws_eks_addon: { A: { cluster_name: '${aws_eks_cluster.C.name}' } },
      aws_iam_role_policy: { P: { policy: '${data.aws_iam_policy_document.D.json}' } },
      aws_s3_bucket: { B: { bucket: 'b', depends_on: ['aws_eks_addon.A'] } },
    },
    data: { aws_iam_policy_document: { D: { statement: [{ resources: ['${aws_eks_addon.A.arn}'] }] } } },
  };
  const gapText =
    "operation error EKS: CreateAddon, https response error StatusCode: 404, RequestID: , deserialization failed, invalid character 'A'";
  const plan = ok(...['aws_eks_cluster.C', 'aws_eks_addon.A', 'aws_iam_role_policy.P', 'aws_s3_bucket.B'].map(planned));

  test('dependencies are read from references, data sources and depends_on', () => {
    const deps = dependenciesOf(stack);
    expect([...deps.get('aws_eks_addon.A')!]).toEqual(['aws_eks_cluster.C']);
    expect([...deps.get('aws_iam_role_policy.P')!]).toEqual(['data.aws_iam_policy_document.D']);
    expect([...deps.get('data.aws_iam_policy_document.D')!]).toEqual(['aws_eks_addon.A']);
    expect([...deps.get('aws_s3_bucket.B')!]).toEqual(['aws_eks_addon.A']);
  });

  test('a refused add-on and what is ordered after it are listed, not failed', () => {
    const apply = {
      status: 1,
      stdout: [
        complete('aws_eks_cluster.C'),
        errored('aws_eks_addon.A'),
        diagnostic('error', 'creating EKS Add-On', 'aws_eks_addon.A', gapText),
      ].join('\n'),
      stderr: '',
    };
    const a = accountApply('s', stack, plan, apply);
    expect(a.problems).toEqual([]);
    expect(a.created).toEqual(['aws_eks_cluster.C']);
    expect(a.gaps.map((g) => g.address)).toEqual(['aws_eks_addon.A']);
    expect(a.notAttempted).toEqual([
      { address: 'aws_iam_role_policy.P', after: ['aws_eks_addon.A'] },
      { address: 'aws_s3_bucket.B', after: ['aws_eks_addon.A'] },
    ]);
    expect(notExercisedLines('s', a)).toEqual([
      's: aws_eks_addon.A: refused by moto (EKS CreateAddon)',
      's: aws_iam_role_policy.P: not sent, after aws_eks_addon.A',
      's: aws_s3_bucket.B: not sent, after aws_eks_addon.A',
    ]);
  });

  test.each([
    [
      'a plan that fails without a diagnostic',
      { status: 1, stdout: '', stderr: '' },
      /s: plan failed \(exit 1\) without a diagnostic: \(no output\)/,
    ],
    [
      'a plan warning',
      ok(planned('aws_eks_cluster.C'), diagnostic('warning', 'Argument is deprecated')),
      /s: plan warning: Argument is deprecated/,
    ],
    ['a plan of nothing', ok(), /s: the plan planned nothing for a stack of 4 resources/],
  ])('%s fails', (_label, p, expected) => {
    expect(accountPlan('s', stack, p).problems).toEqual([expect.stringMatching(expected)]);
  });

  test.each([
    [
      'an apply that fails without a diagnostic',
      { status: 1, stdout: complete('aws_eks_cluster.C'), stderr: 'killed' },
      /apply failed \(exit 1\) without a diagnostic: killed/,
    ],
    [
      'a resource that errored without a diagnostic',
      ok(complete('aws_eks_cluster.C'), errored('aws_eks_addon.A')),
      /aws_eks_addon.A failed without a diagnostic/,
    ],
    [
      'a resource never sent with nothing failed before it',
      ok(complete('aws_eks_cluster.C'), complete('aws_eks_addon.A'), complete('aws_s3_bucket.B')),
      /aws_iam_role_policy.P was planned but neither created nor refused/,
    ],
    [
      'an error moto gives on purpose',
      ok(diagnostic('error', 'creating S3 Bucket Logging', 'aws_s3_bucket.B', 'api error InvalidTargetBucketForLogging')),
      /s: apply aws_s3_bucket.B error: creating S3 Bucket Logging/,
    ],
    [
      'an apply warning',
      ok(
        ...['aws_eks_cluster.C', 'aws_eks_addon.A', 'aws_iam_role_policy.P', 'aws_s3_bucket.B'].map(complete),
        diagnostic('warning', 'Deprecated'),
      ),
      /s: apply warning: Deprecated/,
    ],
  ])('%s fails', (_label, apply, expected) => {
    expect(accountApply('s', stack, plan, apply).problems).toContainEqual(expect.stringMatching(expected));
  });
});
