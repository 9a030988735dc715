/**
 * Keeps an explicit version only if it is faster than the original on the program's own calls:
 * jit never makes a function slower, and an explicit `specialize` is no exception. Specialized
 * code can be slower than the code it came from: guarded re-reads of objects the caller did not
 * freeze (three's `Matrix4.decompose` specialized on `this` ran 0.48-0.79x the original), or a
 * residual so large that V8 re-parses it to word each TypeError it throws (ow's `ow.any`,
 * validators that throw on most inputs, ran 12x slower).
 *
 * For a few windows of calls, each call runs the version or the original, chosen at random (a
 * program that cycles through its inputs would give an alternating choice one kind of input
 * each), and is timed. Both are exact, so which one ran is not observable but in time. In each
 * window, the version passes when its median call and its mean call without the slowest tail
 * are both faster by a margin; then the route leaves the call path. It fails when the last window
 * still finds it slower by more than the margin, when it is far slower in a window after the
 * first, or when the calls that throw cost it far more than the original: then the function runs
 * the original, with the measurements as its fallback reason. A kept version is timed again later,
 * its timed calls spread over a second or more of the program's calls (RECHECK_SPAN_MS): what a
 * window of consecutive calls cannot see, V8 deoptimizing the version at the program's garbage
 * collections and taking long to optimize it again, is then weighed in.
 */
import { CallClock } from "./call-clock.js";
import { trace, type Dispatcher, type Version } from "./dispatcher.js";

/**
 * The size (syntax nodes, helpers included) from which a version is checked. Once a route has run,
 * its test costs a small kernel about 4 ns a call for good, even with no route set: a 3 ns horner
 * ran 7-8 ns after 64 routed calls, whether the route took `arguments`, the parameters or nothing
 * (.scratch/routecheck.mjs; a forwarding entry in front of the version did the same,
 * .scratch/entryab.mjs). Under 1,000 nodes, the fixtures' kernels, that is their whole time;
 * the versions seen slower than their originals were 1,500 nodes and more (micromustache's
 * `render` on `this`, 9 KB; three's `Matrix4.decompose`, 31 KB; ow's `ow.any`, 77 KB), and V8's
 * re-parse on a TypeError costs in proportion to size (above).
 */
export const GAIN_CHECK_MIN_NODES = 1000;

/**
 * Calls through the route when each window opens. Both sides take thousands of calls to be
 * optimized by V8, a large version more than the original (V8 waits longer for larger functions):
 * three's `Matrix4.decompose` specialized on `this` ran 2.52 µs a call at call 4000 against 0.50
 * µs for the original, and 0.21 against 0.20 µs at call 8000; micromustache's `render` was 3.4x
 * slower at call 2000 and 1.7x faster from call 16000 on (.scratch/gain-warmup.mjs). A slower
 * window only defers the verdict to the next one. mingo's 172 KB version, tiered, was verified at
 * call 64000 when run alone (1.5 µs against 2.4 µs) and read 1.17 µs against 0.70 µs there in the
 * benchmark's process, where V8 had more to optimize: the last window is at call 256000.
 */
const WINDOWS_AT = [256, 872, 4000, 16000, 64000, 256000];
/**
 * Windows after the last, opened only while the version is still getting faster (see decide):
 * mingo's 175 KB explicit version ran 2 µs a call until call 16000, 0.74-0.77 µs at call 64000,
 * and 0.26-0.75 µs at call 256000 in the benchmark's process (V8 optimized it late, after sift's
 * large versions), where the original read 0.59-1.3 µs: one run in three dropped it there.
 */
const LATE_WINDOWS_AT = [1_024_000, 4_096_000];
/** A version whose median fell below this share of the previous window's is still being optimized by V8. */
const STILL_IMPROVING = 2 / 3;
/**
 * How much faster a window must find the version, by both measures, to keep it: calls of a few
 * tens of ns read in 10 ns ticks here, and a version no faster than the original should not win
 * a window by chance.
 */
