import { Construct } from 'constructs';
import { ContainerRegistry } from '@cdktf/provider-digitalocean/lib/container-registry';
import { DatabaseCluster } from '@cdktf/provider-digitalocean/lib/database-cluster';
import { DatabaseConnectionPool } from '@cdktf/provider-digitalocean/lib/database-connection-pool';
import { DatabaseDb } from '@cdktf/provider-digitalocean/lib/database-db';
import { DatabaseFirewall } from '@cdktf/provider-digitalocean/lib/database-firewall';
import { DatabaseReplica } from '@cdktf/provider-digitalocean/lib/database-replica';
import { DatabaseUser } from '@cdktf/provider-digitalocean/lib/database-user';
import { invalidProp } from '../common/errors';
import { _freeId, isUnresolved, requireDnsLabel, requireIntegerInRange } from '../common/validate';
import { RegionalCluster, Weekday } from './regional-cluster';
import { DoRegion } from './region';
import { pascalCase } from '../common/names';

/** Managed PostgreSQL settings. */
export interface PostgresOptions {
  /**
   * Major version: one DigitalOcean offers for new clusters (15, 16 or 17 on 2026-11-21; 13 and 14 are past their end
   * of availability). A newer one needs `unlistedVersion: true`.
   * @default '17'
   */
  readonly version?: string;
  /** `version` is newer than the library's table: use it as given. @default false */
  readonly unlistedVersion?: boolean;
  /** Node size slug. @default 'db-s-2vcpu-4gb' */
  readonly size?: string;
  /** Nodes in the primary region: 2 = primary + hot standby. @default 2 */
  readonly nodeCount?: number;
  /** A read-only replica in the secondary region (what makes a regional failover possible). @default true */
  readonly replica?: boolean;
  /** Replica size; at least the primary's, or the promoted replica cannot carry the load. @default - the primary's size */
  readonly replicaSize?: string;
  /** Connection pool size (PgBouncer, transaction mode). @default 20 */
  readonly poolSize?: number;
  /** Database and user the application uses. @default - the tier's `name` (the project) */
  readonly databaseName?: string;
  /**
   * Name of the PostgreSQL cluster. After a failover, the promoted replica's name (`<name>-pg-<region>`): DigitalOcean
   * cannot rename a cluster, and a different name here makes Terraform replace it (refused by `prevent_destroy`).
   * @default '<name>-pg'
   */
  readonly clusterName?: string;
  /**
   * Name of the read-only replica. After a fail-back, the replica failback.sh created (`<clusterName>-<secondary
   * region>`): a different name here makes Terraform replace it (refused by `prevent_destroy`).
   * @default '<name>-pg-<secondary region>'
   */
  readonly replicaName?: string;
}

/** Managed Valkey settings (DigitalOcean's successor to managed Redis). */
export interface ValkeyOptions {
  /** Major version (DigitalOcean offers 8 on 2026-11-21); a newer one needs `unlistedVersion: true`. @default '8' */
  readonly version?: string;
  /** `version` is newer than the library's table: use it as given. @default false */
  readonly unlistedVersion?: boolean;
  /** @default 'db-s-1vcpu-2gb' */
  readonly size?: string;
}

/** Container registry settings. */
const REGISTRY_TIERS: readonly string[] = ['starter', 'basic', 'professional'];

export interface RegistryOptions {
  /** `starter`, `basic` or `professional`. @default 'professional' */
  readonly tier?: 'starter' | 'basic' | 'professional';
  /**
   * Region of the (single, account-wide) registry. The default is the secondary region: a primary-region outage then
   * leaves image pulls working where the failover needs them.
   * @default - the secondary region
   */
  readonly region?: DoRegion;
}

/** Terraform addresses of the PostgreSQL primary and what belongs to it, and of the replica. @internal */
export interface _PostgresAddresses {
  readonly cluster: string;
  readonly database: string;
  readonly user: string;
  readonly pool: string;
  readonly firewall: string;
  readonly replica?: string;
  readonly replicaFirewall?: string;
}

