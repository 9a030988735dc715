/**
 * One compilation, from a live function to a specialized version: parse,
 * check what is supported, run the pipeline, add the guards, emit, and (at
 * run time) `new Function`. `kos build` stops before `new Function` and takes
 * the source instead.
 */
import * as acorn from "acorn";
import { countNodes, walk, type Node, type ValuePath } from "./ast.js";
import { parseFunction, type ParsedFunction } from "./parse.js";
import { JitError } from "./jit-error.js";
import { argumentsOnlyRead } from "./arguments-reads.js";
import { PASS_NAMES, runResidualPipeline } from "./residual/pipeline.js";
import { outlineLargeBlocks, type Outlined } from "./residual/outline-blocks.js";
import { keepFunctionNames } from "./residual/function-names.js";
import { callsProgramFunction } from "./residual/foreign-calls.js";
import { ERROR_HELPERS } from "./error-helpers.js";
import { KOS_HELPERS } from "./typed-array-checks.js";
import { readParamsForConstants, THIS, varRedeclared } from "./residual/param-reads.js";
import { declarableName } from "./specialize/source-names.js";
import { buildLiteral, generateSource, materialize, previewSource, PRINT_OPTIONS, referenceHint } from "./emit.js";
import { deepFreeze, isTypedArray } from "./values.js";
import type { Assumption, JitOptions, PassSnapshot, SourceOptions, TypeAssumption } from "./types.js";
import { KNOWN_GLOBALS, TYPED_ARRAY_NAMES } from "./builtins.js";
import { InstanceEscaped, MAX_FORKS, specializeFunction, type FreeLookup } from "./specialize/index.js";
import { contentGuardTest, type ContentGuard } from "./content-guards.js";
import { functionLocation, lookupBindingFor, readClosure, readPrivateField } from "./discover/closure.js";
import { SourceMapGenerator, createMappedGenerator, sourceMapOptionsFor, sourceMappingURLComment } from "./source-map.js";
import { generate } from "astring";
import { arityFor, arityTest, type ArityDispatch } from "./arity-dispatch.js";
import { GAIN_CHECK_MIN_NODES } from "./gain-check.js";

/** The functions of kos's own a residual may call (never the program's code). */
const KOS_FUNCTIONS: readonly Function[] = [...Object.values(KOS_HELPERS), ...ERROR_HELPERS];

interface Helper { name: string; node: Node | null }
interface AssembleContext {
  shared: { prefix: string; nextName: number; trace: PassSnapshot[] | null; helpers: Helper[] };
  root: Node;
  specialize: Map<string, unknown>;
  assume: Map<string, TypeAssumption>;
  strict: boolean;
  kind: "function" | "arrow" | "method";
  formals: Array<{ name: string; rest: boolean; source: string | null }>;
  contentGuards: ContentGuard[];
  /** A folded Map/Set lookup whose key the code stores (specialize/collection-reads.ts). */
  fillsOwnCache?: boolean;
  /** The function read `new.target` (specialize/index.ts): `new` must run the original. */
  usesNewTarget?: boolean;
  /** Guard the receiver to be an object (SpecializeResult.receiverObject). */
  receiverObject?: boolean;
  fn: Function | null;
  /** The rest parameter's guarded length and known items (positional `specialize` keys). */
  rest?: { length: number; known: Map<number, unknown> };
  /** The guarded `arguments.length` and the known items past the formals (arguments-reads.ts). */
  argumentItems?: { length: number; known: Map<number, unknown> };
  /** Calls that leave out parameters the residual code reads fail a first guard (arity-dispatch.ts). */
  arity?: ArityDispatch | null;
  /** Sloppy code whose parameters are not all plain names: its `arguments` is unmapped (keepUnmapped). */
  unmappedArguments?: boolean;
}

// Words a parameter of the generated (strict) function cannot be named, beyond declarableName's.
const RESERVED_PARAMETER_NAMES = new Set(["yield", "await", "let", "static", "implements", "interface", "package", "private", "protected", "public", "enum"]);

function freshName(shared: AssembleContext["shared"], hint: string): string {
  const clean = hint.replace(/[^A-Za-z0-9_$]/g, "_").slice(0, 32);
  return `${shared.prefix}${clean}_${shared.nextName++}`;
}

const DEFAULT_UNROLL_BUDGET = 3000;
/**
 * Largest residual function, in syntax nodes. V8 never optimizes a function
 * with more than 60 KB of bytecode (--max-optimized-bytecode-size=61440), and
 * waits longer the bigger it is (one more tick per 150 bytes). Measured with
 * --print-bytecode on two residuals: expr-eval's 7,674 nodes made 24.4 KB of
 * bytecode, sift's 18,117 nodes 67.9 KB (3.2-3.7 bytes a node): sift's never
 * left the baseline tier and ran at 0.65x the original. 12,000 nodes stays
 * near 45 KB.
 */
const MAX_RESIDUAL_NODES = 12_000;
const BYTECODE_PER_NODE = 3.7;
/**
 * Largest residual in all, the main function and what was outlined from it
 * (residual/outline-blocks.ts): each function stays under the bound above,
 * and the whole is what kos specializes, and V8 parses, per version.
 */
