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

/** As kos loaded them: a program that replaces them does not change how a forward calls its `apply`. */
const reflectApply = Reflect.apply;
const defineProperty = Object.defineProperty;

/**
 * The other branch of a guarded `g.apply(thisArg, arguments)` (specialize/apply-guards.ts): what was
 * read as `g.apply`, called with `g` as `this` and `[thisArg, args]`, or the engine's TypeError for
 * `text` where it is not callable. `callee`, where not undefined, is the original function, which a
 * sloppy function's `arguments` names as its `callee` (an own data property, writable and
 * configurable, not enumerable): `args` is the version's own object, which named the version.
 * One call in the residual, not three: a fork (speculation.ts) whose generic rest held more calls
 * than its speculated one was kept, and its speculated rest read `g.apply` again after its guard.
 */
export function forwardApply(method: unknown, g: unknown, thisArg: unknown, args: IArguments, callee: Function | undefined, text: string): unknown {
  if (typeof method !== "function") throw new TypeError(`${text} is not a function`);
  if (callee !== undefined) defineProperty(args, "callee", { value: callee, writable: true, enumerable: false, configurable: true });
  return reflectApply(method, g, [thisArg, args]);
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

/** As kos loaded it: a program that replaces `Reflect.apply` does not change how a loop calls its iterator method. */
const apply = Reflect.apply;

/**
 * What a residual for-of, or a for-of head's array pattern, iterates in place of the value `v`:
 * `v` itself, or null where iterating it fails (null itself is never iterable). The test is the
 * one notIterableValue makes, and runs no code of the program's; where finding the iterator
 * method does (a proxy, on the value or its prototype chain, or a getter for Symbol.iterator),
 * the method is read here, once, as the engine's GetIterator reads it, and what is returned is
 * an iterable of kos's whose method calls it with `v` as `this`. The loop then runs the same
 * traps and getters, in the same order, as the source's; a loop over `v` itself would read the
 * method a second time, or word its failure by kos's temporary ("it is not iterable").
 */
export function iterableOrNull(v: unknown): unknown {
  if (v == null) return null;
  if (typeof v !== "object" && typeof v !== "function") return notIterableValue(v) ? null : v;
  if (utilTypes.isProxy(v)) return readIteratorOnce(v as object);
  if (Array.isArray(v)) return v;
  for (let p: object | null = v as object; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (p !== v && utilTypes.isProxy(p)) return readIteratorOnce(v as object);
    const d = Reflect.getOwnPropertyDescriptor(p, Symbol.iterator);
    if (!d) continue;
    if (!("value" in d)) return readIteratorOnce(v as object);
    return typeof d.value === "function" ? v : null;
  }
  return null;
}

/** The iterator method of `v`, read once through its traps or getter, behind an iterable of kos's; null when it is not a function. */
function readIteratorOnce(v: object): unknown {
  const method = (v as Record<symbol, unknown>)[Symbol.iterator];
  if (typeof method !== "function") return null;
  return { [Symbol.iterator]: () => apply(method, v, []) };
}

/**
 * What a residual for-of iterates (iterableOrNull), or the engine's TypeError with the source's
 * message (`message`: "o.items is not iterable"; null where V8 words it by the value,
 * notIterableDefaultMessage). One call of a shared helper: the test written out at each loop made
 * TypeBox's tiered `Value.Check` run at 1.00x the library instead of 1.44x (fixtures/real/typebox).
 */
export function iterableAsWritten(v: unknown, message: string | null): unknown {
  const iterable = iterableOrNull(v);
  if (iterable === null) throw new TypeError(message ?? notIterableDefaultMessage(v));
  return iterable;
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
export const ERROR_HELPERS: readonly Function[] = Object.freeze([notAFunction, forwardApply, notIterableValue, notIterableDefaultMessage, iterateOnce, iterableOrNull, iterableAsWritten]);

/**
 * Each helper as a self-contained function expression, for output that cannot reach kos at run
 * time (`kos build` binds it where the compiled code references the helper). The same tests as
 * the functions above (test/compiler/error-helpers.test.ts checks them against each other);
 * where `node:util` cannot be had (no `process.getBuiltinModule`: a browser), no object is judged
 * by its descriptors and every object is left to the loop, whose message the engine words.
 */
/** node:util's `isProxy` where the output can load it (process.getBuiltinModule), else null. */
const IS_PROXY_SOURCE = `typeof process === "object" && process !== null && typeof process.getBuiltinModule === "function" ? process.getBuiltinModule("node:util").types.isProxy : null`;

/** notIterableValue, over the `isProxy` of the function it is declared in. */
const NOT_ITERABLE_SOURCE = `  function notIterableValue(v) {
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
  }`;

/** iterableOrNull and what it calls, over `isProxy` and notIterableValue. */
const ITERABLE_OR_NULL_SOURCE = `  const apply = Reflect.apply;
  function readIteratorOnce(v) {
    const method = v[Symbol.iterator];
    if (typeof method !== "function") return null;
    return { [Symbol.iterator]: () => apply(method, v, []) };
  }
  function iterableOrNull(v) {
    if (v == null) return null;
    if (typeof v !== "object" && typeof v !== "function") return notIterableValue(v) ? null : v;
    if (isProxy === null) return v;
    if (isProxy(v)) return readIteratorOnce(v);
    if (Array.isArray(v)) return v;
    for (let p = v; p !== null; p = Object.getPrototypeOf(p)) {
      if (p !== v && isProxy(p)) return readIteratorOnce(v);
      const d = Reflect.getOwnPropertyDescriptor(p, Symbol.iterator);
      if (!d) continue;
      if (!("value" in d)) return readIteratorOnce(v);
      return typeof d.value === "function" ? v : null;
    }
    return null;
  }`;

const DEFAULT_MESSAGE_SOURCE = `function notIterableDefaultMessage(v) {
  let described = typeof v;
  if (v === null) described += " null";
  else if (typeof v === "boolean" || typeof v === "number") described += " " + String(v);
  return described + " is not iterable (cannot read property Symbol(Symbol.iterator))";
}`;

const STANDALONE_SOURCES = new Map<Function, string>([
  [notAFunction, `function notAFunction(text) { throw new TypeError(text + " is not a function"); }`],
  [
    forwardApply,
    `(function (reflectApply, defineProperty) {
  return function forwardApply(method, g, thisArg, args, callee, text) {
    if (typeof method !== "function") throw new TypeError(text + " is not a function");
    if (callee !== undefined) defineProperty(args, "callee", { value: callee, writable: true, enumerable: false, configurable: true });
    return reflectApply(method, g, [thisArg, args]);
  };
})(Reflect.apply, Object.defineProperty)`,
  ],
  [notIterableValue, `(function (isProxy) {\n${NOT_ITERABLE_SOURCE}\n  return notIterableValue;\n})(${IS_PROXY_SOURCE})`],
  [notIterableDefaultMessage, DEFAULT_MESSAGE_SOURCE],
  [iterableOrNull, `(function (isProxy) {\n${NOT_ITERABLE_SOURCE}\n${ITERABLE_OR_NULL_SOURCE}\n  return iterableOrNull;\n})(${IS_PROXY_SOURCE})`],
  [
    iterableAsWritten,
    `(function (isProxy) {
${NOT_ITERABLE_SOURCE}
${ITERABLE_OR_NULL_SOURCE}
${DEFAULT_MESSAGE_SOURCE}
  return function iterableAsWritten(v, message) {
    const iterable = iterableOrNull(v);
    if (iterable === null) throw new TypeError(message === null ? notIterableDefaultMessage(v) : message);
    return iterable;
  };
})(${IS_PROXY_SOURCE})`,
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
