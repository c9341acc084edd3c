import * as fs from 'fs';
import { Yaml } from 'cdk8s';

// cdk8s' own, kept before anything may stand in for it (see `_withManifestYaml`).
const cdk8sStringify: (...docs: unknown[]) => string = Yaml.stringify.bind(Yaml);

/**
 * YAML for rendered manifests: the same bytes as cdk8s' `Yaml.stringify` (the `yaml` library, YAML 1.1 schema, no
 * line folding), written without building a `yaml` Document per object.
 *
 * Why: building and printing a Document per object was the largest cost of a large synth once the quadratic checks
 * were gone (about 5 ms per ProductionApp, half the time of 1,000 apps). Manifests are plain JSON data, so the
 * structure (block maps, block sequences indented under their key, `{}`/`[]` when empty) is simple; the only subtle
 * part is whether a string may be written plain. This emitter decides that itself only where the answer is certain
 * (printable ASCII that starts with a letter, `_`, `/` or `(`, none of the sequences that end a plain scalar, and not
 * one of YAML 1.1's boolean or null words), and asks the `yaml` library, through cdk8s, for every other scalar
 * (cached: quantities, ports and CIDRs repeat). Anything it does not expect (a non-plain object, `undefined`, a
 * document marker inside a string) makes it hand the whole document to cdk8s. `test/private/yaml.test.ts` compares
 * both on the reference platform and on generated tricky values.
 */

// YAML 1.1 reads these plain words as booleans or null (the `yaml` library's 1.1 schema): quote them.
const WORDS = new Set('y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL'.split(' '));
// Conservative: printable ASCII, a first character that is no indicator and cannot start a number or a timestamp.
const SAFE = /^[A-Za-z_/(][\x20-\x7e]*$/;
// What ends or breaks a plain scalar in block context: ': ', ' #', a trailing space or colon.
const BREAKS = /: | #|[ :]$/;
// A line starting with a document marker ('---' or '...') changes how the library indents block scalars.
const MARKER = /(^|\n)(---|\.\.\.)/;

class Unexpected extends Error {}

const valueCache = new Map<string, string>();
const itemCache = new Map<string, string>();
const keyCache = new Map<string, string>();
const CACHE_LIMIT = 50_000;

function remember(cache: Map<string, string>, k: string, v: string): string {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(k, v);
  return v;
}

function plain(s: string): boolean {
  return SAFE.test(s) && !BREAKS.test(s) && !WORDS.has(s);
}

/** A scalar as the library writes it after `prefix` ("k: " or "- ") at column 0, re-indented for `indent`. */
function viaLibrary(value: unknown, asItem: boolean, indent: string): string {
  const cache = asItem ? itemCache : valueCache;
  const key = typeof value === 'string' ? `s${value}` : `${typeof value}${String(value)}`;
  let text = cache.get(key);
  if (text === undefined) {
    const out = cdk8sStringify(asItem ? [value] : { k: value });
    const prefix = asItem ? '- ' : 'k: ';
    if (!out.startsWith(prefix) || !out.endsWith('\n')) throw new Unexpected();
    text = out.slice(prefix.length, -1);
    // Short scalars repeat (quantities, ports, CIDRs); long ones are one app's text.
    if (key.length <= 200) remember(cache, key, text);
  }
  return indent === '' ? text : text.replace(/\n(?=.)/g, `\n${indent}`);
}

// Single-line printable ASCII without quotes or backslashes: written in double quotes as is when it must be quoted.
const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
// Certainly not plain in block context (a subset of what the library refuses): an indicator first, ': ', ' #', or a
// trailing space or colon.
const MUST_QUOTE = /^[ ,[\]{}#&*!|>'%@`]|: | #|[ :]$/;
// Multi-line text the library writes as a literal block with no indentation indicator: printable ASCII and line
// breaks, not starting with a space or a break, at most one trailing break, no whitespace-only last line.
const LITERAL = /^[\x21-\x7e][\x20-\x7e\n]*$/;

function literalBlock(value: string, indent: string): string | undefined {
  if (!LITERAL.test(value) || MARKER.test(value) || /\n[ \n]*$/.test(value.endsWith('\n') ? value.slice(0, -1) : value)) return undefined;
  if (/ $/.test(value)) return undefined;
  const clip = value.endsWith('\n');
  const body = clip ? value.slice(0, -1) : value;
  const inner = `${indent}  `;
  return `|${clip ? '' : '-'}\n${inner}${body.replace(/\n+/g, `$&${inner}`)}`;
}

function scalar(value: unknown, asItem: boolean, indent: string): string {
  if (typeof value === 'string') {
    if (plain(value)) return value;
    if (value === '') return '""';
    if (MUST_QUOTE.test(value) && QUOTABLE.test(value)) return `"${value}"`;
    if (value.includes('\n')) {
      const block = literalBlock(value, indent);
      if (block !== undefined) return block;
    }
    if (MARKER.test(value)) throw new Unexpected();
    return viaLibrary(value, asItem, indent);
  }
  if (typeof value === 'number' && Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null) return 'null';
  if (typeof value === 'number') return viaLibrary(value, asItem, indent);
  throw new Unexpected();
}

function key(k: string): string {
  if (plain(k)) return k;
  const known = keyCache.get(k);
  if (known !== undefined) return known;
  if (k.includes('\n') || k.length > 1000 || MARKER.test(k)) throw new Unexpected();
  const out = cdk8sStringify({ [k]: 0 });
  if (!out.endsWith(': 0\n') || out.indexOf('\n') !== out.length - 1) throw new Unexpected();
  return remember(keyCache, k, out.slice(0, -': 0\n'.length));
}

function isMap(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new Unexpected();
  return true;
}

function map(m: Record<string, unknown>, indent: string, out: string[]): void {
  for (const k of Object.keys(m)) {
    const v = m[k];
    const head = `${indent}${key(k)}:`;
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${head} []\n`);
      else {
        out.push(`${head}\n`);
        seq(v, `${indent}  `, out);
      }
    } else if (isMap(v)) {
      if (Object.keys(v).length === 0) out.push(`${head} {}\n`);
      else {
        out.push(`${head}\n`);
        map(v, `${indent}  `, out);
      }
    } else {
      out.push(`${head} ${scalar(v, false, indent)}\n`);
    }
  }
}

function seq(items: readonly unknown[], indent: string, out: string[]): void {
  const inner = `${indent}  `;
  for (const item of items) {
    if (Array.isArray(item) || isMap(item)) {
      const empty = Array.isArray(item) ? item.length === 0 : Object.keys(item).length === 0;
      if (empty) {
        out.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}\n`);
        continue;
      }
      // The first line of the nested collection goes after the dash; the rest keep the item's indentation.
      const start = out.length;
      if (Array.isArray(item)) seq(item, inner, out);
      else map(item, inner, out);
      out[start] = `${indent}- ${out[start].slice(inner.length)}`;
    } else {
      out.push(`${indent}- ${scalar(item, true, indent)}\n`);
    }
  }
}

