import { invalidCombination, invalidProp } from '../common/errors';
import {
  refuseCredential,
  refuseCredentialValues,
  requireDnsLabel,
  requireLabels,
  requirePrometheusSelector,
  requireSecretKeyRef,
} from '../common/validate';
import { durationSeconds, re2Error, requireDuration } from './promql';
import { BURN_RATE_WINDOWS } from './rules';
import { _AllKeys, _checkProps } from '../common/props';

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

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const HTTPMETRICS_KEYS = ['requestDurationHistogram', 'requestsCounter', 'statusLabel', 'errorStatusRegex'] as const;
const GOLDENSIGNALTHRESHOLDS_KEYS = [
  'latencyP95Ms',
  'errorRatePercent',
  'cpuSaturationPercent',
  'trafficDropPercent',
  'restartsPerHour',
  'pendingFor',
] as const;
const SLOSPEC_KEYS = ['name', 'objectivePercent', 'sli', 'description', 'window'] as const;
const ALERTROUTINGSPEC_KEYS = ['pagerDuty', 'slack', 'groupBy', 'repeatInterval'] as const;
const THRESHOLD_KEYS = ['warning', 'critical'] as const;

/** A warning/critical pair; with `below`, both must stay under it (an error ratio of 100 % can never be exceeded). */
function threshold(path: string, prop: string, t: Threshold, below?: number): Threshold {
  _checkProps<_AllKeys<Threshold, typeof THRESHOLD_KEYS>>(
    path,
    'threshold',
    t,
    THRESHOLD_KEYS,
    ['warning', 'critical'] as const,
    `${prop}.`,
  );
  for (const level of ['warning', 'critical'] as const) {
    const v = t[level];
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0 && (below === undefined || v < below))) {
      const rule = below !== undefined ? ` and below ${below}: a threshold of ${below} can never be crossed` : '';
      throw invalidProp(path, `${prop}.${level}`, v, `must be a number greater than 0${rule}`);
    }
  }
  if (t.warning > t.critical) {
    throw invalidCombination(
      path,
      `'${prop}.warning' (${t.warning}) must not be above '${prop}.critical' (${t.critical}): the warning has to fire first`,
    );
  }
  return t;
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

