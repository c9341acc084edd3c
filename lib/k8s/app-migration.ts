import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { invalidProp } from '../common/errors';
import { _freeId, refuseCredentialArguments, requireDnsLabel, requireIntegerInRange, requireLabels } from '../common/validate';
import { _apiObject } from '../private/k8s-object';
import { requirePinnedImage } from './image';
import { cpuQuantity, memoryQuantity } from './quantity';

/**
 * A database migration Job, run by Argo CD on every sync after the app's identity, config, secrets and network
 * policies exist (sync wave -2) and before the new version's pods are created (wave 0): an Argo CD `Sync` hook in
 * wave -1. Argo CD waits for each wave to be healthy (a Job: complete; an ExternalSecret: synced) before the next.
 */
export interface MigrationOptions {
  /** The migration command, e.g. `['alembic', 'upgrade', 'head']`. */
  readonly command: string[];
  /** @default - the app's image (the migration ships with the version it belongs to) */
  readonly image?: string;
  /** Retries before the sync fails. @default 2 */
  readonly backoffLimit?: number;
  /** The Job is stopped after this many seconds. @default 600 */
  readonly activeDeadlineSeconds?: number;
  /** Finished Jobs are deleted after this many seconds. @default 86400 */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * PostgreSQL client image (psql) of the lock the migration runs under in a DR pair (see `AppMigrationProps.lock`),
   * pinned. @default 'postgres:17.6-alpine'
   */
  readonly lockImage?: string;
}

/** Every option of {@link MigrationOptions}, for the boundary check of plain JavaScript callers. @internal */
export const _MIGRATION_OPTIONS = [
  'command',
  'image',
  'backoffLimit',
  'activeDeadlineSeconds',
  'ttlSecondsAfterFinished',
  'lockImage',
] as const;

/** Checks a migration's options; `prop` names them in messages (`migration`). */
export function validateMigration(path: string, prop: string, m: MigrationOptions): void {
  if (m.command.length === 0) throw invalidProp(path, `${prop}.command`, [], 'must name the migration command');
  refuseCredentialArguments(path, `${prop}.command`, m.command);
  if (m.image !== undefined) requirePinnedImage(path, `${prop}.image`, m.image);
  if (m.lockImage !== undefined) requirePinnedImage(path, `${prop}.lockImage`, m.lockImage);
  requireIntegerInRange(path, `${prop}.backoffLimit`, m.backoffLimit ?? 2, 0, 10);
  requireIntegerInRange(path, `${prop}.activeDeadlineSeconds`, m.activeDeadlineSeconds ?? 600, 30, 86400);
  requireIntegerInRange(path, `${prop}.ttlSecondsAfterFinished`, m.ttlSecondsAfterFinished ?? 86400, 60, 604800);
}

