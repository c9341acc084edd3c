import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { costAllocationTagMap, CostAllocationTags } from '../common/tags';
import { TerraformOutput, TerraformStack } from '../private/tf';
import { _callerIdentity, _createKey } from './private/kms';
import { AwsRegion } from './region';
import { BucketLifecycle, SecureBucket } from './secure-bucket';
import { _configureLocalBackend } from './remote-state';
import { _AllKeys, _checkProps } from '../common/props';
import { _scanStackForCredentials } from '../private/credential-scan';
import { _freeId } from '../common/validate';

/** Props for {@link SamokoderStateStack}. */
export interface SamokoderStateStackProps {
  readonly region: AwsRegion;
  /** Name of the state bucket to create. */
  readonly bucketName: string;
  /** Cost-allocation tags (all required). */
  readonly tags: CostAllocationTags;
}

/** Every prop of {@link SamokoderStateStackProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
const SAMOKODER_STATE_STACK_PROPS = ['region', 'bucketName', 'tags'] as const;
const SAMOKODER_STATE_STACK_REQUIRED = ['region', 'bucketName', 'tags'] as const;

/**
 * Bootstraps remote state: a versioned, KMS-encrypted, TLS-only, non-public state bucket (with access logs to a
 * second bucket). This stack itself keeps local state: apply it once, then the other stacks use the bucket through
 * `remoteState` (and this stack's state can be migrated into it with `terraform init -migrate-state`).
 */
export class SamokoderStateStack extends TerraformStack {
  public readonly stateBucket: SecureBucket;
  public readonly keyArn: string;

  constructor(scope: Construct, id: string, props: SamokoderStateStackProps) {
    super(scope, _freeId(scope, id));
    _scanStackForCredentials(this);
    _checkProps<_AllKeys<SamokoderStateStackProps, typeof SAMOKODER_STATE_STACK_PROPS>>(
      this.node.path,
      'SamokoderStateStack',
      props,
      SAMOKODER_STATE_STACK_PROPS,
      SAMOKODER_STATE_STACK_REQUIRED,
    );
    _configureLocalBackend(this);
    const tags = costAllocationTagMap(this.node.path, props.tags);
    new AwsProvider(this, 'Aws', { region: props.region._check(this.node.path, 'region').name, defaultTags: [{ tags }] });
    const key = _createKey(this, 'StateKey', { alias: `${props.bucketName}-state`, description: 'Terraform state encryption' });
    this.keyArn = key.arn;
    const logs = new SecureBucket(this, 'AccessLogs', {
      bucketName: `${props.bucketName}-access-logs`,
      lifecycle: BucketLifecycle.logs(),
      receivesAccessLogs: true,
      accountId: _callerIdentity(this).accountId,
    });
    this.stateBucket = new SecureBucket(this, 'State', {
      bucketName: props.bucketName,
      kmsKeyArn: key.arn,
      lifecycle: BucketLifecycle.state(),
      accessLogsBucket: logs,
    });
    new TerraformOutput(this, 'state_bucket', { value: this.stateBucket.bucketName, description: 'Terraform state bucket' });
    new TerraformOutput(this, 'state_kms_key_arn', { value: key.arn, description: 'KMS key of the state bucket' });
  }
}
