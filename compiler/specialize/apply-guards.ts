/**
 * `g.apply(thisArg, arguments)` where `g` is a function kos knows but `g.apply` was read at run
 * time (after foreign code, which could have given `g` an `apply` of its own): the forwarding is
 * inlined behind a test of the method read, the way method-guards.ts devirtualizes a method call
 * (and Go's PGO a hot call site):
 *
 *     m = g.apply;
 *     r = m === %Function.prototype.apply% ? <g inlined on the root's items, this = thisArg>
 *       : forwardApply(m, g, thisArg, arguments, original, "g.apply");
 *
 * (`g.apply` is read as it is, not folded behind a guard: calls.ts, forwardedApplyRead.)
 * The root's count is guarded at entry (rootArgumentItems), so the list Function.prototype.apply
 * makes of `arguments` is the root's items, as call-dispatch.ts inlines it where `g.apply` folds.
 *
 * Exactness: `g.apply` is read once, where the original reads it (a getter, a proxy's trap run
 * once). The other branch (error-helpers.ts, forwardApply) calls what was read, with `g` as `this`
 * and the version's own `arguments`, whose items are the call's (the entry hands the version its
 * arguments as given), and throws V8's "g.apply is not a function" when it is not callable. That
 * `arguments` is the version's object, not the original's: in sloppy code its `callee` is defined
 * as the original before it is handed on (an own data property, writable and configurable, not
 * enumerable, as the engine makes it), so a user `apply` that reads it sees what it would. Where it
 * escapes, reads of `arguments` after it are read as written (arguments-escape.ts judges the
 * residual, and compile.ts specializes again).
 *
 * Sloppy code with simple parameters has a mapped `arguments`: a user `apply` can write a parameter
 * through it, which the evaluator and the residual passes take as the function's own local. The
 * guarded form is then made only where nothing of the function can read a parameter after the call:
 * the call is what a `return` outside any `try` returns, and no closure names a parameter. Elsewhere
 * such a call still falls back (call-dispatch.ts, handsMappedArguments).
 */
import type { Node } from "../ast.js";
import { walk } from "../ast.js";
import { Specializer, assign, id } from "./specializer.js";
import { D, type Val } from "./values.js";
import { buildLiteral } from "../emit.js";
import { forwardApply } from "../error-helpers.js";
import { isProxyValue } from "./builtin-calls.js";

/** A method call's receiver and key, as call-dispatch.ts gives them (`stale`: code ran between the read and the call). */
interface MemberCall { obj: Val; key: Val; stale?: boolean }

declare module "./specializer.js" {
  interface Specializer {
    /** `g.apply(thisArg, arguments)` with `g.apply` read at run time, inlined behind a test of it; null when it does not apply. */
    guardedApplyForward(fnVal: Val, args: Val[], member: MemberCall | null, n: Node): Val | null;
  }
}

const P = Specializer.prototype;
const FnApply = Function.prototype.apply;

/** Whether the root's `arguments` is linked to its parameters (sloppy code, simple parameters). */
export function mappedArguments(s: Specializer): boolean {
  if (s.rootStrict) return false;
  const params = s.frame.info.node.params as Node[];
  return params.length > 0 && params.every((p) => p.type === "Identifier");
}

/**
 * Whether `call` is what a `return` of `fnNode` returns, outside any `try` (a `catch` or `finally`
 * would run after it), and no nested function of `fnNode` names one of its parameters: then nothing
 * of the function reads a parameter after the call returns.
 */
function lastReadOfParameters(fnNode: Node, call: Node): boolean {
  const params = new Set((fnNode.params as Node[]).map((p) => p.name as string));
  let returned = false;
  let closureNamesParameter = false;
  const visit = (x: Node, tries: number, nested: boolean): void => {
    walk(x, (y) => {
      if (y === x) return;
      if (y.type === "FunctionExpression" || y.type === "FunctionDeclaration" || y.type === "ArrowFunctionExpression" || y.type === "ClassExpression" || y.type === "ClassDeclaration") {
        visit(y, tries, true);
        return false;
      }
      if (y.type === "TryStatement") {
        visit(y, tries + 1, nested);
        return false;
      }
      if (nested && y.type === "Identifier" && params.has(y.name as string)) closureNamesParameter = true;
      if (!nested && tries === 0 && y.type === "ReturnStatement" && y.argument === call) returned = true;
      return;
    });
  };
  visit(fnNode.body, 0, false);
  return returned && !closureNamesParameter;
}

