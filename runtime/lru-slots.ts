/**
 * The storage of an {@link LruCache} (lru.ts): its slots, their recency lists, and the
 * removal, eviction and growth of slots. The cache's operations are in lru.ts.
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
 *
 * Internal: not exported from the package entry.
 */
import { KosError } from "../errors.js";
import { WindowTinyLfu } from "./tinylfu.js";
import { initList, moveToMru, unlink } from "./lru-links.js";
import type { EvictionReason, LruSettings } from "./lru-options.js";

/** Sentinel slot of the one recency list under plain LRU: a constant, so the hot path loads no field for it. */
export const MAIN = 0;
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

/** The slots of one cache and what happens to them; {@link LruCache} adds the operations. */
export class LruSlots<K, V> {
  /** Capacity in entries. */
  readonly max: number;

  // Counters are plain number fields: an increment is one add on an object the
  // hot path already holds, far below the cost of the Map lookup beside it, so
  // they stay on in production.
  protected hits = 0;
  protected misses = 0;
  protected sets = 0;
  protected evictions = 0;
  protected expirations = 0;
  protected rejections = 0;

  protected readonly map = new Map<K, number>();
  /** Keys and values by slot, `allocated` long like the typed arrays (see {@link packedArray}). */
  protected keyList: (K | undefined)[];
  protected valList: (V | undefined)[];
  /** Per-slot typed arrays below are `allocated` long and grow together (see `grow`). */
  protected allocated: number;
  protected next: Uint32Array;
  protected prev: Uint32Array;
  /** Stack of freed slots; slots at `fresh` and above were never used. */
  private freeSlots: Uint32Array;
  protected freeTop = 0;
  /** The first slot never used. Slots below `firstSlot` are list sentinels. */
  protected fresh: number;
  protected readonly firstSlot: number;
  protected count = 0;
  /** Absolute expiry time per slot (`Infinity`: never). One array read per check instead of start + ttl. */
  protected deadlines: Float64Array | undefined;
  protected sizes: Float64Array | undefined;
  protected total = 0;
  protected readonly sizeOf: ((value: V, key: K) => number) | undefined;
  protected readonly onEvict: ((value: V, key: K, reason: EvictionReason) => void) | undefined;
  /** Evictions whose callbacks run at the end of the public call (key, value, reason triples). */
  protected pending: unknown[] = [];
  protected readonly now: () => number;

  /** W-TinyLFU segments; undefined under plain LRU, which keeps one list. */
  protected readonly policy: WindowTinyLfu | undefined;

  constructor(settings: LruSettings<K, V>) {
    const { max, policy } = settings;
    this.max = max;
    this.now = settings.now;
    this.onEvict = settings.onEvict;
    this.firstSlot = policy === "tinylfu" ? WindowTinyLfu.SENTINELS : 1;
    this.fresh = this.firstSlot;
    this.allocated = this.firstSlot + Math.min(max, INITIAL_SLOTS);
    this.keyList = packedArray([], this.allocated);
    this.valList = packedArray([], this.allocated);
    this.next = new Uint32Array(this.allocated);
    this.prev = new Uint32Array(this.allocated);
    this.freeSlots = new Uint32Array(this.allocated);
    initList(this.next, this.prev, 0);
    if (settings.ttl !== Infinity) this.deadlines = new Float64Array(this.allocated).fill(Infinity);
    if (settings.sizeOf !== undefined) {
      this.sizes = new Float64Array(this.allocated);
      this.sizeOf = settings.sizeOf;
    }
    this.policy = policy === "tinylfu" ? new WindowTinyLfu(max, this.next, this.prev, this.keyList, this.allocated) : undefined;
  }

  // ---- internals ----

  protected *slots(): IterableIterator<[K, V, number]> {
    const prev = this.prev;
    const lists = this.policy === undefined ? [MAIN] : this.policy.lists();
    for (const s of lists) {
      for (let i = prev[s]!; i !== s; i = prev[i]!) yield [this.keyList[i] as K, this.valList[i] as V, i];
    }
  }

  protected *entriesUnchecked(): IterableIterator<[K, V]> {
    for (const [k, v] of this.slots()) yield [k, v];
  }

  protected expiredAt(i: number): boolean {
    const d = this.deadlines;
    if (d === undefined) return false;
    const t = d[i]!;
    if (t === Infinity || t > this.now()) return false;
    this.removeExpired(i);
    return true;
  }

  protected removeExpired(i: number): void {
    const key = this.keyList[i] as K;
    const value = this.valList[i] as V;
    this.expirations++;
    this.removeSlot(i);
    if (this.onEvict !== undefined) this.onEvict(value, key, "expire");
  }

  /** Unlinks slot `i`, forgets its key and returns the slot to the free stack. */
  protected removeSlot(i: number): void {
    if (this.policy === undefined) unlink(this.next, this.prev, i);
    else this.policy.remove(i);
    this.map.delete(this.keyList[i] as K);
    this.keyList[i] = undefined;
    this.valList[i] = undefined;
    if (this.sizes !== undefined) {
      // Fractional sizes drift in floating point: emptied, the cache read a totalSize of -1.42e-14
      // (sweep34 #10). The last entry out leaves exactly 0.
      this.total = this.count === 1 ? 0 : this.total - this.sizes[i]!;
      this.sizes[i] = 0;
    }
    this.count--;
    this.freeSlots[this.freeTop++] = i;
  }

  /** Removes slot `i` for capacity, as an expiration if its TTL has already run out. */
  protected evictSlot(i: number): void {
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
  protected recycleLru(key: K, value: V, now: number): number {
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
  protected takeSlot(): number {
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

  protected flushEvictions(): void {
    const list = this.pending;
    this.pending = [];
    const cb = this.onEvict;
    if (cb === undefined) return;
    // Every entry that left gets its call, even after one threw: the first error is rethrown once
    // all have run. A throw had dropped the calls of the entries after it, for good (sweep34).
    let failed = false;
    let first: unknown;
    for (let j = 0; j < list.length; j += 3) {
      try {
        cb(list[j + 1] as V, list[j] as K, list[j + 2] as EvictionReason);
      } catch (e) {
        if (!failed) {
          failed = true;
          first = e;
        }
      }
    }
    if (failed) throw first;
  }
}
