/**
 * A bounded cache with least-recently-used eviction, optional TTL, optional
 * total-size bound and an opt-in W-TinyLFU admission policy.
 *
 * The cache's operations are here; its storage (slots, recency lists, eviction and growth)
 * is lru-slots.ts, and its options and counters lru-options.ts.
 */
import { KosError } from "../errors.js";
import { hashKey } from "./tinylfu.js";
import { linkMru, moveToMru, initList } from "./lru-links.js";
import { coarseNow, exactNow } from "./lru-clock.js";
import { checkTtl, readOptions, type EvictionReason, type LruCacheOptions, type LruCacheStats } from "./lru-options.js";
import { LruSlots, MAIN } from "./lru-slots.js";

export type { EvictionReason, LruCacheOptions, LruCacheStats } from "./lru-options.js";

/**
 * A bounded LRU cache with Map key semantics: any value is a key, objects and
 * symbols by identity, `NaN` equals `NaN`, `-0` and `0` are one key.
 *
 * Expired entries are found lazily, when a read or an eviction meets them, or
 * by {@link LruCache.purgeStale}; there is no timer per entry and nothing
 * keeps the process alive.
 *
 * TTL semantics, compared with lru-cache 11 (checked side by side in
 * test/runtime/lru.test.ts):
 * - An entry set with `ttl` lives for `ttl` ms: it is expired once its age
 *   reaches `ttl` (age == ttl is expired). lru-cache still returns it at age
 *   == ttl and expires it only after.
 * - `size` counts expired entries until a read, an eviction or
 *   {@link LruCache.purgeStale} removes them, as lru-cache's does; call
 *   `purgeStale()` first for a count of live entries only.
 * - `delete` of an expired entry removes it (reason `"expire"`) and returns
 *   false, as `has` would have answered; lru-cache returns true.
 * - With the default clock, expiry is checked against a reading that may be
 *   slightly old (see the `now` option); lru-cache's default is as coarse or
 *   coarser.
 *
 * @example
 * const c = new LruCache<string, number>({ max: 1000, ttl: 60_000 });
 * c.set("a", 1);
 * c.get("a"); // 1
 */
export class LruCache<K, V> extends LruSlots<K, V> implements Iterable<[K, V]> {
  /** The default TTL clock: one reading serves up to 64 checks within a synchronous run (see the `now` option). */
  static readonly coarseClock: () => number = coarseNow;
  /** The exact TTL clock, `performance.now()` on every check (see the `now` option). */
  static readonly exactClock: () => number = exactNow;

  /** Default TTL in ms (`Infinity` when entries do not expire by default). */
  readonly ttl: number;
  readonly maxSize: number;

  constructor(options: LruCacheOptions<K, V>) {
    const settings = readOptions(options);
    super(settings);
    this.ttl = settings.ttl;
    this.maxSize = settings.maxSize;
  }

  /** Number of entries held, expired ones included until a read, an eviction or `purgeStale` removes them (as in lru-cache). */
  get size(): number {
    return this.count;
  }

  /** Sum of entry sizes when `maxSize` is set, else 0. */
  get totalSize(): number {
    return this.total;
  }

  /** The value for `key`, marking it most recently used; `undefined` if absent or expired. Counts a hit or a miss. */
  get(key: K): V | undefined {
    const i = this.map.get(key);
    if (this.policy !== undefined) return this.getTinyLfu(key, i);
    if (i === undefined) {
      this.misses++;
      return undefined;
    }
    const d = this.deadlines;
    if (d !== undefined && d[i]! <= this.now()) return this.missExpired(i);
    this.hits++;
    moveToMru(this.next, this.prev, i, MAIN);
    return this.valList[i];
  }

  /** `get` under W-TinyLFU: every read, hit or miss, feeds the frequency sketch. */
  private getTinyLfu(key: K, i: number | undefined): V | undefined {
    this.policy!.sketch.increment(hashKey(key));
    if (i === undefined) {
      this.misses++;
      return undefined;
    }
    if (this.deadlines !== undefined && this.deadlines[i]! <= this.now()) return this.missExpired(i);
    this.hits++;
    this.policy!.onHit(i);
    return this.valList[i];
  }

  private missExpired(i: number): undefined {
    this.misses++;
    this.removeExpired(i);
    return undefined;
  }

  /**
   * The value for `key` without changing recency or the hit and miss counters; `undefined` if absent
   * or expired. An expired entry it finds is removed there (counted in `expirations`, `onEvict` with
   * `"expire"`), as any read that finds one does.
   */
  peek(key: K): V | undefined {
    const i = this.map.get(key);
    if (i === undefined || this.expiredAt(i)) return undefined;
    return this.valList[i];
  }

  /**
   * Whether `key` has a live entry. Does not change recency or the hit and miss counters; an expired
   * entry it finds is removed, as `peek` does.
   */
  has(key: K): boolean {
    const i = this.map.get(key);
    return i !== undefined && !this.expiredAt(i);
  }