/** Props for {@link DataTier}. */
export interface DataTierProps {
  readonly name: string;
  readonly primary: RegionalCluster;
  readonly secondary: RegionalCluster;
  readonly tags: string[];
  /** @default - PostgreSQL 17, 2 × db-s-2vcpu-4gb, replica in the secondary */
  readonly postgres?: PostgresOptions;
  /** @default - Valkey 8, db-s-1vcpu-2gb in each region */
  readonly valkey?: ValkeyOptions;
  /** @default - professional tier in the secondary region */
  readonly registry?: RegistryOptions;
  /** Weekly database maintenance day (kept apart from the clusters' upgrade days). @default 'sunday' */
  readonly maintenanceDay?: Weekday;
}

/**
 * Engine majors DigitalOcean offers for new clusters, from its database options (`GET /v2/databases/options`,
 * `version_availability`), checked on 2026-11-21: PostgreSQL 13 and 14 reached their end of availability on
 * 2025-05-13 and 2026-05-12.
 */
const DO_ENGINE_VERSIONS = {
  pg: { label: 'PostgreSQL', known: ['15', '16', '17'], retired: { '13': '2025-05-13', '14': '2026-05-12' } as Record<string, string> },
  valkey: { label: 'Valkey', known: ['8'], retired: {} as Record<string, string> },
};

/** Throws unless `version` is a major DigitalOcean offers for `engine` (or is declared unlisted). */
function requireEngineVersion(
  path: string,
  prop: string,
  engine: keyof typeof DO_ENGINE_VERSIONS,
  version: string,
  unlisted?: boolean,
): string {
  const t = DO_ENGINE_VERSIONS[engine];
  if (typeof version !== 'string' || !/^\d{1,2}$/.test(version)) {
    const major = typeof version === 'string' ? /^v?(\d+)/.exec(version)?.[1] : undefined;
    const hint = major && t.known.includes(major) ? ` (did you mean "${major}"?)` : '';
    throw invalidProp(path, prop, version, `must be a ${t.label} major version such as "${t.known[t.known.length - 1]}"${hint}`);
  }
  if (t.retired[version]) {
    throw invalidProp(
      path,
      prop,
      version,
      `reached its end of availability on DigitalOcean on ${t.retired[version]}: new clusters take ${t.known.join(', ')}`,
    );
  }
  if (!unlisted && !t.known.includes(version)) {
    throw invalidProp(
      path,
      prop,
      version,
      `is not a ${t.label} version DigitalOcean offers (${t.known.join(', ')} on 2026-11-21): for a newer one, set ${prop.replace(/version$/, 'unlistedVersion')}: true`,
    );
  }
  return version;
}

/** vCPUs and GB of a DigitalOcean size slug such as `db-s-2vcpu-4gb` or `s-4vcpu-8gb`. @internal */
export function _sizeOf(slug: string): { vcpu: number; gb: number } | undefined {
  const m = /(\d+)vcpu-(\d+)gb/.exec(slug);
  return m ? { vcpu: Number(m[1]), gb: Number(m[2]) } : undefined;
}

/**
 * The data of the platform: managed PostgreSQL in the primary region (primary + standby, private network,
 * maintenance window) with a read-only replica in the secondary region, firewalls that admit only the two clusters,
 * a connection pool; Valkey in each region; and the container registry.
 *
 * Valkey holds caches and short-lived queues only: DigitalOcean offers no cross-region Valkey replication, so each
 * region has its own and a failover starts the secondary's cold (the application must tolerate an empty cache).
 */
export class DataTier extends Construct {
  public readonly postgres: DatabaseCluster;
  public readonly replica?: DatabaseReplica;
  public readonly pool: DatabaseConnectionPool;
  public readonly valkey: Record<'primary' | 'secondary', DatabaseCluster>;
  public readonly registry: ContainerRegistry;
  public readonly registryRegion: DoRegion;
  /** The registry's name (`registry.digitalocean.com/<name>`). */
  public readonly registryName: string;
  /** The replica's name (the failover script promotes it by name). */
  public readonly replicaName?: string;
  public readonly databaseName: string;
  /** Name of the PostgreSQL cluster. */
  public readonly postgresName: string;
  /** Name of the connection pool. */
  public readonly poolName: string;
  /** The application's database user. */
  public readonly appUser: DatabaseUser;
  /** Nodes of the PostgreSQL cluster (primary + standbys). */
  public readonly postgresNodeCount: number;
  /** Terraform addresses of everything tied to the PostgreSQL primary (the runbook's state surgery). @internal */
  public readonly _postgresAddresses: _PostgresAddresses;
  private readonly clusters: Record<'primary' | 'secondary', RegionalCluster>;

