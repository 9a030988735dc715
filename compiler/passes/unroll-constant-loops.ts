/**
 * Full unrolling of loops whose trip count specialization made known:
 * numeric `for` loops over a never-written induction variable, `for-of` over
 * known arrays and strings (and specialized typed arrays, whose length is
 * guarded), and `for-in` over known objects. Each iteration becomes a block
 * with the induction variable replaced by its value, so folding can continue
 * inside it; `continue` becomes a break out of the iteration's labeled block
 * and `break` a break out of the whole. Loops over unknown counts are left to
 * V8, which already unrolls small inner loops (NOTES.md: Turboshaft fully
 * unrolls only below 4 iterations).
 */
import { childPath, clone, constantValue, countNodes, forEachChildSlot, isConst, isConstant, makeConst, walk, type Node } from "../ast.js";
import { analyzeScopes, type ScopeInfo, type Variable } from "../analyze/scopes.js";
import { breaksTo, retargetJumps } from "../jumps.js";
import { scopesOf, freshName, type CompileContext } from "../context.js";
import { evalBinary, foldExpression } from "./fold-constants.js";
import { isTypedArray, knownForInKeys, readKnownProperty } from "../values.js";

/** More iterations than this are never unrolled, whatever their size. */
const MAX_TRIP_COUNT = 256;

export function unrollConstantLoops(ctx: CompileContext): void {
  const scopes = scopesOf(ctx);
  // After a loop is unrolled its enclosing loops wait for the next round: the
  // scope analysis above does not know the identifiers the copies introduced.
  let unrolledCount = 0;
  const visit = (node: Node, labels: Set<string>): Node => {
    if (!node || typeof node.type !== "string" || node.type === "KosConst") return node;
    if (node.type === "FunctionExpression" || node.type === "FunctionDeclaration" || node.type === "ArrowFunctionExpression") {
      if (node !== ctx.root) return node; // nested functions keep their loops (they run at their own times)
    }
    if (node.type === "LabeledStatement") {
      const inner = new Set(labels).add(node.label.name);
      const body = visit(node.body, isLoopNode(node.body) || node.body.type === "LabeledStatement" ? inner : new Set());
      if (body !== node.body && body.kosUnrolled) return body; // the label moved onto the unrolled block
      node.body = body;
      return node;
    }
    const before = unrolledCount;
    for (const key of Object.keys(node)) {
      if (key === "type" || key === "loc") continue;
      const v = node[key];
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = v[i] && typeof v[i] === "object" ? visit(v[i], new Set()) : v[i];
      else if (v && typeof v === "object" && typeof v.type === "string") node[key] = visit(v, new Set());
    }
    if (unrolledCount > before) return node;
    let iterations: Iteration[] | null = null;
    if (node.type === "ForStatement") iterations = forIterations(node, ctx, scopes);
    else if (node.type === "ForOfStatement") iterations = forOfIterations(node, ctx);
    else if (node.type === "ForInStatement") iterations = forInIterations(node, ctx);
    if (!iterations) return node;
    const bodySize = countNodes(node.body) + 4;
    if (iterations.length > MAX_TRIP_COUNT || bodySize * iterations.length > ctx.shared.unrollBudget) return node;
    ctx.changed = true;
    unrolledCount++;
    return buildUnrolled(node, iterations, labels, ctx);
  };
  ctx.root.body = visit(ctx.root.body, new Set());
}

const isLoopNode = (n: Node): boolean => n.type === "ForStatement" || n.type === "ForOfStatement" || n.type === "ForInStatement";

/** One iteration: statements to put first in its block (the binding), and identifier substitutions. */
interface Iteration {
  prologue: Node[];
  /** For numeric loops: value that replaces each marked read of the induction variable. */
  value?: unknown;
}

const LOOP_VAR_MARK = "kosLoopVar";

