#!/usr/bin/env node
// The published typings, as a consumer compiles them: builds lib/ the way `npm pack` does (stripInternal) into a
// temporary directory and type-checks a consumer that imports every entry point, with skipLibCheck off, so a public
// declaration that names something stripped (or a peer an entry point does not declare) fails here, not in a team.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// `--built <dir>`: the output of `npm run build` (the same tsconfig.build.json) instead of a build of its own (CI runs
// this right after the package step).
const builtArg = process.argv.indexOf('--built');
const dir = mkdtempSync(join(tmpdir(), 'typings-'));
const built = builtArg > 0 ? resolve(process.argv[builtArg + 1]) : join(dir, 'build');
const tsc = join(process.cwd(), 'node_modules', '.bin', 'tsc');
try {
  if (builtArg < 0) execFileSync(tsc, ['-p', 'tsconfig.build.json', '--outDir', built], { stdio: 'inherit' });
  const entries = { index: 'all', 'entry-k8s': 'k8s', 'entry-aws': 'aws', 'entry-digitalocean': 'digitalocean' };
  writeFileSync(
    join(dir, 'consumer.ts'),
    Object.entries(entries)
      .map(
        ([file, name]) =>
          `import * as ${name} from ${JSON.stringify(join(built, file))};\nexport const ${name}Names: string[] = Object.keys(${name});`,
      )
      .join('\n') +
      `\nexport const used = [all.ProductionApp, k8s.GitOpsRepository, aws.SamokoderStack, digitalocean.MultiRegionDR, k8s.PolicyPack.checkKubernetes];\n`,
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'node16',
        moduleResolution: 'node16',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
        typeRoots: [join(process.cwd(), 'node_modules', '@types')],
        baseUrl: process.cwd(),
        paths: { '*': [join(process.cwd(), 'node_modules', '*')] },
      },
      files: ['consumer.ts'],
    }),
  );
  execFileSync(tsc, ['-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
  console.log('typings: every entry point type-checks as a consumer compiles it (stripInternal, skipLibCheck off)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