  /** The Valkey cluster of a region's cluster (each region has its own). */
  public valkeyOf(cluster: RegionalCluster): DatabaseCluster {
    return cluster === this.clusters.primary ? this.valkey.primary : this.valkey.secondary;
  }

  constructor(scope: Construct, id: string, props: DataTierProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name, 40);
    props.primary.region._require(path, 'primary.region', 'databases');
    props.secondary.region._require(path, 'secondary.region', 'databases');
    const pg = props.postgres ?? {};
    const size = pg.size ?? 'db-s-2vcpu-4gb';
    const nodeCount = requireIntegerInRange(path, 'postgres.nodeCount', pg.nodeCount ?? 2, 1, 3);
    this.postgresNodeCount = nodeCount;
    const replicaSize = pg.replicaSize ?? size;
    const a = _sizeOf(size);
    const b = _sizeOf(replicaSize);
    if (replicaSize !== size && (!a || !b || b.vcpu < a.vcpu || b.gb < a.gb)) {
      throw invalidProp(
        path,
        'postgres.replicaSize',
        replicaSize,
        `is smaller than the primary (${size}): once promoted it must carry the primary's load; use ${size} or larger`,
      );
    }
    this.databaseName = requireDnsLabel(path, 'postgres.databaseName', pg.databaseName ?? props.name, 63);
    const pgVersion = requireEngineVersion(path, 'postgres.version', 'pg', pg.version ?? '17', pg.unlistedVersion);
    const vk = props.valkey ?? {};
    const valkeyVersion = requireEngineVersion(path, 'valkey.version', 'valkey', vk.version ?? '8', vk.unlistedVersion);
    const window = [{ day: props.maintenanceDay ?? 'sunday', hour: '02:00:00' }];

