// The monitoring spec a team writes: its types, the SLI builders and their defaults; resolve-monitoring.ts checks a
// spec and fills in the defaults.

/** A warning and a critical level of one signal. The warning must be below the critical level. */
export interface Threshold {
  readonly warning: number;
  readonly critical: number;
}

/** Golden-signal alert thresholds. The defaults are the SRE audit's. */
export interface GoldenSignalThresholds {
  /** p95 request latency, milliseconds. @default { warning: 500, critical: 1000 } */
  readonly latencyP95Ms?: Threshold;
  /** Share of requests answered with a server error, percent. @default { warning: 1, critical: 5 } */
  readonly errorRatePercent?: Threshold;
  /** CPU used over the CPU limit (the request when there is no limit), percent. @default { warning: 70, critical: 90 } */
  readonly cpuSaturationPercent?: Threshold;
  /** Traffic below this share of the same time a week earlier raises a warning, percent. @default 50 */
  readonly trafficDropPercent?: number;
  /** Container restarts per hour that page. @default 5 */
  readonly restartsPerHour?: number;
  /** How long a pod may stay Pending before a warning (a Prometheus duration). @default '5m' */
  readonly pendingFor?: string;
}

/** Names of the application's HTTP metrics (a typical Prometheus HTTP server instrumentation). */
export interface HttpMetrics {
  /** Request-duration histogram, in seconds. @default 'http_request_duration_seconds' */
  readonly requestDurationHistogram?: string;
  /** Request counter. @default 'http_requests_total' */
  readonly requestsCounter?: string;
  /** Label of the counter holding the HTTP status code. @default 'status' */
  readonly statusLabel?: string;
  /** Regular expression of the status codes that count as errors. @default '5..' */
  readonly errorStatusRegex?: string;
}

/** Placeholder for the evaluation window in a custom SLI query (replaced by `5m`, `1h`, `3d`, …). */
export const WINDOW = '$window';

/**
 * A service level indicator: the share of good events among all events, as two PromQL queries over a window.
 */
export class Sli {
  /** Time the scrape target is up (the service answers at all): `up` averaged over the window. */
  public static uptime(): Sli {
    return new Sli('uptime', undefined, undefined, undefined);
  }
  /** Share of requests not answered with a server error. */
  public static successRate(): Sli {
    return new Sli('success', undefined, undefined, undefined);
  }
  /**
   * Share of requests served faster than `thresholdMs`. The threshold must be a bucket boundary of the
   * request-duration histogram.
   */
  public static latency(thresholdMs: number): Sli {
    return new Sli('latency', thresholdMs, undefined, undefined);
  }
  /**
   * Share of the events of any histogram within `thresholdMs` (a bucket boundary): for example messages processed
   * within 5 minutes, `Sli.histogram('bot_message_processing_seconds', 300_000)`. The bucket is matched however the
   * client and Prometheus write its boundary (`300`, or `300.0` as Prometheus 3 stores classic-histogram `le`).
   * @param metric the histogram's base name (without `_bucket`), in seconds as Prometheus conventions say
   * @param labels extra label matchers of both queries; the scrape `job` is the app's
   */
  public static histogram(metric: string, thresholdMs: number, labels: Record<string, string> = {}): Sli {
    return new Sli('histogram', thresholdMs, undefined, undefined, metric, labels);
  }
  /**
   * Any ratio: `good` and `total` are PromQL queries returning rates, with `$window` where the range goes,
   * e.g. `sum(rate(bot_messages_processed_bucket{le=~"300(\\.0+)?"}[$window]))`. An exact `le="300"` is refused:
   * Prometheus 3 stores that bucket as `le="300.0"`, so it would match nothing (use {@link Sli.histogram}).
   */
  public static ratio(good: string, total: string): Sli {
    return new Sli('ratio', undefined, good, total);
  }
  private constructor(
    /** @internal */ public readonly _kind: 'uptime' | 'success' | 'latency' | 'histogram' | 'ratio',
    /** @internal */ public readonly _thresholdMs: number | undefined,
    /** @internal */ public readonly _good: string | undefined,
    /** @internal */ public readonly _total: string | undefined,
    /** @internal */ public readonly _metric?: string,
    /** @internal */ public readonly _labels?: Record<string, string>,
  ) {}
}

