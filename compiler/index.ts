/**
 * The compiler's entry points.
 * - `jit(fn, { specialize })`: a specialized version with guards, or the original behind a counter.
 * - `compileVersion(fn, options)`: one guarded version, for the profiler's tiering.
 * - `specializeToSource(fn, options)`: the same as source text, for `kos build` (no `new Function`).
 * - `inspect(f)`: what kos did with `f`.
 */
import { monotonicMs, wallClockMs } from "../intrinsic-clocks.js";
import { JitError } from "./jit-error.js";
import { buildSpecialized } from "./compile.js";
import { codegenAllowed, instantiate, shapeLike } from "./instantiate.js";
import { checkGain, type Route } from "./gain-check.js";
import { ENTRY_TIMING, EXPLICIT_COLD_GATE, timeAtEntry } from "./entry-gain-check.js";
import { CallClock } from "./call-clock.js";
import { compileCached } from "./cache.js";
import { Dispatcher, disabledReason, inspectRegistered, isJitDisabled, registerInspectable, settleOriginal, trace, type Version } from "./dispatcher.js";
import { restPositionsForNames } from "./rest-forwarding.js";
import { positionsNeedingCount } from "./first-call-positions.js";
export { highestArgumentRead, readsArgumentsOnly } from "./arguments-reads.js";
import { precheck } from "./precheck.js";
import { omittedParameters, type ArityDispatch } from "./arity-dispatch.js";
import { standaloneHelperSource } from "./error-helpers.js";
import { quoteJsonString, QUOTE_JSON_STRING_SOURCE } from "./json-quote.js";
import type { CompiledVersion, JitInspection, JitOptions, SourceOptions, SpecializedSource } from "./types.js";
import { jitName } from "./jit-options.js";
import { FORK_MISS, forkMissCounter, MAX_FORK_RESPECIALIZATIONS } from "./fork-misses.js";

export type * from "./types.js";
export { JitError } from "./jit-error.js";
export type { JitErrorCode } from "./jit-error.js";
export { registerInspectable, Dispatcher, trace } from "./dispatcher.js";
export type { Version, EntryHooks } from "./dispatcher.js";
export { precheck } from "./precheck.js";
export type { Precheck } from "./precheck.js";

export { isJitDisabled, settleAtJitTime } from "./dispatcher.js";
export { PASS_NAMES } from "./pipeline.js";
export { unbind, boundOptions } from "./bound.js";
export { parameterNames } from "./parameters.js";
export { closureInputs } from "./closure-inputs.js";


function sanitizeName(name: string): string {
  return (name || "anonymous").replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
}

function reasonOf(e: unknown): string {
  if (e instanceof JitError) return `${e.code}: ${e.message}`;
  // Inlining and speculation recurse with the program's call tree (sweep: elliptic's ec.sign).
  if (e instanceof RangeError && /call stack/i.test(e.message)) return "UNSUPPORTED: the calls it would specialize nest too deeply for the compiler (its stack ran out); it runs as the original";
  return `INTERNAL: ${(e as Error)?.message ?? String(e)}`;
}

/**
 * Compiles one guarded version of `fn`. Never throws for unsupported code
 * (unless `options.strict`): `ok: false` and `fallbackReason` say why.
 * On a failed guard the version calls `onDeopt(guardIndex)` and runs `fn`.
 */
