/**
 * Removes bindings nothing reads any more (typically the declarations whose
 * reads constant propagation replaced) when their initialiser has no effect,
 * and function declarations nothing calls.
 */
import { isConstant, type Node } from "../ast.js";
import { analyzeScopes } from "../analyze/scopes.js";
import type { CompileContext } from "../context.js";

const hasNoEffect = (init: Node | null): boolean =>
  init === null || isConstant(init) || init.type === "FunctionExpression" || init.type === "ArrowFunctionExpression";

export function removeDeadCode(ctx: CompileContext): void {
  for (let round = 0; round < 8; round++) {
    const scopes = analyzeScopes(ctx.root, ctx.strict);
    let removed = false;
    const removedStores = new Set<Node>();
    const unused = (idNode: Node): boolean => {
      const v = scopes.variableOfDeclaration(idNode);
      return !!v && v.defs.length === 1 && !v.references.some((r) => r.isRead());
    };
    // Stores of a constant into a binding nothing reads are dead.
    const deadStore = (stmt: Node): boolean => {
      const e = stmt.type === "ExpressionStatement" ? stmt.expression : null;
      if (!e || e.type !== "AssignmentExpression" || e.operator !== "=" || e.left.type !== "Identifier" || !isConstant(e.right)) return false;
      const ref = scopes.referenceOf(e.left);
      const v = ref?.resolved;
      return !!v && v.defs.length === 1 && v.defs[0]?.type === "Variable" && !v.references.some((r) => r.isRead());
    };
    const sweep = (list: Node[]): Node[] =>
      list.filter((stmt) => {
        if (deadStore(stmt)) {
          removedStores.add(stmt.expression.left);
          removed = true;
          return false;
        }
        if (stmt.type === "VariableDeclaration") {
          stmt.declarations = stmt.declarations.filter((d: Node) => {
            const dead = d.id.type === "Identifier" && hasNoEffect(d.init) && unused(d.id) && !isWrittenLater(scopes, d.id, removedStores);
            if (dead) removed = true;
            return !dead;
          });
          if (stmt.declarations.length === 0) return false;
        }
        if (stmt.type === "FunctionDeclaration" && stmt.id && unused(stmt.id)) {
          removed = true;
          return false;
        }
        return true;
      });
    const visit = (n: Node): void => {
      if (!n || typeof n !== "object") return;
      if (Array.isArray(n)) return n.forEach(visit);
      if (typeof n.type !== "string" || n.type === "KosConst") return;
      if (n.type === "BlockStatement" || n.type === "StaticBlock") n.body = sweep(n.body);
      if (n.type === "SwitchCase") n.consequent = sweep(n.consequent);
      for (const k of Object.keys(n)) if (k !== "loc" && k !== "type") visit(n[k]);
    };
    visit(ctx.root.body);
    if (!removed) return;
    ctx.changed = true;
  }
}

/** A binding written after its declaration is not dead even if never read (the write may have effects). */
function isWrittenLater(scopes: ReturnType<typeof analyzeScopes>, idNode: Node, removedStores: Set<Node>): boolean {
  const v = scopes.variableOfDeclaration(idNode);
  return !!v && v.references.some((r) => r.isWrite() && !r.init && !removedStores.has(r.identifier));
}
