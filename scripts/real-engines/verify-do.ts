/**
 * `npm run verify:do`: the DigitalOcean DR stack (cdktf.out/stacks/samokoder-dr) applied with the real provider
 * (terraform-provider-digitalocean 2.71.0) against a local stand-in of the DigitalOcean API that checks every request
 * against DigitalOcean's published OpenAPI description and keeps state (do-api.ts, do-openapi.ts).
 *
 * - The stack's AWS part (Secrets Manager, KMS, IAM) goes to moto through its HTTPS proxy, as in verify:tf; Spaces
 *   (S3-compatible) goes to moto's S3 through the stand-in (see do-api.ts).
 * - Every planned resource is created, or refused at a listed moto gap, or listed as not exercised (pinned in
 *   test/real-engines/do-not-exercised.txt; a new one fails). Any request the description refuses fails.
 * - A second `terraform plan` after the apply must show no changes: a change is drift (the stand-in answers
 *   otherwise than it was told, or the configuration and the provider disagree).
 * - Self-test: copies of the stack, each with one defect DigitalOcean would refuse but Terraform lets through
 *   (an invalid database firewall rule type, a value outside an enum, a missing required field), must fail.
 *
 * It is a script of its own rather than a stage of verify:tf: the two need different emulators and run side by side
 * in CI (each mostly waits on the provider's pollers).
 *
 *   npm run verify:do [-- --out cdktf.out] [-- --update-not-exercised] [-- --trace (one line per request)] [-- --no-self-test]
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { DoApiStandIn } from './do-api';
import { DESCRIPTION_GAPS } from './do-gaps';
import { DoOpenApi } from './do-openapi';
import { cacheDir, finish, freePort, realEnginesDir, REPO, run, runMain, since, VERSIONS, comparePinnedList } from './engines';
import { accountApply, accountPlan, ApplyAccount, notExercisedLines, TfRun } from './tf-account';
import { ensureMoto, ensureProviderMirror, scratchConfig, startMoto, terraformAsync } from './verify-tf';

const log = (m: string) => console.log(m);
type Json = Record<string, unknown>;

const DR_STACK = 'samokoder-dr';
const NOT_EXERCISED_FILE = path.join(REPO, 'test', 'real-engines', 'do-not-exercised.txt');

/** The description unpacked once per machine (keyed by the archive's sha256), as the other engines are cached. */
export function specDir(): string {
  const source = path.join(realEnginesDir(), 'digitalocean-openapi');
  const tar = path.join(source, 'digitalocean-openapi.tar.xz');
  const sha = createHash('sha256').update(fs.readFileSync(tar)).digest('hex').slice(0, 16);
  const dir = cacheDir('digitalocean-openapi', sha);
  const spec = path.join(dir, 'digitalocean-openapi', 'specification');
  if (!fs.existsSync(path.join(dir, '.unpacked'))) {
    const r = run('tar', ['xJf', tar, '-C', dir]);
    if (r.status !== 0) throw new Error(`unpacking ${tar} failed: ${r.stderr}`);
    fs.writeFileSync(path.join(dir, '.unpacked'), sha);
  }
  return spec;
}

