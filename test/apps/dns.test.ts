/**
 * DNS for the reference hosts (issue #24, item 3): each AWS cluster's public hosts resolve to the load balancer Envoy
 * Gateway's Service gets, kept by external-dns in the zone the DR stack owns, without touching the DR stack's records.
 * Read from the synthesized output of both engines: the clusters' YAML and the DR stack's Terraform JSON.
 */
import { Testing } from 'cdktf';
import { referenceCloud, referenceConfig as config, referenceKubernetes } from '../util/reference';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized JSON and YAML are untyped
type Obj = Record<string, any>;

/**
 * external-dns' `--domain-filter`/`--exclude-domains` as it applies them to every record of a plan (v0.22.0
 * endpoint/domain_filter.go, `matchFilter`): a name matches a filter equal to it or ending in `.<filter>`.
 */
const matchFilter = (filters: string[], name: string, empty: boolean): boolean =>
  filters.length === 0 ? empty : filters.some((f) => name === f || name.endsWith(`.${f}`) || (f.startsWith('.') && name.endsWith(f)));
const flag = (args: string[], name: string): string[] =>
  args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
/** Whether the external-dns whose arguments these are may create, change or delete a record of this name. */
const manages = (args: string[], name: string): boolean =>
  matchFilter(flag(args, 'domain-filter'), name, true) && !matchFilter(flag(args, 'exclude-domains'), name, false);

const objects: Record<string, Obj[]> = {};
beforeAll(() => {
  for (const { file, objects: o } of referenceKubernetes().files) {
    const cluster = /^(?:argocd|platform)\/([a-z0-9-]+)\//.exec(file)?.[1] ?? file.split('/')[0];
    (objects[cluster] ??= []).push(...o!);
  }
});
const externalDns = (cluster: string): Obj | undefined =>
  objects[cluster].find((o) => o.kind === 'Deployment' && o.metadata.name === 'external-dns');
const argsOf = (cluster: string): string[] =>
  externalDns(cluster)!.spec.template.spec.containers.find((c: Obj) => c.name === 'external-dns').args;

describe.each(['production', 'staging'])('the %s cluster', (cluster) => {
  const services = config.services.find((s) => s.name === cluster)!;

  test('runs external-dns, which makes every host its routes serve resolve to the Gateway they attach to', () => {
    // One replica in its own namespace, as the cluster's ServiceAccount (the owner of its TXT records).
    expect(externalDns(cluster)).toMatchObject({
      metadata: { namespace: 'external-dns' },
      spec: { replicas: 1, template: { spec: { serviceAccountName: 'external-dns' } } },
    });
    const args = argsOf(cluster);
    expect(args).toEqual(expect.arrayContaining(['--source=gateway-httproute', '--policy=sync', '--registry=txt']));
    const routes = objects[cluster].filter((o) => o.kind === 'HTTPRoute' && (o.spec.hostnames ?? []).length > 0);
    const hosts = [...new Set(routes.flatMap((r) => r.spec.hostnames as string[]))].sort();
    expect(hosts).toEqual([services.api.host, services.bot.host].sort());
    for (const r of routes) {
      for (const parent of r.spec.parentRefs) {
        expect(flag(args, 'gateway-name')).toEqual([parent.name]);
        expect(flag(args, 'gateway-namespace')).toEqual([parent.namespace]);
      }
    }
    for (const h of hosts) expect([h, manages(args, h)]).toEqual([h, true]);
  });

  test('owns its records under its own TXT owner id, in the zone the DR stack owns', () => {
    const args = argsOf(cluster);
    expect(flag(args, 'txt-owner-id')).toEqual([`samokoder-${cluster}`]);
    expect(flag(args, 'txt-prefix')).toEqual(['extdns-%{record_type}-']);
    const webhook = externalDns(cluster)!.spec.template.spec.containers.find((c: Obj) => c.name === 'digitalocean-webhook');
    expect(webhook.env.find((e: Obj) => e.name === 'DO_DOMAIN_FILTER').value).toBe(config.dr.domain);
  });
});

test('no AWS cluster’s external-dns may touch a record the DR stack manages (Terraform records, the global entry)', () => {
  const tf: Obj = JSON.parse(Testing.synth(referenceCloud().dr as Parameters<typeof Testing.synth>[0]));
  const zone = config.dr.domain;
  const records = Object.values(tf.resource.digitalocean_record as Obj).map((r: Obj) => `${r.name}.${zone}`);
  const entry = Object.values(tf.resource.digitalocean_loadbalancer as Obj)
    .filter((lb: Obj) => lb.type === 'GLOBAL')
    .flatMap((lb: Obj) => lb.domains.map((d: Obj) => d.name as string));
  const drNames = [...records, ...entry];
  expect(drNames.sort()).toEqual(['app.samokoder.com', 'bot.app.samokoder.com', 'nyc3.app.samokoder.com', 'sfo3.app.samokoder.com']);
  for (const cluster of ['production', 'staging']) {
    const args = argsOf(cluster);
    // Their ownership records too (a TXT beside each name, `extdns-<type>-<name>`), and the DNS-01 names DigitalOcean's
    // Let's Encrypt certificate may write under them.
    for (const name of drNames.flatMap((n) => [n, `_acme-challenge.${n}`]))
      expect([cluster, name, manages(args, name)]).toEqual([cluster, name, false]);
  }
});

test('the DR clusters run no external-dns: their hosts are the DR stack’s (global load balancer, Terraform records)', () => {
  for (const cluster of ['dr-nyc3', 'dr-sfo3']) expect(externalDns(cluster)).toBeUndefined();
});
