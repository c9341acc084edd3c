import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { invalidProp } from '../common/errors';
import { _AllKeys, _checkProps } from '../common/props';
import { _freeId, requireDnsLabel } from '../common/validate';
import { requireSecretReference, SecretStore } from '../k8s/secrets';
import { _apiObject } from '../private/k8s-object';
import { _LibraryChart } from '../private/render';
import { _requireRepoUrl } from './argocd';

/**
 * The Argo CD release the output is written for (its CRDs are in the schema check and verify:k8s:
 * ../shared/real-engines/crds, argo-cd v3.5.1 manifests/crds).
 */
export const ARGO_CD_VERSION = 'v3.5.1';

/**
 * Upstream's install manifest at {@link ARGO_CD_VERSION} (argo-cd docs/operator-manual/installation.md: the
 * non-HA `install.yaml`, 1.9 MB, Apache-2.0; not vendored: a team applies it from the tag, see `installCommands`).
 */
export const ARGO_CD_INSTALL_MANIFEST = `https://raw.githubusercontent.com/argoproj/argo-cd/${ARGO_CD_VERSION}/manifests/install.yaml`;

/**
 * The health of an `argoproj.io/Application`, for `argocd-cm`. Argo CD 1.8 removed it (argo-cd v3.5.1
 * docs/operator-manual/health.md, "Argo CD App"; issue argoproj/argo-cd#3781), so a root Application's sync waves
 * stop waiting for the child Applications of the wave before: the apps would sync while cert-manager still starts.
 * Restored as the docs describe: a child is as healthy as Argo CD judged it, and Progressing until it has a health.
 */
export const APPLICATION_HEALTH_LUA = [
  '-- The health Argo CD assessed for the child Application; Progressing until it has one, so the wave waits.',
  'hs = { status = "Progressing", message = "" }',
  'if obj.status ~= nil and obj.status.health ~= nil and obj.status.health.status ~= nil then',
  '  hs.status = obj.status.health.status',
  '  if obj.status.health.message ~= nil then',
  '    hs.message = obj.status.health.message',
  '  end',
  'end',
  'return hs',
  '',
].join('\n');

/** The label Argo CD finds its repository and cluster Secrets by (argo-cd v3.5.1 common/common.go `LabelKeySecretType`). */
const SECRET_TYPE = 'argocd.argoproj.io/secret-type';

/**
 * A cluster the hub deploys to, registered declaratively (argo-cd v3.5.1 docs/operator-manual/declarative-setup.md,
 * "Clusters"): a Secret labelled `argocd.argoproj.io/secret-type: cluster` with `name`, `server` and `config`, made
 * by External Secrets from a store entry, so no credential or endpoint is typed into Git.
 */
export class ArgoCdCluster {
  /**
   * An EKS cluster reached with IAM (`awsAuthConfig`, the docs' "EKS" section): the hub's management role assumes
   * the cluster's own role, which an EKS access entry admits. `entry` holds `server` (the API endpoint), `caData`
   * (the cluster CA, base64), `clusterName` and `roleArn`: `SamokoderStack` writes it, `<project>/<env>/argocd-cluster`,
   * when `argoCdHub` is set. `store` reads it where the stack wrote it (a store of the spoke's region).
   */
  public static eks(name: string, entry: string, store?: SecretStore): ArgoCdCluster {
    return new ArgoCdCluster(name, entry, 'eks', store);
  }
  /**
   * A cluster reached with a bearer token (DOKS and other clusters outside AWS): `entry` holds `server`, `caData`
   * (base64) and `bearerToken`, the token of a ServiceAccount the hub acts as in that cluster (set out of band).
   */
  public static bearerToken(name: string, entry: string, store?: SecretStore): ArgoCdCluster {
    return new ArgoCdCluster(name, entry, 'bearerToken', store);
  }
  private constructor(
    /** The cluster's name in Argo CD: the Applications' `destination.name`. */
    public readonly name: string,
    /** The store entry the registration is made from. */
    public readonly entry: string,
    /** @internal */
    public readonly _auth: 'eks' | 'bearerToken',
    /** The store the entry is read from. @default - the hub's `store` */
    public readonly store?: SecretStore,
  ) {}
}

/** A Git repository the hub reads with credentials (a public one needs no registration). */
export interface ArgoCdRepositoryCredentials {
  /** The repository URL, exactly as the Applications name it. */
  readonly url: string;
  /**
   * The store entry with the credentials: `username` and `password` (a read-only access token) for `https`,
   * `sshPrivateKey` for `ssh`.
   */
  readonly entry: string;
  /** @default - 'ssh' for ssh:// and git@ URLs, else 'https' */
  readonly auth?: 'https' | 'ssh';
}

