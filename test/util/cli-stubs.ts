/**
 * Recording stubs of doctl, kubectl, aws and curl for the generated DR scripts. Each stub accepts only the commands,
 * flags and output columns of `_SCRIPT_TOOLS` (read from the tools' sources), logs every call, and answers from a
 * small simulated world (databases, clusters, secret entries) that the calls change as the real ones would.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { _SCRIPT_TOOLS } from '../../lib/digitalocean/failover-scripts';

/** The simulated world, kept in a JSON file between calls. */
export interface World {
  primaryUp: boolean;
  /** Databases `doctl databases list` shows (replicas are not clusters until promoted). */
  databases: Array<{ id: string; name: string; status: string; host: string }>;
  /** Replicas by `<cluster-id>/<name>`. */
  replicas: Record<string, { id: string; status: string; host: string }>;
  /** Secret entries by name (JSON strings). */
  entries: Record<string, string>;
  /** Replication lag the secondary's Prometheus reports (seconds, as a string). */
  lag: string;
}

export interface Call {
  readonly tool: string;
  readonly command: string;
  readonly args: string[];
}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set(['no-header', 'auto-scale', 'all', 'overwrite', 'fail', 'silent', 'show-error', 'f', 's', 'S', 'fsS']);

const STUB = `#!/usr/bin/env node
const fs = require('fs');
const path = require('path');
const tool = path.basename(process.argv[1]);
const argv = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(process.env.STUB_SPEC, 'utf8'));
const world = JSON.parse(fs.readFileSync(process.env.STUB_WORLD, 'utf8'));
const booleans = new Set(spec.booleans);
const fail = (m) => { process.stderr.write(tool + ' stub: ' + m + '\\n'); process.exit(64); };
const flags = {}; const words = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (tool === 'curl') { if (a.startsWith('-')) { if (a === '--max-time') i++; } else words.push(a); continue; }
  if (a.startsWith('--')) {
    const [k, v] = a.slice(2).split(/=(.*)/s);
    if (v !== undefined) flags[k] = v; else if (booleans.has(k)) flags[k] = true; else flags[k] = argv[++i];
  } else words.push(a);
}
let command = '';
if (tool !== 'curl') {
  const table = spec.tools[tool];
  for (let n = words.length; n > 0; n--) { const c = words.slice(0, n).join(' '); if (table[c]) { command = c; break; } }
  if (!command) fail('unknown command: ' + words.join(' '));
  for (const k of Object.keys(flags)) if (!table[command].flags.includes(k)) fail('unknown flag --' + k + ' for "' + command + '"');
  if (flags.format) for (const col of String(flags.format).split(',')) if (!table[command].columns.includes(col)) fail('unknown column ' + col + ' for "' + command + '"');
}
const args = words.slice(command ? command.split(' ').length : 0);
fs.appendFileSync(process.env.STUB_LOG, JSON.stringify({ tool, command, args: argv }) + '\\n');
const save = () => fs.writeFileSync(process.env.STUB_WORLD, JSON.stringify(world));
const out = (s) => process.stdout.write(s + '\\n');
const json = (x) => out(JSON.stringify(x));
const cols = (obj) => String(flags.format).split(',').map((c) => obj[c]).join(' ');
switch (tool + ' ' + command) {
  case 'curl ': if (args[0].includes(spec.primaryHost) && !world.primaryUp) process.exit(22); break;
  case 'doctl databases list': json(world.databases.map((d) => ({ id: d.id, name: d.name, status: d.status, private_connection: { host: d.host } }))); break;
  case 'doctl databases replica get': {
    const r = world.replicas[args[0] + '/' + args[1]]; if (!r) fail('no replica ' + args.join('/'));
    if (flags.output === 'json') json([{ id: r.id, name: args[1], status: r.status, private_connection: { host: r.host, uri: 'postgresql://doadmin:x@' + r.host + ':25060/defaultdb' } }]);
    else out(cols({ ID: r.id, Name: args[1], Status: r.status }));
    break;
  }
  case 'doctl databases replica promote': {
    const key = args[0] + '/' + args[1]; const r = world.replicas[key];
    delete world.replicas[key]; world.databases.push({ id: r.id, name: args[1], status: 'online', host: r.host }); save(); break;
  }
  case 'doctl databases replica create': world.replicas[args[0] + '/' + args[1]] = { id: 'replica-' + args[1], status: 'active', host: 'private-' + args[1] + '.db' }; save(); break;
  case 'doctl kubernetes cluster get': out(cols({ ID: 'k8s-' + args[0], Name: args[0], Status: 'running' })); break;
  case 'doctl vpcs list': out(spec.vpcs.map((v) => cols(v)).join('\\n')); break;
  case 'kubectl config get-contexts': out(spec.contexts.join('\\n')); break;
  case 'kubectl get': {
    if (flags.raw) { json({ data: { result: [{ value: [0, world.lag] }] } }); break; }
    const what = args[0];
    if (what === 'rollouts.argoproj.io') out('rollout.argoproj.io/api');
    else if (what === 'deployments') out(flags.output === 'name' ? 'deployment.apps/api\\ndeployment.apps/bot' : 'bot');
    else if (what.startsWith('rollout.argoproj.io/')) out('Healthy');
    else if (what === 'secret') { const e = JSON.parse(world.entries[spec.connection[flags.context]]); out(Buffer.from(e.DATABASE_HOST).toString('base64')); }
    else if (what === 'pods') out('api-0 1/1 Running');
    else fail('unexpected get ' + what);
    break;
  }
  case 'aws secretsmanager get-secret-value': out(world.entries[flags['secret-id']]); break;
  case 'aws secretsmanager put-secret-value': {
    const v = String(flags['secret-string']);
    if (!v.startsWith('file://')) fail('secret value on the command line');
    world.entries[flags['secret-id']] = fs.readFileSync(v.slice(7), 'utf8'); save(); json({ Name: flags['secret-id'] }); break;
  }
  default: break;
}
`;

