/**
 * Finds constructs kos will not compile, so the function runs as the original
 * with the reason recorded (or, with `strict: true`, a JitError is thrown).
 * `this`, `arguments`, `super` and `new.target` only matter when they belong to
 * the compiled function itself: inside a nested non-arrow function they are
 * that function's own and are copied through unchanged.
 */
import { walk, type Node } from "../ast.js";
import { JitError } from "../jit-error.js";
import { KNOWN_GLOBALS } from "../builtins.js";
import type { ScopeInfo } from "./scopes.js";

const lineOf = (node: Node): number | null => node?.loc?.start?.line ?? null;

export function findUnsupported(fnNode: Node, scopes: ScopeInfo, allowedFree: Set<string>): JitError | null {
  let found: JitError | null = null;
  const visit = (node: Node, ownsThis: boolean): void => {
    if (found) return;
    walk(node, (n) => {
      if (found) return false;
      if (n !== node && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) {
        visit(n, false);
        return false;
      }
      switch (n.type) {
        case "WithStatement":
          found = new JitError("USES_WITH", "the function uses `with`", lineOf(n));
          return false;
        case "ThisExpression":
          if (ownsThis) found = new JitError("USES_THIS", "the function uses `this`, and the receiver is unknown", lineOf(n));
          return false;
        case "Super":
          if (ownsThis) found = new JitError("USES_SUPER", "the function uses `super`", lineOf(n));
          return false;
        case "MetaProperty":
          if (ownsThis && n.meta?.name === "new") found = new JitError("USES_NEW_TARGET", "the function uses `new.target`", lineOf(n));
          return false;
        case "CallExpression":
          if (n.callee.type === "Identifier" && n.callee.name === "eval") {
            found = new JitError("USES_EVAL", "the function calls `eval`", lineOf(n));
            return false;
          }
          return;
        case "Identifier":
          if (ownsThis && n.name === "arguments") {
            const ref = scopes.referenceOf(n);
            if (ref && (ref.resolved === null || ref.resolved.defs.length === 0)) {
              found = new JitError("USES_ARGUMENTS", "the function uses `arguments`", lineOf(n));
            }
          }
          return;
      }
      return;
    });
  };
  visit(fnNode, true);
  if (found) return found;

  for (const [name, refs] of scopes.free) {
    if (name === "arguments") continue;
    const write = refs.find((r) => r.isWrite());
    if (write) return new JitError("ASSIGNS_FREE_VARIABLE", `the function assigns to the free variable '${name}'`, lineOf(write.identifier));
    if (!allowedFree.has(name) && !KNOWN_GLOBALS.has(name)) {
      return new JitError("FREE_VARIABLE", `free variable '${name}' has no value: pass it in the \`scope\` option`, lineOf(refs[0]!.identifier));
    }
  }
  return null;
}
