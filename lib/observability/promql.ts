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

/** Throws unless `expr` is valid PromQL. */
export function requirePromql(path: string, prop: string, expr: string): string {
  const at = promqlSyntaxError(expr);
  if (at !== undefined || expr.trim() === '') {
    throw invalidProp(path, prop, expr, `is not valid PromQL (syntax error at offset ${at ?? 0})`);
  }
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
