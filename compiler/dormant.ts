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
 * Only the plain `jit(fn)` sleeps. Options, a profile (`KOS_PROFILE`), a profiling run (`kos
 * profile`), a fixed tier-up (`KOS_HOT_CALLS`) or the compile cache (`KOS_CACHE`) ask for what the
 * core does at once (under `KOS_JIT=0` the function is returned as it is, by this tier); so does a process whose core is loaded already (an explicit
 * `jit(fn, { specialize })`, or kos run from its TypeScript sources), and a function the precheck
 * refuses, whose reason the core records.
 */
import { cpuUsage, uptimeMs, wallClockMs } from "../intrinsic-clocks.js";
import { BASE_MS, COMPILE_BUDGET, LOAD_MS } from "../profiler/compile-budget.js";
import { EntryBrand } from "./entry-brand.js";
import { COUNT, GENERIC, NEXT, RUN, type EntryControl } from "./entry-factory.js";
import { precheck, type Precheck } from "./precheck.js";
import { disabledReason, isJitDisabled } from "./jit-switch.js";
import { inheritOwnProperties, makeTieringEntry, mirrorIntegrity } from "./tiering-entry.js";
import type { JitInspection } from "./types.js";

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
 * Wall time between two checks. A check reads the process's uptime (about 0.1 µs), and its CPU
 * time only once the uptime allows that the CPU time reached the wake point (CPU time grows at
 * most by the number of CPUs the process may run on, per ms of wall time): `process.cpuUsage()`
 * cost 2.9 µs back to back and 8.8 µs on average after work, with stalls up to 1.5 ms
 * (/tmp/probe/cpuu2.mjs), and read at every check it was 12 ms of the rules program's 600 ms
 * (`node --cpu-prof`, 3 runs).
 */
const CHECK_EVERY_MS = 5;
const { availableParallelism } = process.getBuiltinModule("node:os");
/** Calls between two checks, at most: a 1 ns function called in a loop checks every ~1 ms of its calls. */
const MAX_CALLS_BETWEEN_CHECKS = 2 ** 20;
/**
 * A count set from a burst of fast calls may take long to reach once the calls thin out (a service
 * that calls a handler 1000 times at start, then once a second): after each check a timer, unref'd,
 * makes the next call check again at the latest this much wall time later, whenever the event loop
 * turns. A synchronous loop never runs it, and checks by its count alone.
 */
const RECHECK_AFTER_MS = 250;
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

/** An environment variable that asks for the core at once (see the module's comment). */
function coreAskedFor(env: NodeJS.ProcessEnv): boolean {
  return !!(env.KOS_JIT || env.KOS_PROFILE || env.KOS_FEEDBACK_OUT || env.KOS_HOT_CALLS || env.KOS_CACHE);
}

/**
 * What `inspect` shows for a function `jit()` returned as it was under `KOS_JIT=0` before the core
 * loaded (the core's registry does the same for the functions it settles). Weak: the record goes
 * with the function.
 */
const settledWhileDisabled = new WeakMap<Function, JitInspection>();

/**
 * `jit(f)` as a dormant entry, or null where the core decides (the cases in the module's comment).
 * `f` is a function and `options` an object (index.ts checked both).
 */
export function sleepingJit(f: Function, options: object, host: DormantHost): Function | null {
  if (host.coreLoaded() || Object.keys(options).length > 0 || isProxy(f)) return null;
  const owner = EntryBrand.ownerOf(f);
  // `jit()` of an entry it returned, with no options: that entry.
  if (owner instanceof Dormant && owner.entry === f) return f;
  if (owner !== undefined) return null;
  // Disabled: the function itself, as the core would return it, without loading the core (a
  // program under KOS_JIT=0 runs the code it runs without kos, and loads no more than it needs).
  if (isJitDisabled()) return settleDisabled(f);
  if (coreAskedFor(process.env)) return null;
  const pre = precheck(f);
  return pre.ok ? new Dormant(f, pre, host).entry : null;
}

/**
 * `f` itself, recorded as returned as it is under `KOS_JIT=0` (index.ts records a function it
 * returned so before this tier loaded when `inspect` first asks about it).
 */
export function settleDisabled(f: Function): Function {
  if (settledWhileDisabled.has(f)) return f;
  const reason = disabledReason();
  const own = f.name as unknown;
  const name = typeof own === "string" ? own : "";
  settledWhileDisabled.set(f, { tier: "fallback", name, source: null, passes: null, assumptions: [], fallbackReason: reason, calls: 0, deopts: 0, compileTimeMs: 0, compileCpuMs: 0, history: [{ at: wallClockMs(), event: "fallback", detail: reason }], versions: [] });
  return f;
}

/** What `inspect(f)` shows of what this tier made: a dormant entry's state, a function returned as it was under `KOS_JIT=0`, or null. */
export function inspectDormant(f: Function): JitInspection | null {
  const owner = EntryBrand.ownerOf(f);
  if (owner instanceof Dormant && owner.entry === f) return owner.snapshot();
  const settled = settledWhileDisabled.get(f);
  return settled ? { ...settled, history: [...settled.history] } : null;
}

/** One dormant function: its entry, which counts calls and checks the process's CPU now and then. */
export class Dormant {
  readonly entry: Function;
  readonly name: string;
  private readonly control: EntryControl;
  private awake: Awake | null = null;
  private readonly since = wallClockMs();
  private checkedAtMs = -1;
  /** The uptime before which the process's CPU time cannot have reached the wake point. */
  private cpuReadAfterMs = 0;
  private checkedAtCalls = 0;
  private callsBetweenChecks = 1;
  private recheckArmed = false;

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

  /** The entry's count reached its next check: wake, or set the next. */
  private tick(): void {
    if (this.awake !== null) return;
    const calls = this.control(COUNT);
    const upMs = uptimeMs();
    let wake = this.host.coreLoaded();
    if (!wake && upMs >= this.cpuReadAfterMs) {
      const wakeAt = Dormant.wakeAtCpuMs();
      const cpuMs = processCpuMs();
      wake = cpuMs >= wakeAt;
      this.cpuReadAfterMs = upMs + (wakeAt - cpuMs) / Math.max(1, availableParallelism());
    }
    if (wake) {
      const awake = (this.awake = this.wakeUp());
      this.control(awake.entry === this.original ? GENERIC : RUN, awake.entry);
      return;
    }
    // Calls per CHECK_EVERY_MS of wall time, as measured since the last check.
    const spentMs = upMs - this.checkedAtMs;
    const rate = this.checkedAtMs >= 0 && spentMs > 0 ? ((calls - this.checkedAtCalls) * CHECK_EVERY_MS) / spentMs : this.callsBetweenChecks * 2;
    this.callsBetweenChecks = Math.max(1, Math.min(MAX_CALLS_BETWEEN_CHECKS, Math.floor(rate)));
    this.checkedAtMs = upMs;
    this.checkedAtCalls = calls;
    this.control(NEXT, calls + this.callsBetweenChecks);
    if (!this.recheckArmed) {
      this.recheckArmed = true;
      nodeSetTimeout(() => {
        this.recheckArmed = false;
        if (this.awake === null) this.control(NEXT, this.control(COUNT) + 1);
      }, RECHECK_AFTER_MS).unref();
    }
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