/** Props for {@link ArgoCdHub}. */
export interface ArgoCdHubProps {
  /** The clusters the hub deploys to (every `destination.name` but `in-cluster`). */
  readonly clusters: ArgoCdCluster[];
  /** Repositories that need credentials. @default [] */
  readonly repositories?: ArgoCdRepositoryCredentials[];
  /** The hub's store the entries are read from. @default SecretStore.cluster('aws-secrets-manager') */
  readonly store?: SecretStore;
  /** Namespace Argo CD runs in. @default 'argocd' */
  readonly namespace?: string;
}

const HUB_PROPS = ['clusters', 'repositories', 'store', 'namespace'] as const;
const REPOSITORY_KEYS = ['url', 'entry', 'auth'] as const;

/**
 * What an Argo CD hub needs on top of upstream's install at {@link ARGO_CD_VERSION} for the app of apps to converge:
 * `argocd-cm` with the Application health check (see {@link APPLICATION_HEALTH_LUA}), and the repository and cluster
 * Secrets, each an ExternalSecret (credentials, endpoints and CAs by reference only). Argo CD itself is not rendered:
 * `installCommands` apply upstream's manifest at the pinned tag, then this chart (server-side, so `argocd-cm` gains
 * our key beside upstream's labels without either owning the other's fields).
 */
export class ArgoCdHub extends Construct {
  /** The ConfigMap and ExternalSecrets: write it to `<argocdRoot>/hub/`. */
  public readonly config: Chart;
  /** The clusters registered, by name. */
  public readonly clusterNames: readonly string[];
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: ArgoCdHubProps) {
    super(scope, _freeId(scope, id));
    const path = this.node.path;
    _checkProps<_AllKeys<ArgoCdHubProps, typeof HUB_PROPS>>(path, 'ArgoCdHub', props, HUB_PROPS, ['clusters'] as const);
    this.namespace = requireDnsLabel(path, 'namespace', props.namespace ?? 'argocd');
    const store = props.store ?? SecretStore.cluster('aws-secrets-manager');
    if (!Array.isArray(props.clusters) || props.clusters.length === 0) {
      throw invalidProp(path, 'clusters', props.clusters, 'must register at least one cluster (ArgoCdCluster.eks or .bearerToken)');
    }
    const names: string[] = [];
    props.clusters.forEach((c, i) => {
      if (!(c instanceof ArgoCdCluster))
        throw invalidProp(path, `clusters[${i}]`, c, 'must be made with ArgoCdCluster.eks() or .bearerToken()');
      // `cluster-<name>` names the Secret: a DNS label keeps it one.
      requireDnsLabel(path, `clusters[${i}].name`, c.name, 55);
      if (c.name === 'in-cluster') {
        throw invalidProp(
          path,
          `clusters[${i}].name`,
          c.name,
          "is the name Argo CD gives its own cluster (the roots' destination): registering it would replace that entry",
        );
      }
      const first = names.indexOf(c.name);
      if (first >= 0) throw invalidProp(path, `clusters[${i}].name`, c.name, `is listed twice (clusters[${first}])`);
      requireSecretReference(path, `clusters[${i}].entry`, c.entry);
      names.push(c.name);
    });
    this.clusterNames = names;
    const repositories = (props.repositories ?? []).map((r, i) => resolveRepository(path, i, r));
    repositories.forEach((r, i) => {
      const first = repositories.findIndex((o) => o.url === r.url);
      if (first < i) throw invalidProp(path, `repositories[${i}].url`, r.url, `is listed twice (repositories[${first}])`);
    });

    this.config = new _LibraryChart(this, 'Config');
    const labels = { 'app.kubernetes.io/part-of': 'argocd', 'app.kubernetes.io/managed-by': 'samokoder-infra' };
    _apiObject<IConfigMap>(this.config, 'ArgocdCm', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      // Upstream's labels (manifests/install.yaml at the tag): Argo CD's settings informer lists only ConfigMaps labelled
      // app.kubernetes.io/part-of=argocd (argo-cd v3.5.1 util/settings/settings.go, partOfArgoCDSelector).
      metadata: { name: 'argocd-cm', namespace: this.namespace, labels: { 'app.kubernetes.io/name': 'argocd-cm', ...labels } },
      data: { 'resource.customizations.health.argoproj.io_Application': APPLICATION_HEALTH_LUA },
    });
    props.clusters.forEach((c) => {
      const credentials =
        c._auth === 'eks'
          ? { awsAuthConfig: { clusterName: '{{ .clusterName }}', roleARN: '{{ .roleArn }}' } }
          : { bearerToken: '{{ .bearerToken }}' };
      const config = JSON.stringify({ ...credentials, tlsClientConfig: { insecure: false, caData: '{{ .caData }}' } });
      registration(this.config, `Cluster-${c.name}`, this.namespace, c.store ?? store, `cluster-${c.name}`, 'cluster', {
        data: { name: c.name, server: '{{ .server }}', config },
        dataFrom: [{ extract: { key: c.entry } }],
      });
    });
    repositories.forEach((r) => {
      const keys = r.auth === 'ssh' ? ['sshPrivateKey'] : ['username', 'password'];
      registration(this.config, `Repository-${r.name}`, this.namespace, store, r.name, 'repository', {
        data: { type: 'git', url: r.url, ...Object.fromEntries(keys.map((k) => [k, `{{ .${k} }}`])) },
        remote: keys.map((k) => ({ secretKey: k, remoteRef: { key: r.entry, property: k } })),
      });
    });
  }

  /**
   * The commands that install the hub once, in order: upstream's manifest at the pinned tag, then this chart (written
   * to `file`). Server-side apply: install.yaml's CRDs overflow client-side apply's annotation (argo-cd v3.5.1
   * docs/getting_started.md, "Why --server-side --force-conflicts?").
   */
  public installCommands(file: string): string[] {
    return [
      `kubectl create namespace ${this.namespace}`,
      `kubectl apply -n ${this.namespace} --server-side --force-conflicts -f ${ARGO_CD_INSTALL_MANIFEST}`,
      `kubectl apply -n ${this.namespace} --server-side -f ${file}`,
    ];
  }
}

