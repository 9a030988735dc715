/**
 * The dormant tier: `jit(fn)` with no options, before kos's core is worth loading.
 *
 * Tiering's first `jit(fn)` loaded kos's core (the dispatcher, the tiering policy: one script
 * through V8's code cache, 9.9 ms), and the policy's code then ran cold at the function's first
 * calls (2.2 ms over its first 1000: BENCHMARKS.md, tiering). A short program paid that and
 * compiled nothing, since every compile waits for the process's compile budget
 * (profiler/compile-budget.ts): the DSP program of bench/programs ran at 0.92× no kos in CPU time
 * under tiering, and 12 of its 30-45 ms over no kos were that load and the cold policy
 * (`node --cpu-prof` of dsp.js, 3000 blocks: `loadCodeCached` 9.2-14 ms, the policy's events
 * 5-10 ms). So the core's load is weighed like a compile: a function waits here, behind an entry
 * that only counts its calls, until the core's load and a first compile fit the budget
 * ({@link WAKE_COST_MS}). Then it wakes: the core loads and the entry runs a tiering entry of the
 * function, which profiles it from then on as `jit(fn)` always did.
 *
 * The entry is the tiering entry's own (tiering-entry.ts): the dispatcher's entries and this one
 * are made by the same factories, and V8 inlines through both (a woken entry calls the tiering
 * entry, whose target is then its version or the original). This module and those it imports are
 * a script of their own in the build (scripts/bundle-compiler.mjs, TIER0), which the core's
 * script shares.
 *
 * Only the plain `jit(fn)` sleeps (of a bound function, its target: see sleepingBound), and not a
 * function too small to gain from tiering what counting its calls costs, which is returned as it is
 * (small-function.ts). Options, a profiling run (`kos profile`), a fixed tier-up
 * (`KOS_HOT_CALLS`) or the compile cache (`KOS_CACHE`) ask for what the core does at once (under
 * `KOS_JIT=0` the function is returned as it is, by this tier); so does a process whose core is
 * loaded already (an explicit `jit(fn, { specialize })`, or kos run from its TypeScript sources), and
 * a function the precheck refuses, whose reason the core records. Under a profile (`KOS_PROFILE`) no
 * function sleeps: one whose entry `kos profile` recorded as settling (recorded-verdicts.ts) is
 * settled here, as the core would settle it, and the core decides every other at once.
 */
import { cpuUsage, wallClockMs } from "../intrinsic-clocks.js";
import { BASE_MS, COMPILE_BUDGET, LOAD_MS } from "../profiler/compile-budget.js";
import { EntryBrand } from "./entry-brand.js";
import { COUNT, GENERIC, NEXT, QUIET, QUIET_SITES, RUN, WARM, type EntryControl } from "./entry-factory.js";
import { precheck, type Precheck } from "./precheck.js";
import { disabledReason, jitDisabledBy } from "./jit-switch.js";
import { inheritOwnProperties, makeTieringEntry, mirrorIntegrity } from "./tiering-entry.js";
import { trace } from "./trace.js";
import type { JitInspection } from "./types.js";
import { readSettleVerdicts } from "../profiler/recorded-verdicts.js";
import { sourceKey } from "../profiler/source-key.js";
import { BoundReader } from "./discover/bound-parts.js";
import { smallFunctionReason } from "./small-function.js";

/**
 * What waking costs the process, in CPU ms: the core's load through V8's code cache (9.89 ms, the
 * median of 9 fresh processes) and the policy's first 1000 calls, run cold (2.23 ms): BENCHMARKS.md,
 * tiering, "A process's first jit(fn)".
 */
export const CORE_WAKE_COST_MS = 12;
/**
 * A dormant function wakes when the core's load and the cheapest first compile (the compiler's load
 * and a cold compile's fixed cost, compile-budget.ts) fit the compile budget: no compile could have
 * happened sooner, and a program that ends before then pays nothing for kos. At the default budget
 * (1%), 5.5 s of the process's CPU. Waking at 1.2 s (the core's load alone), the documents program
 * of bench/programs (1.7 s of CPU) woke and profiled for its last 0.5 s and ran at 0.966× no kos in
 * CPU time, against 0.989× for the build before the dormant tier (10 paired rounds,
 * /tmp/probe/progab2.mjs); its first compile was still 4.4 s of CPU away.
 */