function buildUnrolled(loop: Node, iterations: Iteration[], labels: Set<string>, ctx: CompileContext): Node {
  const loopLabel = freshName(ctx.shared, "loop");
  const blocks: Node[] = [];
  if (loop.kosVarFinal) blocks.push(loop.kosVarFinal.declaration);
  for (const it of iterations) {
    const body = clone(loop.body);
    if ("value" in it) {
      replaceMarked(body, it.value);
    }
    const iterLabel = freshName(ctx.shared, "iter");
    const block: Node = { type: "BlockStatement", body: [...it.prologue, ...(body.type === "BlockStatement" ? body.body : [body])] };
    retargetJumps(block, { breakTo: loopLabel, continueTo: iterLabel, ownLabels: labels, capturesContinue: true });
    blocks.push(breaksTo(block, iterLabel) ? { type: "LabeledStatement", label: { type: "Identifier", name: iterLabel }, body: block } : block);
  }
  if (loop.kosVarFinal) blocks.push(loop.kosVarFinal.assignment);
  clearMarks(loop.body);
  const whole: Node = { type: "BlockStatement", body: blocks };
  const result: Node = breaksTo(whole, loopLabel) ? { type: "LabeledStatement", label: { type: "Identifier", name: loopLabel }, body: whole } : whole;
  // A numeric loop's `let` initialiser runs once before the first test: keep it when it has effects (it is constant here).
  result.kosUnrolled = true;
  return result;
}

function replaceMarked(root: Node, value: unknown): void {
  walk(root, (n) =>
    forEachChildSlot(n, (c, replace) => {
      if (!c[LOOP_VAR_MARK]) return;
      if (n.type === "Property") n.shorthand = false;
      replace(makeConst(value));
    }),
  );
}

function clearMarks(root: Node): void {
  walk(root, (n) => {
    if (n[LOOP_VAR_MARK]) delete n[LOOP_VAR_MARK];
  });
}

/** Numeric `for (let i = c; test(i); update(i))` with `i` written only by the update. */
function forIterations(loop: Node, ctx: CompileContext, scopes: ScopeInfo): Iteration[] | null {
  const init = loop.init;
  if (!init || init.type !== "VariableDeclaration" || init.declarations.length !== 1) return null;
  const decl = init.declarations[0];
  if (decl.id.type !== "Identifier" || !decl.init || !isConstant(decl.init) || !loop.test || !loop.update) return null;
  const variable = scopes.variableOfDeclaration(decl.id);
  if (!variable || variable.defs.length !== 1) return null;
  const inUpdate = new Set<Node>();
  walk(loop.update, (n) => void inUpdate.add(n));
  for (const ref of variable.references) {
    if (ref.isWrite() && !ref.init && !inUpdate.has(ref.identifier)) return null;
  }
  const isVar = init.kind === "var";
  if (isVar && (capturedByClosure(variable, loop.body) || breaksOutOf(loop))) return null;
  const readsInBody = variable.references.filter((r) => r.isRead() && !r.isWrite() && within(loop.body, r.identifier));

  const trips: unknown[] = [];
  let value = constantValue(decl.init);
  for (;;) {
    const test = foldExpression(ctx, substitute(loop.test, variable, value, scopes));
    if (!isConstant(test)) return null;
    if (!constantValue(test)) break;
    trips.push(value);
    if (trips.length > MAX_TRIP_COUNT) return null;
    const next = stepInduction(loop.update, variable, value, ctx, scopes);
    if (!next.ok) return null;
    value = next.value;
  }
  for (const r of readsInBody) r.identifier[LOOP_VAR_MARK] = true;
  if (isVar) {
    loop.kosVarFinal = {
      declaration: { type: "VariableDeclaration", kind: "var", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name: decl.id.name }, init: null }] },
      assignment: { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: { type: "Identifier", name: decl.id.name }, right: makeConst(value) } },
    };
  }
  return trips.map((v) => ({ prologue: [], value: v }));
}

function within(root: Node, target: Node): boolean {
  let found = false;
  walk(root, (n) => {
    if (found) return false;
    if (n === target) found = true;
    return;
  });
  return found;
}

function capturedByClosure(variable: Variable, body: Node): boolean {
  let captured = false;
  const ids = new Set(variable.references.map((r) => r.identifier));
  walk(body, (n) => {
    if (captured) return false;
    if (n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression" || n.type === "FunctionDeclaration") {
      walk(n, (m) => {
        if (ids.has(m)) captured = true;
      });
      return false;
    }
    return;
  });
  return captured;
}

function breaksOutOf(loop: Node): boolean {
  const probe = clone(loop.body);
  return retargetJumps(probe, { breakTo: "__probe", continueTo: null, ownLabels: new Set(), capturesContinue: false }) > 0;
}

