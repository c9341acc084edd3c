import { Construct } from 'constructs';
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { ValidationError } from '../common/errors';
import { _apiObject } from '../private/k8s-object';
import { promqlSyntaxError } from '../observability/promql';
import { ResolvedMonitoring, _round } from '../observability/spec';

/** Props for {@link SliAnalysisTemplate}. */
export interface SliAnalysisTemplateProps {
  readonly name: string;
  readonly namespace: string;
  /** The resolved monitoring spec: metric names and the warning thresholds the analysis enforces. */
  readonly spec: ResolvedMonitoring;
  /** Prometheus the analysis queries. */
  readonly prometheusAddress: string;
  readonly labels?: Record<string, string>;
}

/**
 * An Argo Rollouts AnalysisTemplate over the app's SLIs (error ratio and p95 latency), with the same metric names
 * and thresholds as the golden-signal warnings. It takes the Service to measure as the `service-name` argument (the
 * scrape job is named after the Service), so it can judge the preview before promotion and the active after it.
 * Five measurements a minute apart; one failure aborts the rollout, which rolls back to the stable version.
 */
export class SliAnalysisTemplate extends Construct {
  public readonly templateName: string;

  constructor(scope: Construct, id: string, props: SliAnalysisTemplateProps) {
    super(scope, id);
    const m = props.spec.metrics;
    const job = 'job="{{args.service-name}}"';
    const errorRatio = `(sum(rate(${m.requestsCounter}{${job},${m.statusLabel}=~"${m.errorStatusRegex}"}[2m])) or vector(0)) / clamp_min((sum(rate(${m.requestsCounter}{${job}}[2m])) or vector(0)), 0.001)`;
    const latency = `histogram_quantile(0.95, sum by (le) (rate(${m.requestDurationHistogram}_bucket{${job}}[2m])))`;
    for (const q of [errorRatio, latency]) {
      if (promqlSyntaxError(q) !== undefined)
        throw new ValidationError(`[${this.node.path}] internal: analysis PromQL does not parse: ${q}`);
    }
    const maxErrors = _round(props.spec.errorRatePercent.warning / 100);
    const maxLatency = _round(props.spec.latencyP95Ms.warning / 1000);
    this.templateName = props.name;
    const metric = (name: string, query: string, successCondition: string) => ({
      name,
      interval: '1m',
      count: 5,
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
        metrics: [
          metric('error-ratio', errorRatio, `result[0] <= ${maxErrors}`),
          // No traffic yet gives NaN: not a failure of the new version.
          metric('latency-p95', latency, `isNaN(result[0]) || result[0] <= ${maxLatency}`),
        ],
      },
    });
  }
}
