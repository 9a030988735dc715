/**
 * Tiered execution for `jit(fn)` without options, after V8 and PyPy. This
 * file is the policy; the compiler's Dispatcher owns the versions and the
 * entry function.
 * - At `jit()` time, a cheap precheck (no parsing) settles functions that can
 *   never compile (native, bound, class, async, generator): `jit` returns
 *   them as they are, with the reason in `inspect`.
 * - Tier 0: the entry counts calls; the first 256 calls and then one in about
 *   64 record argument (and receiver) profiles, and one in four of those is timed.
 * - Past a hotness threshold, tier 1: a version compiled with speculative
 *   specialization on the arguments that stayed constant (and the types of
 *   the others), every assumption guarded. With no constant argument the
 *   function settles generic: type guards alone restate what V8 already does.
 * - Guard misses are profiled. When they are frequent, a new version is
 *   compiled for them and added to the guard chain (a second stable constant
 *   gets its own version; an argument that varies is dropped from
 *   speculation), up to `maxVersions` live versions; after that the function
 *   goes generic, as V8's inline caches go megamorphic.
 * - Settled functions (generic, or compiled) cost nothing measurable per call.
 * Objects are speculated on behind content guards (`freeze: "guard"`):
 * tiering never freezes a user's object, and an object that comes back with
 * other contents is dropped from speculation. A
 * profile (`KOS_PROFILE` or `loadProfile`) makes a function compile at its
 * first call with the recorded stable arguments.
 *
 * The profiler calls the compiler; the compiler never imports this file.
 */
import { Dispatcher, settleAtJitTime, trace, type Version } from "../compiler/dispatcher.js";
import type { Precheck } from "../compiler/precheck.js";
import type * as CompilerIndex from "../compiler/index.js";
import type { JitOptions } from "../compiler/types.js";
import { ArgumentProfile } from "./feedback.js";
import { encodeValue, type ArgumentFeedback, type FunctionFeedback } from "./profile-format.js";
import { findProfiledFunction, sourceHash, type LoadedProfile } from "./profile-file.js";
import { isEmpty, speculate } from "./speculation.js";
import { keep, newFeedbackId, RECORD_AFTER_CALLS, watch } from "./feedback-record.js";

/**
 * Loads the compiler (acorn, eslint-scope, the evaluator: about 50 ms here,
 * the first `jit()` with values against the second). Called at the first
 * compile, not at `jit()`: a program whose functions never get hot never pays
 * for it. index.ts passes its lazy module getter.
 */
export type CompilerLoader = () => typeof CompilerIndex;

export { collectFeedback } from "./feedback-record.js";

export interface TieringOptions {
  /** Calls before tier-up. Default 1000 (env KOS_HOT_CALLS); see BENCHMARKS.md for why. */
  hotCalls?: number;
  /** Sampled time in ms after which a function is hot even below hotCalls (after 50 calls). Default 20. */
  hotTimeMs?: number;
  /** Live specialized versions before the function goes generic. Default 4 (V8's polymorphic limit). */
  maxVersions?: number;
  /** A loaded profile to take stable arguments from (default: env KOS_PROFILE). */
  profile?: LoadedProfile;
}

