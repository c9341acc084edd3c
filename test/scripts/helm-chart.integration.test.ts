import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadConfig } from '../../apps/config';
import { synthKubernetes } from '../../apps/kubernetes';
import { TEST_DATE } from '../util/tf';

const root = path.join(__dirname, '..', '..');

describe('Helm chart (npm run helm, npm run check:helm)', () => {
  let work: string;
  let chart: string;
  let manifests: string;
  let build: ReturnType<typeof spawnSync>;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'samokoder-helm-'));
    chart = path.join(work, 'chart');
    manifests = path.join(work, 'dist');
    synthKubernetes(loadConfig({ SAMOKODER_SUPPORT_CHECK_DATE: TEST_DATE }), manifests);
    build = spawnSync('bash', ['scripts/helm-chart.sh'], {
      cwd: root,
      env: { ...process.env, HELM_OUT: chart, SAMOKODER_SUPPORT_CHECK_DATE: TEST_DATE },
      encoding: 'utf8',
    });
  }, 60_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  const check = () =>
    spawnSync(process.execPath, ['scripts/check-helm-chart.mjs', chart, path.join(manifests, 'production')], {
      cwd: root,
      encoding: 'utf8',
    });

  test('builds a v2 chart with templates, documented values and a schema', () => {
    expect(build.status).toBe(0);
    expect(fs.readdirSync(path.join(chart, 'templates')).sort()).toEqual(['api.k8s.yaml', 'bot.k8s.yaml']);
    const values = fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8');
    expect(values).toContain('# -- Container image of api, pinned by tag or digest');
    expect(fs.readFileSync(path.join(chart, 'Chart.yaml'), 'utf8')).toMatch(/^apiVersion: v2\nname: samokoder\n/);
    const api = fs.readFileSync(path.join(chart, 'templates', 'api.k8s.yaml'), 'utf8');
    expect(api).toContain('image: {{ .Values.api.image | quote }}');
    expect(api).toContain('{{ "{{" }} $value | humanizeDuration {{ "}}" }}');
  });

  test('renders to exactly the GitOps manifests, and the check says so', () => {
    const res = check();
    expect(res.stdout).toContain('helm chart check: samokoder 0.1.0, 2 templates, ');
    expect(res.stdout).toContain(', 0 problems');
    expect(res.status).toBe(0);
  });

  test('the check fails when the chart drifts from the manifests or a value is undocumented', () => {
    const valuesFile = path.join(chart, 'values.yaml');
    const original = fs.readFileSync(valuesFile, 'utf8');
    try {
      fs.writeFileSync(
        valuesFile,
        original.replace('ghcr.io/samokoder/api:1.0.0', 'ghcr.io/samokoder/api:9.9.9').replace(/# -- Container image of bot.*\n/, ''),
      );
      const res = check();
      expect(res.status).toBe(1);
      expect(res.stdout).toContain('rendered chart differs from');
      expect(res.stdout).toContain('values.yaml: "bot.image" has no "# --" description');
    } finally {
      fs.writeFileSync(valuesFile, original);
    }
  });
});
