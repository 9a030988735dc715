/**
 * A method call on a receiver kos did not make but knows the class of: an
 * instance a residual `new C(…)` made (an escaping instance is made by its
 * constructor, compile.ts). Its prototype was C.prototype then, so the
 * method `recv.m` most likely is C.prototype's `m`, and the call is inlined
 * behind a test of that, the way Go's PGO devirtualizes a call site:
 *
 *     t = recv.m;  t === F ? <F inlined, this = recv> : <t called with this = recv>
 *
 * jmespath's `search` makes its TreeInterpreter this way and calls
 * `interpreter.search(ast, data)`: inlined, `this.visit(node, value)` is the
 * same case again, with the expression's tree known, so the interpreter's
 * dispatch on `node.type` folds.
 *
 * Exactness: `recv.m` is read once, where the original reads it, before the
 * arguments (a getter runs as it would). The prototype is only a hint: the
 * test compares the method that was read, so an instance whose prototype or
 * own properties changed takes the other branch. That branch calls what was
 * read with `Function.prototype.call`, or throws the engine's "x.m is not a
 * function" when it is not callable.
 *
 * The same test serves `recv.some(cb)` and `recv.every(cb)` on any receiver, with a callback
 * kos knows: F is then the built-in, the test also asks `Array.isArray(recv)`, and what is
 * inlined is the built-in's steps (array-scan-steps.ts), the callback's body in their loop.
 */
import { countNodes, type Node } from "../ast.js";
import { types as utilTypes } from "node:util";
import { Specializer, assign, id } from "./specializer.js";
import { D, UNDEF, type Val } from "./values.js";
import { buildLiteral } from "../emit.js";
import { isBuiltin } from "../builtins.js";
import { notAFunction } from "../error-helpers.js";
import { inFlagCheckedBranch, withSharedFlags } from "./loop-shared-objects.js";
import { arrayScanSteps } from "./array-scan-steps.js";

declare module "./specializer.js" {
  interface Specializer {
    /** `recv.m(args)` on a receiver with a known prototype (DynamicValue.proto), inlined behind a test; null when it does not apply. */
    devirtualizedCall(n: Node, recv: Val, key: Val, args: Val[]): Val | null;
    devirtualizedBranches(recv: Val & { k: "d" }, key: string, F: Function, args: Val[], n: Node, text: string, onInline: () => void, steps?: Function): Val;
  }
}

const P = Specializer.prototype;
const FnCall = Function.prototype.call;

/**
 * Largest inlined method, in syntax nodes, a guarded call keeps: past it the call stays a call.
 * pako's `inflate` makes an Inflate and calls `inflator.push(input, true)`: inlined, its 14,700
 * nodes went over the residual size (compile.ts), and the function fell back, where it had
 * compiled with the call. jmespath's `interpreter.search(ast, data)`, its tree folded, emitted
 * 2,473; with the filter's items interpreted per item in its loop (loop-shared-objects.ts), its
 * filter projection's `visit` emits 4,312 and `search` 4,705, which at 4,000 stayed calls.
 */
const MAX_INLINED_NODES = 6_000;
/**
 * Most of the unroll budget (statements of inlined bodies, compile.ts) one guarded call may use.
 * jmespath's `interpreter.search` with its tree used 27; pako's `inflator.push` used all 3,074 and
 * emitted 340,580 nodes before the size bound threw them away (1.4 s of compile).
 */
const MAX_INLINED_BUDGET = 300;
/** Prototype links followed to find the method (class hierarchies are shallow). */
const MAX_CHAIN = 8;

/** The function `proto[key]` holds as a data property now, found without running any code; else null. */
function methodOf(proto: object, key: string): Function | null {
  let o: object | null = proto;
  for (let depth = 0; o !== null && depth < MAX_CHAIN; o = Object.getPrototypeOf(o), depth++) {
    if (utilTypes.isProxy(o)) return null;
    const d = Reflect.getOwnPropertyDescriptor(o, key);
    if (!d) continue;
    return "value" in d && typeof d.value === "function" ? d.value : null;
  }
  return null;
}

/** Syntax nodes of a method small enough to inline with nothing known of its arguments (about a constructor call and a return). */
const SMALL_METHOD_NODES = 40;

function smallMethod(s: Specializer, F: Function): boolean {
  try {
    return s.infos.get(F).size <= SMALL_METHOD_NODES;
  } catch {
    return false;
  }
}


