/**
 * Narrowing after a check that exits: once `if (A || B || C) return/throw …;`
 * has run, the statements that follow it in the same block know that A, B and
 * C are false. A disjunct `typeof x !== "string"` makes `typeof x` the
 * constant "string"; any other effect-free disjunct D over never-reassigned
 * bindings makes later copies of D false and of its negation true. Generic
 * validators and serializers check a value's type once and then test it again
 * in every branch; this pass lets dead-branch elimination remove those tests.
 */
import { statementLists, forEachChildSlot, isConstant, makeConst, walk, type Node } from "../ast.js";
import { endsAbruptly } from "../jumps.js";
import { scopesOf, type CompileContext } from "../context.js";
import type { Variable } from "../analyze/scopes.js";
import { isSideEffectFree } from "../analyze/effects.js";

/** Built-in predicates whose truth implies a type: `Number.isInteger(x)` means typeof x is "number". */
const TYPE_PREDICATES = new Map<unknown, string>([
  [Number.isInteger, "number"], [Number.isFinite, "number"], [Number.isSafeInteger, "number"], [Array.isArray, "object"],
]);

function predicateType(call: Node): { id: Node; type: string } | null {
  if (call.type !== "CallExpression" || call.arguments.length !== 1 || call.arguments[0].type !== "Identifier") return null;
  const c = call.callee;
  let fn: unknown;
  if (isConstant(c)) fn = (c as { value?: unknown }).value;
  else if (c.type === "MemberExpression" && !c.computed && isConstant(c.object)) {
    const ns = (c.object as { value?: unknown }).value;
    if (ns === Number || ns === Array) fn = (ns as unknown as Record<string, unknown>)[c.property.name];
  }
  const type = TYPE_PREDICATES.get(fn);
  return type ? { id: call.arguments[0], type } : null;
}

/** `typeof x !== "t"`, `"t" !== typeof x`, `!(typeof x === "t")` or `!Number.isInteger(x)`: the x and t it checks. */
function negatedTypeofTest(test: Node): { id: Node; type: string } | null {
  if (test.type === "UnaryExpression" && test.operator === "!" && test.argument.type === "CallExpression") return predicateType(test.argument);
  if (test.type === "UnaryExpression" && test.operator === "!" && test.argument.type === "BinaryExpression" && (test.argument.operator === "===" || test.argument.operator === "==")) {
    return typeofPair(test.argument);
  }
  if (test.type === "BinaryExpression" && (test.operator === "!==" || test.operator === "!=")) return typeofPair(test);
  return null;
}

function typeofPair(bin: Node): { id: Node; type: string } | null {
  const [a, b] = bin.left.type === "UnaryExpression" ? [bin.left, bin.right] : [bin.right, bin.left];
  if (a.type !== "UnaryExpression" || a.operator !== "typeof" || a.argument.type !== "Identifier") return null;
  if (!isConstant(b) || typeof (b as { value?: unknown }).value !== "string" && b.type !== "Literal") return null;
  const type = b.type === "Literal" ? b.value : (b as { value: unknown }).value;
  return typeof type === "string" ? { id: a.argument, type } : null;
}

export function narrowTypes(ctx: CompileContext): void {
  const scopes = scopesOf(ctx);
  for (const list of statementLists(ctx.root.body)) {
    for (let i = 0; i < list.length; i++) {
      const stmt = list[i];
      if (stmt.type !== "IfStatement" || stmt.alternate || !endsAbruptly(stmt.consequent)) continue;
      for (const disjunct of disjuncts(stmt.test)) {
        const check = negatedTypeofTest(disjunct);
        if (check) {
          const variable = scopes.resolve(check.id);
          if (!variable || scopes.isReassigned(variable)) continue;
          for (const later of list.slice(i + 1)) if (replaceTypeofReads(later, variable, check.type, scopes)) ctx.changed = true;
          // A predicate like `!Array.isArray(x)` is also a fact in its own right (below).
          if (disjunct.type !== "UnaryExpression" || disjunct.argument.type !== "CallExpression") continue;
        }
        const fact = factOf(disjunct, scopes);
        if (!fact) continue;
        for (const later of list.slice(i + 1)) if (replaceKnown(later, fact, scopes)) ctx.changed = true;
      }
    }
  }
}

