/**
 * The shape of `kos-profile.json` (version 1): its types, their check, and what an entry says to
 * tiering. A module of its own, without the file's reading, merging and matching (profile-file.ts):
 * the dormant tier (compiler/dormant.ts) checks a profile with it before kos's core loads, and the
 * core takes the same instance.
 */
import { KosError } from "../errors.js";
import type { ArgumentFeedback } from "./profile-format.js";

/** One hot function in a profile. */
export interface HotEntry {
  /** Function name as V8 reports it ("" for anonymous functions). */
  name: string;
  /** File path (or URL for non-file scripts such as `node:internal/...`). */
  file: string;
  /** 1-based line and column of V8's function position (the parameter list). */
  line: number;
  column: number;
  /** Share of busy samples with this function on top of the stack. */
  selfPercent: number;
  /** Share of busy samples with this function anywhere on the stack. */
  totalPercent: number;
  selfSamples: number;
  totalSamples: number;
  /** sha256 hex of the function's source text, as `fn.toString()` returns it. */
  sourceHash?: string;
  /** {@link sourceKey} of the same text: what a run matches its functions by, without node:crypto. */
  sourceKey?: string;
  /** Calls counted by kos's tier-0 wrapper, when the program used `jit()`. */
  calls?: number;
  /**
   * Not in the file: the CPU ms its samples stand for (`totalSamples` times the run's ms per
   * sample), set by {@link loadProfile} on the entries a lookup returns.
   */
  runMs?: number;
  /**
   * `calls` is a lower bound: the program dropped the function before it exited, and its count is
   * that of kos's last summary of it (`≥N` in `kos profile`'s table).
   */
  callsAtLeast?: boolean;
  /** Guard failures counted by kos's tiering. */
  deopts?: number;
  /** Arguments the wrapper saw to be stable (constant, one type or one shape). */
  stableArgs?: ArgumentFeedback[];
  /** The tier kos's tiering left the function at (0 counting or generic, 1 compiled). */
  tier?: number;
  /** Why the wrapped function runs as the original, when it does. */
  fallbackReason?: string | null;
  /** Milliseconds kos spent compiling the function in the profiled run. */
  compileMs?: number;
  /** CPU milliseconds of the process (all threads) while kos compiled it in the profiled run. */
  compileCpuMs?: number;
  /** What the profiled run's cost model predicted a compile would cost in CPU ms, when it never compiled the function. */
  predictedCompileCpuMs?: number;
  /** Mean µs per call of the original before kos compiled it (the tiering's samples). */
  tier0UsPerCall?: number;
  /** What the first version the profiled run made saved a call, in µs, timed against the original (FunctionFeedback.savedUsPerCall). */
  savedUsPerCall?: number;
  /** The calls made when the profiled run compiled that version. */
  callsAtCompile?: number;
  /**
   * What `KOS_PROFILE` decides for the function at `jit()` when this file is the only profile, where
   * that is to settle it on the original: the reason, as the core would give it. Written by `kos
   * profile` (profile-verdicts.ts) under the profile's `verdictModel`, on the entries the core's
   * lookup acts on, so that the dormant tier settles these functions without loading the core.
   */
  settle?: string;
}

/** The whole `kos-profile.json` file. */
export interface KosProfile {
  version: 1;
  /** The profiled command, as argv. */
  command: string[];
  /** ISO 8601 start time. */
  date: string;
  durationMs: number;
  /** Busy samples (idle excluded) the percentages are shares of. */
  totalSamples: number;
  /** What produced the samples: 0x (one isolate) or `node --cpu-prof` (every thread). */
  source: "0x" | "cpu-prof";
  /** Path of flamegraph.html, or null when none was produced (cpu-prof fallback). */
  flamegraph: string | null;
  /** Hot functions ranked by self samples. */
  hot: HotEntry[];
  /**
   * The model of KOS_PROFILE's decisions the entries' `settle` verdicts were computed under
   * (recorded-verdicts.ts, VERDICT_MODEL): a kos with another model ignores them and decides anew.
   */
  verdictModel?: number;
}

const bad = (path: string, why: string) => new KosError("KOS_PROFILE_INVALID", `${path}: not a valid kos-profile.json: ${why}`);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

const STABILITIES = new Set(["constant", "type", "shape", "varies"]);

/**
 * Checks a parsed value against the version-1 schema.
 * @throws KosError `KOS_PROFILE_VERSION` for another version, `KOS_PROFILE_INVALID` for a wrong shape
 */
