import { App, Testing } from 'cdktf';
import {
  AlarmSubscription,
  AwsRegion,
  BucketLifecycle,
  EnvironmentProfile,
  PolicyPack,
  RecoveryCopies,
  RecoveryCopiesProps,
  SamokoderDatabase,
  SamokoderStack,
  SamokoderStackProps,
  SecureBucket,
} from 'samokoder-infra';
import { only, resources, synth, synthesizedOnce, TEST_DATE, testStack } from '../util/tf';

// Issue #26 "Honest figures" / #25 "Last-resort copies": the AWS environment had no regional recovery path (RDS
// backups and S3 objects were not copied anywhere).
const tags = { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' };

function stack(props: Partial<SamokoderStackProps> = {}, app: App = Testing.app()) {
  return new SamokoderStack(app, 'billing-production', {
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    tags,
    remoteState: { bucket: 'acme-terraform-state', region: 'eu-central-1' },
    supportCheckDate: TEST_DATE,
    alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
    ...props,
  });
}
const production = synthesizedOnce(() => stack());
const ref = (type: string, s: ReturnType<typeof production>, where: (r: Record<string, unknown>) => boolean) => {
  const [name] = Object.entries(s.resource[type]).find(([, r]) => where(r))!;
  return `${type}.${name}`;
};

describe('SamokoderStack: recovery (copies in another region)', () => {
  test('production copies RDS backups and S3 objects to another region', () => {
    const s = production();
    const replication = only(s, 'aws_db_instance_automated_backups_replication');
    const key = ref('aws_kms_key', s, (k) => k.region === 'eu-west-1');
    expect(replication).toMatchObject({
      region: 'eu-west-1',
      source_db_instance_arn: `\${${ref('aws_db_instance', s, () => true)}.arn}`,
      kms_key_id: `\${${key}.arn}`,
      retention_period: 14,
      lifecycle: { prevent_destroy: true },
    });
    const configs = resources(s, 'aws_s3_bucket_replication_configuration');
    for (const kind of ['files', 'backups']) {
      const source = ref('aws_s3_bucket', s, (b) => b.bucket === `billing-production-${kind}`);
      const replica = ref('aws_s3_bucket', s, (b) => b.bucket === `billing-production-${kind}-eu-west-1`);
      const config = configs.find((c) => c.bucket === `\${${source}.id}`)!;
      expect(config.rule).toEqual([
        expect.objectContaining({
          status: 'Enabled',
          filter: { prefix: '' },
          delete_marker_replication: { status: 'Enabled' },
          source_selection_criteria: { sse_kms_encrypted_objects: { status: 'Enabled' } },
          destination: { bucket: `\${${replica}.arn}`, encryption_configuration: { replica_kms_key_id: `\${${key}.arn}` } },
        }),
      ]);
    }
    expect(configs).toHaveLength(2);
  });

  test('the copies are protected and private like their sources, in the recovery region, with its own key', () => {
    const s = production();
    const replicas = resources(s, 'aws_s3_bucket').filter((b) => b.region === 'eu-west-1');
    expect(replicas.map((b) => b.bucket).sort()).toEqual([
      'billing-production-backups-eu-west-1',
      'billing-production-files-eu-west-1',
      'billing-production-logs-eu-west-1',
    ]);
    for (const b of replicas) expect(b).toMatchObject({ force_destroy: false, lifecycle: { prevent_destroy: true } });
    // Every setting of a replica is made in its region (a setting sent to the provider's region would not find it).
    for (const type of [
      'aws_s3_bucket_public_access_block',
      'aws_s3_bucket_versioning',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_policy',
      'aws_s3_bucket_lifecycle_configuration',
      'aws_s3_bucket_ownership_controls',
    ]) {
      expect(resources(s, type).filter((r) => r.region === 'eu-west-1')).toHaveLength(3);
    }
    const logging = resources(s, 'aws_s3_bucket_logging').filter((r) => r.region === 'eu-west-1');
    expect(logging).toHaveLength(2);
    const key = resources(s, 'aws_kms_key').filter((k) => k.region === 'eu-west-1');
    expect(key).toEqual([expect.objectContaining({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } })]);
    expect(
      resources(s, 'aws_kms_alias')
        .filter((a) => a.region === 'eu-west-1')
        .map((a) => a.name),
    ).toEqual(['alias/billing-production-recovery']);
  });

  test('retention is stated: replicated backups and overwritten or deleted versions kept retentionDays', () => {
    const s = synth(stack({ recovery: { retentionDays: 21 } }));
    expect(only(s, 'aws_db_instance_automated_backups_replication').retention_period).toBe(21);
    const replica = ref('aws_s3_bucket', s, (b) => b.bucket === 'billing-production-files-eu-west-1');
    const rules = resources(s, 'aws_s3_bucket_lifecycle_configuration').find((l) => l.bucket === `\${${replica}.id}`)!.rule;
    expect(rules.find((r: { id: string }) => r.id === 'expire-noncurrent-versions').noncurrent_version_expiration).toEqual([
      { noncurrent_days: 21 },
    ]);
    // The backups replica expires what its source expires (S3 does not replicate lifecycle expirations).
    const backups = ref('aws_s3_bucket', s, (b) => b.bucket === 'billing-production-backups-eu-west-1');
    const backupRules = resources(s, 'aws_s3_bucket_lifecycle_configuration').find((l) => l.bucket === `\${${backups}.id}`)!.rule;
    expect(backupRules.find((r: { id: string }) => r.id === 'expire').expiration).toEqual([{ days: 365 }]);
    // Without recovery.retentionDays: the source's backupRetentionDays.
    expect(only(synth(stack({ backupRetentionDays: 30 })), 'aws_db_instance_automated_backups_replication').retention_period).toBe(30);
  });

  test('the replication role reads only the sources and writes only the replicas, through S3', () => {
    const s = production();
    const role = resources(s, 'aws_iam_role').find((r) => r.name === 'billing-production-s3-replication')!;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ Service: 's3.amazonaws.com' });
    const policy = JSON.parse(resources(s, 'aws_iam_role_policy').find((p) => p.name === 'replicate-to-recovery-region')!.policy);
    const write = policy.Statement.find((st: { Action: string[] }) => st.Action.includes('s3:ReplicateObject'));
    expect(write.Resource).toHaveLength(2);
    for (const r of write.Resource) expect(r).toMatch(/-eu-west-1|aws_s3_bucket\.Recovery_/);
    const encrypt = policy.Statement.find((st: { Action: string[] }) => st.Action.includes('kms:Encrypt'));
    expect(encrypt.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
  });

  test('a named recovery region is used; staging has no copies unless asked; recovery: false has none', () => {
    const named = synth(stack({ recovery: { region: AwsRegion.EU_NORTH_1 } }));
    expect(only(named, 'aws_db_instance_automated_backups_replication').region).toBe('eu-north-1');
    const staging = synth(
      stack({ environment: 'staging', profile: EnvironmentProfile.STAGING, tags: { ...tags, environment: 'staging' } }),
    );
    expect(resources(staging, 'aws_db_instance_automated_backups_replication')).toEqual([]);
    expect(resources(staging, 'aws_s3_bucket_replication_configuration')).toEqual([]);
    const off = synth(stack({ recovery: false }));
    expect(resources(off, 'aws_db_instance_automated_backups_replication')).toEqual([]);
    expect(resources(off, 'aws_s3_bucket').filter((b) => b.region !== undefined)).toEqual([]);
  });

  test.each([
    [
      'a region without a partner in the table',
      { region: AwsRegion.AP_SOUTHEAST_1, remoteState: { bucket: 'acme-terraform-state', region: 'ap-southeast-1' } },
      `[billing-production] 'recovery' (undefined) is on (EnvironmentProfile.PRODUCTION copies the database's backups and the buckets to another region), and ap-southeast-1 has no recovery region in RECOVERY_REGION_PAIRS (it pairs regions of one jurisdiction only): name one, recovery: { region: AwsRegion.of('<region>', ['a', 'b', 'c']) }, or set recovery: false to accept that a regional outage loses every copy`,
    ],
    [
      "the stack's own region",
      { recovery: { region: AwsRegion.EU_CENTRAL_1 } },
      `[billing-production] 'recovery.region' ("eu-central-1") is the stack's region: copies there are lost with it; name another region`,
    ],
    [
      'a retention RDS does not keep',
      { recovery: { retentionDays: 36 } },
      `[billing-production] 'recovery.retentionDays' (36) must be a whole number from 1 to 35`,
    ],
    ['a misspelt option', { recovery: { regoin: AwsRegion.EU_WEST_1 } as never }, `[billing-production] 'recovery.regoin' (`],
  ])('%s is refused at synth', (_what, props, message) => {
    expect(() => stack(props as Partial<SamokoderStackProps>)).toThrow(message);
  });

  test('the policy pack warns on a production stack without copies (SK-AWS-015, SK-AWS-008), not on one with them', () => {
    const findings = (s: SamokoderStack) =>
      PolicyPack.checkTerraform(s)
        .filter((f) => f.rule.id === 'SK-AWS-015' || f.rule.id === 'SK-AWS-008')
        .map((f) => `${f.rule.id} ${f.rule.severity} ${f.subject}: ${f.detail}`);
    expect(findings(stack())).toEqual([]);
    expect(findings(stack({ recovery: false }))).toEqual([
      'SK-AWS-015 warning billing-production/Database/Instance: a production database whose backups stay in its region: a regional outage loses every copy',
      'SK-AWS-008 warning billing-production/FilesBucket/Bucket: a production bucket holding data with no copy in another region: a regional outage loses it',
      'SK-AWS-008 warning billing-production/BackupsBucket/Bucket: a production bucket holding data with no copy in another region: a regional outage loses it',
    ]);
  });
});

