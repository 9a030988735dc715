/**
 * One compilation, from a live function to a specialized version: parse,
 * check what is supported, specialize (again, with smaller budgets or with
 * some sites made real, where an attempt says so), run the clean-up, and hand
 * the body to assemble.ts for its guards and source; at run time
 * instantiate.ts makes the function. `kos build` stops before `new Function`
 * and takes the source instead.
 */
import { monotonicMs } from "../intrinsic-clocks.js";
import { OwnKeysChecks } from "./content-guards.js";
import * as acorn from "acorn";
import { countNodes, type Node } from "./ast.js";
import { parseFunction, type ParsedFunction } from "./parse.js";
import { JitError } from "./jit-error.js";
import { argumentsOnlyRead } from "./arguments-reads.js";
import { PASS_NAMES, runResidualPipeline } from "./residual/pipeline.js";
import { outlineLargeBlocks, type Outlined } from "./residual/outline-blocks.js";
import { outlineThrows } from "./residual/outline-throws.js";
import { letTemporariesToVar } from "./residual/var-temporaries.js";
import { OUTLINE_THROWS_PASS, VAR_TEMPORARIES_PASS } from "./pass-names.js";
import { keepFunctionNames } from "./residual/function-names.js";
import { previewSource } from "./emit.js";
import { deepFreeze } from "./values.js";
import type { JitOptions, PassSnapshot, SourceOptions, TypeAssumption } from "./types.js";
import { InstanceEscaped, MAX_FORKS, specializeFunction, type FreeLookup, type InConstructorAllocations, type InlinedCount } from "./specialize/index.js";
import { argumentsEscapeBeforeRead } from "./arguments-escape.js";
import { lookupBindingFor, readClosure, readPrivateField, releaseDebugger } from "./discover/closure.js";
import { arityFor } from "./arity-dispatch.js";
import { assemble, type BuildResult, type Helper } from "./assemble.js";
import { specializedNothing } from "./nothing-specialized.js";

export type { BuildResult };

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
 * What speculation's generic branches (specialize/speculation.ts) may emit in all: half the total
 * bound, which leaves the other half to the speculated code, as the 6,000 of its default does of
 * one function's bound. At 6,000, valibot's unfrozen 9-property schema stopped speculating at its
 * sixth property (167 forks need 25,700 nodes) and ran at 1.00x the library; at 24,000 it unrolls
 * all nine, outlined into 10 functions of 40,340 nodes in all, and runs at 1.95x (1.51 against
 * 0.77 us a call, deep-frozen 0.47 us; the other real interpreters' rows and compile times
 * unchanged within noise; .scratch/vbboth.mjs, .scratch/mgall.mjs).
 */
const MAX_GENERIC_NODES = MAX_TOTAL_NODES / 2;
/**
 * An unrolled for-in emits 2.3-2.5 times the nodes the clean-up keeps (valibot's schemas): a
 * compile whose guarded for-in emitted this many cannot fit the total bound once cleaned up, and
 * stops early (for-in-of.ts) to try again with the loop kept. Bounded by one function's size
 * instead, valibot's schema stopped at its third property, before outlining could split it.
 */
const FOR_IN_NODES = Math.round(2.4 * MAX_TOTAL_NODES);
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
  try {
    return build(fn, options, countCalls);
  } finally {
    // What discovery switched on is off before the version runs (script-registry.ts).
    releaseDebugger();
  }
}

