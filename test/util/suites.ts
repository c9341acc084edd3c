import * as fs from 'fs';
import * as path from 'path';

/**
 * Which test files each jest suite runs (`test/<name>.suite.ts`), by folder under test/ or file.
 *
 * Why suites: jest evaluates the library again for every test file (its module registry is per file), and loading
 * the library with cdktf, cdk8s and cdk8s-plus (~700 modules) cost 0.3–0.5 s per file: with 45 files that was a
 * third of `npm test`. A suite loads it once for the files it holds, which keep their own `describe` (their path),
 * so a failure still names its file. Files that read the reference platform share one build of it
 * (test/util/reference.ts), which a suite makes possible too. `npm run test:file -- <file>` runs one file on its own;
 * test/common/suites.test.ts checks that every test file is in exactly one suite.
 */
export const SUITES: Record<string, readonly string[]> = {
  // The reference platform and everything that reads it: one build.
  // The Kubernetes constructs' own tests ride with it: as a suite of their own they cost a load of the library.
  reference: [
    'apps',
    'k8s',
    'policy/kubernetes-rules.test.ts',
    'policy/terraform-rules.test.ts',
    'private/render-object.test.ts',
    'real-engines/alerts.test.ts',
  ],
  aws: ['aws', 'upgrade', 'validation-messages.test.ts'],
  delivery: ['delivery', 'observability', 'platform', 'digitalocean'],
  common: ['common', 'private', 'docs', 'real-engines', 'policy', 'review'],
};

const testDir = path.join(__dirname, '..');

/** Every unit test file under test/ (integration suites excluded), relative to test/. */
export function allTestFiles(dir = testDir): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'node_modules' || e.name === '__snapshots__' ? [] : allTestFiles(full);
      return e.name.endsWith('.test.ts') && !e.name.endsWith('.integration.test.ts') ? [path.relative(testDir, full)] : [];
    })
    .sort();
}

/** The files of a suite: its entries, folders expanded (without files another suite names explicitly). */
export function filesOf(name: string): string[] {
  const explicit = new Set(Object.values(SUITES).flatMap((entries) => entries.filter((e) => e.endsWith('.test.ts'))));
  const all = allTestFiles();
  return SUITES[name]
    .flatMap((entry) => (entry.endsWith('.test.ts') ? [entry] : all.filter((f) => f.startsWith(`${entry}/`) && !explicit.has(f))))
    .sort();
}

/** Registers the files of suite `name`, each in a `describe` named by its path. */
export function includeSuite(name: string): void {
  for (const file of filesOf(name)) {
    describe(file, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest collects the tests as the file loads
      require(path.join(testDir, file));
    });
  }
}
