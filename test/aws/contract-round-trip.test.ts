import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing as K8sTesting } from 'cdk8s';
import { App } from 'cdktf';
import { AlarmSubscription, AwsRegion, SamokoderStack } from 'samokoder-infra/aws';
import {
  AppSecret,
  checkPlatformWiring,
  ClusterPlatform,
  Dependency,
  PlatformCloud,
  PlatformContract,
  PlatformGateway,
  ProductionApp,
} from 'samokoder-infra/k8s';
import { transformSync } from '@swc/core';
import YAML from 'yaml';
import { find, K8sObject, render } from '../util/k8s';
import { testTmp } from '../util/reference';
import { TEST_DATE } from '../util/tf';

// The two-repository round trip, in one process: the Terraform repository synthesizes its stack, which writes its
// contract beside its Terraform JSON; the Kubernetes repository reads that file (and nothing else of the stack) and
// builds the app with it; the wiring check passes exactly as with the in-memory contract.

/** The Terraform repository: the README quick start's stack, synthesized into `outdir`. */
function terraformRepo(outdir: string): SamokoderStack {
  const app = new App({ outdir });
  const stack = new SamokoderStack(app, 'billing-production', {
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    vpcCidr: '10.40.0.0/16',
    tags: { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' },
    remoteState: { bucket: 'acme-terraform-state', region: 'eu-central-1' },
    appIdentities: [{ serviceAccount: 'billing', filesBucketAccess: true }],
    alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
    supportCheckDate: TEST_DATE,
  });
  app.synth();
  return stack;
}

/** The Kubernetes repository: the app built from a contract, and what the wiring check reads. */
function kubernetesRepo(contract: PlatformContract, dependencies = [Dependency.podIdentityAgent(), ...Dependency.dataTier(contract)]) {
  const app = K8sTesting.app();
  const platform = new ClusterPlatform(app, 'Platform', {
    cluster: 'production',
    cloud: PlatformCloud.aws({ region: contract.region, clusterName: contract.clusterName }),
    source: { repoURL: 'https://git.acme.dev/payments/gitops.git' },
    configPath: 'dist/platform/production',
    acmeEmail: 'payments-oncall@acme.dev',
  });
  const billing = new ProductionApp(app, 'billing', {
    name: 'billing',
    image: 'ghcr.io/acme/billing:2.3.1',
    port: 8080,
    host: 'billing.acme.dev',
    platform: contract,
    secrets: [AppSecret.fromStore('STRIPE_API_KEY', `${contract.secretPrefix}app`)],
    dependencies: [...dependencies, Dependency.internetHttps('stripe')],
  });
  const gateway = new Chart(app, 'gateway');
  new PlatformGateway(gateway, 'Gateway', { hosts: ['billing.acme.dev'], routeNamespaces: [contract.namespace] });
  const objects: K8sObject[] = [...render(billing), ...render(gateway)];
  return { platform, objects };
}

describe('the platform contract between two repositories', () => {
  const outdir = fs.mkdtempSync(path.join(testTmp(), 'contract-round-trip-'));
  const stack = terraformRepo(outdir);
  const file = path.join(outdir, 'stacks', 'billing-production', PlatformContract.FILE_NAME);
  const loaded = PlatformContract.fromFile(file);

  test('the stack writes its contract beside its Terraform JSON, and it reads back as the in-memory one', () => {
    expect(fs.existsSync(path.join(outdir, 'stacks', 'billing-production', 'cdk.tf.json'))).toBe(true);
    expect(loaded).toEqual(stack.contract);
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).schemaVersion).toBe(PlatformContract.SCHEMA_VERSION);
  });

  test('the file is byte-identical run to run', () => {
    const again = fs.mkdtempSync(path.join(testTmp(), 'contract-round-trip-'));
    terraformRepo(again);
    expect(fs.readFileSync(path.join(again, 'stacks', 'billing-production', PlatformContract.FILE_NAME), 'utf8')).toBe(
      fs.readFileSync(file, 'utf8'),
    );
  });

  test('the file holds names and addresses only: no Terraform reference, no value of a secret', () => {
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toMatch(/\$\{/);
    expect(text).not.toMatch(/password|secret_string|BEGIN/i);
    expect(loaded.secretEntries).toEqual(['billing/production/connection', 'billing/production/app', 'billing/production/alerting']);
    expect(loaded.dataTier.map((t) => `${t.name}:${t.port}`)).toEqual(['postgres:5432', 'redis:6379']);
  });

  test('the app built from the loaded contract fits the stack and the platform, as with the in-memory one', () => {
    const k8s = kubernetesRepo(loaded);
    expect(checkPlatformWiring({ cluster: 'production', contract: loaded, platform: k8s.platform, objects: k8s.objects })).toEqual([]);
    const inMemory = kubernetesRepo(stack.contract);
    expect(
      checkPlatformWiring({ cluster: 'production', contract: stack.contract, platform: inMemory.platform, objects: inMemory.objects }),
    ).toEqual([]);
    expect(k8s.objects).toEqual(inMemory.objects);
  });

  test("the app's network policy reaches the database and the cache, in every data subnet, on their ports", () => {
    const { objects } = kubernetesRepo(loaded);
    const egress: K8sObject[] = find(objects, 'NetworkPolicy', 'billing-allow-dependencies').spec.egress;
    const peers = egress.flatMap((rule) =>
      (rule.to ?? []).map((to: K8sObject) => `${to.ipBlock?.cidr}:${(rule.ports ?? []).map((p: K8sObject) => p.port).join(',')}`),
    );
    for (const tier of loaded.dataTier) {
      for (const cidr of tier.cidrs) expect(peers).toContain(`${cidr}:${tier.port}`);
    }
    expect(loaded.dataTier[0].cidrs).toEqual(['10.40.108.0/24', '10.40.109.0/24', '10.40.110.0/24']);
  });

  test('the app reads its connection settings and secrets from entries the stack created', () => {
    const { objects } = kubernetesRepo(loaded);
    const keys = objects
      .filter((o) => o.kind === 'ExternalSecret')
      .flatMap((es) => [
        ...(es.spec.data ?? []).map((d: K8sObject) => d.remoteRef.key),
        ...(es.spec.dataFrom ?? []).map((d: K8sObject) => d.extract.key),
      ]);
    expect(new Set(keys)).toEqual(new Set(['billing/production/connection', 'billing/production/app']));
  });

  test('an app built from the contract without its data tier is refused: its pods could not reach the database', () => {
    const { platform, objects } = kubernetesRepo(loaded, [Dependency.podIdentityAgent()]);
    expect(checkPlatformWiring({ cluster: 'production', contract: loaded, platform, objects })).toEqual([
      `[wiring production] ExternalSecret billing/billing-connection: reads the connection settings ("billing/production/connection"), but no NetworkPolicy in "billing" allows egress to the data tier (postgres 10.40.108.0/24 10.40.109.0/24 10.40.110.0/24 :5432; redis 10.40.108.0/24 10.40.109.0/24 10.40.110.0/24 :6379): the default deny would block the database (add Dependency.dataTier(contract) to the app's dependencies)`,
    ]);
  });

  test('a contract the app does not match is refused by the wiring check, loaded or not', () => {
    const { platform, objects } = kubernetesRepo(loaded);
    const other = PlatformContract.fromJson(
      fs.readFileSync(file, 'utf8').replace(/10\.40\.(108|109|110)\.0\/24/g, (_m, n) => `10.41.${n}.0/24`),
      'staging.json',
    );
    expect(checkPlatformWiring({ cluster: 'production', contract: other, platform, objects })).toEqual(
      expect.arrayContaining([
        '[wiring production] NetworkPolicy billing/billing-allow-dependencies: allows egress to 10.40.108.0/24 on 5432, which is not a data tier of the stack (postgres 10.41.108.0/24 10.41.109.0/24 10.41.110.0/24 :5432; redis 10.41.108.0/24 10.41.109.0/24 10.41.110.0/24 :6379)',
      ]),
    );
  });
});

