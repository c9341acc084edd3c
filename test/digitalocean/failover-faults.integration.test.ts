/**
 * The fail-back's stages interrupted before each of their changes and run again, against the DR simulation
 * (test/util/dr-sim.ts): each run again ends where an uninterrupted run ends. (The failover's interruptions are in
 * failover-simulation, failing reads in failover-reads: apart so that jest runs them side by side.)
 */
import { SimWorld } from '../util/dr-sim';
import { DrScriptsFixture } from '../util/dr-fixture';
import { observe, pageHoldsScenarios, ScenarioRecorder } from '../util/dr-scenarios';

const fixture = new DrScriptsFixture();
const scenarios = new ScenarioRecorder('failover-faults');
afterAll(() => fixture.dispose());
const simulate = (w: SimWorld) => fixture.simulate(w);
const failedOver = () => fixture.failedOver();

/**
 * Runs `failback.sh <args>` from copies of `world`: once whole, then once interrupted before each of its changes and
 * run again; a re-run that fails or ends elsewhere than the whole run is a failure.
 */
function interruptedRuns(world: SimWorld, args: string[]) {
  const fresh = () => simulate(JSON.parse(JSON.stringify(world)) as SimWorld);
  const clean = fresh();
  expect(clean.run('failback.sh', args).status).toBe(0);
  const changes = clean.mutations;
  const failures: string[] = [];
  for (let n = 0; n < changes; n++) {
    const s = fresh();
    s.run('failback.sh', args, { failAfterMutations: n });
    const again = s.run('failback.sh', args);
    if (again.status !== 0) failures.push(`after ${n}: re-run exited ${again.status}: ${again.stderr.trim().split('\n').pop()}`);
    else if (JSON.stringify(s.endState) !== JSON.stringify(clean.endState)) failures.push(`after ${n}: ends elsewhere`);
  }
  return { clean, changes, failures };
}

describe('interrupted before each change, run again', () => {
  /** The stage's interrupted runs from `world`, asserted and recorded as one scenario row. */
  function stageInterrupted(stage: 'prepare' | 'switch', world: SimWorld): void {
    const { clean, changes, failures } = interruptedRuns(world, [`--stage=${stage}`, '--execute']);
    expect(failures).toEqual([]);
    scenarios.add(
      `fail-back ${stage} interrupted before each of its ${changes} changes`,
      `failback.sh --stage=${stage} --execute cut after 0…${changes - 1} changes; again`,
      observe(clean, 0),
      `${changes} of ${changes} re-runs end where an uninterrupted ${stage} ends`,
    );
  }

  test('prepare interrupted before each of its changes and run again ends where an uninterrupted prepare ends', () => {
    stageInterrupted('prepare', failedOver().world);
  });

  test('switch interrupted before each of its changes and run again ends where an uninterrupted switch ends', () => {
    // Prepared once; each interrupted run starts from a copy of that world.
    const start = failedOver();
    expect(start.run('failback.sh', ['--stage=prepare', '--execute']).status).toBe(0);
    stageInterrupted('switch', start.world);
  });
});

test("docs/multi-region-dr.md's scenario table holds these runs (npm run docs:dr-scenarios writes it)", () => {
  const { onPage, recorded } = pageHoldsScenarios(scenarios);
  expect(recorded).toHaveLength(2);
  expect(onPage).toEqual(recorded);
});
