import { invalidCombination, invalidProp } from '../common/errors';
import { isDnsSubdomain, requireIntegerInRange, requireUrlPath } from '../common/validate';
import { requirePinnedImage } from './image';
import { _AllKeys, _checkProps } from '../common/props';

const APPPORT_KEYS = ['name', 'port'] as const;
const STORAGEOPTIONS_KEYS = ['sizeGiB', 'storageClass', 'mountPath', 'accessMode'] as const;

const RESOURCE_OPTIONS = ['cpuRequestMillis', 'cpuLimitMillis', 'memoryRequestMiB', 'memoryLimitMiB'] as const;

/** The kind of workload. */
export class WorkloadKind {
  /** A Deployment: stateless replicas (the default). */
  public static readonly DEPLOYMENT = new WorkloadKind('Deployment');
  /** A StatefulSet with a headless Service and one volume per replica (volumeClaimTemplates). */
  public static readonly STATEFUL_SET = new WorkloadKind('StatefulSet');
  private constructor(public readonly kind: 'Deployment' | 'StatefulSet') {}
}

/** Container resources. Requests are what the scheduler reserves; limits what the container may use. */
export interface ResourceOptions {
  /** @default 250 */
  readonly cpuRequestMillis?: number;
  /** CPU limit; `null` for none (avoids CFS throttling; the request still reserves CPU). @default 1000 */
  readonly cpuLimitMillis?: number | null;
  /** @default 512 */
  readonly memoryRequestMiB?: number;
  /** @default 2048 */
  readonly memoryLimitMiB?: number;
}

/** Persistent storage mounted into every pod. */
export interface StorageOptions {
  /** Size in GiB. @default 10 */
  readonly sizeGiB?: number;
  /**
   * StorageClass: one the cluster has. @default 'gp3' (what `ClusterPlatform` creates on EKS, which ships none); a
   * `ProductionApp` on a `digitalocean` platform contract: 'do-block-storage-retain' (DOKS ships no gp3)
   */
  readonly storageClass?: string;
  /** Mount path. @default '/data' */
  readonly mountPath?: string;
  /**
   * Access mode. A Deployment with more than one replica needs `ReadWriteMany` (EFS and the like); a StatefulSet
   * gets one `ReadWriteOnce` volume per replica.
   * @default - ReadWriteOnce for a StatefulSet, ReadWriteMany for a Deployment
   */
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
}

/** An extra named container port. */
export interface AppPort {
  /** Port name (IANA service name: at most 15 characters). */
  readonly name: string;
  readonly port: number;
}

/** The options of {@link AppWorkloadProps} that shape the pods, validated by {@link resolveWorkload}. */
export interface WorkloadOptions {
  /** Container image, pinned by tag or digest. */
  readonly image: string;
  /** HTTP port of the container (named `http`). @default 8000 */
  readonly port?: number;
  /** Extra named container ports. @default [] */
  readonly extraPorts?: AppPort[];
  /** @default WorkloadKind.DEPLOYMENT */
  readonly workload?: WorkloadKind;
  /** @default - 250m/1000m CPU, 512Mi/2Gi memory */
  readonly resources?: ResourceOptions;
  /** HTTP path of the readiness and startup probes. @default '/health' */
  readonly healthPath?: string;
  /** HTTP path of the liveness probe. @default - a TCP check of the port (liveness must not depend on dependencies) */
  readonly livenessPath?: string;
  /** UID and GID the containers run as (>= 10000). @default 10001 */
  readonly runAsUser?: number;
  /** Seconds the pod gets to finish in-flight work. @default 45 */
  readonly terminationGracePeriodSeconds?: number;
  /** Seconds the pod keeps serving after it is removed from endpoints (preStop sleep). @default 10 */
  readonly preStopSleepSeconds?: number;
  /** Persistent storage. @default - none */
  readonly storage?: StorageOptions;
}

