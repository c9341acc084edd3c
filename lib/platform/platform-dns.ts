import { invalidProp } from '../common/errors';
import { _AllKeys, _checkLists, _checkProps } from '../common/props';
import { requireHostname } from '../common/validate';
import { requireSecretReference } from '../k8s/secrets';

/** Options of {@link PlatformDns.digitalOcean}. */
export interface DigitalOceanDnsOptions {
  /** The DigitalOcean DNS zone the records go in: a `digitalocean_domain` (the `MultiRegionDR` stack's `domain`). */
  readonly zone: string;
  /**
   * The store entry (read through the platform's ClusterSecretStore) whose property `token` holds a DigitalOcean API
   * token with the custom scopes `domain:read`, `domain:create`, `domain:update` and `domain:delete` only (what listing
   * zones and records and creating, editing and deleting records need: DigitalOcean's OpenAPI specification,
   * resources/domains/domains_*.yml). The entry's name, never the token.
   */
  readonly tokenEntry: string;
  /**
   * Names, with everything under them, this cluster may create, change and delete records for (external-dns'
   * `--domain-filter`, applied to every record it plans): inside the zone, as narrow as the cluster's hosts allow.
   * @default - the zone
   */
  readonly domains?: string[];
  /**
   * Names, with everything under them, it never touches (`--exclude-domains`): the records other owners keep in the
   * zone, such as the `MultiRegionDR` stack's global entry and regional names. @default []
   */
  readonly excludeDomains?: string[];
}

/** Options of {@link PlatformDns.route53}. */
export interface Route53DnsOptions {
  /** The public hosted zone's name, e.g. `example.com`. */
  readonly zone: string;
  /** The hosted zone's id (`Z…`): external-dns reads and writes this zone only (`--zone-id-filter`). */
  readonly hostedZoneId: string;
  /** As for {@link DigitalOceanDnsOptions.domains}. @default - the zone */
  readonly domains?: string[];
  /** As for {@link DigitalOceanDnsOptions.excludeDomains}. @default [] */
  readonly excludeDomains?: string[];
}

const DIGITALOCEANDNSOPTIONS_KEYS = ['zone', 'tokenEntry', 'domains', 'excludeDomains'] as const;
const ROUTE53DNSOPTIONS_KEYS = ['zone', 'hostedZoneId', 'domains', 'excludeDomains'] as const;

/** Whether `name` is `parent` or a name under it (external-dns' domain filter semantics). */
const within = (name: string, parent: string) => name === parent || name.endsWith(`.${parent}`);

/** The zone and the names inside it, checked. */
function names(where: string, o: { zone: string; domains?: string[]; excludeDomains?: string[] }) {
  _checkLists(where, o, ['domains', 'excludeDomains']);
  const zone = requireHostname(where, 'zone', o.zone);
  if (zone.startsWith('*.')) throw invalidProp(where, 'zone', zone, 'must be a zone name, not a wildcard');
  const inside = (prop: 'domains' | 'excludeDomains', list: readonly string[]) =>
    list.map((name, i) => {
      requireHostname(where, `${prop}[${i}]`, name);
      if (name.startsWith('*.') || !within(name, zone)) {
        throw invalidProp(
          where,
          `${prop}[${i}]`,
          name,
          `must be a name inside the zone "${zone}" (no wildcard: everything under it is included)`,
        );
      }
      if (list.indexOf(name) !== i) throw invalidProp(where, `${prop}[${i}]`, name, 'is listed twice');
      return name;
    });
  const domains = inside('domains', o.domains ?? [zone]);
  if (domains.length === 0) throw invalidProp(where, 'domains', [], 'must name at least one name (or leave it out for the zone)');
  const excludeDomains = inside('excludeDomains', o.excludeDomains ?? []);
  excludeDomains.forEach((excluded, i) => {
    const hidden = domains.find((d) => within(d, excluded));
    if (hidden) {
      throw invalidProp(where, `excludeDomains[${i}]`, excluded, `covers all of "${hidden}" in domains: it would manage nothing there`);
    }
  });
  return { zone, domains, excludeDomains };
}

