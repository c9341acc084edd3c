/**
 * `npm run upgrade:table`: which arguments of each stateful Terraform resource type force a replacement, asked of the
 * real providers, written to lib/upgrade/replacement-table.ts (`-- --check` compares instead of writing).
 *
 * The providers' schemas cannot say it: `terraform providers schema -json` has no ForceNew (Terraform's JSON schema
 * format, https://developer.hashicorp.com/terraform/cli/commands/providers/schema, lists type, optional, computed,
 * sensitive, description only), and the docs' "(Forces new resource)" is written by hand and incomplete (the AWS
 * provider's docs say it for `identifier` of aws_db_instance but not for `db_name`, which replaces the instance).
 * What decides is the provider's PlanResourceChange: it answers a planned change with `RequiresReplace`, the
 * attribute paths that force the replacement, which `terraform show -json` gives as `replace_paths`
 * (https://developer.hashicorp.com/terraform/internals/json-format, "resource_changes"). So, per provider, this
 * script plans one instance of each type against a made-up prior state in which every argument differs from the
 * configuration, offline (`-refresh=false`, fake credentials, no API call), and records the paths the provider
 * names. Arguments whose made-up value the provider refuses in configuration are left out of the configuration (a
 * change to them is then only seen when the state holds a value and the configuration none); nested blocks are
 * probed by removal.
 *
 *   npm run upgrade:table [-- --check]
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { STATEFUL_TYPES } from '../../lib/policy/terraform/kit';
import { REPO, run, VERSIONS } from '../real-engines/engines';
import { ensureProviderMirror } from '../real-engines/verify-tf';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Terraform's JSON documents
type Json = any;

const OUT = path.join(REPO, 'lib', 'upgrade', 'replacement-table.ts');
/** Every resource type lib/ creates (its deep imports of the provider packages). */
function typesTheLibraryCreates(dir = path.join(REPO, 'lib')): Set<string> {
  const out = new Set<string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) typesTheLibraryCreates(full).forEach((t) => out.add(t));
    else if (e.name.endsWith('.ts'))
      for (const m of fs.readFileSync(full, 'utf8').matchAll(/@cdktf\/provider-(aws|digitalocean)\/lib\/([a-z0-9-]+)/g))
        out.add(`${m[1]}_${m[2].replace(/-/g, '_')}`);
  }
  return out;
}
/** The stateful types of the pack that the library creates, and the secrets, whose values a replacement loses. */
const TYPES = [...STATEFUL_TYPES.aws, 'aws_secretsmanager_secret', ...STATEFUL_TYPES.digitalocean]
  .filter((t) => typesTheLibraryCreates().has(t))
  .sort();
