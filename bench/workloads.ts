/**
 * Benchmark workloads, run in a fresh process each (so every measurement includes nothing warmed by the others).
 * Usage: tsx bench/workloads.ts <workload> [n]   → prints one JSON line: { ms, rssMiB, ... }
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Every run writes to new directories, removed after its measurement (outside it), so that a full bench does not leave
// tens of thousands of files behind in the temporary directory.
//
// Where: BENCH_OUTDIR, else a RAM disk (/dev/shm) where there is one, else the temporary directory. Creating files on
// this VM's disk takes from 0.1 s to 1.3 s for the same 2,000 files of 25 KB, depending on what the disk did in the
// minutes before (docs/performance.md): in a growth figure that was noise larger than the gap to the target. The
// bench measures the library's work; `npm run bench` also reports the 2,000-app run with its output on the disk.
const outBase = process.env.BENCH_OUTDIR ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
const made: string[] = [];
const tmp = () => {
  const dir = fs.mkdtempSync(path.join(outBase, 'samokoder-bench-'));
  made.push(dir);
  return dir;
};
const rssMiB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
const time = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const r = f();
  return [r, Math.round((performance.now() - t) * 10) / 10];
};

async function main(): Promise<void> {
  const [workload, nArg] = process.argv.slice(2);
  const n = Number(nArg ?? 1);
  const start = performance.now();
  // The library import is part of no workload but 'import'.
  const lib = await import('samokoder-infra');
  const importMs = Math.round((performance.now() - start) * 10) / 10;
  // CPU time of the workload (all threads, the garbage collector's included), beside its wall time.
  const cpuStart = process.cpuUsage();
  const cdktf = await import('cdktf');
  const cdk8s = await import('cdk8s');
  const date = '2026-11-21';
  const tags = { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' };
  let out: Record<string, number> = {};

  if (workload === 'import') {
    out = { ms: importMs };
  } else if (workload === 'reference') {
    // The reference platform, in process: both cdktf apps and the Kubernetes apps, synthesized to disk.
    const { loadConfig } = await import('../apps/config');
    const { buildTerraformApp } = await import('../apps/terraform');
    const { synthKubernetes } = await import('../apps/kubernetes');
    const config = loadConfig({ SAMOKODER_SUPPORT_CHECK_DATE: date });
    const [, terraformMs] = time(() => buildTerraformApp(config, new cdktf.App({ outdir: tmp() })).app.synth());
    const [, kubernetesMs] = time(() => synthKubernetes(config, path.join(tmp(), 'dist')));
    out = { ms: Math.round((terraformMs + kubernetesMs) * 10) / 10, terraformMs, kubernetesMs };
  } else if (workload === 'aws') {
    const [, ms] = time(() => {
      const app = new cdktf.App({ outdir: tmp() });
      for (const env of ['production', 'staging']) {
        new lib.SamokoderStack(app, `samokoder-${env}`, {
          environment: env,
          region: lib.AwsRegion.EU_CENTRAL_1,
          profile: env === 'production' ? lib.EnvironmentProfile.PRODUCTION : lib.EnvironmentProfile.STAGING,
          vpcCidr: env === 'production' ? '10.0.0.0/16' : '10.1.0.0/16',
          tags: { ...tags, environment: env },
          supportCheckDate: date,
          remoteState: { bucket: 'samokoder-terraform-state', region: 'eu-central-1' },
          alarmSubscriptions: [lib.AlarmSubscription.email('oncall@samokoder.com')],
        });
      }
      lib.PolicyPack.enforce(app);
      app.synth();
    });
    out = { ms };
  } else if (workload === 'dr') {
    const [, ms] = time(() => {
      const app = new cdktf.App({ outdir: tmp() });
      new lib.MultiRegionDR(app, 'samokoder-dr', {
        domain: 'samokoder.com',
        host: 'app.samokoder.com',
        alertEmails: ['oncall@samokoder.com'],
        apiAllowedCidrs: ['203.0.113.0/24'],
        tags,
        supportCheckDate: date,
        // The bench writes to a temporary directory: local state on purpose (MultiRegionDR refuses it implicitly).
        localState: true,
      });
      lib.PolicyPack.enforce(app);
      app.synth();
    });
    out = { ms };
  } else if (workload === 'apps' || workload === 'apps-native') {
    // n ProductionApps in one cdk8s app, policy pack on. 'apps' renders with renderCharts (validate once);
    // 'apps-native' with cdk8s' own app.synth() (validates the whole app again for every chart).
    const outdir = tmp();
    const [app, constructMs] = time(() => {
      const a = new cdk8s.App({ outdir, yamlOutputType: cdk8s.YamlOutputType.FILE_PER_CHART });
      for (let i = 0; i < n; i++)
        new lib.ProductionApp(a, `svc${i}`, { name: `svc${i}`, image: 'ghcr.io/acme/svc:1.0.0', host: `svc${i}.acme.dev` });
      if (workload === 'apps') lib.PolicyPack.enforce(a);
      return a;
    });
    const [, synthMs] = time(() => {
      if (workload === 'apps-native') {
        app.synth();
      } else {
        for (const r of lib.renderCharts(app)) lib.saveManifests(path.join(outdir, `${r.chart.node.id}.k8s.yaml`), r.objects);
      }
    });
    out = { ms: Math.round((constructMs + synthMs) * 10) / 10, constructMs, synthMs };
  } else if (workload === 'stacks') {
    const [, ms] = time(() => {
      const app = new cdktf.App({ outdir: tmp() });
      for (let i = 0; i < n; i++) {
        new lib.SamokoderStack(app, `env${i}`, {
          environment: `env${i}`,
          // Numbered names are not on KNOWN_ENVIRONMENTS: declared, as a team's would be.
          unlistedEnvironment: true,
          region: lib.AwsRegion.EU_CENTRAL_1,
          profile: lib.EnvironmentProfile.STAGING,
          vpcCidr: `10.${i}.0.0/16`,
          tags: { ...tags, environment: `env${i}` },
          supportCheckDate: date,
          remoteState: { bucket: 'samokoder-terraform-state', region: 'eu-central-1' },
          alarmSubscriptions: [lib.AlarmSubscription.email('oncall@samokoder.com')],
        });
      }
      lib.PolicyPack.enforce(app);
      app.synth();
    });
    out = { ms };
  } else {
    throw new Error(`unknown workload ${workload}`);
  }
  const cpu = process.cpuUsage(cpuStart);
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ ...out, cpuMs: Math.round((cpu.user + cpu.system) / 1000), rssMiB: rssMiB() })}\n`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  // A failed run's output goes too.
  .finally(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
