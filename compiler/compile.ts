/**
 * One compilation, from a live function to a specialized version: parse,
 * check what is supported, run the pipeline, add the guards, emit, and (at
 * run time) `new Function`. `kos build` stops before `new Function` and takes
 * the source instead.
 */
import * as acorn from "acorn";
import { clone, countNodes, forEachChildSlot, walk, type Node, type ValuePath } from "./ast.js";
import { parseFunction, normalizeBody, type ParsedFunction } from "./parse.js";
import { analyzeScopes } from "./analyze/scopes.js";
import { findUnsupported } from "./analyze/unsupported.js";
import { JitError } from "./jit-error.js";
import { runPipeline, PASS_NAMES } from "./pipeline.js";
import { setHelperCompiler } from "./passes/specialize-calls.js";
import { buildLiteral, generateSource, materialize, referenceHint } from "./emit.js";
import { deepFreeze, isTypedArray } from "./values.js";
import { freshName, type CompileContext, type Helper, type SharedState } from "./context.js";
import type { Assumption, JitOptions, PassSnapshot, SourceOptions, TypeAssumption } from "./types.js";
import { KNOWN_GLOBALS, TYPED_ARRAY_NAMES } from "./builtins.js";

const DEFAULT_UNROLL_BUDGET = 3000;

const parsedCache = new WeakMap<Function, ParsedFunction | JitError>();
function parseCached(fn: Function): ParsedFunction {
  let p = parsedCache.get(fn);
  if (!p) {
    try {
      p = parseFunction(fn);
    } catch (e) {
      if (!(e instanceof JitError)) throw e;
      p = e;
    }
    parsedCache.set(fn, p);
  }
  if (p instanceof JitError) throw p;
  return p;
}

/** Generated names start with a prefix no identifier in the user's source starts with. */
function choosePrefix(source: string): string {
  const words = source.match(/[A-Za-z_$][\w$]*/g) ?? [];
  let prefix = "$k_";
  while (words.some((w) => w.startsWith(prefix))) prefix = `$${prefix}`;
  return prefix;
}

const simpleParamName = (p: Node): string | null =>
  p.type === "Identifier" ? p.name : p.type === "AssignmentPattern" && p.left.type === "Identifier" ? p.left.name : null;

export interface BuildResult {
  ok: true;
  /** Module body: helpers, then `return <main function>` (runtime mode adds the call counter). */
  body: string;
  /** The main function expression alone with its helpers, as an expression (for kos build). */
  expression: string;
  refNames: string[];
  refValues: unknown[];
  genericName: string;
  deoptName: string;
  callsName: string;
  assumptions: Assumption[];
  passes: PassSnapshot[] | null;
  helperCount: number;
}

/** Runs the whole compiler on `fn`. Throws JitError when it cannot compile exactly. */
export function buildSpecialized(fn: Function, options: SourceOptions, countCalls: boolean): BuildResult {
  const parsed = parseCached(fn);
  const root = normalizeBody(clone(parsed.node));
  const specialize = new Map(Object.entries(options.specialize ?? {}));
  const assume = new Map(Object.entries(options.assume ?? {})) as Map<string, TypeAssumption>;
  const scopeValues = options.scope ?? {};
  const paramNames = root.params.map(simpleParamName);
  for (const name of [...specialize.keys(), ...assume.keys()]) {
    if (!paramNames.includes(name)) {
      throw new JitError("UNKNOWN_PARAMETER", `'${name}' is not a simple parameter of ${parsed.name || "the function"} (parameters: ${paramNames.filter(Boolean).join(", ") || "none"})`);
    }
  }
  for (const p of options.disablePasses ?? []) {
    if (!PASS_NAMES.includes(p)) throw new JitError("BAD_OPTIONS", `unknown pass '${p}' in disablePasses (passes: ${PASS_NAMES.join(", ")})`);
  }

  const scopes = analyzeScopes(root, parsed.strict);
  const allowedFree = new Set(Object.keys(scopeValues));
  if (parsed.name) allowedFree.add(parsed.name);
  const unsupported = findUnsupported(root, scopes, allowedFree);
  if (unsupported) throw unsupported;

  const freeze = options.freeze ?? "deep";
  if (freeze === "deep") for (const v of specialize.values()) deepFreeze(v);

  const shared: SharedState = {
    prefix: choosePrefix(parsed.source),
    nextName: 0,
    helpers: [],
    memo: new Map(),
    objectIds: new WeakMap(),
    nextObjectId: 1,
    inlinesDone: 0,
    freeze,
    fastmath: !!options.fastmath,
    unrollBudget: options.unrollBudget ?? DEFAULT_UNROLL_BUDGET,
    maxHelpers: 200,
    maxDepth: 24,
    inlineBudget: 64,
    disabled: new Set(options.disablePasses ?? []),
    trace: options.tracePasses ? [] : null,
  };
  const ctx: CompileContext = { shared, fn, root, name: parsed.name, strict: parsed.strict, specialize, assume, scope: scopeValues, depth: 0, changed: false };
  rootScopes.set(shared, scopeValues);
  rootFunctions.set(shared, fn);
  runPipeline(ctx);

  return assemble(ctx, parsed, options, countCalls);
}

