/**
 * Calls. A call to a known function with something static about it (an
 * argument, the receiver, or values in its closure) is specialized in place:
 * the callee's body is evaluated in a new frame whose parameters hold the
 * argument values (missing ones `undefined`, defaults evaluated as the
 * callee would), with its own closure values and `this`. Pure built-ins on
 * static arguments are computed. Everything else stays a call, in member
 * form when it was one, so `this` is what the original passes.
 */
import type { Node } from "../ast.js";
import { walk, isReferenceIdentifier } from "../ast.js";
import { JitError } from "../jit-error.js";
import { argumentsOnlyRead } from "../arguments-reads.js";
import { PURE_FUNCTIONS, PURE_STRING_METHODS, PURE_NUMBER_METHODS, PURE_ARRAY_METHODS, arrayIterationIntact, isBuiltin } from "../builtins.js";
import { Specializer, id, type Frame, type Target } from "./specializer.js";
import { D, NULL_PROTO, S, UNDEF, isPrimitive, ownKeyOrder, type Val, type VirtualObject } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { constructedRegExpCall, privateRegExpMatch, privateRegExpTest, regexLiteralTest } from "./regexp-calls.js";
import { callOfResultUnderSourceName, callUnderSourceName, mentions, methodCallUnderSourceNames, underSourceNames } from "./source-names.js";
import { isCollectionLookup } from "./collection-reads.js";
import { mergeReturnedObjects } from "./returned-objects.js";
import type { FnInfo } from "./fn-info.js";

declare module "./specializer.js" {
  interface Specializer {
    callExpression(n: Node): Val;
    newExpression(n: Node): Val;
    chain(n: Node): Val;
    applyCall(fn: Val, thisVal: Val, args: Val[], member: { obj: Val; key: Val } | null, n: Node): Val;
    inlineCall(fn: Function, thisVal: Val, args: Val[], n: Node, methodKey?: Val): Val | null;
    inlineFrame(info: FnInfo, fnNode: Node, slots: Frame["slots"], thisVal: Val, args: Val[], key: string, newTarget?: Frame["newTarget"], restartable?: Function): Val | null;
    evalArgs(args: Node[]): { vals: Val[]; spread: boolean[] };
  }
}

const P = Specializer.prototype;
const FnCall = Function.prototype.call;
const FnApply = Function.prototype.apply;
const ArrayPush = Array.prototype.push;
const ArrayPop = Array.prototype.pop;
const ArrayShift = Array.prototype.shift;
const ArrayUnshift = Array.prototype.unshift;
const ArrayIsArray = Array.isArray;
const ArrayIncludes = Array.prototype.includes;
const ObjectToString = Object.prototype.toString;
/**
 * Built-ins that look at their argument's type and never convert it. bytes's `format(value,
 * options)` starts `if (!Number.isFinite(value)) return null;`: counted as a call that may run
 * user code, it made every read of the specialized options after it a guarded re-read, and the
 * version ran 0.87x the library.
 */
const TYPE_TESTS = new Set<Function>([Number.isFinite, Number.isInteger, Number.isNaN, Number.isSafeInteger, Object.is]);
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
const PURE_ARRAY_INTRINSICS = new Map<unknown, string>([...PURE_ARRAY_METHODS].map((k) => [(Array.prototype as unknown as Record<string, unknown>)[k], k]));
const NATIVE_CONSTRUCTORS = new Set<unknown>([Object, Array, Map, Set, WeakMap, WeakSet, Date, RegExp, Error, TypeError, RangeError, SyntaxError, ArrayBuffer, DataView, Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray, BigInt64Array, BigUint64Array]);
/**
 * Items up to which `known.includes(x)` on a dynamic `x` becomes a chain of `===` (an enum
 * check, as a hand-written validator has it). A longer array stays a call.
 */
const MAX_INCLUDES_CHAIN = 16;
const ObjectKeys = Object.keys;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectHasOwn = Object.prototype.hasOwnProperty;
const ObjectHasOwnStatic = Object.hasOwn;
const MATH_FUNCTIONS = new Set<unknown>(Object.getOwnPropertyNames(Math).map((k) => (Math as unknown as Record<string, unknown>)[k]).filter((v) => typeof v === "function"));
const ObjectValues = Object.values;
const ObjectEntries = Object.entries;
const ObjectCreate = Object.create;
const ObjectAssign = Object.assign;

P.evalArgs = function (this: Specializer, args: Node[]) {
  const spread = args.map((a) => a.type === "SpreadElement");
  const vals = this.evalSeq(args, (a) => this.expr(a.type === "SpreadElement" ? a.argument : a));
  return { vals, spread };
};

P.callExpression = function (this: Specializer, n: Node): Val {
  if (n.optional) return this.chain(n);
  // After foreign code may have run, the call (its callee, arguments and inlined body) is speculated on again.
  if (this.foreignRan && this.staleMiss && !this.generic) {
    const v = this.speculateValue(() => this.callExpressionChecked(n));
    if (v) return v;
  }
  return this.callExpressionChecked(n);
};

declare module "./specializer.js" {
  interface Specializer {
    callExpressionChecked(n: Node): Val;
  }
}

P.callExpressionChecked = function (this: Specializer, n: Node): Val {
  // A call that will throw (its callee is known not to be callable) stays as written,
  // so the engine's message names the source expression ("c.obj.q is not a function").
  const p = this.probe(() => this.callExpressionInner(n));
  if (p.result === NOT_CALLABLE) {
    p.undo();
    const named = new Map<string, string>();
    const copy = this.verbatim(n, named);
    if (named.size) return underSourceNames(this, named, copy);
    if (copy.type !== "CallExpression") return D(copy);
    // `selector[name](…)` with `name` a constant the copy wrote as `selector["filter"]`: read under its name.
    if (n.callee.type === "MemberExpression" && copy.callee.type === "MemberExpression") return methodCallUnderSourceNames(this, n.callee, copy) ?? D(copy);
    return callUnderSourceName(this, n.callee, copy) ?? D(copy);
  }
  p.commit();
  return p.result;
};

