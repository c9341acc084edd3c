/**
 * Argo CD's brakes (#25): what a GitOps change may not delete on its own. Deleting a CRD deletes every object of its
 * kind in the cluster, deleting a namespace everything in it, deleting a claim its volume's data; deleting a root
 * Application with Argo CD's cascade finalizer deletes every Application under it and what they deployed.
 */
import { App, Chart } from 'cdk8s';
import { AppNamespace, AppOfApps, ClusterPlatform, PlatformCloud, ProductionApp } from 'samokoder-infra';
import { all, K8sObject, render, testApp } from '../util/k8s';

const SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';
const cascades = (a: K8sObject) =>
  (a.metadata.finalizers ?? []).some((f: string) => f.startsWith('resources-finalizer.argocd.argoproj.io'));

describe('Argo CD brakes', () => {
  test('an app\u2019s namespace and its volume claims are never pruned, nor deleted with their Application', () => {
    const chart = new Chart(testApp(), 'c');
    new AppNamespace(chart, 'Ns', {
      name: 'billing',
      budget: { pods: 10, cpuRequestMillis: 1000, memoryRequestMiB: 1024, memoryLimitMiB: 2048, persistentVolumeClaims: 1 },
    });
    const app = new ProductionApp(new App(), 'billing', {
      name: 'billing',
      image: 'ghcr.io/acme/billing@sha256:' + 'a'.repeat(64),
      storage: { sizeGiB: 10, accessMode: 'ReadWriteMany', storageClass: 'efs' },
    });
    const objects = [...render(chart), ...render(app)];
    const kept = objects.filter((o) => o.kind === 'Namespace' || o.kind === 'PersistentVolumeClaim');
    expect(kept.map((o) => o.kind).sort()).toEqual(['Namespace', 'Namespace', 'PersistentVolumeClaim']);
    for (const o of kept) expect([o.kind, o.metadata.annotations?.[SYNC_OPTIONS]]).toEqual([o.kind, 'Prune=false,Delete=false']);
  });

  test('CRD Applications neither prune nor cascade: a CRD gone from a tag, or a deleted Application, leaves the CRDs', () => {
    const p = new ClusterPlatform(new App(), 'Platform', {
      cluster: 'production',
      cloud: PlatformCloud.aws({ region: 'eu-central-1' }),
      source: { repoURL: 'https://git.example.dev/platform/gitops.git' },
      configPath: 'dist/platform/production',
      acmeEmail: 'oncall@example.dev',
    });
    const apps = all(render(p.applications), 'Application');
    const crdApps = apps.filter((a) => a.metadata.name.includes('-crds-'));
    expect(crdApps.length).toBeGreaterThan(0);
    for (const a of crdApps) {
      expect([a.metadata.name, cascades(a)]).toEqual([a.metadata.name, false]);
      expect(a.spec.syncPolicy.syncOptions).toContain('Prune=false');
    }
    // The controllers' Applications still cascade: deleting one removes its controller, not the data of its kinds.
    expect(cascades(apps.find((a) => a.metadata.name === 'cert-manager-production')!)).toBe(true);
  });

  test('the root Application does not cascade: retiring it (kubectl delete --cascade=orphan) leaves the apps', () => {
    const app = new App();
    const tree = new AppOfApps(app, 'Apps', {
      cluster: { name: 'production', environment: 'production' },
      source: { repoURL: 'https://git.example.dev/platform/gitops.git' },
      namespace: 'billing',
      apps: ['billing'],
    });
    const root = all(render(tree.bootstrap), 'Application')[0];
    expect(cascades(root)).toBe(false);
    const children = all(render(tree.children), 'Application');
    expect(children.every(cascades)).toBe(true);
  });
});
