/**
 * Argo CD itself, as the reference platform generates it: what the hub needs besides upstream's pinned install so the
 * app of apps converges (the Application health check that makes sync waves wait, the GitOps repository and every
 * destination cluster registered, credentials by reference only), and on the cloud side the access each EKS spoke
 * gives the hub (an access entry for a role the hub's management role assumes) and the registration entry the hub
 * reads (endpoint, CA, role).
 */
import { Testing } from 'cdktf';
import { referenceCloud, referenceConfig as config, referenceKubernetes } from '../util/reference';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON and YAML are untyped
type Obj = Record<string, any>;

let objects: Obj[] = [];
beforeAll(() => {
  objects = referenceKubernetes().files.flatMap((f) => f.objects ?? []);
});

/** What an ExternalSecret makes (its target Secret's labels and templated data). */
const target = (es: Obj) => ({ labels: es.spec?.target?.template?.metadata?.labels ?? {}, data: es.spec?.target?.template?.data ?? {} });
const registrations = (type: string) =>
  objects.filter(
    (o) =>
      o.metadata?.namespace === 'argocd' &&
      ((o.kind === 'Secret' && o.metadata?.labels?.['argocd.argoproj.io/secret-type'] === type) ||
        (o.kind === 'ExternalSecret' && target(o).labels['argocd.argoproj.io/secret-type'] === type)),
  );

describe('the Argo CD hub of the reference platform', () => {
  test("argocd-cm restores the Application health check, so a root's sync waves wait for its children to be healthy", () => {
    const cm = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'argocd-cm');
    expect(cm.map((o) => o.metadata.namespace)).toEqual(['argocd']);
    // Argo CD's settings informer lists only ConfigMaps labelled part-of=argocd (argo-cd v3.5.1 util/settings/settings.go).
    expect(cm[0].metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'argocd-cm', 'app.kubernetes.io/part-of': 'argocd' });
    const lua = cm[0].data['resource.customizations.health.argoproj.io_Application'];
    expect(lua).toMatch(/obj\.status\.health\.status/);
    expect(lua).toMatch(/"Progressing"/);
  });

  test('every cluster an Application deploys to is registered with the hub (a cluster Secret)', () => {
    const destinations = [...new Set(objects.filter((o) => o.kind === 'Application').map((o) => String(o.spec.destination.name)))].filter(
      (d) => d !== 'in-cluster',
    );
    expect(destinations.sort()).toEqual(config.gitops.clusters.map((c) => c.name).sort());
    const registered = registrations('cluster').map((o) => (o.kind === 'Secret' ? o.stringData?.name : target(o).data.name));
    expect(registered.sort()).toEqual(destinations.sort());
  });

  test('the EKS spokes are reached with IAM (awsAuthConfig), their endpoint, CA and role read from the store', () => {
    for (const cluster of config.gitops.clusters.filter((c) => c.cloud === 'aws')) {
      const es = registrations('cluster').find((o) => target(o).data.name === cluster.name)!;
      const entry = `samokoder/${cluster.environment}/argocd-cluster`;
      expect(es.spec.dataFrom).toEqual([{ extract: { key: entry } }]);
      const filled = String(target(es).data.config).replace(/\{\{ \.(\w+) \}\}/g, (_, k: string) => `<${k}>`);
      expect(JSON.parse(filled)).toEqual({
        awsAuthConfig: { clusterName: '<clusterName>', roleARN: '<roleArn>' },
        tlsClientConfig: { insecure: false, caData: '<caData>' },
      });
    }
  });

  test('the GitOps repository is registered, its credentials by reference only', () => {
    const repos = registrations('repository');
    expect(repos.map((o) => target(o).data.url)).toEqual([config.gitops.repoURL]);
    const es = repos[0];
    expect(es.kind).toBe('ExternalSecret');
    expect(target(es).data.password).toBe('{{ .password }}');
    expect(es.spec.data.map((d: Obj) => d.remoteRef.property).sort()).toEqual(['password', 'username']);
  });
});

describe.each(['production', 'staging'])('the %s EKS stack gives the hub access', (env) => {
  const tf: Obj = JSON.parse(Testing.synth(referenceCloud().stacks[env] as Parameters<typeof Testing.synth>[0]));
  const resources = (type: string): Obj[] => Object.values(tf.resource[type] ?? {});
  const role = resources('aws_iam_role').find((r) => r.name === `samokoder-${env}-argocd`);

  test("a role of its own that only the hub's management role may assume, with no permissions", () => {
    expect(role).toMatchObject({ name: `samokoder-${env}-argocd`, assume_role_policy: expect.any(String) });
    const trust = JSON.parse(role!.assume_role_policy);
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: {
          AWS: expect.stringMatching(/^arn:aws:iam::\$\{data\.aws_caller_identity\.[\w-]+\.account_id\}:role\/samokoder-argocd-hub$/),
        },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
      },
    ]);
    expect(resources('aws_iam_role_policy_attachment').filter((a) => String(a.role).includes('ArgoCd'))).toEqual([]);
  });

  test('an access entry and a cluster-admin policy association for that role', () => {
    const entries = resources('aws_eks_access_entry').filter((e) => /ArgoCd/.test(e.principal_arn));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ type: 'STANDARD' });
    const association = resources('aws_eks_access_policy_association').find((a) => a.principal_arn === entries[0].principal_arn);
    expect(association).toMatchObject({
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    });
  });

  test('the registration entry the hub reads: endpoint, CA, cluster name and role, no secret', () => {
    const secret = resources('aws_secretsmanager_secret').find((s) => s.name === `samokoder/${env}/argocd-cluster`);
    // Encrypted with the environment's data key and recoverable for 30 days, like the stack's other entries.
    expect(secret).toMatchObject({ kms_key_id: '${aws_kms_key.DataKey.arn}', recovery_window_in_days: 30 });
    const value = resources('aws_secretsmanager_secret_version').find((v) => String(v.secret_id).includes('ArgoCd'));
    expect(Object.keys(JSON.parse(value!.secret_string)).sort()).toEqual(['caData', 'clusterName', 'roleArn', 'server']);
  });

  test("the hub's network reaches the private endpoint on 443, and only it", () => {
    const rules = resources('aws_vpc_security_group_ingress_rule').filter(
      (r) => r.from_port === 443 && /ArgoCd|cluster_security_group/.test(JSON.stringify(r)),
    );
    expect(rules.map((r) => [r.cidr_ipv4, r.to_port, r.ip_protocol])).toEqual([[config.gitops.hub.cidr, 443, 'tcp']]);
  });
});
