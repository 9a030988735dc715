/**
 * Which expressions can be dropped or reordered: they run no user code (no
 * getters, valueOf, proxies, calls) and cannot throw.
 */
import { isConstant, type Node } from "../ast.js";
import { PURE_FUNCTIONS } from "../builtins.js";

/** True when evaluating `node` has no observable effect and cannot throw. */
export function isSideEffectFree(node: Node, declared: (id: Node) => boolean): boolean {
  if (!node) return true;
  if (isConstant(node)) return true;
  switch (node.type) {
    case "Identifier":
      // A declared binding can still be in its temporal dead zone; kos only asks this about
      // bindings it has seen initialised (parameters and earlier declarations).
      return declared(node);
    case "UnaryExpression":
      if (node.operator === "typeof" && node.argument.type === "Identifier") return true;
      return (node.operator === "!" || node.operator === "void") && isSideEffectFree(node.argument, declared);
    case "BinaryExpression":
      // Only strict (in)equality: every other operator may call valueOf/toString.
      return (node.operator === "===" || node.operator === "!==") && isSideEffectFree(node.left, declared) && isSideEffectFree(node.right, declared);
    case "LogicalExpression":
      return isSideEffectFree(node.left, declared) && isSideEffectFree(node.right, declared);
    case "ConditionalExpression":
      return isSideEffectFree(node.test, declared) && isSideEffectFree(node.consequent, declared) && isSideEffectFree(node.alternate, declared);
    case "CallExpression": {
      // Array.isArray and friends on plain values: pure whitelisted built-ins that never call user code.
      const callee = node.callee;
      let fn = isConstant(callee) ? (callee as { value?: unknown }).value : undefined;
      if (callee.type === "MemberExpression" && !callee.computed && isConstant(callee.object)) {
        const ns = (callee.object as { value?: unknown }).value;
        if (ns === Array || ns === Number) fn = (ns as unknown as Record<string, unknown>)[callee.property.name];
      }
      return (fn === Array.isArray || fn === Number.isInteger || fn === Number.isFinite || fn === Number.isNaN) &&
        PURE_FUNCTIONS.has(fn as Function) && node.arguments.every((a: Node) => isSideEffectFree(a, declared));
    }
    default:
      return false;
  }
}
