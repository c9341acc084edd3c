/**
 * Every validation message the library emits is built here, so tests can pin them and a reader sees the whole
 * vocabulary of refusals in one file (the cdktf `lib/errors.ts` habit).
 *
 * A message names the construct path, the prop, the value received and what is allowed.
 */
import * as nodePath from 'path';
import { looksLikeSecretValue } from './secret-detection';

/** The library's own directory (lib/ from source, build/ when installed): its frames are left out of a stack. */
const LIBRARY_DIR = nodePath.resolve(__dirname, '..');

/**
 * Thrown for invalid configuration. Thrown while the construct tree is built, so nothing is synthesized.
 *
 * Its stack is the message and the frames of the program that made the call: the message already names the construct
 * path, the prop, the value and what is allowed, and the library's frames (and its dependencies' and Node's) were 10
 * to 20 lines around it that no one using the library can act on.
 */
export class ValidationError extends Error {
  public override readonly name = 'ValidationError';

  constructor(message: string) {
    super(message);
    const lines = (this.stack ?? '').split('\n');
    const header = message.split('\n').length;
    const callers = lines
      .slice(header)
      .filter((l) => !/^\s+at /.test(l) || !(l.includes(LIBRARY_DIR) || /[\\/]node_modules[\\/]|\(?node:/.test(l)));
    this.stack = [`${this.name}: ${message}`, ...callers].join('\n');
  }
}

/**
 * Renders a value for a message: strings quoted, everything else as JSON, except numbers JSON cannot write (`NaN`,
 * `Infinity`, which it prints as `null`) and undefined, which are printed as JavaScript writes them. A string shaped
 * like a credential is never repeated, whatever the rule refused it for (`"<redacted>"`): messages reach CI logs.
 */
export function show(value: unknown): string {
  if (typeof value === 'string') return `"${looksLikeSecretValue(value) ? REDACTED : value}"`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'string' && looksLikeSecretValue(v) ? REDACTED : v,
  );
}

const REDACTED = '<redacted>';

/** `[path] 'prop' ("value") <rule>` — the one shape every message takes. */
export function invalidProp(path: string, prop: string, value: unknown, rule: string): ValidationError {
  return new ValidationError(`[${path}] '${prop}' (${show(value)}) ${rule}`);
}

/**
 * `[path] 'prop' ("value", <source>) <rule>`: a value the library took from elsewhere because the prop was not set
 * (`from the stack id`), so the message names the prop to set and where the value came from.
 */
export function invalidDerivedProp(path: string, prop: string, value: unknown, source: string, rule: string): ValidationError {
  return new ValidationError(`[${path}] '${prop}' (${show(value)}, ${source}) ${rule}`);
}

/** A message about the combination of several props. */
export function invalidCombination(path: string, detail: string): ValidationError {
  return new ValidationError(`[${path}] ${detail}`);
}

/** Throws `error` when `failed` is true. */
export function check(failed: boolean, error: () => ValidationError): void {
  if (failed) throw error();
}

/**
 * Builds a part (`build`, which creates it at `<path>/<part>`) and re-words a refusal of one of the part's props as a
 * refusal of the prop the user wrote on the composite (`names`: the part's prop → the user's, `cidr` →
 * `vpcCidr`), at the composite's path: the user wrote `alarmSubscriptions[0]`, not the part's `subscriptions[0]`.
 * The rest of the message (index, value, rule) is kept. Refusals of props not in `names` pass unchanged.
 * @internal
 */
export function _blameOn<T>(path: string, part: string, names: Readonly<Record<string, string>>, build: () => T): T {
  try {
    return build();
  } catch (e) {
    const head = `[${path}/${part}] '`;
    if (!(e instanceof ValidationError) || !e.message.startsWith(head)) throw e;
    const rest = e.message.slice(head.length);
    const prop = /^[A-Za-z0-9_]+/.exec(rest)?.[0];
    if (prop === undefined || !Object.prototype.hasOwnProperty.call(names, prop)) throw e;
    throw new ValidationError(`[${path}] '${names[prop]}${rest.slice(prop.length)}`);
  }
}
