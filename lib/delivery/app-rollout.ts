import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireLabels } from '../common/validate';
import { _service } from '../k8s/private/service';
import type { AppPort } from '../k8s/workload-options';
import { ResolvedMonitoring } from '../observability/spec';
import { _apiObject } from '../private/k8s-object';
import { kplus } from '../private/kplus';
import { SliAnalysisTemplate, SMOKE_TEST_DELAY } from './analysis';
import { SmokeTest } from './smoke-test';
import { DeploymentStrategy, ResolvedStrategy, resolveStrategy } from './strategy';

/** The Prometheus an analysis queries when none is given: kube-prometheus-stack's in the `monitoring` namespace. */
export const DEFAULT_PROMETHEUS_URL = 'http://kube-prometheus-stack-prometheus.monitoring.svc:9090';

/** Checks the address of the Prometheus an analysis queries. */
export function requirePrometheusUrl(path: string, prop: string, url: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw invalidProp(path, prop, url, 'must be an http(s) URL');
  return url;
}

/** Props for {@link AppRollout}. */
export interface AppRolloutProps {
  /** App name: names the Rollout and its analysis. */
  readonly name: string;
  /** The Deployment the Rollout takes its pod template from (it is kept at zero replicas). */
  readonly deployment: kplus.Deployment;
  /** Blue-green or canary. */
  readonly strategy: DeploymentStrategy;
  /** The environment; production refuses automatic promotion without analysis. @default 'production' */
  readonly environment?: string;
  /** Labels the Rollout and its Services select pods by. */
  readonly selectorLabels: Record<string, string>;
  /** The app's ports (the preview Service exposes the same). */
  readonly ports: AppPort[];
  /** Fixed replica count. @default - none: the autoscaler scales the Rollout */
  readonly replicas?: number;
  /** The autoscaler, pointed at the Rollout instead of the Deployment. @default - none */
  readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The monitoring spec the analysis measures; required when the strategy analyses. @default - no analysis */
  readonly monitoring?: ResolvedMonitoring;
  /** Prometheus the analysis queries. @default DEFAULT_PROMETHEUS_URL */
  readonly prometheusUrl?: string;
  /** @default {} */
  readonly labels?: Record<string, string>;
  /** Extra labels of the preview Service (e.g. the one Prometheus scrapes). @default {} */
  readonly previewServiceLabels?: Record<string, string>;
  /** The path the smoke test requests when the strategy names none. @default '/health' */
  readonly healthPath?: string;
}

/**
 * Progressive delivery with Argo Rollouts: a Rollout that references the app's Deployment (`workloadRef`), a preview
 * Service for blue-green, and an AnalysisTemplate over the app's SLIs, run before and after promotion (blue-green)
 * or in the background (canary). A failed analysis aborts the rollout and traffic stays on the stable version.
 */
export class AppRollout extends Construct {
  public readonly rollout: ApiObject;
  public readonly previewService?: kplus.Service;
  public readonly analysisTemplate?: SliAnalysisTemplate;
  /** The requests sent to the version under test while it is analysed (see {@link SmokeTest}). */
  public readonly smokeTest?: SmokeTest;
  public readonly resolved: ResolvedStrategy;

  constructor(scope: Construct, id: string, props: AppRolloutProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    requireLabels(this.node.path, 'previewServiceLabels', props.previewServiceLabels);
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name);
    const r = resolveStrategy(path, props.strategy, { name, environment: props.environment ?? 'production' });
    this.resolved = r;
    if (r.kind === 'rolling')
      throw invalidProp(path, 'strategy', 'rolling', 'must be blue-green or canary: a rolling update needs no Rollout');
    if (r.analysis && !props.monitoring) {
      throw invalidProp(
        path,
        'monitoring',
        undefined,
        'is required for a rollout with analysis: the analysis reads the SLIs the monitoring spec defines',
      );
    }
    const prometheus = requirePrometheusUrl(path, 'prometheusUrl', props.prometheusUrl ?? DEFAULT_PROMETHEUS_URL);
    const namespace = Chart.of(this).namespace ?? 'default';
    const meta = (n: string, extra: Record<string, string> = {}) => ({ name: n, labels: { ...props.labels, ...extra } });

    // The Deployment stays as the pod template; the Rollout owns the pods.
    ApiObject.of(props.deployment).addJsonPatch(JsonPatch.add('/spec/replicas', 0));
    if (r.analysis && props.monitoring) {
      if (r.smokeTest) {
        this.smokeTest = new SmokeTest(this, 'SmokeTest', {
          name,
          namespace,
          selectorLabels: props.selectorLabels,
          port: props.ports[0].port,
          paths: r.smokeTest.paths ?? [props.healthPath ?? '/health'],
          test: r.smokeTest,
          labels: { ...props.labels },
        });
      }
      this.analysisTemplate = new SliAnalysisTemplate(this, 'Analysis', {
        name: `${name}-slo`,
        namespace,
        spec: props.monitoring,
        prometheusAddress: prometheus,
        labels: { ...props.labels },
        initialDelay: this.smokeTest ? SMOKE_TEST_DELAY : undefined,
      });
    }
    const templateName = this.analysisTemplate?.templateName;
    const templates = [this.smokeTest, this.analysisTemplate].filter((t) => t !== undefined).map((t) => ({ templateName: t.templateName }));
    const analysisOf = (service: string) => (templateName ? { templates, args: [{ name: 'service-name', value: service }] } : undefined);
    const bg = r.blueGreen;
    if (bg) {
      this.previewService = _service(
        this,
        'PreviewService',
        {
          metadata: meta(bg.preview, props.previewServiceLabels),
          type: kplus.ServiceType.CLUSTER_IP,
          ports: props.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: kplus.Protocol.TCP })),
        },
        props.selectorLabels,
      );
    }
    this.rollout = _apiObject<IRollout>(this, 'Rollout', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: meta(name),
      spec: {
        ...(props.autoscaler ? {} : { replicas: props.replicas }),
        revisionHistoryLimit: 5,
        selector: { matchLabels: props.selectorLabels },
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.deployment.name, scaleDown: 'never' },
        strategy: bg
          ? {
              blueGreen: {
                activeService: bg.active,
                previewService: bg.preview,
                autoPromotionEnabled: bg.autoPromotion,
                scaleDownDelaySeconds: bg.scaleDownDelaySeconds,
                abortScaleDownDelaySeconds: 30,
                ...(templateName ? { prePromotionAnalysis: analysisOf(bg.preview), postPromotionAnalysis: analysisOf(bg.active) } : {}),
              },
            }
          : {
              canary: {
                maxUnavailable: 0,
                maxSurge: '25%',
                steps: r.canary!.steps.flatMap((st) => [{ setWeight: st.weight }, { pause: { duration: st.pause } }]),
                ...(templateName ? { analysis: { ...analysisOf(name)!, startingStep: 1 } } : {}),
              },
            },
      },
    });
    if (props.autoscaler) {
      // The Rollout owns the replica count; the HPA scales it, not the template Deployment.
      ApiObject.of(props.autoscaler).addJsonPatch(
        JsonPatch.replace('/spec/scaleTargetRef', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name }),
      );
    }
  }
}
