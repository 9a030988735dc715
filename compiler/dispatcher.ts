/**
 * The dispatcher of one jitted function (after Numba's dispatcher object): it
 * owns the function's compiled versions, chooses among them by their guards,
 * and keeps what `inspect(f)` shows. Explicit `jit(fn, { specialize })` and
 * the profiler's tiering both use it.
 *
 * The function `jit()` returns (the *entry*) is made in entry-factory.ts.
 *
 * Versions form a guard chain: version k's failed guard runs version k+1,
 * and the last one's runs the miss handler (the tiering's policy), or the
 * original once the policy stops watching misses.
 */
import { wallClockMs } from "../intrinsic-clocks.js";
import { JitError } from "./jit-error.js";
export { checkJitOptions } from "./jit-options.js";
import { precheck, type Precheck } from "./precheck.js";
import { EntryBrand } from "./entry-brand.js";
import { Dormant } from "./dormant.js";
import { disabledReason, isJitDisabled } from "./jit-switch.js";
export { disabledReason, isJitDisabled } from "./jit-switch.js";
export { trace } from "./trace.js";
import { trace } from "./trace.js";
import type { Assumption, JitInspection, PassSnapshot } from "./types.js";
import { COUNT, COUNT_ONLY, GENERIC, NEXT, RUN, type EntryControl, type EntryHooks } from "./entry-factory.js";
import { inheritOwnProperties, makeTieringEntry, mirrorIntegrity } from "./tiering-entry.js";
export { inheritOwnProperties } from "./tiering-entry.js";
import { jitName } from "./jit-options.js";
// Through getBuiltinModule, as lazy-modules.ts loads Node's builtins (an ES import of one makes its facade).
const { isProxy } = process.getBuiltinModule("node:util").types;

export type { EntryHooks } from "./entry-factory.js";

/** One compiled version of a function. */
export interface Version {
  fn: Function;
  source: string | null;
  passes: PassSnapshot[] | null;
  assumptions: Assumption[];
  /** Calls that entered this version (its guards included). */
  calls: () => number;
  deopts: number;
  compileTimeMs: number;
  /** Failures of each guard, by its index (made at the first failure). */
  deoptCounts?: number[];
  /** Sets the route a large version tests first (compiler/gain-check.ts); absent on smaller ones. */
  setRoute?: (route: Function | null) => void;
  /** Sets what the version's failed guards run, in its own binding (absent on a cached version). */
  setGeneric?: (f: Function) => void;
}

/** A link of the guard chain: what a version's failed guards run. */
interface Link {
  /** Forwards to the link's target (for a version that cannot hold it: a cached one). */
  fn: Function;
  set(f: Function): void;
  target(): Function;
}
/** A mutable link of the guard chain (the miss path only, so a plain closure). */
function makeLink(initial: Function): Link {
  let next = initial;
  return {
    fn: function (this: unknown, ...args: unknown[]) {
      return new.target ? Reflect.construct(next, args, new.target) : Reflect.apply(next, this, args);
    },
    set: (f) => void (next = f),
    target: () => next,
  };
}
/** The link of `version`: set in the version's own binding where it has one, so a miss calls the target directly. */
function linkOf(version: Version, link: Link): Link {
  const setGeneric = version.setGeneric;
  if (!setGeneric) return link;
  setGeneric(link.target());
  return {
    fn: link.fn,
    set: (f) => {
      link.set(f);
      setGeneric(f);
    },
    target: link.target,
  };
}

/** Own keys every function may have, which an entry has of its own (or needs not read through). */
/** What `inspect` reads for a function: a dispatcher itself, or a function that makes the snapshot. */
type Inspectable = (() => JitInspection | null) | { snapshot(): JitInspection };

/**
 * What `inspect` shows for a function that is not a dispatcher's own (a bound function, an entry
 * that compiles at its first call), and for an original settled as it is. A dispatcher's entry
 * carries its dispatcher itself (entry-brand.ts); what is registered here comes first.
 */
const registry = new WeakMap<Function, Inspectable>();

/** Registers what `inspect(f)` shows, over what `f` carries. */
export function registerInspectable(f: Function, source: Inspectable): void {
  registry.set(f, source);
}

