import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _objectToJson } from './render-object';
import { _withManifestYaml } from './yaml';

/** One chart's rendered objects. */
export interface RenderedChart {
  readonly chart: Chart;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
  readonly objects: any[];
}

/**
 * Renders every chart of `app` (validations, the policy pack included, run once), in the order cdk8s would and with
 * the same objects as `chart.toJson()`.
 *
 * Why: cdk8s prepares and validates the whole app again for every chart it renders (`Chart.toJson()`), so an app of
 * n charts does O(n²) work: 500 ProductionApps took 7.4 s to synthesize with `app.synth()`, and minutes with an
 * app-wide validation such as the policy pack. Here the first chart is rendered the normal way, which prepares and
 * validates the app once; the rest reuse that preparation, and every chart is rendered once (the checks that
 * rendered it during validation hand their objects on).
 */
export function renderCharts(app: App, charts?: readonly Chart[]): RenderedChart[] {
  return _inSynthesis(app, () => {
    prepare(app);
    // The charts in cdk8s' order once dependencies are resolved (a chart that depends on another comes after it).
    return (charts ?? _chartsInOrder(app)).map((chart) => ({ chart, objects: _renderPrepared(chart) }));
  });
}

/**
 * `app.charts`, the charts in cdk8s' order, without building its graph of every construct when no construct of the
 * app depends on another (call it once the app is prepared: cdk8s turns nested charts into dependencies then). With
 * no edges, cdk8s' topology is the order of its vertices, which it keys by path in a plain object: the tree's order
 * (`findAll`), paths that are array indices ("7", a top-level chart named so) first in ascending order, as in any
 * JavaScript object; a plain object keyed by the charts' paths gives exactly that. With a dependency anywhere,
 * cdk8s' own.
 *
 * Why: at 2,000 ProductionApps cdk8s' graph has 78,000 vertices with two Sets each, built once per synthesis and
 * long-lived enough to be promoted; skipping it took the 2,000-app benchmark from a median 4.86 s to 4.37 s (five
 * interleaved runs, 2026-12-07). test/private/render.test.ts compares it with cdk8s' on numbered, nested and
 * dependent charts, and with an App subclass that answers `charts` its own way (asked, as cdk8s would).
 * @internal
 */
export function _chartsInOrder(app: App): Chart[] {
  // An App whose class (or the app itself) answers `charts` its own way is asked.
  return cdk8sCharts(app) ? chartsFromTree(app) : app.charts;
}

function chartsFromTree(app: App): Chart[] {
  const byPath: Record<string, Chart> = {};
  for (const c of app.node.findAll()) {
    if (c.node.dependencies.length > 0) return Reflect.get(App.prototype, 'charts', app) as Chart[];
    if (c instanceof Chart) byPath[c.node.path] = c;
  }
  return Object.values(byPath);
}

/**
 * A synthesis in progress: one synchronous call (`renderCharts`, or cdk8s' `app.synth()`/`synthYaml()` on an app that
 * holds a library construct) during which the tree does not change. Within it a chart is rendered once and an
 * app-wide check runs once, however often cdk8s asks.
 *
 * Why: cdk8s runs every validation of the app again before it renders each chart (`Chart.toJson()`), and our
 * app-wide checks (the credential scan, the policy pack) render every chart. With n charts that was n² renders:
 * `app.synth()` of 100 ProductionApps took ten times what 10 did, and 2,000 apps did not finish in minutes.
 */
interface Synthesis {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
  readonly renders: Map<Chart, any[]>;
  readonly results: Map<object, unknown>;
  /** The app's dependencies are resolved and its validations have run (cdk8s does both before the first chart). */
  prepared: boolean;
}

const synthesizing = new WeakMap<IConstruct, Synthesis>();

/** Runs `fn` as one synthesis of the app that holds `scope` (nested calls join the open one). @internal */
export function _inSynthesis<T>(scope: IConstruct, fn: () => T): T {
  const root = scope.node.root;
  if (synthesizing.has(root)) return fn();
  synthesizing.set(root, { renders: new Map(), results: new Map(), prepared: false });
  try {
    return fn();
  } finally {
    synthesizing.delete(root);
  }
}

/**
 * The result of an app-wide check: computed once per synthesis (`key` identifies the check), and every time outside
 * one (a direct `chart.toJson()` sees the tree as it is then).
 * @internal
 */
export function _oncePerSynthesis<T>(scope: IConstruct, key: object, compute: () => T): T {
  const s = synthesizing.get(scope.node.root);
  if (!s) return compute();
  if (s.results.has(key)) return s.results.get(key) as T;
  const result = compute();
  s.results.set(key, result);
  return result;
}

