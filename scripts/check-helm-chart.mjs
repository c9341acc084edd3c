#!/usr/bin/env node
// Checks the Helm chart built by `npm run helm`:
// - Chart.yaml is a valid v2 chart whose version is the library's;
// - templates are present, and every `.Values` they use is in values.yaml and documented with a `# --` comment;
// - values.yaml satisfies values.schema.json;
// - rendering the chart with its default values gives exactly the GitOps manifests of dist/production (the same
//   manifests, published two ways), and those objects pass the schema check.
// With `helm` on the PATH it also runs `helm lint --strict` and compares `helm template` with the same manifests.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, parse, parseAllDocuments, parseDocument } from 'yaml';
import { checkObjects } from './check-manifests.mjs';

const dir = process.argv[2] ?? 'dist-helm/samokoder';
const manifests = process.argv[3] ?? 'dist/production';
const problems = [];
const fail = (m) => problems.push(m);

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const chart = parse(readFileSync(join(dir, 'Chart.yaml'), 'utf8'));
if (chart.apiVersion !== 'v2') fail(`Chart.yaml apiVersion is ${chart.apiVersion}, expected v2`);
if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(chart.name ?? '')) fail(`Chart.yaml name "${chart.name}" is not a valid chart name`);
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(chart.version ?? '')) fail(`Chart.yaml version "${chart.version}" is not SemVer 2`);
if (chart.version !== pkg.version) fail(`Chart.yaml version ${chart.version} differs from package.json ${pkg.version}`);
if (!chart.appVersion) fail('Chart.yaml has no appVersion');
if (!chart.description) fail('Chart.yaml has no description');

const templatesDir = join(dir, 'templates');
const templates = existsSync(templatesDir)
  ? readdirSync(templatesDir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
  : [];
if (templates.length === 0) fail('no templates');

const valuesText = readFileSync(join(dir, 'values.yaml'), 'utf8');
const values = parse(valuesText);
// Every key needs a helm-docs style description: a `# --` comment right above it.
const leaves = [];
const walk = (map, prefix) => {
  map.items.forEach((pair, i) => {
    const key = prefix ? `${prefix}.${pair.key.value}` : String(pair.key.value);
    const comment = pair.key.commentBefore ?? (i === 0 ? map.commentBefore : undefined) ?? '';
    const last =
      comment
        .split('\n')
        .filter((l) => l.trim() !== '')
        .pop() ?? '';
    if (!/^\s*-- \S/.test(last)) fail(`values.yaml: "${key}" has no "# --" description`);
    if (isMap(pair.value)) walk(pair.value, key);
    else leaves.push(key);
  });
};
walk(parseDocument(valuesText).contents, '');

const schema = JSON.parse(readFileSync(join(dir, 'values.schema.json'), 'utf8'));
for (const key of leaves) {
  const [svc, field] = key.split('.');
  const rule = schema.properties?.[svc]?.properties?.[field];
  if (!rule) fail(`values.schema.json does not describe "${key}"`);
  else if (rule.pattern && !new RegExp(rule.pattern).test(values[svc][field]))
    fail(`values.yaml "${key}" does not match its schema pattern`);
  else if (rule.not?.pattern && new RegExp(rule.not.pattern).test(values[svc][field]))
    fail(`values.yaml "${key}" matches a pattern its schema forbids`);
}

// Jobs that Argo CD runs as sync hooks must be Helm hooks too (a plain Job's pod template is immutable: `helm upgrade`
// with a new image would fail); the hook annotations are the only difference from the GitOps manifests.
const HELM_HOOK = /^helm\.sh\/hook/;
const withoutHelmHooks = (o) => {
  const a = o?.metadata?.annotations;
  if (!a || !Object.keys(a).some((k) => HELM_HOOK.test(k))) return o;
  const annotations = Object.fromEntries(Object.entries(a).filter(([k]) => !HELM_HOOK.test(k)));
  return { ...o, metadata: { ...o.metadata, annotations } };
};
let releaseNamespace = 'samokoder';

const get = (key) => key.split('.').reduce((o, k) => (o === undefined ? undefined : o[k]), values);
const used = new Set();
const render = (text, file) =>
  text.replace(/\{\{\s*((?:"[^"]*"|[^"}])*?)\s*\}\}/g, (_m, expr) => {
    if (expr === '"{{"') return '{{';
    if (expr === '"}}"') return '}}';
    if (expr === '.Release.Namespace') return releaseNamespace;
    const v = /^\.Values\.([\w.]+)(\s*\|\s*quote)?$/.exec(expr);
    if (!v) {
      fail(`${file}: template expression this check cannot render: {{ ${expr} }}`);
      return '';
    }
    used.add(v[1]);
    const value = get(v[1]);
    if (value === undefined) fail(`${file}: .Values.${v[1]} is not in values.yaml`);
    return v[2] ? JSON.stringify(String(value)) : String(value);
  });

