/**
 * The inputs a function holds in its closure: the stable bindings it reads
 * whose values are a program for it to run (a schema, a query, a compiled
 * tree). Tiering asks this of a function none of whose arguments stays one
 * constant: `(doc) => validate(doc, schema)` with `schema` a module constant,
 * or the closure `sift(query)` returns, still has something fixed to
 * specialize on, and a version compiled with no argument guard folds it.
 *
 * What counts:
 * - an object (not a function), in any enclosing scope, module scope
 *   included: the data the function interprets;
 * - a function held by an enclosing *function's* binding (a factory's
 *   parameter or local): a closure made at run time, as an expression
 *   compiler builds its tree of closures. Module-level functions do not
 *   count: calling a helper is what V8 already inlines, and lodash's `_.get`
 *   (closing over `baseGet` only) would otherwise wait at tier 0 for nothing.
 * - a string the function hands to a call or a construction (`render(TPL,
 *   view)`, `format(d, FMT)`, `new RegExp(SRC)`), directly or in an object or
 *   array literal written as the argument (`query({ path: Q, json })`): a
 *   template, a format or a query is a program as much as a tree is, only
 *   written as text. A string
 *   the function only compares or concatenates does not count.
 * Globals and built-ins never count, nor a binding that can change.
 */
import { parseFunction } from "./parse.js";
import { analyzeScopes } from "./analyze/scopes.js";
import { lookupBindingFor, readClosure, releaseDebugger } from "./discover/closure.js";
import { walk, type Node } from "./ast.js";

/**
 * The free names `fn`'s code hands to a call or a `new` as an argument, as written (`f(NAME)`,
 * `new C(a, NAME)`), or as a value of an object or array literal written as the argument
 * (`JSONPath({ path: NAME, json })`, `f([NAME, x])`): an options object is how many libraries take
 * their program, and the literal is made at the call, so its values reach the callee as they are.
 */
function namesPassedToCalls(root: Node): Set<string> {
  const names = new Set<string>();
  const passed = (a: Node | null, depth: number): void => {
    if (!a) return;
    if (a.type === "Identifier") names.add(a.name as string);
    else if (depth > 0 && a.type === "ObjectExpression") {
      for (const p of a.properties as Node[]) if (p.type === "Property" && p.kind === "init") passed(p.value as Node, depth - 1);
    } else if (depth > 0 && a.type === "ArrayExpression") for (const e of a.elements as Array<Node | null>) passed(e, depth - 1);
  };
  walk(root, (n) => {
    if (n.type !== "CallExpression" && n.type !== "NewExpression") return;
    // Two levels of literal (`f({ where: { path: NAME } })`): deeper nests are rare in a call's own text.
    for (const a of n.arguments as Node[]) passed(a, 2);
  });
  return names;
}

/** The names of `fn`'s closure inputs (see above); empty when there are none or closures cannot be read. */
export function closureInputs(fn: Function): string[] {
  let free: Iterable<string>;
  let passed: Set<string>;
  try {
    const parsed = parseFunction(fn);
    free = analyzeScopes(parsed.node, parsed.strict).free.keys();
    passed = namesPassedToCalls(parsed.node);
  } catch {
    return []; // not compilable anyway: the caller settles on the original
  }
  const names = [...free].filter((name) => name !== "arguments");
  try {
    if (names.length === 0 || !readClosure(fn).ok) return [];
    const inputs: string[] = [];
    for (const name of names) {
      const b = lookupBindingFor(fn, name, false);
      if (!b || b.scope === "global" || !b.stable || b.tdz || b.builtin) continue;
      const v = b.value;
      if ((typeof v === "object" && v !== null) || (typeof v === "function" && b.scope === "closure") || (typeof v === "string" && v.length > 0 && passed.has(name))) inputs.push(name);
    }
    return inputs;
  } finally {
    // Asked by tiering in the middle of the program's calls: the debugger is not left on (script-registry.ts).
    releaseDebugger();
  }
}
