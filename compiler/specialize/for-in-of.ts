/**
 * for-of and for-in: the items and keys kos knows they visit (a known array
 * or string, a known object's keys, an unfrozen one's read under guards),
 * binding the loop variable, the guards a speculative pass over an unfrozen
 * source adds, the bound on an unrolled guarded for-in's size, and the
 * engine's "x is not iterable" message kept as written. Also the state one
 * loop's evaluation carries (LoopState), which loops.ts (unrolling) and
 * residual-loops.ts (loops that stay loops) share.
 */
import { countNodes, type Node } from "../ast.js";
import { buildLiteral } from "../emit.js";
import { arrayIterationIntact } from "../builtins.js";
import type { Specializer, Target } from "./specializer.js";
import { NULL_PROTO, S, ownKeyOrder, type Val } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { types as utilTypes } from "node:util";
import { iterableAsWritten } from "../error-helpers.js";
import { notIterableForm } from "./for-of-messages.js";

export interface LoopState {
  /** for-of / for-in over a known sequence: the items left. */
  items?: Val[];
  index?: number;
  started: boolean;
  /** for-of / for-in over a value kos does not know: the iterated value, evaluated once. */
  right?: Val;
  /** for-of over an unfrozen array kos read with guards: re-checked after foreign code. */
  source?: unknown[];
  /**
   * for-in over an unfrozen object kos read with guards (its keys): after foreign code, a key
   * is visited only while `key in obj`, as the engine's for-in does for a key deleted meanwhile.
   */
  keysOf?: object;
  /**
   * for-in over an object the function made (its keys as the loop started): a key the body deleted
   * since is not visited, as the engine's for-in does (`delete o.q` in the first iteration of
   * `for (k in { p: 0, q: 1 })`, sweep27 repro-2). Checked on its fields while kos follows them,
   * else by `key in obj` in the residual loop.
   */
  keysMade?: Val;
  /**
   * for-of over an array the function made: its items are read as the array iterator reads them,
   * at each step (the length and the item then), so that items the body pushes are visited and
   * removed ones are not (sweep27 repro-7). From its fields while kos follows them, else from the
   * allocated array in the residual loop.
   */
  itemsMade?: Val;
  /** With `keysOf`: syntax nodes its unrolled iterations emitted so far (shared by the copies of this state). */
  emitted?: { nodes: number };
  /**
   * With `source` or `keysOf`: set once an iteration was speculated on after foreign code, which
   * may have written items (or deleted keys) past the next one. Every later item is then guarded
   * as it is reached, as the engine reads it then.
   */
  guardEach?: boolean;
  /** Where speculated iterations go when their guards fail: one residual loop for all of them (see P.loop, loops.ts). */
  tail?: Target;
  /** With `tail` over items: the residual variable holding the index the tail loop starts from. */
  tailIndex?: string;
  /** This is the shared tail itself (residualTail, loops.ts): it starts from `tailIndex`. */
  inTail?: boolean;
  /** A residual for-of iterates `iterableAsWritten(value, this)`, for the engine's "d.items is not iterable" (notIterableAsWritten). */
  notIterable?: Node;
  /** The residual for-of iterates `t && t`, which V8 words by its value, as it does the source's expression (describesValue). */
  describeValue?: boolean;
}


/** The intrinsic array iterator method, as kos loaded it. */
const ARRAY_VALUES = Array.prototype[Symbol.iterator];
/** Items a for-of (or an array pattern) would visit, if kos knows them without running user code. */
export function knownItems(s: Specializer, v: Val): Val[] | null {
  if (v.k === "v" && v.o.kind === "array" && s.fields(v.o)) return [...s.fields(v.o)!.values()];
  if (v.k === "s" && typeof v.v === "string") return [...v.v].map((c) => S(c));
  if (v.k === "s" && Array.isArray(v.v) && !utilTypes.isProxy(v.v)) {
    const arr = v.v as unknown[];
    if (Object.getPrototypeOf(arr) !== Array.prototype || Object.prototype.hasOwnProperty.call(arr, Symbol.iterator)) return null;
    if (!arrayIterationIntact()) return null;
    if (!Object.isFrozen(arr)) {
      const items = s.guardedItems(arr);
      // Iterated by the protocol: the array may gain its own `Symbol.iterator` (or another
      // prototype) after jit, which the original's loop would call. Guarded like its items.
      if (items) s.contentGuards.push({ obj: arr, key: Symbol.iterator, value: ARRAY_VALUES });
      return items;
    }
    const items: Val[] = [];
    for (let i = 0; i < arr.length; i++) {
      const f = readFrozenProperty(arr, String(i), s.options.freeze);
      if (!f.ok) return null;
      items.push(S(f.value));
    }
    return items;
  }
  return null;
}

