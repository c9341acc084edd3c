/** Types and helpers shared by the Terraform rules of the policy pack (one file per service beside this one). */
import { RuleInfo } from '../rule';

/** One synthesized Terraform resource, as the policy pack sees it. */
export interface TfResource {
  readonly type: string;
  /** Logical name in the configuration. */
  readonly name: string;
  /** Construct path. */
  readonly path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON is free-form
  readonly config: Record<string, any>;
}

/** Everything a rule may look at besides its resource. */
export interface TfContext {
  readonly resources: readonly TfResource[];
  /** The stack's `Environment` default tag, when set. */
  readonly environment?: string;
  /** Default tags of the AWS provider, when there is one. */
  readonly defaultTags?: Record<string, string>;
}

/** A rule over Terraform resources. */
export interface TerraformRule extends RuleInfo {
  readonly target: 'terraform';
  /** Resource types the rule applies to; `*` for all. */
  readonly types: readonly string[] | '*';
  /** Returns what is wrong (one or more details), or nothing. */
  readonly check: (r: TfResource, ctx: TfContext) => string | string[] | undefined;
}

export const isRef = (v: unknown): boolean => typeof v === 'string' && v.includes('${');
/** True when `value` is (or contains) a Terraform reference to resource `r`. */
export const refersTo = (value: unknown, r: TfResource): boolean => JSON.stringify(value ?? null).includes(`${r.type}.${r.name}.`);
export const others = (ctx: TfContext, type: string) => ctx.resources.filter((x) => x.type === type);
export const first = <T>(v: T | T[] | undefined): T | undefined => (Array.isArray(v) ? v[0] : v);
export const protectedFromDestroy = (r: TfResource) => r.config.lifecycle?.prevent_destroy === true;

/**
 * Resource types whose replacement or deletion loses data, a cluster's workloads or a name others point to: every one
 * must carry `lifecycle.prevent_destroy` (a plan that would destroy it fails instead). One list for the pack, so a
 * type the library starts to create is checked as soon as it is added here; test/policy/terraform-rules.test.ts checks
 * that a rule of the pack refuses each of them unprotected. S3 buckets, KMS keys and Spaces buckets have rules of their
 * own (SK-AWS-006, SK-AWS-061, SK-DO-005) that check more than protection.
 */
export const STATEFUL_TYPES = {
  aws: [
    'aws_db_instance',
    'aws_rds_cluster',
    'aws_docdb_cluster',
    'aws_neptune_cluster',
    'aws_elasticache_replication_group',
    'aws_elasticache_cluster',
    'aws_elasticache_serverless_cache',
    'aws_memorydb_cluster',
    'aws_dynamodb_table',
    'aws_efs_file_system',
    'aws_ebs_volume',
    'aws_fsx_lustre_file_system',
    'aws_opensearch_domain',
    'aws_msk_cluster',
    'aws_ecr_repository',
    'aws_backup_vault',
    // Destroying it stops the copies of the database's backups in the recovery region (RecoveryCopies).
    'aws_db_instance_automated_backups_replication',
    'aws_eks_cluster',
    'aws_s3_bucket',
    'aws_kms_key',
  ],
  digitalocean: [
    'digitalocean_database_cluster',
    'digitalocean_database_replica',
    'digitalocean_database_db',
    'digitalocean_database_user',
    'digitalocean_volume',
    'digitalocean_container_registry',
    'digitalocean_kubernetes_cluster',
    'digitalocean_domain',
    'digitalocean_spaces_bucket',
  ],
} as const;
const OWN_RULES: readonly string[] = ['aws_s3_bucket', 'aws_kms_key', 'digitalocean_spaces_bucket'];
/** The stateful types of a provider that the generic protection rule checks (the others have their own rule). */
export const statefulTypes = (provider: keyof typeof STATEFUL_TYPES): string[] =>
  STATEFUL_TYPES[provider].filter((t) => !OWN_RULES.includes(t));

/** Parses an IAM policy document written as literal JSON; undefined when it is not literal JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- IAM documents are free-form JSON
export function policyDoc(text: unknown): { Statement: any[] } | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const doc = JSON.parse(text);
    return { Statement: Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement] };
  } catch {
    return undefined;
  }
}

export const rule = (r: Omit<TerraformRule, 'target'>): TerraformRule => ({ target: 'terraform', ...r });
