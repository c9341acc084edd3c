import { Construct } from 'constructs';
import {
  _PART_PROPS,
  SAMOKODERSTACK_PROPS,
  SAMOKODERSTACK_REQUIRED,
  SamokoderStackProps,
  _appServiceAccounts,
  _checkAdminPrincipals,
} from './samokoder-stack-props';
import { _AllKeys, _checkLists, _checkProps } from '../common/props';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { PlatformContract } from '../common/contract';
import { _CLUSTER_AUTOSCALER_IDENTITY } from '../common/identities';
import { costAllocationTagMap } from '../common/tags';
import { _requireEnvironment, environmentTier } from '../common/environment';
import { _projectFromStackId } from '../common/names';
import { _blameOn, invalidCombination, invalidDerivedProp, invalidProp } from '../common/errors';
import { _freeId, requireDnsLabel, requireSecretEntryNames } from '../common/validate';
import { TerraformStack } from '../private/tf';
import { _publishContracts } from '../private/publish-contract';
import { PLATFORM_CONTRACT_FILE_NAME } from '../common/contract-file';
import { SamokoderAlarms } from './alarms';
import { _resolveHubAccess, ArgoCdSpokeAccess } from './argocd-access';
import { SamokoderCache } from './cache';
import { SamokoderDatabase } from './database';
import { SamokoderCluster } from './eks-cluster';
import { EnvironmentProfile } from './environment-profile';
import { SamokoderNetwork } from './network';
import { PodRole } from './pod-role';
import { _callerIdentity, _createKey } from './private/kms';
import { _configureS3Backend, _requireOwnStateKey } from './remote-state';
import { BucketLifecycle, SecureBucket } from './secure-bucket';
import { _scanStackForCredentials } from '../private/credential-scan';
import { refuseReservedNamespace } from '../common/namespaces';
import { _requireDatabaseName, _requireDatabaseRole, _requireMasterUsername } from './private/limits';
import { _databaseBootstrapContract, _databaseBootstrapRole, _databaseDumpRole } from './database-bootstrap';
import { DATABASE_DUMP_USER, DATABASE_MASTER_SECRET_KEY } from '../common/database-bootstrap';
import { RecoveryCopies, _resolveRecovery } from './recovery-copies';
import { _stackOutputs } from './stack-outputs';

export type { AppIdentity, SamokoderStackProps } from './samokoder-stack-props';

/**
 * The Samokoder AWS platform in one stack: network, EKS, PostgreSQL, Redis, buckets, alarms, pod identities and
 * remote state, secure by default and tagged for cost allocation.
 */
export class SamokoderStack extends TerraformStack {
  public readonly network: SamokoderNetwork;
  public readonly cluster: SamokoderCluster;
  public readonly database: SamokoderDatabase;
  public readonly cache: SamokoderCache;
  public readonly filesBucket: SecureBucket;
  public readonly backupsBucket: SecureBucket;
  public readonly accessLogsBucket: SecureBucket;
  public readonly alarms: SamokoderAlarms;
  public readonly appRoles: Record<string, PodRole> = {};
  /** The External Secrets controller's role: reads the environment's secret entries. */
  public readonly externalSecretsRole: PodRole;
  /** The database bootstrap's Pod Identity role (`<namespace>/database-bootstrap`): reads the RDS-managed master secret. */
  public readonly databaseBootstrapRole: PodRole;
  /** The scheduled dump's Pod Identity role (`<namespace>/database-dump`): logs in read-only, writes dumps only. */
  public readonly databaseDumpRole: PodRole;
  /** Cluster Autoscaler's Pod Identity role (`cluster-autoscaler/cluster-autoscaler`): resizes the node group. */
  public readonly clusterAutoscalerRole: PodRole;
  /** The copies in another region (database backups, buckets), when `recovery` is on. */
  public readonly recovery?: RecoveryCopies;
  /** What the Argo CD hub deploys with, when `argoCdHub` is set. */
  public readonly argoCdAccess?: ArgoCdSpokeAccess;
  /**
   * What the Kubernetes side needs to know, as plain strings. Also written at synth beside the stack's Terraform JSON,
   * `cdktf.out/stacks/<stack>/platform-contract.json`, for a Kubernetes repository to read with
   * `PlatformContract.fromFile`.
   */
  public readonly contract: PlatformContract;