const MAX_TOTAL_NODES = 4 * MAX_RESIDUAL_NODES;
/**
 * Attempts that end at an escaping instance (specialize/specializer.ts, InstanceEscaped) before
 * one runs to its end and makes real every site that escaped in it. The real interpreters have up
 * to 3 such sites (jsonpath-plus, mustache); each early end costs only the code before it.
 */
const MAX_INSTANCE_STOPS = 6;
/** Recompiles with a quarter of the unroll budget and of the forks each time. */
const SIZE_RETRIES = 2;
/**
 * Milliseconds one compile may take (option `maxCompileMs`), by the wall clock: process CPU time
 * counts V8's own threads too (a cold compiler is being optimized while it runs: 5.1 s of CPU for a
 * 3.2 s compile), and Node 20 has no per-thread clock. Compiles that ran longer on code kos was
 * tried on never paid: js-yaml's dump 5.8 s for 0.89× the library, a tiering compile of
 * @cfworker/json-schema's Validator that failed on size after 8 s, micromatch's isMatch 3.6 s
 * before failing on size (helpers' runs on unseen libraries, on a loaded machine). The slowest
 * that compiles here and pays is @cfworker's `validate` on an 8-property schema, 2.0-3.4 s.
 */
const DEFAULT_MAX_COMPILE_MS = 5000;

