/**
 * The entry of a tiering dispatcher (dispatcher.ts): the function `jit()` returns, made from a
 * generated text, one factory per arity and form, and the states it runs by.
 *
 * The function `jit()` returns (the *entry*) is built so that V8 can inline
 * straight through it, the way it treats a monomorphic call site:
 * - the original is an immutable closure variable, so an optimized caller
 *   that inlines the entry sees it as a constant and inlines it too;
 * - what the entry runs once it stops counting (its first version, or the
 *   original once generic) is a shared state object, the prototype of a
 *   per-entry object (`slot.state`), and the version a field of that object
 *   added once (`slot.head`), so V8 folds both: no call feedback is needed,
 *   and the counting path drops out of the caller's code as dead once settled;
 * - where a call site sees many entries and inlines none, each of a factory's
 *   first entries runs a copy of the entry code of its own (DISTINCT_ENTRIES),
 *   so that V8 inlines its original into it.
 * Measured in bench/tiering.bench.ts: dispatch to a settled version or to the
 * original costs within noise of a direct call (the ≤ 0.5 ns target), where a
 * wrapper that counted calls and called through a reassigned closure variable
 * (`.call` on it left V8 no call feedback for the real target) cost 3-4.5 ns.
 */
import { makeFunction } from "./make-function.js";

/** Called by the entry while it counts calls (tier 0), when the count reaches `next`. */
export interface EntryHooks {
  event(thisArg: unknown, args: unknown[], newTarget: Function | undefined): unknown;
  /** `new entry(...)` on a fixed-arity entry (the exact entry constructs by itself). */
  construct?(args: unknown[], newTarget: Function): unknown;
  /**
   * With a `tick`, the entry calls it at the threshold instead of the event, and then calls the
   * original itself (where code generation is disallowed, the event runs instead). The event
   * returns the call's result, any value, and where V8 inlines the entry, that return meets the
   * original's at one point of the caller's code: a soft-clip function returning doubles into a
   * Float64Array then had every result boxed in a heap number. 15,000 blocks of 256 calls through
   * a counting entry cost 79 ms of CPU once its event had run even 13 times, against 62-64 ms with
   * the event never run and 59-62 ms for the original; through an entry that calls a hook that
   * returns nothing and then the original, 68-72 ms (/tmp/dmb/mb3.mjs and mb4.mjs, Node 20.20.2).
   * The dormant tier (dormant.ts) only counts, so its entries tick.
   */
  tick?(): void;
}

/**
 * Sets an entry's state and reads its call count: `control(RUN, f)` (from now on every call runs
 * `f`: a version, or a route that times one), `control(GENERIC)` (every call runs the original,
 * for good), `control(NEXT, n)` (while counting, call the event at call `n`), `control(COUNT_ONLY)`
 * (every call runs the original, counted, and never calls the event); every call returns the count.
 * One function, not an object of closures: `jit()` of a function never called makes nothing it
 * does not need (bench/tiering.bench.ts).
 */
export type EntryControl = (op: typeof GENERIC | typeof RUN | typeof NEXT | typeof COUNT | typeof COUNT_ONLY | typeof QUIET | typeof WARM, value?: unknown) => number;
export const GENERIC = 0;
export const RUN = 1;
export const NEXT = 2;
export const COUNT = 3;
/**
 * The generic state of a profiling run (`kos profile`): the original, still counted, so that the
 * profile's table and its cost model see every call of a function that settled on it. A counted call
 * costs a context-slot increment; other runs settle with GENERIC, which counts nothing.
 */
export const COUNT_ONLY = 4;
/**
 * A ticking entry's quiet counting (`control(QUIET, k)`, k < QUIET_SITES): it counts as at tier 0,
 * and at `next` calls its tick from call site `k` of its own, one that no earlier call ran. See
 * {@link QUIET_SITES}.
 */
