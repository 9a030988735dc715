/**
 * The partial evaluator's entry: specializes one function on what is known
 * of its parameters, receiver and closure, and returns the residual
 * function. The node families are loaded here (each adds its methods to
 * `Specializer`, see specializer.ts).
 */
import type { OwnKeysChecks } from "../content-guards.js";
import type { Node } from "../ast.js";
import { JitError } from "../jit-error.js";
import { Specializer, id, type Frame, type FreeLookup, type PrivateLookup, type InConstructorAllocations, type InlinedCount } from "./specializer.js";
import { D, S, type Val } from "./values.js";
import { isProxyValue } from "./builtin-calls.js";
import { isBuiltin } from "../builtins.js";
import { readsAsAliasedArrayMethod } from "../arguments-reads.js";
import type { FreezePolicy, TypeAssumption } from "../types.js";
import "./foreign-state.js";
import "./temporaries.js";
import "./jump-targets.js";
import "./joins.js";
import "./slots.js";
import "./virtual-objects.js";
import "./fast-path-escapes.js";
import "./expressions.js";
import "./identifiers.js";
import "./branch-values.js";
import "./apply-guards.js";
import "./assignments.js";
import "./objects.js";
import "./object-literals.js";
import "./calls.js";
import "./call-dispatch.js";
import "./new-expressions.js";
import "./optional-chains.js";
import "./inlining.js";
import "./inline-counts.js";
import "./binding-readers.js";
import "./choice-calls.js";
import "./constructors.js";
import "./patterns.js";
import "./statements.js";
import "./if-statements.js";
import "./switch-statements.js";
import "./try-statements.js";
import "./try-held-objects.js";
import "./narrowing.js";
import "./loops.js";
import "./residual-loops.js";
import "./loop-invariants.js";
import "./verbatim.js";
import "./callback-bodies.js";
import "./guarded-reads.js";
import "./own-arguments.js";
import "./collection-reads.js";
import "./fixed-getters.js";
import "./speculation.js";
import "./method-guards.js";
import "./closures.js";
import "./lazy-closures.js";
import "./fresh-array-calls.js";
import "./array-scans.js";
import "./function-names.js";
import "./residual-versions.js";
import type { ContentGuard } from "./guarded-reads.js";
export { MAX_FORKS } from "./speculation.js";
export { InstanceEscaped } from "./specializer.js";
export type { InConstructorAllocations, InlinedCount } from "./specializer.js";

export interface SpecializeRequest {
  fn: Function;
  /** kos build's `privateNames`: the root's `#names` stay residual (private-names.ts). */
  privateNames?: boolean;
  /** kos build's `strictKnown`: the root runs in strict mode, whatever its text says. */
  strictKnown?: boolean;
  /** `new` expressions to leave as calls of their constructor (their instances escaped in an earlier attempt). */
  realInstanceSites?: ReadonlySet<object>;
  /** End the attempt with InstanceEscaped at the first instance kos made that escapes. */
  stopAtInstanceEscape?: boolean;
  /** Instances that escape while their own constructor runs in place are allocated there (fast-path-escapes.ts). */
  allocateInConstructor?: InConstructorAllocations;
  /** Reads of the root's own `arguments` run no code (own-arguments.ts); the caller checks that the residual never lets it escape. */
  ownArgumentsKept?: boolean;
  specialize: Map<string, unknown>;
  assume: Map<string, TypeAssumption>;
  scope: Record<string, unknown>;
  freeze: FreezePolicy;
  fastmath: boolean;
  unrollBudget: number;
  deadline?: { at: number; budgetMs: number };
  /** Bodies inlined by callee over the compile's attempts (inline-counts.ts), for the deadline's reason. */
  inlinedCounts?: Map<Function, InlinedCount>;
  /** Speculation forks allowed (speculation.ts); its default when absent. */
  maxForks?: number;
  inlineCalls?: boolean;
  lookupFree: FreeLookup;
  /** Private fields of known objects (runtime jit; absent for kos build, whose code sits in the class). */
  lookupPrivate?: PrivateLookup;
  /** Generated identifiers start with this prefix (no source word does). */
  prefix: string;
  /** False: no folding of absent keys (a first attempt's folds failed their own guards). */
  foldAbsent?: boolean;
  /** Keys an earlier attempt folded and then stored to (SpecializeResult.foldedStoredKeys): read at run time. */
  stateKeys?: ReadonlyMap<object, ReadonlySet<PropertyKey>>;
  /** False: a for-in over an unfrozen object stays a loop (see Specializer options). */
  guardedForIn?: boolean;
  /** See the Specializer option. */
  forInNodes?: number;
  /** See the Specializer option. */
  maxGenericNodes?: number;
  /** See the Specializer option. */
  forkMissHook?: string;
  /** See the Specializer option. */
  ownKeysChecks?: OwnKeysChecks;
  /** Whether each source statement reads memory (statements.ts, readsMemory): facts about the source's text, shared by a compile's attempts. */
  readsMemoryOf?: WeakMap<Node, boolean>;
  /** The rest parameter's length (guarded) and its known positions, from positional `specialize` keys. */
  rest?: { length: number; known: Map<number, unknown> };
  /** `arguments.length` (guarded) and the known items past the formals, of a function that only reads its `arguments` (compiler/arguments-reads.ts). */
  argumentItems?: { length: number; known: Map<number, unknown> };
}

