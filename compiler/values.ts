/**
 * Rules for reading known objects at compile time, and the freeze policy that
 * makes those reads stay true. A read is folded only from an object that can
 * no longer change: frozen (by kos under the `deep` policy, or by the caller),
 * and only own data properties (never getters). A missing property folds to
 * `undefined` only when the prototype is Object.prototype, Array.prototype or
 * null and does not have the key now (documented assumption: built-in
 * prototypes are not extended after jit).
 */
import type { FreezePolicy } from "./types.js";

const TypedArray = Object.getPrototypeOf(Int8Array) as Function;

export function isTypedArray(v: unknown): v is ArrayLike<number> & { length: number } {
  return v instanceof (TypedArray as unknown as { new (): object });
}

export function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== "object" && typeof v !== "function");
}

/** Objects kos may freeze and fold: plain objects, arrays and class instances with only data. */
function isFreezable(v: object): boolean {
  if (typeof v === "function") return false;
  if (isTypedArray(v) || v instanceof ArrayBuffer || v instanceof DataView) return false;
  if (v instanceof Map || v instanceof Set || v instanceof WeakMap || v instanceof WeakSet) return false;
  if (v instanceof Date || v instanceof Promise || v instanceof RegExp) return false;
  if (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer) return false;
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

export type Read = { ok: true; value: unknown } | { ok: false };
const NO: Read = { ok: false };

const safePrototypes = new Set<object | null>([Object.prototype, Array.prototype, null]);

/** Reads `obj[key]` at compile time if the result can never change. */
export function readKnownProperty(obj: unknown, key: unknown, policy: FreezePolicy): Read {
  if (typeof key !== "string" && typeof key !== "number") return NO;
  if (typeof obj === "string") {
    if (key === "length") return { ok: true, value: obj.length };
    const index = typeof key === "number" ? key : /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
    if (Number.isInteger(index) && index >= 0 && index < obj.length) return { ok: true, value: obj[index] };
    return NO;
  }
  if (obj === null || typeof obj !== "object") return NO;
  // A typed array's length is fixed for a non-resizable buffer; kos guards it at entry.
  if (isTypedArray(obj)) return NO;
  if (policy === "reference" || !Object.isFrozen(obj)) return NO;
  const prop = typeof key === "number" ? String(key) : key;
  const d = Object.getOwnPropertyDescriptor(obj, prop);
  if (d) return "value" in d ? { ok: true, value: d.value } : NO;
  const proto = Object.getPrototypeOf(obj);
  if (!safePrototypes.has(proto)) return NO;
  if (proto !== null && prop in proto) return NO;
  if (proto === null || !(prop in Object.prototype)) return { ok: true, value: undefined };
  return NO;
}

/** Own enumerable string keys that `for-in` would visit now, if the object cannot change. */
export function knownForInKeys(obj: unknown, policy: FreezePolicy): string[] | null {
  if (obj === null || typeof obj !== "object" || policy === "reference" || !Object.isFrozen(obj) || isTypedArray(obj)) return null;
  const proto = Object.getPrototypeOf(obj);
  if (!safePrototypes.has(proto)) return null;
  const keys: string[] = [];
  for (const k in obj) keys.push(k);
  return keys;
}

/** True for frozen plain data (no accessors, no toJSON, safe prototypes), all the way down. */
export function isFrozenPlainData(v: unknown, seen = new Set<object>()): boolean {
  if (isPrimitive(v)) return typeof v !== "symbol";
  if (typeof v === "function" || seen.has(v as object)) return false;
  const o = v as object;
  seen.add(o);
  if (!Object.isFrozen(o) || !safePrototypes.has(Object.getPrototypeOf(o))) return false;
  if ("toJSON" in o) return false;
  for (const key of Reflect.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key)!;
    if (!("value" in d) || !isFrozenPlainData(d.value, seen)) return false;
  }
  return true;
}
