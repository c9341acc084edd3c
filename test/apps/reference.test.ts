import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { App, Chart, Yaml } from 'cdk8s';
import { loadConfig } from '../../apps/config';
import { synthKubernetes } from '../../apps/kubernetes';
import { buildTerraformApp } from '../../apps/terraform';
import { schemaCheck } from '../util/k8s';
import { TEST_DATE } from '../util/tf';

const config = loadConfig({ SAMOKODER_SUPPORT_CHECK_DATE: TEST_DATE });

describe('reference platform (apps/)', () => {
  describe('cloud stacks', () => {
    const platform = buildTerraformApp(config);

    test.each(['samokoder-production', 'samokoder-staging', 'samokoder-state', 'samokoder-dr'])('%s matches its snapshot', (name) => {
      const stack = platform.app.node.findChild(name) as Parameters<typeof Testing.synth>[0];
      expect(Testing.synth(stack, true)).toMatchSnapshot();
    });

    test('the DR failover runbook matches its snapshot (names generated from the DR stack)', () => {
      expect(platform.dr.failoverPlan.runbook).toMatchSnapshot();
    });

    test('production and staging differ only where the profile says', () => {
      expect(platform.stacks.production.network.availabilityZones).toHaveLength(3);
      expect(platform.stacks.staging.contract.dataSubnetCidrs).toEqual(['10.1.108.0/24', '10.1.109.0/24', '10.1.110.0/24']);
    });
  });

  describe('kubernetes', () => {
    let outdir: string;
    let apps: App[];
    beforeAll(() => {
      outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'samokoder-k8s-'));
      apps = synthKubernetes(config, outdir);
    });
    afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

    test('one file per chart per environment (the GitOps layout)', () => {
      const files = ['production', 'staging'].flatMap((env) => fs.readdirSync(path.join(outdir, env)).map((f) => `${env}/${f}`));
      expect(files.sort()).toEqual([
        'production/0000-namespace.k8s.yaml',
        'production/0001-api.k8s.yaml',
        'production/0002-bot.k8s.yaml',
        'staging/0000-namespace.k8s.yaml',
        'staging/0001-api.k8s.yaml',
        'staging/0002-bot.k8s.yaml',
      ]);
    });

    test.each(['api', 'bot'])('production %s chart matches its snapshot', (name) => {
      const chart = apps[0].node.findChild(name) as Chart;
      expect(Yaml.stringify(...chart.toJson())).toMatchSnapshot();
    });

    test('every object validates against the Kubernetes and CRD schemas', () => {
      const objects = apps.flatMap((a) => a.charts.flatMap((c) => c.toJson()));
      const result = schemaCheck(objects);
      expect(result.output).toContain(`manifest schema check: ${objects.length} valid, 0 invalid`);
    });

    test('output is byte-identical from run to run', () => {
      const again = fs.mkdtempSync(path.join(os.tmpdir(), 'samokoder-k8s-'));
      try {
        synthKubernetes(config, again);
        for (const env of ['production', 'staging']) {
          for (const f of fs.readdirSync(path.join(outdir, env))) {
            expect(fs.readFileSync(path.join(again, env, f), 'utf8')).toBe(fs.readFileSync(path.join(outdir, env, f), 'utf8'));
          }
        }
      } finally {
        fs.rmSync(again, { recursive: true, force: true });
      }
    });

    test('no secret values in any manifest: no Secret objects, only references', () => {
      const objects = apps.flatMap((a) => a.charts.flatMap((c) => c.toJson()));
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      expect(objects.filter((o) => o.kind === 'ExternalSecret').length).toBeGreaterThan(0);
    });
  });
});
