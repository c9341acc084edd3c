import { invalidProp } from './errors';

/** A span of time (RTO/RPO targets, estimates). */
export class Duration {
  public static seconds(n: number): Duration {
    return new Duration(n);
  }
  public static minutes(n: number): Duration {
    return new Duration(n * 60);
  }
  public static hours(n: number): Duration {
    return new Duration(n * 3600);
  }
  private constructor(
    /** Length in seconds. */
    public readonly totalSeconds: number,
  ) {}
  public get totalMinutes(): number {
    return this.totalSeconds / 60;
  }
  /** `90` → `1m30s`, `900` → `15m`. */
  public toString(): string {
    if (!Number.isFinite(this.totalSeconds)) return String(this.totalSeconds);
    const sign = this.totalSeconds < 0 ? '-' : '';
    const total = Math.abs(this.totalSeconds);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = Math.round(total % 60);
    return `${sign}${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
  }
  /** @internal */
  public _requirePositive(path: string, prop: string): Duration {
    if (!(Number.isFinite(this.totalSeconds) && this.totalSeconds > 0)) {
      throw invalidProp(path, prop, this.toString(), 'must be a positive duration');
    }
    return this;
  }
}
