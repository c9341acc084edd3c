/**
 * ReaderKeyRotation: the weekly rotation of the AWS key External Secrets reads the store with outside AWS; the
 * key-handling steps run against a stubbed AWS CLI.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { PolicyPack, ReaderKeyRotation } from 'samokoder-infra';
import { _rotationCreateScript, _rotationRetireScript } from '../../lib/k8s/reader-key-rotation';
import { all, find, render, schemaCheck, testApp } from '../util/k8s';

const chart = () => new Chart(testApp(), 'c', { namespace: 'external-secrets' });

describe('ReaderKeyRotation', () => {
  test('a weekly CronJob that may patch the one Secret, gets no API token in the steps holding keys, and warns when late', async () => {
    const c = chart();
    new ReaderKeyRotation(c, 'Rotation', {
      iamUser: 'samokoder-production-dr-nyc3-secrets-reader',
      runbookBaseUrl: 'https://runbooks.example.com',
    });
    const o = render(c);
    expect(find(o, 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['aws-secrets-reader'], verbs: ['get', 'patch'] },
    ]);
    const job = find(o, 'CronJob');
    expect(job.spec.schedule).toBe('17 3 * * 1');
    const pod = job.spec.jobTemplate.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.initContainers.map((x: { name: string }) => x.name)).toEqual(['create', 'store']);
    expect(pod.containers.map((x: { name: string }) => x.name)).toEqual(['retire']);
    const mounts = (x: { volumeMounts: Array<{ name: string }> }) => x.volumeMounts.map((m) => m.name);
    expect(mounts(pod.initContainers[0])).toEqual(['keys', 'tmp']);
    expect(mounts(pod.initContainers[1])).toEqual(['keys', 'api-token']);
    expect(mounts(pod.containers[0])).toEqual(['keys', 'tmp']);
    expect(pod.initContainers[1].command).toEqual([
      'kubectl',
      'patch',
      'secret',
      'aws-secrets-reader',
      '--namespace',
      'external-secrets',
      '--type',
      'merge',
      '--patch-file',
      '/keys/patch.json',
    ]);
    expect(pod.volumes[0]).toEqual({ name: 'keys', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    const rule = find(o, 'PrometheusRule').spec.groups[0].rules[0];
    expect(rule.alert).toBe('ReaderKeyRotationLate');
    expect(rule.expr).toBe(
      'time() - max(kube_cronjob_status_last_successful_time{namespace="external-secrets",cronjob="aws-secrets-reader-rotation"}) > 691200' +
        ' or (absent(kube_cronjob_status_last_successful_time{namespace="external-secrets",cronjob="aws-secrets-reader-rotation"}) and on() (time() - max(kube_cronjob_created{namespace="external-secrets",cronjob="aws-secrets-reader-rotation"}) > 691200))',
    );
    expect(rule.annotations.runbook_url).toBe('https://runbooks.example.com/ReaderKeyRotationLate');
    expect(all(o, 'NetworkPolicy')[0].spec.egress[1]).toEqual({
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
      ports: [{ protocol: 'TCP', port: 443 }],
    });
    expect(JSON.stringify(o)).not.toMatch(/AKIA|secret-access-key":"[^$]/);
    expect((await schemaCheck(o)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(c).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test('bad input is refused with the prop named', () => {
    expect(() => new ReaderKeyRotation(chart(), 'Rotation', { iamUser: 'has space' })).toThrow(
      `[c/Rotation] 'iamUser' ("has space") must be an IAM user name (1-64 of letters, digits and +=,.@_-)`,
    );
    expect(() => new ReaderKeyRotation(chart(), 'Rotation', { iamUser: 'u', awsCliImage: 'amazon/aws-cli' })).toThrow(
      `[c/Rotation] 'awsCliImage' ("amazon/aws-cli") must be pinned`,
    );
    expect(
      () => new ReaderKeyRotation(chart(), 'Rotation', { iamUser: 'u', secret: { name: 'Reader', namespace: 'external-secrets' } }),
    ).toThrow(`[c/Rotation] 'secret.name' ("Reader")`);
  });

  describe('the steps, against a stubbed AWS CLI (an IAM user with keys in a file)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rotation-'));
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.mkdirSync(path.join(dir, 'keys'));
      // list-access-keys, create-access-key (refused past two keys, as IAM does), delete-access-key, sts get-caller-identity.
      fs.writeFileSync(
        path.join(dir, 'bin', 'aws'),
        `#!/bin/sh
db="${dir}/iam"
case "$1 $2" in
  "iam list-access-keys") tr '\\n' '\\t' < "$db" ;;
  "iam create-access-key") [ "$(wc -l < "$db")" -lt 2 ] || { echo "LimitExceeded" >&2; exit 254; }; n="AKIANEW$(wc -l < "$db" | tr -d ' ')"; echo "$n" >> "$db"; printf '%s\\t%s\\n' "$n" "secret-of-$n" ;;
  "iam delete-access-key") grep -vx "$6" "$db" > "$db.t"; mv "$db.t" "$db" ;;
  "sts get-caller-identity") grep -qx "$AWS_ACCESS_KEY_ID" "$db" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`,
        { mode: 0o755 },
      );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const run = (script: string, key: string) =>
      spawnSync('sh', ['-c', script.replaceAll('/keys/', `${dir}/keys/`)], {
        encoding: 'utf8',
        env: { PATH: `${dir}/bin:${process.env.PATH}`, IAM_USER: 'reader', AWS_ACCESS_KEY_ID: key },
      });

    test('creates the next key, and retires the old one only with the new one', () => {
      fs.writeFileSync(path.join(dir, 'iam'), 'AKIAOLD\n');
      const created = run(_rotationCreateScript(), 'AKIAOLD');
      expect(created.status).toBe(0);
      expect(created.stdout).not.toContain('secret-of');
      const patch = JSON.parse(fs.readFileSync(path.join(dir, 'keys', 'patch.json'), 'utf8'));
      expect(Buffer.from(patch.data['access-key-id'], 'base64').toString()).toBe('AKIANEW1');
      expect(Buffer.from(patch.data['secret-access-key'], 'base64').toString()).toBe('secret-of-AKIANEW1');
      expect(fs.readFileSync(path.join(dir, 'iam'), 'utf8')).toBe('AKIAOLD\nAKIANEW1\n');
      const retired = run(_rotationRetireScript(), 'AKIAOLD');
      expect(retired.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'iam'), 'utf8')).toBe('AKIANEW1\n');
    });

    test('a key an interrupted run left behind is deleted first (IAM allows two)', () => {
      fs.writeFileSync(path.join(dir, 'iam'), 'AKIAOLD\nAKIALEFT\n');
      const created = run(_rotationCreateScript(), 'AKIAOLD');
      expect(created.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'iam'), 'utf8')).toBe('AKIAOLD\nAKIANEW1\n');
    });
  });
});
