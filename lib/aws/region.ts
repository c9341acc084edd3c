import { invalidProp } from '../common/errors';
import { _AWS_REGION_NAMES, _AWS_REGIONS_DATE, _requireAwsRegionName } from '../common/aws-regions';

/** Options of {@link AwsRegion.of}. */
export interface AwsRegionOptions {
  /**
   * The region is newer than the library's list of region names ({@link AwsRegion.KNOWN_NAMES}): use it as given.
   * Without this, a name the list lacks is refused as a probable typo (`eu-centrl-1`), with a suggestion.
   * @default false
   */
  readonly unlisted?: boolean;
}

/**
 * An AWS region and the availability zones the library may place subnets in.
 *
 * The zone lists are a dated snapshot (2026-11) of zones open to every account; `AwsRegion.of()` is the escape hatch
 * for a region or zone list this table lacks. It is checked like the named members where it is used (a factory has
 * no construct path to name in a message): the name must have a region's shape and be one of
 * {@link AwsRegion.KNOWN_NAMES}, else `{ unlisted: true }` says it is newer than the list; zones are single letters.
 */
export class AwsRegion {
  /** When {@link AwsRegion.KNOWN_NAMES} was last compared with the AWS list of regions. */
  public static readonly TABLE_DATE = _AWS_REGIONS_DATE;

  /** Every region name AWS had opened on {@link AwsRegion.TABLE_DATE} (commercial, GovCloud, China, European Sovereign Cloud). */
  public static readonly KNOWN_NAMES: readonly string[] = _AWS_REGION_NAMES;

  public static readonly US_EAST_1 = new AwsRegion('us-east-1', ['a', 'b', 'c', 'd', 'f']);
  public static readonly US_EAST_2 = new AwsRegion('us-east-2', ['a', 'b', 'c']);
  public static readonly US_WEST_2 = new AwsRegion('us-west-2', ['a', 'b', 'c', 'd']);
  public static readonly EU_WEST_1 = new AwsRegion('eu-west-1', ['a', 'b', 'c']);
  public static readonly EU_CENTRAL_1 = new AwsRegion('eu-central-1', ['a', 'b', 'c']);
  public static readonly EU_NORTH_1 = new AwsRegion('eu-north-1', ['a', 'b', 'c']);
  public static readonly AP_SOUTHEAST_1 = new AwsRegion('ap-southeast-1', ['a', 'b', 'c']);

  /**
   * A region by name with its zone letters, e.g. `AwsRegion.of('eu-south-2', ['a', 'b', 'c'])`. A region newer than
   * {@link AwsRegion.KNOWN_NAMES} needs `{ unlisted: true }`.
   */
  public static of(name: string, zoneLetters: readonly string[], options: AwsRegionOptions = {}): AwsRegion {
    return new AwsRegion(name, zoneLetters, options.unlisted ?? false);
  }

  private constructor(
    /** Region name, e.g. `eu-central-1`. */
    public readonly name: string,
    private readonly zoneLetters: readonly string[],
    private readonly unlisted = false,
  ) {}

  /** Availability zone names, e.g. `eu-central-1a`. */
  public get availabilityZones(): string[] {
    return this.zoneLetters.map((l) => `${this.name}${l}`);
  }

  /**
   * Throws unless the name is a known region's (or declared `unlisted`) and the zones are single letters, each once.
   * Called by every construct that takes an `AwsRegion`.
   * @internal
   */
  public _check(path: string, prop: string): this {
    const name = _requireAwsRegionName(path, prop, this.name, this.unlisted, `AwsRegion.of('${this.name}', zones, { unlisted: true })`);
    const letters = this.zoneLetters;
    if (!Array.isArray(letters) || letters.some((l, i) => typeof l !== 'string' || !/^[a-z]$/.test(l) || letters.indexOf(l) !== i)) {
      throw invalidProp(
        path,
        prop,
        name,
        `has zone letters ${JSON.stringify(letters)}: each must be one lower-case letter, listed once (AwsRegion.of('eu-south-2', ['a', 'b', 'c']))`,
      );
    }
    if (letters.length === 0) {
      throw invalidProp(
        path,
        prop,
        name,
        "has no zones: AwsRegion.of(name, zones) needs the letters of the zones to place subnets in (['a', 'b', 'c'])",
      );
    }
    // A region the table names: a zone it lacks is a typo (eu-central-1z) unless declared newer than the table.
    const named = Object.values(AwsRegion).find((r): r is AwsRegion => r instanceof AwsRegion && r.name === name);
    const unknown = named && !this.unlisted ? letters.filter((l) => !named.zoneLetters.includes(l)) : [];
    if (unknown.length > 0) {
      throw invalidProp(
        path,
        prop,
        name,
        `has zone ${unknown.map((l) => name + l).join(', ')}, which the table of ${AwsRegion.TABLE_DATE} does not list for every account (${named!.availabilityZones.join(', ')}): for a zone newer than the table, AwsRegion.of('${name}', zones, { unlisted: true })`,
      );
    }
    return this;
  }
}
