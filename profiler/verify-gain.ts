/**
 * A function's first version against the original: both timed in the same windows, and the
 * version kept only if it is faster. tiering.ts calls it when a first version is made (or a later one becomes first).
 */
import type { Dispatcher, Version } from "../compiler/dispatcher.js";
import type { CallClock } from "../compiler/call-clock.js";
import { checkGain } from "../compiler/gain-check.js";
import { ENTRY_TIMING, ENTRY_TIMING_MIN_MS, timeAtEntry } from "../compiler/entry-gain-check.js";

// A first version and the original are timed in the same windows, call by call, the side drawn at
// random, and the version stays only if its median call is faster than the original's by a margin
// in one of the windows (compiler/entry-gain-check.ts, ENTRY_TIMING). The specialized code can be
// slower: too large for V8 to optimize, or guarded reads that cost more than the generic code they
// replace (valibot's compiled `safeParse` ran 2.67 µs a call against 2.56 µs). Below ENTRY_TIMING_MIN_MS a
// call (as tier 0 timed the original) is too short for the clock around it (call-clock.ts) to tell
// the two apart. The timing itself is compiler/entry-gain-check.ts's, which explicit versions use too.
//
// Not against tier 0's time of the original: under a `hotCalls` below the warm window's start
// (tier0-sampling.ts, WARM_FROM) that time is its first calls', cold. ramda's `pipe` of four
// functions, tiered at 30 calls, was kept at "0.569 µs a call against 1.934 µs for the original"
// with a version that was the original behind guards, and ran 1.21-1.26x the original's time.

/**
 * Times the first version's calls against the original's, interleaved, then keeps it only if it is
 * faster: jit never makes a function slower than it was, compile cost aside. `originalMs`: the
 * original's time per call as tier 0 saw it (undefined: unknown, and the version is kept untimed),
 * which decides only whether the calls are long enough to time; `clock`: the clock tier 0 timed
 * the original with; `measured`: told each timing window's time a call (ms, version then original).
 */
export function verifyGain(d: Dispatcher, version: Version, originalMs: () => number | undefined, clock: CallClock, measured?: (versionMs: number, originalMs: number) => void): void {
  // A large version is timed against the original call by call, as an explicit one is: the
  // median of its calls alone missed what ow's `ow.any` paid on the calls whose validators
  // threw (V8 parses the version again to word each error), and it ran 10x slower than the
  // library for 16,000 calls before the last window sent it back.
  if (version.setRoute) {
    checkGain(d, version, version.setRoute, undefined, undefined, measured);
    return;
  }
  const before = originalMs();
  // A profiling run (`measured` given) times every first version, short calls too: what the version
  // saved a call is what KOS_PROFILE later weighs a compile against (profile-guided.ts). Two sides
  // timed by the same clock carry the same error, and their difference keeps less of it than either.
  if (!measured && (before === undefined || before < ENTRY_TIMING_MIN_MS)) return;
  timeAtEntry(d, version, clock, ENTRY_TIMING, measured);
}