describe('RecoveryCopies on its own', () => {
  function copies(props: Partial<RecoveryCopiesProps> = {}, kms = true) {
    const stack = testStack();
    const database = new SamokoderDatabase(stack, 'Database', {
      identifier: 'team-production',
      vpcId: 'vpc-1',
      subnetIds: ['subnet-a', 'subnet-b'],
      clientSecurityGroupId: 'sg-1',
    });
    const files = new SecureBucket(stack, 'Files', {
      bucketName: 'team-production-files',
      lifecycle: BucketLifecycle.files(),
      ...(kms ? { kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/1' } : {}),
    });
    return new RecoveryCopies(stack, 'Recovery', {
      name: 'team-production',
      sourceRegion: 'eu-central-1',
      region: 'eu-west-1',
      retentionDays: 14,
      accountId: '111122223333',
      database,
      buckets: { files },
      ...props,
    });
  }

  test('it builds from its parts: one replica per kind, named <name>-<kind>-<region>', () => {
    expect(copies().replicas.files._name).toBe('team-production-files-eu-west-1');
  });

  test.each<[string, () => unknown, string]>([
    [
      'the source region',
      () => copies({ region: 'eu-central-1' }),
      `[test/Recovery] 'region' ("eu-central-1") is the source region: copies there are lost with it`,
    ],
    [
      'a retention RDS does not keep',
      () => copies({ retentionDays: 0 }),
      `[test/Recovery] 'retentionDays' (0) must be a whole number from 1 to 35`,
    ],
    [
      'a bucket without a KMS key',
      () => copies({}, false),
      `[test/Recovery] 'buckets.files' ("test/Files") must be encrypted with a KMS key (kmsKeyArn)`,
    ],
    [
      'a name that makes a replica name too long for S3',
      () => copies({ name: 'a-very-long-project-name-and-environment-name-xy' }),
      `[test/Recovery] the recovery region eu-west-1 makes the bucket name "a-very-long-project-name-and-environment-name-xy-files-eu-west-1" 64 characters long (S3 allows 63)`,
    ],
  ])('%s is refused', (_what, build, message) => {
    expect(build).toThrow(message);
  });

  test('a bucket whose access-log bucket is in another region is refused (S3 delivers logs within a region)', () => {
    const stack = testStack();
    const logs = new SecureBucket(stack, 'Logs', { bucketName: 'team-logs', lifecycle: BucketLifecycle.logs(), region: 'eu-west-1' });
    expect(
      () => new SecureBucket(stack, 'Data', { bucketName: 'team-data', lifecycle: BucketLifecycle.files(), accessLogsBucket: logs }),
    ).toThrow(
      `[test/Data] 'accessLogsBucket' ("test/Logs") is in eu-west-1, this bucket in the provider's region: S3 delivers access logs only to a bucket of the same region`,
    );
  });
});
