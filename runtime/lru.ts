/**
 * A bounded cache with least-recently-used eviction, optional TTL, optional
 * total-size bound and an opt-in W-TinyLFU admission policy.
 *
 * Layout (after lru-cache's `src/index.ts`): a Map from key to slot index,
 * parallel arrays for keys and values, `Uint32Array` prev/next links and a
 * free-slot stack. Entries are never objects, so a set allocates nothing
 * beyond the Map's own entry and the old values are collectable at once.
 * The recency list is circular with a sentinel slot (slot 0; W-TinyLFU's
 * three lists use slots 0–2), so linking and unlinking have no head/tail
 * branches.
 *
 * The arrays grow with the cache (doubling, capped at `max`) instead of
 * being allocated at `max` up front: lru-cache's and the old kos's
 * preallocation made `max: 2**26` take 5.8 GB and 35 s before the first set,
 * and `max: 2**28` abort the process out of memory (issue 14). Growing costs
 * a copy of the typed arrays per doubling, about one extra write per entry
 * in all; a cache at `max` holds arrays of exactly `max` slots, so memory
 * per entry is lru-cache's (test/runtime/lru.test.ts measures both at 10^6).
 */
import { KosError } from "../errors.js";
import { WindowTinyLfu, hashKey } from "./tinylfu.js";
import { initList, linkMru, moveToMru, unlink } from "./lru-links.js";
import { coarseNow, exactNow } from "./lru-clock.js";

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
/** Sentinel slot of the one recency list under plain LRU: a constant, so the hot path loads no field for it. */
const MAIN = 0;
/** Slots allocated by a new cache (or fewer, up to `max`); the arrays then double as needed. */
const INITIAL_SLOTS = 256;

/**
 * A copy of `from` lengthened to `size` with `undefined`: packed elements
 * (no holes) in a backing store of exactly `size`. Appending alone leaves up
 * to half again of spare capacity (V8 grows by 1.5× + 16: 10.4 instead of
 * 8.0 bytes per element at 10^6, measured); `new Array(size)` is exact but
 * holey, and its hole checks cost ~1.5 ns per operation on the 90% get / 10%
 * set mix at 1k entries (37.4 against 35.8 ns, CPU time). `slice()` of the
 * appended array gives both: packed, and a store sized to its length.
 */
function packedArray<T>(from: T[], size: number): (T | undefined)[] {
  const a: (T | undefined)[] = from.slice();
  for (let i = a.length; i < size; i++) a.push(undefined);
  return a.slice();
}

function checkTtl(ttl: number, what: string): number {
  if (typeof ttl !== "number" || !(ttl > 0)) {
    throw new KosError("LRU_BAD_TTL", `${what} must be a positive number of ms or Infinity, got ${String(ttl)}`);
  }
  return ttl;
}

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
export class LruCache<K, V> implements Iterable<[K, V]> {
  /** The default TTL clock: one reading serves up to 64 checks within a synchronous run (see the `now` option). */
  static readonly coarseClock: () => number = coarseNow;
  /** The exact TTL clock, `performance.now()` on every check (see the `now` option). */
  static readonly exactClock: () => number = exactNow;

  /** Capacity in entries. */
  readonly max: number;
  /** Default TTL in ms (`Infinity` when entries do not expire by default). */
  readonly ttl: number;
  readonly maxSize: number;

  // Counters are plain number fields: an increment is one add on an object the
  // hot path already holds, far below the cost of the Map lookup beside it, so
  // they stay on in production.
  private hits = 0;
  private misses = 0;
  private sets = 0;
  private evictions = 0;
  private expirations = 0;
  private rejections = 0;

  private readonly map = new Map<K, number>();
  /** Keys and values by slot, `allocated` long like the typed arrays (see {@link packedArray}). */
  private keyList: (K | undefined)[];
  private valList: (V | undefined)[];
  /** Per-slot typed arrays below are `allocated` long and grow together (see `grow`). */
  private allocated: number;
  private next: Uint32Array;
  private prev: Uint32Array;
  /** Stack of freed slots; slots at `fresh` and above were never used. */
  private freeSlots: Uint32Array;
  private freeTop = 0;
  /** The first slot never used. Slots below `firstSlot` are list sentinels. */
  private fresh: number;
  private readonly firstSlot: number;
  private count = 0;
  /** Absolute expiry time per slot (`Infinity`: never). One array read per check instead of start + ttl. */
  private deadlines: Float64Array | undefined;
  private sizes: Float64Array | undefined;
  private total = 0;
  private readonly sizeOf: ((value: V, key: K) => number) | undefined;
  private readonly onEvict: ((value: V, key: K, reason: EvictionReason) => void) | undefined;
  /** Evictions whose callbacks run at the end of the public call (key, value, reason triples). */
  private pending: unknown[] = [];
  private readonly now: () => number;

