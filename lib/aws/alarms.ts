import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { invalidProp } from '../common/errors';
import { looksLikeSecretValue } from '../common/secret-detection';
import { _createKey } from './private/kms';
import { _freeId, requireEmail } from '../common/validate';

/** Where alarm notifications go. Endpoints that carry a credential are only accepted by reference. */
export class AlarmSubscription {
  /** An e-mail address (confirmed by the recipient). */
  public static email(address: string): AlarmSubscription {
    return new AlarmSubscription('email', address, undefined);
  }
  /**
   * An HTTPS endpoint without credentials in it. Webhook URLs that embed a key (PagerDuty integration URLs, Slack
   * webhooks, `user:password@`, `?token=`) are refused: use {@link AlarmSubscription.httpsFromSecret}.
   */
  public static https(url: string): AlarmSubscription {
    return new AlarmSubscription('https', url, undefined);
  }
  /**
   * An HTTPS endpoint read at apply time from a Secrets Manager secret (its whole `SecretString` is the URL), so the
   * key never appears in the synthesized configuration.
   */
  public static httpsFromSecret(secretArn: string): AlarmSubscription {
    return new AlarmSubscription('https', undefined, secretArn);
  }
  private constructor(
    public readonly protocol: 'email' | 'https',
    /** @internal */
    public readonly _endpoint: string | undefined,
    /** @internal */
    public readonly _secretArn: string | undefined,
  ) {}
}

const SECRET_URL = [
  /events\.pagerduty\.com\/integration\//i,
  /hooks\.slack\.com\/services\//i,
  /[?&](token|key|api[_-]?key|secret|password|sig|signature)=/i,
  /^https?:\/\/[^/\s:@]+:[^/\s@]+@/i,
];

/** Props for {@link SamokoderAlarms}. */
export interface SamokoderAlarmsProps {
  /** Prefix for alarm and topic names. */
  readonly namePrefix: string;
  /** RDS instance identifier to watch. */
  readonly databaseIdentifier?: string;
  /** Free storage below this many GiB raises the alarm. @default 10 */
  readonly databaseFreeStorageGiB?: number;
  /** Connections above this count raise the alarm. @default 400 */
  readonly databaseMaxConnections?: number;
  /** ElastiCache member cluster ids (one alarm set per node). */
  readonly cacheClusterIds?: string[];
  /** EKS cluster name (node health from Container Insights). */
  readonly eksClusterName?: string;
  /** Who is notified. @default - none (subscribe later, e.g. from the on-call tool) */
  readonly subscriptions?: AlarmSubscription[];
}

/**
 * CloudWatch alarms for the data stores and the nodes, all notifying one KMS-encrypted SNS topic (subscribe
 * PagerDuty or Slack to it). Missing data is treated as breaching for health alarms, so a silent source alarms too.
 */