const NOT_CALLABLE: Val = { k: "s", v: Symbol("not callable") };
const PRIMITIVE_PROTOS: Record<string, object> = { string: String.prototype, number: Number.prototype, boolean: Boolean.prototype, bigint: BigInt.prototype, symbol: Symbol.prototype };

declare module "./specializer.js" {
  interface Specializer {
    callExpressionInner(n: Node): Val;
  }
}

P.callExpressionInner = function (this: Specializer, n: Node): Val {
  const callee = n.callee;
  const regexpCall = regexLiteralTest(this, n) ?? privateRegExpTest(this, n) ?? privateRegExpMatch(this, n) ?? constructedRegExpCall(this, n);
  if (regexpCall) return regexpCall;
  if (callee.type === "Super") return this.fail("USES_SUPER", "the function calls `super(...)`", n);
  // `(o?.m)()`: the parentheses keep the reference, so `m` runs with `this` = `o` (and the call
  // throws where the chain stopped). Copied as written (it was called without its receiver: round 13).
  if (callee.type === "ChainExpression" && callee.expression.type === "MemberExpression") {
    const copy = this.verbatim(n);
    this.foreignCodeMayRun();
    return D(copy);
  }
  if (callee.type === "MemberExpression" && !callee.optional) {
    if (callee.property.type === "PrivateIdentifier") return this.fail("USES_PRIVATE_NAME", "the function calls a private method (#name)", n);
    // `alias.m()`: a variable holding another variable's value is read by its own name here, so that a
    // failing call reads "acc.toFixed is not a function" as the original does.
    walk(callee.object, (x) => {
      if (x.type === "FunctionExpression" || x.type === "ArrowFunctionExpression") return false;
      if (x.type !== "Identifier") return;
      const slot = this.slotOf(x);
      const st = slot ? this.env!.get(slot) : undefined;
      if (!slot || !st?.val || st.val.k !== "d" || st.val.e.type !== "Identifier" || st.val.e.name === slot.name) return;
      // A primitive receiver whose prototype has the method (a string narrowed by `typeof`, then
      // `.endsWith(…)`) cannot fail that way: no copy into its own name is needed.
      if (x === callee.object && !callee.computed && hasPrimitiveMethod(st.val.type, callee.property.name)) return;
      this.materialize(slot);
    });
    const before = this.out.length;
    const head = this.evalSeq([callee.object, callee.property], (e: Node) => (e === callee.property && !callee.computed ? S(e.name) : this.expr(e)));
    if (head[0]!.k !== "d" && !(n.arguments as Node[]).some((a) => a.type === "SpreadElement")) {
      // The method is read before the arguments are evaluated, as the engine does.
      const recv = this.stable(head[0]!, "recv");
      const readMethod = {} as Node;
      const rest = this.evalSeq([readMethod, ...n.arguments], (e: Node) => (e === readMethod ? this.readMember(recv, head[1]!, callee) : this.expr(e)));
      return this.applyCall(rest[0]!, recv, rest.slice(1), { obj: recv, key: head[1]! }, n);
    }
    // A receiver kos does not know: if it only reads (no calls or writes) and emitted nothing, it is
    // evaluated as written, so a failing call's message names the source's expression
    // ("(x + c.n).toFixed is not a function", not the folded "(x + 4)").
    if (head[0]!.k === "d" && this.out.length === before && readsOnly(callee.object) && !(callee.object.type === "Identifier")) {
      const proto = head[0]!.proto;
      head[0] = D(this.verbatim(callee.object), (head[0] as { type?: string }).type);
      if (proto) head[0].proto = proto;
    }
    const object = {} as Node;
    const property = {} as Node;
    const vals = this.evalSeq([object, property, ...n.arguments], (e: Node) =>
      e === object ? head[0]! : e === property ? head[1]! : this.expr(e.type === "SpreadElement" ? e.argument : e),
    );
    // Arguments that needed statements would run before the method is read from a receiver kos does
    // not know (a getter's order, and the engine's message, would change): keep the call as written.
    if (vals[0]!.k === "d" && this.out.length !== before) return NOT_CALLABLE;
    // A receiver chosen by `?:`, `&&`, `||` or `??` that folded to one side: the engine's message for a
    // failing call would name that side instead of the whole expression, so keep the call as written.
    if (vals[0]!.k === "d" && (callee.object.type === "ConditionalExpression" || callee.object.type === "LogicalExpression")) return NOT_CALLABLE;
    let obj = vals[0]!;
    const key = vals[1]!;
    const args = vals.slice(2);
    if ((n.arguments as Node[]).some((a) => a.type === "SpreadElement")) {
      // Spreads of arrays kos made become the items; on a known receiver whose method folds (reading
      // it runs nothing, so it may come after the arguments here), the call is then specialized.
      const expanded = obj.k !== "d" ? expandSpreads(this, args, (n.arguments as Node[]).map((a) => a.type === "SpreadElement")) : null;
      if (expanded) {
        const recv = this.stable(obj, "recv");
        const method = this.readMember(recv, key, callee);
        if (method.k === "s") return this.applyCall(method, recv, expanded, { obj: recv, key }, n);
      }
      const objNode = this.residual(obj);
      this.foreignCodeMayRun();
      return D({ type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: objNode, property: this.residual(key), computed: true, optional: false }, arguments: args.map((a, i) => (n.arguments[i].type === "SpreadElement" ? { type: "SpreadElement", argument: this.residual(a) } : this.residual(a))) });
    }
    if (obj.k === "d" && key.k === "s" && obj.type && PRIMITIVE_PROTOS[obj.type]) {
      // A primitive whose method does not exist: the call throws, so it stays exactly as written.
      const f = readFrozenProperty(PRIMITIVE_PROTOS[obj.type]!, key.v as PropertyKey, "deep");
      if (f.ok && typeof f.value !== "function") return NOT_CALLABLE;
    }
    if (obj.k === "d") {
      const devirtualized = this.devirtualizedCall(n, obj, key, args);
      if (devirtualized) return devirtualized;
      // A receiver kos does not know: the method is read at run time too, so the call stays as written,
      // evaluating the receiver once, and the engine's messages name the source's expression.
      const keyNode = this.residual(key);
      const computed = !(key.k === "s" && typeof key.v === "string" && /^[A-Za-z_$][\w$]*$/.test(key.v));
      const argNodes = args.map((a) => this.residual(a));
      this.foreignCodeMayRun();
      const call: Node = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: obj.e, property: computed ? keyNode : id(key.v as string), computed, optional: false }, arguments: argNodes };
      // A renamed variable of an inlined function keeps its name in the engine's message.
      // (Not where the method surely exists: a string's `endsWith`.)
      const cannotFail = key.k === "s" && typeof key.v === "string" && hasPrimitiveMethod(obj.type, key.v);
      return (!cannotFail ? methodCallUnderSourceNames(this, callee, call) : null) ?? D(call);
    }
    // The receiver is used twice (to find the method, then as `this`): it must not be re-evaluated.
    obj = this.stable(obj, "recv");
    const method = this.readMember(obj, key, callee);
    return this.applyCall(method, obj, args, { obj, key }, n);
  }
  const split = this.splitCallOverChoice(n);
  if (split) return split;
  const { vals, spread } = this.evalArgs([callee, ...n.arguments]);
  const fn = vals[0]!;
  const expanded = expandSpreads(this, vals, spread);
  if (expanded) return this.applyCall(fn, UNDEF, expanded.slice(1), null, n);
  const args = vals.slice(1);
  if (spread.some(Boolean)) {
    const calleeNode = this.residual(fn);
    this.foreignCodeMayRun();
    return D({ type: "CallExpression", optional: false, callee: calleeNode, arguments: args.map((a, i) => (spread[i + 1] ? { type: "SpreadElement", argument: this.residual(a) } : this.residual(a))) });
  }
  return this.applyCall(fn, UNDEF, args, null, n);
};

