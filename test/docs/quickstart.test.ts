/**
 * The README's team quick start as a reader runs it (#28): every block pasted, in order, into one shell opened in a
 * checkout of any name. A small model of that shell follows `cd`, `mkdir -p`, `npm pack` and `cp` through the blocks
 * and says where each one runs and what each path names. CI runs the same blocks for real, the same way
 * (scripts/team-quickstart.mjs, with a checkout not named samokoder-infra); this test gives the answer in
 * milliseconds and names the block.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const start = readme.indexOf('## Team quick start');
const section = readme.slice(start, readme.indexOf('\n## ', start + 5));
const blocks = [...section.matchAll(/<!-- quickstart:(sh|file) (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => ({
  kind: m[1],
  name: m[2],
  body: m[3],
}));
const devDependencies = (
  JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies;

/** Where the checkout is (a name other than the package's) and where the reader's team repositories go: beside it. */
const WORKSPACE = '/home/dev/src';
const CHECKOUT = `${WORKSPACE}/infra-library-checkout`;

interface Step {
  readonly block: string;
  readonly cwd: string;
  readonly command: string;
}

/** The commands of one shell block, `\`-continued lines joined, split at `&&`, `;` and new lines. */
function commandsOf(body: string): string[] {
  return body
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, ''))
    .flatMap((line) => line.split(/&&|;/))
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

/** Runs the quick start's shell blocks, in order, in one modelled shell that starts in the checkout. */
function walk(): { steps: Step[]; dirs: Set<string>; tarballs: string[]; files: Set<string> } {
  let cwd = CHECKOUT;
  const steps: Step[] = [];
  const dirs = new Set<string>([WORKSPACE, CHECKOUT]);
  const tarballs: string[] = [];
  const files = new Set<string>();
  for (const b of blocks) {
    if (b.kind === 'file') {
      // The README names its files from the directory the team repositories are in.
      files.add(b.name);
      continue;
    }
    for (const command of commandsOf(b.body)) {
      steps.push({ block: b.name, cwd, command });
      const words = command.split(/\s+/);
      if (words[0] === 'cd') cwd = path.posix.resolve(cwd, words[1]);
      if (words[0] === 'mkdir')
        words
          .slice(1)
          .filter((w) => !w.startsWith('-'))
          .forEach((d) => dirs.add(path.posix.resolve(cwd, d)));
      if (words[0] === 'npm' && words[1] === 'pack') {
        const dest = words.indexOf('--pack-destination');
        const name = `samokoder-infra-${JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version}.tgz`;
        tarballs.push(path.posix.resolve(cwd, dest >= 0 ? words[dest + 1] : '.', name));
      }
    }
  }
  return { steps, dirs, tarballs, files };
}

const where = (steps: Step[], block: string, pattern: RegExp) =>
  steps.filter((s) => s.block === block && pattern.test(s.command)).map((s) => s.cwd);

describe('the team quick start, pasted into one shell from a checkout of any name', () => {
  const { steps, dirs, tarballs, files } = walk();

  test('the library is packed once, and every install names that tarball from where it runs', () => {
    expect(tarballs).toHaveLength(1);
    const installs = steps.filter((s) => /^npm install .*\.tgz/.test(s.command));
    expect(installs.map((s) => s.block)).toEqual(['team', 'terraform']);
    for (const s of installs) {
      const tgz = s.command.split(/\s+/).find((w) => w.endsWith('.tgz'))!;
      expect(`${s.block}: ${path.posix.resolve(s.cwd, tgz)}`).toBe(`${s.block}: ${tarballs[0]}`);
    }
    // Nothing assumes what the reader called the checkout.
    expect(section).not.toMatch(/\.\.\/samokoder-infra\//);
  });

  test('each repository is made beside the checkout, and its files and commands are in it', () => {
    expect(dirs).toContain(`${WORKSPACE}/billing-gitops`);
    expect(dirs).toContain(`${WORKSPACE}/billing-infra`);
    for (const file of files) expect(dirs).toContain(path.posix.dirname(path.posix.join(WORKSPACE, file)));
    expect(where(steps, 'synth', /cdk8s synth/)).toEqual([`${WORKSPACE}/billing-gitops`]);
    expect(where(steps, 'terraform-synth', /cdktf synth/)).toEqual([`${WORKSPACE}/billing-infra`]);
    expect(where(steps, 'contract-synth', /cdk8s synth/)).toEqual([`${WORKSPACE}/billing-gitops`]);
    const copy = steps.find((s) => s.block === 'contract' && s.command.startsWith('cp '))!;
    const [, from, to] = copy.command.split(/\s+/);
    expect(path.posix.resolve(copy.cwd, from)).toBe(
      `${WORKSPACE}/billing-infra/cdktf.out/stacks/billing-production/platform-contract.json`,
    );
    expect(path.posix.resolve(copy.cwd, to)).toBe(`${WORKSPACE}/billing-gitops/platform/production.json`);
  });

  test('both repositories type-check their program before they synthesize it', () => {
    for (const [install, synth, repo] of [
      ['team', 'synth', 'billing-gitops'],
      ['terraform', 'terraform-synth', 'billing-infra'],
      ['team', 'contract-synth', 'billing-gitops'],
    ]) {
      expect(`${install}: ${steps.some((s) => s.block === install && /^npm install .* typescript@/.test(s.command))}`).toBe(
        `${install}: true`,
      );
      expect(where(steps, synth, /^npx tsc -p \.$/)).toEqual([`${WORKSPACE}/${repo}`]);
      expect(files).toContain(`${repo}/tsconfig.json`);
    }
  });

  test('the packages it installs are the versions this library is built and tested with', () => {
    const pinned = steps
      .filter((s) => s.command.startsWith('npm install'))
      .flatMap((s) => s.command.split(/\s+/).filter((w) => /^@?[a-z0-9][\w./-]*@\d/.test(w)))
      .map((w) => [w.slice(0, w.lastIndexOf('@')), w.slice(w.lastIndexOf('@') + 1)]);
    expect(pinned.length).toBeGreaterThan(8);
    expect(pinned.filter(([name, version]) => devDependencies[name] !== version)).toEqual([]);
  });
});
