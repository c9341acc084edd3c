import { Duration } from '../common/duration';
import { invalidProp } from '../common/errors';

/** Estimates of the steps the library cannot measure itself (set them from your DR drills). */
export interface RecoveryEstimates {
  /** Seconds between two uptime checks. @default 60 */
  readonly uptimeCheckIntervalSeconds?: number;
  /** Time from the alert to the decision to fail over (automation or on-call). @default Duration.minutes(2) */
  readonly decision?: Duration;
  /** Promotion of the read-only replica to a primary. @default Duration.minutes(5) */
  readonly replicaPromotion?: Duration;
  /** Repointing the connection secrets and restarting the pods. @default Duration.minutes(2) */
  readonly repoint?: Duration;
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
export function _validateEstimates(path: string, e: RecoveryEstimates): RecoveryEstimates {
  for (const key of ['decision', 'replicaPromotion', 'repoint', 'nodeProvisioning', 'globalFailover'] as const) {
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
}

/** What the configuration can promise, computed from its own settings. */
export interface RecoveryModel {
  /** Until traffic leaves the primary region (the GLB's own failover). */
  readonly trafficFailoverSeconds: number;
  /** Until the service works again in the secondary region, writes included. */
  readonly expectedRtoSeconds: number;
  readonly steps: readonly RecoveryStep[];
  /** Expected data loss bound and how it is reached. */
  readonly expectedRpoSeconds: number;
  readonly rpoStatement: string;
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
}

/**
 * The failover timeline: detection (uptime check interval + alert period), decision, replica promotion, repointing,
 * and node provisioning when the secondary is not warm. Traffic moves earlier, by the GLB, after the regional health
 * checks fail (interval × unhealthy threshold) plus the GLB's reaction.
 * @internal
 */
export function _computeRecovery(i: RecoveryInputs): RecoveryModel {
  const e = i.estimates;
  const lbDetection = i.healthCheckIntervalSeconds * i.unhealthyThreshold;
  const uptimeDetection = (e.uptimeCheckIntervalSeconds ?? 60) + i.uptimeAlertPeriodSeconds;
  const steps: RecoveryStep[] = [
    {
      step: 'detect',
      seconds: Math.max(uptimeDetection, lbDetection),
      basis:
        uptimeDetection >= lbDetection
          ? 'uptime check interval + alert period'
          : 'load balancer health check interval × unhealthy threshold (slower than the uptime alert)',
    },
    { step: 'decide', seconds: (e.decision ?? Duration.minutes(2)).totalSeconds, basis: 'estimate: alert to failover decision' },
    {
      step: 'promote replica',
      seconds: i.hasReplica ? (e.replicaPromotion ?? Duration.minutes(5)).totalSeconds : 0,
      basis: i.hasReplica ? 'estimate: read-only replica promoted to primary' : 'no replica',
    },
    {
      step: 'repoint and restart',
      seconds: (e.repoint ?? Duration.minutes(2)).totalSeconds,
      basis: 'estimate: secrets refreshed, pods restarted',
    },
    {
      step: 'scale secondary',
      seconds: i.secondaryWarm ? 0 : (e.nodeProvisioning ?? Duration.minutes(5)).totalSeconds,
      basis: i.secondaryWarm ? 'warm standby: the secondary pool already has the primary minimum' : 'estimate: new nodes provisioned',
    },
  ];
  const expectedRtoSeconds = steps.reduce((a, s) => a + s.seconds, 0);
  const trafficFailoverSeconds = lbDetection + (e.globalFailover ?? Duration.seconds(30)).totalSeconds;
  const expectedRpoSeconds = i.hasReplica ? 60 : 24 * 3600;
  const rpoStatement = i.hasReplica
    ? 'Asynchronous replication: writes the primary acknowledged but had not yet shipped to the replica are lost on failover. ' +
      'Lag is normally seconds; the model assumes at most 60 s and the replication-lag check in the runbook must confirm it. ' +
      'Replication gives no hard bound: under heavy write load or a degraded link the lag, and so the loss, can grow.'
    : 'No replica: recovery restores the newest daily backup in another region, so up to 24 hours of writes are lost.';
  return { trafficFailoverSeconds, expectedRtoSeconds, steps, expectedRpoSeconds, rpoStatement };
}
