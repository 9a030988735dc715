/**
 * What tier 0 reads from the clock: the time of one call, less what timing it
 * costs. Counted in full, that cost made a 0.4 ns function timed once in 64
 * calls look like a 1 µs one: `o.v + y` reached the compile gate's 87 ms of
 * "used" time after 595,000 calls that took 0.24 ms, and tiered up to a
 * version no faster than it (test/profiler/tiering.test.ts).
 *
 * The cost is read right where it is paid: just before and just after each
 * timed call, the same code times an empty call (`probe`), and the call's own
 * time is what it took beyond the lesser of the two. Any cost measured apart
 * was wrong both ways (Node 20.20.2, this machine): a calibration loop read
 * 160-180 ns cold and 110 ns after 2,048 rounds, against about 60 ns around a
 * warm call, which hid most of a 200 ns function's time; the least of 4
 * probes in a row read under the timed path's cost, so a 0.4 ns function
 * looked like a 60 ns one; the median of the last 16 probes drifted with the
 * process, far enough that a 300 ns function once read as 0 for 32 calls in a
 * row. The probe before alone read 180-4,700 ns around a 200 ns function read
 * at 360-860 ns: the first code run after optimized code pays for cold caches.
 * The clock reads in nanoseconds, and one read costs about 100 ns, so one
 * difference is exact to a few of them; what tier 0 decides on is a median or a sum of many.
 */
import { monotonicMs } from "../intrinsic-clocks.js";

// Captured when kos loads: a program may replace Reflect.apply later.
const reflectApply = Reflect.apply;
// The clock: process.hrtime as `import "kos"` found it (intrinsic-clocks.ts: fake timers that
// replace it later, as sinon's and jest's do with performance.now too, never reach tier 0's
// timings). Not performance.now: Node 20 loads perf_hooks at the first read of the global
// `performance`, 1.5-3.4 ms of CPU (median 2.2 ms of 5 fresh processes), which tier 0's first
// timed call paid in every program that did not read it itself. A read costs the same warm: 101 ns
// against 97 ns for performance.now (mitata, .scratch/clk.mjs, Node 20.20.2, a loaded machine).

export class CallClock {
  /** An empty call, timed as a real one is. */
  private readonly empty = function () {};
  private readonly noArgs: unknown[] = [];

  /** Milliseconds now (the clock the timed calls are read with). */
  now(): number {
    return monotonicMs();
  }

  /**
   * Calls `fn` for a timed call. The one call site a timed call and its probe both go through:
   * every tiered function's timed calls pass here, so it is megamorphic, and the probe pays what
   * they pay. With the probe's own monomorphic call of the empty function (inlined: about 0 ns),
   * `o.v + y`'s net time read 37 ns (lower quartile) and 61 ns (median) on a loaded run: the
   * megamorphic call itself, which made a 1 ns function look worth compiling (2 of 6 runs compiled it).
   */
  call(fn: Function, thisArg: unknown, args: unknown[]): unknown {
    return reflectApply(fn, thisArg, args);
  }

  /** The time (ms) of an empty call, read the way a real call next to it is read. */
  probe(): number {
    const start = this.now();
    this.call(this.empty, undefined, this.noArgs);
    return this.now() - start;
  }

  /** `dt` (ms, read around one call) less `probe` (read next to it), never below 0. */
  net(dt: number, probe: number): number {
    return dt > probe ? dt - probe : 0;
  }
}
