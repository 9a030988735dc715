/**
 * Freezing (the `deep` policy) and the value predicates it needs. The rules
 * for reading known objects at compile time are in specialize/objects.ts.
 */

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