const KEEP_MARGIN = 0.95;
/** Outside the windows, one call in this many runs the original (keeping it warm). */
const ORIGINAL_SHARE = 8;
/**
 * Calls that all run the version before the original's share starts. A version whose first call
 * fills a cache the program keeps (mustache's parsed templates) is specialized again when its
 * guard on that cache first fails: with the first call drawn for the original one time in eight,
 * that came a call late, and two tests that count on it failed in a clean-clone CI run.
 */
const VERSION_FIRST_CALLS = 16;
/** Timed calls of each kind a window takes. */
const SAMPLES = 64;
/**
 * In the last window, which decides for good: each call runs one of the program's inputs, and
 * the medians of 64 drawn at random moved by 2x between windows for mingo's original (0.59-1.3 µs).
 */
const LAST_SAMPLES = 256;
/**
 * The slowest part of each side's calls left out of its mean (2 of 64): a scavenge pause lands on
 * one call in a window (0.5-2 ms here). What a version pays on more calls than that counts: one
 * that throws on one input in ten pays on six of its 64.
 */
const TRIM = 1 / 32;
/**
 * From the second window on, a version whose trimmed mean is this many times the original's, and
 * at least CLEAR_LOSS_MS more a call, ends the check at once: waiting for the last window would
 * cost the program seconds. The calls that cost it need not throw out of the function: ow's
 * `ow.any` catches what its validators throw, and its version's median call was faster (13.6 µs
 * against 23.7 µs) while its trimmed mean was 122 µs against 25 µs. A cold version is slower by a
 * factor, by 1-3 µs a call on the libraries above.
 */
const CLEAR_LOSS = 3;
const CLEAR_LOSS_MS = 0.02;
/**
 * What the check may cost the program, in milliseconds the version's calls took more than the
 * original's would have (estimated from each window's trimmed means, over the calls the version ran
 * since the window before): past it, a version slower in a window after the first ends the check at
 * once. sqids' `encode` specialized on its instance, a 217 KB version, ran 24 µs a call against 13 µs
 * in every window, and a slower window only deferred the verdict: the program ran at half speed for
 * 256,000 calls, 5 s and more (perf14). The late-optimized versions that did pay lost far less before
 * they did: mingo's about 16 ms by call 16,000, three's `decompose` about 6 ms by call 4,000, the
 * 512-term sum about 12 ms by call 872.
 */
const LOSS_BUDGET_MS = 200;
/**
 * A clear loss ends the check in its first window only when the version's cost sits in some of
 * its calls (trimmed mean at least this many times its median, as ow's was 9x, with its median no
 * slower than the original's): warming does not take that away. A version slower on every call may only be cold, and must lose a second window
 * in a row. A 512-term weighted sum unrolled by tiering read 20-22 µs a call against 6 µs for
 * the original at call 872 in 8 of 8 runs on two loaded cores, and 1.3 µs against 6 µs at call
 * 4000: V8 had not yet optimized it (its trimmed mean was its median). Under CI load it once
 * crossed the 20 µs and was dropped for good.
 */
const TAIL_HEAVY = 2;
/**
 * An exception thrown by the version that costs this many times the original's, and at least
 * THROW_LOSS_MS more, ends the check at once. V8 words a TypeError ("x.f is not a function") by
 * parsing again the function it was thrown in: 1.7 ms in a 90 KB residual, 6.4 µs in a small
 * function. ow's `ow.any` runs validators that throw on most inputs, and its version ran 12x
 * slower than the library; waiting for the last window would cost such a program seconds. A
 * cold version's throw is slower by the factor cold code is, not by a parse.
 */
const THROW_LOSS = 10;
const THROW_LOSS_MS = 0.1;
/**
 * A large version that throws on this share of its calls or more, slower than the original in two
 * windows in a row, runs the original: V8 may never optimize it. json-source-map's `parse`
 * specialized on its reviver (a 34 KB version) was never optimized by V8 when one call in 4 or
 * more threw during its first 20,000 calls, not even over the 27,000 valid calls after them (its
 * valid calls 3.0-3.1 µs against 1.4-1.5 µs for the library), and was with one in 16 (1.44 µs):
 * its windows read 1.22-1.47x slower from call 256 to call 64,000, and the loss budget would have
 * waited until call 256,000 (sweep22 perf-1; .scratch/jsm-throwshare.mjs). A version that
 * is only cold throws less, or gets faster from one window to the next (STILL_IMPROVING).
 */