// Argument profiles see every call for the first EXACT_CALLS calls (they decide the first
// speculation), then one call in about 64, at a jittered stride: a fixed power-of-two stride
// aliased with a caller's 64-element batch and saw one argument tuple again and again.
// One observed call in 4 is also timed: at every 16th call the two performance.now()
// reads alone cost ~5 ns per call on average (BENCHMARKS.md, tiering).
const EXACT_CALLS = 256;
// The last WARM_CALLS calls before the tier-up at hotCalls (none before call 128) are all
// timed: their median is the original's time per call once V8 has warmed it (the profile's
// cost model, PROFILE_SAVED_SHARE). Earlier calls run cold: json-logic's apply averaged
// 10.8 µs over its first 1000 calls, 3.6 µs over calls 128-255, 2.5 µs over its last 256
// (under `kos profile`), and 1.1 µs warm. The window costs about 0.25 ms once per function
// (the first 1000 calls of `a + b`: 335 µs with a 128-call window, 396 µs with 256, 90-100 µs
// without).
const WARM_CALLS = 128;
const WARM_FROM = 128;
// A version's misses trigger a new version when at least MIN_MISSES calls missed every
// guard and they are more than 1 call in MISS_SHARE since the last version.
const MIN_MISSES = 16;
const MISS_SHARE = 8;
/**
 * A profile entry compiles at the first call only when the time compiling took in the
 * profiled run is below this share of the time the original would take over the same calls
 * (calls × its sampled time per call): the share a compile can be expected to save. Programs
 * made of library interpreters (bench/programs/rules.ts) gained 2-3× per call but spent
 * 100-150 ms compiling plus about as much CPU in V8's compiler threads, which a 0.4 s run
 * never won back; kernels (bench/programs/dsp.ts: fir) compile in 10-20 ms and save 80%.
 */
const PROFILE_SAVED_SHARE = 0.5;

type Options = JitOptions & { tiering?: TieringOptions };

class TieredFunction {
  readonly id = newFeedbackId();
  readonly d: Dispatcher;
  readonly hotCalls: number;
  readonly hotTimeMs: number;
  readonly maxVersions: number;
  private profiles: ArgumentProfile[] = [];
  private receiver: ArgumentProfile | null;
  private missProfiles: ArgumentProfile[] = [];
  private missReceiver: ArgumentProfile | null;
  private paramNames: Array<string | null> | null = null;
  private readonly dropped = new Set<string>();
  /** What each version was specialized on (to tell a changed object from a new one). */
  private readonly specs = new WeakMap<Version, Record<string, unknown>>();
  private nextCompileAt: number;
  private nextSample = 1;
  private sampledMs = 0;
  private observed = 0;
  private jitter = 0x2545f491;
  private misses = 0;
  private callsAtVersion = 0;
  private recorded = false;
  private keptAt = 0;
  private hash: string | null = null;
  private profileEntry: { stableArgs?: ArgumentFeedback[]; calls?: number; compileMs?: number; tier0UsPerCall?: number } | undefined;
  /** Times (ms) of the calls in the warm window [warmFrom, warmTo) (the profile's cost model). */
  private warmTimes: number[] = [];
  private readonly warmFrom: number;
  private readonly warmTo: number;
  private profileChecked = false;

  constructor(
    readonly fn: Function,
    readonly source: string,
    readonly options: Options,
    arity: number,
    exact: boolean,
    mentionsThis: boolean,
    private readonly compiler: CompilerLoader,
  ) {
    const t = options.tiering ?? {};
    const envHot = Number(process.env.KOS_HOT_CALLS);
    this.hotCalls = t.hotCalls ?? (envHot > 0 ? envHot : 1000);
    this.hotTimeMs = t.hotTimeMs ?? 20;
    this.maxVersions = t.maxVersions ?? 4;
    this.nextCompileAt = this.hotCalls;
    this.warmTo = Number.isFinite(this.hotCalls) ? this.hotCalls : 0;
    this.warmFrom = Math.max(WARM_FROM, this.warmTo - WARM_CALLS);
    this.receiver = mentionsThis ? new ArgumentProfile() : null;
    this.missReceiver = mentionsThis ? new ArgumentProfile() : null;
    const self = this;
    this.d = Dispatcher.tiered(
      fn,
      { name: options.name ?? fn.name, arity, exact, hooks: { event: (thisArg, args, newTarget) => this.onEvent(thisArg, args, newTarget) } },
      function (this: unknown, ...args: unknown[]) {
        return self.onMiss(this, args, new.target);
      },
    );
    this.d.event("tier0", "counting calls and argument profiles");
  }

