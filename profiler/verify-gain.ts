/**
 * A function's first version against the original: timed as the original was, and kept only if
 * it is faster. tiering.ts calls it when a first version is made (or a later one becomes first).
 */
import { trace, type Dispatcher, type Version } from "../compiler/dispatcher.js";
import type { CallClock } from "../compiler/call-clock.js";
import { checkGain } from "../compiler/gain-check.js";
import { median } from "./call-times.js";
import { WARM_CALLS } from "./tier0-sampling.js";

// A first version is timed as the original was, 128 calls at a time, and it stays only if its
// median call is faster than the original's in one of the windows. The specialized code can be
// slower: too large for V8 to optimize, or guarded reads that cost more than the generic code they
// replace (valibot's compiled `safeParse` ran 2.67 µs a call against 2.56 µs). The windows start
// at calls 872, 4000 and 16000 after the tier-up, because a large version is still cold at 872:
// expr-eval's ran 2.07 µs there against 1.29 µs for the original, and is 4.6x faster once V8 has
// optimized it. Below VERIFY_MIN_MS a call is too short for the clock around it (call-clock.ts) to tell
// the two apart.
const VERIFY_MIN_MS = 0.0005;
const VERIFY_WINDOWS_AT = [872, 4000, 16000];

/**
 * Times the first version's calls as the original's were timed, then keeps it only if it is
 * faster: jit never makes a function slower than it was, compile cost aside. `originalMs`: the
 * original's time per call, asked only when the version is timed here (undefined: unknown, and
 * the version is kept untimed); `clock`: the clock tier 0 timed the original with.
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
  const times: number[] = [];
  let window = 0;
  let calls = 0;
  const name = d.name || "(anonymous)";
  const decide = () => {
    if (d.versions[0] !== version) return true; // deoptimized or replaced meanwhile
    const after = median(times);
    times.length = 0;
    if (after < before) {
      d.restoreHead();
      d.event("verified", `${(after * 1000).toFixed(3)} µs a call against ${(before * 1000).toFixed(3)} µs for the original`);
      return true;
    }
    if (++window < VERIFY_WINDOWS_AT.length) return false;
    const reason = `the compiled version ran ${(after * 1000).toFixed(3)} µs a call against ${(before * 1000).toFixed(3)} µs for the original (medians of ${WARM_CALLS} timed calls, after ${VERIFY_WINDOWS_AT[window - 1]} calls): it stays the original`;
    d.goGeneric(reason);
    trace(`generic ${name}: ${reason}`);
    return true;
  };
  d.routeHead(function (this: unknown, ...args: unknown[]) {
    // A construction is forwarded as one, and not timed: applied, the version ran as a call on the
    // object `new` had made (sweep31 repro-3: `new.target` read undefined in a tiered constructor).
    if (new.target !== undefined) return Reflect.construct(fn, args, new.target);
    if (++calls <= VERIFY_WINDOWS_AT[window]!) return Reflect.apply(fn, this, args);
    const before = clock.probe();
    const start = clock.now();
    try {
      return clock.call(fn, this, args);
    } finally {
      const end = clock.now();
      times.push(clock.net(end - start, Math.min(before, clock.probe())));
      if (times.length === WARM_CALLS && decide()) times.length = 0;
    }
  });
}
