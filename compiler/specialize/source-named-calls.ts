/**
 * V8's "X is not a function" prints the callee as the code writes it. A call
 * on a receiver that is a variable of an inlined function, renamed in the
 * residual because the caller has a binding of that name too (`o` → `o_1`),
 * would fail naming `o_1.f`. Such a call, when it may fail that way (kos does
 * not know the receiver, so the method is read at run time; or kos knows it
 * fails and keeps it as written), is emitted in a block that declares the
 * source's name:
 *
 *     { let o = o_1; r = o.f(a); }
 *
 * The copy runs no code and cannot throw; the call's arguments are checked not
 * to name `o` themselves (they would read the copy), else the call stays as it is.
 */
import { walk, type Node } from "../ast.js";
import { id, type Specializer } from "./specializer.js";
import { D, type Val } from "./values.js";

// Names a block's `let` cannot take (or that would shadow a global the residual reads by name).
const NOT_DECLARABLE = new Set(["arguments", "eval", "undefined", "NaN", "Infinity", "let", "yield", "await", "static", "implements", "interface", "package", "private", "protected", "public"]);

/** The call with its receiver read under `sourceName`, or null when it stays as built. */
/** The variable a receiver path starts from (`o` of `o.g.h`), through non-computed member reads. */
function pathRoot(n: Node): Node | null {
  while (n.type === "MemberExpression" && !n.computed && !n.optional) n = n.object;
  return n.type === "Identifier" ? n : null;
}

/** Whether two receiver paths read the same properties (`o.g` and `o_1.g`). */
function samePath(a: Node, b: Node): boolean {
  while (a.type === "MemberExpression" && b.type === "MemberExpression") {
    if (a.computed || b.computed || a.property.name !== b.property.name) return false;
    a = a.object;
    b = b.object;
  }
  return a.type === "Identifier" && b.type === "Identifier";
}

/**
 * The call (built with its receiver, or its callee, read from the residual
 * variable) with that variable read under its source name, or null when it
 * stays as built. `source` is the receiver (`o`, `o.g`) or the callee (`fn`)
 * as the source writes it.
 */
export function callUnderSourceName(s: Specializer, source: Node, call: Node): Val | null {
  const callee = call.callee;
  // The receiver of a method call, or the callee itself (`fn()`).
  const path: Node = callee.type === "MemberExpression" ? callee.object : callee;
  if (!samePath(source, path)) return null;
  const sourceName: string = pathRoot(source)!.name;
  const residualRoot = pathRoot(path)!;
  const residualName: string = residualRoot.name;
  if (residualName === sourceName || NOT_DECLARABLE.has(sourceName)) return null;
  let clash = false;
  const look = (n: Node | null) => {
    if (!n) return;
    walk(n, (x) => {
      if (clash || x.type === "KosConst") return false;
      if (x.type === "Identifier" && x.name === sourceName) clash = true;
      return;
    });
  };
  for (const a of call.arguments as Node[]) look(a);
  if (callee.computed) look(callee.property);
  if (clash) return null;
  const result = s.fresh("r");
  s.hoistName(result);
  const rename = (n: Node): Node => (n === residualRoot ? id(sourceName) : { ...n, object: rename(n.object) });
  const renamed: Node = { ...call, callee: callee.type === "MemberExpression" ? { ...callee, object: rename(callee.object) } : rename(callee) };
  s.emit({
    type: "BlockStatement",
    body: [
      { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(sourceName), init: id(residualName) }] },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(result), right: renamed } },
    ],
  });
  return D(id(result));
}
