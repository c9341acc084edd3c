import { Construct } from 'constructs';
import type { IAnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { environmentTier } from '../common/environment';
import { invalidProp } from '../common/errors';
import { _freeId, requireIntegerInRange, requireLabels, requireUrlPath } from '../common/validate';
import { requirePinnedImage } from '../k8s/image';
import { _apiObject, _dnsEgressRule } from '../private/k8s-object';
import { _AllKeys, _checkProps } from '../common/props';

/** Options of the smoke test an analysis runs against the version under test. */
export interface SmokeTestOptions {
  /**
   * Paths requested on the Service under test, each once a second: endpoints that exercise the app (what its SLIs
   * measure), answered without credentials. Required in production. @default - the app's health path (outside production)
   */
  readonly paths?: string[];
  /**
   * How long the requests run, in seconds: at least as long as the analysis measures (it starts after a minute and
   * measures five times a minute apart, over two-minute windows).
   * @default 330
   */
  readonly durationSeconds?: number;
  /** An image with `sh` and `curl`, pinned. @default DEFAULT_SMOKE_TEST_IMAGE */
  readonly image?: string;
}

/** The smoke test's image when none is given: curl's official image (non-root, uid 100). */
export const DEFAULT_SMOKE_TEST_IMAGE = 'curlimages/curl:8.17.0';

/** A smoke test with its defaults applied. */
export interface ResolvedSmokeTest {
  readonly paths?: readonly string[];
  readonly durationSeconds: number;
  readonly image: string;
}

/** Applies the defaults of a smoke test and checks it (paths, duration, pinned image). */
const SMOKETESTOPTIONS_KEYS = ['paths', 'durationSeconds', 'image'] as const;

export function resolveSmokeTest(path: string, prop: string, o: SmokeTestOptions, environment = 'production'): ResolvedSmokeTest {
  _checkProps<_AllKeys<SmokeTestOptions, typeof SMOKETESTOPTIONS_KEYS>>(
    path,
    'smoke test options',
    o,
    SMOKETESTOPTIONS_KEYS,
    [] as const,
    `${prop}.`,
  );
  if (o.paths !== undefined && o.paths.length === 0) {
    throw invalidProp(path, `${prop}.paths`, [], 'must list at least one path (or leave it out for the health path)');
  }
  const resolved = {
    paths: o.paths?.map((p, i) => requireUrlPath(path, `${prop}.paths[${i}]`, p)),
    durationSeconds: requireIntegerInRange(path, `${prop}.durationSeconds`, o.durationSeconds ?? 330, 60, 3600),
    image: requirePinnedImage(path, `${prop}.image`, o.image ?? DEFAULT_SMOKE_TEST_IMAGE),
  };
  // The health path alone judges nothing: an app that leaves health checks out of its request metrics gives the
  // analysis no traffic (NaN: every release aborts), one that counts them measures a path that touches nothing.
  if (o.paths === undefined && environmentTier(environment) === 'production') {
    throw invalidProp(
      path,
      `${prop}.paths`,
      undefined,
      "must name the endpoints a production release is judged on: by default the smoke test requests only the health path, so the analysis measures no traffic (every release aborts) or a path that touches nothing. List paths that exercise the app, answered without credentials (e.g. ['/api/status']), or set smokeTest: false and bring your own traffic",
    );
  }
  return resolved;
}

/** Props for {@link SmokeTest}. */
export interface SmokeTestProps {
  /** The app under test: names the template (`<name>-smoke`) and selects its pods (`selectorLabels`). */
  readonly name: string;
  readonly namespace: string;
  /** Labels of the app's pods, which the smoke test may reach. */
  readonly selectorLabels: Record<string, string>;
  /** The port of the Service under test. */
  readonly port: number;
  /** Paths requested, each once a second. */
  readonly paths: readonly string[];
  readonly test: ResolvedSmokeTest;
  readonly labels?: Record<string, string>;
}

/**
 * Real requests to the version under test, so that its analysis measures something: an Argo Rollouts
 * AnalysisTemplate whose `smoke` metric is a Job that requests each path of the Service named by the `service-name`
 * argument once a second for `durationSeconds` and fails on any error (curl `--fail`, 5 s timeout). A preview
 * Service gets no user traffic: without this, an analysis of the preview has nothing to judge.
 *
 * With it come the network policies it needs in a default-deny namespace: the Job's pods reach DNS and the app's
 * pods on the port, and the app's pods accept them. The Job runs under Pod Security "restricted" and counts against
 * the namespace quota (one pod).
 */
export class SmokeTest extends Construct {
  public readonly templateName: string;
  /** Labels of the smoke test's pods. */
  public readonly podLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: SmokeTestProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const { name, namespace, port, test } = props;
    this.templateName = `${name}-smoke`;
    // Its own name and instance: the app's egress policies select `instance: <name>`, which must not open the app's
    // dependencies (the database) to the smoke test.
    this.podLabels = {
      'app.kubernetes.io/name': `${name}-smoke`,
      'app.kubernetes.io/instance': `${name}-smoke`,
      'app.kubernetes.io/component': 'smoke-test',
    };
    const labels = { ...props.labels };
    // busybox sh in the curl image: count requests and failures, fail when any failed or none was sent.
    const script = [
      'end=$(( $(date +%s) + DURATION_SECONDS ))',
      'sent=0',
      'failed=0',
      'while [ "$(date +%s)" -lt "$end" ]; do',
      '  for p in $SMOKE_PATHS; do',
      '    sent=$((sent + 1))',
      '    curl -fsS -o /dev/null --max-time 5 "$BASE_URL$p" || failed=$((failed + 1))',
      '  done',
      '  sleep 1',
      'done',
      'echo "smoke test: $sent requests to $BASE_URL ($SMOKE_PATHS), $failed failed"',
      '[ "$sent" -gt 0 ] && [ "$failed" -eq 0 ]',
    ]
      .join('\n')
      .replace('DURATION_SECONDS', String(test.durationSeconds));
    _apiObject<IAnalysisTemplate>(this, 'Template', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: this.templateName, namespace, labels },
      spec: {
        args: [{ name: 'service-name' }],
        metrics: [
          {
            name: 'smoke',
            provider: {
              job: {
                metadata: { labels: { ...labels, ...this.podLabels } },
                spec: {
                  backoffLimit: 0,
                  activeDeadlineSeconds: test.durationSeconds + 120,
                  template: {
                    metadata: { labels: { ...labels, ...this.podLabels } },
                    spec: {
                      restartPolicy: 'Never',
                      automountServiceAccountToken: false,
                      securityContext: {
                        runAsNonRoot: true,
                        runAsUser: 100,
                        runAsGroup: 101,
                        seccompProfile: { type: 'RuntimeDefault' },
                      },
                      containers: [
                        {
                          name: 'smoke',
                          image: test.image,
                          imagePullPolicy: 'IfNotPresent',
                          command: ['sh', '-c', script],
                          env: [
                            { name: 'BASE_URL', value: `http://{{args.service-name}}.${namespace}.svc:${port}` },
                            { name: 'SMOKE_PATHS', value: props.paths.join(' ') },
                          ],
                          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
                          securityContext: {
                            allowPrivilegeEscalation: false,
                            privileged: false,
                            readOnlyRootFilesystem: true,
                            runAsNonRoot: true,
                            capabilities: { drop: ['ALL'] },
                            seccompProfile: { type: 'RuntimeDefault' },
                          },
                        },
                      ],
                    },
                  },
                },
              },
            },
          },
        ],
      },
    });
    const policy = (policyId: string, policyName: string, spec: NonNullable<INetworkPolicy['spec']>) =>
      _apiObject<INetworkPolicy>(this, policyId, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: policyName, namespace, labels },
        spec,
      });
    policy('Egress', `${name}-smoke-egress`, {
      podSelector: { matchLabels: this.podLabels },
      policyTypes: ['Egress'],
      egress: [_dnsEgressRule(), { to: [{ podSelector: { matchLabels: props.selectorLabels } }], ports: [{ protocol: 'TCP', port }] }],
    });
    policy('Ingress', `${name}-allow-from-smoke`, {
      podSelector: { matchLabels: props.selectorLabels },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: this.podLabels } }], ports: [{ protocol: 'TCP', port }] }],
    });
  }
}
