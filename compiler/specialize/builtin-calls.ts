/**
 * Built-ins called on values kos knows: computed at compile time where they
 * run no user code (pure `Math`, `String`, `Number` and `Array` methods on
 * known primitives, `Object.keys`/`values`/`entries` of known objects, type
 * tests, class tags), or turned into the code a careful engineer writes
 * (`known.includes(x)` as a chain of `===`, an operand stack's `push`/`pop`
 * on a virtual array). What this file cannot fold stays a call (calls.ts).
 */
import { types as utilTypes } from "node:util";
import { PURE_FUNCTIONS, PURE_STRING_METHODS, PURE_NUMBER_METHODS, PURE_ARRAY_METHODS, isNativeFunction } from "../builtins.js";
import { D, NULL_PROTO, S, UNDEF, isPrimitive, ownKeyOrder, type Val, type VirtualObject } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { isCollectionLookup } from "./collection-reads.js";
import type { Node } from "../ast.js";
import { buildLiteral } from "../emit.js";
import type { Specializer } from "./specializer.js";

/**
 * A built-in as kos loaded it when it is the engine's own, else a function no call can name: a
 * program that replaced `Object.entries` or `Array.prototype.push` before kos loaded (a stub, a spy)
 * has its replacement called as the original calls it, never taken for the built-in and folded
 * (sweep48: a stubbed `Object.entries` was called 7 times at compile time and its keys folded).
 */
const NOT_NATIVE = (): void => {};
function intrinsic<F extends Function>(f: F): F {
  return isNativeFunction(f) ? f : (NOT_NATIVE as unknown as F);
}
const ArrayPush = intrinsic(Array.prototype.push);
const ArrayPop = intrinsic(Array.prototype.pop);
const ArrayShift = intrinsic(Array.prototype.shift);
const ArrayUnshift = intrinsic(Array.prototype.unshift);
const ArrayIsArray = intrinsic(Array.isArray);
const ArrayIncludes = intrinsic(Array.prototype.includes);
const ObjectToString = intrinsic(Object.prototype.toString);
/**
 * Built-ins that look at their argument's type and never convert it. bytes's `format(value,
 * options)` starts `if (!Number.isFinite(value)) return null;`: counted as a call that may run
 * user code, it made every read of the specialized options after it a guarded re-read, and the
 * version ran 0.87x the library.
 */
const TYPE_TESTS = new Set<Function>([Number.isFinite, Number.isInteger, Number.isNaN, Number.isSafeInteger, Object.is].filter(isNativeFunction));
/** Class tags of the primitive types, as `Object.prototype.toString` gives them (built-ins as kos loaded them). */
const PRIMITIVE_TAGS: Record<string, string> = { number: "[object Number]", string: "[object String]", boolean: "[object Boolean]", undefined: "[object Undefined]" };
/** The items of a virtual array when all are known primitives, else null. */
function primitiveFields(s: Specializer, o: VirtualObject): unknown[] | null {
  const props = s.fields(o);
  if (!props) return null;
  const items: unknown[] = [];
  for (let i = 0; i < props.size; i++) {
    const v = props.get(String(i));
    if (!v || v.k !== "s" || !isPrimitive(v.v)) return null;
    items.push(v.v);
  }
  return items;
}

/** The pure Array.prototype methods as they were when kos loaded: a program's replacement is not called at compile time. */
const PURE_ARRAY_INTRINSICS = new Map<unknown, string>([...PURE_ARRAY_METHODS].map((k) => [(Array.prototype as unknown as Record<string, unknown>)[k], k] as const).filter(([f]) => isNativeFunction(f)));
export const NATIVE_CONSTRUCTORS = new Set<unknown>([Object, Array, Map, Set, WeakMap, WeakSet, Date, RegExp, Error, TypeError, RangeError, SyntaxError, ArrayBuffer, DataView, Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray, BigInt64Array, BigUint64Array]);
/**
 * Items up to which `known.includes(x)` on a dynamic `x` becomes a chain of `===` (an enum
 * check, as a hand-written validator has it). A longer array stays a call.
 */
