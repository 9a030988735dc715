/**
 * Tiered execution for `jit(fn)` without options, after V8 and PyPy. This
 * file is the policy; the compiler's Dispatcher owns the versions and the
 * entry function.
 * - At `jit()` time, a cheap precheck (no parsing) settles functions that can
 *   never compile (native, bound, class, async, generator): `jit` returns
 *   them as they are, with the reason in `inspect`.
 * - Tier 0: the entry counts calls; the first 256 calls and then one in about
 *   64 (up to one in 16384 as calls grow) record argument (and receiver) profiles, and one in four of those is timed.
 * - Tier 1, once the function has used enough time to pay for its compile
 *   (compile-cost.ts: half the sampled time so far must cover the predicted
 *   CPU cost, and every compile also waits until it fits the process's
 *   compile budget, COMPILE_BUDGET; with
 *   `hotCalls` set, after that many calls instead): a version
 *   compiled with speculative specialization on the arguments that stayed
 *   constant (and the types of the others), every assumption guarded. With no
 *   constant argument the function settles generic: type guards alone restate
 *   what V8 already does.
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
 * The policy's parts, one file each: tiering-options.ts, tier0-sampling.ts, call-times.ts,
 * compile-gate.ts, no-constant-arguments.ts, profile-guided.ts, verify-gain.ts, miss-policy.ts,
 * feedback-summary.ts. The profiler calls the compiler; the compiler never imports this file.
 */
import { cpuUsage } from "../intrinsic-clocks.js";
import { Dispatcher, settleAtJitTime, settleOriginal, trace, type Version } from "../compiler/dispatcher.js";
import { scanParameters, simpleParameterNames, type Precheck } from "../compiler/precheck.js";
import type * as CompilerIndex from "../compiler/index.js";
import type { JitOptions } from "../compiler/types.js";
import { ArgumentProfile } from "./feedback.js";
import type { ArgumentFeedback, FunctionFeedback } from "./profile-format.js";
import { findProfiledFunction, sourceHash, sourceKey } from "./profile-file.js";
import { isEmpty, speculate } from "./speculation.js";
import { keep, keptCalls, newFeedbackId, RECORD_AFTER_CALLS, watch } from "./feedback-record.js";
import { CallClock } from "../compiler/call-clock.js";
import { CompileCostModel } from "./compile-cost.js";
import { CallTimes, median, RECENT_TIMES, TINY_MS } from "./call-times.js";
import { CompileGate, MIN_GATED_CALLS } from "./compile-gate.js";
import { summarize } from "./feedback-summary.js";
import { checkStale, dropWhatMissed, missesEarnVersion, staleCheckDue, staleWindow, type StaleWindow } from "./miss-policy.js";
import { profileSaysGeneric, profileShare, STABLE_ONLY, type ProfileEntry } from "./profile-guided.js";
import { NO_CONSTANT_CALLS, NoConstantArguments } from "./no-constant-arguments.js";
import { Tier0Sampling } from "./tier0-sampling.js";
import { envHotCalls, tieringThresholds, type TieringOptions, type TieringThresholds } from "./tiering-options.js";
import { verifyGain } from "./verify-gain.js";
import { jitName } from "../compiler/jit-options.js";

/**
 * Loads the compiler (acorn, eslint-scope, the evaluator: about 50 ms here,
 * the first `jit()` with values against the second). Called at the first
 * compile, not at `jit()`: a program whose functions never get hot never pays
 * for it. index.ts passes its lazy module getter.
 */
export type CompilerLoader = () => typeof CompilerIndex;

export { collectFeedback } from "./feedback-record.js";
export type { TieringOptions } from "./tiering-options.js";

type Options = JitOptions & { tiering?: TieringOptions };

// One compile-cost model per process, as V8 keeps its tier-up budgets per isolate: the
// compiler it prices loads once per process, and how warm one compile found it holds for the next.
const costs = new CompileCostModel();
// The clock tier 0 times calls with (CallClock: stateless, one per process like the model).
const clock = new CallClock();

