/**
 * Bindings initialised lazily, on first use:
 *
 *     var compiled;
 *     function ret(context) {
 *       if (!compiled) compiled = compileInput();
 *       return compiled.call(this, context);
 *     }
 *
 * (handlebars' `Handlebars.compile` returns exactly this). The binding is
 * reassigned, so it is not stable by its source alone. But every write sits
 * where the binding's own test said it was not yet set: in the consequent of
 * `if (!x)`, `if (x == null)` or `if (x === undefined)`, on the right of
 * `x || (x = …)` or `x ?? (x = …)`, or as `x ||= …` / `x ??= …`. Once the
 * value passes that test, a write can only come from a frame already inside
 * one of those places, so a value read when it passes and no frame of the
 * script stands inside any of them (compiler/discover/closure.ts checks both)
 * is the binding's value for good.
 */
import type { Node } from "../ast.js";

/**
 * What the value must be for no write to happen again: truthy, not null or undefined, or not
 * undefined; or, `stored`, the one primitive every write stores (a flag set once:
 * `let initialized = false; … initialized = true;`, romans' lookup tables, sweep19).
 */
export type InitialisedWhen = "truthy" | "nonNullish" | "defined" | "stored";

export interface LazyInit {
  when: InitialisedWhen;
  /** Source ranges a write may be running in: while a frame stands inside one, the value may still change. */
  ranges: Array<[number, number]>;
  /**
   * With `stored`: the value every write stores. Once the binding holds it, a write changes nothing.
   * A literal, or a built-in function (`__assign = Object.assign || function (t) { … }`).
   */
  stored?: unknown;
}

const STRICTNESS: Record<Exclude<InitialisedWhen, "stored">, number> = { defined: 0, nonNullish: 1, truthy: 2 };

/** The primitive a write `x = <literal>` stores, or NONE. */
export const NONE = Symbol("none");
function storedLiteral(assign: Node): string | number | boolean | null | typeof NONE {
  const r = assign.right;
  if (assign.operator !== "=" || r?.type !== "Literal" || r.regex || r.bigint !== undefined) return NONE;
  return r.value as string | number | boolean | null;
}

/**
 * The value a write `x = <Global>.<name> || …` stores: that built-in, which is truthy, so the
 * right side never runs. tsc's ES5 helpers replace themselves this way on their first call
 * (`__assign = Object.assign || function (t) { … }`, `extendStatics = Object.setPrototypeOf || …`);
 * under kos's assumption that built-ins are not replaced, every such write stores the same
 * function (sweep39 #7: a function that used `__assign` fell back as "reassigned"). NONE otherwise.
 * `builtinMember` resolves `<Global>.<name>` where the global is not shadowed in the script.
 */
function storedBuiltin(assign: Node, builtinMember: (n: Node) => unknown): unknown {
  if (assign.operator !== "=" || assign.right?.type !== "LogicalExpression" || assign.right.operator !== "||") return NONE;
  // `a || b || c` is `(a || b) || c`: the first operand is at the bottom of the left spine.
  let first: Node = assign.right;
  while (first.type === "LogicalExpression" && first.operator === "||") first = first.left;
  const v = builtinMember(first);
  return typeof v === "function" ? v : NONE;
}

/** `x == null`, `null == x`, `x == undefined`, `x === undefined`, `x === void 0`, `typeof x === "undefined"`: what they test of `x`. */
function unsetTest(test: Node, isBinding: (n: Node) => boolean, undefinedIsGlobal: boolean): Exclude<InitialisedWhen, "stored"> | null {
  if (test.type === "UnaryExpression" && test.operator === "!" && isBinding(test.argument)) return "truthy";
  if (test.type !== "BinaryExpression" || (test.operator !== "==" && test.operator !== "===")) return null;
  const undef = (n: Node) => (undefinedIsGlobal && n.type === "Identifier" && n.name === "undefined") || (n.type === "UnaryExpression" && n.operator === "void" && n.argument.type === "Literal");
  const isNull = (n: Node) => n.type === "Literal" && n.value === null && !n.regex;
  const typeofUndefined = (a: Node, b: Node) => a.type === "UnaryExpression" && a.operator === "typeof" && isBinding(a.argument) && b.type === "Literal" && b.value === "undefined";
  if (test.operator === "===" && (typeofUndefined(test.left, test.right) || typeofUndefined(test.right, test.left))) return "defined";
  const [x, other] = isBinding(test.left) ? [test.left, test.right] : isBinding(test.right) ? [test.right, test.left] : [null, null];
  if (!x || !other) return null;
  if (test.operator === "==" && (isNull(other) || undef(other))) return "nonNullish";
  if (test.operator === "===" && undef(other)) return "defined";
  return null;
}

