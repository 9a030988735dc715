/**
 * What the last clean-up passes look for, found in one walk: each of them
 * walks the whole function two or three times even where it finds nothing to
 * do, which is most residuals (mingo's query, 17,303 nodes: hoistCommonAllocations,
 * mergeAppends and slideWindows took 52 ms of the pipeline's 137, and changed
 * nothing). A pass whose feature is absent cannot change anything and is not run.
 *
 * Each feature is a superset of what its pass rewrites. The walk skips nested
 * functions (none of the five rewrites inside one) but not classes.
 */
import { childKeys, type Node } from "../ast.js";

export interface ResidualFeatures {
  /** `x = x + "…"`: an append of a string literal to a variable (mergeAppends). */
  literalAppends: boolean;
  /** `a + (b + c)`: a concatenation grouped on the right (chainAppends). */
  rightConcats: boolean;
  /** `x = {…}` or `x = […]` as a statement (hoistCommonAllocations). */
  literalAllocations: boolean;
  /** A `for` with an update (slideWindows rewrites those that step by one). */
  forUpdates: boolean;
  /**
   * A function expression or arrow in the function's own code (copyColdCaptures rewrites some of
   * those; it finds them by the same walk, which stops at functions too). Most residuals have
   * none: its walk was 2.1% of the nodes a compile of json-serializer visits (730 of 34,493).
   */
  closures: boolean;
}

export function residualFeatures(fn: Node): ResidualFeatures {
  const f: ResidualFeatures = { literalAppends: false, rightConcats: false, literalAllocations: false, forUpdates: false, closures: false };
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x);
      return;
    }
    switch (n.type) {
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        f.closures = true;
        return;
      case "FunctionDeclaration":
        return;
      case "BinaryExpression":
        if (n.operator === "+" && n.right.type === "BinaryExpression" && n.right.operator === "+") f.rightConcats = true;
        break;
      case "ForStatement":
        if (n.update) f.forUpdates = true;
        break;
      case "ExpressionStatement": {
        const e = n.expression;
        if (e.type === "AssignmentExpression" && e.operator === "=" && e.left.type === "Identifier") {
          const r = e.right;
          if (r.type === "ObjectExpression" || r.type === "ArrayExpression") f.literalAllocations = true;
          else if (r.type === "BinaryExpression" && r.operator === "+" && r.left.type === "Identifier" && r.left.name === e.left.name && r.right.type === "Literal" && typeof r.right.value === "string") f.literalAppends = true;
        }
        break;
      }
    }
    for (const k of childKeys(n)) visit(n[k]);
  };
  visit(fn.body);
  return f;
}
