import { PlatformContract } from '../common/contract';
import { DATABASE_DUMP_PREFIX } from '../common/database-bootstrap';
import { Duration } from '../common/duration';
import {
  heartbeatLagQuery,
  heartbeatTimestampQuery,
  PRIMARY_PROBE,
  REPLICATION_HEARTBEAT,
  REPLICATION_LAG_MONITOR,
} from '../common/replication';
import { DataTier } from './data-tier';
import { DO_DATABASE_PORTS, DrSecretStore, replicaMonitorEntry } from './dr-secrets';
import { FailoverFacts } from './failover-facts';
import { RecoveryModel } from './recovery-model';
import { DoksKubernetesVersion } from './doks-version';
import { GlobalEntry } from './global-entry';
import { RegionalCluster } from './regional-cluster';

/** What {@link _drContract} reads from the stack. @internal */
export interface DrContractFacts {
  readonly project: string;
  readonly environment: string;
  readonly namespace: string;
  readonly secretPrefix: string;
  readonly version: DoksKubernetesVersion;
  readonly rpoTarget: Duration;
  /** How often the secondary copies the primary's files. */
  readonly filesSyncSeconds: number;
  readonly dr: DrParts;
}

/** The parts of the pair the contract and the plan are read from. @internal */
export interface DrParts {
  readonly secrets: DrSecretStore;
  readonly entry: GlobalEntry;
  readonly primary: RegionalCluster;
  readonly secondary: RegionalCluster;
  readonly data: DataTier;
  readonly recovery: RecoveryModel;
}

/**
 * The contract of one DigitalOcean cluster of the pair. The database is reached through the pool in the primary's
 * network, and directly (the port a promoted replica answers on; pools are per cluster) in either network; Valkey
 * in the cluster's own. Hosts: the global ones, then the cluster's own regional name. @internal
 */
export function _drContract(rc: RegionalCluster, f: DrContractFacts): PlatformContract {
  const { dr } = f;
  const vpcs = [dr.primary.vpcRange.toString(), dr.secondary.vpcRange.toString()];
  const role = rc === dr.primary ? 'primary' : 'secondary';
  return {
    cloud: 'digitalocean',
    environment: f.environment,
    region: dr.secrets.region,
    clusterName: `${f.project}-${rc.region.slug}`,
    kubernetesVersion: f.version.minor,
    namespace: f.namespace,
    serviceAccounts: [],
    podIdentities: [],
    connectionSecretName: dr.secrets.connectionEntries[rc.region.slug],
    secretEntries: [...dr.secrets.entries],
    secretPrefix: f.secretPrefix,
    dataSubnetCidrs: vpcs,
    dataTier: [
      { name: 'postgres-pool', cidrs: [dr.primary.vpcRange.toString()], port: DO_DATABASE_PORTS.pool },
      { name: 'postgres', cidrs: vpcs, port: DO_DATABASE_PORTS.postgres },
      { name: 'valkey', cidrs: [rc.vpcRange.toString()], port: DO_DATABASE_PORTS.valkey },
    ],
    entry: {
      hosts: [...dr.entry.hosts, dr.entry.regionalHosts[role]],
      regionalHost: dr.entry.regionalHosts[role],
      tlsTermination: 'loadBalancer',
      nodePort: rc.healthCheck.nodePort,
      listenerPort: 80,
      healthPath: rc.healthCheck.path,
      publicHealthPath: dr.entry.healthPath,
    },
    databaseRole: role,
    // Each cluster's own reader (DrSecretStore.readerUsers): its platform layer rotates that user's key.
    secretsReader: { iamUser: dr.secrets.readerUsers[rc.region.slug] },
    // Where the writer is, the last-resort copy (issue #25): a daily pg_dump to one key under postgres/ of the region's
    // versioned bucket, so each dump makes the one before a noncurrent version, kept by the bucket's noncurrent rule
    // (regional-cluster.ts). After a failover the reconciled program swaps the roles, and the dump moves with the writer.
    ...(role === 'primary'
      ? { databaseDump: { database: dr.data.databaseName, prefix: DATABASE_DUMP_PREFIX, intervalSeconds: 86400 } }
      : {}),
    ...(role === 'secondary'
      ? {
          filesSync: {
            entry: dr.secrets.filesSyncEntry,
            intervalSeconds: f.filesSyncSeconds,
            source: { bucket: `${f.project}-${dr.primary.region.slug}-files`, host: `${dr.primary.region.slug}.digitaloceanspaces.com` },
            target: { bucket: `${f.project}-${rc.region.slug}-files`, host: `${rc.region.slug}.digitaloceanspaces.com` },
          },
          // What the global entry's uptime check of the primary requests, probed from here so its loss pages.
          primaryProbe: { region: dr.primary.region.slug, host: dr.entry.regionalHosts.primary, path: dr.entry.healthPath },
        }
      : {}),
    ...(role === 'secondary' && dr.data.replica
      ? { replicaMonitor: { entry: replicaMonitorEntry(f.secretPrefix, rc.region.slug), rpoSeconds: f.rpoTarget.totalSeconds } }
      : {}),
  };
}

