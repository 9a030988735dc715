/**
 * The temporaries a residual function declares first, `let a, b, c;` with no initial values,
 * become `var a, b, c;`.
 *
 * Why: V8 sets a `let` to undefined where its declaration runs, two or three bytes of bytecode for
 * each (`LdaUndefined; Star r5`), where a `var` is undefined from the frame's start at no cost. A
 * specialized interpreter declares tens of them, and V8 inlines a function into its caller only
 * while its bytecode is at most 460 bytes (--max-inlined-bytecode-size), its cold paths counted:
 * the expression-interpreter fixture's version declares 21 (584 bytes of bytecode; 542 as `var`).
 *
 * Exact where nothing tells the two apart. The declaration is the function's first statement, so
 * no code before it could meet the `let` in its temporal dead zone; it declares no initial value;
 * and a `let` there already rules out every other declaration of the same names in the function's
 * own scope. What remains is ruled out here: a direct `eval` or `with` (names declared at run
 * time), the name `arguments` (`var arguments` is the arguments object), and names of function
 * declarations anywhere in the function (in sloppy code a function declared in a block is also
 * assigned to a `var` of its name in the function, Annex B.3.3, but not past a `let`).
 */
import { isFunctionNode, walk, type Node } from "../ast.js";

/** Rewrites `fn`'s leading `let` of temporaries to `var`; returns true if it did. */
export function letTemporariesToVar(fn: Node): boolean {
  if (!isFunctionNode(fn) || fn.body.type !== "BlockStatement") return false;
  const body = fn.body.body as Node[];
  const first = body.find((s) => typeof s.directive !== "string");
  if (!first || first.type !== "VariableDeclaration" || first.kind !== "let") return false;
  const declarators = first.declarations as Node[];
  if (!declarators.every((d) => d.id.type === "Identifier" && d.init === null && d.id.name !== "arguments")) return false;
  const functionNames = new Set<string>();
  let dynamicScope = false;
  walk(fn.body, (n) => {
    if (n.type === "WithStatement" || (n.type === "CallExpression" && n.callee.type === "Identifier" && n.callee.name === "eval")) dynamicScope = true;
    if (n.type === "FunctionDeclaration" && n.id) functionNames.add(n.id.name);
  });
  if (dynamicScope || declarators.some((d) => functionNames.has(d.id.name))) return false;
  first.kind = "var";
  return true;
}
