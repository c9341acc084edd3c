import { Chart } from 'cdk8s';
import { parser } from '@prometheus-io/lezer-promql';
import { AppMonitoring, AppMonitoringProps, MonitoringOptions, ProductionApp, Sli, SloSpec } from 'samokoder-infra';
import { all, find, K8sObject, render, schemaCheck, testApp } from '../util/k8s';

const slos: SloSpec[] = [
  { name: 'availability', objectivePercent: 99.9, sli: Sli.uptime() },
  { name: 'latency', objectivePercent: 99, sli: Sli.latency(1000) },
  { name: 'errors', objectivePercent: 99.9, sli: Sli.successRate() },
];

function monitoring(props: Partial<AppMonitoringProps> = {}): K8sObject[] {
  const chart = new Chart(testApp(), 'c', { namespace: 'samokoder' });
  new AppMonitoring(chart, 'Monitoring', {
    app: 'api',
    namespace: 'samokoder',
    serviceSelector: { 'app.kubernetes.io/name': 'api' },
    slos,
    ...props,
  });
  return render(chart);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rule JSON
function rules(objects: K8sObject[]): any[] {
  return find(objects, 'PrometheusRule').spec.groups.flatMap((g: K8sObject) => g.rules);
}

/** Independent of the library's own check: parse with the PromQL grammar and look for error nodes. */
function parses(expr: string): boolean {
  let ok = true;
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) ok = false;
    },
  });
  return ok && expr.trim() !== '';
}

