import { NatGateways } from './network';

/**
 * Sizing presets per kind of environment. Every value can still be overridden by the matching prop; a preset only
 * changes defaults, so staging and production share one code path.
 */
export class EnvironmentProfile {
  /**
   * One NAT per zone, Multi-AZ database, 3 shards × 1 replica, 3–10 m6i.large nodes, and the database's backups and
   * the buckets copied to another region (`recovery`).
   */
  public static readonly PRODUCTION = new EnvironmentProfile({
    natGateways: NatGateways.ONE_PER_AZ,
    nodeInstanceTypes: ['m6i.large'],
    nodeMin: 3,
    nodeMax: 10,
    databaseInstanceClass: 'db.m6g.large',
    databaseMultiAz: true,
    cacheNodeType: 'cache.m7g.large',
    cacheShards: 3,
    recovery: true,
  });
  /** One NAT, smaller instances, a single-AZ database and one cache shard, 3–5 t3.large nodes, no copies in another region. */
  public static readonly STAGING = new EnvironmentProfile({
    natGateways: NatGateways.SINGLE,
    nodeInstanceTypes: ['t3.large'],
    nodeMin: 3,
    nodeMax: 5,
    databaseInstanceClass: 'db.t4g.medium',
    databaseMultiAz: false,
    cacheNodeType: 'cache.t4g.medium',
    cacheShards: 1,
    recovery: false,
  });
  private constructor(
    /** @internal */
    public readonly _d: {
      natGateways: NatGateways;
      nodeInstanceTypes: string[];
      nodeMin: number;
      nodeMax: number;
      databaseInstanceClass: string;
      databaseMultiAz: boolean;
      cacheNodeType: string;
      cacheShards: number;
      /** Whether `recovery` (copies in another region) is on when the stack does not say. */
      recovery: boolean;
    },
  ) {}
}
