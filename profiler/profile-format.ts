/**
 * The feedback dump format shared by the in-process tiering (writer) and
 * `kos profile` (reader). Dependency-free on purpose: the tiering imports it
 * and must not pull in the profiler's file or CLI code.
 *
 * When env `KOS_FEEDBACK_OUT=<path>` is set, the tiering writes a
 * {@link FeedbackDump} there at process exit; `kos profile` merges it into
 * `kos-profile.json` by `sourceHash` (which it computes itself for functions
 * that carry their `source`, under `KOS_FEEDBACK_UNHASHED=1`).
 */

/**
 * A JSON-safe encoding of a primitive argument value. Plain JSON covers
 * strings, finite numbers, booleans and null; the `$kos` forms cover the
 * primitives JSON cannot carry exactly (`undefined`, `NaN`, the infinities,
 * negative zero and bigints).
 */
export type EncodedValue =
  | string
  | number
  | boolean
  | null
  | { $kos: "undefined" | "NaN" | "Infinity" | "-Infinity" | "-0" }
  | { $kos: "bigint"; value: string };

/** What the tier-0 wrapper learned about one argument position. */
export interface ArgumentFeedback {
  /** Zero-based argument position; -1 for the receiver (`this`). */
  index: number;
  /** Parameter name from the source, or `arg<index>` when there is none. */
  name: string;
  /**
   * `constant`: always the same primitive (see `value`);
   * `type`: always one type (see `type`); `shape`: always one object shape;
   * `varies`: nothing stable.
   */
  stability: "constant" | "type" | "shape" | "varies";
  /** The constant value, when `stability` is `constant`. */
  value?: EncodedValue;
  /** The observed type name (e.g. `number`, `string`, `Float64Array`), when stable. */
  type?: string;
}

/** Counters and argument profile for one function wrapped by `jit()`. */
export interface FunctionFeedback {
  name: string;
  /** sha256 hex of `fn.toString()`: the join key with sampled profiles. */
  sourceHash: string;
  /** The cheap hash of the same text (profile-file.ts sourceKey), carried into the profile. */
  sourceKey?: string;
  calls: number;
  deopts: number;
  /**
   * The program dropped the function before exit: its counters are those of its last summary (at
   * the policy's last observation, or its last change of tier), so `calls` is a lower bound.
   */
  collected?: boolean;
  /** The tier the function ended at (0 = counting or generic, 1 = compiled). */
  tier: number;
  /** Live compiled versions at the end of the run. */
  versions?: number;
  /** Why the function runs as the original, when it does (code first, e.g. `USES_THIS: ... (line 3)`). */
  fallbackReason?: string | null;
  args: ArgumentFeedback[];
  /** The receiver's profile (index -1, name `this`), for functions that mention `this`. */
  receiver?: ArgumentFeedback;
  /** Milliseconds spent compiling the function's versions (absent when it never compiled). */
  compileMs?: number;
  /**
   * CPU milliseconds the process used while kos compiled them (every thread: V8 optimizes
   * the compiler's own code and collects its garbage on other threads, which made a cold
   * compile cost 1.8x its wall time in CPU: json-logic 247 ms wall, 446 ms CPU).
   */
  compileCpuMs?: number;
  /**
   * When the run never compiled the function (its compile did not pay within the run): the
   * CPU milliseconds the tiering's cost model predicted for a compile, the compiler's load
   * excluded. KOS_PROFILE decides on it as on a measured cost.
   */
  predictedCompileCpuMs?: number;
  /** Mean time per call, in µs, of the original before the first tier-up (sampled; absent when never sampled). */
  tier0UsPerCall?: number;
  /**
   * What its first version saved a call, in µs: the original's median call less the version's, timed
   * interleaved at the function's entry in the same window (verify-gain.ts; negative: slower). Only a
   * profiling run times it, for every first version it makes (absent where it made none).
   */
  savedUsPerCall?: number;
  /** The calls the function had made when its first version was compiled (with savedUsPerCall). */
  callsAtCompile?: number;
  /**
   * The share of its time a version is bet to save, from its source (CompileCostModel.estimate):
   * what `kos profile` needs, without the source, to record KOS_PROFILE's verdict (profile-verdicts.ts).
   */
  savedShare?: number;
  /**
   * In the file a process writes at its exit only, when `KOS_FEEDBACK_UNHASHED=1` says the reader
   * hashes (`kos profile` sets it): the function's text, where it left `sourceHash` empty for the
   * reader to compute (feedback-merge.ts hashSources). Hashing there loaded node:crypto, 2.4-3.7 ms
   * of the profiled program's exit, before node writes its profile.
   */
  source?: string;
}

/** The whole file written to `KOS_FEEDBACK_OUT`. */
export interface FeedbackDump {
  version: 1;
  pid: number;
  functions: FunctionFeedback[];
}

/**
 * Encodes a primitive for JSON. Returns `undefined` for values that cannot be
 * encoded (objects, functions, symbols), so callers can skip them.
 */
export function encodeValue(v: unknown): EncodedValue | undefined {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "undefined":
      return { $kos: "undefined" };
    case "bigint":
      return { $kos: "bigint", value: v.toString() };
    case "number":
      if (Number.isNaN(v)) return { $kos: "NaN" };
      if (v === Infinity) return { $kos: "Infinity" };
      if (v === -Infinity) return { $kos: "-Infinity" };
      if (Object.is(v, -0)) return { $kos: "-0" };
      return v;
    case "object":
      return v === null ? null : undefined;
    default:
      return undefined;
  }
}

/** Inverse of {@link encodeValue}. Unknown `$kos` tags decode to `undefined`. */
export function decodeValue(e: EncodedValue): unknown {
  if (e === null || typeof e !== "object") return e;
  switch (e.$kos) {
    case "undefined":
      return undefined;
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
    case "bigint":
      return BigInt((e as { value: string }).value);
    default:
      return undefined;
  }
}
