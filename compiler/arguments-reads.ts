/**
 * Functions that use their `arguments` object only to read it: `arguments.length` and
 * `arguments[k]` with a constant `k`. Babel lowers a default parameter to
 * `var tpl = arguments.length > 0 && arguments[0] !== undefined ? arguments[0] : {}`, and
 * TypeScript lowers rest parameters and overloads to similar reads, so in transpiled npm code the
 * value a user wants to specialize on often sits at a position past the formal parameters. For
 * such a function, that position is a parameter like the others: it can be specialized (by its
 * position, or by the name its lowering declares), guarded at entry with the argument count, and
 * folded where the code reads it.
 */
import { walk, isReferenceIdentifier, type Node } from "./ast.js";
import { functionNodeOrNull } from "./parse.js";

const isArgumentsId = (n: Node, parent: Node | null): boolean => n?.type === "Identifier" && n.name === "arguments" && isReferenceIdentifier(n, parent);

/** `arguments[k]` with a whole-number literal `k`: k, else null. */
export function argumentsIndex(n: Node): number | null {
  if (n?.type !== "MemberExpression" || !n.computed || n.object.type !== "Identifier" || n.object.name !== "arguments") return null;
  const k = n.property.type === "Literal" ? n.property.value : null;
  return typeof k === "number" && Number.isInteger(k) && k >= 0 ? k : null;
}

/** Member expressions a pattern writes (`[arguments[0]] = x`, `for (arguments[1] in o)`). */
function patternTargets(p: Node, out: Set<Node>): void {
  if (!p) return;
  switch (p.type) {
    case "MemberExpression":
      out.add(p);
      return;
    case "ArrayPattern":
      for (const e of p.elements) patternTargets(e, out);
      return;
    case "ObjectPattern":
      for (const prop of p.properties) patternTargets(prop.type === "RestElement" ? prop.argument : prop.value, out);
      return;
    case "AssignmentPattern":
      patternTargets(p.left, out);
      return;
    case "RestElement":
      patternTargets(p.argument, out);
      return;
  }
}

/**
 * Whether every use of `fnNode`'s own `arguments` (its nested arrows' included: they share it;
 * nested functions have their own) is a read of `.length` or of `[k]`: with a constant `k`, or,
 * unless `constantIndex`, any key (Babel's rest lowering copies `arguments[_key]` in a loop). Where
 * it is, nothing but the call changes `arguments`: its length and items are what the caller passed.
 * A write (`arguments[0] = x`, `delete arguments[0]`, a destructuring target) or `arguments`
 * handed on as a value (the callee could write it) makes it false.
 */
export function argumentsOnlyRead(fnNode: Node, constantIndex = true): boolean {
  return everyArgumentsUse(fnNode, (use, parent, written) => {
    if (forwardsByApply(use, parent)) return true;
    const read = parent.type === "MemberExpression" && parent.object === use && (parent.computed ? !constantIndex || argumentsIndex(parent) !== null : parent.property.name === "length");
    // A pattern's targets are collected at the statement that holds it, before its members are reached.
    return read && !written.has(parent);
  });
}

/**
 * `g.apply(thisArg, arguments)`: a forwarding wrapper (an arity adapter, a curried or memoized
 * function's shell). Where `g.apply` is Function.prototype.apply, it reads the length and every item
 * and hands `g` a list of its own. Taken as a read here; whether it is that apply is the
 * evaluator's to know (call-dispatch.ts inlines `g` on the items), and where the residual still
 * hands `arguments` to the call, arguments-escape.ts sees it and the function is specialized again
 * with every read of `arguments` counted as foreign.
 */
function forwardsByApply(use: Node, parent: Node): boolean {
  return parent.type === "CallExpression" && parent.arguments.length === 2 && parent.arguments[1] === use && parent.callee.type === "MemberExpression" && !parent.callee.computed && parent.callee.property.name === "apply";
}

/**
 * Whether `accept` holds for every use of `fnNode`'s own `arguments` (its nested arrows' included:
 * they share it; nested functions have their own), given the identifier, its parent and the member
 * expressions the function writes (assignment, update, `delete` and destructuring targets).
 */
