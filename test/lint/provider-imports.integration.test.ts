import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** Lints `code` as if it were the file `file` of the repository, with the repository's ESLint config. */
function lint(code: string, file = 'lib/aws/fixture.ts'): string[] {
  const res = spawnSync(process.execPath, [eslintBin, '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: root,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(res.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

/** An import statement of `name` from `from`, assembled so that text searches for root imports do not match this file. */
const importOf = (name: string, from: string) => ['import { ', name, " } from '", from, "';\nexport const x = ", name, ';\n'].join('');
const AWS_ROOT = ['@cdktf', 'provider-aws'].join('/');
const DO_ROOT = ['@cdktf', 'provider-digitalocean'].join('/');

describe('lint rules', () => {
  test('root imports of the provider packages are refused; deep imports pass', () => {
    expect(lint(importOf('Vpc', AWS_ROOT))).toEqual([
      "no-restricted-imports: '@cdktf/provider-aws' import is restricted from being used. Import the resource by deep path ('@cdktf/provider-aws/lib/<resource>'): the package root loads every resource (seconds, ~500 MB).",
    ]);
    expect(lint(importOf('Vpc', `${AWS_ROOT}/lib/vpc`))).toEqual([]);
    expect(lint(importOf('Droplet', DO_ROOT), 'test/fixture.ts')).toHaveLength(1);
  }, 60_000);

  test('lib/ imports cdktf only through the seam and reads no environment; apps/ may', () => {
    expect(lint("import { Fn } from 'cdktf';\nexport const f = Fn;\n")).toEqual([
      "no-restricted-imports: 'cdktf' import is restricted from being used. Import from 'lib/private/tf' (the seam around the archived cdktf).",
    ]);
    expect(lint('export const region = process.env.AWS_REGION;\n')).toEqual([
      'no-restricted-syntax: No process.env in lib/: apps/ reads configuration once and passes typed props down.',
    ]);
    expect(lint('export const region = process.env.AWS_REGION;\n', 'apps/fixture.ts')).toEqual([]);
  }, 60_000);
});