/** A directory with the stubs on PATH, a world, and the log of calls. */
export class CliStubs {
  public readonly dir: string;
  private readonly worldFile: string;
  private readonly logFile: string;
  private readonly specFile: string;

  constructor(world: World, extra: { primaryHost: string; contexts: string[]; vpcs: object[]; connection: Record<string, string> }) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-stubs-'));
    const bin = path.join(this.dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'stub.js'), STUB, { mode: 0o755 });
    for (const tool of ['doctl', 'kubectl', 'aws', 'curl']) fs.symlinkSync(path.join(bin, 'stub.js'), path.join(bin, tool));
    this.worldFile = path.join(this.dir, 'world.json');
    this.logFile = path.join(this.dir, 'calls.log');
    this.specFile = path.join(this.dir, 'spec.json');
    fs.writeFileSync(this.worldFile, JSON.stringify(world));
    fs.writeFileSync(this.logFile, '');
    const tools = { doctl: _SCRIPT_TOOLS.doctl, kubectl: withColumns(_SCRIPT_TOOLS.kubectl), aws: withColumns(_SCRIPT_TOOLS.aws) };
    fs.writeFileSync(this.specFile, JSON.stringify({ ...extra, tools, booleans: [...BOOLEAN_FLAGS] }));
  }

  /** Runs a tool or script with the stubs first on PATH. */
  public run(file: string, args: string[]): { status: number; stdout: string; stderr: string } {
    const r = spawnSync(file, args, {
      encoding: 'utf8',
      env: {
        PATH: `${path.join(this.dir, 'bin')}:${process.env.PATH}`,
        STUB_SPEC: this.specFile,
        STUB_WORLD: this.worldFile,
        STUB_LOG: this.logFile,
        POLL_SECONDS: '0',
        HOME: this.dir,
      },
    });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  public get calls(): Call[] {
    return fs
      .readFileSync(this.logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Call);
  }

  public get world(): World {
    return JSON.parse(fs.readFileSync(this.worldFile, 'utf8')) as World;
  }

  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function withColumns<T extends Record<string, { flags: readonly string[] }>>(
  table: T,
): Record<string, { flags: readonly string[]; columns: string[] }> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, { flags: v.flags, columns: [] }]));
}
