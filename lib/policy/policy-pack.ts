import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { invalidProp, ValidationError } from '../common/errors';
import { _oncePerSynthesis, _renderPrepared, _synthesizeOnce } from '../private/render';
import { K8sIndex, K8sObject, KUBERNETES_RULES, KubernetesRule, POD_KINDS } from './kubernetes-rules';
import { Finding, formatFinding, RuleInfo } from './rule';
import { TERRAFORM_RULES, TerraformRule, TfContext, TfResource } from './terraform-rules';

/** A reasoned exception to one rule for one construct (and what it contains). */
export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
}

const SUPPRESSIONS = Symbol.for('samokoder-infra.policy.suppressions');
const ENFORCED = Symbol.for('samokoder-infra.policy.enforced');

/** Options of {@link PolicyPack.enforce}. */
export interface PolicyOptions {
  /** Where warnings go. @default console.warn */
  readonly onWarning?: (message: string) => void;
}

/** All rules of the pack. */
export const POLICY_RULES: readonly (TerraformRule | KubernetesRule)[] = [...TERRAFORM_RULES, ...KUBERNETES_RULES];

/** Annotation that records a suppression on a Kubernetes object. */
export const SUPPRESSION_ANNOTATION_PREFIX = 'policy.samokoder.dev/suppress.';

/**
 * What the pack needs of a cdktf `TerraformStack` (which satisfies it): typed structurally, so the declarations of
 * a Kubernetes-only install never name cdktf.
 */
export interface TerraformStackLike extends IConstruct {
  /** The stack's Terraform JSON, tokens resolved. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- cdktf's own signature
  toTerraform(): any;
}

/**
 * The policy pack: security and reliability rules checked when the Terraform stacks and Kubernetes charts are
 * synthesized, in the spirit of cdk-nag. Each rule has an id, its Checkov or kube-linter equivalent where one exists,
 * a severity and a fix. Errors fail synthesis (nothing is written); warnings are reported.
 */
export class PolicyPack {
  /**
   * Checks every TerraformStack and cdk8s Chart under `scope` (an app, a stack or a chart) at synthesis.
   * Idempotent: a scope already enforced is not enforced twice.
   */
  public static enforce(scope: IConstruct, options: PolicyOptions = {}): void {
    const warn = options.onWarning ?? ((m: string) => console.warn(m));
    const marked = (c: IConstruct) => c as unknown as Record<symbol, boolean>;
    const fresh = scope.node.findAll().filter((c) => !marked(c)[ENFORCED]);
    for (const c of fresh) {
      if (isTerraformStack(c)) {
        marked(c)[ENFORCED] = true;
        c.node.addValidation({ validate: () => report(PolicyPack.checkTerraform(c), warn) });
      }
    }
    // Charts are checked together: a namespace chart's default-deny policy covers the app charts beside it.
    const charts = fresh.filter((c): c is Chart => Chart.isChart(c));
    if (charts.length > 0) {
      charts.forEach((c) => (marked(c)[ENFORCED] = true));
      // The check runs inside cdk8s' validation, so it renders the charts without preparing the app again; the guard
      // stops recursion if something renders through Chart.toJson() (which validates first).
      let running = false;
      _synthesizeOnce(scope);
      const check = {
        validate: (): string[] => {
          if (running) return [];
          running = true;
          try {
            // Once per synthesis (cdk8s validates again before each chart it renders), warnings reported once.
            return _oncePerSynthesis(scope, check, () => report(PolicyPack.checkKubernetes(...charts), warn));
          } finally {
            running = false;
          }
        },
      };
      scope.node.addValidation(check);
    }
  }

