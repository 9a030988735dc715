/**
 * A function's first version against the original: both timed in the same windows, and the
 * version kept only if it is faster. tiering.ts calls it when a first version is made (or a later one becomes first).
 */
import { trace, type Dispatcher, type Version } from "../compiler/dispatcher.js";
import type { CallClock } from "../compiler/call-clock.js";
import { checkGain } from "../compiler/gain-check.js";
import { median } from "./call-times.js";
import { WARM_CALLS } from "./tier0-sampling.js";

// A first version and the original are timed in the same windows, call by call, the side drawn at
// random, and the version stays only if its median call is faster than the original's by a margin
// in one of the windows. The specialized code can be slower: too large for V8 to optimize, or guarded
// reads that cost more than the generic code they replace (valibot's compiled `safeParse` ran
// 2.67 µs a call against 2.56 µs). The windows start at calls 872, 4000 and 16000 after the
// tier-up, because a large version is still cold at 872: expr-eval's ran 2.07 µs there against
// 1.29 µs for the original, and is 4.6x faster once V8 has optimized it. Below VERIFY_MIN_MS a call
// (as tier 0 timed the original) is too short for the clock around it (call-clock.ts) to tell the
// two apart.
//
// Not against tier 0's time of the original: under a `hotCalls` below the warm window's start
// (tier0-sampling.ts, WARM_FROM) that time is its first calls', cold. ramda's `pipe` of four
// functions, tiered at 30 calls, was kept at "0.569 µs a call against 1.934 µs for the original"
// with a version that was the original behind guards, and ran 1.21-1.26x the original's time.
const VERIFY_MIN_MS = 0.0005;
const VERIFY_WINDOWS_AT = [872, 4000, 16000];
/** Timed calls of each side a window takes. */
const VERIFY_SAMPLES = WARM_CALLS / 2;
/**
 * How much faster the version's median must be: with none, a version no faster than the original
 * passes a window by chance half the time, and one of three windows seven times in eight.
 */
const VERIFY_KEEP = 0.95;

/**
 * Times the first version's calls against the original's, interleaved, then keeps it only if it is
 * faster: jit never makes a function slower than it was, compile cost aside. `originalMs`: the
 * original's time per call as tier 0 saw it (undefined: unknown, and the version is kept untimed),
 * which decides only whether the calls are long enough to time; `clock`: the clock tier 0 timed
 * the original with.
 */
export function verifyGain(d: Dispatcher, version: Version, originalMs: () => number | undefined, clock: CallClock): void {
  // A large version is timed against the original call by call, as an explicit one is: the
  // median of its calls alone missed what ow's `ow.any` paid on the calls whose validators
  // threw (V8 parses the version again to word each error), and it ran 10x slower than the
  // library for 16,000 calls before the last window sent it back.
  if (version.setRoute) {
    checkGain(d, version, version.setRoute);
    return;
  }
  const before = originalMs();
  if (before === undefined || before < VERIFY_MIN_MS) return;
  const fn = version.fn;
  const original = d.original;
  const versionTimes: number[] = [];
  const originalTimes: number[] = [];
  let window = 0;
  let calls = 0;
  // xorshift32, seeded from the clock: a program that cycles through its inputs would meet an
  // alternating choice with one kind of input each.
  let seed = (clock.now() * 1000) | 1;
  const name = d.name || "(anonymous)";
  const decide = () => {
    if (d.versions[0] !== version) return true; // deoptimized or replaced meanwhile
    const after = median(versionTimes);
    const then = median(originalTimes);
    const measured = `${(after * 1000).toFixed(3)} µs a call against ${(then * 1000).toFixed(3)} µs for the original (medians of ${versionTimes.length} and ${originalTimes.length} calls, interleaved at random, from call ${VERIFY_WINDOWS_AT[window]})`;
    versionTimes.length = 0;
    originalTimes.length = 0;
    if (after < then * VERIFY_KEEP) {
      d.restoreHead();
      d.event("verified", measured);
      return true;
    }
    if (++window < VERIFY_WINDOWS_AT.length) return false;
    const reason = `the compiled version ran ${measured}: it stays the original`;
    d.goGeneric(reason);
    trace(`generic ${name}: ${reason}`);
    return true;
  };
  d.routeHead(function (this: unknown, ...args: unknown[]) {
    // A construction is forwarded as one, and not timed: applied, the version ran as a call on the
    // object `new` had made (sweep31 repro-3: `new.target` read undefined in a tiered constructor).
    if (new.target !== undefined) return Reflect.construct(fn, args, new.target);
    if (++calls <= VERIFY_WINDOWS_AT[window]!) return Reflect.apply(fn, this, args);
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const toOriginal = (seed & 0x100) !== 0;
    const times = toOriginal ? originalTimes : versionTimes;
    const probe = clock.probe();
    const start = clock.now();
    try {
      return clock.call(toOriginal ? original : fn, this, args);
    } finally {
      const end = clock.now();
      times.push(clock.net(end - start, Math.min(probe, clock.probe())));
      // The function's calls: the version counts its own.
      if (toOriginal) d.addCalls(1);
      if (versionTimes.length >= VERIFY_SAMPLES && originalTimes.length >= VERIFY_SAMPLES) decide();
    }
  });
}