export interface SpecializeResult {
  /** The residual FunctionExpression (formals, hoisted declarations, body). */
  node: Node;
  strict: boolean;
  /** The root's mode was read from its script (parse.ts, modeRead). */
  modeRead: boolean;
  name: string;
  kind: "function" | "arrow" | "method";
  /** Formal parameter names, in order (for guards). */
  formals: Array<{ name: string; rest: boolean; source: string | null }>;
  /** Guards on unfrozen objects whose properties were folded: obj[key] must still be value. */
  contentGuards: ContentGuard[];
  /** A folded absence (`!(key in obj)`) of a key the residual code itself stores: it would fail its guard on the next call. */
  selfInvalidating: boolean;
  /** Folded values of keys the residual code itself stores to (state an object keeps across calls): their guards fail whenever a call changed them. */
  foldedStoredKeys: Array<{ obj: object; key: PropertyKey }>;
  /** A folded Map/Set lookup whose key the code itself stores (a cache it fills): respecialize once filled. */
  fillsOwnCache: boolean;
  /** `new` expressions whose instance kos made itself and that escaped (compile.ts makes them for real next time). */
  escapedInstanceSites: Set<object>;
  /** Callbacks whose bodies were specialized in place (callback-bodies.ts): functions of their own, cleaned up alike. */
  callbackBodies: Node[];
  /** For-in loops over unfrozen objects that were unrolled (for-in-of.ts). */
  guardedForIns: number;
  /** Unroll budget spent, and speculation forks made: a retry with less must go below what was used. */
  budgetUsed: number;
  forksUsed: number;
  words: Set<string>;
  /** Residual variables named as in the source (Specializer.sourceNames). */
  sourceNames: ReadonlySet<string>;
  /** Residual function and class expressions, with the names their source definitions give them (function-names.ts). */
  functionNames: ReadonlyMap<Node, string>;
  size: number;
  /** The function reads `new.target`: specialized for calls, it must send `new` to the original. */
  usesNewTarget: boolean;
  /** A method of unobservable mode that reads `this` (ParsedFunction.strictAssumed): its version is for object receivers only. */
  receiverObject: boolean;
  /** Functions specialized for a recursive call's signature (residual-versions.ts), called by name from the residual code. */
  versions: Array<{ name: string; node: Node }>;
  /** A read of the root's `arguments` was taken to run no code: right only if the residual lets it escape after such reads alone (arguments-escape.ts). */
  ownArgumentsReadsKept: boolean;
  /** One of them was folded to a value, with no place in the residual code: right only if it never lets it escape. */
  ownArgumentsFolded: boolean;
  /** The residual reads of the root's own `arguments` taken as plain (compile.ts checks them: arguments-escape.ts). */
  plainArgumentReads: ReadonlySet<Node>;
  /** Which callee the compile inlined most, for a RESIDUAL_TOO_LARGE after it (inline-counts.ts): "" or ", most of it inlining …". */
  mostInlined: string;
}

/** Largest inlining depth: an interpreter's recursion over a known tree stays well below it. */
const MAX_INLINE_DEPTH = 48;