const MAX_INCLUDES_CHAIN = 16;
const ObjectKeys = intrinsic(Object.keys);
const ObjectGetOwnPropertyNames = intrinsic(Object.getOwnPropertyNames);
const ObjectHasOwn = intrinsic(Object.prototype.hasOwnProperty);
const ObjectHasOwnStatic = intrinsic(Object.hasOwn);
export const MATH_FUNCTIONS = new Set<unknown>(Object.getOwnPropertyNames(Math).map((k) => (Math as unknown as Record<string, unknown>)[k]).filter(isNativeFunction));
const stringMethods = (names: string[]) => names.map((k) => (String.prototype as unknown as Record<string, Function>)[k]!);
/**
 * Built-ins whose call, when it returns, returns a primitive of one type whatever the arguments and
 * the receiver (a String method converts its receiver first): the result's `typeof`, which later
 * tests and conversions of it then fold on. Not `replace`, `replaceAll`, `search` or `match`: they
 * hand over to their argument's Symbol.replace (…) method, which may return anything. `String(x)`
 * is how escapers start (mustache's `String(string).replace(…)`, which regexp-calls.ts tests
 * before it replaces).
 */
export const BUILTIN_RESULT_TYPES = new Map<unknown, string>(([
  ...[...MATH_FUNCTIONS].map((f) => [f, "number"] as const),
  [String, "string"], [Number, "number"], [Boolean, "boolean"], [parseInt, "number"], [parseFloat, "number"], [isNaN, "boolean"], [isFinite, "boolean"],
  [Number.isInteger, "boolean"], [Number.isFinite, "boolean"], [Number.isNaN, "boolean"], [Number.isSafeInteger, "boolean"], [Array.isArray, "boolean"], [Object.is, "boolean"],
  ...stringMethods(["toLowerCase", "toUpperCase", "trim", "trimStart", "trimEnd", "slice", "substring", "substr", "padStart", "padEnd", "repeat", "charAt", "concat", "normalize", "toLocaleLowerCase", "toLocaleUpperCase"]).map((f) => [f, "string"] as const),
  ...stringMethods(["indexOf", "lastIndexOf", "charCodeAt", "localeCompare"]).map((f) => [f, "number"] as const),
  ...stringMethods(["includes", "startsWith", "endsWith"]).map((f) => [f, "boolean"] as const),
] as Array<readonly [unknown, string]>).filter(([f]) => isNativeFunction(f)));
const ObjectValues = intrinsic(Object.values);
const ObjectEntries = intrinsic(Object.entries);
const ObjectCreate = intrinsic(Object.create);
const ObjectAssign = intrinsic(Object.assign);
/** The prototypes a primitive receiver reaches: a key none of them holds makes a method call's receiver an object. */
export const PRIMITIVE_PROTOTYPES: readonly object[] = [Object.prototype, String.prototype, Number.prototype, Boolean.prototype, Symbol.prototype, BigInt.prototype];
/** The prototypes a primitive's property lookup goes through. */
export const PRIMITIVE_PROTOS: Record<string, object> = { string: String.prototype, number: Number.prototype, boolean: Boolean.prototype, bigint: BigInt.prototype, symbol: Symbol.prototype };
/** A primitive of this `typeof` has a method of this name (an own function of its prototype, as kos loaded). */
export function hasPrimitiveMethod(type: string | undefined, name: string): boolean {
  const proto = type ? PRIMITIVE_PROTOS[type] : undefined;
  if (!proto) return false;
  const d = Reflect.getOwnPropertyDescriptor(proto, name);
  return !!d && typeof d.value === "function";
}

