/**
 * The account of one `terraform plan` + `terraform apply` against moto, from their JSON lines (`-json`): every
 * resource the plan would create is either created, failed at a known moto gap, or not attempted because something
 * it depends on failed at one; anything else is a problem of ours. So a run can no longer pass by saying nothing:
 * a plan or an apply that exits non-zero without a diagnostic, a plan that plans nothing, a warning, or a resource
 * that silently never reached the emulator all fail it.
 */
import { Diagnostic, MotoGap, motoGapOf } from './moto-gaps';

type Json = Record<string, unknown>;

/** What a finished command left. */
export interface TfRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ApplyAccount {
  /** Managed resources the plan would create or change. */
  readonly planned: string[];
  readonly created: string[];
  /** Failed at a moto gap (moto could not have answered as AWS does): reported, not ours. */
  readonly gaps: Array<{ address: string; gap: MotoGap }>;
  /** Planned but never sent to moto: something they depend on failed at a gap. */
  readonly notAttempted: Array<{ address: string; after: string[] }>;
  /** Ours: every error, warning, silent failure and unexplained resource. */
  readonly problems: string[];
}

interface Message {
  type?: string;
  diagnostic?: Diagnostic;
  change?: { resource?: { addr?: string; mode?: string }; action?: string };
  hook?: { resource?: { addr?: string; mode?: string } };
}

function messages(stdout: string): Message[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Message;
      } catch {
        return {};
      }
    });
}

/** `aws_subnet.Network_Subnet_1[0]` → `aws_subnet.Network_Subnet_1` (the resource block it was planned from). */
const block = (address: string) => address.replace(/\[[^\]]*\]$/, '');

/** Each block (resources and data sources) → the blocks it refers to or depends on, from the stack's JSON. */
export function dependenciesOf(stack: Json): Map<string, Set<string>> {
  const blocks: Array<[string, Json]> = [];
  for (const [prefix, section] of [
    ['', stack.resource],
    ['data.', stack.data],
  ] as const) {
    for (const [type, byName] of Object.entries((section ?? {}) as Record<string, Record<string, Json>>)) {
      for (const [name, config] of Object.entries(byName)) blocks.push([`${prefix}${type}.${name}`, config]);
    }
  }
  const known = new Set(blocks.map(([b]) => b));
  const deps = new Map<string, Set<string>>();
  for (const [self, config] of blocks) {
    const found = new Set<string>();
    for (const m of JSON.stringify(config).matchAll(/(?<![A-Za-z0-9_.-])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+)/g)) {
      if (known.has(m[1]) && m[1] !== self) found.add(m[1]);
    }
    deps.set(self, found);
  }
  return deps;
}

function failedAncestors(address: string, deps: Map<string, Set<string>>, failed: Set<string>): string[] {
  const out = new Set<string>();
  const seen = new Set<string>();
  const stack = [block(address)];
  while (stack.length) {
    const cur = stack.pop()!;
    for (const d of deps.get(cur) ?? []) {
      if (seen.has(d)) continue;
      seen.add(d);
      if (failed.has(d)) out.add(d);
      else stack.push(d);
    }
  }
  return [...out].sort();
}

const tail = (r: TfRun) => (r.stderr.trim() || r.stdout.trim() || '(no output)').slice(-600);
const describe = (d: Diagnostic) =>
  `${d.address ? `${d.address} ` : ''}${d.severity}: ${d.summary}${d.detail ? `: ${d.detail.replace(/\s+/g, ' ').slice(0, 400)}` : ''}`;

/** The plan's account: what it would create, and the problems that stop the run before an apply. */
export function accountPlan(name: string, stack: Json, plan: TfRun): { planned: string[]; problems: string[] } {
  const problems: string[] = [];
  const planMessages = messages(plan.stdout);
  const planDiagnostics = planMessages.filter((m) => m.type === 'diagnostic' && m.diagnostic).map((m) => m.diagnostic!);
  for (const d of planDiagnostics) problems.push(`${name}: plan ${describe(d)}`);
  if (plan.status !== 0 && !planDiagnostics.some((d) => d.severity === 'error')) {
    problems.push(`${name}: plan failed (exit ${plan.status}) without a diagnostic: ${tail(plan)}`);
  }
  const planned = [
    ...new Set(
      planMessages
        .filter((m) => m.type === 'planned_change' && m.change?.resource?.addr && m.change.resource.mode !== 'data')
        .filter((m) => !m.change!.resource!.addr!.startsWith('data.'))
        .map((m) => m.change!.resource!.addr!),
    ),
  ];
  const resourceCount = Object.values((stack.resource ?? {}) as Record<string, object>).reduce((n, r) => n + Object.keys(r).length, 0);
  if (plan.status === 0 && planned.length === 0 && resourceCount > 0) {
    problems.push(`${name}: the plan planned nothing for a stack of ${resourceCount} resources`);
  }
  return { planned, problems };
}

/** The account of the apply of a plan that had no problems (see {@link accountPlan}). */
export function accountApply(name: string, stack: Json, plan: TfRun, apply: TfRun): ApplyAccount {
  const { planned, problems } = accountPlan(name, stack, plan);

  const applyMessages = messages(apply.stdout);
  const created = new Set(
    applyMessages.filter((m) => m.type === 'apply_complete' && m.hook?.resource?.addr).map((m) => m.hook!.resource!.addr!),
  );
  const errored = new Set(
    applyMessages.filter((m) => m.type === 'apply_errored' && m.hook?.resource?.addr).map((m) => m.hook!.resource!.addr!),
  );
  const gaps: Array<{ address: string; gap: MotoGap }> = [];
  const explainedErrors = new Set<string>();
  let errors = 0;
  for (const m of applyMessages) {
    const d = m.type === 'diagnostic' ? m.diagnostic : undefined;
    if (!d) continue;
    if (d.severity === 'error') errors++;
    const gap = d.severity === 'error' ? motoGapOf(d) : undefined;
    if (gap && d.address) {
      gaps.push({ address: d.address, gap });
      explainedErrors.add(d.address);
    } else {
      problems.push(`${name}: apply ${describe(d)}`);
      if (d.address) explainedErrors.add(d.address);
    }
  }
  if (apply.status !== 0 && errors === 0)
    problems.push(`${name}: apply failed (exit ${apply.status}) without a diagnostic: ${tail(apply)}`);
  for (const address of errored) {
    if (!explainedErrors.has(address)) problems.push(`${name}: ${address} failed without a diagnostic`);
  }
  // What failed, by block: resources after it were never sent.
  const failed = new Set([...errored, ...gaps.map((g) => g.address)].map(block));
  const deps = dependenciesOf(stack);
  const notAttempted: Array<{ address: string; after: string[] }> = [];
  for (const address of planned) {
    if (created.has(address) || errored.has(address) || explainedErrors.has(address)) continue;
    const after = failedAncestors(address, deps, failed);
    if (after.length > 0) notAttempted.push({ address, after });
    else problems.push(`${name}: ${address} was planned but neither created nor refused, and nothing it depends on failed`);
  }
  return { planned, created: [...created], gaps, notAttempted, problems };
}

/** One line per resource that never reached the emulator, for the pinned list (test/real-engines/not-exercised.txt). */
export function notExercisedLines(name: string, account: ApplyAccount): string[] {
  return [
    ...account.gaps.map((g) => `${name}: ${block(g.address)}: refused by moto (${g.gap.api})`),
    ...account.notAttempted.map((n) => `${name}: ${block(n.address)}: not sent, after ${n.after.join(', ')}`),
  ].sort();
}