/**
 * Who keeps a cluster's public host names pointed at its gateway: external-dns (v0.22.0), reading the HTTPRoutes on
 * the platform's shared Gateway and the address Envoy Gateway publishes in the Gateway's status (the load balancer
 * of its proxies' Service), writing the records into the zone's DNS provider. Each cluster owns its records through
 * the TXT registry (`--txt-owner-id`: the cluster's name; `--policy=sync` deletes only records whose ownership record
 * names it), and the domain filters keep it inside its names and away from other owners' records. The zone's owner
 * decides the provider. A closed vocabulary, one factory per DNS provider.
 */
export class PlatformDns {
  /**
   * A zone on DigitalOcean DNS. external-dns removed its in-tree DigitalOcean provider in v0.21.0
   * (kubernetes-sigs/external-dns#6283); it talks to DigitalOcean through the webhook provider that replaced it, listed
   * in its README (amoniacou/external-dns-digitalocean-webhook 0.1.2), as a sidecar on localhost. DigitalOcean's token
   * scopes are per resource type, not per zone: the token may change every record of the team's zones, so it lives in
   * a store entry per environment, and the filters, the ownership records and the policy keep external-dns to its own.
   */
  public static digitalOcean(options: DigitalOceanDnsOptions): PlatformDns {
    const where = 'PlatformDns.digitalOcean()';
    _checkProps<_AllKeys<DigitalOceanDnsOptions, typeof DIGITALOCEANDNSOPTIONS_KEYS>>(
      where,
      'DigitalOcean DNS options',
      options,
      DIGITALOCEANDNSOPTIONS_KEYS,
      ['zone', 'tokenEntry'] as const,
      '',
    );
    const n = names(where, options);
    requireSecretReference(where, 'tokenEntry', options.tokenEntry);
    return new PlatformDns('digitalocean', n.zone, n.domains, n.excludeDomains, options.tokenEntry, undefined);
  }

  /**
   * A public hosted zone in Route 53, written with the cluster's EKS Pod Identity (no key): the stack gives the
   * service account `external-dns/external-dns` a `PodRole` with `changeRecordSets` (the zone's ARN and these
   * `domains`), which may change only records of those names in that zone. external-dns' in-tree AWS provider
   * (`--provider=aws --aws-zone-type=public --zone-id-filter=<id>`) writes ALIAS records for the load balancer.
   */
  public static route53(options: Route53DnsOptions): PlatformDns {
    const where = 'PlatformDns.route53()';
    _checkProps<_AllKeys<Route53DnsOptions, typeof ROUTE53DNSOPTIONS_KEYS>>(
      where,
      'Route 53 options',
      options,
      ROUTE53DNSOPTIONS_KEYS,
      ['zone', 'hostedZoneId'] as const,
      '',
    );
    const n = names(where, options);
    // Route 53 hosted zone ids: upper-case letters and digits, `Z` first (the API's HostedZoneId, at most 32).
    if (typeof options.hostedZoneId !== 'string' || !/^Z[A-Z0-9]{1,31}$/.test(options.hostedZoneId)) {
      throw invalidProp(
        where,
        'hostedZoneId',
        options.hostedZoneId,
        'must be a Route 53 hosted zone id such as "Z0123456789ABCDEFGHIJ" (without /hostedzone/)',
      );
    }
    return new PlatformDns('route53', n.zone, n.domains, n.excludeDomains, undefined, options.hostedZoneId);
  }

  private constructor(
    /** The DNS provider. */
    public readonly provider: 'digitalocean' | 'route53',
    /** The zone the records go in. */
    public readonly zone: string,
    /** The names (and everything under them) it manages. */
    public readonly domains: readonly string[],
    /** The names (and everything under them) it never touches. */
    public readonly excludeDomains: readonly string[],
    /** DigitalOcean: the store entry with the token (property `token`). */
    public readonly tokenEntry: string | undefined,
    /** Route 53: the hosted zone's id. */
    public readonly hostedZoneId: string | undefined,
  ) {}

  /** Whether a record of this name is one the cluster's external-dns may write (inside `domains`, outside `excludeDomains`). */
  public manages(name: string): boolean {
    return this.domains.some((d) => within(name, d)) && !this.excludeDomains.some((d) => within(name, d));
  }
}
