/**
 * The dispatcher of one jitted function (after Numba's dispatcher object): it
 * owns the function's compiled versions, chooses among them by their guards,
 * and keeps what `inspect(f)` shows. Explicit `jit(fn, { specialize })` and
 * the profiler's tiering both use it.
 *
 * The function `jit()` returns (the *entry*) is built so that V8 can inline
 * straight through it, the way it treats a monomorphic call site:
 * - the original is an immutable closure variable, so an optimized caller
 *   that inlines the entry sees it as a constant and inlines it too;
 * - what the entry runs once it stops counting (its first version, or the
 *   original once generic) is a shared state object, the prototype of a
 *   per-entry object (`slot.state`), and the version a field of that object
 *   added once (`slot.head`), so V8 folds both: no call feedback is needed,
 *   entries of one arity share their code without going megamorphic, and the
 *   counting path drops out of the caller's code as dead once settled.
 * Measured in bench/tiering.bench.ts: dispatch to a settled version or to the
 * original costs within noise of a direct call (the ≤ 0.5 ns target), where a
 * wrapper that counted calls and called through a reassigned closure variable
 * (`.call` on it left V8 no call feedback for the real target) cost 3-4.5 ns.
 *
 * Versions form a guard chain: version k's failed guard runs version k+1,
 * and the last one's runs the miss handler (the tiering's policy), or the
 * original once the policy stops watching misses.
 */
import { JitError } from "./jit-error.js";
import { precheck, type Precheck } from "./precheck.js";
import type { Assumption, JitInspection, PassSnapshot } from "./types.js";

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
}