function everyArgumentsUse(fnNode: Node, accept: (use: Node, parent: Node, written: ReadonlySet<Node>) => boolean): boolean {
  let ok = true;
  const written = new Set<Node>();
  walk(fnNode, (n, parent) => {
    if (!ok) return false;
    if (n !== fnNode && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) return false;
    if (n.type === "AssignmentExpression" || n.type === "ForInStatement" || n.type === "ForOfStatement") patternTargets(n.left, written);
    else if (n.type === "UpdateExpression" || (n.type === "UnaryExpression" && n.operator === "delete")) patternTargets(n.argument, written);
    if (isArgumentsId(n, parent) && !accept(n, parent, written)) ok = false;
    return;
  });
  return ok;
}

/**
 * The argument position a compiler's lowering declares `name` from, in `fnNode`'s own body:
 * `var name = arguments.length > k && arguments[k] !== undefined ? arguments[k] : d` (Babel's
 * default parameter), `var name = arguments.length > k ? arguments[k] : undefined` (a parameter
 * after a default one), Babel 6's `var name = arguments.length <= k || arguments[k] === undefined ?
 * d : arguments[k]`, or `var name = arguments[k]`. Null when no single such declaration names it.
 */
export function loweredParameterPosition(fnNode: Node, name: string): number | null {
  const found = new Set<number>();
  walk(fnNode.body, (n) => {
    if (n.type === "FunctionExpression" || n.type === "FunctionDeclaration" || n.type === "ArrowFunctionExpression" || n.type === "ClassExpression" || n.type === "ClassDeclaration") return false;
    if (n.type !== "VariableDeclarator" || n.id.type !== "Identifier" || n.id.name !== name || !n.init) return;
    const k = loweredPosition(n.init);
    found.add(k ?? -1);
    return;
  });
  return found.size === 1 && !found.has(-1) ? [...found][0]! : null;
}

function loweredPosition(init: Node): number | null {
  const direct = argumentsIndex(init);
  if (direct !== null) return direct;
  if (init.type !== "ConditionalExpression") return null;
  // `arguments.length > k ? arguments[k] : d` (Babel 7), or its negation with the default first,
  // `arguments.length <= k || arguments[k] === undefined ? d : arguments[k]` (Babel 6, and the
  // lowering in many npm packages still: humanize-plus's `formatNumber`, sweep17).
  const ahead = argumentsIndex(init.consequent);
  const k = ahead ?? argumentsIndex(init.alternate);
  if (k === null) return null;
  const lengthCompared = (t: Node, operator: string): boolean =>
    t.type === "BinaryExpression" && t.operator === operator && t.left.type === "MemberExpression" && !t.left.computed && t.left.object.type === "Identifier" && t.left.object.name === "arguments" && t.left.property.name === "length" && t.right.type === "Literal" && t.right.value === k;
  // `arguments[k] !== undefined` (or `=== undefined`), `void 0` for `undefined` too.
  const undefinedNode = (t: Node): boolean => (t.type === "Identifier" && t.name === "undefined") || (t.type === "UnaryExpression" && t.operator === "void" && t.argument.type === "Literal");
  const itemCompared = (t: Node, operator: string): boolean => t.type === "BinaryExpression" && t.operator === operator && ((argumentsIndex(t.left) === k && undefinedNode(t.right)) || (argumentsIndex(t.right) === k && undefinedNode(t.left)));
  const test = init.test;
  if (ahead !== null) {
    if (lengthCompared(test, ">")) return k;
    if (test.type === "LogicalExpression" && test.operator === "&&" && lengthCompared(test.left, ">") && itemCompared(test.right, "!==")) return k;
    return null;
  }
  if (lengthCompared(test, "<=")) return k;
  if (test.type === "LogicalExpression" && test.operator === "||" && lengthCompared(test.left, "<=") && itemCompared(test.right, "===")) return k;
  return null;
}