  /**
   * Suppresses one rule for `scope` and everything in it, with a reason (at least 10 characters) that is written
   * into the synthesized output: the resource's `//` metadata for Terraform, an annotation for Kubernetes (plus
   * Checkov's own skip annotation when the rule has a Checkov equivalent).
   */
  public static suppress(scope: IConstruct, ruleId: string, reason: string): void {
    const rule = POLICY_RULES.find((r) => r.id === ruleId);
    if (!rule) {
      throw invalidProp(scope.node.path, 'ruleId', ruleId, `is not a rule of the pack (${POLICY_RULES.map((r) => r.id).join(', ')})`);
    }
    if (reason.trim().length < 10) {
      throw invalidProp(
        scope.node.path,
        'reason',
        reason,
        'must say why the rule does not apply (at least 10 characters): suppressions are reviewed',
      );
    }
    const holder = scope as unknown as Record<symbol, Suppression[]>;
    holder[SUPPRESSIONS] = [...(holder[SUPPRESSIONS] ?? []), { ruleId, reason }];
    // Make it visible in the output.
    for (const c of [scope, ...scope.node.findAll()]) {
      const maybeResource = c as unknown as { addOverride?: (path: string, value: unknown) => void; terraformResourceType?: string };
      if (maybeResource.terraformResourceType && maybeResource.addOverride) {
        maybeResource.addOverride(`//.samokoder_policy_suppressions.${ruleId}`, reason);
      } else if (c instanceof ApiObject) {
        c.metadata.addAnnotation(`${SUPPRESSION_ANNOTATION_PREFIX}${ruleId}`, reason);
        const start = suppressionIndex(c);
        rule.checkov?.forEach((id, i) => c.metadata.addAnnotation(`checkov.io/skip${start + i + 1}`, `${id}=${reason}`));
        (c as unknown as Record<symbol, number>)[CHECKOV_SKIPS] = start + (rule.checkov?.length ?? 0);
      }
    }
  }

