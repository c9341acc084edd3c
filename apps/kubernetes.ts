/**
 * The reference Samokoder services and their GitOps objects, synthesized by `cdk8s synth` (see cdk8s.yaml). Layout
 * (the GitOps repository's):
 *
 *   dist/<environment>/<app>/<app>.k8s.yaml     manifests per AWS environment and app (namespace, gateway, api, bot)
 *   dist/dr-<region>/<app>/<app>.k8s.yaml       the same services on each DigitalOcean DR cluster, from its contract
 *   dist/argocd/<cluster>/apps.k8s.yaml         AppProject + one Application per app, synced by the root
 *   dist/argocd/<cluster>/platform.k8s.yaml     the platform layer's project and Applications (controllers, CRDs)
 *   dist/platform/<cluster>/config.k8s.yaml     cluster objects the apps name (GatewayClass, issuer, secret store)
 *   dist/argocd/bootstrap/<cluster>.k8s.yaml    the root Application (app of apps) and its project, applied once
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import {
  AppOfApps,
  assertPlatformWiring,
  ClusterPlatform,
  kubernetesVersionDrift,
  PlatformCloud,
  PlatformContract,
  PolicyPack,
  renderCharts,
} from 'samokoder-infra';
import { loadConfig, PlatformConfig, ServicesConfig } from './config';
import { buildKubernetesApps } from './kubernetes-apps';
import { buildTerraformApp } from './terraform';

/** The charts synthesized for one environment or for Argo CD, with the file each is written to. */
export interface SynthesizedKubernetes {
  readonly apps: Record<string, App>;
  readonly files: Array<{ file: string; chart: Chart }>;
}

/** Builds every chart and writes it under `outdir` in the GitOps layout. Returns what was written, in order. */
export function synthKubernetes(config: PlatformConfig, outdir: string, warn?: (message: string) => void): SynthesizedKubernetes {
  // The cloud stacks are built in memory (not synthesized) only to read their typed contracts, so names the
  // clusters rely on (namespace, service accounts, secret names, subnet CIDRs, hosts, ports) are never typed twice.
  const cloud = buildTerraformApp(config);
  const apps: Record<string, App> = {};
  const files: Array<{ file: string; chart: Chart }> = [];
  const envCharts: Record<string, Chart[]> = {};
  const platforms: Array<{ cluster: string; manifests: string; contract: PlatformContract; platform: ClusterPlatform }> = [];
  // One manifest set per AWS environment (dist/<environment>/), and one per DigitalOcean DR cluster
  // (dist/dr-<region>/): each from its own stack's contract.
  const manifestSets: Array<{ dir: string; services: ServicesConfig; contract: PlatformContract }> = [
    ...config.services.map((services) => ({ dir: services.name, services, contract: cloud.stacks[services.name].contract })),
    ...config.gitops.clusters
      .filter((c) => c.dr !== undefined)
      .map((c) => {
        const production = config.services.find((s) => s.name === c.environment)!;
        const services: ServicesConfig = {
          ...production,
          api: { ...production.api, host: config.dr.host },
          bot: { ...production.bot, host: config.dr.botHost },
        };
        return { dir: c.name, services, contract: cloud.dr.contract(c.dr!) };
      }),
  ];
  const contracts: Record<string, PlatformContract> = {};
  for (const { dir, services, contract } of manifestSets) {
    const drift = kubernetesVersionDrift(contract.kubernetesVersion);
    if (drift && warn) warn(`version drift (${dir}): ${drift}`);
    const app = new App({ outdir });
    const charts = buildKubernetesApps(app, services, contract);
    apps[dir] = app;
    contracts[dir] = contract;
    envCharts[dir] = [charts.namespace, charts.gateway, charts.api, charts.bot];
    for (const chart of envCharts[dir]) {
      files.push({ file: path.join(dir, chart.node.id, `${chart.node.id}.k8s.yaml`), chart });
    }
  }
  const argocd = new App({ outdir });
  apps.argocd = argocd;
  const source = { repoURL: config.gitops.repoURL, targetRevision: config.gitops.targetRevision };
  for (const cluster of config.gitops.clusters) {
    const manifests = cluster.dr ? cluster.name : cluster.environment;
    const contract = contracts[manifests];
    const entry = contract.entry;
    const platform = new ClusterPlatform(argocd, `${cluster.name}-platform`, {
      cluster: cluster.name,
      cloud:
        cluster.cloud === 'aws'
          ? PlatformCloud.aws({ region: contract.region })
          : PlatformCloud.digitalocean({ secretsRegion: contract.region, nodePort: entry?.nodePort, listenerPort: entry?.listenerPort }),
      source,
      configPath: `dist/platform/${cluster.name}`,
      acmeEmail: config.gitops.acmeEmail,
      team: 'samokoder',
    });
    files.push({ file: path.join('argocd', cluster.name, 'platform.k8s.yaml'), chart: platform.applications });
    files.push({ file: path.join('platform', cluster.name, 'config.k8s.yaml'), chart: platform.config });
    platforms.push({ cluster: cluster.name, manifests, contract, platform });
    const aoa = new AppOfApps(argocd, cluster.name, {
      source,
      cluster: { name: cluster.name, environment: manifests },
      namespace: contract.namespace,
      apps: ['namespace', { name: 'gateway', namespace: 'gateway-system' }, 'api', 'bot'],
    });
    files.push({ file: path.join('argocd', cluster.name, 'apps.k8s.yaml'), chart: aoa.children });
    files.push({ file: path.join('argocd', 'bootstrap', `${cluster.name}.k8s.yaml`), chart: aoa.bootstrap });
  }
  // cdk8s' app-level validation, the policy pack included, runs before anything is written: an invalid
  // configuration writes nothing.
  Object.values(apps).forEach((a) => PolicyPack.enforce(a));
  const rendered = new Map(
    Object.values(apps)
      .flatMap((a) => renderCharts(a))
      .map((r) => [r.chart, r.objects]),
  );
  // One platform across both engines: every name a cluster's manifests consume is produced by its stack or its
  // platform layer. A mismatch stops synthesis here, before anything is written.
  for (const { cluster, manifests, contract, platform } of platforms) {
    assertPlatformWiring({ cluster, contract, platform, objects: envCharts[manifests].flatMap((c) => rendered.get(c)!) });
  }
  fs.rmSync(outdir, { recursive: true, force: true });
  for (const { file, chart } of files) {
    fs.mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
    Yaml.save(path.join(outdir, file), rendered.get(chart)!);
  }
  return { apps, files };
}

if (require.main === module) {
  synthKubernetes(loadConfig(), process.env.CDK8S_OUTDIR ?? 'dist', (m) => console.warn(m));
}