export function loadDescription(): DoOpenApi {
  const dir = specDir();
  return new DoOpenApi((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** Sends a Spaces request (plain-HTTP proxy form, virtual-hosted bucket) to moto's S3, path-style, through its proxy. */
export function spacesForwarder(motoProxy: string) {
  const proxy = new URL(motoProxy);
  return {
    forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
      const u = new URL(req.url!);
      // <bucket>.<region>.spaces.invalid is virtual-hosted; <region>.spaces.invalid/<bucket> is path-style (the SDK
      // sends GetBucketLocation so).
      const labels = u.hostname.split('.');
      const prefix = labels.length > 3 ? `/${labels[0]}` : '';
      const target = `http://s3.amazonaws.com${prefix}${prefix && u.pathname === '/' ? '' : u.pathname}${u.search}`;
      // A fixed length: moto's proxy waits for the end of a chunked body that an empty request never sends.
      const headers: http.OutgoingHttpHeaders = { ...req.headers, host: 's3.amazonaws.com', 'content-length': body.length };
      delete headers['transfer-encoding'];
      delete headers['proxy-connection'];
      const out = http.request({ host: proxy.hostname, port: Number(proxy.port), method: req.method, path: target, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      out.end(body);
    },
  };
}

export interface DoApply {
  readonly account: ApplyAccount;
  readonly requests: number;
  readonly refused: string[];
  /** Refusals let through as the description's own defects (do-gaps.ts). */
  readonly gapHits: string[];
  /** DigitalOcean resources the plan after the apply would change (problems). */
  readonly drift: string[];
  /** AWS resources (on moto) it would change: printed, not failed (see driftOf). */
  readonly motoDrift: string[];
}

/** init, plan, apply and a second plan of one stack JSON against a fresh stand-in and moto. */
async function applyDo(
  name: string,
  stack: Json,
  cliConfig: string,
  python: string,
  api: DoOpenApi,
  options: { targets?: string[] } = {},
): Promise<DoApply> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-do-${name}-`));
  const moto = await startMoto(python, name);
  const standIn = new DoApiStandIn(api, spacesForwarder(moto.url));
  const trace = process.argv.includes('--trace');
  if (trace) standIn.trace = (l) => log(`    [${name}] ${l}`);
  const port = await freePort();
  await standIn.listen(port);
  try {
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(scratchConfig(stack, { dropBackend: true }), null, 2));
    fs.writeFileSync(
      path.join(dir, 'standin_override.tf.json'),
      JSON.stringify({
        provider: {
          aws: [{ access_key: 'moto', secret_key: 'moto', max_retries: 5 }],
          digitalocean: [
            {
              token: 'stand-in',
              api_endpoint: `http://127.0.0.1:${port}`,
              // Virtual-hosted Spaces URLs reach the stand-in as a plain-HTTP proxy (HTTP_PROXY below).
              spaces_endpoint: 'http://{{.Region}}.spaces.invalid',
              spaces_access_id: 'stand-in',
              spaces_secret_key: 'stand-in',
            },
          ],
        },
      }),
    );
    const env = {
      TF_CLI_CONFIG_FILE: cliConfig,
      HTTPS_PROXY: moto.url,
      HTTP_PROXY: `http://127.0.0.1:${port}`,
      AWS_CA_BUNDLE: moto.ca,
      NO_PROXY: '',
    };
    const targets = (options.targets ?? []).map((t) => `-target=${t}`);
    const empty = (problems: string[]): DoApply => ({
      account: { planned: [], created: [], gaps: [], notAttempted: [], problems },
      requests: standIn.requests.length,
      refused: standIn.problems,
      gapHits: standIn.gapHits,
      drift: [],
      motoDrift: [],
    });
    const init = await terraformAsync(dir, ['init', '-backend=false', '-input=false', '-no-color'], env);
    if (init.status !== 0) return empty([`${name}: terraform init failed: ${init.stderr.trim()}`]);
    const plan = await terraformAsync(dir, ['plan', '-input=false', '-json', '-out=plan.bin', ...targets], env);
    const planned = accountPlan(name, stack, withoutTargetWarning(plan, targets));
    if (planned.problems.length) return empty(planned.problems);
    const apply = await terraformAsync(dir, ['apply', '-input=false', '-json', 'plan.bin'], env);
    const account = accountApply(name, stack, withoutTargetWarning(plan, targets), withoutTargetWarning(apply, targets));
    let drift = { ours: [] as string[], moto: [] as string[] };
    if (account.problems.length === 0 && !targets.length) {
      drift = driftOf(name, await terraformAsync(dir, ['plan', '-input=false', '-json', '-detailed-exitcode', '-out=again.bin'], env));
      // Which attributes would change, so a drift says what the stand-in or the configuration got wrong.
      if (drift.ours.length && fs.existsSync(path.join(dir, 'again.bin'))) {
        const shown = await terraformAsync(dir, ['show', '-json', 'again.bin'], env);
        drift.ours.push(...changedAttributes(name, shown.stdout));
      }
    }
    return {
      account,
      requests: standIn.requests.length,
      refused: standIn.problems,
      gapHits: standIn.gapHits,
      drift: drift.ours,
      motoDrift: drift.moto,
    };
  } finally {
    if (process.env.VERIFY_DO_REQUESTS)
      fs.writeFileSync(`${process.env.VERIFY_DO_REQUESTS}.${name}.json`, JSON.stringify(standIn.requests, null, 1));
    await standIn.close();
    await moto.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `-target` makes Terraform warn that the plan is partial: expected in the self-test, so not a problem there. */
function withoutTargetWarning(r: TfRun, targets: string[]): TfRun {
  if (!targets.length) return r;
  const stdout = r.stdout
    .split('\n')
    .filter((l) => !/"type":"diagnostic"/.test(l) || !/Resource targeting is in effect|Applied changes may be incomplete/.test(l))
    .join('\n');
  return { ...r, stdout };
}

/**
 * The changes a plan after the apply would make (exit 2 of -detailed-exitcode), one line per resource. Only the
 * DigitalOcean resources are held to it: they are what the stand-in answers for. The AWS part answers from moto, whose
 * round trip of tags and policy documents verify:tf does not check either; its changes are returned apart, printed,
 * not failed (and the second plan's errors for AWS resources with them).
 */
export function driftOf(name: string, plan: TfRun): { ours: string[]; moto: string[] } {
  const ours: string[] = [];
  const moto: string[] = [];
  for (const line of plan.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const m = JSON.parse(line) as {
      type?: string;
      change?: { resource?: { addr?: string }; action?: string };
      diagnostic?: { severity: string; summary: string; detail?: string; address?: string };
    };
    const addr = m.change?.resource?.addr ?? m.diagnostic?.address;
    const to = addr?.startsWith('aws_') ? moto : ours;
    if ((m.type === 'planned_change' || m.type === 'resource_drift') && addr) {
      to.push(`${name}: ${m.type === 'resource_drift' ? 'drift' : 'change'} after apply: ${addr} (${m.change?.action})`);
    }
    if (m.type === 'diagnostic' && m.diagnostic) {
      to.push(`${name}: second plan ${m.diagnostic.severity}: ${addr ? `${addr}: ` : ''}${m.diagnostic.summary}`);
    }
  }
  // A provider that stopped responding crashed: its panic is on stderr.
  if (ours.some((l) => /Plugin did not respond/.test(l))) {
    const panic = plan.stderr.indexOf('panic:');
    ours.push(`${name}: second plan: a provider crashed: ${plan.stderr.slice(panic >= 0 ? panic : -1500).slice(0, 1500)}`);
  }
  if (plan.status === 1 && ours.length === 0 && moto.length === 0)
    ours.push(`${name}: second plan failed (exit 1): ${plan.stderr.trim().slice(-400)}`);
  if (plan.status === 2 && ours.length === 0 && moto.length === 0) ours.push(`${name}: second plan has changes (exit 2) it did not name`);
  return { ours: [...new Set(ours)], moto: [...new Set(moto)] };
}

/** For each DigitalOcean resource a plan would update: the top-level attributes whose values differ. */
export function changedAttributes(name: string, showJson: string): string[] {
  let plan: {
    resource_changes?: Array<{ address: string; change: { actions: string[]; before?: Json; after?: Json; after_unknown?: Json } }>;
  };
  try {
    plan = JSON.parse(showJson);
  } catch {
    return [];
  }
  return (plan.resource_changes ?? [])
    .filter((c) => !c.address.startsWith('aws_') && c.change.actions.includes('update'))
    .map((c) => {
      const before = c.change.before ?? {};
      const after = c.change.after ?? {};
      const unknown = c.change.after_unknown ?? {};
      const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
        (k) => (k in after && JSON.stringify(before[k]) !== JSON.stringify(after[k])) || unknown[k] === true,
      );
      return `${name}: ${c.address} would change ${keys.map((k) => `${k}: ${JSON.stringify(before[k])?.slice(0, 120)} → ${k in after ? JSON.stringify(after[k])?.slice(0, 120) : '(known after apply)'}`).join('; ')}`;
    });
}

