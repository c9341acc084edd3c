/**
 * The Argo CD hub's own configuration (dist/argocd/hub/) read the way Argo CD v3.5.1 reads it, offline: the
 * Application health check in argocd-cm (without it a root's sync waves do not wait for its children), and the
 * repository and cluster Secrets as External Secrets would make them from their templates. Pure functions; verify:k8s
 * applies the objects to a server and runs these checks on the result and on every cluster's plan.
 */
import * as path from 'path';
import { ClusterPlan, K8sObject, loadObjects, ref, yamlFiles } from './gitops';

const SECRET_TYPE = 'argocd.argoproj.io/secret-type';
const HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';

/** The objects of `<dist>/argocd/hub/` (empty when the output has no hub). */
export function hubObjects(dist: string): K8sObject[] {
  return yamlFiles(path.join(dist, 'argocd', 'hub')).flatMap(loadObjects);
}

/**
 * The Secrets External Secrets would write for the registrations among `objects` (and plain labelled Secrets as they
 * are): template placeholders (`{{ .key }}`) filled with `<key>`, so what Argo CD parses can be checked.
 */
export function registrationSecrets(
  objects: K8sObject[],
  namespace = 'argocd',
): Array<{ from: string; type: string; data: Record<string, string> }> {
  const out: Array<{ from: string; type: string; data: Record<string, string> }> = [];
  for (const o of objects) {
    if (o.metadata?.namespace !== namespace) continue;
    if (o.kind === 'Secret' && o.metadata?.labels?.[SECRET_TYPE]) {
      out.push({ from: ref(o), type: o.metadata.labels[SECRET_TYPE], data: { ...(o.stringData ?? {}) } });
    }
    const t = o.kind === 'ExternalSecret' ? o.spec?.target?.template : undefined;
    if (t?.metadata?.labels?.[SECRET_TYPE]) {
      const fill = (v: unknown) => String(v).replace(/\{\{ *\.(\w+) *\}\}/g, (_, k: string) => `<${k}>`);
      out.push({
        from: ref(o),
        type: t.metadata.labels[SECRET_TYPE],
        data: Object.fromEntries(Object.entries(t.data ?? {}).map(([k, v]) => [k, fill(v)])),
      });
    }
  }
  return out;
}

/** Argo CD's cluster config keys (pkg/apis/application/v1alpha1 ClusterConfig) and the ways it authenticates. */
const CONFIG_KEYS = [
  'username',
  'password',
  'bearerToken',
  'tlsClientConfig',
  'awsAuthConfig',
  'execProviderConfig',
  'proxyUrl',
  'disableCompression',
];
const AUTH_KEYS = ['bearerToken', 'awsAuthConfig', 'execProviderConfig', 'username'];

/**
 * What keeps the hub from converging the clusters' plans: no Application health check in argocd-cm, a destination
 * (other than `in-cluster`) no cluster Secret registers, a cluster Secret whose `config` Argo CD cannot read, or a
 * root's repository without a repository Secret.
 */
export function hubProblems(hub: K8sObject[], plans: ClusterPlan[], namespace = 'argocd'): string[] {
  const problems: string[] = [];
  const cm = hub.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === 'argocd-cm' && o.metadata?.namespace === namespace);
  if (cm && cm.metadata?.labels?.['app.kubernetes.io/part-of'] !== 'argocd') {
    problems.push('hub: argocd-cm lacks the label app.kubernetes.io/part-of=argocd: Argo CD lists only ConfigMaps with it (util/settings)');
  }
  const lua = String(cm?.data?.[HEALTH_KEY] ?? '');
  if (!/obj\.status\.health/.test(lua)) {
    problems.push(
      `hub: argocd-cm has no ${HEALTH_KEY} that reads obj.status.health: Argo CD >= 1.8 gives an Application no health, so a root's sync waves do not wait for its children`,
    );
  }
  const secrets = registrationSecrets(hub, namespace);
  const clusters = secrets.filter((s) => s.type === 'cluster');
  for (const c of clusters) {
    if (!c.data.name || !c.data.server) problems.push(`hub: ${c.from}: a cluster Secret needs name and server`);
    let config: Record<string, unknown> | undefined;
    try {
      config = JSON.parse(c.data.config ?? '{}');
    } catch (e) {
      problems.push(`hub: ${c.from}: config is not JSON (${(e as Error).message})`);
      continue;
    }
    const unknown = Object.keys(config ?? {}).filter((k) => !CONFIG_KEYS.includes(k));
    if (unknown.length) problems.push(`hub: ${c.from}: config holds keys Argo CD does not read: ${unknown.join(', ')}`);
    const auth = AUTH_KEYS.filter((k) => config?.[k] !== undefined);
    if (auth.length !== 1)
      problems.push(`hub: ${c.from}: config names ${auth.length} ways to authenticate (${auth.join(', ') || 'none'}), not one`);
  }
  const registered = new Set(clusters.map((c) => c.data.name));
  const repositories = new Set(secrets.filter((s) => s.type === 'repository').map((s) => s.data.url));
  for (const plan of plans) {
    const apps = [...plan.bootstrap, ...plan.children].filter((o) => o.kind === 'Application');
    for (const app of apps) {
      const name = app.spec?.destination?.name;
      if (name && name !== 'in-cluster' && !registered.has(name)) {
        problems.push(
          `hub: ${ref(app)} (cluster ${plan.cluster}) deploys to "${name}", which no cluster Secret registers: Argo CD cannot sync it`,
        );
      }
    }
    const root = plan.bootstrap.find((o) => o.kind === 'Application');
    const repo = root?.spec?.source?.repoURL;
    if (repo && !repositories.has(repo))
      problems.push(`hub: the root of ${plan.cluster} reads ${repo}, which no repository Secret registers`);
  }
  return [...new Set(problems)];
}
