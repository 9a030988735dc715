/**
 * Public types of the compiler. The profiler and `kos build` program against
 * these; nothing here depends on how the passes are implemented.
 */

/** A type the caller (or the profiler) promises a parameter has. Guarded at every call. */
export type TypeAssumption =
  | "number"
  | "string"
  | "boolean"
  | "bigint"
  | "undefined"
  | "function"
  | "array"
  | "object"
  | `typedarray:${"Int8Array" | "Uint8Array" | "Uint8ClampedArray" | "Int16Array" | "Uint16Array" | "Int32Array" | "Uint32Array" | "Float32Array" | "Float64Array" | "BigInt64Array" | "BigUint64Array"}`;

/**
 * How a specialized object is kept from drifting away from code compiled for it.
 * - `guard` (default): never change the object; fold reads from it and guard
 *   what was folded, at entry and again after anything that may run foreign code.
 * - `deep`: deep-freeze it at jit time (the caller asks to), then fold reads from it.
 * - `require-frozen`: fold reads only from objects the caller already deep-froze;
 *   anything else is guarded by identity and read at run time.
 * - `reference`: never fold reads from objects; guard by identity only.
 * Small typed arrays (which cannot be frozen) are guarded by content instead.
 */
export type FreezePolicy = "deep" | "require-frozen" | "reference" | "guard";

export interface JitOptions {
  /**
   * Parameters whose values are known: `{ n: 4 }`. Guarded by `===` (exact for -0 and NaN) or identity.
   * A key may also be an argument's position (`{ 0: schema }`): a named parameter's, one that falls
   * in a rest parameter (`Check(...args)`), or one past the formals of a function that only reads
   * `arguments.length` and `arguments[k]` (Babel's default-parameter lowering, which also makes the
   * name it declares, `var tpl = arguments.length > 0 && … ? arguments[0] : {}`, mean position 0).
   * Those need the argument count: `argumentCount`, or without it the first call's.
   */
  specialize?: Record<string, unknown>;
  /**
   * The number of arguments, guarded (`args.length` of the rest parameter, or `arguments.length`): with
   * it, a rest parameter is an array kos knows the length of, and `arguments` of a function that only
   * reads it has a known length; positions given in `specialize` are known values.
   */
  argumentCount?: number;
  /** Parameter types to speculate on; each adds a `typeof`/`instanceof` guard. */
  assume?: Record<string, TypeAssumption>;
  /** Values of free variables the function closes over, by name. */
  scope?: Record<string, unknown>;
  /** Throw a JitError instead of falling back to the original. */
  strict?: boolean;
  /** Allow reassociating floating-point reductions (changes rounding). */
  fastmath?: boolean;
  /** See FreezePolicy. */
  freeze?: FreezePolicy;
  /** Name used in `kos://<name>.js`; defaults to the function's name. */
  name?: string;
  /** Pass names to switch off, like LLVM's -disable-<pass>. */
  disablePasses?: string[];
  /** Keep the source after every pass (for inspect). */
  tracePasses?: boolean;
  /** Maximum number of AST nodes an unrolled loop may produce. */
  unrollBudget?: number;
  /**
   * Milliseconds (wall clock) one compile may take (default 5000). Past it the
   * specialization stops and the function runs as the original, with the reason.
   */
  maxCompileMs?: number;
  /**
   * Syntax nodes above which a specialized function is split into several
   * (its largest self-contained runs move into functions of their own).
   * Default 12,000, about what V8 still optimizes; a smaller value splits
   * more (tests use it to exercise the split on small programs).
   */
  outlineLimit?: number;
  /**
   * Keep compiled code in an on-disk cache (like Numba's `cache=True`), keyed by
   * the function source, the specialized values, the kos version and these
   * options. Default off; env `KOS_CACHE=1` turns it on everywhere. The
   * directory is `node_modules/.cache/kos` unless env `KOS_CACHE_DIR` names one.
   */
  cache?: boolean;
}

/** One guard the compiled code checks before running its fast path. */
export interface Assumption {
  param: string;
  /** `arity`: the call passes every parameter the code reads (`arguments.length >= k`); see `jit`'s docs. */
  kind: "value" | "identity" | "type" | "content" | "arity";
  /** Human-readable description, e.g. `n === 4`. */
  description: string;
  /**
   * A content guard on a cache the function fills itself: a lookup folded as a miss whose key the
   * code then stores fails on the next call, so `jit` specializes again at the first such miss,
   * on what the cache holds then.
   */
  fillsCache?: boolean;
}

export interface PassSnapshot {
  pass: string;
  source: string;
}

/** What `inspect(f)` returns. */
export interface JitInspection {
  /** 0 = original behind a counter, 1 = specialized, 'fallback' = original (see fallbackReason). */
  tier: 0 | 1 | "fallback";
  name: string;
  source: string | null;
  passes: PassSnapshot[] | null;
  assumptions: Assumption[];
  fallbackReason: string | null;
  calls: number;
  deopts: number;
  compileTimeMs: number;
  /** CPU ms of the whole process while tiering compiled (V8's threads that optimize the compiler's code included); 0 for explicit `specialize`, which does not measure it. */
  compileCpuMs: number;
  /** Tier history and deopt reasons, filled by the profiler's tiering. */
  history: Array<{ at: number; event: string; detail?: string }>;
  /** The live compiled versions, in guard-chain order (up to 4 with tiering). */
  versions?: Array<{ assumptions: Assumption[]; calls: number; deopts: number; source: string | null }>;
}