export function compileVersion(fn: Function, options: JitOptions = {}, onDeopt: (guard: number, argumentCount?: number) => void = () => {}, generic: Function = fn): CompiledVersion & { calls: () => number; uncounted?: true; setGeneric?: (f: Function) => void; setRoute?: (route: Route | null) => void; timedAtEntry?: true; arity?: ArityDispatch; setArity?: (f: Function) => void } {
  const started = monotonicMs();
  const fail = (reason: string): CompiledVersion & { calls: () => number } => ({
    ok: false, fn: null, source: null, passes: null, assumptions: [], fallbackReason: reason, compileTimeMs: monotonicMs() - started, calls: () => 0,
  });
  if (isJitDisabled()) return fail(disabledReason());
  if ((options.cache ?? process.env.KOS_CACHE === "1") && !options.tracePasses) {
    try {
      // The cached form returns [main, () => calls], like the runtime form.
      const r = compileCached(fn, { ...options, cache: true, countCalls: true }, (f, o) => specializeSource(f, o, true), (g) => onDeopt(g as number));
      if (r.fn) {
        // Cached versions are not timed against the original: their entry does not say whether the
        // version tests a route (assemble.ts, `routed`).
        const [compiled, calls] = r.fn as unknown as [Function, () => number];
        shapeLike(compiled, fn);
        return { ok: true, fn: compiled, source: r.source, passes: null, assumptions: r.assumptions, fallbackReason: null, compileTimeMs: monotonicMs() - started, calls };
      }
      if (options.strict) throw new JitError("INTERNAL", r.fallbackReason ?? "compile failed");
      return fail(r.fallbackReason ?? "compile failed");
    } catch (e) {
      if (options.strict) throw e;
      return fail(reasonOf(e));
    }
  }
  try {
    const built = buildSpecialized(fn, options, true);
    if (!codegenAllowed) throw new JitError("CODEGEN_DISALLOWED", "code generation from strings is disallowed in this process (CSP or --disallow-code-generation-from-strings); use `kos build` for ahead-of-time output");
    const sourceUrl = `\n//# sourceURL=kos://${sanitizeName(jitName(fn, options))}.js`;
    const made = instantiate([built.genericName, built.deoptName, ...built.refNames], built.body + sourceUrl, [generic, onDeopt, ...built.refValues]) as [Function, () => number, ...Function[]];
    const [compiled, calls, setGeneric, ...setters] = made;
    const setRoute = built.routed ? (setters.shift() as (route: Route | null) => void) : undefined;
    const setArity = built.arity ? (setters.shift() as (f: Function) => void) : undefined;
    shapeLike(compiled, fn);
    return {
      ok: true, fn: compiled, source: built.body, passes: built.passes, assumptions: built.assumptions,
      fallbackReason: null, compileTimeMs: monotonicMs() - started, calls, setGeneric: setGeneric as (f: Function) => void, ...(setRoute ? { setRoute } : {}), ...(built.timedAtEntry ? { timedAtEntry: true as const } : {}), ...(built.counted ? {} : { uncounted: true as const }),
      ...(built.arity && setArity ? { arity: built.arity, setArity } : {}),
    };
  } catch (e) {
    if (options.strict) throw e instanceof JitError ? e : new JitError("INTERNAL", reasonOf(e), null, { cause: e });
    return fail(reasonOf(e));
  }
}

/**
 * Calls whose folded properties of unfrozen objects had changed before an explicit version is
 * specialized again on their new contents (once). A library that adds an operation after `jit()`
 * fails the content guard on every later call: each then ran the guard, then the original.
 */
const RESPECIALIZE_AFTER = 16;
/** What an explicit version's guard is (`guardKinds`): its arity, folded properties, a cache the function fills, or else. */
const OTHER_GUARD = 0;
const ARITY_GUARD = 1;
const CONTENT_GUARD = 2;
const CACHE_GUARD = 3;

/**
 * Specializes `fn` on the values in `options.specialize` (and `scope`). The
 * result has the same signature and observable behaviour; calls whose
 * arguments differ from the specialized values run the original and count as
 * deopts. Code kos cannot compile exactly is returned as the original itself
 * (nothing runs per call), with the reason in `inspect(f).fallbackReason`, or
 * a JitError with `strict: true`. With kos disabled (`KOS_JIT=0`), `strict`
 * never throws: disabled is not an error.
 */
