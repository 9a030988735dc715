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
 *   CPU cost, and a compile that reaches callees kos has not seen also waits
 *   until it fits the process's compile budget, REACH_COMPILE_BUDGET; with
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
 * The profiler calls the compiler; the compiler never imports this file.
 */
import { Dispatcher, settleAtJitTime, settleOriginal, trace, type Version } from "../compiler/dispatcher.js";
import { scanParameters, simpleParameterNames, type Precheck } from "../compiler/precheck.js";
import type * as CompilerIndex from "../compiler/index.js";
import type { JitOptions } from "../compiler/types.js";
import { ArgumentProfile } from "./feedback.js";
import { encodeValue, type ArgumentFeedback, type FunctionFeedback } from "./profile-format.js";
import { findProfiledFunction, sourceHash, sourceKey, type LoadedProfile } from "./profile-file.js";
import { isEmpty, speculate } from "./speculation.js";
import { keep, newFeedbackId, RECORD_AFTER_CALLS, watch } from "./feedback-record.js";
import { CallClock } from "../compiler/call-clock.js";
import { checkGain } from "../compiler/gain-check.js";
import { CLOSURE_ONLY_SAVED_SHARE, CompileCostModel, REACH_COMPILE_BUDGET, type CompileCostPrediction, type SourceEstimate } from "./compile-cost.js";

/**
 * Loads the compiler (acorn, eslint-scope, the evaluator: about 50 ms here,
 * the first `jit()` with values against the second). Called at the first
 * compile, not at `jit()`: a program whose functions never get hot never pays
 * for it. index.ts passes its lazy module getter.
 */
export type CompilerLoader = () => typeof CompilerIndex;

export { collectFeedback } from "./feedback-record.js";

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
   * The share of the process's CPU time tiering's compiles may have cost when a compile that
   * reaches callees kos has not seen (closures, modules, the receiver) starts. Default 0.01
   * (profiler/compile-cost.ts, REACH_COMPILE_BUDGET); a long-running service that wants its
   * library code compiled sooner can raise it, at the risk of a compile a short run does not repay.
   */
  compileBudget?: number;
  /** Live specialized versions before the function goes generic. Default 4 (V8's polymorphic limit). */
  maxVersions?: number;
  /** A loaded profile to take stable arguments from (default: env KOS_PROFILE). */
  profile?: LoadedProfile;
}

// Argument profiles see every call for the first EXACT_CALLS calls, then one call in about 64
// (fewer as calls grow: sampleStride), at a jittered stride: a fixed power-of-two stride
// aliased with a caller's 64-element batch and saw one argument tuple again and again.
// One observed call in 4 is also timed: at every 16th call the two performance.now()
// reads alone cost ~5 ns per call on average (BENCHMARKS.md, tiering).
// Each observed call runs kos's tier-0 code, which is still cold in a program's first
// milliseconds: 4.7 µs a call over calls 64-256 of `a + b` (/tmp probe, Node 20.20.2). With
// 256 exact calls, tier 0 cost the rules program (bench/programs/rules.ts) about 5 ms of
// CPU in its first 2,000 calls. 32 exact calls are enough for every speculation the tests
// and the bench programs check.
const EXACT_CALLS = 32;
/**
 * The mean stride between observed calls after EXACT_CALLS: 64, then growing with the
 * calls so far (n / 16, a power of two, at most 16384), so that a function waiting at tier 0
 * for its compile to pay costs less and less per call. With a fixed stride of 64, tier 0 cost
 * bench/programs/dsp.ts 48 ms of a 265 ms run (3.8 million calls of a 20 ns function,
 * waiting); each observation costs about 0.2 µs warm, each timed one 0.1 µs more. But the
 * policy's code runs a few hundred times per function, and stays in V8's interpreter: on
 * the rules program (bench/programs/rules.ts, three functions waiting for 200,000 calls)
 * its 1,100 observations cost 15 ms outside the calls they timed, 1.5% of the run. From
 * 4096 calls on, a stride of n / 16 observes 16 calls per doubling instead of 64, and times
 * each of them ({@link TIMED_FROM_STRIDE}), so the time estimate has as many samples as before.
 */
