/**
 * The store behind unbounded `memoize` without a `key` function: a trie of
 * Maps, one level per argument, split by argument count. A lookup is one Map
 * lookup per argument on the arguments themselves, so no key string is built
 * (on the runtime-cache bench, 3-argument hits built as a tagged string key
 * cost ~2× the trie lookup), and keys cannot collide: each level is a Map
 * with SameValueZero equality and arity picks the root.
 *
 * Internal: not exported from the package entry.
 */
export class ArgTrie {
  /** Arity-1 entries, kept apart so the one-argument path reaches them without indexing. */
  readonly one = new Map<unknown, unknown>();
  /** Roots for arity ≥ 2: nested Maps `arity` deep, values at the last level. */
  private readonly roots: Array<Map<unknown, any> | undefined> = [];
  private zero: unknown = undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The value for these arguments, `undefined` if absent (values stored are never `undefined`). */
  get(args: ArrayLike<unknown>): unknown {
    const n = args.length;
    if (n === 1) return this.one.get(args[0]);
    if (n === 0) return this.zero;
    let node = this.roots[n];
    for (let i = 0; node !== undefined && i < n - 1; i++) node = node.get(args[i]);
    return node === undefined ? undefined : node.get(args[n - 1]);
  }

  /** Stores `value` (not `undefined`) for these arguments. */
  set(args: ArrayLike<unknown>, value: unknown): void {
    const n = args.length;
    if (n === 1) {
      const before = this.one.size;
      this.one.set(args[0], value);
      this.count += this.one.size - before;
      return;
    }
    if (n === 0) {
      if (this.zero === undefined) this.count++;
      this.zero = value;
      return;
    }
    let node = this.roots[n];
    if (node === undefined) this.roots[n] = node = new Map();
    for (let i = 0; i < n - 1; i++) {
      let child = node.get(args[i]);
      if (child === undefined) node.set(args[i], (child = new Map()));
      node = child as Map<unknown, unknown>;
    }
    const before = node.size;
    node.set(args[n - 1], value);
    this.count += node.size - before;
  }

  /** Removes the entry for these arguments, pruning emptied levels. */
  delete(args: ArrayLike<unknown>): boolean {
    const n = args.length;
    if (n === 1) {
      const had = this.one.delete(args[0]);
      if (had) this.count--;
      return had;
    }
    if (n === 0) {
      if (this.zero === undefined) return false;
      this.zero = undefined;
      this.count--;
      return true;
    }
    const path: Map<unknown, any>[] = [];
    let node = this.roots[n];
    for (let i = 0; node !== undefined && i < n - 1; i++) {
      path.push(node);
      node = node.get(args[i]);
    }
    if (node === undefined || !node.delete(args[n - 1])) return false;
    this.count--;
    for (let i = n - 2; i >= 0 && node.size === 0; i--) {
      path[i]!.delete(args[i]);
      node = path[i]!;
    }
    if (node.size === 0) this.roots[n] = undefined;
    return true;
  }

  clear(): void {
    this.one.clear();
    this.roots.length = 0;
    this.zero = undefined;
    this.count = 0;
  }
}
