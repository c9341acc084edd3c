/**
 * A real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver and kube-controller-manager, built from the Go
 * module proxy by the shared build script (../shared/real-engines/README.md) and cached per machine.
 *
 * What it enforces: the OpenAPI schemas of built-in kinds and of installed CRDs (with their CEL rules), admission
 * (PodSecurity, LimitRanger, ResourceQuota, ServiceAccount, NamespaceLifecycle), and the controllers that turn
 * Deployments, ReplicaSets, StatefulSets and Jobs into real Pods, reporting what they cannot create as events.
 * What it has not: kubelets (a scheduled Pod stays Pending: verify-scheduling.ts registers the nodes and starts
 * kube-scheduler), the HPA controller (there is no metrics API; it is off so it does not report its own absence), the
 * node lifecycle controller (no kubelet renews a node's lease), and no add-on controllers or webhooks: the CRDs of Argo
 * CD, Argo Rollouts, cert-manager, External Secrets, Envoy Gateway and prometheus-operator are installed, their
 * controllers are not.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  cacheDir,
  cpuSeconds,
  freePort,
  peakMemoryMiB,
  realEnginesDir,
  run,
  runAsync,
  RunResult,
  since,
  sleep,
  startProcess,
  Started,
  stopProcess,
  VERSIONS,
} from './engines';
import { KubeClient } from './kube-client';

const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl', 'helm', 'kube-scheduler'];

/** The directory with the control-plane binaries; builds them first when missing or of another version. */
export function ensureControlPlane(log: (m: string) => void): string {
  // One directory per minor version: switching versions keeps the other build (and its Go module wrapper).
  const root = cacheDir(`kreal-${VERSIONS.kubernetes.split('.').slice(0, 2).join('.')}`);
  const bin = path.join(root, 'bin');
  const apiserver = path.join(bin, 'kube-apiserver');
  const version = fs.existsSync(apiserver) ? run(apiserver, ['--version']).stdout.trim() : '';
  const missing = BINARIES.filter((b) => !fs.existsSync(path.join(bin, b)));
  if (missing.length === 0 && version === `Kubernetes v${VERSIONS.kubernetes}`) return bin;
  if (missing.length === 1 && missing[0] === 'kube-scheduler' && version === `Kubernetes v${VERSIONS.kubernetes}`) {
    buildScheduler(root, log);
    return bin;
  }
  const t0 = Date.now();
  log(`building the control plane (${missing.length ? `missing ${missing.join(', ')}` : version}); cold on 2 cores ~10-16 min`);
  const r = run('bash', [path.join(realEnginesDir(), 'build-kubernetes-control-plane.sh')], {
    env: { KREAL_DIR: root, KUBE_VERSION: VERSIONS.kubernetes, HELM_VERSION: VERSIONS.helm, GOSUMDB: 'off' },
  });
  fs.writeFileSync(path.join(root, 'build.log'), r.stdout + r.stderr);
  if (r.status !== 0) throw new Error(`control-plane build failed (${r.status}): see ${path.join(root, 'build.log')}`);
  buildScheduler(root, log);
  log(`control plane built in ${since(t0)} s`);
  return bin;
}

/**
 * kube-scheduler, which the shared build script does not make: built the same way, in the same wrapper module (its
 * k8s.io/* staging replacements and Go build cache), with the same version ldflags. About a minute once the
 * control plane is built.
 */
