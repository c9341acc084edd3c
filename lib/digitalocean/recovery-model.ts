import { Duration } from '../common/duration';
import { invalidProp } from '../common/errors';
import { _AllKeys, _checkProps } from '../common/props';

/** Estimates of the steps the library cannot measure itself (set them from your DR drills). */
export interface RecoveryEstimates {
  /** Seconds between two uptime checks. @default 60 */
  readonly uptimeCheckIntervalSeconds?: number;
  /** Time from the alert to the decision to fail over (automation or on-call). @default Duration.minutes(2) */
  readonly decision?: Duration;
  /** Promotion of the read-only replica to a primary. @default Duration.minutes(5) */
  readonly replicaPromotion?: Duration;
  /** Writing the promoted host into the connection entry until External Secrets has synced it. @default Duration.minutes(1) */
  readonly secretRefresh?: Duration;
  /**
   * Restarting what serves until it is Healthy: Rollouts restart in place (`spec.restartAt`, one pod at a time, no
   * new revision, so no analysis), Deployments roll.
   * @default Duration.minutes(3)
   */
  readonly restart?: Duration;
  /** Provisioning new nodes when the secondary pool must grow. @default Duration.minutes(5) */
  readonly nodeProvisioning?: Duration;
  /** The Global Load Balancer's reaction once a region is unhealthy. @default Duration.seconds(30) */
  readonly globalFailover?: Duration;
}

/**
 * Checks the estimates: every duration positive, the uptime interval a whole number of seconds from 30 to 3600. A
 * zero or negative estimate would make any recovery target look met.
 * @internal
 */
const ESTIMATE_KEYS = [
  'uptimeCheckIntervalSeconds',
  'decision',
  'replicaPromotion',
  'secretRefresh',
  'restart',
  'nodeProvisioning',
  'globalFailover',
] as const;

export function _validateEstimates(path: string, e: RecoveryEstimates): RecoveryEstimates {
  // A misspelled estimate (`promotion`) would leave the default in place and the promise unchanged: refuse it.
  _checkProps<_AllKeys<RecoveryEstimates, typeof ESTIMATE_KEYS>>(path, 'recovery estimates', e, ESTIMATE_KEYS, [], 'recoveryEstimates.');
  for (const key of ['decision', 'replicaPromotion', 'secretRefresh', 'restart', 'nodeProvisioning', 'globalFailover'] as const) {
    const d: unknown = e[key];
    if (d !== undefined && !(d instanceof Duration)) {
      throw invalidProp(path, `recoveryEstimates.${key}`, d, 'must be a Duration (Duration.minutes(5)), not a number or string');
    }
    e[key]?._requirePositive(path, `recoveryEstimates.${key}`);
  }
  const interval = e.uptimeCheckIntervalSeconds;
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= 30 && interval <= 3600)) {
    throw invalidProp(path, 'recoveryEstimates.uptimeCheckIntervalSeconds', interval, 'must be a whole number of seconds from 30 to 3600');
  }
  return e;
}

/** One step of the failover timeline. */
export interface RecoveryStep {
  readonly step: string;
  readonly seconds: number;
  readonly basis: string;
  /**
   * Where the figure comes from: `configuration` (computed from the stack's own settings or the script's fixed
   * checks), `drill` (a `recoveryEstimates` value: your measured timing) or `estimate` (the library's default guess,
   * measured nowhere: replace it with a drill's).
   */
  readonly source: 'configuration' | 'drill' | 'estimate';
  /** How long failover.sh waits for this step before it stops (when it waits at all). */
  readonly scriptLimitSeconds?: number;
}

/** What the configuration can promise, computed from its own settings. */
export interface RecoveryModel {
  /** Until traffic leaves the primary region (the GLB's own failover). */
  readonly trafficFailoverSeconds: number;
  /** Until the service works again in the secondary region, writes included. */
  readonly expectedRtoSeconds: number;
  /** The part of the expected RTO that is the library's default guesses (no drill timing given). */
  readonly estimatedSeconds: number;
  /** The longest failover.sh runs before it gives up waiting (its polls), plus the steps it does not wait for. */
  readonly scriptLimitRtoSeconds: number;
  readonly steps: readonly RecoveryStep[];
  /** Expected data loss bound and how it is reached. */
  readonly expectedRpoSeconds: number;
  readonly rpoStatement: string;
  /** Uploaded files: how stale the secondary's copy can be (Spaces does not replicate across regions). */
  readonly filesRpoSeconds: number;
  readonly filesRpoStatement: string;
}

/** Inputs of {@link computeRecovery}. @internal */
export interface RecoveryInputs {
  readonly healthCheckIntervalSeconds: number;
  readonly unhealthyThreshold: number;
  readonly uptimeAlertPeriodSeconds: number;
  readonly hasReplica: boolean;
  /** The secondary's minimum nodes cover the primary's minimum (warm standby). */
  readonly secondaryWarm: boolean;
  readonly estimates: RecoveryEstimates;
  /** Seconds the failover script spends confirming the outage (its three checks). */
  readonly confirmSeconds: number;
  /** How often the files are copied to the secondary region. */
  readonly filesSyncIntervalSeconds: number;
  /** How long failover.sh waits at most for the promotion, the Secrets and the restarts. */
  readonly scriptLimits?: { readonly promotion: number; readonly secretRefresh: number; readonly restart: number };
}

