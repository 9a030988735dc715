/**
 * Whether a residual statement can be wrapped in `{ let name = …; stmt }` without changing what it
 * reads: it must not read `name` from outside itself. `mentions` (source-name-plans.ts) answers
 * that by the name alone, so a verbatim closure in a loop's body that declares its own `value`
 * (TypeBox's `valueKeys.every(key => { const value = value_9; … })`) kept the loop off its
 * source's name, and the residual loop iterated `iterableAsWritten(it_652, "value is not
 * iterable")`: a call, and a for-of over an array V8 could no longer see, per items loop (6% of
 * the natural use's time, 160 → 150 ns a call with the helper taken out by hand). This walks the
 * scopes instead: a reference bound by a declaration inside the statement (a parameter, a `let`,
 * `const` or class of a block, a loop's or a catch clause's binding, a function's `var`s) reads
 * that one. Anything it cannot place answers yes: a `var` of the name outside a nested function
 * (it would clash with the block's `let`), a function declared under the name in a block (sloppy
 * code hoists it to the function too), a direct `eval` or a `with`.
 */
import { forEachPatternName, isFunctionNode, isReferenceIdentifier, walk, type Node } from "../ast.js";

/** Whether `stmt` reads the variable `name` from outside itself, or may (see above). */
export function readsOuterName(stmt: Node, name: string): boolean {
  let found = false;
  const visit = (n: Node, parent: Node | null, bound: boolean, inFunction: boolean): void => {
    if (found || !n || typeof n.type !== "string" || n.type === "KosConst") return;
    switch (n.type) {
      case "Identifier":
        if (!bound && n.name === name && isReferenceIdentifier(n, parent) && !isLabel(n, parent)) found = true;
        return;
      case "MetaProperty":
        return;
      case "WithStatement":
        found = true;
        return;
      case "CallExpression":
        if (n.callee.type === "Identifier" && n.callee.name === "eval") {
          found = true;
          return;
        }
        break;
      case "VariableDeclaration":
        if (n.kind === "var" && !inFunction && declaresName(n, name)) {
          found = true;
          return;
        }
        break;
      case "FunctionDeclaration":
        // Outside a nested function it would be a binding of the wrapper's scope (or, sloppy, of
        // the function around it); inside one, functionBinds places it or leaves it free.
        if (n.id?.name === name && !inFunction) {
          found = true;
          return;
        }
        break;
    }
    let inner = bound;
    if (isFunctionNode(n)) inner ||= functionBinds(n, name);
    else if (n.type === "BlockStatement" || n.type === "StaticBlock") inner ||= (n.body as Node[]).some((s) => lexicallyBinds(s, name));
    else if (n.type === "ForStatement" && n.init?.type === "VariableDeclaration" && n.init.kind !== "var") inner ||= declaresName(n.init, name);
    else if ((n.type === "ForInStatement" || n.type === "ForOfStatement") && n.left.type === "VariableDeclaration" && n.left.kind !== "var") inner ||= declaresName(n.left, name);
    else if (n.type === "CatchClause") inner ||= patternBinds(n.param, name);
    else if (n.type === "ClassExpression" || n.type === "ClassDeclaration") inner ||= n.id?.name === name;
    else if (n.type === "SwitchStatement") {
      // The discriminant is read outside the cases' scope.
      visit(n.discriminant, n, bound, inFunction);
      const caseBound = bound || (n.cases as Node[]).some((c) => (c.consequent as Node[]).some((s) => lexicallyBinds(s, name)));
      for (const c of n.cases as Node[]) visit(c, n, caseBound, inFunction);
      return;
    }
    const nested = inFunction || isFunctionNode(n);
    walk(n, (child, p) => {
      if (child === n) return;
      visit(child, p, inner, nested);
      return false;
    });
  };
  visit(stmt, null, false, false);
  return found;
}

const isLabel = (n: Node, parent: Node | null): boolean =>
  !!parent && (parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement") && parent.label === n;

function patternBinds(p: Node | null | undefined, name: string): boolean {
  let hit = false;
  forEachPatternName(p, (x) => {
    if (x === name) hit = true;
  });
  return hit;
}

function declaresName(decl: Node, name: string): boolean {
  return (decl.declarations as Node[]).some((d) => patternBinds(d.id, name));
}

/** A `let`, `const` or class declared directly in a statement list (its block's binding). */
function lexicallyBinds(s: Node, name: string): boolean {
  if (s.type === "VariableDeclaration") return s.kind !== "var" && declaresName(s, name);
  return s.type === "ClassDeclaration" && s.id?.name === name;
}

/** A function's own binding of the name: its expression name, a parameter, or a declaration of its body's scope. */
function functionBinds(fn: Node, name: string): boolean {
  if (fn.type === "FunctionExpression" && fn.id?.name === name) return true;
  if ((fn.params as Node[]).some((p) => patternBinds(p, name))) return true;
  // With defaults or patterns, the parameters have a scope of their own, which the body's
  // declarations do not bind: left free (a yes, where it matters).
  if (fn.body.type !== "BlockStatement" || (fn.params as Node[]).some((p) => p.type !== "Identifier")) return false;
  if ((fn.body.body as Node[]).some((s) => lexicallyBinds(s, name) || (s.type === "FunctionDeclaration" && s.id?.name === name))) return true;
  let hit = false;
  walk(fn.body, (x) => {
    if (hit || x.type === "KosConst" || (x !== fn.body && isFunctionNode(x))) return false;
    if (x.type === "VariableDeclaration" && x.kind === "var" && declaresName(x, name)) hit = true;
    return;
  });
  return hit;
}
