/**
 * What a call of a value does, once its callee, receiver and arguments are
 * evaluated: a built-in on values kos knows is computed (builtin-calls.ts),
 * an array method with a callback unfolded, `call` and `apply` seen through,
 * a known function or a closure kos made evaluated in place (inlining.ts);
 * anything else stays a call, read through the source's path where kos
 * folded one, so the engine's messages name what the source names.
 */
import { walk, type Node } from "../ast.js";
import { isBuiltin } from "../builtins.js";
import { Specializer, id } from "./specializer.js";
import { D, NULL_PROTO, UNDEF, isPrimitive, type Val, type VirtualObject } from "./values.js";
import { callOfResultUnderSourceName, callUnderSourceName, underSourceNames } from "./source-names.js";
import { mentions } from "./source-name-plans.js";
import { FRESH_ARRAY_BUILTINS } from "./fresh-array-calls.js";
import { BUILTIN_RESULT_TYPES, MATH_FUNCTIONS, foldBuiltin, isProxyValue, runsNoUserCode } from "./builtin-calls.js";
import { globalStringifyIsEngine, isEngineStringify, quoteJsonString } from "../json-quote.js";
import { privateRegExpCallRunsNoUserCode } from "./regexp-calls.js";
import { stringOfPrimitive } from "./string-conversions.js";

declare module "./specializer.js" {
  interface Specializer {
    applyCall(fn: Val, thisVal: Val, args: Val[], member: MemberCall | null, n: Node): Val;
  }
}

/**
 * A method call's receiver and key. `stale`: code was emitted between the read of the method and
 * the call (an argument's statements: a store, a call), which may have changed the property.
 */
export interface MemberCall { obj: Val; key: Val; stale?: boolean }

const P = Specializer.prototype;
const FnCall = Function.prototype.call;
const FnApply = Function.prototype.apply;
/** As kos loaded it: a call through it reads nothing the program can replace. */
const REFLECT_APPLY = Reflect.apply;

/** A call that will throw: its callee is known not to be callable (calls.ts keeps it as written). */
/** Whether a call's arguments assign (anywhere in them) a variable its callee's path names (`o.m(o = x)`, `t[k](k++)`). */
function argumentsAssignPathNames(n: Node): boolean {
  const names = new Set<string>();
  walk(n.callee, (x) => void (x.type === "Identifier" && names.add(x.name as string)));
  let found = false;
  for (const a of n.arguments as Node[]) {
    walk(a, (x) => {
      if (found) return false;
      const target = x.type === "AssignmentExpression" ? x.left : x.type === "UpdateExpression" ? x.argument : null;
      if (target) walk(target, (t) => void (t.type === "Identifier" && names.has(t.name as string) && (found = true)));
      return;
    });
  }
  return found;
}

/**
 * Whether a method read off an object kos has not allocated is no longer what that object holds
 * under the key when the call is made: an argument stored another value there (`o.m(o.m = null)`
 * calls the function read before; built from the object as it then is, the call read m again and
 * said "obj.m is not a function", sweep25 repro-9). The call then goes to the function read.
 */
function calledFieldChanged(s: Specializer, member: MemberCall, fnVal: Val): boolean {
  if (member.obj.k !== "v" || fnVal.k !== "s" || member.key.k !== "s" || (typeof member.key.v !== "string" && typeof member.key.v !== "number")) return false;
  const f = s.fields(member.obj.o);
  if (!f) return false;
  const key = String(member.key.v);
  const o = member.obj.o;
  const now = f.has(key) ? f.get(key)! : undefined;
  if (now) return !(now.k === "s" && now.v === fnVal.v);
  // Inherited: read by descriptors (no getter runs); anything but the same data value counts as changed,
  // which only costs the call its form (the function read is called either way).
  for (let p: object | null = o.kind === "array" ? Array.prototype : o.proto === NULL_PROTO ? null : ((o.proto as object | undefined) ?? Object.prototype); p !== null; p = Reflect.getPrototypeOf(p)) {
    if (isProxyValue(p)) return true;
    const d = Reflect.getOwnPropertyDescriptor(p, key);
    if (d) return !("value" in d && d.value === fnVal.v);
  }
  return true;
}

export const NOT_CALLABLE: Val = { k: "s", v: Symbol("not callable") };

