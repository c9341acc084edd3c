import { environmentTier } from '../../common/environment';
import { first, others, policyDoc, protectedFromDestroy, refersTo, rule, TerraformRule } from './kit';

/** Rules for S3 buckets. */
export const S3_RULES: readonly TerraformRule[] = [
  rule({
    id: 'SK-AWS-001',
    title: 'S3 buckets have default encryption',
    severity: 'error',
    checkov: ['CKV_AWS_19', 'CKV_AWS_145'],
    fix: 'add an aws_s3_bucket_server_side_encryption_configuration that references the bucket (SecureBucket does)',
    types: ['aws_s3_bucket'],
    check: (r, ctx) =>
      others(ctx, 'aws_s3_bucket_server_side_encryption_configuration').some((e) => refersTo(e.config.bucket, r))
        ? undefined
        : 'no server-side encryption configuration references this bucket',
  }),
  rule({
    id: 'SK-AWS-002',
    title: 'S3 buckets block every kind of public access',
    severity: 'error',
    checkov: ['CKV2_AWS_6', 'CKV_AWS_53', 'CKV_AWS_54', 'CKV_AWS_55', 'CKV_AWS_56'],
    fix: 'add an aws_s3_bucket_public_access_block with all four settings true',
    types: ['aws_s3_bucket'],
    check: (r, ctx) => {
      const block = others(ctx, 'aws_s3_bucket_public_access_block').find((b) => refersTo(b.config.bucket, r));
      if (!block) return 'no public access block references this bucket';
      const off = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'].filter(
        (k) => block.config[k] !== true,
      );
      return off.length ? `public access block leaves ${off.join(', ')} off` : undefined;
    },
  }),
  rule({
    id: 'SK-AWS-003',
    title: 'S3 buckets are versioned',
    severity: 'error',
    checkov: ['CKV_AWS_21'],
    fix: 'add an aws_s3_bucket_versioning with status Enabled',
    types: ['aws_s3_bucket'],
    check: (r, ctx) =>
      others(ctx, 'aws_s3_bucket_versioning').some(
        (v) => refersTo(v.config.bucket, r) && v.config.versioning_configuration?.status === 'Enabled',
      )
        ? undefined
        : 'versioning is not enabled',
  }),
  rule({
    id: 'SK-AWS-004',
    title: 'S3 bucket policies deny requests without TLS',
    severity: 'error',
    fix: 'add a Deny statement on aws:SecureTransport = false for the bucket and its objects',
    types: ['aws_s3_bucket'],
    check: (r, ctx) => {
      const policies = others(ctx, 'aws_s3_bucket_policy').filter((p) => refersTo(p.config.bucket, r));
      const ok = policies.some((p) =>
        policyDoc(p.config.policy)?.Statement.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
      );
      return ok ? undefined : 'no bucket policy denies insecure transport';
    },
  }),
  rule({
    id: 'SK-AWS-005',
    title: 'S3 buckets log access (except the log bucket itself)',
    severity: 'warning',
    checkov: ['CKV_AWS_18'],
    fix: 'add an aws_s3_bucket_logging pointing at the access-log bucket',
    types: ['aws_s3_bucket'],
    check: (r, ctx) => {
      const logs = others(ctx, 'aws_s3_bucket_logging');
      if (logs.some((l) => refersTo(l.config.bucket, r) || refersTo(l.config.target_bucket, r))) return undefined;
      return 'no access logging';
    },
  }),
  rule({
    id: 'SK-AWS-006',
    title: 'S3 buckets are never force-destroyed and are protected from deletion',
    severity: 'error',
    fix: 'set force_destroy = false and lifecycle.prevent_destroy = true',
    types: ['aws_s3_bucket'],
    check: (r) =>
      r.config.force_destroy === true
        ? 'force_destroy is true'
        : !protectedFromDestroy(r)
          ? 'lifecycle.prevent_destroy is not set'
          : undefined,
  }),
  rule({
    id: 'SK-AWS-007',
    title: 'S3 ACLs are disabled (BucketOwnerEnforced)',
    severity: 'error',
    checkov: ['CKV2_AWS_65'],
    fix: 'add aws_s3_bucket_ownership_controls with object_ownership BucketOwnerEnforced',
    types: ['aws_s3_bucket'],
    check: (r, ctx) =>
      others(ctx, 'aws_s3_bucket_ownership_controls').some(
        (o) => refersTo(o.config.bucket, r) && first(o.config.rule)?.object_ownership === 'BucketOwnerEnforced',
      )
        ? undefined
        : 'ACLs are not disabled',
  }),
  rule({
    id: 'SK-AWS-008',
    title: 'Production buckets encrypted with a KMS key are replicated to another region',
    severity: 'warning',
    fix: "add an aws_s3_bucket_replication_configuration to a bucket in another region (SamokoderStack 'recovery', on with EnvironmentProfile.PRODUCTION)",
    types: ['aws_s3_bucket'],
    // Data buckets: the ones with SSE-KMS (log buckets take SSE-S3, which S3 access logging requires). A replica (a
    // destination of a rule) and a bucket in another region than the provider's are copies, not sources.
    check: (r, ctx) => {
      if (ctx.environment === undefined || environmentTier(ctx.environment) !== 'production' || r.config.region !== undefined)
        return undefined;
      const kms = others(ctx, 'aws_s3_bucket_server_side_encryption_configuration').some(
        (e) =>
          refersTo(e.config.bucket, r) && first(first(e.config.rule)?.apply_server_side_encryption_by_default)?.sse_algorithm === 'aws:kms',
      );
      const replicated = others(ctx, 'aws_s3_bucket_replication_configuration').some((c) => refersTo(c.config.bucket, r));
      return kms && !replicated ? 'a production bucket holding data with no copy in another region: a regional outage loses it' : undefined;
    },
  }),
];
