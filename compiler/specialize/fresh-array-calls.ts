/**
 * `Object.keys(o).forEach(cb)` with a callback kos runs in place: Array.prototype.forEach's own
 * steps, evaluated in place as a residual loop over the key array, the callback's body in it.
 *
 * The receiver is the Array the built-in has just made (Object.keys, values, entries or
 * getOwnPropertyNames of this realm, the value of the call the method is read from): a genuine
 * Array, not a proxy, with the intrinsic prototype, that no other code holds. Its `forEach` is then
 * Array.prototype.forEach (the documented assumption that built-ins are not replaced, checked when
 * kos loaded them), reading it runs nothing, and its `length` is a data property holding an
 * integer, so the steps below (ECMA-262 23.1.3.15 with no thisArg: the length read once, then
 * `k in O` and `O[k]` before each call, the callback called with undefined as `this`) are what the
 * built-in does.
 *
 * Only for a callback given lazy (lazy-closures.ts): called as written, it would have to be made,
 * with the objects kos keeps virtual that it captures (jsonpath-plus's `_walk(val, f)` walks an
 * object's keys with `Object.keys(val).forEach((m) => { f(m); })`, where `f` captures the query's
 * instance). Other callbacks keep the call as written, as before.
 */
import type { Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import type { DynamicValue, Val } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    /** The call `recv.m(args)` on an Array a built-in has just made, evaluated in place; else null. */
    freshArrayMethodCall(n: Node, recv: Val, key: Val, args: Val[]): Val | null;
  }
}

const ArrayForEach = Array.prototype.forEach;

/** The built-ins whose result is a new Array of this realm that nothing else holds. */
export const FRESH_ARRAY_BUILTINS: ReadonlySet<unknown> = new Set([Object.keys, Object.values, Object.entries, Object.getOwnPropertyNames]);

/**
 * Array.prototype.forEach's steps for a genuine Array and no thisArg. Evaluated by kos as any
 * function it inlines (its text is read back): it must stay self-contained.
 */
function forEachSteps(O: unknown[], callbackfn: (value: unknown, index: number, array: unknown[]) => void): void {
  const len = O.length;
  for (let k = 0; k < len; k++) {
    if (k in O) callbackfn(O[k], k, O);
  }
}

const P = Specializer.prototype;

P.freshArrayMethodCall = function (this: Specializer, n: Node, recv: Val, key: Val, args: Val[]): Val | null {
  if (this.generic || recv.k !== "d" || !recv.freshArray || key.k !== "s" || key.v !== "forEach" || args.length !== 1) return null;
  const cb = args[0]!;
  if (cb.k !== "d" || !cb.lazyClosure) return null;
  const own = Object.getOwnPropertyDescriptor(Array.prototype, "forEach");
  if (!own || own.value !== ArrayForEach || Array.prototype.forEach !== ArrayForEach) return null;
  return this.inlineCall(forEachSteps, { k: "s", v: undefined }, [freshReceiver(this, recv), cb], n);
};

/** The receiver in a temporary: the steps read it more than once. */
function freshReceiver(s: Specializer, recv: DynamicValue): Val {
  const t = s.stable(recv, "keys");
  return t.k === "d" ? { ...t, type: "object", nonNull: true } : t;
}
