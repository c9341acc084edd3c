/**
 * Where the API server stores something other than what we wrote: it normalizes quantities (`1000m` → `1`), drops
 * empty fields, fills defaults into lists we wrote, and so on. Argo CD compares Git with what the server stores, so
 * every rewrite is a diff it has to be taught to ignore; the goal is an output that the server stores unchanged.
 * Only fields we wrote are compared; what the server adds (defaults, status, managed fields) is not a rewrite.
 */
import { K8sObject, ref } from './gitops';

export interface Rewrite {
  /** Kind/namespace/name of the object. */
  readonly object: string;
  /** JSON path of the field, e.g. `spec.limits[0].default.cpu`. */
  readonly path: string;
  readonly wrote: unknown;
  /** What the server stores; `undefined` when it dropped the field. */
  readonly stored: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields of `wrote` that `stored` holds differently. */
export function rewritesOf(wrote: K8sObject, stored: K8sObject): Rewrite[] {
  const out: Rewrite[] = [];
  const object = ref(wrote);
  const walk = (a: unknown, b: unknown, at: string) => {
    if (isObject(a)) {
      if (!isObject(b)) {
        out.push({ object, path: at, wrote: a, stored: b });
        return;
      }
      const keys = Object.keys(a);
      if (keys.length === 0 && b === undefined) out.push({ object, path: at, wrote: a, stored: b });
      for (const k of keys) walk(a[k], b[k], at ? `${at}.${k}` : k);
      return;
    }
    if (Array.isArray(a)) {
      if (!Array.isArray(b)) {
        out.push({ object, path: at, wrote: a, stored: b });
        return;
      }
      a.forEach((item, i) => walk(item, b[i], `${at}[${i}]`));
      return;
    }
    if (a !== undefined && a !== b) out.push({ object, path: at, wrote: a, stored: b });
  };
  // Not ours to compare: the server owns these parts of metadata.
  const { metadata, status: _status, ...rest } = wrote;
  void _status;
  const { name, namespace, labels, annotations } = metadata ?? {};
  walk({ metadata: { name, namespace, labels, annotations }, ...rest }, stored, '');
  return out;
}

/** One line per rewrite, stable, for reports and for the pinned list. */
export function formatRewrite(r: Rewrite): string {
  const show = (v: unknown) => (v === undefined ? '(dropped)' : JSON.stringify(v));
  return `${r.object} ${r.path}: ${show(r.wrote)} -> ${show(r.stored)}`;
}