export function specializeFunction(req: SpecializeRequest): SpecializeResult {
  try {
    const sp = new Specializer({ freeze: req.freeze, fastmath: req.fastmath, unrollBudget: req.unrollBudget, ...(req.deadline ? { deadline: req.deadline } : {}), ...(req.inlinedCounts ? { inlinedCounts: req.inlinedCounts } : {}), ...(req.maxForks !== undefined ? { maxForks: req.maxForks } : {}), maxDepth: req.inlineCalls === false ? 0 : MAX_INLINE_DEPTH, lookupFree: req.lookupFree, ...(req.lookupPrivate ? { lookupPrivate: req.lookupPrivate } : {}), scope: req.scope, ...(req.foldAbsent === false ? { foldAbsent: false } : {}), ...(req.stateKeys ? { stateKeys: req.stateKeys } : {}), ...(req.guardedForIn === false ? { guardedForIn: false } : {}), ...(req.forInNodes !== undefined ? { forInNodes: req.forInNodes } : {}), ...(req.maxGenericNodes !== undefined ? { maxGenericNodes: req.maxGenericNodes } : {}), ...(req.forkMissHook ? { forkMissHook: req.forkMissHook } : {}), ...(req.ownKeysChecks ? { ownKeysChecks: req.ownKeysChecks } : {}), ...(req.readsMemoryOf ? { readsMemoryOf: req.readsMemoryOf } : {}), ...(req.privateNames ? { privateNamesRoot: req.fn } : {}), ...(req.realInstanceSites ? { realInstanceSites: req.realInstanceSites } : {}), ...(req.stopAtInstanceEscape ? { stopAtInstanceEscape: true } : {}), ...(req.allocateInConstructor ? { allocateInConstructor: req.allocateInConstructor } : {}), ...(req.ownArgumentsKept ? { ownArgumentsKept: true } : {}) }, req.prefix);
    return specializeWith(sp, req);
  } catch (e) {
    // A construct that makes the whole function fall back: point at it in its file, like a compiler diagnostic.
    if (e instanceof JitError && e.line != null && e.file == null) {
      throw JitError.atFunction(req.fn, e.code, e.reason, { line: e.line, column: e.column ?? undefined }, { cause: e });
    }
    throw e;
  }
}

/**
 * Whether the root reads an object that is not frozen: a specialized argument or receiver, or a
 * free name's value (read through `scope` or its closure).
 */
function readsUnfrozenObject(sp: Specializer, req: SpecializeRequest, info: { freeNames: string[] }): boolean {
  // A Proxy counts as unfrozen, unasked: Object.isFrozen on it would run its traps. A function of
  // the program's counts too: `new K(x)` reads K.prototype, and its constructor's first field store
  // asks whether the prototype chain has the key. After foreign code (`g(y); new K(x)`) that store
  // was the first stale read, too late for its statement to be speculated on, so the instance was
  // made for real and none of its methods inlined.
  const unfrozen = (v: unknown) => ((typeof v === "object" && v !== null) || (typeof v === "function" && !isBuiltin(v as Function))) && (isProxyValue(v) || !Object.isFrozen(v));
  for (const v of req.specialize.values()) if (unfrozen(v)) return true;
  for (const name of info.freeNames) {
    let v: unknown;
    if (Object.prototype.hasOwnProperty.call(req.scope, name)) v = req.scope[name];
    else {
      const found = sp.options.lookupFree(req.fn, name, false);
      if (!found.found || !found.stable) continue;
      v = found.value;
    }
    if (unfrozen(v)) return true;
  }
  return false;
}

