import { emitterDifferences } from '../util/yaml-fuzz';

// The long run of the emitter's comparison with cdk8s (test/private/yaml.test.ts runs 600 documents in npm test).
describe('the YAML emitter writes what cdk8s writes, at length', () => {
  test.each([20261206, 1, 2])('on 10,000 generated documents of seed %d', (seed) => {
    expect(emitterDifferences(seed, 10_000)).toEqual([]);
  });
});