/** The pinned not-exercised list, compared as verify:tf compares its own. */
function comparePinned(found: string[], update: boolean): string[] {
  const header =
    '# Resources of the DR stack that `npm run verify:do` cannot exercise (refused at a known moto gap, or not sent after one),\n# with the reason. Pinned: a change fails the run. Regenerate: npm run verify:do -- --update-not-exercised\n';
  return comparePinnedList(NOT_EXERCISED_FILE, header, found, update, log);
}

/** A copy of the stack with one defect seeded into the first resource of a type. */
export function seeded(
  stack: Json,
  type: string,
  mutate: (config: Json) => void,
  pick: (config: Json) => boolean = () => true,
): { json: Json; address: string } {
  const json = JSON.parse(JSON.stringify(stack)) as Json;
  const byName = (json.resource as Record<string, Record<string, Json>>)[type] ?? {};
  const name = Object.keys(byName)
    .sort()
    .find((n) => pick(byName[n]));
  if (!name) throw new Error(`the stack has no ${type} to seed a defect into`);
  mutate(byName[name]);
  return { json, address: `${type}.${name}` };
}

/** The defects DigitalOcean refuses and Terraform lets through; each must fail the stage. */
export const SELF_TEST_CASES: ReadonlyArray<{
  label: string;
  type: string;
  mutate: (c: Json) => void;
  pick?: (c: Json) => boolean;
  expect: RegExp;
}> = [
  {
    // The issue's example. It passes validate and plan; the provider refuses it itself at apply, before any request
    // (database/resource_database_firewall.go validates rule.type), so the stand-in never sees it: either refusal
    // fails the stage.
    label: 'a database firewall rule of an invalid type',
    type: 'digitalocean_database_firewall',
    mutate: (c) => ((c.rule as Json[])[0].type = 'k8s_cluster'),
    expect:
      /databases_update_firewall_rules.*\/rules\/0\/type: must be one of "droplet", "k8s", "ip_addr", "tag", "app" \(given "k8s_cluster"\)|expected rule\.\d+\.type to be one of \[ip_addr droplet k8s tag app\], got k8s_cluster/,
  },
  {
    // The provider takes any string here (uptime/resource_uptime_check.go has no ValidateFunc on regions).
    label: 'an uptime check region outside the enum',
    type: 'digitalocean_uptime_check',
    mutate: (c) => (c.regions = ['eu_central']),
    expect: /uptime_create_check.*\/regions\/0: must be one of "us_east", "us_west", "eu_west", "se_asia" \(given "eu_central"\)/,
  },
  {
    // A fixed-size node pool without node_count: the provider sends no count (godo omits a zero count) and
    // DigitalOcean requires one (resources/kubernetes/models/node_pool.yml).
    label: 'a fixed-size node pool without its required count',
    type: 'digitalocean_kubernetes_cluster',
    mutate: (c) => {
      const pool = c.node_pool as Json;
      pool.auto_scale = false;
      delete pool.min_nodes;
      delete pool.max_nodes;
      delete pool.node_count;
    },
    expect: /kubernetes_create_cluster.*body \/node_pools\/0: must have required property 'count'/,
  },
];

