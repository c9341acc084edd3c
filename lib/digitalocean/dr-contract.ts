import { PlatformContract } from '../common/contract';
import { DO_DATABASE_PORTS, DrSecretStore } from './dr-secrets';
import { DoksKubernetesVersion } from './doks-version';
import { GlobalEntry } from './global-entry';
import { RegionalCluster } from './regional-cluster';

/** What {@link _drContract} reads from the stack. @internal */
export interface DrContractFacts {
  readonly project: string;
  readonly environment: string;
  readonly namespace: string;
  readonly secretPrefix: string;
  readonly version: DoksKubernetesVersion;
  readonly dr: {
    readonly secrets: DrSecretStore;
    readonly entry: GlobalEntry;
    readonly primary: RegionalCluster;
    readonly secondary: RegionalCluster;
  };
}

/**
 * The contract of one DigitalOcean cluster of the pair. The database is reached through the pool in the primary's
 * network, and directly (the port a promoted replica answers on; pools are per cluster) in either network; Valkey
 * in the cluster's own. Hosts: the global ones, then the cluster's own regional name. @internal
 */
export function _drContract(rc: RegionalCluster, f: DrContractFacts): PlatformContract {
  const { dr } = f;
  const vpcs = [dr.primary.vpcRange.toString(), dr.secondary.vpcRange.toString()];
  const role = rc === dr.primary ? 'primary' : 'secondary';
  return {
    cloud: 'digitalocean',
    environment: f.environment,
    region: dr.secrets.region,
    clusterName: `${f.project}-${rc.region.slug}`,
    kubernetesVersion: f.version.minor,
    namespace: f.namespace,
    serviceAccounts: [],
    podIdentities: [],
    connectionSecretName: dr.secrets.connectionEntries[rc.region.slug],
    secretEntries: [...dr.secrets.entries],
    secretPrefix: f.secretPrefix,
    dataSubnetCidrs: vpcs,
    dataTier: [
      { name: 'postgres-pool', cidrs: [dr.primary.vpcRange.toString()], port: DO_DATABASE_PORTS.pool },
      { name: 'postgres', cidrs: vpcs, port: DO_DATABASE_PORTS.postgres },
      { name: 'valkey', cidrs: [rc.vpcRange.toString()], port: DO_DATABASE_PORTS.valkey },
    ],
    entry: {
      hosts: [...dr.entry.hosts, dr.entry.regionalHosts[role]],
      regionalHost: dr.entry.regionalHosts[role],
      tlsTermination: 'loadBalancer',
      nodePort: rc.healthCheck.nodePort,
      listenerPort: 80,
      healthPath: rc.healthCheck.path,
      publicHealthPath: dr.entry.healthPath,
    },
  };
}