/** What {@link _failoverFacts} takes besides the parts. @internal */
export interface PlanInputs {
  readonly stackName: string;
  readonly project: string;
  readonly environment: string;
  readonly namespace: string;
  readonly secretPrefix: string;
  readonly host: string;
  readonly rtoTarget: Duration;
  readonly rpoTarget: Duration;
  readonly replicaSize: string;
  readonly fallbackRegistry: string;
}

/** Everything the failover plan names, from the same parts Terraform creates. @internal */
export function _failoverFacts(dr: DrParts, i: PlanInputs): FailoverFacts {
  const [p, s] = [dr.primary.region.slug, dr.secondary.region.slug];
  const entry = (rc: RegionalCluster) => dr.secrets.connectionEntries[rc.region.slug];
  const hc = dr.primary.healthCheck;
  return {
    stackName: i.stackName,
    host: i.host,
    regionalHosts: dr.entry.regionalHosts,
    primaryRegion: p,
    secondaryRegion: s,
    primaryCluster: `${i.project}-${p}`,
    secondaryCluster: `${i.project}-${s}`,
    primaryNodePool: `${i.project}-${p}-default`,
    secondaryNodePool: `${i.project}-${s}-default`,
    primaryMinNodes: dr.primary.nodePool.minNodes,
    secondaryMaxNodes: dr.secondary.nodePool.maxNodes,
    postgresCluster: dr.data.postgresName,
    postgresNodes: dr.data.postgresNodeCount,
    replicaName: dr.data.replicaName,
    replicaSize: i.replicaSize,
    databaseName: dr.data.databaseName,
    namespace: i.namespace,
    registry: dr.data.registryName,
    registryRegion: dr.data.registryRegion.slug,
    fallbackRegistry: i.fallbackRegistry,
    addresses: { ...dr.data._postgresAddresses, entryValues: dr.secrets._scriptOwnedValues },
    rtoTargetSeconds: i.rtoTarget.totalSeconds,
    rpoTargetSeconds: i.rpoTarget.totalSeconds,
    model: dr.recovery,
    secretsRegion: dr.secrets.region,
    secretPrefix: i.secretPrefix,
    connectionEntries: { primary: entry(dr.primary), secondary: entry(dr.secondary) },
    monitorEntry: replicaMonitorEntry(i.secretPrefix, s),
    readerUsers: { primary: dr.secrets.readerUsers[p], secondary: dr.secrets.readerUsers[s] },
    lagMonitor: REPLICATION_LAG_MONITOR,
    lagQuery: heartbeatLagQuery(i.namespace),
    heartbeatQuery: heartbeatTimestampQuery(i.namespace),
    heartbeatWriter: REPLICATION_HEARTBEAT.writer,
    prometheus: { namespace: 'monitoring', service: 'prometheus-operated', port: 9090 },
    databasePort: DO_DATABASE_PORTS.postgres,
    primaryVpc: `${i.project}-${p}-vpc`,
    secondaryVpc: `${i.project}-${s}-vpc`,
    failback: { primary: `${dr.data.postgresName}-${p}`, replica: `${dr.data.postgresName}-${p}-${s}` },
    buckets: { primary: `${i.project}-${p}-files`, secondary: `${i.project}-${s}-files` },
    filesSyncIntervalSeconds: dr.recovery.filesRpoSeconds,
    apiAccess: dr.primary.apiAccess,
    primaryProbe: { name: PRIMARY_PROBE, url: `https://${dr.entry.regionalHosts.primary}${dr.entry.healthPath}` },
    trafficPath: [
      `DNS: \`${dr.entry.hosts.join('`, `')}\` → the Global Load Balancer (${p} first, ${s} when ${p}'s health checks fail; it requests \`${dr.entry.healthPath}\` over HTTPS).`,
      `Regional load balancer (\`${i.project}-${p}-ingress\`, \`${i.project}-${s}-ingress\`): TLS ends here with the stack's Let's Encrypt certificate; HTTP is redirected to HTTPS.`,
      `Plain HTTP to NodePort ${hc.nodePort} on every node (health check \`${hc.path}\` every ${hc.intervalSeconds} s, out after ${hc.unhealthyThreshold} failures).`,
      `Envoy Gateway's proxies: their Service pins NodePort ${hc.nodePort} to the Gateway \`public\`'s HTTP listener (port 80), in \`envoy-gateway-system\`.`,
      `HTTPRoutes of \`${i.namespace}\` on that listener, by host (and \`<region>.${i.host}\` on each region's cluster); \`${hc.path}\` and \`${dr.entry.healthPath}\` asked for by address go to the api's health path.`,
      `The app Services, admitted by the apps' NetworkPolicies from the proxies' namespace.`,
    ],
  };
}
