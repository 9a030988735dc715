/**
 * The options of an {@link LruCache} (lru.ts), their checks, and the counters it reports.
 * The checks run before the cache allocates anything, in the order the constructor always
 * made them.
 */
import { KosError } from "../errors.js";
import { coarseNow } from "./lru-clock.js";
import { checkOptionKeys } from "../option-keys.js";

const LRU_KEYS: ReadonlySet<string> = new Set(["max", "ttl", "maxSize", "sizeOf", "onEvict", "now", "policy"]);

/** Why an entry left the cache, as passed to `onEvict`. */
export type EvictionReason = "evict" | "expire" | "delete" | "set" | "clear";

/** Options for {@link LruCache}. */
export interface LruCacheOptions<K, V> {
  /**
   * Maximum number of entries: an integer in 1..2^24 (16,777,216, the most
   * entries a JavaScript `Map` holds). Memory grows with the entries held,
   * not with `max`.
   */
  max: number;
  /** Default time to live in ms for every entry (positive, or `Infinity`). Default: entries never expire. */
  ttl?: number;
  /** Bound on the sum of `sizeOf(value, key)` over all entries. Requires `sizeOf`. */
  maxSize?: number;
  /** Size of one entry for `maxSize` (a positive finite number). */
  sizeOf?: (value: V, key: K) => number;
  /**
   * Called after an entry leaves the cache: `"evict"` (capacity), `"expire"`
   * (TTL), `"delete"`, `"set"` (overwritten by a different value) or
   * `"clear"`. It runs once the cache is consistent again, so it may use the cache.
   * Where one operation evicts several entries, each gets its call even if an
   * earlier one threw; the first error is then rethrown by the operation.
   */
  onEvict?: (value: V, key: K, reason: EvictionReason) => void;
  /**
   * Clock in ms for TTL, called on every TTL check, so tests can drive time
   * exactly. The default, {@link LruCache.coarseClock}, reuses one
   * `performance.now()` reading for up to 64 checks within one synchronous
   * run and reads again on every event-loop turn (when the microtask queue
   * drains): within a synchronous run an entry can outlive its deadline by
   * as long as that run has taken since the reading. That is never more than
   * lru-cache's default (`ttlResolution: 1`), which keeps a reading until a
   * 1 ms timer clears it, a timer that cannot fire during a synchronous run
   * either. `now: LruCache.exactClock` reads the clock on every check, so an
   * expired entry is never returned, at ~50 ns per TTL check.
   */
  now?: () => number;
  /**
   * `"lru"` (default) or `"tinylfu"`: W-TinyLFU admission, which keeps
   * frequently read entries when a scan of one-off keys passes through. Under
   * `"tinylfu"` a new key always enters a small LRU window (1% of `max`), so
   * `set` then `get` always finds it; when the window overflows, its oldest
   * entry displaces the main area's victim only if a frequency sketch of
   * reads (`get` calls, hits and misses) says it is read more often;
   * otherwise it is dropped and counted in `rejections`. Not combinable with
   * `maxSize`.
   */
  policy?: "lru" | "tinylfu";
}

/** Counters reported by {@link LruCache.stats}. */
export interface LruCacheStats {
  hits: number;
  misses: number;
  sets: number;
  /** Entries pushed out for capacity (`max` or `maxSize`), including TinyLFU rejections. */
  evictions: number;
  /** Entries removed because their TTL ran out. */
  expirations: number;
  /** TinyLFU only: new entries dropped because they were used less than the entry they would displace. */
  rejections: number;
  /** hits / (hits + misses), or 0 before any read. */
  hitRate: number;
  size: number;
  /** Sum of entry sizes when `maxSize` is set, else 0. */
  totalSize: number;
}

/** The most entries a V8 `Map` holds (2^24): `set` past it throws "Map maximum size exceeded". */
const MAX_ENTRIES = 16_777_216;

export function checkTtl(ttl: number, what: string): number {
  if (typeof ttl !== "number" || !(ttl > 0)) {
    // An object here is most often `set(key, value, { ttl })`, the options form of other caches: it read "got [object Object]".
    const got = ttl !== null && typeof ttl === "object" ? "an object (the TTL is the number itself: set(key, value, 500))" : typeof ttl === "string" ? JSON.stringify(ttl) : String(ttl);
    throw new KosError("LRU_BAD_TTL", `${what} must be a positive number of ms or Infinity, got ${got}`);
  }
  return ttl;
}

/** The options after their checks: what the cache is made from. */
export interface LruSettings<K, V> {
  max: number;
  /** `Infinity` when entries do not expire by default. */
  ttl: number;
  /** `Infinity` without `maxSize`. */
  maxSize: number;
  sizeOf: ((value: V, key: K) => number) | undefined;
  onEvict: ((value: V, key: K, reason: EvictionReason) => void) | undefined;
  now: () => number;
  policy: "lru" | "tinylfu";
}

/** Checks `options` and fills in the defaults; a `KosError` names the first bad option. */
export function readOptions<K, V>(options: LruCacheOptions<K, V>): LruSettings<K, V> {
  if (options === null || typeof options !== "object") {
    throw new KosError("LRU_BAD_OPTION", "LruCache needs an options object with `max`");
  }
  checkOptionKeys(options, LRU_KEYS, "LruCache option", (m) => new KosError("LRU_BAD_OPTION", m));
  const { max, ttl, maxSize, sizeOf, onEvict, now, policy = "lru" } = options;
  if (!Number.isInteger(max) || max < 1 || max > MAX_ENTRIES) {
    throw new KosError("LRU_BAD_OPTION", `max must be an integer in 1..16777216 (2^24, the most entries a JavaScript Map holds), got ${String(max)}`);
  }
  if (policy !== "lru" && policy !== "tinylfu") {
    throw new KosError("LRU_BAD_OPTION", `policy must be "lru" or "tinylfu", got ${String(policy)}`);
  }
  if (now !== undefined && typeof now !== "function") throw new KosError("LRU_BAD_OPTION", "now must be a function");
  if (onEvict !== undefined && typeof onEvict !== "function") throw new KosError("LRU_BAD_OPTION", "onEvict must be a function");
  const ttlMs = ttl === undefined ? Infinity : checkTtl(ttl, "ttl");
  if (maxSize !== undefined || sizeOf !== undefined) {
    if (typeof maxSize !== "number" || !(maxSize > 0)) {
      throw new KosError("LRU_BAD_OPTION", `maxSize must be a positive number, got ${String(maxSize)}`);
    }
    if (typeof sizeOf !== "function") throw new KosError("LRU_BAD_OPTION", "maxSize needs a sizeOf(value, key) function");
    if (policy === "tinylfu") throw new KosError("LRU_BAD_OPTION", 'policy "tinylfu" cannot be combined with maxSize');
    return { max, ttl: ttlMs, maxSize, sizeOf, onEvict, now: now ?? coarseNow, policy };
  }
  return { max, ttl: ttlMs, maxSize: Infinity, sizeOf: undefined, onEvict, now: now ?? coarseNow, policy };
}