class TieredFunction {
  readonly id = newFeedbackId();
  /** Its thresholds: cost-gated or at hotCalls, the warm window, the versions it may keep. */
  private readonly limits: TieringThresholds;
  private profiles: ArgumentProfile[] = [];
  private receiver: ArgumentProfile | null;
  private missProfiles: ArgumentProfile[] = [];
  private missReceiver: ArgumentProfile | null;
  private paramNames: Array<string | null> | null = null;
  /** The names read from the source text, for summaries made before the compiler is loaded (once: the feedback record asks at every doubling of the calls). */
  private sourceNames: Array<string | null> | null = null;
  /** Where a rest parameter starts (-1: none), and the one argument count observed (undefined: several). */
  private readonly restAt: number;
  /**
   * Where the arguments past the formals start, for a function that mentions `arguments` (-1: it
   * does not); whether it only reads them (compiler/arguments-reads.ts) is asked at its first compile.
   */
  private readonly argumentsAt: number;
  private positionalFrom: number | null = null;
  private argumentCount: number | null | undefined = null;
  private readonly dropped = new Set<string>();
  /** The receiver was dropped because a version could not take it (not because its misses varied). */
  private receiverUncompilable = false;
  /** What each version was specialized on (to tell a changed object from a new one). */
  private readonly specs = new WeakMap<Version, Record<string, unknown>>();
  private nextCompileAt: number;
  private sampledMs = 0;
  /** The last timed calls and their statistics. */
  private readonly times = new CallTimes();
  /** Which calls are observed and timed (made in the constructor). */
  private readonly sampling: Tier0Sampling;
  /** The cost gate, and the source's compile-cost estimate (made in the constructor). */
  private readonly gate: CompileGate;
  private misses = 0;
  private callsAtVersion = 0;
  /** Calls and sampled time at the first tier-up (the time per call when the warm window never filled). */
  private tier0Calls = 0;
  private tier0Ms = 0;
  private recorded = false;
  private keptAt = 0;
  private hash: string | null = null;
  private key: string | null = null;
  private profileEntry: ProfileEntry | undefined;
  /** The profile decided this function at its first call (compiled on its stable arguments, or settled): its summary carries the profile's. */
  private profileDecided = false;
  /** Times (ms) of the calls in the warm window (Tier0Sampling: the profile's cost model). */
  private warmTimes: number[] = [];
  private profileChecked = false;
  /** What a function with no constant argument does (made when first needed). */
  private noConstant: NoConstantArguments | null = null;
  /** Whether the arguments were checked for a constant (NO_CONSTANT_CALLS). */
  private constantsJudged = false;
  /**
   * In a profiling run, the first version's timing at the entry against the original (verify-gain.ts):
   * its last window's time a call, ms (verify-gain.ts: medians, or the gain check's means for a large
   * version). What KOS_PROFILE weighs a compile against (profile-guided.ts).
   */
  private timedGain: { versionMs: number; originalMs: number } | null = null;
  /** Misses from which a new version is considered again, after the budget said no. */
  private missBudgetAt = 0;
  /** The last version's misses run the original directly (Dispatcher.stopWatchingMisses). */
  private missesUnwatched = false;

  /** Made at the function's first call (createTieredFunction): `jit()` itself only makes the entry. */
  constructor(
    readonly d: Dispatcher,
    readonly fn: Function,
    readonly source: string,
    readonly options: Options,
    mentionsThis: boolean,
    private readonly compiler: CompilerLoader,
    /** `KOS_HOT_CALLS` and whether `KOS_FEEDBACK_OUT` was set, as they were at `jit()`. */
    envHot: number,
    private readonly profiling: boolean,
  ) {
    const t = (this.limits = tieringThresholds(options.tiering ?? {}, envHot, profiling));
    this.gate = new CompileGate(d, source, costs, t.hotCalls, t.compileBudget);
    this.nextCompileAt = t.costGated ? Infinity : t.hotCalls;
    this.sampling = new Tier0Sampling(t.warmTo);
    const scanned = scanParameters(source);
    this.restAt = scanned.rest && scanned.arity >= 0 ? scanned.arity : -1;
    this.argumentsAt = !scanned.rest && scanned.arity >= 0 && /\barguments\b/.test(source) ? scanned.arity : -1;
    this.receiver = mentionsThis ? new ArgumentProfile() : null;
    this.missReceiver = mentionsThis ? new ArgumentProfile() : null;
    // A profiling run counts the calls of a function settled on the original, which then calls no
    // policy code: its summary is kept when it settles, whatever its calls so far (the profile lists
    // it even if the program drops it before exit). A kept summary follows each change of tier (a
    // function dropped before exit keeps the reason it settled).
    d.countsGeneric = profiling;
    d.onChange = () => {
      if (this.recorded || (profiling && d.tier === "fallback")) this.record();
    };
  }