/** The prototypes a primitive's property lookup goes through. */
const PRIMITIVE_PROTOTYPES: readonly object[] = [Object.prototype, String.prototype, Number.prototype, Boolean.prototype, Symbol.prototype, BigInt.prototype];

/** Whether the prototype of an object kos made has this key (so a call of it can fail only if code replaced it). */
function inheritedMethod(o: VirtualObject, key: Val): boolean {
  const proto = o.kind === "array" ? Array.prototype : o.proto === NULL_PROTO ? null : (o.proto ?? Object.prototype);
  return proto !== null && key.k === "s" && (typeof key.v === "string" || typeof key.v === "symbol") && key.v in proto;
}

P.applyCall = function (this: Specializer, fnVal: Val, thisVal: Val, args: Val[], member: { obj: Val; key: Val } | null, n: Node): Val {
  if (!this.env) return UNDEF; // dead code: an argument always threw (see expr)
  if ((fnVal.k === "s" && typeof fnVal.v !== "function") || fnVal.k === "v") return NOT_CALLABLE;
  if (fnVal.k === "s" && typeof fnVal.v === "function") {
    const fn = fnVal.v as Function;
    const folded = foldBuiltin(this, fn, thisVal, args) ?? this.collectionRead(fn, thisVal, args);
    if (folded) return folded;
    const unfolded = this.unfoldArrayMethod(fn, thisVal, args, n) ?? this.unfoldArrayScan(fn, thisVal, args, n);
    if (unfolded) return unfolded;
    if ((fn === FnCall || fn === FnApply) && thisVal.k === "s" && typeof thisVal.v === "function") {
      if (fn === FnCall) {
        // \`Object.prototype.toString.call("X")\`, \`String.prototype.slice.call(s, 1)\`: the built-in itself, on that receiver.
        const builtin = foldBuiltin(this, thisVal.v as Function, args[0] ?? UNDEF, args.slice(1));
        if (builtin) return builtin;
        const r = this.inlineCall(thisVal.v as Function, args[0] ?? UNDEF, args.slice(1), n);
        if (r) return r;
      } else if (args.length === 2 && args[1]!.k === "d" && args[1]!.arrayLength !== undefined && args[1]!.arrayLength <= 16) {
        const r = this.applySpread(thisVal.v as Function, args[0]!, args[1]! as Val & { k: "d" }, args[1]!.arrayLength, n);
        if (r) return r;
      } else if (args.length <= 2 && (args[1] === undefined || args[1].k === "v" && args[1].o.kind === "array" && this.fields(args[1].o))) {
        const list = args[1] && args[1].k === "v" ? [...this.fields(args[1].o)!.values()] : [];
        const r = this.inlineCall(thisVal.v as Function, args[0] ?? UNDEF, list, n);
        if (r) return r;
      }
    } else if (!isBuiltin(fn)) {
      const r = this.inlineCall(fn, thisVal, args, n, member?.key);
      if (r) return r;
    }
  } else if (fnVal.k === "d" && fnVal.closure && !this.generic) {
    // A closure this function made: its body runs in place, reading the bindings it captured.
    const r = this.inlineClosure(fnVal.closure, thisVal, args);
    if (r) return r;
  }
  let callee: Node;
  if (member && member.obj.k === "s" && !isPrimitive(member.obj.v) && n?.callee && (isPureMemberPath(n.callee) || keyedByVariable(n.callee, member.key))) {
    // The callee was read from objects kos knows, as data: reading the same path again at run time has
    // no effect, and keeps the engine's message ("c.obj.q is not a function") about the source's names,
    // an inlined function's locals under theirs (`visitor[n]()`, not `visitor_1[n]()`) where no
    // argument reads those names.
    const named = new Map<string, string>();
    callee = this.verbatim(n.callee, named);
    if (named.size) {
      const argNodes = args.map((a) => this.residual(a));
      if (argNodes.some((a) => [...named.keys()].some((name) => mentions(a, name)))) callee = this.verbatim(n.callee);
      else {
        if (fnVal.k === "s") this.noteCollectionWrite(fnVal.v as Function, thisVal, args);
        if (!(fnVal.k === "s" && runsNoUserCode(fnVal.v as Function, args))) this.foreignCodeMayRun();
        return underSourceNames(this, named, { type: "CallExpression", optional: false, callee, arguments: argNodes });
      }
    }
  } else if (member) {
    const objNode = this.residual(member.obj);
    const k = member.key;
    const computed = !(k.k === "s" && typeof k.v === "string" && /^[A-Za-z_$][\w$]*$/.test(k.v));
    callee = { type: "MemberExpression", object: objNode, property: computed ? this.residual(k) : id(k.v as string), computed, optional: false };
  } else {
    callee = this.residual(fnVal);
    // A function the source calls by its own name keeps that name where it can (compile.ts).
    if (callee.type === "KosConst" && n?.callee?.type === "Identifier") callee = { ...callee, sourceName: n.callee.name };
  }
  const argNodes = args.map((a) => this.residual(a));
  if (fnVal.k === "s") this.noteCollectionWrite(fnVal.v as Function, thisVal, args);
  if (!(fnVal.k === "s" && runsNoUserCode(fnVal.v as Function, args))) this.foreignCodeMayRun();
  const call: Node = { type: "CallExpression", optional: false, callee, arguments: argNodes };
  // A callee kos does not know may not be callable: "fn is not a function" names the source's
  // variable, not the temporary that holds its value (`const fn = x.get(k); fn()`), and
  // "acc.toFixed is not a function" the receiver's (`acc` holding an object kos allocated as `obj`).
  // (Not a method the object's kind surely has, where the object is one kos made: an operand
  // stack's `push`, called on every step.)
  const source = !n?.callee ? null : !member ? n.callee : n.callee.type === "MemberExpression" && member.obj.k === "v" && !inheritedMethod(member.obj.o, member.key) ? n.callee.object : null;
  if (fnVal.k === "d" && source) {
    const named = callUnderSourceName(this, source, call) ?? callOfResultUnderSourceName(this, source, call);
    if (named) return named;
  }
  // Every Math function returns a number (its arguments' conversions may throw, never change that).
  return D(call, fnVal.k === "s" && MATH_FUNCTIONS.has(fnVal.v) ? "number" : undefined);
};