const parsedCache = new WeakMap<Function, ParsedFunction | JitError>();
const privateNamesParsedCache = new WeakMap<Function, ParsedFunction | JitError>();
function parseCached(fn: Function, privateNames = false): ParsedFunction {
  const cache = privateNames ? privateNamesParsedCache : parsedCache;
  let p = cache.get(fn);
  if (!p) {
    try {
      p = parseFunction(fn, privateNames);
    } catch (e) {
      if (!(e instanceof JitError)) throw e;
      p = e;
    }
    cache.set(fn, p);
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

/**
 * A destructured parameter (`{ strict = true } = {}`, `[a, b]`): it has no name to specialize
 * by, so its position is the key (`specialize: { 2: options }`), as parameterNames gives it.
 */
const isPatternParam = (p: Node): boolean => p.type === "ObjectPattern" || p.type === "ArrayPattern" || (p.type === "AssignmentPattern" && p.left.type !== "Identifier");

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
  /** The arity guard the version checks first, if any (arity-dispatch.ts). */
  arity: ArityDispatch | null;
  /** The version tests a route first (gain-check.ts): the runtime form's third element sets it. */
  routed: boolean;
}

/**
 * `specialize` with positional keys resolved: a position of a named parameter becomes its name,
 * one inside a rest parameter a known item of it (with `argumentCount`, its length).
 */
function positional(parsed: ParsedFunction, paramNames: Array<string | null>, options: SourceOptions): { specialize: Map<string, unknown>; rest: { length: number; known: Map<number, unknown> } | undefined; argumentItems: { length: number; known: Map<number, unknown> } | undefined } {
  const specialize = new Map<string, unknown>();
  const params = parsed.node.params as Node[];
  const restAt = params.findIndex((p) => p.type === "RestElement" && p.argument.type === "Identifier");
  const count = options.argumentCount;
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) throw new JitError("BAD_OPTIONS", `argumentCount must be a whole number, got ${String(count)}`);
  const known = new Map<number, unknown>();
  // Positions past the formals of a function that only reads its `arguments` (arguments-reads.ts).
  const readsArguments = restAt < 0 && parsed.kind !== "arrow" && /\barguments\b/.test(parsed.source) && argumentsOnlyRead(parsed.node, false);
  const beyond = new Map<number, unknown>();
  for (const [key, value] of Object.entries(options.specialize ?? {})) {
    if (!/^(0|[1-9]\d*)$/.test(key)) {
      specialize.set(key, value);
      continue;
    }
    const i = Number(key);
    if (restAt >= 0 && i >= restAt) {
      if (count === undefined || i >= count) throw new JitError("UNKNOWN_PARAMETER", `argument ${i} falls in the rest parameter of ${parsed.name || "the function"}: give argumentCount (more than ${i}) to specialize it`);
      known.set(i - restAt, value);
    } else if (readsArguments && i >= params.length) {
      if (count === undefined || i >= count) throw new JitError("UNKNOWN_PARAMETER", `argument ${i} is past the parameters of ${parsed.name || "the function"}, which reads it as arguments[${i}]: give argumentCount (more than ${i}) to specialize it`);
      beyond.set(i, value);
    } else if (paramNames[i]) specialize.set(paramNames[i]!, value);
    else if (i < params.length && isPatternParam(params[i]!)) specialize.set(key, value);
    else throw new JitError("UNKNOWN_PARAMETER", `argument ${i} is not a parameter of ${parsed.name || "the function"} (parameters: ${paramNames.map((n, k) => n ?? `#${k} (a pattern)`).join(", ") || "none"})`);
  }
  const rest = restAt >= 0 && count !== undefined ? { length: Math.max(0, count - restAt), known } : undefined;
  // With the count, `arguments.length` is known too (guarded at entry), and so is what the
  // lowering of default parameters tests it for.
  const argumentItems = readsArguments && count !== undefined ? { length: count, known: beyond } : undefined;
  return { specialize, rest, argumentItems };
}

/** Runs the whole compiler on `fn`. Throws JitError when it cannot compile exactly. */
export function buildSpecialized(fn: Function, options: SourceOptions, countCalls: boolean): BuildResult {
  const privateNames = options.privateNames === true;
  const parsed = parseCached(fn, privateNames);
  const assume = new Map(Object.entries(options.assume ?? {})) as Map<string, TypeAssumption>;
  const scopeValues = options.scope ?? {};
  const paramNames: Array<string | null> = parsed.node.params.map(simpleParamName);
  const { specialize, rest, argumentItems } = positional(parsed, paramNames, options);
  for (const name of [...specialize.keys(), ...assume.keys()]) {
    if (name === "this") continue;
    if (/^(0|[1-9]\d*)$/.test(name) && Number(name) < parsed.node.params.length && isPatternParam(parsed.node.params[Number(name)])) continue;
    if (!paramNames.includes(name)) {
      // A name from a library's docs for what its signature takes as `...args` (TypeBox's `Check(...args)`).
      const restParam = (parsed.node.params as Node[]).find((p) => p.type === "RestElement" && p.argument.type === "Identifier");
      const patternAt = (parsed.node.params as Node[]).findIndex(isPatternParam);
      const hint = restParam
        ? `; its arguments from position ${(parsed.node.params as Node[]).indexOf(restParam)} on are the rest parameter '${restParam.argument.name}': specialize them by position, e.g. { specialize: { ${(parsed.node.params as Node[]).indexOf(restParam)}: value }, argumentCount: n }`
        : patternAt >= 0
          ? `; a destructured parameter is specialized by its position, e.g. { specialize: { ${patternAt}: value } }`
          : "";
      throw new JitError("UNKNOWN_PARAMETER", `'${name}' is not a simple parameter of ${parsed.name || "the function"} (parameters: ${paramNames.filter(Boolean).join(", ") || "none"})${hint}`);
    }
  }
  for (const p of options.disablePasses ?? []) {
    if (!PASS_NAMES.includes(p)) throw new JitError("BAD_OPTIONS", `unknown pass '${p}' in disablePasses (passes: ${PASS_NAMES.join(", ")})`);
  }
  // Objects kos does not own are never frozen unless the caller asks (`freeze: "deep"`): by default
  // reads from unfrozen objects fold behind entry guards (specialize/guarded-reads.ts).
  const freeze = options.freeze ?? "guard";
  if (freeze === "deep") for (const v of [...specialize.values(), ...(rest?.known.values() ?? []), ...(argumentItems?.known.values() ?? [])]) deepFreeze(v);

  const prefix = choosePrefix(parsed.source);
  const trace: PassSnapshot[] | null = options.tracePasses ? [] : null;
  if (trace) trace.push({ pass: "input", source: parsed.source });
  const disabled = new Set(options.disablePasses ?? []);
  let unrollBudget = disabled.has("unrollLoops") ? 0 : options.unrollBudget ?? DEFAULT_UNROLL_BUDGET;
  if (options.outlineLimit !== undefined && !(Number.isInteger(options.outlineLimit) && options.outlineLimit > 0)) {
    throw new JitError("BAD_OPTIONS", `outlineLimit must be a positive integer (syntax nodes), got ${String(options.outlineLimit)}`);
  }
  // A smaller limit splits more; a larger one cannot go past what V8 optimizes.
  const outlineLimit = Math.min(options.outlineLimit ?? MAX_RESIDUAL_NODES, MAX_RESIDUAL_NODES);
  const budgetMs = options.maxCompileMs ?? DEFAULT_MAX_COMPILE_MS;
  if (!(typeof budgetMs === "number" && budgetMs > 0)) throw new JitError("BAD_OPTIONS", `maxCompileMs must be a positive number of milliseconds, got ${String(options.maxCompileMs)}`);
  const deadline = { at: performance.now() + budgetMs, budgetMs };
  let maxForks = MAX_FORKS;
  let foldAbsent = true;
  let realInstanceSites: Set<object> | null = null;
  // Attempts ended early at an escaping instance (InstanceEscaped): each makes one more site real.
  let instanceStops = 0;
  // Set once an attempt ran to its end with stops off and its escaped sites were made real.
  let sitesSettled = false;
  let guardedForIn = true;
  let result: ReturnType<typeof specializeFunction>;
  let outlined: Outlined[] = [];
  for (let attempt = 0; ; attempt++) {
    const request = {
      fn, specialize, assume, scope: scopeValues, freeze, fastmath: !!options.fastmath,
      unrollBudget, maxForks, inlineCalls: !disabled.has("inlineCalls"), deadline,
      prefix, lookupFree: lookupClosureBinding, lookupPrivate: readPrivateField, ...(rest ? { rest } : {}), ...(argumentItems ? { argumentItems } : {}), foldAbsent, ...(privateNames ? { privateNames } : {}), ...(options.strictKnown ? { strictKnown: true } : {}),
      ...(realInstanceSites ? { realInstanceSites } : {}),
      ...(instanceStops < MAX_INSTANCE_STOPS && !sitesSettled ? { stopAtInstanceEscape: true } : {}),
      // A for-in over an unfrozen object unrolls only where the whole unrolled function fits (see
      // below): partly unrolled, valibot's 9-property schema ran at 0.85x the library, its last
      // properties in a residual loop of a function too big for V8 to inline into.
      guardedForIn: guardedForIn && attempt === 0,
      // An unrolled for-in emits 2.3-2.5 times the nodes the clean-up keeps (valibot's schemas), so
      // stopping where its own code reaches the residual bound ends early a compile that would not
      // fit: valibot's 9-property schema compiles in 0.5-0.6 s, against 1.1-1.5 s run to the end
      // and thrown away, and 0.4 s without the attempt.
      forInNodes: MAX_RESIDUAL_NODES,
    };
    try {
      result = specializeFunction(request);
    } catch (e) {
      if (e instanceof InstanceEscaped) {
        (realInstanceSites ??= new Set()).add(e.site);
        instanceStops++;
        attempt--;
        continue;
      }
      // Joins past their bound where a for-in over an unfrozen object unrolled (specializer.ts,
      // MAX_JOIN_WORK_GUARDED_FOR_IN): the same attempt again, with those loops kept.
      if (!(e instanceof JitError && e.code === "RESIDUAL_TOO_LARGE" && request.guardedForIn)) throw e;
      guardedForIn = false;
      attempt--;
      continue;
    }
    // A key folded as absent that the code itself then stores (`if (!this.cache) this.cache = …`) would
    // fail its entry guard on every later call: specialize again without absent folds. Before the first
    // call of an explicit jit() it is kept instead, and jit specializes again once the call has filled
    // it (mustache's template cache: 0.96x the library without the fold, 1.2x on the filled cache).
    if (result.selfInvalidating && foldAbsent && !options.beforeFirstCall) {
      foldAbsent = false;
      attempt--;
      continue;
    }
    // An instance kos made itself (`Object.create(C.prototype)`, then its fields) that escapes into
    // code kos did not inline gets another hidden class than `new C()` gives: the library's own
    // methods then see two and deoptimize (jmespath's Lexer and Runtime, passed to methods that stayed
    // calls, ran 0.38x the library in the bench). Specialized again, such instances are made by their
    // constructor; the ones that never escape stay scalars.
    if (result.escapedInstanceSites.size > 0 && !sitesSettled) {
      sitesSettled = true;
      realInstanceSites = new Set([...(realInstanceSites ?? []), ...result.escapedInstanceSites]);
      attempt--;
      continue;
    }
    if (trace) trace.push({ pass: "specialize", source: previewSource(result.node) });
    runResidualPipeline(result.node, { disabled: new Set(options.disablePasses ?? []), fastmath: !!options.fastmath, sourceNames: result.sourceNames, trace, preview: previewSource, kosHelpers: options.kosHelpers ?? !options.referenceExpression });
    // Not a clean-up to switch off: the names functions get are values the program sees.
    keepFunctionNames(result.node, result.functionNames);
    // Split only what can fit once split: pako's Inflate#push left 237,757 nodes at the first attempt,
    // and trying to split it took 4.8 s before the attempt with less unrolling.
    const size = countNodes(result.node);
    outlined = disabled.has("outlineLargeBlocks") || size <= outlineLimit || size > MAX_TOTAL_NODES ? [] : outlineLargeBlocks(result.node, { limit: outlineLimit, strict: result.strict, nameFor: (i) => `${prefix}part${i}`, thisName: `${prefix}this`, ...(options.outlineLimit !== undefined ? { minNodes: Math.max(8, Math.min(100, Math.floor(outlineLimit / 8))) } : {}) });
    if (trace && outlined.length) trace.push({ pass: "outlineLargeBlocks", source: previewSource(result.node) });
    const nodes = outlined.length ? countNodes(result.node) : size;
    const total = outlined.reduce((sum, o) => sum + countNodes(o.node), nodes);
    if (nodes <= MAX_RESIDUAL_NODES && total <= MAX_TOTAL_NODES) break;
    if (request.guardedForIn && result.guardedForIns > 0) {
      guardedForIn = false;
      attempt--;
      continue;
    }
    // Too big for V8 to optimize well: unroll and speculate less, then give up.
    if (attempt === SIZE_RETRIES || (unrollBudget === 0 && maxForks === 0)) {
      throw new JitError("RESIDUAL_TOO_LARGE", `the specialized code has ${nodes} syntax nodes, more than ${MAX_RESIDUAL_NODES} (about ${Math.round((MAX_RESIDUAL_NODES * BYTECODE_PER_NODE) / 1024)} KB of V8 bytecode; V8 does not optimize functions over 60 KB), even with less unrolling and speculation`);
    }
    // A quarter of what the attempt used, where it used less than it had: fast-json-patch's
    // applyPatch on a 9-operation patch used under 750 of its 3,000 statements, and the retry
    // with 750 made the same 148,928 nodes again (1.7 s); the compile gave up after 5.4 s.
    unrollBudget = Math.floor(Math.min(unrollBudget, result.budgetUsed) / 4);
    maxForks = Math.floor(Math.min(maxForks, result.forksUsed) / 4);
  }
  const shared = { prefix, nextName: 0, trace, helpers: outlined.map((o): Helper => ({ name: o.name, node: o.node })) };
  // `arguments` of an arrow is its enclosing function's: no arity guard there.
  // A version for one argument count (argumentItems) needs no other arity guard.
  const arity = countCalls && options.arityDispatch && result.kind !== "arrow" && !argumentItems ? arityFor(result.node, { node: parsed.node, strict: result.strict }, result.formals, paramNames, (name) => specialize.has(name) || assume.has(name), outlined.map((o) => o.node)) : null;
  const unmappedArguments = !result.strict && !(parsed.node.params as Node[]).every((p) => p.type === "Identifier");
  const ctx = { shared, root: result.node, specialize, assume, strict: result.strict, kind: result.kind, formals: result.formals, contentGuards: result.contentGuards, fillsOwnCache: result.fillsOwnCache || (result.selfInvalidating && foldAbsent), usesNewTarget: result.usesNewTarget, receiverObject: result.receiverObject, fn, arity, unmappedArguments, ...(rest ? { rest } : {}), ...(argumentItems ? { argumentItems } : {}) };
  return assemble(ctx, parsed, options, countCalls);
}

/** Free names of any function kos specializes: read from its closure through the inspector. */
function lookupClosureBinding(fn: Function, name: string, reached = false): ReturnType<FreeLookup> {
  const info = readClosure(fn);
  if (!info.ok) return { found: false };
  const b = lookupBindingFor(fn, name, reached);
  // Globals resolve by name in generated code too (and built-ins are folded by the evaluator's own
  // rules). V8 lists every binding a function closes over, so a name it does not list is a global
  // (or undeclared, which throws in both). Only for this realm's functions: the generated code
  // reads this realm's global object.
  const sameRealm = fn instanceof Function;
  if (!b) return { found: false, global: sameRealm };
  if (b.scope === "global") return { found: false, global: sameRealm };
  if (b.tdz) return { found: true, value: undefined, stable: false, reason: `'${name}' is in its temporal dead zone` };
  if (b.stable && b.privateRegExp) return { found: true, value: b.value, stable: true, privateRegExp: true };
  if (b.stable) return b.scope === "closure" && b.kind === "param" ? { found: true, value: b.value, stable: true, factoryParam: true } : { found: true, value: b.value, stable: true };
  return { found: true, value: b.value, stable: false, reason: `${b.unstableReason ?? `'${name}' can be reassigned`}` };
}

const trustedOrPrimitive = (v: unknown): boolean => v === null || (typeof v !== "object" && typeof v !== "function");

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
  if (isTypedArray(value)) {
    const len = bin("===", { type: "MemberExpression", object: p(), property: { type: "Identifier", name: "length" }, computed: false, optional: false }, buildLiteral(value.length)!);
    return { test: and(identity, len), description: `${label} is the specialized ${value.constructor.name} (identity) with length ${value.length}`, kind: "identity" };
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

/** The call that takes a shorter call to its own version (see ArityDispatch.forward). */
function arityForward(arity: ArityDispatch, slot: string, params: Node[], callGeneric: Node): Node {
  const target: Node = { type: "Identifier", name: slot };
  if (arity.forward === "arguments") return { ...callGeneric, callee: { ...callGeneric.callee, object: target } };
  const args: Node[] = params.map((p) => ({ type: "Identifier", name: p.type === "Identifier" ? p.name : p.left.name }));
  if (arity.forward === "parameters") return { type: "CallExpression", callee: target, arguments: args, optional: false };
  return { type: "CallExpression", callee: { type: "MemberExpression", object: target, property: { type: "Identifier", name: "call" }, computed: false, optional: false }, arguments: [{ type: "ThisExpression" }, ...args], optional: false };
}

function assemble(ctx: AssembleContext, parsed: ParsedFunction, options: SourceOptions, countCalls: boolean): BuildResult {
  const shared = ctx.shared;
  const refNames: string[] = [];
  const refValues: unknown[] = [];
  const refByValue = new Map<unknown, string>();
  // Identifiers used anywhere in the output: a global may be written by name only if nothing can shadow it.
  const usedNames = new Set<string>();
  const noteNames = (n: Node) => walk(n, (x) => void (x.type === "Identifier" && usedNames.add(x.name)));
  noteNames(ctx.root);
  for (const h of shared.helpers) if (h.node) noteNames(h.node);
  // The version is a function expression of the original's name (below), which binds that name in its
  // body: a reference printed under it would call the version itself. A recursive `eq(a[k], b[k])` of a
  // function specialized on `b` then failed its guard at every nested call, counted a deoptimization
  // and ran the original (dequal and fast-deep-equal at 0.55-0.84x); it must call what `eq` names.
  if (parsed.name && ctx.kind === "function") usedNames.add(parsed.name);
  const reference = (value: unknown, path: ValuePath | null | string, sourceName?: string): Node => {
    if (path && typeof path === "object" && path.root === "global" && path.keys.length === 0 && !usedNames.has(path.name) && !refNames.includes(path.name) && (globalThis as Record<string, unknown>)[path.name] === value) {
      return { type: "Identifier", name: path.name };
    }
    if (options.referenceExpression) {
      const expr = options.referenceExpression(value);
      if (expr != null) return referenceExpressionNode(expr);
    }
    let name = refByValue.get(value);
    if (!name) {
      // The source's own name where no identifier of the output has it (so it shadows nothing the
      // code reads: the output is the body of a function whose parameters these names are).
      const own = sourceName !== undefined && /^[A-Za-z_$][\w$]*$/.test(sourceName) && !usedNames.has(sourceName) && !refNames.includes(sourceName) && !sourceName.startsWith(shared.prefix) && declarableName(sourceName) && !RESERVED_PARAMETER_NAMES.has(sourceName);
      name = own ? sourceName : freshName(shared, typeof path === "string" ? path : referenceHint(path));
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
    const g = guardFor(formalOf(name), value, (v, hint) => reference(v, hint), /^\d+$/.test(name) ? `argument ${name}` : name);
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
      const g = guardFor(item, value, (v, hint) => reference(v, hint), `${label}[${i}]`);
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
      const g = guardFor(item, value, (v, hint) => reference(v, hint), `arguments[${i}]`);
      assumptions.push({ param: String(i), kind: g.kind, description: g.description });
      guards.push(g.test);
    }
  }
  for (const [name, type] of ctx.assume) {
    if (ctx.specialize.has(name)) continue;
    assumptions.push({ param: name, kind: "type", description: `${name} is ${type}${trusted.has(name) ? " (trusted, not checked)" : ""}` });
    if (!trusted.has(name)) guards.push(typeGuard(formalOf(name), type, (v, hint) => reference(v, hint)));
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
    const test = contentGuardTest(ctx.contentGuards, (v, hint) => reference(v, hint))!;
    assumptions.push({ param: "(contents)", kind: "content", description: `${ctx.contentGuards.length} folded propert${ctx.contentGuards.length === 1 ? "y" : "ies"} of unfrozen objects unchanged`, ...(ctx.fillsOwnCache ? { fillsCache: true } : {}) });
    guards.push(test);
  }

  // On a failed guard: count it, then run the original with the same receiver and arguments.
  const thisArg = { type: "ThisExpression" };
  const callGeneric: Node = {
    type: "CallExpression",
    callee: { type: "MemberExpression", object: { type: "Identifier", name: genericName }, property: { type: "Identifier", name: "apply" }, computed: false, optional: false },
    arguments: [thisArg, { type: "Identifier", name: "arguments" }],
    optional: false,
  };
  const arityName = `${shared.prefix}arity`;
  const argumentsLength: Node = { type: "MemberExpression", object: { type: "Identifier", name: "arguments" }, property: { type: "Identifier", name: "length" }, computed: false, optional: false };
  const guardStatements: Node[] = guards.map((test, i) => ({
    type: "IfStatement",
    test: { type: "UnaryExpression", operator: "!", prefix: true, argument: test },
    consequent: {
      type: "BlockStatement",
      body: [
        // A shorter call runs the version made for it once there is one (set through the module's
        // third export), else reports its argument count: what that version is specialized for.
        // Through `jit`'s forwarding function instead, such a call cost 9-100 ns more than calling
        // the version itself; through this slot, 0.6 ns (.scratch/hop3.mjs, a 2 ns function).
        ...(ctx.arity && i === 0
          ? [{
              type: "IfStatement",
              test: { type: "BinaryExpression", operator: "!==", left: { type: "Identifier", name: arityName }, right: buildLiteral(null)! },
              consequent: { type: "ReturnStatement", argument: arityForward(ctx.arity, arityName, root.params as Node[], callGeneric) },
              alternate: null,
            }]
          : []),
        { type: "ExpressionStatement", expression: { type: "CallExpression", callee: { type: "Identifier", name: deoptName }, arguments: ctx.arity && i === 0 ? [buildLiteral(i), argumentsLength] : [buildLiteral(i)], optional: false } },
        { type: "ReturnStatement", argument: callGeneric },
      ],
    },
    alternate: null,
  }));
  const counter: Node[] = countCalls
    ? [{ type: "ExpressionStatement", expression: { type: "UpdateExpression", operator: "++", prefix: false, argument: { type: "Identifier", name: callsName } } }]
    : [];
  // While jit times an explicit version against the original, or once it found it slower, calls
  // go to a route it sets (compiler/gain-check.ts): a null test, for versions of at least
  // GAIN_CHECK_MIN_NODES (below). `route.apply(this, arguments)`, as a failed guard calls the
  // original: V8 forwards the caller's arguments without making the object. With the intrinsic
  // Reflect.apply passed in as a value it made it, and forwarding to the original cost a 4 ns
  // function 8 ns a call (.scratch/routefwd.mjs). Constructions run the body (exact either way).
  const routeName = `${shared.prefix}route`;
  const routeCheck = (): Node[] => [{
        type: "IfStatement",
        test: ctx.kind === "function"
          ? { type: "LogicalExpression", operator: "&&", left: { type: "BinaryExpression", operator: "!==", left: { type: "Identifier", name: routeName }, right: buildLiteral(null)! }, right: { type: "BinaryExpression", operator: "===", left: { type: "MetaProperty", meta: { type: "Identifier", name: "new" }, property: { type: "Identifier", name: "target" } }, right: { type: "UnaryExpression", operator: "void", prefix: true, argument: buildLiteral(0)! } } }
          : { type: "BinaryExpression", operator: "!==", left: { type: "Identifier", name: routeName }, right: buildLiteral(null)! },
        consequent: { type: "ReturnStatement", argument: { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: { type: "Identifier", name: routeName }, property: { type: "Identifier", name: "apply" }, computed: false, optional: false }, arguments: [thisArg, { type: "Identifier", name: "arguments" }] } },
    alternate: null,
  }];

  const name = parsed.name && /^[A-Za-z_$][\w$]*$/.test(parsed.name) && !RESERVED.has(parsed.name) && !KNOWN_GLOBALS.has(parsed.name) ? parsed.name : null;
  const body = root.body.body;
  const directives = body.filter((s: Node) => typeof s.directive === "string");
  const rest = body.filter((s: Node) => typeof s.directive !== "string");
  // `new` on the specialized function runs the same body with a fresh `this` whose prototype is the
  // original's (instantiate.ts gives it fn.prototype), exactly as `new fn()` would. A function that
  // reads `new.target` was specialized for calls (it read undefined): a construction runs the original.
  const construct: Node[] = ctx.usesNewTarget && ctx.kind === "function"
    ? [{
        type: "IfStatement",
        test: { type: "BinaryExpression", operator: "!==", left: { type: "MetaProperty", meta: { type: "Identifier", name: "new" }, property: { type: "Identifier", name: "target" } }, right: { type: "UnaryExpression", operator: "void", prefix: true, argument: buildLiteral(0)! } },
        consequent: { type: "ReturnStatement", argument: { type: "CallExpression", optional: false, callee: reference(Reflect.construct, "construct"), arguments: [{ type: "Identifier", name: genericName }, { type: "Identifier", name: "arguments" }, { type: "MetaProperty", meta: { type: "Identifier", name: "new" }, property: { type: "Identifier", name: "target" } }] } },
        alternate: null,
      }]
    : [];
  const fnExpr: Node = {
    type: "FunctionExpression",
    id: name && ctx.kind === "function" ? { type: "Identifier", name } : null,
    params: keepUnmapped(root.params as Node[], !!ctx.unmappedArguments, `${shared.prefix}unmapped`),
    generator: false,
    async: false,
    body: { type: "BlockStatement", body: [...directives, ...counter, ...construct, ...guardStatements, ...rest] },
  };
  // Arrows and methods are not constructors and have no prototype: a method keeps that, and has its own `arguments` for the fallback call.
  const methodKey = name ?? "f";
  const main: Node = ctx.kind === "function"
    ? fnExpr
    : {
        type: "MemberExpression", computed: false, optional: false,
        object: { type: "ObjectExpression", properties: [{ type: "Property", kind: "init", method: true, shorthand: false, computed: false, key: { type: "Identifier", name: methodKey }, value: fnExpr }] },
        property: { type: "Identifier", name: methodKey },
      };

  // After its guard, a specialized object parameter *is* the value: read the local, not the closure.
  const assignedNames = new Set<string>();
  walk(fnExpr.body, (n) => {
    if ((n.type === "AssignmentExpression" && n.left.type === "Identifier") || (n.type === "UpdateExpression" && n.argument.type === "Identifier")) assignedNames.add((n.left ?? n.argument).name);
  });
  const redeclared = varRedeclared(rest);
  const paramOfValue = new Map<unknown, string>();
  // The receiver first: where a parameter holds the same object, `this` reads it as well.
  const receiver = ctx.kind !== "arrow" && ctx.specialize.has("this") ? ctx.specialize.get("this") : undefined;
  if (receiver !== undefined && !trustedOrPrimitive(receiver)) paramOfValue.set(receiver, THIS);
  for (const [pname, value] of ctx.specialize) {
    if (pname === "this" || trustedOrPrimitive(value) || paramOfValue.has(value)) continue;
    const f = ctx.formals.find((x) => x.source === pname && x.name === pname);
    if (f && !assignedNames.has(f.name) && !redeclared.has(f.name)) paramOfValue.set(value, f.name);
  }
  readParamsForConstants(rest, paramOfValue);

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

  // The route test costs what the version's size makes noise of: the version's code, helpers
  // included; or what the program's own code it calls takes (residual/foreign-calls.ts).
  const routed = countCalls && (countNodes(fnExpr) + used.reduce((n, h) => n + countNodes(h.node), 0) >= GAIN_CHECK_MIN_NODES || callsProgramFunction([...rest, ...used.map((h) => h.node)], (callee) => {
    // A constant not yet named (emit.ts materializes them), or one named already; kos's own helpers are not the program's.
    const i = callee.type === "Identifier" ? refNames.indexOf(callee.name) : -1;
    const value = callee.type === "KosConst" ? callee.value : i < 0 ? undefined : refValues[i];
    return KOS_FUNCTIONS.includes(value as Function) ? undefined : value;
  }));
  if (routed) fnExpr.body.body.splice(directives.length, 0, ...routeCheck());
  const strictPrologue = ctx.strict ? [{ type: "ExpressionStatement", expression: buildLiteral("use strict"), directive: "use strict" }] : [];
  // `var`, not `let`: a `let` context slot pays a temporal-dead-zone check on every increment.
  const callsDecl = countCalls ? [{ type: "VariableDeclaration", kind: "var", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name: callsName }, init: buildLiteral(0) }, ...(routed ? [{ type: "VariableDeclarator", id: { type: "Identifier", name: routeName }, init: buildLiteral(null) }] : []), ...(ctx.arity ? [{ type: "VariableDeclarator", id: { type: "Identifier", name: arityName }, init: buildLiteral(null) }] : [])] }] : [];
  // Runtime form: `return [main, () => calls]`, so the dispatcher can read the counter (then, for a
  // routed version, `(f) => route = f` to set its route, and with an arity guard, `(f) => arity = f`
  // to set the version for shorter calls); the function takes the original's name, length and
  // prototype (so `new j() instanceof fn`).
  const setter = (target: string): Node => ({ type: "ArrowFunctionExpression", params: [{ type: "Identifier", name: "f" }], expression: true, async: false, generator: false, body: { type: "AssignmentExpression", operator: "=", left: { type: "Identifier", name: target }, right: { type: "Identifier", name: "f" } } });
  const returned: Node = countCalls
    ? { type: "ArrayExpression", elements: [main, { type: "ArrowFunctionExpression", params: [], expression: true, async: false, generator: false, body: { type: "Identifier", name: callsName } }, ...(routed ? [setter(routeName)] : []), ...(ctx.arity ? [setter(arityName)] : [])] }
    : main;
  const program: Node = { type: "Program", sourceType: "script", body: [...strictPrologue, ...callsDecl, ...helperDecls, { type: "ReturnStatement", argument: returned }] };
  materialize(program, reference);
  let bodySource = generateSource(program);
  // Under `node --enable-source-maps` (or process.setSourceMapsEnabled), generated code maps its
  // statements back to the function's own file and lines, so stack traces and debuggers show them.
  // Off otherwise: finding the function's file costs an inspector round trip.
  const location = countCalls && ctx.fn && (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled ? functionLocation(ctx.fn) : null;
  if (location && location.exact !== false) {
    const map = new SourceMapGenerator(sourceMapOptionsFor(location, { prefixLength: 1, generatedLineOffset: 2, generatedFile: `kos://${parsed.name || "anonymous"}.js` }));
    bodySource = `${generate(program, { ...PRINT_OPTIONS, sourceMap: map as never, generator: createMappedGenerator() as never })}\n${sourceMappingURLComment(map.toJSON())}`;
  }
  // A final parse catches any printing mistake before it can become a miscompile: here for source
  // that leaves as text (kos build). At run time `new Function` parses it anyway, and a SyntaxError
  // there falls back as INTERNAL (instantiate.ts); a second parse was 4 ms of a 36 ms warm compile
  // of mustache's render (/tmp profile of 13 compiles).
  // (With `privateNames` the code's `#x` are declared by the class kos build places it in.)
  if (!countCalls) acorn.parse(bodySource, { ecmaVersion: "latest", sourceType: "script", allowReturnOutsideFunction: true, checkPrivateFields: !parsed.privateNames });

  const exprProgram: Node = { type: "ArrowFunctionExpression", params: [], expression: false, async: false, generator: false, body: { type: "BlockStatement", body: [...strictPrologue, ...helperDecls, { type: "ReturnStatement", argument: main }] } };
  // Printed only when asked for (kos build, the compile cache): the runtime path uses `body`.
  let expression: string | undefined;
  return {
    ok: true,
    body: bodySource,
    get expression() {
      return (expression ??= `(${generateSource(countCalls ? { ...exprProgram, body: { type: "BlockStatement", body: program.body } } : exprProgram)})()`);
    },
    refNames,
    refValues,
    genericName,
    deoptName,
    callsName,
    assumptions,
    passes: shared.trace,
    helperCount: used.length,
    arity: ctx.arity ?? null,
    routed,
  };
}

