/**
 * Tiered execution for `jit(fn)` without options, after V8 and PyPy:
 * - tier 0: the original behind a counting wrapper that records calls,
 *   sampled time and per-argument value/type profiles;
 * - past a hotness threshold, tier 1: a version compiled with speculative
 *   specialization on whatever the profile shows stable, every assumption
 *   guarded (a failed guard runs the original and counts a deopt);
 * - repeated deopts: recompile with the failing assumption dropped, with
 *   exponential backoff; after `maxVersions` versions the function stays
 *   generic, as V8 stops at its polymorphic limit.
 * Objects are speculated on only when already deeply frozen
 * (`freeze: "require-frozen"`): tiering never freezes a user's object behind
 * their back. A profile (`KOS_PROFILE` or `loadProfile`) makes a function
 * compile at its first call with the recorded stable arguments.
 *
 * The profiler calls the compiler; the compiler never imports this file.
 */
import { writeFileSync } from "node:fs";
import { compileVersion, parameterNames, registerInspectable } from "../compiler/index.js";
import type { Assumption, JitInspection, JitOptions, TypeAssumption } from "../compiler/types.js";
import { ArgumentProfile, typeTagOf } from "./feedback.js";
import { decodeValue, encodeValue, type ArgumentFeedback, type FeedbackDump } from "./profile-format.js";
import { findProfiledFunction, sourceHash, type LoadedProfile } from "./profile-file.js";

export interface TieringOptions {
  /** Calls before tier-up. Default 1000 (env KOS_HOT_CALLS); see BENCHMARKS.md for why. */
  hotCalls?: number;
  /** Sampled time in ms after which a function is hot even below hotCalls (after 50 calls). Default 20. */
  hotTimeMs?: number;
  /** Specialized versions before the function stays generic. Default 4. */
  maxVersions?: number;
  /** A loaded profile to take stable arguments from (default: env KOS_PROFILE). */
  profile?: LoadedProfile;
}

const TYPE_ASSUMPTIONS = new Set(["number", "string", "boolean", "bigint", "undefined", "function", "array", "object"]);
// Argument profiles see every call for the first EXACT_CALLS calls (they decide the first
// speculation), then one call in about 64, at a jittered stride: a fixed power-of-two stride
// aliased with a caller's 64-element batch and saw one argument tuple again and again.
// One observed call in 4 is also timed: at every 16th call the two performance.now()
// reads alone cost ~5 ns per call on average (BENCHMARKS.md, tiering).
const EXACT_CALLS = 256;

interface TierState {
  fn: Function;
  name: string;
  options: JitOptions;
  hotCalls: number;
  hotTimeMs: number;
  maxVersions: number;
  profiles: ArgumentProfile[];
  paramNames: Array<string | null>;
  calls: number;
  sampledMs: number;
  tier: 0 | 1 | "fallback";
  versions: number;
  source: string | null;
  assumptions: Assumption[];
  fallbackReason: string | null;
  deopts: number;
  deoptsThisVersion: number;
  callsAtCompile: number;
  nextCompileAt: number;
  compileTimeMs: number;
  history: JitInspection["history"];
  droppedParams: Set<string>;
  deoptReasons: Map<string, number>;
  profileEntry: { stableArgs?: ArgumentFeedback[] } | undefined;
}

/**
 * Every live tiered function, for the feedback dump. Weak: a function the
 * program drops must not be kept alive by kos (the wrapper's closures hold the
 * state, so the state lives exactly as long as the wrapper).
 */
const allStates = new Set<WeakRef<TierState>>();
const forgetState = new FinalizationRegistry<WeakRef<TierState>>((ref) => allStates.delete(ref));

function isDeepFrozen(v: unknown, seen = new Set<object>()): boolean {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return true;
  if (typeof v === "function") return false;
  if (seen.has(v as object)) return true;
  seen.add(v as object);
  if (ArrayBuffer.isView(v)) return false;
  if (!Object.isFrozen(v)) return false;
  for (const k of Reflect.ownKeys(v as object)) {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    if ("value" in d && !isDeepFrozen(d.value, seen)) return false;
  }
  return true;
}

