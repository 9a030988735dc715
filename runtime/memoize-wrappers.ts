/**
 * The three cache shapes behind `memoize` (see memoize.ts for keys and the
 * receiver rule): unbounded on an argument trie, unbounded on a `key`
 * function's result, and bounded on an LruCache; each keeps one store per
 * receiver. Also the public option and stats types, which memoize.ts
 * re-exports.
 *
 * Internal: only memoize.ts imports this file.
 */
import { KosError } from "../errors.js";
import { LruCache } from "./lru.js";
import { ArgTrie } from "./memoize-trie.js";
import { ReceiverStores } from "./memoize-receivers.js";

/** Options for {@link memoize}. */
export interface MemoizeOptions<A extends unknown[] = unknown[]> {
  /** Keep at most this many results, evicting the least recently used (an {@link LruCache}). Default: unbounded. */
  maxSize?: number;
  /** Results expire this many ms after they were computed. Requires `maxSize` (an unbounded cache with TTL only shrinks when read). */
  ttl?: number;
  /** Maps the arguments to a cache key (any value, compared as a Map key). Required for object or function arguments. */
  key?: (...args: A) => unknown;
  /**
   * Treat results as promises (any thenable). Concurrent calls with the same
   * key share one promise, and a rejected promise is removed from the cache so
   * the next call tries again. Native Promises are detected without this flag.
   */
  async?: boolean;
  /** Clock in ms for `ttl`; for tests. Default: the LruCache default clock. */
  now?: () => number;
}

/** Counters reported by {@link Memoized.stats}. */
export interface MemoizeStats {
  hits: number;
  misses: number;
  /** Results dropped for `maxSize`. */
  evictions: number;
  /** Results dropped because their `ttl` ran out. */
  expirations: number;
  /** Results currently cached. */
  size: number;
}

/** A memoized function: the original signature plus cache controls. */
export type Memoized<F extends (...args: any[]) => any> = F & {
  /** Hit, miss and eviction counters and the current size. */
  stats(): MemoizeStats;
  /** Empties the cache (counters are kept). */
  clear(): void;
};

/** The "no last argument" marker of the repeated-call shortcut: a private object no primitive argument can equal. */
const NO_LAST_ARG: unknown = Object.freeze({});

/** Stands in for a cached `undefined` result, so one lookup tells a hit from a miss. */
const UNDEFINED_RESULT: unknown = Symbol("memoize.undefined");

function keyRequired(index: number, value: unknown): never {
  throw new KosError(
    "MEMOIZE_KEY_REQUIRED",
    `argument ${index} is ${value === null ? "null" : typeof value}: memoize keys only primitive arguments; pass a \`key\` function`,
  );
}

function isThenable(r: unknown): r is PromiseLike<unknown> {
  return r !== null && (typeof r === "object" || typeof r === "function") && typeof (r as { then?: unknown }).then === "function";
}

/** Throws unless every argument is a primitive; run on misses only (an object argument can never hit). */
function checkPrimitiveArgs(args: ArrayLike<unknown>): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((typeof a === "object" && a !== null) || typeof a === "function") keyRequired(i, a);
  }
}

function isPromiseResult(r: unknown, treatAsAsync: boolean): boolean {
  return r instanceof Promise || (treatAsAsync && isThenable(r));
}

/** Calls `drop` if the promise `r` rejects. Promise.resolve adopts a foreign thenable and returns a native promise as is. */
function onRejection(r: unknown, drop: () => void): void {
  Promise.resolve(r).then(undefined, drop);
}

/**
 * The memoized function. With `byReceiver` (the `memoize(fn)` form) each
 * receiver gets a store of its own, chosen inside the lookup, so a method call
 * costs one WeakMap lookup more than a plain call: a one-argument method hit
 * over 8 keys measured 11.3–11.8 ns against 8.3–8.5 ns before the receiver
 * was keyed (CPU time, one process per variant; plain calls unchanged). An
 * earlier version routed method calls to a whole memoized function per
 * receiver: 27–36 ns, the nested `apply(this, arguments)` defeating V8's
 * inlining. Without `byReceiver` (the decorator's per-instance wrappers)
 * `this` is only passed through.
 */
export function wrapPlain<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions<Parameters<F>>, byReceiver: boolean): Memoized<F> {
  const { maxSize, key: keyFn, async: treatAsAsync = false } = options;
  return maxSize !== undefined
    ? wrapBounded(fn, options, maxSize, byReceiver)
    : keyFn !== undefined
      ? wrapKeyed(fn, keyFn, treatAsAsync, byReceiver)
      : wrapUnbounded(fn, treatAsAsync, byReceiver);
}

/**
 * Unbounded, automatic keys: an {@link ArgTrie} per receiver. One-argument
 * calls without a receiver check the last argument first (one `===`: the
 * cost of a repeated call drops to about that of micro-memoize's
 * head-of-list check) and then one Map lookup.
 */