/** Called by the entry while it counts calls (tier 0), when the count reaches `next`. */
export interface EntryHooks {
  event(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown;
  /** `new entry(...)` on a fixed-arity entry (the exact entry constructs by itself). */
  construct?(args: unknown[], newTarget: Function): unknown;
}

/**
 * Sets an entry's state and reads its call count: `control(RUN, f)` (from now on every call runs
 * `f`: a version, or a route that times one), `control(GENERIC)` (every call runs the original,
 * for good), `control(NEXT, n)` (while counting, call the event at call `n`); every call returns
 * the count.
 * One function, not an object of closures: `jit()` of a function never called makes nothing it
 * does not need (bench/tiering.bench.ts).
 */
type EntryControl = (op: typeof GENERIC | typeof RUN | typeof NEXT | typeof COUNT, value?: unknown) => number;
const GENERIC = 0;
const RUN = 1;
const NEXT = 2;
const COUNT = 3;

type EntryFactory = (target: Function, hooks: EntryHooks, name: string) => [entry: Function, control: EntryControl];

/**
 * An entry's state is the prototype of \`slot\`, an object of the entry's own: one of four shared
 * objects whose \`state\` field says what the entry runs (0 counting, 1 its first version
 * \`slot.head\`, 2 the original, 3 a later target \`slot.alt\`). Where V8 inlines the entry into an
 * optimized caller, the entry and its context are constants; V8 folds \`slot.state\`, a field of a
 * frozen prototype, and \`slot.head\`, a field added once and never written again, then drops the
 * other paths (the counting, the policy's event) as dead code, and a state change deoptimizes the
 * callers that folded the old one. A variable is reloaded and tested at every call, and the dead
 * paths stay in the caller: with every path inline and the state in a variable, four entries
 * settled on their originals cost 10.5-18 ns per loop of four calls, one entry 2.6 ns, against 3.0
 * ns for the four originals called directly (.scratch/arity2.mjs, Node 20.20.2).
 *
 * The states are shared, not made per entry: where the entry is not inlined (a call site that sees
 * many functions, as the demo's timing loop), its code is shared by every entry of its arity, and
 * \`slot.state\` is read at every call. With a prototype of each entry's own, that read saw a map per
 * entry and went megamorphic: expr-interpreter's and stack-machine's calls cost 15 ns more in the
 * demo. With four shared states, the slots have a handful of maps.
 *
 * \`head\` is only ever added, never rewritten: V8 tracks that a field is written once per map, not
 * per object, and one rewrite anywhere made the field mutable for every entry of the process (sumTo's
 * dispatch cost 3.6-5.9 ns in the tiering bench, where the fixtures' verification windows rewrote it,
 * against 0.5-1.3 ns). A later target (a timing route, a second first version) goes in \`alt\`. The
 * states have no prototype: a property a program adds to \`Object.prototype\` is never read as one.
 */
const stateObject = (state: number): object => Object.freeze(Object.setPrototypeOf({ state }, null));
const COUNTING_STATE = stateObject(0);
const HEAD_STATE = stateObject(1);
const GENERIC_STATE = stateObject(2);
const ALT_STATE = stateObject(3);
const setPrototypeOf = Reflect.setPrototypeOf;
const createObject = Object.create;
const hasOwnProperty = Object.prototype.hasOwnProperty;
/** A counting entry's slot. */
function newSlot(): object {
  return createObject(COUNTING_STATE);
}
/** From now on the entry runs `f` (see {@link COUNTING_STATE}). */
function runTarget(slot: { head?: Function; alt?: Function }, f: Function): void {
  if (!hasOwnProperty.call(slot, "head")) slot.head = f;
  if (slot.head === f) setPrototypeOf(slot, HEAD_STATE);
  else {
    slot.alt = f;
    setPrototypeOf(slot, ALT_STATE);
  }
}
/** From now on the entry runs the original. */
function runOriginal(slot: object): void {
  setPrototypeOf(slot, GENERIC_STATE);
}
const STATE_SOURCE = `"use strict";\nvar calls = 0, next = 1;\nconst slot = newSlot();\n`;

/** The end of every entry factory's text: it returns the entry and its control (the states above). */
const CONTROL_SOURCE =
  `return [entry, function (op, v) {\n` +
  `  if (op === ${GENERIC}) runOriginal(slot);\n` +
  `  else if (op === ${RUN}) runTarget(slot, v);\n` +
  `  else if (op === ${NEXT}) next = v;\n` +
  `  return calls;\n` +
  `}];\n//# sourceURL=kos://entry.js`;

// One factory per arity and form, made at its first use: the entries of one arity share their
// code. The text depends on the arity and form alone (never on user data). The method form is for
// originals that have no \`prototype\` (arrows, methods): like them, its entry has none and cannot
// be constructed, where a function expression's entry had a prototype an arrow never has.
const MAX_FIXED_ARITY = 8;
const reflectApply = Reflect.apply;
const reflectConstruct = Reflect.construct;
const hasOwn = Object.prototype.hasOwnProperty;
/** The head of the entry: a function expression (constructible) or a method (neither constructible nor with a prototype). */
function entryHead(constructible: boolean, params: string): string {
  return constructible ? `var entry = { [name]: function (${params}) {\n` : `var entry = { [name](${params}) {\n`;
}
function makeFixedArityFactory(n: number, constructible: boolean): EntryFactory | null {
  const params = Array.from({ length: n }, (_, i) => `a${i}`).join(", ");
  const rest = n ? `, ${params}` : "";
  try {
    const make = new Function(
      "apply", "newSlot", "runTarget", "runOriginal", "target", "hooks", "name",
      STATE_SOURCE +
        // Construction and the policy's event in a function of their own: before the caller's code
        // has \`run\` folded, the entry V8 inlines is the dispatch and the count alone. V8 inlines at
        // most 920 bytes of bytecode into one optimized function, and the entry with every path
        // inline was 250 bytes: four entries from one caller left the fourth a real call, its target
        // reached through the entries' shared (megamorphic) call feedback.
        `function rare(self, nt${rest}) {\n` +
        `  if (nt !== undefined) return hooks.construct([${params}], nt);\n` +
        `  if (slot.state === 3) return apply(slot.alt, self, [${params}]);\n` +
        `  return hooks.event(self, [${params}], undefined);\n` +
        `}\n` +
        // Named by a computed key, so that the function is made with the original's name: defining
        // \`name\` afterwards cost 450 ns, a computed key 260 ns (.scratch/jitparts.mjs).
        entryHead(constructible, params) +
        // \`apply\` is the intrinsic Reflect.apply, an immutable parameter: V8 turns \`apply(f, this, [..])\`
        // into a direct call of the constant \`f\`. \`f.call(this, ..)\` did the same only while \`f\` kept
        // V8's initial function map: the compiler redefines \`name\` and \`length\` on its versions, and
        // that made every call through the entry a generic call (10 ns instead of under 1 ns).
        (constructible ? `  if (new.target === undefined) {\n` : `  {\n`) +
        `    var state = slot.state;\n` +
        `    if (state === 2) return apply(target, this, [${params}]);\n` +
        `    if (state === 1) return apply(slot.head, this, [${params}]);\n` +
        // Counting (tier 0) stays here: a function waiting for its compile to pay runs at tier 0 for
        // good, and through \`rare\` its calls cost 2.6-8.6 ns over the original, against 2-2.5 ns.
        `    if (state === 0 && ++calls < next) return apply(target, this, [${params}]);\n` +
        `  }\n` +
        `  return rare(this, ${constructible ? "new.target" : "undefined"}${rest});\n` +
        `} }[name];\n` +
        CONTROL_SOURCE,
    );
    return ((target: Function, hooks: EntryHooks, name: string) => make(reflectApply, newSlot, runTarget, runOriginal, target, hooks, name)) as EntryFactory;
  } catch {
    return null; // code generation disallowed: the exact entry below works everywhere
  }
}
/** Made factories, by arity, then form (0 function, 1 method); null where code generation is disallowed. */
const fixedArityFactories: Array<[EntryFactory | null | undefined, EntryFactory | null | undefined]> = Array.from({ length: MAX_FIXED_ARITY + 1 }, () => [undefined, undefined]);
function fixedArityFactory(n: number, constructible: boolean): EntryFactory | null {
  const forms = fixedArityFactories[n]!;
  const form = constructible ? 0 : 1;
  return forms[form] === undefined ? (forms[form] = makeFixedArityFactory(n, constructible)) : forms[form]!;
}

/**
 * The entry for functions that read `arguments`, rest parameters or `new.target`: forwards
 * every argument as it came. Every use of its `arguments` is as the argument list of
 * `apply`, which V8 turns into a call with the caller's own arguments, allocating nothing:
 * settled on the original, a rest-parameter function (color-convert's `rgb.hsl`) cost 0.7 ns
 * a call over calling it directly, against 12.5 ns through a `...args` entry that also handed
 * `args` to the policy (/work/explore probe, Node 20.20.2). So the policy's event and the
 * construct path take the arguments through `apply` too, as their own rest parameters; the
 * construct path gets `this` and `new.target` from two variables set just before that call.
 * The text is fixed (never user data).
 */
function makeExactFactory(constructible: boolean): EntryFactory | null {
  try {
    const make = new Function(
      "apply", "construct", "newSlot", "runTarget", "runOriginal", "target", "hooks", "name",
      STATE_SOURCE +
        `var pendingThis, pendingNewTarget;\n` +
        `function constructPath(...args) {\n` +
        `  var self = pendingThis, nt = pendingNewTarget, state = slot.state;\n` +
        `  pendingThis = pendingNewTarget = undefined;\n` +
        `  if (state === 1) return construct(slot.head, args, nt);\n` +
        `  if (state === 3) return construct(slot.alt, args, nt);\n` +
        `  if (state === 0 && ++calls >= next) return hooks.event(self, args, nt);\n` +
        `  return construct(target, args, nt);\n` +
        `}\n` +
        `function eventPath(...args) { return hooks.event(this, args, undefined); }\n` +
        entryHead(constructible, "") +
        (constructible ? `  if (new.target !== undefined) { pendingThis = this; pendingNewTarget = new.target; return apply(constructPath, undefined, arguments); }\n` : "") +
        // The original's call last: with a generic test and its call first, \`restSum(...args)\` settled
        // generic cost 3.7-4.6 ns over the original, against 0.3-0.4 ns this way (bench/tiering.bench.ts's
        // row, .scratch/restbench.mjs).
        `  var state = slot.state;\n` +
        `  if (state === 1) return apply(slot.head, this, arguments);\n` +
        `  if (state === 3) return apply(slot.alt, this, arguments);\n` +
        `  if (state === 0 && ++calls >= next) return apply(eventPath, this, arguments);\n` +
        `  return apply(target, this, arguments);\n` +
        `} }[name];\n` +
        CONTROL_SOURCE,
    );
    return ((target: Function, hooks: EntryHooks, name: string) => make(reflectApply, reflectConstruct, newSlot, runTarget, runOriginal, target, hooks, name)) as EntryFactory;
  } catch {
    return null; // code generation disallowed: exactEntryClosure works everywhere
  }
}
/** The exact factories, function form then method form (made at their first use). */
const exactFactories: [EntryFactory | null | undefined, EntryFactory | null | undefined] = [undefined, undefined];
function exactFactory(constructible: boolean): EntryFactory | null {
  const form = constructible ? 0 : 1;
  return exactFactories[form] === undefined ? (exactFactories[form] = makeExactFactory(constructible)) : exactFactories[form]!;
}

/** The exact entry where code generation is disallowed: the same states, at the cost of a rest array per call. */
const exactEntryClosure: EntryFactory = (target, hooks) => {
  let run: Function | undefined;
  let generic = false;
  let calls = 0;
  let next = 1;
  const entry = function (this: unknown, ...args: unknown[]) {
    if (generic) return new.target ? Reflect.construct(target, args, new.target) : Reflect.apply(target, this, args);
    if (run !== undefined) return new.target ? Reflect.construct(run, args, new.target) : Reflect.apply(run, this, args);
    if (++calls >= next) return hooks.event(this, args, new.target);
    return new.target ? Reflect.construct(target, args, new.target) : Reflect.apply(target, this, args);
  };
  const control: EntryControl = (op, v) => {
    if (op === GENERIC) generic = true;
    else if (op === RUN) {
      run = v as Function;
      generic = false;
    }
    else if (op === NEXT) next = v as number;
    return calls;
  };
  return [entry, control];
};

/** A mutable link of the guard chain (the miss path only, so a plain closure). */
function makeLink(initial: Function): { fn: Function; set(f: Function): void } {
  let next = initial;
  return {
    fn: function (this: unknown, ...args: unknown[]) {
      return new.target ? Reflect.construct(next, args, new.target) : Reflect.apply(next, this, args);
    },
    set: (f) => void (next = f),
  };
}

/** Own keys every function may have, which an entry has of its own (or needs not read through). */
const FUNCTION_KEYS = new Set<PropertyKey>(["length", "name", "prototype", "arguments", "caller"]);

/**
 * A function a library hangs more on (`humanizeDuration.humanizer`, `debug.enable`): the entry
 * reads those through its prototype, the original, as they are now and later (round 13:
 * `jit(humanizeDuration).humanizer` was undefined). Own keys (`Object.keys`) and writes stay the
 * entry's. A function with nothing more keeps its prototype (one `Reflect.ownKeys`).
 */
function inheritOwnProperties(entry: Function, original: Function): void {
  if (Reflect.getPrototypeOf(entry) !== Function.prototype || Reflect.getPrototypeOf(original) !== Function.prototype) return;
  for (const key of Reflect.ownKeys(original)) {
    if (!FUNCTION_KEYS.has(key)) {
      Reflect.setPrototypeOf(entry, original);
      return;
    }
  }
}

/** What `inspect` reads for a function: a dispatcher itself, or a function that makes the snapshot. */
type Inspectable = (() => JitInspection | null) | { snapshot(): JitInspection };

/** What a dispatcher shows through `inspect`. */
const registry = new WeakMap<Function, Inspectable>();

/** Registers what `inspect(f)` shows. A dispatcher registers itself (no closure per `jit()`). */
export function registerInspectable(f: Function, source: Inspectable): void {
  registry.set(f, source);
}

export function inspectRegistered(f: Function): JitInspection | null {
  const source = registry.get(f);
  if (!source) return null;
  return (typeof source === "function" ? source() : source.snapshot()) ?? null;
}

// node:util through process.getBuiltinModule: its ES module evaluates every export (parseArgs, MIMEType, …).
const debug = process.getBuiltinModule("node:util").debuglog("kos");

/**
 * kos's trace (`NODE_DEBUG=kos` or `KOS_TRACE=1`): tier-ups, deopts with
 * their reason, fallbacks with the line. Silent otherwise.
 */
export function trace(message: string): void {
  const env = process.env.KOS_TRACE;
  if (env && /^(1|true|on|yes)$/i.test(env)) process.stderr.write(`kos: ${message}\n`);
  else if (debug.enabled) debug("%s", message);
}

/**
 * The hooks a tiering entry calls: the policy's `event`, and `new entry()`, which constructs the
 * original. The entry's `prototype` is made the original's at the first construction, not at
 * `jit()`: reading `prototype` makes V8 allocate it, and that was the largest single cost of
 * jit() (bench: "jit() of a function never called").
 */
class TieredHooks implements EntryHooks {
  entry: Function | null = null;
  constructor(
    private readonly original: Function,
    readonly event: EntryHooks["event"],
  ) {}

