import { Construct } from 'constructs';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { TerraformStack } from '../../private/tf';

/** The stack's one `aws_caller_identity` data source (created on first use). @internal */
export function _callerIdentity(scope: Construct): DataAwsCallerIdentity {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild('CallerIdentity');
  return (existing as DataAwsCallerIdentity | undefined) ?? new DataAwsCallerIdentity(stack, 'CallerIdentity', {});
}

/** Options for {@link _createKey}. @internal */
export interface KeyOptions {
  readonly alias: string;
  readonly description: string;
  /** Region whose CloudWatch Logs service may use the key (for encrypted log groups). */
  readonly logsRegion?: string;
  /** AWS service principals (e.g. `sns.amazonaws.com`) that may use the key for their resources. */
  readonly servicePrincipals?: readonly string[];
  /**
   * Region of the key when it is not the provider's: a key in the recovery region encrypts the copies there (KMS keys
   * are regional; provider 6.x takes `region` per resource, website/docs/r/kms_key.html.markdown).
   */
  readonly region?: string;
}

/**
 * A customer-managed KMS key with rotation, a 30-day deletion window and a literal-JSON key policy (scanners cannot
 * read `jsonencode`). The account root administers the key (the AWS default, so IAM policies can grant use);
 * named services may use it.
 * @internal
 */
export function _createKey(scope: Construct, id: string, options: KeyOptions): KmsKey {
  const account = _callerIdentity(scope).accountId;
  const statements: object[] = [
    {
      Sid: 'AccountAdministers',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ];
  if (options.logsRegion) {
    statements.push({
      Sid: 'CloudWatchLogsUse',
      Effect: 'Allow',
      Principal: { Service: `logs.${options.logsRegion}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${options.logsRegion}:${account}:*` },
      },
    });
  }
  if (options.servicePrincipals && options.servicePrincipals.length > 0) {
    statements.push({
      Sid: 'ServicesUse',
      Effect: 'Allow',
      Principal: { Service: [...options.servicePrincipals] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': account } },
    });
  }
  const key = new KmsKey(scope, id, {
    description: options.description,
    enableKeyRotation: true,
    rotationPeriodInDays: 365,
    deletionWindowInDays: 30,
    keyUsage: 'ENCRYPT_DECRYPT',
    customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2),
    region: options.region,
    lifecycle: { preventDestroy: true },
  });
  new KmsAlias(scope, `${id}Alias`, { name: `alias/${options.alias}`, targetKeyId: key.keyId, region: options.region });
  return key;
}

/** A literal-JSON IAM trust policy for an AWS service principal. @internal */
export function _serviceTrust(service: string, actions: readonly string[] = ['sts:AssumeRole']): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: [...actions] }],
    },
    null,
    2,
  );
}

/** A literal-JSON IAM policy document from statements. @internal */
export function _policy(statements: readonly object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
}
