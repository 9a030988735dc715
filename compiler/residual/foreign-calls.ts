/**
 * Whether a residual calls code kos left as it was: a call or `new` whose callee is a value kos
 * passes in by reference (the residual names it) and that is a function of the program, not of the
 * engine. Such a version spends its time in code it did not specialize, so it may gain little or
 * nothing over the original while paying its guards and one more frame: jsonpath-plus's
 * `JSONPath(path, …)`, whose instance escapes, compiled to a guard and `new JSONPath(…)` and ran
 * 0.90x the original (.scratch/real-speed.mjs). compile.ts has the gain check time such a version
 * whatever its size.
 */
import { walk, type Node } from "../ast.js";
import { isBuiltin } from "../builtins.js";

/** True when `nodes` call or construct a program function that `valueOf` knows a callee to be (undefined where it does not). */
export function callsProgramFunction(nodes: Node[], valueOf: (callee: Node) => unknown): boolean {
  let found = false;
  for (const node of nodes) {
    if (found) break;
    walk(node, (n) => {
      if (found) return false;
      if (n.type !== "CallExpression" && n.type !== "NewExpression") return;
      const value = valueOf(n.callee);
      if (typeof value === "function" && !isBuiltin(value)) found = true;
    });
  }
  return found;
}