  private run(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    return newTarget ? Reflect.construct(this.fn, args, newTarget) : Reflect.apply(this.fn, thisArg, args);
  }

  private observe(profiles: ArgumentProfile[], receiver: ArgumentProfile | null, thisArg: unknown, args: unknown[]): void {
    for (let i = 0; i < args.length && i < 16; i++) (profiles[i] ??= new ArgumentProfile()).observe(args[i]);
    receiver?.observe(thisArg);
  }

  /** The entry reached its next threshold (tier 0 only). */
  private onEvent(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    const n = this.d.calls;
    if (!this.profileChecked) {
      // First call: from now on the function is in the feedback dump (a function never called has nothing to say).
      this.profileChecked = true;
      watch(this);
      try {
        const t = this.options.tiering ?? {};
        this.profileEntry = t.profile ? t.profile.lookup(this.fn) : findProfiledFunction(this.fn);
      } catch (e) {
        this.d.event("profile-error", (e as Error).message);
      }
      const entry = this.profileEntry;
      if (entry?.stableArgs?.length) {
        const { calls, compileMs, tier0UsPerCall } = entry;
        if (calls !== undefined && compileMs !== undefined && tier0UsPerCall !== undefined && compileMs > (calls * tier0UsPerCall * PROFILE_SAVED_SHARE) / 1000) {
          // The profiled run says a compile costs more than it can save over a run like it.
          const reason = `the profile says compiling costs ${compileMs.toFixed(1)} ms against at most ${((calls * tier0UsPerCall * PROFILE_SAVED_SHARE) / 1000).toFixed(1)} ms saved over ${calls} calls`;
          this.d.goGeneric(reason);
          trace(`generic ${this.d.name || "(anonymous)"}: ${reason}`);
          return this.run(thisArg, args, newTarget);
        }
        this.nextCompileAt = 1; // profile-guided: compile at the first call
      }
    }
    const warm = n >= this.warmFrom && n < this.warmTo;
    let timed = warm;
    let weight = 0;
    if (n >= this.nextSample) {
      this.observe(this.profiles, this.receiver, thisArg, args);
      this.jitter = (Math.imul(this.jitter, 1103515245) + 12345) | 0;
      this.nextSample = n < EXACT_CALLS ? n + 1 : n + 32 + ((this.jitter >>> 16) & 63);
      if ((++this.observed & 3) === 0) {
        timed = true;
        // One timed call stands for about 4 observed ones, each standing for the calls since the last.
        weight = n < EXACT_CALLS ? 4 : 4 * 64;
      }
    }
    if (!this.recorded && n >= RECORD_AFTER_CALLS) this.record();
    else if (this.recorded && n >= this.keptAt * 2) this.record();
    if (n >= this.nextCompileAt) this.tierUp();
    if (this.d.tier === 0) {
      const nextWarm = n + 1 < this.warmFrom ? this.warmFrom : n + 1 < this.warmTo ? n + 1 : Infinity;
      this.d.setNext(Math.min(this.nextSample, this.nextCompileAt, nextWarm));
    }
    if (!timed) return this.run(thisArg, args, newTarget);
    const start = performance.now();
    const r = this.run(thisArg, args, newTarget);
    const dt = performance.now() - start;
    this.sampledMs += dt * weight;
    if (warm) this.warmTimes.push(dt);
    // Hot by time: a slow function need not wait for hotCalls calls.
    if (this.d.tier === 0 && Number.isFinite(this.hotCalls) && this.nextCompileAt !== Infinity && this.sampledMs >= this.hotTimeMs && n >= 50) {
      this.nextCompileAt = n + 1;
      this.d.setNext(n + 1);
    }
    return r;
  }

  private record(): void {
    this.recorded = true;
    this.keptAt = Math.max(1, this.d.calls);
    keep(this);
  }