export const QUIET = 5;
/**
 * A ticking entry's tick is a call in the entry, and where V8 inlines the entry into a hot caller,
 * a call it has seen run is compiled into the caller's loop, where V8 must assume it changes any
 * object: the caller reloads what it had kept in registers (a typed array's base and length) after
 * every call of the entry. The DSP program of bench/programs ran at 0.96× no kos under tiering, its
 * kernels asleep behind dormant entries; with the count and the tick taken out of the entry, 1.00×
 * (/tmp/dspv, 9 paired rounds). A call site no call has run has no feedback, and V8 compiles it as a
 * deoptimization, which changes nothing the caller keeps. So the dormant tier (dormant.ts) ticks
 * from the counting state's site (in \`rare\`, makeDormantFactory) at the first call only, before
 * any caller is optimized, and from then on from a quiet state's site, set far ahead, a fresh one
 * each time a quiet tick did not wake: QUIET_SITES of them (then the last one again). With the state
 * in a quiet state's own site, V8 folds the rest away where it inlines the entry, as it does for the
 * other states. Two: each site is 12 bytes of the entry's bytecode, and with three the life program
 * of bench/programs lost its neighbour count's inlining into its main loop (below, makeDormantFactory).
 * The tick at FIRST_QUIET_CALLS (dormant.ts) takes the first, the one the call rate then sets at
 * the wake point the second, and any later one the second again.
 */
export const QUIET_SITES = 2;
/**
 * `control(WARM)`: gives the entry's function literal a feedback vector now, from a dummy entry of
 * the same literal (entryMakers). V8 gives a function a feedback vector only once it has run a
 * while (a two-argument dormant entry after 16-23 calls), and does not inline one that has none: in
 * the DSP program of bench/programs, V8 optimizes the block loop within its first blocks, while the
 * FIR and biquad entries have been called fewer times than that, and they stayed calls for the
 * whole run (--trace-turbo-inlining: "no feedback vector"; docs/notes/tiering-entry-costs.md). The
 * dormant tier warms an entry at its first call.
 */
export const WARM = 6;
/**
 * The dummy's calls in a warm-up (WARM): V8 gave a dormant entry its vector after 14 calls of two
 * arguments, 16 of eight (%DebugPrint, Node 20.20.2); twice that for the margin.
 */
const WARM_CALLS = 32;

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
const QUIET_STATES = Array.from({ length: QUIET_SITES }, (_, k) => stateObject(4 + k));
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
/** From now on the entry runs the original: uncounted (GENERIC), or counted (COUNT_ONLY). */
function runOriginal(slot: object, counted: boolean): void {
  setPrototypeOf(slot, counted ? COUNTING_STATE : GENERIC_STATE);
}
/** From now on the entry counts quietly, ticking from site `k` (see {@link QUIET_SITES}). */
function runQuiet(slot: object, k: number): void {
  setPrototypeOf(slot, QUIET_STATES[Math.min(Math.max(0, k | 0), QUIET_SITES - 1)]!);
}
/**
 * The quiet states' tick: one call site per state, only the current state's left in a caller that
 * folded it. Its text is fixed.
 */
const QUIET_TICKS = QUIET_STATES.map((_, k) => (k === QUIET_SITES - 1 ? `t();` : `if (state === ${4 + k}) t(); else `)).join("");
/** The quiet states' ticks, through one load of \`tick\`. */
const QUIET_ONLY_TICKS = `var t = tick; ${QUIET_TICKS}`;
/**
 * Where the control moves an entry's count into \`base\` and its counter starts again from zero (the
 * policy sets \`next\` at least every 16,384 calls at tier 0, tier0-sampling.ts): the counter the
 * entry increments stays a small integer. Past 2^31 V8 boxed each new count in a heap number, and
 * a counted call of a 4 ns function cost 8.2 ns, against 4.6 ns below it (/tmp/ctr3.js probe,
 * Node 20.20.2).
 */
export const REBASE_AT = 2 ** 29;
// \`slot\` a \`var\` set once, which V8 reads as immutable (no hole check, as a \`const\` needs: 2 bytes
// of bytecode a read) and folds to its object where the entry is inlined, as it does a \`const\`.
const STATE_SOURCE = `"use strict";\nvar calls = 0, next = 1, base = 0;\nvar slot = newSlot();\n`;