/**
 * `Chart.toJson()` for the library's charts: within a synthesis whose app is already prepared (see
 * {@link Synthesis}), the chart's objects without preparing and validating the whole app again; otherwise cdk8s'
 * own (`prepareAndRender`), which prepares it. So `app.synth()` of n ProductionApps prepares the app twice, not n
 * times.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
export function _chartToJson(chart: Chart, prepareAndRender: () => any[]): any[] {
  const s = synthesizing.get(chart.node.root);
  if (!s) return prepareAndRender();
  if (s.prepared) {
    // This is cdk8s asking for the chart to write it: hand the render over and forget it, so the objects of the
    // charts already written can be collected (a second request renders again).
    const objects = _renderPrepared(chart);
    s.renders.delete(chart);
    return objects;
  }
  const objects = prepareAndRender();
  s.prepared = true;
  return objects;
}

/** A chart the library creates inside its constructs (see {@link _chartToJson}). @internal */
export class _LibraryChart extends Chart {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
  public override toJson(): any[] {
    return _chartToJson(this, () => super.toJson());
  }
}

const WRAPPED = Symbol.for('samokoder-infra.synthesis-wrapped');

/**
 * Makes cdk8s' own `app.synth()` and `app.synthYaml()` of the app that holds `scope` one synthesis each (see
 * {@link Synthesis}), so a team that synthesizes with cdk8s' API gets linear time too. Once per app; an app that is
 * not a cdk8s `App` (a bare construct tree in a test) is left alone.
 * @internal
 */
export function _synthesizeOnce(scope: IConstruct): void {
  const root = scope.node.root as IConstruct & Record<symbol, boolean>;
  if (root[WRAPPED] || !(root instanceof App)) return;
  root[WRAPPED] = true;
  const app = root as App;
  const synth = app.synth;
  const synthYaml = app.synthYaml;
  app.synth = () => _inSynthesis(app, () => (prepare(app), _withManifestYaml(() => withChartsInOrder(app, () => synth.call(app)))));
  app.synthYaml = () => _inSynthesis(app, () => (prepare(app), _withManifestYaml(() => withChartsInOrder(app, () => synthYaml.call(app)))));
}

const CDK8S_CHARTS = Object.getOwnPropertyDescriptor(App.prototype, 'charts')?.get;

/** Whether `app.charts` is cdk8s' own getter (not an App subclass', an own property, or a stand-in already set). */
function cdk8sCharts(app: App): boolean {
  for (let o: object | null = app; o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, 'charts');
    if (d) return d.get !== undefined && d.get === CDK8S_CHARTS;
  }
  return false;
}

/**
 * Runs cdk8s' own synthesis (`fn`) with `app.charts` answered by {@link _chartsInOrder}, for that call only; as is
 * where the app answers it its own way (or a synthesis of it is already running), or cannot take a property.
 */
function withChartsInOrder<T>(app: App, fn: () => T): T {
  if (!cdk8sCharts(app) || !Object.isExtensible(app)) return fn();
  Object.defineProperty(app, 'charts', { configurable: true, get: () => chartsFromTree(app) });
  try {
    return fn();
  } finally {
    delete (app as { charts?: unknown }).charts;
  }
}

/**
 * Prepares the app once, before cdk8s' own synthesis runs: rendering its first chart resolves the dependencies and
 * then runs the validations, so whatever they render is rendered in the final order. (cdk8s' `app.synth()` itself
 * validates before it resolves dependencies; renders made then could order a chart's objects differently.)
 */
function prepare(app: App): void {
  const s = synthesizing.get(app.node.root)!;
  if (s.prepared) return;
  // Any chart prepares the whole app; a top-level one is found without sorting every construct of the app
  // (cdk8s' `app.charts` builds a dependency graph of all of them, half a second at 2,000 apps).
  const first = app.node.children.find((c): c is Chart => Chart.isChart(c)) ?? app.charts[0];
  if (first) first.toJson();
  s.prepared = true;
}

/**
 * A chart's objects, rendered without preparing or validating the app again (the caller has, or is itself a
 * validation). Same objects and order as `Chart.toJson()`; rendered once per synthesis.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
export function _renderPrepared(chart: Chart): any[] {
  const s = synthesizing.get(chart.node.root);
  const known = s?.renders.get(chart);
  if (known) return known;
  const objects = new DependencyGraph(chart.node)
    .topology()
    .filter((x): x is ApiObject => x instanceof ApiObject)
    .filter((x) => Chart.of(x) === chart)
    .map((x) => _objectToJson(x));
  s?.renders.set(chart, objects);
  return objects;
}