  private names(): Array<string | null> {
    return (this.paramNames ??= this.compiler().parameterNames(this.fn) ?? []);
  }

  /** Compiles a version for `profiles` and adds it to the guard chain; false when nothing was compiled. */
  private compile(profiles: ArgumentProfile[], receiver: ArgumentProfile | null, recorded?: ArgumentFeedback[]): boolean {
    const spec = speculate({ paramNames: this.names(), profiles, receiver, dropped: this.dropped, recorded });
    if (isEmpty(spec)) return false;
    const name = this.d.name;
    const link = this.d.makeLink();
    let version: Version | null = null;
    const onDeopt = (guard: number) => {
      if (!version) return;
      const r = this.d.recordDeopt(version, guard);
      if (r.first) {
        this.d.event("deopt", r.reason);
        trace(`deopt ${name || "(anonymous)"} v${this.d.versions.indexOf(version) + 1}: ${r.reason}`);
      }
    };
    let usedSpec: Record<string, unknown> = spec.specialize;
    let made = this.compiler().compileVersion(this.fn, { ...this.options, ...spec, freeze: "guard", name }, onDeopt, link.fn);
    if (!made.ok && "this" in spec.specialize) {
      // The compiler may not take a receiver yet: try again without it.
      this.dropped.add("this");
      const { this: _receiver, ...rest } = spec.specialize;
      usedSpec = rest;
      if (Object.keys(rest).length || Object.keys(spec.assume).length) made = this.compiler().compileVersion(this.fn, { ...this.options, specialize: rest, assume: spec.assume, freeze: "guard", name }, onDeopt, link.fn);
    }
    this.d.compileTimeMs += made.compileTimeMs;
    if (!made.ok || !made.fn) {
      this.d.goGeneric(made.fallbackReason ?? "INTERNAL: compile failed");
      trace(`fallback ${name || "(anonymous)"}: ${made.fallbackReason}`);
      return true;
    }
    version = { fn: made.fn, source: made.source, passes: made.passes, assumptions: made.assumptions, calls: made.calls, deopts: 0, compileTimeMs: 0 };
    this.specs.set(version, usedSpec);
    this.d.addVersion(version, link);
    const detail = made.assumptions.map((a) => a.description).join("; ") || "no guards";
    this.d.event(`tier1 v${this.d.versions.length}`, detail);
    trace(`tier-up ${name || "(anonymous)"} v${this.d.versions.length} after ${this.d.calls} calls (compiled in ${made.compileTimeMs.toFixed(1)} ms): ${detail}`);
    this.callsAtVersion = this.d.calls;
    this.misses = 0;
    this.missProfiles = [];
    this.missReceiver = this.receiver ? new ArgumentProfile() : null;
    this.record(); // a function that tiered up is hot: keep its summary even if the program drops it
    return true;
  }

  private tierUp(): void {
    this.nextCompileAt = Infinity;
    const recorded = this.d.versions.length === 0 && this.d.calls <= 1 ? this.profileEntry?.stableArgs : undefined;
    if (!this.compile(this.profiles, this.receiver, recorded)) {
      // Nothing stable: a version would only add guards. Settle on the original, at no cost per call.
      this.d.event("no-speculation", "no argument was stable as a constant; running the original");
      this.d.goGeneric("no argument was stable as a constant when the function got hot (stable types alone are left to V8)");
    }
  }

  /** Every version's guards failed for this call. */
  private onMiss(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    this.misses++;
    this.observe(this.missProfiles, this.missReceiver, thisArg, args);
    const since = this.d.calls - this.callsAtVersion;
    if (this.misses >= MIN_MISSES && this.misses * MISS_SHARE > since) this.addVersionForMisses(since);
    return this.run(thisArg, args, newTarget);
  }