  construct(args: unknown[], newTarget: Function): unknown {
    const entry = this.entry!;
    if (newTarget === entry && entry.prototype !== this.original.prototype) entry.prototype = this.original.prototype;
    return Reflect.construct(this.original, args, newTarget);
  }
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
  private links: Array<{ fn: Function; set(f: Function): void }> | null = null;
  private tail: Function;
  /** Calls counted after the entry stopped counting (a version's own counter). */
  private countedBefore = 0;

  private constructor(original: Function, name: string, control: EntryControl | null, entry: Function, tail: Function) {
    this.original = original;
    this.name = name;
    this.control = control;
    this.entry = entry;
    this.tail = tail;
    registerInspectable(entry, this);
    if (entry !== original) inheritOwnProperties(entry, original);
  }

  /** A tiering dispatcher: the entry counts calls and calls `hooks.event` at the thresholds it is given. */
  static tiered(original: Function, options: DispatcherOptions, onMiss: Function): Dispatcher {
    // A method, an arrow: no own prototype, and an entry without one (a check that allocates nothing).
    const constructible = hasOwn.call(original, "prototype");
    const factory = !options.exact && options.arity >= 0 && options.arity <= MAX_FIXED_ARITY ? fixedArityFactory(options.arity, constructible) : null;
    const hooks = new TieredHooks(original, options.event);
    const originalName = original.name;
    const [entry, control] = (factory ?? exactFactory(constructible) ?? exactEntryClosure)(original, hooks, typeof originalName === "string" ? originalName : "");
    hooks.entry = entry;
    if (entry.name !== originalName) Object.defineProperty(entry, "name", { value: originalName, configurable: true });
    // A fixed-arity entry already has the length of most originals (not of one with default values).
    if (entry.length !== original.length) Object.defineProperty(entry, "length", { value: original.length, configurable: true });
    if (!factory) {
      const proto = Object.getOwnPropertyDescriptor(original, "prototype");
      if (proto) entry.prototype = proto.value;
    }
    return new Dispatcher(original, options.name, control, entry, onMiss);
  }

