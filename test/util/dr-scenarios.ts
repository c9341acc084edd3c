/**
 * The scenario table of docs/multi-region-dr.md, generated from the simulated runs (test/util/dr-sim.ts): each DR
 * integration suite records, per scenario, the state its runs ended in (exit code, which databases take writes, what
 * each region's apps read, what is fenced, what a re-run changed), and its last test compares those rows with the
 * page (`npm run test:integration`) or writes them there (`npm run docs:dr-scenarios`). Rows are tagged with the suite
 * that produced them, so each suite checks and writes only its own and the two can run in any order.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DrSimulation } from './dr-sim';
import { SIM_HEARTBEAT_WRITER } from './dr-sim-cli';

export const DR_SCENARIO_MARKERS = ['<!-- dr-scenarios:start -->', '<!-- dr-scenarios:end -->'] as const;
const DOC = path.join(__dirname, '..', '..', 'docs', 'multi-region-dr.md');
const HEADER = [
  '| scenario | runs | exit | takes writes | apps read (region: database) | fenced | lag watched on | run again | suite |',
  '|---|---|---|---|---|---|---|---|---|',
];
/** The address a fenced database's only trusted source names (failover-script-tools.ts). */
const FENCE = 'ip_addr:192.0.2.1';

/** What a simulated world is in after a scenario's runs, as the table shows it. */
export interface Observed {
  readonly exit: string;
  readonly writers: string;
  /** What the apps' pods (not the heartbeat writer or the lag monitor) started with, per region. */
  readonly reads: string;
  readonly fenced: string;
  /** The database the lag monitor's pods read, and whether it is a replica (only a replica has a lag). */
  readonly watched: string;
}

/** Reads the end state of `sim`: `exit` is the last run's exit code (or codes, as the scenario describes them). */
export function observe(sim: DrSimulation, exit: number | string): Observed {
  const w = sim.world;
  const nameOf = (host: string) => w.databases.find((d) => d.host === host || d.poolHost === host)?.name ?? host;
  const reads = w.clusters.map((c) => {
    if (!w.regions[c.region].up) return `${c.region}: down`;
    // The apps only: the heartbeat writer runs in both clusters whatever the procedure did (it writes its own row,
    // the fence decides whether it reaches a database) and the lag monitor reads a replica, not the connection.
    const serving = c.workloads.filter((o) => o.podEnv.DATABASE_HOST && o.spec.replicas > 0 && o.metadata.name !== SIM_HEARTBEAT_WRITER);
    const dbs = [...new Set(serving.map((o) => nameOf(o.podEnv.DATABASE_HOST!)))];
    return `${c.region}: ${dbs.length > 0 ? dbs.join(', ') : 'apps at 0'}`;
  });
  const fenced = w.databases.filter((d) => d.firewall.length === 1 && `${d.firewall[0].type}:${d.firewall[0].value}` === FENCE);
  const watched = w.clusters
    .filter((c) => w.regions[c.region].up)
    .flatMap((c) => c.workloads.filter((o) => o.podEnv.DATA_SOURCE_NAME && o.spec.replicas > 0))
    .map((o) => {
      const db = w.databases.find((d) => d.host === /@([^:/]+)/.exec(o.podEnv.DATA_SOURCE_NAME)?.[1]);
      if (!db) return 'nothing';
      const primary = w.databases.find((d) => d.id === db.primaryId);
      return db.role === 'replica' ? `${db.name} (replica of ${primary?.name ?? db.primaryId})` : `${db.name} (a primary: no lag)`;
    });
  return {
    exit: String(exit),
    writers: sim.writers().join(', ') || 'none',
    reads: reads.join('; '),
    fenced: fenced.map((d) => d.name).join(', ') || 'none',
    watched: watched.join(', ') || 'monitor down',
  };
}

/** The rows one suite records, checked against (or written into) the page by its last test. */
export class ScenarioRecorder {
  private readonly rows: string[] = [];

  /** @param suite the suite's file name without `.integration.test.ts`, shown in the table */
  constructor(public readonly suite: string) {}

  /** One scenario: its name, the runs it made, what it ended in, and what a run after it changed. */
  public add(scenario: string, runs: string, o: Observed, again = '—'): void {
    const cell = (s: string) => s.replace(/\|/g, '\\|');
    this.rows.push(`| ${[scenario, runs, o.exit, o.writers, o.reads, o.fenced, o.watched, again, this.suite].map(cell).join(' | ')} |`);
  }

  /** This suite's rows as the page has them. */
  public static rowsOnPage(suite: string, page = fs.readFileSync(DOC, 'utf8')): string[] {
    return ScenarioRecorder.block(page).filter((l) => l.endsWith(` | ${suite} |`));
  }

  /** The table's lines that are not a suite's row (its header, and nothing else). */
  public static headersOnPage(page = fs.readFileSync(DOC, 'utf8')): string[] {
    return ScenarioRecorder.block(page).filter((l) => l.startsWith('| scenario |') || l.startsWith('|---'));
  }

  /** Replaces this suite's rows on the page (the others stay; suites in name order). */
  public write(): void {
    const page = fs.readFileSync(DOC, 'utf8');
    const [start, end] = DR_SCENARIO_MARKERS;
    const others = ScenarioRecorder.block(page).filter(
      // Another suite's rows: not a header (this one or an older one with other columns) and not this suite's.
      (l) => l.startsWith('| ') && !l.startsWith('| scenario |') && !l.endsWith(` | ${this.suite} |`),
    );
    const suiteOf = (l: string) => l.slice(l.lastIndexOf(' | ', l.length - 3) + 3, -2);
    const rows = [...others, ...this.rows].sort((a, b) => suiteOf(a).localeCompare(suiteOf(b)));
    const a = page.indexOf(start);
    const b = page.indexOf(end);
    fs.writeFileSync(DOC, `${page.slice(0, a + start.length)}\n${[...HEADER, ...rows].join('\n')}\n${page.slice(b)}`);
  }

  /** The rows recorded so far. */
  public get recorded(): readonly string[] {
    return this.rows;
  }

  private static block(page: string): string[] {
    const [start, end] = DR_SCENARIO_MARKERS;
    const a = page.indexOf(start);
    const b = page.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs/multi-region-dr.md lacks the ${start} … ${end} markers`);
    return page
      .slice(a + start.length, b)
      .split('\n')
      .filter((l) => l.trim() !== '');
  }
}

/**
 * The last test of a suite: with DR_SCENARIOS_WRITE=1 (`npm run docs:dr-scenarios`) it writes the suite's rows into
 * the page, otherwise it expects the page to hold exactly them.
 */
export function pageHoldsScenarios(recorder: ScenarioRecorder): { onPage: string[]; recorded: readonly string[] } {
  if (process.env.DR_SCENARIOS_WRITE === '1') recorder.write();
  const headers = ScenarioRecorder.headersOnPage();
  if (JSON.stringify(headers) !== JSON.stringify(HEADER)) {
    throw new Error(
      `docs/multi-region-dr.md's scenario table has the header lines ${JSON.stringify(headers)}, not ${JSON.stringify(HEADER)}`,
    );
  }
  return { onPage: ScenarioRecorder.rowsOnPage(recorder.suite), recorded: recorder.recorded };
}
