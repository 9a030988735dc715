/**
 * Calls. A call to a known function with something static about it (an
 * argument, the receiver, or values in its closure) is specialized in place
 * (inlining.ts). Built-ins on values kos knows are computed (builtin-calls.ts).
 * Everything else stays a call, in member form when it was one, so `this` is
 * what the original passes. This file evaluates a call expression's callee,
 * receiver and arguments; what the call of the value then does is in
 * call-dispatch.ts, and `new` (new-expressions.ts) and optional chains
 * (optional-chains.ts) have files of their own.
 */
import type { Node } from "../ast.js";
import { walk } from "../ast.js";
import { arrayScanSteps } from "./array-scan-steps.js";
import { arrayIterationIntact } from "../builtins.js";
import { Specializer, id } from "./specializer.js";
import { NOT_CALLABLE, indirectEval } from "./call-dispatch.js";
import { D, S, UNDEF, type Val } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { constructedRegExpCall, privateRegExpMatch, privateRegExpTest, regexLiteralOnKnownString, regexLiteralReplace, regexLiteralTest } from "./regexp-calls.js";
import { callUnderSourceName, methodCallUnderSourceNames, spreadsUnderSourceNames, underSourceNames } from "./source-names.js";
import { BUILTIN_RESULT_TYPES, PRIMITIVE_PROTOS, hasPrimitiveMethod } from "./builtin-calls.js";

declare module "./specializer.js" {
  interface Specializer {
    callExpression(n: Node): Val;
    evalArgs(args: Node[]): { vals: Val[]; spread: boolean[] };
  }
}

const P = Specializer.prototype;

P.evalArgs = function (this: Specializer, args: Node[]) {
  const spread = args.map((a) => a.type === "SpreadElement");
  const vals = this.evalSeq(args, (a) => (a.type === "SpreadElement" ? this.spreadOperand(this.expr(a.argument)) : this.expr(a)));
  return { vals, spread };
};

P.callExpression = function (this: Specializer, n: Node): Val {
  if (n.optional) return this.chain(n);
  // After foreign code may have run, the call (its callee, arguments and inlined body) is speculated on again.
  return this.afterForeign(() => this.callExpressionChecked(n));
};

declare module "./specializer.js" {
  interface Specializer {
    callExpressionChecked(n: Node): Val;
  }
}

P.callExpressionChecked = function (this: Specializer, n: Node): Val {
  // First with its function-expression arguments made only if used as values (lazy-closures.ts).
  return this.lazyClosureCall(n, () => callChecked.call(this, n)) ?? callChecked.call(this, n);
};

function callChecked(this: Specializer, n: Node): Val {
  // A call that will throw (its callee is known not to be callable) stays as written,
  // so the engine's message names the source expression ("c.obj.q is not a function").
  const p = this.probe(() => this.callExpressionInner(n));
  if (p.result === NOT_CALLABLE) {
    p.undo();
    const named = new Map<string, Node>();
    const copy = this.verbatim(n, named);
    if (named.size) return underSourceNames(this, named, copy);
    if (copy.type !== "CallExpression") return D(copy);
    // `selector[name](…)` with `name` a constant the copy wrote as `selector["filter"]`: read under its name.
    if (n.callee.type === "MemberExpression" && copy.callee.type === "MemberExpression") return methodCallUnderSourceNames(this, n.callee, copy) ?? spreadsUnderSourceNames(this, n.arguments as Node[], copy) ?? D(copy);
    return callUnderSourceName(this, n.callee, copy) ?? spreadsUnderSourceNames(this, n.arguments as Node[], copy) ?? D(copy);
  }
  p.commit();
  return p.result;
}

declare module "./specializer.js" {
  interface Specializer {
    callExpressionInner(n: Node): Val;
  }
}

/**
 * `g.apply(thisArg, arguments)` on a function `g` kos knows, after foreign code (or in a fork's
 * speculated rest, which starts as if none had run): `g.apply` is read as it is, once, and
 * apply-guards.ts tests what was read. Folded instead (a fork's guard,
 * speculation.ts), the fork's test read it and its generic rest read it again: a getter put on
 * `apply` ran twice where the original runs it once.
 */