describe('AppMonitoring', () => {
  test('ServiceMonitor carries the label Prometheus selects on and scrapes the metrics port and path', () => {
    const sm = find(monitoring(), 'ServiceMonitor', 'api');
    expect(sm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(sm.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api' } });
    expect(sm.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s', honorLabels: false }]);
    expect(find(monitoring({ prometheusSelector: { prometheus: 'platform' } }), 'PrometheusRule').metadata.labels).toMatchObject({
      prometheus: 'platform',
    });
  });

  test('no runbook links unless the team names its runbooks (the library has no runbooks of its own)', () => {
    const alerts = rules(monitoring()).filter((x) => x.alert);
    expect(alerts.length).toBeGreaterThan(5);
    expect(alerts.filter((a) => 'runbook_url' in a.annotations)).toEqual([]);
    expect(JSON.stringify(monitoring())).not.toContain('samokoder.dev/Api');
  });

  test('every expression parses with the PromQL grammar', () => {
    const all = rules(monitoring()).map((r) => r.expr);
    expect(all.length).toBeGreaterThan(30);
    for (const expr of all) expect([expr, parses(expr)]).toEqual([expr, true]);
    expect(parses('sum(rate(x[5m])')).toBe(false);
  });

  test('golden-signal alerts with the audit thresholds, each with severity, summary, description, runbook and for', () => {
    const r = rules(monitoring({ runbookBaseUrl: 'https://runbooks.acme.dev/' })).filter((x) => x.alert);
    const by = (name: string, severity: string) => r.find((x) => x.alert === name && x.labels.severity === severity);
    expect(by('ApiHighLatency', 'warning').expr).toMatch(/histogram_quantile\(0\.95, .*\) > 0\.5$/);
    expect(by('ApiHighLatency', 'critical').expr).toMatch(/\) > 1$/);
    expect(by('ApiHighErrorRate', 'warning').expr).toMatch(/> 0\.01$/);
    expect(by('ApiHighErrorRate', 'critical').expr).toMatch(/> 0\.05$/);
    expect(by('ApiCpuSaturation', 'warning').expr).toMatch(/kube_pod_container_resource_limits.* > 0\.7$/);
    expect(by('ApiCpuSaturation', 'critical').expr).toMatch(/> 0\.9$/);
    // Pods answering their scrape, not the Deployment's available replicas (a Rollout keeps those at zero).
    expect(by('ApiNoTraffic', 'critical').expr).toBe(
      '(sum(rate(http_requests_total{job="api"}[10m])) or on() vector(0)) == 0 and on() sum(up{job="api"}) > 0',
    );
    expect(by('ApiPodRestarting', 'critical').expr).toMatch(/increase\(kube_pod_container_status_restarts_total\{.*\}\[1h\]\) > 5$/);
    expect(by('ApiPodPending', 'warning')).toMatchObject({ for: '5m' });
    for (const a of r) {
      expect(Object.keys(a.annotations).sort()).toEqual(['description', 'runbook_url', 'summary']);
      expect(a.annotations.runbook_url).toBe(`https://runbooks.acme.dev/${a.alert}`);
      expect(['warning', 'critical']).toContain(a.labels.severity);
      expect(a.for).toMatch(/^\d+[smhd]$/);
    }
  });

  test('without a CPU limit, saturation is measured against the request', () => {
    const r = rules(monitoring({ cpuLimited: false })).find((x) => x.alert === 'ApiCpuSaturation');
    expect(r.expr).toContain('kube_pod_container_resource_requests');
  });

  test('SLOs: SLI error ratios recorded per window, multi-window burn-rate alerts, error budget remaining', () => {
    const r = rules(monitoring());
    const latency = r.filter((x) => x.labels?.slo === 'api-latency');
    expect(
      latency.filter((x) => (x.record === undefined ? false : x.record.startsWith('slo:sli_error:ratio_rate'))).map((x) => x.record),
    ).toEqual([
      'slo:sli_error:ratio_rate5m',
      'slo:sli_error:ratio_rate30m',
      'slo:sli_error:ratio_rate1h',
      'slo:sli_error:ratio_rate6h',
      'slo:sli_error:ratio_rate3d',
      'slo:sli_error:ratio_rate30d',
    ]);
    expect(latency.find((x) => x.record === 'slo:sli_error:ratio_rate5m').expr).toContain(
      'http_request_duration_seconds_bucket{job="api",le=~"1(\\\\.0+)?"}[5m]',
    );
    const burns = latency.filter((x) => x.alert === 'ApiLatencyBudgetBurn');
    expect(burns.map((b) => [b.labels.window, b.labels.severity])).toEqual([
      ['1h/5m', 'critical'],
      ['6h/30m', 'critical'],
      ['3d/6h', 'warning'],
    ]);
    expect(burns[0].expr).toBe(
      'slo:sli_error:ratio_rate1h{app="api",namespace="samokoder",slo="api-latency"} > (14.4 * 0.01) and slo:sli_error:ratio_rate5m{app="api",namespace="samokoder",slo="api-latency"} > (14.4 * 0.01)',
    );
    expect(burns[1].expr).toContain('> (6 * 0.01)');
    expect(burns[2].expr).toContain('ratio_rate3d');
    const budget = r.find((x) => x.record === 'slo:error_budget_remaining:ratio' && x.labels.slo === 'api-availability');
    expect(budget.expr).toBe('1 - (slo:sli_error:ratio_rate30d{app="api",namespace="samokoder",slo="api-availability"} / 0.001)');
    const uptime = r.find((x) => x.record === 'slo:sli_error:ratio_rate1h' && x.labels.slo === 'api-availability');
    expect(uptime.expr).toBe('1 - ((sum(sum_over_time(up{job="api"}[1h]))) / (sum(count_over_time(up{job="api"}[1h]))))');
  });

  test('a custom ratio SLI gets its window substituted', () => {
    const r = rules(
      monitoring({
        slos: [
          {
            name: 'processing',
            objectivePercent: 99,
            sli: Sli.ratio('sum(rate(done_bucket{le=~"300(\\\\.0+)?"}[$window]))', 'sum(rate(done_count[$window]))'),
          },
        ],
      }),
    );
    expect(r.find((x) => x.record === 'slo:sli_error:ratio_rate6h').expr).toBe(
      '1 - ((sum(rate(done_bucket{le=~"300(\\\\.0+)?"}[6h]))) / (sum(rate(done_count[6h]))))',
    );
  });

  test('a histogram SLI matches its bucket however Prometheus writes the boundary (300 and 300.0)', () => {
    const r = rules(
      monitoring({ slos: [{ name: 'processing', objectivePercent: 99, sli: Sli.histogram('done_seconds', 300_000, { queue: 'high' }) }] }),
    );
    expect(r.find((x) => x.record === 'slo:sli_error:ratio_rate1h').expr).toBe(
      '1 - ((sum(rate(done_seconds_bucket{job="api",queue="high",le=~"300(\\\\.0+)?"}[1h]))) / (sum(rate(done_seconds_count{job="api",queue="high"}[1h]))))',
    );
    const half = rules(monitoring({ slos: [{ name: 'fast', objectivePercent: 99, sli: Sli.histogram('done_seconds', 500) }] }));
    expect(half.find((x) => x.record === 'slo:sli_error:ratio_rate5m').expr).toContain('le=~"0\\\\.50*"');
  });

  test('alert routing: critical to PagerDuty, warning to Slack, credentials by Secret reference, warnings inhibited by their critical twin', () => {
    const o = monitoring({
      routing: { pagerDuty: { name: 'alerting', key: 'pd' }, slack: { webhook: { name: 'alerting', key: 'slack' }, channel: '#alerts' } },
    });
    const amc = find(o, 'AlertmanagerConfig', 'api');
    expect(amc.spec.route.routes.map((x: K8sObject) => [x.matchers[0].value, x.receiver])).toEqual([
      ['critical', 'pagerduty'],
      ['warning', 'slack'],
    ]);
    expect(amc.spec.route.groupBy).toEqual(['alertname', 'namespace', 'app']);
    expect(amc.spec.receivers.find((x: K8sObject) => x.name === 'pagerduty').pagerdutyConfigs[0].routingKey).toEqual({
      name: 'alerting',
      key: 'pd',
    });
    expect(amc.spec.receivers.find((x: K8sObject) => x.name === 'slack').slackConfigs[0].apiURL).toEqual({
      name: 'alerting',
      key: 'slack',
    });
    expect(amc.spec.inhibitRules).toEqual([
      {
        sourceMatch: [{ name: 'severity', value: 'critical', matchType: '=' }],
        targetMatch: [{ name: 'severity', value: 'warning', matchType: '=' }],
        equal: ['alertname', 'namespace', 'app'],
      },
    ]);
    expect(all(monitoring(), 'AlertmanagerConfig')).toHaveLength(0);
  });

  test('dashboard: one panel per signal and two per SLO, thresholds drawn from the alert thresholds', () => {
    const o = monitoring({ thresholds: { latencyP95Ms: { warning: 300, critical: 800 }, errorRatePercent: { warning: 2, critical: 10 } } });
    const cm = find(o, 'ConfigMap', 'api-dashboard');
    expect(cm.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dash = JSON.parse(cm.data['samokoder-api.json']);
    expect(dash.panels).toHaveLength(4 + 2 * slos.length);
    const latency = dash.panels.find((p: K8sObject) => p.title.startsWith('Latency'));
    expect(latency.fieldConfig.defaults.thresholds.steps.map((s: K8sObject) => s.value)).toEqual([null, 0.3, 0.8]);
    const errors = dash.panels.find((p: K8sObject) => p.title.startsWith('Errors'));
    expect(errors.fieldConfig.defaults.thresholds.steps.map((s: K8sObject) => s.value)).toEqual([null, 0.02, 0.1]);
    const r = rules(o);
    expect(r.find((x) => x.alert === 'ApiHighLatency' && x.labels.severity === 'warning').expr).toMatch(/> 0\.3$/);
    expect(r.find((x) => x.alert === 'ApiHighErrorRate' && x.labels.severity === 'critical').expr).toMatch(/> 0\.1$/);
    for (const p of dash.panels) for (const t of p.targets) expect([t.expr, parses(t.expr)]).toEqual([t.expr, true]);
  });

  test('every object validates against its CRD schema', async () => {
    const o = monitoring({ routing: { pagerDuty: { name: 'a', key: 'b' }, slack: { webhook: { name: 'a', key: 'c' }, channel: '#x' } } });
    const result = await schemaCheck(o);
    expect(result.output).toContain(`manifest schema check: ${o.length} valid, 0 invalid`);
  });

  test('a scrape interval under 10 s gets a timeout no longer than itself; edges that are valid pass', () => {
    const fast = find(monitoring({ scrapeInterval: '5s' }), 'ServiceMonitor').spec.endpoints[0];
    expect([fast.interval, fast.scrapeTimeout]).toEqual(['5s', '5s']);
    const slow = find(monitoring({ scrapeInterval: '1m' }), 'ServiceMonitor').spec.endpoints[0];
    expect([slow.interval, slow.scrapeTimeout]).toEqual(['1m', '10s']);
    expect(() => monitoring({ scrapeInterval: '15s', scrapeTimeout: '15s' })).not.toThrow();
    // Range vectors are fine where a function takes them, subqueries included.
    const subquery = Sli.ratio(
      'sum(max_over_time(rate(x{code=~`2\\d\\d`}[$window])[1h:1m]))',
      'sum(rate(y{a=~"\\\\d+"}[$window])) or vector(0)',
    );
    expect(() => monitoring({ slos: [{ name: 'a', objectivePercent: 99, sli: subquery }] })).not.toThrow();
    expect(() => monitoring({ slos: [{ name: 'a', objectivePercent: 99.9, sli: Sli.uptime(), window: '4d' }] })).not.toThrow();
  });

  describe('bad input', () => {
    test.each<[Partial<MonitoringOptions>, string]>([
      [
        { slos: [{ name: 'a', objectivePercent: 100, sli: Sli.uptime() }] },
        `[c/Monitoring] 'monitoring.slos[0].objectivePercent' (100) must be strictly between 0 and 100 (e.g. 99.9)`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 0, sli: Sli.uptime() }] },
        `[c/Monitoring] 'monitoring.slos[0].objectivePercent' (0) must be strictly between 0 and 100 (e.g. 99.9)`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99.9, sli: Sli.uptime(), window: '30 days' }] },
        `[c/Monitoring] 'monitoring.slos[0].window' ("30 days") must be a Prometheus duration such as "30s", "5m", "1h" or "30d"`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.ratio('sum(rate(x[5m]))', 'sum(rate(y[$window]))') }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.good' ("sum(rate(x[5m]))") must contain $window where the range goes`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.ratio('sum(rate(x[$window])', 'sum(rate(y[$window]))') }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.good' ("sum(rate(x[5m])") is not valid PromQL (syntax error at offset`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.ratio('sum(x[$window])', 'sum(rate(y[$window]))') }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.good' ("sum(x[5m])") is not valid PromQL: it aggregates the range vector "x[5m]" in "sum(x[5m])": aggregations take instant vectors (wrap it in rate(), avg_over_time(), …)`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.ratio('sum(rate(x{code!~"5[0-"}[$window]))', 'sum(rate(x[$window]))') }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.good' ("sum(rate(x{code!~"5[0-"}[5m]))") is not valid PromQL: it matches with the regular expression "5[0-", which Prometheus refuses: Unterminated character class`,
      ],
      [
        {
          slos: [
            { name: 'a', objectivePercent: 99, sli: Sli.ratio('sum(rate(x{path!~"(?!/health).*"}[$window]))', 'sum(rate(x[$window]))') },
          ],
        },
        `[c/Monitoring] 'monitoring.slos[0].sli.good' ("sum(rate(x{path!~"(?!/health).*"}[5m]))") is not valid PromQL: it matches with the regular expression "(?!/health).*", which Prometheus refuses: uses lookaround, which RE2 does not support`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.ratio('sum(rate(x[$window]))', 'y[$window]') }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.total' ("y[5m]") is not valid PromQL: it is a range vector: a query or rule must return an instant vector (wrap it in rate(), avg_over_time(), …)`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.ratio('y[$window] - sum(rate(x[$window]))', 'sum(rate(y[$window]))') }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.good' ("y[5m] - sum(rate(x[5m]))") is not valid PromQL: it uses the range vector "y[5m]" as an operand: binary operators take instant vectors or scalars`,
      ],
      [
        {
          slos: [
            { name: 'a', objectivePercent: 99, sli: Sli.ratio('sum(rate(x_bucket{le="300"}[$window]))', 'sum(rate(x_count[$window]))') },
          ],
        },
        `[c/Monitoring] 'monitoring.slos[0].sli.good' ("sum(rate(x_bucket{le="300"}[$window]))") matches the bucket le="300", which Prometheus 3 stores as le="300.0": write le=~"300(\\\\.0+)?" or use Sli.histogram()`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.histogram('x_bucket', 300) }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.metric' ("x_bucket") must be a histogram base name (a metric name without _bucket)`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.histogram('x', 300, { le: '1' }) }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.labels' ({"le":"1"}) must be label names other than le and job`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.histogram('x', -1) }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.thresholdMs' (-1) must be a number of milliseconds greater than 0`,
      ],
      [
        { slos: [{ name: 'a', objectivePercent: 99, sli: Sli.latency(0) }] },
        `[c/Monitoring] 'monitoring.slos[0].sli.thresholdMs' (0) must be a number of milliseconds greater than 0`,
      ],
      [
        {
          slos: [
            { name: 'a', objectivePercent: 99, sli: Sli.uptime() },
            { name: 'a', objectivePercent: 98, sli: Sli.uptime() },
          ],
        },
        `[c/Monitoring] 'monitoring.slos[1].name' ("a") is used by another SLO of this app`,
      ],
      [
        { thresholds: { latencyP95Ms: { warning: 1000, critical: 500 } } },
        `[c/Monitoring] 'monitoring.thresholds.latencyP95Ms.warning' (1000) must not be above 'monitoring.thresholds.latencyP95Ms.critical' (500): the warning has to fire first`,
      ],
      [
        { thresholds: { errorRatePercent: { warning: 1, critical: 150 } } },
        `[c/Monitoring] 'monitoring.thresholds.errorRatePercent.critical' (150) must be a number greater than 0 and below 100: a threshold of 100 can never be crossed`,
      ],
      [
        { thresholds: { errorRatePercent: { warning: 1, critical: 100 } } },
        `[c/Monitoring] 'monitoring.thresholds.errorRatePercent.critical' (100) must be a number greater than 0 and below 100: a threshold of 100 can never be crossed`,
      ],
      [
        { thresholds: { pendingFor: 'five minutes' } },
        `[c/Monitoring] 'monitoring.thresholds.pendingFor' ("five minutes") must be a Prometheus duration`,
      ],
      [{ scrapeInterval: '30' }, `[c/Monitoring] 'monitoring.scrapeInterval' ("30") must be a Prometheus duration`],
      [
        { metrics: { requestsCounter: 'http-requests' } },
        `[c/Monitoring] 'monitoring.metrics.requestsCounter' ("http-requests") must be a Prometheus metric or label name`,
      ],
      [
        { routing: { slack: { webhook: { name: 'a', key: 'b' }, channel: 'alerts' } } },
        `[c/Monitoring] 'monitoring.routing.slack.channel' ("alerts") must be a Slack channel such as "#alerts"`,
      ],
      [
        { scrapeInterval: '15s', scrapeTimeout: '20s' },
        `[c/Monitoring] 'monitoring.scrapeTimeout' ("20s") is longer than the scrape interval (15s): Prometheus refuses the target ("scrape timeout greater than scrape interval")`,
      ],
      [{ scrapeInterval: '0s' }, `[c/Monitoring] 'monitoring.scrapeInterval' ("0s") must be longer than zero`],
      [
        { slos: [{ name: 'a', objectivePercent: 99.9, sli: Sli.uptime(), window: '3d' }] },
        `[c/Monitoring] 'monitoring.slos[0].window' ("3d") must be longer than the longest burn-rate alert window (3d): a budget that one alert window can spend is gone before the alert fires`,
      ],
    ])('%j is refused', (props, message) => {
      expect(() => monitoring(props)).toThrow(message);
    });
  });
});

describe('ProductionApp monitoring', () => {
  test('on by default: the main Service is scraped (not the headless one) and Prometheus may reach the port', () => {
    const o = render(new ProductionApp(testApp(), 'api', { name: 'api', image: 'r/api:1.0.0' }));
    const sm = find(o, 'ServiceMonitor', 'api');
    expect(sm.spec.selector.matchLabels).toMatchObject({ 'samokoder.dev/scrape': 'true' });
    expect(find(o, 'Service', 'api').metadata.labels['samokoder.dev/scrape']).toBe('true');
    expect(find(o, 'Service', 'api-headless').metadata.labels['samokoder.dev/scrape']).toBeUndefined();
    expect(find(o, 'NetworkPolicy', 'api-allow-from-prometheus').spec.ingress[0].from[0].namespaceSelector.matchLabels).toEqual({
      'kubernetes.io/metadata.name': 'monitoring',
    });
  });

  test('can be turned off', () => {
    const o = render(new ProductionApp(testApp(), 'api', { name: 'api', image: 'r/api:1.0.0', monitoring: false }));
    expect(all(o, 'ServiceMonitor')).toHaveLength(0);
    expect(all(o, 'PrometheusRule')).toHaveLength(0);
  });
});
