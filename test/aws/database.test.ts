import { PostgresVersion, SamokoderDatabase, SamokoderDatabaseProps } from 'samokoder-infra';
import { only, synth, testStack } from '../util/tf';

function database(props: Partial<SamokoderDatabaseProps> = {}) {
  const stack = testStack();
  new SamokoderDatabase(stack, 'Database', {
    identifier: 'sk-prod',
    vpcId: 'vpc-1',
    subnetIds: ['subnet-a', 'subnet-b', 'subnet-c'],
    clientSecurityGroupId: 'sg-cluster',
    ...props,
  });
  return synth(stack);
}

describe('SamokoderDatabase', () => {
  test('secure defaults on the instance', () => {
    const db = only(database(), 'aws_db_instance');
    expect(db).toMatchObject({
      engine: 'postgres',
      engine_version: '17',
      storage_encrypted: true,
      multi_az: true,
      publicly_accessible: false,
      backup_retention_period: 14,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'sk-prod-final',
      manage_master_user_password: true,
      iam_database_authentication_enabled: true,
      performance_insights_enabled: true,
      monitoring_interval: 30,
      auto_minor_version_upgrade: true,
      copy_tags_to_snapshot: true,
      enabled_cloudwatch_logs_exports: ['postgresql', 'upgrade', 'iam-db-auth-error'],
      max_allocated_storage: 1000,
      lifecycle: { prevent_destroy: true },
    });
    expect(db.kms_key_id).toMatch(/aws_kms_key\.Database_Key/);
    expect(db.password).toBeUndefined();
  });

  test('parameter group forces TLS and logs slow statements', () => {
    const pg = only(database({ version: PostgresVersion.V18, slowStatementMs: 250 }), 'aws_db_parameter_group');
    expect(pg.family).toBe('postgres18');
    expect(pg.parameter).toEqual(
      expect.arrayContaining([
        { name: 'rds.force_ssl', value: '1', apply_method: 'pending-reboot' },
        { name: 'log_min_duration_statement', value: '250', apply_method: 'immediate' },
      ]),
    );
  });

  test('only the cluster security group may connect, on 5432', () => {
    const s = database();
    expect(only(s, 'aws_vpc_security_group_ingress_rule')).toMatchObject({
      referenced_security_group_id: 'sg-cluster',
      from_port: 5432,
      to_port: 5432,
      ip_protocol: 'tcp',
    });
    expect(only(s, 'aws_security_group').ingress).toBeUndefined();
  });

  test.each([
    [{ backupRetentionDays: 0 }, `[test/Database] 'backupRetentionDays' (0) must be a whole number from 1 to 35`],
    [{ backupRetentionDays: 36 }, `[test/Database] 'backupRetentionDays' (36) must be a whole number from 1 to 35`],
    [{ subnetIds: ['subnet-a'] }, `[test/Database] 'subnetIds' (1) must name subnets in at least 2 availability zones`],
    [
      { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100 },
      `[test/Database] 'maxAllocatedStorageGiB' (100) must be at least 'allocatedStorageGiB' (200)`,
    ],
    [{ databaseName: '1db' }, `[test/Database] 'databaseName' ("1db") must start with a letter`],
  ])('%j is refused', (props, message) => {
    expect(() => database(props)).toThrow(message);
  });
});
