// The props of MultiRegionDR and their boundary lists (split out of multi-region-dr.ts, as SamokoderStack's are).
import { Duration } from '../common/duration';
import { CostAllocationTags } from '../common/tags';
import { RemoteStateOptions } from '../aws/remote-state';
import { PostgresOptions, RegistryOptions, ValkeyOptions } from './data-tier';
import { DoksKubernetesVersion } from './doks-version';
import { UptimeAlertPeriod } from './global-entry';
import { RecoveryEstimates } from './recovery-model';
import { NodePoolOptions, PublicKubernetesApi, RegionalHealthCheck, Weekday } from './regional-cluster';
import { DoRegion } from './region';
import { AwsRegion } from '../aws/region';

/** One region of the DR pair. */
export interface DrRegionOptions {
  readonly region?: DoRegion;
  /** VPC range (RFC 1918, /16–/24); the two must not overlap. */
  readonly vpcCidr?: string;
  readonly nodePool?: NodePoolOptions;
  /** Day of the cluster's upgrade window; the two regions must differ. */
  readonly maintenanceDay?: Weekday;
}

/** Props for {@link MultiRegionDR}. */
export interface MultiRegionDRProps {
  /** The team's project: prefixes every name. @default - the stack id without a `-dr` suffix (`billing-dr` → `billing`) */
  readonly project?: string;
  /**
   * Environment name (a DNS label): in every name and the state key, so a name outside `KNOWN_ENVIRONMENTS` must be
   * declared with `unlistedEnvironment`; `tags.environment` must name it too.
   * @default 'production'
   */
  readonly environment?: string;
  /** `environment` is not one of `KNOWN_ENVIRONMENTS` and is meant (see SamokoderStackProps). @default false */
  readonly unlistedEnvironment?: boolean;
  readonly tags: CostAllocationTags;
  /** DNS zone managed by DigitalOcean. */
  readonly domain: string;
  /** Public host served from both regions (its per-region names `<region>.<host>` are checked directly). */
  readonly host: string;
  /** More public hosts behind the same global entry and certificate (another app's, say). @default [] */
  readonly additionalHosts?: string[];
  /**
   * AWS region of the Secrets Manager entries the clusters read (DigitalOcean has no secret manager). Any region
   * outside the DigitalOcean failure domain works; External Secrets refreshes from it, so latency does not matter.
   * @default AwsRegion.US_EAST_2
   */
  readonly secretsRegion?: AwsRegion;
  /** Entries of the application's own secrets, filled out of band, under `<project>/<environment>-dr/`. @default ['app', 'alerting'] */
  readonly secretEntries?: string[];
  /** @default - nyc3, 10.10.0.0/16, 3–10 s-4vcpu-8gb, upgrades on Tuesday */
  readonly primary?: DrRegionOptions;
  /** @default - sfo3, 10.20.0.0/16, 3–10 s-4vcpu-8gb, upgrades on Thursday */
  readonly secondary?: DrRegionOptions;
  /** @default DoksKubernetesVersion.DEFAULT */
  readonly kubernetesVersion?: DoksKubernetesVersion;
  /** @default - today */
  readonly supportCheckDate?: string;
  /** @default - NodePort 30080, /healthz every 5 s, unhealthy after 3 */
  readonly healthCheck?: RegionalHealthCheck;
  readonly postgres?: PostgresOptions;
  readonly valkey?: ValkeyOptions;
  readonly registry?: RegistryOptions;
  /** Where images are mirrored for a registry outage. @default 'ghcr.io/<project>' */
  readonly fallbackRegistry?: string;
  /** @default 50 */
  readonly failoverThresholdPercent?: number;
  readonly alertEmails: string[];
  /** @default '2m' */
  readonly alertPeriod?: UptimeAlertPeriod;
  /** Recovery time objective. @default Duration.minutes(15) */
  readonly rtoTarget?: Duration;
  /** Recovery point objective. @default Duration.minutes(5) */
  readonly rpoTarget?: Duration;
  /** @default - see RecoveryEstimates */
  readonly recoveryEstimates?: RecoveryEstimates;
  /** How often `sync-files.sh` copies uploaded files to the secondary (the files RPO). @default Duration.hours(1) */
  readonly filesSyncInterval?: Duration;
  /** Namespace of the application in the clusters (for the failover script). @default '<project>' */
  readonly namespace?: string;
  /**
   * Formerly the one Secret the failover script waited for.
   * @deprecated The scripts now wait for every Secret External Secrets makes from the connection entry, whatever the
   * apps are called; the value is still checked (a DNS name) and otherwise ignored.
   */
  readonly connectionSecret?: string;
  /** Where the pair's Terraform state is kept (key `<project>/<environment>-dr/terraform.tfstate`). Required unless `localState`. */
  readonly remoteState?: RemoteStateOptions;
  /** Keep the state in a local file, `terraform.<id>.tfstate` (a trial, a drill), instead of `remoteState`. @default false */
  readonly localState?: boolean;
  /**
   * IPv4 CIDRs allowed to reach both clusters' Kubernetes API (DigitalOcean's control-plane firewall; no IPv6 there):
   * the Argo CD hub's egress (NAT) addresses, which register the clusters with a bearer token, and the operators'
   * (where failover.sh and failback.sh run). Required unless `publicKubernetesApi` accepts a public API.
   * @default - none: the stack is refused without this or `publicKubernetesApi`
   */
  readonly apiAllowedCidrs?: string[];
  /**
   * Accepts Kubernetes APIs reachable from the whole internet, for an account without DigitalOcean's control-plane
   * firewall (early availability, invite only); the reason goes into the runbook and drill checklist as an accepted
   * risk (see RegionalClusterProps). Not together with `apiAllowedCidrs`.
   * @default - not accepted: `apiAllowedCidrs` is required
   */
  readonly publicKubernetesApi?: PublicKubernetesApi;
}

/** Every prop of {@link MultiRegionDRProps}, for the boundary check of plain JavaScript callers (see `_checkProps`). */
export const MULTIREGIONDR_PROPS = [
  'project',
  'environment',
  'unlistedEnvironment',
  'tags',
  'domain',
  'host',
  'additionalHosts',
  'secretsRegion',
  'secretEntries',
  'primary',
  'secondary',
  'kubernetesVersion',
  'supportCheckDate',
  'healthCheck',
  'postgres',
  'valkey',
  'registry',
  'fallbackRegistry',
  'failoverThresholdPercent',
  'alertEmails',
  'alertPeriod',
  'rtoTarget',
  'rpoTarget',
  'recoveryEstimates',
  'filesSyncInterval',
  'namespace',
  'connectionSecret',
  'remoteState',
  'localState',
  'apiAllowedCidrs',
  'publicKubernetesApi',
] as const satisfies readonly (keyof MultiRegionDRProps)[];
/** The props {@link MultiRegionDRProps} requires. */
export const MULTIREGIONDR_REQUIRED = ['tags', 'domain', 'host', 'alertEmails'] as const satisfies readonly (keyof MultiRegionDRProps)[];