const THROWING_SHARE = 1 / 8;
const THROWING_SLOW_WINDOWS = 2;
/** Throwing calls of each kind seen before THROW_LOSS is judged. */
const THROW_SAMPLES = 4;
/**
 * A version kept while some of its calls threw is timed once more after this many more calls of its
 * own. Where an Error is made under a large version, V8 finds the version frame's source position by
 * scanning its position table, and optimized code's table is the slow one to scan (an Error made at
 * the end of a 5,000-statement function: 45 us interpreted, 350-430 us optimized; /tmp probes). So a
 * version kept while cold can throw several times slower later: expr-eval's was kept at call 872 with
 * its throws at 10.2 against 10.3 us, and threw at 26 against 10 us once optimized, 0.67x the library
 * in all at its inputs' 8.6% throw rate.
 */
const RECHECK_CALLS = 16_000;
/**
 * Every kept version is timed again (RECHECK_CALLS later, up to RECHECKS times, the calls between
 * rechecks growing RECHECK_GROWTH-fold), in one window whose RECHECK_SAMPLES timed calls a side are
 * one call in so many, drawn at random, that they span at least this long (from the per-call time
 * of the window before), so that their plain means weigh each call as the program's time does. A
 * full garbage collection that frees a map the version's optimized code embeds (the map of a call's
 * temporary object, kept two collections more by V8) deoptimizes it, and V8 took 0.2-0.3 s to
 * optimize valibot's 281 KB tiered version again (7.4, 5.2, 2.8 us a call in the 100 ms after,
 * against 0.93 us before), where the library's small functions were back within 50 ms. A window of
 * consecutive calls lasts a few ms and landed between collections: the version was kept at 1.5
 * against 2.6 us, and in a process that collected every 150 ms ran 2.7x the library's time
 * (docs/notes/tiered-gc-deopts.md).
 */
const RECHECK_SPAN_MS = 1000;
const RECHECKS = 3;
const RECHECK_GROWTH = 4;
/**
 * Timed calls a side in a recheck. A plain mean takes in the program's own collector pauses too,
 * landing on either side at random: one 1 ms scavenge among 256 samples of a 3 µs call moves that
 * side's mean by 4 µs, and a scavenge every 5 ms lands on about one sample in 1,600. With 4,096 a
 * side a few land on each, about 0.4 µs of noise in a 3 µs mean; the timing costs 8,192 timed calls
 * (about 0.6 µs each: two clock reads and a probe), 5 ms over the span's second or more.
 */
const RECHECK_SAMPLES = 4096;
/**
 * A version no faster than the original (by KEEP_MARGIN) and slower by less than this factor, by
 * both measures, in two windows in a row from call SETTLED_FROM on, its median not getting faster
 * (STILL_IMPROVING), runs the original: V8 is done with it, and it gains nothing. Waiting for the
 * last window cost the program the route on every call meanwhile, which the windows cannot see
 * (they time both sides through it): polished's `parseToRgb`, tiered, ran 0.93-1.21x the original
 * in its windows from call 872 on (medians even; one call in four threw, at 1.05-1.1x) and went back
 * at call 256,000 at the earliest, 2.5 s of calls later, while the program ran it at 1.25-1.30x the
 * library's time (each call that threw went through the route's frames). A cold version reads slower
 * by more: 1.6x (expr-eval's at call 872), 2x (mingo's until call 16,000, against an original that
 * read 0.59-1.3 us) to 7x (seedrandom's at call 256). One as fast as the original, kept at the last
 * window, ran slower than it as a program calls it (json-query's and mathjs's, above).
 */
const SETTLED_WITHIN = 1.25;
const SETTLED_FROM = 4000;
/** How often the version's calls are looked at, and for how long, before that window opens. */
const RECHECK_POLL_MS = 500;
const RECHECK_POLLS = 240;