/** The end of every entry factory's text: it returns the entry and its control (the states above). */
const CONTROL_SOURCE =
  `return [entry, function (op, v) {\n` +
  `  if (op === ${GENERIC}) runOriginal(slot, false);\n` +
  `  else if (op === ${COUNT_ONLY}) { runOriginal(slot, true); next = Infinity; }\n` +
  `  else if (op === ${RUN}) runTarget(slot, v);\n` +
  `  else if (op === ${NEXT}) next = v - base;\n` +
  `  else if (op === ${QUIET}) runQuiet(slot, v);\n` +
  `  else if (op === ${WARM}) warm(which);\n` +
  `  if (calls >= ${REBASE_AT}) { base += calls; next -= calls; calls = 0; }\n` +
  `  return base + calls;\n` +
  `}];\n//# sourceURL=kos://entry.js`;

// One factory per arity and form, made at its first use: the entries of one arity share their
// code. The text depends on the arity and form alone (never on user data). The method form is for
// originals that have no \`prototype\` (arrows, methods): like them, its entry has none and cannot
// be constructed, where a function expression's entry had a prototype an arrow never has.
export const MAX_FIXED_ARITY = 8;
const reflectApply = Reflect.apply;
/**
 * `call(f, thisArg, ...args)`: Function.prototype.call uncurried, as Node's primordials do, so
 * that neither a later change of Function.prototype.call nor an own `call` of the original
 * reaches it. The entry's calls of the original and of its versions go through it, not through
 * `apply(f, this, [..])`: until V8 optimizes the entry, the interpreter builds the array and runs
 * Reflect.apply's generic path, 0.25-0.3 µs a call against 0.03-0.05 µs this way; optimized, both
 * are direct calls of the constant `f` (.scratch/g.mjs, Node 20.20.2). A process's first 5000 calls
 * of a counting entry spend most of their time there.
 */
const uncurriedCall = Function.prototype.call.bind(Function.prototype.call) as (f: Function, thisArg: unknown, ...args: unknown[]) => unknown;
const reflectConstruct = Reflect.construct;
export const hasOwn = Object.prototype.hasOwnProperty;
/** The head of the entry: a function expression (constructible) or a method (neither constructible nor with a prototype). */
function entryHead(constructible: boolean, params: string): string {
  return constructible ? `{ [name]: function (${params}) {\n` : `{ [name](${params}) {\n`;
}
/**
 * Entries made by one factory share its code and, made at one site, its call feedback: where a
 * call site sees several entries (a loop over handlers, a dispatch table), V8 inlines none of
 * them, and the entries' shared call of their originals went megamorphic too, a second call that
 * cost 1.63-1.68 ns over calling the originals directly (bench/tiering.bench.ts's "through one
 * call site" row, two runs). So the factory's text holds DISTINCT_ENTRIES copies of the entry,
 * each a function literal of its own with feedback of its own, and a factory's first entries
 * each take the next copy (`which`): V8 then specializes each entry's optimized code to its
 * constants and inlines its original into it (-0.06-0.05 ns over the direct call in the same
 * row). Later entries share one more copy, as every entry did before. Measured on a factory of
 * the (a, b) entry's text (/tmp/probe/switchcost.mjs, Node 20.20.2): 16 copies made the factory's
 * compile 190 → 240 µs and left each entry's making at 0.3-3.7 µs; 64 copies cost 650 µs.
 */
export const DISTINCT_ENTRIES = 16;
type Make = (...args: unknown[]) => [entry: Function, control: EntryControl];
/**
 * A factory's makers from its text around the entry (`before` and `after`, the entry literal in
 * between): one whose text holds DISTINCT_ENTRIES copies of the entry, for the factory's first
 * entries (its last parameter, `which`, picks the copy), and one with a single copy for the rest,
 * compiled at its first use. Not one text with both: V8 optimizes a function later the larger its
 * bytecode, and with the copies in the maker every entry used, `jit()` of a never-called function
 * cost 4.4-5.1 µs against 4.0 µs before the copies (medians of 9 rounds of 1000, three runs each,
 * /tmp/ab/jitcost2.mjs).
 */