  private run(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    return newTarget ? Reflect.construct(this.fn, args, newTarget) : Reflect.apply(this.fn, thisArg, args);
  }

  private observe(profiles: ArgumentProfile[], receiver: ArgumentProfile | null, thisArg: unknown, args: unknown[]): void {
    // The argument count, for rest parameters (an exact entry passes the arguments as they came).
    if ((this.restAt >= 0 || this.argumentsAt >= 0) && profiles === this.profiles) {
      if (this.argumentCount === null) this.argumentCount = args.length;
      else if (this.argumentCount !== args.length) this.argumentCount = undefined;
    }
    // Grown by push, never read past its end: an index the program put on Array.prototype would be
    // read there (sweep39: `Array.prototype[1] = "P"` made this throw into the program's call).
    for (let i = 0; i < args.length && i < 16; i++) (i < profiles.length ? profiles[i]! : profiles[profiles.push(new ArgumentProfile()) - 1]!).observe(args[i]);
    receiver?.observe(thisArg);
  }

  private noConstantArguments(): NoConstantArguments {
    return (this.noConstant ??= new NoConstantArguments(this.d, () => this.compiler().closureInputs(this.fn), costs, this.gate));
  }

  /** The entry reached its next threshold (tier 0 only). */
  onEvent(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    const n = this.d.calls;
    if (this.recorded) keptCalls(this.id, n);
    if (!this.profileChecked) {
      // First call: from now on the function is in the feedback dump (a function never called has nothing to say).
      this.profileChecked = true;
      watch(this);
      try {
        const t = this.options.tiering ?? {};
        this.profileEntry = findProfiledFunction(this.fn, t.profile, STABLE_ONLY);
      } catch (e) {
        // The program runs on as without a profile; the reason, with its code, in `inspect` and the
        // trace (sweep35: nothing said why KOS_PROFILE did nothing, even with KOS_TRACE).
        const code = (e as { code?: unknown }).code;
        const message = `${typeof code === "string" ? `${code}: ` : ""}${(e as Error).message}`;
        this.d.event("profile-error", message);
        trace(`profile ${this.d.name || "(anonymous)"}: ${message}; it tiers up as without a profile`);
      }
      const entry = this.profileEntry;
      if (entry?.stableArgs?.length) {
        const reason = this.limits.costGated ? profileSaysGeneric(entry, profileShare(entry, this.gate.estimate()), costs.pendingLoadMs()) : null;
        if (reason) {
          this.profileDecided = true;
          this.d.goGeneric(reason);
          trace(`generic ${this.d.name || "(anonymous)"}: ${reason}`);
          return this.run(thisArg, args, newTarget);
        }
        this.nextCompileAt = 1; // profile-guided: compile at the first call
      }
    }
    const sampling = this.sampling;
    const warm = sampling.isWarm(n);
    let weight = 0;
    if (n >= sampling.nextSample) {
      this.observe(this.profiles, this.receiver, thisArg, args);
      weight = sampling.sample(n, this.times.count);
    }
    const timed = warm || weight > 0;
    if (this.limits.costGated && n >= NO_CONSTANT_CALLS && this.d.versions.length === 0 && !this.constantsJudged && !this.profileEntry?.stableArgs?.length) {
      this.constantsJudged = true;
      // Its time per call as it runs now: the median of its last timed calls, not its sampled mean,
      // which its cold first calls inflate (weigh() in test/profiler/tiering.test.ts, 0.1 µs a call
      // warm, averaged 0.6-1.9 µs over its first 2048 calls on a loaded machine, and waited at tier 0
      // for a closure check it did not need, in 3 of 8 runs).
      const perCallMs = this.times.count >= 16 ? this.times.recentMedian() : this.sampledMs / n;
      const reason = this.noConstantArguments().settleReason(this.profiles, this.receiver, perCallMs);
      if (reason) {
        this.d.goGeneric(reason);
        trace(`generic ${this.d.name || "(anonymous)"}: ${reason}`);
        return this.run(thisArg, args, newTarget);
      }
    }
    if (!this.recorded && n >= RECORD_AFTER_CALLS) this.record();
    else if (this.recorded && n >= this.keptAt * 2) this.record(false);
    if (n >= this.nextCompileAt) this.tierUp();
    if (this.d.tier === 0) {
      this.d.setNext(Math.min(sampling.nextSample, this.nextCompileAt, sampling.nextWarm(n)));
    }
    if (!timed) return this.run(thisArg, args, newTarget);
    // The clock's own cost, read around the call by the same code (CallClock).
    const before = clock.probe();
    const start = clock.now();
    const r = newTarget ? this.run(thisArg, args, newTarget) : clock.call(this.fn, thisArg, args);
    const end = clock.now();
    const dt = clock.net(end - start, Math.min(before, clock.probe()));
    this.sampledMs += this.times.capped(dt) * weight;
    if (warm) this.warmTimes.push(dt);
    if (this.d.tier !== 0) return r;
    if (this.limits.costGated) {
      // Judged once the ring has turned over: its first timed calls run cold, original and clock alike.
      if (this.times.count >= 2 * RECENT_TIMES && this.times.tooShortToGain() && this.d.versions.length === 0) {
        const reason = `its calls take under ${TINY_MS * 1e6} ns (the lower quartile of the last ${RECENT_TIMES} timed calls, the clock's own cost taken off): too short for a compiled version to gain what its guards cost`;
        this.d.goGeneric(reason);
        trace(`generic ${this.d.name || "(anonymous)"}: ${reason}`);
      } else if (n >= MIN_GATED_CALLS && this.nextCompileAt === Infinity && this.gate.compileWouldPay(this.sampledMs)) {
        this.nextCompileAt = n + 1;
        this.d.setNext(n + 1);
      }
    } else if (Number.isFinite(this.limits.hotCalls) && this.nextCompileAt !== Infinity && this.sampledMs >= this.limits.hotTimeMs && n >= 50) {
      // Hot by time: a slow function need not wait for hotCalls calls.
      this.nextCompileAt = n + 1;
      this.d.setNext(n + 1);
    }
    return r;
  }

