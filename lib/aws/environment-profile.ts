import { NatGateways } from './network';

/**
 * Sizing presets per kind of environment. Every value can still be overridden by the matching prop; a preset only
 * changes defaults, so staging and production share one code path.
 */
export class EnvironmentProfile {
  /** One NAT per zone, Multi-AZ database, 3 shards × 1 replica, 3–10 m6i.large nodes. */
  public static readonly PRODUCTION = new EnvironmentProfile({
    natGateways: NatGateways.ONE_PER_AZ,
    nodeInstanceTypes: ['m6i.large'],
    nodeMin: 3,
    nodeMax: 10,
    databaseInstanceClass: 'db.m6g.large',
    databaseMultiAz: true,
    cacheNodeType: 'cache.m7g.large',
    cacheShards: 3,
  });
  /** One NAT, smaller instances, a single-AZ database and one cache shard, 3–5 t3.large nodes. */
  public static readonly STAGING = new EnvironmentProfile({
    natGateways: NatGateways.SINGLE,
    nodeInstanceTypes: ['t3.large'],
    nodeMin: 3,
    nodeMax: 5,
    databaseInstanceClass: 'db.t4g.medium',
    databaseMultiAz: false,
    cacheNodeType: 'cache.t4g.medium',
    cacheShards: 1,
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
    },
  ) {}
}
