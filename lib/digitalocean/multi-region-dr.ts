import * as nodePath from 'path';
import { Construct } from 'constructs';
import { _AllKeys, _checkLists, _checkProps } from '../common/props';
import { DataDigitaloceanKubernetesVersions } from '@cdktf/provider-digitalocean/lib/data-digitalocean-kubernetes-versions';
import { Project } from '@cdktf/provider-digitalocean/lib/project';
import { DigitaloceanProvider } from '@cdktf/provider-digitalocean/lib/provider';
import { Tag } from '@cdktf/provider-digitalocean/lib/tag';
import { VpcPeering } from '@cdktf/provider-digitalocean/lib/vpc-peering';
import { Duration } from '../common/duration';
import { _requireEnvironment, environmentTier } from '../common/environment';
import { _blameOn, invalidCombination, invalidProp, ValidationError } from '../common/errors';
import { _digitaloceanTagNames, costAllocationTagMap } from '../common/tags';
import { _freeId, requireDnsLabel, requireHostname, requireIsoDate, requireSecretEntryNames } from '../common/validate';
import { looksLikeSecretValue } from '../common/secret-detection';
import { ISynthesisSession, TerraformOutput, TerraformStack } from '../private/tf';
import { _publishContracts } from '../private/publish-contract';
import { _configureChosenBackend } from '../aws/remote-state';
import { DataTier, _sizeOf } from './data-tier';
import { DoksKubernetesVersion } from './doks-version';
import { FailoverPlan } from './failover-plan';
import { FAILOVER_CONFIRM_SECONDS, _POLLS, _POLL_SECONDS } from './failover-scripts';
import { GlobalEntry, TlsDomain } from './global-entry';
import { _computeRecovery, _validateEstimates, RecoveryModel } from './recovery-model';
import { _WEEKDAYS as WEEKDAYS, RegionalCluster, Weekday } from './regional-cluster';
import { DoRegion } from './region';
import { _projectFromStackId, pascalCase } from '../common/names';
import { AwsRegion } from '../aws/region';
import { PlatformContract } from '../common/contract';
import { _drEntryId, DrSecretStore } from './dr-secrets';
import { _drContract, _failoverFacts } from './dr-contract';
import { _scanStackForCredentials } from '../private/credential-scan';
import { refuseReservedNamespace } from '../common/namespaces';
import { DrRegionOptions, MULTIREGIONDR_PROPS, MULTIREGIONDR_REQUIRED, MultiRegionDRProps } from './multi-region-dr-props';

export type { DrRegionOptions, MultiRegionDRProps } from './multi-region-dr-props';

/**
 * DigitalOcean disaster recovery: a primary and a secondary DOKS region with replicated data, a global entry that
 * fails over by itself, and a failover plan generated from the same configuration. The construct computes what the
 * settings can promise and refuses configurations that cannot meet the RTO and RPO targets.
 */
export class MultiRegionDR extends TerraformStack {
  public readonly primary: RegionalCluster;
  public readonly secondary: RegionalCluster;
  public readonly data: DataTier;
  public readonly entry: GlobalEntry;
  public readonly tls: TlsDomain;
  public readonly recovery: RecoveryModel;
  public readonly failoverPlan: FailoverPlan;
  /** The AWS Secrets Manager entries the clusters read, and the policy of their read-only key. */
  public readonly secrets: DrSecretStore;
  private readonly contracts: Record<'primary' | 'secondary', PlatformContract>;

  /**
   * What the Kubernetes side of one region's cluster needs, as plain strings known at synth: its secret entries and
   * store region, its data tier's networks and DigitalOcean ports, the hosts the global entry and certificate use,
   * the NodePort and health path of its load balancer. Pass it as `platform` to `ProductionApp` and to
   * `assertPlatformWiring`, so nothing is typed twice.
   */
  public contract(role: 'primary' | 'secondary'): PlatformContract {
    return this.contracts[role];
  }

