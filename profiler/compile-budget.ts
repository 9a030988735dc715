/**
 * The process's compile budget, and the cheapest first compile it admits, alone in a module: the
 * dormant tier (compiler/dormant.ts), loaded before the core, wakes when the core's load and that
 * compile fit the budget. The cost model (compile-cost.ts) uses the same constants.
 */

/** CPU ms to load the compiler bundle (measured: 22.4-22.9 ms, 3 fresh processes). */
export const LOAD_MS = 23;
/** A cold compile's fixed CPU cost (horner, 0.2 KB of source: 22.6 ms). */
export const BASE_MS = 20;
/**
 * The process's compile budget: tiering's compiles, this one included, may have cost at most this
 * share of the CPU the process has used so far. The ski-rental rule bets that a function runs as
 * long again; a program that ends soon after the bet loses the compile. For a library interpreter
 * reached through a closure: json-logic's `apply` compiled at call 187,700 of the rules program's
 * 200,000 (323 ms of CPU, then its new code cold in V8), and the program ran 0.72x no kos in CPU
 * time, 0.83x for the documents program (BENCHMARKS.md, programs, before this budget). For a
 * self-contained function the bet was left open, as cheap and short (the DSP program's FIR: 45-57
 * ms of CPU, repaid within about 80 ms of its calls), until a program kos's bench had not seen
 * lost it: a 0.25 s script formatting 400,000 records through `jit(formatRow)`
 * (/tmp/kp1/prog2.mjs) compiled it at call 176,797 (24 ms of wall time, 69 ms of CPU: the
 * compiler's load, its code run cold and V8's threads optimizing it) for a version that saves
 * 0.1 µs a call, and its loop took 216-252 ms of CPU against 96-107 ms without kos (three runs
 * each, a loaded host); under the budget it compiles nothing and took 122-131 ms. So the budget
 * holds for every compile: whenever one happens, a program that ended right after it would have
 * lost at most 1% to kos's compiles (plus V8's warm-up of the new code), the "never slower than
 * 0.99x" target. A long-running service reaches the budget of a cold 50 ms compile after about
 * 5 s of CPU, of a cold 395 ms one after about 40 s; a short program gets the same code from a
 * profile (`kos profile`, then `KOS_PROFILE`), which compiles at the first call.
 */
export const COMPILE_BUDGET = 0.01;