/** What `inspect(f)` reads: what was registered for `f`, or the dispatcher a kos function carries. */
function inspectableOf(f: Function): Inspectable | undefined {
  return registry.get(f) ?? (EntryBrand.ownerOf(f) as Dispatcher | undefined);
}

/**
 * The function a kos entry stands for (what `jit()` was given), or null for any other function
 * (one `jit()` did not return, or one it returned as it was given: native, async, …).
 */
export function originalOfEntry(f: Function): Function | null {
  const source = inspectableOf(f);
  return (source instanceof Dispatcher || source instanceof Dormant) && source.entry === f && source.original !== f ? source.original : null;
}

/**
 * `Reflect.construct(target, args, newTarget)` with a function jit() returned in place of the one it
 * stands for: `new j()` of an explicit version is `new fn()`, whose body reads `new.target === fn`
 * as true (sweep31 repro-3). Generated code that constructs the original calls it (assemble.ts).
 */
export function constructAs(target: Function, args: ArrayLike<unknown>, newTarget: Function): unknown {
  return Reflect.construct(target, args, originalOfEntry(newTarget) ?? newTarget);
}

export function inspectRegistered(f: Function): JitInspection | null {
  const source = inspectableOf(f);
  if (!source) return null;
  return (typeof source === "function" ? source() : source.snapshot()) ?? null;
}

export interface DispatcherOptions {
  name: string;
  /** Formal parameter count, or -1 when unknown (then the entry forwards exactly). */
  arity: number;
  /** The entry must forward every argument, `this` and `new.target` exactly. */
  exact: boolean;
  /** What the entry calls when its count reaches the next threshold. */
  event: EntryHooks["event"];
}

/**
 * Owns the versions of one function. With an `event` hook it makes a tiering entry
 * (counting, then dispatching); `Dispatcher.settled` makes one whose entry is
 * the original or a single version itself, at no cost per call.
 */
export class Dispatcher {
  readonly original: Function;
  readonly name: string;
  /** The function `jit()` returned. */
  readonly entry: Function;
  readonly versions: Version[] = [];
  tier: JitInspection["tier"] = 0;
  fallbackReason: string | null = null;
  deopts = 0;
  compileTimeMs = 0;
  /** CPU ms of the process (all threads) while the profiler compiled this function's versions. */
  compileCpuMs = 0;
  readonly history: JitInspection["history"] = [];
  /** Failed guards by reason (made at the first: most functions never deoptimize). */
  /** Versions with a failed guard, in order of their first failure (kept after they leave the chain). */
  private deoptVersions: Version[] | null = null;
  private readonly control: EntryControl | null;
  /** The guard chain's links, one per version (made with the first version). */
  private links: Link[] | null = null;
  private tail: Function;
  /** What misses after the last version run while the policy watches them (the original when there is no policy). */
  private readonly missHandler: Function;
  /** Calls counted after the entry stopped counting (a version's own counter). */
  private countedBefore = 0;
  /**
   * Settled on the original, the entry still counts calls (a profiling run: the table and the cost
   * model of `kos profile` then see them all). Otherwise a generic function's calls are not counted.
   */
  countsGeneric = false;
  /** Called after the dispatcher settles on the original or adds a version (the profiler refreshes its record). */
  onChange: (() => void) | null = null;

  private constructor(original: Function, name: string, control: EntryControl | null, entry: Function, tail: Function) {
    this.original = original;
    this.name = name;
    this.control = control;
    this.entry = entry;
    this.tail = tail;
    this.missHandler = tail;
    // A tiering entry carries its dispatcher (entry-brand.ts). The original, settled as it is, is the
    // program's own; an explicit version keeps V8's initial function map (function-map.test.ts).
    if (control) EntryBrand.stamp(entry, this);
    else registerInspectable(entry, this);
    if (entry !== original) {
      inheritOwnProperties(entry, original);
      mirrorIntegrity(entry, original);
    }
  }

  /** A tiering dispatcher: the entry counts calls and calls `hooks.event` at the thresholds it is given. */
  static tiered(original: Function, options: DispatcherOptions, onMiss: Function): Dispatcher {
    const { entry, control } = makeTieringEntry(original, options, options.event);
    return new Dispatcher(original, options.name, control, entry, onMiss);
  }

  /** A dispatcher whose entry is `entry` itself (the original, or one explicit version): nothing runs per call. */
  static settled(original: Function, name: string, entry: Function): Dispatcher {
    return new Dispatcher(original, name, null, entry, original);
  }

