/**
 * Per-receiver stores for `memoize` (see memoize.ts, "The receiver"): the
 * store for calls without a receiver, plus one store per receiver, created on
 * its first call. Object receivers are held weakly (a collected receiver
 * takes its store with it); primitive receivers, possible only through
 * `call`/`apply`, in a Map.
 *
 * Internal: not exported from the package entry.
 */
export class ReceiverStores<S extends object> {
  /** The store of calls without a receiver (`this` undefined or null). */
  readonly root: S;
  private objects = new WeakMap<object, S>();
  private primitives = new Map<unknown, S>();
  /** Weak, so totals can be summed over the receivers still alive without keeping them. */
  private live: Array<WeakRef<S>> = [];

  constructor(private readonly make: () => S) {
    this.root = make();
  }

  /** The store for receiver `self`: the root store when `self` is null or undefined. */
  of(self: unknown): S {
    if (self == null) return this.root;
    const isObject = typeof self === "object" || typeof self === "function";
    let s = isObject ? this.objects.get(self as object) : this.primitives.get(self);
    if (s === undefined) {
      s = this.make();
      if (isObject) this.objects.set(self as object, s);
      else this.primitives.set(self, s);
      this.live.push(new WeakRef(s));
    }
    return s;
  }

  /** Every store still reachable: the root's first. */
  all(): S[] {
    this.live = this.live.filter((r) => r.deref() !== undefined);
    const out = [this.root];
    for (const r of this.live) {
      const s = r.deref();
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  /** Forgets every receiver's store (the root store is kept; the caller empties it). */
  dropReceivers(): void {
    this.objects = new WeakMap();
    this.primitives.clear();
    this.live = [];
  }
}
