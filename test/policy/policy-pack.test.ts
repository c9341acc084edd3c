import { ApiObject, Chart, JsonPatch, Testing as K8sTesting } from 'cdk8s';
import { Testing } from 'cdktf';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack } from 'cdktf';
import { AppNamespace, policyRulesMarkdown, PolicyPack, POLICY_RULES, ProductionApp } from 'samokoder-infra';
import * as fs from 'fs';
import * as path from 'path';

function stackWithBareBucket() {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'st');
  new AwsProvider(stack, 'Aws', {
    region: 'eu-central-1',
    defaultTags: [{ tags: { Environment: 'staging', Service: 's', Team: 't', CostCenter: 'c' } }],
  });
  const bucket = new S3Bucket(stack, 'Bare', { bucket: 'bare-bucket', forceDestroy: true });
  return { app, stack, bucket };
}

describe('PolicyPack at synth', () => {
  test('errors fail synthesis with the rule id, its Checkov ids, the detail and the fix', () => {
    const { app, stack } = stackWithBareBucket();
    PolicyPack.enforce(app, { onWarning: () => undefined });
    expect(() => Testing.synth(stack, true)).toThrow(
      '[st/Bare] SK-AWS-001 (error, CKV_AWS_19, CKV_AWS_145): no server-side encryption configuration references this bucket. Fix: add an aws_s3_bucket_server_side_encryption_configuration that references the bucket (SecureBucket does)',
    );
  });

  test("one mistake over several objects is one message, thrown without the engine's wrapper (#27)", () => {
    const app = K8sTesting.app();
    new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0' });
    const own = new Chart(app, 'own', { labels: { 'deploy-token': 'ghp_' + 'a1B2c3D4e5'.repeat(4) } });
    for (const n of ['a', 'b', 'c']) new ApiObject(own, n, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n } });
    PolicyPack.enforce(app, { onWarning: () => undefined });
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      '[ConfigMap/-/a] SK-K8S-017 (error): metadata.labels.deploy-token holds something shaped like a credential (and 2 more objects: ConfigMap/-/b, ConfigMap/-/c). Fix: move the value to the secret store and reference it (AppSecret.fromStore, a Secret name); annotations, URLs, repository addresses and commands are committed as written',
    );
  });

  test('warnings are reported, not fatal', () => {
    const { app, stack, bucket } = stackWithBareBucket();
    for (const id of ['SK-AWS-001', 'SK-AWS-002', 'SK-AWS-003', 'SK-AWS-004', 'SK-AWS-006', 'SK-AWS-007']) {
      PolicyPack.suppress(bucket, id, 'fixture: testing that warnings are not fatal');
    }
    const warnings: string[] = [];
    PolicyPack.enforce(app, { onWarning: (m) => warnings.push(m) });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(warnings).toEqual([
      'policy warning: [st/Bare] SK-AWS-005 (warning, CKV_AWS_18): no access logging. Fix: add an aws_s3_bucket_logging pointing at the access-log bucket',
    ]);
  });

  test('a suppression silences exactly the named rule, and is written into the resource metadata', () => {
    const { app, stack, bucket } = stackWithBareBucket();
    PolicyPack.suppress(bucket, 'SK-AWS-001', 'fixture: encryption configured outside this stack');
    PolicyPack.enforce(app, { onWarning: () => undefined });
    const ids = PolicyPack.checkTerraform(stack).map((f) => f.rule.id);
    expect(ids).not.toContain('SK-AWS-001');
    expect(ids).toEqual(expect.arrayContaining(['SK-AWS-002', 'SK-AWS-003', 'SK-AWS-006']));
    const json = stack.toTerraform();
    expect(
      Object.values(json.resource.aws_s3_bucket as Record<string, { '//': Record<string, unknown> }>)[0]['//']
        .samokoder_policy_suppressions,
    ).toEqual({ 'SK-AWS-001': 'fixture: encryption configured outside this stack' });
  });

  test.each([
    ['SK-AWS-999', 'a good enough reason', `[st/Bare] 'ruleId' ("SK-AWS-999") is not a rule of the pack (`],
    [
      'SK-AWS-001',
      'because',
      `[st/Bare] 'reason' ("because") must say why the rule does not apply (at least 10 characters): suppressions are reviewed`,
    ],
    ['SK-AWS-001', '   ', `[st/Bare] 'reason' ("   ") must say why the rule does not apply`],
  ])('suppress(%s, %j) is refused', (id, reason, message) => {
    const { bucket } = stackWithBareBucket();
    expect(() => PolicyPack.suppress(bucket, id, reason)).toThrow(message);
  });

  test('Kubernetes: errors fail synthesis; a suppression is an annotation Checkov understands too', () => {
    const app = K8sTesting.app();
    const chart = new Chart(app, 'c');
    new AppNamespace(chart, 'Ns', {
      name: 'team',
      budget: { pods: 10, cpuRequestMillis: 1000, memoryRequestMiB: 1024, memoryLimitMiB: 2048 },
    });
    const bad = new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0', createNamespace: false, namespace: 'team' });
    // Break one thing the pack checks: the ClusterIP Service becomes a LoadBalancer.
    ApiObject.of(bad.service).addJsonPatch(JsonPatch.replace('/spec/type', 'LoadBalancer'));
    PolicyPack.enforce(app);
    expect(() => app.synthYaml()).toThrow(
      'SK-K8S-015 (error, kube-linter:exposed-services): type LoadBalancer. Fix: expose through the Gateway (HTTPRoute) or ingress controller; keep Services ClusterIP',
    );
    PolicyPack.suppress(bad.service, 'SK-K8S-015', 'fixture: an internal load balancer for a legacy client');
    expect(() => app.synthYaml()).not.toThrow();
    const svc = bad.toJson().find((o) => o.kind === 'Service' && o.metadata.name === 'api');
    expect(svc.metadata.annotations).toEqual({
      'policy.samokoder.dev/suppress.SK-K8S-015': 'fixture: an internal load balancer for a legacy client',
    });
  });

  test('Checkov skip annotations accompany suppressions of rules with Checkov equivalents', () => {
    const app = K8sTesting.app();
    const pa = new ProductionApp(app, 'api', { name: 'api', image: 'r/api:1.0.0' });
    PolicyPack.suppress(pa.workload, 'SK-K8S-009', 'fixture: image pinned by the deploy tool at apply time');
    const d = pa.toJson().find((o) => o.kind === 'Deployment');
    expect(d.metadata.annotations).toMatchObject({
      'checkov.io/skip1': 'CKV_K8S_14=fixture: image pinned by the deploy tool at apply time',
    });
  });

  test('the rule list in docs/guardrails.md is generated from the rule definitions', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'guardrails.md'), 'utf8');
    const start = readme.indexOf('<!-- policy-rules:start -->');
    const end = readme.indexOf('<!-- policy-rules:end -->');
    expect(readme.slice(start + '<!-- policy-rules:start -->'.length, end).trim()).toBe(policyRulesMarkdown().trim());
    expect(POLICY_RULES.length).toBeGreaterThanOrEqual(45);
  });
});
