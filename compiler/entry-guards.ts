/**
 * The guards a version checks at entry, in the order it checks them: the
 * argument count a shorter call fails first (arity-dispatch.ts), then the
 * values, types and argument counts it was specialized on, the receiver's
 * kind, and the contents of objects kos does not own (content-guards.ts).
 * Each comes with the assumption `inspect` reports for it.
 */
import type { Node } from "./ast.js";
import { JitError } from "./jit-error.js";
import { buildLiteral } from "./emit.js";
import { isTypedArray } from "./values.js";
import { hasIntrinsicLength } from "./typed-array-checks.js";
import type { Assumption, SourceOptions, TypeAssumption } from "./types.js";
import { TYPED_ARRAY_NAMES, typedArrayName } from "./builtins.js";
import type { ContentGuard } from "./content-guards.js";
import { contentGuardStatements } from "./keys-check-statements.js";
import { arityTest, type ArityDispatch } from "./arity-dispatch.js";

/** What the entry guards check (assemble.ts's AssembleContext extends it). */
export interface EntryGuardContext {
  specialize: Map<string, unknown>;
  assume: Map<string, TypeAssumption>;
  formals: Array<{ name: string; rest: boolean; source: string | null }>;
  contentGuards: ContentGuard[];
  /** A folded Map/Set lookup whose key the code stores (specialize/collection-reads.ts). */
  fillsOwnCache?: boolean;
  /** Guard the receiver to be an object (SpecializeResult.receiverObject). */
  receiverObject?: boolean;
  /** The rest parameter's guarded length and known items (positional `specialize` keys). */
  rest?: { length: number; known: Map<number, unknown> };
  /** The guarded `arguments.length` and the known items past the formals (arguments-reads.ts). */
  argumentItems?: { length: number; known: Map<number, unknown> };
  /** Calls that leave out parameters the residual code reads fail a first guard (arity-dispatch.ts). */
  arity?: ArityDispatch | null;
}

function guardFor(param: Node, value: unknown, ref: (v: unknown, hint: string) => Node, label: string): { test: Node; description: string; kind: Assumption["kind"] } {
  const p = () => ({ ...param });
  const bin = (operator: string, left: Node, right: Node): Node => ({ type: "BinaryExpression", operator, left, right });
  const and = (left: Node, right: Node): Node => ({ type: "LogicalExpression", operator: "&&", left, right });
  if (typeof value === "number" && Number.isNaN(value)) return { test: bin("!==", p(), p()), description: `${label} is NaN`, kind: "value" };
  if (value === 0) {
    const sign = Object.is(value, -0) ? bin("<", bin("/", buildLiteral(1)!, p()), buildLiteral(0)!) : bin(">", bin("/", buildLiteral(1)!, p()), buildLiteral(0)!);
    return { test: and(bin("===", p(), buildLiteral(0)!), sign), description: `${label} === ${Object.is(value, -0) ? "-0" : "0"} (sign checked)`, kind: "value" };
  }
  const literal = buildLiteral(value);
  if (literal) return { test: bin("===", p(), literal), description: `${label} === ${describe(value)}`, kind: "value" };
  const identity = bin("===", p(), ref(value, label));
  // Its length is read only where `length` is the intrinsic getter: a prototype of the program's
  // with a `length` getter ran it at this guard, where the original may never read it (sweep44).
  if (isTypedArray(value) && hasIntrinsicLength(value)) {
    const len = bin("===", { type: "MemberExpression", object: p(), property: { type: "Identifier", name: "length" }, computed: false, optional: false }, buildLiteral(value.length)!);
    return { test: and(identity, len), description: `${label} is the specialized ${typedArrayName(value) ?? "typed array"} (identity) with length ${value.length}`, kind: "identity" };
  }
  return { test: identity, description: `${label} is the specialized ${Array.isArray(value) ? "array" : typeof value} (identity)`, kind: "identity" };
}

function typeGuard(param: Node, type: TypeAssumption, ref: (v: unknown, hint: string) => Node): Node {
  const p = { ...param };
  const typeofIs = (t: string): Node => ({ type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: p }, right: buildLiteral(t) });
  if (type === "array") return { type: "CallExpression", callee: ref(Array.isArray, "isArray"), arguments: [p], optional: false };
  if (type === "object") return { type: "LogicalExpression", operator: "&&", left: typeofIs("object"), right: { type: "BinaryExpression", operator: "!==", left: p, right: buildLiteral(null) } };
  if (type.startsWith("typedarray:")) {
    const name = type.slice("typedarray:".length);
    if (!(TYPED_ARRAY_NAMES as readonly string[]).includes(name)) throw new JitError("BAD_OPTIONS", `unknown typed array type '${name}'`);
    // The kind the intrinsic tag gives (a Buffer is a Uint8Array): `instanceof` ran a proxy's
    // getPrototypeOf trap and read the constructor's Symbol.hasInstance, code of the program's.
    return { type: "BinaryExpression", operator: "===", left: { type: "CallExpression", callee: ref(typedArrayName, "typedArrayName"), arguments: [p], optional: false }, right: buildLiteral(name)! };
  }
  return typeofIs(type);
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  return String(v);
}

/**
 * The entry guards' tests and the assumptions they check, in order; `ref` names a value the code
 * reads by reference. `throwing`: the tests that may throw without running any of the program's
 * code (assemble.ts counts a throw as a failed guard).
 */