const rootScopes = new WeakMap<SharedState, Record<string, unknown>>();
const rootFunctions = new WeakMap<SharedState, Function>();

// Helpers: the callee compiled again with some arguments bound (see specialize-calls.ts).
setHelperCompiler((parent, fn, constants, key) => {
  const shared = parent.shared;
  let perFn = shared.memo.get(fn);
  if (!perFn) shared.memo.set(fn, (perFn = new Map()));
  if (perFn.has(key)) return perFn.get(key) ?? null;
  if (shared.helpers.length >= shared.maxHelpers || parent.depth >= shared.maxDepth) return null;
  let parsed: ParsedFunction;
  try {
    parsed = parseCached(fn);
  } catch {
    perFn.set(key, null as unknown as Helper);
    return null;
  }
  const node = normalizeBody(clone(parsed.node));
  const names = node.params.map((p: Node) => (p.type === "Identifier" ? p.name : null));
  const isRoot = rootFunctions.get(shared) === fn;
  const scope = isRoot ? rootScopes.get(shared)! : {};
  const allowed = new Set(Object.keys(scope));
  if (parsed.name) allowed.add(parsed.name);
  if (names.includes(null) || findUnsupported(node, analyzeScopes(node, parsed.strict), allowed)) {
    perFn.set(key, null as unknown as Helper);
    return null;
  }
  const specialize = new Map<string, unknown>();
  const kept: number[] = [];
  names.forEach((n: string, i: number) => (constants.has(i) ? specialize.set(n, constants.get(i)) : kept.push(i)));
  const helper: Helper = { name: freshName(shared, parsed.name || "fn"), node: null, keptParams: kept, compiling: true, inlinable: false };
  perFn.set(key, helper);
  shared.helpers.push(helper);
  const ctx: CompileContext = { shared, fn, root: node, name: parsed.name, strict: parsed.strict, specialize, assume: new Map(), scope, depth: parent.depth + 1, changed: false };
  runPipeline(ctx);
  node.params = kept.map((i) => node.params[i]);
  helper.node = node;
  helper.compiling = false;
  markInlinable(helper, shared);
  return helper;
});

function markInlinable(helper: Helper, shared: SharedState): void {
  const node = helper.node;
  const body = node.body.body;
  if (body.length > 1 || (body.length === 1 && body[0].type !== "ReturnStatement")) return;
  const expr = body[0]?.argument;
  if (expr && countNodes(expr) > shared.inlineBudget) return;
  const scopes = analyzeScopes(node, true);
  let selfCall = false;
  if (expr) {
    walk(expr, (n) => {
      if (n.type !== "Identifier") return;
      if (n.name === helper.name) selfCall = true;
      const ref = scopes.referenceOf(n);
      delete n.kosParam;
      delete n.kosFreeGlobal;
      if (!ref) return;
      if (ref.resolved && ref.resolved.scope === scopes.functionScope && ref.resolved.defs[0]?.type === "Parameter") {
        n.kosParam = helper.keptParams[node.params.findIndex((p: Node) => p.name === n.name)];
      } else if (!ref.resolved && !n.name.startsWith(shared.prefix)) {
        n.kosFreeGlobal = true;
      }
    });
  }
  helper.inlinable = !selfCall;
}