/** `g.apply`, `this.apply`: the text V8 names a failing call by, or null where kos would not print it as V8 does. */
function calleeText(n: Node): string | null {
  const callee = n.callee;
  if (callee?.type !== "MemberExpression" || callee.computed || callee.optional) return null;
  if (callee.object.type === "ThisExpression") return "this.apply";
  return callee.object.type === "Identifier" ? `${callee.object.name}.apply` : null;
}

P.guardedApplyForward = function (this: Specializer, fnVal: Val, args: Val[], member: MemberCall | null, n: Node): Val | null {
  if (fnVal.k !== "d" || !member || member.stale || member.key.k !== "s" || member.key.v !== "apply" || !this.frame.root) return null;
  if (args.length !== 2 || args[0]!.k === "v" || member.obj.k === "v" || args[1]!.k !== "d" || !args[1]!.ownArguments) return null;
  const text = calleeText(n);
  if (!text) return null;
  const mapped = mappedArguments(this);
  if (mapped && !lastReadOfParameters(this.frame.info.node, n)) return null;
  const g = member.obj;
  const items = this.rootArgumentItems;
  if (items && !this.generic && g.k === "s" && typeof g.v === "function" && !isProxyValue(g.v)) {
    let inlined = false;
    const p = this.probe(() => forwardBranches(this, fnVal, g, args[0]!, items, n, text, () => (inlined = true)));
    if (inlined) {
      p.commit();
      return p.result;
    }
    p.undo();
  }
  // Not inlined: the call as the other branch makes it, where the source's would hand the linked
  // `arguments` on (call-dispatch.ts would fall back); else the call as written.
  if (!mapped) return null;
  const recv = this.stable(g, "recv");
  const self = this.stable(args[0]!, "self");
  const method = this.fresh("m");
  this.hoistName(method);
  this.emit(assign(method, this.residual(fnVal)));
  return otherBranch(this, method, recv, self, text);
};

/** The test and its two branches (see the file comment); `onInline` is told when `g` inlined. */
function forwardBranches(s: Specializer, fnVal: Val, g: Val, thisArg: Val, items: Val[], n: Node, text: string, onInline: () => void): Val {
  const self = s.stable(thisArg, "self");
  const method = s.fresh("m");
  s.hoistName(method);
  s.emit(assign(method, s.residual(fnVal)));
  const same: Node = { type: "BinaryExpression", operator: "===", left: id(method), right: s.constNode(FnApply) };
  return s.branchValue(
    D(same, "boolean"),
    () => {
      const r = s.inlineCall((g as Val & { k: "s" }).v as Function, self, items, n);
      if (!r) return D(id(method));
      onInline();
      // The items are the root's, read as own-arguments.ts reads them (compile.ts checks no escape comes first).
      s.ownArgumentsReadsKept = true;
      return r;
    },
    () => otherBranch(s, method, g, self, text),
    [],
    (t, a, b) => ({ type: "ConditionalExpression", test: t, consequent: a, alternate: b }),
  );
}

/** What was read as `g.apply`, called as the original calls it, or the engine's error (error-helpers.ts, forwardApply). */
function otherBranch(s: Specializer, method: string, g: Val, self: Val, text: string): Val {
  s.foreignCodeMayRun();
  const callee: Node = !s.rootStrict && s.rootFn ? s.constNode(s.rootFn) : { type: "UnaryExpression", operator: "void", prefix: true, argument: buildLiteral(0)! };
  return D({ type: "CallExpression", optional: false, callee: s.constNode(forwardApply), arguments: [id(method), s.residual(g), s.residual(self), id("arguments"), callee, buildLiteral(text)!] });
}
