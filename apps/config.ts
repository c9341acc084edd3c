/**
 * The reference Samokoder deployment's configuration: read and validated once, here, then passed down as typed
 * props. Nothing under lib/ reads the environment.
 *
 * Overrides (all optional, for CI or a fork of this repo):
 * - SAMOKODER_SUPPORT_CHECK_DATE: ISO date the EKS support check is made for (default: today).
 * - SAMOKODER_API_IMAGE, SAMOKODER_BOT_IMAGE: the images to deploy (default: the pinned release below).
 */
import { AwsRegion, CostAllocationTags, EnvironmentProfile } from 'samokoder-infra';

/** Samokoder's runbooks: every alert of the reference apps links to `<base>/<alertname>` (the library sets none). */
export const RUNBOOKS = 'https://runbooks.samokoder.dev';

/** The entry (under each AWS environment's prefix) with the DigitalOcean token its external-dns writes records with. */
export const DNS_TOKEN_ENTRY = 'external-dns';

/**
 * Who manages which names of the zone (`dr.domain`, a `digitalocean_domain` of the DR stack, which owns the zone):
 * each AWS environment the names under the closest parent of its hosts (production: the zone; staging:
 * `staging.samokoder.com`), minus the DR stack's entry host (its global load balancer's records and the regional
 * records under it) and any other environment's names beneath its own. Derived from the hosts, so a new host moves
 * the filters with it.
 */
export function dnsNames(config: PlatformConfig, environment: string): { domains: string[]; excludeDomains: string[] } {
  const zone = config.dr.domain;
  /** The closest name all hosts are strictly under, never above the zone. */
  const parentOf = (hosts: string[]): string => {
    const labels = hosts.map((h) => h.split('.').reverse());
    let n = 0;
    while (labels.every((ls) => ls.length > n + 1 && ls[n] === labels[0][n])) n++;
    const parent = labels[0].slice(0, n).reverse().join('.');
    return parent.endsWith(`.${zone}`) ? parent : zone;
  };
  const domainOf = (s: ServicesConfig) => parentOf([s.api.host, s.bot.host]);
  const own = domainOf(config.services.find((s) => s.name === environment)!);
  const under = (name: string, parent: string) => name.endsWith(`.${parent}`);
  const others = [config.dr.host, config.dr.botHost, ...config.services.filter((s) => s.name !== environment).map(domainOf)];
  const excluded = others.filter((n, i) => under(n, own) && others.indexOf(n) === i);
  return { domains: [own], excludeDomains: excluded.filter((n) => !excluded.some((e) => under(n, e))) };
}

export interface AwsEnvironmentConfig {
  readonly name: 'production' | 'staging';
  readonly profile: EnvironmentProfile;
  readonly region: AwsRegion;
  readonly vpcCidr: string;
  readonly tags: CostAllocationTags;
  /** Who CloudWatch alarms e-mail (PagerDuty takes the critical ones from Alertmanager in-cluster). */
  readonly alarmEmails: string[];
}

export interface ServiceConfig {
  readonly image: string;
  readonly host: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
}

export interface ServicesConfig {
  readonly name: 'production' | 'staging';
  readonly api: ServiceConfig;
  readonly bot: ServiceConfig;
}

export interface DrConfig {
  readonly domain: string;
  /** The api's public host on the DR pair (the global entry's main host). */
  readonly host: string;
  /** The bot's public host on the DR pair (behind the same entry and certificate). */
  readonly botHost: string;
  readonly alertEmails: string[];
  readonly tags: CostAllocationTags;
  /** Public addresses the operators run the failover scripts from (a VPN's or bastion's egress), beside the hub's. */
  readonly operatorCidrs: readonly string[];
}

export interface GitOpsConfig {
  readonly repoURL: string;
  readonly targetRevision: string;
  /** Contact of the clusters' ACME (Let's Encrypt) account. */
  readonly acmeEmail: string;
  /** Clusters registered in Argo CD, the environment each runs and the cloud it runs on. */
  readonly clusters: ReadonlyArray<{
    readonly name: string;
    readonly environment: 'production' | 'staging';
    readonly cloud: 'aws' | 'digitalocean';
    /** Which cluster of the DigitalOcean DR pair this is (its manifests come from the DR stack's contract). */
    readonly dr?: 'primary' | 'secondary';
  }>;
  /**
   * The Argo CD hub that deploys to every cluster (docs/delivery.md, "Argo CD itself"): a management cluster of its
   * own in a region none of the clusters runs in, so losing a workload region leaves GitOps running for the others.
   */
  readonly hub: {
    /** Its region (where its store reads its own entries). */
    readonly region: string;
    /** IAM role of its controllers (in the AWS environments' account): each EKS stack trusts it. */
    readonly managementRole: string;
    /** Its VPC, peered with the AWS environments' VPCs: admitted to their private API endpoints on 443. */
    readonly cidr: string;
    /**
     * Its public egress (NAT gateway) addresses: the DR clusters' Kubernetes APIs are public endpoints behind
     * DigitalOcean's control-plane firewall, which must admit them (the hub registers those clusters by bearer token).
     */
    readonly egressCidrs: readonly string[];
    /** Store entry with the GitOps repository's read-only credentials (username, password). */
    readonly repositoryEntry: string;
    /** Store entries with the DR clusters' registrations (server, caData, bearerToken), by cluster name. */
    readonly clusterEntryPrefix: string;
  };
}