  constructor(scope: Construct, id: string, props: SamokoderStackProps) {
    super(scope, _freeId(scope, id));
    _scanStackForCredentials(this);
    // The type argument fails to compile when a prop of SamokoderStackProps is missing from SAMOKODERSTACK_PROPS.
    _checkProps<_AllKeys<SamokoderStackProps, typeof SAMOKODERSTACK_PROPS>>(
      this.node.path,
      'SamokoderStack',
      props,
      SAMOKODERSTACK_PROPS,
      SAMOKODERSTACK_REQUIRED,
    );
    _checkLists(this.node.path, props, ['avoidCidrs', 'adminPrincipalArns', 'appIdentities', 'alarmSubscriptions', 'secretEntries']);
    const path = this.node.path;
    const env = requireDnsLabel(path, 'environment', props.environment, 20);
    // Without 'project', the stack id names it ("billing-production" → "billing"): messages say so.
    const projectSource = props.project === undefined ? 'from the stack id' : undefined;
    const project = requireDnsLabel(path, 'project', props.project ?? _projectFromStackId(id, [env]) ?? id, 20, projectSource);
    const tags = costAllocationTagMap(path, props.tags);
    _requireEnvironment(path, env, props.unlistedEnvironment, props.tags.environment);
    const profile = (props.profile ?? EnvironmentProfile.PRODUCTION)._d;
    // The preset's single-AZ database and single NAT are what production must not have (SK-AWS-011 refuses the
    // database only under the policy pack); sizes can still be lowered prop by prop on the production preset.
    if (props.profile === EnvironmentProfile.STAGING && environmentTier(env) === 'production') {
      throw invalidProp(
        path,
        'profile',
        'EnvironmentProfile.STAGING',
        `gives production ("${env}") a single-AZ database and one NAT gateway: a zone outage stops it; use EnvironmentProfile.PRODUCTION and override sizes prop by prop`,
      );
    }
    const name = `${project}-${env}`;
    // `<project>-<environment>` names the RDS instance and the ElastiCache replication group: both must begin with a
    // letter and hold no "--", and the replication group id holds at most 40 characters.
    if (!/^[a-z]/.test(project) || project.includes('--')) {
      const rule = 'must begin with a letter and hold no "--": it starts the RDS and ElastiCache identifiers, which allow neither';
      throw projectSource ? invalidDerivedProp(path, 'project', project, projectSource, rule) : invalidProp(path, 'project', project, rule);
    }
    if (name.length > 40) {
      throw invalidCombination(
        path,
        `'project' and 'environment' make "${name}" (${name.length} characters): the ElastiCache replication group id allows 40; shorten one of them`,
      );
    }
    const namespace =
      props.namespace !== undefined
        ? refuseReservedNamespace(path, 'namespace', requireDnsLabel(path, 'namespace', props.namespace))
        : refuseReservedNamespace(path, 'project', project, "the namespace defaults to the project; set 'namespace'", projectSource);
    const appDbUser = _requireDatabaseRole(path, 'appDatabaseUser', props.appDatabaseUser ?? `${project}_app`);
    const databaseName = _requireDatabaseName(path, 'databaseName', props.databaseName ?? project.replace(/-/g, '_'));
    const master = props.databaseMasterUsername ?? `${(props.databaseName ?? project.replace(/-/g, '_')).slice(0, 10)}_admin`;
    if (appDbUser === master || appDbUser === DATABASE_DUMP_USER) {
      const what =
        appDbUser === master ? 'the master user: the pods would connect with every privilege' : "the scheduled dump's read-only role";
      throw invalidProp(path, 'appDatabaseUser', appDbUser, `is ${what}; give the app a role of its own`);
    }
    _checkAdminPrincipals(path, props.adminPrincipalArns);
    const appServiceAccounts = _appServiceAccounts(path, name, props.appIdentities);
    const region = props.region._check(path, 'region').name;
    const recovery = _resolveRecovery(path, props.recovery, profile.recovery, region, props.backupRetentionDays);
    // Checked before anything is built (ArgoCdSpokeAccess checks it again where it uses it).
    const hub = props.argoCdHub;
    if (hub !== undefined) _resolveHubAccess(path, 'argoCdHub', hub);

    _requireOwnStateKey(path, project, env, props.remoteState);
    _configureS3Backend(this, props.remoteState, `${project}/${env}/terraform.tfstate`);
    for (const prop of ['filesBucketName', 'backupsBucketName'] as const) {
      const rule = 'is the state bucket (remoteState.bucket): the stack would create, and own, the bucket of its own state';
      if (props[prop] !== undefined && props[prop] === props.remoteState.bucket) throw invalidProp(path, prop, props[prop], rule);
    }
    new AwsProvider(this, 'Aws', { region, defaultTags: [{ tags }] });
    const account = _callerIdentity(this).accountId;

    const logsKey = _createKey(this, 'LogsKey', { alias: `${name}-logs`, description: `${name} platform logs`, logsRegion: region });
    // A part's refusal names the prop the user wrote here (`vpcCidr`, not the network's `cidr`).
    const blame = <T>(part: keyof typeof _PART_PROPS, build: () => T): T => _blameOn(path, part, _PART_PROPS[part], build);
    this.network = blame(
      'Network',
      () =>
        new SamokoderNetwork(this, 'Network', {
          namePrefix: name,
          region: props.region,
          cidr: props.vpcCidr,
          avoidCidrs: props.avoidCidrs,
          azCount: props.azCount,
          natGateways: props.natGateways ?? profile.natGateways,
          clusterName: name,
          logsKmsKeyArn: logsKey.arn,
        }),
    );
    this.cluster = blame(
      'Cluster',
      () =>
        new SamokoderCluster(this, 'Cluster', {
          clusterName: name,
          region,
          subnetIds: this.network.privateSubnetIds,
          version: props.kubernetesVersion,
          supportCheckDate: props.supportCheckDate,
          endpointAccess: props.endpointAccess,
          adminPrincipalArns: props.adminPrincipalArns,
          nodeGroup: {
            instanceTypes: profile.nodeInstanceTypes,
            minSize: profile.nodeMin,
            maxSize: profile.nodeMax,
            ...props.nodeGroup,
          },
        }),
    );
    this.database = blame(
      'Database',
      () =>
        new SamokoderDatabase(this, 'Database', {
          identifier: name,
          vpcId: this.network.vpc.id,
          subnetIds: this.network.databaseSubnetIds,
          clientSecurityGroupId: this.cluster.clusterSecurityGroupId,
          version: props.postgresVersion,
          instanceClass: props.databaseInstanceClass ?? profile.databaseInstanceClass,
          multiAz: profile.databaseMultiAz,
          backupRetentionDays: props.backupRetentionDays,
          databaseName,
          masterUsername:
            props.databaseMasterUsername === undefined
              ? undefined
              : _requireMasterUsername(path, 'databaseMasterUsername', props.databaseMasterUsername),
        }),
    );
    this.cache = blame(
      'Cache',
      () =>
        new SamokoderCache(this, 'Cache', {
          name,
          region,
          vpcId: this.network.vpc.id,
          subnetIds: this.network.databaseSubnetIds,
          clientSecurityGroupId: this.cluster.clusterSecurityGroupId,
          nodeType: props.cacheNodeType ?? profile.cacheNodeType,
          shards: props.cacheShards ?? profile.cacheShards,
        }),
    );

    const dataKey = _createKey(this, 'DataKey', { alias: `${name}-data`, description: `${name} buckets and application secrets` });
    this.accessLogsBucket = new SecureBucket(this, 'AccessLogsBucket', {
      bucketName: `${name}-access-logs`,
      lifecycle: BucketLifecycle.logs(),
      receivesAccessLogs: true,
      accountId: account,
    });
    this.filesBucket = blame(
      'FilesBucket',
      () =>
        new SecureBucket(this, 'FilesBucket', {
          bucketName: props.filesBucketName ?? `${name}-files`,
          kmsKeyArn: dataKey.arn,
          lifecycle: BucketLifecycle.files(),
          accessLogsBucket: this.accessLogsBucket,
        }),
    );
    this.backupsBucket = blame(
      'BackupsBucket',
      () =>
        new SecureBucket(this, 'BackupsBucket', {
          bucketName: props.backupsBucketName ?? `${name}-backups`,
          kmsKeyArn: dataKey.arn,
          lifecycle: BucketLifecycle.backups(),
          accessLogsBucket: this.accessLogsBucket,
        }),
    );

    // Copies in another region (recovery-copies.ts says why the services' own copies and not AWS Backup).
    const buckets = { files: this.filesBucket, backups: this.backupsBucket };
    const copies = { name, sourceRegion: region, accountId: account, database: this.database, buckets };
    this.recovery = recovery && new RecoveryCopies(this, 'Recovery', { ...recovery, ...copies });

    // Connection settings (not secrets: hosts, ports, user names) for External Secrets to read in-cluster.
    const secretPrefix = `${project}/${env}/`;
    const connectionSecretName = `${secretPrefix}connection`;
    const connection = new SecretsmanagerSecret(this, 'ConnectionSettings', {
      name: connectionSecretName,
      description: `${name}: database and cache endpoints written by Terraform (no passwords)`,
      kmsKeyId: dataKey.arn,
      recoveryWindowInDays: 30,
    });
    new SecretsmanagerSecretVersion(this, 'ConnectionSettingsValue', {
      secretId: connection.id,
      secretString: JSON.stringify({
        DATABASE_HOST: this.database.instance.address,
        DATABASE_PORT: '5432',
        // The database the instance was created with (before, the project's name even when 'databaseName' was set).
        DATABASE_NAME: databaseName,
        DATABASE_USER: appDbUser,
        [DATABASE_MASTER_SECRET_KEY]: this.database.masterSecretArn,
        REDIS_HOST: this.cache.configurationEndpoint,
        REDIS_PORT: '6379',
        REDIS_USER: this.cache.appUserName,
        FILES_BUCKET: this.filesBucket.bucketName,
        BACKUPS_BUCKET: this.backupsBucket.bucketName,
      }),
    });

    // The entries External Secrets reads, created empty: values are put in out of band (aws secretsmanager
    // put-secret-value), so they never reach configuration, Git or Terraform state.
    const entries = requireSecretEntryNames(path, 'secretEntries', props.secretEntries ?? ['app', 'alerting'], [
      'connection',
      ...(hub ? ['argocd-cluster'] : []),
    ]).map((e) => `${secretPrefix}${e}`);
    entries.forEach((entry, i) => {
      new SecretsmanagerSecret(this, `SecretEntry${i}`, {
        name: entry,
        description: `${name}: read by External Secrets; value set out of band, never in configuration`,
        kmsKeyId: dataKey.arn,
        recoveryWindowInDays: 30,
        lifecycle: { preventDestroy: true },
      });
    });
    const eso = props.externalSecretsIdentity ?? { namespace: 'external-secrets', serviceAccount: 'external-secrets' };
    this.externalSecretsRole = new PodRole(this, 'ExternalSecretsRole', {
      roleName: `${name}-external-secrets`,
      clusterName: this.cluster.clusterName,
      namespace: requireDnsLabel(path, 'externalSecretsIdentity.namespace', eso.namespace),
      serviceAccount: requireDnsLabel(path, 'externalSecretsIdentity.serviceAccount', eso.serviceAccount, 253),
      secretArns: [`arn:aws:secretsmanager:${region}:${account}:secret:${secretPrefix}*`],
      kmsKeyArns: [dataKey.arn],
    });

    // Only the master user exists on day one: the bootstrap Job creates the apps' role before the first migration.
    const bootstrap = { name, clusterName: this.cluster.clusterName, namespace, database: this.database };
    this.databaseBootstrapRole = _databaseBootstrapRole(this, bootstrap);
    const dbUserArnPrefix = `arn:aws:rds-db:${region}:${account}:dbuser:${this.database.resourceId}/`;
    const dump = { dbUserArnPrefix, backupsBucketArn: this.backupsBucket.bucketArn, kmsKeyArn: dataKey.arn };
    this.databaseDumpRole = _databaseDumpRole(this, { ...bootstrap, ...dump });

    // Cluster Autoscaler (the platform layer runs it: PlatformCloud.aws({ clusterName })) resizes the node group.
    const autoscaler = { ..._CLUSTER_AUTOSCALER_IDENTITY };
    this.clusterAutoscalerRole = new PodRole(this, 'ClusterAutoscalerRole', {
      roleName: `${name}-cluster-autoscaler`,
      clusterName: this.cluster.clusterName,
      ...autoscaler,
      scaleNodeGroups: { clusterName: name, region, account, nodeGroupArns: [this.cluster.nodeGroup.arn] },
    });

    if (hub) {
      this.argoCdAccess = new ArgoCdSpokeAccess(this, 'ArgoCdAccess', {
        name,
        cluster: this.cluster,
        account,
        access: hub,
        secretName: `${secretPrefix}argocd-cluster`,
        kmsKeyArn: dataKey.arn,
      });
    }
    const identities = props.appIdentities ?? [];
    identities.forEach((identity, i) => {
      const sa = appServiceAccounts[i];
      this.appRoles[sa] = new PodRole(this, `AppRole-${sa}`, {
        roleName: `${name}-${sa}`,
        clusterName: this.cluster.clusterName,
        namespace,
        serviceAccount: sa,
        bucketArns: identity.filesBucketAccess ? [this.filesBucket.bucketArn] : [],
        // No Secrets Manager: the pods get their secrets from External Secrets (see externalSecretsRole).
        kmsKeyArns: [dataKey.arn],
        rdsDbUserArns: [`${dbUserArnPrefix}${appDbUser}`],
        elasticacheConnectArns: [this.cache.replicationGroup.arn, this.cache.appUser.arn],
      });
    });

    this.alarms = blame(
      'Alarms',
      () =>
        new SamokoderAlarms(this, 'Alarms', {
          namePrefix: name,
          databaseIdentifier: name,
          cacheClusterIds: this.cache.memberClusterIds,
          eksClusterName: name,
          subscriptions: props.alarmSubscriptions,
        }),
    );
    if ((props.alarmSubscriptions ?? []).length === 0) {
      throw invalidProp(
        path,
        'alarmSubscriptions',
        props.alarmSubscriptions ?? [],
        'must name at least one subscriber: alarms published to a topic nobody subscribes to page nobody (AlarmSubscription.email or .httpsFromSecret)',
      );
    }

    this.contract = {
      environment: env,
      region,
      clusterName: name,
      kubernetesVersion: this.cluster.version.version,
      namespace,
      serviceAccounts: identities.map((i) => i.serviceAccount),
      podIdentities: [
        ...identities.map((i) => ({ namespace, serviceAccount: i.serviceAccount })),
        { namespace: eso.namespace, serviceAccount: eso.serviceAccount },
        autoscaler,
        { namespace, serviceAccount: this.databaseBootstrapRole.serviceAccount },
        { namespace, serviceAccount: this.databaseDumpRole.serviceAccount },
      ],
      secretEntries: [connectionSecretName, ...entries],
      connectionSecretName,
      secretPrefix,
      dataSubnetCidrs: this.network.databaseCidrs,
      dataTier: [
        { name: 'postgres', cidrs: this.network.databaseCidrs, port: 5432 },
        { name: 'redis', cidrs: this.network.databaseCidrs, port: 6379 },
      ],
      databaseBootstrap: _databaseBootstrapContract(appDbUser, databaseName),
    };

    // The contract as data, beside the stack's Terraform JSON: a Kubernetes repository reads it with
    // PlatformContract.fromFile (names and addresses only, no secret value).
    _publishContracts(this, [[PLATFORM_CONTRACT_FILE_NAME, this.contract]]);
    _stackOutputs(this, namespace, eso);
  }
}