  /**
   * Keeps a copy of the function's summary (feedback-record.ts). `full: false`, as its calls double:
   * only the count, which is what changed (the record's timer refreshes the rest each second). A
   * whole summary at each doubling was 6.4 ms of the rules program's 1.17 s profiled run, most of
   * the tier-0 policy's cost there (bench/programs/rules.ts: tiering 0.95x no kos, nothing compiled).
   */
  private record(full = true): void {
    const first = !this.recorded;
    this.recorded = true;
    this.keptAt = Math.max(1, this.d.calls);
    if (full || first) keep(this);
    else keptCalls(this.id, this.d.calls);
  }

  /** Where arguments are speculated on by position (a rest parameter, or reads of `arguments` past the formals); -1: nowhere. */
  private positionsFrom(): number {
    if (this.restAt >= 0) return this.restAt;
    if (this.argumentsAt < 0) return -1;
    return (this.positionalFrom ??= this.compiler().readsArgumentsOnly(this.fn) ? this.argumentsAt : -1);
  }

  private names(): Array<string | null> {
    return (this.paramNames ??= this.compiler().parameterNames(this.fn) ?? []);
  }

  /** Compiles a version for `profiles` and adds it to the guard chain; false when nothing was compiled. */
  private compile(profiles: ArgumentProfile[], receiver: ArgumentProfile | null, recorded?: ArgumentFeedback[]): boolean {
    // From before the compiler loads (names() loads it): the first compile pays for the load.
    const cpuBefore = cpuUsage();
    const first = profiles === this.profiles;
    const restAt = this.positionsFrom();
    const argumentCount = first && this.argumentCount !== null ? this.argumentCount : undefined;
    const readsMissing = this.restAt < 0 && restAt >= 0 && argumentCount !== undefined && this.compiler().highestArgumentRead(this.fn) >= argumentCount;
    const spec = speculate({ paramNames: this.names(), profiles, receiver, dropped: this.dropped, recorded, restAt, argumentCount, readsMissing });
    // A version made on closure inputs alone (no argument was constant) whose guards the program's
    // later calls miss (lodash's `_.property(path)`: its type guard `object is object`, then
    // primitives): the misses get a version of the closure too, guarded only on what they share. Run
    // as the original behind the failed guard, they had made every call slower (2.6x the original
    // before the primitives, 0.96-1.09x after, with 1 call in 10 missing; /tmp/prop.mjs).
    const closureAgain = !first && this.d.versions.length > 0 && this.d.versions.every((v) => isEmptyRecord(this.specs.get(v)));
    if (isEmpty(spec) && !((first ? this.d.versions.length === 0 : closureAgain) && this.noConstantArguments().readClosureInputs())) {
      costs.loaded(); // names() loaded the compiler
      return false;
    }
    const name = this.d.name;
    const link = this.d.makeLink();
    let version: Version | null = null;
    let window: StaleWindow | null = null;
    const onDeopt = (guard: number) => {
      if (!version) return;
      if (this.d.recordDeopt(version, guard)) {
        const reason = Dispatcher.deoptReason(version, guard);
        this.d.event("deopt", reason);
        trace(`deopt ${name || "(anonymous)"} v${this.d.versions.indexOf(version) + 1}: ${reason}`);
      }
      const n = version.deopts;
      if (staleCheckDue(n)) checkStale(this.d, version, (window ??= staleWindow(this.d)), this.missesUnwatched, (first) => this.verifyGain(first), () => this.watchMissesAgain());
    };
    let usedSpec: Record<string, unknown> = spec.specialize;
    // A fixed tier-up (hotCalls) has no prediction of its own: it gets one for its limit.
    const headroomMs = this.limits.costGated ? costs.headroomMs(((cpuBefore.user + cpuBefore.system) / 1000), this.limits.compileBudget) : undefined;
    const limit = compileTimeLimit(this.gate.prediction ?? costs.price(this.gate.estimate()), this.options.maxCompileMs, headroomMs);
    let made = this.compiler().compileVersion(this.fn, { ...this.options, ...spec, ...limit, freeze: "guard", name }, onDeopt, link.fn);
    if (!made.ok && "this" in spec.specialize) {
      // The compiler may not take a receiver yet: try again without it. The attempt's time counts
      // and is told: find-my-way's `lookup`, tiered on its router, spent 2.4 s on a version too large
      // to keep, and `inspect` showed only the 2.6 ms of the version without it (sweep14).
      this.d.compileTimeMs += made.compileTimeMs;
      this.d.event("receiver dropped", `${made.fallbackReason ?? "INTERNAL: compile failed"} (after ${made.compileTimeMs.toFixed(0)} ms); compiling without speculating on this`);
      this.dropped.add("this");
      this.receiverUncompilable = true;
      const { this: _receiver, ...rest } = spec.specialize;
      usedSpec = rest;
      if (Object.keys(rest).length || Object.keys(spec.assume).length) made = this.compiler().compileVersion(this.fn, { ...this.options, specialize: rest, assume: spec.assume, ...(spec.argumentCount !== undefined ? { argumentCount: spec.argumentCount } : {}), ...limit, freeze: "guard", name }, onDeopt, link.fn);
      // With nothing else to specialize there is no second compile: its time is counted above
      // (mingo's tiering use reported 2,075 ms for its one 1,036 ms compile).
      else made = { ...made, compileTimeMs: 0 };
    }
    this.d.compileTimeMs += made.compileTimeMs;
    const cpu = cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    this.d.compileCpuMs += cpuMs;
    const prediction = this.gate.prediction;
    if (prediction) costs.learn(prediction, cpuMs);
    else {
      costs.loaded();
      costs.spent(cpuMs);
    }
    if (!made.ok || !made.fn) {
      this.d.goGeneric(made.fallbackReason ?? "INTERNAL: compile failed");
      trace(`fallback ${name || "(anonymous)"}: ${made.fallbackReason}`);
      return true;
    }
    version = { fn: made.fn, source: made.source, passes: made.passes, assumptions: made.assumptions, calls: made.calls, deopts: 0, compileTimeMs: 0, ...(made.setRoute ? { setRoute: made.setRoute } : {}), ...(made.setGeneric ? { setGeneric: made.setGeneric } : {}) };
    this.specs.set(version, usedSpec);
    window = staleWindow(this.d);
    this.d.addVersion(version, link);
    if (this.d.versions.length === 1) this.verifyGain(version);
    const detail = made.assumptions.map((a) => a.description).join("; ") || "no guards";
    this.d.event(`tier1 v${this.d.versions.length}`, detail);
    trace(`tier-up ${name || "(anonymous)"} v${this.d.versions.length} after ${this.d.calls} calls (compiled in ${made.compileTimeMs.toFixed(1)} ms, ${cpuMs.toFixed(1)} ms of CPU${prediction ? `, ${prediction.ms.toFixed(0)} predicted` : ""}): ${detail}`);
    this.callsAtVersion = this.d.calls;
    if (this.tier0Calls === 0) {
      this.tier0Calls = this.d.calls;
      this.tier0Ms = this.sampledMs;
    }
    this.misses = 0;
    this.missProfiles = [];
    this.missReceiver = this.receiver ? new ArgumentProfile() : null;
    this.record(); // a function that tiered up is hot: keep its summary even if the program drops it
    return true;
  }

