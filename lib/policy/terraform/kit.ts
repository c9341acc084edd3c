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