/** What the profile (live or recorded) says is safe to speculate on. */
function speculation(state: TierState): { specialize: Record<string, unknown>; assume: Record<string, TypeAssumption> } {
  const specialize: Record<string, unknown> = {};
  const assume: Record<string, TypeAssumption> = {};
  const consider = (name: string | null, stability: string, value: unknown, tag: string) => {
    if (!name || state.droppedParams.has(name)) return;
    if (stability === "constant") {
      const primitive = value === null || (typeof value !== "object" && typeof value !== "function");
      if (primitive || isDeepFrozen(value) || ArrayBuffer.isView(value)) {
        specialize[name] = value;
        return;
      }
    }
    if ((stability === "constant" || stability === "shape" || stability === "type") && (TYPE_ASSUMPTIONS.has(tag) || tag.startsWith("typedarray:"))) {
      assume[name] = tag as TypeAssumption;
    }
  };
  const recorded = state.profileEntry?.stableArgs;
  if (recorded && state.versions === 0 && state.calls <= 1) {
    for (const a of recorded) {
      const seen = state.profiles[a.index];
      if (a.stability === "constant" && a.value === undefined) {
        // A constant object: speculate on the one the first call passed (guarded by identity).
        consider(state.paramNames[a.index] ?? null, seen?.stability === "constant" ? "constant" : "type", seen?.constantValue, a.type ?? seen?.typeTag ?? "");
        continue;
      }
      const value = a.stability === "constant" && a.value !== undefined ? decodeValue(a.value) : undefined;
      consider(state.paramNames[a.index] ?? null, a.stability, value, a.type ?? (a.value !== undefined ? typeTagOf(value) : ""));
    }
  } else {
    state.profiles.forEach((p, i) => consider(state.paramNames[i] ?? null, p.stability, p.constantValue, p.typeTag));
  }
  return { specialize, assume };
}

interface WrapperHooks {
  /** Called when calls reach the compile threshold. */
  hot(): void;
  /** Called when calls reach `nextSample`, with the arguments; true asks the wrapper to time this call. */
  observe(args: unknown[]): boolean;
  /** Adds one sampled call's duration. */
  sample(start: number): void;
}

interface Counters {
  calls: number;
  nextCompileAt: number;
  nextSample: number;
}

/**
 * The tier-0 wrapper. Each wrapped function gets its own wrapper code (a
 * fresh `new Function`, built from the arity alone, no user data): a wrapper
 * shared by all functions of one arity made its call site megamorphic, and
 * measured 90 ns per call on `a + b` instead of a few. The target is a
 * variable of the wrapper's closure, swapped on tier-up and deopt.
 */
function makeWrapper(arity: number, exact: boolean, counters: Counters, hooks: WrapperHooks, initial: Function): { wrapper: Function; setTarget(f: Function): void } {
  let current = initial;
  const setTarget = (f: Function) => {
    current = f;
  };
  const generic = {
    wrapper: function (this: unknown, ...args: unknown[]) {
      const n = ++counters.calls;
      if (n >= counters.nextCompileAt) hooks.hot();
      if (n >= counters.nextSample && hooks.observe(args)) {
        const t = performance.now();
        const r = new.target ? Reflect.construct(current, args, new.target) : current.apply(this, args);
        hooks.sample(t);
        return r;
      }
      return new.target ? Reflect.construct(current, args, new.target) : current.apply(this, args);
    },
    setTarget,
  };
  if (exact || arity > 8) return generic;
  // For functions that never read `arguments`, a fixed-arity wrapper is much cheaper than rest+apply.
  const params = Array.from({ length: arity }, (_, i) => `a${i}`).join(", ");
  const callArgs = arity ? `, ${params}` : "";
  try {
    return new Function(
      "counters", "hooks", "initial",
      `"use strict";\n` +
        `var current = initial;\n` +
        `const wrapper = function (${params}) {\n` +
        `  const n = ++counters.calls;\n` +
        `  if (n >= counters.nextCompileAt) hooks.hot();\n` +
        `  if (n >= counters.nextSample && hooks.observe([${params}])) { const t = performance.now(); const r = current.call(this${callArgs}); hooks.sample(t); return r; }\n` +
        `  return current.call(this${callArgs});\n` +
        `};\n` +
        `return { wrapper, setTarget(f) { current = f; } };\n//# sourceURL=kos://tier0-wrapper.js`,
    )(counters, hooks, initial);
  } catch {
    return generic; // code generation disallowed: the generic wrapper works everywhere
  }
}