function specializeWith(sp: Specializer, req: SpecializeRequest): SpecializeResult {
  const info = sp.infos.get(req.fn);
  if (info.opaque) throw info.opaque;
  for (const alias of info.argumentsAliases ?? []) {
    // `slice.call(arguments, 1)` in sloppy code: the value of `slice` says whether it only reads `arguments`.
    const found = Object.prototype.hasOwnProperty.call(req.scope, alias.name) ? { found: true, stable: true, value: req.scope[alias.name] } : sp.options.lookupFree(req.fn, alias.name, false);
    if (!found.found || !found.stable || !readsAsAliasedArrayMethod(found.value, alias.call)) {
      throw new JitError("USES_ARGUMENTS", `the function is sloppy code whose \`arguments\` is linked to its parameters, and it hands \`arguments\` on to '${alias.name}.call'${found.found && found.stable ? ", which is not an Array method that only reads it" : ""}`, alias.call.loc?.start.line ?? null);
    }
  }
  const kind = info.parsed.kind;
  if (kind === "arrow" && info.usesThis) throw new JitError("USES_THIS", "an arrow function's `this` belongs to where it was defined, which kos cannot see");
  if (kind === "arrow" && info.usesArguments) throw new JitError("USES_ARGUMENTS", "an arrow function's `arguments` belongs to its enclosing function");
  sp.rootStrict = info.parsed.strict;
  sp.rootFn = req.fn;
  // An arrow reads the root's own `arguments` whenever it is called (own-arguments.ts, pristineArguments).
  if (info.argumentsInArrow) sp.rootArgumentsReached = true;
  sp.reserveWords(info.words);
  sp.used.add("arguments");
  const root = info.node;
  const ownThis = D({ type: "ThisExpression" });
  if (!info.parsed.strict && kind !== "arrow") ownThis.objectOrFunction = true;
  let thisVal: Val = ownThis;
  if (req.specialize.has("this")) thisVal = S(req.specialize.get("this"));
  if (!info.parsed.strict && info.usesThis && !req.specialize.has("this")) {
    // A sloppy function's `this` is boxed (or globalThis); residual code is sloppy too, so `this` means the same.
  }
  const frame: Frame = { info, slots: new Map(), thisVal, args: rootArguments(req, info.node.params as Node[], (sp.plainArgumentReads ??= new Set())), root: true, ret: null, depth: 0, key: "root", newTarget: kind === "arrow" ? "unknown" : "root" };
  sp.frame = frame;
  sp.rootArgumentItems = frame.args;
  // A root that reads an unfrozen object of its closure or module (a table of operations, the
  // library's own object) speculates after foreign code from its first statement on, as it does once
  // a read of such an object went stale: that read may come first inside the statement after the
  // foreign code (an interpreter of a frozen program calling `ops[node.op](…)` after `log.push(…)`),
  // too late for that statement to be speculated on.
  if (sp.options.freeze === "guard" && readsUnfrozenObject(sp, req, info)) sp.staleMiss = true;
  const formals: SpecializeResult["formals"] = [];
  const bindLater: Array<{ pattern: Node; name: string; position: string | null }> = [];
  sp.declareVars(root.body, root);
  const params = root.params as Node[];
  params.forEach((p, index) => {
    if (p.type === "Identifier") {
      const variable = info.scopes.variableOfDeclaration(p)!;
      sp.claimed.add(p.name);
      const slot = { name: p.name, kind: "let", pinned: info.captured.has(variable), reassigned: info.scopes.isReassigned(variable), hoist: false, declared: true };
      frame.slots.set(variable, slot);
      let v: Val | null = null;
      if (req.specialize.has(p.name)) v = S(req.specialize.get(p.name));
      else if (req.assume.has(p.name)) {
        const t = req.assume.get(p.name)!;
        v = D(id(p.name), t === "array" || t === "object" || t.startsWith("typedarray:") ? "object" : t);
      }
      if (!slot.reassigned) sp.immutable.add(p.name);
      sp.env!.set(slot, { val: slot.pinned ? (slot.reassigned ? null : v && v.k === "s" ? v : null) : v && v.k === "s" ? v : null, inVar: true });
      if (v && v.k === "d" && !slot.pinned && !slot.reassigned) sp.env!.set(slot, { val: v });
      formals.push({ name: p.name, rest: false, source: p.name });
      return;
    }
    if (p.type === "RestElement" && p.argument.type === "Identifier") {
      const variable = info.scopes.variableOfDeclaration(p.argument)!;
      const slot = { name: p.argument.name, kind: "let", pinned: info.captured.has(variable), reassigned: info.scopes.isReassigned(variable), hoist: false, declared: true };
      frame.slots.set(variable, slot);
      const rest = req.rest;
      if (rest && !slot.pinned && !slot.reassigned) {
        // Its length is guarded at entry: a virtual array of the known positions and reads of the others
        // (the real rest array, which no other code can reach, is never written).
        const items = new Map<string, Val>();
        for (let i = 0; i < rest.length; i++) {
          items.set(String(i), rest.known.has(i) ? S(rest.known.get(i)) : D({ type: "MemberExpression", object: id(p.argument.name), property: { type: "Literal", value: i, raw: String(i) }, computed: true, optional: false }));
        }
        sp.env!.set(slot, { val: { k: "v", o: sp.newVirtual("array", items) } });
      } else sp.env!.set(slot, { val: null });
      formals.push({ name: p.argument.name, rest: true, source: p.argument.name });
      return;
    }
    const name = sp.fresh("arg");
    // A destructured parameter is specialized by its position (compile.ts isPatternParam): the guard
    // finds its formal by that key.
    const position = String(index);
    const source = p.type === "AssignmentPattern" && p.left.type === "Identifier" ? p.left.name : p.type !== "RestElement" && req.specialize.has(position) ? position : null;
    formals.push({ name, rest: p.type === "RestElement", source });
    bindLater.push({ pattern: p.type === "RestElement" ? p.argument : p, name, position: p.type === "RestElement" ? null : position });
  });
  const body = sp.collect(() => {
    for (const { pattern, name, position } of bindLater) {
      if (!sp.env) break;
      let v: Val = D(id(name));
      if (pattern.type === "AssignmentPattern" && pattern.left.type === "Identifier" && req.specialize.has(pattern.left.name)) v = S(req.specialize.get(pattern.left.name));
      else if (position !== null && req.specialize.has(position)) v = S(req.specialize.get(position));
      // (A rest element's pattern is not a parameter's: V8 words its failure as a declaration's.)
      if (position === null) sp.bindPattern(pattern, v, "param");
      else sp.bindParameter(pattern, v);
    }
    if (sp.env) sp.scopedStatements(root.body.body);
  });
  sp.buildPendingVersions();
  const declared = sp.hoistedDeclarations();
  const decls: Node[] = declared.length
    ? [{ type: "VariableDeclaration", kind: "let", declarations: declared.map((n) => ({ type: "VariableDeclarator", id: id(n), init: null })) }]
    : [];
  const node: Node = {
    type: "FunctionExpression",
    id: null,
    params: formals.map((f) => (f.rest ? { type: "RestElement", argument: id(f.name) } : id(f.name))),
    generator: false,
    async: false,
    expression: false,
    body: { type: "BlockStatement", body: [...decls, ...body] },
  };
  const guards = entryGuards(sp);
  const stored = sp.storedKeys ?? [];
  const selfInvalidating = guards.some((g) => !g.collection && g.has === false && stored.some((w) => w.obj === g.obj && w.key === g.key));
  const sameKey = (a: PropertyKey, b: PropertyKey): boolean => (typeof a === "number" ? String(a) : a) === (typeof b === "number" ? String(b) : b);
  const foldedStoredKeys = guards.filter((g) => !g.collection && !g.reader && !g.keys && !g.protoLacks && g.has === undefined && stored.some((w) => w.obj === g.obj && sameKey(w.key, g.key))).map((g) => ({ obj: g.obj, key: g.key }));
  // A cache lookup folded as a miss whose key the code then stores: the next call fails the guard.
  const storedInto = sp.storedCollectionKeys ?? [];
  const fillsOwnCache = guards.some((g) => g.collection && storedInto.some((w) => w.obj === g.obj && (w.all || Object.is(w.key, g.collectionKey))));
  const escapedInstanceSites = new Set<object>();
  for (const o of sp.escapes) if (o.proto && o.site && o.escapedOnFastPath) escapedInstanceSites.add(o.site);
  return { node, strict: info.parsed.strict, modeRead: !!info.parsed.modeRead, name: info.parsed.name, kind, formals, contentGuards: guards, words: sp.used, sourceNames: sp.sourceNames, functionNames: sp.functionNames ?? new Map(), size: info.size, usesNewTarget: sp.rootNewTarget, receiverObject: !!info.parsed.strictAssumed && !req.strictKnown && info.usesThis && !req.specialize.has("this"), selfInvalidating, foldedStoredKeys, fillsOwnCache, escapedInstanceSites, callbackBodies: sp.callbackBodies ?? [], guardedForIns: sp.guardedForIns, budgetUsed: req.unrollBudget - Math.max(0, sp.budget), forksUsed: sp.forks ?? 0, versions: sp.versionDeclarations(), ownArgumentsReadsKept: !!sp.ownArgumentsReadsKept, ownArgumentsFolded: !!sp.ownArgumentsFolded, plainArgumentReads: sp.plainArgumentReads ?? new Set(), mostInlined: sp.mostInlinedNote() };
}