const trustedOrPrimitive = (v: unknown): boolean => v === null || (typeof v !== "object" && typeof v !== "function");

function guardFor(param: Node, value: unknown, ref: (v: unknown, hint: string) => Node): { test: Node; description: string; kind: Assumption["kind"] } {
  const p = () => ({ type: "Identifier", name: param.name });
  const bin = (operator: string, left: Node, right: Node): Node => ({ type: "BinaryExpression", operator, left, right });
  const and = (left: Node, right: Node): Node => ({ type: "LogicalExpression", operator: "&&", left, right });
  if (typeof value === "number" && Number.isNaN(value)) return { test: bin("!==", p(), p()), description: `${param.name} is NaN`, kind: "value" };
  if (value === 0) {
    const sign = Object.is(value, -0) ? bin("<", bin("/", buildLiteral(1)!, p()), buildLiteral(0)!) : bin(">", bin("/", buildLiteral(1)!, p()), buildLiteral(0)!);
    return { test: and(bin("===", p(), buildLiteral(0)!), sign), description: `${param.name} === ${Object.is(value, -0) ? "-0" : "0"} (sign checked)`, kind: "value" };
  }
  const literal = buildLiteral(value);
  if (literal) return { test: bin("===", p(), literal), description: `${param.name} === ${describe(value)}`, kind: "value" };
  const identity = bin("===", p(), ref(value, param.name));
  if (isTypedArray(value)) {
    const len = bin("===", { type: "MemberExpression", object: p(), property: { type: "Identifier", name: "length" }, computed: false, optional: false }, buildLiteral(value.length)!);
    return { test: and(identity, len), description: `${param.name} is the specialized ${value.constructor.name} (identity) with length ${value.length}`, kind: "identity" };
  }
  return { test: identity, description: `${param.name} is the specialized ${Array.isArray(value) ? "array" : typeof value} (identity)`, kind: "identity" };
}

function typeGuard(param: Node, type: TypeAssumption, ref: (v: unknown, hint: string) => Node): Node {
  const p = { type: "Identifier", name: param.name };
  const typeofIs = (t: string): Node => ({ type: "BinaryExpression", operator: "===", left: { type: "UnaryExpression", operator: "typeof", prefix: true, argument: p }, right: buildLiteral(t) });
  if (type === "array") return { type: "CallExpression", callee: ref(Array.isArray, "isArray"), arguments: [p], optional: false };
  if (type === "object") return { type: "LogicalExpression", operator: "&&", left: typeofIs("object"), right: { type: "BinaryExpression", operator: "!==", left: p, right: buildLiteral(null) } };
  if (type.startsWith("typedarray:")) {
    const name = type.slice("typedarray:".length);
    if (!(TYPED_ARRAY_NAMES as readonly string[]).includes(name)) throw new JitError("BAD_OPTIONS", `unknown typed array type '${name}'`);
    return { type: "BinaryExpression", operator: "instanceof", left: p, right: ref((globalThis as Record<string, unknown>)[name], name) };
  }
  return typeofIs(type);
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  return String(v);
}

const RESERVED = new Set("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval".split(" "));

