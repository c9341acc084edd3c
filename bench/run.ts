/**
 * npm run bench: medians of several runs, each workload in a fresh process, on this machine.
 * Writes bench/results.json (the figures docs/performance.md quotes). Environment: BENCH_RUNS (default 5),
 * BENCH_TEST_RUNS (npm test runs, default 3), BENCH_QUICK=1 (fewer sizes, for a smoke run).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const testRuns = Number(process.env.BENCH_TEST_RUNS ?? 3);
const quick = process.env.BENCH_QUICK === '1';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return Math.round((s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) * 10) / 10;
};

function sample(cmd: string, args: string[], times = runs): Array<Record<string, number>> {
  return Array.from({ length: times }, () => {
    const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
    return JSON.parse(out.trim().split('\n').pop()!);
  });
}

function medians(samples: Array<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.keys(samples[0]).map((k) => [k, median(samples.map((s) => s[k]))]));
}

const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const workload = (name: string, n?: number) => medians(sample(tsx, ['bench/workloads.ts', name, ...(n === undefined ? [] : [String(n)])]));

console.log(`samokoder-infra benchmark: ${runs} runs per measurement`);
execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });

const importStats = medians(
  sample(process.execPath, [
    '-e',
    "const t=performance.now(); require('./build/index.js'); console.log(JSON.stringify({ ms: performance.now() - t, rssMiB: process.resourceUsage().maxRSS / 1024 }))",
  ]),
);
console.log(`import: ${importStats.ms} ms, ${importStats.rssMiB} MiB`);
const reference = workload('reference');
const aws = workload('aws');
const dr = workload('dr');
console.log(
  `reference synth in process: ${reference.ms} ms (terraform ${reference.terraformMs}, kubernetes ${reference.kubernetesMs}); aws ${aws.ms} ms; dr ${dr.ms} ms`,
);

const appSizes = quick ? [1, 10, 100] : [1, 10, 100, 500];
const apps = Object.fromEntries(appSizes.map((n) => [n, workload('apps', n)]));
const nativeSizes = quick ? [10, 100] : [10, 100, 500];
const native = Object.fromEntries(nativeSizes.map((n) => [n, workload('apps-native', n)]));
const stackSizes = quick ? [1, 5] : [1, 5, 20];
const stacks = Object.fromEntries(stackSizes.map((n) => [n, workload('stacks', n)]));
for (const n of appSizes)
  console.log(
    `${n} ProductionApps: ${apps[n].ms} ms (renderCharts, policy pack on)${native[n] ? `; cdk8s app.synth(): ${native[n].ms} ms` : ''}`,
  );
for (const n of stackSizes) console.log(`${n} SamokoderStacks: ${stacks[n].ms} ms`);

const testTimes: number[] = [];
for (let i = 0; i < testRuns; i++) {
  const t = Date.now();
  const r = spawnSync('npm', ['test'], { cwd: root, stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  if (r.status !== 0) throw new Error('npm test failed during the benchmark');
  testTimes.push((Date.now() - t) / 1000);
}
const npmTestSeconds = median(testTimes);
console.log(`npm test: ${npmTestSeconds} s`);

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : undefined);
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
const results = {
  date: new Date().toISOString().slice(0, 10),
  machine: {
    cpus: os.cpus().length,
    cpu,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  runs,
  import: importStats,
  reference,
  aws,
  dr,
  productionApps: apps,
  productionAppsNativeSynth: native,
  samokoderStacks: stacks,
  growth: {
    apps500over100: ratio(apps[500]?.ms, apps[100]?.ms),
    nativeApps500over100: ratio(native[500]?.ms, native[100]?.ms),
    stacks20over5: ratio(stacks[20]?.ms, stacks[5]?.ms),
  },
  npmTestSeconds,
  targets: {
    npmTestSeconds: { target: 30, met: npmTestSeconds <= 30 },
    importMs: { target: 500, met: importStats.ms <= 500 },
    importRssMiB: { target: 150, met: importStats.rssMiB <= 150 },
    referenceSynthMs: { target: 2000, met: reference.ms <= 2000 },
    apps500Ms: { target: 10000, met: apps[500] ? apps[500].ms <= 10000 : undefined },
    apps500over100: { target: 6, met: apps[500] ? (ratio(apps[500].ms, apps[100].ms) ?? 99) <= 6 : undefined },
  },
};
if (!quick) fs.writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results.targets));