  /**
   * The original's median time per call from its warm window, else the median of its last timed
   * calls (a cost-gated tier-up has no window), else its sampled mean over tier 0.
   */
  private originalMs(): number | undefined {
    if (this.warmTimes.length >= 16) return median(this.warmTimes);
    if (this.times.count >= 16) return this.times.recentMedian();
    if (this.tier0Calls > 0 && this.tier0Ms > 0) return this.tier0Ms / this.tier0Calls;
    if (this.d.calls > 0 && this.sampledMs > 0) return this.sampledMs / this.d.calls;
    return undefined;
  }

  /** Keeps the first version only if it is faster than the original (verify-gain.ts). */
  private verifyGain(version: Version): void {
    const measured = this.profiling ? (versionMs: number, originalMs: number) => void (this.timedGain = { versionMs, originalMs }) : undefined;
    verifyGain(this.d, version, () => this.originalMs(), clock, measured);
  }

  private tierUp(): void {
    this.nextCompileAt = Infinity;
    const recorded = this.d.versions.length === 0 && this.d.calls <= 1 ? this.profileEntry?.stableArgs : undefined;
    if (recorded?.length) this.profileDecided = true;
    if (!this.compile(this.profiles, this.receiver, recorded)) {
      // Nothing stable: a version would only add guards. Settle on the original, at no cost per call.
      this.d.event("no-speculation", "no argument was stable as a constant; running the original");
      this.d.goGeneric(this.gate.closurePending
        ? "no argument was stable as a constant when the function got hot, and its closure holds no object or made function to fold (stable types alone are left to V8)"
        : "no argument was stable as a constant when the function got hot (stable types alone are left to V8)");
    }
  }