/** `jit(fn)` without specialization options: the tiered dispatcher. */
export function createTieredFunction<F extends Function>(fn: F, options: JitOptions & { tiering?: TieringOptions } = {}): F {
  const t = options.tiering ?? {};
  // KOS_HOT_CALLS=Infinity records feedback without ever compiling (what `kos profile` runs want).
  const envHot = Number(process.env.KOS_HOT_CALLS);
  const names = parameterNames(fn) ?? [];
  const state: TierState = {
    fn, name: options.name ?? fn.name, options,
    hotCalls: t.hotCalls ?? (envHot > 0 ? envHot : 1000),
    hotTimeMs: t.hotTimeMs ?? 20,
    maxVersions: t.maxVersions ?? 4,
    profiles: names.map(() => new ArgumentProfile()),
    paramNames: names,
    calls: 0, sampledMs: 0, tier: 0, versions: 0, source: null, assumptions: [], fallbackReason: null,
    deopts: 0, deoptsThisVersion: 0, callsAtCompile: 0, nextCompileAt: 0, compileTimeMs: 0,
    history: [{ at: Date.now(), event: "tier0", detail: "counting calls and argument profiles" }],
    droppedParams: new Set(),
    deoptReasons: new Map(),
    profileEntry: undefined,
  };
  // The wrapper's hot path touches only this small object; the state reads through to it.
  const counters: Counters = { calls: 0, nextCompileAt: state.hotCalls, nextSample: 1 };
  let jitter = 0x2545f491;
  let observed = 0;
  Object.defineProperty(state, "calls", { get: () => counters.calls, set: (v: number) => (counters.calls = v) });
  Object.defineProperty(state, "nextCompileAt", { get: () => counters.nextCompileAt, set: (v: number) => (counters.nextCompileAt = v) });
  try {
    state.profileEntry = t.profile ? t.profile.lookup(fn) : findProfiledFunction(fn);
  } catch (e) {
    state.history.push({ at: Date.now(), event: "profile-error", detail: (e as Error).message });
  }
  const profileGuided = !!state.profileEntry?.stableArgs?.length;
  const stateRef = new WeakRef(state);
  allStates.add(stateRef);
  forgetState.register(state, stateRef);

  let setTarget: (f: Function) => void = () => {};
  let compiledTarget: Function | null = null;
  const tierUp = () => {
    if (state.tier === "fallback") return;
    if (state.versions >= state.maxVersions) {
      giveUp(`stays generic after ${state.versions} specialized versions`);
      return;
    }
    const { specialize, assume } = speculation(state);
    if (Object.keys(specialize).length === 0 && Object.keys(assume).length === 0) {
      // Nothing stable to speculate on: compiling would only add guards. Stay on the original.
      state.history.push({ at: Date.now(), event: "no-speculation", detail: "no argument was stable; running the original" });
      state.nextCompileAt = Infinity;
      return;
    }
    const version = compileVersion(fn, { ...options, specialize, assume, freeze: "require-frozen", name: state.name }, onDeopt);
    state.compileTimeMs += version.compileTimeMs;
    if (!version.ok || !version.fn) {
      giveUp(version.fallbackReason ?? "compile failed");
      return;
    }
    state.versions++;
    state.tier = 1;
    state.source = version.source;
    state.assumptions = version.assumptions;
    state.deoptsThisVersion = 0;
    state.callsAtCompile = state.calls;
    state.nextCompileAt = Infinity;
    state.history.push({ at: Date.now(), event: `tier1 v${state.versions}`, detail: version.assumptions.map((a) => a.description).join("; ") || "no guards" });
    compiledTarget = version.fn;
    setTarget(version.fn);
  };
  const giveUp = (reason: string) => {
    state.tier = "fallback";
    state.fallbackReason = reason;
    state.history.push({ at: Date.now(), event: "generic", detail: reason });
    state.nextCompileAt = Infinity;
    setTarget(fn);
  };
  function onDeopt(guard: number) {
    state.deopts++;
    state.deoptsThisVersion++;
    const failed = state.assumptions[guard];
    const reason = `failed: ${failed?.description ?? `guard ${guard}`}`;
    const seen = state.deoptReasons.get(reason) ?? 0;
    state.deoptReasons.set(reason, seen + 1);
    if (seen === 0) state.history.push({ at: Date.now(), event: "deopt", detail: reason });
    const sinceCompile = state.calls - state.callsAtCompile;
    // Recompile when a guard fails often: at least 16 times and on more than 1 call in 8.
    if (state.deoptsThisVersion >= 16 && state.deoptsThisVersion * 8 > sinceCompile && failed) {
      state.droppedParams.add(failed.param);
      const p = state.paramNames.indexOf(failed.param);
      if (p >= 0) state.profiles[p]!.markVaries();
      setTarget(fn);
      state.tier = 0;
      // Exponential backoff before the next version.
      state.nextCompileAt = state.calls + state.hotCalls * 2 ** state.versions;
      state.history.push({ at: Date.now(), event: "deoptimized", detail: `dropped assumption on '${failed.param}'; next compile after ${state.nextCompileAt} calls` });
    }
  }

  const hooks: WrapperHooks = {
    hot: () => {
      if (state.calls >= state.nextCompileAt) tierUp();
    },
    observe: (args: unknown[]) => {
      const ps = state.profiles;
      for (let i = 0; i < ps.length; i++) ps[i]!.observe(args[i]);
      const n = counters.calls;
      jitter = (Math.imul(jitter, 1103515245) + 12345) | 0;
      counters.nextSample = n < EXACT_CALLS ? n + 1 : n + 32 + ((jitter >>> 16) & 63);
      return (++observed & 3) === 0;
    },
    sample: (start: number) => {
      // One timed call stands for about 4 observed ones, each standing for the calls since the last.
      state.sampledMs += (performance.now() - start) * (counters.calls < EXACT_CALLS ? 4 : 4 * 64);
      // Hot by time: a slow function need not wait for hotCalls calls.
      if (state.tier === 0 && Number.isFinite(state.hotCalls) && state.nextCompileAt !== Infinity && state.sampledMs >= state.hotTimeMs && state.calls >= 50) state.nextCompileAt = state.calls + 1;
    },
  };
  const source = Function.prototype.toString.call(fn);
  const exact = /\barguments\b|\.\.\./.test(source) || /^\s*class\b/.test(source);
  // Profile-guided: the first call records its arguments and compiles before it runs.
  const firstCall = function (this: unknown, ...args: unknown[]) {
    hooks.observe(args);
    tierUp();
    if (state.tier !== 1) setTarget(fn);
    return new.target ? Reflect.construct(fn, args, new.target) : (state.tier === 1 ? compiledTarget! : fn).apply(this, args);
  };
  const made = makeWrapper(fn.length, exact, counters, hooks, profileGuided ? firstCall : fn);
  const wrapper = made.wrapper;
  setTarget = made.setTarget;
  Object.defineProperty(wrapper, "name", { value: fn.name });
  Object.defineProperty(wrapper, "length", { value: fn.length });
  if (fn.prototype !== undefined) (wrapper as { prototype?: unknown }).prototype = fn.prototype;
  registerInspectable(wrapper, () => ({
    tier: state.tier,
    name: state.name,
    source: state.source,
    passes: null,
    assumptions: state.assumptions,
    fallbackReason: state.fallbackReason,
    calls: state.calls,
    deopts: state.deopts,
    compileTimeMs: state.compileTimeMs,
    history: [...state.history, ...[...state.deoptReasons].map(([reason, n]) => ({ at: 0, event: "deopts", detail: `${reason} ×${n}` }))],
  }));
  (state as { sourceText?: string }).sourceText = source;
  return wrapper as F;
}

