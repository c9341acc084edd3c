/** How bad a finding is: errors fail synthesis, warnings are reported. */
export type Severity = 'error' | 'warning';

/** What a rule inspects. */
export type RuleTarget = 'terraform' | 'kubernetes';

/** A rule's identity and documentation (shared by Terraform and Kubernetes rules). */
export interface RuleInfo {
  /** Stable id, e.g. `SK-AWS-001`. Suppressions name it. */
  readonly id: string;
  readonly target: RuleTarget;
  /** What must hold. */
  readonly title: string;
  readonly severity: Severity;
  /** Equivalent Checkov checks, where one exists. */
  readonly checkov?: readonly string[];
  /** Equivalent kube-linter check, where one exists. */
  readonly kubeLinter?: string;
  /** How to fix a finding. */
  readonly fix: string;
}

/** A violation found by a rule. */
export interface Finding {
  readonly rule: RuleInfo;
  /** Construct path (Terraform) or `<Kind>/<namespace>/<name>` (Kubernetes). */
  readonly subject: string;
  /** What exactly is wrong. */
  readonly detail: string;
}

/** Renders a finding the way synth errors read. */
export function formatFinding(f: Finding): string {
  const refs = [...(f.rule.checkov ?? []), ...(f.rule.kubeLinter ? [`kube-linter:${f.rule.kubeLinter}`] : [])];
  return `[${f.subject}] ${f.rule.id} (${f.rule.severity}${refs.length ? `, ${refs.join(', ')}` : ''}): ${f.detail}. Fix: ${f.rule.fix}`;
}
