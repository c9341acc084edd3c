import { invalidProp } from '../common/errors';
import { _isCalendarDate } from '../common/validate';

/** One row of the EKS support calendar. Dates are ISO `YYYY-MM-DD`. */
export interface EksSupportWindow {
  /** Date the version became available on EKS. */
  readonly released: string;
  /** Last day of standard support (14 months after release). */
  readonly endOfStandardSupport: string;
  /** Last day of extended support (12 months more, billed extra). */
  readonly endOfExtendedSupport: string;
}

/**
 * A Kubernetes minor version on Amazon EKS, with its support window.
 *
 * The table below is the EKS Kubernetes release calendar as published by AWS, checked on 2026-11-21
 * (`EksKubernetesVersion.TABLE_DATE`). Versions older than 1.29 are left out: they are past end of support and
 * can no longer be created. Use {@link EksKubernetesVersion.of} for a version this table does not know yet, with
 * its dates from the AWS calendar.
 */
export class EksKubernetesVersion {
  /** When the support table was last checked against the AWS calendar. */
  public static readonly TABLE_DATE = '2026-11-21';

  public static readonly V1_28 = new EksKubernetesVersion('1.28', {
    released: '2023-09-26',
    endOfStandardSupport: '2024-11-26',
    endOfExtendedSupport: '2025-11-26',
  });
  public static readonly V1_29 = new EksKubernetesVersion('1.29', {
    released: '2024-01-23',
    endOfStandardSupport: '2025-03-23',
    endOfExtendedSupport: '2026-03-23',
  });
  public static readonly V1_30 = new EksKubernetesVersion('1.30', {
    released: '2024-05-23',
    endOfStandardSupport: '2025-07-23',
    endOfExtendedSupport: '2026-07-23',
  });
  public static readonly V1_31 = new EksKubernetesVersion('1.31', {
    released: '2024-09-26',
    endOfStandardSupport: '2025-11-26',
    endOfExtendedSupport: '2026-11-26',
  });
  public static readonly V1_32 = new EksKubernetesVersion('1.32', {
    released: '2025-01-23',
    endOfStandardSupport: '2026-03-23',
    endOfExtendedSupport: '2027-03-23',
  });
  public static readonly V1_33 = new EksKubernetesVersion('1.33', {
    released: '2025-05-29',
    endOfStandardSupport: '2026-07-29',
    endOfExtendedSupport: '2027-07-29',
  });
  public static readonly V1_34 = new EksKubernetesVersion('1.34', {
    released: '2025-10-02',
    endOfStandardSupport: '2026-12-02',
    endOfExtendedSupport: '2027-12-02',
  });
  public static readonly V1_35 = new EksKubernetesVersion('1.35', {
    released: '2026-01-27',
    endOfStandardSupport: '2027-03-27',
    endOfExtendedSupport: '2028-03-27',
  });

  /** Every version in the table, oldest first. */
  public static readonly ALL: readonly EksKubernetesVersion[] = [
    EksKubernetesVersion.V1_28,
    EksKubernetesVersion.V1_29,
    EksKubernetesVersion.V1_30,
    EksKubernetesVersion.V1_31,
    EksKubernetesVersion.V1_32,
    EksKubernetesVersion.V1_33,
    EksKubernetesVersion.V1_34,
    EksKubernetesVersion.V1_35,
  ];

  /** The library default: the newest version in the table. */
  public static readonly DEFAULT = EksKubernetesVersion.V1_35;

  /**
   * A version by name. Known versions come from the table (their dates cannot be replaced: that would turn the
   * support check off); an unknown one needs its support window (from the AWS calendar), so that the check still
   * means something.
   */
  public static of(version: string, window?: EksSupportWindow): EksKubernetesVersion {
    const known = EksKubernetesVersion.ALL.find((v) => v.version === version);
    if (known && !window) return known;
    return new EksKubernetesVersion(version, window, known);
  }

  private constructor(
    /** The minor version, e.g. `1.35`. */
    public readonly version: string,
    /** Support window, when known. */
    public readonly window?: EksSupportWindow,
    private readonly listed?: EksKubernetesVersion,
  ) {}

  /** The minor number (35 for `1.35`). */
  public get minor(): number {
    return Number(this.version.split('.')[1]);
  }

  /** True when `date` (ISO) falls within standard support. */
  public inStandardSupport(date: string): boolean {
    return this.window !== undefined && this.window.released <= date && date <= this.window.endOfStandardSupport;
  }

  /**
   * Throws unless this version is in standard support on `date`. The message lists the versions that are.
   * (A version past standard support would either bill extended support or, with upgrade policy STANDARD, be
   * upgraded by AWS on its own; past extended support it cannot be created at all.)
   */
  public assertSupported(path: string, prop: string, date: string): void {
    const w = this.window;
    const lw = this.listed?.window;
    if (
      lw &&
      w &&
      (w.released !== lw.released ||
        w.endOfStandardSupport !== lw.endOfStandardSupport ||
        w.endOfExtendedSupport !== lw.endOfExtendedSupport)
    ) {
      throw invalidProp(
        path,
        prop,
        this.version,
        `is in the EKS support table (standard support to ${lw.endOfStandardSupport}, extended to ${lw.endOfExtendedSupport}): its dates cannot be replaced; leave the window out (dates are for versions the table does not list)`,
      );
    }
    // A date of the calendar (2026-02-30 is ISO-shaped and does not exist: Date would roll it to March).
    const iso = _isCalendarDate;
    const missing = w && (['released', 'endOfStandardSupport', 'endOfExtendedSupport'] as const).find((k) => !iso(w[k]));
    if (w && missing) {
      throw invalidProp(
        path,
        prop,
        this.version,
        `has ${missing} ${JSON.stringify(w[missing])}, which is not a date of the calendar: give ISO dates such as "2026-11-21"`,
      );
    }
    if (
      w &&
      (![w.released, w.endOfStandardSupport, w.endOfExtendedSupport].every(iso) ||
        !(w.released <= w.endOfStandardSupport && w.endOfStandardSupport <= w.endOfExtendedSupport))
    ) {
      throw invalidProp(
        path,
        prop,
        this.version,
        `has a support window out of order (released ${w.released}, standard support to ${w.endOfStandardSupport}, extended to ${w.endOfExtendedSupport}): released ≤ end of standard ≤ end of extended support, as ISO dates`,
      );
    }
    if (this.inStandardSupport(date)) return;
    const supported = EksKubernetesVersion.ALL.filter((v) => v.inStandardSupport(date)).map((v) => v.version);
    const minor = /^v?(1\.\d+)(\.\d+)?$/.exec(String(this.version))?.[1];
    const state = !/^1\.\d+$/.test(this.version)
      ? `is not a Kubernetes minor version such as "1.35"${minor ? ` (did you mean "${minor}"?)` : ''}`
      : this.window === undefined
        ? 'is not in the EKS support table and has no support window'
        : date > this.window.endOfExtendedSupport
          ? `reached end of support on ${this.window.endOfExtendedSupport}`
          : date > this.window.endOfStandardSupport
            ? `left standard support on ${this.window.endOfStandardSupport}`
            : `is not released on EKS until ${this.window.released}`;
    throw invalidProp(
      path,
      prop,
      this.version,
      `${state}: EKS versions in standard support on ${date}: ${supported.join(', ') || 'none in the table (update it)'}`,
    );
  }
}