function sampleStride(n: number): number {
  if (n < 4096) return 64;
  return Math.min(16384, 2 ** Math.floor(Math.log2(n / 16)));
}
/** From this stride on, every observed call is timed (below it, one in four after the early ones). */
const TIMED_FROM_STRIDE = 256;
// The last WARM_CALLS calls before the tier-up at hotCalls (none before call 128) are all
// timed: their median is the original's time per call once V8 has warmed it (the profile's
// cost model, PROFILE_SAVED_SHARE). Earlier calls run cold: json-logic's apply averaged
// 10.8 µs over its first 1000 calls, 3.6 µs over calls 128-255, 2.5 µs over its last 256
// (under `kos profile`), and 1.1 µs warm. The window costs about 0.25 ms once per function
// (the first 1000 calls of `a + b`: 335 µs with a 128-call window, 396 µs with 256, 90-100 µs
// without), and 1.4-2.2 ms in a cold process, so only a run that needs the time has it: a
// profiling run (the profile records it) and a fixed hotCalls (the first version is checked
// against it). A cost-gated tier-up comes much later, and checks the version against the
// median of the last timed calls, which by then run warm.
const WARM_CALLS = 128;
const WARM_FROM = 128;
// A first version is timed as the original was, 128 calls at a time, and it stays only if its
// median call is faster than the original's in one of the windows. The specialized code can be
// slower: too large for V8 to optimize, or guarded reads that cost more than the generic code they
// replace (valibot's compiled `safeParse` ran 2.67 µs a call against 2.56 µs). The windows start
// at calls 872, 4000 and 16000 after the tier-up, because a large version is still cold at 872:
// expr-eval's ran 2.07 µs there against 1.29 µs for the original, and is 4.6x faster once V8 has
// optimized it. Below VERIFY_MIN_MS a call is too short for performance.now() around it to tell
// the two apart.
const VERIFY_MIN_MS = 0.0005;
const VERIFY_WINDOWS_AT = [872, 4000, 16000];
// The time estimate's outlier cap: timed calls kept, and how far above their median one may count.
const RECENT_TIMES = 32;
const OUTLIER_FACTOR = 8;
// A version's misses trigger a new version when at least MIN_MISSES calls missed every
// guard and they are more than 1 call in MISS_SHARE since the last version.
const MIN_MISSES = 16;
const MISS_SHARE = 8;
/**
 * Deopts of a version whose misses are no longer watched at which (and at every power of two
 * after) the share of calls that miss is checked: a power-of-two test per miss, nothing per hit.
 */
const STALE_CHECK_FROM = 256;
// A profile entry compiles at the first call only when the CPU time compiling took in the
// profiled run is below the share of the time the original would take over the same calls
// (calls × its sampled time per call) that its version is bet to save (compile-cost.ts: half
// for a function with callees kos had not seen, 0.8 for a self-contained one). Programs made of library interpreters
// (bench/programs/rules.ts) gained 2-3× per call but spent 100-150 ms compiling plus about as
// much CPU in V8's threads, which a 0.4 s run never won back; kernels
// (bench/programs/dsp.ts: fir) compile in 10-20 ms and save 80%. Profiles written before
// compileCpuMs existed carry wall time only, counted twice (cold compiles cost 1.8× their
// wall time in CPU).
const WALL_TO_CPU = 2;
// A profiling run times the original over calls 4872-5000, once V8 has optimized it:
// json-logic's apply (bench/programs/rules.ts, under `kos profile`) timed 2.43 µs a call over
// calls 872-1000, 1.14 µs over calls 4872-5000, and about 1.1 µs fully warm. KOS_PROFILE's cost
// model multiplies that time by the calls, and the 2x error had it compile json-logic where the
// compile could not pay. The window only times: tier-up still waits for the compile to pay.
const PROFILED_HOT_CALLS = 5000;
// Cost-gated tier-up is considered from this many calls on: the first EXACT_CALLS calls
// decide the first speculation.
const MIN_GATED_CALLS = EXACT_CALLS;
// A cost-gated function whose calls take under TINY_MS (the lower quartile of RECENT_TIMES timed
// calls, the clock's own cost taken off) settles on the original. Not the median: load only adds
// time, and on a loaded host the median of the DSP program's 2 ns `shapeSample` (bench/programs/dsp.ts)
// read over 20 ns in 2 of 3 runs, so it waited and compiled, at 60-100 ms of CPU, a version that
// ran 3.7 ns a call against 1.2 ns as written. A version's guards and call counter cost
// a few ns: `o.v + y` ran 0.4 ns a call as written and 4.1 ns compiled, through the entry. The clock
// ticks in 10 ns steps here, so such a function cannot be timed against its version either
// (VERIFY_MIN_MS), and waiting at tier 0 costs it 1.8 ns a call against 0.5 ns settled
// (/tmp probes, Node 20.20.2).
const TINY_MS = 0.00002;
// ...and whose median is under this: a function that returns early on a quarter of its calls and
// works on the rest (a cache hit, an invalid input) has a short lower quartile too, and its long
// calls can still gain. 80 ns is 4 times TINY_MS: above what load made of the 2 ns function.
const TINY_MEDIAN_MS = 4 * TINY_MS;

/** Whether timed calls with this lower quartile and median (ms) are too short for a version to gain. */
export function callsTooShortToGain(lowMs: number, medianMs: number): boolean {
  return lowMs < TINY_MS && medianMs < TINY_MEDIAN_MS;
}

// A cost-gated function none of whose arguments (nor its receiver) has stayed one constant over this
// many calls settles on the original: tiering compiles only on constants, so it would wait at tier 0
// for a compile that cannot come. lodash's `_.get(object, path, default)`, called with other objects
// and paths, paid 7 ns a call over its 91 ns at tier 0 (0.92x) for 480,000 calls
// (/work/explore probe, Node 20.20.2); the time-based gate had not even priced it.
const NO_CONSTANT_CALLS = 2048;
// Such a function is still compiled if its closure holds its program (closureInputs), but asking
// costs the compiler's load once (23 ms of CPU) and a closure read through the inspector: it is
// asked only of functions whose calls average at least this long (ms), where tier 0's own cost is
// under 1% and a version has most to fold (sift's matcher 2 µs a call, jsonschema's validate 30-120 µs).
const CLOSURE_CHECK_MS = 0.001;