/** Whether the prototype of an object kos made has this key (so a call of it can fail only if code replaced it). */
function inheritedMethod(o: VirtualObject, key: Val): boolean {
  const proto = o.kind === "array" ? Array.prototype : o.proto === NULL_PROTO ? null : (o.proto ?? Object.prototype);
  return proto !== null && key.k === "s" && (typeof key.v === "string" || typeof key.v === "symbol") && key.v in proto;
}

/** The root's own `arguments`, as identifiers.ts gives it in the root's frame. */
const isRootArguments = (s: Specializer, v: Val | undefined): boolean => !!v && v.k === "d" && v.e.type === "Identifier" && v.e.name === "arguments" && s.frame.root;

/**
 * Sloppy code with simple parameters has a mapped `arguments`: a write to `arguments[0]` is a write
 * to the first parameter. fn-info.ts lets such a function hand `arguments` on only as
 * `g.apply(thisArg, arguments)`, taken to be Function.prototype.apply, which reads the list and
 * gives `g` one of its own. Where the call is something else (an object's own `apply`, or one kos
 * cannot see), the callee may write the parameters, which the evaluator and the residual passes
 * take as the function's own locals: a parameter read after such a call kept its folded value, or
 * was read before the call (`var n = o.apply(this, arguments); return [a, n]`).
 */
function handsMappedArguments(s: Specializer, fnVal: Val, args: Val[], member: MemberCall | null): boolean {
  // The other forms fn-info.ts lets through (an Array method's `.call`, by its syntax or its value) are checked there.
  if (s.rootStrict || !s.frame.root || member?.key.k !== "s" || member.key.v !== "apply" || args.length !== 2 || !isRootArguments(s, args[1])) return false;
  const params = s.frame.info.node.params as Node[];
  if (params.length === 0 || !params.every((p) => p.type === "Identifier")) return false;
  return !(fnVal.k === "s" && fnVal.v === FnApply);
}