/** A copy of `expr` with reads of `variable` replaced by `value`. */
function substitute(expr: Node, variable: Variable, value: unknown, scopes: ScopeInfo): Node {
  const ids = new Set(variable.references.map((r) => r.identifier));
  const copyOf = (n: Node): Node => {
    if (!n || typeof n !== "object") return n;
    if (Array.isArray(n)) return n.map(copyOf);
    if (ids.has(n)) return makeConst(value);
    if (n.type === "KosConst") return { ...n };
    const out: Node = {};
    for (const k of Object.keys(n)) out[k] = k === "loc" ? n[k] : copyOf(n[k]);
    return out;
  };
  void scopes;
  return copyOf(expr);
}

function stepInduction(update: Node, variable: Variable, value: unknown, ctx: CompileContext, scopes: ScopeInfo): { ok: boolean; value?: unknown } {
  const isVar = (n: Node) => n.type === "Identifier" && n.name === variable.name && variable.references.some((r) => r.identifier === n);
  if (update.type === "UpdateExpression" && isVar(update.argument)) {
    const one = typeof value === "bigint" ? 1n : 1;
    return evalBinary(update.operator === "++" ? "+" : "-", value, one);
  }
  if (update.type === "AssignmentExpression" && isVar(update.left)) {
    const rhs = foldExpression(ctx, substitute(update.right, variable, value, scopes));
    if (!isConstant(rhs)) return { ok: false };
    if (update.operator === "=") return { ok: true, value: constantValue(rhs) };
    return evalBinary(update.operator.slice(0, -1), value, constantValue(rhs));
  }
  return { ok: false };
}

/** The binding declaration that starts each for-of/for-in iteration block. */
function bindingPrologue(left: Node, init: Node): Node[] | null {
  if (left.type !== "VariableDeclaration" || left.kind === "var" || left.declarations.length !== 1) return null;
  return [{ type: "VariableDeclaration", kind: left.kind, declarations: [{ type: "VariableDeclarator", id: clone(left.declarations[0].id), init }] }];
}

function forOfIterations(loop: Node, ctx: CompileContext): Iteration[] | null {
  if (loop.await || !isConst(loop.right)) return null;
  const right = loop.right;
  const iterable = right.value;
  const out: Iteration[] = [];
  if (typeof iterable === "string") {
    for (const ch of iterable) {
      const p = bindingPrologue(loop.left, makeConst(ch));
      if (!p) return null;
      out.push({ prologue: p });
    }
    return out;
  }
  if (Array.isArray(iterable) && Object.isFrozen(iterable)) {
    if (iterable.length > MAX_TRIP_COUNT) return null;
    for (let i = 0; i < iterable.length; i++) {
      const read = readKnownProperty(iterable, i, ctx.shared.freeze);
      if (!read.ok) return null;
      const p = bindingPrologue(loop.left, makeConst(read.value, childPath(right.path, i), !!right.fresh && read.value !== null && typeof read.value === "object"));
      if (!p) return null;
      out.push({ prologue: p });
    }
    return out;
  }
  // A specialized typed-array parameter: its length is guarded, its elements are read at run time.
  if (isTypedArray(iterable) && right.path?.root === "param" && right.path.keys.length === 0) {
    if (iterable.length > MAX_TRIP_COUNT) return null;
    for (let i = 0; i < iterable.length; i++) {
      const read: Node = { type: "MemberExpression", object: makeConst(iterable, right.path), property: makeConst(i), computed: true, optional: false };
      const p = bindingPrologue(loop.left, read);
      if (!p) return null;
      out.push({ prologue: p });
    }
    return out;
  }
  return null;
}

function forInIterations(loop: Node, ctx: CompileContext): Iteration[] | null {
  if (!isConst(loop.right)) return null;
  const keys = knownForInKeys(loop.right.value, ctx.shared.freeze);
  if (!keys || keys.length > MAX_TRIP_COUNT) return null;
  const out: Iteration[] = [];
  for (const key of keys) {
    const p = bindingPrologue(loop.left, makeConst(key));
    if (!p) return null;
    out.push({ prologue: p });
  }
  return out;
}
