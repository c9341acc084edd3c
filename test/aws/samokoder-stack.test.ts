import { App, Testing } from 'cdktf';
// cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, …): only this suite uses them, so only it
// loads them.
import 'cdktf/lib/testing/adapters/jest';
import {
  AlarmSubscription,
  AwsRegion,
  EnvironmentProfile,
  SamokoderStack,
  SamokoderStackProps,
  SamokoderStateStack,
} from 'samokoder-infra';
import { only, resources, synth, synthesizedOnce, TEST_DATE } from '../util/tf';

Testing.setupJest();

const tags = { environment: 'production', service: 'samokoder', team: 'platform', costCenter: 'CC-1042' };

function stack(props: Partial<SamokoderStackProps> = {}, app: App = Testing.app()) {
  return new SamokoderStack(app, 'prod', {
    project: 'samokoder',
    environment: 'production',
    region: AwsRegion.EU_CENTRAL_1,
    tags,
    remoteState: { bucket: 'sk-state', region: 'eu-central-1' },
    supportCheckDate: TEST_DATE,
    alarmSubscriptions: [AlarmSubscription.email('oncall@samokoder.com')],
    appIdentities: [{ serviceAccount: 'api', filesBucketAccess: true }, { serviceAccount: 'bot' }],
    ...props,
  });
}

const synthDefault = synthesizedOnce(() => stack());