/** A primitive of this `typeof` has a method of this name (an own function of its prototype, as kos loaded). */
function hasPrimitiveMethod(type: string | undefined, name: string): boolean {
  const proto = type ? PRIMITIVE_PROTOS[type] : undefined;
  if (!proto) return false;
  const d = Reflect.getOwnPropertyDescriptor(proto, name);
  return !!d && typeof d.value === "function";
}

/** Built-ins that run no user code on these arguments (primitives, or known ordinary objects for the Object readers). */
function runsNoUserCode(fn: Function, args: Val[]): boolean {
  const primitiveArgs = args.every((a) => a.k === "s" ? isPrimitive(a.v) && typeof a.v !== "symbol" : a.k === "d" && a.type !== undefined && a.type !== "object" && a.type !== "function");
  // Type tests that never convert their argument: nothing of it runs, whatever it is (a proxy has no trap for them).
  if (TYPE_TESTS.has(fn)) return true;
  if (PURE_FUNCTIONS.has(fn) && fn !== ArrayIsArray) return primitiveArgs;
  if (fn === ArrayIsArray) return args.every((a) => a.k !== "s" || !require_isProxy(a.v));
  // Map/Set lookups compare keys with SameValueZero: no user code (a proxy receiver only throws).
  if (isCollectionLookup(fn)) return true;
  // It only sets the new object's prototype (or throws a TypeError): no trap or getter runs.
  if (fn === ObjectCreate) return args.length === 1;
  // ToObject: a wrapper for a primitive, the object itself otherwise; no trap or getter runs.
  if (fn === Object) return args.length <= 1;
  if (fn === ObjectKeys || fn === ObjectValues || fn === ObjectEntries || fn === ObjectGetOwnPropertyNames) {
    return args.length >= 1 && args[0]!.k === "s" && args[0]!.v !== null && typeof args[0]!.v === "object" && !require_isProxy(args[0]!.v);
  }
  return false;
}


/**
 * The items of a known array of primitives that cannot change unseen: frozen, or unfrozen
 * (`mustache.tags`) with its length and items guarded. Null for a proxy, an Array subclass
 * (its methods are not Array.prototype's), holes, accessors or object items.
 */