type Maker = (target: Function, hooks: EntryHooks, name: string) => [entry: Function, control: EntryControl];
/**
 * `leading` are the values of the text's six first parameters (\`params\`; then come the target,
 * its hooks, the name, \`warm\` and \`which\`), the same for every entry of the factory.
 */
function entryMakers(params: string[], leading: unknown[], before: string, literal: string, after: string): Maker {
  const cases = Array.from({ length: DISTINCT_ENTRIES }, (_, i) => `case ${i}: entry = ${literal}; break;\n`);
  // Both texts take the copy (`which`, -1 for the shared one) and `warm`, which a ticking entry's
  // control calls with it (WARM).
  const all = [...params, "target", "hooks", "name", "warm", "which"];
  const distinct = makeFunction(all, `${before}var entry;\nswitch (which) {\n${cases.join("")}}\n${after}`) as Make;
  let shared: Make | null = null;
  let made = 0;
  const makeAt = (which: number): Make => (which >= 0 ? distinct : (shared ??= makeFunction(all, `${before}var entry = ${literal};\n${after}`) as Make));
  const warmed = new Set<number>();
  /**
   * Gives copy `which`'s function literal a feedback vector (WARM): a dummy entry made from the
   * same literal, of a target that does nothing, called WARM_CALLS times in the first quiet state.
   * Entries made at one literal share its feedback cell, and so the vector.
   */
  const warm = (which: number): void => {
    if (warmed.has(which)) return;
    warmed.add(which);
    const [dummy, control] = makeAt(which)(...leading, warmTarget, warmHooks, "", warm, which);
    control(QUIET, 0);
    control(NEXT, REBASE_AT);
    for (let i = 0; i < WARM_CALLS; i++) dummy();
  };
  // Passed one by one, not spread: jit() of a never-called function makes an entry (≤ 5 µs).
  const [l0, l1, l2, l3, l4, l5] = leading;
  return (target, hooks, name) => {
    const which = made < DISTINCT_ENTRIES ? made++ : -1;
    return makeAt(which)(l0, l1, l2, l3, l4, l5, target, hooks, name, warm, which);
  };
}
/** What a warm-up's dummy entry calls: nothing, and it never ticks (its count stops short of REBASE_AT). */
const warmTarget = function (): void {};
const warmHooks: EntryHooks = { event: () => undefined, tick: () => {} };
const FIXED_LEADING = ["apply", "call", "newSlot", "runTarget", "runOriginal", "runQuiet"];
function makeFixedArityFactory(n: number, constructible: boolean, ticking: boolean): EntryFactory | null {
  const params = Array.from({ length: n }, (_, i) => `a${i}`).join(", ");
  // The parameters only give the entry the original's \`length\`.
  if (ticking) return makeDormantFactory(params, constructible, false);
  const rest = n ? `, ${params}` : "";
  try {
    const make = entryMakers(
      FIXED_LEADING,
      [reflectApply, uncurriedCall, newSlot, runTarget, runOriginal, runQuiet],
      STATE_SOURCE +
        // Construction and the policy's event in a function of their own: before the caller's code
        // has \`run\` folded, the entry V8 inlines is the dispatch and the count alone. V8 inlines at
        // most 920 bytes of bytecode into one optimized function, and the entry with every path
        // inline was 250 bytes: four entries from one caller left the fourth a real call, its target
        // reached through the entries' shared (megamorphic) call feedback.
        `function rare(self, nt${rest}) {\n` +
        `  if (nt !== undefined) return hooks.construct([${params}], nt);\n` +
        `  if (slot.state === 3) return call(slot.alt, self${rest});\n` +
        `  return hooks.event(self, [${params}], undefined);\n` +
        `}\n`,
      // Named by a computed key, so that the function is made with the original's name: defining
      // \`name\` afterwards cost 450 ns, a computed key 260 ns (.scratch/jitparts.mjs).
      entryHead(constructible, params) +
        // \`call\` is Function.prototype.call uncurried (uncurriedCall), an immutable parameter: V8 turns
        // \`call(f, this, ..)\` into a direct call of the constant \`f\`, as it did \`apply(f, this, [..])\`.
        // \`f.call(this, ..)\` did the same only while \`f\` kept V8's initial function map: the compiler
        // redefines \`name\` and \`length\` on its versions, and that made every call through the entry a
        // generic call (10 ns instead of under 1 ns); \`call\` reads no property of \`f\`.
        (constructible ? `  if (new.target === undefined) {\n` : `  {\n`) +
        `    var state = slot.state;\n` +
        `    if (state === 1) return call(slot.head, this${rest});\n` +
        // Counting (tier 0) stays here: a function waiting for its compile to pay runs at tier 0 for
        // good, and through \`rare\` its calls cost 2.6-8.6 ns over the original, against 2-2.5 ns.
        // One call of the original for the generic state and the counting one, and the ticks through
        // one load of \`tick\`: V8 counts an inlined entry's whole bytecode against the caller's 920
        // bytes, dead paths included, and the two-argument ticking entry went from 190 to 160 bytes
        // (--print-bytecode). In a loop calling five dormant entries (a CSV parse, a template render,
        // a score, a distance and a method), V8 inlined all five originals without kos, one or two
        // through the 190-byte entries, two or three through these (--trace-turbo-inlining, three
        // runs each); the loop ran at 0.93-0.97x no kos in CPU time with either (/tmp/unseen/prog.mjs,
        // 15 paired runs, a loaded host).
        `    if (state === 2 || state === 0 && ++calls < next) return call(target, this${rest});\n` +
        `  }\n` +
        `  return rare(this, ${constructible ? "new.target" : "undefined"}${rest});\n` +
        `} }[name]`,
      CONTROL_SOURCE,
    );
    return make as EntryFactory;
  } catch {
    return null; // code generation disallowed: the exact entry below works everywhere
  }
}
/**
 * A dormant entry's count: \`left\`, the calls to its next tick, counts down, so that a call tests it
 * with no second read (8 bytes of bytecode against 14 for \`++calls >= next\`), and \`base\` and
 * \`span\` (the count and \`left\` when its control last set them) give the count. \`left\` stays a
 * small integer: a tick is set at most SPAN_CAP calls ahead (the dormant tier's are at most 2^29).
 */
