/**
 * The reference Samokoder services and their GitOps objects, synthesized by `cdk8s synth` (see cdk8s.yaml). Layout
 * (the GitOps repository's):
 *
 *   dist/<environment>/<app>/<app>.k8s.yaml     manifests per environment and app (namespace, gateway, api, bot)
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
  PolicyPack,
  renderCharts,
} from 'samokoder-infra';
import { loadConfig, PlatformConfig } from './config';
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
  // clusters rely on (namespace, service accounts, secret names, subnet CIDRs) are never typed twice.
  const cloud = buildTerraformApp(config);
  const apps: Record<string, App> = {};
  const files: Array<{ file: string; chart: Chart }> = [];
  const envCharts: Record<string, Chart[]> = {};
  const platforms: Array<{ cluster: string; environment: string; platform: ClusterPlatform }> = [];
  for (const services of config.services) {
    const drift = kubernetesVersionDrift(cloud.stacks[services.name].contract.kubernetesVersion);
    if (drift && warn) warn(`version drift (${services.name}): ${drift}`);
    const app = new App({ outdir });
    const charts = buildKubernetesApps(app, services, cloud.stacks[services.name].contract);
    apps[services.name] = app;
    envCharts[services.name] = [charts.namespace, charts.gateway, charts.api, charts.bot];
    for (const chart of envCharts[services.name]) {
      files.push({ file: path.join(services.name, chart.node.id, `${chart.node.id}.k8s.yaml`), chart });
    }
  }
  const argocd = new App({ outdir });
  apps.argocd = argocd;
  const source = { repoURL: config.gitops.repoURL, targetRevision: config.gitops.targetRevision };
  for (const cluster of config.gitops.clusters) {
    const region = cloud.stacks[cluster.environment].contract.region;
    const platform = new ClusterPlatform(argocd, `${cluster.name}-platform`, {
      cluster: cluster.name,
      cloud: cluster.cloud === 'aws' ? PlatformCloud.aws({ region }) : PlatformCloud.digitalocean({ secretsRegion: region }),
      source,
      configPath: `dist/platform/${cluster.name}`,
      acmeEmail: config.gitops.acmeEmail,
      team: 'samokoder',
    });
    files.push({ file: path.join('argocd', cluster.name, 'platform.k8s.yaml'), chart: platform.applications });
    files.push({ file: path.join('platform', cluster.name, 'config.k8s.yaml'), chart: platform.config });
    platforms.push({ cluster: cluster.name, environment: cluster.environment, platform });
    const aoa = new AppOfApps(argocd, cluster.name, {
      source,
      cluster,
      namespace: cloud.stacks[cluster.environment].contract.namespace,
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
  for (const { cluster, environment, platform } of platforms) {
    assertPlatformWiring({
      cluster,
      contract: cloud.stacks[environment].contract,
      platform,
      objects: envCharts[environment].flatMap((c) => rendered.get(c)!),
    });
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