    this.postgresName = requireDnsLabel(path, 'postgres.clusterName', pg.clusterName ?? `${name}-pg`, 63);
    // failback.sh names what it creates after the cluster: the replica back in the first region, `<cluster>-<first>`,
    // which it promotes, and that one's replica in the second, `<cluster>-<first>-<second>` (database names are DNS
    // labels on DigitalOcean; its hosts are derived from them).
    const failbackReplica = `${this.postgresName}-${props.primary.region.slug}-${props.secondary.region.slug}`;
    if (!isUnresolved(this.postgresName) && failbackReplica.length > 63) {
      throw invalidProp(
        path,
        'postgres.clusterName',
        this.postgresName,
        `leaves no room for the names failback.sh derives from it ("${failbackReplica}" has ${failbackReplica.length} characters, DigitalOcean allows 63): use at most ${63 - failbackReplica.length + this.postgresName.length} characters`,
      );
    }
    this.postgres = new DatabaseCluster(this, 'Postgres', {
      name: this.postgresName,
      engine: 'pg',
      version: pgVersion,
      size,
      nodeCount,
      region: props.primary.region.slug,
      privateNetworkUuid: props.primary.vpc.id,
      maintenanceWindow: window,
      tags: props.tags,
      lifecycle: { preventDestroy: true },
    });
    // The database and its user are protected like the cluster: a renamed default or a moved id would otherwise
    // drop the application's data (the database) or lock every app out (the user) at the next apply.
    const db = new DatabaseDb(this, 'Database', {
      clusterId: this.postgres.id,
      name: this.databaseName,
      lifecycle: { preventDestroy: true },
    });
    const user = (this.appUser = new DatabaseUser(this, 'AppUser', {
      clusterId: this.postgres.id,
      name: `${this.databaseName}_app`,
      lifecycle: { preventDestroy: true },
    }));
    this.pool = new DatabaseConnectionPool(this, 'Pool', {
      clusterId: this.postgres.id,
      name: (this.poolName = `${this.databaseName}-pool`),
      mode: 'transaction',
      size: requireIntegerInRange(path, 'postgres.poolSize', pg.poolSize ?? 20, 1, 1000),
      dbName: this.databaseName,
      user: user.name,
    });
    const firewall = new DatabaseFirewall(this, 'PostgresFirewall', {
      clusterId: this.postgres.id,
      rule: [
        { type: 'k8s', value: props.primary.cluster.id },
        { type: 'k8s', value: props.secondary.cluster.id },
      ],
    });
    this._postgresAddresses = {
      cluster: `digitalocean_database_cluster.${this.postgres.friendlyUniqueId}`,
      database: `digitalocean_database_db.${db.friendlyUniqueId}`,
      user: `digitalocean_database_user.${user.friendlyUniqueId}`,
      pool: `digitalocean_database_connection_pool.${this.pool.friendlyUniqueId}`,
      firewall: `digitalocean_database_firewall.${firewall.friendlyUniqueId}`,
    };
    if (pg.replica ?? true) {
      this.replicaName = requireDnsLabel(path, 'postgres.replicaName', pg.replicaName ?? `${name}-pg-${props.secondary.region.slug}`, 63);
      if (this.replicaName === this.postgresName) {
        throw invalidProp(
          path,
          'postgres.replicaName',
          this.replicaName,
          'names the cluster itself: DigitalOcean database names are unique; choose another',
        );
      }
      this.replica = new DatabaseReplica(this, 'Replica', {
        clusterId: this.postgres.id,
        name: this.replicaName,
        region: props.secondary.region.slug,
        size: replicaSize,
        privateNetworkUuid: props.secondary.vpc.id,
        tags: props.tags,
        lifecycle: { preventDestroy: true },
      });
      // The replica's own trusted sources: only the secondary cluster, which is what uses it once promoted. Without
      // them a promoted replica would accept connections from anywhere.
      const replicaFirewall = new DatabaseFirewall(this, 'ReplicaFirewall', {
        clusterId: this.replica.uuid,
        rule: [{ type: 'k8s', value: props.secondary.cluster.id }],
      });
      this._postgresAddresses = {
        ...this._postgresAddresses,
        replica: `digitalocean_database_replica.${this.replica.friendlyUniqueId}`,
        replicaFirewall: `digitalocean_database_firewall.${replicaFirewall.friendlyUniqueId}`,
      };
    }

    const valkey = (rc: RegionalCluster) => {
      // Ids follow the region, so swapping roles after a failover moves nothing.
      const regionId = pascalCase(rc.region.slug);
      const cluster = new DatabaseCluster(this, `Valkey${regionId}`, {
        name: `${name}-valkey-${rc.region.slug}`,
        engine: 'valkey',
        version: valkeyVersion,
        size: vk.size ?? 'db-s-1vcpu-2gb',
        nodeCount: 2,
        region: rc.region.slug,
        privateNetworkUuid: rc.vpc.id,
        evictionPolicy: 'allkeys_lru',
        maintenanceWindow: window,
        tags: props.tags,
        // Sessions and queues live here; a replacement empties them.
        lifecycle: { preventDestroy: true },
      });
      new DatabaseFirewall(this, `ValkeyFirewall${regionId}`, { clusterId: cluster.id, rule: [{ type: 'k8s', value: rc.cluster.id }] });
      return cluster;
    };
    this.valkey = { primary: valkey(props.primary), secondary: valkey(props.secondary) };

    this.clusters = { primary: props.primary, secondary: props.secondary };
    this.registryRegion = props.registry?.region ?? props.secondary.region;
    this.registryRegion._require(path, 'registry.region', 'containerRegistry');
    const tier = props.registry?.tier ?? 'professional';
    if (!REGISTRY_TIERS.includes(tier)) {
      throw invalidProp(path, 'registry.tier', tier, `must be one of ${REGISTRY_TIERS.join(', ')} (DigitalOcean's subscription tiers)`);
    }
    this.registryName = name.replace(/-/g, '');
    this.registry = new ContainerRegistry(this, 'Registry', {
      name: this.registryName,
      subscriptionTierSlug: tier,
      region: this.registryRegion.slug,
      // The DR image mirror: without it the secondary cannot pull its images when the primary's registry is gone.
      lifecycle: { preventDestroy: true },
    });
  }
}
