/**
 * `npm run verify:tf`: the synthesized Terraform JSON on Terraform itself, with the real providers, offline.
 *
 * 1. Unpacks the pinned providers (../shared/real-engines/terraform-providers, checked against SHA256SUMS) into a
 *    filesystem mirror, and for every stack under cdktf.out/stacks/ runs `terraform init -backend=false` and
 *    `terraform validate -json` in a scratch copy. Any error or warning fails.
 *    The AWS provider is a stand-in: 6.25.0 (what @cdktf/provider-aws 21.22.1 binds) cannot be fetched or built
 *    here, so the scratch copy pins 6.47.1, whose schema is a superset for what the stacks use.
 * 2. Plans and applies every AWS stack against moto (a local AWS API on 127.0.0.1, through its HTTPS proxy so the
 *    provider talks to the real endpoint names). An error moto gives on purpose is ours and fails; an error that
 *    comes from something moto does not implement is listed in moto-gaps.ts, reported, and does not fail.
 * 3. Self-test: a stack with an unknown attribute and one with a /33 CIDR must fail validation.
 *
 *   npm run verify:tf [-- --out cdktf.out] [-- --no-apply]
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  cacheDir,
  finish,
  freePort,
  realEnginesDir,
  REPO,
  run,
  runAsync,
  runMain,
  since,
  sleep,
  startProcess,
  stopProcess,
  VERSIONS,
} from './engines';
import { Diagnostic, MOTO_GAPS, motoGapOf } from './moto-gaps';

const log = (m: string) => console.log(m);

type Json = Record<string, unknown>;

const PROVIDERS = [
  { source: 'hashicorp/aws', type: 'aws', version: VERSIONS.awsProvider },
  { source: 'digitalocean/digitalocean', type: 'digitalocean', version: VERSIONS.digitaloceanProvider },
];

/** Unpacks the providers into a filesystem mirror (once per machine) and writes a CLI config that uses only it. */
export function ensureProviderMirror(): string {
  const source = path.join(realEnginesDir(), 'terraform-providers');
  const mirror = cacheDir('terraform-mirror');
  const sums = new Map(
    fs
      .readFileSync(path.join(source, 'SHA256SUMS'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.trim().split(/\s+/).reverse() as [string, string]),
  );
  for (const p of PROVIDERS) {
    const xz = `terraform-provider-${p.type}_v${p.version}_linux_amd64.xz`;
    const dir = path.join(mirror, 'registry.terraform.io', p.source, p.version, 'linux_amd64');
    const bin = path.join(dir, `terraform-provider-${p.type}_v${p.version}`);
    const stamp = `${bin}.sha256-of-xz`;
    const want = sums.get(xz);
    if (!want) throw new Error(`${xz} is not listed in ${source}/SHA256SUMS`);
    if (fs.existsSync(bin) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) continue;
    const got = createHash('sha256')
      .update(fs.readFileSync(path.join(source, xz)))
      .digest('hex');
    if (got !== want) throw new Error(`${xz}: sha256 ${got} does not match SHA256SUMS (${want})`);
    fs.mkdirSync(dir, { recursive: true });
    const r = run('bash', ['-c', `xz -dc "$1" > "$2.tmp" && chmod +x "$2.tmp" && mv "$2.tmp" "$2"`, '_', path.join(source, xz), bin]);
    if (r.status !== 0) throw new Error(`unpacking ${xz} failed: ${r.stderr}`);
    fs.writeFileSync(stamp, want);
  }
  const config = path.join(mirror, 'terraformrc');
  fs.writeFileSync(
    config,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  return config;
}

/** The stack JSON as validated here: the AWS provider pinned to the stand-in; optionally without its backend. */
export function scratchConfig(stack: Json, options: { dropBackend?: boolean } = {}): Json {
  const copy = JSON.parse(JSON.stringify(stack)) as Json;
  const terraform = (copy.terraform ?? {}) as Json;
  const providers = (terraform.required_providers ?? {}) as Record<string, Json>;
  if (providers.aws) providers.aws.version = VERSIONS.awsProvider;
  if (options.dropBackend) delete terraform.backend;
  return copy;
}

/** Diagnostics of `terraform validate -json`. */
export function validateDiagnostics(stdout: string): Diagnostic[] {
  const parsed = JSON.parse(stdout) as { diagnostics?: Array<Diagnostic & { range?: { filename?: string } }> };
  return (parsed.diagnostics ?? []).map((d) => ({ severity: d.severity, summary: d.summary, detail: d.detail }));
}

/** Diagnostics from the JSON lines of `terraform plan|apply -json`. */
export function streamDiagnostics(stdout: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line) as { type?: string; diagnostic?: Diagnostic };
    if (msg.type === 'diagnostic' && msg.diagnostic) {
      const d = msg.diagnostic;
      out.push({ severity: d.severity, summary: d.summary, detail: d.detail, address: d.address });
    }
  }
  return out;
}

/** Resources the apply created, from the JSON lines of `terraform apply -json`. */
function appliedCount(stdout: string): number {
  return stdout.split('\n').filter((l) => l.includes('"type":"apply_complete"')).length;
}

