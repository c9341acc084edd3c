/**
 * npm run bench: medians of several runs, each workload in a fresh process, on this machine. Writes
 * bench/results.json (the figures docs/performance.md quotes) and prints each figure with its target and, where the
 * same workload existed, its ratio to the first benchmark's commit (3aa68bc), measured in the same run from a
 * worktree of that commit (.bench/baseline; its figures are kept in .bench/baseline.json for the next run on the same
 * machine: delete it to measure again).
 *
 * Environment: BENCH_RUNS (default 5), BENCH_TEST_RUNS (npm test runs, default 3), BENCH_QUICK=1 (fewer sizes, no
 * baseline: a smoke run), BENCH_BASELINE=0 (no baseline).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.join(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const testRuns = Number(process.env.BENCH_TEST_RUNS ?? 3);
const quick = process.env.BENCH_QUICK === '1';
const BASELINE_COMMIT = '3aa68bc';

type Sample = Record<string, number>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return Math.round((s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) * 10) / 10;
};

function sample(cwd: string, cmd: string, args: string[], times: number, env: NodeJS.ProcessEnv = process.env): Sample[] {
  return Array.from({ length: times }, () => {
    const out = execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
    return JSON.parse(out.trim().split('\n').pop()!);
  });
}

function medians(samples: Sample[]): Sample {
  return Object.fromEntries(Object.keys(samples[0]).map((k) => [k, median(samples.map((s) => s[k]))]));
}

const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const workload = (name: string, n?: number, cwd = root, times = runs) =>
  medians(sample(cwd, tsx, ['bench/workloads.ts', name, ...(n === undefined ? [] : [String(n)])], times));

function wallSeconds(cmd: string, args: string[], times: number, env: NodeJS.ProcessEnv = process.env): number {
  const xs: number[] = [];
  for (let i = 0; i < times; i++) {
    const t = Date.now();
    const r = spawnSync(cmd, args, { cwd: root, stdio: 'ignore', env });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed during the benchmark`);
    xs.push((Date.now() - t) / 1000);
  }
  return median(xs);
}

console.log(`samokoder-infra benchmark: ${runs} runs per measurement`);
execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });

const importStats = medians(
  sample(
    root,
    process.execPath,
    [
      '-e',
      "const t=performance.now(); require('./build/index.js'); console.log(JSON.stringify({ ms: performance.now() - t, rssMiB: process.resourceUsage().maxRSS / 1024 }))",
    ],
    runs,
  ),
);
console.log(`import: ${importStats.ms} ms, ${importStats.rssMiB} MiB`);
const reference = workload('reference');
const aws = workload('aws');
const dr = workload('dr');
console.log(`reference synth in process: ${reference.ms} ms (terraform ${reference.terraformMs}, kubernetes ${reference.kubernetesMs})`);

/**
 * One workload at several sizes, the runs interleaved (1, 10, …, 2,000, then again): the growth figures divide one
 * size's median by another's, and on a shared machine the load drifts over the minutes a size takes. Measured one size
 * after the other, a quiet quarter of an hour for 500 apps and a busy one for 2,000 moved t(2000)/t(500) more than
 * any change to the code (×4.15 to ×5.94 for the same commit on 2026-12-06 and 07).
 */
function sizes(name: string, ns: number[], times = runs): Record<number, Sample> {
  const samples = new Map<number, Sample[]>(ns.map((n) => [n, []]));
  for (let i = 0; i < times; i++)
    for (const n of ns) samples.get(n)!.push(...sample(root, tsx, ['bench/workloads.ts', name, String(n)], 1));
  return Object.fromEntries(ns.map((n) => [n, medians(samples.get(n)!)]));
}
const appSizes = quick ? [1, 10, 100] : [1, 10, 100, 500, 2000];
const apps = sizes('apps', appSizes);
const nativeSizes = quick ? [10, 100] : [10, 100, 500, 2000];
const native = sizes('apps-native', nativeSizes);
const stackSizes = quick ? [1, 5] : [1, 5, 20];
const stacks = sizes('stacks', stackSizes);
// The workloads write to a RAM disk where there is one (bench/workloads.ts says why); this is the largest one with its
// output on the machine's disk instead, as a team's synthesis writes it.
// The same choice bench/workloads.ts makes (BENCH_OUTDIR is passed on to it), so the figures say where they wrote.
const outdir = process.env.BENCH_OUTDIR ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
const appsOnDisk = quick
  ? undefined
  : medians(sample(root, tsx, ['bench/workloads.ts', 'apps', '2000'], runs, { ...process.env, BENCH_OUTDIR: os.tmpdir() }));

const synthSeconds = wallSeconds('npm', ['run', 'synth'], runs);
const testEnv = { ...process.env, CI: 'true' };
wallSeconds('npm', ['test'], 1, testEnv); // warms the tools' caches: the figure is a developer's repeated run
const npmTestSeconds = wallSeconds('npm', ['test'], testRuns, testEnv);

