import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import {
  S3BucketLifecycleConfiguration,
  S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { _freeId, isUnresolved, requireIntegerInRange } from '../common/validate';
import { invalidProp } from '../common/errors';
import { _Registry } from '../common/registry';
import { _policy } from './private/kms';
import { _AllKeys, _checkProps } from '../common/props';

/** What the lifecycle rules of a bucket do with objects over time. */
export class BucketLifecycle {
  /**
   * User files: to Standard-IA after `infrequentAccessAfterDays` (at least 30, S3's minimum), noncurrent versions
   * expire after 90 days, incomplete multipart uploads are aborted after 7.
   */
  public static files(infrequentAccessAfterDays = 30): BucketLifecycle {
    return new BucketLifecycle({ infrequentAccessAfterDays, noncurrentExpireDays: 90 });
  }
  /**
   * Backups: archived to Glacier Flexible Retrieval after `archiveAfterDays`, expired after `expireAfterDays`,
   * noncurrent versions expire after 30 days, incomplete multipart uploads are aborted after 7.
   */
  public static backups(archiveAfterDays = 30, expireAfterDays = 365): BucketLifecycle {
    return new BucketLifecycle({ archiveAfterDays, expireAfterDays, noncurrentExpireDays: 30 });
  }
  /** Terraform state: every version kept 365 days after it is replaced (state history is the audit trail). */
  public static state(): BucketLifecycle {
    return new BucketLifecycle({ noncurrentExpireDays: 365 });
  }
  /** Logs: expired after `expireAfterDays`, incomplete multipart uploads aborted. */
  public static logs(expireAfterDays = 365): BucketLifecycle {
    return new BucketLifecycle({ expireAfterDays, noncurrentExpireDays: 30 });
  }
  /**
   * The same rules for a copy kept `noncurrentDays` after its object is overwritten or deleted (the replica buckets
   * of {@link RecoveryCopies}).
   * @internal
   */
  public _withNoncurrentDays(noncurrentDays: number): BucketLifecycle {
    return new BucketLifecycle({ ...this._spec, noncurrentExpireDays: noncurrentDays });
  }
  private constructor(
    /** @internal */
    public readonly _spec: {
      readonly infrequentAccessAfterDays?: number;
      readonly archiveAfterDays?: number;
      readonly expireAfterDays?: number;
      readonly noncurrentExpireDays: number;
    },
  ) {}
}

/** Props for {@link SecureBucket}. */
export interface SecureBucketProps {
  /** Globally unique bucket name (3–63 lower-case letters, digits, hyphens, dots). */
  readonly bucketName: string;
  /**
   * KMS key ARN for SSE-KMS.
   * @default - SSE-S3 (AES256), which server-access-log target buckets require
   */
  readonly kmsKeyArn?: string;
  /** Lifecycle rules. */
  readonly lifecycle: BucketLifecycle;
  /**
   * Bucket receiving this bucket's server access logs.
   * @default - no access logging (only for the log bucket itself)
   */
  readonly accessLogsBucket?: SecureBucket;
  /**
   * Accept server access logs from other buckets of this account (for the log bucket).
   * @default false
   */
  readonly receivesAccessLogs?: boolean;
  /** Account id, for the log-delivery condition. Required with `receivesAccessLogs`. */
  readonly accountId?: string;
  /**
   * Region of the bucket and its settings, when not the provider's (a copy in the recovery region: provider 6.x takes
   * `region` per resource, website/docs/r/s3_bucket.html.markdown). Access logs go to a bucket of the same region.
   * @default - the provider's region
   */
  readonly region?: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Throws unless `name` follows the S3 general-purpose bucket naming rules. */
export function requireBucketName(path: string, prop: string, name: string): string {
  if (isUnresolved(name)) return name;
  const bad =
    !BUCKET_NAME.test(name) ||
    name.includes('..') ||
    /^\d+\.\d+\.\d+\.\d+$/.test(name) ||
    name.startsWith('xn--') ||
    name.startsWith('sthree-') ||
    name.startsWith('amzn-s3-demo-') ||
    // Suffixes S3 keeps for other kinds of name: access point aliases, Object Lambda aliases, directory buckets
    // and Multi-Region Access Points (S3 user guide, "General purpose bucket naming rules").
    name.endsWith('-s3alias') ||
    name.endsWith('--ol-s3') ||
    name.endsWith('--x-s3') ||
    name.endsWith('.mrap');
  if (bad) {
    throw invalidProp(
      path,
      prop,
      name,
      'is not a valid S3 bucket name: 3–63 lower-case letters, digits, hyphens and dots, starting and ending with a letter or digit, no "..", not an IP address, no xn--/sthree-/amzn-s3-demo- prefix or -s3alias/--ol-s3/--x-s3/.mrap suffix',
    );
  }
  return name;
}

/** Every prop of {@link SecureBucketProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const SECURE_BUCKET_PROPS = [
  'bucketName',
  'kmsKeyArn',
  'lifecycle',
  'accessLogsBucket',
  'receivesAccessLogs',
  'accountId',
  'region',
] as const;
const SECURE_BUCKET_REQUIRED = ['bucketName', 'lifecycle'] as const;

/**
 * An S3 bucket with every control a reviewer asks for: public access blocked, ACLs disabled
 * (BucketOwnerEnforced), TLS-only policy, versioning, default encryption, lifecycle rules, access logging and no
 * force-destroy. Split resources reference the bucket through Terraform references, so scanners link them.
 */
export class SecureBucket extends Construct {
  /** The bucket's name as given (for the duplicate check). @internal */
  public _name?: string;
  public readonly bucket: S3Bucket;
  /** The bucket policy (TLS only; on a log bucket, also the log delivery service's permission to write). */
  public readonly policy: S3BucketPolicy;
  /** Versioning (enabled): replication needs it on both sides before it is configured. */
  public readonly versioning: S3BucketVersioningA;
  /** The KMS key of the default encryption, when SSE-KMS. */
  public readonly kmsKeyArn?: string;
  /** The lifecycle rules given. @internal */
  public readonly _lifecycle: BucketLifecycle;
  /** The bucket's region when it is not the provider's. @internal */
  public readonly _region?: string;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, _freeId(scope, id));
    _checkProps<_AllKeys<SecureBucketProps, typeof SECURE_BUCKET_PROPS>>(
      this.node.path,
      'SecureBucket',
      props,
      SECURE_BUCKET_PROPS,
      SECURE_BUCKET_REQUIRED,
    );
    const path = this.node.path;
    if (!(props.lifecycle instanceof BucketLifecycle)) {
      throw invalidProp(
        path,
        'lifecycle',
        props.lifecycle,
        'must be a BucketLifecycle (BucketLifecycle.files(), .backups(), .logs() or .state())',
      );
    }
    const name = requireBucketName(path, 'bucketName', props.bucketName);
    // Bucket names are global: two buckets of one app with the same name cannot both be created.
    const buckets = _Registry.of<SecureBucket>(this, 'SecureBucket');
    const twin = isUnresolved(name) ? undefined : buckets.get(name);
    if (twin) throw invalidProp(path, 'bucketName', name, `is already the name of ${twin.node.path}: S3 bucket names are global`);
    this._name = name;
    if (!isUnresolved(name)) buckets.add(this, name);
    const region = props.region;
    if (props.accessLogsBucket && props.accessLogsBucket._region !== region) {
      throw invalidProp(
        path,
        'accessLogsBucket',
        props.accessLogsBucket.node.path,
        `is in ${props.accessLogsBucket._region ?? "the provider's region"}, this bucket in ${region ?? "the provider's region"}: S3 delivers access logs only to a bucket of the same region`,
      );
    }
    this.kmsKeyArn = props.kmsKeyArn;
    this._lifecycle = props.lifecycle;
    this._region = region;
    this.bucket = new S3Bucket(this, 'Bucket', {
      region,
      bucket: name,
      forceDestroy: false,
      objectLockEnabled: false,
      lifecycle: { preventDestroy: true },
    });
    const bucketRef = this.bucket.id;

    new S3BucketPublicAccessBlock(this, 'PublicAccessBlock', {
      region,
      bucket: bucketRef,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'OwnershipControls', {
      region,
      bucket: bucketRef,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    this.versioning = new S3BucketVersioningA(this, 'Versioning', {
      region,
      bucket: bucketRef,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'Encryption', {
      region,
      bucket: bucketRef,
      rule: [
        props.kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: false },
      ],
    });

    const statements: object[] = [
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ];
    if (props.receivesAccessLogs) {
      if (!props.accountId) throw invalidProp(path, 'accountId', undefined, "is required with 'receivesAccessLogs'");
      statements.push({
        Sid: 'S3ServerAccessLogsDelivery',
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${this.bucket.arn}/*`,
        Condition: { StringEquals: { 'aws:SourceAccount': props.accountId } },
      });
    }
    this.policy = new S3BucketPolicy(this, 'Policy', { region, bucket: bucketRef, policy: _policy(statements) });

    const spec = props.lifecycle._spec;
    const rules: S3BucketLifecycleConfigurationRule[] = [
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
      {
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays: spec.noncurrentExpireDays }],
      },
    ];
    // S3 lifecycle day counts are positive whole numbers.
    for (const key of ['infrequentAccessAfterDays', 'archiveAfterDays', 'expireAfterDays'] as const) {
      if (spec[key] !== undefined) requireIntegerInRange(path, `lifecycle.${key}`, spec[key]!, 1, 36500);
    }
    if (spec.infrequentAccessAfterDays !== undefined) {
      if (spec.infrequentAccessAfterDays < 30) {
        throw invalidProp(
          path,
          'lifecycle.infrequentAccessAfterDays',
          spec.infrequentAccessAfterDays,
          'must be at least 30 (the S3 minimum for STANDARD_IA)',
        );
      }
      rules.push({
        id: 'to-infrequent-access',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        transition: [{ days: spec.infrequentAccessAfterDays, storageClass: 'STANDARD_IA' }],
      });
    }
    if (spec.archiveAfterDays !== undefined) {
      rules.push({
        id: 'archive',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        transition: [{ days: spec.archiveAfterDays, storageClass: 'GLACIER' }],
      });
    }
    if (spec.expireAfterDays !== undefined) {
      if (spec.archiveAfterDays !== undefined && spec.expireAfterDays <= spec.archiveAfterDays) {
        throw invalidProp(
          path,
          'lifecycle.expireAfterDays',
          spec.expireAfterDays,
          `must be greater than archiveAfterDays (${spec.archiveAfterDays})`,
        );
      }
      rules.push({ id: 'expire', status: 'Enabled', filter: [{ prefix: '' }], expiration: [{ days: spec.expireAfterDays }] });
    }
    new S3BucketLifecycleConfiguration(this, 'Lifecycle', { region, bucket: bucketRef, rule: rules });

    if (props.accessLogsBucket) {
      new S3BucketLoggingA(this, 'AccessLogging', {
        region,
        bucket: bucketRef,
        targetBucket: props.accessLogsBucket.bucket.id,
        targetPrefix: `${name}/`,
        // S3 checks, when logging is enabled, that the log delivery service may write to the target bucket: its
        // policy must exist first, or PutBucketLogging fails with InvalidTargetBucketForLogging.
        dependsOn: [props.accessLogsBucket.policy],
      });
    }
  }

  /** The bucket name (a Terraform reference). */
  public get bucketName(): string {
    return this.bucket.bucket;
  }

  public get bucketArn(): string {
    return this.bucket.arn;
  }
}
