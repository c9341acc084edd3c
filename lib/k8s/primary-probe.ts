import { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PlatformContract } from '../common/contract';
import { invalidProp } from '../common/errors';
import { PRIMARY_PROBE } from '../common/replication';
import { _freeId, requireDnsLabel, requireLabels, requirePrometheusSelector } from '../common/validate';
import { _apiObject, _scrapedPartPolicies } from '../private/k8s-object';
import { _restrictedContainer, _runbookLinks } from './private/restricted-container';
import { AppFootprint } from './app-namespace';
import { requirePinnedImage } from './image';

/** Props for {@link PrimaryProbe}. */
export interface PrimaryProbeProps {
  /** The cluster's contract: the entry to probe (`primaryProbe`) and the namespace. */
  readonly platform: PlatformContract;
  /** blackbox_exporter image, pinned. @default 'quay.io/prometheus/blackbox-exporter:v0.28.0' */
  readonly image?: string;
  /** Labels the platform's Prometheus selects monitors and rules by. @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelector?: Record<string, string>;
  /** @default 'monitoring' */
  readonly prometheusNamespace?: string;
  /** Base URL of the runbooks; each alert links to `<base>/<alertname>`. @default - no links */
  readonly runbookBaseUrl?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

/** The blackbox_exporter module the probe uses. */
const MODULE = 'https_2xx';
const PORT = 9115;
const POD: AppFootprint = { pods: 1, cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMiB: 32, memoryLimitMiB: 64 };
/** Private ranges the probe never needs (the primary's entry is its regional load balancer's public address). */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** Seconds between probes, and how long the primary must fail them before the on-call is paged. */
const INTERVAL = '30s';
const FOR = '2m';

/**
 * Pages the on-call when the DR pair's primary region stops answering (DR secondary). DigitalOcean's uptime alerts
 * only notify by e-mail or Slack (provider 2.71.0 `digitalocean_uptime_alert`: `notifications { email, slack }`), so
 * the secondary cluster probes the primary's own entry (`https://<primary region>.<host><health path>`, what the
 * uptime check requests) with blackbox_exporter every 30 s, and `PrimaryRegionDown` (critical) fires after 2 min of
 * failures: the namespace's alert routing (`AlertRouting`: critical → PagerDuty) pages. `PrimaryProbeMissing` warns
 * when nothing probes, so a broken page path is seen before it is needed.
 */
export class PrimaryProbe extends Construct {
  /** What the probe adds to its namespace's quota. */
  public readonly footprint: AppFootprint = POD;
  /** The URL probed. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PrimaryProbeProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    requireLabels(path, 'labels', props.labels);
    const target = props.platform.primaryProbe;
    if (!target) {
      throw invalidProp(path, 'platform.primaryProbe', undefined, 'is not set: this cluster probes no primary (only a DR secondary does)');
    }
    const namespace = requireDnsLabel(path, 'platform.namespace', props.platform.namespace);
    const prometheusNamespace = requireDnsLabel(path, 'prometheusNamespace', props.prometheusNamespace ?? 'monitoring');
    const image = requirePinnedImage(path, 'image', props.image ?? 'quay.io/prometheus/blackbox-exporter:v0.28.0');
    const runbook = _runbookLinks(props.runbookBaseUrl, (v) => invalidProp(path, 'runbookBaseUrl', v, 'must be an https:// URL'));
    const url = (this.url = `https://${target.host}${target.path}`);
    const name = PRIMARY_PROBE;
    const selector = { 'app.kubernetes.io/name': name };
    const labels = {
      ...props.labels,
      ...selector,
      'app.kubernetes.io/component': 'monitoring',
      'app.kubernetes.io/managed-by': 'samokoder-infra',
    };
    const promLabels = {
      ...labels,
      ...requirePrometheusSelector(path, 'prometheusSelector', props.prometheusSelector ?? { release: 'kube-prometheus-stack' }),
    };
    const meta = { name, namespace, labels };

    // blackbox_exporter's configuration (CONFIGURATION.md at v0.28.0): an HTTP probe that succeeds on a 2xx over TLS
    // (the certificate is verified), IPv4 (the regional load balancer's A record), no redirects followed.
    const config = [
      'modules:',
      `  ${MODULE}:`,
      '    prober: http',
      '    timeout: 5s',
      '    http:',
      '      preferred_ip_protocol: ip4',
      '      fail_if_not_ssl: true',
      '      follow_redirects: false',
      '',
    ].join('\n');
    _apiObject<IServiceAccount>(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      automountServiceAccountToken: false,
    });
    _apiObject<IConfigMap>(this, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta, data: { 'blackbox.yml': config } });
    _apiObject<IDeployment>(this, 'Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta,
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'blackbox-exporter',
                image,
                args: ['--config.file=/etc/blackbox/blackbox.yml', `--web.listen-address=:${PORT}`],
                ports: [{ name: 'metrics', containerPort: PORT, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/-/healthy', port: 'metrics' }, periodSeconds: 30, timeoutSeconds: 5 },
                livenessProbe: {
                  httpGet: { path: '/-/healthy', port: 'metrics' },
                  periodSeconds: 30,
                  timeoutSeconds: 5,
                  failureThreshold: 5,
                },
                ..._restrictedContainer(POD),
                volumeMounts: [{ name: 'config', mountPath: '/etc/blackbox', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name } }],
          },
        },
      },
    });
    _apiObject<IService>(this, 'Service', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...meta, labels: promLabels },
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'metrics', port: PORT, targetPort: 'metrics', protocol: 'TCP' }] },
    });
    // Prometheus asks the exporter to probe: /probe?module=…&target=<url> (the exporter's multi-target pattern).
    _apiObject<IServiceMonitor>(this, 'ServiceMonitor', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { ...meta, labels: promLabels },
      spec: {
        selector: { matchLabels: selector },
        endpoints: [
          { port: 'metrics', path: '/probe', params: { module: [MODULE], target: [url] }, interval: INTERVAL, scrapeTimeout: '10s' },
        ],
      },
    });
    const series = `probe_success{namespace="${namespace}",job="${name}"}`;
    _apiObject<IPrometheusRule>(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { ...meta, labels: promLabels },
      spec: {
        groups: [
          {
            name: `${namespace}-primary-probe`,
            rules: [
              {
                alert: 'PrimaryRegionDown',
                expr: `max(${series}) == 0`,
                for: FOR,
                labels: { severity: 'critical', namespace },
                annotations: {
                  ...runbook('PrimaryRegionDown'),
                  summary: `The primary region ${target.region} does not answer ${url}: decide on a failover (runbook.md, failover.sh)`,
                  description: `${name} in ${namespace} has probed ${url} every ${INTERVAL} and failed for ${FOR}; the Global Load Balancer moves traffic by itself, the database does not: run failover.sh (dry run first).`,
                },
              },
              {
                alert: 'PrimaryProbeMissing',
                expr: `absent(${series})`,
                for: '10m',
                labels: { severity: 'warning', namespace },
                annotations: {
                  ...runbook('PrimaryProbeMissing'),
                  summary: `Nothing probes the primary region ${target.region}: an outage there would page nobody`,
                  description: `Prometheus has no ${series}: check the ${name} Deployment and ServiceMonitor in ${namespace}.`,
                },
              },
            ],
          },
        ],
      },
    });
    _scrapedPartPolicies(this, {
      metadata: meta,
      name,
      selector,
      prometheusNamespace,
      metricsPort: PORT,
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
  }
}
