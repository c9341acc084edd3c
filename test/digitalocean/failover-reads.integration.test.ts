/**
 * The DR scripts with any one of their reads failing once (a flaky API or network), against the DR simulation
 * (test/util/dr-sim.ts): the run stops and, run again, ends where an uninterrupted run ends, or the read only informed
 * and the run ends there itself. A failed read never becomes state.
 */
import { SimWorld } from '../util/dr-sim';
import { DrScriptsFixture } from '../util/dr-fixture';
import { observe, pageHoldsScenarios, ScenarioRecorder } from '../util/dr-scenarios';

const fixture = new DrScriptsFixture();
const scenarios = new ScenarioRecorder('failover-reads');
afterAll(() => fixture.dispose());
const simulate = (w: SimWorld) => fixture.simulate(w);
const lost = () => fixture.lost();
const failedOver = () => fixture.failedOver();

describe('a read failing once', () => {
  /**
   * Runs the script from `world` once per read it makes, that read failing once (a flaky API or network): either the
   * run stops (another exit status) and, run again, ends where an uninterrupted run ends, or the read only informed
   * and the run ends there itself. A failed read must never become state (an empty entry, a placeholder marker, an
   * old primary left unfenced, a pool sized from nothing).
   */
  function flakyReads(world: SimWorld, script: string, args: string[], readTools?: string[]): { reads: number; failures: string[] } {
    const fresh = () => simulate(JSON.parse(JSON.stringify(world)) as SimWorld);
    const clean = fresh();
    const status = clean.run(script, args, { readTools }).status;
    const reads = clean.world.reads!;
    const failures: string[] = [];
    for (let n = 0; n < reads; n++) {
      const s = fresh();
      const first = s.run(script, args, { failRead: n, readTools });
      if (first.status === status) {
        // It went on: the read only informed (a run again after a finished run is the idempotency tests' case).
        if (JSON.stringify(s.endState) !== JSON.stringify(clean.endState))
          failures.push(`read ${n + 1} failed: exit ${first.status} but ends elsewhere`);
        continue;
      }
      const again = s.run(script, args);
      if (again.status !== status)
        failures.push(`read ${n + 1} failed: re-run exited ${again.status}: ${again.stderr.trim().split('\n').pop()}`);
      else if (JSON.stringify(s.endState) !== JSON.stringify(clean.endState)) failures.push(`read ${n + 1} failed: re-run ends elsewhere`);
      s.dispose();
    }
    return { reads, failures };
  }

  test('failover, prepare and switch with any one of their reads failing once stop or finish, and run again end where uninterrupted runs end', () => {
    const start = failedOver();
    const prepare = flakyReads(start.world, 'failback.sh', ['--stage=prepare', '--execute']);
    expect(prepare.failures).toEqual([]);
    expect(start.run('failback.sh', ['--stage=prepare', '--execute']).status).toBe(0);
    const sw = flakyReads(start.world, 'failback.sh', ['--stage=switch', '--execute'], ['doctl', 'aws']);
    expect(sw.failures).toEqual([]);
    const over = flakyReads(lost(), 'failover.sh', ['--execute'], ['doctl', 'aws']);
    expect(over.failures).toEqual([]);
    scenarios.add(
      `one read failing once: each of failover.sh's ${over.reads} and fail-back switch's ${sw.reads} DigitalOcean and AWS reads, each of prepare's ${prepare.reads} reads`,
      'failover.sh, failback.sh --stage=prepare|switch, each --execute with read n failing; again',
      observe(start, 0),
      `${over.reads + prepare.reads + sw.reads} of ${over.reads + prepare.reads + sw.reads} end where uninterrupted runs end`,
    );
  });
});

test("docs/multi-region-dr.md's scenario table holds these runs (npm run docs:dr-scenarios writes it)", () => {
  const { onPage, recorded } = pageHoldsScenarios(scenarios);
  expect(recorded).toHaveLength(1);
  expect(onPage).toEqual(recorded);
});
