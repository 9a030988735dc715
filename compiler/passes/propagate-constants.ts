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
import { constantValue, statementLists, forEachChildSlot, isConstant, isConst, makeConst, walk, type Node } from "../ast.js";
import { freshArrays } from "./fold-constants.js";
import { analyzeScopes, type ScopeInfo, type Variable } from "../analyze/scopes.js";
import { scopesOf, type CompileContext } from "../context.js";

export function propagateConstants(ctx: CompileContext): void {
  const scopes = scopesOf(ctx);
  for (const list of statementLists(ctx.root.body)) {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      if (stmt.type !== "VariableDeclaration") continue;
      stmt.declarations.forEach((d: Node, j: number) => {
        if (d.id.type !== "Identifier" || !d.init || !isConstant(d.init)) return;
        const variable = scopes.variableOfDeclaration(d.id);
        if (!variable || scopes.isReassigned(variable)) return;
        const later = [...stmt.declarations.slice(j + 1), ...list.slice(i + 1)];
        // A fresh array is substituted only where the read folds to a primitive or a shared value.
        const fresh = isConst(d.init) && !!d.init.fresh;
        if (fresh && mayMutate(ctx.root, variable)) return;
        const replaced = substitute(later, variable, d.init, scopes, fresh);
        if (replaced) ctx.changed = true;
      });
    }
  }
}

/** Replaces dominated reads of `variable` in `roots` with copies of `value`. */
function substitute(roots: Node[], variable: Variable, value: Node, scopes: ScopeInfo, onlyFoldingReads = false): boolean {
  let replaced = false;
  const copy = (): Node => (isConst(value) ? makeConst(value.value, value.path, value.fresh) : { ...value });
  const visit = (node: Node): void => {
    walk(node, (n) =>
      forEachChildSlot(n, (c, replace) => {
        if (!isTarget(c)) return;
        if ((n.type === "MemberExpression" && c === n.property && !n.computed) || (n.type === "Property" && c === n.key && !n.computed)) return;
        if (onlyFoldingReads && !foldsAway(n, c, value)) return;
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

/** A read of a fresh array that folds to a primitive or to a value the original shares too. */
function foldsAway(parent: Node, child: Node, value: Node): boolean {
  if (parent.type === "ForOfStatement" && parent.right === child) return true;
  if (parent.type !== "MemberExpression" || parent.object !== child) return false;
  if (!parent.computed) return parent.property.name === "length";
  if (!isConstant(parent.property) || !isConst(value)) return false;
  const element = (value.value as unknown[])[constantValue(parent.property) as number];
  return element === null || typeof element !== "object" || !freshArrays.has(element);
}

/** True when the array bound to `variable` may be changed through it: a member write, delete, or any method call. */
function mayMutate(root: Node, variable: Variable): boolean {
  const ids = new Set(variable.references.map((r) => r.identifier));
  let mutated = false;
  const visit = (n: Node, parent: Node | null, grand: Node | null): void => {
    if (mutated || !n || typeof n.type !== "string" || n.type === "KosConst") return;
    if (ids.has(n) && parent?.type === "MemberExpression" && parent.object === n) {
      if (grand?.type === "AssignmentExpression" && grand.left === parent) mutated = true;
      if (grand?.type === "UpdateExpression" || (grand?.type === "UnaryExpression" && grand.operator === "delete")) mutated = true;
      if (grand?.type === "CallExpression" && grand.callee === parent) mutated = true;
      if ((grand?.type === "ForOfStatement" || grand?.type === "ForInStatement") && grand.left === parent) mutated = true;
    }
    forEachChildSlot(n, (c) => visit(c, n, parent));
  };
  visit(root, null, null);
  return mutated;
}
