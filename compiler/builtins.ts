/**
 * What kos knows about the standard library. Folding is restricted to this
 * whitelist: functions that are pure given primitive (or frozen plain-data)
 * arguments. Built-ins are assumed unmodified after jit, as V8 assumes until a
 * protector cell breaks; the README documents it.
 */

/** Globals a function may use without a `scope` entry; emitted by name. */
export const KNOWN_GLOBALS = new Set([
  // ECMAScript
  "Array", "ArrayBuffer", "Atomics", "BigInt", "BigInt64Array", "BigUint64Array", "Boolean", "DataView", "Date",
  "Error", "EvalError", "FinalizationRegistry", "Float32Array", "Float64Array", "Function", "Infinity", "Int16Array",
  "Int32Array", "Int8Array", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy", "RangeError",
  "ReferenceError", "Reflect", "RegExp", "Set", "SharedArrayBuffer", "String", "Symbol", "SyntaxError", "TypeError",
  "URIError", "Uint16Array", "Uint32Array", "Uint8Array", "Uint8ClampedArray", "WeakMap", "WeakRef", "WeakSet",
  "AggregateError", "decodeURI", "decodeURIComponent", "encodeURI", "encodeURIComponent", "globalThis", "isFinite",
  "isNaN", "parseFloat", "parseInt", "undefined", "Intl",
  // Host (Node and browsers)
  "console", "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "structuredClone", "queueMicrotask",
  "setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance", "Buffer", "process", "atob", "btoa",
]);

/** Globals whose value is folded into the code as a known constant. */
export const FOLDABLE_GLOBALS = new Set([
  "Math", "JSON", "Object", "Number", "String", "Array", "Boolean", "Infinity", "NaN", "undefined",
  "parseInt", "parseFloat", "isNaN", "isFinite",
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
]);

const BUILTIN_PROTOS: object[] = [Object.prototype, Array.prototype, Function.prototype, String.prototype, Number.prototype, Math, JSON, Object, Array, Reflect];
const NATIVE_SOURCE = /\{\s*\[native code\]\s*\}\s*$/;
/**
 * A bound function, and a Proxy of a function, print as native code too, but they are the
 * program's: calling one runs the program's target or traps, and what the program hangs on it
 * (`log.enabled = false`) changes. Taken for built-ins, their own properties were folded
 * unguarded and the flag's change was missed (sweep46 #3), and a Proxy spy of `Math.max` was
 * folded (sweep48). V8 prints both without a name, which no function of the engine's that kos
 * folds lacks (`function max() { [native code] }`), whatever the program did to their `name` or
 * `prototype` (sweep48: a renamed bound function was a built-in again); and the text is read
 * without running a Proxy's traps.
 */
const ANONYMOUS_NATIVE = /^function\s*\(\)/;
/**
 * Whether `fn` is the engine's own code (its source reads `[native code]`, and it is not a bound
 * function). The tables of what kos folds keep only such functions: a program that replaced
 * `Math.max` or `String.prototype.padStart` before kos loaded (a test's stub, a polyfill) had its
 * stub taken for the built-in, called at compile time and never again (sweep46 #5). Its calls stay
 * calls now, as the original makes them.
 */
export function isNativeFunction(fn: unknown): fn is Function {
  if (typeof fn !== "function") return false;
  const source = Reflect.apply(Function.prototype.toString, fn, []) as string;
  return source.includes("[native code]") && NATIVE_SOURCE.test(source) && !ANONYMOUS_NATIVE.test(source);
}
const nativeOnly = <T>(fns: Iterable<T>): T[] => [...fns].filter((f) => isNativeFunction(f));

/** Pure functions: called at compile time when every argument is a primitive constant. */
export const PURE_FUNCTIONS = new Set<Function>(nativeOnly([
  ...Object.getOwnPropertyNames(Math)
    .filter((k) => k !== "random" && typeof (Math as unknown as Record<string, unknown>)[k] === "function")
    .map((k) => (Math as unknown as Record<string, Function>)[k]!),
  Number, String, Boolean, parseInt, parseFloat, isNaN, isFinite,
  Number.isInteger, Number.isFinite, Number.isNaN, Number.isSafeInteger, Number.parseFloat, Number.parseInt,
  String.fromCharCode, String.fromCodePoint, Array.isArray, Object.is,
]));

/** Functions that take a frozen plain-data object and return fresh data: folded to a fresh literal. */
export const OBJECT_READERS = new Set<Function>(nativeOnly([Object.keys, Object.values, Object.entries]));

/** String.prototype methods that are pure on primitive arguments. */
export const PURE_STRING_METHODS = new Set([
  "charAt", "charCodeAt", "codePointAt", "at", "slice", "substring", "substr", "indexOf", "lastIndexOf", "includes",
  "startsWith", "endsWith", "toUpperCase", "toLowerCase", "trim", "trimStart", "trimEnd", "padStart", "padEnd",
  "repeat", "concat", "split", "normalize", "toString", "valueOf",
  // With a string pattern and a string replacement (primitive arguments only): `$&`-style patterns
  // are a function of the strings alone.
  "replace", "replaceAll", "trimLeft", "trimRight",
]);