const WAKE_COST_MS = CORE_WAKE_COST_MS + LOAD_MS + BASE_MS;
/**
 * How a dormant entry checks (entry-factory.ts, QUIET_SITES): its first call ticks, which reads the
 * process's CPU time and moves the entry to its first quiet state; from then on it ticks only where
 * the call rate says the process reaches the wake point, each time from a call site of the entry
 * that no call has run, so that a hot caller into which V8 inlined the entry keeps no call of kos
 * in its loop. A tick every 5 ms of calls (the design before) cost the DSP program of
 * bench/programs 0.93-0.97× no kos in CPU time, its soft-clip stage called 11,000 times a ms.
 *
 * The rate is unknown at the first call, so the second check comes at FIRST_QUIET_CALLS, and gives
 * the rate from which the third is set. Each quiet tick that comes after a caller was optimized
 * deoptimizes that caller, which then runs unoptimized until V8 compiles it again. At 2^14 calls,
 * the rules program's three functions each ticked once inside its main loop, which inlines
 * json-logic-js, and the program ran at 0.925× no kos against 0.969× before; at 2^20, none did. But a
 * function called more than 2^20 times in a short program still ticked in its caller's optimized
 * loop: the life program of bench/programs (2.5 and 3.2 million calls of its two kernels in 0.35 s)
 * ran at 0.888× no kos, and at 0.979× with no quiet tick at all (9 paired rounds). At 2^22 no entry
 * of the six programs ticked in an optimized caller (--trace-deopt, 3-8 runs each).
 *
 * A probe set the second check before (16 calls, then a third at 2^22 or four times what its rate
 * said was left, whichever was later). The tick of a function called once an iteration of a hot
 * loop came after V8 had optimized that loop on stack, and deoptimized it: the life program's main
 * loop, which calls its grid step once a generation, was compiled twice (9.4 and 13.4 ms,
 * --trace-opt, single-threaded), once without kos (7.4 ms); and the probe took one of the entry's
 * quiet sites, each 12 bytes of bytecode (entry-factory.ts, QUIET_SITES). A probe at the second call
 * from the counting state's site left V8 not inlining the original through the entry (the life
 * program at 0.88× no kos), for a reason not found. The cost: a synchronous program (no timer runs)
 * wakes a function at its 2^22nd call where that comes after the wake point, as it did with the
 * probe for one taking more than about 1.3 µs a call (a 10 µs function at 42 s of CPU); with an
 * event loop, the timer of RECHECK_AFTER_MS wakes it at the wake point.
 */
export const FIRST_QUIET_CALLS = 2 ** 22;
/** The farthest a tick is set, in calls: the entry's count stays a small integer (REBASE_AT). */
const MAX_QUIET_CALLS = 2 ** 29;
/**
 * A count set from a burst of fast calls may take long to reach once the calls thin out (a service
 * that calls a handler 1000 times at start, then once a second): after its first call a timer,
 * unref'd, checks the process's CPU time every this much wall time, whenever the event loop turns,
 * and wakes the function itself or sets its count again, where it was called since; its interval
 * doubles, up to MAX_RECHECK_MS, while it was not. A synchronous loop never runs it, and checks by
 * its count alone. `process.cpuUsage()` cost 2.9 µs back to back and 8.8 µs on average after work,
 * with stalls up to 1.5 ms (/tmp/probe/cpuu2.mjs).
 */
const RECHECK_AFTER_MS = 250;
const MAX_RECHECK_MS = 8000;
// Node's own, not the global a program may replace (fake timers): kos's timer is never the program's.
const { setTimeout: nodeSetTimeout } = process.getBuiltinModule("node:timers");

/** The function a woken entry runs, and what `inspect` shows of it. */
export interface Awake {
  entry: Function;
  inspect(): JitInspection | null;
}

/** What the dormant tier asks of `index.ts`: whether the core is loaded, and to wake a function (load the core, tier it). */
export interface DormantHost {
  coreLoaded(): boolean;
  wake(original: Function, pre: Extract<Precheck, { ok: true }>): Awake;
}

function processCpuMs(): number {
  const u = cpuUsage();
  return (u.user + u.system) / 1000;
}

const { isProxy } = process.getBuiltinModule("node:util").types;

