import { invalidProp } from '../common/errors';
import { _requireAwsRegionName } from '../common/aws-regions';
import { LocalBackend, S3Backend, TerraformStack } from '../private/tf';
import { requireBucketName } from './secure-bucket';

/** Where a stack keeps its Terraform state. */
export interface RemoteStateOptions {
  /** State bucket (create it with {@link SamokoderStateStack}). */
  readonly bucket: string;
  /** Region of the state bucket: one of `AwsRegion.KNOWN_NAMES`, or a newer one with `unlistedRegion`. */
  readonly region: string;
  /** `region` is newer than the library's list of regions: use it as given. @default false */
  readonly unlistedRegion?: boolean;
  /**
   * Object key.
   * @default '<project>/<environment>/terraform.tfstate' for a SamokoderStack, '<project>/<environment>-dr/terraform.tfstate' for MultiRegionDR
   */
  readonly key?: string;
  /** KMS key for the state object. @default - the bucket's default encryption */
  readonly kmsKeyArn?: string;
}

/**
 * Configures the S3 backend on `stack`: encrypted, with S3-native locking (`use_lockfile`, Terraform >= 1.10; no
 * DynamoDB table). cdktf's `S3Backend` has no `use_lockfile` field, so it is added by override.
 * @internal
 */
export function _configureS3Backend(stack: TerraformStack, options: RemoteStateOptions, defaultKey: string): S3Backend {
  requireBucketName(stack.node.path, 'remoteState.bucket', options.bucket);
  _requireAwsRegionName(
    stack.node.path,
    'remoteState.region',
    options.region,
    options.unlistedRegion,
    'set remoteState.unlistedRegion: true',
  );
  // Terraform's S3 backend refuses a key with a leading or trailing "/" (hashicorp/terraform
  // internal/backend/remote-state/s3/validate.go, validateStringS3Path).
  if (options.key !== undefined && (options.key === '' || options.key.startsWith('/') || options.key.endsWith('/'))) {
    throw invalidProp(
      stack.node.path,
      'remoteState.key',
      options.key,
      'must be an object key that neither starts nor ends with "/" (the S3 backend refuses it)',
    );
  }
  const backend = new S3Backend(stack, {
    bucket: options.bucket,
    key: options.key ?? defaultKey,
    region: options.region,
    encrypt: true,
    ...(options.kmsKeyArn ? { kmsKeyId: options.kmsKeyArn } : {}),
  });
  stack.addOverride('terraform.backend.s3.use_lockfile', true);
  return backend;
}

/**
 * Local state for a stack without remote state: `terraform.<stack>.tfstate` in the project directory, written as a
 * path relative to the directory Terraform runs in (`cdktf.out/stacks/<stack>/`). cdktf's default is the absolute
 * path of the checkout, which makes the synthesized output differ from one directory to the next.
 * @internal
 */
export function _configureLocalBackend(stack: TerraformStack): LocalBackend {
  return new LocalBackend(stack, { path: `../../../terraform.${stack.node.id}.tfstate` });
}