/** The feedback of every tiered function, in the format `kos profile` merges. */
export function collectFeedback(): FeedbackDump {
  return {
    version: 1,
    pid: process.pid,
    functions: [...allStates].map((r) => r.deref()).filter((s): s is TierState => s !== undefined).map((s) => ({
      name: s.name,
      sourceHash: sourceHash((s as { sourceText?: string }).sourceText ?? Function.prototype.toString.call(s.fn)),
      calls: s.calls,
      deopts: s.deopts,
      tier: s.tier === "fallback" ? 0 : s.tier,
      args: s.profiles.map((p, index) => {
        const stability = p.stability === "unseen" ? "varies" : p.stability;
        const a: ArgumentFeedback = { index, name: s.paramNames[index] ?? `arg${index}`, stability };
        if (stability === "constant") {
          // A constant object cannot travel in a file: the profile says "constant", and a
          // profile-guided run speculates on the object its first call passes.
          const encoded = encodeValue(p.constantValue);
          if (encoded !== undefined) a.value = encoded;
        }
        if (stability !== "varies") a.type = p.typeTag;
        return a;
      }),
    })),
  };
}

if (process.env.KOS_FEEDBACK_OUT) {
  const out = process.env.KOS_FEEDBACK_OUT;
  process.on("exit", () => {
    try {
      writeFileSync(out, JSON.stringify(collectFeedback()));
    } catch (e) {
      process.stderr.write(`kos: could not write feedback to ${out}: ${(e as Error).message}\n`);
    }
  });
}