export function specializeFunction<F extends Function>(fn: F, options: JitOptions = {}): F {
  const name = jitName(fn, options);
  const fallback = (reason: string, compileTimeMs = 0): F => {
    trace(`fallback ${name || "(anonymous)"}: ${reason}`);
    return settleOriginal(fn, name, reason, compileTimeMs);
  };
  if (isJitDisabled()) return fallback(disabledReason());
  const pre = precheck(fn);
  if (!pre.ok) {
    if (options.strict) throw new JitError(pre.code, pre.reason.slice(pre.code.length + 2));
    return fallback(pre.reason);
  }
  // `{ schema }` for `Check(...args)`: the rest position it names, compiled at the first call, whose
  // argument count the version then guards (compiler/rest-forwarding.ts); so too positions past the
  // parameters, and names a lowering reads from `arguments` (compiler/first-call-positions.ts).
  const byPosition = restPositionsForNames(fn, options) ?? positionsNeedingCount(fn, options);
  if (byPosition) return compileAtFirstCall(fn, name, { ...options, specialize: byPosition });
  let d: Dispatcher | null = null;
  // A failed guard runs `generic`: the original, until a second version replaces it (below). The
  // version holds it in a binding of its own (`setGeneric`, assemble.ts).
  let generic: Function = fn;
  const runOnMiss = (f: Function) => {
    generic = f;
    version.setGeneric?.(f);
  };
  // The compile cache instantiates its hits with the original as their generic: no second version there.
  const cached = (options.cache ?? process.env.KOS_CACHE === "1") && !options.tracePasses;
  // Outside a profiling run (KOS_FEEDBACK_OUT: `kos profile` shows every wrapped function's calls),
  // a small version counts no calls (SourceOptions.uncounted).
  const counted = !!process.env.KOS_FEEDBACK_OUT;
  let contentMisses = 0;
  // What each guard is, by index: the assumptions have several shapes, and reading `kind` and
  // `fillsCache` off them at each miss cost a miss 4.5 ns of its 7.9 (/tmp/miss2.mjs probe: an
  // identity guard that fails on every call of a 0.7 ns function).
  let guardKinds: Uint8Array | null = null;
  let arityMisses = 0;
  let contentRespecialized = false;
  let arityRespecialized = false;
  /** A second version, with `extra` specialized too; null when it does not compile. */
  /** A second version, with `extra` specialized too; null when it does not compile. `onGeneric`: its gain check found it slower. */
  const compileAgain = (extra: Record<string, undefined> | null, why: string, onGeneric?: () => void): Function | null => {
    let w: Version | null = null;
    const again = compileVersion(fn, { ...options, ...(extra ? { specialize: { ...options.specialize, ...extra } } : {}), ...(counted ? {} : { uncounted: true }) } as SourceOptions, (g) => {
      if (d && w) d.recordDeopt(w, g);
    });
    if (!again.ok || !again.fn) {
      d!.event("respecialize-failed", again.fallbackReason ?? "compile failed");
      return null;
    }
    w = { fn: again.fn, source: again.source, passes: again.passes, assumptions: again.assumptions, calls: again.calls, deopts: 0, compileTimeMs: again.compileTimeMs, ...(again.setRoute ? { setRoute: again.setRoute } : {}) };
    d!.addVersion(w);
    d!.event("respecialized", why);
    trace(`respecialized ${name || "(anonymous)"}: ${why}`);
    // Timed against the original like the first: sprintf-js's second version, on the parse its
    // cache held after the first call, was 115 KB and ran 0.93x the library, unchecked.
    if (again.setRoute) checkGain(d!, w, again.setRoute, undefined, onGeneric);
    return again.fn;
  };
  // Before any call: a cache the code fills on its first call is folded as it will be (see
  // beforeFirstCall), and calls that leave out parameters the code reads are told apart (arityDispatch).
  // Its speculation forks report their misses (forkMisses): see replaceHead.
  const first = cached ? options : { ...options, beforeFirstCall: true, arityDispatch: true, forkMisses: true, ...(counted ? {} : { uncounted: true }) } as SourceOptions;
  let forkVersions = 0;
  // The version the entry runs took its forks' generic branches on most calls of a window
  // (compiler/fork-misses.ts): what a fork folded changed after the compile, for good (a cache the
  // function filled after the first version was made). A version specialized on what the objects
  // hold now replaces it, its forks counted again, up to MAX_FORK_RESPECIALIZATIONS times. Only
  // while it is the one version: a second version (content or arity misses) is reached through it.
  const replaceHead = (head: Version, missed: number, of: number): void => {
    if (!d || d.versions.length !== 1 || d.versions[0] !== head || !head.setRoute || forkVersions >= MAX_FORK_RESPECIALIZATIONS) return;
    forkVersions++;
    let w: Version | null = null;
    let forkMiss: (() => void) | null = null;
    let made: ReturnType<typeof compileVersion>;
    try {
      made = compileVersion(fn, { ...options, forkMisses: true, ...(counted ? {} : { uncounted: true }) } as SourceOptions, (g) => {
        if (!d || !w) return;
        if (g === FORK_MISS) return forkMiss?.();
        d.recordDeopt(w, g);
      });
    } catch (e) {
      // `strict` throws from the compile: the program's call, under way, must not see it.
      made = { ok: false, fallbackReason: reasonOf(e) } as ReturnType<typeof compileVersion>;
    }
    if (!made.ok || !made.fn || !made.setRoute) {
      d.event("respecialize-failed", made.fallbackReason ?? "compile failed");
      return;
    }
    w = { fn: made.fn, source: made.source, passes: made.passes, assumptions: made.assumptions, calls: made.calls, deopts: 0, compileTimeMs: made.compileTimeMs, setRoute: made.setRoute };
    const replaced = w;
    forkMiss = forkMissCounter(replaced.calls, (m, n) => replaceHead(replaced, m, n));
    const why = `${missed} of its last ${of} calls took a speculation fork's generic branch (what it had folded changed): specialized again on what the objects hold now`;
    d.addVersion(w);
    d.dropFirstVersion("replaced by a version specialized on what its forks found");
    d.event("respecialized", why);
    trace(`respecialized ${name || "(anonymous)"}: ${why}`);
    checkGain(d, w, made.setRoute);
  };
  // A call that passed fewer arguments than the version reads.
  const arityMiss = (guard: number, argumentCount: number | undefined) => {
    // Once the version for shorter calls exists, the first version calls it without coming here.
    d!.recordDeopt(v, guard);
    if (arityRespecialized || !version.arity || !version.setArity || argumentCount === undefined) return;
    // The first such call runs the original: what it fills lazily (mustache parses the template
    // into its cache) is then there for the next version to fold. Compiled at this first call,
    // mustache's version read its cache at run time and ran 1.4x the library, against 2.5x.
    if (++arityMisses < 2) return;
    arityRespecialized = true;
    const omitted = omittedParameters(version.arity, argumentCount, options.specialize ?? {}, options.assume ?? {});
    const made = omitted && compileAgain(omitted, `a call passed ${argumentCount} argument${argumentCount === 1 ? "" : "s"}: a second version, with ${Object.keys(omitted).join(", ")} undefined`);
    if (made) version.setArity(made);
  };
  // The object it was specialized on changed for good (a library adds an operation, a cache fills):
  // after RESPECIALIZE_AFTER such misses, once, specialize on what it holds now, as a JIT
  // recompiles after deoptimizing. Until then, and for other guards, the original runs.
  // A cache the function fills itself (a Map lookup folded as a miss) holds the entry after its first call.
  const contentMiss = (kind: number) => {
    const after = kind === CACHE_GUARD ? 1 : RESPECIALIZE_AFTER;
    if (++contentMisses < after) return;
    contentRespecialized = true;
    const made = compileAgain(null, `after ${after} call${after === 1 ? "" : "s"} whose folded properties had changed: a second version, on what the objects hold now`, () => {
      // Slower than the original: the first version's misses call the original again, not its route.
      runOnMiss(fn);
    });
    if (made) runOnMiss(made);
  };
  // The miss path itself stays small, the rare work in the functions above: with it inline, a miss
  // cost 2 ns more (6.9 ns against 4.8, /tmp/miss2.mjs probe).
  let headForkMiss: (() => void) | null = null;
  const version = compileVersion(fn, first, (guard, argumentCount) => {
    if (!d || !v) return;
    if (guard === FORK_MISS) return headForkMiss?.();
    const kind = guardKinds![guard];
    if (kind === ARITY_GUARD) return arityMiss(guard, argumentCount);
    // A miss the second version takes is no deoptimization (and costs no bookkeeping per call).
    if (generic !== fn) return;
    d.recordDeopt(v, guard);
    if (kind >= CONTENT_GUARD && !cached && !contentRespecialized) contentMiss(kind);
  });
  if (!version.ok || !version.fn) return fallback(version.fallbackReason ?? "INTERNAL: compile failed", version.compileTimeMs);
  guardKinds = Uint8Array.from(version.assumptions, (a) => (a.kind === "arity" ? ARITY_GUARD : a.kind !== "content" ? OTHER_GUARD : a.fillsCache ? CACHE_GUARD : CONTENT_GUARD));
  const v: Version = { fn: version.fn, source: version.source, passes: version.passes, assumptions: version.assumptions, calls: version.calls, deopts: 0, compileTimeMs: version.compileTimeMs, ...(version.setRoute ? { setRoute: version.setRoute } : {}) };
  // A version the gain check times is reached through a tiering entry that runs it (entry-factory.ts):
  // once found slower, the entry calls the original itself, where the version's own route test and
  // forward stayed in front of it for good (mime's `getType` on `this`: 0.94x the library, perf14).
  // So is a smaller version that loops or calls out, timed at the entry (entry-gain-check.ts): the
  // entry costs a call nothing measurable once V8 inlines it (horner, 3 ns: .scratch/entrycost.mjs),
  // and slugify's 12 µs version ran 1.00x the library unchecked. A smaller version that runs
  // straight through is the function jit() returns, with nothing in front of it.
  d = version.setRoute || version.timedAtEntry
    ? Dispatcher.tiered(fn, {
        name,
        // An arity guard counts the arguments a call passed: its version needs them as they came.
        arity: version.arity ? -1 : pre.arity,
        exact: pre.exact || !!version.arity,
        // Unreached: the entry runs the version from the start (addVersion below).
        event: (self, args, nt) => (nt ? Reflect.construct(fn, args, nt) : Reflect.apply(fn, self, args)),
      }, fn)
    : Dispatcher.settled(fn, name, version.fn);
  d.addVersion(v);
  headForkMiss = forkMissCounter(v.calls, (m, n) => replaceHead(v, m, n));
  d.event("compiled", `tier 1, ${version.assumptions.length} guard(s)${version.uncounted ? "; calls not counted (a version too small for the gain check, outside a profiling run)" : ""}`);
  trace(`compiled ${name || "(anonymous)"}: ${version.assumptions.map((a) => a.description).join("; ") || "no guards"}`);
  if (version.setRoute) checkGain(d, v, version.setRoute);
  else if (version.timedAtEntry) timeAtEntry(d, v, new CallClock(), { ...ENTRY_TIMING, gateOnFirstWindow: true, coldGate: EXPLICIT_COLD_GATE });
  return d.entry as F;
}

