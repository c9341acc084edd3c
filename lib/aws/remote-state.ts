import { invalidProp } from '../common/errors';
import { _requireAwsRegionName } from '../common/aws-regions';
import { _Registry } from '../common/registry';
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
  // One state per stack (#25): two stacks of one app with one key overwrite each other's state, and each apply
  // destroys what the other made. (The same key in another bucket is another state.)
  const key = options.key ?? defaultKey;
  const states = _Registry.of<TerraformStack>(stack, 'terraform-state');
  const other = states.get(`${options.bucket}/${key}`);
  if (other) {
    throw invalidProp(
      stack.node.path,
      'remoteState.key',
      key,
      `is the state of ${other.node.path} too (bucket ${options.bucket}): two stacks with one state destroy each other's resources on every apply; set remoteState.key on one of them`,
    );
  }
  states.add(stack, `${options.bucket}/${key}`);
  const backend = new S3Backend(stack, {
    bucket: options.bucket,
    key,
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

/**
 * The state of a stack that may keep it locally: `remoteState`, or the local file only when `localState: true` says
 * so (#25: a local file the next machine lacks plans the whole stack again from nothing).
 * @internal
 */
export function _configureChosenBackend(
  stack: TerraformStack,
  remoteState: RemoteStateOptions | undefined,
  localState: boolean | undefined,
  defaultKey: string,
): void {
  const path = stack.node.path;
  if (remoteState && localState !== undefined)
    throw invalidProp(path, 'localState', localState, 'cannot be set with remoteState: choose one');
  if (remoteState) _configureS3Backend(stack, remoteState, defaultKey);
  else if (localState === true) _configureLocalBackend(stack);
  else
    throw invalidProp(
      path,
      'remoteState',
      remoteState,
      `is required: without it Terraform keeps the pair's state in a local file (terraform.${stack.node.id}.tfstate) that the next machine does not have, and plans the pair again from nothing; set remoteState, or localState: true to keep state locally on purpose`,
    );
}

/**
 * A SamokoderStack environment ending in `-dr` would take, by default, the state key MultiRegionDR gives the pair of
 * the environment without it (`<project>/<environment>-dr/terraform.tfstate`).
 * @internal
 */
export function _requireOwnStateKey(path: string, project: string, environment: string, remoteState: RemoteStateOptions): void {
  if (remoteState?.key !== undefined || !environment.endsWith('-dr')) return;
  throw invalidProp(
    path,
    'environment',
    environment,
    `ends in -dr, so its default state key (${project}/${environment}/terraform.tfstate) is the one MultiRegionDR gives the pair of environment "${environment.slice(0, -3)}": name the environment otherwise, or set remoteState.key`,
  );
}
