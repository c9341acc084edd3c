/**
 * npm run bench:profile [-- <n>]: the n-ProductionApp workload (default 2,000, policy pack on) under V8's CPU
 * profiler, summarized: where the time goes by package (self time) and the functions of this library with the most
 * time including what they call. docs/performance.md quotes it.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const root = path.join(__dirname, '..');
const n = Number(process.argv[2] ?? 2000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samokoder-profile-'));
const out = execFileSync(
  process.execPath,
  ['--cpu-prof', '--cpu-prof-dir', dir, '--import', 'tsx', 'bench/workloads.ts', 'apps', String(n)],
  {
    cwd: root,
    encoding: 'utf8',
  },
);
const figures = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
const file = fs
  .readdirSync(dir)
  .map((f) => path.join(dir, f))
  .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
fs.rmSync(dir, { recursive: true, force: true });

const byId = new Map(p.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const ms = new Map<number, number>();
p.samples.forEach((id, i) => ms.set(id, (ms.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
const total = [...ms.values()].reduce((a, b) => a + b, 0);

/** Where a frame's code lives: a package, this library's folder, V8 (GC), Node.js or the benchmark's harness. */
function place(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return 'V8 / idle';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] === 'tsx' ? 'loading modules (tsx)' : pkg[1];
  const own = /\/(lib\/[^/]+)\//.exec(url);
  if (own) return `samokoder-infra ${own[1]}/`;
  if (url === '') return 'V8 built-ins (sort, JSON, RegExp, Object.keys)';
  if (url.startsWith('node:')) return 'Node.js (module loading, fs)';
  return 'benchmark harness';
}

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, t] of ms) {
  const node = byId.get(id)!;
  self.set(place(node), (self.get(place(node)) ?? 0) + t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!;
    if (!/\/lib\//.test(f.callFrame.url) || /node_modules/.test(f.callFrame.url)) continue;
    if (!f.callFrame.functionName) continue; // closures: their named caller says more
    const name = `${f.callFrame.functionName} (${f.callFrame.url.replace(/.*\/(lib\/)/, '$1')})`;
    if (seen.has(name)) continue;
    seen.add(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + t);
  }
}

const pct = (t: number) => `${((t / total) * 100).toFixed(1)} %`;
console.log(`${n} ProductionApps, policy pack on: ${figures.ms} ms wall, ${figures.cpuMs} ms CPU, ${figures.rssMiB} MiB peak RSS`);
console.log(`profile: ${Math.round(total)} ms sampled (the profiler itself slows the run)\n`);
console.log('| where the time is spent (self time) | ms | share |\n|---|---|---|');
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`| ${k} | ${Math.round(t)} | ${pct(t)} |`);
console.log('\n| library function, with what it calls | ms | share |\n|---|---|---|');
for (const [k, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`| \`${k}\` | ${Math.round(t)} | ${pct(t)} |`);
