/**
 * `npm run docs:performance`: writes the figures of bench/results.json (the last full `npm run bench`) into
 * docs/performance.md, between its generated-block markers. test/docs/performance.test.ts fails when the page and the
 * results disagree.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PERFORMANCE_MARKERS = ['<!-- bench:results -->', '<!-- /bench:results -->'] as const;

type Sample = Record<string, number>;
interface Results {
  date: string;
  machine: { cpus: number; cpu: string; memoryGiB: number; node: string };
  runs: number;
  /** The sizes of one workload measured in turn (1, 10, …, 2,000, then again) rather than one size after another. */
  interleaved?: boolean;
  /** Where the workloads wrote their output. */
  outdir?: string;
  import: Sample;
  reference: Sample;
  aws: Sample;
  dr: Sample;
  productionApps: Record<string, Sample>;
  productionAppsNativeSynth: Record<string, Sample>;
  /** The 2,000-app workload with its output on the machine's disk (`outdir` is a RAM disk where there is one). */
  productionAppsOnDisk?: { outdir: string; apps2000: Sample };
  samokoderStacks: Record<string, Sample>;
  growth: Record<string, number | undefined>;
  synthSeconds: number;
  npmTestSeconds: number;
  baseline?: { commit: string; figures: Record<string, Sample>; ratios: Record<string, number> };
  targets: Record<string, { target: number; met?: boolean }>;
}

const s = (ms: number | undefined) => (ms === undefined ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const mark = (met: boolean | undefined) => (met === undefined ? '' : met ? ' ✓' : ' ✗ (missed)');

/** The generated block for `results`. */
export function performanceMarkdown(r: Results): string {
  const b = r.baseline;
  const was = (key: string) => (b?.figures[key] ? s(b.figures[key].ms) : '—');
  const ratio = (key: string) => (b?.ratios[key] !== undefined ? `×${b.ratios[key]}` : '—');
  const row = (label: string, now: Sample | undefined, key: string | undefined, target = '') =>
    `| ${label} | ${now ? `${s(now.ms)} (CPU ${s(now.cpuMs)}, ${Math.round(now.rssMiB)} MiB)` : '—'} | ${key ? was(key) : '—'} | ${key ? ratio(key) : '—'} | ${target} |`;
  const t = r.targets;
  const lines = [
    `Measured ${r.date} by \`npm run bench\` (median of ${r.runs} runs, each in a fresh process${r.interleaved ? ', the sizes of a workload in turn' : ''}${r.outdir ? `, output to \`${r.outdir}\`` : ''}; ${r.machine.cpus}× ${r.machine.cpu}, ` +
      `${r.machine.memoryGiB} GiB, Node.js ${r.machine.node}). "${b?.commit ?? 'baseline'}" is the same workload at the first benchmark's commit, ` +
      `measured in the same run from a worktree of it (one run each for its sizes of 500 and more${r.outdir ? '; its own workloads write to the temporary directory, a disk here: its ratios include that' : ''}).`,
    '',
    `| measurement | now | ${b?.commit ?? 'baseline'} | ratio | target |`,
    '|---|---|---|---|---|',
    row(
      'reference platform in process (4 stacks + all Kubernetes output, policy pack on)',
      r.reference,
      'reference',
      `≤ 2 s${mark(t.referenceSynthMs?.met)}`,
    ),
    row('AWS stacks (production + staging)', r.aws, 'aws'),
    row('DR stack', r.dr, 'dr'),
    ...Object.keys(r.productionApps).map((n) =>
      row(
        `${n} ProductionApps, \`renderCharts\` + policy pack`,
        r.productionApps[n],
        `apps${n}`,
        n === '2000' ? `≤ 10 s${mark(t.apps2000Ms?.met)}, ≤ 1 GiB${mark(t.apps2000RssMiB?.met)}` : '',
      ),
    ),
    ...(r.productionAppsOnDisk
      ? [
          row(
            `2000 ProductionApps as above, output on the disk (\`${r.productionAppsOnDisk.outdir}\`)`,
            r.productionAppsOnDisk.apps2000,
            undefined,
          ),
        ]
      : []),
    ...Object.keys(r.productionAppsNativeSynth).map((n) =>
      row(`${n} ProductionApps, cdk8s' own \`app.synth()\``, r.productionAppsNativeSynth[n], `native${n}`),
    ),
    ...Object.keys(r.samokoderStacks).map((n) =>
      row(`${n} SamokoderStack environments, policy pack on`, r.samokoderStacks[n], `stacks${n}`),
    ),
    `| \`require('samokoder-infra')\` (built) | ${s(r.import.ms)} (${Math.round(r.import.rssMiB)} MiB) | — | — | ≤ 500 ms${mark(t.importMs?.met)} |`,
    `| \`npm run synth\` (both engines, one process) | ${r.synthSeconds} s | 9.4 s (two CLIs) | — | ≤ 4 s${mark(t.synthSeconds?.met)} |`,
    `| \`npm test\` (type-check, lint, unit tests; warm caches) | ${r.npmTestSeconds} s | 22 s (345 tests) | — | ≤ 15 s${mark(t.npmTestSeconds?.met)} |`,
    '',
    `Growth: 2,000 / 500 apps ×${r.growth.apps2000over500} (target ≤ 4.4${mark(t.apps2000over500?.met)}; linear is 4), ` +
      `500 / 100 ×${r.growth.apps500over100}; cdk8s \`app.synth()\` 2,000 / 500 ×${r.growth.nativeApps2000over500}` +
      `${mark(t.nativeApps2000over500?.met)}, 500 / 100 ×${r.growth.nativeApps500over100}; SamokoderStacks 20 / 5 ×${r.growth.stacks20over5}.`,
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const results = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'results.json'), 'utf8')) as Results;
  const page = path.join(root, 'docs', 'performance.md');
  const text = fs.readFileSync(page, 'utf8');
  const [open, close] = PERFORMANCE_MARKERS;
  const start = text.indexOf(open);
  const end = text.indexOf(close);
  if (start < 0 || end < start) throw new Error(`docs/performance.md has no ${open} … ${close} block`);
  fs.writeFileSync(page, `${text.slice(0, start + open.length)}\n${performanceMarkdown(results)}\n${text.slice(end)}`);
  console.log('docs/performance.md: figures of bench/results.json written');
}
