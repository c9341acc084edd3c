/**
 * The Terraform rules of the policy pack, one file per service under terraform/ (AWS and DigitalOcean).
 */
import { S3_RULES } from './terraform/aws-s3';
import { RDS_RULES } from './terraform/aws-rds';
import { ELASTICACHE_RULES } from './terraform/aws-elasticache';
import { EKS_RULES } from './terraform/aws-eks';
import { NETWORK_RULES } from './terraform/aws-network';
import { IAM_RULES } from './terraform/aws-iam';
import { OBSERVABILITY_RULES } from './terraform/aws-observability';
import { SECRET_RULES } from './terraform/secrets';
import { DIGITALOCEAN_RULES } from './terraform/digitalocean';
import { TerraformRule } from './terraform/kit';

export type { TfResource, TfContext, TerraformRule } from './terraform/kit';

/** The Terraform rules of the pack (AWS and DigitalOcean), in report order. */
export const TERRAFORM_RULES: readonly TerraformRule[] = [
  ...S3_RULES,
  ...RDS_RULES,
  ...ELASTICACHE_RULES,
  ...EKS_RULES,
  ...NETWORK_RULES,
  ...IAM_RULES,
  ...OBSERVABILITY_RULES,
  ...SECRET_RULES,
  ...DIGITALOCEAN_RULES,
];