export type { FreeLookup };

/** Guards checked at entry: folded reads before any foreign code, and typed-array lengths (once each). */
function entryGuards(sp: Specializer): ContentGuard[] {
  const all = [...(sp.contentGuards ?? [])];
  for (const g of sp.lengthGuards ?? []) if (!all.some((h) => h.obj === g.obj && h.key === g.key && !h.keys && !h.protoLacks && h.has === undefined && !h.collection)) all.push(g);
  return all;
}

/**
 * The root's `arguments` items where the count is guarded: known positions, the specialized
 * parameters' values, and reads of the others (nothing writes them: arguments-reads.ts).
 */
function rootArguments(req: SpecializeRequest, params: Node[], plain: Set<Node>): Val[] | null {
  const items = req.argumentItems;
  if (!items) return null;
  const out: Val[] = [];
  for (let i = 0; i < items.length; i++) {
    const p = params[i];
    const name = p?.type === "Identifier" ? p.name : null;
    if (items.known.has(i)) out.push(S(items.known.get(i)));
    else if (name !== null && req.specialize.has(name)) out.push(S(req.specialize.get(name)));
    // Below the guarded count: a read of data (own-arguments.ts).
    else {
      const read: Node = { type: "MemberExpression", object: id("arguments"), property: { type: "Literal", value: i, raw: String(i) }, computed: true, optional: false };
      plain.add(read);
      out.push(D(read));
    }
  }
  return out;
}
