/**
 * The abstract values of the partial evaluator (docs/compiler.md has the lattice):
 * - static: a value known at compile time. Primitives, and objects kos reads
 *   only through the rules of `objects.ts` (data properties, never accessors
 *   or proxies), or passes by reference.
 * - dynamic: a residual expression computing the value at run time, with the
 *   `typeof` it is known to have, if any.
 * - virtual: an object or array allocated by the function itself whose fields
 *   the evaluator tracks; it is allocated in residual code only if it escapes.
 */
import type { Node } from "../ast.js";

export interface StaticValue { k: "s"; v: unknown }
export interface DynamicValue { k: "d"; e: Node; type?: string; closure?: Closure;
  /**
   * The prototype the value had when a residual `new C(…)` made it (C.prototype then): a hint
   * only, which a method call checks (method-guards.ts).
   */
  proto?: object;
  /** Known not to be null here (a test like `x !== null` held; undefined is not excluded). */
  nonNull?: true;
  /** An Array kos allocated with this many items (a hint: checked where it is used) ... */
  arrayLength?: number;
  /** ... made so only where this residual boolean variable is true (absent: on every path). */
  arrayFlag?: string;
  /**
   * What `Array.isArray` gave for this value in a test that decided the path here, while the
   * foreign-code count was `epoch`. Only a revoked proxy changes the answer (it throws), and
   * only foreign code can revoke one, so the fact holds while the count is unchanged.
   */
  isArray?: ArrayFact;
  /** Known truthiness where the type does not tell it: `a && false` is falsy whichever side gives it. */
  truthy?: boolean;
  /** A function expression not made yet, whose residual expression must not be needed (lazy-closures.ts). */
  lazyClosure?: true;
  /** The value of a call of a built-in that returns a new Array nothing else holds (fresh-array-calls.ts). */
  freshArray?: true;
  /** The compiled function's own `arguments` object, read without running code (own-arguments.ts). */
  ownArguments?: true;
  /**
   * An object or a function, never a primitive, null or undefined: a sloppy function's own `this`,
   * which the call made with ToObject (or the global object). A sloppy callee given it sees it as it is.
   */
  objectOrFunction?: true;
}
export interface ArrayFact { value: boolean; epoch: number }
/** A function expression of a frame still running: its body can be evaluated in place (closures.ts). */
/**
 * A closure kos made: its function node, the frame it was made in, and that frame's bindings
 * as they were then (a `const` in an unrolled loop is a new binding each iteration: the
 * closure made in the first one reads the first one's, whatever the frame holds later).
 */
export interface Closure { node: Node; frame: object; slots: ReadonlyMap<unknown, unknown> }
export interface VirtualValue { k: "v"; o: VirtualObject }
export type Val = StaticValue | DynamicValue | VirtualValue;

/**
 * An allocation the evaluator has not emitted yet (scalar replacement). The
 * record is only its identity: what is known of it at a program point (its
 * fields, or that it escaped) is part of the environment there, under the
 * object as key (VirtualState), so that each control-flow path has its own
 * and a join reconciles them (Specializer.merge).
 */
/**
 * The prototype of a virtual object made by `Object.create(null)`: an empty frozen object with no
 * prototype, so that lookups through it find nothing, as on the real object. Allocated, it is
 * `Object.create(null)` again (Specializer.instanceAllocation).
 */
export const NULL_PROTO: object = Object.freeze(Object.create(null) as object);

/**
 * An ordinary object's own string keys in the order for-in, Object.keys and JSON give them: array
 * indices (canonical numeric strings below 2^32 - 1) ascending, then the others as they were added.
 * A virtual object's fields are kept in the order they were added.
 */
export function ownKeyOrder<T>(entries: Iterable<[string, T]>): Array<[string, T]> {
  const indices: Array<[string, T]> = [];
  const names: Array<[string, T]> = [];
  for (const e of entries) {
    const n = Number(e[0]);
    (String(n >>> 0) === e[0] && n !== 4294967295 ? indices : names).push(e);
  }
  if (indices.length === 0) return names;
  indices.sort((a, b) => Number(a[0]) - Number(b[0]));
  return [...indices, ...names];
}

export interface VirtualObject {
  kind: "array" | "object";
  /**
   * The prototype of an instance a constructor made (`new Context(view)`), when it is not
   * Object.prototype. It never changes: an object whose prototype is set escapes first.
   */
  proto?: object;
  /** Its residual variable, named when it first escapes on any path (every path allocates into the same one). */
  name?: string;
  /** For an instance: the `new` expression that made it (index.ts retries with escaped ones made for real). */
  site?: object;
  /** It escaped somewhere other than the generic branch of a speculation (that branch is the rare path). */
  escapedOnFastPath?: boolean;
  /** It escaped on the fast path while its own constructor ran in place: allocated there, never made by `new` (fast-path-escapes.ts). */
  madeAtEscape?: boolean;
  /** An inlined callee's `arguments`, as an array of its call's arguments: it must never be made (identifiers.ts). */
  argumentsOf?: boolean;
}

/** A virtual object's state on one path. Never changed in place: a change makes a new state (paths share them). */
export interface VirtualState {
  /** Own properties in insertion order (arrays: indices "0".."n-1"). */
  props: ReadonlyMap<string, Val>;
  /** Set once the object escaped on this path: from then on it lives in this residual variable. */
  residual: string | null;
}

export const S = (v: unknown): StaticValue => ({ k: "s", v });
export const D = (e: Node, type?: string): DynamicValue => (type ? { k: "d", e, type } : { k: "d", e });
export const UNDEF = S(undefined);

export const isPrimitive = (v: unknown): boolean => v === null || (typeof v !== "object" && typeof v !== "function");
export const isStaticPrimitive = (x: Val): x is StaticValue => x.k === "s" && isPrimitive(x.v);

/** `typeof` of an abstract value, when it is known. */
/**
 * What a dynamic value's known type says of its truthiness: a function or a symbol is truthy,
 * undefined falsy, an object known not to be null truthy (Node has no `document.all`).
 * Undefined when the type does not decide it.
 */
export function knownTruthy(x: DynamicValue): boolean | undefined {
  if (x.truthy !== undefined) return x.truthy;
  if (x.type === "function" || x.type === "symbol") return true;
  if (x.type === "undefined") return false;
  if (x.type === "object" && x.nonNull) return true;
  return undefined;
}

/** Whether a dynamic value is null or undefined, where its known type decides it. */
export function knownNullish(x: DynamicValue): boolean | undefined {
  if (x.type === "undefined") return true;
  if (x.type && x.type !== "object") return false;
  if (x.type === "object" && x.nonNull) return false;
  return undefined;
}

export function typeOfVal(x: Val): string | undefined {
  if (x.k === "s") return x.v === null ? "object" : typeof x.v;
  if (x.k === "v") return "object";
  return x.type;
}

/**
 * Same abstract value for merging: static values by SameValue, virtuals by identity, dynamic
 * values when both are the same residual variable (a branch that narrowed its type, as
 * `if (typeof v === "number")` does, still holds the same variable; the merge keeps the type
 * only where both agree).
 */
export function sameVal(a: Val | null, b: Val | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.k === "s" && b.k === "s") return Object.is(a.v, b.v);
  if (a.k === "v" && b.k === "v") return a.o === b.o;
  if (a.k === "d" && b.k === "d") return a.e.type === "Identifier" && b.e.type === "Identifier" && a.e.name === b.e.name && !a.closure && !b.closure && a.arrayLength === b.arrayLength && a.arrayFlag === b.arrayFlag;
  return false;
}
