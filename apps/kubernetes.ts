/**
 * The reference Samokoder services and their GitOps objects, synthesized by `cdk8s synth` (see cdk8s.yaml) through
 * the library's GitOpsRepository. Layout (the GitOps repository's):
 *
 *   dist/<environment>/<app>/<app>.k8s.yaml     manifests per AWS environment and app (namespace, gateway, api, bot)
 *   dist/dr-<region>/<app>/<app>.k8s.yaml       the same services on each DigitalOcean DR cluster, from its contract
 *   dist/argocd/<cluster>/apps.k8s.yaml         AppProject + one Application per app, synced by the root
 *   dist/argocd/<cluster>/platform.k8s.yaml     the platform layer's project and Applications (controllers, CRDs)
 *   dist/platform/<cluster>/config.k8s.yaml     cluster objects the apps name (GatewayClass, issuer, secret store)
 *   dist/argocd/bootstrap/<cluster>.k8s.yaml    the root Application (app of apps) and its project, applied once
 *   dist/argocd/hub/config.k8s.yaml             the Argo CD hub's argocd-cm and its repository and cluster registrations
 */
import { App } from 'cdk8s';
import {
  ArgoCdCluster,
  GitOpsFile,
  GitOpsRepository,
  kubernetesVersionDrift,
  PlatformCloud,
  PlatformContract,
  PlatformDns,
  SecretStore,
} from 'samokoder-infra';
import { DNS_TOKEN_ENTRY, dnsNames, loadConfig, PlatformConfig, ServicesConfig } from './config';
import { buildKubernetesApps } from './kubernetes-apps';
import { buildTerraformApp, TerraformPlatform } from './terraform';

/** The manifest sets and Argo CD objects synthesized, with the file each chart is written to. */
export interface SynthesizedKubernetes {
  readonly apps: Record<string, App>;
  readonly files: GitOpsFile[];
}

/**
 * How far the reference clusters may run ahead of the Kubernetes minor cdk8s-plus models (1.28) without a line on every
 * synth: 7 (1.35). cdk8s-plus-28 is the last line there is, so the gap cannot be closed here, and it is covered: every
 * object is validated against the 1.35 schemas (`npm run check`) and on a 1.35 API server (`npm run verify:k8s`), and
 * the library patches the newer fields it writes. A cluster moved further ahead warns again.
 */
export const ACKNOWLEDGED_KPLUS_DRIFT = 7;

/**
 * Builds every chart and writes it under `outdir` in the GitOps layout. Returns what was written, in order.
 * `cloud` is the reference's cloud platform, built once by a caller that synthesizes both (apps/synth.ts, the tests).
 */
export function synthKubernetes(
  config: PlatformConfig,
  outdir: string,
  warn?: (message: string) => void,
  cloud: TerraformPlatform = buildTerraformApp(config),
): SynthesizedKubernetes {
  // The cloud stacks are read only for their typed contracts, so names the clusters rely on (namespace, service
  // accounts, secret names, subnet CIDRs, hosts, ports) are never typed twice.
  const repo = new GitOpsRepository({ repoURL: config.gitops.repoURL, targetRevision: config.gitops.targetRevision, path: 'dist' });
  // One manifest set per AWS environment, and one per DigitalOcean DR cluster: each from its own stack's contract.
  const sets: Array<{ name: string; services: ServicesConfig; contract: PlatformContract }> = [
    ...config.services.map((services) => ({ name: services.name, services, contract: cloud.stacks[services.name].contract })),
    ...config.gitops.clusters
      .filter((c) => c.dr !== undefined)
      .map((c) => {
        const production = config.services.find((s) => s.name === c.environment)!;
        const services: ServicesConfig = {
          ...production,
          api: { ...production.api, host: config.dr.host },
          bot: { ...production.bot, host: config.dr.botHost },
        };
        return { name: c.name, services, contract: cloud.dr.contract(c.dr!) };
      }),
  ];
  const apps: Record<string, App> = {};
  const contracts: Record<string, PlatformContract> = {};
  for (const { name, services, contract } of sets) {
    const drift = kubernetesVersionDrift(contract.kubernetesVersion, ACKNOWLEDGED_KPLUS_DRIFT);
    if (drift && warn) warn(`version drift (${name}): ${drift}`);
    apps[name] = repo.manifests(name);
    contracts[name] = contract;
    buildKubernetesApps(apps[name], services, contract);
  }
  for (const cluster of config.gitops.clusters) {
    const manifests = cluster.dr ? cluster.name : cluster.environment;
    const contract = contracts[manifests];
    const entry = contract.entry;
    repo.cluster({
      name: cluster.name,
      manifests,
      namespace: contract.namespace,
      apps: ['namespace', { name: 'gateway', namespace: 'gateway-system' }, 'api', 'bot'],
      // The wiring check: every name a cluster's manifests consume is produced by its stack or its platform layer.
      contract,
      platform: {
        cloud:
          cluster.cloud === 'aws'
            ? PlatformCloud.aws({
                region: contract.region,
                clusterName: contract.clusterName,
                // The hosts resolve to the gateway's load balancer: records in the DR stack's zone, kept by external-dns.
                dns: PlatformDns.digitalOcean({
                  zone: config.dr.domain,
                  tokenEntry: `${contract.secretPrefix}${DNS_TOKEN_ENTRY}`,
                  ...dnsNames(config, cluster.environment),
                }),
              })
            : PlatformCloud.digitalocean({
                secretsRegion: contract.region,
                // The cluster's own IAM user (the DR stack's): the platform layer rotates the store's key weekly.
                credentialsUser: contract.secretsReader?.iamUser,
                nodePort: entry?.nodePort,
                listenerPort: entry?.listenerPort,
              }),
        acmeEmail: config.gitops.acmeEmail,
        team: 'samokoder',
      },
    });
  }
  // The Argo CD hub: argocd-cm (the Application health check the waves need) and every cluster and the repository
  // registered from store entries. An EKS cluster's entry is written by its stack (argoCdHub), in its region; a DR
  // cluster's (a ServiceAccount token of the DOKS cluster) and the repository's are set out of band in the hub's region.
  const hub = config.gitops.hub;
  repo.hub({
    clusters: config.gitops.clusters.map((c) =>
      c.cloud === 'aws'
        ? ArgoCdCluster.eks(
            c.name,
            contracts[c.environment].secretPrefix + 'argocd-cluster',
            SecretStore.cluster(`aws-secrets-manager-${contracts[c.environment].region}`),
          )
        : ArgoCdCluster.bearerToken(c.name, `${hub.clusterEntryPrefix}${c.name}`),
    ),
    repositories: [{ url: config.gitops.repoURL, entry: hub.repositoryEntry }],
  });
  // The policy pack and the wiring check run before anything is written: an invalid configuration writes nothing.
  return { apps, files: repo.synth(outdir) };
}

if (require.main === module) {
  synthKubernetes(loadConfig(), process.env.CDK8S_OUTDIR ?? 'dist', (m) => console.warn(m));
}
