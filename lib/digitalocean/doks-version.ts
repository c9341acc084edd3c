import { invalidProp } from '../common/errors';
import { _isCalendarDate } from '../common/validate';

/**
 * A Kubernetes minor version on DigitalOcean Kubernetes (DOKS), identified by its version prefix. The patch
 * release is resolved at apply time from `digitalocean_kubernetes_versions` with the prefix, the same for every
 * cluster of the stack.
 *
 * DOKS retires a minor shortly after its upstream end of life; the table carries the upstream end-of-life dates
 * (kubernetes.io/releases), checked on `DoksKubernetesVersion.TABLE_DATE`.
 */
export class DoksKubernetesVersion {
  public static readonly TABLE_DATE = '2026-11-21';
  public static readonly V1_33 = new DoksKubernetesVersion('1.33', '2026-06-28');
  public static readonly V1_34 = new DoksKubernetesVersion('1.34', '2026-10-27');
  public static readonly V1_35 = new DoksKubernetesVersion('1.35', '2027-02-28');
  public static readonly V1_36 = new DoksKubernetesVersion('1.36', '2027-06-28');
  public static readonly ALL: readonly DoksKubernetesVersion[] = [
    DoksKubernetesVersion.V1_33,
    DoksKubernetesVersion.V1_34,
    DoksKubernetesVersion.V1_35,
    DoksKubernetesVersion.V1_36,
  ];
  /** The default: the newest minor with at least three months of support left on the table date. */
  public static readonly DEFAULT = DoksKubernetesVersion.V1_35;

  /** A minor by name; an unknown one needs its end-of-life date (a listed one keeps the table's). */
  public static of(minor: string, endOfLife?: string): DoksKubernetesVersion {
    const known = DoksKubernetesVersion.ALL.find((v) => v.minor === minor);
    if (known && !endOfLife) return known;
    return new DoksKubernetesVersion(minor, endOfLife, known);
  }

  private constructor(
    /** e.g. `1.35`. */
    public readonly minor: string,
    /** Upstream end of life (ISO date). */
    public readonly endOfLife: string | undefined,
    private readonly listed?: DoksKubernetesVersion,
  ) {}

  /** The prefix given to `digitalocean_kubernetes_versions`, e.g. `1.35.`. */
  public get versionPrefix(): string {
    return `${this.minor}.`;
  }

  /** @internal */
  public _assertSupported(path: string, prop: string, date: string): void {
    if (this.listed && this.endOfLife !== this.listed.endOfLife) {
      throw invalidProp(
        path,
        prop,
        this.minor,
        `is in the DOKS version table (end of life ${this.listed.endOfLife}): its date cannot be replaced; leave it out (dates are for minors the table does not list)`,
      );
    }
    const eol = this.endOfLife;
    if (eol !== undefined && !_isCalendarDate(eol)) {
      throw invalidProp(path, prop, this.minor, `has an end-of-life date that is not an ISO date (${JSON.stringify(this.endOfLife)})`);
    }
    if (this.endOfLife !== undefined && date <= this.endOfLife && /^1\.\d+$/.test(this.minor)) return;
    const supported = DoksKubernetesVersion.ALL.filter((v) => v.endOfLife !== undefined && date <= v.endOfLife).map((v) => v.minor);
    const minor = /^v?(1\.\d+)(\.\d+)?$/.exec(String(this.minor))?.[1];
    const state = !/^1\.\d+$/.test(this.minor)
      ? `is not a Kubernetes minor version such as "1.35"${minor ? ` (did you mean "${minor}"?)` : ''}`
      : this.endOfLife === undefined
        ? 'is not in the DOKS version table and has no end-of-life date'
        : `reached end of life on ${this.endOfLife}`;
    throw invalidProp(
      path,
      prop,
      this.minor,
      `${state}: DOKS minors supported on ${date}: ${supported.join(', ') || 'none (update the table)'}`,
    );
  }
}