/** Whether `fn` uses its `arguments` only to read `.length` and constant positions (tiering speculates on those positions). */
export function readsArgumentsOnly(fn: Function): boolean {
  const node = functionNodeOrNull(fn);
  return !!node && node.type !== "ArrowFunctionExpression" && argumentsOnlyRead(node, false);
}

/**
 * The highest constant position `fn` reads from its own `arguments` (`arguments[k]`, or
 * `arguments.length` compared with `k`), -1 when none, Infinity where it forwards them all
 * (`g.apply(this, arguments)`). A call that passes fewer arguments reads
 * that position as missing: Babel's `arguments.length > 2 && arguments[2] !== undefined ? … : d`
 * takes its default there, as a modern `out = d` parameter does (tiering speculates on the count).
 */
export function highestArgumentRead(fn: Function): number {
  const node = functionNodeOrNull(fn);
  if (!node || node.type === "ArrowFunctionExpression") return -1;
  let highest = -1;
  everyArgumentsUse(node, (use, parent) => {
    // Forwarded whole, every position is read: the count decides the callee's arguments.
    if (forwardsByApply(use, parent)) highest = Infinity;
    if (parent.type !== "MemberExpression") return true;
    const k = argumentsIndex(parent);
    if (k !== null) highest = Math.max(highest, k);
    return true;
  });
  walk(node, (n) => {
    if (n !== node && (n.type === "FunctionExpression" || n.type === "FunctionDeclaration")) return false;
    const lengthRead = (t: Node) => t?.type === "MemberExpression" && !t.computed && t.object.type === "Identifier" && t.object.name === "arguments" && t.property.name === "length";
    if (n.type === "BinaryExpression" && (lengthRead(n.left) || lengthRead(n.right))) {
      const other = lengthRead(n.left) ? n.right : n.left;
      if (other.type === "Literal" && typeof other.value === "number" && Number.isInteger(other.value) && other.value >= 0) highest = Math.max(highest, other.value);
    }
    return;
  });
  return highest;
}

/**
 * Array methods an inlined callee may run on its `arguments` through `.call`, with the highest
 * callback parameter that does not see the array itself (null: no callback). Each reads the
 * object only through `length` and its indices, and makes a plain Array where it makes one
 * (ArraySpeciesCreate on an object that is no Array), so an Array of the same items gives the
 * same results, as long as no callback can see which one it was given.
 */
const ARRAY_METHODS_ON_ARGUMENTS: ReadonlyMap<string, number | null> = new Map([
  ["map", 2], ["forEach", 2], ["filter", 2], ["some", 2], ["every", 2], ["find", 2], ["findIndex", 2],
  ["reduce", 3], ["reduceRight", 3],
  ["join", null], ["indexOf", null], ["lastIndexOf", null], ["includes", null], ["slice", null],
]);

/** `Array.prototype.name.call` or `[].name.call`: the method's name, else null. */
function arrayMethodCallee(callee: Node): string | null {
  if (callee?.type !== "MemberExpression" || callee.computed || callee.property.name !== "call") return null;
  const m = callee.object;
  if (m.type !== "MemberExpression" || m.computed || m.property.type !== "Identifier") return null;
  const holder = m.object;
  const isProto = holder.type === "MemberExpression" && !holder.computed && holder.object.type === "Identifier" && holder.object.name === "Array" && holder.property.name === "prototype";
  const isEmptyArray = holder.type === "ArrayExpression" && holder.elements.length === 0;
  return isProto || isEmptyArray ? m.property.name : null;
}

/**
 * The receiver of `<name>.call(arguments, …)` where `<name>` is a plain identifier (`var slice =
 * [].slice; slice.call(arguments, 1)`: underscore, CoffeeScript 1's `__slice`): that name, else
 * null. Whether it holds an Array method that only reads is known only from its value
 * (arguments-reads.ts, readsAsAliasedArrayMethod).
 */
export function aliasedMethodCallee(use: Node, parent: Node | null): string | null {
  if (parent?.type !== "CallExpression" || parent.arguments[0] !== use) return null;
  const callee = parent.callee;
  if (callee?.type !== "MemberExpression" || callee.computed || callee.property.name !== "call" || callee.object.type !== "Identifier") return null;
  return callee.object.name === "arguments" ? null : callee.object.name;
}

