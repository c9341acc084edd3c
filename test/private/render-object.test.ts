import { ApiObject, App, Chart, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import { IntOrString, KubeConfigMap, KubeService, Quantity } from 'cdk8s-plus-28/lib/imports/k8s';
import * as v8 from 'v8';
import { ProductionApp, renderCharts } from 'samokoder-infra';
import { _objectToJson } from '../../lib/private/render-object';
import { referenceKubernetes } from '../util/reference';

const cdk8s = ApiObject.prototype.toJson;

function object(body: Record<string, unknown>, app = new App()): ApiObject {
  return new ApiObject(new Chart(app, 'c', { namespace: 'ns' }), 'o', { apiVersion: 'v1', kind: 'ConfigMap', ...body });
}

describe("the library's one-pass rendering of an ApiObject gives what cdk8s' toJson gives", () => {
  test('for every object of the reference platform', () => {
    let fast = 0;
    let all = 0;
    for (const app of Object.values(referenceKubernetes().apps)) {
      for (const c of app.node.findAll()) {
        if (!(c instanceof ApiObject)) continue;
        all++;
        if (c.toJson === cdk8s) fast++;
        expect(_objectToJson(c)).toStrictEqual(c.toJson());
      }
    }
    // Most objects are the library's plain bodies; the rest are cdk8s-plus' typed objects, whose own toJson runs around
    // the one pass (see the next tests).
    expect(fast).toBeGreaterThan(all / 2);
  });

  test('for values each built-in resolver acts on, empty values, patches and key order', () => {
    const o = object({
      metadata: { name: 'x', labels: { b: '2', a: '1' } },
      data: {
        lazy: Lazy.any({ produce: () => ({ z: 1, y: null, x: [Lazy.any({ produce: () => 'in' }), undefined, null] }) }),
        token: { resolve: () => ({ d: 4, c: 3 }) },
        port: IntOrString.fromNumber(8080),
        memory: Quantity.fromString('64Mi'),
        empty: {},
        list: [],
        nested: [{ k: undefined, j: [{}] }],
        zero: 0,
        no: false,
        blank: '',
      },
    });
    o.addJsonPatch(JsonPatch.add('/data/patched', 'yes'), JsonPatch.remove('/data/zero'));
    expect(_objectToJson(o)).toStrictEqual(cdk8s.call(o));
    expect(Object.keys(_objectToJson(o))).toEqual(['apiVersion', 'kind', 'metadata', 'data']);
  });

  test("cdk8s-plus' typed objects: their own toJson runs, and what it asks of cdk8s' base takes the one pass", () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ns' });
    const service = new KubeService(chart, 'svc', {
      metadata: { name: 'svc', labels: { b: '2', a: '1' } },
      spec: { selector: { app: 'x' }, ports: [{ port: 80, targetPort: IntOrString.fromString('http') }], externalIPs: [] },
    });
    // A Lazy that produces a Lazy, and one that produces nothing.
    const map = new KubeConfigMap(chart, 'map', {
      metadata: { name: 'map' },
      data: Lazy.any({ produce: () => ({ b: Lazy.any({ produce: () => 'lazy' }), a: '1' }) }) as unknown as Record<string, string>,
      binaryData: Lazy.any({ produce: () => undefined }) as unknown as Record<string, string>,
    });
    map.addJsonPatch(JsonPatch.add('/data/c', '3'));
    // What answers super.toJson() while the typed object renders itself (seen from inside a Lazy it resolves).
    const seen: unknown[] = [];
    const probe = new KubeConfigMap(chart, 'probe', {
      metadata: { name: 'probe' },
      data: Lazy.any({ produce: () => (seen.push(ApiObject.prototype.toJson), { a: '1' }) }) as unknown as Record<string, string>,
    });
    const ours = [service, map, probe].map((o) => _objectToJson(o));
    expect(seen).toHaveLength(1);
    expect(seen[0]).not.toBe(cdk8s);
    expect(ApiObject.prototype.toJson).toBe(cdk8s);
    expect(ours).toStrictEqual([service.toJson(), map.toJson(), probe.toJson()]);
    expect(ours[1].data).toStrictEqual({ a: '1', b: 'lazy', c: '3' });
  });

  test("Lazy producers run in cdk8s' order (the object's own), and the first failure is cdk8s' first", () => {
    const calls: string[] = [];
    const lazy = (name: string) => Lazy.any({ produce: () => (calls.push(name), { x: name }) }) as unknown as Record<string, string>;
    const map = new KubeConfigMap(new Chart(new App(), 'c'), 'm', {
      metadata: { name: 'm' },
      data: lazy('data'),
      binaryData: lazy('binary'),
    });
    _objectToJson(map);
    const ours = calls.splice(0);
    map.toJson();
    expect(ours).toEqual(calls);
    expect(ours).toEqual(['data', 'binary']);
    class Foo {}
    const bad = object({
      data: {
        b: Lazy.any({
          produce: () => {
            throw new Error('B');
          },
        }),
        a: new Foo(),
      },
    });
    expect(() => cdk8s.call(bad)).toThrow('Error: B');
    expect(() => _objectToJson(bad)).toThrow('Error: B');
  });

  test("a team's replacement of cdk8s' ApiObject.prototype.toJson keeps running, for plain and typed objects", () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ns' });
    const plainObject = new ApiObject(chart, 'p', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'p' } });
    const typed = new KubeConfigMap(chart, 'l1', { metadata: { name: 'l1' } });
    const proto = ApiObject.prototype as unknown as { toJson: (this: ApiObject) => ReturnType<typeof cdk8s> };
    proto.toJson = function (this: ApiObject) {
      const json = cdk8s.call(this);
      json.metadata.annotations = { team: 'stamped' };
      return json;
    };
    try {
      for (const o of [plainObject, typed]) expect(_objectToJson(o).metadata.annotations).toEqual({ team: 'stamped' });
    } finally {
      proto.toJson = cdk8s;
    }
  });

  test("a team's own resolver, CDK8S_DISABLE_SORT and values cdk8s cannot render are left to cdk8s", () => {
    const upper = {
      resolve: (ctx: ResolutionContext) =>
        typeof ctx.value === 'string' && ctx.value !== ctx.value.toUpperCase() && ctx.replaceValue(ctx.value.toUpperCase()),
    };
    const custom = object({ data: { b: 'x', a: 'y' } }, new App({ resolvers: [upper] }));
    expect(_objectToJson(custom)).toStrictEqual(cdk8s.call(custom));
    expect(_objectToJson(custom).data).toEqual({ a: 'Y', b: 'X' });

    const unsorted = object({ data: { b: '1', a: '2' } });
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      expect(Object.keys(_objectToJson(unsorted).data)).toEqual(['b', 'a']);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }

    const dated = object({ data: { when: new Date(0) } });
    expect(() => cdk8s.call(dated)).toThrow("can't render non-simple object of type 'Date'");
    expect(() => _objectToJson(dated)).toThrow(
      "Failed serializing construct at path 'c/o' with name 'c-o-c89fde97': Error: can't render non-simple object of type 'Date'",
    );
  });
});

