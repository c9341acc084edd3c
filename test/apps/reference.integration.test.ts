import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { synthKubernetes } from '../../apps/kubernetes';
import { referenceCloud, referenceConfig as config, referenceKubernetes, testTmp } from '../util/reference';

// The reference's Kubernetes output checked against cdk8s' own emitter and against a second build: slower checks
// that npm test leaves to `npm run test:integration` (CI also synthesizes two checkouts and compares them whole, and
// test/private/yaml.test.ts compares the emitter with cdk8s on generated documents in npm test).
describe('reference platform (apps/), at length', () => {
  const { outdir, files } = referenceKubernetes();
  const written = (file: string) => fs.readFileSync(path.join(outdir, file), 'utf8');
  const allFiles = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));

  test("each file holds the bytes cdk8s' Yaml.stringify writes for its objects (the library's faster emitter)", () => {
    const checked = files.filter((f) => f.file.endsWith('.yaml'));
    expect(checked.length).toBeGreaterThan(20);
    for (const { file } of checked) {
      const objects = parseAllDocuments(written(file), { version: '1.1' }).map((d) => d.toJSON());
      expect(Yaml.stringify(...objects)).toBe(written(file));
    }
  });

  test('output is byte-identical from run to run', () => {
    // The Kubernetes side built again from new constructs (the cloud stacks only lend their contracts).
    const again = path.join(fs.mkdtempSync(path.join(testTmp(), 'again-')), 'dist');
    try {
      synthKubernetes(config, again, undefined, referenceCloud());
      const names = allFiles(outdir);
      expect(allFiles(again).sort()).toEqual([...names].sort());
      for (const f of names) expect(fs.readFileSync(path.join(again, f), 'utf8')).toBe(written(f));
    } finally {
      fs.rmSync(path.dirname(again), { recursive: true, force: true });
    }
  });
});
