/**
 * Inlines specialized helpers whose body has several statements, where the
 * call is a whole operand of a statement (`if (!h(x)) …`, `const v = h(x)`,
 * `return h(x)`, `y = h(x)`, `h(x);`). The call becomes a labeled block:
 *
 *   let r;
 *   inl: { const p0 = x;            // arguments, evaluated in order, in the caller's scope
 *          { let value = p0;        // the helper's own parameter names, in a scope of their own
 *            …body…, each `return e` → { r = e; break inl; } } }
 *   if (!r) …
 *
 * Helpers that reduce to one `return` are already inlined as expressions by
 * specializeCalls; this covers the validators and serializers whose helpers
 * check a type and then return. Only non-recursive helpers under a size
 * budget are inlined, and only where their free names mean the same thing.
 */
import { clone, countNodes, walk, type Node } from "../ast.js";
import { freshName, scopesOf, type CompileContext, type Helper } from "../context.js";
import { analyzeScopes } from "../analyze/scopes.js";

/** Largest helper body (in AST nodes) inlined as statements. */
const BODY_BUDGET = 120;
/** Most statement-level inlines in one compilation, so a deep helper chain cannot grow without bound. */
const MAX_INLINES = 400;

const inlinesDone = new WeakMap<object, number>();

export function inlineStatements(ctx: CompileContext): void {
  const helpers = new Map(ctx.shared.helpers.filter((h) => h.node && !h.compiling).map((h) => [h.name, h]));
  if (helpers.size === 0) return;
  const scopes = scopesOf(ctx);
  const visit = (n: Node): void => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return;
    if (Array.isArray(n)) return n.forEach(visit);
    for (const k of Object.keys(n)) if (k !== "loc" && k !== "type") visit(n[k]);
    if (n.type === "BlockStatement" || n.type === "StaticBlock") n.body = inlineIn(n.body, ctx, helpers, scopes.declaredNames);
    else if (n.type === "SwitchCase") n.consequent = inlineIn(n.consequent, ctx, helpers, scopes.declaredNames);
  };
  visit(ctx.root.body);
}

/** Where a statement holds a call as a whole operand: get it, and put a replacement there. */
function callSlot(stmt: Node): { call: Node; set(n: Node): void } | null {
  const pick = (e: Node, set: (n: Node) => void) => (e?.type === "CallExpression" && e.callee.type === "Identifier" ? { call: e, set } : null);
  switch (stmt.type) {
    case "IfStatement":
      if (stmt.test.type === "UnaryExpression" && stmt.test.operator === "!") return pick(stmt.test.argument, (n) => (stmt.test.argument = n));
      return pick(stmt.test, (n) => (stmt.test = n));
    case "ReturnStatement":
      return pick(stmt.argument, (n) => (stmt.argument = n));
    case "VariableDeclaration":
      return stmt.declarations.length === 1 ? pick(stmt.declarations[0].init, (n) => (stmt.declarations[0].init = n)) : null;
    case "ExpressionStatement":
      if (stmt.expression.type === "AssignmentExpression" && stmt.expression.operator === "=" && stmt.expression.left.type === "Identifier") {
        return pick(stmt.expression.right, (n) => (stmt.expression.right = n));
      }
      return pick(stmt.expression, (n) => (stmt.expression = n));
    default:
      return null;
  }
}

const freeNamesOf = new WeakMap<Node, Set<string>>();

function inlinable(h: Helper, callerNames: Set<string>, prefix: string): boolean {
  const body = h.node.body.body as Node[];
  if (body.length < 2 || countNodes(h.node.body) > BODY_BUDGET) return false;
  // The helper's free names (globals such as Math, TypeError) must not be shadowed at the call site.
  let free = freeNamesOf.get(h.node);
  if (!free) {
    free = new Set([...analyzeScopes(h.node, true).free.keys()].filter((n) => !n.startsWith(prefix)));
    freeNamesOf.set(h.node, free);
  }
  for (const name of free) if (callerNames.has(name)) return false;
  let ok = true;
  walk(h.node.body, (n) => {
    if (!ok) return false;
    if (n.type === "Identifier" && n.name === h.name) ok = false; // recursive
    if (n.type === "LabeledStatement" && !n.label.name.startsWith(prefix)) ok = false; // user labels could clash
    return;
  });
  return ok;
}

function inlineIn(list: Node[], ctx: CompileContext, helpers: Map<string, Helper>, callerNames: Set<string>): Node[] {
  const out: Node[] = [];
  for (const stmt of list) {
    const slot = callSlot(stmt);
    const h = slot ? helpers.get(slot.call.callee.name) : undefined;
    const done = inlinesDone.get(ctx.shared) ?? 0;
    if (!slot || !h || done >= MAX_INLINES || slot.call.arguments.some((a: Node) => a.type === "SpreadElement") || !inlinable(h, callerNames, ctx.shared.prefix)) {
      out.push(stmt);
      continue;
    }
    inlinesDone.set(ctx.shared, done + 1);
    ctx.changed = true;
    const result = freshName(ctx.shared, "r");
    const label = freshName(ctx.shared, "inl");
    const params: Node[] = h.node.params;
    const argNames = slot.call.arguments.map(() => freshName(ctx.shared, "a"));
    const body = clone(h.node.body) as Node;
    rewriteReturns(body, result, label);
    const id = (name: string): Node => ({ type: "Identifier", name });
    const decl = (kind: string, name: string, init: Node | null): Node => ({ type: "VariableDeclaration", kind, declarations: [{ type: "VariableDeclarator", id: id(name), init }] });
    const voidZero: Node = { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } };
    out.push(decl("let", result, null));
    out.push({
      type: "LabeledStatement",
      label: id(label),
      body: {
        type: "BlockStatement",
        body: [
          ...slot.call.arguments.map((a: Node, i: number) => decl("const", argNames[i]!, a)),
          {
            type: "BlockStatement",
            body: [
              ...params.map((p: Node, i: number) => decl("let", p.name, i < argNames.length ? id(argNames[i]!) : voidZero)),
              ...body.body,
            ],
          },
        ],
      },
    });
    slot.set(id(result));
    out.push(stmt);
  }
  return out;
}

/** `return e` (not inside nested functions) → `{ result = e; break label; }`. */
function rewriteReturns(node: Node, result: string, label: string): void {
  const visit = (n: Node): Node => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return n;
    if (Array.isArray(n)) return n.map(visit);
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression") return n;
    if (n.type === "ReturnStatement") {
      return {
        type: "BlockStatement",
        body: [
          { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: { type: "Identifier", name: result }, right: n.argument ?? { type: "UnaryExpression", operator: "void", prefix: true, argument: { type: "Literal", value: 0, raw: "0" } } } },
          { type: "BreakStatement", label: { type: "Identifier", name: label } },
        ],
      };
    }
    for (const k of Object.keys(n)) if (k !== "loc" && k !== "type") n[k] = visit(n[k]);
    return n;
  };
  visit(node);
}