/** Median of a copy (the samples stay in arrival order for the trimmed mean). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mean(xs: number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** Mean without the slowest TRIM of the samples. */
function trimmedMean(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const keep = Math.max(1, s.length - Math.ceil(s.length * TRIM));
  let sum = 0;
  for (let i = 0; i < keep; i++) sum += s[i]!;
  return sum / keep;
}

const us = (ms: number) => `${(ms * 1000).toFixed(3)} µs`;

/**
 * What a version's calls run instead of its body while a route is set, with the call's `this` and
 * arguments (compiler/assemble.ts emits the test; constructions run the body).
 */
export type Route = Function;

/**
 * Routes the calls of one of `d`'s versions (`setRoute` is the version's own: its first, or one
 * specialized again later) through a timing route until it is verified (the route is cleared) or
 * found slower (the route runs the original from then on, `d` says why, and `onGeneric` is told).
 * The calls the route gives the original count as the function's calls. `clock` is what times
 * them (a test gives its own). `onWindow`: told each window's time a call before it is judged (ms,
 * version then original, the means the verdict weighs): a profiling run records what the version
 * saved (profiler/verify-gain.ts).
 */
export function checkGain(d: Dispatcher, version: Version, setRoute: (route: Route | null) => void, clock: CallClock = new CallClock(), onGeneric: () => void = () => {}, onWindow?: (versionMs: number, originalMs: number) => void): void {
  const fn = version.fn;
  const original = d.original;
  const originalTimes: number[] = [];
  const versionTimes: number[] = [];
  // This window's calls that returned, by side, and how many timed calls threw, over all windows.
  const originalReturns: number[] = [];
  const versionReturns: number[] = [];
  let timedCalls = 0;
  let timedThrows = 0;
  // The times of calls that threw, kept across windows.
  const originalThrows: number[] = [];
  const versionThrows: number[] = [];
  let window = 0;
  const windows = [...WINDOWS_AT];
  let previousMedian = Infinity;
  let calls = 0;
  let done = false;
  // Whether the last window was a clear loss on every call (a cold version, or a slow one).
  let lostEveryCall = false;
  // Windows in a row from SETTLED_FROM on the version was no faster in, and not slower by SETTLED_WITHIN.
  let evenWindows = 0;
  // Windows in a row the version was slower in while many of its calls threw (THROWING_SHARE).
  let slowThrowingWindows = 0;
  // The version's calls since the last window was judged, and what they are estimated to have cost
  // over the original (LOSS_BUDGET_MS).
  let versionCalls = 0;
  let lossMs = 0;
  let seed = (clock.now() * 1000) | 1;
  let rechecks = 0;
  // In a recheck, one call in this many is timed (RECHECK_SPAN_MS); the per-call time of the last
  // window judged sets it.
  let recheckEvery = 1;
  let lastCallMs = 0;
  let recheckFrom = 0;
  // The window after a verdict (recheckLater) is the last: no later one is added.
  let inRecheck = false;
  /**
   * Kept while calls threw: once the version has made RECHECK_CALLS more calls (looked at on a timer
   * that never keeps the process alive), one more window times both sides, throws weighed as before.
   */
  const recheckLater = () => {
    const after = RECHECK_CALLS * RECHECK_GROWTH ** rechecks++;
    const from = version.calls();
    let polls = 0;
    const timer = setInterval(() => {
      if (++polls > RECHECK_POLLS || d.versions.indexOf(version) < 0) return clearInterval(timer);
      if (version.calls() - from < after) return;
      clearInterval(timer);
      recheckEvery = lastCallMs > 0 ? Math.max(1, Math.round(RECHECK_SPAN_MS / (2 * RECHECK_SAMPLES * lastCallMs))) : 1;
      recheckFrom = clock.now();
      for (const xs of [originalTimes, versionTimes, originalReturns, versionReturns, originalThrows, versionThrows]) xs.length = 0;
      timedCalls = timedThrows = 0;
      windows.length = 0;
      windows.push(calls + 1);
      window = 0;
      inRecheck = true;
      done = false;
      setRoute(route);
    }, RECHECK_POLL_MS);
    (timer as { unref?: () => void }).unref?.();
  };
  const finish = (verdict: "kept" | "generic", detail: string) => {
    done = true;
    const at = d.versions.indexOf(version);
    if (at < 0) return; // replaced meanwhile
    // A later version (specialized again after the first version's guards failed) is reached from
    // the first's miss path: it alone runs the original from now on.
    const which = at === 0 ? "" : `v${at + 1}: `;
    trace(`${verdict === "kept" ? "verified" : "generic"} ${d.name || "(anonymous)"}: ${which}${detail}`);
    if (verdict === "kept") {
      setRoute(null);
      const again = rechecks < RECHECKS;
      const after = RECHECK_CALLS * RECHECK_GROWTH ** rechecks;
      const why = timedThrows > 0 ? "calls threw, so both sides are timed again" : "both sides are timed again";
      d.event("verified", which + detail + (again ? `; ${why} after ${after} more calls, over ${RECHECK_SPAN_MS / 1000} s of calls or more (garbage collections included)` : ""));
      if (again) recheckLater();
    } else {
      // The original itself: its calls cost the route test and a forwarding call. Not counted
      // (that would cost), as tiering does not count a generic function's calls.
      setRoute(original);
      if (at === 0) d.goGeneric(detail);
      else d.event("generic", which + detail);
      onGeneric();
    }
  };
  const decide = () => {
    const mo = median(originalTimes);
    const mv = median(versionTimes);
    let to = trimmedMean(originalTimes);
    let tv = trimmedMean(versionTimes);
    const counts = `${versionTimes.length} and ${originalTimes.length}`;
    const spread = inRecheck ? `, one in ${recheckEvery} over ${((clock.now() - recheckFrom) / 1000).toFixed(1)} s of the program's calls` : "";
    let measured = `${us(mv)} a call against ${us(mo)} for the original (medians of ${counts} calls, interleaved at random, from call ${windows[window]}${spread}; means without the slowest ${Math.round(TRIM * 100)}%: ${us(tv)} against ${us(to)})`;
    const throwsWeighed = originalThrows.length >= THROW_SAMPLES && versionThrows.length >= THROW_SAMPLES;
    let manyThrow = false;
    if (throwsWeighed && originalReturns.length > 0 && versionReturns.length > 0) {
      // What a call costs each side on average, its calls that throw at their median: a trimmed mean
      // leaves them out where fewer than one call in 32 throws, however slow they are. A version 3
      // times faster on the calls that return and 5 times slower on those that throw (V8 wording a
      // TypeError in a large function: expression-eval's, 0.1 against 0.3 us and 40 against 8 us
      // before residual/nullish-reads.ts) is slower in all once one call in 160 throws.
      const share = timedThrows / timedCalls;
      manyThrow = share >= THROWING_SHARE;
      const ot = median(originalThrows);
      const vt = median(versionThrows);
      to = trimmedMean(originalReturns) * (1 - share) + ot * share;
      tv = trimmedMean(versionReturns) * (1 - share) + vt * share;
      measured += `; with the ${+(share * 100).toPrecision(2)}% of calls that throw at their medians (${us(vt)} against ${us(ot)}), ${us(tv)} against ${us(to)} a call`;
    }
    lastCallMs = (tv + to) / 2;
    onWindow?.(tv, to);
    if (inRecheck) {
      // The plain means of the span's samples, the slowest included: what V8 costs the version after
      // a collection (its deoptimizations, then 100-250 ms of slow calls while its code is optimized
      // again) lands on the calls of those periods, which a median or a trimmed mean leaves out. The
      // samples are drawn at random over the span's calls, so their mean weighs each call as the
      // program's time does. Only they are timed: timing every call of a span (two clock reads and a
      // probe, about 0.6 µs), half of them on the original, would cost json-logic's 0.2 µs version
      // (2.4 µs for the library) about 1.9 µs a call for the span: the program slower than without
      // kos, for a second or more, three times.
      const fv = mean(versionTimes);
      const fo = mean(originalTimes);
      measured += `; plain means of the span's samples: ${us(fv)} against ${us(fo)} a call`;
      if (fv > fo) {
        lastCallMs = 0;
        for (const xs of [originalTimes, versionTimes, originalReturns, versionReturns]) xs.length = 0;
        return finish("generic", `timed again after it was kept, the compiled version ran ${measured}: slower in all over the program's calls, garbage collections included (V8 deoptimizes a large version's code when a collection frees what it embeds, and takes long to optimize it again); it runs the original`);
      }
    }
    originalTimes.length = 0;
    versionTimes.length = 0;
    originalReturns.length = 0;
    versionReturns.length = 0;
    // Calls threw, too few yet to weigh: a window does not keep the version before they are (the
    // first window of a function that throws on one call in 25 saw 2 on one side).
    const throwsPending = timedThrows > 0 && !throwsWeighed;
    if (!throwsPending && mv < mo * KEEP_MARGIN && tv < to * KEEP_MARGIN) return finish("kept", `the compiled version ran ${measured}`);
    // A version whose guards failed on most of the calls it took is not slower for being cold: those
    // calls ran the original behind its guards (and the route). ramda's `R.path` specialized on a
    // path array and called with equal arrays of its own ran 0.27 µs a call against 0.07 µs until
    // the last window, at call 256000 (sweep26 perf).
    const taken = version.calls();
    if (tv > to && taken > 0 && version.deopts * 2 > taken) {
      return finish("generic", `the compiled version ran ${measured}, and its guards failed on ${version.deopts} of the ${taken} calls it took: it runs the original`);
    }
    const lost = window > 0 && tv > CLEAR_LOSS * to && tv - to > CLEAR_LOSS_MS;
    // Only where most calls are not slower (the median): a cold version is slower on every call, and
    // its slowest calls slower still (V8 optimizing it meanwhile). The 512-term sum of
    // test/profiler/tiering.test.ts read 10.8 µs a call against 2.2 µs at call 872 in a clean-clone
    // CI run, its trimmed mean 25.9 µs, and was dropped for good as if its cost sat in some calls.
    const inSomeCalls = tv > TAIL_HEAVY * mv && mv <= mo;
    if (tv > to) lossMs += (tv - to) * versionCalls;
    versionCalls = 0;
    if (window > 0 && tv * KEEP_MARGIN > to && lossMs > LOSS_BUDGET_MS) {
      return finish("generic", `the compiled version ran ${measured}, and had cost the program about ${Math.round(lossMs)} ms over the original: it runs the original`);
    }
    const clearLoss = lost && (inSomeCalls || lostEveryCall);
    lostEveryCall = lost && !inSomeCalls;
    // A slower version still getting faster at the last window (V8 optimizing a large one late) gets a later window.
    const improving = mv < previousMedian * STILL_IMPROVING;
    previousMedian = mv;
    evenWindows = !inRecheck && windows[window]! >= SETTLED_FROM && !improving && mv < mo * SETTLED_WITHIN && tv < to * SETTLED_WITHIN ? evenWindows + 1 : 0;
    if (!clearLoss && evenWindows >= 2) {
      return finish("generic", `the compiled version ran ${measured}, no faster than the original in ${evenWindows} windows in a row and no longer getting faster: it runs the original`);
    }
    slowThrowingWindows = manyThrow && tv * KEEP_MARGIN > to && !improving ? slowThrowingWindows + 1 : 0;
    if (!clearLoss && slowThrowingWindows >= THROWING_SLOW_WINDOWS) {
      return finish("generic", `the compiled version ran ${measured}, slower in ${slowThrowingWindows} windows in a row while many of its calls threw (V8 may never optimize a large function whose calls throw that often): it runs the original`);
    }
    if (!clearLoss && !inRecheck && window + 1 === windows.length && improving && windows.length < WINDOWS_AT.length + LATE_WINDOWS_AT.length) windows.push(LATE_WINDOWS_AT[windows.length - WINDOWS_AT.length]!);
    if (!clearLoss && window + 1 < windows.length) trace(`timing ${d.name || "(anonymous)"}: the compiled version ran ${measured}; the next window opens at call ${windows[window + 1]}`);
    if (!clearLoss && ++window < windows.length) return;
    // The last window keeps a version no slower than the original by either measure: V8 may still
    // be optimizing a very large one (mingo's 172 KB version read 1.130 µs a call against 1.134 µs
    // at call 64000 in one run, and 1.5-2x faster than the library from then on in others). Not
    // slower within the margin, as it was: the route calls both sides through one megamorphic call,
    // where V8 inlines neither, and in a program's own loop the original gains more from that than
    // a large version does. json-query's version, kept at 0.221 against 0.220 µs, ran 180-190 ns a
    // call against 165-175 ns for the original called as the program calls it; mathjs's 155 KB
    // version, kept at 0.321 against 0.330 µs, 293 against 286 ns (sweep9/speed/phase*.mjs).
    if (!clearLoss && mv <= mo && tv <= to) return finish("kept", `the compiled version ran ${measured}: no slower, in the last window`);
    finish("generic", `the compiled version ran ${measured}: it runs the original`);
  };
  const judgeThrows = () => {
    if (originalThrows.length < THROW_SAMPLES || versionThrows.length < THROW_SAMPLES) return;
    const mo = median(originalThrows);
    const mv = median(versionThrows);
    if (mv > THROW_LOSS * mo && mv - mo > THROW_LOSS_MS) {
      finish("generic", `a call of the compiled version that throws took ${us(mv)} against ${us(mo)} for the original (medians of ${versionThrows.length} and ${originalThrows.length} such calls): V8 words each error by parsing again the ${Math.round((version.source?.length ?? 0) / 1024)} KB of code it was thrown in; it runs the original`);
    }
  };
  const route = function (this: unknown, ...args: unknown[]): unknown {
    // Every call runs one side, drawn at random: half of them in a window, where they are timed,
    // one in ORIGINAL_SHARE outside. A program that calls only the jitted function would otherwise
    // leave the original cold, run by the windows alone (three's `decompose` read 1.6 µs a call
    // against 32 ns for its version at call 16000, and 40 against 60 ns once both were warm); half
    // of every call made a large version's long check cost what the original costs on half of
    // them (mingo's, faster from call 64000 on). The version runs with the route cleared for the
    // call (a call it makes to itself runs direct).
    let timed = ++calls >= windows[window]!;
    // xorshift32: Math.random may be the program's (a seeded one), and a draw would advance it.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    if (timed && inRecheck && recheckEvery > 1) {
      // A recheck times one call in recheckEvery, drawn (a program that cycles through its inputs
      // would alias with a fixed stride); the side is drawn again below. The other calls run as
      // between windows: the version, and the original one in ORIGINAL_SHARE, which keeps it warm
      // through the span's collections.
      timed = (seed >>> 0) % recheckEvery === 0;
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
    }
    const useOriginal = timed ? seed < 0 : calls > VERSION_FIRST_CALLS && seed % ORIGINAL_SHARE === 0;
    if (useOriginal) {
      // (A later version's calls came through the first, which counted them.)
      if (d.versions[0] === version) d.addCalls(1);
    } else {
      versionCalls++;
      setRoute(null);
    }
    let returned = false;
    // Both sides through the same call of the clock.
    const probe = timed ? clock.probe() : 0;
    const start = timed ? clock.now() : 0;
    try {
      const result = clock.call(useOriginal ? original : fn, this, args);
      returned = true;
      return result;
    } finally {
      const end = timed ? clock.now() : 0;
      if (!useOriginal && !done) setRoute(route);
      if (timed && !done) {
        const t = clock.net(end - start, Math.min(probe, clock.probe()));
        (useOriginal ? originalTimes : versionTimes).push(t);
        timedCalls++;
        if (returned) (useOriginal ? originalReturns : versionReturns).push(t);
        else timedThrows++;
        if (!returned) {
          (useOriginal ? originalThrows : versionThrows).push(t);
          judgeThrows();
        }
        const samples = inRecheck ? RECHECK_SAMPLES : window + 1 >= windows.length ? LAST_SAMPLES : SAMPLES;
        // A recheck spans RECHECK_SPAN_MS at least, however fast its samples came.
        if (!done && originalTimes.length >= samples && versionTimes.length >= samples && (!inRecheck || clock.now() - recheckFrom >= RECHECK_SPAN_MS)) decide();
      }
    }
  };
  setRoute(route);
}
