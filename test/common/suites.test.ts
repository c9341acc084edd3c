import * as fs from 'fs';
import * as path from 'path';
import { allTestFiles, filesOf, SUITES } from '../util/suites';

describe('test suites', () => {
  test('every unit test file runs in exactly one suite', () => {
    const placed = Object.keys(SUITES).flatMap((name) => filesOf(name));
    expect(placed.filter((f, i) => placed.indexOf(f) !== i)).toEqual([]);
    expect(allTestFiles().filter((f) => !placed.includes(f))).toEqual([]);
    expect(placed.length).toBeGreaterThan(40);
  });

  test('every suite has its file, and every suite file names a suite', () => {
    const dir = path.join(__dirname, '..');
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.suite.ts'));
    expect(files.map((f) => f.replace(/\.suite\.ts$/, '')).sort()).toEqual(Object.keys(SUITES).sort());
    for (const f of files) expect(fs.readFileSync(path.join(dir, f), 'utf8')).toContain(`includeSuite('${f.replace(/\.suite\.ts$/, '')}')`);
  });
});