async function selfTest(stack: Json, cliConfig: string, python: string, api: DoOpenApi): Promise<string[]> {
  const problems: string[] = [];
  const results = await Promise.all(
    SELF_TEST_CASES.map(async (c) => {
      const { json, address } = seeded(stack, c.type, c.mutate, c.pick);
      return { c, r: await applyDo('self-test', json, cliConfig, python, api, { targets: [address] }) };
    }),
  );
  for (const { c, r } of results) {
    const caught = [...r.refused, ...r.account.problems].find((p) => c.expect.test(p));
    const failed = r.account.problems.length > 0;
    if (!caught || !failed) {
      problems.push(
        `[self-test] ${c.label}: not refused by the stand-in (refused: ${r.refused.join('; ') || 'nothing'}; apply: ${r.account.problems.join('; ').slice(0, 600) || 'no problem'})`,
      );
    } else
      log(`  self-test: ${c.label}: refused by ${r.refused.includes(caught) ? 'the stand-in' : 'the provider'} (${caught.slice(0, 160)}…)`);
  }
  return problems;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out');
  const out = path.resolve(REPO, i >= 0 ? args[i + 1] : 'cdktf.out');
  const t0 = Date.now();
  const file = path.join(out, 'stacks', DR_STACK, 'cdk.tf.json');
  if (!fs.existsSync(file)) throw new Error(`no ${file} (run npm run synth first)`);
  const stack = JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
  const cliConfig = ensureProviderMirror();
  const python = ensureMoto();
  const t1 = Date.now();
  const api = loadDescription();
  log(
    `verify:do: digitalocean ${VERSIONS.digitaloceanProvider} against the API stand-in (${api.operations.length} operations in the description, loaded in ${since(t1)} s), aws ${VERSIONS.awsProvider} on moto ${VERSIONS.moto}`,
  );
  const problems: string[] = [];
  if (args.includes('--only-self-test')) {
    const found = await selfTest(stack, cliConfig, python, api);
    return finish(found, `verify:do self-test: ${found.length ? `${found.length} failed` : 'passed'}; ${since(t0)} s`, log);
  }
  const r = await applyDo(DR_STACK, stack, cliConfig, python, api);
  problems.push(...r.account.problems, ...r.refused.map((p) => `refused by the description: ${p}`), ...r.drift);
  const notExercised = notExercisedLines(DR_STACK, r.account);
  log(
    `  apply ${DR_STACK}: ${r.requests} requests checked against the description, ${r.refused.length} refused; ` +
      `${r.account.planned.length} planned: ${r.account.created.length} created, ${notExercised.length} not exercised, ${r.drift.length} DigitalOcean changes on the second plan (${r.motoDrift.length} AWS lines on moto, not checked)`,
  );
  for (const l of notExercised) log(`  not exercised: ${l}`);
  for (const l of r.motoDrift) log(`  not checked (AWS on moto): ${l}`);
  // Each let through as the description's defect, once, with why (do-gaps.ts).
  for (const g of DESCRIPTION_GAPS) {
    const hits = r.gapHits.filter((h) => g.match.test(h));
    if (hits.length) log(`  description stricter than DigitalOcean (${hits.length}×, let through): ${g.operationId}: ${g.reason}`);
  }
  problems.push(...comparePinned(notExercised, args.includes('--update-not-exercised')));
  if (!args.includes('--no-self-test')) problems.push(...(await selfTest(stack, cliConfig, python, api)));
  await finish(
    problems,
    `verify:do: ${problems.length ? `${problems.length} failed` : 'passed'}: ${r.requests} requests checked, ${r.account.created.length} resources applied, ${notExercised.length} not exercised (listed), ${problems.length} problems; ${since(t0)} s`,
    log,
  );
}

if (require.main === module) runMain(main);
