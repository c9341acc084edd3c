import { IConstruct } from 'constructs';

/**
 * Constructs of one kind in one construct tree, registered by their constructors once their props are checked.
 *
 * Why: the cross-construct checks (two apps with one name or host, two buckets with one global name, overlapping
 * VPCs, two platform layers for one cluster) used to walk the whole tree from its root (`node.root.node.findAll()`)
 * in every constructor, so n constructs cost O(n²): 2,000 ProductionApps spent most of their 142 s CPU there. A
 * list kept on the root makes each check proportional to the constructs of its own kind (a map lookup where the
 * check is by key). Only constructs whose checks passed are registered, so a construct that threw in its
 * constructor (and stays in the tree as cdk8s and cdktf leave it) is never a "twin".
 * @internal
 */
export class _Registry<T> {
  private static readonly roots = new WeakMap<IConstruct, Map<string, _Registry<unknown>>>();

  /** The registry of `kind` in the tree that holds `scope`. */
  public static of<T>(scope: IConstruct, kind: string): _Registry<T> {
    const root = scope.node.root;
    let byKind = _Registry.roots.get(root);
    if (!byKind) {
      byKind = new Map();
      _Registry.roots.set(root, byKind);
    }
    let registry = byKind.get(kind);
    if (!registry) {
      registry = new _Registry<unknown>();
      byKind.set(kind, registry);
    }
    return registry as _Registry<T>;
  }

  private readonly items: T[] = [];
  private readonly byKey = new Map<string, T>();

  private constructor() {}

  /** Every registered construct, in the order they were registered. */
  public all(): readonly T[] {
    return this.items;
  }

  /** The construct registered under `key`, if any. */
  public get(key: string): T | undefined {
    return this.byKey.get(key);
  }

  /** Registers `item` (under each of `keys`; a key already taken keeps its first owner). */
  public add(item: T, ...keys: string[]): void {
    this.items.push(item);
    for (const k of keys) if (!this.byKey.has(k)) this.byKey.set(k, item);
  }
}
