import { Testing } from 'cdktf';
import { AlarmSubscription, AwsRegion, SamokoderStack, SamokoderStackProps } from 'samokoder-infra';
import { resources, synthesizedOnce, TEST_DATE } from '../util/tf';

// Issue #25, "Last-resort copies": the cloud half of the scheduled dump (the Kubernetes half is DatabaseDump).
const tags = { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' };
const stack = (props: Partial<SamokoderStackProps> = {}) =>
  new SamokoderStack(Testing.app(), 'billing-production', {
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    tags,
    remoteState: { bucket: 'acme-terraform-state', region: 'eu-central-1' },
    supportCheckDate: TEST_DATE,
    alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
    ...props,
  });
const production = synthesizedOnce(() => stack());

describe('SamokoderStack: the scheduled dump’s identity', () => {
  test('database-dump may log in as database_dump and put objects under postgres/ of the backups bucket, nothing else', () => {
    const s = production();
    const role = resources(s, 'aws_iam_role').find((r) => r.name === 'billing-production-database-dump')!;
    expect(role.description).toBe('Pod Identity role for billing/database-dump');
    const [roleKey] = Object.entries(s.resource.aws_iam_role).find(([, r]) => r === role || r.name === role.name)!;
    const policy = resources(s, 'aws_iam_role_policy').find((p) => p.role === `\${aws_iam_role.${roleKey}.id}`)!;
    const statements = JSON.parse(policy.policy).Statement.map((st: { Sid: string; Action: string[]; Resource: string[] }) => [
      st.Sid,
      st.Action,
      st.Resource,
    ]);
    const [bucketKey] = Object.entries(s.resource.aws_s3_bucket).find(([, b]) => b.bucket === 'billing-production-backups')!;
    const [dbKey] = Object.keys(s.resource.aws_db_instance);
    const [keyKey] = Object.entries(s.resource.aws_kms_key).find(([, k]) => String(k.description).includes('buckets'))!;
    expect(statements).toEqual([
      ['WriteObjects', ['s3:PutObject'], [`\${aws_s3_bucket.${bucketKey}.arn}/postgres/*`]],
      ['UseKeys', ['kms:Decrypt', 'kms:GenerateDataKey'], [`\${aws_kms_key.${keyKey}.arn}`]],
      [
        'ConnectDatabase',
        ['rds-db:connect'],
        [
          `arn:aws:rds-db:eu-central-1:\${data.aws_caller_identity.CallerIdentity.account_id}:dbuser:\${aws_db_instance.${dbKey}.resource_id}/database_dump`,
        ],
      ],
    ]);
    const association = resources(s, 'aws_eks_pod_identity_association').find((a) => a.service_account === 'database-dump')!;
    expect(association.namespace).toBe('billing');
    expect(s.output?.database_dump_role_arn.description).toBe('Pod Identity role of billing/database-dump');
  });

  test('the contract lists its identity and the connection entry names the backups bucket', () => {
    const s = stack();
    expect(s.contract.podIdentities).toContainEqual({ namespace: 'billing', serviceAccount: 'database-dump' });
    const value = resources(production(), 'aws_secretsmanager_secret_version').find((v) =>
      String(v.secret_string).includes('DATABASE_HOST'),
    )!;
    expect(JSON.parse(value.secret_string).BACKUPS_BUCKET).toMatch(/^\$\{aws_s3_bucket\.BackupsBucket_\w+\.bucket\}$/);
  });

  test('the app may not be the dump’s role', () => {
    expect(() => stack({ appDatabaseUser: 'database_dump' })).toThrow(
      `[billing-production] 'appDatabaseUser' ("database_dump") is the scheduled dump's read-only role; give the app a role of its own`,
    );
  });
});