const rendered = [];
for (const f of templates) {
  const text = render(readFileSync(join(templatesDir, f), 'utf8'), f);
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) fail(`${f}: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (o) rendered.push(o);
  }
}
for (const key of leaves) if (!used.has(key)) fail(`values.yaml "${key}" is not used by any template`);
for (const o of rendered) {
  const a = o.metadata?.annotations ?? {};
  if (o.kind === 'Job' && a['argocd.argoproj.io/hook'] && !a['helm.sh/hook']) {
    fail(`Job ${o.metadata.name} is an Argo CD hook but not a Helm hook: helm upgrade would fail on its immutable template`);
  }
}
// Installed into another namespace, nothing may still name the one the manifests were made for.
releaseNamespace = 'team-x';
const elsewhere = templates.map((f) => render(readFileSync(join(templatesDir, f), 'utf8'), f)).join('\n');
releaseNamespace = 'samokoder';
for (const stale of ['namespace: samokoder', 'namespace="samokoder"', '.samokoder.svc', 'kubernetes.io/metadata.name: samokoder']) {
  if (elsewhere.includes(stale)) fail(`rendered into namespace team-x, the chart still says "${stale}": template it`);
}

// Same manifests as the GitOps output (without the Namespace and Gateway charts, which Helm does not own).
const expected = [];
for (const app of readdirSync(manifests)
  .filter((d) => d !== 'namespace' && d !== 'gateway')
  .sort()) {
  for (const f of readdirSync(join(manifests, app)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(manifests, app, f), 'utf8'))) expected.push(doc.toJS());
  }
}
const canon = (list) => list.map((o) => JSON.stringify(withoutHelmHooks(o))).sort();
const a = canon(rendered);
const b = canon(expected);
if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
  fail(`rendered chart differs from ${manifests}: ${a.length} vs ${b.length} objects`);
}
const { problems: schemaProblems } = await checkObjects(rendered, () => 'chart: ');
schemaProblems.forEach(fail);

const helm = spawnSync('helm', ['version', '--short'], { encoding: 'utf8' });
if (helm.status === 0) {
  try {
    execFileSync('helm', ['lint', '--strict', dir], { stdio: 'pipe' });
    const out = execFileSync('helm', ['template', 'samokoder', dir, '--namespace', 'samokoder', '--kube-version', '1.35.0'], {
      encoding: 'utf8',
    });
    const viaHelm = parseAllDocuments(out)
      .map((d) => d.toJS())
      .filter(Boolean);
    const c = canon(viaHelm);
    if (c.length !== b.length || c.some((x, i) => x !== b[i])) fail(`helm template output differs from ${manifests}`);
    console.log(`helm ${helm.stdout.trim()}: lint --strict and template passed`);
  } catch (e) {
    fail(`helm: ${e.stderr?.toString() ?? e.message}`);
  }
} else {
  console.log('helm not on PATH: rendered with the built-in renderer only');
}

for (const p of problems) console.log(p);
console.log(
  `helm chart check: ${chart.name} ${chart.version}, ${templates.length} templates, ${rendered.length} objects, ${problems.length} problems`,
);
process.exit(problems.length ? 1 : 0);