type Options = JitOptions & { tiering?: TieringOptions };

type ProfileEntry = { stableArgs?: ArgumentFeedback[]; calls?: number; compileMs?: number; compileCpuMs?: number; predictedCompileCpuMs?: number; tier0UsPerCall?: number; tier?: number; fallbackReason?: string | null };

/** Why a profile entry says a compile cannot pay over a run like the profiled one; null when it can (or cannot tell). */
/**
 * The share a profile-guided version is bet to save: as for any version of this source, or the
 * closure-only share where the profiled run saw no constant argument (a stable type alone: the
 * version folds only what its closure holds). At the function's share, the documents program's
 * `validate` (bench/programs/documents.ts) compiled at its first call and the run took 0.90× no
 * kos in CPU time.
 */
function profileShare(entry: ProfileEntry, estimate: SourceEstimate): number {
  return entry.stableArgs?.some((a) => a.stability === "constant") ? estimate.savedShare : CLOSURE_ONLY_SAVED_SHARE;
}

function profileSaysGeneric(entry: ProfileEntry, savedShare: number): string | null {
  // The profiled run settled it on the original (too short to gain, slower compiled, a compile that
  // failed, out of versions): compiling it at the first call would undo what that run measured.
  if (entry.fallbackReason && !entry.tier) return `the profiled run settled it on the original: ${entry.fallbackReason}`;
  const { calls, compileMs, compileCpuMs, tier0UsPerCall } = entry;
  const { predictedCompileCpuMs } = entry;
  const recordedCost = compileCpuMs ?? (compileMs === undefined ? predictedCompileCpuMs : compileMs * WALL_TO_CPU);
  // The profiled run's first compile paid for loading the compiler; this run's first one will too, whichever it is.
  const cost = recordedCost === undefined ? undefined : recordedCost + costs.pendingLoadMs();
  if (calls === undefined || cost === undefined || tier0UsPerCall === undefined) return null;
  const saved = (calls * tier0UsPerCall * savedShare) / 1000;
  if (cost <= saved) return null;
  return `the profile says compiling costs ${cost.toFixed(1)} ms of CPU against at most ${saved.toFixed(1)} ms saved over ${calls} calls`;
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

// One compile-cost model per process, as V8 keeps its tier-up budgets per isolate: the
// compiler it prices loads once per process, and how warm one compile found it holds for the next.
const costs = new CompileCostModel();
// Profile entries tiering acts on: those with stable arguments, which carry the cheap key.
const STABLE_ONLY = { stableOnly: true } as const;
// The clock tier 0 times calls with (CallClock: stateless, one per process like the model).
const clock = new CallClock();

class TieredFunction {
  readonly id = newFeedbackId();
  readonly hotCalls: number;
  readonly hotTimeMs: number;
  readonly maxVersions: number;
  private readonly compileBudget: number;
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
  /** What each version was specialized on (to tell a changed object from a new one). */
  private readonly specs = new WeakMap<Version, Record<string, unknown>>();
  private nextCompileAt: number;
  private nextSample = 1;
  private sampledMs = 0;
  /**
   * The last timed calls (ms, a ring, made at the first: a typed array of 32 doubles took `jit()` of
   * a function never called from 4.0 to 4.8 µs), and their median: what one timed call is capped to
   * a multiple of.
   */
  private recentTimes: Float64Array | null = null;
  private recentCount = 0;
  private typicalMs = Infinity;
  /** The lower quartile of the same calls: how short a call is (load and preemption only add time). */
  private lowMs = Infinity;
  /** The gate's threshold (sampled ms) as last priced, and the cost model's revision it was priced at. */
  private payAtMs = Infinity;
  private pricedAt = -1;
  private observed = 0;
  private jitter = 0x2545f491;
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
  /** Times (ms) of the calls in the warm window [warmFrom, warmTo) (the profile's cost model). */
  private warmTimes: number[] = [];
  private readonly warmFrom: number;
  private readonly warmTo: number;
  private profileChecked = false;
  /** The stable closure bindings holding a program (compiler/closure-inputs.ts), read when no argument stayed constant. */
  private closureInputs: string[] = [];
  private closureChecked = false;
  /** No argument stayed constant, and the closure is to be read at the tier-up (holdsClosureInputs). */
  private closurePending = false;
  /** Whether the arguments were checked for a constant (NO_CONSTANT_CALLS). */
  private constantsJudged = false;
  /** Tier-up waits for the compile to pay (no `hotCalls` given). */
  private readonly costGated: boolean;
  private estimate: SourceEstimate | null = null;
  /** The prediction the last gate check made (what a compile that follows is measured against). */
  private prediction: CompileCostPrediction | null = null;
  private waitingSaid = false;
  private budgetSaid = false;
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
    profiling: boolean,
  ) {
    const t = options.tiering ?? {};
    // A profiling run (`kos profile` sets KOS_FEEDBACK_OUT) tiers up as a plain run does, when the
    // compile pays, so that it costs what the program costs: compiling at a fixed count to
    // measure each compile made `kos profile` of the rules program take 2.21x its wall time
    // (BENCHMARKS.md, programs). A function it never compiles records the predicted cost instead.
    this.costGated = t.hotCalls === undefined && !(envHot > 0);
    // With the cost gate, hotCalls only places the warm window that times the original for profiles.
    this.hotCalls = t.hotCalls ?? (envHot > 0 ? envHot : profiling ? PROFILED_HOT_CALLS : 1000);
    this.hotTimeMs = t.hotTimeMs ?? 20;
    this.maxVersions = t.maxVersions ?? 4;
    this.compileBudget = t.compileBudget ?? REACH_COMPILE_BUDGET;
    this.nextCompileAt = this.costGated ? Infinity : this.hotCalls;
    this.warmTo = Number.isFinite(this.hotCalls) && (!this.costGated || profiling) ? this.hotCalls : 0;
    this.warmFrom = Math.max(WARM_FROM, this.warmTo - WARM_CALLS);
    const scanned = scanParameters(source);
    this.restAt = scanned.rest && scanned.arity >= 0 ? scanned.arity : -1;
    this.argumentsAt = !scanned.rest && scanned.arity >= 0 && /\barguments\b/.test(source) ? scanned.arity : -1;
    this.receiver = mentionsThis ? new ArgumentProfile() : null;
    this.missReceiver = mentionsThis ? new ArgumentProfile() : null;
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
    for (let i = 0; i < args.length && i < 16; i++) (profiles[i] ??= new ArgumentProfile()).observe(args[i]);
    receiver?.observe(thisArg);
  }

  /**
   * No argument stayed constant: the function may still hold its program in its closure
   * (compiler/closure-inputs.ts). A function whose calls took CLOSURE_CHECK_MS on average so far
   * keeps waiting at tier 0, and its closure is read when the cost gate says a compile would pay
   * (reading it loads the compiler and the inspector: about 100 ms the first time in a process,
   * a few ms after); without closure inputs it then settles on the original.
   */
  private holdsClosureInputs(n: number): boolean {
    if (this.sampledMs / n < CLOSURE_CHECK_MS) return false;
    this.closurePending = true;
    this.pricedAt = -1; // priced again with the closure-only share
    this.d.event("no-constant", "no argument stayed constant; the closure is read for a program to fold once a compile would pay");
    return true;
  }

  /** Reads the closure inputs once; true when there are some. */
  private readClosureInputs(): boolean {
    if (this.closureChecked) return this.closureInputs.length > 0;
    this.closureChecked = true;
    try {
      this.closureInputs = this.compiler().closureInputs(this.fn);
    } catch {
      this.closureInputs = [];
    }
    costs.loaded();
    if (this.closureInputs.length === 0) return false;
    this.d.event("closure-inputs", `no argument stayed constant; its closure holds ${this.closureInputs.map((x) => `\`${x}\``).join(", ")}, which a version folds`);
    trace(`closure inputs ${this.d.name || "(anonymous)"}: ${this.closureInputs.join(", ")}`);
    return true;
  }

  /** The entry reached its next threshold (tier 0 only). */
  onEvent(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    const n = this.d.calls;
    if (!this.profileChecked) {
      // First call: from now on the function is in the feedback dump (a function never called has nothing to say).
      this.profileChecked = true;
      watch(this);
      try {
        const t = this.options.tiering ?? {};
        this.profileEntry = findProfiledFunction(this.fn, t.profile, STABLE_ONLY);
      } catch (e) {
        this.d.event("profile-error", (e as Error).message);
      }
      const entry = this.profileEntry;
      if (entry?.stableArgs?.length) {
        const reason = profileSaysGeneric(entry, profileShare(entry, (this.estimate ??= CompileCostModel.estimate(this.source))));
        if (reason) {
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
      const stride = n < EXACT_CALLS ? 1 : sampleStride(n);
      this.nextSample = n < EXACT_CALLS ? n + 1 : n + (stride >> 1) + ((this.jitter >>> 16) % stride);
      // For its first 8 × RECENT_TIMES timed calls, every observation is timed; then one in 4 until the stride reaches TIMED_FROM_STRIDE. Timing
      // one in 4 from the start, `(k, x) => k + x` was settled on the original (too short to gain) at
      // 24,576 calls in 5 of 5 runs, all of them at tier 0's cost; timing each, at 2,048 calls in 8
      // of 10 (12,800 in one, not within 200,000 in the other; the DSP program's `shapeSample`,
      // bench/programs/dsp.ts, is the same case). Timing costs about 0.1 µs more per observed call, a few µs in all.
      const each = this.recentCount < 8 * RECENT_TIMES || stride >= TIMED_FROM_STRIDE;
      if (each || (++this.observed & 3) === 0) {
        timed = true;
        // A timed call stands for the observed calls it represents, each standing for the calls since the last.
        weight = each ? stride : 4 * stride;
      }
    }
    if (this.costGated && n >= NO_CONSTANT_CALLS && this.d.versions.length === 0 && !this.constantsJudged && !this.profileEntry?.stableArgs?.length) {
      this.constantsJudged = true;
      if (!this.profiles.some((p) => p?.stability === "constant") && this.receiver?.stability !== "constant" && !this.holdsClosureInputs(n)) {
        const reason = `no argument stayed constant over its first ${NO_CONSTANT_CALLS} calls (tiering speculates on constants; stable types alone are left to V8)`;
        this.d.goGeneric(reason);
        trace(`generic ${this.d.name || "(anonymous)"}: ${reason}`);
        return this.run(thisArg, args, newTarget);
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
    // The clock's own cost, read around the call by the same code (CallClock).
    const before = clock.probe();
    const start = clock.now();
    const r = newTarget ? this.run(thisArg, args, newTarget) : clock.call(this.fn, thisArg, args);
    const end = clock.now();
    const dt = clock.net(end - start, Math.min(before, clock.probe()));
    this.sampledMs += this.capped(dt) * weight;
    if (warm) this.warmTimes.push(dt);
    if (this.d.tier !== 0) return r;
    if (this.costGated) {
      // Judged once the ring has turned over: its first timed calls run cold, original and clock alike.
      if (this.recentCount >= 2 * RECENT_TIMES && callsTooShortToGain(this.lowMs, this.typicalMs) && this.d.versions.length === 0) {
        const reason = `its calls take under ${TINY_MS * 1e6} ns (the lower quartile of the last ${RECENT_TIMES} timed calls, the clock's own cost taken off): too short for a compiled version to gain what its guards cost`;
        this.d.goGeneric(reason);
        trace(`generic ${this.d.name || "(anonymous)"}: ${reason}`);
      } else if (n >= MIN_GATED_CALLS && this.nextCompileAt === Infinity && this.compileWouldPay()) {
        this.nextCompileAt = n + 1;
        this.d.setNext(n + 1);
      }
    } else if (Number.isFinite(this.hotCalls) && this.nextCompileAt !== Infinity && this.sampledMs >= this.hotTimeMs && n >= 50) {
      // Hot by time: a slow function need not wait for hotCalls calls.
      this.nextCompileAt = n + 1;
      this.d.setNext(n + 1);
    }
    return r;
  }

  /**
   * One timed call's time as it counts towards the estimate, at most OUTLIER_FACTOR times the median
   * of the last ones: a call the OS preempted or a GC paused stands for up to 16384 calls, and one
   * such call of a 0.05 µs function counted as 250 ms and tiered it up (a test run on a loaded CI
   * host, test/profiler/tiering.test.ts).
   */
  private capped(dt: number): number {
    const n = ++this.recentCount;
    (this.recentTimes ??= new Float64Array(RECENT_TIMES))[(n - 1) % RECENT_TIMES] = dt;
    // The median is taken at 8, 16, 24 and 32 timed calls, then every 16th: a sort of 32 doubles
    // at every 8th timed call was a fifth of tier 0's cost in a cold process (1.1 of 5.4 ms).
    if (n <= RECENT_TIMES ? (n & 7) === 0 : (n & 15) === 0) {
      const sorted = this.recentSorted();
      this.typicalMs = sorted[sorted.length >> 1]!;
      this.lowMs = sorted[sorted.length >> 2]!;
    }
    return Math.min(dt, this.typicalMs * OUTLIER_FACTOR);
  }

  /** The median of the recent timed calls (NaN when there are none). */
  private recentMedian(): number {
    if (!this.recentTimes) return NaN;
    const sorted = this.recentSorted();
    return sorted[sorted.length >> 1]!;
  }

  /** The recent timed calls, sorted (a copy). */
  private recentSorted(): Float64Array {
    return this.recentTimes!.slice(0, Math.min(this.recentCount, RECENT_TIMES)).sort();
  }

  /** The share of its time a version is bet to save (compile-cost.ts). */
  private savedShare(): number {
    return this.closurePending ? CLOSURE_ONLY_SAVED_SHARE : this.estimate!.savedShare;
  }

  /** The cost gate: has the function used enough time to pay for its predicted compile? */
  private compileWouldPay(): boolean {
    // Priced again only when the model changed: a compile elsewhere in the process may have loaded
    // the compiler or rescaled it. A full price at every timed call (its explanation string included)
    // was most of the gate's cost.
    if (this.pricedAt !== costs.revision) {
      this.estimate ??= CompileCostModel.estimate(this.source);
      this.pricedAt = costs.revision;
      this.payAtMs = CompileCostModel.usedToPay(costs.priceMs(this.estimate), this.savedShare());
    }
    if (this.sampledMs < this.payAtMs && (this.waitingSaid || this.d.calls < this.hotCalls)) return false;
    if (this.sampledMs >= this.payAtMs && this.reachesUnseen() && !this.fitsBudget()) return false;
    this.prediction = costs.price(this.estimate!);
    if (CompileCostModel.worthIt(this.sampledMs, this.prediction, this.savedShare())) return true;
    if (!this.waitingSaid && this.d.calls >= this.hotCalls) {
      this.waitingSaid = true;
      const p = this.prediction;
      const detail = `a compile is predicted to cost ${p.ms.toFixed(0)} ms of CPU (${p.why}); it compiles once the function has used ${CompileCostModel.usedToPay(p.ms, this.savedShare()).toFixed(0)} ms (${this.sampledMs.toFixed(1)} ms so far)`;
      this.d.event("waiting", detail);
      trace(`waiting ${this.d.name || "(anonymous)"}: ${detail}`);
    }
    return false;
  }

  /** Whether a compile reaches callees kos has not seen (closures, modules, the receiver): the budgeted kind. */
  private reachesUnseen(): boolean {
    return this.closurePending || (this.estimate ??= CompileCostModel.estimate(this.source)).reachMs > 0;
  }

  /**
   * The process's compile budget (compile-cost.ts, REACH_COMPILE_BUDGET): has the process used
   * enough CPU that this compile keeps tiering's compiles within their share of it? Read only
   * once the function's own time would pay, at its timed calls (process.cpuUsage: about 1 µs).
   */
  private fitsBudget(): boolean {
    const share = this.compileBudget;
    const needCpuMs = costs.budgetCpuMs(costs.priceMs((this.estimate ??= CompileCostModel.estimate(this.source))), share);
    const used = process.cpuUsage();
    const cpuMs = (used.user + used.system) / 1000;
    if (cpuMs >= needCpuMs) return true;
    if (!this.budgetSaid) {
      this.budgetSaid = true;
      const detail = `its compile would pay from its own time, but a compile that reaches callees kos has not seen waits until tiering's compiles fit in ${+(share * 100).toPrecision(3)}% of the process's CPU time: from ${(needCpuMs / 1000).toFixed(1)} s of CPU (${(cpuMs / 1000).toFixed(1)} s so far)`;
      this.d.event("waiting", detail);
      trace(`waiting ${this.d.name || "(anonymous)"}: ${detail}`);
    }
    return false;
  }

  private record(): void {
    this.recorded = true;
    this.keptAt = Math.max(1, this.d.calls);
    keep(this);
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
    const cpuBefore = process.cpuUsage();
    const first = profiles === this.profiles;
    const spec = speculate({ paramNames: this.names(), profiles, receiver, dropped: this.dropped, recorded, restAt: this.positionsFrom(), argumentCount: first && this.argumentCount !== null ? this.argumentCount : undefined });
    if (isEmpty(spec) && !(first && this.d.versions.length === 0 && this.readClosureInputs())) {
      costs.loaded(); // names() loaded the compiler
      return false;
    }
    const name = this.d.name;
    const link = this.d.makeLink();
    let version: Version | null = null;
    const onDeopt = (guard: number) => {
      if (!version) return;
      if (this.d.recordDeopt(version, guard)) {
        const reason = Dispatcher.deoptReason(version, guard);
        this.d.event("deopt", reason);
        trace(`deopt ${name || "(anonymous)"} v${this.d.versions.indexOf(version) + 1}: ${reason}`);
      }
      const n = version.deopts;
      if (n >= STALE_CHECK_FROM && (n & (n - 1)) === 0) this.checkStale(version);
    };
    let usedSpec: Record<string, unknown> = spec.specialize;
    let made = this.compiler().compileVersion(this.fn, { ...this.options, ...spec, freeze: "guard", name }, onDeopt, link.fn);
    if (!made.ok && "this" in spec.specialize) {
      // The compiler may not take a receiver yet: try again without it.
      this.dropped.add("this");
      const { this: _receiver, ...rest } = spec.specialize;
      usedSpec = rest;
      if (Object.keys(rest).length || Object.keys(spec.assume).length) made = this.compiler().compileVersion(this.fn, { ...this.options, specialize: rest, assume: spec.assume, ...(spec.argumentCount !== undefined ? { argumentCount: spec.argumentCount } : {}), freeze: "guard", name }, onDeopt, link.fn);
    }
    this.d.compileTimeMs += made.compileTimeMs;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    this.d.compileCpuMs += cpuMs;
    if (this.prediction) costs.learn(this.prediction, cpuMs);
    else {
      costs.loaded();
      costs.spent(cpuMs);
    }
    if (!made.ok || !made.fn) {
      this.d.goGeneric(made.fallbackReason ?? "INTERNAL: compile failed");
      trace(`fallback ${name || "(anonymous)"}: ${made.fallbackReason}`);
      return true;
    }
    version = { fn: made.fn, source: made.source, passes: made.passes, assumptions: made.assumptions, calls: made.calls, deopts: 0, compileTimeMs: 0, ...(made.setRoute ? { setRoute: made.setRoute } : {}) };
    this.specs.set(version, usedSpec);
    this.d.addVersion(version, link);
    if (this.d.versions.length === 1) this.verifyGain(version);
    const detail = made.assumptions.map((a) => a.description).join("; ") || "no guards";
    this.d.event(`tier1 v${this.d.versions.length}`, detail);
    trace(`tier-up ${name || "(anonymous)"} v${this.d.versions.length} after ${this.d.calls} calls (compiled in ${made.compileTimeMs.toFixed(1)} ms, ${cpuMs.toFixed(1)} ms of CPU${this.prediction ? `, ${this.prediction.ms.toFixed(0)} predicted` : ""}): ${detail}`);
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
    if (this.recentCount >= 16) return this.recentMedian();
    if (this.tier0Calls > 0 && this.tier0Ms > 0) return this.tier0Ms / this.tier0Calls;
    if (this.d.calls > 0 && this.sampledMs > 0) return this.sampledMs / this.d.calls;
    return undefined;
  }

  /**
   * Times the first version's calls as the original's were timed, then keeps it only if it is
   * faster: jit never makes a function slower than it was, compile cost aside.
   */
  private verifyGain(version: Version): void {
    // A large version is timed against the original call by call, as an explicit one is: the
    // median of its calls alone missed what ow's `ow.any` paid on the calls whose validators
    // threw (V8 parses the version again to word each error), and it ran 10x slower than the
    // library for 16,000 calls before the last window sent it back.
    if (version.setRoute) {
      checkGain(this.d, version, version.setRoute);
      return;
    }
    const before = this.originalMs();
    if (before === undefined || before < VERIFY_MIN_MS) return;
    const d = this.d;
    const fn = version.fn;
    const times: number[] = [];
    let window = 0;
    let calls = 0;
    const name = d.name || "(anonymous)";
    const decide = () => {
      if (d.versions[0] !== version) return true; // deoptimized or replaced meanwhile
      const after = median(times);
      times.length = 0;
      if (after < before) {
        d.restoreHead();
        d.event("verified", `${(after * 1000).toFixed(3)} µs a call against ${(before * 1000).toFixed(3)} µs for the original`);
        return true;
      }
      if (++window < VERIFY_WINDOWS_AT.length) return false;
      const reason = `the compiled version ran ${(after * 1000).toFixed(3)} µs a call against ${(before * 1000).toFixed(3)} µs for the original (medians of ${WARM_CALLS} timed calls, after ${VERIFY_WINDOWS_AT[window - 1]} calls): it stays the original`;
      d.goGeneric(reason);
      trace(`generic ${name}: ${reason}`);
      return true;
    };
    d.routeHead(function (this: unknown, ...args: unknown[]) {
      if (++calls <= VERIFY_WINDOWS_AT[window]!) return Reflect.apply(fn, this, args);
      const before = clock.probe();
      const start = clock.now();
      try {
        return clock.call(fn, this, args);
      } finally {
        const end = clock.now();
        times.push(clock.net(end - start, Math.min(before, clock.probe())));
        if (times.length === WARM_CALLS && decide()) times.length = 0;
      }
    });
  }

  private tierUp(): void {
    this.nextCompileAt = Infinity;
    const recorded = this.d.versions.length === 0 && this.d.calls <= 1 ? this.profileEntry?.stableArgs : undefined;
    if (!this.compile(this.profiles, this.receiver, recorded)) {
      // Nothing stable: a version would only add guards. Settle on the original, at no cost per call.
      this.d.event("no-speculation", "no argument was stable as a constant; running the original");
      this.d.goGeneric(this.closurePending
        ? "no argument was stable as a constant when the function got hot, and its closure holds no object or made function to fold (stable types alone are left to V8)"
        : "no argument was stable as a constant when the function got hot (stable types alone are left to V8)");
    }
  }

  /** Every version's guards failed for this call. */
  onMiss(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    this.misses++;
    this.observe(this.missProfiles, this.missReceiver, thisArg, args);
    const since = this.d.calls - this.callsAtVersion;
    if (this.misses >= MIN_MISSES && this.misses * MISS_SHARE > since && this.misses >= this.missBudgetAt) this.addVersionForMisses(since);
    return this.run(thisArg, args, newTarget);
  }

  private addVersionForMisses(since: number): void {
    const d = this.d;
    if (d.versions.length >= this.maxVersions) {
      d.goGeneric(`stays generic after ${d.versions.length} specialized versions (polymorphic limit)`);
      trace(`generic ${d.name || "(anonymous)"}: ${d.fallbackReason}`);
      return;
    }
    if (this.costGated && this.reachesUnseen() && !this.fitsBudget()) {
      // Over the budget: the misses run the original; asked again once they have doubled.
      this.missBudgetAt = this.misses * 2;
      return;
    }
    // A guarded parameter whose misses show no single value is dropped from speculation.
    const names = this.names();
    for (const v of d.versions) {
      // The same object came back with other contents (a state object the program mutates): its
      // contents are not worth speculating on again (each version would miss the same way). Only
      // where a content guard is what failed: a constant configuration whose version missed on
      // another argument's identity was dropped too, and every later call missed (an io-ts `is`
      // ran 10x slower than the original).
      if (v.assumptions.some((a, guard) => a.kind === "content" && v.deoptCounts?.[guard] !== undefined)) {
        for (const [param, value] of Object.entries(this.specs.get(v) ?? {})) {
          if (value === null || typeof value !== "object") continue;
          const p = names.indexOf(param);
          const seen = p >= 0 ? this.missProfiles[p] : param === "this" ? this.missReceiver : undefined;
          if (seen && seen.stability === "constant" && seen.constantValue === value) this.dropped.add(param);
        }
      }
      for (const a of v.assumptions) {
        const p = /^\d+$/.test(a.param) ? Number(a.param) : names.indexOf(a.param);
        const seen = p >= 0 ? this.missProfiles[p] : a.param === "this" ? this.missReceiver : undefined;
        if (seen && seen.stability !== "constant" && a.kind !== "type") this.dropped.add(a.param);
        if (seen && (seen.stability === "varies" || seen.stability === "unseen")) this.dropped.add(a.param);
      }
    }
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

  /**
   * Misses of the last version run the original directly once the policy stopped watching them,
   * each through the version's failed guard: about 25 ns a call more than the original. When the
   * inputs change after that decision and most calls miss, the function goes generic.
   */
  private checkStale(version: Version): void {
    const d = this.d;
    const at = d.versions.indexOf(version);
    if (at === 0 && d.versions.length > 1) {
      // The first version's misses go on to a later one: when they are most of its calls, the later
      // versions serve the program, and the first only adds its miss path to their calls.
      const calls = version.calls();
      if (version.deopts * 2 <= calls) return;
      const reason = `its guards failed on ${version.deopts} of its ${calls} calls`;
      d.dropFirstVersion(reason);
      trace(`dropped v1 of ${d.name || "(anonymous)"}: ${reason}`);
      // The new first version is timed against the original as the first one was.
      this.verifyGain(d.versions[0]!);
      return;
    }
    if (!this.missesUnwatched || at !== d.versions.length - 1) return;
    const since = d.calls - this.callsAtVersion;
    if (version.deopts * 2 <= since) return;
    const reason = `the guards of its last version failed on ${version.deopts} of ${since} calls since it was made: it runs the original`;
    d.goGeneric(reason);
    trace(`generic ${d.name || "(anonymous)"}: ${reason}`);
  }

  summary(options: { hash?: boolean } = {}): FunctionFeedback {
    // Not through the compiler: a function that never compiled must not load it (23 ms of CPU) to be summarized.
    const names = this.paramNames ?? (this.sourceNames ??= simpleParameterNames(this.source) ?? []);
    if (options.hash !== false) this.hash ??= sourceHash(this.source);
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
      sourceHash: this.hash ?? "",
      sourceKey: (this.key ??= sourceKey(this.source)),
      calls: d.calls,
      deopts: d.deopts,
      tier: d.tier === "fallback" ? 0 : d.tier,
      versions: d.versions.length,
      fallbackReason: d.fallbackReason,
      args: this.profiles.map((p, index) => describe(p, index, names[index] ?? `arg${index}`)),
    };
    if (this.receiver) out.receiver = describe(this.receiver, -1, "this");
    if (d.compileTimeMs > 0) out.compileMs = Math.round(d.compileTimeMs * 100) / 100;
    if (d.compileCpuMs > 0) out.compileCpuMs = Math.round(d.compileCpuMs * 100) / 100;
    else if (d.versions.length === 0 && !d.fallbackReason) {
      this.estimate ??= CompileCostModel.estimate(this.source);
      out.predictedCompileCpuMs = Math.round(costs.priceLoaded(this.estimate) * 100) / 100;
    }
    if (this.warmTimes.length >= 16) {
      out.tier0UsPerCall = Math.round(median(this.warmTimes) * 1e6) / 1000;
    } else if (this.tier0Calls > 0 && this.tier0Ms > 0) {
      // Hot by time before the warm window: the sampled mean over tier 0 (colder, so higher).
      out.tier0UsPerCall = Math.round((this.tier0Ms / this.tier0Calls) * 1e6) / 1000;
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
    pre = r;
  }
  // A profile that says the compile cannot pay: the function itself, settled now, so that not
  // even kos's entry stays on the call path (V8 then inlines the original where it did without
  // kos; with the entry it did less, and the rules program ran 4% slower on settled entries).
  const profile = options.tiering?.profile;
  if (profile || process.env.KOS_PROFILE) {
    let entry: ProfileEntry | undefined;
    try {
      entry = findProfiledFunction(fn, profile, STABLE_ONLY);
    } catch {
      entry = undefined; // reported at the first call, as before
    }
    const reason = entry?.stableArgs?.length ? profileSaysGeneric(entry, profileShare(entry, CompileCostModel.estimate(pre.source))) : null;
    if (reason) {
      trace(`generic ${options.name ?? fn.name ?? "(anonymous)"}: ${reason}`);
      return settleOriginal(fn, options.name ?? fn.name, reason);
    }
  }
  // The policy's state (profiles, clocks, thresholds: about 40 fields and their arrays) is made at
  // the first call, so that `jit()` of a function never called costs the entry alone.
  const source = pre.source;
  const mentionsThis = pre.mentionsThis;
  // The environment is read now, not at the first call: it is what held when `jit()` was called
  // (test/profiler/tiering.test.ts; the real-library bench sets KOS_HOT_CALLS around its jit() calls).
  const envHot = options.tiering?.hotCalls === undefined ? Number(process.env.KOS_HOT_CALLS) : NaN;
  // `kos profile` sets KOS_FEEDBACK_OUT for the whole run: read at the first call (each read of
  // process.env costs about 130 ns, a fortieth of a jit() that is never called).
  let policy: TieredFunction | null = null;
  const d: Dispatcher = Dispatcher.tiered(
    fn,
    { name: options.name ?? fn.name, arity: pre.arity, exact: pre.exact, event: (thisArg, args, newTarget) => (policy ??= new TieredFunction(d, fn, source, options, mentionsThis, compiler, envHot, !!process.env.KOS_FEEDBACK_OUT)).onEvent(thisArg, args, newTarget) },
    // Misses come from a version's guards: a version exists, so the policy does.
    function (this: unknown, ...args: unknown[]) {
      return policy!.onMiss(this, args, new.target);
    },
  );
  d.event("tier0", "counting calls and argument profiles");
  return d.entry as F;
}
