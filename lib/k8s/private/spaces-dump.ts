/**
 * The pod of a DigitalOcean cluster's database dump (the DR primary's, `PlatformContract.databaseDump`): `pg_dump`
 * of the app database over the connection entry's `DATABASE_DIRECT_URL` (the direct port 25060; a PgBouncer pool in
 * transaction mode cannot hold pg_dump's snapshot), then the upload to the region's Spaces bucket with the entry's
 * bucket-limited key (`FILES_ACCESS_KEY_ID`, a `digitalocean_spaces_key` with a grant on that bucket only). Every
 * value is a `secretKeyRef` to the Secret External Secrets makes from the entry: nothing secret is written out.
 * @internal
 */

import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';

/** The connection entry's keys the dump reads (dr-secrets.ts writes them). @internal */
export const _SPACES_DUMP_KEYS = [
  'DATABASE_DIRECT_URL',
  'FILES_BUCKET',
  'FILES_ENDPOINT',
  'FILES_ACCESS_KEY_ID',
  'FILES_SECRET_ACCESS_KEY',
];

/** The whole database (the app's role owns what its migrations made), as for the AWS dump: custom format, bounded lock wait. */
const DUMP_SCRIPT = (dir: string) => `set -eu
umask 077
date -u +%Y-%m-%dT%H%M%SZ >${dir}/time
exec pg_dump --format=custom --no-owner --no-privileges --lock-wait-timeout=5min --file=${dir}/database.dump --dbname="$DATABASE_DIRECT_URL"
`;
/**
 * The upload to `s3://$FILES_BUCKET/<prefix>database.dump` on the region's Spaces endpoint (AWS_ENDPOINT_URL), the
 * dump's UTC time in its metadata. Always the same key: the bucket is versioned, so each upload keeps the dump before
 * as a noncurrent version, which the bucket's noncurrent rule expires after 90 days (regional-cluster.ts): the
 * retention, with no rule of its own and no listing that grows.
 */
const UPLOAD_SCRIPT = (dir: string) => `set -eu
key="\${DUMP_PREFIX}database.dump"
aws s3 cp --only-show-errors --metadata "dumped-at=$(cat ${dir}/time)" ${dir}/database.dump "s3://$FILES_BUCKET/$key"
echo "uploaded s3://$FILES_BUCKET/$key, dumped at $(cat ${dir}/time) ($(wc -c <${dir}/database.dump) bytes)"
`;

type Container = Omit<IContainer, 'name'>;

/** What {@link _spacesDumpPod} takes from DatabaseDump. @internal */
export interface SpacesDumpInputs {
  readonly image: string;
  readonly awsCliImage: string;
  /** The restricted container (resources, security context, pull policy). */
  readonly container: Container & { resources: { requests: Record<string, string>; limits: Record<string, string> } };
  readonly securityContext: ISecurityContext;
  readonly storage: string;
  readonly prefix: string;
  readonly dumpDir: string;
  readonly fromConnection: (name: string, key: string) => IEnvVar;
}

/** The init container that dumps and the container that uploads, with their volumes. @internal */
export function _spacesDumpPod(i: SpacesDumpInputs): Required<Pick<IPodSpec, 'initContainers' | 'containers' | 'volumes'>> {
  const tmp = { name: 'tmp', mountPath: '/tmp' };
  return {
    initContainers: [
      {
        name: 'pg-dump',
        image: i.image,
        command: ['/bin/sh', '-c', DUMP_SCRIPT(i.dumpDir)],
        env: [
          // The entry's URI carries sslmode=require (DigitalOcean's managed PostgreSQL accepts TLS only).
          i.fromConnection('DATABASE_DIRECT_URL', 'DATABASE_DIRECT_URL'),
          { name: 'PGAPPNAME', value: 'database-dump' },
          { name: 'PGCONNECT_TIMEOUT', value: '10' },
          { name: 'HOME', value: '/tmp' },
        ],
        ...i.container,
        // The scheduler places it on a node with room for the dump (the emptyDir counts as the pod's).
        resources: { ...i.container.resources, requests: { ...i.container.resources.requests, 'ephemeral-storage': i.storage } },
        securityContext: i.securityContext,
        volumeMounts: [{ name: 'dump', mountPath: i.dumpDir }, tmp],
      },
    ],
    containers: [
      {
        name: 'upload',
        image: i.awsCliImage,
        command: ['/bin/sh', '-c', UPLOAD_SCRIPT(i.dumpDir)],
        env: [
          i.fromConnection('FILES_BUCKET', 'FILES_BUCKET'),
          // The CLI's endpoint and key from the entry (AWS CLI v2: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...); Spaces
          // takes its region from the endpoint and signs with us-east-1 (DigitalOcean, "Use DigitalOcean Spaces with
          // AWS S3 SDKs").
          i.fromConnection('AWS_ENDPOINT_URL', 'FILES_ENDPOINT'),
          i.fromConnection('AWS_ACCESS_KEY_ID', 'FILES_ACCESS_KEY_ID'),
          i.fromConnection('AWS_SECRET_ACCESS_KEY', 'FILES_SECRET_ACCESS_KEY'),
          { name: 'AWS_REGION', value: 'us-east-1' },
          // The CLI's default CRC checksums (from 2.23) are an AWS S3 feature; send checksums only where the API
          // requires them, which S3-compatible stores accept.
          { name: 'AWS_REQUEST_CHECKSUM_CALCULATION', value: 'when_required' },
          { name: 'AWS_RESPONSE_CHECKSUM_VALIDATION', value: 'when_required' },
          { name: 'DUMP_PREFIX', value: i.prefix },
          { name: 'HOME', value: '/tmp' },
        ],
        ...i.container,
        securityContext: i.securityContext,
        volumeMounts: [{ name: 'dump', mountPath: i.dumpDir, readOnly: true }, tmp],
      },
    ],
    volumes: [
      { name: 'dump', emptyDir: { sizeLimit: i.storage } },
      { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
    ],
  };
}
