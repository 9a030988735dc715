/**
 * Freezing (the `deep` policy) and the value predicates it needs. The rules
 * for reading known objects at compile time are in specialize/objects.ts.
 */

import { types as utilTypes } from "node:util";

/** By the internal slot: `instanceof` would run a proxy's getPrototypeOf trap, and accept `Object.create(Uint8Array.prototype)`. */
export function isTypedArray(v: unknown): v is ArrayLike<number> & { length: number } {
  return utilTypes.isTypedArray(v);
}

export function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== "object" && typeof v !== "function");
}

/**
 * Objects kos may freeze and fold: plain objects, arrays and class instances with only data.
 * Told by internal slots (node:util), not `instanceof`, which runs a proxy's getPrototypeOf
 * trap. A proxy is never frozen: kos folds nothing read through one.
 */
function isFreezable(v: object): boolean {
  if (typeof v === "function" || utilTypes.isProxy(v)) return false;
  if (utilTypes.isTypedArray(v) || utilTypes.isAnyArrayBuffer(v) || utilTypes.isDataView(v)) return false;
  if (utilTypes.isMap(v) || utilTypes.isSet(v) || utilTypes.isWeakMap(v) || utilTypes.isWeakSet(v)) return false;
  if (utilTypes.isDate(v) || utilTypes.isPromise(v) || utilTypes.isRegExp(v)) return false;
  return true;
}

/** Deep-freezes the plain data reachable from `value` (the `deep` policy). */
export function deepFreeze(value: unknown, seen = new Set<object>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (!isFreezable(value)) return;
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && "value" in d) deepFreeze(d.value, seen);
  }
  Object.freeze(value);
}