  private addVersionForMisses(since: number): void {
    const d = this.d;
    if (d.versions.length >= this.maxVersions) {
      d.goGeneric(`stays generic after ${d.versions.length} specialized versions (polymorphic limit)`);
      trace(`generic ${d.name || "(anonymous)"}: ${d.fallbackReason}`);
      return;
    }
    // A guarded parameter whose misses show no single value is dropped from speculation.
    const names = this.names();
    for (const v of d.versions) {
      // The same object came back with other contents (a state object the program mutates): its
      // contents are not worth speculating on again (each version would miss the same way).
      if (v.assumptions.some((a) => a.kind === "content")) {
        for (const [param, value] of Object.entries(this.specs.get(v) ?? {})) {
          if (value === null || typeof value !== "object") continue;
          const p = names.indexOf(param);
          const seen = p >= 0 ? this.missProfiles[p] : param === "this" ? this.missReceiver : undefined;
          if (seen && seen.stability === "constant" && seen.constantValue === value) this.dropped.add(param);
        }
      }
      for (const a of v.assumptions) {
        const p = names.indexOf(a.param);
        const seen = p >= 0 ? this.missProfiles[p] : a.param === "this" ? this.missReceiver : undefined;
        if (seen && seen.stability !== "constant" && a.kind !== "type") this.dropped.add(a.param);
        if (seen && (seen.stability === "varies" || seen.stability === "unseen")) this.dropped.add(a.param);
      }
    }
    const missed = this.misses;
    d.event("deoptimized", `${missed} of ${since} calls missed every guard; ${d.versions.length} version(s) live${this.dropped.size ? `; dropped ${[...this.dropped].join(", ")}` : ""}`);
    if (!this.compile(this.missProfiles, this.missReceiver)) {
      if (missed * 2 > since) d.goGeneric("the calls that missed the guards have no constant argument");
      else d.stopWatchingMisses();
    }
  }

  summary(): FunctionFeedback {
    const names = this.paramNames ?? this.compiler().parameterNames(this.fn) ?? [];
    this.hash ??= sourceHash(this.source);
    const d = this.d;
    const describe = (p: ArgumentProfile, index: number, name: string): ArgumentFeedback => {
      const stability = p.stability === "unseen" ? "varies" : p.stability;
      const a: ArgumentFeedback = { index, name, stability };
      if (stability === "constant") {
        // A constant object cannot travel in a file: the profile says "constant", and a
        // profile-guided run speculates on the object its first call passes.
        const encoded = encodeValue(p.constantValue);
        if (encoded !== undefined) a.value = encoded;
      }
      if (stability !== "varies") a.type = p.typeTag;
      return a;
    };
    const out: FunctionFeedback = {
      name: d.name,
      sourceHash: this.hash,
      calls: d.calls,
      deopts: d.deopts,
      tier: d.tier === "fallback" ? 0 : d.tier,
      versions: d.versions.length,
      fallbackReason: d.fallbackReason,
      args: this.profiles.map((p, index) => describe(p, index, names[index] ?? `arg${index}`)),
    };
    if (this.receiver) out.receiver = describe(this.receiver, -1, "this");
    if (d.compileTimeMs > 0) out.compileMs = Math.round(d.compileTimeMs * 100) / 100;
    if (this.warmTimes.length >= 16) {
      const sorted = [...this.warmTimes].sort((a, b) => a - b);
      out.tier0UsPerCall = Math.round(sorted[sorted.length >> 1]! * 1e6) / 1000;
    }
    return out;
  }
}

/** `jit(fn)` without specialization options: the tiered dispatcher. */
export function createTieredFunction<F extends Function>(fn: F, options: Options, checked: Extract<Precheck, { ok: true }> | undefined, compiler: CompilerLoader): F {
  let pre = checked;
  if (!pre) {
    const r = settleAtJitTime(fn, options);
    if ("settled" in r) return r.settled;
    pre = r.pre;
  }
  return new TieredFunction(fn, pre.source, options, pre.arity, pre.exact, pre.mentionsThis, compiler).d.entry as F;
}
