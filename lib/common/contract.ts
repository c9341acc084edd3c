import {
  _parsePlatformContract,
  _platformContractJson,
  _readPlatformContractFile,
  PLATFORM_CONTRACT_FILE_NAME,
  PLATFORM_CONTRACT_SCHEMA_VERSION,
} from './contract-file';

/**
 * What a cloud stack tells the Kubernetes side, as plain strings known at synth time (no Terraform tokens: cdk8s
 * output cannot resolve them). Values only known after `terraform apply` (endpoints, hosts) travel through the
 * connection secret named here and are read in-cluster by External Secrets.
 */
export interface PlatformContract {
  /**
   * The cloud the cluster runs on. On `digitalocean` no pod has a cloud identity (secrets come from the store with
   * the platform's read-only key) and public traffic arrives through {@link PlatformContract.entry}.
   * @default 'aws'
   */
  readonly cloud?: 'aws' | 'digitalocean';
  /** Environment name, e.g. `production`. */
  readonly environment: string;
  /** Cloud region of the secret store, e.g. `eu-central-1`. */
  readonly region: string;
  /** Kubernetes cluster name. */
  readonly clusterName: string;
  /** Kubernetes minor version of the cluster, e.g. `1.35`. */
  readonly kubernetesVersion: string;
  /** Namespace the application runs in. */
  readonly namespace: string;
  /**
   * Service accounts that have a cloud identity bound by the platform (EKS Pod Identity binds by namespace and
   * service-account name, so no annotation is needed).
   */
  readonly serviceAccounts: readonly string[];
  /**
   * Name of the secret-store entry holding connection settings written by Terraform (keys `DATABASE_HOST`,
   * `DATABASE_PORT`, `DATABASE_NAME`, `DATABASE_USER`, `REDIS_HOST`, `REDIS_PORT`, `REDIS_USER`,
   * `FILES_BUCKET`; on AWS also `DATABASE_MASTER_SECRET_ARN`, the master secret's ARN for the database bootstrap).
   */
  readonly connectionSecretName: string;
  /** Every (namespace, service account) with a cloud identity bound by the platform, the apps' and the controllers'. */
  readonly podIdentities: ReadonlyArray<{ readonly namespace: string; readonly serviceAccount: string }>;
  /** Every secret-store entry the stack creates (full names): what ExternalSecrets may read. */
  readonly secretEntries: readonly string[];
  /** CIDR blocks of the subnets the database and cache live in (for egress network policies). */
  readonly dataSubnetCidrs: readonly string[];
  /** The data services pods connect to: where (CIDRs) and on which TCP port. Egress policies are built from these. */
  readonly dataTier: ReadonlyArray<{ readonly name: string; readonly cidrs: readonly string[]; readonly port: number }>;
  /** Prefix under which the application's own secrets live in the store, e.g. `samokoder/production/`. */
  readonly secretPrefix: string;
  /**
   * How public traffic reaches the cluster, when the stack owns the entry (the load balancer, its certificate and
   * health checks): the manifests must serve exactly these hosts, on this NodePort, with this health path.
   * @default - the manifests choose (an AWS stack creates no load balancer of its own)
   */
  readonly entry?: ClusterEntry;
  /**
   * The replica this cluster watches for replication lag (DR secondary): the store entry with its DSN, and the lag
   * the recovery point objective allows. Deploy a `ReplicationLagMonitor` with them.
   * @default - none
   */
  readonly replicaMonitor?: { readonly entry: string; readonly rpoSeconds: number };
  /**
   * In a DR pair, whether this cluster's region holds the database's writer (`primary`) or not (`secondary`). Schema
   * migrations run only where the writer is: both regions migrating at once, each through its pool, raced on one
   * database. After a failover, the reconciled program swaps the regions and so the roles.
   * @default - the only cluster of its database: it migrates
   */
  readonly databaseRole?: 'primary' | 'secondary';
  /**
   * The database role the apps and their migration log in as (`DATABASE_USER` of the connection entry), when nothing
   * but the cluster can create it: RDS with IAM authentication starts with the master user only, in a private subnet
   * Terraform cannot reach. `ProductionApp` then runs a `DatabaseBootstrap` Job before its migration, as
   * `serviceAccount` (in {@link PlatformContract.namespace}), whose cloud identity may read the master secret: it
   * creates `user` (IAM authentication), its schema, and `CONNECT` on `database`. Idempotent: it runs on every sync.
   * @default - the stack creates the role itself (DigitalOcean: `digitalocean_database_user`)
   */
  readonly databaseBootstrap?: {
    /** The PostgreSQL role to create: the connection entry's `DATABASE_USER`. */
    readonly user: string;
    /** The database it connects to: the connection entry's `DATABASE_NAME`. */
    readonly database: string;
    /** The service account the bootstrap runs as (it must have a cloud identity: see `podIdentities`). */
    readonly serviceAccount: string;
  };
  /**
   * The copy of uploaded files this cluster runs (DR secondary: Spaces does not replicate across regions): the store
   * entry with its key, how often, and the buckets (`host` is the S3 endpoint's host name). Deploy a `FilesSync`.
   * @default - none
   */
  readonly filesSync?: {
    readonly entry: string;
    readonly intervalSeconds: number;
    readonly source: { readonly bucket: string; readonly host: string };
    readonly target: { readonly bucket: string; readonly host: string };
  };
  /**
   * The scheduled logical dump this cluster runs (DR primary: where the writer is; `SamokoderStack`'s dump is keyed by
   * `databaseBootstrap` instead): `pg_dump` of `database` over the connection entry's `DATABASE_DIRECT_URL` (never the
   * pool), uploaded under `prefix` of the entry's `FILES_BUCKET` with its bucket-limited key, every `intervalSeconds`.
   * Deploy a `DatabaseDump`.
   * @default - none
   */
  readonly databaseDump?: { readonly database: string; readonly prefix: string; readonly intervalSeconds: number };
  /**
   * The other region's entry this cluster probes (DR secondary: the primary's own `<region>.<host>`, which the global
   * entry's uptime check requests too), so an outage there pages the on-call through this cluster's Alertmanager.
   * Deploy a `PrimaryProbe`.
   * @default - none
   */
  readonly primaryProbe?: { readonly region: string; readonly host: string; readonly path: string };
  /**
   * The IAM user whose access key the platform's secret store reads with, on a cluster outside AWS (each DigitalOcean
   * DR cluster has its own, allowed to rotate its own key only): pass `iamUser` to `PlatformCloud.digitalocean()` as
   * `credentialsUser`, and the platform layer rotates the key weekly (`ReaderKeyRotation`).
   * @default - none (on AWS the store authenticates with its pod identity: no key)
   */
  readonly secretsReader?: { readonly iamUser: string };
}

