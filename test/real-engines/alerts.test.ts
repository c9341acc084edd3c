import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import type { K8sObject } from '../../scripts/real-engines/gitops';
import { ruleFilesOf } from '../../scripts/real-engines/verify-alerts';
import { referenceKubernetes } from '../util/reference';

describe('the rule files verify:alerts gives promtool', () => {
  let files: Map<string, K8sObject>;
  beforeAll(() => {
    files = ruleFilesOf(referenceKubernetes().outdir);
  });

  test('one rule file per environment and app, and the analysis queries of each Rollout', () => {
    expect([...files.keys()]).toEqual([
      'dr-nyc3-api.rules.yaml',
      'dr-nyc3-api.analysis.yaml',
      'dr-nyc3-bot.rules.yaml',
      'dr-nyc3-namespace.rules.yaml',
      'dr-sfo3-api.rules.yaml',
      'dr-sfo3-api.analysis.yaml',
      'dr-sfo3-bot.rules.yaml',
      'dr-sfo3-namespace.rules.yaml',
      'production-api.rules.yaml',
      'production-api.analysis.yaml',
      'production-bot.rules.yaml',
      'production-namespace.rules.yaml',
      'staging-api.rules.yaml',
      'staging-api.analysis.yaml',
      'staging-bot.rules.yaml',
      'staging-namespace.rules.yaml',
    ]);
  });

  test('each analysis query is recorded for the preview and the active Service, the placeholder filled in', () => {
    const rules = files.get('production-api.analysis.yaml')!.groups[0].rules;
    expect(rules.map((r: K8sObject) => `${r.record} ${r.labels.service}`)).toEqual([
      'analysis:requests api',
      'analysis:requests api-preview',
      'analysis:error_ratio api',
      'analysis:error_ratio api-preview',
      'analysis:latency_p95 api',
      'analysis:latency_p95 api-preview',
    ]);
    expect(JSON.stringify(rules)).not.toContain('{{args.');
  });

  test('the committed promtool tests name only rule files that exist', () => {
    const testDir = path.join(__dirname, '..', 'alerts');
    for (const f of fs.readdirSync(testDir).filter((x) => x.endsWith('.test.yaml'))) {
      const spec = YAML.parse(fs.readFileSync(path.join(testDir, f), 'utf8'));
      for (const r of spec.rule_files) expect([f, files.has(r)]).toEqual([f, true]);
      expect(spec.tests.length).toBeGreaterThan(0);
    }
  });
});