function primitiveItems(s: Specializer, arr: unknown[]): unknown[] | null {
  if (require_isProxy(arr) || Object.getPrototypeOf(arr) !== Array.prototype) return null;
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
 * `Object.prototype.toString` of a receiver whose class tag cannot change: a primitive (sift's
 * `typeChecker("Array")("XX")`, whose `equals` against a query's string then folds to a compare:
 * its residual was 217 KB, most of it `equals` unrolled over the characters), a dynamic value of
 * a known primitive type, an array or plain object kos made (whose keys are strings), or a frozen array or
 * plain object. Null otherwise (an own or inherited `Symbol.toStringTag` may be added later).
 */
function foldObjectToString(s: Specializer, self: Val): Val | null {
  if (self.k === "s") {
    const v = self.v;
    if (isPrimitive(v) || (Object.isFrozen(v) && !require_isProxy(v) && (Array.isArray(v) ? Object.getPrototypeOf(v) === Array.prototype : Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) && !Object.getOwnPropertySymbols(v).length)) {
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
function foldBuiltin(s: Specializer, fn: Function, thisVal: Val, args: Val[]): Val | null {
  if (fn === ObjectToString) return foldObjectToString(s, thisVal);
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
    if (typeof p === "object" && !require_isProxy(p)) return { k: "v", o: s.newVirtual("object", new Map(), p as object) };
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
      if (a.k === "s" && (isPrimitive(a.v) || !require_isProxy(a.v))) return S(Array.isArray(a.v));
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
    if (name && PURE_STRING_METHODS.has(name)) {
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
    if (name && PURE_NUMBER_METHODS.has(name)) {
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
      const items = primitiveItems(s, arr);
      if (!items) return null;
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
  if (fn === ObjectHasOwn && thisVal.k === "s" && thisVal.v !== null && typeof thisVal.v === "object" && !require_isProxy(thisVal.v) && args[0]?.k === "s" && (typeof args[0].v === "string" || typeof args[0].v === "number")) {
    // `table.hasOwnProperty(op)` on a known object: an own data property is folded to true behind the
    // guard on its value (were it deleted, the read would find nothing on the prototype chain, which
    // is checked to lack the key); an absent key is left to run time.
    const obj = thisVal.v as object;
    const key = String(args[0].v);
    const d = Reflect.getOwnPropertyDescriptor(obj, key);
    if (d && "value" in d) {
      for (let p = Object.getPrototypeOf(obj); p; p = Object.getPrototypeOf(p)) if (require_isProxy(p) || Reflect.getOwnPropertyDescriptor(p, key)) return null;
      if (Object.isFrozen(obj) || s.guardedRead(obj, key)) return S(true);
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
    else if (a.k === "s" && a.v !== null && typeof a.v === "object" && !require_isProxy(a.v) && !ArrayBuffer.isView(a.v)) {
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
    if (a.k !== "s" || a.v === null || typeof a.v !== "object" || require_isProxy(a.v) || ArrayBuffer.isView(a.v)) return null;
    const names = Object.isFrozen(a.v) ? Object.getOwnPropertyNames(a.v) : s.guardedKeys(a.v as object, true);
    return names ? virtualArray(s, names.map((k) => S(k))) : null;
  }
  return null;
}

import { types as utilTypes } from "node:util";
function require_isProxy(v: unknown): boolean {
  return utilTypes.isProxy(v);
}

function virtualArray(s: Specializer, items: Val[]): Val {
  return { k: "v", o: s.newVirtual("array", new Map(items.map((v, i) => [String(i), v]))) };
}

P.newExpression = function (this: Specializer, n: Node): Val {
  // After foreign code, the constructor's prototype (and what it reads) is speculated on again, as for calls.
  if (this.foreignRan && this.staleMiss && !this.generic) {
    const v = this.speculateValue(() => this.newExpressionPlain(n));
    if (v) return v;
  }
  return this.newExpressionPlain(n);
};

declare module "./specializer.js" {
  interface Specializer {
    newExpressionPlain(n: Node): Val;
  }
}

P.newExpressionPlain = function (this: Specializer, n: Node): Val {
  const { vals, spread } = this.evalArgs([n.callee, ...n.arguments]);
  if (!spread.some(Boolean)) {
    const made = this.constructInPlace(vals[0]!, vals.slice(1), n);
    if (made) return made;
  }
  let callee = this.residual(vals[0]!);
  // `new cfg.ctors[k]()` read from a folded path by a variable key: constructed through the path as
  // written, so that "cfg.ctors[k] is not a constructor" names it (see keyedByVariable).
  const c = n.callee;
  if (c.type === "MemberExpression" && c.computed && !c.optional && c.property.type === "Identifier" && isPureMemberPath(c.object) && callee.type === "MemberExpression" && callee.computed && callee.object.type === "KosConst" && callee.property.type === "Identifier") {
    callee = this.verbatim(c);
  }
  const args = vals.slice(1).map((a, i) => (spread[i + 1] ? { type: "SpreadElement", argument: this.residual(a) } : this.residual(a)));
  this.foreignCodeMayRun();
  // A constructor may return any object, a function included (`typeof` "function"): the result is
  // typed "object" only for the built-in constructors, which return what they make.
  const made = vals[0]!.k === "s" && NATIVE_CONSTRUCTORS.has(vals[0]!.v as Function) ? "object" : undefined;
  const construct: Node = { type: "NewExpression", callee, arguments: args };
  // "o is not a constructor" names the source's variable, not the value's residual name.
  const source = n.callee.type === "MemberExpression" ? n.callee.object : n.callee;
  const named = !(vals[0]!.k === "s" && typeof vals[0]!.v === "function") ? callUnderSourceName(this, source, construct) ?? callOfResultUnderSourceName(this, n.callee, construct) : null;
  if (named) return named;
  const result = D(construct, made);
  // The instance's prototype, as `new` reads it now: a hint for its method calls (method-guards.ts).
  const proto = vals[0]!.k === "s" && typeof vals[0]!.v === "function" && !isBuiltin(vals[0]!.v as Function) ? prototypeHint(vals[0]!.v as Function) : null;
  if (proto) result.proto = proto;
  return result;
};

/** `C.prototype` as a data property holding an ordinary object, read without running code; else null. */
export function prototypeHint(C: Function): object | null {
  if (require_isProxy(C)) return null;
  const d = Reflect.getOwnPropertyDescriptor(C, "prototype");
  const v = d && "value" in d ? d.value : null;
  return v !== null && typeof v === "object" && !require_isProxy(v) ? v : null;
}

/** Optional chains: static short-circuits fold; a dynamic one keeps the chain as written. */
P.chain = function (this: Specializer, n: Node): Val {
  const p = this.probe(() => chainPart(this, n));
  if (p.result !== DYNAMIC) {
    p.commit();
    return p.result === SHORT ? UNDEF : p.result;
  }
  p.undo();
  // A call in the chain names its callee in the engine's message (`o?.f is not a function`): the
  // copy reads its locals under their source names where the residual renamed them (`o_1`).
  const named = new Map<string, string>();
  const copy = this.verbatim({ type: "ChainExpression", expression: n }, containsCallNode(n) ? named : undefined);
  return named.size ? underSourceNames(this, named, copy) : D(copy);
};

function containsCallNode(n: Node): boolean {
  let found = false;
  walk(n, (x) => {
    if (found || x.type === "FunctionExpression" || x.type === "ArrowFunctionExpression") return false;
    if (x.type === "CallExpression") found = true;
    return !found;
  });
  return found;
}

const SHORT = Symbol("short");
const DYNAMIC = Symbol("dynamic");
type ChainResult = Val | typeof SHORT | typeof DYNAMIC;

function chainPart(s: Specializer, n: Node): ChainResult {
  if (n.type === "MemberExpression") {
    const obj = chainPart(s, n.object);
    if (obj === SHORT || obj === DYNAMIC) return obj;
    if (n.optional) {
      if (obj.k === "s" && (obj.v === null || obj.v === undefined)) return SHORT;
      if (obj.k === "d") return DYNAMIC;
    }
    const key = n.computed ? s.expr(n.property) : S(n.property.name);
    return s.readMember(obj, key, n);
  }
  if (n.type === "CallExpression") {
    if (n.arguments.some((a: Node) => a.type === "SpreadElement")) return DYNAMIC;
    if (n.callee.type === "MemberExpression") {
      const obj = chainPart(s, n.callee.object);
      if (obj === SHORT || obj === DYNAMIC) return obj;
      if (n.callee.optional) {
        if (obj.k === "s" && (obj.v === null || obj.v === undefined)) return SHORT;
        if (obj.k === "d") return DYNAMIC;
      }
      const stableObj = s.stable(obj, "recv");
      const key = n.callee.computed ? s.expr(n.callee.property) : S(n.callee.property.name);
      const method = s.readMember(stableObj, key, n.callee);
      if (n.optional) {
        if (method.k === "s" && (method.v === null || method.v === undefined)) return SHORT;
        if (method.k !== "s") return DYNAMIC;
      }
      const args = s.evalSeq(n.arguments as Node[], (a) => s.expr(a));
      return s.applyCall(method, stableObj, args, { obj: stableObj, key }, n);
    }
    const fn = chainPart(s, n.callee);
    if (fn === SHORT || fn === DYNAMIC) return fn;
    if (n.optional) {
      if (fn.k === "s" && (fn.v === null || fn.v === undefined)) return SHORT;
      if (fn.k !== "s") return DYNAMIC;
    }
    const args = s.evalSeq(n.arguments as Node[], (a) => s.expr(a));
    return s.applyCall(fn, UNDEF, args, null, n);
  }
  return s.expr(n);
}

/**
 * Arguments with their spreads of arrays kos made replaced by the items (`f(a, ...rest)` with `rest`
 * built in the function): the iterator an Array spread runs is the intrinsic one, which reads each
 * item in turn. Null when a spread is of anything else (it stays a spread, as written).
 */
function expandSpreads(s: Specializer, vals: Val[], spread: boolean[]): Val[] | null {
  if (!spread.some(Boolean) || !arrayIterationIntact()) return null;
  const out: Val[] = [];
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i]!;
    if (!spread[i]) {
      out.push(v);
      continue;
    }
    const fields = v.k === "v" && v.o.kind === "array" ? s.fields(v.o) : null;
    if (!fields) return null;
    for (let j = 0; j < fields.size; j++) {
      const item = fields.get(String(j));
      if (!item) return null;
      out.push(item);
    }
  }
  return out;
}

const paramsAssigned = (info: { scopes: { functionScope: { variables: Array<{ defs: Array<{ type: string }> }> }; isReassigned(v: never): boolean } }) =>
  info.scopes.functionScope.variables.some((v) => v.defs[0]?.type === "Parameter" && info.scopes.isReassigned(v as never));

/** The size above which a call with nothing static stays a call (V8 inlines small callees itself). */
const SMALL_CALLEE_NODES = 40;
/** The size above which closure values alone do not make a call worth inlining (see inlineCall). */
const LARGE_CALLEE_NODES = 300;

P.inlineCall = function (this: Specializer, fn: Function, thisVal: Val, args: Val[], n: Node, methodKey?: Val): Val | null {
  // The generic branch of a speculation runs only when the configuration changed under a call: its
  // calls stay calls (it is code for a rare path; V8 still inlines small callees there itself).
  if (this.generic) return null;
  let info;
  try {
    info = this.infos.get(fn);
  } catch {
    return null;
  }
  if (info.opaque) return null;
  const rootStrict = this.rootStrict;
  // Its code joins the root's, in the root's mode.
  if (info.parsed.strict !== rootStrict && !info.strictnessNeutral) return null;
  if (info.parsed.kind === "arrow" && (info.usesThis || info.usesArguments)) return null;
  if (info.usesArguments && (!argumentsOnlyRead(info.node) || (!info.parsed.strict && paramsAssigned(info as never)))) return null;
  // A sloppy callee sees globalThis or a boxed primitive where strict code sees the value itself (a
  // method's mode is unknown: `const f = o.scale; f(2)` of a sloppy method read globalThis.f). A
  // method read off its receiver (`op.next(x)`) has an object receiver unless a primitive's
  // prototypes hold that key.
  const objectThis = thisVal.k === "v" || (thisVal.k === "s" && thisVal.v !== null && typeof thisVal.v === "object") || (thisVal.k === "d" && thisVal.type === "object");
  const methodOfObject = info.parsed.strict && methodKey !== undefined && thisVal.k === "d" && methodKey.k === "s" && (typeof methodKey.v === "string" || typeof methodKey.v === "symbol") && !PRIMITIVE_PROTOTYPES.some((p) => Object.prototype.hasOwnProperty.call(p, methodKey.v as PropertyKey));
  if (info.usesThis && (!info.parsed.strict || info.parsed.strictAssumed) && !objectThis && !methodOfObject) return null;
  if (this.frame.depth + 1 > this.options.maxDepth || this.budget <= 0) return null;
  this.checkDeadline();
  // An object kos made is told apart by its identity and its known primitive fields: a tree walker's
  // `visit(node.left)` inside `visit(node)` is a new call, and so is a recursive-descent parser's
  // `this.expression(0)` inside `this.expression(0)` once `this.index` moved on. Recursion on
  // objects made without end stops at the inlining depth and budget.
  const virtualSig = (o: VirtualObject): string => {
    const f = this.fields(o);
    if (!f) return "v";
    let out = `v${this.objectId(o)}{`;
    for (const [k, x] of f) if (x.k === "s" && isPrimitive(x.v) && typeof x.v !== "symbol" && out.length < 200) out += `${k}=${typeof x.v}:${String(x.v)},`;
    return out + "}";
  };
  const sig = (v: Val) => (v.k === "s" ? (isPrimitive(v.v) ? `s:${typeof v.v}:${String(v.v)}` : `o${this.objectId(v.v)}`) : v.k === "v" ? virtualSig(v.o) : "d");
  const key = `${this.objectId(fn)}(${sig(thisVal)};${args.map(sig).join(",")})`;
  if (this.inlineStack.includes(key)) return null;
  // Closure values alone make a small callee worth inlining (its helpers and constants fold), not an
  // interpreter's whole generic body on dynamic arguments.
  // A known receiver counts only for a callee that uses `this` (`lib.apply(x)` is just a call): counting
  // it copied json-logic-js's generic `apply` into every loop over data (205 KB of code for one rule,
  // 43 KB without, at the same speed).
  // Where reads of unfrozen objects no longer fold (after foreign code, with no fork left to re-check
  // them), an unfrozen object kos knows is as good as a dynamic value. Inlining typebox's
  // `Visit(schema.items, references, element)` there copied its 30-case dispatch on `schema[Kind]`.
  const unfrozenFolds = this.unfrozenReadsFold();
  const folds = (a: Val) => (a.k === "v" && unfrozenFolds) || (a.k === "s" && (unfrozenFolds || isPrimitive(a.v) || typeof a.v === "function" || Object.isFrozen(a.v)));
  const argsStatic = (info.usesThis && folds(thisVal)) || args.some(folds);
  const somethingStatic = argsStatic || (info.freeNames.length > 0 && !this.foreignRan && info.size <= LARGE_CALLEE_NODES);
  // (Last: it reads the callee's closure, an inspector call for each function not read before.)
  if (!somethingStatic && info.size > SMALL_CALLEE_NODES && !programInClosure(this, info, folds)) return null;

  this.reserveWords(info.words);
  const simpleParams = (info.node.params as Node[]).every((p) => p.type === "Identifier");
  return this.inlineFrame(info, info.node, new Map(), thisVal, args, key, undefined, simpleParams ? fn : undefined);
};

/**
 * A function a factory made (`pipe(...items)` returning `{ run(x) { for (const item of items) … } }`,
 * a parser combinator's `seq(a, b)`) holds its program in the factory's parameters, as a method
 * holds it in `this`: where one of them folds, the call is worth inlining like one with a static
 * argument. Parameters only: a module wrapper's locals (a UMD bundle's helpers) would make every
 * callee of such a library count.
 */
function programInClosure(s: Specializer, info: FnInfo, folds: (v: Val) => boolean): boolean {
  if (info.fn === s.rootFn) return false;
  for (const name of info.freeNames) {
    const found = s.options.lookupFree(info.fn, name, true);
    if (found.found && found.stable && found.factoryParam && folds(S(found.value))) return true;
  }
  return false;
}

/**
 * Evaluates a function body in a new frame at the current point (a callee, or
 * a closure of a frame still running, which then shares that frame's slots),
 * and returns its result, or null when the body holds a construct kos cannot
 * compile (nothing is then emitted).
 */
P.inlineFrame = function (this: Specializer, info: FnInfo, fnNode: Node, slots: Frame["slots"], thisVal: Val, args: Val[], key: string, newTarget?: Frame["newTarget"], restartable?: Function): Val | null {
  // Transactional: a construct the callee cannot have compiled leaves the call as it was.
  const saved = { env: this.copyEnv(), frame: this.frame, targets: this.targets.length, dyn: this.dynDepth, tries: this.tryDepth, escapes: this.escapes.length, out: this.out, outLength: this.out.length };
  const stableThis = this.stable(thisVal, "self");
  const stableArgs = args.map((a) => this.stable(a, "arg"));
  const inherited = new Set(slots.values());
  const ret: Target = this.newTarget({ isReturn: true });
  const frame: Frame = { info, slots, thisVal: stableThis, args: stableArgs, root: false, ret, depth: saved.frame.depth + 1, key, ...(newTarget ? { newTarget } : {}), ...(restartable ? { restartable } : {}) };
  this.inlineStack.push(key);
  (this.frameStack ??= []).push(saved.frame);
  let body: Node[] = [];
  try {
    this.frame = frame;
    this.targets.push(ret);
    body = this.collect(() => {
      this.enterFunctionBody(fnNode, stableArgs);
      if (!this.env) return;
      if (fnNode.body.type === "BlockStatement") this.scopedStatements(fnNode.body.body);
      else this.jump(ret, "break", this.stable(this.expr(fnNode.body), "ret"));
    });
    this.targets.pop();
  } catch (e) {
    this.inlineStack.pop();
    this.frameStack.pop();
    this.frame = saved.frame;
    this.targets.length = saved.targets;
    this.dynDepth = saved.dyn;
    this.tryDepth = saved.tries;
    this.out = saved.out;
    // What the attempt emitted (argument temporaries) goes too: the call is evaluated as written.
    this.out.length = saved.outLength;
    this.env = saved.env;
    this.escapes.length = saved.escapes;
    // A construct the callee cannot compile leaves the call as written; the compile's own limits end it.
    if (e instanceof JitError && e.code !== "INTERNAL" && e.code !== "RESIDUAL_TOO_LARGE") return null;
    throw e;
  }
  this.inlineStack.pop();
  this.frameStack.pop();
  this.frame = saved.frame;
  const edges = [...ret.edges];
  if (this.env) {
    const e = { env: this.env, fix: [] as Node[], value: UNDEF };
    body.push({ type: "BlockStatement", body: e.fix });
    edges.push(e);
  }
  let result: Val = UNDEF;
  const values = edges.map((e) => e.value ?? UNDEF);
  let merged: ReturnType<typeof mergeReturnedObjects> = null;
  if (values.length === 1) result = values[0]!;
  else if (values.length > 1) {
    const first = values[0]!;
    if (values.every((v) => v.k === "s" && first.k === "s" && Object.is(v.v, first.v))) result = first;
    else if (first.k === "v" && values.every((v) => v.k === "v" && v.o === first.o)) result = first;
    else if ((merged = mergeReturnedObjects(this, edges, values))) result = merged.value;
    else {
      const r = this.fresh("r");
      this.hoistName(r);
      // Each return writes the result in its own fix-up block (an object it returns is allocated there too).
      edges.forEach((e, i) => {
        // In the edge's own environment, before the join: an object escaping here escapes on this path.
        const own = { fix: [] as Node[], env: e.env };
        const value = this.residualAt(own, values[i]!);
        e.fix.unshift(...own.fix, { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(r), right: value } });
      });
      result = D(id(r));
      // Every return hints the same prototype (`push(view) { return new Context(view, this); }`): so does the result.
      const hints = values.map((v) => (v.k === "d" ? v.proto : v.k === "v" ? v.o.proto : undefined));
      if (hints[0] && hints.every((h) => h === hints[0])) result.proto = hints[0];
    }
  }
  // The returned objects (and what their fields hold) live on past the join, though no frame's
  // variable holds them yet: the join must keep their states (it drops objects nothing reaches).
  const held = result.k === "v" ? values.filter((v) => v.k === "v") : [];
  this.liveValues.push(...held);
  try {
    this.env = this.merge(edges);
  } finally {
    this.liveValues.length -= held.length;
  }
  if (merged && this.env) this.env.set(merged.object, { val: null, obj: merged.state });
  // The callee's own locals are dead once it has returned, unless a closure it made captures them
  // (merge drops them at a join of several returns; with one return it hands that environment back
  // whole). Kept, they are copied at every later fork: over @cfworker/json-schema's recursive
  // `validate`, inlined about 70 times, the environment grew to thousands of dead slots, and copying
  // and joining them was most of a 58 s compile.
  if (this.env) {
    for (const [variable, slot] of frame.slots) {
      if (!inherited.has(slot) && !slot.pinned && !info.captured.has(variable)) this.env.delete(slot);
    }
  }
  const blockNode: Node = { type: "BlockStatement", body };
  this.out.push(ret.label ? { type: "LabeledStatement", label: id(ret.label), body: blockNode } : blockNode);
  this.budget -= body.length;
  if (!this.env) return UNDEF;
  return result;
};

declare module "./specializer.js" {
  interface Specializer {
    rootStrict: boolean;
    rootFn: Function;
  }
}
void n_unused;
function n_unused() {}

/** `a.b.c` / `this.b["c"]`: identifiers and member reads with constant keys only. */
/**
 * `path[k]`, a pure path keyed by a variable whose value kos does not know (`cfg.fns[k]()`, `this[ev]()`):
 * the key is read once either way (its conversion to a property key happens in the call, as in
 * the source), and the engine's message names the source ("cfg.fns[k] is not a function", not the
 * constant kos folded the path to).
 */
function keyedByVariable(n: Node, key: Val): boolean {
  return n.type === "MemberExpression" && n.computed && !n.optional && n.property.type === "Identifier" && key.k === "d" && key.e.type === "Identifier" && isPureMemberPath(n.object);
}

function isPureMemberPath(n: Node): boolean {
  if (n.type === "Identifier" || n.type === "ThisExpression") return true;
  if (n.type !== "MemberExpression" || n.optional) return false;
  if (n.computed && n.property.type !== "Literal") return false;
  return isPureMemberPath(n.object);
}

declare module "./specializer.js" {
  interface Specializer {
    applySpread(fn: Function, thisArg: Val, arr: Val, length: number, n: Node): Val | null;
  }
}

/**
 * `fn.apply(thisArg, arr)` where `arr` was made as a real Array of `length`
 * items (an unfolded map's result): inlined behind `arr.length === length`,
 * with the items read as CreateListFromArrayLike reads them; otherwise the
 * call as written.
 */
P.applySpread = function (this: Specializer, fn: Function, thisArg: Val, arr: Val, length: number, n: Node): Val | null {
  // A virtual receiver would be allocated in one branch only.
  if (thisArg.k === "v") return null;
  const probe = this.probe(() => {
    const a = this.stable(arr, "args");
    const t = this.stable(thisArg, "self");
    // An Array kos made (on the paths where the flag says so), still of that length: reading its items
    // is what CreateListFromArrayLike does (no proxy, no getter on `length`).
    const sameLength: Node = { type: "BinaryExpression", operator: "===", left: { type: "MemberExpression", object: this.residual(a), property: id("length"), computed: false, optional: false }, right: { type: "Literal", value: length, raw: String(length) } };
    const flag = arr.k === "d" ? arr.arrayFlag : undefined;
    const test: Node = flag ? { type: "LogicalExpression", operator: "&&", left: id(flag), right: sameLength } : sameLength;
    const base = this.env!;
    this.dynDepth++;
    this.env = new Map(base);
    let inlined: Val | null = null;
    const list1 = this.collect(() => {
      const items = Array.from({ length }, (_, i) => this.temp({ type: "MemberExpression", object: this.residual(a), property: { type: "Literal", value: i, raw: String(i) }, computed: true, optional: false }, "a"));
      inlined = this.inlineCall(fn, t, items, n);
    });
    const env1 = this.env;
    // The second branch takes the environment itself (statements.ts, ifStatement).
    this.env = base;
    const call: Node = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: this.constNode(fn), property: id("apply"), computed: false, optional: false }, arguments: [this.residual(t), this.residual(a)] };
    this.foreignCodeMayRun();
    const env2 = this.env;
    this.dynDepth--;
    if (!inlined) return null;
    const r = this.fresh("r");
    this.hoistName(r);
    const fix1: Node[] = [];
    const fix2: Node[] = [];
    if (env1) list1.push({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(r), right: this.residualAt({ fix: list1, env: env1 }, inlined) } }, { type: "BlockStatement", body: fix1 });
    const list2: Node[] = [{ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(r), right: call } }, { type: "BlockStatement", body: fix2 }];
    const edges = [];
    if (env1) edges.push({ env: env1, fix: fix1 });
    edges.push({ env: env2, fix: fix2 });
    this.env = this.merge(edges);
    this.out.push({ type: "IfStatement", test, consequent: { type: "BlockStatement", body: list1 }, alternate: { type: "BlockStatement", body: list2 } });
    return D(id(r));
  });
  if (!probe.result) {
    probe.undo();
    return null;
  }
  probe.commit();
  return probe.result;
};

/** An expression that only reads: no call, assignment, update, `new`, `delete`, function or class. */
export function readsOnly(n: Node): boolean {
  let ok = true;
  walk(n, (x) => {
    if (!ok) return false;
    // A method call (`Math.sign(c.n)`, `c.words.includes("a")`): V8 names it `c.words.includes(...)` in the
    // message; the copy runs it once, as the original does (nothing of the evaluation is kept).
    if (x.type === "CallExpression" && !x.optional && x.callee.type === "MemberExpression" && !x.callee.optional) return ok;
    if (/^(CallExpression|NewExpression|AssignmentExpression|UpdateExpression|FunctionExpression|ArrowFunctionExpression|ClassExpression|TaggedTemplateExpression|YieldExpression|AwaitExpression|ImportExpression|ChainExpression)$/.test(x.type) || (x.type === "UnaryExpression" && x.operator === "delete")) ok = false;
    return ok;
  });
  return ok;
}
