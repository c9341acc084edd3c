import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The negative controls of the layering check (`npm run lint:layers`, .dependency-cruiser.cjs) and of the file length
// rule (eslint.config.mjs `max-lines`): each is fed a synthetic violation and must refuse it with its message. The
// check on the library itself runs in `npm test`.

const root = path.join(__dirname, '..', '..');
const depcruise = path.join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Runs the repository's layering check on a synthetic library made of `files` (path under the fixture → source). */
function cruise(files: Record<string, string>): { status: number | null; out: string } {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'samokoder-layers-'));
  try {
    fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true } }));
    for (const [file, source] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), source);
    }
    const res = spawnSync(
      process.execPath,
      [depcruise, '--config', path.join(root, '.dependency-cruiser.cjs'), '--no-cache', '--output-type', 'err', 'lib'],
      { cwd: work, encoding: 'utf8' },
    );
    return { status: res.status, out: `${res.stdout}${res.stderr}` };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

describe('layering check (dependency-cruiser)', () => {
  test('a clean stack of folders passes', () => {
    const res = cruise({
      'lib/common/values.ts': 'export const port = 80;\n',
      'lib/k8s/part.ts': "import { port } from '../common/values';\nexport const p = port;\n",
      'lib/patterns/app.ts': "import { p } from '../k8s/part';\nexport const app = p;\n",
    });
    expect(res.out).toContain('no dependency violations found');
    expect(res.status).toBe(0);
  }, 60_000);

  test('a folder cycle is refused: the upward import by its layer rule, and the cycle itself', () => {
    const res = cruise({
      'lib/delivery/rollout.ts': "import { mount } from '../platform/component';\nexport const rollout = () => mount;\n",
      'lib/platform/component.ts': "import { rollout } from '../delivery/rollout';\nexport const mount = () => rollout;\n",
    });
    expect(res.status).not.toBe(0);
    expect(res.out).toContain('error layer-delivery: lib/delivery/rollout.ts → lib/platform/component.ts');
    expect(res.out).toMatch(/error no-circular: lib\/(delivery\/rollout|platform\/component)\.ts → /);
    expect(res.out).not.toContain('layer-platform');
  }, 60_000);

  test('a type-only cycle inside a folder, an import of an entry file and a folder without a layer are refused', () => {
    const res = cruise({
      'lib/k8s/a.ts': "import type { B } from './b';\nexport interface A { b?: B }\n",
      'lib/k8s/b.ts': "import type { A } from './a';\nexport interface B { a?: A }\n",
      'lib/entry-k8s.ts': "export * from './k8s/a';\n",
      'lib/aws/c.ts': "import type { A } from '../entry-k8s';\nexport type C = A;\n",
      'lib/aws/e.ts': "import type { A } from '../k8s/a';\nexport type E = A;\n",
      'lib/extras/d.ts': "import type { A } from '../k8s/a';\nexport type D = A;\n",
    });
    expect(res.status).not.toBe(0);
    expect(res.out).toMatch(/error no-circular: lib\/k8s\/[ab]\.ts → /);
    expect(res.out).toContain('error no-entry-imports: lib/aws/c.ts → lib/entry-k8s.ts');
    expect(res.out).toContain('error layer-unknown-folder: lib/extras/d.ts → lib/k8s/a.ts');
    // Folders of one layer do not import each other.
    expect(res.out).toContain('error layer-aws: lib/aws/e.ts → lib/k8s/a.ts');
  }, 60_000);
});

describe('file length rule (ESLint max-lines)', () => {
  const lint = (code: string, file: string): string[] => {
    const res = spawnSync(process.execPath, [eslintBin, '--stdin', '--stdin-filename', file, '--format', 'json'], {
      cwd: root,
      input: code,
      encoding: 'utf8',
    });
    const [result] = JSON.parse(res.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
    return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
  };
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};\n`).join('');

  test('a library file of 401 lines is refused, 400 pass, the seams included; tests are not held to it', () => {
    expect(lint(lines(401), 'lib/private/fixture.ts')).toEqual(['max-lines: File has too many lines (401). Maximum allowed is 400.']);
    expect(lint(lines(400), 'lib/k8s/fixture.ts')).toEqual([]);
    expect(lint(lines(401), 'test/fixture.test.ts')).toEqual([]);
  }, 60_000);
});
