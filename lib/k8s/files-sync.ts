import { Construct } from 'constructs';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PlatformContract } from '../common/contract';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireLabels, requirePrometheusSelector } from '../common/validate';
import { _apiObject, _dnsEgressRule } from '../private/k8s-object';
import { _cronScheduleEvery } from './private/cron';
import { _restrictedContainer, _runbookLinks } from './private/restricted-container';
import { AppFootprint } from './app-namespace';
import { requirePinnedImage } from './image';
import { SecretStore } from './secrets';
import { SyncedSecret } from './synced-secret';
import { _cronJobLateExpr } from './private/cronjob-late';

/** Props for {@link FilesSync}. */
export interface FilesSyncProps {
  /** The cluster's contract: the copy to run (`filesSync`) and the namespace. */
  readonly platform: PlatformContract;
  /** rclone image, pinned. @default 'rclone/rclone:1.71.0' */
  readonly image?: string;
  /** @default SecretStore.cluster('aws-secrets-manager') */
  readonly secretStore?: SecretStore;
  /** Labels the platform's Prometheus selects rules by. @default { release: 'kube-prometheus-stack' } */
  readonly prometheusSelector?: Record<string, string>;
  /** Base URL of the runbooks; the alert links to `<base>/FilesSyncLate`. @default - no link */
  readonly runbookBaseUrl?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

const NAME = 'files-sync';
const POD: AppFootprint = { pods: 1, cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 };
/** Private ranges the copy never needs (Spaces is reached on its public endpoint). */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/**
 * The scheduled copy of uploaded files into this region's bucket (a DR secondary: DigitalOcean Spaces does not
 * replicate across regions): an rclone CronJob with the stack's bucket-scoped key from the store, egress to the
 * Spaces endpoints only, and an alert when the last successful copy is older than twice the interval (the files RPO
 * is then not met). `sync-files.sh` in the failover plan runs the same copy by hand.
 */
export class FilesSync extends Construct {
  /** What the copy adds to its namespace's quota. */
  public readonly footprint: AppFootprint = POD;
  /** The CronJob's schedule. */
  public readonly schedule: string;

  constructor(scope: Construct, id: string, props: FilesSyncProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    requireLabels(path, 'labels', props.labels);
    const sync = props.platform.filesSync;
    if (!sync) {
      throw invalidProp(path, 'platform.filesSync', undefined, 'is not set: this cluster copies no files (only a DR secondary does)');
    }
    const namespace = requireDnsLabel(path, 'platform.namespace', props.platform.namespace);
    const image = requirePinnedImage(path, 'image', props.image ?? 'rclone/rclone:1.71.0');
    const selector = requirePrometheusSelector(
      path,
      'prometheusSelector',
      props.prometheusSelector ?? { release: 'kube-prometheus-stack' },
    );
    const runbook = _runbookLinks(props.runbookBaseUrl, (v) => invalidProp(path, 'runbookBaseUrl', v, 'must be an https:// URL'));
    this.schedule = _cronScheduleEvery(sync.intervalSeconds, (rule) =>
      invalidProp(path, 'platform.filesSync.intervalSeconds', sync.intervalSeconds, rule),
    );
    const labels = {
      ...props.labels,
      'app.kubernetes.io/name': NAME,
      'app.kubernetes.io/component': 'files-sync',
      'app.kubernetes.io/managed-by': 'samokoder-infra',
    };
    const meta = { name: NAME, namespace, labels };
    const keys = new SyncedSecret(this, 'Key', { name: NAME, namespace, store: props.secretStore, extractAll: [sync.entry], labels });
    const remote = (prefix: 'SRC' | 'DST', host: string) => [
      { name: `RCLONE_CONFIG_${prefix}_TYPE`, value: 's3' },
      { name: `RCLONE_CONFIG_${prefix}_PROVIDER`, value: 'DigitalOcean' },
      { name: `RCLONE_CONFIG_${prefix}_ENDPOINT`, value: host },
    ];

    _apiObject<IServiceAccount>(this, 'ServiceAccount', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta,
      automountServiceAccountToken: false,
    });
    _apiObject<ICronJob>(this, 'CronJob', {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta,
      spec: {
        schedule: this.schedule,
        timeZone: 'Etc/UTC',
        // One copy at a time; a copy that could not start within the interval is skipped, the next one catches up.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: Math.min(sync.intervalSeconds, 3600),
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: Math.max(sync.intervalSeconds, 600),
            ttlSecondsAfterFinished: 86400,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'Never',
                serviceAccountName: NAME,
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [
                  {
                    name: 'rclone',
                    image,
                    args: ['sync', '--checksum', '--fast-list', `src:${sync.source.bucket}`, `dst:${sync.target.bucket}`],
                    env: [{ name: 'HOME', value: '/tmp' }, ...remote('SRC', sync.source.host), ...remote('DST', sync.target.host)],
                    envFrom: [{ secretRef: { name: keys.secretName } }],
                    ..._restrictedContainer(POD),
                    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
                  },
                ],
                volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
              },
            },
          },
        },
      },
    });
    const late = 2 * sync.intervalSeconds;
    _apiObject<IPrometheusRule>(this, 'Rules', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { ...meta, labels: { ...labels, ...selector } },
      spec: {
        groups: [
          {
            name: `${namespace}-files-sync`,
            rules: [
              {
                // Late, or never succeeded since the CronJob was created more than two intervals ago.
                alert: 'FilesSyncLate',
                expr: _cronJobLateExpr(namespace, NAME, late),
                for: '10m',
                labels: { severity: 'warning', namespace },
                annotations: {
                  summary: `Uploaded files have not been copied to ${sync.target.bucket} for more than ${late / 60} min: the files RPO is not met`,
                  description: `The CronJob ${NAME} in ${namespace} copies ${sync.source.bucket} into ${sync.target.bucket} every ${sync.intervalSeconds / 60} min (key in store entry ${sync.entry}); see its last Jobs' logs.`,
                  ...runbook('FilesSyncLate'),
                },
              },
            ],
          },
        ],
      },
    });
    _apiObject<INetworkPolicy>(this, 'Egress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { ...meta, name: `${NAME}-egress-only` },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': NAME } },
        // Nothing connects to the copy; it reaches Spaces' public endpoints over HTTPS, nothing private.
        policyTypes: ['Ingress', 'Egress'],
        egress: [_dnsEgressRule(), { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE } }], ports: [{ protocol: 'TCP', port: 443 }] }],
      },
    });
  }
}