/** An environment variable that asks for the core at once (see the module's comment); `jitVar` is KOS_JIT's value. */
function coreAskedFor(env: NodeJS.ProcessEnv, jitVar: string | undefined): boolean {
  return !!(jitVar || env.KOS_FEEDBACK_OUT || env.KOS_HOT_CALLS || env.KOS_CACHE);
}

/**
 * What `inspect` shows for a function this tier returned as it was, settled as the core settles it
 * (dispatcher.ts, settleOriginal): under `KOS_JIT=0` before the core loaded, or by a verdict of
 * `KOS_PROFILE`. Weak: the record goes with the function.
 */
const settledHere = new WeakMap<Function, JitInspection>();

/**
 * The settle verdicts of the profile `KOS_PROFILE` names, read at the first `jit()` under it (and
 * again if the variable changes), or null where the core decides every function.
 */
let profileVerdicts: { list: string; byKey: Map<string, string> | null } | undefined;

/**
 * `jit(f)` as a dormant entry, `f` itself settled by a profile's verdict, or null where the core
 * decides (the cases in the module's comment). `f` is a function and `options` an object (index.ts
 * checked both). `jitVar` is `KOS_JIT` as the caller read it: the environment is read once a `jit()`
 * (each read of process.env cost 0.2-0.3 µs, and a dormant `jit()` read KOS_JIT three times,
 * docs/notes/tiering-entry-costs.md).
 */
export function sleepingJit(f: Function, options: object, host: DormantHost, jitVar: string | undefined = process.env.KOS_JIT): Function | null {
  if (host.coreLoaded() || Object.keys(options).length > 0 || isProxy(f)) return null;
  const owner = EntryBrand.ownerOf(f);
  // `jit()` of an entry it returned, with no options: that entry.
  if (owner instanceof Dormant && owner.entry === f) return f;
  if (owner !== undefined) return null;
  // Disabled: the function itself, as the core would return it, without loading the core (a
  // program under KOS_JIT=0 runs the code it runs without kos, and loads no more than it needs).
  if (jitDisabledBy(jitVar)) return settleDisabled(f);
  const env = process.env;
  if (coreAskedFor(env, jitVar)) return null;
  const pre = precheck(f);
  const profile = env.KOS_PROFILE;
  if (!pre.ok) return pre.code === "BOUND_FUNCTION" && !profile ? sleepingBound(f, host) : null;
  if (profile) return settleByProfile(f, pre.source, profile);
  const small = smallFunctionReason(pre.source);
  return small === null ? new Dormant(f, pre, host).entry : settleSmall(f, small);
}

/**
 * `f` itself, recorded as settled on the original: a function too small to gain from tiering what
 * counting its calls costs (small-function.ts). Under a profile the core decides instead: there
 * `kos profile` recorded its arguments, and its version costs no count.
 */
function settleSmall(f: Function, reason: string): Function {
  const name = nameOf(f);
  trace(`generic ${name || "(anonymous)"}: ${reason}`);
  settledHere.set(f, settledRecord(name, reason));
  return f;
}

/** The bound functions this tier returned, each with the entry of its target it binds (for `inspect`). */
const boundHere = new WeakMap<Function, Function>();
/** Unbinds without kos's core (discover/bound-parts.ts); opened at the first bound function. */
let boundReader: BoundReader | undefined;
const bind = Function.prototype.bind;

/**
 * `jit(f)` of a bound function (`jit(obj.method.bind(obj))`), as the core makes it (index.ts):
 * the target's `jit()`, bound the same way, so that what is returned is again a bound function
 * with `f`'s `this`, leading arguments and behaviour under `new`; here with the target asleep, so
 * that neither the core's load nor tier-0 profiling is paid before they can pay. Null where the
 * target is not put to sleep (the core then decides, as before) or the inspector cannot unbind.
 */
function sleepingBound(f: Function, host: DormantHost): Function | null {
  if (boundHere.has(f)) return f;
  const parts = (boundReader ??= new BoundReader()).read(f);
  if (!parts) return null;
  const inner = sleepingJit(parts.target, {}, host, process.env.KOS_JIT);
  if (inner === null || inner === parts.target) return null;
  const bound = Reflect.apply(bind, inner, [parts.thisArg, ...parts.args]) as Function;
  inheritOwnProperties(bound, f);
  boundHere.set(bound, inner);
  return bound;
}

