/**
 * Values known only at deploy time (a TerraformVariable, a reference) pass the shape checks of names, types, counts
 * and addresses: Terraform checks them when it knows them (the aws-cdk `Token.isUnresolved` rule). Where the library
 * must compute from a value at synth (a CIDR's subnets), the message says so instead of pointing the wrong way.
 */
import { TerraformStack, TerraformVariable } from 'cdktf';
import {
  AlarmSubscription,
  AwsRegion,
  SamokoderCache,
  SamokoderCluster,
  SamokoderDatabase,
  SamokoderNetwork,
  SecureBucket,
} from 'samokoder-infra';
import { Testing } from 'cdktf';
import { MultiRegionDR } from 'samokoder-infra';
import { synth, TEST_DATE, testStack } from '../util/tf';

const v = (stack: TerraformStack, name: string, type = 'string') => new TerraformVariable(stack, name, { type });

describe('deploy-time values', () => {
  test('database, cache and cluster names, classes, users and counts from variables pass and are written as references', () => {
    const stack = testStack();
    new SamokoderDatabase(stack, 'Db', {
      identifier: v(stack, 'db_id').stringValue,
      vpcId: 'vpc-1',
      subnetIds: ['a', 'b'],
      clientSecurityGroupId: 'sg',
      instanceClass: v(stack, 'db_class').stringValue,
      masterUsername: v(stack, 'db_user').stringValue,
      databaseName: v(stack, 'db_name').stringValue,
      backupRetentionDays: v(stack, 'db_backups', 'number').numberValue,
    });
    new SamokoderCache(stack, 'Cache', {
      name: v(stack, 'cache_id').stringValue,
      region: 'eu-central-1',
      vpcId: 'vpc-1',
      subnetIds: ['a', 'b'],
      clientSecurityGroupId: 'sg',
      nodeType: v(stack, 'cache_type').stringValue,
    });
    new SamokoderCluster(stack, 'Eks', {
      clusterName: v(stack, 'eks_name').stringValue,
      region: 'eu-central-1',
      subnetIds: ['a', 'b'],
      supportCheckDate: TEST_DATE,
      nodeGroup: { instanceTypes: [v(stack, 'node_type').stringValue] },
    });
    const s = synth(stack);
    const db = Object.values(s.resource.aws_db_instance)[0];
    expect(db).toMatchObject({ identifier: '${var.db_id}', instance_class: '${var.db_class}', username: '${var.db_user}' });
    expect(Object.values(s.resource.aws_elasticache_replication_group)[0]).toMatchObject({ node_type: '${var.cache_type}' });
    expect(Object.values(s.resource.aws_eks_node_group)[0]).toMatchObject({ instance_types: ['${var.node_type}'] });
  });

  test('e-mail addresses from variables pass (alarms, DR uptime alerts)', () => {
    const app = Testing.app();
    const inputs = new TerraformStack(app, 'inputs');
    const drProps = (alertEmails: string[]) => ({
      project: 'acme',
      localState: true,
      domain: 'acme.example',
      host: 'app.acme.example',
      alertEmails,
      apiAllowedCidrs: ['203.0.113.0/24'],
      tags: { environment: 'production', service: 'acme', team: 'platform', costCenter: 'CC-1' },
      supportCheckDate: TEST_DATE,
    });
    expect(() => new MultiRegionDR(app, 'acme-dr', drProps([v(inputs, 'oncall_email').stringValue]))).not.toThrow();
    // The same check still refuses a literal that is not an address.
    expect(() => new MultiRegionDR(Testing.app(), 'acme-dr', drProps(['oncall']))).toThrow(
      `[acme-dr/Entry] 'alertEmails[0]' ("oncall") must be an e-mail address`,
    );
    const stack = testStack();
    expect(() => AlarmSubscription.email(v(stack, 'oncall').stringValue)).not.toThrow();
  });

  test('a CIDR must be known at synth, and the message says why', () => {
    const stack = testStack();
    expect(
      () =>
        new SamokoderNetwork(stack, 'Net', {
          namePrefix: 'acme',
          region: AwsRegion.EU_CENTRAL_1,
          logsKmsKeyArn: 'arn:aws:kms:eu-central-1:111122223333:key/abc',
          cidr: v(stack, 'cidr').stringValue,
        }),
    ).toThrow(
      /\[test\/Net\] 'cidr' \("\$\{TfToken\[TOKEN\.\d+\]\}"\) must be known at synth, not a deploy-time value \(a Terraform variable or reference\): subnets, rules and overlap checks are computed from it/,
    );
  });

  test('a bucket without a BucketLifecycle (a JavaScript caller) is refused by name, not with a TypeError', () => {
    const stack = testStack();
    expect(() => new SecureBucket(stack, 'B', { bucketName: 'acme-files', lifecycle: {} as never })).toThrow(
      `[test/B] 'lifecycle' ({}) must be a BucketLifecycle (BucketLifecycle.files(), .backups(), .logs() or .state())`,
    );
  });
});
