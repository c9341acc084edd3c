import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Yaml, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { DeploymentStrategy, PolicyPack, ProductionApp, renderCharts } from 'samokoder-infra';
import { _chartsInOrder } from '../../lib/private/render';
import { testTmp } from '../util/reference';

/**
 * An app with what orders objects: a migration after its prerequisites (construct dependencies cdk8s resolves into
 * object order), a blue-green rollout, and a team's own chart that depends on an app's chart.
 */
function build(outdir: string, policy: boolean): App {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const apps = ['api', 'bot', 'web'].map(
    (name, i) =>
      new ProductionApp(app, name, {
        name,
        image: `ghcr.io/acme/${name}:1.0.0`,
        host: `${name}.acme.dev`,
        ...(i === 0
          ? { migration: { command: ['migrate'] }, strategy: DeploymentStrategy.blueGreen({ smokeTest: { paths: ['/api/status'] } }) }
          : {}),
      }),
  );
  // Inside an app's chart, a construct that depends on one created after it: cdk8s orders their objects only once it
  // has resolved dependencies, so a render made before that (by a check) must not be what is written.
  const [first, second] = ['First', 'Second'].map((id) => {
    const c = new Construct(apps[2], id);
    new ApiObject(c, 'Map', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `web-${id.toLowerCase()}` } });
    return c;
  });
  first.node.addDependency(second);
  const team = new Chart(app, 'team', { namespace: 'api' });
  const extra = new ApiObject(team, 'Extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra' } });
  extra.node.addDependency(apps[0]);
  if (policy) PolicyPack.enforce(app, { onWarning: () => undefined });
  return app;
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]),
  );
}

describe('synthesis: one preparation per app, the same bytes as cdk8s', () => {
  test.each([false, true])("app.synth() writes what cdk8s' own synth writes (policy pack: %s)", (policy) => {
    const ours = fs.mkdtempSync(path.join(testTmp(), 'ours-'));
    const theirs = fs.mkdtempSync(path.join(testTmp(), 'theirs-'));
    build(ours, policy).synth();
    // The prototype's synth: cdk8s' own, which prepares and validates the app again for every chart.
    App.prototype.synth.call(build(theirs, policy));
    expect(Object.keys(files(ours))).toHaveLength(4);
    expect(files(ours)).toEqual(files(theirs));
    const web = Object.entries(files(ours)).find(([f]) => f.endsWith('web.k8s.yaml'))![1];
    expect(web.indexOf('name: web-second')).toBeLessThan(web.indexOf('name: web-first'));
  });

  test("app.synthYaml() returns what cdk8s' own returns, and cdk8s' Yaml is itself again afterwards, also after a failure", () => {
    const [save, stringify] = [Yaml.save, Yaml.stringify];
    const ours = build(fs.mkdtempSync(path.join(testTmp(), 'yaml-ours-')), true).synthYaml();
    expect(ours).toBe(App.prototype.synthYaml.call(build(fs.mkdtempSync(path.join(testTmp(), 'yaml-theirs-')), true)));
    expect([Yaml.save, Yaml.stringify]).toEqual([save, stringify]);
    // An output directory that is a file: cdk8s' own synth fails while writing, inside the stand-in.
    const notADirectory = path.join(fs.mkdtempSync(path.join(testTmp(), 'yaml-fail-')), 'file');
    fs.writeFileSync(notADirectory, '');
    const failing = build(notADirectory, false);
    expect(() => failing.synth()).toThrow(/EEXIST|ENOTDIR/);
    expect([Yaml.save, Yaml.stringify]).toEqual([save, stringify]);
  });

  test("renderCharts gives each chart the objects of cdk8s' own chart.toJson()", () => {
    const app = build(fs.mkdtempSync(path.join(testTmp(), 'render-')), true);
    const rendered = renderCharts(app);
    expect(rendered.map((r) => r.chart.node.id)).toEqual(app.charts.map((c) => c.node.id));
    for (const { chart, objects } of rendered) expect(objects).toEqual(chart.toJson());
  });

  test('a change between two direct toJson() calls is seen: outside a synthesis nothing is reused', () => {
    const app = build(fs.mkdtempSync(path.join(testTmp(), 'direct-')), false);
    const api = app.node.findChild('api') as ProductionApp;
    expect(api.toJson().some((o) => o.metadata?.name === 'late')).toBe(false);
    new ApiObject(api, 'Late', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late' } });
    expect(api.toJson().some((o) => o.metadata?.name === 'late')).toBe(true);
  });

  test('the credential scan still stops a secret added after a first synth of the same app', () => {
    const app = build(fs.mkdtempSync(path.join(testTmp(), 'scan-')), false);
    app.synth();
    const api = app.node.findChild('api') as ProductionApp;
    new ApiObject(api, 'Leak', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'leak', annotations: { token: ['ghp', 'abcdefghijklmnopqrstuvwxyz0123'].join('_') } },
    });
    expect(() => app.synth()).toThrow(/ConfigMap leak: 'metadata.annotations.token' holds something shaped like a credential/);
  });
});

