/**
 * An AWS region and the availability zones the library may place subnets in.
 *
 * The zone lists are a dated snapshot (2026-11) of zones open to every account; `AwsRegion.of()` is the escape hatch
 * for a region or zone list this table lacks.
 */
export class AwsRegion {
  public static readonly US_EAST_1 = new AwsRegion('us-east-1', ['a', 'b', 'c', 'd', 'f']);
  public static readonly US_EAST_2 = new AwsRegion('us-east-2', ['a', 'b', 'c']);
  public static readonly US_WEST_2 = new AwsRegion('us-west-2', ['a', 'b', 'c', 'd']);
  public static readonly EU_WEST_1 = new AwsRegion('eu-west-1', ['a', 'b', 'c']);
  public static readonly EU_CENTRAL_1 = new AwsRegion('eu-central-1', ['a', 'b', 'c']);
  public static readonly EU_NORTH_1 = new AwsRegion('eu-north-1', ['a', 'b', 'c']);
  public static readonly AP_SOUTHEAST_1 = new AwsRegion('ap-southeast-1', ['a', 'b', 'c']);

  /** A region by name with its zone letters, e.g. `AwsRegion.of('eu-south-2', ['a', 'b', 'c'])`. */
  public static of(name: string, zoneLetters: readonly string[]): AwsRegion {
    return new AwsRegion(name, zoneLetters);
  }

  private constructor(
    /** Region name, e.g. `eu-central-1`. */
    public readonly name: string,
    private readonly zoneLetters: readonly string[],
  ) {}

  /** Availability zone names, e.g. `eu-central-1a`. */
  public get availabilityZones(): string[] {
    return this.zoneLetters.map((l) => `${this.name}${l}`);
  }
}
