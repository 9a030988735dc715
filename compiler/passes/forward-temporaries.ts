/**
 * Forwards a single-use temporary into its use: `const t = E; return t === 1;`
 * becomes `return E === 1;` when `t` is read exactly once, in the next
 * statement, outside any closure, and nothing with an effect is evaluated
 * before that read. E then runs at the same point as before (never in a
 * branch that might skip it), so getters and calls keep their order. Helpers
 * reduced to one `return` can then be inlined.
 */
import { isConstant, type Node } from "../ast.js";
import { scopesOf, type CompileContext } from "../context.js";
import type { ScopeInfo } from "../analyze/scopes.js";

export function forwardTemporaries(ctx: CompileContext): void {
  const scopes = scopesOf(ctx);
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    if (n.type === "BlockStatement" || n.type === "StaticBlock") forwardIn(n.body, ctx, scopes);
    if (n.type === "SwitchCase") forwardIn(n.consequent, ctx, scopes);
    for (const k of Object.keys(n)) if (k !== "loc" && k !== "type") visit(n[k]);
  };
  visit(ctx.root.body);
}

function forwardIn(list: Node[], ctx: CompileContext, scopes: ScopeInfo): void {
  for (let i = 0; i + 1 < list.length; i++) {
    const decl = list[i];
    if (decl.type !== "VariableDeclaration" || decl.kind === "var" || decl.declarations.length !== 1) continue;
    const d = decl.declarations[0];
    if (d.id.type !== "Identifier" || !d.init) continue;
    const variable = scopes.variableOfDeclaration(d.id);
    if (!variable || scopes.isReassigned(variable)) continue;
    const reads = variable.references.filter((r) => r.isRead());
    if (reads.length !== 1 || reads[0]!.from !== variable.scope) continue;
    const target = reads[0]!.identifier;
    const next = list[i + 1];
    const slot = firstEvaluatedSlot(next);
    if (!slot || !reachesFirst(slot.get(), target)) continue;
    const replaced = replaceNode(slot.get(), target, d.init);
    slot.set(replaced);
    list.splice(i, 1);
    i--;
    ctx.changed = true;
  }
}

/** The expression a statement evaluates first (the only place a forwarded value may go). */
function firstEvaluatedSlot(stmt: Node): { get(): Node; set(n: Node): void } | null {
  switch (stmt.type) {
    case "ReturnStatement":
    case "ThrowStatement":
      return stmt.argument ? { get: () => stmt.argument, set: (n) => (stmt.argument = n) } : null;
    case "ExpressionStatement":
      return { get: () => stmt.expression, set: (n) => (stmt.expression = n) };
    case "IfStatement":
      return { get: () => stmt.test, set: (n) => (stmt.test = n) };
    case "VariableDeclaration":
      if (stmt.declarations.length !== 1 || !stmt.declarations[0].init) return null;
      return { get: () => stmt.declarations[0].init, set: (n) => (stmt.declarations[0].init = n) };
    default:
      return null;
  }
}

/**
 * True when, evaluating `expr` left to right, `target` is reached before
 * anything with an effect, and unconditionally (not inside the right of
 * `&&`/`||`/`??` or a branch of `?:`).
 */
function reachesFirst(expr: Node, target: Node): boolean {
  const result = scan(expr, target);
  return result === "found";
}

type Scan = "found" | "pure" | "blocked";

function scan(n: Node, target: Node): Scan {
  if (n === target) return "found";
  if (!n || isConstant(n)) return "pure";
  const seq = (...parts: Node[]): Scan => {
    for (const p of parts) {
      if (!p) continue;
      const r = scan(p, target);
      if (r !== "pure") return r;
    }
    return "pure";
  };
  switch (n.type) {
    case "Identifier":
      return "pure";
    case "UnaryExpression":
      if (n.operator === "delete") return "blocked";
      return scan(n.argument, target) === "found" ? "found" : n.operator === "typeof" || n.operator === "!" || n.operator === "void" ? scan(n.argument, target) : "blocked";
    case "BinaryExpression": {
      const r = seq(n.left, n.right);
      if (r !== "pure") return r;
      return n.operator === "===" || n.operator === "!==" ? "pure" : "blocked";
    }
    case "LogicalExpression":
    case "ConditionalExpression": {
      const first = n.type === "LogicalExpression" ? n.left : n.test;
      const r = scan(first, target);
      return r === "found" ? "found" : "blocked";
    }
    case "MemberExpression": {
      const r = seq(n.object, n.computed ? n.property : null);
      if (r !== "pure") return r;
      // Reading a property of a known (frozen) object runs no user code.
      return isConstant(n.object) ? "pure" : "blocked";
    }
    case "CallExpression":
    case "NewExpression": {
      const r = seq(n.callee, ...n.arguments);
      return r === "pure" ? "blocked" : r;
    }
    case "ArrayExpression":
      return seq(...n.elements);
    default:
      return "blocked";
  }
}

function replaceNode(root: Node, target: Node, replacement: Node): Node {
  if (root === target) return replacement;
  const visit = (n: Node): boolean => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return false;
    for (const k of Object.keys(n)) {
      if (k === "loc") continue;
      const v = n[k];
      if (v === target) {
        n[k] = replacement;
        return true;
      }
      if (Array.isArray(v)) {
        const i = v.indexOf(target);
        if (i >= 0) {
          v[i] = replacement;
          return true;
        }
        if (v.some(visit)) return true;
      } else if (v && typeof v === "object" && visit(v)) return true;
    }
    return false;
  };
  visit(root);
  return root;
}