  /** Every version's guards failed for this call. */
  onMiss(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    this.misses++;
    this.observe(this.missProfiles, this.missReceiver, thisArg, args);
    const since = this.d.calls - this.callsAtVersion;
    if (this.misses >= this.missBudgetAt && (missesEarnVersion(this.misses, since) || this.misses >= STEADY_MISSES)) this.addVersionForMisses(since);
    return this.run(thisArg, args, newTarget);
  }

  /**
   * The misses the policy stopped watching became most calls (checkStale): they are profiled again
   * from here, and judged on the calls from here (a new version of their own, or the original).
   */
  private watchMissesAgain(): void {
    this.missesUnwatched = false;
    // What the old inputs' misses said not to speculate on says nothing of the new ones.
    this.dropped.clear();
    if (this.receiverUncompilable) this.dropped.add("this");
    // Less the call being made: it was counted, and its miss (it goes on to the policy) is the first one watched.
    this.callsAtVersion = this.d.calls - 1;
    this.misses = 0;
    this.missBudgetAt = 0;
    this.missProfiles = [];
    this.missReceiver = this.receiver ? new ArgumentProfile() : null;
    this.d.watchMisses();
  }

  private addVersionForMisses(since: number): void {
    const d = this.d;
    if (d.versions.length >= this.limits.maxVersions) {
      d.goGeneric(`stays generic after ${d.versions.length} specialized versions (polymorphic limit)`);
      trace(`generic ${d.name || "(anonymous)"}: ${d.fallbackReason}`);
      return;
    }
    if (this.limits.costGated && !this.gate.fitsBudget()) {
      // Over the budget: the misses run the original; asked again once they have doubled.
      this.missBudgetAt = this.misses * 2;
      return;
    }
    const names = this.names();
    dropWhatMissed({ versions: d.versions, specs: this.specs, names, missProfiles: this.missProfiles, missReceiver: this.missReceiver }, this.dropped);
    const missed = this.misses;
    d.event("deoptimized", `${missed} of ${since} calls missed every guard; ${d.versions.length} version(s) live${this.dropped.size ? `; dropped ${[...this.dropped].join(", ")}` : ""}`);
    if (!this.compile(this.missProfiles, this.missReceiver)) {
      if (missed * 2 > since) d.goGeneric("the calls that missed the guards have no constant argument");
      else {
        d.stopWatchingMisses();
        this.missesUnwatched = true;
      }
    }
  }