P.devirtualizedCall = function (this: Specializer, n: Node, recv: Val, key: Val, args: Val[]): Val | null {
  if (this.generic || recv.k !== "d" || key.k !== "s" || typeof key.v !== "string") return null;
  const callee = n.callee;
  // Only where the engine's message names the callee as written: `this.m(…)`, `x.m(…)`.
  if (callee.type !== "MemberExpression" || callee.computed || callee.property.type !== "Identifier" || !(callee.object.type === "ThisExpression" || callee.object.type === "Identifier")) return null;
  if ((n.arguments as Node[]).some((a) => a.type === "SpreadElement")) return null;
  // Only with something to fold (an argument kos knows: jmespath's tree): the receiver's fields are
  // read at run time, so a method on dynamic arguments alone gains little.
  let F = recv.proto ? methodOf(recv.proto, key.v) : null;
  // `recv.some(cb)` with a callback kos knows, on any receiver: most likely an Array, whose
  // built-in's steps run the callback in place (array-scan-steps.ts).
  const scan = arrayScanSteps(this, key.v, args);

  if (scan && (!F || F === scan.builtin)) F = scan.builtin;
  else if (!F || isBuiltin(F)) return null;
  // A small method inlines on dynamic arguments too: what it returns may carry a hint of its own
  // (mustache's `context.push(view)` returns `new Context(view, this)`, whose `lookup` then inlines).
  // (An object kos made but already allocated is as unknown as any other here.)
  else if (!args.some((a) => a.k !== "d" && !(a.k === "v" && this.vstate(a.o).residual)) && !smallMethod(this, F)) return null;
  const text = `${callee.object.type === "ThisExpression" ? "this" : callee.object.name}.${key.v}`;
  // Only where the method inlines (its arguments or receiver give it something to fold): a test in
  // front of a call that stays a call only costs.
  let inlined = false;
  // Guards an attempt that is undone recorded go with it (as for constructors, constructors.ts).
  const guardsBefore = this.contentGuards?.length ?? 0;
  // The attempt may use only part of the unroll budget: what it spends is charged as usual.
  const held = Math.max(0, this.budget - MAX_INLINED_BUDGET);
  this.budget -= held;
  let p;
  try {
    p = this.probe(() => this.devirtualizedBranches(recv as Val & { k: "d" }, key.v as string, F!, args, n, text, () => (inlined = true), F === scan?.builtin ? scan.steps : undefined));
  } finally {
    this.budget += held;
  }
  const size = inlined ? countNodes({ type: "BlockStatement", body: p.emitted }) : 0;
  if (!inlined || size > MAX_INLINED_NODES) {
    p.undo();
    if (this.contentGuards) this.contentGuards.length = guardsBefore;
    return null;
  }
  p.commit();
  return p.result;
};

/** The test and its two branches (see the file comment); `onInline` is told when the method inlined. */
P.devirtualizedBranches = function (this: Specializer, recv: Val & { k: "d" }, key: string, F: Function, args: Val[], n: Node, text: string, onInline: () => void, steps?: Function): Val {
  const self = this.stable(recv, "recv") as Val & { k: "d" };
  // The receiver is an object wherever the test passes (its method was found on it).
  const receiver: Val = { ...D(self.e, "object"), proto: recv.proto };
  const method = this.fresh("m");
  this.hoistName(method);
  this.emit(assign(method, { type: "MemberExpression", object: self.e, property: id(key), computed: false, optional: false }));
  this.foreignCodeMayRun();
  const argNodes = () => args.map((a) => this.residual(a));
  // In a loop with shared objects, the fast branch also needs them unseen by foreign code.
  const same: Node = { type: "BinaryExpression", operator: "===", left: id(method), right: this.constNode(F) };
  // A built-in's steps hold for an Array (a proxy of one included): the test asks that too.
  const isArray: Node = { type: "CallExpression", optional: false, callee: this.constNode(Array.isArray), arguments: [self.e] };
  const test = D(withSharedFlags(this, steps ? { type: "LogicalExpression", operator: "&&", left: same, right: isArray } : same), "boolean");
  const array: Val = { ...D(self.e, "object"), nonNull: true, isArray: { value: true, epoch: this.foreignEpoch ?? 0 } };
  let inlinedHint: object | undefined;
  const joined = this.branchValue(
    test,
    () => {
      const r = inFlagCheckedBranch(this, () => (steps ? this.inlineCall(steps, UNDEF, [array, ...args], n) : this.inlineCall(F, receiver, args, n)));
      if (r) {
        onInline();
        inlinedHint = r.k === "d" ? r.proto : r.k === "v" ? r.o.proto : undefined;
        return r;
      }
      this.foreignCodeMayRun();
      return D({ type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: this.constNode(FnCall), property: id("call"), computed: false, optional: false }, arguments: [id(method), self.e, ...argNodes()] });
    },
    () => {
      this.foreignCodeMayRun();
      const call: Node = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: this.constNode(FnCall), property: id("call"), computed: false, optional: false }, arguments: [id(method), self.e, ...argNodes()] };
      const isFunction: Node = { type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: id(method) }, right: buildLiteral("function")! };
      const fail: Node = { type: "CallExpression", optional: false, callee: this.constNode(notAFunction), arguments: [buildLiteral(text)!] };
      return D({ type: "ConditionalExpression", test: isFunction, consequent: call, alternate: fail });
    },
    [],
    (t, a, b) => ({ type: "ConditionalExpression", test: t, consequent: a, alternate: b }),
  );
  // What the inlined method returns hints the result (`scope.child(vars)` makes a Scope), though the
  // other branch calls whatever replaced the method: a hint is only ever tested, never trusted.
  if (inlinedHint && joined.k === "d" && !joined.proto) joined.proto = inlinedHint;
  return joined;
};
