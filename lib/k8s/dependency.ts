import type { PlatformContract } from '../common/contract';

/** A network destination the application may open connections to (egress allowed by the network policy). */
export class Dependency {
  /**
   * Addresses in an IPv4 or IPv6 CIDR block (a database or cache subnet, `2001:db8::/64`), on one TCP port. IPv6
   * blocks are written in canonical form; `0.0.0.0/0`, `::/0` and blocks as wide are refused.
   */
  public static cidr(name: string, cidr: string, port: number): Dependency {
    return new Dependency(name, { kind: 'cidr', cidr, exceptPrivate: false }, port);
  }
  /** Another application in the cluster, selected by its `app.kubernetes.io/name` label. */
  public static app(name: string, namespace: string, port: number): Dependency {
    return new Dependency(name, { kind: 'app', app: name, namespace }, port);
  }
  /** HTTPS to the internet (LLM APIs, Sentry, Slack): 443 to any address outside the private ranges. */
  public static internetHttps(name = 'internet-https'): Dependency {
    return new Dependency(name, { kind: 'cidr', cidr: '0.0.0.0/0', exceptPrivate: true }, 443);
  }
  /**
   * The data services of a cloud stack's contract (its `dataTier`: the database and the cache), one dependency per
   * CIDR and port, named `<tier>-<n>` (`postgres-1`, `redis-1`, …). Without them the app's default-deny egress
   * blocks the database. Read the contract from the stack's file with `PlatformContract.fromFile`.
   */
  public static dataTier(contract: Pick<PlatformContract, 'dataTier'>): Dependency[] {
    const seen = new Set<string>();
    return contract.dataTier.flatMap((tier) =>
      tier.cidrs
        .filter((cidr) => !seen.has(`${cidr}:${tier.port}`) && seen.add(`${cidr}:${tier.port}`))
        .map((cidr, i) => Dependency.cidr(`${tier.name}-${i + 1}`, cidr, tier.port)),
    );
  }
  /** The EKS Pod Identity agent (169.254.170.23:80), needed for cloud credentials. */
  public static podIdentityAgent(): Dependency {
    return new Dependency('eks-pod-identity-agent', { kind: 'cidr', cidr: '169.254.170.23/32', exceptPrivate: false }, 80);
  }
  private constructor(
    public readonly name: string,
    /** @internal */
    public readonly _to: { kind: 'cidr'; cidr: string; exceptPrivate: boolean } | { kind: 'app'; app: string; namespace: string },
    /** TCP port; required (a dependency without a port would open every port; checked at synth for JavaScript callers). */
    public readonly port: number,
  ) {}
}
