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
    [
      { databaseName: 'select' },
      `[test/Database] 'databaseName' ("select") is a PostgreSQL reserved word: RDS refuses it as a database name`,
    ],
    [
      { databaseName: 'template1' },
      `[test/Database] 'databaseName' ("template1") is a database every RDS for PostgreSQL instance already has: choose the application's own name`,
    ],
    [
      { masterUsername: 'billing_service_admin' },
      `[test/Database] 'masterUsername' ("billing_service_admin") must be 1 to 16 letters, digits and underscores, starting with a letter (RDS master user name)`,
    ],
    [
      { masterUsername: 'user' },
      `[test/Database] 'masterUsername' ("user") is a PostgreSQL reserved word: RDS refuses it as the master user name`,
    ],
    [{ masterUsername: 'rdsadmin' }, `[test/Database] 'masterUsername' ("rdsadmin") is a role RDS or PostgreSQL keeps: RDS refuses it`],
    [
      { masterUsername: 'pg_admin' },
      `[test/Database] 'masterUsername' ("pg_admin") is in the pg_/rds_ namespace PostgreSQL and RDS keep for their roles: RDS refuses it`,
    ],
    [
      { identifier: 'sk--prod' },
      `[test/Database] 'identifier' ("sk--prod") must be an RDS DB instance identifier: 1 to 63 lower-case letters, digits and hyphens, starting with a letter, without "--" and not ending with "-"`,
    ],
    [{ identifier: '9prod' }, `[test/Database] 'identifier' ("9prod") must be an RDS DB instance identifier`],
    [
      { instanceClass: 'm6g.large' },
      `[test/Database] 'instanceClass' ("m6g.large") must be an instance class of the form db.<family>.<size>, e.g. db.m6g.large`,
    ],
    [
      { version: PostgresVersion.of('17.x') },
      `[test/Database] 'version' ("17.x") must be a PostgreSQL version RDS offers: a major from 13 ("17") or a major.minor ("17.6")`,
    ],
    [{ version: PostgresVersion.of('9.6') }, `[test/Database] 'version' ("9.6") must be a PostgreSQL version RDS offers`],
  ])('%j is refused', (props, message) => {
    expect(() => database(props)).toThrow(message);
  });

  test('a long database name still makes a master user name RDS accepts (at most 16 characters)', () => {
    expect(only(database({ databaseName: 'billing_platform' }), 'aws_db_instance').username).toBe('billing_pl_admin');
    // Without a database name, the identifier names it (`sk-prod` → `sk_prod`): no name of the library's own.
    expect(only(database(), 'aws_db_instance')).toMatchObject({ db_name: 'sk_prod', username: 'sk_prod_admin' });
    expect(only(database({ masterUsername: 'postgres' }), 'aws_db_instance').username).toBe('postgres');
  });

  test('a pinned minor version keeps its parameter group family and turns automatic minor upgrades off', () => {
    const s = database({ version: PostgresVersion.of('17.6') });
    expect(only(s, 'aws_db_instance')).toMatchObject({ engine_version: '17.6', auto_minor_version_upgrade: false });
    expect(only(s, 'aws_db_parameter_group').family).toBe('postgres17');
    expect(only(database({ version: PostgresVersion.of('19', { unlisted: true }) }), 'aws_db_parameter_group').family).toBe('postgres19');
  });
});
