#!/usr/bin/env node
// `npm test`: the type-check, the lint, the layering check and the unit tests, run side by side (each waits on its own
// I/O and caches, so together they finish in about the time of the tests alone), each one's output printed whole when
// it ends.
// Exits non-zero when any of them fails. Arguments go to jest (`npm test -- -t Scaling`, `--json --outputFile=…`).
//
// Caches (under node_modules/.cache/samokoder-infra, so a fresh clone starts cold and `rm -rf node_modules` clears
// them): tsc --incremental, eslint --cache and prettier --cache re-check only what changed; jest keeps its transform
// cache. A cold first run takes about twice as long.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const cache = join(root, 'node_modules', '.cache', 'samokoder-infra');
mkdirSync(cache, { recursive: true });
const bin = (name) => join(root, 'node_modules', '.bin', name);
// TypeScript 7, the native compiler, for the type-check (tsconfig.typecheck.json says why it lives in tools/).
const tsc7 = join(root, 'tools', 'typecheck', 'node_modules', 'typescript', 'bin', 'tsc');
const globs = ['lib/**/*.ts', 'apps/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'scripts/**/*.{ts,mjs}', 'bench/**/*.ts'];

const jobs = [
  {
    name: 'type-check',
    steps: [
      [process.execPath, [join(root, 'scripts', 'extract-readme.mjs')]],
      [
        process.execPath,
        [tsc7, '--noEmit', '-p', 'tsconfig.typecheck.json', '--incremental', '--tsBuildInfoFile', join(cache, 'tsc7.tsbuildinfo')],
      ],
    ],
  },
  {
    name: 'lint',
    steps: [
      [
        bin('eslint'),
        [
          '--max-warnings',
          '0',
          '--cache',
          '--cache-location',
          join(cache, 'eslint'),
          'lib',
          'apps',
          'examples',
          'test',
          'scripts',
          'bench',
        ],
      ],
      [bin('prettier'), ['--check', '--log-level', 'warn', '--cache', '--cache-location', join(cache, 'prettier'), ...globs]],
    ],
  },
  // The layers of lib/ and no import cycles (.dependency-cruiser.cjs; its cache is under node_modules/.cache too).
  { name: 'layers', steps: [[bin('depcruise'), ['--output-type', 'err', 'lib']]] },
  { name: 'jest', steps: [[bin('jest'), process.argv.slice(2)]] },
];

function run([cmd, args]) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
    child.on('error', (e) => resolve({ code: 1, out: `${out}${e.message}\n` }));
  });
}

const started = Date.now();
const results = await Promise.all(
  jobs.map(async (job) => {
    const t = Date.now();
    let out = '';
    for (const step of job.steps) {
      const r = await run(step);
      out += r.out;
      if (r.code !== 0) return { ...job, code: r.code, out, seconds: (Date.now() - t) / 1000 };
    }
    return { ...job, code: 0, out, seconds: (Date.now() - t) / 1000 };
  }),
);
for (const r of results) {
  process.stdout.write(`\n== ${r.name} (${r.seconds.toFixed(1)} s)${r.code === 0 ? '' : ' FAILED'}\n${r.out}`);
}
const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
console.log(
  `\nnpm test: ${failed.length === 0 ? 'passed' : `FAILED (${failed.join(', ')})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(failed.length === 0 ? 0 : 1);