/** Result of compiling one specialized version, used by the profiler and kos build. */
export interface CompiledVersion {
  ok: boolean;
  /**
   * The specialized function. It checks its own guards at entry and, when one
   * fails, calls `onDeopt(reason)` and returns `Reflect.apply(generic, this, arguments)`.
   */
  fn: Function | null;
  source: string | null;
  passes: PassSnapshot[] | null;
  assumptions: Assumption[];
  fallbackReason: string | null;
  compileTimeMs: number;
}

/** Options of `specializeToSource`, the compiler entry `kos build` uses. */
export interface SourceOptions extends JitOptions {
  /**
   * Called for every non-primitive value the generated code needs. Return a JS
   * expression that reaches the value in the output module (e.g. `SCHEMA.properties.name`),
   * or null to receive it in `references` instead.
   */
  referenceExpression?: (value: unknown) => string | null;
  /**
   * Whether `referenceExpression` reaches kos's own helpers (compiler/typed-array-checks.ts
   * `KOS_HELPERS`), which some rewrites call in their guards. Default: true without
   * `referenceExpression`, false with it (`kos build`'s output reaches only its module's values).
   */
  kosHelpers?: boolean;
  /** Parameters whose type assumption is trusted (e.g. from TypeScript types): no guard is emitted. */
  trustAssumptions?: string[];
  /**
   * For `kos build` only, which places the compiled method inside the body of its class, where
   * `#names` resolve: the root method's private member reads, writes, updates and `#x in o` stay
   * residual as written (calls of private methods, optional chains and destructuring targets with
   * private names still refuse). Runtime `jit` never sets it: its code is outside any class.
   */
  privateNames?: boolean;
  /**
   * For `kos build`, which sees where a method is written: the function runs in strict mode (a
   * class body, an ES module). A method's text alone does not tell its mode, so without this a
   * method that reads `this` is guarded to an object receiver (parse.ts, strictAssumed).
   */
  strictKnown?: boolean;
  /**
   * Set by `jit()` for its first compile of an explicit specialization, made before any call. A
   * read folded as absent whose key the code itself then stores (a cache it fills, a field made
   * lazily) is kept, and the version is marked `fillsCache`: `jit` specializes again, on the
   * filled object, at its first miss. Otherwise such a compile runs again without absent folds.
   */
  beforeFirstCall?: boolean;
  /**
   * For `kos build`: under `freeze: "deep"`, fold only objects that are frozen, and read the others
   * at run time. Runtime `jit` folds those behind content guards, which name objects a built
   * module cannot reach.
   */
  frozenOnly?: boolean;
  /**
   * Set by `jit()` for its first compile of an explicit specialization: a call that passes fewer
   * arguments than the parameters the code reads fails a first guard, which reports its argument
   * count (compiler/arity-dispatch.ts), so that `jit` can specialize such calls with those
   * parameters undefined.
   */
  arityDispatch?: boolean;
  /**
   * Set by `jit()` for an explicit specialization outside a profiling run: a version too small for
   * the gain check's route counts no calls (`inspect(f).calls` stays 0). The counter cost horner
   * 0.6 ns of its 2.4 ns a call (jit/hand 0.83-0.87× with it, 0.99-1.11× without), and the
   * validator fixture's version (with a loop) 2 ns of 57 (compiler/assemble.ts).
   */
  uncounted?: boolean;
  /**
   * Set by runtime `jit()` and the tiering: the generic branch of each speculation fork calls the
   * version's deopt hook with no argument (specialize/speculation.ts), which counts those misses and
   * specializes again where they keep coming (compiler/fork-misses.ts). Such a version is routed
   * (assemble.ts), so that its entry can be pointed at the next one.
   */
  forkMisses?: boolean;
}

/** A specialized function as source text, with the free names it expects. */
export interface SpecializedSource {
  ok: boolean;
  /** The code read more than the text and the given values (assemble.ts, BuildResult.outsideKey): not for the compile cache. */
  outsideKey?: boolean;
  fallbackReason: string | null;
  assumptions: Assumption[];
  passes: PassSnapshot[] | null;
  /** A function expression: `function name(params) { guards; body }`. */
  source: string | null;
  /** Free identifier the source calls on guard failure: `Reflect.apply(genericName, this, arguments)`. */
  genericName: string;
  /** Free identifier called with a reason string on guard failure. */
  deoptName: string;
  /**
   * Other free identifiers the source needs, with their values. Where the value is a helper of
   * kos's own (the engine's error messages), `source` is a self-contained expression for it, for
   * output that cannot reach kos at run time.
   */
  references: Array<{ name: string; value: unknown; source?: string }>;
}
