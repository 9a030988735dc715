/**
 * The shares of a function's time its compiled version is bet to save, alone in a module: the cost
 * model (compile-cost.ts) and KOS_PROFILE's decisions (profile-guided.ts) use them, and `kos
 * profile`'s analysis, which records those decisions (profile-verdicts.ts), loads them without the
 * cost model, which the package ships inside kos's core bundle only.
 */

/**
 * The share of a function's time its compiled version is bet to save: a compile pays once the
 * function has used its predicted cost divided by this share (the ski-rental rule, where the
 * rent is the time the version would have saved). For a function that reaches callees kos has
 * not seen (library interpreters): the real libraries' natural `jit()` uses ran 2.08× their
 * original by geometric mean (BENCHMARKS.md, real interpreters), a saving of about half.
 */
export const SAVED_SHARE = 0.5;
/**
 * ...and for a self-contained function: the fixtures tiered up on their constant argument ran
 * 2.2× to 34× plain, 8× by median (BENCHMARKS.md, tiering), a saving of 54-97%, 88% by median;
 * 0.8 stays under the median. At 0.5 the DSP program's FIR kernel (bench/programs/dsp.ts,
 * 15,000 calls of 15 µs) waited for 5,800 calls and the program ran at 0.94× no kos in CPU
 * time; at 0.8 it compiled near 3,900 and the program ran at 1.01× (medians of 9 runs each).
 */
export const SELF_CONTAINED_SAVED_SHARE = 0.8;
/**
 * ...and for a version with no argument to speculate on, whose program sits in its closure
 * (profiler/tiering.ts, closureInputs): objects the program does not own are folded behind guards,
 * re-read after any call kos cannot see. Such uses ran 1.30× (sift's matcher, BENCHMARKS.md) and
 * 1.42-1.59× (jsonschema's `validate` on a module-constant schema, /work/explore2 probe) their
 * original, a saving of 23-37%. A program validating 24,000 documents with jsonschema against a
 * module-level schema (/work/explore2/prog3.mjs, about 2.3 s of CPU): at 0.5 its handler compiled
 * (395 ms of CPU) near 0.8 s of use and the program ran at 0.84-0.92× no kos in CPU time; at 0.25
 * it compiled in 1 run of 3, near the end (0.84×), the other two ran at 0.97-0.98×. With 3 and 4
 * times the documents it ran at 1.03-1.05× and 1.12-1.26×.
 */
export const CLOSURE_ONLY_SAVED_SHARE = 0.25;
