/**
 * Objects whose keys are names that differ from app to app (the file name of an app's Grafana dashboard in its
 * ConfigMap, `<namespace>-<app>.json`), built in V8's dictionary mode, and the copies the renderer makes of them.
 *
 * Why: V8 gives every object built from `{}` a hidden class reached by one transition per key from the empty
 * object's; a key no other object has adds a transition to that shared root. Past ~1,500 of them (2,000
 * ProductionApps: one dashboard file name each, and every copy of the ConfigMap's `data` the renderer makes asks for
 * the same one), the whole render slowed down: each scavenge found 12–14 % of the young generation alive instead of
 * 4–5 % until the next full collection, and the 2,000-app benchmark ran in 6–6.5 s instead of ~4.3 s about half the
 * time (measured 2026-12-07: 2,000 throwaway keys added to `{}` beforehand took the render of 500 apps from 0.55 s to
 * 1.0–1.2 s and its survival from 4 % to 14.5 %; the same keys on another object's class, or on objects no longer
 * alive, changed nothing; docs/performance.md). An object in dictionary mode keeps its keys in a table of its own and
 * adds no transition. Same keys, order, prototype and output.
 * @internal
 */
const byName = new WeakSet<object>();

/** A plain object (prototype `Object.prototype`) in dictionary mode with `entries`, known as keyed by names. @internal */
export function _keyedByName<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  // `Object.create(null)` is in dictionary mode in V8 and stays so when given the usual prototype.
  const o = Object.setPrototypeOf(Object.create(null), Object.prototype) as Record<string, T>;
  for (const [k, v] of entries) o[k] = v;
  byName.add(o);
  return o;
}

/** Whether `o` was made by {@link _keyedByName} (its copies should be too). @internal */
export function _isKeyedByName(o: object): boolean {
  return byName.has(o);
}
