import { invalidProp } from '../common/errors';
import { _nearest } from '../common/props';

/** Options of {@link DoRegion.of}. */
export interface DoRegionOptions {
  /**
   * The region is newer than the library's table ({@link DoRegion.ALL_REGIONS}, {@link DoRegion.OTHER_SLUGS}): use
   * it as given, with the products you list. Without this, a slug the table lacks is refused as a probable typo
   * (`sfo4`), with a suggestion.
   * @default false
   */
  readonly unlisted?: boolean;
}

/** A DigitalOcean product a region may or may not offer. */
export type DoProduct = 'kubernetes' | 'databases' | 'spaces' | 'loadBalancers' | 'containerRegistry';

const ALL: readonly DoProduct[] = ['kubernetes', 'databases', 'spaces', 'loadBalancers', 'containerRegistry'];

/**
 * A DigitalOcean region and the products it offers.
 *
 * The capability table is a dated snapshot (`DoRegion.TABLE_DATE`) of DigitalOcean's regional availability matrix,
 * compiled without network access to the live matrix: check it against the matrix before relying on a less common
 * region, and use {@link DoRegion.of} with the products you verified where it is wrong or out of date.
 * Regions without Kubernetes (nyc2, ams2, sfo1) are kept so that asking for them explains itself. Use
 * {@link DoRegion.of} with `{ unlisted: true }` for a region the table does not know: the slug is checked where the
 * region is used (a factory has no construct path to name), like the named members, so `sfo4` is refused with a
 * suggestion instead of planning a cluster DigitalOcean cannot create.
 */
export class DoRegion {
  /** When the capability table was last checked. */
  public static readonly TABLE_DATE = '2026-11-21';

  public static readonly NYC1 = new DoRegion('nyc1', 'New York 1', ['kubernetes', 'databases', 'loadBalancers']);
  public static readonly NYC2 = new DoRegion('nyc2', 'New York 2', ['loadBalancers']);
  public static readonly NYC3 = new DoRegion('nyc3', 'New York 3', ALL);
  public static readonly SFO1 = new DoRegion('sfo1', 'San Francisco 1', []);
  public static readonly SFO2 = new DoRegion('sfo2', 'San Francisco 2', ['kubernetes', 'databases', 'spaces', 'loadBalancers']);
  public static readonly SFO3 = new DoRegion('sfo3', 'San Francisco 3', ALL);
  public static readonly AMS2 = new DoRegion('ams2', 'Amsterdam 2', ['loadBalancers']);
  public static readonly AMS3 = new DoRegion('ams3', 'Amsterdam 3', ALL);
  public static readonly FRA1 = new DoRegion('fra1', 'Frankfurt 1', ALL);
  public static readonly LON1 = new DoRegion('lon1', 'London 1', ['kubernetes', 'databases', 'loadBalancers']);
  public static readonly TOR1 = new DoRegion('tor1', 'Toronto 1', ['kubernetes', 'databases', 'loadBalancers']);
  public static readonly SGP1 = new DoRegion('sgp1', 'Singapore 1', ALL);
  public static readonly BLR1 = new DoRegion('blr1', 'Bangalore 1', ALL);
  public static readonly SYD1 = new DoRegion('syd1', 'Sydney 1', ALL);
  public static readonly ATL1 = new DoRegion('atl1', 'Atlanta 1', ['kubernetes', 'databases', 'spaces', 'loadBalancers']);

  /** Every region in the table. */
  public static readonly ALL_REGIONS: readonly DoRegion[] = [
    DoRegion.NYC1,
    DoRegion.NYC2,
    DoRegion.NYC3,
    DoRegion.SFO1,
    DoRegion.SFO2,
    DoRegion.SFO3,
    DoRegion.AMS2,
    DoRegion.AMS3,
    DoRegion.FRA1,
    DoRegion.LON1,
    DoRegion.TOR1,
    DoRegion.SGP1,
    DoRegion.BLR1,
    DoRegion.SYD1,
    DoRegion.ATL1,
  ];

  /**
   * Region slugs DigitalOcean has that the capability table does not describe yet (from its database options, checked
   * on {@link DoRegion.TABLE_DATE}): `DoRegion.of(slug, products)` names their products without `unlisted`.
   */
  public static readonly OTHER_SLUGS: readonly string[] = ['ric1'];

  /**
   * A region by slug: from the table, or with the products you know it offers. A slug the table does not know
   * needs `{ unlisted: true }`.
   */
  public static of(slug: string, products?: readonly DoProduct[], options: DoRegionOptions = {}): DoRegion {
    const known = DoRegion.ALL_REGIONS.find((r) => r.slug === slug);
    if (known && !products) return known;
    return new DoRegion(slug, slug, products ?? [], options.unlisted ?? false);
  }

  private constructor(
    /** Region slug, e.g. `nyc3`. */
    public readonly slug: string,
    public readonly displayName: string,
    public readonly products: readonly DoProduct[],
    private readonly unlisted = false,
  ) {}

  public offers(product: DoProduct): boolean {
    return this.products.includes(product);
  }

  /** Throws unless the region offers `product`; the message names regions of the same metro that do. @internal */
  public _require(path: string, prop: string, product: DoProduct): void {
    // The fullest regions first, so that a suggestion for `sfo4` is sfo3, not sfo1 (which offers nothing).
    const fullest = [...DoRegion.ALL_REGIONS].sort((a, b) => b.products.length - a.products.length);
    const slugs = [...fullest.map((r) => r.slug), ...DoRegion.OTHER_SLUGS];
    if (typeof this.slug !== 'string' || !/^[a-z]{3}\d$/.test(this.slug)) {
      throw invalidProp(path, prop, this.slug, 'is not a DigitalOcean region slug such as "nyc3" (three letters and a digit)');
    }
    if (!this.unlisted && !slugs.includes(this.slug)) {
      const near = _nearest(this.slug, slugs, 1);
      throw invalidProp(
        path,
        prop,
        this.slug,
        `is not a DigitalOcean region in the table of ${DoRegion.TABLE_DATE}${near ? ` (did you mean "${near}"?)` : ''}: for a region newer than the table, DoRegion.of('${this.slug}', [products it offers], { unlisted: true })`,
      );
    }
    if (this.offers(product)) return;
    const metro = this.slug.replace(/\d+$/, '');
    const offering = DoRegion.ALL_REGIONS.filter((r) => r.offers(product)).sort((a, b) => b.products.length - a.products.length);
    const sameMetro = offering.filter((r) => r.slug.startsWith(metro)).map((r) => r.slug);
    const others = sameMetro.length > 0 ? sameMetro : offering.map((r) => r.slug);
    const label: Record<DoProduct, string> = {
      kubernetes: 'Kubernetes (DOKS)',
      databases: 'managed databases',
      spaces: 'Spaces object storage',
      loadBalancers: 'load balancers',
      containerRegistry: 'the container registry',
    };
    throw invalidProp(
      path,
      prop,
      this.slug,
      `cannot host ${label[product]}: DigitalOcean does not offer it in ${this.slug} (capability table of ${DoRegion.TABLE_DATE}); use ${others.join(' or ')}`,
    );
  }
}