  /** Evaluates the Terraform rules on a stack. */
  public static checkTerraform(stack: TerraformStackLike): Finding[] {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON
    const json: Record<string, any> = stack.toTerraform();
    const resources: TfResource[] = [];
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, config] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved Terraform JSON
        const meta = (config as any)['//']?.metadata;
        resources.push({ type, name, path: meta?.path ?? `${stack.node.path}/${name}`, config });
      }
    }
    const aws = json.provider?.aws;
    const defaultTags: Record<string, string> | undefined = (Array.isArray(aws) ? aws[0] : aws)?.default_tags?.[0]?.tags;
    const ctx: TfContext = { resources, defaultTags, environment: defaultTags?.Environment };
    const findings: Finding[] = [];
    const suppressionsAt = suppressionsWithin(stack);
    for (const r of resources) {
      const suppressed = suppressionsAt(r.path);
      for (const rule of TERRAFORM_RULES) {
        if (rule.types !== '*' && !rule.types.includes(r.type)) continue;
        if (suppressed.has(rule.id)) continue;
        for (const detail of [rule.check(r, ctx) ?? []].flat()) findings.push({ rule, subject: r.path, detail });
      }
    }
    return findings;
  }

  /** Evaluates the Kubernetes rules on the rendered objects of one or more charts (checked together). */
  public static checkKubernetes(...charts: Chart[]): Finding[] {
    const objects: K8sObject[] = charts.flatMap((c) => _renderPrepared(c));
    const owners = new Map<string, { chart: Chart; api: ApiObject }>();
    for (const chart of charts) {
      for (const c of chart.node.findAll()) {
        if (c instanceof ApiObject) owners.set(`${c.kind}/${c.metadata.namespace ?? chart.namespace ?? ''}/${c.name}`, { chart, api: c });
      }
    }
    // The suppressions of each chart, collected once per chart (not once per object: a walk of the chart each).
    const suppressed = new Map<Chart, (path: string) => Set<string>>();
    return PolicyPack.checkObjects(objects, (o) => {
      const owner = owners.get(`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);
      if (!owner) return new Set();
      let of = suppressed.get(owner.chart);
      if (!of) suppressed.set(owner.chart, (of = suppressionsWithin(owner.chart)));
      return of(owner.api.node.path);
    });
  }

  /** Evaluates the Kubernetes rules on plain objects (for manifests from elsewhere). */
  public static checkObjects(objects: readonly K8sObject[], suppressed: (o: K8sObject) => Set<string> = () => new Set()): Finding[] {
    const findings: Finding[] = [];
    const index = new K8sIndex(objects);
    for (const o of objects) {
      const skip = suppressed(o);
      for (const [k, v] of Object.entries(o.metadata?.annotations ?? {})) {
        if (k.startsWith(SUPPRESSION_ANNOTATION_PREFIX) && typeof v === 'string' && v.trim().length >= 10)
          skip.add(k.slice(SUPPRESSION_ANNOTATION_PREFIX.length));
      }
      const subject = `${o.kind}/${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`;
      for (const rule of KUBERNETES_RULES) {
        const applies = rule.kinds === '*' || (rule.kinds === 'pods' ? POD_KINDS.includes(o.kind) : rule.kinds.includes(o.kind));
        if (!applies || skip.has(rule.id)) continue;
        for (const detail of [rule.check(o, index) ?? []].flat()) findings.push({ rule, subject, detail });
      }
    }
    return findings;
  }
}

/**
 * The suppressions that apply at a path within `root`: those set on the construct at that path or on any of its
 * parents, up to and above `root` (the app, a parent construct). `root` is walked once, here.
 */
function suppressionsWithin(root: Construct): (path: string) => Set<string> {
  const holders: Array<{ path: string; ruleIds: string[] }> = [];
  for (const c of [root, ...root.node.findAll()]) {
    const list = (c as unknown as Record<symbol, Suppression[] | undefined>)[SUPPRESSIONS];
    if (list) holders.push({ path: c.node.path, ruleIds: list.map((s) => s.ruleId) });
  }
  const above: string[] = [];
  for (let scope = root.node.scope; scope; scope = scope.node.scope) {
    ((scope as unknown as Record<symbol, Suppression[] | undefined>)[SUPPRESSIONS] ?? []).forEach((s) => above.push(s.ruleId));
  }
  return (path) => {
    const out = new Set(above);
    for (const h of holders) if (path === h.path || path.startsWith(`${h.path}/`)) h.ruleIds.forEach((id) => out.add(id));
    return out;
  };
}

const CHECKOV_SKIPS = Symbol.for('samokoder-infra.policy.checkov-skips');

/** Next free `checkov.io/skipN` index on an object (Checkov reads skip1, skip2, …). */
function suppressionIndex(o: ApiObject): number {
  const holder = o as unknown as Record<symbol, number | undefined>;
  const n = holder[CHECKOV_SKIPS] ?? 0;
  return n;
}

/** Errors become validation messages; warnings go to `warn`. */
/**
 * Reports warnings and throws the errors, one message per mistake: findings of one rule with the same detail over
 * several objects (a chart label on every object) are one, at the first object, naming the others. Thrown as they
 * are, not inside the engines' "Validation failed with the following errors" list (whose `[]` names the app's root).
 */
function report(findings: Finding[], warn: (m: string) => void): string[] {
  findings.filter((f) => f.rule.severity === 'warning').forEach((f) => warn(`policy warning: ${formatFinding(f)}`));
  const groups = new Map<string, Finding[]>();
  for (const f of findings.filter((x) => x.rule.severity === 'error')) {
    const key = `${f.rule.id}\u0000${f.detail}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  if (groups.size === 0) return [];
  const messages = [...groups.values()].map(([first, ...others]) =>
    formatFinding(
      others.length === 0
        ? first
        : {
            ...first,
            detail: `${first.detail} (and ${others.length} more object${others.length === 1 ? '' : 's'}: ${others.map((o) => o.subject).join(', ')})`,
          },
    ),
  );
  throw new ValidationError(messages.join('\n'));
}

/** Rule documentation as a Markdown table (the README's rule list is generated from it). */
export function policyRulesMarkdown(rules: readonly RuleInfo[] = POLICY_RULES): string {
  const rows = rules.map((r) => {
    const refs = [...(r.checkov ?? []), ...(r.kubeLinter ? [`kube-linter \`${r.kubeLinter}\``] : [])].join(', ') || '—';
    return `| ${r.id} | ${r.target} | ${r.severity} | ${r.title} | ${refs} | ${r.fix} |`;
  });
  return ['| id | target | severity | rule | equivalent | fix |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/**
 * cdktf's own test (`TerraformStack.isStack`: the symbol every stack carries), without loading cdktf: a cdk8s-only
 * team has no cdktf installed.
 */
function isTerraformStack(c: IConstruct): c is IConstruct & TerraformStackLike {
  return typeof c === 'object' && c !== null && Symbol.for('cdktf/TerraformStack') in c;
}