export function knownKeys(s: Specializer, v: Val): { keys: Val[]; live?: object; made?: Val } | null {
  // An instance's for-in visits its prototype's enumerable keys too: it runs as written.
  if (v.k === "v" && v.o.kind === "object" && (!v.o.proto || v.o.proto === NULL_PROTO) && s.fields(v.o)) return { keys: ownKeyOrder(s.fields(v.o)!).map(([k]) => S(k)), made: v };
  if (v.k !== "s" || v.v === null || typeof v.v !== "object" || utilTypes.isProxy(v.v) || ArrayBuffer.isView(v.v)) return null;
  if (Object.isFrozen(v.v) && s.options.freeze !== "reference") {
    const proto = Object.getPrototypeOf(v.v);
    if (proto !== Object.prototype && proto !== null && proto !== Array.prototype) return null;
    // A for-in over an array walks Array.prototype's enumerable keys too, which the program can add
    // to after jit() (Object.prototype's it may not: the documented assumption): the walk of
    // Array.prototype is guarded at entry to find what it finds now (sweep38 #2).
    if (proto === Array.prototype && !s.guardEnumerableKeys(Array.prototype)) return null;
    const keys: Val[] = [];
    for (const k in v.v as object) keys.push(S(k));
    return { keys };
  }
  // An object kos does not own (a schema's `entries`, a rule table): its own enumerable keys,
  // guarded at entry by the for-in walk itself (sameOwnKeys), so that an inherited enumerable
  // key fails the guard too. Only where the walk is those keys now (it runs no user code: no
  // proxies here).
  if (s.options.freeze !== "guard" || s.options.guardedForIn === false || s.foreignRan) return null;
  const own = Object.keys(v.v);
  let i = 0;
  for (const k in v.v as object) if (k !== own[i++]) return null;
  if (i !== own.length) return null;
  const keys = s.guardedKeys(v.v as object);
  if (!keys) return null;
  s.guardedForIns++;
  return { keys: keys.map((k) => S(k)), live: v.v as object };
}

declare module "./specializer.js" {
  interface Specializer {
    guardedItems(arr: unknown[], count?: number): Val[] | null;
  }
}

/** Binds the loop variable of for-of/for-in for one iteration. */
/**
 * The source of a pattern declared in a for-of's head (`for (const [k, v] of list)`): V8 names the
 * item `.for` there, "Cannot destructure property 'a' of '.for' as it is null.", ".for is not
 * iterable", which no residual variable can be named.
 */
export const FOR_OF_ITEM: Node = { type: "Identifier", name: ".for" };

export function bindLeft(s: Specializer, left: Node, value: Val, forOf = false): void {
  if (left.type === "VariableDeclaration") s.bindPattern(left.declarations[0].id, value, left.kind, forOf ? FOR_OF_ITEM : undefined);
  else s.bindPattern(left, value, null);
}

/** In a speculative pass over an unfrozen array: the next item, and the length, must still be what was read. */
export function guardItem(s: Specializer, state: LoopState): void {
  const arr = state.source!;
  s.contentGuards ??= [];
  s.contentGuards.push({ obj: arr, key: "length", value: state.items!.length });
  if (state.index! < state.items!.length) {
    const item = state.items![state.index!]!;
    if (item.k === "s") s.contentGuards.push({ obj: arr, key: String(state.index), value: item.v });
  }
}

/**
 * An unrolled for-in over an unfrozen object is kept only where the whole function fits the
 * residual size (compile.ts): once its iterations alone have emitted more than the bound, the
 * compile stops, and compile.ts specializes again with the loop kept (the bound and its
 * measurements are there). It stops sooner where the keys done so far, at their mean size,
 * project past PROJECTED_SLACK times the bound over all the keys.
 */