describe("the charts' order without cdk8s' graph of every construct", () => {
  /** Top-level charts named so that a plain object reorders them ("10" and "2" are array indices), and a library one. */
  function numbered(): App {
    const app = new App({ outdir: fs.mkdtempSync(path.join(testTmp(), 'order-')) });
    for (const id of ['b', '10', 'a', '2', 'c-1']) new ApiObject(new Chart(app, id), 'Map', { apiVersion: 'v1', kind: 'ConfigMap' });
    new ProductionApp(app, 'web', { name: 'web', image: 'ghcr.io/acme/web:1.0.0', host: 'web.acme.dev' });
    return app;
  }
  const cdk8sCharts = (app: App) => (Reflect.get(App.prototype, 'charts', app) as Chart[]).map((c) => c.node.path);

  test("is cdk8s' order: numbered charts, nested charts, a chart that depends on another", () => {
    const plain = numbered();
    expect(_chartsInOrder(plain).map((c) => c.node.path)).toEqual(['2', '10', 'b', 'a', 'c-1', 'web']);
    expect(_chartsInOrder(plain).map((c) => c.node.path)).toEqual(cdk8sCharts(plain));
    // A nested chart (cdk8s makes the parent depend on it once the app is prepared) and an explicit dependency.
    const nested = numbered();
    new ApiObject(new Chart(nested.node.findChild('b'), 'inner'), 'Map', { apiVersion: 'v1', kind: 'ConfigMap' });
    (nested.node.findChild('b') as Chart).toJson();
    const dependent = numbered();
    dependent.node.findChild('2').node.addDependency(dependent.node.findChild('web'));
    for (const app of [nested, dependent]) expect(_chartsInOrder(app).map((c) => c.node.path)).toEqual(cdk8sCharts(app));
    expect(cdk8sCharts(dependent).indexOf('web')).toBeLessThan(cdk8sCharts(dependent).indexOf('2'));
  });

  test("renderCharts and app.synth() do not build cdk8s' graph of the whole app when nothing depends on anything", () => {
    // cdk8s' graph of the whole app is the one whose topology holds the app itself (a chart's holds its own tree).
    const topology = jest.spyOn(DependencyGraph.prototype, 'topology');
    const wholeApp = (app: App) => topology.mock.results.filter((r) => (r.value as unknown[]).includes(app)).length;
    try {
      const app = numbered();
      PolicyPack.enforce(app, { onWarning: () => undefined });
      expect(renderCharts(app).map((r) => r.chart.node.path)).toEqual(['2', '10', 'b', 'a', 'c-1', 'web']);
      app.synth();
      expect(fs.readdirSync(app.outdir).sort()).toEqual([
        '10.k8s.yaml',
        '2.k8s.yaml',
        'a.k8s.yaml',
        'b.k8s.yaml',
        'c-1.k8s.yaml',
        'web.k8s.yaml',
      ]);
      expect(topology).toHaveBeenCalled();
      expect(wholeApp(app)).toBe(0);
      // With a dependency, cdk8s' own (which orders by it).
      const dependent = numbered();
      dependent.node.findChild('2').node.addDependency(dependent.node.findChild('web'));
      expect(renderCharts(dependent).map((r) => r.chart.node.path)).toEqual(['web', '2', '10', 'b', 'a', 'c-1']);
      expect(wholeApp(dependent)).toBe(1);
      // The stand-in lasts one synthesis: afterwards app.charts is cdk8s' getter again.
      expect(Object.getOwnPropertyDescriptor(app, 'charts')).toBeUndefined();
    } finally {
      topology.mockRestore();
    }
  });

  test('an App whose class answers `charts` its own way is asked, by renderCharts and app.synth() alike', () => {
    class Filtered extends App {
      public override get charts(): Chart[] {
        return super.charts.filter((c) => c.node.id !== 'skip');
      }
    }
    const app = new Filtered({ outdir: fs.mkdtempSync(path.join(testTmp(), 'subclass-')) });
    new ApiObject(new Chart(app, 'skip'), 'Map', { apiVersion: 'v1', kind: 'ConfigMap' });
    new ProductionApp(app, 'web', { name: 'web', image: 'ghcr.io/acme/web:1.0.0', host: 'web.acme.dev' });
    expect(renderCharts(app).map((r) => r.chart.node.id)).toEqual(['web']);
    app.synth();
    expect(fs.readdirSync(app.outdir)).toEqual(['web.k8s.yaml']);
    expect(app.synthYaml()).not.toContain('skip');
    expect(Object.getOwnPropertyDescriptor(app, 'charts')).toBeUndefined();
  });
});