/**
 * The lazy-initialisation verdict for a binding whose writes are `writes` (identifier nodes of
 * its write references), or null when one write is anywhere else. `isBinding` tells an
 * identifier that reads the same binding; `parentOf` gives a node's parent in the script;
 * `undefinedIsGlobal`: no scope of the script declares a binding named `undefined`;
 * `topLevelSuspends`: the script is a module with a top-level `await`; `builtinMember` gives the
 * built-in a `<Global>.<name>` expression reads (see storedBuiltin), or NONE.
 *
 * A write in code that can be suspended (an async function, a generator, such a module's top
 * level) disqualifies the binding: a suspended frame is not on the stack, so two calls could
 * both pass the test, one set the value, and the other overwrite it after kos has read it.
 */
export function lazyInitOf(writes: Node[], isBinding: (n: Node) => boolean, parentOf: (n: Node) => Node | undefined, undefinedIsGlobal: boolean, topLevelSuspends: boolean, builtinMember: (n: Node) => unknown = () => NONE): LazyInit | null {
  if (writes.length === 0) return null;
  // Every write stores one literal, or one built-in: once the binding holds it, no write changes it,
  // wherever the writes are (a suspended frame's write stores the same value again).
  const stored = writes.map((id) => {
    const assign = parentOf(id);
    if (!assign || assign.type !== "AssignmentExpression" || assign.left !== id) return NONE;
    const literal = storedLiteral(assign);
    return literal !== NONE ? literal : storedBuiltin(assign, builtinMember);
  });
  const first = stored[0]!;
  if (first !== NONE && stored.every((v) => Object.is(v, first))) return { when: "stored", ranges: [], stored: first };
  let when: Exclude<InitialisedWhen, "stored"> = "defined";
  const ranges: Array<[number, number]> = [];
  const need = (w: Exclude<InitialisedWhen, "stored">) => {
    if (STRICTNESS[w] > STRICTNESS[when]) when = w;
  };
  for (const id of writes) {
    if (suspendable(id, parentOf, topLevelSuspends)) return null;
    const assign = parentOf(id);
    if (!assign || assign.type !== "AssignmentExpression" || assign.left !== id) return null;
    if (assign.operator === "||=" || assign.operator === "??=") {
      need(assign.operator === "||=" ? "truthy" : "nonNullish");
      ranges.push([assign.start, assign.end]);
      continue;
    }
    if (assign.operator !== "=") return null;
    const up = parentOf(assign);
    if (up && up.type === "LogicalExpression" && up.right === assign && (up.operator === "||" || up.operator === "??") && isBinding(up.left)) {
      need(up.operator === "||" ? "truthy" : "nonNullish");
      ranges.push([assign.start, assign.end]);
      continue;
    }
    // `if (<x is unset>) { …; x = e; … }`: the assignment is a statement of the consequent itself.
    if (!up || up.type !== "ExpressionStatement") return null;
    let holder = parentOf(up);
    let consequent: Node = up;
    if (holder && holder.type === "BlockStatement") {
      consequent = holder;
      holder = parentOf(holder);
    }
    if (!holder || holder.type !== "IfStatement" || holder.consequent !== consequent) return null;
    const tested = unsetTest(holder.test, isBinding, undefinedIsGlobal);
    if (!tested) return null;
    need(tested);
    ranges.push([consequent.start, consequent.end]);
  }
  return { when, ranges };
}

/** Whether the code around `n` can be suspended (see lazyInitOf). */
function suspendable(n: Node, parentOf: (n: Node) => Node | undefined, topLevelSuspends: boolean): boolean {
  for (let p = parentOf(n); p; p = parentOf(p)) {
    if (p.type === "FunctionDeclaration" || p.type === "FunctionExpression" || p.type === "ArrowFunctionExpression") return !!(p.async || p.generator);
    if (p.type === "Program") return topLevelSuspends;
  }
  return topLevelSuspends;
}

/** Whether `value` passes the test after which no write of the binding changes it. */
export function initialised(lazy: LazyInit, value: unknown): boolean {
  const when = lazy.when;
  if (when === "stored") return Object.is(value, lazy.stored);
  return when === "truthy" ? !!value : when === "nonNullish" ? value !== null && value !== undefined : value !== undefined;
}
