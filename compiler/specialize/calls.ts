/**
 * Calls. A call to a known function with something static about it (an
 * argument, the receiver, or values in its closure) is specialized in place
 * (inlining.ts). Built-ins on values kos knows are computed (builtin-calls.ts).
 * Everything else stays a call, in member form when it was one, so `this` is
 * what the original passes; `new` and optional chains are here too.
 */
import type { Node } from "../ast.js";
import { walk } from "../ast.js";
import { arrayIterationIntact, isBuiltin } from "../builtins.js";
import { Specializer, id } from "./specializer.js";
import { D, NULL_PROTO, S, UNDEF, isPrimitive, type Val, type VirtualObject } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { constructedRegExpCall, privateRegExpMatch, privateRegExpTest, regexLiteralTest } from "./regexp-calls.js";
import { callOfResultUnderSourceName, callUnderSourceName, mentions, methodCallUnderSourceNames, underSourceNames } from "./source-names.js";
import { MATH_FUNCTIONS, NATIVE_CONSTRUCTORS, PRIMITIVE_PROTOS, foldBuiltin, hasPrimitiveMethod, isProxyValue, runsNoUserCode } from "./builtin-calls.js";

declare module "./specializer.js" {
  interface Specializer {
    callExpression(n: Node): Val;
    newExpression(n: Node): Val;
    chain(n: Node): Val;
    applyCall(fn: Val, thisVal: Val, args: Val[], member: { obj: Val; key: Val } | null, n: Node): Val;
    evalArgs(args: Node[]): { vals: Val[]; spread: boolean[] };
  }
}

const P = Specializer.prototype;
const FnCall = Function.prototype.call;
const FnApply = Function.prototype.apply;

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
    // A function the source calls by its own name keeps that name where it can (assemble.ts).
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
  if (isProxyValue(C)) return null;
  const d = Reflect.getOwnPropertyDescriptor(C, "prototype");
  const v = d && "value" in d ? d.value : null;
  return v !== null && typeof v === "object" && !isProxyValue(v) ? v : null;
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