/**
 * A function whose specialized values sit past its named parameters (a rest parameter, or
 * `arguments[k]`), compiled at its first call with
 * that call's argument count (the version guards it; other counts run the original). Until then
 * `inspect` shows tier 0; with `strict`, a failure to compile throws at that first call.
 */
function compileAtFirstCall<F extends Function>(fn: F, name: string, options: JitOptions): F {
  let inner: Function | null = null;
  // A tiering entry whose first call compiles; from then on it calls what that compile returned
  // (the version, or the original) as any settled entry does. A closure that applied \`inner\` to
  // its \`arguments\` cost 8 ns a call more than the version (gl-matrix's quat.fromEuler, 46 ns
  // against 38 ns, .scratch/euler2.mjs).
  const d = Dispatcher.tiered(fn, {
    name, arity: -1, exact: true,
    event: (thisArg, args, newTarget) => {
      if (inner === null) {
        inner = specializeFunction(fn, { ...options, argumentCount: args.length });
        d.runFrom(inner);
      }
      return newTarget ? Reflect.construct(inner, args, newTarget) : Reflect.apply(inner, thisArg, args);
    },
  }, fn);
  registerInspectable(d.entry, () => (inner ? inspectRegistered(inner) : null) ?? {
    tier: inner === fn ? "fallback" : 0, name, source: null, passes: null, assumptions: [], fallbackReason: null,
    calls: 0, deopts: 0, compileTimeMs: 0, compileCpuMs: 0,
    history: [{ at: wallClockMs(), event: "waiting", detail: "compiles at the first call, with its argument count (a specialized value is past the named parameters)" }],
  });
  return d.entry as F;
}

/** What kos did with a function returned by `jit`; null for functions kos did not make. */
export function inspect(f: Function): JitInspection | null {
  return inspectRegistered(f);
}

/** The specialized function as source text, for ahead-of-time builds (no `new Function`). */
export function specializeToSource(fn: Function, options: SourceOptions = {}): SpecializedSource {
  return specializeSource(fn, options, false);
}

function specializeSource(fn: Function, options: SourceOptions, countCalls: boolean): SpecializedSource {
  try {
    const built = buildSpecialized(fn, options, countCalls);
    return {
      ok: true, fallbackReason: null, assumptions: built.assumptions, passes: built.passes, source: built.expression,
      genericName: built.genericName, deoptName: built.deoptName,
      ...(built.outsideKey ? { outsideKey: true } : {}),
      references: built.refNames.map((name, i) => {
        const value = built.refValues[i];
        const source = value === quoteJsonString ? QUOTE_JSON_STRING_SOURCE : standaloneHelperSource(value);
        return source === null ? { name, value } : { name, value, source };
      }),
    };
  } catch (e) {
    if (options.strict) throw e;
    return { ok: false, fallbackReason: reasonOf(e), assumptions: [], passes: null, source: null, genericName: "", deoptName: "", references: [] };
  }
}