/**
 * `f` itself where the profile `list` records that KOS_PROFILE settles it, with the reason the core
 * gives (tiering.ts, createTieredFunction: its trace line, and what `inspect` shows); else null. The
 * profile's read, check and key took about 0.4 ms of CPU of a first `jit()` (a one-entry profile,
 * after this tier's own load, 1.5-1.7 ms), where loading the core took 3.1-3.5 ms more: a fresh
 * process's first `jit()` of a settled function cost 2.7 ms against 5.9 ms (medians of 15 paired
 * runs, /tmp/vprobe/ab-first.mjs).
 */
function settleByProfile(f: Function, source: string, list: string): Function | null {
  if (profileVerdicts?.list !== list) profileVerdicts = { list, byKey: readSettleVerdicts(list) };
  const reason = profileVerdicts.byKey?.get(sourceKey(source));
  if (reason === undefined) return null;
  const name = nameOf(f);
  trace(`generic ${name || "(anonymous)"}: ${reason}`);
  settledHere.set(f, settledRecord(name, reason));
  return f;
}

/**
 * `f` itself, recorded as returned as it is under `KOS_JIT=0` (index.ts records a function it
 * returned so before this tier loaded when `inspect` first asks about it).
 */
export function settleDisabled(f: Function): Function {
  if (!settledHere.has(f)) settledHere.set(f, settledRecord(nameOf(f), disabledReason()));
  return f;
}

/** `jitName(f, {})` (jit-options.ts), without the options. */
function nameOf(f: Function): string {
  const own = f.name as unknown;
  return typeof own === "string" ? own : "";
}

/** What the core's `inspect` shows of a function it settled on the original (Dispatcher.snapshot of settleOriginal's dispatcher). */
function settledRecord(name: string, reason: string): JitInspection {
  return { tier: "fallback", name, source: null, passes: null, assumptions: [], fallbackReason: reason, calls: 0, deopts: 0, compileTimeMs: 0, compileCpuMs: 0, history: [{ at: wallClockMs(), event: "fallback", detail: reason }], versions: [] };
}

/** What `inspect(f)` shows of what this tier made: a dormant entry's state, a function it returned as it was (settledHere), or null. */
export function inspectDormant(f: Function): JitInspection | null {
  const inner = boundHere.get(f);
  if (inner) return inspectDormant(inner);
  const owner = EntryBrand.ownerOf(f);
  if (owner instanceof Dormant && owner.entry === f) return owner.snapshot();
  const settled = settledHere.get(f);
  return settled ? { ...settled, assumptions: [], versions: [], history: [...settled.history] } : null;
}

/** One dormant function: its entry, which counts calls and checks the process's CPU now and then. */
export class Dormant {
  readonly entry: Function;
  readonly name: string;
  private readonly control: EntryControl;
  private awake: Awake | null = null;
  private readonly since = wallClockMs();
  private recheckArmed = false;
  /** The calls and the process's CPU time at the last check, for the call rate. */
  private cpuMark: { cpuMs: number; calls: number } | null = null;
  /** The entry's quiet site in use (QUIET), -1 before its first call. */
  private quietSite = -1;

  constructor(
    readonly original: Function,
    private readonly pre: Extract<Precheck, { ok: true }>,
    private readonly host: DormantHost,
  ) {
    const own = original.name as unknown;
    this.name = typeof own === "string" ? own : "";
    const { entry, control } = makeTieringEntry(
      original,
      pre,
      (thisArg, args, newTarget) => this.onEvent(thisArg, args, newTarget),
      () => this.tick(),
    );
    this.entry = entry;
    this.control = control;
    EntryBrand.stamp(entry, this);
    inheritOwnProperties(entry, original);
    mirrorIntegrity(entry, original);
  }

  /** The process's CPU time at which a dormant function wakes. */
  static wakeAtCpuMs(): number {
    return WAKE_COST_MS / COMPILE_BUDGET;
  }

  /** The entry's count reached its next check (a call ran the quiet site in use): wake, or set the next from a fresh site. */
  private tick(): void {
    if (this.awake === null) this.check(this.control(COUNT), true);
  }