/**
 * The contract as data, for a Kubernetes repository that does not build the cloud stack: `SamokoderStack` (and each
 * cluster of `MultiRegionDR`) writes it at synth beside its Terraform JSON, and the Kubernetes side loads it.
 *
 * ```ts
 * const contract = PlatformContract.fromFile('platform/production.json'); // cdktf.out/stacks/<stack>/platform-contract.json
 * new ProductionApp(app, 'billing', { name: 'billing', image, platform: contract, dependencies: Dependency.dataTier(contract) });
 * ```
 */
export const PlatformContract = {
  /** The `schemaVersion` this library writes; it reads every version from 1 up to this one. */
  SCHEMA_VERSION: PLATFORM_CONTRACT_SCHEMA_VERSION,
  /** The file a cloud stack writes beside its `cdk.tf.json`: `cdktf.out/stacks/<stack>/platform-contract.json`. */
  FILE_NAME: PLATFORM_CONTRACT_FILE_NAME,
  /**
   * Reads a contract file and checks every field; a malformed file, or one of a later `schemaVersion`, is refused
   * with a message naming the file, the field, the value and what is allowed. The contract returned is frozen.
   */
  fromFile(file: string): PlatformContract {
    return _readPlatformContractFile(file) as unknown as PlatformContract;
  },
  /** {@link PlatformContract.fromFile} for text already read; `source` names it in messages. @default source 'platform contract' */
  fromJson(text: string, source = 'platform contract'): PlatformContract {
    return _parsePlatformContract(text, source) as unknown as PlatformContract;
  },
  /**
   * The file's text: `schemaVersion` first, fields in a fixed order, so the same contract gives the same bytes.
   * Refuses Terraform references and anything shaped like a credential. `where` names the contract in messages.
   */
  toJson(contract: PlatformContract, where = 'platform contract'): string {
    return _platformContractJson(where, contract);
  },
} as const;

/** The public entry of a cluster as its cloud stack built it (see {@link PlatformContract.entry}). */
export interface ClusterEntry {
  /** Every host name the load balancer, certificate and uptime checks use for this cluster (global ones first). */
  readonly hosts: readonly string[];
  /** This cluster's own name among {@link ClusterEntry.hosts} (`<region>.<host>`, checked directly), if it has one. */
  readonly regionalHost?: string;
  /** Where TLS ends: `loadBalancer` means the gateway receives plain HTTP on {@link ClusterEntry.nodePort}. */
  readonly tlsTermination: 'gateway' | 'loadBalancer';
  /** NodePort the regional load balancer forwards to on every node (the gateway's HTTP listener). */
  readonly nodePort: number;
  /** Port of the gateway's listener behind that NodePort. */
  readonly listenerPort: number;
  /** Path the load balancer's health check requests on the NodePort (any Host header). */
  readonly healthPath: string;
  /** Path the global load balancer and uptime checks request on the public hosts. */
  readonly publicHealthPath: string;
}