/** Built-ins that run no user code on these arguments (primitives, or known ordinary objects for the Object readers). */
export function runsNoUserCode(fn: Function, args: Val[]): boolean {
  const primitiveArgs = args.every((a) => a.k === "s" ? isPrimitive(a.v) && typeof a.v !== "symbol" : a.k === "d" && a.type !== undefined && a.type !== "object" && a.type !== "function");
  // Type tests that never convert their argument: nothing of it runs, whatever it is (a proxy has no trap for them).
  if (TYPE_TESTS.has(fn)) return true;
  if (PURE_FUNCTIONS.has(fn) && fn !== ArrayIsArray) return primitiveArgs;
  if (fn === ArrayIsArray) return args.every((a) => a.k !== "s" || !isProxyValue(a.v));
  // Map/Set lookups compare keys with SameValueZero: no user code (a proxy receiver only throws).
  if (isCollectionLookup(fn)) return true;
  // It only sets the new object's prototype (or throws a TypeError): no trap or getter runs.
  if (fn === ObjectCreate) return args.length === 1;
  // ToObject: a wrapper for a primitive, the object itself otherwise; no trap or getter runs.
  if (fn === Object) return args.length <= 1;
  if (fn === ObjectKeys || fn === ObjectValues || fn === ObjectEntries || fn === ObjectGetOwnPropertyNames) {
    const known = args.length >= 1 && args[0]!.k === "s" && args[0]!.v !== null && typeof args[0]!.v === "object" && !isProxyValue(args[0]!.v);
    if (!known || fn === ObjectKeys || fn === ObjectGetOwnPropertyNames) return known;
    // Values and entries read each own enumerable property: a getter runs there, and one can be
    // defined on an unfrozen object at any time (sweep42: a getter that changed the configuration
    // mid-call, whose next read had been folded to its value at entry).
    const o = (args[0] as { v: unknown }).v as object;
    return Object.isFrozen(o) && Reflect.ownKeys(o).every((k) => {
      const d = Reflect.getOwnPropertyDescriptor(o, k)!;
      return "value" in d || !d.enumerable;
    });
  }
  return false;
}


/**
 * The items of a known array of primitives that cannot change unseen: frozen, or unfrozen
 * (`mustache.tags`) with its length and items guarded. Null for a proxy, an Array subclass
 * (its methods are not Array.prototype's), holes, accessors or object items.
 */
function primitiveItems(s: Specializer, arr: unknown[]): unknown[] | null {
  if (isProxyValue(arr) || Object.getPrototypeOf(arr) !== Array.prototype) return null;
  const items: unknown[] = [];
  for (let i = 0; i < arr.length; i++) {
    const d = Reflect.getOwnPropertyDescriptor(arr, i);
    if (!d || !("value" in d) || !isPrimitive(d.value)) return null;
    items.push(d.value);
  }
  if (Object.isFrozen(arr)) return items;
  const vals = s.guardedItems(arr);
  return vals ? vals.map((v) => (v as { v: unknown }).v) : null;
}

/**
 * The items `known.includes(v)` or `known.indexOf(v)` reads of an unfrozen array that holds `v`:
 * its length and the items up to the first match, guarded. The built-in stops there, so items
 * after it cannot change the result, and it reads none of them. TypeBox checks each property's
 * `schema.required.includes(key)` after reading the value of the one before, where a getter may
 * have run: guarded whole, its 8 required keys were checked again at each of the 9 properties;
 * guarded up to each match, its natural `jit()` went from 275 to 263 ns a call (CPU time, 3 runs
 * each, Node 20.20.2). Null where `v` is not there (every item decides), or an item is not a
 * primitive data property.
 */
function searchedItems(s: Specializer, arr: unknown[], v: unknown, sameValueZero: boolean): unknown[] | null {
  if (Object.isFrozen(arr) || isProxyValue(arr) || Object.getPrototypeOf(arr) !== Array.prototype) return null;
  for (let i = 0; i < arr.length; i++) {
    const d = Reflect.getOwnPropertyDescriptor(arr, i);
    if (!d || !("value" in d) || !isPrimitive(d.value)) return null;
    if (d.value === v || (sameValueZero && v !== v && d.value !== d.value)) {
      const vals = s.guardedItems(arr, i + 1);
      return vals ? vals.map((x) => (x as { v: unknown }).v) : null;
    }
  }
  return null;
}

/**
 * `Object.prototype.toString` of a receiver whose class tag cannot change: a primitive (sift's
 * `typeChecker("Array")("XX")`, whose `equals` against a query's string then folds to a compare:
 * its residual was 217 KB, most of it `equals` unrolled over the characters), a dynamic value of
 * a known primitive type, an array or plain object kos made (whose keys are strings), or a frozen array or
 * plain object. Null otherwise (an own or inherited `Symbol.toStringTag` may be added later).
 */
function foldObjectToString(s: Specializer, self: Val): Val | null {
  if (self.k === "s") {
    const v = self.v;
    if (isPrimitive(v) || (Object.isFrozen(v) && !isProxyValue(v) && (Array.isArray(v) ? Object.getPrototypeOf(v) === Array.prototype : Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) && !Object.getOwnPropertySymbols(v).length)) {
      return S(Reflect.apply(ObjectToString, v, []));
    }
    return null;
  }
  if (self.k === "v") {
    const f = s.fields(self.o);
    if (!f || self.o.proto !== undefined) return null;
    return S(self.o.kind === "array" ? "[object Array]" : "[object Object]");
  }
  const tag = self.type !== undefined && Object.prototype.hasOwnProperty.call(PRIMITIVE_TAGS, self.type) ? PRIMITIVE_TAGS[self.type]! : null;
  if (tag === null) return null;
  s.drop(self);
  return S(tag);
}

