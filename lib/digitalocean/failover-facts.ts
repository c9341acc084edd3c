import type { _PostgresAddresses } from './data-tier';
import type { RecoveryModel } from './recovery-model';
import type { KubernetesApiAccess } from './regional-cluster';

// What the failover plan and its scripts read (split out of failover-plan.ts: the scripts need this type, and the
// plan needs the scripts).

/** Everything the failover plan needs to name things exactly as Terraform created them. @internal */
export interface FailoverFacts {
  readonly stackName: string;
  readonly host: string;
  readonly regionalHosts: { primary: string; secondary: string };
  readonly primaryRegion: string;
  readonly secondaryRegion: string;
  readonly primaryCluster: string;
  readonly secondaryCluster: string;
  readonly primaryNodePool: string;
  readonly secondaryNodePool: string;
  readonly primaryMinNodes: number;
  readonly secondaryMaxNodes: number;
  readonly postgresCluster: string;
  /** Nodes of the primary (a promoted replica starts with one: the scripts resize it to this). */
  readonly postgresNodes: number;
  readonly replicaName?: string;
  readonly replicaSize: string;
  readonly databaseName: string;
  readonly namespace: string;
  readonly registry: string;
  readonly registryRegion: string;
  readonly fallbackRegistry: string;
  /** Terraform addresses of the PostgreSQL primary and what belongs to it, and of the entry values the scripts own. */
  readonly addresses: _PostgresAddresses & { readonly entryValues: readonly string[] };
  readonly rtoTargetSeconds: number;
  readonly rpoTargetSeconds: number;
  readonly model: RecoveryModel;
  /** AWS region of the secret entries, and the connection entry of each region's cluster. */
  readonly secretsRegion: string;
  readonly secretPrefix: string;
  readonly connectionEntries: { primary: string; secondary: string };
  /** The entry with the DSN the lag monitor reads, and the monitor's Deployment (in the secondary's namespace). */
  readonly monitorEntry: string;
  readonly lagMonitor: string;
  /**
   * PromQL of the replica's lag in seconds as the gates read it (the heartbeat's age while the WAL receiver streams),
   * and where the secondary cluster's Prometheus answers it.
   */
  readonly lagQuery: string;
  /** PromQL of the newest heartbeat the replica has replayed (Unix seconds). */
  readonly heartbeatQuery: string;
  /** The IAM user whose key each cluster's External Secrets reads with (it may rotate its own key). */
  readonly readerUsers: { primary: string; secondary: string };
  /** The heartbeat writer's Deployment and Secret (in the primary's namespace): never scaled down by the scripts. */
  readonly heartbeatWriter: string;
  readonly prometheus: { namespace: string; service: string; port: number };
  /** Port of a PostgreSQL cluster without its pool (a promoted replica has none). */
  readonly databasePort: number;
  readonly primaryVpc: string;
  readonly secondaryVpc: string;
  /**
   * What failback.sh creates: the replica of the current primary back in the first region (promoted at the switch),
   * then that one's replica in the second region (the pair whole again).
   */
  readonly failback: { readonly primary: string; readonly replica: string };
  readonly buckets: { primary: string; secondary: string };
  readonly filesSyncIntervalSeconds: number;
  /** What the secondary's `PrimaryProbe` requests, and its name (the page of a primary outage). */
  readonly primaryProbe: { readonly name: string; readonly url: string };
  /** Who may reach the clusters' Kubernetes API (the same for both): the runbook says so, or lists the accepted risk. */
  readonly apiAccess: KubernetesApiAccess;
  /** The public path of a request, in order (README and runbook). */
  readonly trafficPath: readonly string[];
}
