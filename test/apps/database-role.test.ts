/**
 * A joint of both engines (issue #24, class 3): the PostgreSQL role the apps and their migration log in as on RDS
 * (`DATABASE_USER` of the connection entry, with IAM authentication) must be created by something in the output
 * before the first migration runs. Only the master user exists on day one.
 */
import { Testing } from 'cdktf';
import { referenceCloud, referenceConfig as config, referenceKubernetes } from '../util/reference';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON and YAML are untyped
type Obj = Record<string, any>;

const platform = referenceCloud();
const wave = (o: Obj) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? 0);

describe.each(config.aws.map((e) => e.name))('AWS environment %s', (env) => {
  const tf: Obj = JSON.parse(Testing.synth(platform.stacks[env] as Parameters<typeof Testing.synth>[0]));
  const resources = (type: string): Array<[string, Obj]> => Object.entries(tf.resource[type] ?? {});
  const [dbId] = resources('aws_db_instance')[0];
  const connection = resources('aws_secretsmanager_secret_version')
    .map(([, v]) => JSON.parse(v.secret_string))
    .find((v) => 'DATABASE_USER' in v);
  const user: string = connection.DATABASE_USER;
  const files = () => referenceKubernetes().files.filter((f) => f.file.startsWith(`${env}/`));

  test('the connection entry names the app user and the database the instance was created with', () => {
    expect(user).toBe('samokoder_app');
    expect(connection.DATABASE_NAME).toBe(resources('aws_db_instance')[0][1].db_name);
    // A reference to the master secret, never its value.
    expect(connection.DATABASE_MASTER_SECRET_ARN).toBe(`\${aws_db_instance.${dbId}.master_user_secret[0].secret_arn}`);
  });

  test('a Job in the Application that migrates creates the role, grants rds_iam and its schema, before the migration', () => {
    const migrating = files().filter((f) =>
      f.objects!.some((o) => o.kind === 'Job' && o.metadata.labels?.['app.kubernetes.io/component'] === 'migration'),
    );
    expect(migrating.map((f) => f.file)).toEqual([`${env}/api/api.k8s.yaml`]);
    const objects = migrating[0].objects!;
    const migration = objects.find((o) => o.kind === 'Job' && o.metadata.labels['app.kubernetes.io/component'] === 'migration')!;
    const configMaps = objects.filter((o) => o.kind === 'ConfigMap');
    const creators = objects.filter((o) => {
      if (o.kind !== 'Job') return false;
      const mounted = (o.spec.template.spec.volumes ?? []).map((v: Obj) => v.configMap?.name).filter(Boolean);
      const sql = configMaps.filter((c) => mounted.includes(c.metadata.name)).flatMap((c) => Object.values(c.data ?? {}) as string[]);
      return sql.some(
        (s) =>
          s.includes(`CREATE ROLE "${user}" LOGIN`) && s.includes(`GRANT rds_iam TO "${user}"`) && s.includes(`AUTHORIZATION "${user}"`),
      );
    });
    expect(creators.map((j) => j.metadata.name)).toEqual(['database-bootstrap']);
    const bootstrap = creators[0];
    expect(bootstrap.metadata.annotations['argocd.argoproj.io/hook']).toBe('Sync');
    expect(wave(bootstrap)).toBeLessThan(wave(migration));
    // What the Job reads exists in an earlier wave than the Job itself.
    const sa = bootstrap.spec.template.spec.serviceAccountName;
    const needs = objects.filter(
      (o) => (o.kind === 'ServiceAccount' && o.metadata.name === sa) || o.metadata.name === 'database-bootstrap',
    );
    for (const o of needs.filter((n) => n !== bootstrap)) expect([o.kind, wave(o)]).toEqual([o.kind, wave(bootstrap) - 1]);
  });

  test("the Job's service account has a Pod Identity that may read the master secret, and only that secret", () => {
    const job = files()
      .flatMap((f) => f.objects!)
      .find((o) => o.kind === 'Job' && o.metadata.name === 'database-bootstrap');
    expect(job).toMatchObject({
      metadata: { namespace: 'samokoder' },
      spec: { template: { spec: { serviceAccountName: 'database-bootstrap' } } },
    });
    const sa = job!.spec.template.spec.serviceAccountName;
    const associations = resources('aws_eks_pod_identity_association').filter(([, a]) => a.service_account === sa);
    expect(associations.map(([, a]) => a.namespace)).toEqual([job!.metadata.namespace]);
    const roleId = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(associations[0][1].role_arn)![1];
    const policies = resources('aws_iam_role_policy').filter(([, p]) => p.role === `\${aws_iam_role.${roleId}.id}`);
    const statements: Obj[] = policies.flatMap(([, p]) => JSON.parse(p.policy).Statement);
    const secrets = statements.filter((s) => s.Action.includes('secretsmanager:GetSecretValue'));
    expect(secrets.map((s) => s.Resource)).toEqual([[`\${aws_db_instance.${dbId}.master_user_secret[0].secret_arn}`]]);
  });
});

describe('the DigitalOcean DR pair', () => {
  const tf: Obj = JSON.parse(Testing.synth(platform.dr as Parameters<typeof Testing.synth>[0]));
  const resources = (type: string): Array<[string, Obj]> => Object.entries(tf.resource[type] ?? {});

  test('Terraform creates the user its connection entries name (digitalocean_database_user), so no bootstrap runs', () => {
    const [userId, user] = resources('digitalocean_database_user')[0];
    const [poolId, pool] = resources('digitalocean_database_connection_pool')[0];
    expect(resources('digitalocean_database_user')).toHaveLength(1);
    expect(pool.user).toBe(`\${digitalocean_database_user.${userId}.name}`);
    const entries = resources('aws_secretsmanager_secret_version')
      .map(([, v]) => v.secret_string)
      .filter((s) => typeof s === 'string' && s.includes('DATABASE_USER'))
      .map((s) => JSON.parse(s));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.DATABASE_USER).toBe(`\${digitalocean_database_connection_pool.${poolId}.user}`);
    expect(user.name).toBe('samokoder_app');
    for (const role of ['primary', 'secondary'] as const) expect(platform.dr.contract(role).databaseBootstrap).toBeUndefined();
    const drJobs = referenceKubernetes()
      .files.filter((f) => f.file.startsWith('dr-'))
      .flatMap((f) => f.objects!)
      .filter((o) => o.kind === 'Job');
    expect(drJobs.map((j) => j.metadata.name)).not.toContain('database-bootstrap');
  });
});