const SPAN_CAP = 2 ** 30;
const TICKING_STATE_SOURCE = `"use strict";\nvar left = 1, span = 1, base = 0;\nvar slot = newSlot();\nvar tick = hooks.tick;\n`;
const TICKING_CONTROL_SOURCE =
  `return [entry, function (op, v) {\n` +
  `  var c = base + span - left;\n` +
  `  if (op === ${GENERIC}) runOriginal(slot, false);\n` +
  `  else if (op === ${COUNT_ONLY}) { runOriginal(slot, true); base = c; span = left = ${SPAN_CAP}; }\n` +
  `  else if (op === ${RUN}) runTarget(slot, v);\n` +
  `  else if (op === ${NEXT}) { var d = v - c; base = c; span = left = d > 1 ? (d < ${SPAN_CAP} ? d : ${SPAN_CAP}) : 1; }\n` +
  `  else if (op === ${QUIET}) runQuiet(slot, v);\n` +
  `  else if (op === ${WARM}) warm(which);\n` +
  `  return c;\n` +
  `}];\n//# sourceURL=kos://entry.js`;
/**
 * A dormant entry (dormant.ts): it counts its calls, ticks, and calls the original, in as little
 * bytecode as the quiet ticks allow. V8 inlines at most 920 bytes of bytecode into one optimized
 * function (--max-inlined-bytecode-size-cumulative), counting all of each inlined entry, the paths
 * it folds away included: entries of 145-208 bytes left a caller's third or fourth callee a real
 * call where without kos every callee fit (docs/notes/tiering-entry-costs.md). So:
 * - the entry holds the quiet states' count and ticks and the original's call, and everything else
 *   is \`rare\`'s: the counting state (the first call's tick), a woken or generic entry, and \`new\`
 *   (its \`new.target\` handed over in \`pending\`);
 * - both calls forward \`arguments\` through \`apply\`, which V8 turns into a call with the caller's
 *   own arguments (see makeExactFactory), at a fixed size: passed one by one, each argument cost 6
 *   bytes, and in the life program of bench/programs the entries of its three kernels (3, 5 and 6
 *   arguments) were 105, 117 and 123 bytes, and with theirs the caller's kernels came to 969 bytes,
 *   its neighbour count left a real call per cell (--trace-turbo-inlining). The interpreter
 *   allocates the arguments object at each call, until V8 optimizes the entry or its caller.
 * Not one call site for both with the callee in a variable: V8 inlines before it folds the state's
 * tests, and saw the variable as three targets (the original twice and \`rare\`), inlining the
 * original twice. And \`rare\` runs once an entry while it sleeps (its first call): with a second
 * tick at call 17 from there (the counting state for 17 calls), V8 inlined \`rare\` (134 bytes
 * before it was split in two) into the callers for good (its calls' share of the entry's
 * unoptimized calls stays).
 * Sizes on Node 20.20.2 (--print-bytecode): 84 bytes whatever the arity, against 145-208; 96 with a
 * third quiet site, where the life program's main loop (its kernels' entries and bodies, 3 x 96 +
 * 624 bytes) kept its neighbour count a call per cell: it inlined it from a budget of 950 up
 * (--max-inlined-bytecode-size-cumulative), and with 84-byte entries from the default 920.
 * \`exact\`: \`new\` is counted and runs the woken entry, as the exact entry's.
 */