export function entryGuards(ctx: EntryGuardContext, options: SourceOptions, ref: (v: unknown, hint: string) => Node, keysCheck?: (g: ContentGuard) => Node | null, keysFlag?: string): { assumptions: Assumption[]; guards: Node[]; throwing: ReadonlySet<Node>; before: ReadonlyMap<Node, Node[]> } {
  const assumptions: Assumption[] = [];
  const guards: Node[] = [];
  const throwing = new Set<Node>();
  const before = new Map<Node, Node[]>();
  if (ctx.arity) {
    // First, so that a shorter call is reported before the other guards cost it anything.
    assumptions.push({ param: "arguments", kind: "arity", description: `arguments.length >= ${ctx.arity.required} (a call with fewer is specialized again, with the missing parameters undefined)` });
    guards.push(arityTest(ctx.arity));
  }
  const trusted = new Set(options.trustAssumptions ?? []);
  const formalOf = (name: string): Node => {
    if (name === "this") return { type: "ThisExpression" };
    const f = ctx.formals.find((x) => x.source === name);
    return { type: "Identifier", name: f ? f.name : name };
  };
  for (const [name, value] of ctx.specialize) {
    // A destructured parameter is keyed by its position.
    const g = guardFor(formalOf(name), value, ref, /^\d+$/.test(name) ? `argument ${name}` : name);
    assumptions.push({ param: name, kind: g.kind, description: g.description });
    guards.push(g.test);
  }
  const restFormal = ctx.rest ? ctx.formals.find((f) => f.rest) : undefined;
  if (ctx.rest && restFormal) {
    // The argument count first: the items' guards read within it.
    const restId: Node = { type: "Identifier", name: restFormal.name };
    const label = restFormal.source ?? restFormal.name;
    guards.push({ type: "BinaryExpression", operator: "===", left: { type: "MemberExpression", object: restId, property: { type: "Identifier", name: "length" }, computed: false, optional: false }, right: buildLiteral(ctx.rest.length)! });
    assumptions.push({ param: label, kind: "value", description: `${label}.length === ${ctx.rest.length}` });
    for (const [i, value] of ctx.rest.known) {
      const item: Node = { type: "MemberExpression", object: restId, property: buildLiteral(i)!, computed: true, optional: false };
      const g = guardFor(item, value, ref, `${label}[${i}]`);
      assumptions.push({ param: `${label}[${i}]`, kind: g.kind, description: g.description });
      guards.push(g.test);
    }
  }
  if (ctx.argumentItems) {
    // The count first: the items' guards read within it.
    const args: Node = { type: "Identifier", name: "arguments" };
    guards.push({ type: "BinaryExpression", operator: "===", left: { type: "MemberExpression", object: args, property: { type: "Identifier", name: "length" }, computed: false, optional: false }, right: buildLiteral(ctx.argumentItems.length)! });
    assumptions.push({ param: "arguments", kind: "value", description: `arguments.length === ${ctx.argumentItems.length}` });
    for (const [i, value] of ctx.argumentItems.known) {
      const item: Node = { type: "MemberExpression", object: args, property: buildLiteral(i)!, computed: true, optional: false };
      const g = guardFor(item, value, ref, `arguments[${i}]`);
      assumptions.push({ param: String(i), kind: g.kind, description: g.description });
      guards.push(g.test);
    }
  }
  for (const [name, type] of ctx.assume) {
    if (ctx.specialize.has(name)) continue;
    assumptions.push({ param: name, kind: "type", description: `${name} is ${type}${trusted.has(name) ? " (trusted, not checked)" : ""}` });
    if (trusted.has(name)) continue;
    const test = typeGuard(formalOf(name), type, ref);
    guards.push(test);
    // `Array.isArray` throws on a revoked proxy, where the original may never look at it.
    if (type === "array") throwing.add(test);
  }
  if (ctx.receiverObject && !ctx.assume.has("this")) {
    // Strict code sees the receiver as passed; a sloppy method sees globalThis for a call without one, and
    // a boxed primitive for a primitive. Its mode cannot be seen, so such calls run the original.
    const self: Node = { type: "ThisExpression" };
    const typeofIs = (t: string): Node => ({ type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: self }, right: buildLiteral(t)! });
    assumptions.push({ param: "this", kind: "type", description: "this is an object (a method whose strictness cannot be seen: a call without an object receiver runs the original)" });
    guards.push({ type: "LogicalExpression", operator: "||", left: { type: "LogicalExpression", operator: "&&", left: typeofIs("object"), right: { type: "BinaryExpression", operator: "!==", left: self, right: buildLiteral(null)! } }, right: typeofIs("function") });
  }
  if (ctx.contentGuards.length) {
    // Folded reads of objects kos does not own: they must still hold what was read.
    // The keys walks written in place (keys-check-statements.ts) run before the test, in a `let` of their own.
    const flag = keysFlag ?? "keysOk";
    const made = contentGuardStatements(ctx.contentGuards, ref, keysFlag === undefined ? undefined : keysCheck, () => flag, `${flag}_key`)!;
    const test = made.test;
    if (made.before.length) before.set(test, [{ type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name: flag }, init: null }] }, ...made.before]);
    assumptions.push({ param: "(contents)", kind: "content", description: `${ctx.contentGuards.length} folded propert${ctx.contentGuards.length === 1 ? "y" : "ies"} of unfrozen objects unchanged`, ...(ctx.fillsOwnCache ? { fillsCache: true } : {}) });
    guards.push(test);
  }
  return { assumptions, guards, throwing, before };
}