P.applyCall = function (this: Specializer, fnVal: Val, thisVal: Val, args: Val[], member: MemberCall | null, n: Node): Val {
  if (!this.env) return UNDEF; // dead code: an argument always threw (see expr)
  // `g.apply(thisArg, arguments)` with `g.apply` read at run time: inlined behind a test of what was read (apply-guards.ts).
  const forwarded = this.guardedApplyForward(fnVal, args, member, n);
  if (forwarded) return forwarded;
  if (handsMappedArguments(this, fnVal, args, member)) return this.fail("USES_ARGUMENTS", "the function is sloppy code whose `arguments` is linked to its parameters, and it hands `arguments` to a call that may not be Function.prototype.apply (which only reads it): the callee could change the parameters", n);
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
        // `Array.prototype.reduce.call(arr, cb, init)`: the method on that receiver, as `arr.reduce(cb, init)` unfolds.
        const viaCall = this.unfoldArrayMethod(thisVal.v as Function, args[0] ?? UNDEF, args.slice(1), n) ?? this.unfoldArrayScan(thisVal.v as Function, args[0] ?? UNDEF, args.slice(1), n);
        if (viaCall) return viaCall;
        const r = this.inlineCall(thisVal.v as Function, args[0] ?? UNDEF, args.slice(1), n);
        if (r) return r;
      } else if (args.length === 2 && args[1]!.k === "d" && args[1]!.ownArguments && this.rootArgumentItems) {
        // `fn.apply(this, arguments)`, the forwarding wrapper (an arity adapter, a curried or
        // memoized function's shell): with the count guarded at entry, the list CreateListFromArrayLike
        // makes is the root's items, read as own-arguments.ts reads them. Left a call, the version was
        // the wrapper again behind its guards (1.2x slower, a four-step pipe).
        const r = this.inlineCall(thisVal.v as Function, args[0]!, this.rootArgumentItems, n);
        if (r) {
          this.ownArgumentsReadsKept = true;
          return r;
        }
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
  } else if (fnVal.k === "d" && fnVal.closure && (!this.generic || fnVal.lazyClosure)) {
    // (A lazy closure, lazy-closures.ts, runs in place on a speculation's generic branch too: called
    // as written there, it would have to be made, with whatever it captures.)
    // A closure this function made: its body runs in place, reading the bindings it captured.
    const r = this.inlineClosure(fnVal.closure, thisVal, args);
    if (r) return r;
  }
  // From here the call stays a call: an instance allocated at a join and given to it escapes here.
  this.notePassedInstances(thisVal, args);
  if (member?.stale || (member && calledFieldChanged(this, member, fnVal))) {
    // The engine calls the function it read before the arguments ran; reading the property again
    // at the call could find another one (`cfg.f(g())` where g replaces cfg.f ran the new f). A
    // function kos knows is called as read, with the receiver as `this`; one read at run time keeps
    // the call as written (calls.ts), since calling it out of a temporary would word a failing call
    // otherwise than the engine does.
    if (fnVal.k !== "s") return NOT_CALLABLE;
    const argNodes = args.map((a) => this.residual(a));
    this.noteCollectionWrite(fnVal.v as Function, thisVal, args);
    if (!runsNoUserCode(fnVal.v as Function, args)) this.foreignCodeMayRun();
    // A Math function ignores its receiver: it is called as it is (`Math.sin(x)` after a type check).
    if (MATH_FUNCTIONS.has(fnVal.v)) return D({ type: "CallExpression", optional: false, callee: this.constNode(fnVal.v), arguments: argNodes }, "number");
    const applied: Node = { type: "CallExpression", optional: false, callee: this.constNode(REFLECT_APPLY), arguments: [this.constNode(fnVal.v), this.residual(thisVal), { type: "ArrayExpression", elements: argNodes }] };
    return D(applied, BUILTIN_RESULT_TYPES.get(fnVal.v));
  }
  // `String(n)` of a number (or another primitive it converts as `+` does): `"" + n` (string-conversions.ts).
  const converted = stringOfPrimitive(fnVal, args, (a) => this.residual(a));
  if (converted) return D(converted, "string");
  // `JSON.stringify(s)` of a string: fast-json-stringify's escape loop, the same text (json-quote.ts).
  if (fnVal.k === "s" && isEngineStringify(fnVal.v) && args.length === 1 && isString(args[0]!) && globalStringifyIsEngine()) {
    return D({ type: "CallExpression", optional: false, callee: { type: "KosConst", value: quoteJsonString, path: null, hint: "quoteJsonString" }, arguments: [this.residualArgument(args[0]!)] }, "string");
  }
  let callee: Node;
  // (Not where an argument assigns a variable the path reads: `o.m(o = other)` calls the method of
  // the old `o`, and a copy of `o.m` read after the arguments would call the new one's; sweep25.)
  if (member && member.obj.k === "s" && !isPrimitive(member.obj.v) && n?.callee && (isPureMemberPath(n.callee) || keyedByVariable(n.callee, member.key)) && !argumentsAssignPathNames(n)) {
    // The callee was read from objects kos knows, as data: reading the same path again at run time has
    // no effect, and keeps the engine's message ("c.obj.q is not a function") about the source's names,
    // an inlined function's locals under theirs (`visitor[n]()`, not `visitor_1[n]()`) where no
    // argument reads those names.
    const named = new Map<string, Node>();
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
    let property = computed ? this.residual(k) : id(k.v as string);
    // A key kos passes by reference (a symbol) keeps the name the source reads it by: "this[SYM] is
    // not a function", where the reference's own name made it "this[$k_ref_3]" (sweep31 repro-1).
    if (property.type === "KosConst" && n?.callee?.type === "MemberExpression" && n.callee.computed && n.callee.property.type === "Identifier") property = { ...property, sourceName: n.callee.property.name };
    callee = { type: "MemberExpression", object: objNode, property, computed, optional: false };
  } else {
    callee = this.residual(fnVal);
    // A function value read off an object (`(0, o.m)(x)`, `(f || o.m)(x)` folded to `o.m`) is called
    // without a receiver: written as a member, the call would pass `o` as `this` (sweep27 repro-3).
    if (callee.type === "MemberExpression" || (callee.type === "ChainExpression" && callee.expression.type === "MemberExpression")) {
      callee = { type: "SequenceExpression", expressions: [{ type: "Literal", value: 0, raw: "0" }, callee] };
    }
    // A function the source calls by its own name keeps that name where it can (assemble.ts).
    if (callee.type === "KosConst" && n?.callee?.type === "Identifier") callee = { ...callee, sourceName: n.callee.name };
    callee = indirectEval(callee, fnVal);
  }
  const argNodes = args.map((a) => this.residualArgument(a));
  if (fnVal.k === "s") this.noteCollectionWrite(fnVal.v as Function, thisVal, args);
  if (!(fnVal.k === "s" && (runsNoUserCode(fnVal.v as Function, args) || privateRegExpCallRunsNoUserCode(this, fnVal.v as Function, thisVal, args)))) this.foreignCodeMayRun();
  const call: Node = { type: "CallExpression", optional: false, callee, arguments: argNodes };
  // A callee kos does not know may not be callable: "fn is not a function" names the source's
  // variable, not the temporary that holds its value (`const fn = x.get(k); fn()`), and
  // "acc.toFixed is not a function" the receiver's (`acc` holding an object kos allocated as `obj`).
  // (Not a method the object's kind surely has, where the object is one kos made: an operand
  // stack's `push`, called on every step.)
  // A receiver kos folded to a constant and passes by reference (`s[typeof v](v)` with `s` a module
  // binding) is named as the source names it too, where V8 said "$k_ref_0[(typeof v)] is not a
  // function" (rison's `encode`, sweep14).
  // (Only where the residual reads the method as the source writes it: `ops[node.op]()` folded to
  // `ops.mul()` would still not print as the source's.)
  // (A computed key read by a variable that the residual folded to a name, `o[k]()` read as `obj.q()`,
  // is read under the variable's name too: source-names.ts.)
  const sameKey = (callee: Node): boolean => n.callee.type === "MemberExpression" && callee.type === "MemberExpression" && (n.callee.computed === callee.computed ? n.callee.computed || n.callee.property.name === callee.property.name : n.callee.computed && n.callee.property.type === "Identifier");
  const source = !n?.callee ? null : !member ? n.callee : n.callee.type === "MemberExpression" && ((member.obj.k === "v" && !inheritedMethod(member.obj.o, member.key)) || (member.obj.k === "s" && !isPrimitive(member.obj.v) && n.callee.object.type === "Identifier" && sameKey(callee))) ? n.callee.object : null;
  if (fnVal.k === "d" && source) {
    const named = callUnderSourceName(this, source, call, member ? n.callee : undefined) ?? callOfResultUnderSourceName(this, source, call);
    if (named) return named;
  }
  // Every Math function returns a number (its arguments' conversions may throw, never change that);
  // other built-ins likewise return one type (BUILTIN_RESULT_TYPES).
  const result = D(call, fnVal.k === "s" ? BUILTIN_RESULT_TYPES.get(fnVal.v) : undefined);
  if (fnVal.k === "s" && FRESH_ARRAY_BUILTINS.has(fnVal.v)) result.freshArray = true;
  return result;
};