describe("names that differ from app to app are no transition of V8's shared empty-object class", () => {
  // V8's own view of an object (test only): whether it has a hidden class of its own kind or a table of its keys.
  // The flag is on only while this one function is compiled (it changes what the parser accepts, nothing else).
  // %HasFastProperties is V8's, the same on Node.js 20, 22 and 24.
  v8.setFlagsFromString('--allow-natives-syntax');
  const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
  v8.setFlagsFromString('--no-allow-natives-syntax');

  test("a dashboard ConfigMap's data, in its props and in what is rendered, keeps its keys in a table of its own", () => {
    const app = new App();
    new ProductionApp(app, 'svc7', { name: 'svc7', image: 'ghcr.io/acme/svc:1.0.0', host: 'svc7.acme.dev' });
    const [{ objects }] = renderCharts(app);
    const dashboard = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'svc7-dashboard');
    expect(Object.keys(dashboard.data)).toEqual(['svc7-svc7.json']);
    expect(Object.getPrototypeOf(dashboard.data)).toBe(Object.prototype);
    expect(hasFastProperties(dashboard.data)).toBe(false);
    const source = app.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.name === 'svc7-dashboard')!;
    expect(hasFastProperties((source as unknown as { props: { data: object } }).props.data)).toBe(false);
    // The control: everything else is built the usual way.
    expect(hasFastProperties(dashboard.metadata)).toBe(true);
    expect(hasFastProperties(objects[0])).toBe(true);
  });
});
