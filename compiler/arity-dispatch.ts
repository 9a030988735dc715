/**
 * Calls that leave out trailing parameters, for an explicit `jit(fn, { specialize })`.
 *
 * Libraries take optional parameters that most callers never pass: mustache's
 * `render(template, view, partials, config)`, valibot's `safeParse(schema, input, config)`.
 * Specialized on `template` alone, `partials` and `config` stay dynamic, and every lookup of
 * them stays in the residual code: the natural `jit(Mustache.render, { specialize: { template } })`
 * ran at 1.00x the library, against 2.5x with `partials` and `config` known to be undefined
 * (.scratch/musloop.mjs, 50,000 renders of an 8-tag template, medians of 4 windows).
 *
 * `jit()` cannot know at compile time what its callers will pass. So its first version checks,
 * before its other guards, that a call passes every parameter its residual code reads
 * (`arguments.length >= k`). A call that passes fewer fails that guard and is reported with its
 * argument count; `jit` then specializes once more with the missing parameters undefined (value
 * guards, as for any specialized value), and that version serves such calls from then on.
 */
import { countNodes, walk, type Node } from "./ast.js";
import { buildLiteral } from "./emit.js";

/**
 * When a shorter call gets a version of its own. It reaches that version through a call the engine
 * cannot inline, which costs about 5-10 ns (.scratch/hop6.mjs: a 2 ns function ran 5.4 ns a call
 * forwarded with its parameters, 10.3 ns with `.call(this, …)`, 10.2 ns with `arguments` in strict
 * code). So the first version must be large enough for that to be noise (MIN_NODES syntax nodes),
 * and the parameters left out must decide something (MIN_DECISIONS tests, comparisons or property
 * reads of them in its code). valibot's `safeParse` decides on its `config` once; mustache's
 * `render` decides on `partials` and `config` 15 times for a 1-tag template, more for larger ones.
 */
const MIN_DECISIONS = 4;
const MIN_NODES = 1000;

/** What a version's arity guard needs: the argument count it requires and the parameters a shorter call leaves undefined. */
export interface ArityDispatch {
  /** Calls passing fewer arguments than this fail the guard. */
  required: number;
  /** Simple parameter names by position (null for a pattern); ends before a rest parameter. */
  names: Array<string | null>;
  /**
   * How a shorter call reaches its version: with `arguments` where the function reads them,
   * else with its parameters, and `this` where it reads `this`.
   */
  forward: "arguments" | "parameters" | "parameters-this";
}

/**
 * The arity a version should require: one past the last parameter, neither specialized nor assumed,
 * whose value the residual code decides on (see {@link decides}). Null when there is none.
 *
 * A parameter the code only passes on (an argument, a stored value) gains nothing from being known
 * undefined, and a second version for it is a second compile for nothing: valibot's `safeParse`
 * passes its `config` to one call, and its second version ran 0.97x the first after 0.5 s more of
 * compiling; jsonpath-plus's `JSONPath` passes its three optional parameters to `new JSONPath`.
 * mustache's `render` tests `partials` and `config` 62 times.
 */
export function arityFor(
  root: Node,
  original: { node: Node; strict: boolean },
  formals: ReadonlyArray<{ name: string; rest: boolean }>,
  paramNames: ReadonlyArray<string | null>,
  fixed: (name: string) => boolean,
  outlined: readonly Node[] = [],
): ArityDispatch | null {
  // The functions outlined from it (residual/outline-blocks.ts) are its code too: their parameters carry its names.
  if (outlined.reduce((sum, f) => sum + countNodes(f), countNodes(root)) < MIN_NODES) return null;
  let usesArguments = false;
  let usesThis = false;
  walk(original.node.body, (n) => {
    if (n.type === "Identifier" && n.name === "arguments") usesArguments = true;
    else if (n.type === "ThisExpression" || n.type === "Super") usesThis = true;
  });
  const params = original.node.params as Node[];
  const simple = params.every((p) => p.type === "Identifier");
  // A sloppy function with simple parameters has a mapped `arguments`: forwarding it to a function
  // the engine cannot see cost 114 ns a call against 10 ns unmapped (.scratch/hop6.mjs).
  if (usesArguments && !original.strict && simple) return null;
  const forward = usesArguments || params.some((p) => p.type === "RestElement") ? "arguments" : usesThis ? "parameters-this" : "parameters";
  const decisions = new Map<string, number>();
  for (const f of [root, ...outlined]) {
    walk(f.body, (n, parent) => {
      if (n.type === "Identifier" && parent && decides(n, parent)) decisions.set(n.name, (decisions.get(n.name) ?? 0) + 1);
    });
  }
  const names: Array<string | null> = [];
  const counts: number[] = [];
  for (let i = 0; i < formals.length; i++) {
    const formal = formals[i]!;
    if (formal.rest) break;
    const name = paramNames[i] ?? null;
    names.push(name);
    counts.push(name !== null && !fixed(name) ? decisions.get(formal.name) ?? 0 : 0);
  }
  // The most arguments a call may leave out and still be worth a version of its own: from the
  // end, the first position from which on the parameters decide at least MIN_DECISIONS times.
  let suffix = 0;
  for (let i = counts.length - 1; i >= 0; i--) {
    suffix += counts[i]!;
    if (suffix >= MIN_DECISIONS) return { required: i + 1, names: names.slice(0, i + 1), forward };
  }
  return null;
}

/**
 * Whether `parent` decides something on the value of `n`: a test, a comparison, `typeof`, a
 * property read from it. Known to be undefined, such a use folds.
 */
function decides(n: Node, parent: Node): boolean {
  switch (parent.type) {
    case "IfStatement":
    case "ConditionalExpression":
    case "WhileStatement":
    case "DoWhileStatement":
    case "ForStatement":
      return parent.test === n;
    case "LogicalExpression":
      return true;
    case "UnaryExpression":
      return parent.operator === "!" || parent.operator === "typeof";
    case "BinaryExpression":
      return /^[!=]==?$/.test(parent.operator) || parent.operator === "instanceof" || parent.operator === "in";
    case "MemberExpression":
      return parent.object === n;
    case "ChainExpression":
      return true;
    default:
      return false;
  }
}

/** `arguments.length >= required`: the test the version checks first. */
export function arityTest(arity: ArityDispatch): Node {
  return {
    type: "BinaryExpression",
    operator: ">=",
    left: { type: "MemberExpression", object: { type: "Identifier", name: "arguments" }, property: { type: "Identifier", name: "length" }, computed: false, optional: false },
    right: buildLiteral(arity.required)!,
  };
}

/**
 * The parameters a call with `count` arguments leaves undefined, as `specialize` entries, leaving
 * out those already specialized (by name or position) or assumed.
 */
export function omittedParameters(arity: ArityDispatch, count: number, specialize: Record<string, unknown>, assume: Record<string, unknown>): Record<string, undefined> | null {
  const omitted: Record<string, undefined> = {};
  let any = false;
  for (let i = count; i < arity.names.length; i++) {
    const name = arity.names[i];
    if (name == null || name in specialize || String(i) in specialize || name in assume) continue;
    omitted[name] = undefined;
    any = true;
  }
  return any ? omitted : null;
}