/** One service level objective. */
export interface SloSpec {
  /** Name, a DNS label unique within the app (e.g. `availability`). */
  readonly name: string;
  /** Objective in percent, strictly between 0 and 100 (e.g. 99.9). */
  readonly objectivePercent: number;
  readonly sli: Sli;
  /** What the objective promises, for humans. @default - generated from the SLI */
  readonly description?: string;
  /** Error-budget window (a Prometheus duration). @default '30d' */
  readonly window?: string;
}

/** A key of a Kubernetes Secret (credentials are only ever referenced). */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** Where alerts go: critical pages on-call through PagerDuty, warnings go to Slack. */
export interface AlertRoutingSpec {
  /** Secret key holding the PagerDuty Events API v2 routing key. @default - critical alerts go to Slack too */
  readonly pagerDuty?: SecretKeyRef;
  /** Secret key holding the Slack webhook URL, and the channel. */
  readonly slack: { readonly webhook: SecretKeyRef; readonly channel: string };
  /** Labels alerts are grouped by. @default ['alertname', 'namespace', 'app'] */
  readonly groupBy?: string[];
  /** How often an unresolved alert is sent again. @default '4h' */
  readonly repeatInterval?: string;
}

/** Monitoring of one application: scraping, golden-signal alerts, SLOs, routing and a dashboard, from one spec. */
export interface MonitoringOptions {
  /** @default - the HttpMetrics defaults */
  readonly metrics?: HttpMetrics;
  /** @default - the audit's thresholds */
  readonly thresholds?: GoldenSignalThresholds;
  /** @default [] */
  readonly slos?: SloSpec[];
  /** @default - no AlertmanagerConfig (the platform routes alerts) */
  readonly routing?: AlertRoutingSpec;
  /**
   * Labels the Prometheus and its rule selector select on. Monitors and rules without them are silently ignored.
   * @default { release: 'kube-prometheus-stack' }
   */
  readonly prometheusSelector?: Record<string, string>;
  /** Base URL of the runbooks; each alert links to `<base>/<alertname>` (annotation `runbook_url`). @default - no runbook links */
  readonly runbookBaseUrl?: string;
  /** Namespace Prometheus runs in (admitted to the metrics port). @default 'monitoring' */
  readonly prometheusNamespace?: string;
  /** @default '30s' */
  readonly scrapeInterval?: string;
  /** How long a scrape may take; at most `scrapeInterval` (Prometheus refuses a longer one). @default - 10s, or the interval if shorter */
  readonly scrapeTimeout?: string;
  /** Emit the Grafana dashboard ConfigMap. @default true */
  readonly dashboard?: boolean;
  /** Label the Grafana sidecar picks dashboards up by. @default { grafana_dashboard: '1' } */
  readonly dashboardLabels?: Record<string, string>;
}

/** A resolved, validated spec (what `AppMonitoring.spec` exposes: every default filled in). */
export interface ResolvedMonitoring {
  readonly metrics: Required<HttpMetrics>;
  readonly latencyP95Ms: Threshold;
  readonly errorRatePercent: Threshold;
  readonly cpuSaturationPercent: Threshold;
  readonly trafficDropPercent: number;
  readonly restartsPerHour: number;
  readonly pendingFor: string;
  readonly slos: ReadonlyArray<Required<Omit<SloSpec, 'description'>> & { description: string }>;
  readonly routing?: AlertRoutingSpec;
  readonly prometheusSelector: Record<string, string>;
  readonly runbookBaseUrl?: string;
  readonly prometheusNamespace: string;
  readonly scrapeInterval: string;
  readonly scrapeTimeout: string;
  readonly dashboard: boolean;
  readonly dashboardLabels: Record<string, string>;
}

/** Every option of {@link MonitoringOptions}, for the boundary check of plain JavaScript callers. @internal */
export const _MONITORING_OPTIONS = [
  'metrics',
  'thresholds',
  'slos',
  'routing',
  'prometheusSelector',
  'runbookBaseUrl',
  'prometheusNamespace',
  'scrapeInterval',
  'scrapeTimeout',
  'dashboard',
  'dashboardLabels',
] as const;

/** Rounds away floating-point noise (100 - 99.9 = 0.09999999999999432). @internal */
export function _round(n: number): number {
  return Number(n.toPrecision(12));
}
