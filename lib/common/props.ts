import { invalidProp } from './errors';

/**
 * The props a construct takes, checked at its boundary for callers without a type checker (plain JavaScript, `tsx`
 * and `node` do not type-check): a required prop that is missing fails with our message instead of a `TypeError`
 * deep inside, and an unknown prop (`hots`) is refused with a suggestion instead of being silently ignored.
 * `keys` lists every prop of the interface; `required` the ones without `?`; `prefix` names a nested options object
 * in messages (`monitoring.` → `'monitoring.slo'`).
 * @internal
 */
export function _checkProps<Complete extends true>(
  path: string,
  construct: string,
  props: unknown,
  keys: readonly string[],
  required: readonly string[],
  prefix = '',
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only its type matters (see _AllKeys)
  _proof?: Complete,
): void {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    throw invalidProp(path, prefix ? prefix.replace(/\.$/, '') : 'props', props, `must be an object of ${construct} props`);
  }
  const given = props as Record<string, unknown>;
  for (const key of required) {
    if (given[key] === undefined) throw invalidProp(path, `${prefix}${key}`, undefined, `is required by ${construct}`);
  }
  for (const key of Object.keys(given)) {
    if (keys.includes(key)) continue;
    // Near: a few edits away, or sharing most of its beginning (`masterUser` → `masterUsername`, `autoPromote` →
    // `autoPromotion`).
    const lower = key.toLowerCase();
    const near = keys
      .map((k) => [k, distance(lower, k.toLowerCase())] as const)
      .filter(
        ([k, d]) =>
          d <= Math.max(2, Math.floor(key.length / 4)) ||
          (lower.length >= 4 && commonPrefix(lower, k.toLowerCase()) >= 0.75 * lower.length),
      )
      .sort((a, b) => a[1] - b[1])[0];
    throw invalidProp(
      path,
      `${prefix}${key}`,
      given[key],
      `is not a prop of ${construct}${near ? `: did you mean '${near[0]}'?` : ` (it takes ${keys.join(', ')})`}`,
    );
  }
}

/**
 * Refuses a list prop given as something else, which a caller without a type checker can write (`alertEmails:
 * 'ops@acme.dev'`): otherwise a `TypeError` (`forEach is not a function`) from deep inside names neither the construct
 * nor the prop. `lists` names the props that are arrays; `prefix` as for {@link _checkProps}.
 * @internal
 */
export function _checkLists<T>(path: string, props: T, lists: readonly (keyof T & string)[], prefix = ''): void {
  for (const key of lists) {
    const value = (props as Record<string, unknown>)[key];
    if (value !== undefined && !Array.isArray(value)) {
      throw invalidProp(
        path,
        `${prefix}${key}`,
        value,
        `must be a list (an array), even of one entry: [${typeof value === 'string' ? `"${value}"` : '…'}]`,
      );
    }
  }
}

/**
 * The candidate closest to `value` (case ignored) when it is a few edits away, for a "did you mean" suggestion.
 * @internal
 */
export function _nearest(value: string, candidates: readonly string[], maxDistance = 2): string | undefined {
  const lower = value.toLowerCase();
  return candidates
    .map((c) => [c, distance(lower, c.toLowerCase())] as const)
    .filter(([, d]) => d <= maxDistance)
    .sort((a, b) => a[1] - b[1])[0]?.[0];
}

/** Length of the common beginning of two strings. */
function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * `true` when the key list `L` names every prop of `T`, else the missing names: passed as `_checkProps`'s type
 * argument, it fails to compile when a prop is added to an interface but not to its list.
 * @internal
 */
export type _AllKeys<T, L extends readonly (keyof T)[]> = [Exclude<keyof T, L[number]>] extends [never]
  ? true
  : Exclude<keyof T, L[number]>;
