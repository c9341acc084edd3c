// The ```ts blocks of README.md and docs/*.md, as modules a team's compiler can check: each is its own module, and a
// bare-expression snippet gets the imports it needs (from the Kubernetes subpath, as a cdk8s-only team has it).
// Used by scripts/extract-readme.mjs (type-checked in this repository) and scripts/team-quickstart.mjs (type-checked
// in the quick start's single-engine team repositories, against the packed library).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The pages whose snippets are checked: README.md and every page of docs/. */
export function docPages(root = '.') {
  return [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
}

/** Every snippet, in page order: `{ page, code }`, `code` a complete module. */
export function docSnippets(root = '.') {
  return docPages(root).flatMap((page) =>
    [...readFileSync(join(root, page), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => {
      const body = /^import /m.test(m[1])
        ? m[1]
        : `import { App } from 'cdk8s';\nimport { ProductionApp } from 'samokoder-infra/k8s';\nconst app = new App();\n${m[1]}`;
      return { page, code: `// Generated from ${page} by scripts/doc-snippets.mjs\n${body}\nexport {};\n` };
    }),
  );
}

/** The library subpaths a snippet imports: 'k8s', 'aws', 'digitalocean', or '' for the package root. */
export function librarySubpaths(code) {
  return [...new Set([...code.matchAll(/from 'samokoder-infra(?:\/([a-z0-9]+))?'/g)].map((m) => m[1] ?? ''))].sort();
}
