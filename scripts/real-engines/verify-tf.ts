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
  withCacheLock,
  comparePinnedList,
} from './engines';
import { Diagnostic, MOTO_GAPS } from './moto-gaps';
import { accountApply, accountPlan, ApplyAccount, notExercisedLines } from './tf-account';

const log = (m: string) => console.log(m);

type Json = Record<string, unknown>;

const PROVIDERS = [
  { source: 'hashicorp/aws', type: 'aws', version: VERSIONS.awsProvider },
  { source: 'digitalocean/digitalocean', type: 'digitalocean', version: VERSIONS.digitaloceanProvider },
];

/** Unpacks the providers into a filesystem mirror (once per machine) and writes a CLI config that uses only it. */
export function ensureProviderMirror(): string {
  return withCacheLock('terraform-mirror', unpackProviders);
}

function unpackProviders(): string {
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

const TF_ENV = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };

function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): ReturnType<typeof run> {
  return run('terraform', args, { cwd: dir, env: { ...TF_ENV, ...env } });
}

export function terraformAsync(dir: string, args: string[], env: NodeJS.ProcessEnv): ReturnType<typeof runAsync> {
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
export function ensureMoto(): string {
  return withCacheLock('moto-venv', installMoto);
}

function installMoto(): string {
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

/**
 * plan + apply of one AWS stack against its own moto, with its errors sorted into ours and moto's. Each stack gets a
 * fresh moto: moto gives every RDS instance the same DbiResourceId (moto/rds/models.py), so a second stack's
 * database would be found as the first's.
 */
async function applyStack(
  name: string,
  stack: Json,
  cliConfig: string,
  python: string,
  options: { terraformPath?: string } = {},
): Promise<ApplyAccount> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-tf-apply-${name}-`));
  const proxy = await startMoto(python, name);
  try {
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(scratchConfig(stack, { dropBackend: true }), null, 2));
    // Fake credentials; max_retries keeps a failing call from retrying for minutes.
    fs.writeFileSync(
      path.join(dir, 'moto_override.tf.json'),
      JSON.stringify({ provider: { aws: [{ access_key: 'moto', secret_key: 'moto', max_retries: 5 }] } }),
    );
    const env = {
      TF_CLI_CONFIG_FILE: cliConfig,
      HTTPS_PROXY: proxy.url,
      AWS_CA_BUNDLE: proxy.ca,
      NO_PROXY: '',
      // The self-test puts a stand-in `terraform` first on the PATH.
      ...(options.terraformPath ? { PATH: `${options.terraformPath}:${process.env.PATH}` } : {}),
    };
    const init = await terraformAsync(dir, ['init', '-backend=false', '-input=false', '-no-color'], env);
    if (init.status !== 0) {
      return { planned: [], created: [], gaps: [], notAttempted: [], problems: [`${name}: terraform init failed: ${init.stderr.trim()}`] };
    }
    const plan = await terraformAsync(dir, ['plan', '-input=false', '-json', '-out=plan.bin'], env);
    const planned = accountPlan(name, stack, plan);
    if (planned.problems.length > 0) return { ...planned, created: [], gaps: [], notAttempted: [] };
    const apply = await terraformAsync(dir, ['apply', '-input=false', '-json', 'plan.bin'], env);
    return accountApply(name, stack, plan, apply);
  } finally {
    await proxy.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function startMoto(python: string, name: string): Promise<{ url: string; ca: string; stop: () => Promise<void> }> {
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

const NOT_EXERCISED_FILE = path.join(REPO, 'test', 'real-engines', 'not-exercised.txt');

/**
 * The resources that never reached moto, against the pinned list: a new one (a resource the emulator never saw)
 * fails until someone looks at it and pins it (`-- --update-not-exercised`), and so does one that is exercised now.
 */
function comparePinned(found: string[], update: boolean): string[] {
  const header =
    '# Resources of the AWS stacks that `npm run verify:tf` cannot exercise on moto, with the reason (refused at a known moto gap,\n# or not sent because something they depend on was). Pinned: a change fails the run. Regenerate: npm run verify:tf -- --update-not-exercised\n';
  return comparePinnedList(NOT_EXERCISED_FILE, header, found, update, log);
}

/**
 * The apply stage's own test, each case a defect it exists to catch: a plan and an apply that fail without saying
 * why (a stand-in \`terraform\` that exits 1 silently at that command), and a request moto refuses on purpose, as
 * AWS would (S3 access logging into a bucket that does not grant the logging service: InvalidTargetBucketForLogging).
 */
async function applySelfTest(cliConfig: string, python: string): Promise<string[]> {
  const problems: string[] = [];
  const real = run('bash', ['-c', 'command -v terraform']).stdout.trim();
  const bucket = (name: string) => ({ bucket: name, force_destroy: true });
  const tiny: Json = {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: VERSIONS.awsProvider } } },
    provider: { aws: [{ region: 'eu-central-1' }] },
    resource: {
      aws_s3_bucket: { Data: bucket('verify-self-test-data'), Logs: bucket('verify-self-test-logs') },
      aws_s3_bucket_logging: {
        Logging: { bucket: '${aws_s3_bucket.Data.id}', target_bucket: '${aws_s3_bucket.Logs.id}', target_prefix: 'data/' },
      },
    },
  };
  const cases: Array<{ label: string; failAt?: 'plan' | 'apply'; expect: RegExp }> = [
    { label: 'a plan that fails without a diagnostic', failAt: 'plan', expect: /plan failed \(exit 1\) without a diagnostic/ },
    { label: 'an apply that fails without a diagnostic', failAt: 'apply', expect: /apply failed \(exit 1\) without a diagnostic/ },
    { label: 'a request moto refuses on purpose', expect: /InvalidTargetBucketForLogging/ },
  ];
  for (const c of cases) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-tf-standin-'));
    try {
      if (c.failAt) {
        fs.writeFileSync(
          path.join(dir, 'terraform'),
          `#!/bin/sh\nif [ "$1" = ${c.failAt} ]; then exit 1; fi\nexec ${JSON.stringify(real)} "$@"\n`,
          { mode: 0o755 },
        );
      }
      const r = await applyStack(`self-test`, tiny, cliConfig, python, c.failAt ? { terraformPath: dir } : {});
      const caught = r.problems.find((p) => c.expect.test(p));
      if (!caught)
        problems.push(`[self-test] ${c.label}: the apply stage let it through (${r.problems.join('; ') || 'no problem reported'})`);
      else log(`  self-test: ${c.label}: caught (${caught.slice(0, 140)}…)`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
  const summary: string[] = [];
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
    const notExercised: string[] = [];
    for (const { s, r, seconds } of results) {
      problems.push(...r.problems);
      notExercised.push(...notExercisedLines(s.name, r));
      log(
        `  apply ${s.name} on moto: ${r.planned.length} planned: ${r.created.length} created, ${r.gaps.length} refused at moto gaps, ` +
          `${r.notAttempted.length} not sent (after a gap), ${r.problems.length} problems of ours (${seconds} s)`,
      );
    }
    log(`  moto gaps known: ${MOTO_GAPS.map((g) => g.api).join('; ')}`);
    for (const l of notExercised) log(`  not exercised: ${l}`);
    problems.push(...comparePinned(notExercised, args.includes('--update-not-exercised')));
    problems.push(...(await applySelfTest(cliConfig, python)));
    summary.push(
      `${results.reduce((n, x) => n + x.r.created.length, 0)} resources created on moto`,
      `${notExercised.length} not exercised (listed, pinned)`,
    );
  }
  await finish(
    problems,
    `verify:tf: ${problems.length ? `${problems.length} failed` : 'passed'}: ${stacks.length} stacks validated${summary.length ? `; ${summary.join('; ')}` : ''}; ${since(t0)} s`,
    log,
  );
}

if (require.main === module) runMain(main);