export function tooBigToUnroll(s: Specializer, state: LoopState, mark: number): void {
  state.emitted!.nodes += countNodes({ type: "BlockStatement", body: s.out.slice(mark) });
  const bound = s.options.forInNodes ?? Infinity;
  const projected = (state.emitted!.nodes / Math.max(1, state.index!)) * state.items!.length;
  if (state.emitted!.nodes > bound || projected > PROJECTED_SLACK * bound) {
    s.fail("RESIDUAL_TOO_LARGE", `an unrolled for-in emitted ${state.emitted!.nodes} syntax nodes for ${state.index} of its ${state.items!.length} keys, past its bound of ${bound}`);
  }
}

/**
 * How far past the bound a for-in's projected size may be before it stops early: keys differ in
 * size, and a projection from the first ones may overshoot. valibot's 9-property schema emitted
 * 3,802 nodes for its first key (34,218 projected) and went on to its third (13,458 nodes) before
 * the bound stopped it; the iterations after the first were 16-70% of that thrown-away attempt
 * (100 ms of a 600 ms first compile, 55 of 80 ms warm; .scratch timings, Node 20.20.2).
 */
const PROJECTED_SLACK = 2;

/**
 * In a speculative pass over an unfrozen object's keys: the next key must still be there (`key in
 * obj`), which is what the engine's for-in checks of a key it listed at the start. Keys added
 * since are not visited, by either. A `sameOwnKeys` walk here instead cost valibot's 9-property
 * schema 11% of its time: one per property.
 */
export function guardKeys(s: Specializer, state: LoopState): void {
  if (state.index! >= state.items!.length) return;
  s.contentGuards ??= [];
  const key = (state.items![state.index!] as { v: unknown }).v as string;
  s.contentGuards.push({ obj: state.keysOf!, key, value: undefined, has: true });
}

/**
 * Whether the for-in over an object the function made visits `key` now (`key in obj`, as the
 * engine checks a key it listed at the start): true or false from the object's fields, null where
 * kos no longer follows them (the object was allocated and code ran on it).
 */
export function madeObjectHas(s: Specializer, made: Val, key: string): boolean | null {
  if (made.k !== "v") return null;
  const fields = s.fields(made.o);
  if (!fields) return null;
  if (fields.has(key)) return true;
  // An object literal inherits from Object.prototype (kos assumes it unchanged after jit, README).
  return made.o.proto !== NULL_PROTO && Object.prototype.hasOwnProperty.call(Object.prototype, key);
}

/**
 * In a residual loop over the keys an unfrozen object had when its for-in started: a key the
 * body's foreign code deleted since is skipped, as the engine's for-in does (a `key in obj`
 * check, the prototype chain included, as V8's ForInFilter).
 */
export function skipDeletedKey(s: Specializer, state: LoopState, key: Node, contT: Target): void {
  if ((!state.keysOf && !state.keysMade) || !s.env) return;
  const obj = state.keysOf ? s.constNode(state.keysOf) : s.residual(state.keysMade!);
  const before = s.env;
  const skip = s.collect(() => {
    s.env = new Map(before);
    s.jump(contT, "continue");
  });
  const test: Node = { type: "UnaryExpression", operator: "!", prefix: true, argument: { type: "BinaryExpression", operator: "in", left: key, right: obj } };
  s.out.push({ type: "IfStatement", test, consequent: { type: "BlockStatement", body: skip }, alternate: null });
  s.env = before;
}

/**
 * How V8 names a simple iterable in "x is not iterable": an identifier, `this`, or a member
 * chain of names and literal indices, printed as written. Null for anything else.
 */