const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';
/** Kinds a migration needs before it starts: its identity, its secrets and its network access. */
const PREREQUISITE_KINDS = new Set(['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'ExternalSecret', 'NetworkPolicy']);

/** Props for {@link AppMigration}. */
export interface AppMigrationProps extends MigrationOptions {
  /** App name: the Job is `<name>-migrate`; its pods carry the app's instance label (so its egress policies apply). */
  readonly name: string;
  /** The app's image, used when `image` is not set. */
  readonly appImage: string;
  /** ServiceAccount the Job runs as (the app's, with its cloud identity). */
  readonly serviceAccountName: string;
  /** Variables set from Secret keys, over the environment sources (e.g. DATABASE_URL from a direct address). @default [] */
  readonly env?: ReadonlyArray<{
    readonly name: string;
    readonly valueFrom: { readonly secretKeyRef: { readonly name: string; readonly key: string } };
  }>;
  /** Environment sources, as Kubernetes JSON (see {@link AppConfig.envFromJson}). @default [] */
  readonly envFrom?: ReadonlyArray<{ configMapRef: { name: string } } | { secretRef: { name: string } }>;
  /** UID and GID. @default 10001 */
  readonly runAsUser?: number;
  /** Requests and limits (CPU in millicores, memory in MiB); no CPU limit when `cpuLimitMillis` is undefined. */
  readonly resources: { cpuRequestMillis: number; cpuLimitMillis?: number; memoryRequestMiB: number; memoryLimitMiB: number };
  /**
   * What must exist before the Job starts: every ServiceAccount, Role, RoleBinding, ConfigMap, ExternalSecret and
   * NetworkPolicy in these constructs goes to sync wave -2.
   * @default []
   */
  readonly after?: IConstruct[];
  /** `app.kubernetes.io/part-of` of the pods. @default - the app's name */
  readonly partOf?: string;
  /**
   * Run the migration under a PostgreSQL advisory lock held on this database (a Secret key with its direct URL: a
   * transaction-mode pool would drop a session lock), and never against one in recovery (a read-only replica). In a
   * DR pair two clusters can migrate against one writer at once (after a failover, until Git swaps the roles): the
   * second waits for the first. Works with any migration image and command. @default - no lock
   */
  readonly lock?: { readonly secretKeyRef: { readonly name: string; readonly key: string }; readonly namespace: string };
  /** @default {} */
  readonly labels?: Record<string, string>;
}

const LOCK_DIR = '/run/migration-lock';

/**
 * The advisory lock key of an app's migrations: the same in every cluster that runs them (it depends only on the
 * namespace and the app), 48 bits of SHA-256 so it stays a safe integer and apart from other apps' keys. @internal
 */
export function _migrationLockKey(namespace: string, name: string): number {
  return parseInt(createHash('sha256').update(`samokoder-infra/migration/${namespace}/${name}`).digest('hex').slice(0, 12), 16);
}

/**
 * The lock holder's shell: one psql session, fed through a pipe and kept open, that refuses a database in recovery,
 * waits for the lock, marks it held (the startup probe's file) and then pings every 10 s, so a lost session ends
 * psql (and is logged) instead of going unnoticed. The session, and so the lock, ends when the kubelet stops the
 * sidecar after the migration. @internal
 */
export function _migrationLockScript(key: number): string {
  return [
    `rm -f ${LOCK_DIR}/held`,
    `{ echo "DO \\$\\$ BEGIN IF pg_is_in_recovery() THEN RAISE EXCEPTION 'the database is in recovery (a read-only replica): not migrating'; END IF; END \\$\\$;"`,
    `echo 'SELECT pg_advisory_lock(${key});'`,
    `echo '\\! touch ${LOCK_DIR}/held'`,
    `while :; do sleep 10; echo 'SELECT 1;'; done; } | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$DATABASE_URL"`,
  ].join('; ');
}

/**
 * A database migration Job with the app's image, identity, config, secrets and restricted security context, a
 * backoff limit, an active deadline and a TTL, ordered by Argo CD sync waves after what it needs and before the new
 * version's pods (see {@link MigrationOptions}).
 */
export class AppMigration extends Construct {
  public readonly job: ApiObject;

  constructor(scope: Construct, id: string, props: AppMigrationProps) {
    super(scope, _freeId(scope, id));
    requireLabels(this.node.path, 'labels', props.labels);
    const path = this.node.path;
    validateMigration(path, 'migration', props);
    const name = requireDnsLabel(path, 'name', props.name);
    const uid = requireIntegerInRange(path, 'runAsUser', props.runAsUser ?? 10001, 10000, 2147483647);
    const res = props.resources;
    const lockImage = props.lockImage ?? 'postgres:17.6-alpine';
    const restricted = {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: uid,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' as const },
    };
    const deadline = props.activeDeadlineSeconds ?? 600;
    // A native sidecar (an init container with restartPolicy Always, on by default since Kubernetes 1.29): it keeps
    // running beside the migration, and the next container starts only "after any startupProbe has successfully
    // completed"; once the regular containers have completed the kubelet shuts it down, which ends the session and so
    // frees the lock (Kubernetes API, core/v1 Container.restartPolicy; docs/concepts/workloads/pods/sidecar-containers).
    const lock: IContainer[] = props.lock
      ? [
          {
            name: 'migration-lock',
            image: lockImage,
            imagePullPolicy: 'IfNotPresent',
            restartPolicy: 'Always',
            command: ['/bin/sh', '-c', _migrationLockScript(_migrationLockKey(props.lock.namespace, name))],
            env: [
              { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { ...props.lock.secretKeyRef } } },
              { name: 'PGCONNECT_TIMEOUT', value: '10' },
              { name: 'PGAPPNAME', value: `${name}-migration-lock` },
            ],
            // The migration waits as long as the Job may run for the other runner to finish.
            startupProbe: {
              exec: { command: ['test', '-f', `${LOCK_DIR}/held`] },
              periodSeconds: 2,
              failureThreshold: Math.ceil(deadline / 2),
            },
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
            securityContext: restricted,
            volumeMounts: [{ name: 'lock', mountPath: LOCK_DIR }],
          },
        ]
      : [];
    for (const c of (props.after ?? []).flatMap((a) => a.node.findAll())) {
      if (c instanceof ApiObject && PREREQUISITE_KINDS.has(c.kind)) c.metadata.addAnnotation(SYNC_WAVE, '-2');
    }
    this.job = _apiObject<IJob>(this, 'Job', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `${name}-migrate`,
        labels: { ...props.labels, 'app.kubernetes.io/component': 'migration' },
        annotations: {
          // Not PreSync: a PreSync hook runs before anything else of the sync is applied, so on a new cluster its
          // ServiceAccount, ConfigMap and Secrets do not exist yet and its pod cannot be created.
          'argocd.argoproj.io/hook': 'Sync',
          [SYNC_WAVE]: '-1',
          'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
        },
      },
      spec: {
        backoffLimit: props.backoffLimit ?? 2,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 600,
        ttlSecondsAfterFinished: props.ttlSecondsAfterFinished ?? 86400,
        template: {
          metadata: {
            labels: {
              'app.kubernetes.io/name': `${name}-migrate`,
              'app.kubernetes.io/instance': name,
              'app.kubernetes.io/component': 'migration',
              'app.kubernetes.io/part-of': props.partOf ?? name,
            },
          },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: props.serviceAccountName,
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: uid,
              runAsGroup: uid,
              fsGroup: uid,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            ...(lock.length > 0 ? { initContainers: lock } : {}),
            containers: [
              {
                name: 'migrate',
                image: props.image ?? props.appImage,
                imagePullPolicy: 'IfNotPresent',
                command: props.command,
                envFrom: [...(props.envFrom ?? [])],
                ...(props.env && props.env.length > 0
                  ? { env: props.env.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { ...e.valueFrom.secretKeyRef } } })) }
                  : {}),
                resources: {
                  requests: { cpu: cpuQuantity(res.cpuRequestMillis), memory: memoryQuantity(res.memoryRequestMiB) },
                  limits: {
                    ...(res.cpuLimitMillis !== undefined ? { cpu: cpuQuantity(res.cpuLimitMillis) } : {}),
                    memory: memoryQuantity(res.memoryLimitMiB),
                  },
                },
                securityContext: restricted,
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [
              { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
              ...(lock.length > 0 ? [{ name: 'lock', emptyDir: { sizeLimit: '1Mi' } }] : []),
            ],
          },
        },
      },
    });
  }
}
