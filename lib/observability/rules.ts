import { ValidationError } from '../common/errors';
import { promqlSyntaxError, requirePromql } from './promql';
import { ResolvedMonitoring, _round, Sli, WINDOW } from './spec';
import { pascalCase } from '../common/names';
import { BURN_RATE_WINDOWS, SLI_WINDOWS } from './windows';

/** What the rules are about: one workload in one namespace. @internal */
export interface RuleTarget {
  /** App name: the Service (and so the scrape `job`), the container and the workload. */
  readonly app: string;
  readonly namespace: string;
  readonly workloadKind: 'Deployment' | 'StatefulSet';
  /** True when the container has a CPU limit (saturation is measured against it, else against the request). */
  readonly cpuLimited: boolean;
}

/** A Prometheus alerting rule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** A Prometheus recording rule. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Record<string, string>;
}

/** A rule group. */
export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: Array<AlertRule | RecordingRule>;
}

export { BURN_RATE_WINDOWS, SLI_WINDOWS } from './windows';

function sel(labels: Record<string, string>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => (k.endsWith('=~') ? `${k.slice(0, -2)}=~"${v}"` : k.endsWith('!~') ? `${k.slice(0, -2)}!~"${v}"` : `${k}="${v}"`))
    .join(',')}}`;
}

/** A regular expression matching an `le` label value for `seconds` however the client formats it (1, 1.0, 1e+00 aside). */
function leRegex(seconds: number): string {
  const s = String(_round(seconds));
  return s.includes('.') ? `${s.replace('.', '\\\\.')}0*` : `${s}(\\\\.0+)?`;
}

/** PromQL for the good and total event rates of an SLI over `w`. @internal */
export function _sliQueries(sli: Sli, m: ResolvedMonitoring['metrics'], job: string, w: string): { good: string; total: string } {
  const j = { job };
  switch (sli._kind) {
    case 'uptime':
      return { good: `sum(sum_over_time(up${sel(j)}[${w}]))`, total: `sum(count_over_time(up${sel(j)}[${w}]))` };
    case 'success':
      return {
        good: `sum(rate(${m.requestsCounter}${sel({ ...j, [`${m.statusLabel}!~`]: m.errorStatusRegex })}[${w}]))`,
        total: `sum(rate(${m.requestsCounter}${sel(j)}[${w}]))`,
      };
    case 'histogram':
      return {
        good: `sum(rate(${sli._metric}_bucket${sel({ ...j, ...sli._labels, 'le=~': leRegex(sli._thresholdMs! / 1000) })}[${w}]))`,
        total: `sum(rate(${sli._metric}_count${sel({ ...j, ...sli._labels })}[${w}]))`,
      };
    case 'latency':
      return {
        good: `sum(rate(${m.requestDurationHistogram}_bucket${sel({ ...j, 'le=~': leRegex(sli._thresholdMs! / 1000) })}[${w}]))`,
        total: `sum(rate(${m.requestDurationHistogram}_count${sel(j)}[${w}]))`,
      };
    default:
      return { good: sli._good!.split(WINDOW).join(w), total: sli._total!.split(WINDOW).join(w) };
  }
}

/** Every rule group of an app's monitoring: golden signals, SLI recordings, burn-rate alerts, error budgets. @internal */
export function _ruleGroups(path: string, spec: ResolvedMonitoring, target: RuleTarget): RuleGroup[] {
  const { app, namespace } = target;
  const m = spec.metrics;
  const name = pascalCase(app);
  const job = { job: app };
  const base = { app, namespace };
  const runbook = (alert: string) => `${spec.runbookBaseUrl}/${alert}`;
  const alert = (
    a: string,
    expr: string,
    forDuration: string,
    severity: string,
    summary: string,
    description: string,
    extra: Record<string, string> = {},
  ): AlertRule => ({
    alert: a,
    expr,
    for: forDuration,
    labels: { severity, ...base, ...extra },
    annotations: { summary, description, ...(spec.runbookBaseUrl ? { runbook_url: runbook(a) } : {}) },
  });

  const latency = `histogram_quantile(0.95, sum by (le) (rate(${m.requestDurationHistogram}_bucket${sel(job)}[5m])))`;
  const errorRatio = `sum(rate(${m.requestsCounter}${sel({ ...job, [`${m.statusLabel}=~`]: m.errorStatusRegex })}[5m])) / sum(rate(${m.requestsCounter}${sel(job)}[5m]))`;
  const cpuUsed = `sum(rate(container_cpu_usage_seconds_total${sel({ namespace, container: app })}[5m]))`;
  const cpuBudget = `sum(kube_pod_container_resource_${target.cpuLimited ? 'limits' : 'requests'}${sel({ namespace, container: app, resource: 'cpu' })})`;
  const saturation = `${cpuUsed} / ${cpuBudget}`;
  const traffic = `sum(rate(${m.requestsCounter}${sel(job)}[10m]))`;
  // Pods that answer the scrape: the same whoever owns them. The Deployment behind an Argo Rollout (workloadRef) is
  // kept at zero replicas, so its `kube_deployment_status_replicas_available` says nothing about the app.
  const answering = `sum(up${sel(job)}) > 0`;
  const podRegex = target.workloadKind === 'Deployment' ? `${app}-[a-z0-9]+-[a-z0-9]+` : `${app}-[0-9]+`;
  const lat = spec.latencyP95Ms;
  const err = spec.errorRatePercent;
  const cpu = spec.cpuSaturationPercent;

  const golden: AlertRule[] = [
    alert(
      `${name}HighLatency`,
      `${latency} > ${_round(lat.warning / 1000)}`,
      '5m',
      'warning',
      `${app}: p95 latency above ${lat.warning} ms`,
      `p95 latency of ${namespace}/${app} is {{ $value | humanizeDuration }} (warning above ${lat.warning} ms).`,
    ),
    alert(
      `${name}HighLatency`,
      `${latency} > ${_round(lat.critical / 1000)}`,
      '5m',
      'critical',
      `${app}: p95 latency above ${lat.critical} ms`,
      `p95 latency of ${namespace}/${app} is {{ $value | humanizeDuration }} (critical above ${lat.critical} ms).`,
    ),
    alert(
      `${name}HighErrorRate`,
      `${errorRatio} > ${_round(err.warning / 100)}`,
      '5m',
      'warning',
      `${app}: more than ${err.warning} % of requests fail`,
      `${namespace}/${app} answers {{ $value | humanizePercentage }} of requests with a server error (warning above ${err.warning} %).`,
    ),
    alert(
      `${name}HighErrorRate`,
      `${errorRatio} > ${_round(err.critical / 100)}`,
      '5m',
      'critical',
      `${app}: more than ${err.critical} % of requests fail`,
      `${namespace}/${app} answers {{ $value | humanizePercentage }} of requests with a server error (critical above ${err.critical} %).`,
    ),
    alert(
      `${name}CpuSaturation`,
      `${saturation} > ${_round(cpu.warning / 100)}`,
      '15m',
      'warning',
      `${app}: CPU above ${cpu.warning} % of its ${target.cpuLimited ? 'limit' : 'request'}`,
      `${namespace}/${app} uses {{ $value | humanizePercentage }} of its CPU ${target.cpuLimited ? 'limit' : 'request'}: scale out or raise it.`,
    ),
    alert(
      `${name}CpuSaturation`,
      `${saturation} > ${_round(cpu.critical / 100)}`,
      '10m',
      'critical',
      `${app}: CPU above ${cpu.critical} % of its ${target.cpuLimited ? 'limit' : 'request'}`,
      `${namespace}/${app} uses {{ $value | humanizePercentage }} of its CPU ${target.cpuLimited ? 'limit' : 'request'}.`,
    ),
    alert(
      `${name}NoTraffic`,
      `(${traffic} or on() vector(0)) == 0 and on() ${answering}`,
      '10m',
      'critical',
      `${app}: no requests while pods are up`,
      `${namespace}/${app} has pods answering their scrape but received no request for 10 minutes: check routing, DNS and the gateway.`,
    ),
    alert(
      `${name}TrafficDrop`,
      `${traffic} < ${_round(spec.trafficDropPercent / 100)} * ${traffic.replace('[10m]))', '[10m] offset 1w))')}`,
      '30m',
      'warning',
      `${app}: traffic below ${spec.trafficDropPercent} % of last week`,
      `${namespace}/${app} receives {{ $value | humanize }} requests/s, less than ${spec.trafficDropPercent} % of the same time last week.`,
    ),
    alert(
      `${name}PodRestarting`,
      `increase(kube_pod_container_status_restarts_total${sel({ namespace, container: app })}[1h]) > ${spec.restartsPerHour}`,
      '0m',
      'critical',
      `${app}: a container restarted more than ${spec.restartsPerHour} times in an hour`,
      `{{ $labels.pod }} in ${namespace} restarted {{ $value | humanize }} times in the last hour.`,
    ),
    alert(
      `${name}PodPending`,
      `max by (pod) (kube_pod_status_phase${sel({ namespace, 'pod=~': podRegex, phase: 'Pending' })}) == 1`,
      spec.pendingFor,
      'warning',
      `${app}: a pod is Pending for more than ${spec.pendingFor}`,
      `{{ $labels.pod }} in ${namespace} cannot be scheduled: check quota, node capacity and topology spread.`,
    ),
  ];

  const groups: RuleGroup[] = [{ name: `${app}.golden-signals`, rules: golden }];
  for (const slo of spec.slos) {
    const sloId = `${app}-${slo.name}`;
    const labels = { ...base, slo: sloId };
    const budget = _round(1 - slo.objectivePercent / 100);
    const recordings: RecordingRule[] = SLI_WINDOWS.map((w) => {
      const q = _sliQueries(slo.sli, m, app, w);
      return { record: `slo:sli_error:ratio_rate${w}`, expr: `1 - ((${q.good}) / (${q.total}))`, labels };
    });
    recordings.push({
      record: `slo:sli_error:ratio_rate${slo.window}`,
      expr: `avg_over_time(slo:sli_error:ratio_rate5m${sel(labels)}[${slo.window}])`,
      labels,
    });
    recordings.push({ record: 'slo:objective:ratio', expr: `vector(${_round(slo.objectivePercent / 100)})`, labels });
    recordings.push({
      record: 'slo:error_budget_remaining:ratio',
      expr: `1 - (slo:sli_error:ratio_rate${slo.window}${sel(labels)} / ${budget})`,
      labels,
    });
    const burns: AlertRule[] = BURN_RATE_WINDOWS.map((b) =>
      alert(
        `${name}${pascalCase(slo.name)}BudgetBurn`,
        `slo:sli_error:ratio_rate${b.long}${sel(labels)} > (${b.factor} * ${budget}) and slo:sli_error:ratio_rate${b.short}${sel(labels)} > (${b.factor} * ${budget})`,
        b.for,
        b.severity,
        `${app}: SLO "${slo.name}" burns its error budget ${b.factor}x too fast (${b.long}/${b.short})`,
        `${slo.description}. At this rate the ${slo.window} error budget is gone in ${burnTime(slo.window, b.factor)}. This ${b.action === 'page' ? 'pages on-call' : 'opens a ticket'}.`,
        { slo: sloId, window: `${b.long}/${b.short}` },
      ),
    );
    groups.push({ name: `${app}.slo.${slo.name}`, interval: '30s', rules: [...recordings, ...burns] });
  }

  // Every expression the library writes must parse. Custom SLI queries are the user's: name the prop.
  spec.slos.forEach((slo, i) => {
    if (slo.sli._kind === 'ratio') {
      const q = _sliQueries(slo.sli, m, app, '5m');
      requirePromql(path, `monitoring.slos[${i}].sli.good`, q.good);
      requirePromql(path, `monitoring.slos[${i}].sli.total`, q.total);
    }
  });
  for (const g of groups) {
    for (const r of g.rules) {
      if (!generatedParses(r.expr)) {
        throw new ValidationError(`[${path}] internal: generated PromQL does not parse (please report): ${r.expr}`);
      }
    }
  }
  return groups;
}

// Whether a generated expression parses, by its shape: the apps' names and labels appear only inside string literals
// (checked names, no quotes), and a literal's content does not change whether an expression parses, so one parse per
// shape serves every app (parsing each app's ~30 expressions was a third of building its monitoring).
const parsedShapes = new Map<string, boolean>();
function generatedParses(expr: string): boolean {
  const shape = expr.replace(/"(?:[^"\\\n]|\\.)*"/g, '""');
  let ok = parsedShapes.get(shape);
  if (ok === undefined) {
    ok = promqlSyntaxError(expr) === undefined;
    if (parsedShapes.size < 10_000) parsedShapes.set(shape, ok);
  }
  return ok;
}

function burnTime(window: string, factor: number): string {
  const days = window.endsWith('d') ? Number(window.slice(0, -1)) : undefined;
  if (days === undefined) return `1/${factor} of ${window}`;
  const hours = (days * 24) / factor;
  return hours < 72 ? `${Math.round(hours * 10) / 10} hours` : `${Math.round((hours / 24) * 10) / 10} days`;
}
