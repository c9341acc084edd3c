/**
 * Where the real engines live and how processes are run, for `npm run verify:k8s` and `npm run verify:tf`.
 *
 * - The pinned inputs (CRDs, Terraform providers, the control-plane build script) come from the shared
 *   real-engines directory: $SAMOKODER_REAL_ENGINES, else ../shared/real-engines next to this checkout.
 * - What is built or unpacked from them is cached per machine under $SAMOKODER_CACHE (default
 *   ~/.cache/samokoder-infra), so only the first run on a machine pays for it.
 *
 * Every process started here is recorded and stopped by its PID (stopProcess, stopAll), also on exit and on
 * SIGINT/SIGTERM.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '..', '..');

/** Versions the checks run against. The README's guarantees section names the same. */
export const VERSIONS = Object.freeze({
  /** The version the clusters target (EKS and DOKS default to 1.35): the newest 1.35 patch the module proxy serves. */
  kubernetes: '1.35.8',
  helm: '3.19.0',
  terraform: '1.11',
  /** A stand-in for 6.25.0, which @cdktf/provider-aws 21.22.1 binds: see the real-engines README. */
  awsProvider: '6.47.1',
  digitaloceanProvider: '2.71.0',
  moto: '5.2.5',
});

/**
 * The shared real-engines directory: $SAMOKODER_REAL_ENGINES, else the first `shared/real-engines` found next to this
 * checkout or next to one of its parent directories (a CI clone may live elsewhere than ../), else the workplace's.
 */
export function realEnginesDir(): string {
  const candidates: string[] = [];
  if (process.env.SAMOKODER_REAL_ENGINES) candidates.push(process.env.SAMOKODER_REAL_ENGINES);
  for (let dir = path.dirname(REPO); ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'shared', 'real-engines'));
    if (path.dirname(dir) === dir) break;
  }
  candidates.push('/work/shared/real-engines');
  const found = candidates.find((d) => fs.existsSync(path.join(d, 'README.md')) && fs.existsSync(path.join(d, 'crds')));
  if (!found) {
    throw new Error(
      `real engines not found (looked in ${candidates.join(', ')}): set SAMOKODER_REAL_ENGINES to the directory ` +
        'holding crds/, terraform-providers/ and build-kubernetes-control-plane.sh',
    );
  }
  return found;
}

export function cacheDir(...parts: string[]): string {
  const base = process.env.SAMOKODER_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'samokoder-infra');
  const dir = path.join(base, ...parts);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Runs `fn` holding a per-machine lock (a directory under the cache): verify:tf and verify:do run side by side in CI
 * and both unpack the providers and install moto on a cold machine. A lock older than 30 minutes is taken over.
 */
export function withCacheLock<T>(name: string, fn: () => T): T {
  const lock = path.join(cacheDir('locks'), `${name}.lock`);
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 30 * 60_000 || Date.now() > deadline) {
        fs.rmSync(lock, { recursive: true, force: true });
        continue;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last output of the process (stdout and stderr). */
  output(): string;
  /** Where the output is written (removed once the process is stopped). */
  readonly logFile?: string;
}

const running = new Map<number, Started>();

/**
 * Starts a long-running process, its output going to a log file (not a pipe: the checks call other commands
 * synchronously, and a process whose pipe is not read while they run blocks once the pipe is full).
 */
export function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Started {
  // One file per run (the pid): two runs on one machine (two checkouts' CI) share the cache but not their logs.
  const logFile = path.join(cacheDir('logs'), `${name.replace(/[^A-Za-z0-9.-]+/g, '-')}-${process.pid}.log`);
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(command, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  fs.closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  child.on('exit', () => running.delete(pid));
  const output = () => {
    const text = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    return text.length > 20000 ? text.slice(-20000) : text;
  };
  const started: Started = { name, child, output, logFile };
  running.set(pid, started);
  return started;
}

/** Stops one process by its PID (SIGTERM, SIGKILL after 5 s) and waits for it to exit. */
/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (proc(5): utime and stime, fields 14
 * and 15, in clock ticks; cutime and cstime, 16 and 17, are its waited-for children's). 0 where there is no /proc.
 */
export function cpuSeconds(pid: number | 'self', children = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const at = children ? 13 : 11; // field 16 (cutime) or 14 (utime), the fields after ")" starting at 3
    const ticks = Number(fields[at]) + Number(fields[at + 1]);
    return ticks / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** A process's peak resident memory in MiB, from /proc/<pid>/status (proc(5): VmHWM, "peak resident set size"). */
export function peakMemoryMiB(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux architecture the engines are built for (USER_HZ). */
const CLOCK_TICKS = 100;

export async function stopProcess(p: Started): Promise<void> {
  const pid = p.child.pid;
  if (pid === undefined || !running.has(pid) || p.child.exitCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  process.kill(pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (p.child.exitCode === null) process.kill(pid, 'SIGKILL');
  }, 5000);
  await exited;
  clearTimeout(timer);
  if (p.logFile) fs.rmSync(p.logFile, { force: true });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running.values()].map(stopProcess));
}

function killAllNow(): void {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  running.clear();
}
/** Makes sure no started process outlives this one (called by the verify scripts' main, not on import). */
export function stopAllOnExit(): void {
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killAllNow();
      process.exit(130);
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion. Never throws on a non-zero exit. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeoutMs?: number } = {},
): RunResult {
  const r = spawnSync(command, args, {
    env: { ...process.env, ...options.env },
    cwd: options.cwd,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: options.timeoutMs,
  });
  if (r.error) return { status: 127, stdout: '', stderr: String(r.error) };
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command to completion without blocking the event loop (so several can run at once). */
export function runAsync(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => resolve({ status: 127, stdout: '', stderr: String(e) }));
    child.on('close', (code) =>
      resolve({ status: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/** Seconds since `t0` (a Date.now()), one decimal. */
export function since(t0: number): string {
  return ((Date.now() - t0) / 1000).toFixed(1);
}

/** Stops every process, prints each problem and the summary line, and exits 1 when there were problems. */
export async function finish(problems: readonly string[], summary: string, log: (m: string) => void = console.log): Promise<void> {
  await stopAll();
  for (const p of problems) console.error(`✗ ${p}`);
  log(summary);
  if (problems.length) process.exit(1);
}

/** Runs a check's `main` with every started process stopped on exit, on a signal and on an error. */
export function runMain(main: () => Promise<void>): void {
  stopAllOnExit();
  main().catch(async (e) => {
    console.error(e instanceof Error ? e.message : e);
    await stopAll();
    process.exit(1);
  });
}

/**
 * The not-exercised lines of a run compared with the list pinned in `file` (relative to the repository in messages):
 * a new one fails until someone looks at it and pins it, and so does one that is exercised now. With `update`, the
 * list is written (under `header`) instead. Shared by verify:tf and verify:do.
 */
export function comparePinnedList(file: string, header: string, found: string[], update: boolean, log: (m: string) => void): string[] {
  const rel = path.relative(REPO, file);
  if (update) {
    fs.writeFileSync(file, header + found.map((l) => `${l}\n`).join(''));
    log(`wrote ${found.length} lines to ${rel}`);
    return [];
  }
  const pinned = fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
    : [];
  return [
    ...found.filter((l) => !pinned.includes(l)).map((l) => `not exercised, and not in ${rel}: ${l}`),
    ...pinned.filter((l) => !found.includes(l)).map((l) => `pinned as not exercised, but it was (update the list): ${l}`),
  ];
}
