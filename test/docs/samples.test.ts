/**
 * The docs' code samples import the library as a single-engine team repository can (#28): from the subpath of their
 * engine. A cdk8s-only repository has no cdktf or provider packages, so a sample importing the package root (which
 * loads all three engines' entries) would fail there. (README.md's own samples may use the root: its reference
 * platform builds both engines.)
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const docs = fs
  .readdirSync(path.join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort();
const imports = docs.flatMap((f) =>
  [...fs.readFileSync(path.join(root, 'docs', f), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].flatMap((m) =>
    [...m[1].matchAll(/from '(samokoder-infra[^']*)'/g)].map((i) => `${f}: ${i[1]}`),
  ),
);

test('every docs sample imports an engine subpath, never the package root', () => {
  expect(imports.length).toBeGreaterThan(5);
  expect(imports.filter((i) => i.endsWith(': samokoder-infra'))).toEqual([]);
  expect(imports.every((i) => /: samokoder-infra\/(k8s|aws|digitalocean)$/.test(i))).toBe(true);
});

test('a sample importing the Kubernetes subpath names only what that entry exports', async () => {
  const k8s = (await import('../../lib/entry-k8s')) as Record<string, unknown>;
  const names = docs.flatMap((f) =>
    [...fs.readFileSync(path.join(root, 'docs', f), 'utf8').matchAll(/import \{([^}]*)\} from 'samokoder-infra\/k8s'/g)].flatMap((m) =>
      m[1].split(',').map((n) => n.trim()),
    ),
  );
  expect(names.filter((n) => !(n in k8s))).toEqual([]);
});
