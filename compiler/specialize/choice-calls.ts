/**
 * A call whose argument is a dynamic choice between known values:
 * `evaluate(n1 ? n2 : n3, expr, values)`, where an interpreter popped two
 * operands it knows and one it does not. Joined, the two known values would
 * become one dynamic variable, and the callee would run generic. Instead the
 * call is specialized on each side of the test (the case split partial
 * evaluators call "The Trick"): each branch calls a version specialized on
 * its own value. The order of evaluation stays the source's: the callee, the
 * arguments before the choice, the test, the chosen side, the arguments
 * after it, then the call.
 */
import type { Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import { UNDEF, type Val } from "./values.js";
import { readsOnly } from "./calls.js";
import { isBuiltin } from "../builtins.js";

declare module "./specializer.js" {
  interface Specializer {
    splitCallOverChoice(n: Node): Val | null;
  }
}

const P = Specializer.prototype;

P.splitCallOverChoice = function (this: Specializer, n: Node): Val | null {
  const args = n.arguments as Node[];
  if (n.callee.type !== "Identifier" || args.some((a) => a.type === "SpreadElement")) return null;
  const at = args.findIndex((a) => a.type === "ConditionalExpression" && readsOnly(a.consequent) && readsOnly(a.alternate));
  if (at < 0) return null;
  const choice = args[at]!;
  const p = this.probe((): Val | null => {
    const pre = this.evalSeq([n.callee, ...args.slice(0, at), choice.test], (e: Node) => this.expr(e));
    const fn = pre[0]!;
    const test = pre[pre.length - 1]!;
    if (fn.k !== "s" || typeof fn.v !== "function" || isBuiltin(fn.v as Function) || test.k !== "d") return null;
    // Only a choice between values that differ, one of them known, gains from the split.
    const peek = this.probe(() => [this.expr(choice.consequent), this.expr(choice.alternate)] as const);
    peek.undo();
    const [x, y] = peek.result;
    if (x.k === "d" && y.k === "d") return null;
    if (x.k === "s" && y.k === "s" && Object.is(x.v, y.v)) return null;
    const fixed = pre.slice(0, -1).map((v) => this.stable(v, "arg"));
    const side = (taken: boolean) => (): Val => {
      this.narrow(choice.test, taken);
      const rest = this.evalSeq([taken ? choice.consequent : choice.alternate, ...args.slice(at + 1)], (e: Node) => this.expr(e));
      return this.applyCall(fixed[0]!, UNDEF, [...fixed.slice(1), ...rest], null, n);
    };
    return this.branchValue(test, side(true), side(false), [choice.consequent, choice.alternate], (t, a, b) => ({ type: "ConditionalExpression", test: t, consequent: a, alternate: b }));
  });
  if (p.result === null) {
    p.undo();
    return null;
  }
  p.commit();
  return p.result;
};
