import { _sliQueries, RuleTarget } from './rules';
import { ResolvedMonitoring, _round } from './spec';

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly targets: Array<{ refId: string; expr: string; legendFormat?: string }>;
  readonly fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
  readonly options?: Record<string, unknown>;
  readonly description?: string;
}

function steps(warning: number, critical: number): Record<string, unknown> {
  return {
    mode: 'absolute',
    steps: [
      { color: 'green', value: null },
      { color: 'orange', value: warning },
      { color: 'red', value: critical },
    ],
  };
}

/**
 * A Grafana dashboard (schema 39) for one app: a panel per golden signal with the alert thresholds drawn in, and
 * per SLO its SLI and remaining error budget. Built from the same resolved spec as the rules, so they cannot drift.
 * @internal
 */
export function _dashboard(spec: ResolvedMonitoring, target: RuleTarget): Record<string, unknown> {
  const { app, namespace } = target;
  const m = spec.metrics;
  const job = `job="${app}"`;
  let id = 0;
  const panels: Panel[] = [];
  const add = (p: Omit<Panel, 'id' | 'gridPos'>, w = 12, h = 8) => {
    const i = panels.length;
    panels.push({ ...p, id: ++id, gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * h, w, h } });
  };
  const timeseries = (unit: string, thresholds?: Record<string, unknown>) => ({
    defaults: {
      unit,
      ...(thresholds ? { thresholds, custom: { thresholdsStyle: { mode: 'line+area' } } } : {}),
    },
    overrides: [],
  });

  add({
    type: 'timeseries',
    title: 'Latency p95 (s)',
    description: `Warning above ${spec.latencyP95Ms.warning} ms, critical above ${spec.latencyP95Ms.critical} ms`,
    targets: [
      {
        refId: 'A',
        expr: `histogram_quantile(0.95, sum by (le) (rate(${m.requestDurationHistogram}_bucket{${job}}[5m])))`,
        legendFormat: 'p95',
      },
    ],
    fieldConfig: timeseries('s', steps(_round(spec.latencyP95Ms.warning / 1000), _round(spec.latencyP95Ms.critical / 1000))),
  });
  add({
    type: 'timeseries',
    title: 'Traffic (requests/s)',
    description: `Warning below ${spec.trafficDropPercent} % of last week; critical at zero while pods are up`,
    targets: [
      { refId: 'A', expr: `sum(rate(${m.requestsCounter}{${job}}[5m]))`, legendFormat: 'now' },
      { refId: 'B', expr: `sum(rate(${m.requestsCounter}{${job}}[5m] offset 1w))`, legendFormat: 'last week' },
    ],
    fieldConfig: timeseries('reqps'),
  });
  add({
    type: 'timeseries',
    title: 'Errors (share of requests)',
    description: `Warning above ${spec.errorRatePercent.warning} %, critical above ${spec.errorRatePercent.critical} %`,
    targets: [
      {
        refId: 'A',
        expr: `sum(rate(${m.requestsCounter}{${job},${m.statusLabel}=~"${m.errorStatusRegex}"}[5m])) / sum(rate(${m.requestsCounter}{${job}}[5m]))`,
        legendFormat: 'errors',
      },
    ],
    fieldConfig: timeseries(
      'percentunit',
      steps(_round(spec.errorRatePercent.warning / 100), _round(spec.errorRatePercent.critical / 100)),
    ),
  });
  add({
    type: 'timeseries',
    title: `Saturation (CPU / ${target.cpuLimited ? 'limit' : 'request'})`,
    description: `Warning above ${spec.cpuSaturationPercent.warning} %, critical above ${spec.cpuSaturationPercent.critical} %`,
    targets: [
      {
        refId: 'A',
        expr: `sum(rate(container_cpu_usage_seconds_total{namespace="${namespace}",container="${app}"}[5m])) / sum(kube_pod_container_resource_${target.cpuLimited ? 'limits' : 'requests'}{namespace="${namespace}",container="${app}",resource="cpu"})`,
        legendFormat: 'cpu',
      },
    ],
    fieldConfig: timeseries(
      'percentunit',
      steps(_round(spec.cpuSaturationPercent.warning / 100), _round(spec.cpuSaturationPercent.critical / 100)),
    ),
  });
  for (const slo of spec.slos) {
    const labels = `slo="${app}-${slo.name}"`;
    const objective = _round(slo.objectivePercent / 100);
    const q = _sliQueries(slo.sli, m, app, '5m');
    add({
      type: 'timeseries',
      title: `SLO ${slo.name}: SLI (objective ${slo.objectivePercent} %)`,
      description: slo.description,
      targets: [{ refId: 'A', expr: `(${q.good}) / (${q.total})`, legendFormat: 'SLI' }],
      fieldConfig: timeseries('percentunit', {
        mode: 'absolute',
        steps: [
          { color: 'red', value: null },
          { color: 'green', value: objective },
        ],
      }),
    });
    add({
      type: 'stat',
      title: `SLO ${slo.name}: error budget remaining (${slo.window})`,
      description: `Burn-rate alerts page at 14.4x (1h/5m) and 6x (6h/30m), and open a ticket at 1x (3d/6h)`,
      targets: [{ refId: 'A', expr: `slo:error_budget_remaining:ratio{${labels}}`, legendFormat: 'budget' }],
      fieldConfig: {
        defaults: {
          unit: 'percentunit',
          thresholds: {
            mode: 'absolute',
            steps: [
              { color: 'red', value: null },
              { color: 'orange', value: 0.25 },
              { color: 'green', value: 0.5 },
            ],
          },
        },
        overrides: [],
      },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background' },
    });
  }
  return {
    uid: `${namespace}-${app}`.slice(0, 40),
    title: `${app} (${namespace}): golden signals and SLOs`,
    tags: [namespace, 'golden-signals', 'slo'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: false,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    panels,
  };
}
