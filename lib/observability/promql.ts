import { parser } from '@prometheus-io/lezer-promql';
import { invalidProp } from '../common/errors';

/**
 * Parses `expr` with the Prometheus project's own PromQL grammar (`@prometheus-io/lezer-promql`) and returns the
 * offset of the first syntax error, or undefined when it parses.
 */
export function promqlSyntaxError(expr: string): number | undefined {
  let at: number | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (at === undefined && node.type.isError) at = node.from;
      return at === undefined;
    },
  });
  return at;
}

const RANGE = new Set(['MatrixSelector', 'SubqueryExpr']);

/**
 * Why Prometheus (Go's RE2) would refuse `pattern`, or undefined. JavaScript's RegExp catches the syntax errors; RE2
 * also refuses what JavaScript accepts but RE2 has no engine for: lookaround and backreferences.
 */
export function re2Error(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: \/.*\/: /, '');
  }
  if (/\(\?<?[=!]/.test(pattern)) return 'uses lookaround, which RE2 does not support';
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) return 'uses a backreference, which RE2 does not support';
  return undefined;
}

/** The value of a PromQL string literal: "…" and '…' with Go escapes, `…` raw. */
function stringValue(literal: string): string {
  const body = literal.slice(1, -1);
  if (literal.startsWith('`')) return body;
  try {
    return JSON.parse(`"${literal.startsWith("'") ? body.replace(/\\'/g, "'").replace(/"/g, '\\"') : body}"`) as string;
  } catch {
    return body;
  }
}

/**
 * The type errors Prometheus's parser reports and a grammar alone cannot: a range vector (`x[5m]`, `x[5m:1m]`) where
 * an instant vector belongs: inside an aggregation, as an operand of a binary operator, or as the whole expression
 * (a rule or query must return an instant vector). Returns what is wrong as a verb phrase ("aggregates the range vector …"), or undefined.
 */
export function promqlTypeError(expr: string): string | undefined {
  let problem: string | undefined;
  const cursor = parser.parse(expr).cursor();
  const text = (from: number, to: number) => expr.slice(from, to);
  do {
    const node = cursor.node;
    if (node.name === 'PromQL' && node.firstChild && RANGE.has(node.firstChild.name)) {
      problem ??= `is a range vector: a query or rule must return an instant vector (wrap it in rate(), avg_over_time(), …)`;
    }
    if (node.name === 'AggregateExpr') {
      const body = node.getChild('FunctionCallBody');
      for (let c = body?.firstChild; c; c = c.nextSibling) {
        if (RANGE.has(c.name)) {
          problem ??= `aggregates the range vector "${text(c.from, c.to)}" in "${text(node.from, node.to)}": aggregations take instant vectors (wrap it in rate(), avg_over_time(), …)`;
        }
      }
    }
    if (node.name === 'EqlRegex' || node.name === 'NeqRegex') {
      const literal = node.parent?.nextSibling;
      const why = literal?.name === 'StringLiteral' ? re2Error(stringValue(text(literal.from, literal.to))) : undefined;
      if (why) problem ??= `matches with the regular expression ${text(literal!.from, literal!.to)}, which Prometheus refuses: ${why}`;
    }
    if (node.name === 'BinaryExpr') {
      for (let c = node.firstChild; c; c = c.nextSibling) {
        if (RANGE.has(c.name))
          problem ??= `uses the range vector "${text(c.from, c.to)}" as an operand: binary operators take instant vectors or scalars`;
      }
    }
  } while (problem === undefined && cursor.next());
  return problem;
}

/** Throws unless `expr` is valid PromQL: it parses, and has no range vector where an instant vector belongs. */
export function requirePromql(path: string, prop: string, expr: string): string {
  const at = promqlSyntaxError(expr);
  if (at !== undefined || expr.trim() === '') {
    throw invalidProp(path, prop, expr, `is not valid PromQL (syntax error at offset ${at ?? 0})`);
  }
  const typeError = promqlTypeError(expr);
  if (typeError) throw invalidProp(path, prop, expr, `is not valid PromQL: it ${typeError}`);
  return expr;
}

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/** True for a Prometheus duration such as `5m`, `1h30m`, `30d`. */
export function isPrometheusDuration(value: string): boolean {
  return DURATION.test(value);
}

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Seconds of a Prometheus duration (`1h30m` → 5400). */
export function durationSeconds(value: string): number {
  let total = 0;
  for (const [, n, unit] of value.matchAll(/([0-9]+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * UNIT_SECONDS[unit];
  return total;
}

/** Throws unless `value` is a Prometheus duration. */
export function requireDuration(path: string, prop: string, value: string): string {
  if (!isPrometheusDuration(value)) {
    throw invalidProp(path, prop, value, 'must be a Prometheus duration such as "30s", "5m", "1h" or "30d"');
  }
  return value;
}
