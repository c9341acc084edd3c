const DAYS: Record<string, number> = { s: 1 / 86400, m: 1 / 1440, h: 1 / 24, d: 1, w: 7, y: 365 };

function durationDays(text: string): number {
  let days = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) days += unit === 'ms' ? 0 : Number(n) * DAYS[unit];
  return days;
}

/** The longest look-back of a PromQL expression (range plus offset), in days. */
export function promqlLookbackDays(expr: string): number {
  let max = 0;
  for (const m of expr.matchAll(/\[([0-9smhdwy]+)(?::[0-9smhdwy]*)?\](?:\s*offset\s+([0-9smhdwy]+))?/g)) {
    max = Math.max(max, durationDays(m[1]) + (m[2] ? durationDays(m[2]) : 0));
  }
  for (const m of expr.matchAll(/offset\s+([0-9smhdwy]+)/g)) max = Math.max(max, durationDays(m[1]));
  return max;
}