function forwardedApplyRead(s: Specializer, recv: Val, n: Node): Val | null {
  const args = n.arguments as Node[];
  // (The root's own `arguments` only: an inlined callee's is an array of its call's items, which a
  // folded `apply` reads in place and any other would need made.)
  if (!s.frame.root || !(s.foreignRan || s.inFork || s.generic) || n.callee.computed || n.callee.property.name !== "apply" || args.length !== 2 || args[1]!.type !== "Identifier" || args[1]!.name !== "arguments") return null;
  if (recv.k !== "s" || typeof recv.v !== "function") return null;
  return D({ type: "MemberExpression", object: s.constNode(recv.v), property: id("apply"), computed: false, optional: false });
}

P.callExpressionInner = function (this: Specializer, n: Node): Val {
  const callee = n.callee;
  const regexpCall = regexLiteralTest(this, n) ?? regexLiteralOnKnownString(this, n) ?? privateRegExpTest(this, n) ?? privateRegExpMatch(this, n) ?? constructedRegExpCall(this, n) ?? regexLiteralReplace(this, n);
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
    const afterHead = this.out.length;
    if (head[0]!.k !== "d" && !(n.arguments as Node[]).some((a) => a.type === "SpreadElement")) {
      // The method is read before the arguments are evaluated, as the engine does.
      const recv = this.stable(head[0]!, "recv");
      const readMethod = {} as Node;
      let afterRead = -1;
      const rest = this.evalSeq([readMethod, ...n.arguments], (e: Node) => {
        if (e !== readMethod) return this.expr(e);
        const method = forwardedApplyRead(this, recv, n) ?? this.readMember(recv, head[1]!, callee);
        afterRead = this.out.length;
        return method;
      });
      const stale = this.out.length !== afterRead;
      return this.applyCall(rest[0]!, recv, rest.slice(1), { obj: recv, key: head[1]!, ...(stale ? { stale } : {}) }, n);
    }
    // A receiver kos does not know: if it only reads (no calls or writes) and emitted nothing, it is
    // evaluated as written, so a failing call's message names the source's expression
    // ("(x + c.n).toFixed is not a function", not the folded "(x + 4)").
    if (head[0]!.k === "d" && this.out.length === before && readsOnly(callee.object) && !(callee.object.type === "Identifier")) {
      const { proto, freshArray } = head[0] as { proto?: object; freshArray?: true };
      head[0] = D(this.verbatim(callee.object), (head[0] as { type?: string }).type);
      if (proto) head[0].proto = proto;
      // (The copy calls the same built-in: fresh-array-calls.ts.)
      if (freshArray) head[0].freshArray = true;
    }
    const object = {} as Node;
    const property = {} as Node;
    const vals = this.evalSeq([object, property, ...n.arguments], (e: Node) =>
      e === object ? head[0]! : e === property ? head[1]! : e.type === "SpreadElement" ? this.spreadOperand(this.expr(e.argument)) : this.expr(e),
    );
    // Arguments that needed statements would run before the method is read from a receiver kos does
    // not know (a getter's order, and the engine's message, would change): keep the call as written.
    // (Unless all they did is give variables the values a closure argument captures, for a call whose
    // built-in's steps can run it in place: `expr = "news"` before `values.some((v) => isEqual(expr,
    // v))` runs nothing and reads no property. Other calls keep their text, as before.)
    if (vals[0]!.k === "d" && this.out.length !== before && !(vals[1]!.k === "s" && typeof vals[1]!.v === "string" && arrayScanSteps(this, vals[1]!.v, vals.slice(2)) && onlyBindings(this.out.slice(afterHead), (vals[0] as { e: Node }).e))) return NOT_CALLABLE;
    // A receiver chosen by `?:`, `&&`, `||` or `??` that folded to one side: the engine's message for a
    // failing call would name that side instead of the whole expression, so keep the call as written.
    if (vals[0]!.k === "d" && (callee.object.type === "ConditionalExpression" || callee.object.type === "LogicalExpression")) return NOT_CALLABLE;
    let obj = vals[0]!;
    const key = vals[1]!;
    const args = vals.slice(2);
    if ((n.arguments as Node[]).some((a) => a.type === "SpreadElement")) {
      // Spreads of arrays kos made become the items; on a known receiver whose method folds (reading
      // it runs nothing, so it may come after the arguments here), the call is then specialized.
      // (Not where the arguments emitted code: the method read after them could be another one.)
      const expanded = obj.k !== "d" && this.out.length === afterHead ? expandSpreads(this, args, (n.arguments as Node[]).map((a) => a.type === "SpreadElement")) : null;
      if (expanded) {
        const recv = this.stable(obj, "recv");
        const method = this.readMember(recv, key, callee);
        if (method.k === "s") return this.applyCall(method, recv, expanded, { obj: recv, key }, n);
      }
      // The residual call below reads the method after the spreads' code ran (a store, a call that
      // replaced it), where the engine reads it before: kept as written instead.
      if (obj.k !== "d" && this.out.length !== afterHead) return NOT_CALLABLE;
      const objNode = this.residual(obj);
      this.foreignCodeMayRun();
      const call: Node = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: objNode, property: this.residual(key), computed: true, optional: false }, arguments: args.map((a, i) => (n.arguments[i].type === "SpreadElement" ? { type: "SpreadElement", argument: this.residual(a) } : this.residual(a))) };
      return spreadsUnderSourceNames(this, n.arguments as Node[], call) ?? D(call);
    }
    if (obj.k === "d" && key.k === "s" && obj.type && PRIMITIVE_PROTOS[obj.type]) {
      // A primitive whose method does not exist: the call throws, so it stays exactly as written.
      const f = readFrozenProperty(PRIMITIVE_PROTOS[obj.type]!, key.v as PropertyKey, "deep");
      if (f.ok && typeof f.value !== "function") return NOT_CALLABLE;
    }
    if (obj.k === "d") {
      const devirtualized = this.freshArrayMethodCall(n, obj, key, args) ?? this.devirtualizedCall(n, obj, key, args);
      if (devirtualized) return devirtualized;
      // A receiver kos does not know: the method is read at run time too, so the call stays as written,
      // evaluating the receiver once, and the engine's messages name the source's expression.
      const keyNode = this.residual(key);
      const computed = !(key.k === "s" && typeof key.v === "string" && /^[A-Za-z_$][\w$]*$/.test(key.v));
      const argNodes = args.map((a) => this.residualArgument(a));
      this.foreignCodeMayRun();
      const call: Node = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: obj.e, property: computed ? keyNode : id(key.v as string), computed, optional: false }, arguments: argNodes };
      // A renamed variable of an inlined function keeps its name in the engine's message.
      // (Not where the method surely exists: a string's `endsWith`.)
      const cannotFail = key.k === "s" && typeof key.v === "string" && hasPrimitiveMethod(obj.type, key.v);
      if (cannotFail) {
        // A primitive's built-in method that always returns one type (`s.slice(1)` is a string).
        const m = readFrozenProperty(PRIMITIVE_PROTOS[obj.type!]!, key.v as PropertyKey, "deep");
        return D(call, m.ok ? BUILTIN_RESULT_TYPES.get(m.value) : undefined);
      }
      return methodCallUnderSourceNames(this, callee, call) ?? D(call);
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
    const calleeNode = indirectEval(this.residual(fn), fn);
    this.foreignCodeMayRun();
    const call: Node = { type: "CallExpression", optional: false, callee: calleeNode, arguments: args.map((a, i) => (spread[i + 1] ? { type: "SpreadElement", argument: this.residual(a) } : this.residual(a))) };
    return spreadsUnderSourceNames(this, n.arguments as Node[], call) ?? D(call);
  }
  return this.applyCall(fn, UNDEF, args, null, n);
};

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

/**
 * Statements that only give variables a literal or another variable's value (what making a closure
 * that captures known values emits), none of them a name the receiver's expression mentions.
 */
function onlyBindings(stmts: Node[], receiver: Node): boolean {
  const names = new Set<string>();
  walk(receiver, (x) => {
    if (x.type === "Identifier") names.add(x.name as string);
  });
  return stmts.every((st) => {
    const e = st.type === "ExpressionStatement" ? st.expression : null;
    return !!e && e.type === "AssignmentExpression" && e.operator === "=" && e.left.type === "Identifier" && !names.has(e.left.name as string) && (e.right.type === "Literal" || e.right.type === "Identifier");
  });
}

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