  /**
   * Stores `value` under `key` as the most recently used entry. `ttl` (ms,
   * positive or `Infinity`) overrides the cache's default for this entry. A
   * value whose `sizeOf` exceeds `maxSize` is not stored, and any previous
   * entry for the key is removed (reason `"set"`).
   */
  set(key: K, value: V, ttl?: number): this {
    let deadline = Infinity;
    // One clock reading per set, shared with the eviction below (NaN: not read yet).
    let now = NaN;
    if (ttl !== undefined) {
      if (checkTtl(ttl, "ttl") !== Infinity) deadline = (now = this.now()) + ttl;
      if (this.deadlines === undefined) this.deadlines = new Float64Array(this.allocated).fill(Infinity);
    } else if (this.ttl !== Infinity) {
      deadline = (now = this.now()) + this.ttl;
    }
    let size = 0;
    if (this.sizes !== undefined) {
      size = this.sizeOf!(value, key);
      if (typeof size !== "number" || !(size > 0) || size === Infinity) {
        throw new KosError("LRU_BAD_SIZE", `sizeOf must return a positive finite number, got ${String(size)}`);
      }
      if (size > this.maxSize) {
        this.deleteFor(key, "set");
        return this;
      }
    }
    this.sets++;
    let i = this.map.get(key);
    if (i !== undefined) {
      const old = this.valList[i] as V;
      this.valList[i] = value;
      if (this.deadlines !== undefined) this.deadlines[i] = deadline;
      if (this.policy === undefined) moveToMru(this.next, this.prev, i, MAIN);
      else this.policy.onHit(i);
      if (this.onEvict !== undefined && old !== value) this.pending.push(key, old, "set");
    } else if (this.count === this.max && this.policy === undefined && this.sizes === undefined) {
      i = this.recycleLru(key, value, now);
      if (this.deadlines !== undefined) this.deadlines[i] = deadline;
    } else {
      i = this.takeSlot();
      this.keyList[i] = key;
      this.valList[i] = value;
      this.map.set(key, i);
      this.count++;
      if (this.deadlines !== undefined) this.deadlines[i] = deadline;
      if (this.policy === undefined) linkMru(this.next, this.prev, i, MAIN);
      else this.policy.insert(i);
    }
    if (this.sizes !== undefined) {
      this.total = this.count === 1 ? size : this.total + size - this.sizes[i]!;
      this.sizes[i] = size;
      // The new entry is most recent and fits alone, so this never evicts it: alone, the total is its
      // size exactly, whatever rounding the others' left behind.
      while (this.total > this.maxSize && this.count > 1) {
        this.evictSlot(this.next[MAIN]!);
        if (this.count === 1) this.total = size;
      }
    }
    if (this.pending.length !== 0) this.flushEvictions();
    return this;
  }

  /**
   * Removes `key`. Returns whether a live entry was removed: an expired entry
   * is removed too (reason `"expire"`) but returns false, as `has(key)` would
   * have answered (lru-cache 11 returns true there).
   */
  delete(key: K): boolean {
    return this.deleteFor(key, "delete");
  }

  private deleteFor(key: K, reason: EvictionReason): boolean {
    const i = this.map.get(key);
    if (i === undefined) return false;
    if (this.expiredAt(i)) return false;
    const value = this.valList[i] as V;
    this.removeSlot(i);
    if (this.onEvict !== undefined) this.onEvict(value, key, reason);
    return true;
  }

  /** Removes every entry (reason `"clear"`) and the TinyLFU history. Counters are kept; see {@link LruCache.resetStats}. */
  clear(): void {
    const pending: unknown[] = [];
    if (this.onEvict !== undefined) for (const [k, v] of this.entriesUnchecked()) pending.push(k, v, "clear");
    this.map.clear();
    this.keyList.fill(undefined, this.firstSlot, this.fresh);
    this.valList.fill(undefined, this.firstSlot, this.fresh);
    this.deadlines?.fill(Infinity);
    this.sizes?.fill(0);
    this.total = 0;
    this.count = 0;
    this.fresh = this.firstSlot;
    this.freeTop = 0;
    initList(this.next, this.prev, MAIN);
    this.policy?.clear();
    this.pending = pending;
    if (pending.length !== 0) this.flushEvictions();
  }

  /** Removes every expired entry now (reason `"expire"`). Returns how many were removed. */
  purgeStale(): number {
    const d = this.deadlines;
    if (d === undefined || this.count === 0) return 0;
    const now = this.now();
    let removed = 0;
    for (let i = this.firstSlot; i < this.fresh; i++) {
      if (d[i]! <= now && this.map.get(this.keyList[i] as K) === i) {
        this.removeExpired(i);
        removed++;
      }
    }
    return removed;
  }

  /** Remaining ms before `key` expires: `Infinity` if it never does, 0 if absent or expired. */
  remainingTtl(key: K): number {
    const i = this.map.get(key);
    if (i === undefined || this.expiredAt(i)) return 0;
    return this.deadlines === undefined ? Infinity : this.deadlines[i]! - this.now();
  }

  /** Counters since construction or the last {@link LruCache.resetStats}. */
  stats(): LruCacheStats {
    const reads = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      sets: this.sets,
      evictions: this.evictions,
      expirations: this.expirations,
      rejections: this.rejections,
      hitRate: reads === 0 ? 0 : this.hits / reads,
      size: this.count,
      totalSize: this.total,
    };
  }

  /** Zeroes the counters reported by {@link LruCache.stats}. */
  resetStats(): void {
    this.hits = this.misses = this.sets = this.evictions = this.expirations = this.rejections = 0;
  }

  /**
   * Live `[key, value]` pairs, most recently used first, skipping expired
   * entries. Under `"tinylfu"` the admission window comes first, then the
   * main area, each in recency order. Do not modify the cache while iterating.
   */
  *entries(): IterableIterator<[K, V]> {
    const d = this.deadlines;
    const now = d === undefined ? 0 : this.now();
    for (const [k, v, i] of this.slots()) if (d === undefined || d[i]! > now) yield [k, v];
  }

  /** Live keys, most recently used first. */
  *keys(): IterableIterator<K> {
    for (const [k] of this.entries()) yield k;
  }

  /** Live values, most recently used first. */
  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}
