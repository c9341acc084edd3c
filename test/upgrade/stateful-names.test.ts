/**
 * Names that reach stateful things are a contract (#25). A team that upgrades the library keeps its Terraform state
 * and its GitOps repository: if a default that names a database, user, pool, cluster, bucket, cache, registry, key
 * alias, secret, state key or namespace moves, Terraform replaces the resource (or a new state key builds a second,
 * empty environment) and Argo CD prunes what the old name owned. Each construct is used here the way a team would
 * at its smallest (required props only, the team's own ids, no reference names), and the names are pinned in a
 * snapshot. Update the snapshot only together with a CHANGELOG entry that tells a team exactly what to pin.
 */
import { App as K8sApp } from 'cdk8s';
import { Testing } from 'cdktf';
import {
  AlarmSubscription,
  AwsRegion,
  ClusterPlatform,
  MultiRegionDR,
  PlatformCloud,
  ProductionApp,
  SamokoderStack,
  SamokoderStateStack,
} from 'samokoder-infra';
import { STATEFUL_TYPES } from '../../lib/policy/terraform/kit';
import { render } from '../util/k8s';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized Terraform JSON
type Json = Record<string, any>;

/** Attributes that name a resource (what a rename would replace). */
const NAME_ATTRIBUTES = [
  'name',
  'identifier',
  'bucket',
  'db_name',
  'username',
  'replication_group_id',
  'user_id',
  'user_name',
  'node_group_name',
  'cluster_name',
];
/** Named things that hold or guard state beside the stateful types: keys' aliases, secrets, the state itself. */
const ALSO_NAMED = [
  'aws_kms_alias',
  'aws_secretsmanager_secret',
  'aws_elasticache_user',
  'aws_elasticache_user_group',
  'aws_eks_node_group',
  'digitalocean_database_user',
  'digitalocean_database_connection_pool',
  'digitalocean_container_registry',
  'digitalocean_kubernetes_cluster',
  'digitalocean_vpc',
];

function namesOf(stackJson: string): string[] {
  const tf: Json = JSON.parse(stackJson);
  const types = new Set([...STATEFUL_TYPES.aws, ...STATEFUL_TYPES.digitalocean, ...ALSO_NAMED]);
  const out: string[] = [];
  for (const [type, resources] of Object.entries<Json>(tf.resource ?? {})) {
    if (!types.has(type)) continue;
    for (const r of Object.values<Json>(resources)) {
      // An AWS resource's own region (provider 6.x): where a copy in the recovery region lives; moving it replaces it.
      const attributes = type.startsWith('aws_') ? [...NAME_ATTRIBUTES, 'region'] : NAME_ATTRIBUTES;
      const named = attributes.filter((a) => typeof r[a] === 'string').map((a) => `${a}=${r[a]}`);
      if (named.length) out.push(`${type} ${named.join(' ')}`);
    }
  }
  const backend = tf.terraform?.backend;
  for (const [kind, b] of Object.entries<Json>(backend ?? {}))
    out.push(
      `backend ${kind} ${['bucket', 'key', 'path']
        .filter((k) => b[k])
        .map((k) => `${k}=${b[k]}`)
        .join(' ')}`,
    );
  return out.sort();
}

const tags = { environment: 'production', service: 'billing', team: 'payments', costCenter: 'CC-2001' };

describe('the names a team\u2019s smallest use of each construct gives its stateful resources', () => {
  test('SamokoderStack: database, cache, buckets, cluster, keys, secrets, state key', () => {
    const stack = new SamokoderStack(Testing.app(), 'billing-production', {
      environment: 'production',
      region: AwsRegion.EU_WEST_1,
      tags,
      remoteState: { bucket: 'acme-terraform-state', region: 'eu-west-1' },
      alarmSubscriptions: [AlarmSubscription.email('payments-oncall@acme.dev')],
    });
    expect(namesOf(Testing.synth(stack))).toMatchSnapshot();
    // In the database: the role the apps log in as and its schema (named after it), made by the bootstrap Job.
    expect(stack.contract.databaseBootstrap).toEqual({ user: 'billing_app', database: 'billing', serviceAccount: 'database-bootstrap' });
  });

  test('SamokoderStateStack: the state buckets', () => {
    const stack = new SamokoderStateStack(Testing.app(), 'billing-state', {
      region: AwsRegion.EU_WEST_1,
      bucketName: 'acme-terraform-state',
      tags,
    });
    expect(namesOf(Testing.synth(stack))).toMatchSnapshot();
  });

  test('MultiRegionDR: clusters, database, user, pool, caches, registry, state', () => {
    const dr = new MultiRegionDR(Testing.app(), 'billing-dr', {
      localState: true,
      domain: 'acme.dev',
      host: 'billing.acme.dev',
      alertEmails: ['payments-oncall@acme.dev'],
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags,
      supportCheckDate: '2026-11-21',
    });
    expect(namesOf(Testing.synth(dr))).toMatchSnapshot();
  });

  test('ProductionApp and ClusterPlatform: the namespaces and what holds data in them', () => {
    const app = new K8sApp();
    const service = new ProductionApp(app, 'billing', { name: 'billing', image: 'ghcr.io/acme/billing@sha256:' + 'a'.repeat(64) });
    const platform = new ClusterPlatform(app, 'Platform', {
      cluster: 'billing-production',
      cloud: PlatformCloud.aws({ region: 'eu-west-1' }),
      source: { repoURL: 'https://git.acme.dev/platform/gitops.git' },
      configPath: 'clusters/billing-production/platform',
      acmeEmail: 'payments-oncall@acme.dev',
    });
    const named = [...render(service), ...render(platform.applications), ...render(platform.config)]
      .filter(
        (o) =>
          ['Namespace', 'PersistentVolumeClaim', 'StatefulSet', 'AppProject', 'Application', 'StorageClass'].includes(o.kind) ||
          o.spec?.destination,
      )
      .map(
        (o) =>
          `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}${o.spec?.destination ? ` -> ${o.spec.destination.namespace}` : ''}`,
      );
    const namespaces = new Set(
      render(service)
        .map((o) => o.metadata.namespace)
        .filter(Boolean),
    );
    expect({ appNamespaces: [...namespaces].sort(), named: named.sort() }).toMatchSnapshot();
  });
});
