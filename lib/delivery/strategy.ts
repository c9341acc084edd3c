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
