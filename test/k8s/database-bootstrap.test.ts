import { Chart } from 'cdk8s';
import {
  DatabaseBootstrap,
  databaseBootstrapSql,
  DeploymentStrategy,
  PlatformContract,
  PolicyPack,
  ProductionApp,
  SecretStore,
} from 'samokoder-infra';
import { all, find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

/** What SamokoderStack's contract says (see test/aws/samokoder-stack.test.ts). */
const platform: PlatformContract = {
  environment: 'production',
  region: 'eu-central-1',
  clusterName: 'samokoder-production',
  kubernetesVersion: '1.35',
  namespace: 'samokoder',
  serviceAccounts: ['api'],
  podIdentities: [
    { namespace: 'samokoder', serviceAccount: 'api' },
    { namespace: 'samokoder', serviceAccount: 'database-bootstrap' },
  ],
  secretEntries: ['samokoder/production/connection', 'samokoder/production/app'],
  connectionSecretName: 'samokoder/production/connection',
  secretPrefix: 'samokoder/production/',
  dataSubnetCidrs: ['10.0.108.0/24'],
  dataTier: [
    { name: 'postgres', cidrs: ['10.0.108.0/24'], port: 5432 },
    { name: 'redis', cidrs: ['10.0.108.0/24'], port: 6379 },
  ],
  databaseBootstrap: { user: 'samokoder_app', database: 'samokoder', serviceAccount: 'database-bootstrap' },
};
const wave = (o: K8sObject) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'];

function bootstrapChart(props: Partial<ConstructorParameters<typeof DatabaseBootstrap>[2]> = {}, namespace = 'samokoder') {
  const chart = new Chart(testApp(), 'db', { namespace });
  const bootstrap = new DatabaseBootstrap(chart, 'Bootstrap', { platform, ...props });
  return { chart, bootstrap, objects: render(chart) };
}

describe('DatabaseBootstrap', () => {
  test('a Sync hook in wave -2 after its service account, secret, SQL and network policies (wave -3)', () => {
    const { objects } = bootstrapChart();
    const job = find(objects, 'Job');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync',
      'argocd.argoproj.io/sync-wave': '-2',
      'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
    });
    const rest = objects.filter((o) => o !== job);
    expect(rest.map((o) => `${o.kind}/${o.metadata.name} ${wave(o)}`)).toEqual([
      'ServiceAccount/database-bootstrap -3',
      'ExternalSecret/database-bootstrap -3',
      'ConfigMap/database-bootstrap -3',
      'NetworkPolicy/database-bootstrap-deny-ingress -3',
      'NetworkPolicy/database-bootstrap-allow-dns -3',
      'NetworkPolicy/database-bootstrap-allow-dependencies -3',
    ]);
    expect(job.spec.template.spec.serviceAccountName).toBe('database-bootstrap');
  });

  test("the SQL is the library's for the contract's role and database", () => {
    const { objects } = bootstrapChart();
    expect(find(objects, 'ConfigMap').data).toEqual({ 'bootstrap.sql': databaseBootstrapSql('samokoder_app', 'samokoder') });
    const sql = databaseBootstrapSql('Billing-App', 'billing');
    // Identifiers quoted (upper case and '-' kept), the name as a literal where it is compared.
    expect(sql).toContain(`WHERE rolname = 'Billing-App'`);
    expect(sql).toContain('CREATE ROLE "Billing-App" LOGIN;');
    expect(sql).toContain('GRANT rds_iam TO "Billing-App";');
    expect(sql).toContain('GRANT CONNECT ON DATABASE "billing" TO "Billing-App";');
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "Billing-App" AUTHORIZATION "Billing-App";');
  });

  test('the master secret is read by reference: only entry names and keys in the output, no credential in a Secret', () => {
    const { objects } = bootstrapChart();
    expect(find(objects, 'ExternalSecret').spec.data.map((d: K8sObject) => [d.secretKey, d.remoteRef.key])).toEqual([
      ['DATABASE_HOST', 'samokoder/production/connection'],
      ['DATABASE_PORT', 'samokoder/production/connection'],
      ['DATABASE_MASTER_SECRET_ARN', 'samokoder/production/connection'],
    ]);
    const pod = find(objects, 'Job').spec.template.spec;
    const env = [...pod.initContainers, ...pod.containers].flatMap((c: K8sObject) => c.env);
    expect(env.filter((e: K8sObject) => e.valueFrom).map((e: K8sObject) => e.valueFrom.secretKeyRef.key)).toEqual([
      'DATABASE_MASTER_SECRET_ARN',
      'DATABASE_HOST',
      'DATABASE_PORT',
    ]);
    // The credentials live in a memory volume for the pod's life; the server's certificate is verified.
    expect(pod.volumes[0]).toEqual({ name: 'credentials', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(pod.containers[0].env).toContainEqual({ name: 'PGSSLMODE', value: 'verify-full' });
    expect(pod.initContainers[0].command[2]).toContain('https://truststore.pki.rds.amazonaws.com/$AWS_REGION/$AWS_REGION-bundle.pem');
  });

  test('pinned images, restricted containers with limits, schema-valid, and no policy finding', async () => {
    const { chart, objects } = bootstrapChart();
    const pod = find(objects, 'Job').spec.template.spec;
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.image).toMatch(/:\d+\.\d+\.\d+(-alpine)?$|:\d+\.\d+-alpine$/);
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true });
      expect(c.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
    }
    expect((await schemaCheck(objects)).ok).toBe(true);
    expect(PolicyPack.checkKubernetes(chart).map((f) => `${f.rule.id} ${f.subject}: ${f.detail}`)).toEqual([]);
  });

  test('egress: DNS, the Pod Identity agent, HTTPS outside the private ranges and the database subnets only', () => {
    const { objects } = bootstrapChart();
    const deps = find(objects, 'NetworkPolicy', 'database-bootstrap-allow-dependencies').spec;
    expect(deps.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'database-bootstrap' } });
    expect(deps.egress.map((e: K8sObject) => `${e.to[0].ipBlock.cidr}:${e.ports[0].port}`)).toEqual([
      '169.254.170.23/32:80',
      '0.0.0.0/0:443',
      '10.0.108.0/24:5432',
    ]);
    expect(all(objects, 'NetworkPolicy').every((p) => !JSON.stringify(p).includes('6379'))).toBe(true);
  });

  test('the store and the images can be chosen', () => {
    const { objects } = bootstrapChart({
      secretStore: SecretStore.cluster('vault'),
      image: 'postgres:17.6-alpine',
      awsCliImage: 'public.ecr.aws/aws-cli/aws-cli:2.36.0',
    });
    expect(find(objects, 'ExternalSecret').spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'vault' });
    const pod = find(objects, 'Job').spec.template.spec;
    expect([pod.initContainers[0].image, pod.containers[0].image]).toEqual([
      'public.ecr.aws/aws-cli/aws-cli:2.36.0',
      'postgres:17.6-alpine',
    ]);
  });

  test.each<[string, () => void, string]>([
    [
      'a contract without databaseBootstrap',
      () =>
        new DatabaseBootstrap(new Chart(testApp(), 'db', { namespace: 'samokoder' }), 'B', {
          platform: { ...platform, databaseBootstrap: undefined },
        }),
      "[db/B] 'platform.databaseBootstrap' (undefined) is not set: this platform's stack creates the database role itself (only SamokoderStack's contract asks for a bootstrap)",
    ],
    [
      'a chart in another namespace',
      () => bootstrapChart({}, 'billing'),
      `[db/Bootstrap] 'platform.namespace' ("samokoder") must be the namespace of the chart the bootstrap is in ("billing"): its service account's cloud identity is bound there`,
    ],
    [
      'no postgres tier',
      () => bootstrapChart({ platform: { ...platform, dataTier: [{ name: 'redis', cidrs: ['10.0.108.0/24'], port: 6379 }] } }),
      `[db/Bootstrap] 'platform.dataTier' (["redis"]) has no 'postgres' tier: the bootstrap would have no route to the database`,
    ],
    [
      'an unpinned image',
      () => bootstrapChart({ image: 'postgres:latest' }),
      `[db/Bootstrap] 'image' ("postgres:latest") must be pinned to a version tag or digest ("repo/app:1.4.2" or "repo/app@sha256:<64 hex>"); "latest" and untagged images are refused`,
    ],
    [
      'a second one in the namespace',
      () => {
        const chart = new Chart(testApp(), 'db', { namespace: 'samokoder' });
        new DatabaseBootstrap(chart, 'A', { platform });
        new DatabaseBootstrap(new Chart(chart.node.scope!, 'other', { namespace: 'samokoder' }), 'B', { platform });
      },
      `[other/B] 'platform.databaseBootstrap.user' ("samokoder_app") is already created in namespace "samokoder" by db/A: one bootstrap per namespace (its service account and Job would collide); let one app of the namespace migrate`,
    ],
  ])('refuses %s', (_what, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('ProductionApp with a contract that asks for the database bootstrap', () => {
  const app = (props: object = {}) =>
    render(
      new ProductionApp(testApp(), 'api', {
        name: 'api',
        image: 'ghcr.io/samokoder/api:1.0.0',
        platform,
        strategy: DeploymentStrategy.rollingUpdate(),
        migration: { command: ['alembic', 'upgrade', 'head'] },
        ...props,
      }),
    );

  test('runs it before its migration, in the same Application', () => {
    const objects = app();
    const bootstrap = find(objects, 'Job', 'database-bootstrap');
    const migration = find(objects, 'Job', 'api-migrate');
    expect([wave(bootstrap), wave(migration)]).toEqual(['-2', '-1']);
    expect(bootstrap.metadata.labels['app.kubernetes.io/part-of']).toBe('samokoder');
  });

  test('adds none without a migration, nor where the database role is secondary', () => {
    expect(all(app({ migration: undefined }), 'Job')).toEqual([]);
    const secondary = render(
      new ProductionApp(testApp(), 'api', {
        name: 'api',
        image: 'ghcr.io/samokoder/api:1.0.0',
        platform: { ...platform, databaseRole: 'secondary' },
        migration: { command: ['alembic', 'upgrade', 'head'] },
      }),
    );
    expect(all(secondary, 'Job')).toEqual([]);
  });
});