  summary(options: { hash?: boolean } = {}): FunctionFeedback {
    // Not through the compiler: a function that never compiled must not load it (23 ms of CPU) to be summarized.
    const names = this.paramNames ?? (this.sourceNames ??= simpleParameterNames(this.source) ?? []);
    if (options.hash !== false) this.hash ??= sourceHash(this.source);
    return summarize(this.d, {
      names,
      sourceHash: this.hash ?? "",
      sourceKey: (this.key ??= sourceKey(this.source)),
      profiles: this.profiles, receiver: this.receiver,
      predictedCompileCpuMs: () => costs.priceLoaded(this.gate.estimate()),
      savedShare: this.gate.estimate().savedShare,
      warmTimes: this.warmTimes, tier0Calls: this.tier0Calls, tier0Ms: this.tier0Ms, timedGain: this.timedGain,
      ...(this.profileDecided && this.profileEntry ? { carried: this.profileEntry } : {}),
    });
  }
}

/**
 * The wall-clock limit of a tier-up (`maxCompileMs`, unless the caller set one), from the cost the
 * gate predicted (a fixed tier-up, at `hotCalls`, is priced for it): COMPILE_TIME_FACTOR times the prediction, within [MIN_COMPILE_LIMIT_MS, the compiler's
 * own 5 s]. A tier-up compiles inside one of the program's calls, and a prediction far off made
 * that call wait for the whole of the compiler's limit: Node's `util.format` (0.1 KB of source,
 * predicted 395 ms of CPU) blocked a call for 3.6-5.5 s, then fell back on size (sweep38 finding 6).
 * The factor leaves room for what the cold compiles of the real interpreters measured against
 * their predictions (fixtures/real, tiering, first compile of a process: 79-1,490 ms of CPU, wall
 * 40-922 ms, against about 395 predicted: valibot's 922 ms had 1.7 times its time to spare). On a
 * loaded machine the wall clock runs ahead of the compile, and one that would have paid may be cut:
 * the function then runs as the original, as any other fallback. At 6 times, util.format's call
 * still blocked 3.1-3.2 s (the limit is checked between steps of the compile, which overran it by
 * 0.7 s), at 4 times 2.0-2.3 s.
 *
 * A cost-gated tier-up (`headroomMs` given) has no 1 s floor: it gets the factor's room, or what the
 * process's compile budget still allows if that is more. A compile that cannot finish is then cut
 * near what the budget admitted it for: a 128×96 image kernel whose loop bounds stayed constant was
 * predicted at 55 ms, unrolled until the 1 s floor, and was thrown away there, 1.7 s of CPU in a
 * 0.55 s program (sweep47 #1).
 */
export function compileTimeLimit(prediction: { ms: number } | null, userLimit: number | undefined, headroomMs?: number): { maxCompileMs?: number } {
  if (!prediction || userLimit !== undefined) return {};
  const room = COMPILE_TIME_FACTOR * prediction.ms;
  const floor = headroomMs === undefined ? MIN_COMPILE_LIMIT_MS : Math.max(0, headroomMs);
  return { maxCompileMs: Math.round(Math.min(MAX_COMPILE_LIMIT_MS, Math.max(floor, room))) };
}
const COMPILE_TIME_FACTOR = 4;
const MIN_COMPILE_LIMIT_MS = 1000;
const MAX_COMPILE_LIMIT_MS = 5000;

