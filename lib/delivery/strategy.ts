import { environmentTier } from '../common/environment';
import { invalidCombination, invalidProp } from '../common/errors';
import { requireDnsLabel, requireIntegerInRange } from '../common/validate';
import { durationSeconds, requireDuration } from '../observability/promql';
import { _analysisSeconds, ANALYSIS_COUNT, ANALYSIS_INTERVAL, SMOKE_TEST_DELAY } from './analysis';
import { ResolvedSmokeTest, resolveSmokeTest, SmokeTestOptions } from './smoke-test';
import { _AllKeys, _checkProps } from '../common/props';

/** Options of a blue-green rollout. */
export interface BlueGreenOptions {
  /**
   * Promote the new version without a human once pre-promotion analysis passes. Off by default; refused in production
   * without analysis.
   * @default false
   */
  readonly autoPromotion?: boolean;
  /** Name of the preview Service (the new version before promotion). @default '<name>-preview' */
  readonly previewService?: string;
  /** Name of the active Service. @default '<name>' (the app's Service) */
  readonly activeService?: string;
  /** Seconds the old version keeps running after promotion, so a failed post-promotion analysis can roll back instantly. @default 300 */
  readonly scaleDownDelaySeconds?: number;
  /** Run the SLI analysis before and after promotion. @default true */
  readonly analysis?: boolean;
  /**
   * Requests sent to the version under test while the analysis measures it (the preview gets no user traffic; an
   * analysis of nothing would pass). `false` leaves the traffic to you: the analysis then fails when none arrives.
   * @default - the app's health path once a second, when the strategy analyses
   */
  readonly smokeTest?: SmokeTestOptions | false;
}

/** One step of a canary rollout. */
export interface CanaryStep {
  /** Share of pods on the new version, percent. */
  readonly weight: number;
  /** Pause after reaching the weight (a duration such as `5m`). */
  readonly pause: string;
}

/** Options of a canary rollout. */
export interface CanaryOptions {
  /** @default 25 % for 5m, 50 % for 5m, 75 % for 5m */
  readonly steps?: CanaryStep[];
  /** Run the SLI analysis in the background for the whole rollout. @default true */
  readonly analysis?: boolean;
  /** Requests sent through the app's Service while the analysis measures. @default - as for blue-green */
  readonly smokeTest?: SmokeTestOptions | false;
}

/**
 * How a new version replaces the old one.
 *
 * Blue-green and canary emit an Argo Rollouts `Rollout` that references the app's Deployment through `workloadRef`
 * (the Deployment is kept, at zero replicas, as the pod template). We chose `workloadRef` over an inline template
 * because scanners (Checkov, kube-linter) and our own schema and policy checks read Deployments but not a Rollout's
 * inline template: the pod spec they check is the one that runs.
 */
export class DeploymentStrategy {
  /** A Kubernetes rolling update with `maxUnavailable: 0` (the default). */
  public static rollingUpdate(): DeploymentStrategy {
    return new DeploymentStrategy('rolling', undefined, undefined);
  }
  /** Blue-green with Argo Rollouts: preview and active Services, analysis before and after promotion. */
  public static blueGreen(options: BlueGreenOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy('blueGreen', options, undefined);
  }
  /** Canary with Argo Rollouts: weighted steps with background analysis. */
  public static canary(options: CanaryOptions = {}): DeploymentStrategy {
    return new DeploymentStrategy('canary', undefined, options);
  }
  private constructor(
    public readonly kind: 'rolling' | 'blueGreen' | 'canary',
    /** @internal */ public readonly _blueGreen: BlueGreenOptions | undefined,
    /** @internal */ public readonly _canary: CanaryOptions | undefined,
  ) {}
}

/** A blue-green strategy with its defaults applied. */
export interface ResolvedBlueGreen {
  readonly active: string;
  readonly preview: string;
  readonly autoPromotion: boolean;
  readonly scaleDownDelaySeconds: number;
  readonly analysis: boolean;
}

/** A canary strategy with its defaults applied. */
export interface ResolvedCanary {
  readonly steps: readonly CanaryStep[];
  readonly analysis: boolean;
}

/** A strategy with its defaults applied and checked (see {@link resolveStrategy}). */
export interface ResolvedStrategy {
  readonly kind: 'rolling' | 'blueGreen' | 'canary';
  readonly blueGreen?: ResolvedBlueGreen;
  readonly canary?: ResolvedCanary;
  /** True when the rollout runs an SLI analysis. */
  readonly analysis: boolean;
  /** The smoke test the analysis runs, if any. */
  readonly smokeTest?: ResolvedSmokeTest;
}

const BLUEGREENOPTIONS_KEYS = [
  'autoPromotion',
  'previewService',
  'activeService',
  'scaleDownDelaySeconds',
  'analysis',
  'smokeTest',
] as const;
const CANARYSTEP_KEYS = ['weight', 'pause'] as const;
const CANARYOPTIONS_KEYS = ['steps', 'analysis', 'smokeTest'] as const;