/**
 * A sloppy function whose parameters are not all plain names has an unmapped `arguments`: writing
 * a parameter leaves `arguments[i]` as it was, and `arguments.callee` throws. The residual's
 * parameters can all be plain names (defaults and patterns move into the body), which would map
 * them: the compiled version returned itself for `arguments.callee` where the original threw. A
 * default of `void 0` on the last one keeps the list non-simple, and changes no value (the
 * version's `length` is the original's anyway, instantiate.ts).
 */
function keepUnmapped(params: Node[], unmapped: boolean, extraName: string): Node[] {
  if (!unmapped || !params.every((p) => p.type === "Identifier")) return params;
  const undef: Node = { type: "UnaryExpression", operator: "void", prefix: true, argument: buildLiteral(0)! };
  if (params.length === 0) return [{ type: "AssignmentPattern", left: { type: "Identifier", name: extraName }, right: undef }];
  return [...params.slice(0, -1), { type: "AssignmentPattern", left: params[params.length - 1], right: undef }];
}

/** `kos build` names module-level values with dotted paths; anything else is refused. */
function referenceExpressionNode(expr: string): Node {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(expr)) {
    throw new JitError("BAD_OPTIONS", `referenceExpression must return a dotted path of identifiers, got ${JSON.stringify(expr)}`);
  }
  return acorn.parseExpressionAt(expr, 0, { ecmaVersion: "latest" }) as Node;
}

export type { JitOptions };