/** The last file block of the README's team quick start named `name`, as the README shows it. */
function quickstartFile(name: string): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const bodies = [...readme.matchAll(/<!-- quickstart:file (\S+) -->\n```\w*\n([\s\S]*?)```/g)]
    .filter((m) => m[1] === name)
    .map((m) => m[2]);
  if (bodies.length === 0) throw new Error(`the README quick start has no file ${name}`);
  return bodies[bodies.length - 1];
}

/** Runs a README program in `cwd`, with this checkout's library under its package names. */
function runProgram(source: string, cwd: string): void {
  const { code } = transformSync(source, {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const exports = {};
    // The README's program, compiled above; its imports resolve as this test's (jest maps samokoder-infra/* to lib/).
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS program needs a require
    new Function('require', 'module', 'exports', code)((id: string) => require(id), { exports }, exports);
  } finally {
    process.chdir(before);
  }
}

describe("the README's two repositories, in process (CI runs them with the real CLIs: scripts/team-quickstart.mjs)", () => {
  test('Terraform repository synth → contract file → Kubernetes repository synth with the wiring check', () => {
    const work = fs.mkdtempSync(path.join(testTmp(), 'quickstart-'));
    const infra = path.join(work, 'billing-infra');
    const gitops = path.join(work, 'billing-gitops');
    fs.mkdirSync(infra);
    fs.mkdirSync(path.join(gitops, 'platform'), { recursive: true });
    runProgram(quickstartFile('billing-infra/main.ts'), infra);
    fs.copyFileSync(
      path.join(infra, 'cdktf.out', 'stacks', 'billing-production', 'platform-contract.json'),
      path.join(gitops, 'platform', 'production.json'),
    );
    runProgram(quickstartFile('billing-gitops/main.ts'), gitops);
    const objects: K8sObject[] = YAML.parseAllDocuments(
      fs.readFileSync(path.join(gitops, 'dist', 'production', 'billing', 'billing.k8s.yaml'), 'utf8'),
    ).map((d) => d.toJSON());
    const contract = PlatformContract.fromFile(path.join(gitops, 'platform', 'production.json'));
    const egress = find(objects, 'NetworkPolicy', 'billing-allow-dependencies').spec.egress.flatMap((rule: K8sObject) =>
      (rule.to ?? []).map((to: K8sObject) => `${to.ipBlock?.cidr}:${rule.ports.map((p: K8sObject) => p.port).join(',')}`),
    );
    expect(egress).toEqual(expect.arrayContaining(contract.dataTier.flatMap((t) => t.cidrs.map((c) => `${c}:${t.port}`))));
    expect(find(objects, 'Namespace').metadata.labels['gateway-access.samokoder.dev/public']).toBe('true');
    expect(fs.existsSync(path.join(gitops, 'dist', 'platform'))).toBe(false);

    // The check is live: a stack that gave the secret controller's identity to another service account than the
    // platform runs it as stops the Kubernetes synth, and the output stays as it was.
    const file = path.join(gitops, 'platform', 'production.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"namespace": "external-secrets"', '"namespace": "eso"'));
    expect(() => runProgram(quickstartFile('billing-gitops/main.ts'), gitops)).toThrow(
      '[wiring production] External Secrets runs as external-secrets/external-secrets, which has no cloud identity in the stack: no secret would sync',
    );
    expect(fs.readFileSync(path.join(gitops, 'dist', 'production', 'billing', 'billing.k8s.yaml'), 'utf8')).toContain('port: 5432');
  });
});