function replaceTypeofReads(root: Node, variable: Variable, type: string, scopes: ReturnType<typeof scopesOf>): boolean {
  let replaced = false;
  walk(root, (n) =>
    forEachChildSlot(n, (c, replace) => {
      if (c.type === "UnaryExpression" && c.operator === "typeof" && c.argument.type === "Identifier" && scopes.resolve(c.argument) === variable) {
        replace(makeConst(type));
        replaced = true;
      }
    }),
  );
  return replaced;
}

function disjuncts(test: Node): Node[] {
  return test.type === "LogicalExpression" && test.operator === "||" ? [...disjuncts(test.left), ...disjuncts(test.right)] : [test];
}

interface Fact {
  /** Printed form of the expression known false, and of its negation (known true). */
  falseKey: string;
  trueKey: string | null;
  variables: Variable[];
}

/** The identifiers of `node`, resolved; null if one is not a never-reassigned binding. */
function bindingsOf(node: Node, scopes: ReturnType<typeof scopesOf>): Variable[] | null {
  const out: Variable[] = [];
  let ok = true;
  walk(node, (n, parent) => {
    if (!ok) return false;
    if (n.type !== "Identifier" || (parent?.type === "MemberExpression" && parent.property === n && !parent.computed)) return;
    const v = scopes.resolve(n);
    if (!v || scopes.isReassigned(v)) ok = false;
    else out.push(v);
    return;
  });
  return ok ? out : null;
}

function negation(node: Node): Node | null {
  if (node.type === "UnaryExpression" && node.operator === "!") return node.argument;
  if (node.type === "BinaryExpression" && (node.operator === "===" || node.operator === "!==")) return { ...node, operator: node.operator === "===" ? "!==" : "===" };
  return { type: "UnaryExpression", operator: "!", prefix: true, argument: node };
}

function factOf(d: Node, scopes: ReturnType<typeof scopesOf>): Fact | null {
  const variables = bindingsOf(d, scopes);
  if (!variables || variables.length === 0 || !isSideEffectFree(d, () => true)) return null;
  const neg = negation(d);
  return { falseKey: shapeKey(d), trueKey: neg ? shapeKey(neg) : null, variables };
}

function replaceKnown(root: Node, fact: Fact, scopes: ReturnType<typeof scopesOf>): boolean {
  let replaced = false;
  const sameBindings = (n: Node) => {
    const vs = bindingsOf(n, scopes);
    return !!vs && vs.length === fact.variables.length && vs.every((v, i) => v === fact.variables[i]);
  };
  walk(root, (n) =>
    forEachChildSlot(n, (c, replace) => {
      if (c.type !== "BinaryExpression" && c.type !== "UnaryExpression" && c.type !== "CallExpression") return;
      const key = shapeKey(c);
      if (key === fact.falseKey && sameBindings(c)) {
        replace(makeConst(false));
        replaced = true;
      } else if (key === fact.trueKey && sameBindings(c)) {
        replace(makeConst(true));
        replaced = true;
      }
    }),
  );
  return replaced;
}

/** A structural key of an expression: equal keys mean the same operators, names and constants. */
function shapeKey(n: Node): string {
  if (!n || typeof n !== "object") return String(n);
  switch (n.type) {
    case "Identifier": return n.name;
    case "Literal": return `L${typeof n.value}:${String(n.value)}`;
    case "KosConst": {
      const v = n.value;
      return v !== null && (typeof v === "object" || typeof v === "function") ? `K#${objectKeyId(v as object)}` : `K${typeof v}:${Object.is(v, -0) ? "-0" : String(v)}`;
    }
    case "UnaryExpression": return `(${n.operator} ${shapeKey(n.argument)})`;
    case "BinaryExpression":
    case "LogicalExpression": return `(${shapeKey(n.left)} ${n.operator} ${shapeKey(n.right)})`;
    case "MemberExpression": return `${shapeKey(n.object)}${n.computed ? `[${shapeKey(n.property)}]` : `.${n.property.name}`}`;
    case "CallExpression": return `${shapeKey(n.callee)}(${n.arguments.map(shapeKey).join(",")})`;
    default: return `?${n.type}@${objectKeyId(n)}`; // anything else only matches itself
  }
}

const keyIds = new WeakMap<object, number>();
let nextKeyId = 1;
function objectKeyId(o: object): number {
  let id = keyIds.get(o);
  if (id === undefined) keyIds.set(o, (id = nextKeyId++));
  return id;
}