export interface PlatformConfig {
  readonly stateBucket: string;
  readonly stateRegion: AwsRegion;
  readonly supportCheckDate?: string;
  readonly aws: readonly AwsEnvironmentConfig[];
  readonly services: readonly ServicesConfig[];
  readonly dr: DrConfig;
  readonly gitops: GitOpsConfig;
}

function isoDate(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new Error(`${name} (${JSON.stringify(value)}) must be an ISO date such as 2026-11-21`);
  }
  return value;
}

function pinnedImage(name: string, value: string | undefined, fallback: string): string {
  const image = value === undefined || value === '' ? fallback : value;
  if (!/[:@]/.test(image.slice(image.lastIndexOf('/') + 1))) {
    throw new Error(`${name} (${JSON.stringify(image)}) must be pinned to a tag or digest`);
  }
  return image;
}

const team = { service: 'samokoder', team: 'platform', costCenter: 'CC-1042' };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PlatformConfig {
  const apiImage = pinnedImage('SAMOKODER_API_IMAGE', env.SAMOKODER_API_IMAGE, 'ghcr.io/samokoder/api:1.0.0');
  const botImage = pinnedImage('SAMOKODER_BOT_IMAGE', env.SAMOKODER_BOT_IMAGE, 'ghcr.io/samokoder/bot:1.0.0');
  return {
    gitops: {
      repoURL: 'https://git.samokoder.dev/platform/gitops.git',
      targetRevision: 'main',
      acmeEmail: 'oncall@samokoder.com',
      clusters: [
        { name: 'production', environment: 'production', cloud: 'aws' },
        { name: 'staging', environment: 'staging', cloud: 'aws' },
        // The DigitalOcean DR pair runs the production services with manifests of its own (dist/dr-<region>/):
        // its secret store, data tier, hosts and entry come from the MultiRegionDR stack's contract.
        { name: 'dr-nyc3', environment: 'production', cloud: 'digitalocean', dr: 'primary' },
        { name: 'dr-sfo3', environment: 'production', cloud: 'digitalocean', dr: 'secondary' },
      ],
      hub: {
        region: 'eu-west-1',
        managementRole: 'samokoder-argocd-hub',
        cidr: '10.100.0.0/16',
        // Documentation addresses (RFC 5737 TEST-NET-3): replace them with your hub's NAT gateway addresses.
        egressCidrs: ['203.0.113.10/32', '203.0.113.11/32', '203.0.113.12/32'],
        repositoryEntry: 'samokoder/argocd/gitops-repository',
        clusterEntryPrefix: 'samokoder/argocd/cluster-',
      },
    },
    dr: {
      domain: 'samokoder.com',
      host: 'app.samokoder.com',
      botHost: 'bot.app.samokoder.com',
      alertEmails: ['oncall@samokoder.com'],
      tags: { environment: 'production', ...team },
      // Documentation addresses (RFC 5737 TEST-NET-2): replace them with your operators' VPN egress.
      operatorCidrs: ['198.51.100.0/28'],
    },
    services: [
      {
        name: 'production',
        api: { image: apiImage, host: 'api.samokoder.com', minReplicas: 3, maxReplicas: 20 },
        bot: { image: botImage, host: 'bot.samokoder.com', minReplicas: 3, maxReplicas: 6 },
      },
      {
        name: 'staging',
        api: { image: apiImage, host: 'api.staging.samokoder.com', minReplicas: 3, maxReplicas: 5 },
        bot: { image: botImage, host: 'bot.staging.samokoder.com', minReplicas: 3, maxReplicas: 4 },
      },
    ],
    stateBucket: 'samokoder-terraform-state',
    stateRegion: AwsRegion.EU_CENTRAL_1,
    supportCheckDate: isoDate('SAMOKODER_SUPPORT_CHECK_DATE', env.SAMOKODER_SUPPORT_CHECK_DATE),
    aws: [
      {
        name: 'production',
        profile: EnvironmentProfile.PRODUCTION,
        region: AwsRegion.EU_CENTRAL_1,
        vpcCidr: '10.0.0.0/16',
        tags: { environment: 'production', ...team },
        alarmEmails: ['oncall@samokoder.com'],
      },
      {
        name: 'staging',
        profile: EnvironmentProfile.STAGING,
        region: AwsRegion.EU_CENTRAL_1,
        vpcCidr: '10.1.0.0/16',
        tags: { environment: 'staging', ...team },
        alarmEmails: ['platform@samokoder.com'],
      },
    ],
  };
}