/**
 * Applies a strategy's defaults for the app `name` and checks them: distinct active and preview Services, no automatic
 * promotion without analysis in production, increasing canary weights with Prometheus-duration pauses.
 */
export function resolveStrategy(path: string, strategy: DeploymentStrategy, app: { name: string; environment: string }): ResolvedStrategy {
  const { name, environment } = app;
  if (strategy._blueGreen) {
    const bg = strategy._blueGreen;
    _checkProps<_AllKeys<BlueGreenOptions, typeof BLUEGREENOPTIONS_KEYS>>(
      path,
      'blue-green options',
      bg,
      BLUEGREENOPTIONS_KEYS,
      [] as const,
      'strategy.',
    );
    const active = requireDnsLabel(path, 'strategy.activeService', bg.activeService ?? name);
    const preview = requireDnsLabel(path, 'strategy.previewService', bg.previewService ?? `${name}-preview`);
    if (active === preview) {
      throw invalidCombination(
        path,
        `'strategy.activeService' and 'strategy.previewService' are both "${active}": the preview must be a separate Service`,
      );
    }
    if (preview === `${name}-headless`) throw invalidProp(path, 'strategy.previewService', preview, 'is the name of the headless Service');
    const analysis = bg.analysis ?? true;
    const autoPromotion = bg.autoPromotion ?? false;
    if (autoPromotion && !analysis && environmentTier(environment) === 'production') {
      throw invalidProp(
        path,
        'strategy.autoPromotion',
        true,
        'is refused in production without analysis: an unmeasured version would be promoted on its own',
      );
    }
    const scaleDownDelaySeconds = requireIntegerInRange(path, 'strategy.scaleDownDelaySeconds', bg.scaleDownDelaySeconds ?? 300, 30, 86400);
    const smokeTest =
      analysis && bg.smokeTest !== false ? resolveSmokeTest(path, 'strategy.smokeTest', bg.smokeTest ?? {}, environment) : undefined;
    return { kind: 'blueGreen', blueGreen: { active, preview, autoPromotion, analysis, scaleDownDelaySeconds }, analysis, smokeTest };
  }
  if (strategy._canary) {
    _checkProps<_AllKeys<CanaryOptions, typeof CANARYOPTIONS_KEYS>>(
      path,
      'canary options',
      strategy._canary,
      CANARYOPTIONS_KEYS,
      [] as const,
      'strategy.',
    );
    const steps = strategy._canary.steps ?? [
      { weight: 25, pause: '5m' },
      { weight: 50, pause: '5m' },
      { weight: 75, pause: '5m' },
    ];
    if (steps.length === 0) {
      throw invalidProp(path, 'strategy.steps', [], 'must list at least one weighted step (or leave it out for 25/50/75 %)');
    }
    steps.forEach((st, i) => {
      _checkProps<_AllKeys<CanaryStep, typeof CANARYSTEP_KEYS>>(
        path,
        'canary step',
        st,
        CANARYSTEP_KEYS,
        ['weight', 'pause'] as const,
        `strategy.steps[${i}].`,
      );
      requireIntegerInRange(path, `strategy.steps[${i}].weight`, st.weight, 1, 100);
      if (i > 0 && st.weight <= steps[i - 1].weight) {
        throw invalidProp(
          path,
          `strategy.steps[${i}].weight`,
          st.weight,
          `must be greater than the previous step's (${steps[i - 1].weight})`,
        );
      }
      requireDuration(path, `strategy.steps[${i}].pause`, st.pause);
    });
    const analysis = strategy._canary.analysis ?? true;
    const smoke = strategy._canary.smokeTest;
    const smokeTest = analysis && smoke !== false ? resolveSmokeTest(path, 'strategy.smokeTest', smoke ?? {}, environment) : undefined;
    // Background analysis stops when the last step ends: pauses shorter than the analysis end the rollout before the
    // analysis has judged, so a bad version is promoted by the clock.
    const pauses = steps.reduce((sum, st) => sum + durationSeconds(st.pause), 0);
    const needed = _analysisSeconds(smokeTest !== undefined);
    if (analysis && pauses < needed) {
      throw invalidProp(
        path,
        'strategy.steps',
        steps.map((st) => `${st.weight}%/${st.pause}`).join(', '),
        `pause ${pauses}s in all, shorter than the analysis (${needed}s: ${ANALYSIS_COUNT} measurements ${ANALYSIS_INTERVAL} apart${smokeTest ? `, after a ${SMOKE_TEST_DELAY} smoke-test delay` : ''}): the canary would finish before the analysis could fail it; lengthen the pauses`,
      );
    }
    return { kind: 'canary', canary: { steps, analysis }, analysis, smokeTest };
  }
  return { kind: 'rolling', analysis: false };
}
