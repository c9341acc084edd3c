import { SamokoderCache, SamokoderCacheProps } from 'samokoder-infra';
import { only, resources, synth, testStack } from '../util/tf';

function cache(props: Partial<SamokoderCacheProps> = {}) {
  const stack = testStack();
  const c = new SamokoderCache(stack, 'Cache', {
    name: 'sk-prod',
    region: 'eu-central-1',
    vpcId: 'vpc-1',
    subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    clientSecurityGroupId: 'sg-cluster',
    ...props,
  });
  return { s: synth(stack), c };
}

describe('SamokoderCache', () => {
  test('Redis 7 cluster mode, 3 shards x 1 replica, encrypted, TLS required, Multi-AZ failover, snapshots, slow log', () => {
    const rg = only(cache().s, 'aws_elasticache_replication_group');
    expect(rg).toMatchObject({
      engine: 'redis',
      engine_version: '7.1',
      cluster_mode: 'enabled',
      parameter_group_name: 'default.redis7.cluster.on',
      num_node_groups: 3,
      replicas_per_node_group: 1,
      at_rest_encryption_enabled: 'true',
      transit_encryption_enabled: true,
      transit_encryption_mode: 'required',
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      snapshot_retention_limit: 7,
      lifecycle: { prevent_destroy: true },
    });
    expect(rg.auth_token).toBeUndefined();
    expect(rg.log_delivery_configuration).toEqual([
      expect.objectContaining({ destination_type: 'cloudwatch-logs', log_type: 'slow-log', log_format: 'json' }),
    ]);
  });

  test('deleting or replacing the group leaves a last-resort copy: a final snapshot named after it (#25)', () => {
    // final_snapshot_identifier: "If omitted, no final snapshot will be made" (hashicorp/terraform-provider-aws
    // website/docs/r/elasticache_replication_group.html.markdown; ElastiCache DeleteReplicationGroup
    // FinalSnapshotIdentifier, taken from the primary). Changing it does not replace the group
    // (lib/upgrade/replacement-table.ts, asked of the provider). The daily snapshots go with the group.
    expect(only(cache().s, 'aws_elasticache_replication_group').final_snapshot_identifier).toBe('sk-prod-final');
  });

  test('authentication is IAM through an RBAC user group; the built-in default user is disabled', () => {
    const s = cache().s;
    const users = resources(s, 'aws_elasticache_user');
    expect(users.find((u) => u.user_name === 'default')).toMatchObject({ access_string: 'off -@all' });
    expect(users.find((u) => u.user_name === 'sk-prod-app')).toMatchObject({ authentication_mode: { type: 'iam' } });
    expect(users.some((u) => u.passwords !== undefined)).toBe(false);
    expect(only(s, 'aws_elasticache_replication_group').user_group_ids).toEqual([
      expect.stringMatching(/^\$\{aws_elasticache_user_group\.Cache_UserGroup_[0-9A-F]+\.user_group_id\}$/),
    ]);
  });

  test('member cluster ids follow the shard/node naming for per-node alarms', () => {
    expect(cache({ shards: 2, replicasPerShard: 1 }).c.memberClusterIds).toEqual([
      'sk-prod-0001-001',
      'sk-prod-0001-002',
      'sk-prod-0002-001',
      'sk-prod-0002-002',
    ]);
  });

  test.each([
    [{ replicasPerShard: 0 }, `[test/Cache] 'replicasPerShard' (0) must be a whole number from 1 to 5`],
    [{ snapshotRetentionDays: 0 }, `[test/Cache] 'snapshotRetentionDays' (0) must be a whole number from 1 to 35`],
    [
      { name: 'a'.repeat(41) },
      `[test/Cache] 'name' ("${'a'.repeat(41)}") must be an ElastiCache replication group id: 1 to 40 lower-case letters, digits and hyphens, starting with a letter, without "--" and not ending with "-"`,
    ],
    [{ name: '1-prod' }, `[test/Cache] 'name' ("1-prod") must be an ElastiCache replication group id`],
    [{ name: 'sk--prod' }, `[test/Cache] 'name' ("sk--prod") must be an ElastiCache replication group id`],
    [
      { nodeType: 'm7g.large' },
      `[test/Cache] 'nodeType' ("m7g.large") must be an instance class of the form cache.<family>.<size>, e.g. cache.m7g.large`,
    ],
  ])('%j is refused', (props, message) => {
    expect(() => cache(props)).toThrow(message);
  });

  test('unusual but valid names and node types pass', () => {
    expect(() => cache({ name: 'a'.repeat(40), nodeType: 'cache.r7g.xlarge' })).not.toThrow();
    expect(() => cache({ name: 'a1-b2-c3' })).not.toThrow();
  });
});
