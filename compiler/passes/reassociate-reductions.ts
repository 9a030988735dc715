/**
 * With `fastmath: true` only: a floating-point sum over a loop of unknown
 * length, `for (let i = a; i < n; i++) acc += E(i);`, is split over four
 * accumulators so the additions no longer wait on each other:
 *
 *   let i = a, acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
 *   for (; i + 3 < n; i += 4) { acc0 += E(i); acc1 += E(i + 1); acc2 += E(i + 2); acc3 += E(i + 3); }
 *   for (; i < n; i++) acc0 += E(i);
 *   acc += (acc0 + acc1) + (acc2 + acc3);
 *
 * This changes the order of the additions, so the rounding of the result
 * (and the sign of a zero sum) may differ: that is what `fastmath` allows,
 * and why it is off by default. E must be numeric (a product, quotient,
 * difference or Math call) and free of writes; `n` must be a binding the loop
 * never writes.
 */
import { clone, constDecl, id, type Node } from "../ast.js";
import { freshName, scopesOf, type CompileContext } from "../context.js";
import type { ScopeInfo } from "../analyze/scopes.js";

const NUMERIC_OPS = new Set(["*", "/", "-", "%", "**"]);

export function reassociateReductions(ctx: CompileContext): void {
  if (!ctx.shared.fastmath) return;
  const scopes = scopesOf(ctx);
  const visit = (n: Node): Node => {
    if (!n || typeof n !== "object" || n.type === "KosConst") return n;
    if (Array.isArray(n)) return n.map(visit);
    for (const k of Object.keys(n)) if (k !== "loc" && k !== "type") n[k] = visit(n[k]);
    if (n.type !== "ForStatement") return n;
    const rewritten = rewrite(n, ctx, scopes);
    if (rewritten) ctx.changed = true;
    return rewritten ?? n;
  };
  ctx.root.body = visit(ctx.root.body);
}

function rewrite(loop: Node, ctx: CompileContext, scopes: ScopeInfo): Node | null {
  const init = loop.init;
  if (init?.type !== "VariableDeclaration" || init.kind !== "let" || init.declarations.length !== 1) return null;
  const iName = init.declarations[0].id.name;
  if (!iName || !init.declarations[0].init) return null;
  const test = loop.test;
  if (test?.type !== "BinaryExpression" || test.operator !== "<" || test.left.type !== "Identifier" || test.left.name !== iName) return null;
  const bound = test.right;
  if (bound.type !== "Identifier") return null;
  const boundVar = scopes.resolve(bound);
  if (!boundVar || scopes.isReassigned(boundVar)) return null;
  const update = loop.update;
  const isIncrement = update?.type === "UpdateExpression" && update.operator === "++" && update.argument.name === iName;
  if (!isIncrement) return null;
  let body = loop.body;
  if (body.type === "BlockStatement" && body.body.length === 1) body = body.body[0];
  if (body.type !== "ExpressionStatement" || body.expression.type !== "AssignmentExpression" || body.expression.operator !== "+=") return null;
  const acc = body.expression.left;
  const term = body.expression.right;
  if (acc.type !== "Identifier" || acc.name === iName) return null;
  if (!isNumericTerm(term) || writesAnything(term)) return null;
  // The term may read the induction variable and anything else, but never the accumulator.
  let readsAcc = false;
  const check = (n: Node): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach(check);
    if (n.type === "Identifier" && n.name === acc.name) readsAcc = true;
    for (const k of Object.keys(n)) if (k !== "loc" && k !== "type") check(n[k]);
  };
  check(term);
  if (readsAcc) return null;

  const names = [0, 1, 2, 3].map((k) => freshName(ctx.shared, `acc${k}`));
  const i = () => id(iName);
  const termAt = (offset: number): Node => {
    const copy = clone(term);
    const sub = (n: Node): Node => {
      if (!n || typeof n !== "object" || n.type === "KosConst") return n;
      if (Array.isArray(n)) return n.map(sub);
      if (n.type === "Identifier" && n.name === iName) return offset === 0 ? i() : { type: "BinaryExpression", operator: "+", left: i(), right: { type: "Literal", value: offset, raw: String(offset) } };
      for (const k of Object.keys(n)) if (k !== "loc" && k !== "type" && !(n.type === "MemberExpression" && k === "property" && !n.computed)) n[k] = sub(n[k]);
      return n;
    };
    return sub(copy);
  };
  const add = (name: string, offset: number): Node => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "+=", left: id(name), right: termAt(offset) } });
  const lit = (v: number): Node => ({ type: "Literal", value: v, raw: String(v) });
  const plus = (left: Node, right: Node): Node => ({ type: "BinaryExpression", operator: "+", left, right });
  return {
    type: "BlockStatement",
    body: [
      constDecl("let", iName, init.declarations[0].init),
      ...names.map((n) => constDecl("let", n, lit(0))),
      {
        type: "ForStatement", init: null,
        test: { type: "BinaryExpression", operator: "<", left: plus(i(), lit(3)), right: id(bound.name) },
        update: { type: "AssignmentExpression", operator: "+=", left: i(), right: lit(4) },
        body: { type: "BlockStatement", body: names.map((n, k) => add(n, k)) },
      },
      { type: "ForStatement", init: null, test: { type: "BinaryExpression", operator: "<", left: i(), right: id(bound.name) }, update: { type: "UpdateExpression", operator: "++", prefix: false, argument: i() }, body: add(names[0]!, 0) },
      { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "+=", left: id(acc.name), right: plus(plus(id(names[0]!), id(names[1]!)), plus(id(names[2]!), id(names[3]!))) } },
    ],
  };
}

function isNumericTerm(n: Node): boolean {
  if (n.type === "BinaryExpression") return NUMERIC_OPS.has(n.operator);
  if (n.type === "UnaryExpression") return n.operator === "-";
  if (n.type === "CallExpression" && n.callee.type === "MemberExpression" && n.callee.object.type === "KosConst") return n.callee.object.value === Math;
  return false;
}

function writesAnything(n: Node): boolean {
  if (!n || typeof n !== "object") return false;
  if (Array.isArray(n)) return n.some(writesAnything);
  if (n.type === "AssignmentExpression" || n.type === "UpdateExpression" || (n.type === "UnaryExpression" && n.operator === "delete")) return true;
  if (n.type === "CallExpression" && !(n.callee.type === "MemberExpression" && n.callee.object.type === "KosConst" && n.callee.object.value === Math)) return true;
  if (n.type === "KosConst") return false;
  for (const k of Object.keys(n)) if (k !== "loc" && k !== "type" && writesAnything(n[k])) return true;
  return false;
}