const PROVIDERS: Record<string, { source: string; version: string; config: Json }> = {
  aws: {
    source: 'hashicorp/aws',
    version: VERSIONS.awsProvider,
    config: {
      region: 'eu-west-1',
      access_key: 'probe',
      secret_key: 'probe',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    },
  },
  digitalocean: { source: 'digitalocean/digitalocean', version: VERSIONS.digitaloceanProvider, config: { token: 'probe' } },
};
const ENV = { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' };

/** A value of Terraform type `t`; `side` makes the prior state's and the configuration's differ. */
function value(t: Json, side: 'state' | 'config', name: string): Json {
  if (t === 'string') return `${side}-${name.replace(/_/g, '-')}`;
  if (t === 'number') return side === 'state' ? 7 : 8;
  if (t === 'bool') return side === 'state';
  if (Array.isArray(t) && (t[0] === 'list' || t[0] === 'set')) return [value(t[1], side, name)];
  if (Array.isArray(t) && t[0] === 'map') return { k: value(t[1], side, name) };
  if (Array.isArray(t) && t[0] === 'object') return Object.fromEntries(Object.entries<Json>(t[1]).map(([k, v]) => [k, value(v, side, k)]));
  return null;
}

const isArgument = (a: Json) => a.required || a.optional;

/** Prior state of a block: every argument made up, computed-only attributes null, each nested block present once. */
function stateOf(block: Json): Json {
  const out: Json = {};
  for (const [name, a] of Object.entries<Json>(block.attributes ?? {}))
    out[name] = isArgument(a) && a.type ? value(a.type, 'state', name) : null;
  for (const [name, b] of Object.entries<Json>(block.block_types ?? {}))
    out[name] = b.nesting_mode === 'single' || b.nesting_mode === 'group' ? stateOf(b.block) : [stateOf(b.block)];
  return out;
}

/**
 * Configuration of a block: every argument (top level) or only the required ones (nested), and the blocks that must
 * appear (min_items) with their required arguments.
 */
function configOf(block: Json, topLevel: boolean): Json {
  const out: Json = Object.fromEntries(
    Object.entries<Json>(block.attributes ?? {})
      .filter(([name, a]) => (topLevel ? isArgument(a) : a.required) && name !== 'id')
      .map(([name, a]) => [name, value(a.type, 'config', name)]),
  );
  for (const [name, b] of Object.entries<Json>(block.block_types ?? {}))
    if ((b.min_items ?? 0) > 0) out[name] = b.nesting_mode === 'single' ? configOf(b.block, false) : [configOf(b.block, false)];
  return out;
}

/**
 * The argument a diagnostic is about: the snippet's context (resource.<type>.probe.<argument>), its line of code
 * ("<argument>": …), else an argument of the configuration the message names (plan-time checks point at the whole
 * resource: "replicate_source_db" must be an ARN when "db_subnet_group_name" is set); an optional one first.
 */
function argumentOf(e: Json, config: Json, required: (name: string) => boolean): string | undefined {
  const text = `${e.summary} ${e.detail}`;
  const candidates = [
    /^resource\.[a-z0-9_]+\.probe\.([a-z0-9_]+)/.exec(e.snippet?.context ?? '')?.[1],
    /^\s*"([a-z0-9_]+)":/.exec(e.snippet?.code ?? '')?.[1],
    ...[...text.matchAll(/"([a-z0-9_]+)"/g)].map((m) => m[1]),
    ...[...text.matchAll(/\b([a-z][a-z0-9_]*)\b/g)].map((m) => m[1]),
  ].filter((n): n is string => !!n && n in config);
  // A required argument named beside an optional one is rarely the one to leave out.
  return candidates.find((n) => !required(n)) ?? candidates[0];
}

function terraform(dir: string, args: string[], cliConfig: string) {
  return run('terraform', args, { cwd: dir, env: { ...ENV, TF_CLI_CONFIG_FILE: cliConfig } });
}

type Entry = { replace: string[]; unprobed: string[] };

/**
 * What the provider replaces for each type: pass 1 configures every argument; an argument it refuses (a conflict, a
 * value it will not take) is left out, and the next pass configures the required arguments and those left out, until
 * a pass leaves out nothing new. What stays left out is `unprobed`.
 */
function probe(provider: string, types: string[], cliConfig: string): Record<string, Entry> {
  const p = PROVIDERS[provider];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `upgrade-table-${provider}-`));
  try {
    const terraformBlock = { required_providers: { [provider]: { source: p.source, version: p.version } } };
    const write = (resource: Json) =>
      fs.writeFileSync(
        path.join(dir, 'main.tf.json'),
        JSON.stringify({ terraform: terraformBlock, provider: { [provider]: [p.config] }, ...(resource ? { resource } : {}) }, null, 2),
      );
    write(undefined);
    const init = terraform(dir, ['init', '-backend=false', '-input=false', '-no-color'], cliConfig);
    if (init.status !== 0) throw new Error(`terraform init: ${init.stderr}`);
    const schemas: Json = JSON.parse(terraform(dir, ['providers', 'schema', '-json'], cliConfig).stdout).provider_schemas[
      `registry.terraform.io/${p.source}`
    ].resource_schemas;
    const state = {
      version: 4,
      terraform_version: '1.11.4',
      serial: 1,
      lineage: 'upgrade-table',
      outputs: {},
      resources: types.map((type) => ({
        mode: 'managed',
        type,
        name: 'probe',
        provider: `provider["registry.terraform.io/${p.source}"]`,
        instances: [
          {
            schema_version: schemas[type].version,
            attributes: { ...stateOf(schemas[type].block), id: 'probe-id' },
            sensitive_attributes: [],
          },
        ],
      })),
    };
    fs.writeFileSync(path.join(dir, 'terraform.tfstate'), JSON.stringify(state));
    const args = (type: string) =>
      Object.entries<Json>(schemas[type].block.attributes)
        .filter(([n, a]) => isArgument(a) && n !== 'id')
        .map(([n]) => n);
    const out: Record<string, Entry> = Object.fromEntries(types.map((t) => [t, { replace: [], unprobed: args(t) }]));
    for (let pass = 1; ; pass++) {
      const config: Record<string, Json> = {};
      for (const type of types) {
        const all = configOf(schemas[type].block, true);
        const wanted = new Set(pass === 1 ? Object.keys(all) : out[type].unprobed);
        config[type] = Object.fromEntries(
          Object.entries<Json>(all).filter(
            ([n]) => wanted.has(n) || schemas[type].block.attributes[n]?.required || !(n in schemas[type].block.attributes),
          ),
        );
      }
      let replace: Record<string, string[]>;
      try {
        replace = planUntilAccepted(provider, types, config, schemas, dir, write, cliConfig);
      } catch (e) {
        // A later pass that cannot be made acceptable leaves what it tried unprobed (the first must succeed).
        if (pass === 1) throw e;
        console.error(`${provider}: pass ${pass} given up, ${(e as Error).message.split('\n')[0]}`);
        return out;
      }
      let progress = false;
      for (const type of types) {
        const before = out[type].unprobed.length;
        out[type].unprobed = out[type].unprobed.filter((n) => !(n in config[type]));
        out[type].replace = [...new Set([...out[type].replace, ...replace[type]])].sort();
        if (out[type].unprobed.length < before) progress = true;
      }
      if (!progress) return out;
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Validates and plans `config` (adjusting or leaving out what the provider refuses); the replace paths per type. */
function planUntilAccepted(
  provider: string,
  types: string[],
  config: Record<string, Json>,
  schemas: Json,
  dir: string,
  write: (resource: Json) => void,
  cliConfig: string,
): Record<string, string[]> {
  for (let round = 0; ; round++) {
    write(Object.fromEntries(types.map((t) => [t, { probe: config[t] }])));
    let errors: Json[] = (JSON.parse(terraform(dir, ['validate', '-json', '-no-color'], cliConfig).stdout).diagnostics ?? []).filter(
      (d: Json) => d.severity === 'error',
    );
    if (!errors.length) {
      const plan = terraform(dir, ['plan', '-json', '-refresh=false', '-input=false', '-lock=false', '-out=probe.plan'], cliConfig);
      errors = plan.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((m) => m.type === 'diagnostic' && m.diagnostic.severity === 'error')
        .map((m) => m.diagnostic);
      if (!errors.length && plan.status === 0) break;
      if (!errors.length) throw new Error(`${provider}: terraform plan failed: ${plan.stderr}`);
    }
    if (round > 60) throw new Error(`${provider}: still refused: ${JSON.stringify(errors.slice(0, 3))}`);
    const handled = new Set<string>();
    const unplaced: Json[] = [];
    for (const e of errors) {
      const owner = /^([a-z0-9_]+)\.probe$/.exec(e.address ?? '')?.[1];
      if (!owner || !config[owner]) throw new Error(`${provider}: cannot place ${JSON.stringify(e)}`);
      const attr = argumentOf(e, config[owner], (n) => !!schemas[owner].block.attributes[n]?.required);
      // Unplaceable errors are tolerated while others make progress (one argument may have failed twice).
      if (!attr) unplaced.push(e);
      if (!attr || handled.has(`${owner}.${attr}`)) continue;
      // Two arguments that conflict are both reported: leave out only one.
      const other = /conflicts with ([a-z0-9_]+)/.exec(`${e.summary} ${e.detail}`)?.[1];
      if (other && handled.has(`${owner}.${other}`)) continue;
      handled.add(`${owner}.${attr}`);
      const a = schemas[owner].block.attributes[attr];
      const tried = JSON.stringify(config[owner][attr]);
      // An enumeration says what it takes: its first value, once (the state's made-up value still differs).
      const allowed = /to be one of \[\\?"?([^"\\\s\]]*)/.exec(e.summary ?? '')?.[1];
      // An ARN is asked for: one in ARN form, once.
      const arn = /\bARN\b/.test(`${e.summary} ${e.detail}`) ? `arn:aws:iam::123456789012:role/config-${attr}` : undefined;
      const instead = [allowed, arn].find((v) => v !== undefined && !tried.includes(JSON.stringify(v).slice(1, -1)));
      if (instead !== undefined) config[owner][attr] = Array.isArray(config[owner][attr]) ? [instead] : instead;
      else if (a?.required) throw new Error(`${provider}: ${owner}.${attr} is required and refused: ${e.summary} ${e.detail}`);
      else delete config[owner][attr];
    }
    if (!handled.size) throw new Error(`${provider}: cannot place ${JSON.stringify(unplaced[0])}`);
  }
  const changes: Json[] = JSON.parse(terraform(dir, ['show', '-json', 'probe.plan'], cliConfig).stdout).resource_changes;
  return Object.fromEntries(
    changes.map((c) => {
      const paths: Json[][] = c.change.replace_paths ?? [];
      // A path into a nested block (block, index, attribute) is recorded as block.attribute.
      return [c.type, [...new Set(paths.map((p) => p.filter((s) => typeof s === 'string').join('.')))]];
    }),
  );
}

