/**
 * `npm run verify:dr`: the DR procedure (failover.sh, failback.sh of cdktf.out/stacks/samokoder-dr/failover/, run
 * unmodified under bash) against real engines where there are real engines:
 *
 * - kubectl against two real control planes (control-plane.ts), one per DR cluster, named as the scripts name them
 *   (do-<region>-<cluster>) in a real kubeconfig, with the pinned CRDs of Argo Rollouts and External Secrets and the
 *   clusters' own objects from dist/dr-<region>/ (the namespace, its Rollouts, Deployments, ExternalSecrets and what
 *   they need) applied server-side;
 * - the AWS CLI (PyPI `awscli`, pinned below) against moto's Secrets Manager, pointed there by AWS_ENDPOINT_URL (the
 *   scripts pass no endpoint), holding the connection entries and the monitor entry the stack writes;
 * - the controllers the control planes do not run (External Secrets, Argo Rollouts, the kubelet) played by
 *   dr-controllers.ts, each rule cited there;
 * - doctl, curl and the Prometheus reads answered by the DR simulation's stand-in (dr-stand-in.ts): doctl cannot be
 *   fetched here and nothing serves DigitalOcean's API, Prometheus needs running pods.
 *
 * Scenarios, each asserting the state read back from the API servers and moto: the primary region is lost (failover,
 * exit 3: the lost side pending); it comes back (failover again: finishes, the old side's writers at 0); failover once
 * more (no change anywhere: resourceVersions, entry versions, the stand-in's mutations); fail-back prepare and switch.
 * Self-test: what the JSON world accepts and a real API refuses (a strategic-merge patch on a Rollout, a field the CRD
 * does not have, an entry that does not exist) is refused here. `--break=<variant>` is a negative control: the
 * scenarios with a broken copy of the scripts or a controller off (strategic-patch, wrong-entry, no-external-secrets)
 * must fail; it prints the failures and exits 0 when they did, 1 when the broken variant passed.
 *
 *   npm run verify:dr [-- --break=strategic-patch|wrong-entry|no-external-secrets] [-- --trace]
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { buildTerraformApp } from '../../apps/terraform';
import { loadConfig } from '../../apps/config';
import { healthyWorld } from '../../test/util/dr-sim';
import { ControlPlane, ensureControlPlane, startControlPlane } from './control-plane';
import { DrCluster, DrControllers, Kube, motoEntries } from './dr-controllers';
import { Endpoint, StandIn } from './dr-stand-in';
import { cacheDir, finish, freePort, realEnginesDir, REPO, run, runMain, since, sleep, startProcess, withCacheLock } from './engines';
import { K8sObject, loadObjects, yamlFiles } from './gitops';
import { ensureMoto } from './verify-tf';
import { entryValues, expectState, snapshot, StateCheck } from './verify-dr-state';

const log = (m: string) => console.log(m);
/** The AWS CLI the scripts run (PyPI; v1: the same `secretsmanager` commands and flags as v2, AWS_ENDPOINT_URL read). */
const AWSCLI = '1.45.11';
const CRDS = ['rollouts-rollout.yaml', 'eso-externalsecrets.yaml'];
/** The kinds of a DR cluster's namespace the scripts touch, and what their pods need to be created. */
const KINDS = new Set([
  'Namespace',
  'ServiceAccount',
  'ConfigMap',
  'LimitRange',
  'ResourceQuota',
  'Deployment',
  'Rollout',
  'ExternalSecret',
  'HorizontalPodAutoscaler',
]);
const BREAKS = ['strategic-patch', 'wrong-entry', 'no-external-secrets'] as const;

function ensureAwsCli(): string {
  return withCacheLock('awscli', () => {
    const venv = cacheDir('awscli', AWSCLI);
    const aws = path.join(venv, 'bin', 'aws');
    if (fs.existsSync(path.join(venv, '.installed'))) return aws;
    let r = run('python3', ['-m', 'venv', venv]);
    if (r.status === 0) r = run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `awscli==${AWSCLI}`]);
    if (r.status !== 0) throw new Error(`installing awscli==${AWSCLI} failed: ${r.stderr}`);
    fs.writeFileSync(path.join(venv, '.installed'), AWSCLI);
    return aws;
  });
}

