#!/usr/bin/env node
// Writes every ```ts block of README.md and docs/*.md to .readme-snippets/ so `tsc` type-checks the documentation's
// code (tsconfig.json includes that folder). Snippets import the library as a team would: the docs' from the subpath of
// their engine ('samokoder-infra/k8s', '/aws', '/digitalocean'), which is all a single-engine repository has. CI also
// type-checks them in single-engine team repositories against the packed library (scripts/team-quickstart.mjs).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { docPages, docSnippets } from './doc-snippets.mjs';

const snippets = docSnippets();
rmSync('.readme-snippets', { recursive: true, force: true });
mkdirSync('.readme-snippets');
snippets.forEach(({ code }, i) => writeFileSync(`.readme-snippets/snippet-${i + 1}.ts`, code));
console.log(`README.md and docs/ (${docPages().length} pages): ${snippets.length} TypeScript snippets extracted for type-checking`);
