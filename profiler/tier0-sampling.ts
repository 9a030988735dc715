/**
 * Which calls tier 0 observes and times: every call at first, then one at a jittered stride that
 * grows with the calls, and every call of the warm window before a fixed tier-up (or, in a profiling
 * run, before PROFILED_HOT_CALLS: tiering-options.ts).
 * tiering.ts holds one schedule per function, made at its first call.
 */
import { RECENT_TIMES } from "./call-times.js";

// Argument profiles see every call for the first EXACT_CALLS calls, then one call in about 64
// (fewer as calls grow: sampleStride), at a jittered stride: a fixed power-of-two stride
// aliased with a caller's 64-element batch and saw one argument tuple again and again.
// One observed call in 4 is also timed: at every 16th call the two clock
// reads alone cost ~5 ns per call on average (BENCHMARKS.md, tiering).
// Each observed call runs kos's tier-0 code, which is still cold in a program's first
// milliseconds: 4.7 µs a call over calls 64-256 of `a + b` (/tmp probe, Node 20.20.2). With
// 256 exact calls, tier 0 cost the rules program (bench/programs/rules.ts) about 5 ms of
// CPU in its first 2,000 calls. 32 exact calls are enough for every speculation the tests
// and the bench programs check.
export const EXACT_CALLS = 32;
/**
 * The mean stride between observed calls after EXACT_CALLS: 64, then growing with the
 * calls so far (n / 16, a power of two, at most 16384), so that a function waiting at tier 0
 * for its compile to pay costs less and less per call. With a fixed stride of 64, tier 0 cost
 * bench/programs/dsp.ts 48 ms of a 265 ms run (3.8 million calls of a 20 ns function,
 * waiting); each observation costs about 0.2 µs warm, each timed one 0.1 µs more. But the
 * policy's code runs a few hundred times per function, and stays in V8's interpreter: on
 * the rules program (bench/programs/rules.ts, three functions waiting for 200,000 calls)
 * its 1,100 observations cost 15 ms outside the calls they timed, 1.5% of the run. From
 * 4096 calls on, a stride of n / 16 observes 16 calls per doubling instead of 64, and times
 * each of them ({@link TIMED_FROM_STRIDE}), so the time estimate has as many samples as before.
 */
function sampleStride(n: number): number {
  if (n < 4096) return 64;
  return Math.min(16384, 2 ** Math.floor(Math.log2(n / 16)));
}
/** From this stride on, every observed call is timed (below it, one in four after the early ones). */
const TIMED_FROM_STRIDE = 256;
// The last WARM_CALLS calls before the tier-up at hotCalls (none before call 128) are all
// timed: their median is the original's time per call once V8 has warmed it (the profile's
// cost model, PROFILE_SAVED_SHARE). Earlier calls run cold: json-logic's apply averaged
// 10.8 µs over its first 1000 calls, 3.6 µs over calls 128-255, 2.5 µs over its last 256
// (under `kos profile`), and 1.1 µs warm. The window costs about 0.25 ms once per function
// (the first 1000 calls of `a + b`: 335 µs with a 128-call window, 396 µs with 256, 90-100 µs
// without), and 1.4-2.2 ms in a cold process, so only a run that needs the time has it: a
// profiling run (the profile records it) and a fixed hotCalls (the first version is checked
// against it). A cost-gated tier-up comes much later, and checks the version against the
// median of the last timed calls, which by then run warm.
export const WARM_CALLS = 128;
const WARM_FROM = 128;

export class Tier0Sampling {
  /** The next call whose arguments are observed. */
  nextSample = 1;
  private observed = 0;
  private jitter = 0x2545f491;
  /** The warm window [warmFrom, warmTo): every call in it is timed (warmTo 0: no window). */
  readonly warmFrom: number;

  constructor(readonly warmTo: number) {
    this.warmFrom = Math.max(WARM_FROM, warmTo - WARM_CALLS);
  }

  /** Whether call `n` is in the warm window. */
  isWarm(n: number): boolean {
    return n >= this.warmFrom && n < this.warmTo;
  }

  /** The next call after `n` that the warm window needs to see (Infinity: none). */
  nextWarm(n: number): number {
    return n + 1 < this.warmFrom ? this.warmFrom : n + 1 < this.warmTo ? n + 1 : Infinity;
  }

  /**
   * Call `n` (at or past nextSample) is observed: schedules the next observation, and returns the
   * weight of this call's time (the calls it stands for), 0 when it is not timed. `timedSoFar`:
   * the timed calls so far (CallTimes.count).
   */
  sample(n: number, timedSoFar: number): number {
    this.jitter = (Math.imul(this.jitter, 1103515245) + 12345) | 0;
    const stride = n < EXACT_CALLS ? 1 : sampleStride(n);
    this.nextSample = n < EXACT_CALLS ? n + 1 : n + (stride >> 1) + ((this.jitter >>> 16) % stride);
    // For its first 8 × RECENT_TIMES timed calls, every observation is timed; then one in 4 until the stride reaches TIMED_FROM_STRIDE. Timing
    // one in 4 from the start, `(k, x) => k + x` was settled on the original (too short to gain) at
    // 24,576 calls in 5 of 5 runs, all of them at tier 0's cost; timing each, at 2,048 calls in 8
    // of 10 (12,800 in one, not within 200,000 in the other; the DSP program's `shapeSample`,
    // bench/programs/dsp.ts, is the same case). Timing costs about 0.1 µs more per observed call, a few µs in all.
    const each = timedSoFar < 8 * RECENT_TIMES || stride >= TIMED_FROM_STRIDE;
    if (each || (++this.observed & 3) === 0) {
      // A timed call stands for the observed calls it represents, each standing for the calls since the last.
      return each ? stride : 4 * stride;
    }
    return 0;
  }
}