  constructor(scope: Construct, id: string, props: MultiRegionDRProps) {
    super(scope, _freeId(scope, id));
    _scanStackForCredentials(this);
    // The type argument fails to compile when a prop of MultiRegionDRProps is missing from MULTIREGIONDR_PROPS.
    _checkProps<_AllKeys<MultiRegionDRProps, typeof MULTIREGIONDR_PROPS>>(
      this.node.path,
      'MultiRegionDR',
      props,
      MULTIREGIONDR_PROPS,
      MULTIREGIONDR_REQUIRED,
    );
    _checkLists(this.node.path, props, ['additionalHosts', 'secretEntries', 'alertEmails', 'apiAllowedCidrs']);
    const path = this.node.path;
    // Without 'project', the stack id names it ("samokoder-dr" → "samokoder"): messages say so.
    const projectSource = props.project === undefined ? 'from the stack id' : undefined;
    const project = requireDnsLabel(path, 'project', props.project ?? _projectFromStackId(id, ['dr']) ?? id, 20, projectSource);
    const environment = requireDnsLabel(path, 'environment', props.environment ?? 'production', 20);
    const tagMap = costAllocationTagMap(path, props.tags);
    _requireEnvironment(path, environment, props.unlistedEnvironment, props.tags.environment);
    const tagNames = _digitaloceanTagNames(path, tagMap);
    const secretsRegion = (props.secretsRegion ?? AwsRegion.US_EAST_2)._check(path, 'secretsRegion');
    const p = props.primary ?? {};
    const s = props.secondary ?? {};
    const primaryRegion = p.region ?? DoRegion.NYC3;
    const secondaryRegion = s.region ?? DoRegion.SFO3;
    if (primaryRegion.slug === secondaryRegion.slug) {
      throw invalidCombination(
        path,
        `'primary.region' and 'secondary.region' are both "${primaryRegion.slug}": a disaster-recovery pair needs two regions`,
      );
    }
    primaryRegion._require(path, 'primary.region', 'kubernetes');
    secondaryRegion._require(path, 'secondary.region', 'kubernetes');
    const primaryDay = p.maintenanceDay ?? 'tuesday';
    const secondaryDay = s.maintenanceDay ?? 'thursday';
    for (const [prop, day] of [
      ['primary.maintenanceDay', primaryDay],
      ['secondary.maintenanceDay', secondaryDay],
    ] as const) {
      if (!WEEKDAYS.includes(day)) throw invalidProp(path, prop, day, `must be a day in lower case: ${WEEKDAYS.join(', ')}`);
    }
    if (primaryDay === secondaryDay) {
      throw invalidCombination(
        path,
        `'primary.maintenanceDay' and 'secondary.maintenanceDay' are both "${primaryDay}": both regions would be upgraded together`,
      );
    }
    const version = props.kubernetesVersion ?? DoksKubernetesVersion.DEFAULT;
    version._assertSupported(
      path,
      'kubernetesVersion',
      requireIsoDate(path, 'supportCheckDate', props.supportCheckDate ?? new Date().toISOString().slice(0, 10)),
    );
    if (props.fallbackRegistry !== undefined && (looksLikeSecretValue(props.fallbackRegistry) || /[@\s]/.test(props.fallbackRegistry))) {
      throw invalidProp(
        path,
        'fallbackRegistry',
        '<redacted>',
        'must be a registry path such as "ghcr.io/team" without credentials: it is written into the failover scripts (log in with `docker login` at run time)',
      );
    }
    // Written into mirror-images.sh inside double quotes: only a registry path's characters, so no `$(…)` runs there.
    if (
      props.fallbackRegistry !== undefined &&
      !/^[a-z0-9]+([.-]+[a-z0-9]+)*(:\d{1,5})?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/.test(props.fallbackRegistry)
    ) {
      throw invalidProp(
        path,
        'fallbackRegistry',
        props.fallbackRegistry,
        'must be a registry path: a host, a port and namespaces if any, lower case, no scheme (e.g. "ghcr.io/team", "registry.acme.dev:5000")',
      );
    }
    // Each entry is a Terraform resource `Entry-<entry with - for other characters>` (DrSecretStore; ids are API):
    // two entries written alike there would be one resource.
    const entryIds = (props.secretEntries ?? []).map((e) => (typeof e === 'string' ? _drEntryId(e) : ''));
    entryIds.forEach((id, i) => {
      const first = entryIds.indexOf(id);
      if (first < i && props.secretEntries![first] !== props.secretEntries![i]) {
        throw invalidProp(
          path,
          `secretEntries[${i}]`,
          props.secretEntries![i],
          `names the same Terraform resource as secretEntries[${first}] ("${props.secretEntries![first]}") (${id}: entry names are written with - for other characters there): rename one`,
        );
      }
    });
    const rtoTarget = (props.rtoTarget ?? Duration.minutes(15))._requirePositive(path, 'rtoTarget');
    const rpoTarget = (props.rpoTarget ?? Duration.minutes(5))._requirePositive(path, 'rpoTarget');

    _configureChosenBackend(this, props.remoteState, props.localState, `${project}/${environment}-dr/terraform.tfstate`);
    // Credentials come from DIGITALOCEAN_TOKEN and SPACES_ACCESS_KEY_ID / SPACES_SECRET_ACCESS_KEY at apply time.
    new DigitaloceanProvider(this, 'DigitalOcean', {});

    const tags = tagNames.map((t, i) => new Tag(this, `Tag${i + 1}`, { name: t }).name);

    (props.additionalHosts ?? []).forEach((h, i) => {
      const prop = `additionalHosts[${i}]`;
      requireHostname(path, prop, h);
      if (h !== props.domain && !h.endsWith(`.${props.domain}`))
        throw invalidProp(path, prop, h, `must be inside the domain "${props.domain}"`);
      if (h === props.host || props.additionalHosts!.indexOf(h) !== i)
        throw invalidProp(path, prop, h, 'is listed twice (with host or another additional host)');
    });
    const versions = new DataDigitaloceanKubernetesVersions(this, 'KubernetesVersions', { versionPrefix: version.versionPrefix });
    const tls = (this.tls = new TlsDomain(this, 'Tls', {
      name: `${project}-${environment}`,
      domain: props.domain,
      hosts: [
        props.host,
        ...(props.additionalHosts ?? []),
        ...Object.values(GlobalEntry.regionalHosts(props.host, primaryRegion.slug, secondaryRegion.slug)),
      ],
    }));
    // Construct ids follow the region, not the role: swapping primary and secondary after a failover then changes
    // roles (priorities, replica direction) without moving a cluster.
    const regional = (o: DrRegionOptions, region: DoRegion, cidr: string, day: Weekday) =>
      new RegionalCluster(this, pascalCase(region.slug), {
        name: `${project}-${region.slug}`,
        region,
        vpcCidr: o.vpcCidr ?? cidr,
        kubernetesVersion: versions.latestVersion,
        nodePool: o.nodePool,
        maintenanceDay: day,
        tags,
        certificateName: tls.certificate.name,
        healthCheck: props.healthCheck,
        apiAllowedCidrs: props.apiAllowedCidrs,
        publicKubernetesApi: props.publicKubernetesApi,
      });
    // A cluster's refusal names the prop written here: `primary.vpcCidr`, not the cluster's `vpcCidr`.
    const as = (r: string) => ({
      region: `${r}.region`,
      vpcCidr: `${r}.vpcCidr`,
      nodePool: `${r}.nodePool`,
      healthCheck: 'healthCheck',
      apiAllowedCidrs: 'apiAllowedCidrs',
      publicKubernetesApi: 'publicKubernetesApi',
    });
    const blame = (r: string, region: DoRegion, build: () => RegionalCluster) => _blameOn(path, pascalCase(region.slug), as(r), build);
    this.primary = blame('primary', primaryRegion, () => regional(p, primaryRegion, '10.10.0.0/16', primaryDay));
    this.secondary = blame('secondary', secondaryRegion, () => regional(s, secondaryRegion, '10.20.0.0/16', secondaryDay));
    if (this.primary.vpcRange.overlaps(this.secondary.vpcRange)) {
      throw invalidCombination(
        path,
        `'primary.vpcCidr' (${this.primary.vpcRange}) and 'secondary.vpcCidr' (${this.secondary.vpcRange}) overlap: peered VPCs need disjoint ranges`,
      );
    }
    if (this.secondary.nodePool.maxNodes < this.primary.nodePool.minNodes) {
      throw invalidProp(
        path,
        'secondary.nodePool.maxNodes',
        this.secondary.nodePool.maxNodes,
        `cannot take the primary's load: it must reach at least the primary's minimum of ${this.primary.nodePool.minNodes} nodes`,
      );
    }
    const pa = _sizeOf(this.primary.nodePool.size);
    const sa = _sizeOf(this.secondary.nodePool.size);
    if (this.primary.nodePool.size !== this.secondary.nodePool.size && (!pa || !sa || sa.vcpu < pa.vcpu || sa.gb < pa.gb)) {
      throw invalidProp(
        path,
        'secondary.nodePool.size',
        this.secondary.nodePool.size,
        `is smaller than the primary's nodes (${this.primary.nodePool.size}): the secondary cannot take the load`,
      );
    }
    new VpcPeering(this, 'Peering', {
      name: `${project}-${primaryRegion.slug}-${secondaryRegion.slug}`,
      vpcIds: [this.primary.vpc.id, this.secondary.vpc.id],
    });

    this.data = new DataTier(this, 'Data', {
      name: project,
      primary: this.primary,
      secondary: this.secondary,
      tags,
      postgres: props.postgres,
      valkey: props.valkey,
      registry: props.registry,
    });
    const filesSync = (props.filesSyncInterval ?? Duration.hours(1))._requirePositive(path, 'filesSyncInterval');
    if (filesSync.totalSeconds < 60 || filesSync.totalSeconds % 60 !== 0) {
      throw invalidProp(
        path,
        'filesSyncInterval',
        filesSync.toString(),
        'must be whole minutes, at least 1: the sync runs on a schedule (cron), which counts in minutes',
      );
    }
    const filesSyncSeconds = filesSync.totalSeconds;
    const namespace =
      props.namespace !== undefined
        ? refuseReservedNamespace(path, 'namespace', requireDnsLabel(path, 'namespace', props.namespace))
        : refuseReservedNamespace(path, 'project', project, "the namespace defaults to the project; set 'namespace'", projectSource);
    const secretPrefix = `${project}/${environment}-dr/`;
    this.secrets = new DrSecretStore(this, 'Secrets', {
      prefix: secretPrefix,
      region: secretsRegion,
      tags: props.tags,
      data: this.data,
      clusters: [this.primary, this.secondary],
      entries: requireSecretEntryNames(path, 'secretEntries', props.secretEntries ?? ['app', 'alerting'], [
        `${this.primary.region.slug}/connection`,
        `${this.secondary.region.slug}/connection`,
        `${this.secondary.region.slug}/replica-monitor`,
        `${this.secondary.region.slug}/files-sync`,
      ]),
    });
    this.entry = new GlobalEntry(this, 'Entry', {
      name: `${project}-${environment}`,
      tls,
      host: props.host,
      additionalHosts: props.additionalHosts,
      primary: this.primary,
      secondary: this.secondary,
      failoverThresholdPercent: props.failoverThresholdPercent,
      alertEmails: props.alertEmails,
      alertPeriod: props.alertPeriod,
    });

    this.contracts = {
      primary: _drContract(this.primary, { project, environment, namespace, secretPrefix, version, rpoTarget, filesSyncSeconds, dr: this }),
      secondary: _drContract(this.secondary, {
        project,
        environment,
        namespace,
        secretPrefix,
        version,
        rpoTarget,
        filesSyncSeconds,
        dr: this,
      }),
    };

    new Project(this, 'Project', {
      name: `${project}-${environment}`,
      description: `${project} ${environment}: ${primaryRegion.slug} primary, ${secondaryRegion.slug} secondary (managed by samokoder-infra)`,
      purpose: 'Service or API',
      environment: environmentTier(environment) === 'production' ? 'Production' : environment === 'staging' ? 'Staging' : 'Development',
      resources: [
        this.primary.cluster.urn,
        this.secondary.cluster.urn,
        this.primary.loadBalancer.urn,
        this.secondary.loadBalancer.urn,
        this.entry.globalLoadBalancer.urn,
        this.primary.bucket.urn,
        this.secondary.bucket.urn,
        this.data.postgres.urn,
        this.data.valkey.primary.urn,
        this.data.valkey.secondary.urn,
        tls.domain.urn,
      ],
    });

    // What the settings can promise, and a refusal when they cannot meet the targets.
    this.recovery = _computeRecovery({
      healthCheckIntervalSeconds: this.primary.healthCheck.intervalSeconds,
      unhealthyThreshold: this.primary.healthCheck.unhealthyThreshold,
      uptimeAlertPeriodSeconds: this.entry.alertPeriodSeconds,
      hasReplica: this.data.replica !== undefined,
      secondaryWarm: this.secondary.nodePool.minNodes >= this.primary.nodePool.minNodes,
      estimates: _validateEstimates(path, props.recoveryEstimates ?? {}),
      confirmSeconds: FAILOVER_CONFIRM_SECONDS,
      scriptLimits: {
        promotion: _POLLS.promotion * _POLL_SECONDS,
        secretRefresh: _POLLS.secretRefresh * _POLL_SECONDS,
        restart: _POLLS.restart * _POLL_SECONDS,
      },
      filesSyncIntervalSeconds: filesSyncSeconds,
    });
    const breakdown = this.recovery.steps.map((x) => `${x.step} ${Duration.seconds(x.seconds)}`).join(' + ');
    if (this.recovery.expectedRtoSeconds >= rtoTarget.totalSeconds) {
      throw new ValidationError(
        `[${path}] 'rtoTarget' (${rtoTarget}) cannot be met: the configuration recovers in about ${Duration.seconds(this.recovery.expectedRtoSeconds)} (${breakdown}). ` +
          'Make the secondary warm (secondary.nodePool.minNodes >= primary.nodePool.minNodes), shorten the alert period or health checks, or keep the replica.',
      );
    }
    if (this.recovery.expectedRpoSeconds > rpoTarget.totalSeconds) {
      throw new ValidationError(
        `[${path}] 'rpoTarget' (${rpoTarget}) cannot be met: ${this.recovery.rpoStatement} Enable postgres.replica.`,
      );
    }

    if (props.connectionSecret !== undefined) requireDnsLabel(path, 'connectionSecret', props.connectionSecret, 253);
    this.failoverPlan = new FailoverPlan(
      _failoverFacts(this, {
        ...{ stackName: id, project, environment, namespace, secretPrefix, host: props.host, rtoTarget, rpoTarget },
        replicaSize: props.postgres?.replicaSize ?? props.postgres?.size ?? 'db-s-2vcpu-4gb',
        fallbackRegistry: props.fallbackRegistry ?? `ghcr.io/${project}`,
      }),
    );

    // The plan is part of the stack's output: written next to its cdk.tf.json on every synth, after the stack's own
    // validations passed (the stack's synthesizer is public API; the default one does everything else).
    const synthesizer = this.synthesizer;
    this.synthesizer = {
      synthesize: (session: ISynthesisSession) => {
        synthesizer.synthesize(session);
        this.failoverPlan.writeTo(nodePath.join(session.outdir, session.manifest.forStack(this).workingDirectory, 'failover'));
      },
    };
    // Each cluster's contract as data beside the Terraform JSON (platform-contract.primary.json, …secondary.json), for
    // Kubernetes repositories that read it with PlatformContract.fromFile.
    _publishContracts(this, [
      ['platform-contract.primary.json', this.contracts.primary],
      ['platform-contract.secondary.json', this.contracts.secondary],
    ]);
    const out = (key: string, value: string | number, description: string) => new TerraformOutput(this, key, { value, description });
    out('global_host', props.host, 'Public host behind the Global Load Balancer');
    out('primary_cluster', this.primary.cluster.name, 'Primary DOKS cluster');
    out('secondary_cluster', this.secondary.cluster.name, 'Secondary DOKS cluster');
    out('kubernetes_version', versions.latestVersion, 'DOKS version of both clusters');
    out('postgres_private_host', this.data.postgres.privateHost, 'Primary PostgreSQL (private network)');
    out('pool_name', this.data.pool.name, 'PgBouncer pool for the application');
    out('expected_rto_seconds', this.recovery.expectedRtoSeconds, 'Expected recovery time computed from the settings');
    out('expected_rpo_seconds', this.recovery.expectedRpoSeconds, 'Expected data-loss bound (asynchronous replication)');
  }
}
