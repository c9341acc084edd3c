#!/usr/bin/env node
// Writes every ```ts block of README.md and docs/*.md to .readme-snippets/ so `tsc` type-checks the documentation's
// code (tsconfig.json includes that folder). Snippets import the library as a team would: the docs' from the subpath of
// their engine ('samokoder-infra/k8s', '/aws', '/digitalocean'), which is all a single-engine repository has.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pages = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const blocks = pages.flatMap((page) => [...readFileSync(page, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]));
rmSync('.readme-snippets', { recursive: true, force: true });
mkdirSync('.readme-snippets');
blocks.forEach((code, i) => {
  // Each snippet is its own module; a bare expression snippet gets the imports it needs.
  const body = /^import /m.test(code)
    ? code
    : `import { App } from 'cdk8s';\nimport { ProductionApp } from 'samokoder-infra';\nconst app = new App();\n${code}`;
  writeFileSync(`.readme-snippets/snippet-${i + 1}.ts`, `// Generated from README.md by scripts/extract-readme.mjs\n${body}\nexport {};\n`);
});
console.log(`README.md and docs/ (${pages.length} pages): ${blocks.length} TypeScript snippets extracted for type-checking`);
