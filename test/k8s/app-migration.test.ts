/**
 * AppMigration used alone (as a team would for a workload that is not a ProductionApp), with the checks it makes of
 * its own props.
 */
import { Chart } from 'cdk8s';
import { AppMigration, AppServiceAccount } from 'samokoder-infra';
import { find, render, schemaCheck, testApp } from '../util/k8s';
import { _migrationLockKey, _migrationLockScript } from '../../lib/k8s/app-migration';

const chart = () => new Chart(testApp(), 'c', { namespace: 'team' });
const sa = (c: Chart) => new AppServiceAccount(c, 'Identity', { name: 'worker' });

describe('AppMigration', () => {
  test('a Sync hook in wave -1, after the constructs it needs (wave -2)', () => {
    const c = chart();
    const id = sa(c);
    new AppMigration(c, 'Migration', {
      name: 'worker',
      command: ['migrate'],
      appImage: 'ghcr.io/acme/worker:1.0.0',
      serviceAccountName: 'worker',
      resources: { cpuRequestMillis: 500, cpuLimitMillis: 2000, memoryRequestMiB: 1024, memoryLimitMiB: 3072 },
      after: [id],
    });
    const o = render(c);
    expect(find(o, 'ServiceAccount', 'worker').metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-2' });
    const job = find(o, 'Job', 'worker-migrate');
    expect(job.metadata.annotations).toMatchObject({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/sync-wave': '-1' });
    expect(job.spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi' },
      limits: { cpu: '2', memory: '3Gi' },
    });
  });

  test('under a lock: a native sidecar holds the advisory lock on the direct URL, and the migration starts only once it is held', async () => {
    const c = chart();
    new AppMigration(c, 'Migration', {
      name: 'worker',
      command: ['migrate'],
      appImage: 'ghcr.io/acme/worker:1.0.0',
      serviceAccountName: 'worker',
      resources: { cpuRequestMillis: 500, memoryRequestMiB: 1024, memoryLimitMiB: 3072 },
      activeDeadlineSeconds: 900,
      lock: { secretKeyRef: { name: 'worker-connection', key: 'DATABASE_DIRECT_URL' }, namespace: 'team' },
    });
    const o = render(c);
    const pod = find(o, 'Job', 'worker-migrate').spec.template.spec;
    const [lock] = pod.initContainers;
    expect(lock).toMatchObject({
      name: 'migration-lock',
      image: 'postgres:17.6-alpine',
      restartPolicy: 'Always',
      command: ['/bin/sh', '-c', _migrationLockScript(_migrationLockKey('team', 'worker'))],
      // It may wait as long as the Job may run (the other runner's migration).
      startupProbe: { exec: { command: ['test', '-f', '/run/migration-lock/held'] }, periodSeconds: 2, failureThreshold: 450 },
      volumeMounts: [{ name: 'lock', mountPath: '/run/migration-lock' }],
    });
    expect(lock.env[0]).toEqual({
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'worker-connection', key: 'DATABASE_DIRECT_URL' } },
    });
    // The same key in every cluster that runs this app's migrations; another app's differs.
    expect(_migrationLockKey('team', 'worker')).toBe(_migrationLockKey('team', 'worker'));
    expect(_migrationLockKey('team', 'worker')).not.toBe(_migrationLockKey('team', 'api'));
    expect(Number.isSafeInteger(_migrationLockKey('team', 'worker'))).toBe(true);
    expect(_migrationLockScript(42)).toBe(
      'rm -f /run/migration-lock/held; ' +
        `{ echo "DO \\$\\$ BEGIN IF pg_is_in_recovery() THEN RAISE EXCEPTION 'the database is in recovery (a read-only replica): not migrating'; END IF; END \\$\\$;"; ` +
        "echo 'SELECT pg_advisory_lock(42);'; echo '\\! touch /run/migration-lock/held'; " +
        'while :; do sleep 10; echo \'SELECT 1;\'; done; } | psql -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$DATABASE_URL"',
    );
    expect(pod.volumes).toContainEqual({ name: 'lock', emptyDir: { sizeLimit: '1Mi' } });
    expect((await schemaCheck(o)).ok).toBe(true);
  });

  test('without a lock the pod has no sidecar', () => {
    const c = chart();
    new AppMigration(c, 'Migration', {
      name: 'worker',
      command: ['migrate'],
      appImage: 'ghcr.io/acme/worker:1.0.0',
      serviceAccountName: 'worker',
      resources: { cpuRequestMillis: 500, memoryRequestMiB: 1024, memoryLimitMiB: 3072 },
    });
    const pod = find(render(c), 'Job', 'worker-migrate').spec.template.spec;
    expect(pod.initContainers).toBeUndefined();
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  });

  test('refuses a lock image that is not pinned', () => {
    expect(
      () =>
        new AppMigration(chart(), 'Migration', {
          name: 'w',
          command: ['migrate'],
          lockImage: 'postgres',
          appImage: 'ghcr.io/acme/w:1.0.0',
          serviceAccountName: 'w',
          resources: { cpuRequestMillis: 10, memoryRequestMiB: 64, memoryLimitMiB: 128 },
        }),
    ).toThrow(
      `[c/Migration] 'migration.lockImage' ("postgres") must be pinned to a version tag or digest ("repo/app:1.4.2" or "repo/app@sha256:<64 hex>"); "latest" and untagged images are refused`,
    );
  });

  test('refuses an empty command, with its own path', () => {
    expect(
      () =>
        new AppMigration(chart(), 'Migration', {
          name: 'w',
          command: [],
          appImage: 'ghcr.io/acme/w:1.0.0',
          serviceAccountName: 'w',
          resources: { cpuRequestMillis: 1, memoryRequestMiB: 1, memoryLimitMiB: 1 },
        }),
    ).toThrow(`[c/Migration] 'migration.command' ([]) must name the migration command`);
  });
});