  /** Calls so far: counted by the entry at tier 0, then by the first version. Calls to a generic function are not counted (that would cost), except in a profiling run ({@link countsGeneric}). */
  get calls(): number {
    return (this.control?.(COUNT) ?? 0) + this.countedBefore + (this.versions[0]?.calls() ?? 0);
  }

  event(message: string, detail?: string): void {
    this.history.push(detail !== undefined ? { at: wallClockMs(), event: message, detail } : { at: wallClockMs(), event: message });
  }

  /** A new link of the guard chain: compile the next version with `link.fn` as its generic, then `addVersion(v, link)`. */
  makeLink(): Link {
    return makeLink(this.tail);
  }

  /**
   * Adds a compiled version at the end of the guard chain (its failed guards
   * run `link`); the first version becomes the entry's target.
   */
  addVersion(version: Version, link?: Link): void {
    const links = (this.links ??= []);
    if (this.versions.length > 0) links[this.versions.length - 1]!.set(version.fn);
    this.versions.push(version);
    // Without a link (an explicit version), the caller sets what its misses run.
    links.push(link ? linkOf(version, link) : makeLink(this.original));
    this.compileTimeMs += version.compileTimeMs;
    this.tier = 1;
    this.fallbackReason = null;
    if (this.control && this.versions.length === 1) {
      this.control(RUN, version.fn);
    }
    this.onChange?.();
  }

  /**
   * The second version becomes the entry's target and the first leaves the chain: its guards
   * failed on most calls, each paying its miss path before the version that serves them.
   */
  dropFirstVersion(reason: string): void {
    if (!this.control || this.versions.length < 2) return;
    const first = this.versions.shift()!;
    this.links!.shift();
    // The calls it passed on are counted again by the version they reached.
    this.countedBefore += first.calls() - first.deopts;
    this.control(RUN, this.versions[0]!.fn);
    this.event("dropped v1", reason);
  }

  /** Calls to the first version go through `via` (the tiering's timing of a new version) until {@link restoreHead}. */
  routeHead(via: Function): void {
    if (this.control && this.versions.length > 0) this.control(RUN, via);
  }

  /** The entry calls `f` from now on, or the original, at no cost over calling it (a function compiled at its first call). */
  runFrom(f: Function): void {
    this.control?.(f === this.original ? GENERIC : RUN, f);
  }

  /** Calls to the first version go straight to it again. */
  restoreHead(): void {
    const first = this.versions[0];
    if (this.control && first) this.control(RUN, first.fn);
  }

  /** Counts calls that ran the original while a version was timed against it (compiler/gain-check.ts). */
  addCalls(n: number): void {
    this.countedBefore += n;
  }

  /** Guard misses after the last version run the original: the policy stops watching them. */
  stopWatchingMisses(): void {
    this.tail = this.original;
    this.links?.[this.versions.length - 1]?.set(this.original);
  }

  /** Guard misses after the last version go to the policy again (the program's inputs changed since it stopped watching). */
  watchMisses(): void {
    this.tail = this.missHandler;
    this.links?.[this.versions.length - 1]?.set(this.missHandler);
  }

  /** The entry runs the original from now on, at the cost of a direct call (until a version is added). */
  goGeneric(reason: string): void {
    if (this.control) {
      this.countedBefore += this.versions[0]?.calls() ?? 0;
      this.versions.length = 0;
      this.control(this.countsGeneric ? COUNT_ONLY : GENERIC);
    }
    this.tier = "fallback";
    this.fallbackReason = reason;
    this.event("generic", reason);
    this.onChange?.();
  }

  /** When the entry next calls `hooks.event` (a call count). */
  setNext(next: number): void {
    this.control?.(NEXT, next);
  }

  /**
   * Counts a failed guard of `version`; true at that guard's first failure. A call whose argument is
   * not the specialized value takes this path every time: a count by index, no string and no map
   * (a reason string per call, hashed for a map, made a 4 ns function's miss 127 ns; a map of
   * reasons built once, 40-60 ns over the original's 7 ns).
   */
  recordDeopt(version: Version, guard: number): boolean {
    version.deopts++;
    this.deopts++;
    const counts = (version.deoptCounts ??= []);
    const seen = counts[guard] ?? 0;
    counts[guard] = seen + 1;
    if (seen === 0) {
      // A loop and an index store, not `includes` and `push`: a program that replaced those (a
      // polyfill, a spy) saw kos call them on a failed guard of a function that never did (sweep43).
      const list = (this.deoptVersions ??= []);
      let listed = false;
      for (let i = 0; i < list.length; i++) if (list[i] === version) listed = true;
      if (!listed) list[list.length] = version;
    }
    return seen === 0;
  }