describe('SamokoderStack: argoCdHub', () => {
  test('a management role in another account is trusted by its ARN; no CIDR, no ingress rule', () => {
    const s = synth(stack({ argoCdHub: { managementRole: 'arn:aws:iam::111122223333:role/argocd-hub' } }));
    const role = resources(s, 'aws_iam_role').find((r) => r.name === 'samokoder-production-argocd')!;
    expect(JSON.parse(role.assume_role_policy).Statement[0].Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:role/argocd-hub' });
    expect(resources(s, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 443)).toEqual([]);
    expect(s.output?.argocd_cluster_role_arn.value).toMatch(/^\$\{aws_iam_role\.ArgoCdAccess_Role_\w+\.arn\}$/);
  });

  test('without argoCdHub nothing of it is made', () => {
    const s = synth(stack());
    expect(resources(s, 'aws_iam_role').filter((r) => String(r.name).endsWith('-argocd'))).toEqual([]);
    expect(resources(s, 'aws_secretsmanager_secret').filter((r) => String(r.name).endsWith('argocd-cluster'))).toEqual([]);
  });
});

describe('SamokoderStack', () => {
  test('no app identity unless named: the library has no app names of its own', () => {
    const s = stack({ appIdentities: undefined });
    expect(s.contract.serviceAccounts).toEqual([]);
    expect(Object.keys(s.appRoles)).toEqual([]);
  });

  test("cdktf's jest matchers are wired in", () => {
    const synthesized = Testing.synth(stack());
    expect(synthesized).toHaveResourceWithProperties(
      { tfResourceType: 'aws_db_instance' },
      { storage_encrypted: true, publicly_accessible: false },
    );
    expect(synthesized).not.toHaveResourceWithProperties({ tfResourceType: 'aws_db_instance' }, { publicly_accessible: true });
  });

  test('remote state: S3, encrypted, S3-native lock file', () => {
    const s = synthDefault();
    expect(s.terraform.backend).toEqual({
      s3: { bucket: 'sk-state', key: 'samokoder/production/terraform.tfstate', region: 'eu-central-1', encrypt: true, use_lockfile: true },
    });
  });

  test('cost-allocation tags are provider default tags', () => {
    const s = synthDefault();
    expect((s.provider as { aws: Array<{ default_tags: unknown }> }).aws[0].default_tags).toEqual([
      { tags: { Environment: 'production', Service: 'samokoder', Team: 'platform', CostCenter: 'CC-1042', ManagedBy: 'samokoder-infra' } },
    ]);
  });

  test('the database and cache admit only the EKS cluster security group', () => {
    const s = synthDefault();
    const rules = resources(s, 'aws_vpc_security_group_ingress_rule');
    expect(rules).toHaveLength(2);
    for (const r of rules) {
      expect(r.referenced_security_group_id).toMatch(/aws_eks_cluster\.Cluster_[0-9A-F]+\.vpc_config\[0\]\.cluster_security_group_id/);
      expect(r.cidr_ipv4).toBeUndefined();
    }
  });

  test('staging is cheaper without a second code path: one NAT, single-AZ database, one shard, smaller instances', () => {
    const prod = synthDefault();
    // The stateful names a stack first applied with an older library had can be kept (see CHANGELOG, migration).
    const kept = synth(stack({ databaseName: 'samokoder', databaseMasterUsername: 'samokoder_admin' }));
    expect(only(kept, 'aws_db_instance')).toMatchObject({ db_name: 'samokoder', username: 'samokoder_admin' });
    const staging = synth(
      stack({ environment: 'staging', profile: EnvironmentProfile.STAGING, tags: { ...tags, environment: 'staging' } }),
    );
    expect(resources(prod, 'aws_nat_gateway')).toHaveLength(3);
    expect(resources(staging, 'aws_nat_gateway')).toHaveLength(1);
    expect(only(prod, 'aws_db_instance')).toMatchObject({ multi_az: true, instance_class: 'db.m6g.large' });
    expect(only(staging, 'aws_db_instance')).toMatchObject({ multi_az: false, instance_class: 'db.t4g.medium' });
    expect(only(staging, 'aws_elasticache_replication_group')).toMatchObject({ num_node_groups: 1, node_type: 'cache.t4g.medium' });
    expect(only(staging, 'aws_eks_node_group').instance_types).toEqual(['t3.large']);
  });

  test('Cluster Autoscaler’s role: discovers, describes the node group, resizes only Auto Scaling groups EKS tagged for this cluster', () => {
    const s = synthDefault();
    const assoc = resources(s, 'aws_eks_pod_identity_association').find((a) => a.namespace === 'cluster-autoscaler');
    expect(assoc).toMatchObject({ service_account: 'cluster-autoscaler' });
    const role = resources(s, 'aws_iam_role').find((r) => r.name === 'samokoder-production-cluster-autoscaler');
    expect(role).toBeTruthy();
    const doc = resources(s, 'aws_iam_role_policy')
      .map((p) => JSON.parse(p.policy))
      .find((d) => d.Statement.some((st: { Sid: string }) => st.Sid === 'ResizeNodeGroups'));
    const bySid = Object.fromEntries(doc.Statement.map((st: { Sid: string }) => [st.Sid, st]));
    expect(bySid.ResizeNodeGroups).toMatchObject({
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Condition: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': 'samokoder-production' } },
    });
    expect(bySid.ResizeNodeGroups.Resource).toMatch(
      /^arn:aws:autoscaling:eu-central-1:\$\{.+\}:autoScalingGroup:\*:autoScalingGroupName\/\*$/,
    );
    expect(bySid.DescribeNodeGroups.Resource).toEqual(['${aws_eks_node_group.Cluster_NodeGroup_3295DA2B.arn}']);
    expect(bySid.DiscoverNodeGroups.Resource).toBe('*');
  });

  test('app roles: Pod Identity per service account, limited to named buckets, secrets and data users', () => {
    const s = synthDefault();
    const assoc = resources(s, 'aws_eks_pod_identity_association').filter((a) => a.namespace === 'samokoder');
    expect(assoc.map((a) => a.service_account).sort()).toEqual(['api', 'bot', 'database-bootstrap', 'database-dump']);
    const policies = resources(s, 'aws_iam_role_policy').filter((p) => p.name === 'least-privilege');
    expect(policies).toHaveLength(6); // api, bot, External Secrets, Cluster Autoscaler, the database bootstrap and dump
    for (const p of policies) {
      const doc = JSON.parse(p.policy);
      for (const st of doc.Statement) {
        expect(st.Action.every((a: string) => !a.includes('*'))).toBe(true);
        // Every resource only for actions that take none (Describe and Get: Cluster Autoscaler's discovery).
        if ([st.Resource].flat().includes('*'))
          expect([st.Sid, st.Action.every((a: string) => /:(Describe|Get)/.test(a))]).toEqual([st.Sid, true]);
      }
    }
    const api = JSON.parse(policies.find((p) => String(p.role).includes('AppRole-api'))!.policy);
    expect(api.Statement.map((st: { Sid: string }) => st.Sid)).toContain('ReadWriteObjects');
    const bot = JSON.parse(policies.find((p) => String(p.role).includes('AppRole-bot'))!.policy);
    expect(bot.Statement.map((st: { Sid: string }) => st.Sid)).not.toContain('ReadWriteObjects');
    // The apps read secrets through External Secrets, never Secrets Manager itself.
    for (const doc of [api, bot]) expect(JSON.stringify(doc)).not.toContain('secretsmanager:');
  });

  test('the database bootstrap has its own Pod Identity role that reads the RDS-managed master secret only', () => {
    const s = synth(stack());
    const policy = resources(s, 'aws_iam_role_policy').find((p) => String(p.role).includes('DatabaseBootstrapRole'))!;
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        Resource: ['${aws_db_instance.Database_Instance_02E622FB.master_user_secret[0].secret_arn}'],
      },
      {
        Sid: 'UseKeys',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: ['${aws_kms_key.Database_Key_64F5EF26.arn}'],
      },
    ]);
    const role = resources(s, 'aws_iam_role').find((r) => r.name === 'samokoder-production-database-bootstrap');
    // A Pod Identity role: only EKS' pod identity agent may assume it.
    expect(JSON.parse(role?.assume_role_policy ?? '{}').Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] },
    ]);
  });

  test('External Secrets has its own Pod Identity role that reads the environment\u2019s entries only', () => {
    const s = synthDefault();
    const assoc = resources(s, 'aws_eks_pod_identity_association').filter((a) => a.namespace === 'external-secrets');
    expect(assoc.map((a) => a.service_account)).toEqual(['external-secrets']);
    const policy = resources(s, 'aws_iam_role_policy').find((p) => String(p.role).includes('ExternalSecretsRole'))!;
    const statements = JSON.parse(policy.policy).Statement;
    const read = statements.find((st: { Action: string[] }) => st.Action.includes('secretsmanager:GetSecretValue'));
    expect(read.Resource).toEqual([
      'arn:aws:secretsmanager:eu-central-1:${data.aws_caller_identity.CallerIdentity.account_id}:secret:samokoder/production/*',
    ]);
  });

  test('the entries the cluster reads exist, created empty and protected: values are set out of band', () => {
    const s = synthDefault();
    const secrets = resources(s, 'aws_secretsmanager_secret')
      .map((x) => x.name)
      .sort();
    expect(secrets).toEqual(['samokoder/production/alerting', 'samokoder/production/app', 'samokoder/production/connection']);
    const versions = Object.values(s.resource.aws_secretsmanager_secret_version ?? {});
    expect(versions).toHaveLength(1); // only the connection settings (no secret) get a value from Terraform
    for (const x of resources(s, 'aws_secretsmanager_secret').filter((r) => r.name !== 'samokoder/production/connection')) {
      expect(x.lifecycle).toEqual({ prevent_destroy: true });
    }
  });

  test('the VPC CNI enforces NetworkPolicies (off by default, and then every policy is a silent no-op)', () => {
    const cni = resources(synthDefault(), 'aws_eks_addon').find((a) => a.addon_name === 'vpc-cni')!;
    expect(JSON.parse(cni.configuration_values)).toEqual({ enableNetworkPolicy: 'true' });
  });

  test('alarms must reach someone', () => {
    expect(() => stack({ alarmSubscriptions: [] })).toThrow(
      `[prod] 'alarmSubscriptions' ([]) must name at least one subscriber: alarms published to a topic nobody subscribes to page nobody (AlarmSubscription.email or .httpsFromSecret)`,
    );
  });

  test('IAM policies are literal JSON strings (scanners cannot read jsonencode)', () => {
    const s = synthDefault();
    for (const type of ['aws_iam_role_policy', 'aws_s3_bucket_policy', 'aws_kms_key']) {
      for (const r of resources(s, type)) {
        expect(String(r.policy)).not.toMatch(/jsonencode/);
        expect(() => JSON.parse(r.policy)).not.toThrow();
      }
    }
  });

  test('no secret value anywhere in the output: no password, auth token or secret string literal', () => {
    const text = Testing.synth(
      stack({
        alarmSubscriptions: [AlarmSubscription.httpsFromSecret('arn:aws:secretsmanager:eu-central-1:111122223333:secret:pagerduty-url')],
      }),
      true,
    );
    expect(text).not.toMatch(/"(password|master_password|auth_token|passwords)"\s*:/);
    const s = JSON.parse(text);
    const versions = Object.values(s.resource.aws_secretsmanager_secret_version) as Array<{ secret_string: string }>;
    const settings = JSON.parse(versions[0].secret_string);
    expect(Object.keys(settings).sort()).toEqual([
      'BACKUPS_BUCKET',
      'DATABASE_HOST',
      'DATABASE_MASTER_SECRET_ARN',
      'DATABASE_NAME',
      'DATABASE_PORT',
      'DATABASE_USER',
      'FILES_BUCKET',
      'REDIS_HOST',
      'REDIS_PORT',
      'REDIS_USER',
    ]);
    expect(only(s, 'aws_sns_topic_subscription').endpoint).toMatch(/^\$\{data\.aws_secretsmanager_secret_version\./);
  });

  test('the typed contract carries plain strings only', () => {
    const c = stack().contract;
    expect(c).toEqual({
      environment: 'production',
      region: 'eu-central-1',
      clusterName: 'samokoder-production',
      kubernetesVersion: '1.35',
      namespace: 'samokoder',
      serviceAccounts: ['api', 'bot'],
      podIdentities: [
        { namespace: 'samokoder', serviceAccount: 'api' },
        { namespace: 'samokoder', serviceAccount: 'bot' },
        { namespace: 'external-secrets', serviceAccount: 'external-secrets' },
        { namespace: 'cluster-autoscaler', serviceAccount: 'cluster-autoscaler' },
        { namespace: 'samokoder', serviceAccount: 'database-bootstrap' },
        { namespace: 'samokoder', serviceAccount: 'database-dump' },
      ],
      secretEntries: ['samokoder/production/connection', 'samokoder/production/app', 'samokoder/production/alerting'],
      connectionSecretName: 'samokoder/production/connection',
      secretPrefix: 'samokoder/production/',
      dataSubnetCidrs: ['10.0.108.0/24', '10.0.109.0/24', '10.0.110.0/24'],
      dataTier: [
        { name: 'postgres', cidrs: ['10.0.108.0/24', '10.0.109.0/24', '10.0.110.0/24'], port: 5432 },
        { name: 'redis', cidrs: ['10.0.108.0/24', '10.0.109.0/24', '10.0.110.0/24'], port: 6379 },
      ],
      databaseBootstrap: { user: 'samokoder_app', database: 'samokoder', serviceAccount: 'database-bootstrap' },
    });
    expect(JSON.stringify(c)).not.toMatch(/\$\{/);
  });

  test('outputs form the documented contract', () => {
    const s = synthDefault();
    expect(Object.keys(s.output ?? {}).sort()).toEqual([
      'alarm_topic_arn',
      'app_role_arn_api',
      'app_role_arn_bot',
      'backups_bucket',
      'cluster_endpoint',
      'cluster_name',
      'cluster_oidc_issuer',
      'connection_secret_name',
      'database_bootstrap_role_arn',
      'database_dump_role_arn',
      'database_endpoint',
      'database_master_secret_arn',
      'external_secrets_role_arn',
      'files_bucket',
      'recovery_backups_bucket',
      'recovery_database_backups_arn',
      'recovery_files_bucket',
      'redis_app_user',
      'redis_configuration_endpoint',
    ]);
  });

  test('alarms cover the database, every cache node and node health, all to the SNS topic', () => {
    const alarms = resources(synthDefault(), 'aws_cloudwatch_metric_alarm');
    const metrics = alarms.map((a) => `${a.namespace}/${a.metric_name}`);
    expect(metrics.filter((m) => m.startsWith('AWS/RDS')).sort()).toEqual([
      'AWS/RDS/CPUUtilization',
      'AWS/RDS/DatabaseConnections',
      'AWS/RDS/FreeStorageSpace',
    ]);
    expect(metrics.filter((m) => m === 'AWS/ElastiCache/Evictions')).toHaveLength(6);
    expect(metrics).toContain('ContainerInsights/cluster_failed_node_count');
    expect(alarms.every((a) => a.alarm_actions.length === 1 && String(a.alarm_actions[0]).includes('aws_sns_topic'))).toBe(true);
  });

  describe('bad input', () => {
    test.each([
      [
        { tags: { ...tags, costCenter: '' } },
        `[prod] 'tags.costCenter' ("") is required on every stack (cost allocation): 1–256 characters of letters, digits, spaces and _ . : / = + - @`,
      ],
      [
        { tags: { environment: 'production', service: 'samokoder', team: 'platform' } as never },
        `[prod] 'tags.costCenter' (undefined) is required on every stack`,
      ],
      [{ environment: 'Prod!' }, `[prod] 'environment' ("Prod!") must be a DNS label`],
      [{ filesBucketName: 'Bad_Name' }, `[prod] 'filesBucketName' ("Bad_Name") is not a valid S3 bucket name`],
      [
        { remoteState: { bucket: 'sk-state', region: 'europe' } },
        `[prod] 'remoteState.region' ("europe") must be an AWS region name such as "eu-central-1"`,
      ],
      [{ backupRetentionDays: 40 }, `[prod] 'backupRetentionDays' (40) must be a whole number from 1 to 35`],
      [{ azCount: 4 }, `[prod] 'azCount' (4) must be from 2 to 3`],
      [{ vpcCidr: '10.0.0.0/12' }, `[prod] 'vpcCidr' ("10.0.0.0/12") must have a prefix length from /16 to /20`],
      [
        { project: 'team--a' },
        `[prod] 'project' ("team--a") must begin with a letter and hold no "--": it starts the RDS and ElastiCache identifiers, which allow neither`,
      ],
      [{ project: '2fa' }, `[prod] 'project' ("2fa") must begin with a letter and hold no "--"`],
      [{ namespace: 'default' }, `[prod] 'namespace' ("default") is reserved for Kubernetes or the platform layer`],
      [
        { appDatabaseUser: 'rdsadmin' },
        `[prod] 'appDatabaseUser' ("rdsadmin") is a role RDS or PostgreSQL keeps: PostgreSQL refuses to create it`,
      ],
      [
        { appDatabaseUser: 'app user' },
        `[prod] 'appDatabaseUser' ("app user") must be a PostgreSQL role name: 1 to 63 letters, digits, _ and -, not starting with a digit`,
      ],
      [
        { adminPrincipalArns: ['admin'] },
        `[prod] 'adminPrincipalArns[0]' ("admin") must be the ARN of an IAM role or user (arn:aws:iam::<account>:role/<name>): EKS access entries take no root, group or assumed-role ARNs`,
      ],
      [
        { adminPrincipalArns: ['arn:aws:iam::123456789012:root'] },
        `[prod] 'adminPrincipalArns[0]' ("arn:aws:iam::123456789012:root") must be the ARN`,
      ],
      [{ secretEntries: ['app', 'app'] }, `[prod] 'secretEntries[1]' ("app") is listed twice`],
      [
        { argoCdHub: { managementRole: 'arn:aws:iam::123456789012:user/argocd' } },
        `[prod] 'argoCdHub.managementRole' ("arn:aws:iam::123456789012:user/argocd") must be the ARN of an IAM role (arn:aws:iam::<account>:role/<name>) or the name of a role in this account: the hub assumes the cluster role with it`,
      ],
      [
        { argoCdHub: { managementRole: 'argocd-hub', apiAccessCidrs: ['0.0.0.0/0'] } },
        `[prod] 'argoCdHub.apiAccessCidrs[0]' ("0.0.0.0/0") opens the Kubernetes API to the whole internet`,
      ],
      [
        { argoCdHub: { managementRole: 'argocd-hub', apiAccessCidrs: ['10.100.0.0/16', '10.100.0.0/16'] } },
        `[prod] 'argoCdHub.apiAccessCidrs[1]' ("10.100.0.0/16") is listed twice (argoCdHub.apiAccessCidrs[0])`,
      ],
      [
        { argoCdHub: { managementRole: 'argocd-hub' }, secretEntries: ['argocd-cluster'] },
        `[prod] 'secretEntries[0]' ("argocd-cluster") is the name of an entry the construct creates itself (connection, argocd-cluster)`,
      ],
      [{ argoCdHub: { managementRole: 'argocd-hub', cidrs: [] } as never }, `[prod] 'argoCdHub.cidrs'`],
      [
        { secretEntries: ['connection'] },
        `[prod] 'secretEntries[0]' ("connection") is the name of an entry the construct creates itself (connection)`,
      ],
      [
        { databaseMasterUsername: '1admin' },
        `[prod] 'databaseMasterUsername' ("1admin") must be 1 to 16 letters, digits and underscores, starting with a letter (RDS master user name)`,
      ],
      [{ databaseName: 'template1' }, `[prod] 'databaseName' ("template1") is a database every RDS for PostgreSQL instance already has`],
      [
        { databaseInstanceClass: 'large' },
        `[prod] 'databaseInstanceClass' ("large") must be an instance class of the form db.<family>.<size>`,
      ],
      [
        { nodeGroup: { instanceTypes: ['t4g.large', 't3.large'] } },
        `[prod] 'nodeGroup.instanceTypes' (["t4g.large","t3.large"]) mixes CPU architectures`,
      ],
    ])('%j is refused', (props, message) => {
      expect(() => stack(props)).toThrow(message);
    });

    test.each([
      ['https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue'],
      ['https://hooks.slack.com/services/T000/B000/XXXXXXXX'],
      ['https://alerts.example.com/hook?token=abc'],
      ['https://user:hunter2@alerts.example.com/hook'],
    ])('a webhook with a credential in it (%s) is refused, and the message does not repeat it', (url) => {
      let message = '';
      try {
        stack({ alarmSubscriptions: [AlarmSubscription.https(url)] });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toBe(
        `[prod] 'alarmSubscriptions[0]' ("<redacted>") embeds a credential (integration key, webhook token or password) and would be committed in the synthesized configuration: store the URL in Secrets Manager and use AlarmSubscription.httpsFromSecret(arn)`,
      );
    });

    test('a secret reference that is not an ARN is refused', () => {
      expect(() => stack({ alarmSubscriptions: [AlarmSubscription.httpsFromSecret('https://hooks.slack.com/services/T/B/X')] })).toThrow(
        `[prod] 'alarmSubscriptions[0]' ("<redacted>") must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`,
      );
    });
  });
});

describe('SamokoderStateStack', () => {
  test('a versioned, KMS-encrypted, TLS-only, access-logged state bucket with local state of its own', () => {
    const app = Testing.app();
    const s = synth(new SamokoderStateStack(app, 'state', { region: AwsRegion.EU_CENTRAL_1, bucketName: 'sk-state', tags }));
    const buckets = resources(s, 'aws_s3_bucket').map((b) => b.bucket);
    expect(buckets.sort()).toEqual(['sk-state', 'sk-state-access-logs']);
    // Local state next to the project, as a relative path: the same output from any checkout directory.
    expect(s.terraform.backend).toEqual({ local: { path: '../../../terraform.state.tfstate' } });
    expect(JSON.stringify(s)).not.toContain(process.cwd());
    expect(resources(s, 'aws_s3_bucket_versioning')).toHaveLength(2);
    expect(resources(s, 'aws_s3_bucket_logging')).toHaveLength(1);
  });
});

describe('across stacks', () => {
  test('two stacks of one app with overlapping VPCs are refused with our message', () => {
    const app = Testing.app();
    stack({}, app);
    expect(
      () =>
        new SamokoderStack(app, 'staging', {
          environment: 'staging',
          region: AwsRegion.EU_CENTRAL_1,
          tags: { ...tags, environment: 'staging' },
          remoteState: { bucket: 'sk-state', region: 'eu-central-1' },
          supportCheckDate: TEST_DATE,
          alarmSubscriptions: [AlarmSubscription.email('oncall@samokoder.com')],
          vpcCidr: '10.0.128.0/17',
        }),
    ).toThrow(
      `[staging] 'vpcCidr' ("10.0.128.0/17") overlaps 10.0.0.0/16, the VPC of prod/Network in the same app: environments that may be peered or routed need disjoint ranges`,
    );
  });
});

describe("names are the team's", () => {
  test('the project comes from the stack id when not given: buckets, cluster and state key carry it', () => {
    const s = synth(
      new SamokoderStack(Testing.app(), 'billing-staging', {
        environment: 'staging',
        profile: EnvironmentProfile.STAGING,
        region: AwsRegion.EU_CENTRAL_1,
        tags: { environment: 'staging', service: 'billing', team: 'payments', costCenter: 'CC-7' },
        remoteState: { bucket: 'billing-state', region: 'eu-central-1' },
        supportCheckDate: TEST_DATE,
        alarmSubscriptions: [AlarmSubscription.email('oncall@billing.example')],
      }),
    );
    expect(
      resources(s, 'aws_s3_bucket')
        .map((b) => b.bucket)
        .sort(),
    ).toEqual(['billing-staging-access-logs', 'billing-staging-backups', 'billing-staging-files']);
    expect(only(s, 'aws_eks_cluster').name).toBe('billing-staging');
    expect(s.terraform.backend).toMatchObject({ s3: { key: 'billing/staging/terraform.tfstate' } });
    expect(JSON.stringify(s)).not.toMatch(/samokoder(?!-infra)/);
  });
});
