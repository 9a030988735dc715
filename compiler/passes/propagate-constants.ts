/**
 * Constant propagation through bindings that are never reassigned: after
 * `const k = <constant>` (or let/var with one initialising write), reads of
 * `k` in the statements that follow in the same block become the constant.
 * Only reads dominated by the declaration are replaced, so temporal-dead-zone
 * errors and `var` hoisting keep their meaning. A fresh value (an array the
 * original builds anew, like `Object.keys(c)`) is propagated only into reads
 * that fold away (`keys.length`, `keys[i]`, `for (… of keys)`), never where
 * its identity could be observed.
 */
import { forEachChildSlot, isConstant, isConst, makeConst, walk, type Node } from "../ast.js";
import { analyzeScopes, type ScopeInfo, type Variable } from "../analyze/scopes.js";
import type { CompileContext } from "../context.js";

export function propagateConstants(ctx: CompileContext): void {
  const scopes = analyzeScopes(ctx.root, ctx.strict);
  const lists: Node[][] = [];
  walk(ctx.root.body, (n) => {
    if (n.type === "BlockStatement" || n.type === "StaticBlock") lists.push(n.body);
    else if (n.type === "SwitchCase") lists.push(n.consequent);
  });
  for (const list of lists) {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      if (stmt.type !== "VariableDeclaration") continue;
      stmt.declarations.forEach((d: Node, j: number) => {
        if (d.id.type !== "Identifier" || !d.init || !isConstant(d.init)) return;
        const variable = scopes.variableOfDeclaration(d.id);
        if (!variable || scopes.isReassigned(variable)) return;
        const later = [...stmt.declarations.slice(j + 1), ...list.slice(i + 1)];
        if (isConst(d.init) && d.init.fresh && !onlyFoldingUses(variable, scopes)) return;
        const replaced = substitute(later, variable, d.init, scopes);
        if (replaced) ctx.changed = true;
      });
    }
  }
}

/** Replaces dominated reads of `variable` in `roots` with copies of `value`. */
function substitute(roots: Node[], variable: Variable, value: Node, scopes: ScopeInfo): boolean {
  let replaced = false;
  const copy = (): Node => (isConst(value) ? makeConst(value.value, value.path, value.fresh) : { ...value });
  const visit = (node: Node): void => {
    walk(node, (n) =>
      forEachChildSlot(n, (c, replace) => {
        if (!isTarget(c)) return;
        if ((n.type === "MemberExpression" && c === n.property && !n.computed) || (n.type === "Property" && c === n.key && !n.computed)) return;
        if (n.type === "Property") n.shorthand = false;
        replace(copy());
        replaced = true;
      }),
    );
  };
  const isTarget = (n: Node): boolean => {
    if (n?.type !== "Identifier") return false;
    const ref = scopes.referenceOf(n);
    return !!ref && ref.resolved === variable && ref.isRead() && !ref.isWrite();
  };
  for (const root of roots) visit(root);
  return replaced;
}

/** True when every read of a fresh array is one that folds (length, constant index, for-of). */
function onlyFoldingUses(variable: Variable, scopes: ScopeInfo): boolean {
  const reads = new Set(variable.references.filter((r) => r.isRead()).map((r) => r.identifier));
  let ok = true;
  walk(variable.scope.block, (n, parent) => {
    if (!ok) return false;
    if (n.type !== "Identifier" || !reads.has(n)) return;
    const folds =
      (parent?.type === "MemberExpression" && parent.object === n && (!parent.computed || isConstant(parent.property))) ||
      (parent?.type === "ForOfStatement" && parent.right === n);
    if (!folds) ok = false;
    void scopes;
    return;
  });
  return ok;
}
