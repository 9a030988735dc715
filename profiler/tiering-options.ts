/**
 * Tiering's options (`jit(fn, { tiering })`), and the thresholds a tiered function runs with:
 * from its options, else the environment as it was at `jit()`, else the defaults.
 */
import { COMPILE_BUDGET } from "./compile-cost.js";
import type { LoadedProfile } from "./profile-file.js";

export interface TieringOptions {
  /**
   * Calls before tier-up (env KOS_HOT_CALLS). Unset, tier-up waits until the function's
   * sampled time pays for its predicted compile (profiler/compile-cost.ts); set, it
   * happens after this many calls, whatever the compile costs.
   */
  hotCalls?: number;
  /** With `hotCalls` set: sampled time in ms after which a function is hot even below hotCalls (after 50 calls). Default 20. */
  hotTimeMs?: number;
  /**
   * The share of the process's CPU time tiering's compiles may have cost when a compile starts.
   * Default 0.01 (profiler/compile-cost.ts, COMPILE_BUDGET); a long-running service that wants its
   * code compiled sooner can raise it, at the risk of a compile a short run does not repay.
   */
  compileBudget?: number;
  /** Live specialized versions before the function goes generic. Default 4 (V8's polymorphic limit). */
  maxVersions?: number;
  /** A loaded profile to take stable arguments from (default: env KOS_PROFILE). */
  profile?: LoadedProfile;
}

// A profiling run times the original over calls 4872-5000, once V8 has optimized it:
// json-logic's apply (bench/programs/rules.ts, under `kos profile`) timed 2.43 µs a call over
// calls 872-1000, 1.14 µs over calls 4872-5000, and about 1.1 µs fully warm. KOS_PROFILE's cost
// model multiplies that time by the calls, and the 2x error had it compile json-logic where the
// compile could not pay. The window only times: tier-up still waits for the compile to pay.
const PROFILED_HOT_CALLS = 5000;

/**
 * A profiling run compiles a function once its own time pays for the compile (the cost gate), without
 * waiting for the process's compile budget: the budget keeps a plain run from losing a compile it
 * ends too soon to repay, but a profile compiles its functions at their first call in every later
 * run, and it should say to only for a version it has timed against the original (profile-guided.ts
 * weighs the saving measured here, verify-gain.ts). Under the budget the life program's profiled
 * run (bench/programs/life.ts) compiled nothing, and KOS_PROFILE then compiled its integrator, bet
 * to save 80% of its time, whose version (its config object unfrozen, every read kept) ran no
 * faster: 0.82-0.84x no kos in CPU time. The cost falls on `kos profile`'s run alone.
 */
const PROFILED_COMPILE_BUDGET = Infinity;

/** The values of KOS_HOT_CALLS this process warned about (each once). */
const warnedHotCalls = new Set<string>();

/**
 * `KOS_HOT_CALLS` as the positive number it must be, else NaN (unset). A value that is set but no
 * positive number (`KOS_HOT_CALLS=abc`, `-1`) was ignored in silence, the functions then tiering as
 * without it; it is still ignored, and said once as a process warning (code `KOS_HOT_CALLS`).
 */
export function envHotCalls(value: string | undefined = process.env.KOS_HOT_CALLS): number {
  if (value === undefined || value.trim() === "") return NaN;
  const n = Number(value);
  if (n > 0) return n;
  if (!warnedHotCalls.has(value)) {
    warnedHotCalls.add(value);
    process.emitWarning(`KOS_HOT_CALLS=${value} is not used: it must be a positive number of calls; functions tier up as without it`, { code: "KOS_HOT_CALLS" });
  }
  return NaN;
}

export interface TieringThresholds {
  /** Tier-up waits for the compile to pay (no `hotCalls` given). */
  costGated: boolean;
  hotCalls: number;
  hotTimeMs: number;
  maxVersions: number;
  compileBudget: number;
  /** Where the warm window that times the original ends (Tier0Sampling; 0: no window). */
  warmTo: number;
}

/**
 * The thresholds for options `t`. `envHot`: KOS_HOT_CALLS as a number (NaN: unset); `profiling`:
 * whether KOS_FEEDBACK_OUT was set (a `kos profile` run).
 */
export function tieringThresholds(t: TieringOptions, envHot: number, profiling: boolean): TieringThresholds {
  // A profiling run (`kos profile` sets KOS_FEEDBACK_OUT) tiers up as a plain run does, when the
  // compile pays, so that it costs what the program costs: compiling at a fixed count to
  // measure each compile made `kos profile` of the rules program take 2.21x its wall time
  // (BENCHMARKS.md, programs). A function it never compiles records the predicted cost instead.
  const costGated = t.hotCalls === undefined && !(envHot > 0);
  // With the cost gate, hotCalls only places the warm window that times the original for profiles.
  const hotCalls = t.hotCalls ?? (envHot > 0 ? envHot : profiling ? PROFILED_HOT_CALLS : 1000);
  return {
    costGated,
    hotCalls,
    hotTimeMs: t.hotTimeMs ?? 20,
    maxVersions: t.maxVersions ?? 4,
    compileBudget: t.compileBudget ?? (profiling ? PROFILED_COMPILE_BUDGET : COMPILE_BUDGET),
    warmTo: Number.isFinite(hotCalls) && (!costGated || profiling) ? hotCalls : 0,
  };
}