/** Runs a script under bash without blocking this process (it answers the stubs). */
function bash(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 8 * 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code ?? 1, stdout, stderr });
    });
  });
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const args = process.argv.slice(2);
  const broken = args.find((a) => a.startsWith('--break='))?.slice('--break='.length);
  if (broken && !(BREAKS as readonly string[]).includes(broken)) throw new Error(`--break=${broken}: one of ${BREAKS.join(', ')}`);
  const problems: string[] = [];
  const scriptsDir = path.join(REPO, 'cdktf.out', 'stacks', 'samokoder-dr', 'failover');
  if (!fs.existsSync(path.join(scriptsDir, 'failover.sh'))) throw new Error(`${scriptsDir}/failover.sh missing: run npm run synth`);
  const f = buildTerraformApp(loadConfig(), new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'verify-dr-app-')) })).dr.failoverPlan
    ._facts;
  const regions = { primary: f.primaryRegion, secondary: f.secondaryRegion };

  const bin = ensureControlPlane(log);
  const python = ensureMoto();
  const aws = ensureAwsCli();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-dr-'));

  // moto's server (not its proxy): the AWS CLI reaches it through AWS_ENDPOINT_URL.
  const motoPort = await freePort();
  const moto = startProcess('moto server (verify-dr)', path.join(path.dirname(python), 'moto_server'), [
    '-H',
    '127.0.0.1',
    '-p',
    String(motoPort),
  ]);
  const awsEnv = {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${motoPort}`,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: f.secretsRegion,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
  // Real kubectl for the setup too (the scripts run it; verify:k8s' checks use the in-process client instead).
  const kubectl = (cp: ControlPlane, args: string[], options: { input?: string } = {}) =>
    run(path.join(bin, 'kubectl'), [`--kubeconfig=${cp.kubeconfig}`, ...args], options);
  const planes = await Promise.all([regions.primary, regions.secondary].map((r) => startControlPlane(`dr-${r}`, bin, log)));
  for (let i = 0; ; i++) {
    if (run(aws, ['secretsmanager', 'list-secrets', '--region', f.secretsRegion], { env: awsEnv }).status === 0) break;
    if (i > 50 || moto.child.exitCode !== null) throw new Error(`moto did not start:\n${moto.output()}`);
    await sleep(200);
  }

  // The entries the stack writes (values of the stand-in's world) and those set out of band (placeholders).
  const world = healthyWorld(f, []);
  const entries = entryValues(REPO, f, world);
  for (const [id, value] of Object.entries(entries)) {
    const file = path.join(work, 'entry.json');
    fs.writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
    const r = run(
      aws,
      ['secretsmanager', 'create-secret', '--region', f.secretsRegion, '--name', id, '--secret-string', `file://${file}`],
      { env: awsEnv },
    );
    if (r.status !== 0) throw new Error(`aws secretsmanager create-secret ${id}: ${r.stderr}`);
  }
  log(`  moto: ${Object.keys(entries).length} Secrets Manager entries created with aws-cli ${AWSCLI} (AWS_ENDPOINT_URL)`);

  // Each cluster: the CRDs, then its namespace's objects, server-side, as Argo CD applies them.
  const crdDir = path.join(realEnginesDir(), 'crds');
  const objectsOf = (region: string): K8sObject[] =>
    yamlFiles(path.join(REPO, 'dist', `dr-${region}`))
      .flatMap(loadObjects)
      .filter(
        (o) => KINDS.has(o.kind) && (o.kind === 'Namespace' ? o.metadata.name === f.namespace : o.metadata.namespace === f.namespace),
      );
  const apply = (cp: ControlPlane, args2: string[], input?: string) => {
    const r = kubectl(cp, ['apply', '--server-side', '--field-manager=argocd-controller', ...args2], { input });
    if (r.status !== 0) problems.push(`[${cp.name}] kubectl apply: ${r.stderr.trim()}`);
  };
  const hpaMin = new Map<string, number>();
  for (const [i, cp] of planes.entries()) {
    for (const crd of CRDS) apply(cp, ['-f', path.join(crdDir, crd)]);
    kubectl(cp, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/rollouts.argoproj.io',
      'crd/externalsecrets.external-secrets.io',
    ]);
    const objects = objectsOf(i === 0 ? regions.primary : regions.secondary);
    const order = (o: K8sObject) => (o.kind === 'Namespace' ? 0 : 1);
    apply(cp, ['-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...objects].sort((a, b) => order(a) - order(b)) }));
    for (const h of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler'))
      hpaMin.set(`${cp.name}/${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`, h.spec.minReplicas ?? 1);
    log(
      `  [${cp.name}] applied ${objects.length} objects of dist/dr-${i === 0 ? regions.primary : regions.secondary} (${[...KINDS].join(', ')})`,
    );
  }

  // The contexts the scripts use, each through an endpoint that can be cut (the region is lost).
  const endpoints: Endpoint[] = [];
  const clusters: DrCluster[] = [];
  const kubeconfig = path.join(work, 'kubeconfig');
  const contexts: string[] = [];
  for (const [i, cp] of planes.entries()) {
    const region = i === 0 ? regions.primary : regions.secondary;
    const cluster = i === 0 ? f.primaryCluster : f.secondaryCluster;
    const context = `do-${region}-${cluster}`;
    const own = fs.readFileSync(cp.kubeconfig, 'utf8');
    const endpoint = new Endpoint(Number(/server: https:\/\/127\.0\.0\.1:(\d+)/.exec(own)![1]));
    await endpoint.up();
    endpoints.push(endpoint);
    const field = (k: string) => new RegExp(`${k}: (\\S+)`).exec(own)![1];
    contexts.push(`- name: ${context}\n  context:\n    cluster: ${context}\n    user: ${context}-admin`);
    fs.appendFileSync(
      path.join(work, 'clusters.yaml'),
      `- name: ${context}\n  cluster:\n    server: https://127.0.0.1:${endpoint.port}\n    certificate-authority-data: ${field('certificate-authority-data')}\n`,
    );
    fs.appendFileSync(
      path.join(work, 'users.yaml'),
      `- name: ${context}-admin\n  user:\n    client-certificate-data: ${field('client-certificate-data')}\n    client-key-data: ${field('client-key-data')}\n`,
    );
    clusters.push({ kube: new Kube(cp.name, cp.kubeconfig), context, namespace: f.namespace, up: () => endpoint.isUp });
  }
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      fs.readFileSync(path.join(work, 'clusters.yaml'), 'utf8').trimEnd(),
      'users:',
      fs.readFileSync(path.join(work, 'users.yaml'), 'utf8').trimEnd(),
      'contexts:',
      ...contexts,
      `current-context: ${contexts.length ? /name: (\S+)/.exec(contexts[0])![1] : ''}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  // What a running HorizontalPodAutoscaler leaves: each target at the autoscaler's minimum.
  for (const [key, min] of hpaMin) {
    const [name, kind, target] = key.split('/');
    const cp = planes.find((p) => p.name === name)!;
    const r = kubectl(cp, [
      'scale',
      '--namespace',
      f.namespace,
      `${kind === 'Rollout' ? 'rollouts.argoproj.io' : kind.toLowerCase()}/${target}`,
      `--replicas=${min}`,
    ]);
    if (r.status !== 0) problems.push(`[${name}] scale ${kind}/${target}: ${r.stderr.trim()}`);
  }

  const controllers = new DrControllers(clusters, motoEntries(awsEnv.AWS_ENDPOINT_URL, f.secretsRegion), {
    externalSecrets: broken !== 'no-external-secrets',
    rollouts: true,
    kubelet: true,
  });
  controllers.start();
  const standIn = new StandIn(world, clusters, controllers);
  await standIn.listen();
  const binDir = path.join(work, 'bin');
  fs.mkdirSync(binDir);
  standIn.install(binDir, path.join(bin, 'kubectl'));
  fs.symlinkSync(aws, path.join(binDir, 'aws'));
  const env: NodeJS.ProcessEnv = {
    ...awsEnv,
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: work,
    KUBECONFIG: kubeconfig,
    KUBECACHEDIR: path.join(work, 'kube-cache'),
    SIM_PORT: String(standIn.port),
    SIM_WORLD: '-',
    SIM_SPEC: '-',
    SIM_LOG: '-',
    POLL_SECONDS: '1',
  };

  // The scripts as generated, or a broken copy (--break).
  const scripts = path.join(work, 'scripts');
  fs.mkdirSync(scripts);
  for (const s of ['failover.sh', 'failback.sh']) {
    let text = fs.readFileSync(path.join(scriptsDir, s), 'utf8');
    if (broken === 'strategic-patch') text = text.replaceAll('--type merge', '--type strategic');
    if (broken === 'wrong-entry') text = text.replaceAll(f.connectionEntries.secondary, `${f.connectionEntries.secondary}-typo`);
    fs.writeFileSync(path.join(scripts, s), text, { mode: 0o755 });
  }
  if (broken) log(`  --break=${broken}: this run must fail`);

  const check = new StateCheck(clusters, motoEntries(awsEnv.AWS_ENDPOINT_URL, f.secretsRegion), f, standIn, controllers, problems);
  await check.settled('the healthy pair');
  await check.recordReplicas();
  const step = async (label: string, script: string, scriptArgs: string[], wantExit: number) => {
    const t = Date.now();
    standIn.world.mutations = 0;
    const r = await bash(path.join(scripts, script), scriptArgs, env);
    log(
      `  ${label}: ${script} ${scriptArgs.join(' ')} exited ${r.status} in ${since(t)} s (${standIn.world.mutations} DigitalOcean changes)`,
    );
    if (args.includes('--trace')) log(r.stdout + r.stderr);
    // Every context the scripts name is in the kubeconfig: a warning that one is missing is false.
    for (const w of r.stderr.match(/^warning: no kubectl context .*/gm) ?? []) problems.push(`${label}: ${script}: false ${w}`);
    if (r.status !== wantExit) {
      problems.push(
        `${label}: ${script} exited ${r.status}, expected ${wantExit}:\n${(r.stdout + r.stderr).split('\n').slice(-25).join('\n')}`,
      );
      return false;
    }
    await check.settled(label);
    return true;
  };

  // Self-test: what the JSON world lets through, the real engines refuse.
  if (!broken) await check.selfTest(env);

  // 1. The primary region is lost.
  standIn.world.regions[regions.primary].up = false;
  await endpoints[0].down();
  if (await step('primary region lost', 'failover.sh', ['--execute'], 3)) await expectState(check, 'after-failover');
  // 2. It comes back: the old side's writers are stopped, the run finishes.
  await endpoints[0].up();
  standIn.world.regions[regions.primary].up = true;
  if (problems.length === 0 && (await step('the lost region is back', 'failover.sh', ['--execute'], 0)))
    await expectState(check, 'after-heal');
  // 3. Once more: nothing changes anywhere.
  if (problems.length === 0) {
    const before = await snapshot(check);
    if (await step('failover once more', 'failover.sh', ['--execute'], 0)) {
      const after = await snapshot(check);
      const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
      if (changed.length || standIn.world.mutations)
        problems.push(`failover once more changed ${standIn.world.mutations} DigitalOcean object(s) and: ${changed.join(', ')}`);
      else log(`  failover once more: no change (${Object.keys(after).length} objects' resourceVersions and entry versions compared)`);
    }
  }
  // 4. Fail-back.
  if (problems.length === 0 && (await step('fail-back prepare', 'failback.sh', ['--stage=prepare', '--execute'], 0)))
    await expectState(check, 'after-prepare');
  if (problems.length === 0 && (await step('fail-back switch', 'failback.sh', ['--stage=switch', '--execute'], 0)))
    await expectState(check, 'after-switch');

  if (args.includes('--trace')) log(`stand-in calls:\n${standIn.calls.join('\n')}`);
  await controllers.stop();
  problems.push(...controllers.errors.map((e) => `controllers: ${e}`));
  standIn.close();
  clusters.forEach((c) => c.kube.close());
  await Promise.all(endpoints.map((e) => e.down()));
  for (const cp of planes) await cp.stop();
  fs.rmSync(work, { recursive: true, force: true });
  const writes = clusters.map((c) => `${c.context} ${c.kube.writes}`).join(', ');
  const summary = `verify:dr: ${problems.length} problem(s) in ${since(t0)} s; ${standIn.calls.length} stand-in calls, reconciler writes ${writes}, ${controllers.ticks} ticks`;
  if (broken) {
    // A negative control: the run must fail. Its problems are printed; the exit code says whether it failed (0) or
    // let the broken variant through (1).
    for (const p of problems) console.error(`✗ ${p}`);
    log(summary);
    if (problems.length === 0) {
      console.error(`✗ --break=${broken}: verify:dr passed the broken variant: it cannot see this class`);
      process.exit(1);
    }
    log(`--break=${broken}: verify:dr failed on the broken variant, as it must (${problems.length} problem(s) above)`);
    process.exit(0);
  }
  await finish(problems, summary, log);
  // Done: exit rather than wait for the event loop to drain. A relay or the stand-in can keep a socket of the scripts'
  // last calls open (a CI run on a busy machine waited past its own end for it).
  process.exit(0);
}

if (require.main === module) runMain(main);
