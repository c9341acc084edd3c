import { Yaml } from 'cdk8s';
import { stringifyManifests } from '../../lib/private/yaml';
import { emitterDifferences } from '../util/yaml-fuzz';

describe('the YAML emitter writes what cdk8s writes', () => {
  // 600 here (npm test); the integration suite (yaml-fuzz.integration.test.ts) runs 30,000 more on other seeds.
  test('on 600 generated documents of tricky keys, values and nesting', () => {
    expect(emitterDifferences(20261206, 600)).toEqual([]);
  });

  test('several documents, an undefined document, a top-level array and an empty map are written as cdk8s does', () => {
    const docs = [{ a: 1 }, undefined, { b: [] }, {}, [1, 2]];
    expect(stringifyManifests(docs)).toBe(Yaml.stringify(...docs));
  });
});
