/**
 * The reference DR pair's failover plan written to a temporary directory, and simulations of it (test/util/dr-sim.ts),
 * shared by the DR script suites: each suite file makes its own (its own directory), and disposes of it after all.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { MultiRegionDR } from 'samokoder-infra';
import { TEST_DATE } from './tf';
import { DrSimulation, SimApp, SimWorld, healthyWorld } from './dr-sim';

/** The reference apps of the simulations: a Rollout and a Deployment. */
export const REFERENCE_APPS: SimApp[] = [
  { name: 'api', kind: 'Rollout', replicas: 3 },
  { name: 'bot', kind: 'Deployment', replicas: 2 },
];

export class DrScriptsFixture {
  public readonly plan = new MultiRegionDR(Testing.app(), 'samokoder-dr', {
    localState: true,
    domain: 'samokoder.com',
    host: 'app.samokoder.com',
    alertEmails: ['oncall@samokoder.com'],
    apiAllowedCidrs: ['203.0.113.0/24'],
    tags: { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' },
    supportCheckDate: TEST_DATE,
  }).failoverPlan;
  public readonly f = this.plan._facts;
  public readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'failover-'));
  private readonly sims: DrSimulation[] = [];

  constructor(public readonly apps: SimApp[] = REFERENCE_APPS) {
    this.plan.writeTo(this.dir);
  }

  /** A simulation of `world` running this plan's scripts (disposed of with the fixture). */
  public simulate(world: SimWorld): DrSimulation {
    const s = new DrSimulation(this.dir, world);
    this.sims.push(s);
    return s;
  }

  /** A healthy world whose primary region is down. */
  public lost(): SimWorld {
    const w = healthyWorld(this.f, this.apps);
    w.regions[this.f.primaryRegion].up = false;
    return w;
  }

  /** Failed over, the lost region back, its writers stopped by the second run (each run's exit status checked). */
  public failedOver(): DrSimulation {
    const s = this.simulate(this.lost());
    expect(s.run('failover.sh', ['--execute']).status).toBe(3);
    s.change((w) => (w.regions[this.f.primaryRegion].up = true));
    expect(s.run('failover.sh', ['--execute']).status).toBe(0);
    return s;
  }

  public dispose(): void {
    this.sims.forEach((s) => s.dispose());
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