  /** A dispatcher whose entry is `entry` itself (the original, or one explicit version): nothing runs per call. */
  static settled(original: Function, name: string, entry: Function): Dispatcher {
    return new Dispatcher(original, name, null, entry, original);
  }

  /** Calls so far: counted by the entry at tier 0, then by the first version. Calls to a generic function are not counted (that would cost). */
  get calls(): number {
    return (this.control?.(COUNT) ?? 0) + this.countedBefore + (this.versions[0]?.calls() ?? 0);
  }

  event(message: string, detail?: string): void {
    this.history.push(detail !== undefined ? { at: Date.now(), event: message, detail } : { at: Date.now(), event: message });
  }

  /** A new link of the guard chain: compile the next version with `link.fn` as its generic, then `addVersion(v, link)`. */
  makeLink(): { fn: Function; set(f: Function): void } {
    return makeLink(this.tail);
  }

  /**
   * Adds a compiled version at the end of the guard chain (its failed guards
   * run `link`); the first version becomes the entry's target.
   */
  addVersion(version: Version, link?: { fn: Function; set(f: Function): void }): void {
    const links = (this.links ??= []);
    if (this.versions.length > 0) links[this.versions.length - 1]!.set(version.fn);
    this.versions.push(version);
    links.push(link ?? makeLink(this.original));
    this.compileTimeMs += version.compileTimeMs;
    this.tier = 1;
    this.fallbackReason = null;
    if (this.control && this.versions.length === 1) {
      this.control(RUN, version.fn);
    }
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

  /** The entry runs the original from now on, at the cost of a direct call (until a version is added). */
  goGeneric(reason: string): void {
    if (this.control) {
      this.countedBefore += this.versions[0]?.calls() ?? 0;
      this.versions.length = 0;
      this.control(GENERIC);
    }
    this.tier = "fallback";
    this.fallbackReason = reason;
    this.event("generic", reason);
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
      const list = (this.deoptVersions ??= []);
      if (!list.includes(version)) list.push(version);
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

/**
 * True when `KOS_JIT` is `0`, `false` or `off` (any case): kos then compiles
 * nothing, `jit()` returns functions as they are, and `strict` never throws.
 */
export function isJitDisabled(): boolean {
  const v = process.env.KOS_JIT;
  return v !== undefined && /^(0|false|off)$/i.test(v.trim());
}

/** The fallback reason when kos is disabled. */
export function disabledReason(): string {
  return `DISABLED: compilation is disabled by KOS_JIT=${process.env.KOS_JIT?.trim()}`;
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
  const name = options.name ?? fn.name;
  if (isJitDisabled()) return { settled: settleOriginal(fn, name, disabledReason()) };
  const pre = precheck(fn);
  if (pre.ok) return pre;
  if (options.strict) throw new JitError(pre.code, pre.reason.slice(pre.code.length + 2));
  trace(`fallback ${name || "(anonymous)"}: ${pre.reason}`);
  return { settled: settleOriginal(fn, name, pre.reason) };
}