/**
 * The failover timeline: detection (uptime check interval + alert period; the secondary's probe pages as fast),
 * decision, replica promotion, repointing, and node provisioning when the secondary is not warm. Traffic moves earlier, by the GLB, after the regional health
 * checks fail (interval × unhealthy threshold) plus the GLB's reaction.
 * @internal
 */
export function _computeRecovery(i: RecoveryInputs): RecoveryModel {
  const e = i.estimates;
  const lbDetection = i.healthCheckIntervalSeconds * i.unhealthyThreshold;
  const uptimeDetection = (e.uptimeCheckIntervalSeconds ?? 60) + i.uptimeAlertPeriodSeconds;
  const guess = (given: Duration | undefined, fallback: Duration) =>
    given ? { seconds: given.totalSeconds, source: 'drill' as const } : { seconds: fallback.totalSeconds, source: 'estimate' as const };
  const limits = i.scriptLimits;
  const steps: RecoveryStep[] = [
    {
      step: 'detect',
      seconds: Math.max(uptimeDetection, lbDetection),
      source: 'configuration',
      basis:
        uptimeDetection >= lbDetection
          ? "uptime check interval + alert period (e-mail); the secondary's PrimaryProbe pages within 30 s + 2 min + 30 s (probe interval, alert for, Alertmanager group wait)"
          : 'load balancer health check interval × unhealthy threshold (slower than the uptime alert)',
    },
    { step: 'decide', ...guess(e.decision, Duration.minutes(2)), basis: 'alert to failover decision' },
    i.hasReplica
      ? {
          step: 'promote replica',
          ...guess(e.replicaPromotion, Duration.minutes(5)),
          basis: 'read-only replica promoted to primary',
          scriptLimitSeconds: limits?.promotion,
        }
      : { step: 'promote replica', seconds: 0, source: 'configuration', basis: 'no replica' },
    {
      step: 'confirm outage',
      seconds: i.confirmSeconds,
      source: 'configuration',
      basis: 'failover.sh: three health checks, 5 s timeout and 10 s apart',
    },
    {
      step: 'refresh secrets',
      ...guess(e.secretRefresh, Duration.minutes(1)),
      basis: 'connection entry rewritten, External Secrets forced to sync, Secret checked',
      scriptLimitSeconds: limits?.secretRefresh,
    },
    {
      step: 'restart apps',
      ...guess(e.restart, Duration.minutes(3)),
      basis: 'Rollouts restarted in place (no new revision, no analysis) and Deployments rolled until Healthy',
      scriptLimitSeconds: limits?.restart,
    },
    i.secondaryWarm
      ? {
          step: 'scale secondary',
          seconds: 0,
          source: 'configuration',
          basis: 'warm standby: the secondary pool already has the primary minimum',
        }
      : { step: 'scale secondary', ...guess(e.nodeProvisioning, Duration.minutes(5)), basis: 'new nodes provisioned' },
  ];
  const expectedRtoSeconds = steps.reduce((a, s) => a + s.seconds, 0);
  const estimatedSeconds = steps.filter((s) => s.source === 'estimate').reduce((a, s) => a + s.seconds, 0);
  const scriptLimitRtoSeconds = steps.reduce((a, s) => a + Math.max(s.seconds, s.scriptLimitSeconds ?? 0), 0);
  const trafficFailoverSeconds = lbDetection + (e.globalFailover ?? Duration.seconds(30)).totalSeconds;
  const expectedRpoSeconds = i.hasReplica ? 60 : 24 * 3600;
  const rpoStatement = i.hasReplica
    ? 'Asynchronous replication: writes the primary acknowledged but had not yet shipped to the replica are lost on failover. ' +
      'Lag is normally seconds; the model assumes at most 60 s, and the lag monitor measures it with a heartbeat written on the primary and read on the replica: an alert fires when the newest one replayed is older than the RPO target, failover.sh reports it and failback.sh waits for it. ' +
      'Replication gives no hard bound: under heavy write load or a degraded link the lag, and so the loss, can grow.'
    : 'No replica: recovery restores the newest daily backup in another region, so up to 24 hours of writes are lost.';
  const filesRpoSeconds = i.filesSyncIntervalSeconds;
  const filesRpoStatement =
    `DigitalOcean Spaces does not replicate across regions: sync-files.sh copies the primary's bucket to the secondary's, so files ` +
    `uploaded in the last ${Math.round(filesRpoSeconds / 60)} min (its schedule) may be missing after a failover. This RPO is separate from the database's.`;
  return {
    trafficFailoverSeconds,
    expectedRtoSeconds,
    estimatedSeconds,
    scriptLimitRtoSeconds,
    steps,
    expectedRpoSeconds,
    rpoStatement,
    filesRpoSeconds,
    filesRpoStatement,
  };
}