/** The table as a TypeScript module (lib/ compiles it into build/ with the rest). */
function render(table: Record<string, Entry>): string {
  const rows = Object.entries(table)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, e]) => `  ${type}: { replace: ${JSON.stringify(e.replace)}, unprobed: ${JSON.stringify(e.unprobed)} },`);
  return [
    '// Generated by scripts/upgrade/replacement-table.ts (npm run upgrade:table): do not edit. It asks the real providers',
    `// (terraform-provider-aws ${VERSIONS.awsProvider}, terraform-provider-digitalocean ${VERSIONS.digitaloceanProvider}) which arguments of each`,
    '// stateful type the library creates force a replacement; see the script for how, and docs/upgrading.md for what',
    '// it covers. `unprobed`: arguments the provider would not take with a made-up value (a change to one is reported',
    '// as a possible replacement).',
    '',
    '/** @internal */',
    `export const REPLACEMENT_PROVIDERS = ${JSON.stringify({ aws: VERSIONS.awsProvider, digitalocean: VERSIONS.digitaloceanProvider })};`,
    '',
    '/** @internal */',
    'export const REPLACEMENT_TABLE: Readonly<Record<string, { readonly replace: readonly string[]; readonly unprobed: readonly string[] }>> = {',
    ...rows,
    '};',
    '',
  ].join('\n');
}

function main(): void {
  const cliConfig = ensureProviderMirror();
  const table: Record<string, Entry> = {};
  for (const provider of Object.keys(PROVIDERS))
    Object.assign(
      table,
      probe(
        provider,
        TYPES.filter((t) => t.startsWith(`${provider}_`)),
        cliConfig,
      ),
    );
  const prettier = run('npx', ['prettier', '--stdin-filepath', OUT], { cwd: REPO, input: render(table) });
  if (prettier.status !== 0) throw new Error(`prettier: ${prettier.stderr}`);
  if (process.argv.includes('--check')) {
    const now = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
    if (now !== prettier.stdout) {
      console.error(`${path.relative(REPO, OUT)} differs from what the providers answer now: run npm run upgrade:table`);
      process.exit(1);
    }
    console.log(`${path.relative(REPO, OUT)}: as the providers answer (${Object.keys(table).length} types)`);
  } else {
    fs.writeFileSync(OUT, prettier.stdout);
    console.log(`wrote ${path.relative(REPO, OUT)} (${Object.keys(table).length} types)`);
  }
}

main();
