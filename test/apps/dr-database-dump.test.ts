/**
 * Issue #25, "Last-resort copies", on the DigitalOcean DR pair: where the writer is (`databaseRole: primary`), a
 * scheduled pg_dump of the app database over the direct port (never the pool), uploaded under `postgres/` of the
 * region's versioned bucket with the region's bucket-limited Spaces key by reference, an alert when the last
 * successful dump is too old, and a stated retention (the bucket's noncurrent versions).
 */
import { Testing } from 'cdktf';
import { referenceCloud, referenceKubernetes } from '../util/reference';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON and YAML are untyped
type Obj = Record<string, any>;

const platform = referenceCloud();
const tf: Obj = JSON.parse(Testing.synth(platform.dr as Parameters<typeof Testing.synth>[0]));
const objectsOf = (cluster: string): Obj[] =>
  referenceKubernetes()
    .files.filter((f) => f.file.startsWith(`${cluster}/`))
    .flatMap((f) => f.objects!);

describe('the DR pair dumps its database where the writer is', () => {
  test('the primary contract asks for the dump; the secondary (a read-only replica) does not', () => {
    expect(platform.dr.contract('primary').databaseDump).toEqual({ database: 'samokoder', prefix: 'postgres/', intervalSeconds: 86400 });
    expect(platform.dr.contract('secondary').databaseDump).toBeUndefined();
  });

  test('dr-nyc3 (primary) runs the dump CronJob with the direct URL and the Spaces key by reference; dr-sfo3 runs none', () => {
    const cron = objectsOf('dr-nyc3').filter((o) => o.kind === 'CronJob' && o.metadata.name === 'database-dump');
    expect(cron).toHaveLength(1);
    expect(objectsOf('dr-sfo3').filter((o) => o.metadata.name === 'database-dump')).toEqual([]);
    const pod = cron[0].spec.jobTemplate.spec.template.spec;
    const refs = [...(pod.initContainers ?? []), ...pod.containers].flatMap((c: Obj) =>
      (c.env ?? []).filter((e: Obj) => e.valueFrom).map((e: Obj) => e.valueFrom.secretKeyRef.key),
    );
    expect(refs).toEqual(
      expect.arrayContaining(['DATABASE_DIRECT_URL', 'FILES_BUCKET', 'FILES_ENDPOINT', 'FILES_ACCESS_KEY_ID', 'FILES_SECRET_ACCESS_KEY']),
    );
    expect(refs).not.toContain('DATABASE_URL');
    const rules = objectsOf('dr-nyc3').filter((o) => o.kind === 'PrometheusRule' && o.metadata.name === 'database-dump');
    expect(rules[0].spec.groups[0].rules.map((r: Obj) => r.alert)).toEqual(['DatabaseDumpLate']);
  });

  test("the dump goes to one key of the region's versioned bucket: each upload keeps the one before 90 days as a version", () => {
    const pod = objectsOf('dr-nyc3').find((o) => o.kind === 'CronJob' && o.metadata.name === 'database-dump')!.spec.jobTemplate.spec
      .template.spec;
    expect(pod.containers[0].command[2]).toContain('key="${DUMP_PREFIX}database.dump"');
    const buckets = Object.values(tf.resource.digitalocean_spaces_bucket as Obj).filter((b) => b.name.endsWith('-files'));
    expect(buckets.map((b) => b.name).sort()).toEqual(['samokoder-nyc3-files', 'samokoder-sfo3-files']);
    for (const b of buckets) {
      expect(b.versioning).toEqual({ enabled: true });
      expect(b.lifecycle_rule.map((r: Obj) => r.noncurrent_version_expiration)).toEqual([{ days: 90 }]);
    }
  });
});
