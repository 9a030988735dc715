/**
 * A version against the original, timed at the dispatcher's entry: for some windows of calls the
 * entry runs a route that calls one side or the other, drawn at random, and times it; then the
 * entry runs the version again (faster by a margin in a window) or the original, with the
 * measurements as the fallback reason. The route is the entry's state (entry-factory.ts): once the
 * check is over, the entry's call of its target is what it was, with no test left on the call path.
 * A test in the version itself (gain-check.ts's route) stays there once it has run.
 *
 * Used by the profiler for a tiered function's first small version (profiler/verify-gain.ts), and by
 * `jit(fn, { specialize })` for a version under the gain check's size that loops or calls out
 * (compiler/straight-line.ts): such a version took 12 µs a call and was no faster than slugify's own
 * (docs/notes/small-explicit-gain.md).
 */
import { trace, type Dispatcher, type Version } from "./dispatcher.js";
import type { CallClock } from "./call-clock.js";

/**
 * A call this short (ms) is too short for the clock around it (call-clock.ts) to tell the two sides
 * apart: each read costs about 100 ns. Below it, a version is kept untimed.
 */
export const ENTRY_TIMING_MIN_MS = 0.0005;

export interface EntryTiming {
  /** The calls at which each window opens (calls before the first run the version, untimed). */
  windowsAt: readonly number[];
  /** Timed calls of each side a window takes. */
  samples: number;
  /** How much faster the version's median must be to keep it (with none, a version no faster than the original passes a window by chance half the time). */
  keep: number;
  /**
   * Where the original's time a call is not known beforehand (an explicit version): the first
   * window's medians, both under ENTRY_TIMING_MIN_MS, keep the version untimed from then on.
   */
  gateOnFirstWindow?: boolean;
  /**
   * Times the version's first `calls` calls (the first left out: V8 compiles it then), and keeps it
   * untimed from then on where their median is under `ms`, before any window. See EXPLICIT_COLD_GATE.
   */
  coldGate?: { calls: number; ms: number };
}

/**
 * The first calls of an explicit version, interpreted by V8, against the calls it makes once warm
 * (medians of calls 2-16, then of 64 calls at call 20,000, this machine, Node 20.20.2): the fixtures
 * read 0.56 µs against 0.12 (expr-interpreter), 0.69 against 0.13 (query-filter), 1.22 against 0.21
 * (horner), 3.4 against 0.3 (validator), 4.0 against 2.8 (convolution), 22.6 against 2.2
 * (json-serializer); slugify's version on its options 27 against 6.1 (.scratch/cold.mjs: the warm
 * times hold the clock's 0.1 µs). So under 2 µs, a version's warm calls are too short to time, and it
 * leaves the route at call 16, before its callers are optimized. Timed later, the route spoils them:
 * a loop that V8 optimized after the route had run a thousand of its calls ran the expr-interpreter
 * fixture's version at 19.4-20.3 ns a call against 13.0-14.1 ns for the version alone, the check long
 * over (.scratch/expr3.mjs; a loop optimized after a check made from another call site ran 13.6 ns).
 */
export const EXPLICIT_COLD_GATE = { calls: 16, ms: 0.002 };


/**
 * The windows open at calls 872, 4000 and 16000 after the version is made, because a large version
 * is still cold at 872: expr-eval's (tiered) ran 2.07 µs there against 1.29 µs for the original,
 * and is 4.6x faster once V8 has optimized it. 64 timed calls a side (the profiler's WARM_CALLS / 2),
 * and a margin of 5%: with none, a version no faster than the original passes a window by chance
 * half the time, and one of three windows seven times in eight.
 */
export const ENTRY_TIMING: EntryTiming = { windowsAt: [872, 4000, 16000], samples: 64, keep: 0.95 };

/** Median of a copy. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Times `version` (`d`'s first) against the original through `d`'s entry, and keeps the faster one.
 * `onWindow`: told each window's medians (ms a call, version then original) before it is decided:
 * a profiling run records what the version saved (profiler/verify-gain.ts).
 */
export function timeAtEntry(d: Dispatcher, version: Version, clock: CallClock, timing: EntryTiming, onWindow?: (versionMs: number, originalMs: number) => void): void {
  const fn = version.fn;
  const original = d.original;
  const versionTimes: number[] = [];
  const originalTimes: number[] = [];
  const { windowsAt, samples, keep } = timing;
  let window = 0;
  let calls = 0;
  // xorshift32, seeded from the clock: a program that cycles through its inputs would meet an
  // alternating choice with one kind of input each; Math.random may be the program's (a seeded one).
  let seed = (clock.now() * 1000) | 1;
  const name = d.name || "(anonymous)";
  const gate = timing.coldGate;
  const coldTimes: number[] = [];
  const decide = () => {
    if (d.versions[0] !== version) return; // deoptimized or replaced meanwhile
    const after = median(versionTimes);
    const then = median(originalTimes);
    onWindow?.(after, then);
    const measured = `${(after * 1000).toFixed(3)} µs a call against ${(then * 1000).toFixed(3)} µs for the original (medians of ${versionTimes.length} and ${originalTimes.length} calls, interleaved at random, from call ${windowsAt[window]})`;
    versionTimes.length = 0;
    originalTimes.length = 0;
    if (timing.gateOnFirstWindow && window === 0 && after < ENTRY_TIMING_MIN_MS && then < ENTRY_TIMING_MIN_MS) {
      d.restoreHead();
      d.event("untimed", `${measured}: calls too short for the clock to tell the two apart, the version runs untimed`);
      return;
    }
    if (after < then * keep) {
      d.restoreHead();
      d.event("verified", measured);
      return;
    }
    if (++window < windowsAt.length) return;
    const reason = `the compiled version ran ${measured}: it stays the original`;
    d.goGeneric(reason);
    trace(`generic ${name}: ${reason}`);
  };
  d.routeHead(function (this: unknown, ...args: unknown[]) {
    // A construction is forwarded as one, and not timed: applied, the version ran as a call on the
    // object `new` had made (sweep31 repro-3: `new.target` read undefined in a tiered constructor).
    if (new.target !== undefined) return Reflect.construct(fn, args, new.target);
    if (gate && calls < gate.calls) {
      const probe = clock.probe();
      const start = clock.now();
      try {
        return clock.call(fn, this, args);
      } finally {
        const end = clock.now();
        if (++calls > 1) coldTimes.push(clock.net(end - start, Math.min(probe, clock.probe())));
        if (calls === gate.calls && d.versions[0] === version && median(coldTimes) < gate.ms) {
          d.restoreHead();
          d.event("untimed", `its first calls ran ${(median(coldTimes) * 1000).toFixed(3)} µs (median of calls 2-${gate.calls}, before V8 optimized it): calls too short for the clock to tell it from the original, the version runs untimed`);
        }
      }
    }
    if (++calls <= windowsAt[window]!) return Reflect.apply(fn, this, args);
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
      if (versionTimes.length >= samples && originalTimes.length >= samples) decide();
    }
  });
}
