import { invalidCombination, invalidProp } from '../common/errors';
import {
  refuseCredential,
  refuseCredentialValues,
  requireDnsLabel,
  requireLabels,
  requirePrometheusSelector,
  requireSecretKeyRef,
} from '../common/validate';
import { _AllKeys, _checkProps } from '../common/props';
import { durationSeconds, re2Error, requireDuration } from './promql';
import {
  _round,
  AlertRoutingSpec,
  GoldenSignalThresholds,
  HttpMetrics,
  MonitoringOptions,
  ResolvedMonitoring,
  SloSpec,
  Threshold,
  WINDOW,
} from './spec';
import { BURN_RATE_WINDOWS } from './windows';

// The resolver of a monitoring spec (split out of spec.ts, which holds the types a team writes).

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
    // Slack channel names: lower-case letters, digits, - and _, at most 80 (no spaces, no line breaks).
    if (!/^#[\p{Ll}\p{Lo}\p{N}_-]{1,80}$/u.test(o.routing.slack.channel)) {
      throw invalidProp(
        path,
        'monitoring.routing.slack.channel',
        o.routing.slack.channel,
        'must be a Slack channel such as "#alerts": "#", then up to 80 lower-case letters, digits, - and _',
      );
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

function checkedLabels(path: string, prop: string, labels: Record<string, string>): Record<string, string> {
  requireLabels(path, prop, labels);
  return labels;
}
