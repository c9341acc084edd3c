import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * `.ci/run`'s own machinery: its EXIT trap and the background helpers (`started`/`joined`). A run whose every step
 * passed once ended with exit 2, because the trap's `kill $(jobs -p)` ran with no jobs left under `set -e`; these
 * tests run the script's preamble as it is written, with a scenario after it, under bash.
 */
const script = fs.readFileSync(path.join(__dirname, '..', '..', '.ci', 'run'), 'utf8');

/** The lines from `set -euo pipefail` to the end of `joined` (the helpers), without `cd` and the tool cache. */
function preamble(): string {
  const lines = script.split('\n');
  const from = lines.findIndex((l) => l.startsWith('set -euo pipefail'));
  const joined = lines.findIndex((l) => l.startsWith('joined() {'));
  const to = lines.findIndex((l, i) => i > joined && l === '}');
  expect(from).toBeGreaterThanOrEqual(0);
  expect(joined).toBeGreaterThan(from);
  expect(to).toBeGreaterThan(joined);
  return lines
    .slice(from, to + 1)
    .filter((l) => !l.startsWith('cd '))
    .join('\n');
}

function run(scenario: string): { status: number | null; out: string } {
  const r = spawnSync('bash', ['-c', `${preamble()}\n${scenario}\necho "work=$work"`], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('.ci/run', () => {
  test('a run whose background checks all passed exits 0 and removes its work directory', () => {
    const r = run('started quick true\njoined quick\necho after');
    expect(r.out).toContain('after');
    expect(r.status).toBe(0);
    const work = /work=(\S+)/.exec(r.out)?.[1];
    expect(work).toMatch(/^\/.+/); // an absolute path, printed by the scenario
    expect(fs.existsSync(work!)).toBe(false);
  });

  test('a run with no background check at all exits 0', () => {
    expect(run('step "only step"').status).toBe(0);
  });

  test('a background check that failed fails the run with its status and prints its log', () => {
    const r = run('started broken bash -c "echo the-log; exit 3"\njoined broken\necho not-reached');
    expect(r.status).toBe(3);
    expect(r.out).toContain('the-log');
    expect(r.out).toContain('broken failed (3)');
    expect(r.out).not.toContain('not-reached');
  });

  /**
   * Each background check `.ci/run` starts, with the program it runs failing (npm and node on PATH replaced by a stub
   * that exits 7), fails the run. The checks were once started as `bash -c '…; npm run verify:tf; echo "took …"'`,
   * whose status is the echo's: the team quick start failed in every CI run for a morning and the run passed.
   */
  test.each(script.split('\n').filter((l) => /^started \S+ /.test(l)))('a failing background check fails the run: %s', (line) => {
    const name = line.split(' ')[1];
    const stubs = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-run-stubs-'));
    for (const tool of ['npm', 'node', 'npx'])
      fs.writeFileSync(path.join(stubs, tool), '#!/bin/sh\necho "$0 $*: failing"\nexit 7\n', { mode: 0o755 });
    const r = run(`export PATH=${stubs}:$PATH\n${line}\njoined ${name}\necho not-reached`);
    expect(r.out).toContain(': failing');
    expect(r.out).not.toContain('not-reached');
    expect(r.status).toBe(7);
  });

  /**
   * bash forgets the status of a background job whose pid a later child of the shell reuses (pids wrap at 32,768 here,
   * and a CI run starts more processes than that): `wait <pid>` then answers 127, "pid … is not a child of this shell",
   * and a run whose quick start had passed failed with 127. `wait` with no argument makes bash forget the same way.
   */
  test('a background check whose pid bash has forgotten is judged by its own recorded status', () => {
    const passed = run('started quick bash -c "echo ok"\nwait\njoined quick\necho after');
    expect(passed.out).toContain('after');
    expect(passed.status).toBe(0);
    const failed = run('started broken bash -c "exit 3"\nwait\njoined broken\necho not-reached');
    expect(failed.out).toContain('broken failed (3)');
    expect(failed.status).toBe(3);
  });

  test('a background check still running when a step fails is stopped, and the step fails the run', () => {
    const r = run('started slow sleep 30\nfalse\necho not-reached');
    expect(r.status).toBe(1);
    expect(r.out).not.toContain('not-reached');
  });
});