function wrapUnbounded<F extends (...args: any[]) => any>(fn: F, treatAsAsync: boolean, byReceiver: boolean): Memoized<F> {
  const stores = new ReceiverStores(() => new ArgTrie());
  const rootTrie = stores.root;
  const one = rootTrie.one;
  let hits = 0;
  let misses = 0;
  let lastArg: unknown = NO_LAST_ARG;
  let lastValue: unknown;
  /** A miss in `trie`: computes, caches, and drops a rejected promise again. */
  const compute = (self: unknown, trie: ArgTrie, args: IArguments): unknown => {
    misses++;
    checkPrimitiveArgs(args);
    const r = fn.apply(self, args as never);
    trie.set(args, r === undefined ? UNDEFINED_RESULT : r);
    if (isPromiseResult(r, treatAsAsync)) {
      const copy = Array.from(args);
      onRejection(r, () => {
        if (trie.get(copy) === r) {
          trie.delete(copy);
          if (trie === rootTrie) lastArg = NO_LAST_ARG;
        }
      });
    }
    return r;
  };
  // Calls without a receiver: the root trie, reached through closure
  // constants (reading it from a chosen store cost a mixed-key hit 11.2 ns
  // against 8.5 ns).
  const lookup = function (this: unknown): unknown {
    let v: unknown;
    if (arguments.length === 1) {
      const a = arguments[0];
      v = one.get(a);
      if (v !== undefined) {
        hits++;
        lastArg = a;
        return (lastValue = v === UNDEFINED_RESULT ? undefined : v);
      }
    } else {
      v = rootTrie.get(arguments);
      if (v !== undefined) {
        hits++;
        return v === UNDEFINED_RESULT ? undefined : v;
      }
    }
    return compute(this, rootTrie, arguments);
  };
  const lookupOnReceiver = function (this: unknown): unknown {
    const trie = stores.of(this);
    const v = arguments.length === 1 ? trie.one.get(arguments[0]) : trie.get(arguments);
    if (v !== undefined) {
      hits++;
      return v === UNDEFINED_RESULT ? undefined : v;
    }
    return compute(this, trie, arguments);
  };
  // A front small enough for V8 to inline into the caller. Measured in CPU
  // time on this machine, a repeated one-argument hit went from 4.8 ns (the
  // check inside the full body) to 2.9 ns (this front) to 1.9 ns (marker object
  // instead of a `hasLast` flag); micro-memoize's single-entry hit: 2.4 ns.
  const memoized = function (this: unknown): unknown {
    if (this != null && byReceiver) return lookupOnReceiver.apply(this, arguments as never);
    if (arguments.length === 1 && arguments[0] === lastArg) {
      hits++;
      return lastValue;
    }
    return lookup.apply(this, arguments as never);
  };
  const size = () => stores.all().reduce((n, t) => n + t.size, 0);
  return withControls(memoized, () => ({ hits, misses, evictions: 0, expirations: 0, size: size() }), () => {
    rootTrie.clear();
    stores.dropReceivers();
    lastArg = NO_LAST_ARG;
  });
}

/** Unbounded, with a `key` function: a Map on its results, per receiver. */
function wrapKeyed<F extends (...args: any[]) => any>(fn: F, keyFn: (...args: any[]) => unknown, treatAsAsync: boolean, byReceiver: boolean): Memoized<F> {
  const stores = new ReceiverStores(() => new Map<unknown, unknown>());
  const rootMap = stores.root;
  let hits = 0;
  let misses = 0;
  const memoized = function (this: unknown): unknown {
    const map = byReceiver && this != null ? stores.of(this) : rootMap;
    const key = keyFn.apply(this, arguments as never);
    const v = map.get(key);
    if (v !== undefined) {
      hits++;
      return v === UNDEFINED_RESULT ? undefined : v;
    }
    misses++;
    const r = fn.apply(this, arguments as never);
    map.set(key, r === undefined ? UNDEFINED_RESULT : r);
    if (isPromiseResult(r, treatAsAsync)) {
      onRejection(r, () => {
        if (map.get(key) === r) map.delete(key);
      });
    }
    return r;
  };
  const size = () => stores.all().reduce((n, m) => n + m.size, 0);
  return withControls(memoized, () => ({ hits, misses, evictions: 0, expirations: 0, size: size() }), () => {
    rootMap.clear();
    stores.dropReceivers();
  });
}

/** The LRU key of a zero- or multi-argument call in a bounded cache: interned in the trie, so equal argument lists share it. */
interface ArgsToken {
  readonly args: unknown[];
}

/** One receiver's bounded store: the LRU and the interned argument-list tokens that key it. */
interface BoundedStore {
  readonly lru: LruCache<unknown, unknown>;
  readonly tokens: ArgTrie;
}

