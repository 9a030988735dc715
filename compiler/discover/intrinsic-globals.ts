/**
 * The standard global bindings as they were when kos loaded. A global read
 * through a closure is `builtin` only while it is still this very value: a
 * program that replaced `Math` is not folded as if it had not.
 */
const NAMES = [
  "globalThis", "Infinity", "NaN", "undefined", "Object", "Function", "Array", "Number", "parseFloat", "parseInt",
  "Boolean", "String", "Symbol", "Date", "Promise", "RegExp", "Error", "AggregateError", "EvalError", "RangeError",
  "ReferenceError", "SyntaxError", "TypeError", "URIError", "JSON", "Math", "Intl", "ArrayBuffer", "Atomics",
  "Uint8Array", "Int8Array", "Uint16Array", "Int16Array", "Uint32Array", "Int32Array", "Float32Array", "Float64Array",
  "Uint8ClampedArray", "BigUint64Array", "BigInt64Array", "DataView", "Map", "BigInt", "Set", "WeakMap", "WeakSet",
  "Proxy", "Reflect", "FinalizationRegistry", "WeakRef", "decodeURI", "decodeURIComponent", "encodeURI",
  "encodeURIComponent", "escape", "unescape", "isFinite", "isNaN", "SharedArrayBuffer",
] as const;

const table = new Map<string, unknown>();
for (const n of NAMES) {
  const d = Object.getOwnPropertyDescriptor(globalThis, n);
  if (d && "value" in d) table.set(n, d.value);
}

/** name → the intrinsic value captured at load. Read-only by convention: nothing writes it after this module runs. */
export const INTRINSIC_GLOBALS: ReadonlyMap<string, unknown> = table;
