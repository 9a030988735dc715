/**
 * W-TinyLFU admission for `LruCache` (Einziger, Friedman & Manes, "TinyLFU: A
 * Highly Efficient Cache Admission Policy", 2017, in the shape Caffeine
 * uses): the segment bookkeeping (`WindowTinyLfu`) and its frequency sketch,
 * a count-min sketch of 4-bit counters behind a one-bit "doorkeeper" Bloom
 * filter, halved every `sampleSize` increments so that old popularity fades.
 *
 * `LruCache` with `policy: "tinylfu"` asks `frequency(candidate) >
 * frequency(victim)` before a new key may push an established one out. A scan
 * of one-off keys never gets past the doorkeeper, so it cannot displace the
 * hot set; that is the whole point.
 *
 * Internal: not exported from the package entry.
 */

import { initList, linkMru, moveToMru, unlink } from "./lru-links.js";

/** 0x77777777 keeps the low 3 bits of every nibble: halves all 8 counters of a word at once. */
const HALVE_MASK = 0x77777777;

/** Arbitrary odd multipliers, one per sketch row, so the four rows hash a key to unrelated cells. */
const SEED0 = 0x97cb3127 | 0;
const SEED1 = 0xb0d3d0c5 | 0;
const SEED2 = 0x2c59c7e9 | 0;
const SEED3 = 0x6b8e2b1b | 0;

const f64 = new Float64Array(1);
const f64words = new Uint32Array(f64.buffer);

/** Identity hashes for objects and symbols: kept weakly so the sketch never retains a key. */
const identityIds = new WeakMap<object, number>();
let nextIdentityId = 1;

function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) | 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * A 32-bit hash of any key, consistent with Map key equality (NaN with NaN,
 * -0 with 0). Collisions only blur frequency estimates; they never affect
 * which value a key returns.
 */
export function hashKey(key: unknown): number {
  switch (typeof key) {
    case "number":
      if ((key | 0) === key) return mix(key);
      if (key !== key) return 0x7ff80000; // every NaN is one key, as in Map
      f64[0] = key;
      return mix(f64words[0]! ^ Math.imul(f64words[1]!, 0x9e3779b1));
    case "string":
      return mix(hashString(key));
    case "boolean":
      return key ? 0x1b873593 : 0x0e6546b6;
    case "undefined":
      return 0x5bd1e995;
    case "bigint":
      return mix(hashString(key.toString()) ^ 0x3c6ef372);
    case "symbol": {
      const registered = Symbol.keyFor(key);
      if (registered !== undefined) return mix(hashString(registered) ^ 0x27d4eb2f);
      return identityHash(key as unknown as object);
    }
    default:
      return key === null ? 0x165667b1 : identityHash(key as object);
  }
}

function identityHash(key: object): number {
  let id = identityIds.get(key);
  if (id === undefined) {
    id = nextIdentityId++;
    identityIds.set(key, id);
  }
  return mix(id);
}

/** Count-min sketch of 4-bit counters with a doorkeeper and periodic halving. */
export class FrequencySketch {
  /** 4 rows × `width` counters, 8 nibbles per word. */
  private readonly table: Uint32Array;
  private readonly rowMask: number;
  /** One-bit Bloom filter (two probes) that absorbs first sightings. */
  private readonly doorkeeper: Uint32Array;
  private readonly doorMask: number;
  private readonly sampleSize: number;
  private additions = 0;

  /** @param capacity the number of entries the cache holds; sizes the sketch and the aging period. */
  constructor(readonly capacity: number) {
    // 4 counters per entry per row (8 bytes per entry in all): on the Zipf(0.8)
    // trace of the runtime-cache bench (500 entries) this gained ~0.5 hit-rate
    // points over 1 counter per entry, by blurring fewer tail keys together.
    const width = nextPowerOfTwo(Math.max(16, capacity * 4));
    this.rowMask = width - 1;
    this.table = new Uint32Array((width >>> 3) * 4);
    // 8 doorkeeper bits per expected entry keeps its false-positive rate near 2% with two probes.
    const doorBits = nextPowerOfTwo(Math.max(64, capacity * 8));
    this.doorkeeper = new Uint32Array(doorBits >>> 5);
    this.doorMask = doorBits - 1;
    // Caffeine ages after 10 × capacity increments: long enough to learn, short enough to forget.
    this.sampleSize = Math.max(160, capacity * 10);
  }

