/**
 * `npm run verify:alerts`: Prometheus's own promtool judges the rules we ship, on `dist/` as synthesized.
 *
 * 1. Every PrometheusRule of every environment is written out as a rule file and checked (`promtool check rules`).
 * 2. Every Prometheus query of every Argo Rollouts AnalysisTemplate becomes a recording rule
 *    `analysis:<metric>` with the label `service` (the preview and the active Service), so its result can be tested.
 * 3. The unit tests in test/alerts/*.test.yaml (promtool's own format: input series, expected alerts and samples)
 *    run against those files (`promtool test rules`). They pin the defects that made alerts blind: a NoTraffic alert
 *    that read the Deployment a Rollout keeps at zero, a histogram SLO matching le="300" (Prometheus 3 stores
 *    300.0), an analysis that passed with no traffic.
 * 4. Alert routing: per cluster, the AlertmanagerConfig objects become the configuration prometheus-operator
 *    generates for the cluster's Alertmanager, which Alertmanager's own loader checks (`amtool check-config`), with
 *    seeded defects it must refuse (verify-alertmanager.ts).
 *
 * Run `npm run synth:k8s` first (CI does). Exit code 1 on any failure.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import YAML from 'yaml';
import { REPO, run } from './engines';
import type { K8sObject as Obj } from './gitops';
import { ensurePromtool } from './promtool';
import { verifyAlertmanager } from './verify-alertmanager';

/** The rule files to write, by file name, from the synthesized manifests under `dist`. */
export function ruleFilesOf(dist: string): Map<string, Obj> {
  const files = new Map<string, Obj>();
  for (const env of fs.readdirSync(dist).sort()) {
    if (env === 'argocd' || env === 'platform' || !fs.statSync(path.join(dist, env)).isDirectory()) continue;
    for (const app of fs.readdirSync(path.join(dist, env)).sort()) {
      const file = path.join(dist, env, app, `${app}.k8s.yaml`);
      if (!fs.existsSync(file)) continue;
      const objects: Obj[] = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJSON());
      const groups = objects.filter((o) => o?.kind === 'PrometheusRule').flatMap((o) => o.spec.groups);
      if (groups.length > 0) files.set(`${env}-${app}.rules.yaml`, { groups });
      const analysis = analysisRecordings(objects);
      if (analysis.length > 0) files.set(`${env}-${app}.analysis.yaml`, { groups: [{ name: `${app}.analysis`, rules: analysis }] });
    }
  }
  return files;
}

/**
 * The queries of the AnalysisTemplates as recording rules, once per Service the Rollout analyses (its preview and
 * active Services), so a test can say what the analysis would read.
 */
function analysisRecordings(objects: Obj[]): Obj[] {
  const services = new Set<string>();
  for (const r of objects.filter((o) => o?.kind === 'Rollout')) {
    const s = r.spec.strategy;
    for (const a of [s.blueGreen?.prePromotionAnalysis, s.blueGreen?.postPromotionAnalysis, s.canary?.analysis]) {
      const arg = a?.args?.find((x: Obj) => x.name === 'service-name');
      if (arg) services.add(arg.value);
    }
  }
  const rules: Obj[] = [];
  for (const t of objects.filter((o) => o?.kind === 'AnalysisTemplate')) {
    for (const m of t.spec.metrics ?? []) {
      const query = m.provider?.prometheus?.query;
      if (!query) continue;
      for (const service of [...services].sort()) {
        rules.push({
          record: `analysis:${m.name.replace(/-/g, '_')}`,
          expr: query.split('{{args.service-name}}').join(service),
          labels: { template: t.metadata.name, service },
        });
      }
    }
  }
  return rules;
}

/**
 * The check's own test: promtool must refuse a rule file with an expression that does not parse, and a unit test
 * that expects an alert the rules never raise; otherwise the stage cannot fail and proves nothing. Returns the
 * number of defects let through.
 */
function selfTest(promtool: string, dir: string, files: Map<string, Obj>): number {
  const [name, content] = [...files][0] ?? [];
  if (!name) {
    console.error('self-test: no rule file to break');
    return 1;
  }
  let missed = 0;
  const broken = JSON.parse(JSON.stringify(content)) as Obj;
  broken.groups[0].rules[0].expr = 'sum(rate(http_requests_total[5m])';
  fs.writeFileSync(path.join(dir, 'self-test-broken.rules.yaml'), YAML.stringify(broken));
  const check = run(promtool, ['check', 'rules', path.join(dir, 'self-test-broken.rules.yaml')]);
  if (check.status === 0) {
    console.error('self-test: a rule whose expression does not parse: promtool check let it through');
    missed++;
  } else console.log('self-test: a rule whose expression does not parse: refused');
  const spec = {
    rule_files: [name],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [],
        alert_rule_tests: [{ eval_time: '10m', alertname: 'SelfTestNeverRaised', exp_alerts: [{ exp_labels: { severity: 'critical' } }] }],
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'self-test.test.yaml'), YAML.stringify(spec));
  const t = run(promtool, ['test', 'rules', path.join(dir, 'self-test.test.yaml')]);
  if (t.status === 0) {
    console.error('self-test: a unit test expecting an alert the rules never raise: promtool test let it through');
    missed++;
  } else console.log('self-test: a unit test expecting an alert the rules never raise: failed, as it must');
  return missed;
}

function main(): void {
  const dist = path.resolve(process.argv[2] ?? path.join(REPO, 'dist'));
  if (!fs.existsSync(dist)) throw new Error('dist/ not found: run `npm run synth:k8s` first');
  const promtool = ensurePromtool((m) => console.log(m));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-alerts-'));
  let failed = 0;
  try {
    const files = ruleFilesOf(dist);
    for (const [name, content] of files) fs.writeFileSync(path.join(dir, name), YAML.stringify(content));
    const check = run(promtool, ['check', 'rules', ...[...files.keys()].map((f) => path.join(dir, f))]);
    console.log(check.stdout.trim());
    if (check.status !== 0) {
      console.error(check.stderr);
      failed++;
    }
    const testDir = path.join(REPO, 'test', 'alerts');
    const tests = fs.readdirSync(testDir).filter((f) => f.endsWith('.test.yaml'));
    for (const t of tests) {
      const spec = YAML.parse(fs.readFileSync(path.join(testDir, t), 'utf8'));
      const missing = (spec.rule_files as string[]).filter((f) => !files.has(f));
      if (missing.length > 0) {
        console.error(`${t}: no such rule file in dist/: ${missing.join(', ')} (have ${[...files.keys()].join(', ')})`);
        failed++;
        continue;
      }
      fs.copyFileSync(path.join(testDir, t), path.join(dir, t));
      const r = run(promtool, ['test', 'rules', path.join(dir, t)]);
      console.log(`${t}: ${r.status === 0 ? 'passed' : 'FAILED'}`);
      if (r.status !== 0) {
        console.error((r.stdout + r.stderr).trim());
        failed++;
      }
    }
    failed += selfTest(promtool, dir, files);
    const alertmanager = verifyAlertmanager(dist, console.log, console.error);
    failed += alertmanager.failed;
    console.log(
      `verify:alerts: ${failed === 0 ? 'passed' : `${failed} failed`}: ${files.size} rule files checked, ${tests.length} test files run, ` +
        `self-test 2 seeded defects; ${alertmanager.summary}; ` +
        "not exercised: the Secrets' values (placeholders of the shape Alertmanager checks stand in for them)",
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (failed > 0) process.exit(1);
}

if (require.main === module) main();