/** Number.prototype methods that are pure on primitive arguments. */
export const PURE_NUMBER_METHODS = new Set(["toFixed", "toPrecision", "toExponential", "toString", "valueOf"]);

/**
 * Array.prototype methods that are pure on a frozen array of primitives with primitive arguments.
 * `slice` and `concat` make their result through the array's species (Array, for an array whose
 * prototype is Array.prototype); `concat`'s primitive arguments are appended as they are. A copy of
 * a parse cache's entry (`pathCache.get(expr).concat()`, jsonpath-plus) then has known items.
 */
export const PURE_ARRAY_METHODS = new Set(["indexOf", "lastIndexOf", "includes", "join", "at", "slice", "concat"]);

export const TYPED_ARRAY_NAMES = [
  "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
] as const;

/**
 * A typed array's kind, as `%TypedArray%.prototype[Symbol.toStringTag]` gives it ("Uint8Array" for
 * a Node Buffer, which is one), undefined for any other value: the intrinsic getter, uncurried as kos
 * loaded it. It reads no property of the value and runs no proxy trap, where `constructor.name` ran
 * any getter a typed array's `constructor` had, and named a Buffer "Buffer".
 */
export const typedArrayName = Function.prototype.call.bind(
  Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Int8Array.prototype) as object, Symbol.toStringTag)!.get!,
) as (v: unknown) => string | undefined;

const ArrayIterator = Array.prototype[Symbol.iterator];
const ArrayIteratorNext = Object.getPrototypeOf([][Symbol.iterator]()).next;

/**
 * Iterating an Array (for-of, spread, array patterns) runs the intrinsic iterator, as kos loaded it:
 * a program that replaced `Array.prototype[Symbol.iterator]` or the iterator's `next` gets its own
 * code run, so nothing is unfolded then.
 */
export function arrayIterationIntact(): boolean {
  return Array.prototype[Symbol.iterator] === ArrayIterator && Object.getPrototypeOf([][Symbol.iterator]()).next === ArrayIteratorNext;
}

/** A function of the engine (its source is `[native code]`), or one of the builtin namespaces kos treats as such. */
export function isBuiltin(fn: Function): boolean {
  // Function.prototype prints without a name too.
  if (BUILTIN_PROTOS.includes(fn)) return true;
  const source = Reflect.apply(Function.prototype.toString, fn, []) as string;
  // `includes` first: the end-anchored pattern is tried at every `{` of a user function's source
  // (15 ms of 40 compiles of the json-serializer fixture).
  return source.includes("[native code]") && NATIVE_SOURCE.test(source) && !ANONYMOUS_NATIVE.test(source);
}



/**
 * The built-ins kos would fold that are not the engine's own in this process (replaced before kos
 * loaded), by name: part of every compile-cache key (cache-key.ts). Code folded over the real
 * `padStart` in one process was served from the cache to a process that had replaced it, and its
 * replacement never ran (sweep46 #6). Taken when this module loads, as the fold tables are.
 */
export const REPLACED_BUILTINS: string = [
  ...Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === "function").map((k) => [`Math.${k}`, (Math as unknown as Record<string, unknown>)[k]] as const),
  ...[...PURE_STRING_METHODS].map((k) => [`String.prototype.${k}`, (String.prototype as unknown as Record<string, unknown>)[k]] as const),
  ...[...PURE_NUMBER_METHODS].map((k) => [`Number.prototype.${k}`, (Number.prototype as unknown as Record<string, unknown>)[k]] as const),
  ...[...PURE_ARRAY_METHODS].map((k) => [`Array.prototype.${k}`, (Array.prototype as unknown as Record<string, unknown>)[k]] as const),
  ...(["Number", "String", "Boolean", "parseInt", "parseFloat", "isNaN", "isFinite"] as const).map((k) => [k, (globalThis as unknown as Record<string, unknown>)[k]] as const),
  ...(["keys", "values", "entries", "is", "getOwnPropertyNames", "create", "assign", "hasOwn"] as const).map((k) => [`Object.${k}`, (Object as unknown as Record<string, unknown>)[k]] as const),
  ...(["hasOwnProperty", "toString"] as const).map((k) => [`Object.prototype.${k}`, (Object.prototype as unknown as Record<string, unknown>)[k]] as const),
  ...(["isInteger", "isFinite", "isNaN", "isSafeInteger", "parseFloat", "parseInt"] as const).map((k) => [`Number.${k}`, (Number as unknown as Record<string, unknown>)[k]] as const),
  ...(["fromCharCode", "fromCodePoint"] as const).map((k) => [`String.${k}`, (String as unknown as Record<string, unknown>)[k]] as const),
  ...(["push", "pop", "shift", "unshift"] as const).map((k) => [`Array.prototype.${k}`, (Array.prototype as unknown as Record<string, unknown>)[k]] as const),
  ["Array.isArray", Array.isArray] as const,
  ["RegExp.prototype.exec", RegExp.prototype.exec] as const,
  ["RegExp.prototype.test", RegExp.prototype.test] as const,
]
  .filter(([, f]) => typeof f === "function" && !isNativeFunction(f))
  .map(([name]) => name)
  .join(",");
