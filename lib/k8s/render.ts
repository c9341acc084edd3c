import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';

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
 * validates the app once; the rest reuse that preparation.
 */
export function renderCharts(app: App, charts: readonly Chart[] = app.charts): RenderedChart[] {
  if (charts.length === 0) return [];
  const [first, ...rest] = charts;
  return [{ chart: first, objects: first.toJson() }, ...rest.map((chart) => ({ chart, objects: _renderPrepared(chart) }))];
}

/**
 * A chart's objects, rendered without preparing or validating the app again (the caller has, or is itself a
 * validation). Same objects and order as `Chart.toJson()`.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
export function _renderPrepared(chart: Chart): any[] {
  return new DependencyGraph(chart.node)
    .topology()
    .filter((x): x is ApiObject => x instanceof ApiObject)
    .filter((x) => Chart.of(x) === chart)
    .map((x) => x.toJson());
}
