import { ApiObject, Duration, JsonPatch, Size } from 'cdk8s';
import { Construct } from 'constructs';
import type { IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { _freeId, requireDnsLabel, requireLabels } from '../common/validate';
import { _afterRender, _ARGOCD_KEEP } from '../private/k8s-object';
import { kplus } from '../private/kplus';
import { _service } from './private/service';
import { canonicalResources, memoryQuantity } from './quantity';
import { _TMP_MOUNT_PATH, resolveWorkload, ResolvedWorkload, WorkloadKind, WorkloadOptions } from './workload-options';

/** Props for {@link AppWorkload}. */
export interface AppWorkloadProps extends WorkloadOptions {
  /** App name: names the workload, its Services and its container. */
  readonly name: string;
  /** The pods' ServiceAccount. */
  readonly serviceAccount: kplus.IServiceAccount;
  /** Mount the ServiceAccount token (only for apps that call the Kubernetes API). @default false */
  readonly mountServiceAccountToken?: boolean;
  /** Fixed replica count. @default - none: an autoscaler owns it */
  readonly replicas?: number;
  /** The most pods there can be (for the storage access-mode check). @default - `replicas`, else 1 */
  readonly maxReplicas?: number;
  /** Container command. @default - the image's entrypoint */
  readonly command?: string[];
  /** Container arguments. @default - the image's */
  readonly args?: string[];
  /** Environment sources (see {@link AppConfig.envFrom}). @default [] */
  readonly envFrom?: kplus.EnvFrom[];
  /** Pod template annotations (config hashes). @default {} */
  readonly podAnnotations?: Record<string, string>;
  /** Labels of every object and pod. @default - the selector labels */
  readonly labels?: Record<string, string>;
  /** Labels the Services and the workload select pods by. @default app.kubernetes.io/name and /instance = name */
  readonly selectorLabels?: Record<string, string>;
  /** Extra labels of the main Service (e.g. the one Prometheus scrapes). @default {} */
  readonly serviceLabels?: Record<string, string>;
  /**
   * Spread the pods over zones, hard (`topology.kubernetes.io/zone`, DoNotSchedule). Off on a cluster whose nodes
   * carry no zone label, where a hard zone spread leaves every pod Pending: DOKS nodes have none (DigitalOcean's
   * cloud-controller-manager reports a region, never a zone). The node spread (soft) stays either way.
   * @default true
   */
  readonly zoneSpread?: boolean;
}

/**
 * The pods of an app and the Services in front of them: a hardened Deployment (or StatefulSet) — non-root UID/GID,
 * no privilege escalation, read-only root filesystem with an `emptyDir` at `/tmp`, all capabilities dropped,
 * `RuntimeDefault` seccomp, readiness/startup probes on the health path and a TCP liveness check, zone spread (hard)
 * and node spread (soft), a preStop sleep within the grace period, a rolling update with `maxUnavailable: 0` — plus a
 * ClusterIP Service and a headless Service, and storage when asked.
 */
export class AppWorkload extends Construct {
  public readonly workload: kplus.Deployment | kplus.StatefulSet;
  /** The ClusterIP Service `<name>`. */
  public readonly service: kplus.Service;
  /** The headless Service `<name>-headless`. */
  public readonly headlessService: kplus.Service;
  /** The resolved options (ports, resources, security). */
  public readonly resolved: ResolvedWorkload;
  /** Labels the Services and workload select pods by. */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: AppWorkloadProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    requireLabels(this.node.path, 'selectorLabels', props.selectorLabels);
    requireLabels(this.node.path, 'serviceLabels', props.serviceLabels);
    const path = this.node.path;
    const name = requireDnsLabel(path, 'name', props.name, 52);
    const r = resolveWorkload(path, props, props.maxReplicas ?? props.replicas ?? 1);
    this.resolved = r;
    this.selectorLabels = props.selectorLabels ?? { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': name };
    const labels = props.labels ?? this.selectorLabels;
    const meta = (n: string, extra: Record<string, string> = {}) => ({ name: n, labels: { ...labels, ...extra } });
    const servicePorts = r.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port }));

    const tmp = kplus.Volume.fromEmptyDir(this, 'TmpVolume', 'tmp', { sizeLimit: Size.mebibytes(256) });
    const volumeMounts: kplus.VolumeMount[] = [{ path: _TMP_MOUNT_PATH, volume: tmp }];
    if (r.storage && r.kind === WorkloadKind.DEPLOYMENT) {
      const pvc = new kplus.PersistentVolumeClaim(this, 'Storage', {
        // Its volume's data goes with the claim: Argo CD never prunes it, nor deletes it with its Application.
        metadata: { ...meta(`${name}-data`), annotations: { [_ARGOCD_KEEP[0]]: _ARGOCD_KEEP[1] } },
        storage: Size.gibibytes(r.storage.sizeGiB),
        storageClassName: r.storage.storageClass,
        accessModes: [
          r.storage.accessMode === 'ReadWriteMany'
            ? kplus.PersistentVolumeAccessMode.READ_WRITE_MANY
            : kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE,
        ],
      });
      volumeMounts.push({
        path: r.storage.mountPath,
        volume: kplus.Volume.fromPersistentVolumeClaim(this, 'DataVolume', pvc, { name: 'data' }),
      });
    }
    const probe = { port: r.ports[0].port, timeoutSeconds: Duration.seconds(2) };
    const podProps = {
      metadata: meta(name),
      podMetadata: { labels, annotations: { ...props.podAnnotations } },
      serviceAccount: props.serviceAccount,
      automountServiceAccountToken: props.mountServiceAccountToken ?? false,
      securityContext: {
        ensureNonRoot: true,
        user: r.uid,
        group: r.uid,
        fsGroup: r.uid,
        fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
      },
      terminationGracePeriod: Duration.seconds(r.gracePeriodSeconds),
      containers: [
        {
          name,
          image: r.image,
          imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
          ports: r.ports.map((p) => ({ number: p.port, name: p.name, protocol: kplus.Protocol.TCP })),
          command: props.command,
          args: props.args,
          envFrom: props.envFrom ?? [],
          volumeMounts,
          resources: {
            cpu: {
              request: kplus.Cpu.millis(r.cpuRequestMillis),
              ...(r.cpuLimitMillis !== undefined ? { limit: kplus.Cpu.millis(r.cpuLimitMillis) } : {}),
            },
            memory: { request: Size.mebibytes(r.memoryRequestMiB), limit: Size.mebibytes(r.memoryLimitMiB) },
          },
          securityContext: {
            ensureNonRoot: true,
            user: r.uid,
            group: r.uid,
            privileged: false,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: [kplus.Capability.ALL] },
            seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
          },
          readiness: kplus.Probe.fromHttpGet(r.healthPath, { ...probe, periodSeconds: Duration.seconds(10), failureThreshold: 3 }),
          liveness:
            r.livenessPath !== undefined
              ? kplus.Probe.fromHttpGet(r.livenessPath, { ...probe, periodSeconds: Duration.seconds(20), failureThreshold: 3 })
              : kplus.Probe.fromTcpSocket({ ...probe, periodSeconds: Duration.seconds(20), failureThreshold: 3 }),
          startup: kplus.Probe.fromHttpGet(r.healthPath, { ...probe, periodSeconds: Duration.seconds(5), failureThreshold: 30 }),
        },
      ],
      volumes: [tmp],
      select: false,
      spread: false,
      isolate: false,
    };

    const selector = kplus.LabelSelector.of({ labels: this.selectorLabels });
    let claimTemplate: { mountPath: string; template: Omit<IPersistentVolumeClaim, 'apiVersion' | 'kind'> } | undefined;
    if (r.kind === WorkloadKind.STATEFUL_SET) {
      this.headlessService = _service(
        this,
        'HeadlessService',
        { metadata: meta(`${name}-headless`), clusterIP: 'None', publishNotReadyAddresses: true, ports: servicePorts },
        this.selectorLabels,
      );
      const sts = new kplus.StatefulSet(this, 'Workload', {
        ...podProps,
        service: this.headlessService,
        replicas: props.replicas,
        podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
        strategy: kplus.StatefulSetUpdateStrategy.rollingUpdate(),
      });
      sts.select(selector);
      this.workload = sts;
      if (r.storage) {
        claimTemplate = {
          mountPath: r.storage.mountPath,
          template: {
            metadata: { name: 'data', labels },
            spec: {
              accessModes: [r.storage.accessMode],
              storageClassName: r.storage.storageClass,
              resources: { requests: { storage: memoryQuantity(r.storage.sizeGiB * 1024) } },
            },
          },
        };
      }
    } else {
      const deployment = new kplus.Deployment(this, 'Workload', {
        ...podProps,
        replicas: props.replicas,
        strategy: kplus.DeploymentStrategy.rollingUpdate({
          maxSurge: kplus.PercentOrAbsolute.percent(25),
          maxUnavailable: kplus.PercentOrAbsolute.absolute(0),
        }),
        progressDeadline: Duration.minutes(10),
        minReady: Duration.seconds(10),
      });
      deployment.select(selector);
      this.workload = deployment;
      // The headless Service (stable per-pod DNS for peers and for Prometheus service discovery).
      this.headlessService = _service(
        this,
        'HeadlessService',
        { metadata: meta(`${name}-headless`), clusterIP: 'None', ports: servicePorts },
        this.selectorLabels,
      );
    }
    // Fields cdk8s-plus-28 does not model: pod-level seccomp, zone/node spread.
    const spread = (topologyKey: string, whenUnsatisfiable: string) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable,
      labelSelector: { matchLabels: this.selectorLabels },
      ...(r.kind === WorkloadKind.DEPLOYMENT ? { matchLabelKeys: ['pod-template-hash'] } : {}),
    });
    ApiObject.of(this.workload).addJsonPatch(
      JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        ...((props.zoneSpread ?? true) ? [spread('topology.kubernetes.io/zone', 'DoNotSchedule')] : []),
        spread('kubernetes.io/hostname', 'ScheduleAnyway'),
      ]),
    );
    // Fields cdk8s-plus-28's typed converters drop or mangle (the native preStop `sleep` action, Kubernetes >= 1.30,
    // and a StatefulSet's volumeClaimTemplates) are added to the rendered workload object itself, so every way of
    // rendering it (chart, file per resource, Helm) carries them.
    _afterRender(ApiObject.of(this.workload), (obj) => finishWorkload(obj, r.preStopSleepSeconds, claimTemplate));

    this.service = _service(
      this,
      'Service',
      {
        metadata: meta(name, props.serviceLabels),
        type: kplus.ServiceType.CLUSTER_IP,
        ports: servicePorts.map((p) => ({ ...p, protocol: kplus.Protocol.TCP })),
      },
      this.selectorLabels,
    );
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
function finishWorkload(obj: any, preStopSleepSeconds: number, claimTemplate?: { mountPath: string; template: object }): any {
  // cdk8s-plus writes `hostNetwork: false` and quantities such as `1000m` and `2048Mi`, which the API server stores as
  // nothing, `1` and `2Gi`: write what it stores (see npm run verify:k8s).
  const { hostNetwork, ...podSpec } = obj.spec.template.spec;
  if (hostNetwork) podSpec.hostNetwork = hostNetwork;
  const [main, ...rest] = podSpec.containers;
  const container = { ...main, ...(main.resources ? { resources: canonicalResources(main.resources) } : {}) };
  if (preStopSleepSeconds > 0) container.lifecycle = { preStop: { sleep: { seconds: preStopSleepSeconds } } };
  const spec = { ...obj.spec, template: { ...obj.spec.template, spec: { ...podSpec, containers: [container, ...rest] } } };
  if (claimTemplate) {
    container.volumeMounts = [...(container.volumeMounts ?? []), { name: 'data', mountPath: claimTemplate.mountPath }];
    spec.volumeClaimTemplates = [claimTemplate.template];
    spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain', whenScaled: 'Retain' };
  }
  return { ...obj, spec };
}