/** {@link WorkloadOptions} with every default applied and every value checked. */
export interface ResolvedWorkload {
  readonly image: string;
  readonly kind: WorkloadKind;
  /** The `http` port first, then the extra ports. */
  readonly ports: AppPort[];
  readonly cpuRequestMillis: number;
  readonly cpuLimitMillis?: number;
  readonly memoryRequestMiB: number;
  readonly memoryLimitMiB: number;
  readonly healthPath: string;
  readonly livenessPath?: string;
  readonly uid: number;
  readonly gracePeriodSeconds: number;
  readonly preStopSleepSeconds: number;
  readonly storage?: Required<Omit<StorageOptions, 'accessMode'>> & { readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany' };
}

const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Applies the defaults of {@link WorkloadOptions} and checks every value (pinned image, ports, probes, security,
 * resources, storage). `maxReplicas` is the most pods there can be, for the storage access-mode check.
 */
export function resolveWorkload(path: string, o: WorkloadOptions, maxReplicas: number): ResolvedWorkload {
  const image = requirePinnedImage(path, 'image', o.image);
  const port = requireIntegerInRange(path, 'port', o.port ?? 8000, 1, 65535);
  const kind = o.workload ?? WorkloadKind.DEPLOYMENT;
  const uid = requireIntegerInRange(path, 'runAsUser', o.runAsUser ?? 10001, 10000, 2147483647);
  const grace = requireIntegerInRange(path, 'terminationGracePeriodSeconds', o.terminationGracePeriodSeconds ?? 45, 1, 3600);
  const preStop = requireIntegerInRange(path, 'preStopSleepSeconds', o.preStopSleepSeconds ?? 10, 0, 300);
  if (preStop >= grace) {
    throw invalidCombination(path, `'preStopSleepSeconds' (${preStop}) must be less than 'terminationGracePeriodSeconds' (${grace})`);
  }
  const healthPath = requireUrlPath(path, 'healthPath', o.healthPath ?? '/health');
  const livenessPath = o.livenessPath === undefined ? undefined : requireUrlPath(path, 'livenessPath', o.livenessPath);
  if (livenessPath !== undefined && livenessPath === healthPath) {
    throw invalidProp(
      path,
      'livenessPath',
      livenessPath,
      `must differ from 'healthPath': a failing dependency would restart every pod at once`,
    );
  }
  const ports: AppPort[] = [{ name: 'http', port }, ...(o.extraPorts ?? [])];
  const names = new Set<string>();
  const numbers = new Set<number>();
  ports.forEach((p, i) => {
    const prop = i === 0 ? 'port' : `extraPorts[${i - 1}]`;
    if (i > 0) _checkProps<_AllKeys<AppPort, typeof APPPORT_KEYS>>(path, 'port', p, APPPORT_KEYS, ['name', 'port'] as const, `${prop}.`);
    requireIntegerInRange(path, `${prop}.port`, p.port, 1, 65535);
    // IANA_SVC_NAME (RFC 6335), as the API server checks it: a name of digits alone would read as a port number.
    if (typeof p.name !== 'string' || p.name.length > 15 || !PORT_NAME.test(p.name) || !/[a-z]/.test(p.name) || p.name.includes('--')) {
      throw invalidProp(
        path,
        `${prop}.name`,
        p.name,
        'must be an IANA service name: at most 15 lower-case letters, digits and -, with at least one letter, no "--", not starting or ending with -',
      );
    }
    if (names.has(p.name)) throw invalidProp(path, `${prop}.name`, p.name, 'is used by another port: port names must be unique');
    if (numbers.has(p.port)) throw invalidProp(path, `${prop}.port`, p.port, 'is used by another port: port numbers must be unique');
    names.add(p.name);
    numbers.add(p.port);
  });
  const res = o.resources ?? {};
  _checkProps<_AllKeys<ResourceOptions, typeof RESOURCE_OPTIONS>>(path, 'resource options', res, RESOURCE_OPTIONS, [], 'resources.');
  const cpuReq = requireIntegerInRange(path, 'resources.cpuRequestMillis', res.cpuRequestMillis ?? 250, 1, 256000);
  const cpuLim =
    res.cpuLimitMillis === null
      ? undefined
      : requireIntegerInRange(path, 'resources.cpuLimitMillis', res.cpuLimitMillis ?? 1000, 1, 256000);
  const memReq = requireIntegerInRange(path, 'resources.memoryRequestMiB', res.memoryRequestMiB ?? 512, 1, 4194304);
  const memLim = requireIntegerInRange(path, 'resources.memoryLimitMiB', res.memoryLimitMiB ?? 2048, 1, 4194304);
  if (cpuLim !== undefined && cpuReq > cpuLim) {
    throw invalidCombination(path, `'resources.cpuRequestMillis' (${cpuReq}) must not exceed 'resources.cpuLimitMillis' (${cpuLim})`);
  }
  if (memReq > memLim) {
    throw invalidCombination(path, `'resources.memoryRequestMiB' (${memReq}) must not exceed 'resources.memoryLimitMiB' (${memLim})`);
  }
  let storage: ResolvedWorkload['storage'];
  if (o.storage) {
    const s = o.storage;
    _checkProps<_AllKeys<StorageOptions, typeof STORAGEOPTIONS_KEYS>>(
      path,
      'storage options',
      s,
      STORAGEOPTIONS_KEYS,
      [] as const,
      'storage.',
    );
    const accessMode = s.accessMode ?? (kind === WorkloadKind.STATEFUL_SET ? 'ReadWriteOnce' : 'ReadWriteMany');
    if (accessMode !== 'ReadWriteOnce' && accessMode !== 'ReadWriteMany') {
      throw invalidProp(path, 'storage.accessMode', accessMode, "must be 'ReadWriteOnce' or 'ReadWriteMany' (Kubernetes' spelling)");
    }
    storage = {
      sizeGiB: requireIntegerInRange(path, 'storage.sizeGiB', s.sizeGiB ?? 10, 1, 65536),
      mountPath: requireFreeMountPath(path, 'storage.mountPath', requireMountPath(path, 'storage.mountPath', s.mountPath ?? '/data')),
      storageClass: requireStorageClass(path, 'storage.storageClass', s.storageClass ?? 'gp3'),
      accessMode,
    };
    if (kind === WorkloadKind.DEPLOYMENT && accessMode === 'ReadWriteOnce' && maxReplicas > 1) {
      throw invalidProp(
        path,
        'storage.accessMode',
        accessMode,
        'cannot be shared by the replicas of a Deployment: use ReadWriteMany or WorkloadKind.STATEFUL_SET (one volume per replica)',
      );
    }
  }
  return {
    image,
    kind,
    ports,
    cpuRequestMillis: cpuReq,
    cpuLimitMillis: cpuLim,
    memoryRequestMiB: memReq,
    memoryLimitMiB: memLim,
    healthPath,
    livenessPath,
    uid,
    gracePeriodSeconds: grace,
    preStopSleepSeconds: preStop,
    storage,
  };
}

/** Directories a volume must not cover: the image's system files (the container would not start) and the kernel's. */
const SYSTEM_DIRS = ['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib64', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var'];

function requireMountPath(path: string, prop: string, value: string): string {
  if (typeof value !== 'string' || !/^\/[A-Za-z0-9._~/-]*$/.test(value) || value.split('/').includes('..') || value.includes('//')) {
    throw invalidProp(
      path,
      prop,
      value,
      'must be an absolute directory in the container such as "/data" (letters, digits, . _ ~ - /; no "..")',
    );
  }
  const dir = value.length > 1 ? value.replace(/\/+$/, '') : value;
  if (SYSTEM_DIRS.includes(dir)) {
    throw invalidProp(
      path,
      prop,
      value,
      `would hide the image's ${dir === '/' ? 'whole file system' : `${dir} directory`}: mount the volume on a directory of its own such as "/data"`,
    );
  }
  // Kubernetes and EKS Pod Identity mount the pod's tokens under /var/run/secrets: a volume there hides them, or
  // takes their path (the API server refuses two mounts at one path).
  if (dir === '/var/run' || dir === '/var/run/secrets' || dir.startsWith('/var/run/secrets/')) {
    throw invalidProp(
      path,
      prop,
      value,
      'is where Kubernetes mounts the pod\u2019s service-account and cloud-identity tokens (/var/run/secrets): mount the volume on a directory of its own such as "/data"',
    );
  }
  return value;
}

/** Where the workload mounts its writable emptyDir (the root filesystem is read-only). @internal */
export const _TMP_MOUNT_PATH = '/tmp';

/** Throws when `value` is a directory the workload already mounts a volume at (the API server refuses two mounts at one path). */
function requireFreeMountPath(path: string, prop: string, value: string): string {
  const dir = value.length > 1 ? value.replace(/\/+$/, '') : value;
  if (dir === _TMP_MOUNT_PATH) {
    throw invalidProp(
      path,
      prop,
      value,
      `is where the writable ${_TMP_MOUNT_PATH} volume is mounted: the API server refuses two mounts at one path; use a directory of its own such as "/data"`,
    );
  }
  return value;
}

function requireStorageClass(path: string, prop: string, value: string): string {
  if (typeof value !== 'string' || !isDnsSubdomain(value)) {
    throw invalidProp(
      path,
      prop,
      value,
      'must be the name of a StorageClass (a lower-case DNS subdomain such as "gp3" or "do-block-storage")',
    );
  }
  return value;
}