/** The Array methods of ARRAY_METHODS_ON_ARGUMENTS by value, as kos loaded them. */
const ARRAY_METHOD_NAMES: ReadonlyMap<unknown, string> = new Map([...ARRAY_METHODS_ON_ARGUMENTS.keys()].map((name) => [(Array.prototype as unknown as Record<string, unknown>)[name], name]));

/**
 * Whether `call` (`<name>.call(arguments, …)`, see aliasedMethodCallee) only reads `arguments`
 * when `<name>` holds `method`: one of the Array methods `[].name.call(arguments, …)` may name
 * (readByArrayMethod), with a callback, where it takes one, that cannot see the array.
 */
export function readsAsAliasedArrayMethod(method: unknown, call: Node): boolean {
  const name = ARRAY_METHOD_NAMES.get(method);
  const maxParams = name === undefined ? undefined : ARRAY_METHODS_ON_ARGUMENTS.get(name);
  if (maxParams === undefined) return false;
  return maxParams === null || (call.arguments.length >= 2 && blindCallback(call.arguments[1], maxParams) && call.arguments.slice(2).every((a: Node) => a.type !== "SpreadElement"));
}

/** A callback literal that cannot see the array it is given: at most `maxParams` plain parameters, no `arguments`. */
function blindCallback(n: Node, maxParams: number): boolean {
  if (n?.type !== "FunctionExpression" && n?.type !== "ArrowFunctionExpression") return false;
  if (n.params.length > maxParams || n.params.some((p: Node) => p.type === "RestElement")) return false;
  let sees = false;
  walk(n.body, (x, parent) => {
    if (isArgumentsId(x, parent)) sees = true;
    return !sees;
  });
  return !sees;
}

/**
 * Whether every use of `fnNode`'s own `arguments` is a read (`.length`, `[k]` with a constant k)
 * or the receiver of an Array method through `.call` (`Array.prototype.reduce.call(arguments, (a,
 * b) => a + b, "")`, json-logic-js's `cat`), with a callback, where the method takes one, that
 * cannot see the array. Inlined, such a callee's `arguments` is then an array of the call's
 * arguments, which never escapes (specialize/identifiers.ts); writes still make it false.
 */
export function argumentsReadAsArray(fnNode: Node): boolean {
  return everyArgumentsUse(fnNode, (use, parent, written) => {
    if (parent.type === "MemberExpression" && parent.object === use) {
      // `.length` and `[k]` with a constant k only: `arguments.callee` and the like are not an array's.
      return !written.has(parent) && (parent.computed ? argumentsIndex(parent) !== null : parent.property.name === "length");
    }
    // `g.apply(thisArg, arguments)` (a composed function's step, `g.call(this, f.apply(this,
    // arguments))`): inlined, Function.prototype.apply reads the array's items as it reads the
    // object's (call-dispatch.ts inlines `g` on them); any other `apply` would need the object made,
    // which fails the callee's inlining (virtual-objects.ts), and the call stays a call.
    return forwardsByApply(use, parent) || readByArrayMethod(use, parent);
  });
}

/**
 * Whether `use` (an `arguments`) is the receiver of an Array method called through `.call` that
 * only reads it (`[].slice.call(arguments, 1)`, wildemitter's `emit`), with a callback, where the
 * method takes one, that cannot see the array.
 */
export function readByArrayMethod(use: Node, parent: Node | null): boolean {
  const name = parent?.type === "CallExpression" && parent.arguments[0] === use ? arrayMethodCallee(parent.callee) : null;
  const maxParams = name === null ? undefined : ARRAY_METHODS_ON_ARGUMENTS.get(name);
  if (maxParams === undefined) return false;
  return maxParams === null || (parent!.arguments.length >= 2 && blindCallback(parent!.arguments[1], maxParams) && parent!.arguments.slice(2).every((a: Node) => a.type !== "SpreadElement"));
}