/** Calls of built-ins kos can compute now (pure, on static or virtual arguments). */
const ArrayJoin = intrinsic(Array.prototype.join);
const PRIMITIVE_TYPES = new Set(["string", "number", "boolean", "bigint", "undefined"]);

/**
 * `join` on an array kos made, whose items it may not know (json-logic-js's `cat`,
 * `Array.prototype.join.call(arguments, "")`, inlined): each item converted in order as join
 * converts it (null and undefined to "", anything else by ToString, which a template literal
 * applies too: a symbol throws the same TypeError), concatenated with the separator.
 */
function joinOfVirtual(s: Specializer, thisVal: Val, args: Val[]): Val | null {
  if (thisVal.k !== "v" || thisVal.o.kind !== "array") return null;
  const props = s.fields(thisVal.o);
  const sepArg = args[0] ?? UNDEF;
  if (!props || sepArg.k !== "s" || !(sepArg.v === undefined || typeof sepArg.v === "string")) return null;
  const sep = sepArg.v === undefined ? "," : (sepArg.v as string);
  const parts: Array<string | Node> = [];
  let foreign = false;
  for (let i = 0; i < props.size; i++) {
    const v = props.get(String(i));
    if (!v) return null;
    if (i > 0 && sep !== "") parts.push(sep);
    if (v.k === "s" && (v.v === null || v.v === undefined)) continue;
    if (v.k === "s" && isPrimitive(v.v)) {
      if (typeof v.v === "symbol") return null;
      parts.push(String(v.v));
      continue;
    }
    const t = s.residual(s.stable(v));
    const known = v.k === "d" && v.type !== undefined && PRIMITIVE_TYPES.has(v.type);
    if (!known) foreign = true;
    const text: Node = { type: "TemplateLiteral", quasis: [{ type: "TemplateElement", tail: false, value: { raw: "", cooked: "" } }, { type: "TemplateElement", tail: true, value: { raw: "", cooked: "" } }], expressions: [t] };
    const nullish: Node = { type: "BinaryExpression", operator: "==", left: { ...t }, right: buildLiteral(null)! };
    parts.push(v.k === "d" && v.type === "string" ? t : known && v.k === "d" && v.type !== "undefined" ? text : { type: "ConditionalExpression", test: nullish, consequent: buildLiteral("")!, alternate: text });
  }
  // Adjacent known strings fold; the rest is concatenated left to right, strings only.
  const merged: Array<string | Node> = [];
  for (const p of parts) {
    if (typeof p === "string" && typeof merged[merged.length - 1] === "string") merged[merged.length - 1] += p;
    else merged.push(p);
  }
  if (foreign) s.foreignCodeMayRun();
  if (merged.length === 0) return S("");
  if (merged.length === 1 && typeof merged[0] === "string") return S(merged[0]);
  const node = (p: string | Node): Node => (typeof p === "string" ? buildLiteral(p)! : p);
  const first = merged[0]!;
  let e: Node = typeof first === "string" || merged.length > 1 ? node(first) : first;
  for (let i = 1; i < merged.length; i++) e = { type: "BinaryExpression", operator: "+", left: e, right: node(merged[i]!) };
  return D(e, "string");
}