function build(fn: Function, options: SourceOptions, countCalls: boolean): BuildResult {
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
  const requested = options.freeze ?? "guard";
  if (requested === "deep") for (const v of [...specialize.values(), ...(rest?.known.values() ?? []), ...(argumentItems?.known.values() ?? [])]) deepFreeze(v);
  // Once frozen, the specialized values fold with no guard under "guard" too; what they do not reach
  // (a library's module object, a closure's tables) is no more the caller's to freeze than before,
  // and is folded behind guards as by default. Read at run time instead, json-logic-js's
  // `jit(apply, { specialize: { logic }, freeze: "deep" })` kept every `jsonLogic.apply(…)` call
  // and ran at 1.0x the library, against 8x unfrozen (.scratch/jlt.mjs). `kos build` keeps
  // folding frozen objects only (frozenOnly): its output cannot name what such a guard reads.
  const freeze = requested === "deep" && !options.frozenOnly ? "guard" : requested;

  // The function's name too: a version may be named by it (`api.$k_generic`, sweep41).
  const prefix = choosePrefix(`${parsed.source} ${parsed.name ?? ""}`);
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
  const deadline = { at: monotonicMs() + budgetMs, budgetMs };
  // Which callee the attempts inlined most, counted over all of them: a retry cut by the deadline
  // already past names what the attempt before it spent the time on (inline-counts.ts).
  const inlinedCounts = new Map<Function, InlinedCount>();
  let maxForks = MAX_FORKS;
  let foldAbsent = true;
  let stateKeys: Map<object, Set<PropertyKey>> | null = null;
  let realInstanceSites: Set<object> | null = null;
  // Attempts ended early at an escaping instance (InstanceEscaped): each makes one more site real.
  let instanceStops = 0;
  // Set once an attempt ran to its end with stops off and its escaped sites were made real.
  let sitesSettled = false;
  let guardedForIn = true;
  // Reads of the function's own `arguments` run no code while the object never escapes
  // (specialize/own-arguments.ts); an attempt whose residual lets it escape is made again without.
  let ownArgumentsKept = true;
  let result: ReturnType<typeof specializeFunction>;
  let outlined: Outlined[] = [];
  // Keys checks written out for this compile's guards (content-guards.ts), its attempts included:
  // only those the version calls are emitted (assemble.ts).
  const ownKeysChecks = new OwnKeysChecks(prefix);
  // Facts about the source's text, the same in every attempt (mustache's render made four).
  const readsMemoryOf = new WeakMap<Node, boolean>();
  // Where the generated code is made into a function here (not `kos build`'s text): reads that may
  // throw do from a helper (residual/nullish-reads.ts).
  const nullReads = options.referenceExpression ? {} : { nullReads: { helper: `${prefix}nullRead`, prefix, originalNodes: countNodes(parsed.node) } };
  // Whether any closure or module binding was read (the compile cache, cache.ts, keys on the text and the given values only).
  let closureRead = false;
  const lookupFree: FreeLookup = (f, name, reached) => {
    const found = lookupClosureBinding(f, name, reached);
    // A function's own name holding that function for good (a recursive declaration): its text is
    // the key's, or came with the read that reached it.
    if (found.found && !(found.stable && found.value === f)) closureRead = true;
    return found;
  };
  const forkMissHook = options.forkMisses && countCalls ? { forkMissHook: `${prefix}deopt` } : {};
  // An instance that escapes before its constructor is done is first allocated where it escapes
  // (specialize/fast-path-escapes.ts). From the first such escape on, the attempts have a quarter of
  // the compile's time, and at most half of what is left; where they run out of it, or of size, the
  // compile starts again with those instances made by `new` as written, as it did before (where the
  // first escape stopped the attempt, and the attempt after it took about 1 ms): jsonpath-plus with
  // its path cache cold, its constructor's work over a path kos does not know, did not fit (14,798
  // nodes after 14.5 s unbounded), where `new` as written compiled in 2.7-3.3 s; warm, the whole
  // compile took 0.8-1.5 s, 0.45 s of it before the first such escape.
  const inConstructorDeadline = { at: deadline.at, budgetMs };
  let inConstructor: InConstructorAllocations | null = {
    sites: new Set(),
    firstUsed: () => {
      const now = monotonicMs();
      inConstructorDeadline.at = now + Math.min(budgetMs / 4, Math.max(0, deadline.at - now) / 2);
    },
  };
  const initialBudgets = { unrollBudget, maxForks };
  const withoutInConstructor = (sites: ReadonlySet<object>): void => {
    inConstructor = null;
    ({ unrollBudget, maxForks } = initialBudgets);
    realInstanceSites = new Set([...(realInstanceSites ?? []), ...sites]);
    sitesSettled = false;
  };
  for (let attempt = 0; ; attempt++) {
    const request = {
      fn, specialize, assume, scope: scopeValues, freeze, fastmath: !!options.fastmath,
      unrollBudget, maxForks, inlineCalls: !disabled.has("inlineCalls"), deadline: inConstructor ? inConstructorDeadline : deadline, inlinedCounts,
      ...(inConstructor ? { allocateInConstructor: inConstructor } : {}),
      prefix, lookupFree, lookupPrivate: readPrivateField, ...forkMissHook, ...(rest ? { rest } : {}), ...(argumentItems ? { argumentItems } : {}), foldAbsent, ...(stateKeys ? { stateKeys } : {}), ...(privateNames ? { privateNames } : {}), ...(options.strictKnown ? { strictKnown: true } : {}),
      ...(realInstanceSites ? { realInstanceSites } : {}),
      ...(instanceStops < MAX_INSTANCE_STOPS && !sitesSettled ? { stopAtInstanceEscape: true } : {}),
      ...(ownArgumentsKept ? { ownArgumentsKept: true } : {}),
      // A for-in over an unfrozen object unrolls only where the whole unrolled function fits (see
      // below): partly unrolled, valibot's 9-property schema ran at 0.85x the library, its last
      // properties in a residual loop of a function too big for V8 to inline into.
      guardedForIn: guardedForIn && attempt === 0,
      // Stopping where its own code reaches FOR_IN_NODES ends early a compile that would not fit.
      forInNodes: FOR_IN_NODES,
      maxGenericNodes: MAX_GENERIC_NODES,
      ownKeysChecks,
      readsMemoryOf,
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
      // Joins past their bound where a for-in over an unfrozen object unrolled (specialize/joins.ts,
      // MAX_JOIN_WORK_GUARDED_FOR_IN): the same attempt again, with those loops kept.
      if (e instanceof JitError && e.code === "RESIDUAL_TOO_LARGE" && request.guardedForIn) {
        guardedForIn = false;
        attempt--;
        continue;
      }
      // Whatever ended an attempt that went on past an instance allocated in its constructor: as before.
      if (inConstructor?.sites.size && e instanceof JitError) {
        withoutInConstructor(inConstructor.sites);
        attempt = -1;
        continue;
      }
      throw e;
    }
    // Reads of the own `arguments` taken to run no code, where the residual may let it escape before
    // one of them (arguments-escape.ts): the same attempt again, those reads counted as foreign code.
    if (result.ownArgumentsReadsKept && argumentsEscapeBeforeRead(result.node, result.plainArgumentReads, [...result.callbackBodies, ...result.versions.map((v) => v.node)], result.ownArgumentsFolded)) {
      ownArgumentsKept = false;
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
    // A value folded from a key the code itself then stores (state an object keeps across calls: a
    // seeded generator's `me.i = i`, a queue's `this.length--`) fails its entry guard on every call
    // that changed it, and the call runs the original: seedrandom's `quick`, specialized, deopted on
    // every call and ran 77 ns against 33 ns for the library. Specialized again, once, those keys
    // are read at run time.
    if (result.foldedStoredKeys.length && !stateKeys) {
      stateKeys = new Map();
      for (const { obj, key } of result.foldedStoredKeys) {
        let keys = stateKeys.get(obj);
        if (!keys) stateKeys.set(obj, (keys = new Set()));
        keys.add(typeof key === "number" ? String(key) : key);
      }
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
    // Parameters the entry guards check to be objects: their reads need no null check (nullish-reads.ts).
    const objectParams = new Set<string>();
    for (const [name, type] of assume) if (type === "object" || type === "array" || type === "function" || type.startsWith("typedarray:")) objectParams.add(result.formals.find((f) => f.source === name)?.name ?? name);
    const cleanupTime = () => overDeadline(deadline, `cleaning up the specialized code${result.mostInlined}`);
    runResidualPipeline(result.node, { disabled: new Set(options.disablePasses ?? []), fastmath: !!options.fastmath, sourceNames: result.sourceNames, trace, preview: previewSource, kosHelpers: options.kosHelpers ?? !options.referenceExpression, ...nullReads, ...forkMissHook, objectParams, checkTime: cleanupTime });
    // Residual versions (specialize/residual-versions.ts) are functions of their own, cleaned up
    // alike. Their clock checks end only what the check after them would end.
    for (const c of result.callbackBodies) runResidualPipeline(c, { disabled: new Set(options.disablePasses ?? []), fastmath: !!options.fastmath, sourceNames: result.sourceNames, trace: null, preview: previewSource, kosHelpers: options.kosHelpers ?? !options.referenceExpression, ...nullReads, ...forkMissHook, checkTime: cleanupTime });
    for (const v of result.versions) runResidualPipeline(v.node, { disabled: new Set(options.disablePasses ?? []), fastmath: !!options.fastmath, sourceNames: result.sourceNames, trace: null, preview: previewSource, kosHelpers: options.kosHelpers ?? !options.referenceExpression, ...nullReads, ...forkMissHook, checkTime: cleanupTime });
    cleanupTime();
    // Not a clean-up to switch off: the names functions get are values the program sees.
    keepFunctionNames(result.node, result.functionNames);
    for (const v of result.versions) keepFunctionNames(v.node, result.functionNames);
    // Split only what can fit once split: pako's Inflate#push left 237,757 nodes at the first attempt,
    // and trying to split it took 4.8 s before the attempt with less unrolling.
    const size = countNodes(result.node);
    // The split checks the clock as it goes where the attempt cannot be kept without it: past the
    // time, a split that moved something ends the compile (below), and one that did not leaves a
    // function too large, whose next attempt ends at its first clock check. A residual that fits
    // unsplit (a smaller `outlineLimit`) is split to its end, as before.
    const splitTime = size > MAX_RESIDUAL_NODES ? { checkTime: () => overDeadline(deadline, `splitting the specialized code into functions V8 optimizes${result.mostInlined}`) } : {};
    outlined = disabled.has("outlineLargeBlocks") || size <= outlineLimit || size > MAX_TOTAL_NODES ? [] : outlineLargeBlocks(result.node, { limit: outlineLimit, strict: result.strict, nameFor: (i) => `${prefix}part${i}`, thisName: `${prefix}this`, ...(options.outlineLimit !== undefined ? { minNodes: Math.max(8, Math.min(100, Math.floor(outlineLimit / 8))) } : {}), ...splitTime });
    if (trace && outlined.length) trace.push({ pass: "outlineLargeBlocks", source: previewSource(result.node) });
    if (outlined.length) overDeadline(deadline, `splitting the specialized code into functions V8 optimizes${result.mostInlined}`);
    const nodes = outlined.length ? countNodes(result.node) : size;
    const total = [...outlined, ...result.versions].reduce((sum, o) => sum + countNodes(o.node), nodes);
    // A residual version is not split (outlining reads the root only): each must fit as the root does.
    const largestVersion = result.versions.reduce((m, v) => Math.max(m, countNodes(v.node)), 0);
    if (nodes <= MAX_RESIDUAL_NODES && total <= MAX_TOTAL_NODES && largestVersion <= MAX_RESIDUAL_NODES) break;
    if (request.guardedForIn && result.guardedForIns > 0) {
      guardedForIn = false;
      attempt--;
      continue;
    }
    // Too big for V8 to optimize well: unroll and speculate less, then give up.
    if (attempt === SIZE_RETRIES || (unrollBudget === 0 && maxForks === 0)) {
      if (inConstructor?.sites.size) {
        withoutInConstructor(inConstructor.sites);
        attempt = -1;
        continue;
      }
      throw new JitError("RESIDUAL_TOO_LARGE", `the specialized code has ${largestVersion > nodes ? `a function of ${largestVersion}` : nodes} syntax nodes, more than ${MAX_RESIDUAL_NODES} (about ${Math.round((MAX_RESIDUAL_NODES * BYTECODE_PER_NODE) / 1024)} KB of V8 bytecode; V8 does not optimize functions over 60 KB), even with less unrolling and speculation`);
    }
    // A quarter of what the attempt used, where it used less than it had: fast-json-patch's
    // applyPatch on a 9-operation patch used under 750 of its 3,000 statements, and the retry
    // with 750 made the same 148,928 nodes again (1.7 s); the compile gave up after 5.4 s.
    unrollBudget = Math.floor(Math.min(unrollBudget, result.budgetUsed) / 4);
    maxForks = Math.floor(Math.min(maxForks, result.forksUsed) / 4);
  }
  // Guards in front of the original's own code cost every call and gain nothing (nothing-specialized.ts).
  // Only where it is installed: `kos build` and specializeToSource write what they are asked for.
  if (countCalls && !options.referenceExpression && outlined.length === 0 && specializedNothing(parsed.node, result)) {
    throw new JitError("NOTHING_SPECIALIZED", "the specialized code is the original's own (nothing folded, inlined or unrolled on what it was given): it runs as it is");
  }
  // After the check above: moving a throw is no specialization of the original's code.
  const throwHelpers = disabled.has(OUTLINE_THROWS_PASS) ? [] : outlineThrows([result.node, ...result.versions.map((v) => v.node), ...outlined.map((o) => o.node)], (i) => `${prefix}throw${i}`);
  if (trace && throwHelpers.length) trace.push({ pass: OUTLINE_THROWS_PASS, source: previewSource(result.node) });
  if (!disabled.has(VAR_TEMPORARIES_PASS)) {
    let changed = false;
    for (const f of [result.node, ...result.versions.map((v) => v.node), ...outlined.map((o) => o.node)]) changed = letTemporariesToVar(f) || changed;
    if (trace && changed) trace.push({ pass: VAR_TEMPORARIES_PASS, source: previewSource(result.node) });
  }
  const shared = { prefix, nextName: 0, trace, helpers: [...[...result.versions, ...outlined].map((o): Helper => ({ name: o.name, node: o.node })), ...throwHelpers] };
  // Emitted only where a function calls it (assemble.ts).
  if (nullReads.nullReads) shared.helpers.push({ name: nullReads.nullReads.helper, node: nullReadHelper() });
  // `arguments` of an arrow is its enclosing function's: no arity guard there.
  // A version for one argument count (argumentItems) needs no other arity guard.
  const arity = countCalls && options.arityDispatch && result.kind !== "arrow" && !argumentItems ? arityFor(result.node, { node: parsed.node, strict: result.strict }, result.formals, paramNames, (name) => specialize.has(name) || assume.has(name), outlined.map((o) => o.node)) : null;
  const unmappedArguments = !result.strict && !(parsed.node.params as Node[]).every((p) => p.type === "Identifier");
  const ctx = { shared, ownKeysChecks, root: result.node, specialize, assume, strict: result.strict, kind: result.kind, formals: result.formals, contentGuards: result.contentGuards, fillsOwnCache: result.fillsOwnCache || (result.selfInvalidating && foldAbsent), usesNewTarget: result.usesNewTarget, receiverObject: result.receiverObject, fn, arity, unmappedArguments, ...(rest ? { rest } : {}), ...(argumentItems ? { argumentItems } : {}) };
  const built = assemble(ctx, parsed, options, countCalls);
  if (closureRead || result.modeRead) built.outsideKey = true;
  return built;
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
  const declared = b.kind === "function" ? { declaredFunction: true as const } : {};
  if (b.stable) return b.scope === "closure" && b.kind === "param" ? { found: true, value: b.value, stable: true, factoryParam: true } : { found: true, value: b.value, stable: true, ...declared };
  return { found: true, value: b.value, stable: false, reason: `${b.unstableReason ?? `'${name}' can be reassigned`}`, ...declared };
}

export type { JitOptions };

/**
 * Ends the compile where the phases after specialization took it past `maxCompileMs`: the
 * specializer checks its own clock, the clean-up and the split after it did not (nedb's `match`,
 * 1.3 s of clean-up and splitting after 5 s of specialization, sweep40).
 */
function overDeadline(deadline: { at: number; budgetMs: number }, what: string): void {
  if (monotonicMs() > deadline.at) throw new JitError("RESIDUAL_TOO_LARGE", `the compile took more than its ${deadline.budgetMs} ms (maxCompileMs), ${what}: it inlines and unrolls more than it can pay back`);
}

/** `function (o, k) { return o[k]; }`: called only with a null or undefined `o`, so it always throws the read's own TypeError. */
function nullReadHelper(): Node {
  const o: Node = { type: "Identifier", name: "o" };
  const k: Node = { type: "Identifier", name: "k" };
  return { type: "FunctionExpression", id: null, params: [o, k], async: false, generator: false, expression: false, body: { type: "BlockStatement", body: [{ type: "ReturnStatement", argument: { type: "MemberExpression", object: { ...o }, property: { ...k }, computed: true, optional: false } }] } };
}
