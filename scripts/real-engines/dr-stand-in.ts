/**
 * The DigitalOcean side of `npm run verify:dr`: doctl, curl and the Prometheus reads answered by the DR simulation's
 * stateful stand-in (test/util/dr-sim-cli.ts `handle`, the same world and rules as the JSON simulation), served from
 * this process so that it sees what the real clusters run. Before every call the world's workloads are read from the
 * real API servers (replicas, annotations, status) together with what their pods started with (dr-controllers.ts).
 *
 * On the scripts' PATH: `doctl` and `curl` are the simulation's stubs; `kubectl` is a wrapper that sends only the
 * Prometheus reads (`get --raw .../services/.../proxy/...`, which need running pods) to the stand-in and execs the real
 * kubectl for everything else (a patch or apply that names a field the schema prunes fails instead of warning);
 * `aws` is the real AWS CLI.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { handle, onStubCall, SimError, SimObject, SimWorld } from '../../test/util/dr-sim-cli';
import { simSpec, STUB } from '../../test/util/dr-sim';
import type { DrCluster, DrControllers } from './dr-controllers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects from the API are free-form JSON
type Obj = Record<string, any>;

/** The kubectl on the scripts' PATH: Prometheus proxy reads to the stand-in, the rest to the real kubectl. */
export function kubectlWrapper(realKubectl: string): string {
  return `#!/usr/bin/env bash
# verify:dr: a Prometheus read through the API server's service proxy needs a running Prometheus: the stand-in
# answers it. Everything else goes to the real kubectl (the real API servers).
for a in "$@"; do
  case "$a" in
    */services/*/proxy/*) exec "$(dirname "$0")/.kubectl-stand-in" "$@" ;;
  esac
done
# A change that names a field the schema does not have fails the run: the API server drops such a field and kubectl
# only warns ("Warning: unknown field"; \`kubectl patch\` has no --validate).
case " $* " in
  *" patch "* | *" apply "*)
    err=$(mktemp)
    status=0
    ${JSON.stringify(realKubectl)} "$@" 2>"$err" || status=$?
    cat "$err" >&2
    if grep -q '^Warning: unknown field' "$err"; then echo "verify:dr: the API server dropped a field of this change (above)" >&2; status=1; fi
    rm -f "$err"
    exit "$status" ;;
esac
exec ${JSON.stringify(realKubectl)} "$@"
`;
}

export class StandIn {
  public readonly calls: string[] = [];
  public port = 0;
  private server?: net.Server;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly spec = simSpec();

  constructor(
    public world: SimWorld,
    private readonly clusters: readonly DrCluster[],
    private readonly controllers: DrControllers,
  ) {}

  /** Writes doctl, curl, kubectl (wrapper) and the stand-in's own kubectl stub into `bin`. */
  public install(bin: string, realKubectl: string): void {
    for (const tool of ['doctl', 'curl', '.kubectl-stand-in']) fs.writeFileSync(path.join(bin, tool), STUB, { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'kubectl'), kubectlWrapper(realKubectl), { mode: 0o755 });
  }

  /** The world's workloads, read from the API servers of the regions that are up (a lost region's stay as they were). */
  public async mirror(): Promise<void> {
    for (const c of this.world.clusters) {
      const real = this.clusters.find((x) => x.context === c.context);
      if (!real || !real.up()) continue;
      const ns = real.namespace;
      const items = [
        ...(await real.kube.list(`/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts`)).map((o) => ({ ...o, kind: 'Rollout' })),
        ...(await real.kube.list(`/apis/apps/v1/namespaces/${ns}/deployments`)).map((o) => ({ ...o, kind: 'Deployment' })),
      ] as Obj[];
      c.workloads = items.map((o): SimObject => ({
        kind: o.kind as SimObject['kind'],
        metadata: { name: o.metadata.name, annotations: o.metadata.annotations },
        // Argo Rollouts reads an unset spec.replicas as 1 (defaults.GetReplicasOrDefault); the API server sets a Deployment's.
        spec: { replicas: o.spec.replicas ?? 1, paused: o.spec.paused, restartAt: o.spec.restartAt },
        status: { phase: o.status?.phase, pauseConditions: o.status?.pauseConditions, restartedAt: o.status?.restartedAt },
        secret: '',
        podEnv: { ...(this.controllers.podEnv.get(`${c.context}/${o.kind}/${o.metadata.name}`) ?? {}) },
      }));
    }
  }

  /** One call, in order with the others (the world is one). */
  private async answer(tool: string, argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
    const name = tool === '.kubectl-stand-in' ? 'kubectl' : tool;
    this.calls.push(`${name} ${argv.join(' ')}`);
    try {
      await this.mirror();
      const stdout = handle(name, argv, this.world, this.spec);
      this.calls.push(`  -> ${stdout.trim().slice(0, 300)}`);
      return { status: 0, stdout, stderr: '' };
    } catch (e) {
      if (e instanceof SimError) {
        this.calls.push(`  -> exit ${e.code}: ${e.message}`);
        return { status: e.code, stdout: '', stderr: `${e.message}\n` };
      }
      return { status: 70, stdout: '', stderr: `stand-in: ${e instanceof Error ? e.stack : String(e)}\n` };
    }
  }

  /** Serves the stubs' protocol (test/util/dr-sim-cli.ts `serve`): NUL-separated fields in, base64 lines out. */
  public listen(): Promise<number> {
    this.server = net.createServer((socket) =>
      onStubCall(socket, (fields) => {
        const [tool, , , , ...argv] = fields;
        const next = this.queue.then(() => this.answer(tool, argv));
        this.queue = next.catch(() => undefined);
        return next;
      }),
    );
    return new Promise((resolve) =>
      this.server!.listen(0, '127.0.0.1', () => {
        this.port = (this.server!.address() as net.AddressInfo).port;
        resolve(this.port);
      }),
    );
  }

  public close(): void {
    this.server?.close();
  }
}

/**
 * A region's Kubernetes API endpoint as the scripts reach it: a TCP relay to its API server that can be cut (the region
 * is lost: connections are refused) and restored (the partition heals) on the same address.
 */
export class Endpoint {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  public port = 0;

  constructor(private readonly target: number) {}

  public async up(): Promise<void> {
    if (this.server) return;
    this.server = net.createServer((socket) => {
      const upstream = net.connect(this.target, '127.0.0.1');
      this.sockets.add(socket).add(upstream);
      socket.pipe(upstream).pipe(socket);
      const drop = () => {
        socket.destroy();
        upstream.destroy();
        this.sockets.delete(socket);
        this.sockets.delete(upstream);
      };
      socket.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  public async down(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = undefined;
    for (const x of this.sockets) x.destroy();
    this.sockets.clear();
    await new Promise((resolve) => s.close(resolve));
  }

  public get isUp(): boolean {
    return !!this.server;
  }
}
