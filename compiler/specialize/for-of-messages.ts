/**
 * How V8 words a for-of over a value it cannot iterate, when the iterated
 * expression is not a plain name or path (`for (const x of (opts.items || []))`).
 * V8 prints the expression where its call printer finds it at the error's
 * position, "(it || []) is not iterable", and otherwise describes the value,
 * "number 5 is not iterable (cannot read property Symbol(Symbol.iterator))".
 * Which of the two depends on the expression's form, in ways its source does
 * not show (`it || []` prints, `it || d` and `d.items || []` do not: node 20,
 * /work/sweep9/repro-1.mjs). The residual loop iterates a temporary, which V8
 * would always print ("it_1 is not iterable": ejs's `for (const it of
 * (d.items || []))` said so).
 *
 * So kos asks V8: the expression, printed from its syntax tree, is iterated
 * in a probe function whose free names are parameters, all given an inert
 * value (a proxy that reads as itself, calls as itself, converts to 5 and has
 * no Symbol.iterator). The probe runs none of the program's code, and only
 * reads, calls and operators that start from those names (PROBED). Its error
 * gives the form; an expression that throws by itself on inert values, or
 * that the probe cannot compile, gives none, and the loop stays as it was.
 * A test before the loop throws either (the value form described by a
 * helper); a proxy, which the test leaves to the loop, meets `t && t` there
 * for the value form, an expression V8 words by its value too.
 */
import { isReferenceIdentifier, walk, type Node } from "../ast.js";
import { generateSource } from "../emit.js";
import { makeFunction } from "../make-function.js";

/** The form of V8's message: a fixed text, or one that describes the value (for-in-of.ts, describesValue). */
export type NotIterableForm = { kind: "fixed"; message: string } | { kind: "value" };

const DEFAULT_SUFFIX = " is not iterable (cannot read property Symbol(Symbol.iterator))";

/** A value every read, call and conversion of which gives itself or 5, and that nothing iterates. */
function inertValue(): unknown {
  // eslint-disable-next-line prefer-const
  let proxy: unknown;
  const handler: ProxyHandler<() => void> = {
    get: (_t, key) => (typeof key === "symbol" ? undefined : key === "valueOf" || key === "toString" ? () => 5 : proxy),
    has: () => false,
    apply: () => proxy,
    construct: () => proxy as object,
    set: () => true,
    deleteProperty: () => true,
    defineProperty: () => true,
  };
  proxy = new Proxy(function () {}, handler);
  return proxy;
}

/**
 * Syntax the probe may run: reads, calls and operators. Every read or call must start from a name or
 * `this`, which the probe gives the inert value, so that nothing real is ever reached: through a
 * literal, `[].constructor.prototype.x = 1` would change Array.prototype. A function or class written
 * in the expression could loop forever on inert values, and `import()` would load a module.
 */
const PROBED = new Set([
  "Identifier", "ThisExpression", "Literal", "TemplateLiteral", "TemplateElement", "MemberExpression", "ChainExpression",
  "CallExpression", "NewExpression", "LogicalExpression", "ConditionalExpression", "BinaryExpression", "UnaryExpression",
  "SequenceExpression", "ArrayExpression", "SpreadElement",
]);

/** Where a chain of reads and calls starts (`d` of `d.v.slice(0).x`). */
function chainRoot(n: Node): Node {
  for (;;) {
    if (n.type === "MemberExpression") n = n.object;
    else if (n.type === "CallExpression" || n.type === "NewExpression") n = n.callee;
    else if (n.type === "ChainExpression") n = n.expression;
    else return n;
  }
}

/** Free names the expression reads, or null when the probe may not run it (PROBED). */
function freeNames(n: Node): string[] | null {
  const names = new Set<string>();
  let ok = true;
  walk(n, (x, parent) => {
    if (!ok || x.type === "KosConst") return false;
    if (!PROBED.has(x.type) || (x.type === "UnaryExpression" && x.operator === "delete") || (x.type === "Literal" && x.regex)) {
      ok = false;
      return false;
    }
    if (x.type === "MemberExpression" || x.type === "CallExpression" || x.type === "NewExpression") {
      const root = chainRoot(x);
      if (root.type !== "Identifier" && root.type !== "ThisExpression") ok = false;
    }
    if (x.type === "Identifier" && isReferenceIdentifier(x, parent)) {
      if (x.name === "arguments" || x.name === "eval") ok = false;
      names.add(x.name);
    }
    return;
  });
  return ok ? [...names] : null;
}

/** V8's form for a for-of over `source` that fails; null when the probe cannot tell. */
export function notIterableForm(source: Node, strict: boolean): NotIterableForm | null {
  const names = freeNames(source);
  if (!names) return null;
  let text: string;
  try {
    text = generateSource(source);
  } catch {
    return null;
  }
  const prologue = strict ? '"use strict";\n' : "";
  let iterate: Function;
  let evaluate: Function;
  try {
    // The program's own expression, printed from its syntax tree; run only on inert values.
    iterate = makeFunction(names, `${prologue}for (const $kos_item of (${text})) ;`);
    evaluate = makeFunction(names, `${prologue}return (${text});`);
  } catch {
    return null;
  }
  const args = names.map(() => inertValue());
  const receiver = inertValue();
  try {
    evaluate.apply(receiver, args);
  } catch {
    return null; // the expression throws by itself on these values: its message is its own
  }
  try {
    iterate.apply(receiver, args);
  } catch (e) {
    if (!(e instanceof TypeError)) return null;
    if (e.message.endsWith(DEFAULT_SUFFIX)) return { kind: "value" };
    if (e.message.endsWith(" is not iterable")) return { kind: "fixed", message: e.message };
    return null;
  }
  return null;
}
