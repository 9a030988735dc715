/**
 * The last timed calls of a function at tier 0, and what they say: the median a timed call is
 * capped to a multiple of (an outlier must not tier a function up), the lower quartile (how short
 * a call is), and whether the calls are too short for a compiled version to gain. tiering.ts
 * holds one per function, made at its first call.
 */

// The time estimate's outlier cap: timed calls kept, and how far above their median one may count.
export const RECENT_TIMES = 32;
const OUTLIER_FACTOR = 8;
// A cost-gated function whose calls take under TINY_MS (the lower quartile of RECENT_TIMES timed
// calls, the clock's own cost taken off) settles on the original. Not the median: load only adds
// time, and on a loaded host the median of the DSP program's 2 ns `shapeSample` (bench/programs/dsp.ts)
// read over 20 ns in 2 of 3 runs, so it waited and compiled, at 60-100 ms of CPU, a version that
// ran 3.7 ns a call against 1.2 ns as written. A version's guards and call counter cost
// a few ns: `o.v + y` ran 0.4 ns a call as written and 4.1 ns compiled, through the entry. The clock
// ticks in 10 ns steps here, so such a function cannot be timed against its version either
// (VERIFY_MIN_MS), and waiting at tier 0 costs it 1.8 ns a call against 0.5 ns settled
// (/tmp probes, Node 20.20.2).
export const TINY_MS = 0.00002;
// ...and whose median is under this: a function that returns early on a quarter of its calls and
// works on the rest (a cache hit, an invalid input) has a short lower quartile too, and its long
// calls can still gain. 80 ns is 4 times TINY_MS: above what load made of the 2 ns function.
const TINY_MEDIAN_MS = 4 * TINY_MS;

/** Whether timed calls with this lower quartile and median (ms) are too short for a version to gain. */
export function callsTooShortToGain(lowMs: number, medianMs: number): boolean {
  return lowMs < TINY_MS && medianMs < TINY_MEDIAN_MS;
}

export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

export class CallTimes {
  /**
   * The last timed calls (ms, a ring, made at the first: a typed array of 32 doubles took `jit()` of
   * a function never called from 4.0 to 4.8 µs), and their median: what one timed call is capped to
   * a multiple of.
   */
  private recentTimes: Float64Array | null = null;
  /** Timed calls so far (read only outside this class). */
  count = 0;
  typicalMs = Infinity;
  /** The lower quartile of the same calls: how short a call is (load and preemption only add time). */
  lowMs = Infinity;

  /**
   * One timed call's time as it counts towards the estimate, at most OUTLIER_FACTOR times the median
   * of the last ones: a call the OS preempted or a GC paused stands for up to 16384 calls, and one
   * such call of a 0.05 µs function counted as 250 ms and tiered it up (a test run on a loaded CI
   * host, test/profiler/tiering.test.ts).
   */
  capped(dt: number): number {
    const n = ++this.count;
    (this.recentTimes ??= new Float64Array(RECENT_TIMES))[(n - 1) % RECENT_TIMES] = dt;
    // The median is taken at 8, 16, 24 and 32 timed calls, then every 16th: a sort of 32 doubles
    // at every 8th timed call was a fifth of tier 0's cost in a cold process (1.1 of 5.4 ms).
    if (n <= RECENT_TIMES ? (n & 7) === 0 : (n & 15) === 0) {
      const sorted = this.recentSorted();
      this.typicalMs = sorted[sorted.length >> 1]!;
      this.lowMs = sorted[sorted.length >> 2]!;
    }
    return Math.min(dt, this.typicalMs * OUTLIER_FACTOR);
  }

  /** Whether the calls timed so far are too short for a version to gain (callsTooShortToGain). */
  tooShortToGain(): boolean {
    return callsTooShortToGain(this.lowMs, this.typicalMs);
  }

  /** The median of the recent timed calls (NaN when there are none). */
  recentMedian(): number {
    if (!this.recentTimes) return NaN;
    const sorted = this.recentSorted();
    return sorted[sorted.length >> 1]!;
  }

  /** The recent timed calls, sorted (a copy). */
  private recentSorted(): Float64Array {
    return this.recentTimes!.slice(0, Math.min(this.count, RECENT_TIMES)).sort();
  }
}