function document(doc: unknown): string {
  if (doc === undefined) return '\n';
  try {
    if (!isMap(doc) || Object.keys(doc).length === 0) throw new Unexpected();
    const out: string[] = [];
    map(doc, '', out);
    return out.join('');
  } catch (e) {
    if (!(e instanceof Unexpected)) throw e;
    return cdk8sStringify(doc);
  }
}

/**
 * Rendered manifests as multi-document YAML: the bytes cdk8s' `Yaml.stringify(...objects)` returns, about four times
 * faster (it builds no `yaml` Document per object). For the objects of {@link renderCharts}.
 */
export function stringifyManifests(objects: readonly unknown[]): string {
  return objects.map(document).join('---\n');
}

/** Writes rendered manifests to `file` as cdk8s' `Yaml.save(file, objects)` would (see {@link stringifyManifests}). */
export function saveManifests(file: string, objects: readonly unknown[]): void {
  fs.writeFileSync(file, stringifyManifests(objects), { encoding: 'utf8' });
}

/**
 * Runs cdk8s' `app.synth()` / `synthYaml()` (`fn`) with this emitter standing in for cdk8s' `Yaml.save` and
 * `Yaml.stringify`, restored when it returns or throws. The bytes are the same (see above); at 2,000 apps cdk8s'
 * Document per object was half the time of its `app.synth()` and most of its memory, and the garbage it left made
 * single runs take twice as long as others. The swap lasts one synchronous call, so nothing else sees it.
 * @internal
 */
export function _withManifestYaml<T>(fn: () => T): T {
  const save = Yaml.save;
  const stringify = Yaml.stringify;
  Yaml.save = (file: string, docs: unknown[]) => saveManifests(file, docs);
  Yaml.stringify = (...docs: unknown[]) => stringifyManifests(docs);
  try {
    return fn();
  } finally {
    Yaml.save = save;
    Yaml.stringify = stringify;
  }
}