function makeDormantFactory(params: string, constructible: boolean, exact: boolean): EntryFactory | null {
  try {
    return entryMakers(
      ["apply", "construct", "newSlot", "runTarget", "runOriginal", "runQuiet"],
      [reflectApply, reflectConstruct, newSlot, runTarget, runOriginal, runQuiet],
      TICKING_STATE_SOURCE +
        (constructible ? `var pending;\n` : "") +
        // The woken entry's path alone, so that a caller V8 optimizes once the function woke inlines
        // this much of it with the entry (rare's 134 bytes with everything: 55 more than the entry
        // had before), and the rest in \`cold\`.
        `function rare(...args) {\n` +
        `  if (slot.state === 1${constructible ? " && pending === undefined" : ""}) return apply(slot.head, this, args);\n` +
        `  return apply(cold, this, args);\n` +
        `}\n` +
        `function cold(...args) {\n` +
        `  var state = slot.state;\n` +
        (constructible
          ? `  var nt = pending;\n  pending = undefined;\n  if (nt !== undefined) {\n` +
            (exact
              ? // \`new entry()\` is \`new target()\`: the original's body sees itself as \`new.target\` (TieredHooks).
                `    if (nt === entry) nt = target;\n    if (state === 1) return construct(slot.head, args, nt);\n    if (state === 3) return construct(slot.alt, args, nt);\n    if ((state === 0 || state > 3) && !--left) tick();\n    return construct(target, args, nt);\n`
              : `    return hooks.construct(args, nt);\n`) +
            `  }\n`
          : "") +
        `  if (state === 3) return apply(slot.alt, this, args);\n` +
        `  if (state === 0 && !--left) tick();\n` +
        `  return apply(target, this, args);\n` +
        `}\n`,
      entryHead(constructible, params) +
        // \`apply\` read once into a register that both calls use: 3 bytes less than a read each.
        `  var state = slot.state, ap = apply;\n` +
        `  if (${constructible ? "new.target === undefined && " : ""}state > 3) {\n` +
        `    if (!--left) { ${QUIET_ONLY_TICKS} }\n` +
        `    return ap(target, this, arguments);\n` +
        `  }\n` +
        (constructible ? `  pending = new.target;\n` : "") +
        `  return ap(rare, this, arguments);\n` +
        `} }[name]`,
      TICKING_CONTROL_SOURCE,
    ) as EntryFactory;
  } catch {
    return null; // code generation disallowed: exactEntryClosure works everywhere
  }
}
/** Made factories, by arity, then form (function, method, ticking function, ticking method); null where code generation is disallowed. */
const fixedArityFactories: Array<Array<EntryFactory | null | undefined>> = Array.from({ length: MAX_FIXED_ARITY + 1 }, () => []);
export function fixedArityFactory(n: number, constructible: boolean, ticking = false): EntryFactory | null {
  const forms = fixedArityFactories[n]!;
  const form = (constructible ? 0 : 1) + (ticking ? 2 : 0);
  return forms[form] === undefined ? (forms[form] = makeFixedArityFactory(n, constructible, ticking)) : forms[form]!;
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
function makeExactFactory(constructible: boolean, ticking: boolean): EntryFactory | null {
  if (ticking) return makeDormantFactory("", constructible, true);
  try {
    const make = entryMakers(
      ["apply", "construct", "newSlot", "runTarget", "runOriginal", "runQuiet"],
      [reflectApply, reflectConstruct, newSlot, runTarget, runOriginal, runQuiet],
      STATE_SOURCE +
        `var pendingThis, pendingNewTarget;\n` +
        `function constructPath(...args) {\n` +
        // \`new entry()\` is \`new target()\`: the original's body sees itself as \`new.target\` (TieredHooks).
        `  var self = pendingThis, nt = pendingNewTarget === entry ? target : pendingNewTarget, state = slot.state;\n` +
        `  pendingThis = pendingNewTarget = undefined;\n` +
        `  if (state === 1) return construct(slot.head, args, nt);\n` +
        `  if (state === 3) return construct(slot.alt, args, nt);\n` +
        `  if (state === 0 && ++calls >= next) return hooks.event(self, args, nt);\n` +
        `  return construct(target, args, nt);\n` +
        `}\n` +
        `function eventPath(...args) { return hooks.event(this, args, undefined); }\n`,
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
        `} }[name]`,
      CONTROL_SOURCE,
    );
    return make as EntryFactory;
  } catch {
    return null; // code generation disallowed: exactEntryClosure works everywhere
  }
}
/** The exact factories: function, method, ticking function, ticking method (made at their first use). */
const exactFactories: Array<EntryFactory | null | undefined> = [];
export function exactFactory(constructible: boolean, ticking = false): EntryFactory | null {
  const form = (constructible ? 0 : 1) + (ticking ? 2 : 0);
  return exactFactories[form] === undefined ? (exactFactories[form] = makeExactFactory(constructible, ticking)) : exactFactories[form]!;
}

/** The exact entry where code generation is disallowed: the same states, at the cost of a rest array per call. */
export const exactEntryClosure: EntryFactory = (target, hooks) => {
  let run: Function | undefined;
  let generic = false;
  let calls = 0;
  let next = 1;
  let base = 0;
  const entry = function (this: unknown, ...args: unknown[]) {
    // `new entry()` is `new target()` (TieredHooks).
    const nt = new.target === entry ? target : new.target;
    if (generic) return nt ? Reflect.construct(target, args, nt) : Reflect.apply(target, this, args);
    if (run !== undefined) return nt ? Reflect.construct(run, args, nt) : Reflect.apply(run, this, args);
    if (++calls >= next) return hooks.event(this, args, nt);
    return nt ? Reflect.construct(target, args, nt) : Reflect.apply(target, this, args);
  };
  const control: EntryControl = (op, v) => {
    if (op === GENERIC) generic = true;
    else if (op === COUNT_ONLY) {
      run = undefined;
      generic = false;
      next = Infinity;
    } else if (op === RUN) {
      run = v as Function;
      generic = false;
    }
    else if (op === NEXT) next = (v as number) - base;
    if (calls >= REBASE_AT) {
      base += calls;
      next -= calls;
      calls = 0;
    }
    return base + calls;
  };
  return [entry, control];
};