/**
 * Bounded (`maxSize`, optional `ttl`): an {@link LruCache} per receiver on
 * `key(...)`, on the single argument, or on an {@link ArgsToken}. Without
 * `ttl`, a one-argument call without a receiver equal to the last one is
 * answered before any lookup: that argument is the most recently used entry,
 * which no eviction can have removed since (any other call on the same store
 * ends the shortcut).
 */
function wrapBounded<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions<Parameters<F>>, maxSize: number, byReceiver: boolean): Memoized<F> {
  const { ttl, now, key: keyFn, async: treatAsAsync = false } = options;
  const stores = new ReceiverStores<BoundedStore>(() => {
    const tokens = new ArgTrie();
    const lru = new LruCache<unknown, unknown>({
      max: maxSize,
      ttl,
      now,
      onEvict: (_value, key) => {
        if (typeof key === "object" && key !== null && (key as ArgsToken).args !== undefined && keyFn === undefined) tokens.delete((key as ArgsToken).args);
      },
    });
    return { lru, tokens };
  });
  const root = stores.root;
  const lastHitAllowed = ttl === undefined && keyFn === undefined;
  let fastHits = 0;
  let lastArg: unknown = NO_LAST_ARG;
  let lastValue: unknown;
  const lookup = function (this: unknown): unknown {
    const store = byReceiver && this != null ? stores.of(this) : root;
    // Any other call on the root store may insert and evict: the last argument is then no longer
    // the most recently used entry, and may be gone. The shortcut had answered from an entry a
    // multi-argument call had evicted, and its hits left the LRU order stale (sweep34).
    if (store === root && arguments.length !== 1) lastArg = NO_LAST_ARG;
    const { lru, tokens } = store;
    let key: unknown;
    if (keyFn !== undefined) {
      key = keyFn.apply(this, arguments as never);
    } else if (arguments.length === 1) {
      key = arguments[0];
    } else {
      key = tokens.get(arguments);
      if (key === undefined) {
        checkPrimitiveArgs(arguments);
        key = { args: Array.from(arguments) } satisfies ArgsToken; // interned below, once the result is cached
      }
    }
    const v = lru.get(key); // counts hits and misses itself
    let r: unknown;
    if (v !== undefined) {
      r = v === UNDEFINED_RESULT ? undefined : v;
    } else {
      if (keyFn === undefined && arguments.length === 1) checkPrimitiveArgs(arguments);
      r = fn.apply(this, arguments as never);
      lru.set(key, r === undefined ? UNDEFINED_RESULT : r);
      // Interning after `fn` returned: a throwing call leaves no token behind.
      if (keyFn === undefined && arguments.length !== 1) tokens.set((key as ArgsToken).args, key);
      if (isPromiseResult(r, treatAsAsync)) {
        onRejection(r, () => {
          if (lru.peek(key) === r) lru.delete(key);
          // Also where its entry was evicted before it rejected: the shortcut kept answering with
          // the rejected promise (sweep34).
          if (store === root && lastValue === r) lastArg = NO_LAST_ARG;
        });
      }
    }
    if (lastHitAllowed && arguments.length === 1 && store === root) {
      lastArg = key;
      lastValue = r;
    }
    return r;
  };
  // The inlinable front, as in wrapUnbounded; `lastArg` stays NO_LAST_ARG when
  // the shortcut is not allowed (ttl or key function).
  const memoized = function (this: unknown): unknown {
    if (arguments.length === 1 && arguments[0] === lastArg && (this == null || !byReceiver)) {
      fastHits++;
      return lastValue;
    }
    return lookup.apply(this, arguments as never);
  };
  /** Counters of receiver stores dropped by clear(), which keeps counters. */
  const retired: MemoizeStats = { hits: 0, misses: 0, evictions: 0, expirations: 0, size: 0 };
  const stats = (): MemoizeStats => {
    const total: MemoizeStats = { ...retired, hits: retired.hits + fastHits };
    for (const { lru } of stores.all()) {
      const s = lru.stats();
      total.hits += s.hits;
      total.misses += s.misses;
      total.evictions += s.evictions;
      total.expirations += s.expirations;
      total.size += s.size;
    }
    return total;
  };
  return withControls(memoized, stats, () => {
    for (const { lru } of stores.all().slice(1)) {
      const s = lru.stats();
      retired.hits += s.hits;
      retired.misses += s.misses;
      retired.evictions += s.evictions;
      retired.expirations += s.expirations;
    }
    root.tokens.clear();
    root.lru.clear();
    stores.dropReceivers();
    lastArg = NO_LAST_ARG;
  });
}

function withControls<F extends (...args: any[]) => any>(memoized: Function, stats: () => MemoizeStats, clear: () => void): Memoized<F> {
  return Object.assign(memoized, { stats, clear }) as unknown as Memoized<F>;
}

