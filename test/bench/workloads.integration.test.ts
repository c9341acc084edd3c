/**
 * Every benchmark workload still runs against today's library, at its smallest size. `npm run bench` is run by hand
 * (it needs a quiet machine); without this check a breaking change to a construct broke it unnoticed: MultiRegionDR's
 * required `remoteState` / `localState` (#25) made the `dr` workload throw until the bench was next run.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const WORKLOADS = ['import', 'reference', 'aws', 'dr', 'apps', 'apps-native', 'stacks'];

describe('bench/workloads.ts', () => {
  it.each(WORKLOADS)('%s runs at size 1 and reports its wall time', (workload) => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/workloads.ts', workload, '1'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const figures = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>;
    expect(figures.ms).toBeGreaterThan(0);
  });
});