/** Validates a spec and fills in the defaults. @internal */
export function _resolveMonitoring(path: string, o: MonitoringOptions): ResolvedMonitoring {
  const m = o.metrics ?? {};
  _checkProps<_AllKeys<HttpMetrics, typeof HTTPMETRICS_KEYS>>(
    path,
    'metrics options',
    m,
    HTTPMETRICS_KEYS,
    [] as const,
    'monitoring.metrics.',
  );
  const metrics: Required<HttpMetrics> = {
    requestDurationHistogram: m.requestDurationHistogram ?? 'http_request_duration_seconds',
    requestsCounter: m.requestsCounter ?? 'http_requests_total',
    statusLabel: m.statusLabel ?? 'status',
    errorStatusRegex: m.errorStatusRegex ?? '5..',
  };
  for (const key of ['requestDurationHistogram', 'requestsCounter', 'statusLabel'] as const) {
    if (!METRIC_NAME.test(metrics[key])) {
      throw invalidProp(
        path,
        `monitoring.metrics.${key}`,
        metrics[key],
        'must be a Prometheus metric or label name ([a-zA-Z_:][a-zA-Z0-9_:]*)',
      );
    }
  }
  // Prometheus uses RE2; a pattern JavaScript cannot compile, or one with quotes or backslash escapes that break the
  // matcher's string, is the user's, not "internal".
  const regexOk = !/["\n]/.test(metrics.errorStatusRegex) && metrics.errorStatusRegex !== '' && !re2Error(metrics.errorStatusRegex);
  if (!regexOk) {
    throw invalidProp(
      path,
      'monitoring.metrics.errorStatusRegex',
      metrics.errorStatusRegex,
      'must be a regular expression over status codes such as "5.." or "5..|429"',
    );
  }
  const t = o.thresholds ?? {};
  _checkProps<_AllKeys<GoldenSignalThresholds, typeof GOLDENSIGNALTHRESHOLDS_KEYS>>(
    path,
    'thresholds',
    t,
    GOLDENSIGNALTHRESHOLDS_KEYS,
    [] as const,
    'monitoring.thresholds.',
  );
  const slos = (o.slos ?? []).map((s, i) => {
    _checkProps<_AllKeys<SloSpec, typeof SLOSPEC_KEYS>>(
      path,
      'SLO',
      s,
      SLOSPEC_KEYS,
      ['name', 'objectivePercent', 'sli'] as const,
      `monitoring.slos[${i}].`,
    );
    const prop = `monitoring.slos[${i}]`;
    requireDnsLabel(path, `${prop}.name`, s.name, 40);
    if (!(typeof s.objectivePercent === 'number' && s.objectivePercent > 0 && s.objectivePercent < 100)) {
      throw invalidProp(path, `${prop}.objectivePercent`, s.objectivePercent, 'must be strictly between 0 and 100 (e.g. 99.9)');
    }
    if (s.objectivePercent < 1) {
      throw invalidProp(
        path,
        `${prop}.objectivePercent`,
        s.objectivePercent,
        `looks like a ratio: objectives are percentages (${_round(s.objectivePercent * 100)} for ${s.objectivePercent})`,
      );
    }
    if ((s.sli._kind === 'latency' || s.sli._kind === 'histogram') && !(typeof s.sli._thresholdMs === 'number' && s.sli._thresholdMs > 0)) {
      throw invalidProp(path, `${prop}.sli.thresholdMs`, s.sli._thresholdMs, 'must be a number of milliseconds greater than 0');
    }
    if (s.sli._kind === 'histogram') {
      if (!METRIC_NAME.test(s.sli._metric!) || s.sli._metric!.endsWith('_bucket')) {
        throw invalidProp(path, `${prop}.sli.metric`, s.sli._metric, 'must be a histogram base name (a metric name without _bucket)');
      }
      for (const [k, v] of Object.entries(s.sli._labels ?? {})) {
        if (!LABEL_NAME.test(k) || k === 'le' || k === 'job' || /["\\\n]/.test(v)) {
          throw invalidProp(
            path,
            `${prop}.sli.labels`,
            { [k]: v },
            'must be label names other than le and job, with values without quotes or backslashes',
          );
        }
      }
    }
    if (s.sli._kind === 'ratio') {
      for (const q of ['_good', '_total'] as const) {
        const exactLe = /\ble\s*=\s*"([0-9.eE+-]+)"/.exec(s.sli[q]!);
        if (exactLe && !exactLe[1].includes('.')) {
          throw invalidProp(
            path,
            `${prop}.sli.${q.slice(1)}`,
            s.sli[q],
            `matches the bucket le="${exactLe[1]}", which Prometheus 3 stores as le="${exactLe[1]}.0": write le=~"${exactLe[1]}(\\\\.0+)?" or use Sli.histogram()`,
          );
        }
        if (!s.sli[q]!.includes(WINDOW)) {
          throw invalidProp(
            path,
            `${prop}.sli.${q.slice(1)}`,
            s.sli[q],
            `must contain ${WINDOW} where the range goes, e.g. rate(metric[${WINDOW}])`,
          );
        }
      }
    }
    const window = requireDuration(path, `${prop}.window`, s.window ?? '30d');
    const longest = BURN_RATE_WINDOWS[BURN_RATE_WINDOWS.length - 1].long;
    if (durationSeconds(window) <= durationSeconds(longest)) {
      throw invalidProp(
        path,
        `${prop}.window`,
        window,
        `must be longer than the longest burn-rate alert window (${longest}): a budget that one alert window can spend is gone before the alert fires`,
      );
    }
    return { name: s.name, objectivePercent: s.objectivePercent, sli: s.sli, window, description: s.description ?? describe(s) };
  });
  const names = new Set<string>();
  slos.forEach((s, i) => {
    if (names.has(s.name)) throw invalidProp(path, `monitoring.slos[${i}].name`, s.name, 'is used by another SLO of this app');
    names.add(s.name);
  });
  if (o.routing) {
    _checkProps<_AllKeys<AlertRoutingSpec, typeof ALERTROUTINGSPEC_KEYS>>(
      path,
      'alert routing',
      o.routing,
      ALERTROUTINGSPEC_KEYS,
      ['slack'] as const,
      'monitoring.routing.',
    );
    // Names of Secrets and keys, and the channel, are written into the AlertmanagerConfig as given.
    refuseCredential(path, 'monitoring.routing.slack.channel', o.routing.slack?.channel);
    refuseCredentialValues(path, 'monitoring.routing.slack.webhook', { ...o.routing.slack?.webhook });
    refuseCredentialValues(path, 'monitoring.routing.pagerDuty', { ...o.routing.pagerDuty });
    const repeat = requireDuration(path, 'monitoring.routing.repeatInterval', o.routing.repeatInterval ?? '4h');
    if (durationSeconds(repeat) <= 0) {
      throw invalidProp(
        path,
        'monitoring.routing.repeatInterval',
        repeat,
        'must be longer than 0: Alertmanager refuses a repeat interval of 0',
      );
    }
    // An empty name or key is a Secret reference Alertmanager cannot read: the receiver fails and pages nobody.
    if (o.routing.pagerDuty !== undefined) requireSecretKeyRef(path, 'monitoring.routing.pagerDuty', o.routing.pagerDuty);
    requireSecretKeyRef(path, 'monitoring.routing.slack.webhook', o.routing.slack?.webhook);
    if (!o.routing.slack.channel.startsWith('#')) {
      throw invalidProp(path, 'monitoring.routing.slack.channel', o.routing.slack.channel, 'must be a Slack channel such as "#alerts"');
    }
  }
  // No default: a team's alerts link to its own runbooks, or to none (the reference passes Samokoder's in apps/).
  refuseCredential(path, 'monitoring.runbookBaseUrl', o.runbookBaseUrl);
  const runbookBaseUrl = o.runbookBaseUrl === undefined ? undefined : o.runbookBaseUrl.replace(/\/+$/, '');
  if (runbookBaseUrl !== undefined && !/^https:\/\/[^\s]+$/.test(runbookBaseUrl)) {
    throw invalidProp(path, 'monitoring.runbookBaseUrl', o.runbookBaseUrl, 'must be an https:// URL');
  }
  const restarts = t.restartsPerHour ?? 5;
  if (!(Number.isInteger(restarts) && restarts > 0)) {
    throw invalidProp(path, 'monitoring.thresholds.restartsPerHour', restarts, 'must be a whole number greater than 0');
  }
  const drop = t.trafficDropPercent ?? 50;
  if (!(drop > 0 && drop < 100)) {
    throw invalidProp(path, 'monitoring.thresholds.trafficDropPercent', drop, 'must be strictly between 0 and 100');
  }
  return {
    metrics,
    latencyP95Ms: threshold(path, 'monitoring.thresholds.latencyP95Ms', t.latencyP95Ms ?? { warning: 500, critical: 1000 }),
    errorRatePercent: threshold(path, 'monitoring.thresholds.errorRatePercent', t.errorRatePercent ?? { warning: 1, critical: 5 }, 100),
    cpuSaturationPercent: threshold(
      path,
      'monitoring.thresholds.cpuSaturationPercent',
      t.cpuSaturationPercent ?? { warning: 70, critical: 90 },
      100,
    ),
    trafficDropPercent: drop,
    restartsPerHour: restarts,
    pendingFor: requireDuration(path, 'monitoring.thresholds.pendingFor', t.pendingFor ?? '5m'),
    slos,
    routing: o.routing,
    prometheusSelector: requirePrometheusSelector(
      path,
      'monitoring.prometheusSelector',
      o.prometheusSelector ?? { release: 'kube-prometheus-stack' },
    ),
    runbookBaseUrl,
    prometheusNamespace: requireDnsLabel(path, 'monitoring.prometheusNamespace', o.prometheusNamespace ?? 'monitoring'),
    ...scrapeTiming(path, o),
    dashboard: o.dashboard ?? true,
    dashboardLabels: checkedLabels(path, 'monitoring.dashboardLabels', o.dashboardLabels ?? { grafana_dashboard: '1' }),
  };
}

function scrapeTiming(path: string, o: MonitoringOptions): { scrapeInterval: string; scrapeTimeout: string } {
  const scrapeInterval = requireDuration(path, 'monitoring.scrapeInterval', o.scrapeInterval ?? '30s');
  const interval = durationSeconds(scrapeInterval);
  if (interval <= 0) throw invalidProp(path, 'monitoring.scrapeInterval', scrapeInterval, 'must be longer than zero');
  const scrapeTimeout = requireDuration(path, 'monitoring.scrapeTimeout', o.scrapeTimeout ?? (interval < 10 ? scrapeInterval : '10s'));
  if (durationSeconds(scrapeTimeout) > interval) {
    throw invalidProp(
      path,
      'monitoring.scrapeTimeout',
      scrapeTimeout,
      `is longer than the scrape interval (${scrapeInterval}): Prometheus refuses the target ("scrape timeout greater than scrape interval")`,
    );
  }
  return { scrapeInterval, scrapeTimeout };
}

function describe(s: SloSpec): string {
  switch (s.sli._kind) {
    case 'uptime':
      return `The service is up ${s.objectivePercent} % of the time`;
    case 'success':
      return `${s.objectivePercent} % of requests succeed (errors below ${_round(100 - s.objectivePercent)} %)`;
    case 'latency':
      return `${s.objectivePercent} % of requests are served within ${s.sli._thresholdMs} ms`;
    case 'histogram':
      return `${s.objectivePercent} % of ${s.sli._metric} events are within ${s.sli._thresholdMs} ms`;
    default:
      return `${s.objectivePercent} % of events are good`;
  }
}

/** Rounds away floating-point noise (100 - 99.9 = 0.09999999999999432). @internal */
export function _round(n: number): number {
  return Number(n.toPrecision(12));
}

function checkedLabels(path: string, prop: string, labels: Record<string, string>): Record<string, string> {
  requireLabels(path, prop, labels);
  return labels;
}