  /** What a failed guard of `version` says in the history. */
  static deoptReason(version: Version, guard: number): string {
    return `failed: ${version.assumptions[guard]?.description ?? `guard ${guard}`}`;
  }

  /** Failed guards by reason, over every version that had one. */
  private deoptSummary(): Array<[string, number]> {
    const byReason = new Map<string, number>();
    for (const v of this.deoptVersions ?? []) {
      (v.deoptCounts ?? []).forEach((count, guard) => {
        const reason = Dispatcher.deoptReason(v, guard);
        byReason.set(reason, (byReason.get(reason) ?? 0) + count);
      });
    }
    return [...byReason];
  }

  snapshot(): JitInspection {
    const last = this.versions[this.versions.length - 1];
    return {
      tier: this.tier,
      name: this.name,
      source: last?.source ?? null,
      passes: last?.passes ?? null,
      assumptions: last?.assumptions ?? [],
      fallbackReason: this.fallbackReason,
      calls: this.calls,
      deopts: this.deopts,
      compileTimeMs: this.compileTimeMs,
      compileCpuMs: this.compileCpuMs,
      history: [...this.history, ...this.deoptSummary().map(([reason, count]) => ({ at: 0, event: "deopt", detail: `${reason} ×${count}` }))],
      versions: this.versions.map((v) => ({ assumptions: v.assumptions, calls: v.calls(), deopts: v.deopts, source: v.source })),
    };
  }
}

/** Registers `fn` as settled on the original (it is returned as is), with the reason and the time a failed compile took. */
export function settleOriginal<F extends Function>(fn: F, name: string, reason: string, compileTimeMs = 0): F {
  const d = Dispatcher.settled(fn, name, fn);
  d.tier = "fallback";
  d.fallbackReason = reason;
  // A compile that failed still took its time (an ajv schema spent 4-6 s before failing on size).
  d.compileTimeMs = compileTimeMs;
  d.event("fallback", reason);
  return fn;
}

/**
 * What `jit()` decides before loading the compiler: with kos disabled, or for
 * a function that can never compile (native, bound, class, async,
 * generator), the function itself, settled (a JitError under `strict` for
 * the latter; disabled is not an error). Otherwise the precheck, for the
 * tiering to reuse. This module and precheck.ts load in well under a
 * millisecond, against 35-55 ms for the compiler with its parser.
 */
export function settleAtJitTime<F extends Function>(fn: F, options: { name?: string; strict?: boolean } = {}): { settled: F } | Extract<Precheck, { ok: true }> {
  // A Proxy of a function: its traps are the program's code, and run on each call and each read of
  // a property, its name included (a revoked one throws there), so kos reads nothing of it and it
  // runs as it is. Before, `jit()` read its `name`, ran a `get` trap, and threw for a revoked proxy
  // (sweep33), and a working one fell back as a native function.
  if (isProxy(fn)) {
    const name = options.name ?? "";
    if (isJitDisabled()) return { settled: settleOriginal(fn, name, disabledReason()) };
    const why = "a Proxy of a function: its traps run on each call and property read";
    if (options.strict) throw new JitError("PROXY_FUNCTION", why);
    trace(`fallback ${name || "(anonymous)"}: PROXY_FUNCTION: ${why}`);
    return { settled: settleOriginal(fn, name, `PROXY_FUNCTION: ${why}; it runs as it is`) };
  }
  if (isJitDisabled()) return { settled: settleOriginal(fn, jitName(fn, options), disabledReason()) };
  const pre = precheck(fn);
  if (pre.ok) return pre;
  if (options.strict) throw new JitError(pre.code, pre.reason.slice(pre.code.length + 2));
  const name = jitName(fn, options);
  trace(`fallback ${name || "(anonymous)"}: ${pre.reason}`);
  return { settled: settleOriginal(fn, name, pre.reason) };
}
