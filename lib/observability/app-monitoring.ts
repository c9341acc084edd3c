import { Construct } from 'constructs';
import type { IAlertmanagerConfig } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1alpha1/AlertmanagerConfig';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { _freeId, requireDnsLabel, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { _keyedByName } from '../private/keyed';
import { _dashboard } from './dashboard';
import { _ruleGroups, RuleGroup } from './rules';
import { AlertRoutingSpec, MonitoringOptions, ResolvedMonitoring } from './spec';
import { _resolveMonitoring } from './resolve-monitoring';
import { requireDuration } from './promql';

/** Props for {@link AppMonitoring}. */
export interface AppMonitoringProps extends MonitoringOptions {
  /** App name: its Service, container and workload carry it; the scrape job is named after the Service. */
  readonly app: string;
  readonly namespace: string;
  /** Labels of the Service to scrape. */
  readonly serviceSelector: Record<string, string>;
  /** Name of the Service port that serves metrics. @default 'http' */
  readonly metricsPort?: string;
  /** Metrics path. @default '/metrics' */
  readonly metricsPath?: string;
  /** @default 'Deployment' */
  readonly workloadKind?: 'Deployment' | 'StatefulSet';
  /** Whether the container has a CPU limit. @default true */
  readonly cpuLimited?: boolean;
  /** Labels for every object. @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * Monitoring for one application, generated from one spec so alerts, recording rules and dashboard agree:
 * a ServiceMonitor, a PrometheusRule (golden signals, SLI recordings, multi-window burn-rate alerts, error budget),
 * an AlertmanagerConfig when routing is given, and a Grafana dashboard ConfigMap.
 */
export class AppMonitoring extends Construct {
  /** The resolved spec (thresholds, SLOs) the objects were generated from. */
  public readonly spec: ResolvedMonitoring;
  /** The rule groups, for inspection. */
  public readonly ruleGroups: RuleGroup[];

  constructor(scope: Construct, id: string, props: AppMonitoringProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const path = this.node.path;
    const app = requireDnsLabel(path, 'app', props.app);
    const namespace = requireDnsLabel(path, 'namespace', props.namespace);
    this.spec = _resolveMonitoring(path, props);
    const target = { app, namespace, workloadKind: props.workloadKind ?? 'Deployment', cpuLimited: props.cpuLimited ?? true } as const;
    this.ruleGroups = _ruleGroups(path, this.spec, target);
    const labels = { ...props.labels, ...this.spec.prometheusSelector };
    const meta = (name: string, extra: Record<string, string> = {}) => ({ name, namespace, labels: { ...labels, ...extra } });

    _apiObject<IServiceMonitor>(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta(app),
      spec: {
        selector: { matchLabels: props.serviceSelector },
        namespaceSelector: { matchNames: [namespace] },
        endpoints: [
          {
            port: props.metricsPort ?? 'http',
            path: props.metricsPath ?? '/metrics',
            interval: this.spec.scrapeInterval,
            scrapeTimeout: this.spec.scrapeTimeout,
            honorLabels: false,
          },
        ],
      },
    });
    _apiObject<IPrometheusRule>(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: meta(app),
      spec: { groups: this.ruleGroups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r })) })) },
    });
    if (this.spec.routing) {
      new AlertRouting(this, 'Routing', { name: app, namespace, routing: this.spec.routing, labels });
    }
    if (this.spec.dashboard) {
      _apiObject<IConfigMap>(this, 'Dashboard', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: meta(`${app}-dashboard`, this.spec.dashboardLabels),
        // Its key differs from app to app: see _keyedByName.
        data: _keyedByName([[`${namespace}-${app}.json`, JSON.stringify(_dashboard(this.spec, target), null, 2)]]),
      });
    }
  }
}

/** Props for {@link AlertRouting}. */
export interface AlertRoutingProps {
  /** Name of the AlertmanagerConfig. */
  readonly name: string;
  readonly namespace: string;
  readonly routing: AlertRoutingSpec;
  /** Labels the Alertmanager selects configs by. @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * An AlertmanagerConfig: critical alerts page on-call through PagerDuty, warnings (and SLO tickets) go to Slack;
 * credentials only by Secret reference; grouped; a warning is inhibited while its critical twin (same alert name)
 * fires. Alertmanager scopes a namespaced config to alerts from its namespace.
 */
export class AlertRouting extends Construct {
  constructor(scope: Construct, id: string, props: AlertRoutingProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    requireDnsLabel(path, 'name', props.name);
    const r = props.routing;
    const repeat = requireDuration(path, 'routing.repeatInterval', r.repeatInterval ?? '4h');
    const slack = {
      name: 'slack',
      slackConfigs: [
        {
          apiURL: { name: r.slack.webhook.name, key: r.slack.webhook.key },
          channel: r.slack.channel,
          sendResolved: true,
          title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})',
          text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}\n{{ end }}{{ end }}',
        },
      ],
    };
    const receivers = r.pagerDuty
      ? [
          slack,
          {
            name: 'pagerduty',
            pagerdutyConfigs: [
              {
                routingKey: { name: r.pagerDuty.name, key: r.pagerDuty.key },
                sendResolved: true,
                severity: 'critical',
                description: '{{ .CommonAnnotations.summary }}',
              },
            ],
          },
        ]
      : [slack];
    _apiObject<IAlertmanagerConfig>(this, 'Config', {
      apiVersion: 'monitoring.coreos.com/v1alpha1',
      kind: 'AlertmanagerConfig',
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        route: {
          receiver: 'slack',
          groupBy: r.groupBy ?? ['alertname', 'namespace', 'app'],
          groupWait: '30s',
          groupInterval: '5m',
          repeatInterval: repeat,
          routes: [
            {
              receiver: r.pagerDuty ? 'pagerduty' : 'slack',
              matchers: [{ name: 'severity', value: 'critical', matchType: '=' }],
              continue: false,
            },
            { receiver: 'slack', matchers: [{ name: 'severity', value: 'warning', matchType: '=' }], continue: false },
          ],
        },
        receivers,
        inhibitRules: [
          {
            sourceMatch: [{ name: 'severity', value: 'critical', matchType: '=' }],
            targetMatch: [{ name: 'severity', value: 'warning', matchType: '=' }],
            equal: ['alertname', 'namespace', 'app'],
          },
        ],
      },
    });
  }
}