export function validateProfile(value: unknown, path = "kos-profile.json"): KosProfile {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw bad(path, "expected a JSON object");
  const p = value as Record<string, unknown>;
  if (p.version !== 1) {
    throw new KosError("KOS_PROFILE_VERSION", `${path}: kos-profile.json version ${JSON.stringify(p.version)} is not supported (this kos reads version 1)`);
  }
  if (!Array.isArray(p.command) || !p.command.every((c) => typeof c === "string")) throw bad(path, "`command` must be an array of strings");
  if (typeof p.date !== "string") throw bad(path, "`date` must be a string");
  if (!isNum(p.durationMs) || !isNum(p.totalSamples)) throw bad(path, "`durationMs` and `totalSamples` must be numbers");
  if (p.source !== "0x" && p.source !== "cpu-prof") throw bad(path, "`source` must be \"0x\" or \"cpu-prof\"");
  if (p.flamegraph !== null && typeof p.flamegraph !== "string") throw bad(path, "`flamegraph` must be a path or null");
  if (!Array.isArray(p.hot)) throw bad(path, "`hot` must be an array");
  if (p.verdictModel !== undefined && !isNum(p.verdictModel)) throw bad(path, "`verdictModel` must be a number");
  p.hot.forEach((e: unknown, i: number) => {
    const h = e as Record<string, unknown>;
    const where = `hot[${i}]`;
    if (!h || typeof h !== "object") throw bad(path, `${where} must be an object`);
    if (typeof h.name !== "string" || typeof h.file !== "string") throw bad(path, `${where}: name and file must be strings`);
    for (const k of ["line", "column", "selfPercent", "totalPercent", "selfSamples", "totalSamples"]) {
      if (!isNum(h[k])) throw bad(path, `${where}.${k} must be a number`);
    }
    if (h.sourceHash !== undefined && (typeof h.sourceHash !== "string" || !/^[0-9a-f]{64}$/.test(h.sourceHash))) {
      throw bad(path, `${where}.sourceHash must be 64 hex digits`);
    }
    if (h.sourceKey !== undefined && (typeof h.sourceKey !== "string" || !/^[0-9a-f]{16}$/.test(h.sourceKey))) {
      throw bad(path, `${where}.sourceKey must be 16 hex digits`);
    }
    for (const k of ["calls", "compileMs", "compileCpuMs", "predictedCompileCpuMs", "tier0UsPerCall", "savedUsPerCall", "callsAtCompile"]) if (h[k] !== undefined && !isNum(h[k])) throw bad(path, `${where}.${k} must be a number`);
    if (h.settle !== undefined && typeof h.settle !== "string") throw bad(path, `${where}.settle must be a string`);
    if (h.callsAtLeast !== undefined && typeof h.callsAtLeast !== "boolean") throw bad(path, `${where}.callsAtLeast must be a boolean`);
    if (h.stableArgs !== undefined && !Array.isArray(h.stableArgs)) throw bad(path, `${where}.stableArgs must be an array`);
    // Each entry as the tiering reads it: a null entry passed here and made `jit()` throw a
    // TypeError into the program (sweep35 repro-12).
    (h.stableArgs as unknown[] | undefined)?.forEach((a: unknown, j: number) => {
      const arg = a as Record<string, unknown> | null;
      const at = `${where}.stableArgs[${j}]`;
      if (!arg || typeof arg !== "object" || Array.isArray(arg)) throw bad(path, `${at} must be an object`);
      if (!Number.isInteger(arg.index) || (arg.index as number) < -1) throw bad(path, `${at}.index must be an integer ≥ -1`);
      if (typeof arg.name !== "string") throw bad(path, `${at}.name must be a string`);
      if (!STABILITIES.has(arg.stability as string)) throw bad(path, `${at}.stability must be one of ${[...STABILITIES].join(", ")}`);
      if (arg.type !== undefined && typeof arg.type !== "string") throw bad(path, `${at}.type must be a string`);
    });
  });
  return value as KosProfile;
}

/**
 * An entry of a function the profiled run settled on the original (too short to gain, no constant
 * argument, slower compiled, a compile that failed): a fallback reason, and no tier reached.
 */
export function settledInProfile(e: { tier?: number; fallbackReason?: string | null }): boolean {
  return !!e.fallbackReason && !e.tier;
}

/**
 * An entry `KOS_PROFILE` acts on at `jit()`: one with stable arguments, or one the profiled run
 * settled on the original (the others leave the function to tiering, as if it had no entry).
 */
export function tieringActsOn(e: { stableArgs?: unknown[]; tier?: number; fallbackReason?: string | null }): boolean {
  return !!e.stableArgs?.length || settledInProfile(e);
}