export function foldBuiltin(s: Specializer, fn: Function, thisVal: Val, args: Val[]): Val | null {
  if (fn === ObjectToString) return foldObjectToString(s, thisVal);
  if (fn === ArrayJoin && thisVal.k === "v") {
    const joined = joinOfVirtual(s, thisVal, args);
    if (joined) return joined;
  }
  const allStaticPrimitive = args.every((a) => a.k === "s" && isPrimitive(a.v) && typeof a.v !== "symbol");
  if (fn === JSON.stringify && args.length === 1 && args[0]!.k === "s") {
    const v = (args[0] as { v: unknown }).v;
    if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return S(JSON.stringify(v));
  }
  // A known string that parses to a primitive (a lexer's literal, jmespath's `18`): the same value
  // every time. An object or array would be a fresh one per call, and a string that does not parse
  // throws at run time, as written.
  if (fn === JSON.parse && args.length === 1 && args[0]!.k === "s" && typeof (args[0] as { v: unknown }).v === "string") {
    try {
      const r: unknown = JSON.parse((args[0] as { v: string }).v);
      if (isPrimitive(r)) return S(r);
    } catch {
      return null;
    }
    return null;
  }
  // `Object(o)` of an object is that object (lodash's `nativeKeys = overArg(Object.keys, Object)`).
  if (fn === Object && args.length === 1 && (args[0]!.k === "v" || (args[0]!.k === "s" && !isPrimitive((args[0] as { v: unknown }).v)))) return args[0]!;
  // `Object.assign(target)` with no sources (an empty spread) only returns its object.
  if (fn === ObjectAssign && args.length === 1 && (args[0]!.k === "v" || (args[0]!.k === "s" && !isPrimitive((args[0] as { v: unknown }).v)))) return args[0]!;
  // `Object.create(p)` of a known prototype (null included) is a fresh object with no fields yet: a
  // virtual one, like an instance its constructor made (@cfworker/json-schema's `evaluated =
  // Object.create(null)` default, an interpreter's scope records).
  if (fn === ObjectCreate && args.length === 1 && args[0]!.k === "s") {
    const p = (args[0] as { v: unknown }).v;
    if (p === null) return { k: "v", o: s.newVirtual("object", new Map(), NULL_PROTO) };
    if (p === Object.prototype) return { k: "v", o: s.newVirtual("object") };
    if (typeof p === "object" && !isProxyValue(p)) return { k: "v", o: s.newVirtual("object", new Map(), p as object) };
  }
  if (PURE_FUNCTIONS.has(fn)) {
    if (fn === ArrayIsArray && args[0]) {
      const a = args[0];
      if (a.k === "v") return S(a.o.kind === "array");
      // A test on the path here gave the answer, and no foreign code has run since (values.ts: isArray).
      if (a.k === "d" && a.isArray && a.isArray.epoch === (s.foreignEpoch ?? 0)) {
        s.drop(a);
        return S(a.isArray.value);
      }
      if (a.k === "d" && a.type && a.type !== "object") {
        // A primitive or a function is never an array (the argument still runs).
        s.drop(a);
        return S(false);
      }
      if (a.k === "s" && (isPrimitive(a.v) || !isProxyValue(a.v))) return S(Array.isArray(a.v));
      return null;
    }
    if (allStaticPrimitive) {
      try {
        return S(Reflect.apply(fn, undefined, args.map((a) => (a as { v: unknown }).v)));
      } catch {
        return null;
      }
    }
    return null;
  }
  if (thisVal.k === "s" && typeof thisVal.v === "string" && allStaticPrimitive) {
    const name = Object.getOwnPropertyNames(String.prototype).find((k) => (String.prototype as unknown as Record<string, unknown>)[k] === fn);
    // A string pattern is asked for its Symbol.replace / Symbol.split first (on String.prototype):
    // a program that gave strings one runs its own code there, so those calls stay calls.
    const hook = name === "replace" || name === "replaceAll" ? Symbol.replace : name === "split" ? Symbol.split : null;
    if (hook && args.some((a) => typeof (a as { v: unknown }).v === "string") && hook in String.prototype) return null;
    if (name && PURE_STRING_METHODS.has(name) && isNativeFunction(fn)) {
      try {
        const r = Reflect.apply(fn, thisVal.v, args.map((a) => (a as { v: unknown }).v));
        if (Array.isArray(r)) return virtualArray(s, r.map((x) => S(x)));
        return S(r);
      } catch {
        return null;
      }
    }
  }
  if (thisVal.k === "s" && typeof thisVal.v === "number" && allStaticPrimitive) {
    const name = Object.getOwnPropertyNames(Number.prototype).find((k) => (Number.prototype as unknown as Record<string, unknown>)[k] === fn);
    if (name && PURE_NUMBER_METHODS.has(name) && isNativeFunction(fn)) {
      try {
        return S(Reflect.apply(fn, thisVal.v, args.map((a) => (a as { v: unknown }).v)));
      } catch {
        return null;
      }
    }
  }
  if (fn === ArrayIncludes && thisVal.k === "s" && Array.isArray(thisVal.v) && args.length === 1 && args[0]!.k === "d") {
    // `known.includes(x)`: SameValueZero against each item, which is `===` but for NaN (`x !== x`).
    const items = thisVal.v.length <= MAX_INCLUDES_CHAIN ? primitiveItems(s, thisVal.v) : null;
    if (items) {
      // Evaluated once (a temporary unless trivial); each test gets its own node.
      const xe = items.length ? s.residual(s.stable(args[0]!, "v")) : null;
      const x = (): Node => ({ ...xe! });
      const tests = [...new Set(items)].map((v): Node =>
        typeof v === "number" && Number.isNaN(v)
          ? { type: "BinaryExpression", operator: "!==", left: x(), right: x() }
          : { type: "BinaryExpression", operator: "===", left: x(), right: s.constNode(v) });
      if (tests.length === 0) {
        s.drop(args[0]!); // still evaluated, for its effects
        return S(false);
      }
      return D(tests.reduce((a, b) => ({ type: "LogicalExpression", operator: "||", left: a, right: b })), "boolean");
    }
  }
  if (thisVal.k === "s" && Array.isArray(thisVal.v) && allStaticPrimitive) {
    // Pure Array.prototype methods on a known array of primitives that cannot change (frozen) and has
    // no own or subclass overrides (an Array subclass's `join` is not Array.prototype's).
    const arr = thisVal.v as unknown[];
    const name = PURE_ARRAY_INTRINSICS.get(fn);
    if (name) {
      const items = ((name === "includes" || name === "indexOf") && args.length === 1 && searchedItems(s, arr, (args[0] as { v: unknown }).v, name === "includes")) || primitiveItems(s, arr);
      if (!items) return null;
      // `slice` and `concat` make their result through the array's species (sweep36 repro-1: an own
      // `constructor` of a subclass made the original's copy a subclass instance).
      if ((name === "slice" || name === "concat") && !s.plainArraySpecies(arr)) return null;
      // `concat` spreads its receiver only while no `Symbol.isConcatSpreadable` says otherwise, own or
      // inherited, set before jit() or after it (sweep42: `[1,2]` flagged false concatenated as `[[1,2],3]`).
      if (name === "concat" && s.knownHas(arr, Symbol.isConcatSpreadable) !== false) return null;
      try {
        const r = Reflect.apply(fn, items, args.map((a) => (a as { v: unknown }).v));
        return Array.isArray(r) ? virtualArray(s, r.map((x) => S(x))) : S(r);
      } catch {
        return null;
      }
    }
  }
  const virtualItems = thisVal.k === "v" && thisVal.o.kind === "array" && allStaticPrimitive && PURE_ARRAY_INTRINSICS.has(fn) ? primitiveFields(s, thisVal.o) : null;
  if (virtualItems) {
    // The same methods on an array kos made whose items are all known primitives
    // (`["true", "false", "null"].indexOf(word)` in a lexer).
    try {
      const r = Reflect.apply(fn, virtualItems, args.map((a) => (a as { v: unknown }).v));
      return Array.isArray(r) ? virtualArray(s, r.map((x) => S(x))) : S(r);
    } catch {
      return null;
    }
  }
  if (fn === ObjectHasOwn && thisVal.k === "v" && s.fields(thisVal.o) && args[0]?.k === "s" && (typeof args[0].v === "string" || typeof args[0].v === "number")) {
    // Own keys of an object kos made are known (`this.cache.hasOwnProperty(name)`).
    return S(s.fields(thisVal.o)!.has(String(args[0].v)));
  }
  if (fn === ObjectHasOwnStatic && args[0]?.k === "v" && s.fields(args[0].o) && args[1]?.k === "s" && (typeof args[1].v === "string" || typeof args[1].v === "number")) {
    return S(s.fields(args[0].o)!.has(String(args[1].v)));
  }
  if (fn === ObjectHasOwn && thisVal.k === "s" && thisVal.v !== null && typeof thisVal.v === "object" && !isProxyValue(thisVal.v) && args[0]?.k === "s" && (typeof args[0].v === "string" || typeof args[0].v === "number")) {
    // `table.hasOwnProperty(op)` on a known object: an own data property is folded to true behind the
    // guard on its value (were it deleted, the read would find nothing on the prototype chain, which
    // is checked to lack the key); an absent key is left to run time.
    const obj = thisVal.v as object;
    const key = String(args[0].v);
    const d = Reflect.getOwnPropertyDescriptor(obj, key);
    if (d && "value" in d) {
      for (let p = Object.getPrototypeOf(obj); p; p = Object.getPrototypeOf(p)) if (isProxyValue(p) || Reflect.getOwnPropertyDescriptor(p, key)) return null;
      // Unfrozen, its own-ness is guarded too: moved to the prototype with the same value, the value
      // guard alone still passed, and the fold said true where the original says false (sweep20).
      if (Object.isFrozen(obj) || (s.guardedRead(obj, key) && s.guardOwn(obj, [key]))) return S(true);
    }
    return null;
  }
  if (thisVal.k === "v" && thisVal.o.kind === "array" && s.fields(thisVal.o)) {
    const o = thisVal.o;
    if (fn === ArrayPush) {
      for (const a of args) s.setField(o, String(s.fields(o)!.size), s.stable(a));
      return S(s.fields(o)!.size);
    }
    if (fn === ArrayPop && args.length === 0) {
      const props = s.fields(o)!;
      if (props.size === 0) return UNDEF;
      const k = String(props.size - 1);
      const v = props.get(k)!;
      s.deleteField(o, k);
      return v;
    }
    // A virtual array is dense (a literal with holes stays as written), so shifting its items is
    // what the built-in does: a path array's leading "$" dropped (jsonpath-plus), a queue's head.
    if (fn === ArrayShift && args.length === 0) {
      const items = [...Array(s.fields(o)!.size).keys()].map((i) => s.fields(o)!.get(String(i))!);
      if (items.length === 0) return UNDEF;
      for (let i = 1; i < items.length; i++) s.setField(o, String(i - 1), items[i]!);
      s.deleteField(o, String(items.length - 1));
      return items[0]!;
    }
    if (fn === ArrayUnshift) {
      const items = [...Array(s.fields(o)!.size).keys()].map((i) => s.fields(o)!.get(String(i))!);
      const added = args.map((a) => s.stable(a));
      [...added, ...items].forEach((v, i) => s.setField(o, String(i), v));
      return S(added.length + items.length);
    }
  }
  if ((fn === ObjectKeys || fn === ObjectValues || fn === ObjectEntries) && args.length >= 1) {
    const a = args[0]!;
    let entries: Array<[string, Val]> | null = null;
    if (a.k === "v" && a.o.kind === "object" && s.fields(a.o)) entries = ownKeyOrder(s.fields(a.o)!);
    else if (a.k === "s" && a.v !== null && typeof a.v === "object" && !isProxyValue(a.v) && !ArrayBuffer.isView(a.v)) {
      const frozen = Object.isFrozen(a.v);
      const keys = frozen ? Object.keys(a.v) : s.guardedKeys(a.v as object);
      if (!keys) return null;
      const vals: Array<[string, Val]> = [];
      for (const k of keys) {
        if (fn === ObjectKeys) {
          vals.push([k, UNDEF]);
          continue;
        }
        const f = readFrozenProperty(a.v as object, k, s.options.freeze);
        const v = f.ok ? S(f.value) : s.guardedRead(a.v as object, k);
        if (!v) return null;
        vals.push([k, v]);
      }
      entries = vals;
    }
    if (!entries) return null;
    if (fn === ObjectKeys) return virtualArray(s, entries.map(([k]) => S(k)));
    if (fn === ObjectValues) return virtualArray(s, entries.map(([, v]) => v));
    return virtualArray(s, entries.map(([k, v]) => virtualArray(s, [S(k), v])));
  }
  if (fn === ObjectGetOwnPropertyNames && args.length >= 1) {
    // The own string keys of a known ordinary object (non-enumerable ones too), guarded like Object.keys.
    const a = args[0]!;
    if (a.k !== "s" || a.v === null || typeof a.v !== "object" || isProxyValue(a.v) || ArrayBuffer.isView(a.v)) return null;
    const names = Object.isFrozen(a.v) ? Object.getOwnPropertyNames(a.v) : s.guardedKeys(a.v as object, true);
    return names ? virtualArray(s, names.map((k) => S(k))) : null;
  }
  return null;
}

export function isProxyValue(v: unknown): boolean {
  return utilTypes.isProxy(v);
}

function virtualArray(s: Specializer, items: Val[]): Val {
  return { k: "v", o: s.newVirtual("array", new Map(items.map((v, i) => [String(i), v]))) };
}
