import { Construct } from 'constructs';
import { requireLabels } from '../common/validate';
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { ValidationError } from '../common/errors';
import { _apiObject } from '../private/k8s-object';
import { durationSeconds, promqlSyntaxError } from '../observability/promql';
import { ResolvedMonitoring, _round } from '../observability/spec';
import { _freeId } from '../common/validate';

/** The time between two measurements of the SLI analysis. */
export const ANALYSIS_INTERVAL = '1m';
/** Measurements the SLI analysis takes; the second failure fails it. */
export const ANALYSIS_COUNT = 5;
/** The wait before the first measurement when a smoke test sends the traffic (it needs time to start). */
export const SMOKE_TEST_DELAY = '1m';

/** How long the SLI analysis runs from its start to its last measurement, in seconds. */
export function _analysisSeconds(smokeTest: boolean): number {
  return (smokeTest ? durationSeconds(SMOKE_TEST_DELAY) : 0) + (ANALYSIS_COUNT - 1) * durationSeconds(ANALYSIS_INTERVAL);
}

/** Props for {@link SliAnalysisTemplate}. */
export interface SliAnalysisTemplateProps {
  readonly name: string;
  readonly namespace: string;
  /** The resolved monitoring spec: metric names and the warning thresholds the analysis enforces. */
  readonly spec: ResolvedMonitoring;
  /** Prometheus the analysis queries. */
  readonly prometheusAddress: string;
  readonly labels?: Record<string, string>;
  /** Wait before the first measurement (a Prometheus duration), e.g. while a smoke test starts. @default - none */
  readonly initialDelay?: string;
}

/**
 * An Argo Rollouts AnalysisTemplate over the app's SLIs (error ratio and p95 latency), with the same metric names
 * and thresholds as the golden-signal warnings. It takes the Service to measure as the `service-name` argument (the
 * scrape job is named after the Service), so it can judge the preview before promotion and the active after it.
 * Five measurements a minute apart; a second failure aborts the rollout, which rolls back to the stable version.
 *
 * No traffic is a failure, not a pass: the `requests` metric needs requests in the window, and the error ratio and
 * latency need a value (an empty result or NaN fails). Only the error count is read as zero when no error series
 * exists yet. Send traffic to a preview with a {@link SmokeTest}.
 */
export class SliAnalysisTemplate extends Construct {
  public readonly templateName: string;

  constructor(scope: Construct, id: string, props: SliAnalysisTemplateProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const m = props.spec.metrics;
    const job = 'job="{{args.service-name}}"';
    const requests = `sum(rate(${m.requestsCounter}{${job}}[2m]))`;
    const errorRatio = `(sum(rate(${m.requestsCounter}{${job},${m.statusLabel}=~"${m.errorStatusRegex}"}[2m])) or vector(0)) / ${requests}`;
    const latency = `histogram_quantile(0.95, sum by (le) (rate(${m.requestDurationHistogram}_bucket{${job}}[2m])))`;
    for (const q of [requests, errorRatio, latency]) {
      if (promqlSyntaxError(q) !== undefined)
        throw new ValidationError(`[${this.node.path}] internal: analysis PromQL does not parse: ${q}`);
    }
    const maxErrors = _round(props.spec.errorRatePercent.warning / 100);
    const maxLatency = _round(props.spec.latencyP95Ms.warning / 1000);
    this.templateName = props.name;
    const metric = (name: string, query: string, successCondition: string) => ({
      name,
      ...(props.initialDelay ? { initialDelay: props.initialDelay } : {}),
      interval: ANALYSIS_INTERVAL,
      count: ANALYSIS_COUNT,
      failureLimit: 1,
      successCondition,
      provider: { prometheus: { address: props.prometheusAddress, query } },
    });
    _apiObject<IAnalysisTemplate>(this, 'Template', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: props.name, namespace: props.namespace, labels: { ...props.labels } },
      spec: {
        args: [{ name: 'service-name' }],
        // An empty result (no requests) and NaN (no requests in the histogram) fail: nothing measured is no pass.
        metrics: [
          metric('requests', requests, 'len(result) > 0 && result[0] > 0'),
          metric('error-ratio', errorRatio, `len(result) > 0 && !isNaN(result[0]) && result[0] <= ${maxErrors}`),
          metric('latency-p95', latency, `len(result) > 0 && !isNaN(result[0]) && result[0] <= ${maxLatency}`),
        ],
      },
    });
  }
}
