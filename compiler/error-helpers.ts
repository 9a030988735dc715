/**
 * Functions of kos's own that a residual calls where the code it came from would throw: kos
 * passes them in by reference, as it does the program's values. Apart, so that what judges a
 * residual by the functions it calls (residual/foreign-calls.ts) can tell them from the program's.
 */
import { types as utilTypes } from "node:util";

/** Throws what the engine throws for `text(…)` when `text` is not callable. */
export function notAFunction(text: string): never {
  throw new TypeError(`${text} is not a function`);
}

/**
 * What for-of rejects before running any code of the program's: null, undefined, a primitive whose
 * prototype has no iterator, or an object or function none of whose prototype chain has an own
 * Symbol.iterator (or whose first one holds a value that is not a function). A proxy on the chain
 * is left to the loop (its traps would run), and an array that is not a proxy is iterable: that
 * check first keeps the common case at a proxy test and `Array.isArray` (the walk took about 60 ns
 * for a Set, against 6 ns for the primitive tests alone; /tmp probe).
 */
export function notIterableValue(v: unknown): boolean {
  if (v == null) return true;
  switch (typeof v) {
    case "object":
    case "function": {
      if (utilTypes.isProxy(v)) return false;
      if (Array.isArray(v)) return false;
      for (let p: object | null = v as object; p !== null; p = Object.getPrototypeOf(p) as object | null) {
        if (p !== v && utilTypes.isProxy(p)) return false;
        const d = Reflect.getOwnPropertyDescriptor(p, Symbol.iterator);
        if (d) return "value" in d && typeof d.value !== "function";
      }
      return true;
    }
    case "number":
      return !(Symbol.iterator in Number.prototype);
    case "boolean":
      return !(Symbol.iterator in Boolean.prototype);
    case "bigint":
      return !(Symbol.iterator in BigInt.prototype);
    case "symbol":
      return !(Symbol.iterator in Symbol.prototype);
    default:
      return false;
  }
}

/**
 * V8's message for a for-of whose iterated expression it words by the value (for-of-messages.ts):
 * the value described as V8 describes it, its type, and a primitive's value (`number 5`, `object
 * null`, `boolean true`, `object` for any object).
 */
export function notIterableDefaultMessage(v: unknown): string {
  let described: string = typeof v;
  if (v === null) described += " null";
  else if (typeof v === "boolean" || typeof v === "number") described += ` ${String(v)}`;
  return `${described} is not iterable (cannot read property Symbol(Symbol.iterator))`;
}

/**
 * An iterable that yields `v` once, made of kos's own objects (iterating it runs none of the
 * program's code, nor a built-in it may have replaced): a residual applies a for-of head's pattern
 * to an item again through it, for V8's message (patterns.ts, failLikeForOfHead).
 */
export function iterateOnce(v: unknown): Iterable<unknown> {
  let done = false;
  const iterator = { next: () => (done ? { done: true, value: undefined } : ((done = true), { done: false, value: v })) };
  return { [Symbol.iterator]: () => iterator };
}

/** Every function of this file. */
export const ERROR_HELPERS: readonly Function[] = Object.freeze([notAFunction, notIterableValue, notIterableDefaultMessage, iterateOnce]);

/**
 * Each helper as a self-contained function expression, for output that cannot reach kos at run
 * time (`kos build` binds it where the compiled code references the helper). The same tests as
 * the functions above (test/compiler/error-helpers.test.ts checks them against each other);
 * where `node:util` cannot be had (no `process.getBuiltinModule`: a browser), no object is judged
 * by its descriptors and every object is left to the loop, whose message the engine words.
 */
const STANDALONE_SOURCES = new Map<Function, string>([
  [notAFunction, `function notAFunction(text) { throw new TypeError(text + " is not a function"); }`],
  [
    notIterableValue,
    `(function (isProxy) {
  return function notIterableValue(v) {
    if (v == null) return true;
    switch (typeof v) {
      case "object":
      case "function": {
        if (isProxy === null || isProxy(v)) return false;
        if (Array.isArray(v)) return false;
        for (let p = v; p !== null; p = Object.getPrototypeOf(p)) {
          if (p !== v && isProxy(p)) return false;
          const d = Reflect.getOwnPropertyDescriptor(p, Symbol.iterator);
          if (d) return "value" in d && typeof d.value !== "function";
        }
        return true;
      }
      case "number": return !(Symbol.iterator in Number.prototype);
      case "boolean": return !(Symbol.iterator in Boolean.prototype);
      case "bigint": return !(Symbol.iterator in BigInt.prototype);
      case "symbol": return !(Symbol.iterator in Symbol.prototype);
      default: return false;
    }
  };
})(typeof process === "object" && process !== null && typeof process.getBuiltinModule === "function" ? process.getBuiltinModule("node:util").types.isProxy : null)`,
  ],
  [
    notIterableDefaultMessage,
    `function notIterableDefaultMessage(v) {
  let described = typeof v;
  if (v === null) described += " null";
  else if (typeof v === "boolean" || typeof v === "number") described += " " + String(v);
  return described + " is not iterable (cannot read property Symbol(Symbol.iterator))";
}`,
  ],
  [
    iterateOnce,
    `function iterateOnce(v) {
  let done = false;
  const iterator = { next: () => (done ? { done: true, value: undefined } : ((done = true), { done: false, value: v })) };
  return { [Symbol.iterator]: () => iterator };
}`,
  ],
]);

/** A self-contained expression for one of kos's helpers above, or null for any other value. */
export function standaloneHelperSource(value: unknown): string | null {
  return typeof value === "function" ? (STANDALONE_SOURCES.get(value) ?? null) : null;
}
