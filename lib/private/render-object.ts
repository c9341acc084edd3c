import { ApiObject, App, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver, resolve } from 'cdk8s';
// cdk8s' own sanitizer (not exported from its root; the package has no exports map, so the path is reachable).
import { sanitizeValue } from 'cdk8s/lib/_util';
import { _isKeyedByName, _keyedByName } from './keyed';

/** cdk8s' `ApiObject.prototype.toJson`: an object whose class or instance replaces it is rendered by its own. */
const BASE_TO_JSON = ApiObject.prototype.toJson;

/**
 * What `obj.toJson()` returns, in about a third of the time for the objects the library makes from plain bodies.
 *
 * cdk8s' `ApiObject.toJson()` resolves every value of the body (`resolve`: for each value it finds the app from
 * the object, makes a resolution context and asks each resolver) and then copies it again to drop empty values and
 * sort keys (`sanitizeValue`); at 2,000 apps those two were a fifth of the synthesis. Here both are one pass that
 * does the same for plain data and hands anything else to cdk8s' own two steps: a value a resolver could act on
 * (a `Lazy`, anything with a `resolve` method, an instance of a class, a function) is resolved and sanitized by
 * cdk8s, so the result is the same object (test/private/render-object.test.ts compares both on every object of the
 * reference platform and on values made to hit each resolver).
 *
 * Used only when nothing could tell the difference: the object keeps cdk8s' `toJson` (no subclass or instance
 * override), its app has only cdk8s' built-in resolvers (a team's own resolvers may act on any value: then cdk8s
 * renders) and `CDK8S_DISABLE_SORT` is unset.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
export function _objectToJson(obj: ApiObject): any {
  if (process.env.CDK8S_DISABLE_SORT || !builtInResolversOnly(obj)) return obj.toJson();
  if (obj.toJson === BASE_TO_JSON) return baseToJson(obj);
  // A class with its own `toJson` (cdk8s-plus' typed objects: `{ ...GVK, ...toJson_<Kind>Props(super.toJson()) }`)
  // renders itself; what it asks of cdk8s' base, `super.toJson()`, is answered by the one pass for that call. Any
  // object it reaches meanwhile that cannot take the one pass gets cdk8s' own.
  const proto = ApiObject.prototype as unknown as { toJson: (this: ApiObject) => unknown };
  const before = proto.toJson;
  // Only cdk8s' own base is stood in for: a team's replacement of it (or a test's spy) keeps running.
  if (before !== BASE_TO_JSON) return obj.toJson();
  proto.toJson = function (this: ApiObject) {
    return !process.env.CDK8S_DISABLE_SORT && builtInResolversOnly(this) ? baseToJson(this) : before.call(this);
  };
  try {
    return obj.toJson();
  } finally {
    proto.toJson = before;
  }
}

/** What cdk8s' own `ApiObject.prototype.toJson` returns for `obj`, in one pass (see above). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
function baseToJson(obj: ApiObject): any {
  // The fields cdk8s' `toJson` reads; private in its typings.
  const own = obj as unknown as { props: object; patches: JsonPatch[] };
  try {
    const json = plain({ ...own.props, metadata: obj.metadata.toJson() }, obj);
    const patched = JsonPatch.apply(json, ...own.patches);
    // apiVersion, kind and metadata first, then the rest (as cdk8s orders them).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
    const result: Record<string, any> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) if (k in patched) result[k] = patched[k];
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
}

function builtInResolversOnly(obj: ApiObject): boolean {
  let resolvers: unknown[];
  try {
    resolvers = App.of(obj).resolvers;
  } catch {
    return false;
  }
  return (
    resolvers.length === 3 &&
    resolvers[0] instanceof LazyResolver &&
    resolvers[1] instanceof ImplicitTokenResolver &&
    resolvers[2] instanceof NumberStringUnionResolver
  );
}

/**
 * `sanitizeValue(resolve([], value, obj), { sortKeys: true })` in one pass. For a primitive, an array or a plain
 * object no built-in resolver replaces the value (LazyResolver wants a `Lazy`, ImplicitTokenResolver a `resolve`
 * method, NumberStringUnionResolver a non-plain object with a string or number `value`), so both steps reduce to:
 * arrays mapped, plain objects' keys sorted with empty values dropped. Anything else goes through cdk8s' steps.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
function plain(value: any, obj: ApiObject): any {
  if (value === null || value === undefined) return undefined;
  // cdk8s' LazyResolver comes first and replaces a Lazy by what it produces, which is then resolved from the start.
  if (value instanceof Lazy) return plain(value.produce(), obj);
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') {
    // A primitive's prototype could carry `resolve` or `value` only if someone changed String/Number/Boolean.
    if (typeof value.resolve !== 'function' && !isUnionValue(value)) return value;
  } else if (Array.isArray(value)) {
    if (typeof (value as { resolve?: unknown }).resolve !== 'function' && !isUnionValue(value)) {
      return value.map((v) => plain(v, obj));
    }
  } else if (type === 'object' && value.constructor === Object && typeof value.resolve !== 'function') {
    // Each value in the order cdk8s resolves them, the object's own (a Lazy's producer may have side effects, and the
    // first failure is the one reported), then written in the order cdk8s sorts them.
    const keys = Object.keys(value);
    const values = keys.map((k) => plain(value[k], obj));
    const order = keys.map((_, i) => i);
    if (!sorted(keys)) order.sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests are untyped JSON
    const out: Record<string, any> = _isKeyedByName(value) ? _keyedByName() : {};
    for (const i of order) if (values[i] !== null && values[i] !== undefined) out[keys[i]] = values[i];
    return out;
  }
  return sanitizeValue(resolve([], value, obj), { sortKeys: true });
}

/** What NumberStringUnionResolver replaces: a value that is not a plain object and has a string or number `value`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any value
function isUnionValue(value: any): boolean {
  const inner = typeof value.value;
  return inner === 'number' || inner === 'string';
}

/** Whether `keys` are in the order `Array.prototype.sort()` gives (UTF-16 code units; keys are distinct). */
function sorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}