const TF_ENV = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };

function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): ReturnType<typeof run> {
  return run('terraform', args, { cwd: dir, env: { ...TF_ENV, ...env } });
}

function terraformAsync(dir: string, args: string[], env: NodeJS.ProcessEnv): ReturnType<typeof runAsync> {
  return runAsync('terraform', args, { cwd: dir, env: { ...TF_ENV, ...env } });
}

/** init + validate of one stack JSON; returns problem lines (errors and warnings). */
function validateStack(name: string, stack: Json, cliConfig: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-tf-${name}-`));
  try {
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(scratchConfig(stack), null, 2));
    const env = { TF_CLI_CONFIG_FILE: cliConfig };
    const init = terraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], env);
    if (init.status !== 0) return [`${name}: terraform init failed: ${init.stderr.trim() || init.stdout.trim()}`];
    const validate = terraform(dir, ['validate', '-json', '-no-color'], env);
    return validateDiagnostics(validate.stdout).map(
      (d) => `${name}: validate ${d.severity}: ${d.summary}${d.detail ? `: ${d.detail}` : ''}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A virtualenv with moto[server] (once per machine). */
function ensureMoto(): string {
  const venv = cacheDir('moto-venv', VERSIONS.moto);
  const python = path.join(venv, 'bin', 'python');
  if (fs.existsSync(path.join(venv, '.installed'))) return python;
  const t0 = Date.now();
  let r = run('python3', ['-m', 'venv', venv]);
  if (r.status === 0)
    r = run(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${VERSIONS.moto}`]);
  if (r.status !== 0) throw new Error(`installing moto[server]==${VERSIONS.moto} failed: ${r.stderr}`);
  fs.writeFileSync(path.join(venv, '.installed'), VERSIONS.moto);
  log(`  moto ${VERSIONS.moto} installed in ${since(t0)} s`);
  return python;
}

interface ApplyResult {
  readonly ours: string[];
  readonly gaps: string[];
  readonly created: number;
  readonly planned: number;
}

/**
 * plan + apply of one AWS stack against its own moto, with its errors sorted into ours and moto's. Each stack gets a
 * fresh moto: moto gives every RDS instance the same DbiResourceId (moto/rds/models.py), so a second stack's
 * database would be found as the first's.
 */
async function applyStack(name: string, stack: Json, cliConfig: string, python: string): Promise<ApplyResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-tf-apply-${name}-`));
  const proxy = await startMoto(python, name);
  try {
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(scratchConfig(stack, { dropBackend: true }), null, 2));
    // Fake credentials; max_retries keeps a failing call from retrying for minutes.
    fs.writeFileSync(
      path.join(dir, 'moto_override.tf.json'),
      JSON.stringify({ provider: { aws: [{ access_key: 'moto', secret_key: 'moto', max_retries: 5 }] } }),
    );
    const env = { TF_CLI_CONFIG_FILE: cliConfig, HTTPS_PROXY: proxy.url, AWS_CA_BUNDLE: proxy.ca, NO_PROXY: '' };
    const init = await terraformAsync(dir, ['init', '-backend=false', '-input=false', '-no-color'], env);
    if (init.status !== 0) return { ours: [`${name}: terraform init failed: ${init.stderr.trim()}`], gaps: [], created: 0, planned: 0 };
    const plan = await terraformAsync(dir, ['plan', '-input=false', '-json', '-out=plan.bin'], env);
    const planned = plan.stdout.split('\n').filter((l) => l.includes('"type":"planned_change"')).length;
    const problems = streamDiagnostics(plan.stdout).filter((d) => d.severity === 'error');
    if (plan.status !== 0 || problems.length) {
      return { ours: problems.map((d) => `${name}: plan: ${d.summary}: ${d.detail ?? ''}`), gaps: [], created: 0, planned };
    }
    const apply = await terraformAsync(dir, ['apply', '-input=false', '-json', 'plan.bin'], env);
    const ours: string[] = [];
    const gaps: string[] = [];
    for (const d of streamDiagnostics(apply.stdout)) {
      const gap = motoGapOf(d);
      const line = `${name}: ${d.address ?? ''} ${d.severity}: ${d.summary}${d.detail ? `: ${d.detail.replace(/\s+/g, ' ').slice(0, 400)}` : ''}`;
      if (d.severity === 'warning') ours.push(line);
      else if (gap) gaps.push(`${name}: ${d.address}: ${gap.api} (${gap.reason})`);
      else ours.push(line);
    }
    if (apply.status !== 0 && ours.length === 0 && gaps.length === 0)
      ours.push(`${name}: apply failed without a diagnostic: ${apply.stderr.trim()}`);
    return { ours, gaps, created: appliedCount(apply.stdout), planned };
  } finally {
    await proxy.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function startMoto(python: string, name: string): Promise<{ url: string; ca: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const proxy = startProcess(`moto proxy ${name}`, python, [path.join(__dirname, 'moto_proxy.py'), '-H', '127.0.0.1', '-p', String(port)], {
    // AWS managed policies (arn:aws:iam::aws:policy/...) exist only when loaded: attaching a misspelled one fails.
    MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
  });
  const ca = run(python, [
    '-c',
    'import moto.moto_proxy, os; print(os.path.join(os.path.dirname(moto.moto_proxy.__file__), "ca.crt"))',
  ]).stdout.trim();
  const deadline = Date.now() + 30_000;
  while (!/Serving HTTP Proxy/.test(proxy.output())) {
    if (Date.now() > deadline || proxy.child.exitCode !== null) throw new Error(`moto proxy did not start:\n${proxy.output()}`);
    await sleep(200);
  }
  log(`  moto ${VERSIONS.moto} proxy for ${name} on 127.0.0.1:${port} (pid ${proxy.child.pid})`);
  return { url: `http://127.0.0.1:${port}`, ca, stop: () => stopProcess(proxy) };
}

/** The checker's own test: a broken stack must fail validation. */
function selfTest(stacks: Array<{ name: string; json: Json }>, cliConfig: string): string[] {
  const aws = stacks.find((s) => (s.json.resource as Json | undefined)?.aws_vpc);
  if (!aws) return ['[self-test] no stack with an aws_vpc to break'];
  const problems: string[] = [];
  const mutate = (f: (vpc: Json) => void): Json => {
    const copy = JSON.parse(JSON.stringify(aws.json)) as Json;
    const vpcs = (copy.resource as Record<string, Record<string, Json>>).aws_vpc;
    f(vpcs[Object.keys(vpcs)[0]]);
    return copy;
  };
  const cases: Array<[string, Json, RegExp]> = [
    ['unknown attribute', mutate((v) => (v.no_such_attribute = true)), /Unsupported argument|no_such_attribute/],
    ['/33 CIDR', mutate((v) => (v.cidr_block = '10.0.0.0/33')), /cidr|CIDR/],
  ];
  for (const [label, json, expect] of cases) {
    const found = validateStack(`self-test-${label.replace(/[^a-z0-9]+/gi, '-')}`, json, cliConfig);
    if (!found.some((p) => expect.test(p))) problems.push(`[self-test] ${label}: terraform validate let it through`);
    else log(`  self-test: ${label}: refused (${found[0].slice(0, 140)}…)`);
  }
  return problems;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const out = path.resolve(REPO, i >= 0 ? args[i + 1] : 'cdktf.out');
  const t0 = Date.now();
  const version = run('terraform', ['version', '-json']);
  if (version.status !== 0) throw new Error('terraform is not installed (Terraform >= 1.10 is needed)');
  log(
    `verify:tf: terraform ${JSON.parse(version.stdout).terraform_version}, aws ${VERSIONS.awsProvider} (stand-in), digitalocean ${VERSIONS.digitaloceanProvider}, moto ${VERSIONS.moto}`,
  );
  const cliConfig = ensureProviderMirror();
  const stacksDir = path.join(out, 'stacks');
  if (!fs.existsSync(stacksDir)) throw new Error(`no stacks under ${stacksDir} (run npm run synth first)`);
  const stacks = fs
    .readdirSync(stacksDir)
    .sort()
    .map((name) => ({ name, json: JSON.parse(fs.readFileSync(path.join(stacksDir, name, 'cdk.tf.json'), 'utf8')) as Json }));
  const problems: string[] = [];
  for (const s of stacks) {
    const t = Date.now();
    const found = validateStack(s.name, s.json, cliConfig);
    problems.push(...found);
    log(`  validate ${s.name}: ${found.length ? `${found.length} problems` : 'valid, no warnings'} (${since(t)} s)`);
  }
  problems.push(...selfTest(stacks, cliConfig));

  if (!args.includes('--no-apply')) {
    // Stacks on AWS alone: the DR stack's secret entries take their values from DigitalOcean resources, which
    // nothing here can create, so it is validated, not applied.
    const providersOf = (s: { json: Json }) => ((s.json.terraform as Json)?.required_providers as Json | undefined) ?? {};
    const awsStacks = stacks.filter((s) => providersOf(s).aws && !providersOf(s).digitalocean);
    const python = ensureMoto();
    // The stacks apply at once, each on its own moto: applies mostly wait on the provider's polling.
    const results = await Promise.all(
      awsStacks.map(async (s) => {
        const t = Date.now();
        return { s, r: await applyStack(s.name, s.json, cliConfig, python), seconds: since(t) };
      }),
    );
    for (const { s, r, seconds } of results) {
      problems.push(...r.ours);
      for (const g of r.gaps) log(`  moto gap: ${g}`);
      log(
        `  apply ${s.name} on moto: ${r.created}/${r.planned} resources created, ${r.ours.length} errors of ours, ${r.gaps.length} from moto gaps (${seconds} s)`,
      );
    }
    log(`  moto gaps known: ${MOTO_GAPS.map((g) => g.api).join('; ')}`);
  }
  await finish(problems, `verify:tf: ${stacks.length} stacks, ${problems.length} problems, ${since(t0)} s`, log);
}

if (require.main === module) runMain(main);
