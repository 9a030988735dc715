/**
 * `kos-profile.json`: what `kos profile` writes and what a later run reads
 * back (`KOS_PROFILE=path` or {@link loadProfile}) to compile the named hot
 * functions at first call. Live functions are matched to entries by
 * {@link sourceHash} of `fn.toString()`, which survives restarts and file
 * moves but not edits to the function.
 */
import { dirname } from "node:path";
import { KosError } from "../errors.js";
import type { ArgumentFeedback } from "./profile-format.js";
import { mergeProfiles, splitProfileList } from "./profile-merge.js";

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
}

/** sha256 hex of a function's exact source text (what `fn.toString()` returns). */
export function sourceHash(text: string): string {
  // node:crypto loads on the first hash, not with this module: with the streams it pulls in, it was
  // about 40 of node's internal modules and 3-5 ms of CPU on the first `jit(fn)` of every process
  // (the tiering imports this module), which most never hash anything in.
  const { createHash } = process.getBuiltinModule("node:crypto");
  return createHash("sha256").update(text).digest("hex");
}

/**
 * A cheap 64-bit hash of a function's source text (two 32-bit lanes, FNV-1a and a multiply-xorshift),
 * 16 hex digits. `KOS_PROFILE` matches live functions by it: hashing with sha256 first loaded
 * node:crypto, 3.8 ms of CPU of the first `jit(fn)` of every run with a profile (of 9 ms; /tmp
 * probe, Node 20.20.2), where the rules program's work is 400 ms. It is no security boundary: a
 * profile only chooses what to speculate on, and every speculation is guarded.
 */
export function sourceKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
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
    for (const k of ["calls", "compileMs", "compileCpuMs", "predictedCompileCpuMs", "tier0UsPerCall"]) if (h[k] !== undefined && !isNum(h[k])) throw bad(path, `${where}.${k} must be a number`);
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
 * Reads and validates a `kos-profile.json`.
 * @throws KosError `KOS_PROFILE_READ` (cannot read), `KOS_PROFILE_JSON` (not JSON),
 *   `KOS_PROFILE_VERSION`, `KOS_PROFILE_INVALID`
 */
export function readProfile(path: string): KosProfile {
  let text: string;
  try {
    text = process.getBuiltinModule("node:fs").readFileSync(path, "utf8");
  } catch (err) {
    throw new KosError("KOS_PROFILE_READ", `cannot read profile ${path}: ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new KosError("KOS_PROFILE_JSON", `${path} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return validateProfile(value, path);
}

/** Validates and writes a profile as pretty JSON, creating the directory. */
export function writeProfile(path: string, profile: KosProfile): void {
  validateProfile(profile, path);
  // node:fs through process.getBuiltinModule, not an ES import: importing node:fs's ES module evaluates
  // every export, streams included (19 internal modules, about 1 ms of CPU on the first `jit(fn)`).
  const fs = process.getBuiltinModule("node:fs");
  fs.mkdirSync(dirname(path), { recursive: true });
  fs.writeFileSync(path, JSON.stringify(profile, null, 2) + "\n");
}

/** A profile ready for matching live functions. */
export interface LoadedProfile {
  /** The file, or the files merged, comma-separated. */
  path: string;
  profile: KosProfile;
  /** Hot entries, ranked as in the file. */
  entries: HotEntry[];
  /**
   * The entry for `fn` (by sourceKey, else sourceHash, of `fn.toString()`), or undefined. Cached per
   * function. With `stableOnly`, only an entry KOS_PROFILE acts on: one with stable arguments, or
   * one the profiled run settled on the original ({@link settledInProfile}).
   */
  lookup(fn: Function, options?: { stableOnly?: boolean }): HotEntry | undefined;
}

/**
 * Loads a `kos-profile.json` for matching, or several merged into one (a
 * list, or one string of paths separated by commas or the OS path
 * delimiter: fleet profiles). Synchronous so the tiering can call
 * it at a function's first call. When two entries share a hash (the same
 * source text at two places), the hotter one wins.
 * @throws the codes of {@link readProfile}
 */
export function loadProfile(path: string | string[]): LoadedProfile {
  const paths = splitProfileList(path);
  if (paths.length === 0) throw new KosError("KOS_PROFILE_READ", "no profile path given");
  const profile = mergeProfiles(paths.map((p) => readProfile(p)));
  path = paths.join(",");
  const byHash = new Map<string, HotEntry>();
  const byKey = new Map<string, HotEntry>();
  const msPerSample = profile.totalSamples > 0 ? profile.durationMs / profile.totalSamples : undefined;
  for (const hot of profile.hot) {
    const e = msPerSample !== undefined && typeof hot.totalSamples === "number" ? { ...hot, runMs: hot.totalSamples * msPerSample } : hot;
    if (e.sourceHash && !byHash.has(e.sourceHash)) byHash.set(e.sourceHash, e);
    if (e.sourceKey && !byKey.has(e.sourceKey)) byKey.set(e.sourceKey, e);
  }
  // Entries with a key are matched by it; the others (sampled functions kos never wrapped, and
  // profiles written before keys existed) by sha256, computed only when such an entry could match.
  const keyedOnly = profile.hot.every((e) => !e.sourceHash || e.sourceKey);
  const stableKeyed = profile.hot.every((e) => !(e.stableArgs?.length || settledInProfile(e)) || !e.sourceHash || e.sourceKey);
  const find = (text: string, stableOnly: boolean): HotEntry | null => {
    const keyed = byKey.size === 0 ? undefined : byKey.get(sourceKey(text));
    if (keyed || keyedOnly || (stableOnly && stableKeyed)) return keyed ?? null;
    return byHash.size === 0 ? null : (byHash.get(sourceHash(text)) ?? null);
  };
  const cache = new WeakMap<Function, HotEntry | null>();
  const stableCache = new WeakMap<Function, HotEntry | null>();
  return {
    path,
    profile,
    entries: profile.hot,
    lookup(fn: Function, options?: { stableOnly?: boolean }): HotEntry | undefined {
      const stableOnly = options?.stableOnly === true;
      const c = stableOnly ? stableCache : cache;
      let hit = c.get(fn);
      if (hit === undefined) {
        hit = find(Function.prototype.toString.call(fn), stableOnly);
        if (stableOnly && hit && !hit.stableArgs?.length && !settledInProfile(hit)) hit = null;
        c.set(fn, hit);
      }
      return hit ?? undefined;
    },
  };
}

/**
 * An entry of a function the profiled run settled on the original (too short to gain, no constant
 * argument, slower compiled, a compile that failed): a fallback reason, and no tier reached.
 */
export function settledInProfile(e: { tier?: number; fallbackReason?: string | null }): boolean {
  return !!e.fallbackReason && !e.tier;
}

let envProfile: { path: string; loaded: LoadedProfile } | undefined;

/**
 * The profile entry for a live function. With no `profile` argument, uses the
 * file (or merged list of files) named by env `KOS_PROFILE` (loaded once); returns undefined when that
 * is unset.
 * @throws the codes of {@link readProfile} when `KOS_PROFILE` names a bad file
 */
export function findProfiledFunction(fn: Function, profile?: LoadedProfile, options?: { stableOnly?: boolean }): HotEntry | undefined {
  if (profile) return profile.lookup(fn, options);
  const path = process.env.KOS_PROFILE;
  if (!path) return undefined;
  if (!envProfile || envProfile.path !== path) envProfile = { path, loaded: loadProfile(path) };
  return envProfile.loaded.lookup(fn, options);
}