// The same workloads at the first benchmark's commit, for the ratios (one run each for the sizes that took minutes).
interface Baseline {
  commit: string;
  machine: string;
  figures: Record<string, Sample>;
}
const machine = `${os.cpus().length}×${os.cpus()[0]?.model ?? 'cpu'} ${Math.round(os.totalmem() / 2 ** 30)} GiB ${process.version}`;
function baseline(): Baseline | undefined {
  if (quick || process.env.BENCH_BASELINE === '0') return undefined;
  const file = path.join(root, '.bench', 'baseline.json');
  if (fs.existsSync(file)) {
    const known = JSON.parse(fs.readFileSync(file, 'utf8')) as Baseline;
    if (known.commit === BASELINE_COMMIT && known.machine === machine) return known;
  }
  const dir = path.join(root, '.bench', 'baseline');
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    execFileSync('git', ['worktree', 'add', '--detach', dir, BASELINE_COMMIT], { cwd: root, stdio: 'ignore' });
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  }
  console.log(`baseline: the same workloads at ${BASELINE_COMMIT} (${dir})`);
  const figures: Record<string, Sample> = {
    reference: workload('reference', undefined, dir),
    aws: workload('aws', undefined, dir),
    dr: workload('dr', undefined, dir),
  };
  for (const n of [1, 10, 100, 500, 2000]) figures[`apps${n}`] = workload('apps', n, dir, n >= 500 ? 1 : runs);
  for (const n of [10, 100, 500]) figures[`native${n}`] = workload('apps-native', n, dir, n >= 500 ? 1 : runs);
  for (const n of [1, 5, 20]) figures[`stacks${n}`] = workload('stacks', n, dir, n >= 20 ? 1 : runs);
  const b = { commit: BASELINE_COMMIT, machine, figures };
  fs.writeFileSync(file, `${JSON.stringify(b, null, 2)}\n`);
  return b;
}
const base = baseline();

const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : undefined);
const vsBase = (key: string, now: Sample | undefined) => ratio(now?.ms, base?.figures[key]?.ms);
const line = (label: string, now: Sample | undefined, key?: string) => {
  if (!now) return;
  const r = key ? vsBase(key, now) : undefined;
  console.log(`${label}: ${now.ms} ms (cpu ${now.cpuMs ?? '?'} ms, ${now.rssMiB} MiB)${r ? `, ×${r} of ${BASELINE_COMMIT}` : ''}`);
};
line('reference', reference, 'reference');
line('aws stacks', aws, 'aws');
line('dr stack', dr, 'dr');
for (const n of appSizes) line(`${n} ProductionApps (renderCharts, policy pack)`, apps[n], `apps${n}`);
for (const n of nativeSizes) line(`${n} ProductionApps (cdk8s app.synth())`, native[n], `native${n}`);
for (const n of stackSizes) line(`${n} SamokoderStacks`, stacks[n], `stacks${n}`);
line('2000 ProductionApps (renderCharts, policy pack), output on the disk', appsOnDisk);
console.log(`npm run synth: ${synthSeconds} s; npm test: ${npmTestSeconds} s`);

const growth = {
  apps2000over500: ratio(apps[2000]?.ms, apps[500]?.ms),
  apps500over100: ratio(apps[500]?.ms, apps[100]?.ms),
  nativeApps2000over500: ratio(native[2000]?.ms, native[500]?.ms),
  nativeApps500over100: ratio(native[500]?.ms, native[100]?.ms),
  stacks20over5: ratio(stacks[20]?.ms, stacks[5]?.ms),
};
const met = (value: number | undefined, target: number) => (value === undefined ? undefined : value <= target);
const results = {
  date: new Date().toISOString().slice(0, 10),
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown cpu',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  runs,
  interleaved: true,
  outdir,
  import: importStats,
  reference,
  aws,
  dr,
  productionApps: apps,
  productionAppsNativeSynth: native,
  productionAppsOnDisk: appsOnDisk && { outdir: os.tmpdir(), apps2000: appsOnDisk },
  samokoderStacks: stacks,
  growth,
  synthSeconds,
  npmTestSeconds,
  baseline: base && {
    commit: base.commit,
    figures: base.figures,
    ratios: Object.fromEntries(
      [
        ['reference', reference],
        ['aws', aws],
        ['dr', dr],
        ...appSizes.map((n) => [`apps${n}`, apps[n]] as const),
        ...nativeSizes.map((n) => [`native${n}`, native[n]] as const),
        ...stackSizes.map((n) => [`stacks${n}`, stacks[n]] as const),
      ]
        .map(([k, v]) => [k, vsBase(k as string, v as Sample)])
        .filter(([, r]) => r !== undefined),
    ),
  },
  targets: {
    npmTestSeconds: { target: 15, met: met(npmTestSeconds, 15) },
    synthSeconds: { target: 4, met: met(synthSeconds, 4) },
    importMs: { target: 500, met: met(importStats.ms, 500) },
    referenceSynthMs: { target: 2000, met: met(reference.ms, 2000) },
    apps2000Ms: { target: 10000, met: met(apps[2000]?.ms, 10000) },
    apps2000RssMiB: { target: 1024, met: met(apps[2000]?.rssMiB, 1024) },
    apps2000over500: { target: 4.4, met: met(growth.apps2000over500, 4.4) },
    nativeApps2000over500: { target: 4.4, met: met(growth.nativeApps2000over500, 4.4) },
  },
};
if (!quick) fs.writeFileSync(path.join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results.targets));
