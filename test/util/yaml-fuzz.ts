import { Yaml } from 'cdk8s';
import { stringifyManifests } from '../../lib/private/yaml';

// A small seeded generator (mulberry32): the same cases on every run.
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pieces that decide how the `yaml` library writes a scalar: indicators, YAML 1.1 words and numbers, separators,
// whitespace at the edges, line breaks, document markers, quotes, non-ASCII and control characters.
const PIECES = [
  'a',
  'Z',
  '_',
  '/',
  '(',
  ')',
  '-',
  '?',
  ':',
  ': ',
  ' #',
  '#',
  ',',
  '[',
  ']',
  '{',
  '}',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  '~',
  '<<',
  '=',
  '.',
  '..',
  '...',
  '---',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  '\r',
  '0',
  '1',
  '07',
  '0x1F',
  '0b1',
  '1_000',
  '1e3',
  '.5',
  '.inf',
  '.NaN',
  '12:30',
  '2026-12-06',
  '2026-12-06T10:00:00Z',
  'yes',
  'No',
  'ON',
  'off',
  'y',
  'N',
  'true',
  'False',
  'null',
  'NULL',
  'é',
  'ж',
  '→',
  '\u0007',
  '\u00a0',
  '\ud83d\ude00',
  'app.kubernetes.io/name',
  '250m',
  '512Mi',
  '10.0.0.0/16',
  '',
  '{\n  "a": 1\n}',
  'line one\n  line two\n',
  'x: y',
  'a b',
  ' #x',
  '# c',
  'http://x:80/y',
  'sum(rate(x{job="api"}[5m]))',
  '$(VAR)',
  '{{ .Values.x }}',
  '\\',
  '\\n',
];

function str(r: () => number): string {
  const n = 1 + Math.floor(r() * 4);
  return Array.from({ length: n }, () => PIECES[Math.floor(r() * PIECES.length)]).join('');
}

function value(r: () => number, depth: number): unknown {
  const x = r();
  if (depth > 3 || x < 0.45) {
    const y = r();
    if (y < 0.7) return str(r);
    if (y < 0.8) return Math.floor(r() * 2000) - 1000;
    if (y < 0.85) return [0.5, -0, 1e21, 3.14, -2.5e-7, Number.MAX_SAFE_INTEGER + 2][Math.floor(r() * 6)];
    if (y < 0.93) return r() < 0.5;
    return null;
  }
  if (x < 0.75) {
    return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [str(r), value(r, depth + 1)]));
  }
  return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
}

/**
 * Documents `count` generated from `seed` on which the library's YAML emitter and cdk8s' `Yaml.stringify` disagree
 * (the first two, with both texts). The unit test runs a few hundred; the integration suite many thousands.
 */
export function emitterDifferences(seed: number, count: number): unknown[] {
  const r = rng(seed);
  const differ: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const doc = { kind: 'X', ...(value(r, 0) as object), data: value(r, 1) };
    const ours = stringifyManifests([doc]);
    const theirs = Yaml.stringify(doc);
    if (ours !== theirs) differ.push({ ours, theirs });
  }
  return differ.slice(0, 2);
}