/** `jit(fn)` without specialization options: the tiered dispatcher. */
export function createTieredFunction<F extends Function>(fn: F, options: Options, checked: Extract<Precheck, { ok: true }> | undefined, compiler: CompilerLoader): F {
  let pre = checked;
  if (!pre) {
    const r = settleAtJitTime(fn, options);
    if ("settled" in r) return r.settled;
    pre = r;
  }
  // A profile that says the compile cannot pay: the function itself, settled now, so that not
  // even kos's entry stays on the call path (V8 then inlines the original where it did without
  // kos; with the entry it did less, and the rules program ran 4% slower on settled entries).
  const profile = options.tiering?.profile;
  const name = jitName(fn, options);
  // In a profiling run (`kos profile`: KOS_FEEDBACK_OUT) the function settles at its first call
  // instead, with its calls counted, so that the new profile keeps the decision: returned as
  // itself, it was in no record, and a profile of a KOS_PROFILE run lost it (sweep35 repro-9).
  // The environment is read now, not at the first call: it is what held when `jit()` was called
  // (test/profiler/tiering.test.ts; the real-library bench sets KOS_HOT_CALLS around its jit() calls).
  const envHot = options.tiering?.hotCalls === undefined ? envHotCalls() : NaN;
  // A fixed tier-up (`hotCalls`) compiles whatever the compile costs, from a profile too: only a
  // cost-gated function weighs what the profile says against the compile.
  const costGated = options.tiering?.hotCalls === undefined && !(envHot > 0);
  if (costGated && (profile || process.env.KOS_PROFILE) && !process.env.KOS_FEEDBACK_OUT) {
    let entry: ProfileEntry | undefined;
    try {
      entry = findProfiledFunction(fn, profile, STABLE_ONLY);
    } catch {
      entry = undefined; // reported at the first call, as before
    }
    let reason: string | null = null;
    try {
      reason = entry ? profileSaysGeneric(entry, profileShare(entry, CompileCostModel.estimate(pre.source)), costs.pendingLoadMs()) : null;
    } catch {
      reason = null; // a profile kos cannot read decides nothing here (it is reported at the first call)
    }
    if (reason) {
      trace(`generic ${name || "(anonymous)"}: ${reason}`);
      return settleOriginal(fn, name, reason);
    }
  }
  // The policy's state (profiles, clocks, thresholds: about 40 fields and their arrays) is made at
  // the first call, so that `jit()` of a function never called costs the entry alone.
  const source = pre.source;
  const mentionsThis = pre.mentionsThis;
  // `kos profile` sets KOS_FEEDBACK_OUT for the whole run: read at the first call (each read of
  // process.env costs about 130 ns, a fortieth of a jit() that is never called).
  let policy: TieredFunction | null = null;
  const d: Dispatcher = Dispatcher.tiered(
    fn,
    { name, arity: pre.arity, exact: pre.exact, event: (thisArg, args, newTarget) => (policy ??= new TieredFunction(d, fn, source, options, mentionsThis, compiler, envHot, !!process.env.KOS_FEEDBACK_OUT)).onEvent(thisArg, args, newTarget) },
    // Misses come from a version's guards: a version exists, so the policy does.
    function (this: unknown, ...args: unknown[]) {
      return policy!.onMiss(this, args, new.target);
    },
  );
  d.event("tier0", "counting calls and argument profiles");
  return d.entry as F;
}

/**
 * Misses after which a steady minority of them (under 1 call in 8, which missesEarnVersion waits
 * for) is settled too: a version of their own where they have something to fold, else the
 * original without watching them. Each watched miss profiles its arguments: lodash's
 * `_.property(path)`, its version guarded on an object and 1 call in 10 then a primitive, ran
 * those calls at 130 ns against 20 ns for the original, and the whole mix at 1.0x the original
 * against 2.6x before the primitives (/tmp/prop.mjs, CPU time).
 */
const STEADY_MISSES = 1024;

function isEmptyRecord(r: Record<string, unknown> | undefined): boolean {
  return r !== undefined && Object.keys(r).length === 0;
}
