// @ts-check
/**
 * The library's layers, checked by dependency-cruiser (`npm run lint:layers`, part of `npm test` and so of CI).
 *
 * Bottom to top; a folder of lib/ imports only from its own folder and from folders of lower layers. Folders on one
 * layer do not import each other. A folder that is in no layer is refused, so a new one gets its place here first.
 * No file imports lib/index.ts or an entry file (they only re-export), and no import cycle, between folders or files,
 * type-only imports included (a type-only cycle still ties two files into one unit).
 *
 * Why these layers: values and checks (common) carry no engine; the engine seams and synth primitives (private) sit
 * on them; the policy rules and the monitoring spec read rendered output; the building blocks of each engine (k8s,
 * aws) come next, DigitalOcean reuses aws' KMS helpers and secret entries; delivery (Argo CD objects, rollouts) is
 * built from k8s parts, the platform layer from delivery's Argo CD objects; the compositions a team starts from
 * (ProductionApp, GitOpsRepository) are on top, and nothing below imports one (the aws-cdk shape: patterns are their
 * own layer, aws-ecs-patterns imports aws-ecs and never the reverse).
 *
 * dependency-cruiser's rule format: https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md
 * (`forbidden`, `from`/`to` path regexps, `circular`, `pathNot`). The negative control, which feeds it a synthetic
 * upward import and a cycle, is test/lint/layers.integration.test.ts.
 */
const LAYERS = [
  ['common'],
  ['private'],
  ['policy'],
  ['observability'],
  ['k8s', 'aws'],
  ['digitalocean'],
  ['delivery'],
  ['platform'],
  ['patterns'],
  // The upgrade check reads synthesized output only (a command, not a construct): it loads no engine.
  ['upgrade'],
];

const ALL = LAYERS.flat();

/** @type {import('dependency-cruiser').IForbiddenRuleType[]} */
const layerRules = LAYERS.flatMap((layer, rank) =>
  layer.map((folder) => {
    const below = LAYERS.slice(0, rank).flat();
    const notAllowed = ALL.filter((f) => f !== folder && !below.includes(f));
    return {
      name: `layer-${folder}`,
      severity: 'error',
      comment: `lib/${folder}/ imports only from itself and the layers below it (${below.length ? below.join(', ') : 'none'}); see .dependency-cruiser.cjs for the order`,
      from: { path: `^lib/${folder}/` },
      to: { path: `^lib/(${notAllowed.join('|')})/` },
    };
  }),
).filter((rule) => rule.to.path !== '^lib/()/');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'layer-unknown-folder',
      severity: 'error',
      comment: `every folder of lib/ has a layer in .dependency-cruiser.cjs (known: ${ALL.join(', ')})`,
      from: { path: `^lib/(?!(${ALL.join('|')})/)[^/]+/` },
      to: {},
    },
    {
      name: 'no-entry-imports',
      severity: 'error',
      comment: 'lib/index.ts and lib/entry-*.ts only re-export: a file in a folder of lib/ imports the module itself',
      from: { path: '^lib/[^/]+/' },
      to: { path: '^lib/(index|entry-[a-z0-9-]+)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycle between files (type-only imports included): move what both need into a file below both',
      from: { path: '^lib/' },
      to: { circular: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    // Checks only what changed since the last run (cache under node_modules/.cache, so a fresh clone starts cold).
    cache: { folder: 'node_modules/.cache/samokoder-infra/depcruise', strategy: 'content' },
  },
};
