import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { invalidCombination, invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireIntegerInRange, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { kplus } from '../private/kplus';
import { _AllKeys, _checkProps } from '../common/props';

/** HorizontalPodAutoscaler settings. */
export interface AutoscalingOptions {
  /** @default 3 */
  readonly minReplicas?: number;
  /** @default 20 */
  readonly maxReplicas?: number;
  /** Target average CPU utilization (% of requests). @default 70 */
  readonly cpuUtilization?: number;
  /** Target average memory utilization (% of requests). @default 80 */
  readonly memoryUtilization?: number;
}

/** How many replicas an app runs and how many must stay up; validated by {@link resolveScaling}. */
export interface ScalingOptions {
  /** Autoscaling; `false` turns it off. @default - 3 to 20 replicas at 70 % CPU and 80 % memory */
  readonly autoscaling?: AutoscalingOptions | false;
  /** Fixed replica count; only without autoscaling. @default - 3 when autoscaling is off, none when an HPA owns it */
  readonly replicas?: number;
  /** PodDisruptionBudget minAvailable; must be below the minimum replica count. @default 2 */
  readonly minAvailable?: number;
}

/** {@link ScalingOptions} with defaults applied and checked. */
export interface ResolvedScaling {
  /** The HPA's settings, when autoscaling is on. */
  readonly autoscaling?: { readonly min: number; readonly max: number; readonly cpu: number; readonly memory: number };
  /** The fixed replica count, when autoscaling is off. */
  readonly replicas?: number;
  readonly minAvailable: number;
  /** The fewest replicas that run (HPA minimum or fixed count). */
  readonly floor: number;
  /** The most replicas that run (HPA maximum or fixed count). */
  readonly ceiling: number;
}

const AUTOSCALING_KEYS = ['minReplicas', 'maxReplicas', 'cpuUtilization', 'memoryUtilization'] as const;

/** Applies the defaults of {@link ScalingOptions} and checks them. */
export function resolveScaling(path: string, o: ScalingOptions): ResolvedScaling {
  const a = o.autoscaling === false ? undefined : (o.autoscaling ?? {});
  let autoscaling: ResolvedScaling['autoscaling'];
  if (a) {
    _checkProps<_AllKeys<AutoscalingOptions, typeof AUTOSCALING_KEYS>>(
      path,
      'autoscaling options',
      a,
      AUTOSCALING_KEYS,
      [],
      'autoscaling.',
    );
    const min = requireIntegerInRange(path, 'autoscaling.minReplicas', a.minReplicas ?? 3, 1, 1000);
    const max = requireIntegerInRange(path, 'autoscaling.maxReplicas', a.maxReplicas ?? 20, 1, 1000);
    if (min > max) {
      throw invalidCombination(path, `'autoscaling.minReplicas' (${min}) must not exceed 'autoscaling.maxReplicas' (${max})`);
    }
    if (o.replicas !== undefined) {
      throw invalidProp(
        path,
        'replicas',
        o.replicas,
        'must not be set when autoscaling is on: the HPA owns the replica count (set autoscaling: false for a fixed count)',
      );
    }
    const cpu = requireIntegerInRange(path, 'autoscaling.cpuUtilization', a.cpuUtilization ?? 70, 1, 100);
    const memory = requireIntegerInRange(path, 'autoscaling.memoryUtilization', a.memoryUtilization ?? 80, 1, 100);
    autoscaling = { min, max, cpu, memory };
  }
  const replicas = autoscaling ? undefined : requireIntegerInRange(path, 'replicas', o.replicas ?? 3, 1, 1000);
  const floor = autoscaling?.min ?? replicas!;
  const minAvailable = requireIntegerInRange(path, 'minAvailable', o.minAvailable ?? 2, 0, 1000);
  if (minAvailable >= floor) {
    throw invalidCombination(
      path,
      `'minAvailable' (${minAvailable}) must be less than the minimum replica count (${floor}): otherwise no pod may ever be evicted and node drains block forever`,
    );
  }
  return { autoscaling, replicas, minAvailable, floor, ceiling: autoscaling?.max ?? replicas! };
}

/** Props for {@link AppScaling}. */
export interface AppScalingProps extends ScalingOptions {
  /** Name of the HPA and PDB. */
  readonly name: string;
  /** What the HPA scales. */
  readonly target: kplus.IScalable;
  /** Labels of the pods the disruption budget protects. */
  readonly selectorLabels: Record<string, string>;
  /** @default {} */
  readonly labels?: Record<string, string>;
}

/**
 * Scaling and disruption: a HorizontalPodAutoscaler on CPU and memory with fast scale-up and a 5-minute scale-down
 * stabilization, and a PodDisruptionBudget that evicts unhealthy pods (so a drain is never blocked by pods that are
 * not serving anyway).
 */
export class AppScaling extends Construct {
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  public readonly disruptionBudget: ApiObject;
  public readonly resolved: ResolvedScaling;

  constructor(scope: Construct, id: string, props: AppScalingProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    requireLabels(this.node.path, 'selectorLabels', props.selectorLabels);
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name, 253);
    const r = resolveScaling(path, props);
    this.resolved = r;
    const metadata = () => ({ name, labels: { ...props.labels } });
    if (r.autoscaling) {
      this.autoscaler = new kplus.HorizontalPodAutoscaler(this, 'Autoscaler', {
        metadata: metadata(),
        target: props.target,
        minReplicas: r.autoscaling.min,
        maxReplicas: r.autoscaling.max,
        metrics: [
          kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(r.autoscaling.cpu)),
          kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(r.autoscaling.memory)),
        ],
        scaleUp: {
          stabilizationWindow: Duration.seconds(0),
          policies: [
            { replicas: kplus.Replicas.absolute(4), duration: Duration.minutes(1) },
            { replicas: kplus.Replicas.percent(100), duration: Duration.minutes(1) },
          ],
        },
        scaleDown: {
          stabilizationWindow: Duration.minutes(5),
          policies: [{ replicas: kplus.Replicas.percent(25), duration: Duration.minutes(1) }],
        },
      });
    }
    this.disruptionBudget = _apiObject<IPodDisruptionBudget>(this, 'DisruptionBudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: metadata(),
      spec: { minAvailable: r.minAvailable, selector: { matchLabels: props.selectorLabels }, unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
  }
}
