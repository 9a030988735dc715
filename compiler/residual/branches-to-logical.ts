/**
 * An `if` whose two branches only give one variable a value, one of them a
 * boolean constant, becomes that assignment with `||` or `&&`. What unfolding
 * `alternatives.some((a) => check(a, v))` leaves, one `if` per alternative:
 *
 *     if (v === "new") { r = true; } else { r = v === "paid"; }
 *
 * becomes `r = v === "new" || v === "paid";`, as one would write it.
 *
 * Exactness: only when the test is a boolean by its syntax (a comparison,
 * `in`, `instanceof`, `!`, a boolean literal, or `&&`/`||` of those), so
 * `t || b` gives `true` exactly where the `if` gave `true`, and `t && b` gives
 * `false` where it gave `false`; the other side is evaluated only where the
 * `if` evaluated it, after the test, as before. With a constant in the
 * consequent the test is negated (`!t && b`, `!t || a`), which is a boolean too.
 */
import { forEachStatementListInnermostFirst, type Node } from "../ast.js";

const BOOLEAN_OPERATORS = new Set(["===", "!==", "==", "!=", "<", ">", "<=", ">=", "in", "instanceof"]);

/** Whether `e` evaluates to a boolean whatever its operands are. */
function isBooleanExpression(e: Node): boolean {
  switch (e.type) {
    case "Literal":
      return typeof e.value === "boolean";
    case "BinaryExpression":
      return BOOLEAN_OPERATORS.has(e.operator);
    case "UnaryExpression":
      return e.operator === "!";
    case "LogicalExpression":
      return (e.operator === "&&" || e.operator === "||") && isBooleanExpression(e.left) && isBooleanExpression(e.right);
    default:
      return false;
  }
}

/** The variable and value of a block (or statement) that is exactly `name = value;`. */
function soleAssignment(s: Node | null): { name: string; value: Node } | null {
  if (!s) return null;
  const stmt = s.type === "BlockStatement" ? (s.body.length === 1 ? s.body[0] : null) : s;
  if (!stmt || stmt.type !== "ExpressionStatement") return null;
  const a = stmt.expression;
  if (a.type !== "AssignmentExpression" || a.operator !== "=" || a.left.type !== "Identifier") return null;
  return { name: a.left.name, value: a.right };
}

const isBool = (e: Node, b: boolean): boolean => e.type === "Literal" && e.value === b;
const not = (e: Node): Node => ({ type: "UnaryExpression", operator: "!", prefix: true, argument: e });
/** `left op right`, left-leaning: `a || (b || c)` is `a || b || c` (same values, same order of evaluation). */
function logical(operator: "&&" | "||", left: Node, right: Node): Node {
  if (right.type === "LogicalExpression" && right.operator === operator) return logical(operator, logical(operator, left, right.left), right.right);
  return { type: "LogicalExpression", operator, left, right };
}

/** The one expression an `if (t) { r = a } else { r = b }` computes, or null. */
function asLogical(n: Node): { name: string; value: Node } | null {
  if (n.type !== "IfStatement" || !n.alternate || !isBooleanExpression(n.test)) return null;
  const a = soleAssignment(n.consequent);
  const b = soleAssignment(n.alternate);
  if (!a || !b || a.name !== b.name) return null;
  const t = n.test;
  if (isBool(a.value, true)) return { name: a.name, value: isBool(b.value, false) ? t : logical("||", t, b.value) };
  if (isBool(b.value, false)) return { name: a.name, value: logical("&&", t, a.value) };
  if (isBool(a.value, false)) return { name: a.name, value: isBool(b.value, true) ? not(t) : logical("&&", not(t), b.value) };
  if (isBool(b.value, true)) return { name: a.name, value: logical("||", not(t), a.value) };
  return null;
}

export function branchesToLogical(fn: Node): boolean {
  let changed = false;
  // Inner ifs first: a nested `if` that becomes an assignment can make its parent one.
  forEachStatementListInnermostFirst(fn.body, (list) => {
    for (let i = 0; i < list.length; i++) {
      const r = asLogical(list[i]!);
      if (!r) continue;
      list[i] = { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: { type: "Identifier", name: r.name }, right: r.value } };
      changed = true;
    }
  });
  return changed;
}
