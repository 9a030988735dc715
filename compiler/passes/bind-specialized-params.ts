/**
 * Replaces every read of a known binding with a KosConst: specialized
 * parameters that are never reassigned, `scope` values, the function's own
 * name (a free reference to it means the function itself), and the foldable
 * built-in globals (`Math`, `JSON`, …) when nothing in the function shadows them.
 */
import { childKeys, makeConst, walk, type Node } from "../ast.js";
import { analyzeScopes } from "../analyze/scopes.js";
import { FOLDABLE_GLOBALS } from "../builtins.js";
import type { CompileContext } from "../context.js";

export function bindSpecializedParams(ctx: CompileContext): void {
  const scopes = analyzeScopes(ctx.root, ctx.strict);
  const params = new Map<unknown, { name: string; value: unknown }>();
  for (const v of scopes.functionScope.variables) {
    if (!ctx.specialize.has(v.name)) continue;
    if (!v.defs.some((d) => d.type === "Parameter")) continue;
    // A reassigned parameter is still guarded at entry, but its reads are not constant.
    if (v.references.some((r) => r.isWrite())) continue;
    params.set(v, { name: v.name, value: ctx.specialize.get(v.name) });
  }
  const globalValue = (name: string): unknown => (globalThis as Record<string, unknown>)[name];
  const replace = (node: Node, key: string | number, holder: Node, parent: Node) => {
    const ref = scopes.referenceOf(node);
    if (!ref || !ref.isRead() || ref.isWrite()) return;
    // A shorthand `{ n }` must print as `{ n: <value> }` once its value is replaced.
    if (parent.type === "Property") parent.shorthand = false;
    const resolved = ref.resolved;
    // The name of a named function expression (and of a declaration, parsed as one) means the function itself.
    if (resolved && ctx.fn && resolved.scope.type === "function-expression-name" && resolved.scope.block === ctx.root) {
      holder[key] = makeConst(ctx.fn, { root: "self", name: resolved.name, keys: [] });
      ctx.changed = true;
      return;
    }
    if (resolved) {
      const p = params.get(resolved);
      if (p) {
        holder[key] = makeConst(p.value, { root: "param", name: p.name, keys: [] });
        ctx.changed = true;
      }
      return;
    }
    const name = node.name as string;
    if (Object.prototype.hasOwnProperty.call(ctx.scope, name)) {
      holder[key] = makeConst(ctx.scope[name], { root: "scope", name, keys: [] });
    } else if (ctx.fn && name === ctx.name && name !== "") {
      holder[key] = makeConst(ctx.fn, { root: "self", name, keys: [] });
    } else if (FOLDABLE_GLOBALS.has(name) && !scopes.declaredNames.has(name)) {
      holder[key] = makeConst(globalValue(name), { root: "global", name, keys: [] });
    } else return;
    ctx.changed = true;
  };
  // Walk with parent slots so an Identifier can be swapped in place.
  const visit = (node: Node): void => {
    walk(node, (n) => {
      for (const key of childKeys(n)) {
        const v = n[key];
        if (!v) continue;
        if (Array.isArray(v)) {
          v.forEach((c, i) => {
            if (c?.type === "Identifier") replace(c, i, v, n);
          });
        } else if (v.type === "Identifier" && !isNonReferenceSlot(n, key)) replace(v, key, n, n);
      }
    });
  };
  visit(ctx.root.body);
  for (const p of ctx.root.params) if (p.type !== "Identifier") visit(p);
}

/** Slots where an Identifier is a name, not a reference (eslint-scope has no Reference for them anyway). */
function isNonReferenceSlot(parent: Node, key: string): boolean {
  if ((parent.type === "MemberExpression" || parent.type === "PropertyDefinition" || parent.type === "MethodDefinition") && key === "property" && !parent.computed) return true;
  if ((parent.type === "Property") && key === "key" && !parent.computed) return true;
  if ((parent.type === "LabeledStatement" || parent.type === "BreakStatement" || parent.type === "ContinueStatement") && key === "label") return true;
  return false;
}