function assemble(ctx: CompileContext, parsed: ParsedFunction, options: SourceOptions, countCalls: boolean): BuildResult {
  const shared = ctx.shared;
  const refNames: string[] = [];
  const refValues: unknown[] = [];
  const refByValue = new Map<unknown, string>();
  // Identifiers used anywhere in the output: a global may be written by name only if nothing can shadow it.
  const usedNames = new Set<string>();
  const noteNames = (n: Node) => walk(n, (x) => void (x.type === "Identifier" && usedNames.add(x.name)));
  noteNames(ctx.root);
  for (const h of shared.helpers) if (h.node) noteNames(h.node);
  const reference = (value: unknown, path: ValuePath | null | string): Node => {
    if (path && typeof path === "object" && path.root === "global" && path.keys.length === 0 && !usedNames.has(path.name) && (globalThis as Record<string, unknown>)[path.name] === value) {
      return { type: "Identifier", name: path.name };
    }
    if (options.referenceExpression) {
      const expr = options.referenceExpression(value);
      if (expr != null) return referenceExpressionNode(expr);
    }
    let name = refByValue.get(value);
    if (!name) {
      name = freshName(shared, typeof path === "string" ? path : referenceHint(path));
      refByValue.set(value, name);
      refNames.push(name);
      refValues.push(value);
    }
    return { type: "Identifier", name };
  };
  const genericName = `${shared.prefix}generic`;
  const deoptName = `${shared.prefix}deopt`;
  const callsName = `${shared.prefix}calls`;

  const root = ctx.root;
  const assumptions: Assumption[] = [];
  const guards: Node[] = [];
  const paramNodes = root.params.map((p: Node) => (p.type === "AssignmentPattern" ? p.left : p));
  const trusted = new Set(options.trustAssumptions ?? []);
  for (const [name, value] of ctx.specialize) {
    const param = paramNodes.find((p: Node) => p.type === "Identifier" && p.name === name);
    const g = guardFor(param, value, (v, hint) => reference(v, hint));
    assumptions.push({ param: name, kind: g.kind, description: g.description });
    guards.push(g.test);
  }
  for (const [name, type] of ctx.assume) {
    if (ctx.specialize.has(name)) continue;
    const param = paramNodes.find((p: Node) => p.type === "Identifier" && p.name === name);
    assumptions.push({ param: name, kind: "type", description: `${name} is ${type}${trusted.has(name) ? " (trusted, not checked)" : ""}` });
    if (!trusted.has(name)) guards.push(typeGuard(param, type, (v, hint) => reference(v, hint)));
  }

  // On a failed guard: count it, then run the original with the same receiver and arguments.
  const allSimple = root.params.every((p: Node) => simpleParamName(p) !== null || (p.type === "RestElement" && p.argument.type === "Identifier"));
  const thisArg = { type: "ThisExpression" };
  const callGeneric: Node = allSimple
    ? {
        type: "CallExpression",
        callee: { type: "MemberExpression", object: { type: "Identifier", name: genericName }, property: { type: "Identifier", name: "call" }, computed: false, optional: false },
        arguments: [thisArg, ...root.params.map((p: Node) => (p.type === "RestElement" ? { type: "SpreadElement", argument: { type: "Identifier", name: p.argument.name } } : { type: "Identifier", name: simpleParamName(p) }))],
        optional: false,
      }
    : {
        type: "CallExpression",
        callee: { type: "MemberExpression", object: { type: "Identifier", name: genericName }, property: { type: "Identifier", name: "apply" }, computed: false, optional: false },
        arguments: [thisArg, { type: "Identifier", name: "arguments" }],
        optional: false,
      };
  const guardStatements: Node[] = guards.map((test, i) => ({
    type: "IfStatement",
    test: { type: "UnaryExpression", operator: "!", prefix: true, argument: test },
    consequent: {
      type: "BlockStatement",
      body: [
        { type: "ExpressionStatement", expression: { type: "CallExpression", callee: { type: "Identifier", name: deoptName }, arguments: [buildLiteral(i)], optional: false } },
        { type: "ReturnStatement", argument: callGeneric },
      ],
    },
    alternate: null,
  }));
  const counter: Node[] = countCalls
    ? [{ type: "ExpressionStatement", expression: { type: "UpdateExpression", operator: "++", prefix: false, argument: { type: "Identifier", name: callsName } } }]
    : [];

  const name = parsed.name && /^[A-Za-z_$][\w$]*$/.test(parsed.name) && !RESERVED.has(parsed.name) && !KNOWN_GLOBALS.has(parsed.name) ? parsed.name : null;
  const body = root.body.body;
  const directives = body.filter((s: Node) => typeof s.directive === "string");
  const rest = body.filter((s: Node) => typeof s.directive !== "string");
  const main: Node = {
    type: "FunctionExpression",
    id: name ? { type: "Identifier", name } : null,
    params: root.params,
    generator: false,
    async: false,
    body: { type: "BlockStatement", body: [...directives, ...counter, ...guardStatements, ...rest] },
  };

  // After its guard, a specialized object parameter *is* the value: read the local, not the closure.
  walk(main.body, (n) =>
    forEachChildSlot(n, (c, replace) => {
      if (c.type === "KosConst" && c.path?.root === "param" && c.path.keys.length === 0 && !trustedOrPrimitive(c.value) && ctx.specialize.get(c.path.name) === c.value) {
        replace({ type: "Identifier", name: c.path.name });
      }
    }),
  );

  // Emit only the helpers the main function (transitively) calls.
  const byName = new Map(shared.helpers.filter((h) => h.node).map((h) => [h.name, h]));
  const used: Helper[] = [];
  const seen = new Set<string>();
  const collect = (node: Node) =>
    walk(node, (n) => {
      if (n.type === "Identifier" && byName.has(n.name) && !seen.has(n.name)) {
        seen.add(n.name);
        const h = byName.get(n.name)!;
        used.push(h);
        collect(h.node);
      }
    });
  collect(main);
  const helperDecls: Node[] = used.map((h) => ({ ...h.node, type: "FunctionDeclaration", id: { type: "Identifier", name: h.name }, expression: false }));

  const strictPrologue = parsed.strict ? [{ type: "ExpressionStatement", expression: buildLiteral("use strict"), directive: "use strict" }] : [];
  // `var`, not `let`: a `let` context slot pays a temporal-dead-zone check on every increment.
  const callsDecl = countCalls ? [{ type: "VariableDeclaration", kind: "var", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name: callsName }, init: buildLiteral(0) }] }] : [];
  // Runtime form: `return [main, () => calls]`, so the dispatcher can read the counter.
  const returned: Node = countCalls
    ? { type: "ArrayExpression", elements: [main, { type: "ArrowFunctionExpression", params: [], expression: true, async: false, generator: false, body: { type: "Identifier", name: callsName } }] }
    : main;
  const program: Node = { type: "Program", sourceType: "script", body: [...strictPrologue, ...callsDecl, ...helperDecls, { type: "ReturnStatement", argument: returned }] };
  materialize(program, reference);
  const bodySource = generateSource(program);
  // A final parse catches any printing mistake before it can become a miscompile.
  acorn.parse(bodySource, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: true });

  const exprProgram: Node = { type: "ArrowFunctionExpression", params: [], expression: false, async: false, generator: false, body: { type: "BlockStatement", body: [...strictPrologue, ...helperDecls, { type: "ReturnStatement", argument: main }] } };
  return {
    ok: true,
    body: bodySource,
    expression: `(${generateSource(countCalls ? { ...exprProgram, body: { type: "BlockStatement", body: program.body } } : exprProgram)})()`,
    refNames,
    refValues,
    genericName,
    deoptName,
    callsName,
    assumptions,
    passes: shared.trace,
    helperCount: used.length,
  };
}

/** `kos build` names module-level values with dotted paths; anything else is refused. */
function referenceExpressionNode(expr: string): Node {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(expr)) {
    throw new JitError("BAD_OPTIONS", `referenceExpression must return a dotted path of identifiers, got ${JSON.stringify(expr)}`);
  }
  return acorn.parseExpressionAt(expr, 0, { ecmaVersion: "latest" }) as Node;
}

export type { JitOptions };
