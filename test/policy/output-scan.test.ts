/**
 * The credential scan runs on every synth, with or without the policy pack: a literal credential passed through any
 * prop is stopped where the files are written, named by construct path and field, never repeated.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
import { App as TfApp, TerraformOutput, Testing } from 'cdktf';
import { AlarmSubscription, AwsRegion, PolicyPack, ProductionApp, SamokoderStack } from 'samokoder-infra';
import { TEST_DATE } from '../util/tf';

const AWS_KEY = 'AKIAABCDEFGHIJKLMNOP';
const GITHUB_TOKEN = 'ghp_' + 'a1B2c3D4e5'.repeat(4);

/** The message a synth fails with ('' when it does not). */
function failure(synth: () => void): string {
  try {
    synth();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

function outdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'scan-'));
}

describe('credential scan on every cdk8s synth', () => {
  test('props that reach the output are checked where they come in, by the prop (the scan is the last resort)', () => {
    const app = new App({ outdir: outdir() });
    expect(
      () => new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0', serviceAccountAnnotations: { 'example.com/key': AWS_KEY } }),
    ).toThrow(`[api] 'serviceAccountAnnotations.example.com/key' ("<redacted>") holds something shaped like a credential`);
    expect(() => new ProductionApp(app, 'api2', { name: 'api', image: 'r/api:1.0.0', args: ['--token', GITHUB_TOKEN] })).toThrow(
      `[api2] 'args[1]' ("<redacted>") holds something shaped like a credential`,
    );
  });

  test('an annotation and a command argument written by hand are refused by path and field; nothing is written', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0' });
    const own = new Chart(app, 'own');
    new ApiObject(own, 'sa', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'sa', annotations: { 'example.com/key': AWS_KEY } },
    });
    new ApiObject(own, 'pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod' },
      spec: { containers: [{ name: 'c', image: 'r/c:1.0.0', args: ['--token', GITHUB_TOKEN] }] },
    });
    const message = failure(() => app.synth());
    expect(message).toBe(
      [
        `[own/sa] ServiceAccount sa: 'metadata.annotations.example.com/key' holds something shaped like a credential (value not shown): synthesized files are committed to Git; keep the value in the secret store and reference it`,
        `[own/pod] Pod pod: 'spec.containers[0].args[1]' holds something shaped like a credential (value not shown): synthesized files are committed to Git; keep the value in the secret store and reference it`,
      ].join('\n'),
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test("one mistake repeated over objects and list entries is one message, without the engine's wrapper", () => {
    const app = new App({ outdir: outdir() });
    const own = new Chart(app, 'own', { labels: { 'deploy-token': GITHUB_TOKEN } });
    new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0' });
    for (const name of ['a', 'b', 'c']) new ApiObject(own, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    new ApiObject(own, 'hooks', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'hooks' },
      data: { list: 'x' },
      spec: { hooks: [1, 2, 3].map((i) => ({ name: `h${i}`, url: `https://hooks.example.com/${i}?token=${GITHUB_TOKEN}` })) },
    });
    expect(failure(() => app.synth())).toBe(
      [
        `[own/a] ConfigMap a: 'metadata.labels.deploy-token' holds something shaped like a credential (value not shown; 3 more like it: 'metadata.labels.deploy-token' of ConfigMap b, ConfigMap c, ConfigMap hooks): synthesized files are committed to Git; keep the value in the secret store and reference it`,
        `[own/hooks] ConfigMap hooks: 'spec.hooks[0].url' holds something shaped like a credential (value not shown; 2 more like it: 'spec.hooks[*].url' of ConfigMap hooks): synthesized files are committed to Git; keep the value in the secret store and reference it`,
      ].join('\n'),
    );
  });

  test("a team's own chart beside a ProductionApp is scanned too", () => {
    const app = new App({ outdir: outdir() });
    new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0' });
    const own = new Chart(app, 'own');
    new ApiObject(own, 'cm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { url: `https://x:${GITHUB_TOKEN}@git.example.com/r.git` },
    });
    expect(() => app.synth()).toThrow(`[own/cm] ConfigMap cm: 'data.url' holds something shaped like a credential`);
  });

  test('names that merely look alike pass, and a reviewed suppression is honoured', () => {
    const app = new App({ outdir: outdir() });
    new ProductionApp(app, 'api', {
      name: 'api',
      image: 'r/api:1.0.0',
      args: ['--worker', 'sk-prod-worker'],
      config: { TOKEN_TTL: '3600' },
    });
    expect(() => app.synth()).not.toThrow();
    const app2 = new App({ outdir: outdir() });
    const chart = new Chart(app2, 'own');
    new ProductionApp(app2, 'api', { name: 'api', image: 'r/api:1.0.0' });
    const cm = new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { example: AWS_KEY } });
    PolicyPack.suppress(cm, 'SK-K8S-017', 'documentation example key from the AWS docs, not a credential');
    expect(() => app2.synth()).not.toThrow();
  });

  test('with the policy pack enforced, the finding is reported once, by rule SK-K8S-017', () => {
    const app = new App({ outdir: outdir() });
    new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0' });
    const own = new Chart(app, 'own');
    new ApiObject(own, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { example: AWS_KEY } });
    PolicyPack.enforce(app);
    const message = failure(() => app.synth());
    expect(message).toContain('SK-K8S-017');
    expect(message).not.toContain('(value not shown)');
  });
});

describe('credential scan on every cdktf synth', () => {
  test('a cost-allocation tag is checked as it comes in, by the prop', () => {
    expect(
      () =>
        new SamokoderStack(Testing.app(), 'billing-production', {
          environment: 'production',
          region: AwsRegion.EU_CENTRAL_1,
          tags: { environment: 'production', service: 'billing', team: AWS_KEY, costCenter: 'CC-1' },
          remoteState: { bucket: 'acme-tf-state', region: 'eu-central-1' },
          supportCheckDate: TEST_DATE,
          alarmSubscriptions: [AlarmSubscription.email('oncall@acme.example')],
        }),
    ).toThrow(`[billing-production] 'tags.team' ("<redacted>") holds something shaped like a credential`);
  });

  test('a credential in any string of a stack (here an output the program adds) fails the synth by field', () => {
    const app: TfApp = Testing.app();
    const stack = new SamokoderStack(app, 'billing-production', {
      environment: 'production',
      region: AwsRegion.EU_CENTRAL_1,
      tags: { environment: 'production', service: 'billing', team: 'billing', costCenter: 'CC-1' },
      remoteState: { bucket: 'acme-tf-state', region: 'eu-central-1' },
      supportCheckDate: TEST_DATE,
      alarmSubscriptions: [AlarmSubscription.email('oncall@acme.example')],
    });
    new TerraformOutput(stack, 'leak', { value: AWS_KEY });
    const message = failure(() => app.synth());
    expect(message).toBe(
      `[billing-production] the stack: 'output.leak.value' holds something shaped like a credential (value not shown): synthesized files are committed to Git; keep the value in the secret store and reference it`,
    );
    expect(message).not.toContain(AWS_KEY);
  });
});