function writtenName(n: Node): string | null {
  if (n.type === "Identifier") return n.name;
  if (n.type === "ThisExpression") return "this";
  if (n.type !== "MemberExpression" || n.optional) return null;
  const base = writtenName(n.object);
  if (base === null) return null;
  if (!n.computed && n.property.type === "Identifier") return `${base}.${n.property.name}`;
  // V8 prints a literal key by its value: `o[0x10]` as "o[16]", `o["a b"]` as "o.a b".
  if (n.computed && n.property.type === "Literal" && typeof n.property.value === "number") return `${base}[${String(n.property.value)}]`;
  if (n.computed && n.property.type === "Literal" && typeof n.property.value === "string") return `${base}.${n.property.value}`;
  // A key read from a variable or a path: V8 prints it as written (`o[k]`, `o[q.j]`, `this[k]`).
  if (n.computed && (n.property.type === "Identifier" || n.property.type === "MemberExpression" || n.property.type === "ThisExpression")) {
    const key = writtenName(n.property);
    return key === null ? null : `${base}[${key}]`;
  }
  return null;
}

/**
 * Whether V8 words a failing for-of over `source` by the value it got ("number 5 is not iterable
 * (cannot read property Symbol(Symbol.iterator))"), as it does `(d.items || [])` (for-of-messages.ts):
 * the residual loop then iterates `t && t`, which V8 words the same way, for any value, a proxy's
 * included, with no test before the loop.
 */
export function describesValue(s: Specializer, source: Node): boolean {
  if (writtenName(source) !== null || (source.type === "CallExpression" && !source.optional && writtenName(source.callee) !== null)) return false;
  return notIterableForm(source, s.frame.info.parsed.strict)?.kind === "value";
}

/**
 * A for-of over a method call kos leaves as written (`for (const x of d.v.slice(0))` on a `d` it
 * does not know): V8 words a failure of that call there as "d.v.slice is not a function or its
 * return value is not iterable", and as "d.v.slice is not a function" in a statement of its own. So
 * the call stays in the loop's header, where it is still evaluated once and first, when it prints
 * as the source's does.
 */
export function callKeptInHeader(source: Node, value: Val): boolean {
  if (source.type !== "CallExpression" || source.optional || value.k !== "d" || value.e.type !== "CallExpression" || value.e.optional) return false;
  const name = writtenName(source.callee);
  return name !== null && writtenName(value.e.callee) === name;
}

/**
 * A residual for-of over a value held in a temporary would throw "it is not iterable" where the
 * original says "c.list is not iterable". So the loop iterates `iterableAsWritten(t, message)`
 * (error-helpers.ts), which throws the engine's message as the source words it, with no code of
 * the program's run twice: the argument this returns, the message as a literal, or null where
 * V8 words the failure by the value. Null when the loop needs no help: its value is held under
 * the source's own name, or V8's wording cannot be told (for-of-messages.ts).
 * (ejs's `for (const x of locals.items)` over a Date said "it is not iterable"; fuzz seed 2305
 * #554; a proxy with no iterator, sweep13.)
 */
export function notIterableAsWritten(s: Specializer, source: Node, value: Val): Node | null {
  // A call's result is named by its callee: "o.get is not a function or its return value is not iterable".
  const callee = source.type === "CallExpression" && !source.optional ? writtenName(source.callee) : null;
  const name = callee ?? writtenName(source);
  // Any other expression: V8 prints it or describes the value, by its form (for-of-messages.ts).
  // The value form is also the loop's (`t && t`, describesValue); the helper words it the same in
  // every tier, where V8's optimized loop says "undefined is not a function" for some values
  // (node 20, in the original too).
  const form = name === null ? notIterableForm(source, s.frame.info.parsed.strict) : null;
  if (name === null && form === null) return null;
  const e = s.residual(value);
  // Written under the source's name (`{ let ka = ka_2; for (const k of ka) … }`), the loop's
  // message is the engine's own.
  if (name !== null && e.type === "Identifier" && e.name === name) return null;
  if (form?.kind === "value") return buildLiteral(null)!;
  return buildLiteral(form?.kind === "fixed" ? form.message : callee !== null ? `${callee} is not a function or its return value is not iterable` : `${name} is not iterable`)!;
}

/** `iterableAsWritten(iterated, message)`: what the residual loop iterates (notIterableAsWritten). */
export function iteratedAsWritten(s: Specializer, iterated: Node, message: Node): Node {
  return { type: "CallExpression", optional: false, callee: s.constNode(iterableAsWritten), arguments: [iterated, message] };
}