/**
 * `path[k]`, a pure path keyed by a variable whose value kos does not know (`cfg.fns[k]()`, `this[ev]()`):
 * the key is read once either way (its conversion to a property key happens in the call, as in
 * the source), and the engine's message names the source ("cfg.fns[k] is not a function", not the
 * constant kos folded the path to).
 */
function keyedByVariable(n: Node, key: Val): boolean {
  return n.type === "MemberExpression" && n.computed && !n.optional && n.property.type === "Identifier" && key.k === "d" && key.e.type === "Identifier" && isPureMemberPath(n.object);
}

/** `a.b.c` / `this.b["c"]`: identifiers and member reads with constant keys only. */
export function isPureMemberPath(n: Node): boolean {
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
    // The second branch takes the environment itself (if-statements.ts, ifStatement).
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

/** A value kos knows to be a string: a constant one, or a residual value of type string. */
function isString(v: Val): boolean {
  return v.k === "s" ? typeof v.v === "string" : v.k === "d" && v.type === "string";
}

/**
 * A call of `eval` kos emits is an indirect one, `(0, eval)(code)`: a direct `eval(code)` in the
 * source makes a function one kos does not compile, so any call of it kos emits came from an
 * indirect one (`(0, eval)(s)`, a helper's `e(s)`), which runs the code in the global scope. Printed
 * `eval(code)`, it ran in the version's own scope, and saw its parameters (sweep41).
 */
export function indirectEval(callee: Node, fnVal: Val): Node {
  const isEval = (callee.type === "Identifier" && callee.name === "eval") || (callee.type === "KosConst" && callee.value === globalThis.eval) || (fnVal.k === "s" && fnVal.v === globalThis.eval);
  return isEval ? { type: "SequenceExpression", expressions: [{ type: "Literal", value: 0, raw: "0" }, callee] } : callee;
}