  /** Records one access to the key whose hash is `h`. */
  increment(h: number): void {
    const d1 = h & this.doorMask;
    const d2 = mix(h ^ SEED3) & this.doorMask;
    const door = this.doorkeeper;
    const inDoor = (door[d1 >>> 5]! & (1 << (d1 & 31))) !== 0 && (door[d2 >>> 5]! & (1 << (d2 & 31))) !== 0;
    if (!inDoor) {
      door[d1 >>> 5]! |= 1 << (d1 & 31);
      door[d2 >>> 5]! |= 1 << (d2 & 31);
    } else {
      // Conservative update: raise only the counters at the current minimum, which
      // keeps heavy hitters from inflating the estimates of keys that share a cell.
      const i0 = this.cell(0, h, SEED0);
      const i1 = this.cell(1, h, SEED1);
      const i2 = this.cell(2, h, SEED2);
      const i3 = this.cell(3, h, SEED3);
      const c0 = this.read(i0), c1 = this.read(i1), c2 = this.read(i2), c3 = this.read(i3);
      const min = Math.min(c0, c1, c2, c3);
      if (min < 15) {
        if (c0 === min) this.bump(i0);
        if (c1 === min) this.bump(i1);
        if (c2 === min) this.bump(i2);
        if (c3 === min) this.bump(i3);
      }
    }
    if (++this.additions >= this.sampleSize) this.age();
  }

  /** Estimated recent access count (0–16) of the key whose hash is `h`. */
  frequency(h: number): number {
    const d1 = h & this.doorMask;
    const d2 = mix(h ^ SEED3) & this.doorMask;
    const door = this.doorkeeper;
    // The doorkeeper holds the one access the sketch did not count. It is cleared
    // on aging while the counters are only halved, so both parts are summed.
    const seen = (door[d1 >>> 5]! & (1 << (d1 & 31))) !== 0 && (door[d2 >>> 5]! & (1 << (d2 & 31))) !== 0 ? 1 : 0;
    const min = Math.min(
      this.read(this.cell(0, h, SEED0)),
      this.read(this.cell(1, h, SEED1)),
      this.read(this.cell(2, h, SEED2)),
      this.read(this.cell(3, h, SEED3)),
    );
    return min + seen;
  }

  /** Forgets everything. */
  clear(): void {
    this.table.fill(0);
    this.doorkeeper.fill(0);
    this.additions = 0;
  }

  /** Global nibble index of the key's counter in `row`. */
  private cell(row: number, h: number, seed: number): number {
    return row * (this.rowMask + 1) + (mix(Math.imul(h, seed)) & this.rowMask);
  }

  private read(nibble: number): number {
    return (this.table[nibble >>> 3]! >>> ((nibble & 7) << 2)) & 15;
  }

  private bump(nibble: number): void {
    this.table[nibble >>> 3]! += 1 << ((nibble & 7) << 2);
  }