  private wake(): void {
    const awake = (this.awake = this.wakeUp());
    this.control(awake.entry === this.original ? GENERIC : RUN, awake.entry);
  }

  /**
   * Wakes if the process's CPU time reached the wake point; else sets the next tick where the call
   * rate since the last check says the wake point will be (FIRST_QUIET_CALLS ahead at the first
   * check), from a quiet site that no call has run: a fresh one when `fromSite`, a call having run
   * the one in use, while there are any (the last one is then used again). Then the timer of
   * RECHECK_AFTER_MS.
   */
  private check(calls: number, fromSite: boolean): void {
    const wakeAt = Dormant.wakeAtCpuMs();
    const cpuMs = processCpuMs();
    if (this.host.coreLoaded() || cpuMs >= wakeAt) return this.wake();
    const mark = this.cpuMark;
    this.cpuMark = { cpuMs, calls };
    // The first call: the entry gets its feedback vector now, so that a caller V8 optimizes within
    // the entry's next calls can inline it (entry-factory.ts, WARM).
    if (mark === null) this.control(WARM);
    const predicted = mark === null ? 0 : Math.ceil(((calls - mark.calls) / Math.max(cpuMs - mark.cpuMs, 1e-3)) * (wakeAt - cpuMs));
    const ahead = mark === null ? FIRST_QUIET_CALLS : predicted;
    this.control(NEXT, calls + Math.max(1, Math.min(MAX_QUIET_CALLS, ahead)));
    if (fromSite && this.quietSite < QUIET_SITES - 1) this.control(QUIET, ++this.quietSite);
    this.armRecheck(RECHECK_AFTER_MS);
  }

  /**
   * The timer of RECHECK_AFTER_MS: it checks where the function was called since the last check, and
   * waits twice as long where it was not. It holds the entry weakly: a function the program drops
   * goes, and its timer with it.
   */
  private armRecheck(afterMs: number): void {
    if (this.recheckArmed) return;
    this.recheckArmed = true;
    const self = new WeakRef(this);
    nodeSetTimeout(() => self.deref()?.recheck(afterMs), afterMs).unref();
  }

  private recheck(afterMs: number): void {
    this.recheckArmed = false;
    if (this.awake !== null) return;
    const calls = this.control(COUNT);
    if (calls !== this.cpuMark?.calls) this.check(calls, false);
    else this.armRecheck(Math.min(2 * afterMs, MAX_RECHECK_MS));
  }

  /**
   * Loads the core and tiers the function. A wake that throws (the core's script could not load)
   * must not reach the program, whose call it runs in: the function settles on the original, and
   * `inspect` says why.
   */
  private wakeUp(): Awake {
    try {
      return this.host.wake(this.original, this.pre);
    } catch (e) {
      const reason = `INTERNAL: kos's core did not load (${(e as Error)?.message ?? String(e)}); it runs as the original`;
      const at = wallClockMs();
      return { entry: this.original, inspect: () => ({ ...this.asleep(), tier: "fallback", fallbackReason: reason, history: [{ at, event: "fallback", detail: reason }] }) };
    }
  }

  /** The event of an entry that cannot tick (made where code generation is disallowed): the check, then the call, to what it woke into if it did. */
  private onEvent(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown {
    this.tick();
    const target = this.awake?.entry ?? this.original;
    return newTarget === undefined ? Reflect.apply(target, thisArg, args) : Reflect.construct(target, args, newTarget);
  }

  /** What `inspect(entry)` shows: tier 0 while dormant; once woken, the tiering function's state, with the calls counted here. */
  snapshot(): JitInspection {
    const calls = this.control(COUNT);
    const dormant = { at: this.since, event: "dormant", detail: `counting calls; kos's core loads once the process has used ${Dormant.wakeAtCpuMs()} ms of CPU` };
    const inner = this.awake?.inspect();
    if (inner) return { ...inner, calls: inner.calls + calls, history: [dormant, ...inner.history] };
    return { ...this.asleep(), calls, history: [dormant] };
  }

  /** What `inspect` shows of a function that has not woken. */
  private asleep(): JitInspection {
    return { tier: 0, name: this.name, source: null, passes: null, assumptions: [], fallbackReason: null, calls: 0, deopts: 0, compileTimeMs: 0, compileCpuMs: 0, history: [], versions: [] };
  }
}