function buildScheduler(root: string, log: (m: string) => void): void {
  const t0 = Date.now();
  const v = VERSIONS.kubernetes;
  const [major, minor] = v.split('.');
  const ld = ['-s', '-w'];
  for (const p of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'])
    ld.push(`-X ${p}.gitVersion=v${v}`, `-X ${p}.gitMajor=${major}`, `-X ${p}.gitMinor=${minor}`, `-X ${p}.gitTreeState=clean`);
  const env = { GOSUMDB: 'off', GOFLAGS: '-mod=mod', PATH: `${process.env.PATH}:/usr/local/go/bin` };
  const cwd = path.join(root, 'kbuild');
  const steps: string[][] = [
    ['go', 'get', `k8s.io/kubernetes/cmd/kube-scheduler@v${v}`],
    [
      'nice',
      '-n',
      '10',
      'go',
      'build',
      '-trimpath',
      `-ldflags=${ld.join(' ')}`,
      '-o',
      path.join(root, 'bin', 'kube-scheduler'),
      'k8s.io/kubernetes/cmd/kube-scheduler',
    ],
  ];
  for (const [cmd, ...args] of steps) {
    const r = run(cmd, args, { cwd, env });
    if (r.status !== 0) throw new Error(`building kube-scheduler: ${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  }
  log(`kube-scheduler v${v} built in ${since(t0)} s`);
}

function openssl(dir: string, args: string[]): void {
  const r = run('openssl', args, { cwd: dir });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, a serving certificate for 127.0.0.1, an admin client certificate and the service-account key pair. */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=verify-ca']);
  fs.writeFileSync(path.join(dir, 'serving.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n');
  const certs: Array<[string, string, string[]]> = [
    ['apiserver', '/CN=kube-apiserver', ['-extfile', 'serving.ext']],
    ['admin', '/O=system:masters/CN=verify-admin', []],
  ];
  for (const [name, subject, ext] of certs) {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      ...ext,
    ]);
  }
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key']);
  openssl(dir, ['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']);
}

function kubeconfig(dir: string, port: number): string {
  const b64 = (f: string) => fs.readFileSync(path.join(dir, f)).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: verify\n  cluster:\n    server: https://127.0.0.1:${port}\n    certificate-authority-data: ${b64('ca.crt')}`,
    'users:',
    `- name: admin\n  user:\n    client-certificate-data: ${b64('admin.crt')}\n    client-key-data: ${b64('admin.key')}`,
    'contexts:',
    '- name: verify\n  context:\n    cluster: verify\n    user: admin',
    'current-context: verify',
    '',
  ].join('\n');
}

export interface ControlPlane {
  readonly name: string;
  readonly kubeconfig: string;
  /** The checks' one API client for this control plane, in this process (kube-client.ts): no kubectl launches. */
  readonly client: KubeClient;
  helm(args: string[]): RunResult;
  /** Starts kube-scheduler (of the same build) against this control plane. */
  startScheduler(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * kube-apiserver's garbage collector, set for these short runs through the Go runtime's environment variables
 * (pkg.go.dev/runtime, "Environment Variables"): GOGC "sets the initial garbage collection target percentage. A
 * collection is triggered when the ratio of freshly allocated data to live data remaining after the previous
 * collection reaches this percentage. The default is GOGC=100."; GOMEMLIMIT "sets a soft memory limit for the
 * runtime" (the Go heap and the runtime's other memory), which the collector keeps to by collecting more often.
 * kube-apiserver's CPU profile on a cluster part (SAMOKODER_APISERVER_PPROF below) had a third of its CPU in the
 * collector (its mark workers and assists, sweeping, write barriers): the pinned CRDs' schemas keep ~420 MiB live, and
 * each write of a CRD (apply, dry run, status update) copies and converts its whole schema, 10 GiB allocated in one
 * cluster part. At 400 the heap grows to five times what is live before a collection, at most to 1.5 GiB: about a
 * third as many collections for the same requests and answers (the checks do not see the collector). Measured on
 * verify:k8s (docs/performance.md): 18 collections in a cluster part instead of 60, kube-apiserver's CPU -25 %
 * (181 -> 136 s over the six parts), its peak resident memory 0.8-1.24 -> 1.49-1.55 GiB per control plane (at 200
 * without the limit: -13 % and up to 1.96 GiB).
 */
const APISERVER_GC = { GOGC: '400', GOMEMLIMIT: '1536MiB' };

/** Starts a fresh, empty control plane. */
export async function startControlPlane(name: string, bin: string, log: (m: string) => void): Promise<ControlPlane> {
  const t0 = Date.now();
  const profileDir = process.env.SAMOKODER_APISERVER_PPROF;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `verify-k8s-${name}-`));
  makeCertificates(dir);
  const [etcdPort, peerPort, apiPort, cmPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const processes: Started[] = [];
  let helmCalls = 0;
  const client = new KubeClient(`https://127.0.0.1:${apiPort}`, dir);
  let profiling: Promise<void> | undefined;
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await profiling;
    // What each process of this control plane cost, read just before it is stopped (see verify-k8s' part lines).
    const cpu = processes.map((p) => `${p.name.replace(/ \(.*\)$/, '')} ${cpuSeconds(p.child.pid!).toFixed(1)}`);
    const memory = `kube-apiserver peak memory ${peakMemoryMiB(apiserver.child.pid!)} MiB`;
    log(
      `  control plane "${name}" CPU (user+sys s): ${cpu.join(', ')}; API client ${client.requests} requests, kubectl none, helm ${helmCalls} runs; ${memory}`,
    );
    client.close();
    for (const p of processes.reverse()) await stopProcess(p);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  processes.push(
    startProcess(`etcd (${name})`, path.join(bin, 'etcd'), [
      '--name=verify',
      `--data-dir=${path.join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=verify=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
    ]),
  );
  const apiserverArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    `--tls-cert-file=${path.join(dir, 'apiserver.crt')}`,
    `--tls-private-key-file=${path.join(dir, 'apiserver.key')}`,
    `--client-ca-file=${path.join(dir, 'ca.crt')}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--authorization-mode=RBAC',
    // Without it, privileged pods fail validation before PodSecurity can judge them (see the real-engines README).
    '--allow-privileged=true',
    '--endpoint-reconciler-type=none',
    // Less idle work, the same validation and admission (k8s.io/apiserver pkg/server/options at v1.35):
    // server_run_options.go --enable-priority-and-fairness "replace the max-in-flight handler with an enhanced one
    // that queues and dispatches with priority and fairness": off, the plain max-in-flight limits apply and the APF
    // configuration controller (its FlowSchemas, priority levels and their status upkeep) does not run; one client
    // drives each server here. feature.go --profiling "Enable profiling via web interface host:port/debug/pprof/":
    // nobody reads it, except with SAMOKODER_APISERVER_PPROF (profile() below). controller-runtime's envtest starts its API servers with the first off as well.
    '--enable-priority-and-fairness=false',
    `--profiling=${profileDir ? 'true' : 'false'}`,
  ];
  const apiserver = startProcess(`kube-apiserver (${name})`, path.join(bin, 'kube-apiserver'), apiserverArgs, APISERVER_GC);
  processes.push(apiserver);
  const config = path.join(dir, 'kubeconfig');
  fs.writeFileSync(config, kubeconfig(dir, apiPort));
  // A discovery cache of this control plane's own for helm. helm caches what an API server serves under
  // ~/.kube/cache by host and port, and the OS hands a port freed by one control plane to the next: the self-test
  // once read the CRDs of the production cluster that had used its port before, so a kind it must not know was known
  // (KUBECACHEDIR is helm's default). The checks' own client (kube-client.ts) keeps its discovery in memory, per
  // control plane.
  process.env.KUBECACHEDIR = path.join(dir, 'kube-cache');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await client.request('GET', '/readyz').catch(() => undefined);
    if (r?.ok && String(r.body).trim() === 'ok') break;
    if (Date.now() > deadline || apiserver.child.exitCode !== null) {
      const output = apiserver.output().slice(-3000);
      await stop();
      throw new Error(`kube-apiserver (${name}) did not become ready:\n${output}`);
    }
    await sleep(300);
  }
  const readyCpu = cpuSeconds(apiserver.child.pid!);
  if (profileDir) profiling = profile(profileDir, name, dir, apiPort, () => stopping);
  processes.push(
    startProcess(`kube-controller-manager (${name})`, path.join(bin, 'kube-controller-manager'), [
      `--kubeconfig=${config}`,
      `--service-account-private-key-file=${path.join(dir, 'sa.key')}`,
      `--root-ca-file=${path.join(dir, 'ca.crt')}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${cmPort}`,
      // No HPA controller (no metrics API). No node lifecycle controller: the nodes registered for scheduling have no
      // kubelet to renew their leases, and it would taint them unreachable after its grace period.
      '--controllers=*,-horizontalpodautoscaling,-node-lifecycle-controller',
    ]),
  );
  log(
    `  control plane "${name}" up on 127.0.0.1:${apiPort} in ${since(t0)} s, kube-apiserver ${readyCpu.toFixed(1)} s CPU (pids ${processes.map((p) => p.child.pid).join(', ')})`,
  );
  return {
    name,
    kubeconfig: config,
    client,
    helm: (args) => {
      helmCalls++;
      return run(path.join(bin, 'helm'), [`--kubeconfig=${config}`, ...args]);
    },
    startScheduler: async () => {
      const scheduler = startProcess(`kube-scheduler (${name})`, path.join(bin, 'kube-scheduler'), [
        `--kubeconfig=${config}`,
        `--authentication-kubeconfig=${config}`,
        `--authorization-kubeconfig=${config}`,
        '--leader-elect=false',
        '--bind-address=127.0.0.1',
        `--secure-port=${await freePort()}`,
      ]);
      processes.push(scheduler);
      if (scheduler.child.exitCode !== null) throw new Error(`kube-scheduler (${name}) exited: ${scheduler.output().slice(-2000)}`);
    },
    stop,
  };
}

/**
 * SAMOKODER_APISERVER_PPROF=<dir>: kube-apiserver's CPU profile from ready to stop, in 10-second pieces
 * (net/http/pprof's /debug/pprof/profile?seconds=N, served with --profiling=true), as <dir>/<name>-<pid>-cpu-<n>.pb.gz,
 * then its heap profile (/debug/pprof/heap, live and allocated memory) and its /metrics (apiserver_request_total: the
 * requests by resource and verb) just before it stops. `go tool pprof -top <kube-apiserver binary> <dir>/*-cpu-*.pb.gz`
 * reads the CPU pieces merged. For finding where it spends its CPU (docs/performance.md).
 */
async function profile(out: string, name: string, dir: string, port: number, stopping: () => boolean): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const f = (file: string) => path.join(dir, file);
  const tls = ['--cacert', f('ca.crt'), '--cert', f('admin.crt'), '--key', f('admin.key')];
  for (let n = 0; !stopping(); n++) {
    const file = path.join(out, `${name}-${process.pid}-cpu-${n}.pb.gz`);
    const r = await runAsync('curl', ['-sf', ...tls, '-o', file, `https://127.0.0.1:${port}/debug/pprof/profile?seconds=10`]);
    if (r.status !== 0) return; // the server is gone (or serves no profile): nothing more to read
  }
  const heap = path.join(out, `${name}-${process.pid}-heap.pb.gz`);
  await runAsync('curl', ['-sf', ...tls, '-o', heap, `https://127.0.0.1:${port}/debug/pprof/heap`]);
  const metrics = path.join(out, `${name}-${process.pid}-metrics.txt`);
  await runAsync('curl', ['-sf', ...tls, '-o', metrics, `https://127.0.0.1:${port}/metrics`]);
}

// `tsx scripts/real-engines/control-plane.ts`: builds the binaries if needed and prints their directory (CI puts it on
// PATH, so helm and kubectl come from the same pinned build).
if (require.main === module) {
  console.log(ensureControlPlane((m) => console.error(m)));
}
