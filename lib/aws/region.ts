import { invalidProp } from '../common/errors';
import { _nearest } from '../common/props';

/** Options of {@link AwsRegion.of}. */
export interface AwsRegionOptions {
  /**
   * The region is newer than the library's list of region names ({@link AwsRegion.KNOWN_NAMES}): use it as given.
   * Without this, a name the list lacks is refused as a probable typo (`eu-centrl-1`), with a suggestion.
   * @default false
   */
  readonly unlisted?: boolean;
}

const REGION_NAME = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;

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
  public static readonly TABLE_DATE = '2026-11-21';

  /** Every region name AWS had opened on {@link AwsRegion.TABLE_DATE} (commercial, GovCloud, China, European Sovereign Cloud). */
  public static readonly KNOWN_NAMES: readonly string[] = [
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
    'ca-central-1',
    'ca-west-1',
    'mx-central-1',
    'sa-east-1',
    'eu-central-1',
    'eu-central-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'eu-south-1',
    'eu-south-2',
    'eu-north-1',
    'il-central-1',
    'me-south-1',
    'me-central-1',
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'us-gov-east-1',
    'us-gov-west-1',
    'cn-north-1',
    'cn-northwest-1',
    'eusc-de-east-1',
  ];

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
    const name = this.name;
    if (typeof name !== 'string' || !REGION_NAME.test(name)) {
      throw invalidProp(path, prop, name, 'is not an AWS region name such as "eu-central-1"');
    }
    if (!this.unlisted && !AwsRegion.KNOWN_NAMES.includes(name)) {
      const near = _nearest(name, AwsRegion.KNOWN_NAMES);
      throw invalidProp(
        path,
        prop,
        name,
        `is not an AWS region on the library's list of ${AwsRegion.TABLE_DATE}${near ? ` (did you mean "${near}"?)` : ''}: for a region newer than the list, AwsRegion.of('${name}', zones, { unlisted: true })`,
      );
    }
    const letters = this.zoneLetters;
    if (!Array.isArray(letters) || letters.some((l, i) => typeof l !== 'string' || !/^[a-z]$/.test(l) || letters.indexOf(l) !== i)) {
      throw invalidProp(
        path,
        prop,
        name,
        `has zone letters ${JSON.stringify(letters)}: each must be one lower-case letter, listed once (AwsRegion.of('eu-south-2', ['a', 'b', 'c']))`,
      );
    }
    return this;
  }
}
