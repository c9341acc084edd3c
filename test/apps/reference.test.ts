import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdktf';
import { SynthesizedKubernetes } from '../../apps/kubernetes';
import { canonicalQuantity } from '../../lib/k8s/quantity';
import { schemaCheck } from '../util/k8s';
import { referenceCloud, referenceConfig as config, referenceKubernetes } from '../util/reference';

describe('reference platform (apps/)', () => {
  describe('cloud stacks', () => {
    const platform = referenceCloud();

    test.each(['samokoder-production', 'samokoder-staging', 'samokoder-state', 'samokoder-dr'])('%s matches its snapshot', (name) => {
      const stack = platform.app.node.findChild(name) as Parameters<typeof Testing.synth>[0];
      expect(Testing.synth(stack, true)).toMatchSnapshot();
    });

    test('the DR failover runbook matches its snapshot (names generated from the DR stack)', () => {
      expect(platform.dr.failoverPlan.runbook).toMatchSnapshot();
    });

    test('production and staging differ only where the profile says', () => {
      expect(platform.stacks.production.network.availabilityZones).toHaveLength(3);
      expect(platform.stacks.staging.contract.dataSubnetCidrs).toEqual(['10.1.108.0/24', '10.1.109.0/24', '10.1.110.0/24']);
    });
  });

  describe('kubernetes', () => {
    let outdir: string;
    let out: SynthesizedKubernetes;
    beforeAll(() => {
      ({ outdir, ...out } = referenceKubernetes());
    });

    const allFiles = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));

    test('the GitOps layout: manifests per environment and app, Argo CD objects per cluster, bootstrap roots', () => {
      expect(allFiles(outdir).sort()).toEqual([
        'argocd/bootstrap/dr-nyc3.k8s.yaml',
        'argocd/bootstrap/dr-sfo3.k8s.yaml',
        'argocd/bootstrap/production.k8s.yaml',
        'argocd/bootstrap/staging.k8s.yaml',
        'argocd/dr-nyc3/apps.k8s.yaml',
        'argocd/dr-nyc3/platform.k8s.yaml',
        'argocd/dr-sfo3/apps.k8s.yaml',
        'argocd/dr-sfo3/platform.k8s.yaml',
        'argocd/hub/config.k8s.yaml',
        'argocd/production/apps.k8s.yaml',
        'argocd/production/platform.k8s.yaml',
        'argocd/staging/apps.k8s.yaml',
        'argocd/staging/platform.k8s.yaml',
        'dr-nyc3/api/api.k8s.yaml',
        'dr-nyc3/bot/bot.k8s.yaml',
        'dr-nyc3/gateway/gateway.k8s.yaml',
        'dr-nyc3/namespace/namespace.k8s.yaml',
        'dr-sfo3/api/api.k8s.yaml',
        'dr-sfo3/bot/bot.k8s.yaml',
        'dr-sfo3/gateway/gateway.k8s.yaml',
        'dr-sfo3/namespace/namespace.k8s.yaml',
        'platform/dr-nyc3/config.k8s.yaml',
        'platform/dr-sfo3/config.k8s.yaml',
        'platform/production/config.k8s.yaml',
        'platform/staging/config.k8s.yaml',
        'production/api/api.k8s.yaml',
        'production/bot/bot.k8s.yaml',
        'production/gateway/gateway.k8s.yaml',
        'production/namespace/namespace.k8s.yaml',
        'staging/api/api.k8s.yaml',
        'staging/bot/bot.k8s.yaml',
        'staging/gateway/gateway.k8s.yaml',
        'staging/namespace/namespace.k8s.yaml',
      ]);
    });

    test('the production quota holds a blue-green api release at its maximum beside the bot at its surge', () => {
      const ns = out.files.find((f) => f.file === 'production/namespace/namespace.k8s.yaml')!.objects!;
      const hard = ns.find((o) => o.kind === 'ResourceQuota').spec.hard;
      const api = config.services.find((s) => s.name === 'production')!.api;
      const bot = config.services.find((s) => s.name === 'production')!.bot;
      // 20 active + 20 preview + 1 migration + 1 smoke test, the bot's rolling surge ceil(6 × 1.25) = 8, the database
      // dump's pod, 2 pods of room.
      const peak = 2 * api.maxReplicas + 1 + 1 + Math.ceil(bot.maxReplicas * 1.25) + 1;
      expect(Number(hard.pods)).toBeGreaterThanOrEqual(peak + 2);
      expect(hard.pods).toBe('53');
    });

    test('each Application points at a directory that exists in the layout', () => {
      const apps = out.files.flatMap((f) => f.objects!).filter((o) => o.kind === 'Application');
      // Per cluster: the root, 4 apps, and the platform layer (5 charts + 6 CRD sets + its config).
      expect(apps.length).toBe(4 * (5 + 12));
      for (const a of apps) {
        expect(a.spec.project).not.toBe('default');
        if (a.spec.source.repoURL !== config.gitops.repoURL) continue; // upstream charts and CRDs
        expect(fs.existsSync(path.join(outdir, a.spec.source.path.replace(/^dist\//, '')))).toBe(true);
      }
    });

    const written = (file: string) => fs.readFileSync(path.join(outdir, file), 'utf8');

    test.each(['api', 'bot'])('production %s chart matches its snapshot', (name) => {
      expect(written(path.join('production', name, `${name}.k8s.yaml`))).toMatchSnapshot();
    });

    test('production Argo CD objects match their snapshot', () => {
      const argo = out.files.filter((f) => f.file.includes(`${path.sep}production`) && f.file.startsWith('argocd'));
      expect(argo.map((f) => `# ${f.file}\n${written(f.file)}`).join('\n')).toMatchSnapshot();
    });

    test('every object validates against the Kubernetes and CRD schemas', async () => {
      const objects = out.files.flatMap((f) => f.objects!);
      const result = await schemaCheck(objects);
      expect(result.output).toContain(`manifest schema check: ${objects.length} valid, 0 invalid`);
    });

    test('written as the API server stores it: canonical quantities, no empty lists or false defaults it drops', () => {
      // What npm run verify:k8s measures on a real API server, kept here so a regression fails without one.
      const objects = out.files.flatMap((f) => f.objects!);
      const quantities: string[] = [];
      const walk = (v: unknown, key = ''): void => {
        if (Array.isArray(v)) v.forEach((x) => walk(x, key));
        else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => walk(x, k));
        else if (typeof v === 'string' && /^(cpu|memory|requests\.(cpu|memory)|limits\.(cpu|memory)|sizeLimit|storage)$/.test(key))
          quantities.push(v);
      };
      walk(objects);
      expect(quantities.length).toBeGreaterThan(20);
      expect(quantities.filter((q) => canonicalQuantity(q) !== q)).toEqual([]);
      const text = objects.map((o) => JSON.stringify(o)).join('\n');
      expect(text).not.toContain('"externalIPs":[]');
      expect(text).not.toContain('"hostNetwork":false');
      for (const a of objects.filter((o) => o.kind === 'Application')) {
        for (const f of a.metadata.finalizers ?? []) expect(f).toContain('/'); // a bare finalizer name draws a warning on every apply
      }
    });

    test('no secret values in any manifest: no Secret objects, only references', () => {
      const objects = out.files.flatMap((f) => f.objects!);
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      expect(objects.filter((o) => o.kind === 'ExternalSecret').length).toBeGreaterThan(0);
    });
  });
});
