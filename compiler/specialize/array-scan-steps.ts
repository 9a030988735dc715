/**
 * `some` and `every` on an array kos does not know, with a callback it knows: the built-in's own
 * steps, for method-guards.ts to inline behind the test that the method read is the intrinsic and
 * the receiver an Array (`m === Array.prototype.some && Array.isArray(recv)`). The loop stays a
 * loop (its length is the input's), and the callback's body runs in it in place, specialized on
 * what the callback captured: a query matcher's `values.some((v) => isEqual(expr, v))`, with
 * `expr` known, compares each item with a constant instead of calling a closure made per test.
 *
 * Exact for any receiver the test lets through, a proxy of an array included: ECMA-262 23.1.3
 * (`some` 23.1.3.29, `every` 23.1.3.6) with no thisArg reads `length` once (LengthOfArrayLike:
 * ToLength of it, written out below), then for each index asks HasProperty and, for an index
 * present, Gets it and calls the callback with undefined as `this` and (item, index, array), in
 * that order. The callback is a function kos knows, so the built-in's IsCallable check cannot fail.
 * The steps are evaluated by kos as any function it inlines (their text is read back): they must
 * stay self-contained.
 */

import type { Specializer } from "./specializer.js";
import type { Val } from "./values.js";
import { capturesKnownValue } from "./closures.js";

function someSteps(O: ArrayLike<unknown>, callbackfn: (value: unknown, index: number, array: ArrayLike<unknown>) => unknown): boolean {
  const n = +O.length;
  const len = n >= 0 ? Math.min(Math.floor(n), 9007199254740991) : 0;
  for (let k = 0; k < len; k++) {
    if (k in O) {
      if (callbackfn(O[k], k, O)) return true;
    }
  }
  return false;
}

function everySteps(O: ArrayLike<unknown>, callbackfn: (value: unknown, index: number, array: ArrayLike<unknown>) => unknown): boolean {
  const n = +O.length;
  const len = n >= 0 ? Math.min(Math.floor(n), 9007199254740991) : 0;
  for (let k = 0; k < len; k++) {
    if (k in O) {
      if (!callbackfn(O[k], k, O)) return false;
    }
  }
  return true;
}

// The intrinsics as they were when kos loaded: a program's replacement is a different function.
const STEPS = new Map<string, { builtin: Function; steps: Function }>([
  ["some", { builtin: Array.prototype.some, steps: someSteps }],
  ["every", { builtin: Array.prototype.every, steps: everySteps }],
]);

/** Whether `fn` is one of the steps above (inlining.ts inlines them for the callback they are given). */
export function isArrayScanSteps(fn: Function): boolean {
  return fn === someSteps || fn === everySteps;
}

/**
 * The built-in and its steps for `recv[key](cb)` with one argument, a closure kos made (not one
 * given lazily: the other branch passes it as a value) that reads a known value of the frame it
 * was made in, which its body then folds (`(v) => isEqual(expr, v)` with `expr` known). Else null:
 * a callback over unknown values only (a deep equality's `keys.every((k) => isEqual(a[k], b[k]))`)
 * would copy its body into the loop for the cost of a call, and on mingo's query that copied
 * 900 lines into paths that rarely run and added a fifth to the compile.
 */
export function arrayScanSteps(s: Specializer, key: string, args: readonly Val[]): { builtin: Function; steps: Function } | null {
  const entry = STEPS.get(key);
  if (!entry || args.length !== 1) return null;
  const cb = args[0]!;
  if (cb.k !== "d" || !cb.closure || cb.lazyClosure || !capturesKnownValue(s, cb.closure)) return null;
  return entry;
}