export class SamokoderAlarms extends Construct {
  public readonly topic: SnsTopic;
  public readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: SamokoderAlarmsProps) {
    super(scope, _freeId(scope, id));
    const name = props.namePrefix;
    const key = _createKey(this, 'TopicKey', {
      alias: `${name}-alarms`,
      description: `${name} alarm topic`,
      servicePrincipals: ['cloudwatch.amazonaws.com'],
    });
    this.topic = new SnsTopic(this, 'Topic', { name: `${name}-alarms`, kmsMasterKeyId: key.arn });
    (props.subscriptions ?? []).forEach((sub, i) => {
      const prop = `subscriptions[${i}]`;
      let endpoint: string;
      if (sub._secretArn !== undefined) {
        if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/.test(sub._secretArn)) {
          // A URL here is most likely the endpoint itself, token and all, given in place of its ARN: never repeated.
          throw invalidProp(
            this.node.path,
            prop,
            /:\/\/|@/.test(sub._secretArn) ? '<redacted>' : sub._secretArn,
            'must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
          );
        }
        endpoint = new DataAwsSecretsmanagerSecretVersion(this, `SubscriptionEndpoint${i + 1}`, { secretId: sub._secretArn }).secretString;
      } else {
        endpoint = sub._endpoint ?? '';
        if (sub.protocol === 'email' && looksLikeSecretValue(endpoint)) {
          throw invalidProp(
            this.node.path,
            prop,
            '<redacted>',
            'embeds a credential and would be committed in the synthesized configuration: subscribe an address without one',
          );
        }
        if (sub.protocol === 'email') requireEmail(this.node.path, prop, endpoint);
        if (sub.protocol === 'https') {
          if (SECRET_URL.some((r) => r.test(endpoint)) || looksLikeSecretValue(endpoint)) {
            throw invalidProp(
              this.node.path,
              prop,
              '<redacted>',
              'embeds a credential (integration key, webhook token or password) and would be committed in the synthesized configuration: store the URL in Secrets Manager and use AlarmSubscription.httpsFromSecret(arn)',
            );
          }
          if (!endpoint.startsWith('https://')) throw invalidProp(this.node.path, prop, endpoint, 'must be an https:// URL');
        }
      }
      new SnsTopicSubscription(this, `Subscription${i + 1}`, { topicArn: this.topic.arn, protocol: sub.protocol, endpoint });
    });

    const alarm = (
      alarmId: string,
      metric: { namespace: string; metricName: string; dimensions: Record<string, string>; statistic?: string },
      comparison: 'GreaterThanThreshold' | 'LessThanThreshold',
      threshold: number,
      description: string,
      missing: 'breaching' | 'notBreaching' = 'notBreaching',
    ) => {
      this.alarms.push(
        new CloudwatchMetricAlarm(this, alarmId, {
          alarmName: `${name}-${alarmId.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`,
          alarmDescription: description,
          namespace: metric.namespace,
          metricName: metric.metricName,
          dimensions: metric.dimensions,
          statistic: metric.statistic ?? 'Average',
          period: 300,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          comparisonOperator: comparison,
          threshold,
          treatMissingData: missing,
          alarmActions: [this.topic.arn],
          okActions: [this.topic.arn],
          actionsEnabled: true,
        }),
      );
    };

    if (props.databaseIdentifier) {
      const db = { DBInstanceIdentifier: props.databaseIdentifier };
      alarm(
        'DatabaseCpu',
        { namespace: 'AWS/RDS', metricName: 'CPUUtilization', dimensions: db },
        'GreaterThanThreshold',
        80,
        'RDS CPU above 80 % for 15 minutes',
      );
      const freeGiB = props.databaseFreeStorageGiB ?? 10;
      alarm(
        'DatabaseFreeStorage',
        { namespace: 'AWS/RDS', metricName: 'FreeStorageSpace', dimensions: db, statistic: 'Minimum' },
        'LessThanThreshold',
        freeGiB * 1024 ** 3,
        `RDS free storage below ${freeGiB} GiB`,
        'breaching',
      );
      const maxConn = props.databaseMaxConnections ?? 400;
      alarm(
        'DatabaseConnections',
        { namespace: 'AWS/RDS', metricName: 'DatabaseConnections', dimensions: db, statistic: 'Maximum' },
        'GreaterThanThreshold',
        maxConn,
        `RDS connections above ${maxConn}`,
      );
    }
    (props.cacheClusterIds ?? []).forEach((cacheId, i) => {
      const dims = { CacheClusterId: cacheId };
      const n = i + 1;
      alarm(
        `CacheMemory${n}`,
        { namespace: 'AWS/ElastiCache', metricName: 'DatabaseMemoryUsagePercentage', dimensions: dims },
        'GreaterThanThreshold',
        80,
        `Redis ${cacheId} memory above 80 %`,
      );
      alarm(
        `CacheEvictions${n}`,
        { namespace: 'AWS/ElastiCache', metricName: 'Evictions', dimensions: dims, statistic: 'Sum' },
        'GreaterThanThreshold',
        0,
        `Redis ${cacheId} is evicting keys`,
      );
      alarm(
        `CacheCpu${n}`,
        { namespace: 'AWS/ElastiCache', metricName: 'EngineCPUUtilization', dimensions: dims },
        'GreaterThanThreshold',
        80,
        `Redis ${cacheId} engine CPU above 80 %`,
      );
    });
    if (props.eksClusterName) {
      alarm(
        'NodesFailed',
        {
          namespace: 'ContainerInsights',
          metricName: 'cluster_failed_node_count',
          dimensions: { ClusterName: props.eksClusterName },
          statistic: 'Maximum',
        },
        'GreaterThanThreshold',
        0,
        'EKS nodes failing (Container Insights)',
      );
    }
  }
}
