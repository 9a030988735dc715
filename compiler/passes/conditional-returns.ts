/**
 * Turns a tail of early returns into one `return`:
 *   if (a) return x; if (b) return y; return z;   →   return a ? x : b ? y : z;
 * The tests run in the same order and each return value is evaluated only on
 * its own path, so behaviour is identical. Specialized helpers often reduce
 * to such chains; as one `return` they can be inlined at their call sites.
 */
import { isConstant, constantValue, type Node } from "../ast.js";
import type { CompileContext } from "../context.js";

const voidZero = (): Node => ({ type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } });

function earlyReturn(stmt: Node): { test: Node; value: Node } | null {
  if (stmt.type !== "IfStatement" || stmt.alternate) return null;
  let c = stmt.consequent;
  if (c.type === "BlockStatement" && c.body.length === 1) c = c.body[0];
  if (c.type !== "ReturnStatement") return null;
  return { test: stmt.test, value: c.argument ?? voidZero() };
}

export function conditionalReturns(ctx: CompileContext): void {
  const body: Node[] = ctx.root.body.body;
  const last = body[body.length - 1];
  if (!last || last.type !== "ReturnStatement") return;
  let start = body.length - 1;
  while (start > 0 && earlyReturn(body[start - 1])) start--;
  if (start === body.length - 1) return;
  let expr: Node = last.argument ?? voidZero();
  for (let i = body.length - 2; i >= start; i--) {
    const { test, value } = earlyReturn(body[i])!;
    expr = simplifyBooleanChoice({ type: "ConditionalExpression", test, consequent: value, alternate: expr });
  }
  body.splice(start, body.length - start, { type: "ReturnStatement", argument: expr });
  ctx.changed = true;
}

/** `t ? false : e` → `!t && e` and `t ? true : e` → `t || e`, when t and e are boolean-valued. */
function simplifyBooleanChoice(c: Node): Node {
  const isBool = (n: Node) => (isConstant(n) && typeof constantValue(n) === "boolean") || isBooleanValued(n);
  if (!isBool(c.test) || !isBool(c.alternate) || !isConstant(c.consequent)) return c;
  const v = constantValue(c.consequent);
  if (v === false) return { type: "LogicalExpression", operator: "&&", left: { type: "UnaryExpression", operator: "!", prefix: true, argument: c.test }, right: c.alternate };
  if (v === true) return { type: "LogicalExpression", operator: "||", left: c.test, right: c.alternate };
  return c;
}

const COMPARISONS = new Set(["==", "!=", "===", "!==", "<", "<=", ">", ">=", "instanceof", "in"]);

/** Expressions that always produce a boolean. */
export function isBooleanValued(n: Node): boolean {
  if (isConstant(n)) return typeof constantValue(n) === "boolean";
  switch (n.type) {
    case "BinaryExpression":
      return COMPARISONS.has(n.operator);
    case "UnaryExpression":
      return n.operator === "!" || n.operator === "delete";
    case "LogicalExpression":
      return n.operator !== "??" && isBooleanValued(n.left) && isBooleanValued(n.right);
    case "ConditionalExpression":
      return isBooleanValued(n.consequent) && isBooleanValued(n.alternate);
    default:
      return false;
  }
}
