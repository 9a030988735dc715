/**
 * Throws of a fixed error move out of line: `throw new TypeError("variable \"t\" is not a number")`
 * becomes `throw $k_throw0()`, where `$k_throw0` is a function of the generated module whose body
 * is that throw statement, moved.
 *
 * Why: V8 inlines a function into its caller only while its bytecode is at most 460 bytes
 * (--max-inlined-bytecode-size), and counts the cold paths too. An interpreter specialized on its
 * program repeats the interpreter's error checks at every step it unrolled, and each inline
 * `throw new TypeError("…")` is 17 bytes (load the global, the message, construct, throw) against
 * 8 for the call. The expression-interpreter fixture's version, 12 such throws, was 584 bytes and
 * never inlined into its caller; with them outlined it was 458, inlined, and ran 7.8 ns a call
 * against 10.4 ns (hand-written: 7.5 ns; CPU-time medians, .scratch/ab.mjs, Node 20.20.2).
 *
 * Exact: the helper makes the same construction at the same moment. Its constructor is a name that
 * nothing in the version declares (a global, or a binding of the generated module the helper sits
 * in), so the helper's body reads the same binding at the same time; its arguments are constants,
 * which read nothing. The error's type and message are the same. Its stack has one frame more: the
 * helper, which assemble.ts names as the version (`at area (…)`), its statement keeping the
 * original's position, so that under --enable-source-maps the top frame still shows the user's
 * file and line. One helper per throw, for that position. Code that can declare names at run time
 * (a direct `eval`, `with`) keeps its throws.
 */
import { clone, forEachPatternName, isFunctionNode, walk, type Node } from "../ast.js";

export interface ThrowHelper {
  name: string;
  node: Node;
  /** Declared under the version's own name (assemble.ts): the stack's top frame reads as the version's. */
  namedLikeVersion: true;
}

/**
 * Rewrites the throws in `roots` (the version, its residual versions and outlined parts: functions
 * of one generated module) and returns the helpers they now call; `nameFor(i)` names the i-th.
 */
export function outlineThrows(roots: readonly Node[], nameFor: (i: number) => string): ThrowHelper[] {
  const declared = new Set<string>();
  let dynamicScope = false;
  // The throws, in walk order, found by the same walk as the names: a second walk to find them
  // entered 620 nodes of the 1,356 this pass entered in a compile of json-serializer
  // (docs/notes/compile-time.md). A throw moved out has constants for arguments, so no throw sits
  // inside one: the second walk skipped none (it skipped what is inside a throw it moved out),
  // and these are the throws it reached, in its order.
  const throws: Node[] = [];
  for (const root of roots) {
    walk(root, (n) => {
      if (n.type === "ThrowStatement") throws.push(n);
      else if (n.type === "WithStatement" || (n.type === "CallExpression" && n.callee.type === "Identifier" && n.callee.name === "eval")) dynamicScope = true;
      else for (const name of declaredBy(n)) declared.add(name);
    });
  }
  if (dynamicScope) return [];
  const helpers: ThrowHelper[] = [];
  for (const n of throws) {
    if (!isFixedError(n.argument, declared)) continue;
    const name = nameFor(helpers.length);
    helpers.push({ name, node: helperOf(n), namedLikeVersion: true });
    n.argument = { type: "CallExpression", callee: { type: "Identifier", name }, arguments: [], optional: false };
  }
  return helpers;
}

/** `new C(constant…)` with `C` a name no code of the module's functions declares. */
function isFixedError(arg: Node, declared: ReadonlySet<string>): boolean {
  if (arg.type !== "NewExpression" || arg.callee.type !== "Identifier" || declared.has(arg.callee.name)) return false;
  return (arg.arguments as Node[]).every((a) =>
    (a.type === "Literal" && !a.regex && typeof a.value !== "bigint" && (a.value === null || typeof a.value !== "object")) ||
    (a.type === "TemplateLiteral" && a.expressions.length === 0));
}

/** A function whose body is the throw statement itself (its position kept, for the source map). */
function helperOf(statement: Node): Node {
  return {
    type: "FunctionExpression",
    id: null,
    params: [],
    async: false,
    generator: false,
    expression: false,
    body: { type: "BlockStatement", body: [clone(statement)] },
  };
}

/** The names node `n` declares in some scope of the module (whatever the scope: a superset is safe). */
function declaredBy(n: Node): string[] {
  const names: string[] = [];
  const add = (name: string) => names.push(name);
  if (n.type === "VariableDeclarator") forEachPatternName(n.id, add);
  else if (isFunctionNode(n)) {
    if (n.id) add(n.id.name);
    for (const p of n.params as Node[]) forEachPatternName(p, add);
    // Every non-arrow function has its own `arguments`.
    if (n.type !== "ArrowFunctionExpression") add("arguments");
  } else if ((n.type === "ClassDeclaration" || n.type === "ClassExpression") && n.id) add(n.id.name);
  else if (n.type === "CatchClause") forEachPatternName(n.param, add);
  else if (n.type === "ImportSpecifier" || n.type === "ImportDefaultSpecifier" || n.type === "ImportNamespaceSpecifier") add(n.local.name);
  return names;
}