  /** W-TinyLFU segments; undefined under plain LRU, which keeps one list. */
  private readonly policy: WindowTinyLfu | undefined;

  constructor(options: LruCacheOptions<K, V>) {
    if (options === null || typeof options !== "object") {
      throw new KosError("LRU_BAD_OPTION", "LruCache needs an options object with `max`");
    }
    const { max, ttl, maxSize, sizeOf, onEvict, now, policy = "lru" } = options;
    if (!Number.isInteger(max) || max < 1 || max > MAX_ENTRIES) {
      throw new KosError("LRU_BAD_OPTION", `max must be an integer in 1..16777216 (2^24, the most entries a JavaScript Map holds), got ${String(max)}`);
    }
    if (policy !== "lru" && policy !== "tinylfu") {
      throw new KosError("LRU_BAD_OPTION", `policy must be "lru" or "tinylfu", got ${String(policy)}`);
    }
    if (now !== undefined && typeof now !== "function") throw new KosError("LRU_BAD_OPTION", "now must be a function");
    if (onEvict !== undefined && typeof onEvict !== "function") throw new KosError("LRU_BAD_OPTION", "onEvict must be a function");
    this.max = max;
    this.ttl = ttl === undefined ? Infinity : checkTtl(ttl, "ttl");
    this.now = now ?? coarseNow;
    this.onEvict = onEvict;
    this.firstSlot = policy === "tinylfu" ? WindowTinyLfu.SENTINELS : 1;
    this.fresh = this.firstSlot;
    this.allocated = this.firstSlot + Math.min(max, INITIAL_SLOTS);
    this.keyList = packedArray([], this.allocated);
    this.valList = packedArray([], this.allocated);
    this.next = new Uint32Array(this.allocated);
    this.prev = new Uint32Array(this.allocated);
    this.freeSlots = new Uint32Array(this.allocated);
    initList(this.next, this.prev, 0);
    if (this.ttl !== Infinity) this.deadlines = new Float64Array(this.allocated).fill(Infinity);

    if (maxSize !== undefined || sizeOf !== undefined) {
      if (typeof maxSize !== "number" || !(maxSize > 0)) {
        throw new KosError("LRU_BAD_OPTION", `maxSize must be a positive number, got ${String(maxSize)}`);
      }
      if (typeof sizeOf !== "function") throw new KosError("LRU_BAD_OPTION", "maxSize needs a sizeOf(value, key) function");
      if (policy === "tinylfu") throw new KosError("LRU_BAD_OPTION", 'policy "tinylfu" cannot be combined with maxSize');
      this.sizes = new Float64Array(this.allocated);
      this.sizeOf = sizeOf;
      this.maxSize = maxSize;
    } else {
      this.maxSize = Infinity;
    }

    this.policy = policy === "tinylfu" ? new WindowTinyLfu(max, this.next, this.prev, this.keyList, this.allocated) : undefined;
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

  /** The value for `key` without changing recency or counters; `undefined` if absent or expired. */
  peek(key: K): V | undefined {
    const i = this.map.get(key);
    if (i === undefined || this.expiredAt(i)) return undefined;
    return this.valList[i];
  }

  /** Whether `key` has a live entry. Does not change recency or counters. */
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
      this.total += size - this.sizes[i]!;
      this.sizes[i] = size;
      // The new entry is most recent and fits alone, so this never evicts it.
      while (this.total > this.maxSize) this.evictSlot(this.next[MAIN]!);
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

  // ---- internals ----

  private *slots(): IterableIterator<[K, V, number]> {
    const prev = this.prev;
    const lists = this.policy === undefined ? [MAIN] : this.policy.lists();
    for (const s of lists) {
      for (let i = prev[s]!; i !== s; i = prev[i]!) yield [this.keyList[i] as K, this.valList[i] as V, i];
    }
  }

  private *entriesUnchecked(): IterableIterator<[K, V]> {
    for (const [k, v] of this.slots()) yield [k, v];
  }

  private expiredAt(i: number): boolean {
    const d = this.deadlines;
    if (d === undefined) return false;
    const t = d[i]!;
    if (t === Infinity || t > this.now()) return false;
    this.removeExpired(i);
    return true;
  }

  private removeExpired(i: number): void {
    const key = this.keyList[i] as K;
    const value = this.valList[i] as V;
    this.expirations++;
    this.removeSlot(i);
    if (this.onEvict !== undefined) this.onEvict(value, key, "expire");
  }

  /** Unlinks slot `i`, forgets its key and returns the slot to the free stack. */
  private removeSlot(i: number): void {
    if (this.policy === undefined) unlink(this.next, this.prev, i);
    else this.policy.remove(i);
    this.map.delete(this.keyList[i] as K);
    this.keyList[i] = undefined;
    this.valList[i] = undefined;
    if (this.sizes !== undefined) {
      this.total -= this.sizes[i]!;
      this.sizes[i] = 0;
    }
    this.count--;
    this.freeSlots[this.freeTop++] = i;
  }

  /** Removes slot `i` for capacity, as an expiration if its TTL has already run out. */
  private evictSlot(i: number): void {
    const key = this.keyList[i] as K;
    const value = this.valList[i] as V;
    const expired = this.deadlines !== undefined && this.deadlines[i]! <= this.now();
    if (expired) this.expirations++;
    else this.evictions++;
    this.removeSlot(i);
    if (this.onEvict !== undefined) this.pending.push(key, value, expired ? "expire" : "evict");
  }

  /**
   * The common full-cache insert under plain LRU: the least recent slot is
   * rewritten in place and moved to the recent end, skipping the free-stack
   * round trip and the clearing of arrays that are about to be overwritten
   * (about 10% of a 50%-set mix at 1k entries, runtime-cache bench).
   */
  private recycleLru(key: K, value: V, now: number): number {
    const s = MAIN;
    const i = this.next[s]!;
    const oldKey = this.keyList[i] as K;
    const oldValue = this.valList[i] as V;
    const d = this.deadlines;
    // Reuses set's reading: with an exact clock a second read cost ~50 ns per full-cache set.
    const expired = d !== undefined && d[i]! !== Infinity && d[i]! <= (now === now ? now : this.now());
    if (expired) this.expirations++;
    else this.evictions++;
    this.map.delete(oldKey);
    moveToMru(this.next, this.prev, i, s);
    this.keyList[i] = key;
    this.valList[i] = value;
    this.map.set(key, i);
    if (this.onEvict !== undefined) this.pending.push(oldKey, oldValue, expired ? "expire" : "evict");
    return i;
  }

  /** A free slot for a new entry, evicting one first when full. */
  private takeSlot(): number {
    if (this.count === this.max) {
      if (this.policy === undefined) {
        this.evictSlot(this.next[MAIN]!);
      } else {
        const victim = this.policy.selectVictim();
        if (this.policy.rejected) this.rejections++;
        this.evictSlot(victim);
      }
    }
    if (this.freeTop !== 0) return this.freeSlots[--this.freeTop]!;
    if (this.fresh === this.allocated) this.grow();
    return this.fresh++;
  }

  /**
   * Doubles the per-slot typed arrays (at most to `max` entries). An
   * allocation the process cannot make is a `LRU_ALLOC` error with the
   * cache unchanged, never a crash: typed arrays live outside the JS heap
   * and fail with a catchable RangeError.
   */
  private grow(): void {
    const entries = this.allocated - this.firstSlot;
    const size = this.firstSlot + Math.min(this.max, entries * 2);
    let next: Uint32Array, prev: Uint32Array, free: Uint32Array;
    let deadlines: Float64Array | undefined, sizes: Float64Array | undefined;
    try {
      next = new Uint32Array(size);
      prev = new Uint32Array(size);
      free = new Uint32Array(size);
      if (this.deadlines !== undefined) deadlines = new Float64Array(size).fill(Infinity, this.allocated);
      if (this.sizes !== undefined) sizes = new Float64Array(size);
      this.policy?.reserve(size);
    } catch (e) {
      throw new KosError("LRU_ALLOC", `cannot grow the cache to ${size - this.firstSlot} entries (max ${this.max}): ${(e as Error).message}`, { cause: e });
    }
    const keys = packedArray(this.keyList, size);
    const values = packedArray(this.valList, size);
    this.keyList = keys;
    this.valList = values;
    next.set(this.next);
    prev.set(this.prev);
    free.set(this.freeSlots);
    this.next = next;
    this.prev = prev;
    this.freeSlots = free;
    if (deadlines !== undefined) {
      deadlines.set(this.deadlines!);
      this.deadlines = deadlines;
    }
    if (sizes !== undefined) {
      sizes.set(this.sizes!);
      this.sizes = sizes;
    }
    this.policy?.resize(next, prev, keys);
    this.allocated = size;
  }

  private flushEvictions(): void {
    const list = this.pending;
    this.pending = [];
    const cb = this.onEvict;
    if (cb === undefined) return;
    for (let j = 0; j < list.length; j += 3) cb(list[j + 1] as V, list[j] as K, list[j + 2] as EvictionReason);
  }
}