function resolveRepository(
  path: string,
  i: number,
  r: ArgoCdRepositoryCredentials,
): { url: string; entry: string; auth: 'https' | 'ssh'; name: string } {
  _checkProps<_AllKeys<ArgoCdRepositoryCredentials, typeof REPOSITORY_KEYS>>(
    path,
    'repository credentials',
    r,
    REPOSITORY_KEYS,
    ['url', 'entry'] as const,
    `repositories[${i}].`,
  );
  const url = _requireRepoUrl(path, `repositories[${i}].url`, r.url);
  if (/[{}]/.test(url)) throw invalidProp(path, `repositories[${i}].url`, url, 'must not hold { or }: the URL is written into a template');
  const ssh = /^(ssh:\/\/|git@)/.test(url);
  const auth = r.auth ?? (ssh ? 'ssh' : 'https');
  if (auth !== 'https' && auth !== 'ssh') throw invalidProp(path, `repositories[${i}].auth`, auth, "must be 'https' or 'ssh'");
  if ((auth === 'ssh') !== ssh) {
    throw invalidProp(
      path,
      `repositories[${i}].auth`,
      auth,
      `does not match the URL (${ssh ? 'an SSH' : 'an HTTPS'} URL): Argo CD reads ${ssh ? 'sshPrivateKey' : 'username and password'} for it`,
    );
  }
  requireSecretReference(path, `repositories[${i}].entry`, r.entry);
  const slug = url
    .replace(/^[a-z]+:\/\/|^git@/, '')
    .replace(/\.git$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return { url, entry: r.entry, auth, name: `repo-${slug}`.slice(0, 63).replace(/-+$/, '') };
}

/** An ExternalSecret that makes an Argo CD repository or cluster Secret (labelled so Argo CD reads it). */
function registration(
  scope: Construct,
  id: string,
  namespace: string,
  store: SecretStore,
  name: string,
  type: 'cluster' | 'repository',
  spec: {
    readonly data: Record<string, string>;
    readonly dataFrom?: Array<{ extract: { key: string } }>;
    readonly remote?: Array<{ secretKey: string; remoteRef: { key: string; property: string } }>;
  },
): void {
  _apiObject<IExternalSecret>(scope, id, {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/part-of': 'argocd', 'app.kubernetes.io/managed-by': 'samokoder-infra' } },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { name: store.name, kind: store.kind },
      target: {
        name,
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
        // Only the template's keys reach the Secret (mergePolicy Replace, the default): what Argo CD reads, nothing else.
        template: { engineVersion: 'v2', type: 'Opaque', metadata: { labels: { [SECRET_TYPE]: type } }, data: spec.data },
      },
      ...(spec.remote ? { data: spec.remote } : {}),
      ...(spec.dataFrom ? { dataFrom: spec.dataFrom } : {}),
    },
  });
}