  /** Halves every counter and clears the doorkeeper: popularity decays with a half-life of one sample period. */
  private age(): void {
    const t = this.table;
    for (let i = 0; i < t.length; i++) t[i] = (t[i]! >>> 1) & HALVE_MASK;
    this.doorkeeper.fill(0);
    this.additions = this.additions >>> 1;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Entries the sketch is sized for at construction (see WindowTinyLfu). */
const SKETCH_EAGER = 65_536;

const PROBATION = 0;
const WINDOW = 1;
const PROTECTED = 2;

/**
 * The three recency lists of W-TinyLFU over `LruCache`'s slot arrays: a small
 * LRU window that every new key enters, and a main area split into
 * probation (admitted, not used since) and protected (used again after
 * admission, 80% of main). Capacity victims come from probation first, so a
 * proven entry is only at risk after it has gone unused long enough to be
 * demoted. Slots 0, 1 and 2 are the three sentinels.
 *
 * The sketch is allocated for min(max, 65,536) entries (512 KiB at most) and
 * rebuilt larger as the cache grows past that. A rebuild forgets the counts,
 * as Caffeine's `ensureCapacity` does; the last one happens when the cache
 * reaches half of `max`, so a cache that never fills never pays for a sketch
 * sized for `max` (8 bytes per entry).
 */
export class WindowTinyLfu {
  sketch: FrequencySketch;
  /** True when the last {@link WindowTinyLfu.selectVictim} turned the new candidate away. */
  rejected = false;
  private segment: Uint8Array;
  private readonly probationS = 0;
  private readonly windowS = 1;
  private readonly protectedS = 2;
  private pendingSegment: Uint8Array | undefined;
  private pendingSketch: FrequencySketch | undefined;
  private readonly windowMax: number;
  private readonly protectedMax: number;
  private windowCount = 0;
  private protectedCount = 0;

  /** @param slots the length of the cache's per-slot arrays (sentinels included). */
  constructor(
    private readonly max: number,
    private next: Uint32Array,
    private prev: Uint32Array,
    private keyList: readonly unknown[],
    slots: number,
  ) {
    this.sketch = new FrequencySketch(Math.min(max, SKETCH_EAGER));
    this.segment = new Uint8Array(slots);
    // Caffeine's defaults: a 1% window absorbs bursts of new keys, and 80% of
    // the main area is protected.
    this.windowMax = Math.max(1, Math.round(max * 0.01));
    this.protectedMax = Math.floor((max - this.windowMax) * 0.8);
    this.clear();
  }

  /** Sentinel slots at the start of the cache's slot arrays: entries start at this slot. */
  static readonly SENTINELS = 3;

  /** Allocates what a cache of `slots` slots needs, without changing anything yet (an allocation may fail). */
  reserve(slots: number): void {
    this.pendingSegment = new Uint8Array(slots);
    const entries = Math.min(this.max, slots - WindowTinyLfu.SENTINELS);
    this.pendingSketch = entries > this.sketch.capacity ? new FrequencySketch(entries) : undefined;
  }

  /** Switches to the cache's grown link arrays and to what {@link WindowTinyLfu.reserve} allocated. */
  resize(next: Uint32Array, prev: Uint32Array, keyList: readonly unknown[]): void {
    this.pendingSegment!.set(this.segment);
    this.segment = this.pendingSegment!;
    if (this.pendingSketch !== undefined) this.sketch = this.pendingSketch;
    this.pendingSegment = this.pendingSketch = undefined;
    this.next = next;
    this.prev = prev;
    this.keyList = keyList;
  }

  /** A read hit on slot `i`: refresh it, promoting probation entries to protected. */
  onHit(i: number): void {
    const next = this.next;
    const prev = this.prev;
    const seg = this.segment[i];
    if (seg === PROTECTED) {
      moveToMru(next, prev, i, this.protectedS);
    } else if (seg === WINDOW) {
      moveToMru(next, prev, i, this.windowS);
    } else {
      unlink(next, prev, i);
      this.segment[i] = PROTECTED;
      linkMru(next, prev, i, this.protectedS);
      if (++this.protectedCount > this.protectedMax) {
        const demoted = next[this.protectedS]!;
        unlink(next, prev, demoted);
        this.segment[demoted] = PROBATION;
        this.protectedCount--;
        linkMru(next, prev, demoted, this.probationS);
      }
    }
  }

  /** A new entry in slot `i` enters the window; the window's oldest moves on to probation if the window overflows. */
  insert(i: number): void {
    this.segment[i] = WINDOW;
    linkMru(this.next, this.prev, i, this.windowS);
    if (++this.windowCount > this.windowMax) this.toProbation(this.next[this.windowS]!);
  }

  /**
   * The slot to evict when the cache is full and a new key arrives. When the
   * window is at its share, its oldest entry (the candidate) duels the main
   * area's next victim: the more frequently read one stays. Ties go to the
   * victim, as in Caffeine, which is what turns a scan away.
   */
  selectVictim(): number {
    const next = this.next;
    this.rejected = false;
    let victim = next[this.probationS]!;
    if (victim === this.probationS) victim = next[this.protectedS]!;
    if (this.windowCount === 0 || this.windowCount < this.windowMax) {
      return victim !== this.protectedS ? victim : next[this.windowS]!;
    }
    const candidate = next[this.windowS]!;
    if (victim === this.protectedS) return candidate;
    if (this.sketch.frequency(hashKey(this.keyList[candidate])) > this.sketch.frequency(hashKey(this.keyList[victim]))) {
      this.toProbation(candidate);
      return victim;
    }
    this.rejected = true;
    return candidate;
  }

  /** Slot `i` leaves the cache. */
  remove(i: number): void {
    unlink(this.next, this.prev, i);
    const seg = this.segment[i];
    if (seg === WINDOW) this.windowCount--;
    else if (seg === PROTECTED) this.protectedCount--;
    this.segment[i] = PROBATION;
  }

  /** The list sentinels in iteration order: window, protected, probation. */
  lists(): number[] {
    return [this.windowS, this.protectedS, this.probationS];
  }

  /** Empties every list and forgets all frequencies. */
  clear(): void {
    initList(this.next, this.prev, this.probationS);
    initList(this.next, this.prev, this.windowS);
    initList(this.next, this.prev, this.protectedS);
    this.segment.fill(PROBATION);
    this.windowCount = 0;
    this.protectedCount = 0;
    this.sketch.clear();
  }

  private toProbation(i: number): void {
    unlink(this.next, this.prev, i);
    this.segment[i] = PROBATION;
    this.windowCount--;
    linkMru(this.next, this.prev, i, this.probationS);
  }
}
