/** Hoisted `let` names that no residual code reads or writes any more (specialization made them static). */
import type { Node } from "../ast.js";

export function removeUnusedDeclarations(fn: Node): boolean {
  const body: Node[] = fn.body.body;
  const first = body[0];
  if (!first || first.type !== "VariableDeclaration" || first.kind !== "let" || first.declarations.some((d: Node) => d.init)) return false;
  const used = new Set<string>();
  const visit = (n: Node) => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (n.type === "Identifier") used.add(n.name);
    if (n.type === "MemberExpression" && !n.computed) return visit(n.object);
    if (n.type === "Property" && !n.computed) return visit(n.value);
    for (const k of Object.keys(n)) if (k !== "type") visit(n[k]);
  };
  visit(body.slice(1));
  const kept = first.declarations.filter((d: Node) => used.has(d.id.name));
  if (kept.length === first.declarations.length) return false;
  if (kept.length) first.declarations = kept;
  else body.shift();
  return true;
}
