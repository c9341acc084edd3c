import { TerraformVariable } from 'cdktf';
import { BucketLifecycle, isUnresolved, SecureBucket, SecureBucketProps } from 'samokoder-infra';
import { synth, testStack } from '../util/tf';

function bucket(props: Partial<SecureBucketProps> = {}) {
  const stack = testStack();
  const logs = new SecureBucket(stack, 'Logs', {
    bucketName: 'sk-logs',
    lifecycle: BucketLifecycle.logs(),
    receivesAccessLogs: true,
    accountId: '111122223333',
  });
  new SecureBucket(stack, 'Files', {
    bucketName: 'sk-files',
    kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
    lifecycle: BucketLifecycle.files(),
    accessLogsBucket: logs,
    ...props,
  });
  return synth(stack);
}

/** The split S3 resource of type `type` that belongs to bucket resource `Files`. */
function of(s: ReturnType<typeof synth>, type: string, owner = 'Files') {
  const hits = Object.entries(s.resource[type] ?? {}).filter(([id]) => id.startsWith(`${owner}_`));
  if (hits.length !== 1) throw new Error(`expected one ${type} of ${owner}, found ${hits.length}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource JSON
  return hits[0][1] as Record<string, any>;
}

describe('SecureBucket', () => {
  test('public access blocked, ACLs disabled, versioned, SSE-KMS, never force-destroyed, protected', () => {
    const s = bucket();
    expect(of(s, 'aws_s3_bucket')).toMatchObject({ bucket: 'sk-files', force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(of(s, 'aws_s3_bucket_public_access_block')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(of(s, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
    expect(of(s, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
    expect(of(s, 'aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([
      {
        apply_server_side_encryption_by_default: {
          sse_algorithm: 'aws:kms',
          kms_master_key_id: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
        },
        bucket_key_enabled: true,
      },
    ]);
  });

  test('split resources reference the bucket through Terraform, not a literal name', () => {
    const s = bucket();
    for (const type of ['aws_s3_bucket_public_access_block', 'aws_s3_bucket_versioning', 'aws_s3_bucket_policy', 'aws_s3_bucket_logging']) {
      expect(of(s, type).bucket).toMatch(/^\$\{aws_s3_bucket\.Files_Bucket_[0-9A-F]+\.id\}$/);
    }
  });

  test('the policy denies every request without TLS (literal JSON)', () => {
    const policy = JSON.parse(of(bucket(), 'aws_s3_bucket_policy').policy);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });

  test('files lifecycle: IA after 30 days, noncurrent versions expire, multipart uploads aborted', () => {
    const rules = of(bucket(), 'aws_s3_bucket_lifecycle_configuration').rule;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'to-infrequent-access', transition: [{ days: 30, storage_class: 'STANDARD_IA' }] }),
        expect.objectContaining({ id: 'expire-noncurrent-versions', noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
        expect.objectContaining({
          id: 'abort-incomplete-multipart-uploads',
          abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
        }),
      ]),
    );
  });

  test('backups lifecycle: archive after 30 days, expire after 365', () => {
    const rules = of(bucket({ lifecycle: BucketLifecycle.backups() }), 'aws_s3_bucket_lifecycle_configuration').rule;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'archive', transition: [{ days: 30, storage_class: 'GLACIER' }] }),
        expect.objectContaining({ id: 'expire', expiration: [{ days: 365 }] }),
      ]),
    );
  });

  test('access logs go to the log bucket, which admits the S3 logging service', () => {
    const s = bucket();
    expect(of(s, 'aws_s3_bucket_logging')).toMatchObject({ target_prefix: 'sk-files/' });
    const logsPolicy = JSON.parse(of(s, 'aws_s3_bucket_policy', 'Logs').policy);
    expect(logsPolicy.Statement[1]).toMatchObject({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' });
    expect(of(s, 'aws_s3_bucket_server_side_encryption_configuration', 'Logs').rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: 'AES256',
    });
  });

  test('logging is enabled only after the log bucket policy admits the logging service (found by verify:tf on moto)', () => {
    // Without the dependency Terraform may call PutBucketLogging before the target's policy exists, and S3 refuses
    // it with InvalidTargetBucketForLogging (moto: 3 of 4 applies).
    const s = bucket();
    const logsPolicy = Object.keys(s.resource.aws_s3_bucket_policy).find((id) => id.startsWith('Logs_'));
    expect(of(s, 'aws_s3_bucket_logging').depends_on).toEqual([`aws_s3_bucket_policy.${logsPolicy}`]);
  });

  test.each([['Samokoder_Files'], ['ab'], ['192.168.1.1'], ['my..bucket'], ['xn--bucket'], ['bucket-s3alias']])(
    'bucket name %s is refused',
    (name) => {
      expect(() => bucket({ bucketName: name })).toThrow(
        `[test/Files] 'bucketName' ("${name}") is not a valid S3 bucket name: 3–63 lower-case letters, digits, hyphens and dots, starting and ending with a letter or digit, no "..", not an IP address, no xn--/sthree-/amzn-s3-demo- prefix or -s3alias/--ol-s3/--x-s3/.mrap suffix`,
      );
    },
  );

  test.each([
    [BucketLifecycle.backups(0, 365), `[test/Files] 'lifecycle.archiveAfterDays' (0) must be a whole number from 1 to 36500`],
    [BucketLifecycle.logs(1.5), `[test/Files] 'lifecycle.expireAfterDays' (1.5) must be a whole number from 1 to 36500`],
  ])('lifecycle day counts are positive whole numbers (%#)', (lifecycle, message) => {
    expect(() => bucket({ lifecycle })).toThrow(message);
  });

  test('expiring backups before they are archived is refused', () => {
    expect(() => bucket({ lifecycle: BucketLifecycle.backups(90, 60) })).toThrow(
      `[test/Files] 'lifecycle.expireAfterDays' (60) must be greater than archiveAfterDays (90)`,
    );
  });
});

describe('values known only at deploy time', () => {
  test('a bucket name from a TerraformVariable is not judged at synth (Terraform checks it), and is used as given', () => {
    const stack = testStack();
    const name = new TerraformVariable(stack, 'bucket_name', { type: 'string' });
    new SecureBucket(stack, 'Files', {
      bucketName: name.stringValue,
      kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
      lifecycle: BucketLifecycle.files(),
    });
    const s = synth(stack);
    expect(Object.values(s.resource.aws_s3_bucket as Record<string, { bucket: string }>)[0].bucket).toBe('${var.bucket_name}');
  });

  test('isUnresolved tells tokens from values', () => {
    const stack = testStack();
    const v = new TerraformVariable(stack, 'n', { type: 'number' });
    expect(isUnresolved(v.numberValue)).toBe(true);
    expect(isUnresolved(new TerraformVariable(stack, 's', { type: 'string' }).stringValue)).toBe(true);
    expect(isUnresolved('sk-files')).toBe(false);
    expect(isUnresolved(3)).toBe(false);
  });
});

describe('across constructs', () => {
  test('two buckets with the same global name in one app are refused with our message', () => {
    const stack = testStack();
    const props = {
      bucketName: 'sk-files',
      kmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
      lifecycle: BucketLifecycle.files(),
    };
    new SecureBucket(stack, 'Files', props);
    expect(() => new SecureBucket(stack, 'Other', props)).toThrow(
      `[test/Other] 'bucketName' ("sk-files") is already the name of test/Files: S3 bucket names are global`,
    );
  });
});
