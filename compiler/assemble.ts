/**
 * Assembling a version from its specialized body: the guards on what was
 * specialized (values, types, argument counts, contents of objects kos does
 * not own: entry-guards.ts), the deopt and generic routes, the call counter, helpers outlined
 * from the body, and the emitted source (with its source map), ready for the
 * one `new Function` (instantiate.ts) or for `kos build`.
 */
import type { OwnKeysChecks } from "./content-guards.js";
import * as acorn from "acorn";
import { countNodes, isReferenceIdentifier, walk, type Node, type ValuePath } from "./ast.js";
import { type ParsedFunction } from "./parse.js";
import { JitError } from "./jit-error.js";
import { callsProgramFunction } from "./residual/foreign-calls.js";
import { runsStraightThrough } from "./straight-line.js";
import { ERROR_HELPERS } from "./error-helpers.js";
import { KOS_HELPERS } from "./generated-helpers.js";
import { constructAs } from "./dispatcher.js";
import { readParamsForConstants, THIS, varRedeclared } from "./residual/param-reads.js";
import { declarableName } from "./specialize/source-name-plans.js";
import { constantBlockAliases } from "./constant-aliases.js";
import { buildLiteral, generateSource, materialize, PRINT_OPTIONS, referenceHint } from "./emit.js";
import type { Assumption, PassSnapshot, SourceOptions } from "./types.js";
import { KNOWN_GLOBALS } from "./builtins.js";
import { entryGuards, type EntryGuardContext } from "./entry-guards.js";
import { functionLocation } from "./discover/closure.js";
import { SourceMapGenerator, createMappedGenerator, sourceMapOptionsFor, sourceMappingURLComment } from "./source-map.js";
import { generate } from "astring";
import type { ArityDispatch } from "./arity-dispatch.js";
import { GAIN_CHECK_MIN_NODES } from "./gain-check.js";

/** The functions of kos's own a residual may call (never the program's code). */
const KOS_FUNCTIONS: readonly Function[] = [...Object.values(KOS_HELPERS), ...ERROR_HELPERS];

export interface Helper {
  name: string;
  node: Node | null;
  /** Declared as `var name = { version() {…} }.version`, so that a stack frame in it reads as the version's (residual/outline-throws.ts). */
  namedLikeVersion?: boolean;
}
export interface AssembleContext extends EntryGuardContext {
  shared: { prefix: string; nextName: number; trace: PassSnapshot[] | null; helpers: Helper[] };
  root: Node;
  strict: boolean;
  kind: "function" | "arrow" | "method";
  /** The function read `new.target` (specialize/index.ts): `new` must run the original. */
  usesNewTarget?: boolean;
  fn: Function | null;
  /** Sloppy code whose parameters are not all plain names: its `arguments` is unmapped (keepUnmapped). */
  unmappedArguments?: boolean;
  /** The compile's written-out keys checks: the entry guards add theirs, and those the code calls are emitted. */
  ownKeysChecks?: OwnKeysChecks;
}

// Words a parameter of the generated (strict) function cannot be named, beyond declarableName's.
const RESERVED_PARAMETER_NAMES = new Set(["yield", "await", "let", "static", "implements", "interface", "package", "private", "protected", "public", "enum"]);

function freshName(shared: AssembleContext["shared"], hint: string): string {
  const clean = hint.replace(/[^A-Za-z0-9_$]/g, "_").slice(0, 32);
  return `${shared.prefix}${clean}_${shared.nextName++}`;
}

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
  /** Not routed, but it loops or calls out (straight-line.ts): an explicit version is timed at its entry (entry-gain-check.ts). */
  timedAtEntry: boolean;
  /** The runtime form counts its calls (not an explicit version too small for the gain check, outside a profiling run: SourceOptions.uncounted). */
  counted: boolean;
  /**
   * The code depends on more than the function's text and the values the call named: a binding of
   * its closure or module (or of a callee's) was read, or its mode came from its script. The
   * compile cache keys on the text and the values only, so such code is not cached (sweep43).
   */
  outsideKey?: boolean;
}

const trustedOrPrimitive = (v: unknown): boolean => v === null || (typeof v !== "object" && typeof v !== "function");

const RESERVED = new Set("break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval".split(" "));

/**
 * How many calls a version's int32 call counter counts before the count moves on in a second
 * variable (see `counter` in assemble): a power of two, so that the counter's low bits, which wrap
 * with it, are the calls since the last move.
 */
export const CALLS_SPILL_AT = 2 ** 30;

/** The call that takes a shorter call to its own version (see ArityDispatch.forward). */
function arityForward(arity: ArityDispatch, slot: string, params: Node[], callGeneric: Node): Node {
  const target: Node = { type: "Identifier", name: slot };
  if (arity.forward === "arguments") return { ...callGeneric, callee: { ...callGeneric.callee, object: target } };
  const args: Node[] = params.map((p) => ({ type: "Identifier", name: p.type === "Identifier" ? p.name : p.left.name }));
  if (arity.forward === "parameters") return { type: "CallExpression", callee: target, arguments: args, optional: false };
  return { type: "CallExpression", callee: { type: "MemberExpression", object: target, property: { type: "Identifier", name: "call" }, computed: false, optional: false }, arguments: [{ type: "ThisExpression" }, ...args], optional: false };
}

export function assemble(ctx: AssembleContext, parsed: ParsedFunction, options: SourceOptions, countCalls: boolean): BuildResult {
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
  const aliases = new Map<string, unknown>();
  // Names bound only by blocks that alias one constant (constant-aliases.ts): the constant's parameter may take one too.
  const blockAliases = constantBlockAliases([ctx.root, ...shared.helpers.flatMap((h) => (h.node ? [h.node] : []))]);
  const reference = (value: unknown, path: ValuePath | null | string, sourceName?: string): Node => {
    if (path && typeof path === "object" && path.root === "global" && path.keys.length === 0 && !usedNames.has(path.name) && !refNames.includes(path.name) && (globalThis as Record<string, unknown>)[path.name] === value) {
      return { type: "Identifier", name: path.name };
    }
    if (options.referenceExpression) {
      const expr = options.referenceExpression(value);
      if (expr != null) return referenceExpressionNode(expr);
    }
    let name = refByValue.get(value);
    // The source's own name where no identifier of the output has it (so it shadows nothing the
    // code reads: the output is the body of a function whose parameters these names are).
    const blockAlias = sourceName !== undefined && blockAliases.has(sourceName) && blockAliases.get(sourceName) === value;
    const own = sourceName !== undefined && /^[A-Za-z_$][\w$]*$/.test(sourceName) && (!usedNames.has(sourceName) || blockAlias) && !refNames.includes(sourceName) && !sourceName.startsWith(shared.prefix) && declarableName(sourceName) && !RESERVED_PARAMETER_NAMES.has(sourceName);
    if (!name) {
      // (Not a name blocks bind to this constant: their initializers read the constant's own name.)
      name = own && !blockAlias ? sourceName! : freshName(shared, typeof path === "string" ? path : referenceHint(path));
      refByValue.set(value, name);
      refNames.push(name);
      refValues.push(value);
    }
    if (sourceName !== undefined && name !== sourceName) {
      // Named otherwise already (an entry guard's reference comes first): a second parameter of the
      // source's name, holding the same value, for the places where an engine message prints it
      // ("tbl.ops.add is not a function", where `$k_obj_0.ops.add` was printed).
      if (own) {
        refNames.push(sourceName);
        refValues.push(value);
        aliases.set(sourceName, value);
      }
      if (aliases.get(sourceName) === value) return { type: "Identifier", name: sourceName };
    }
    return { type: "Identifier", name };
  };
  const genericName = `${shared.prefix}generic`;
  const deoptName = `${shared.prefix}deopt`;
  const callsName = `${shared.prefix}calls`;

  const root = ctx.root;
  const { assumptions, guards, throwing, before: guardsBefore } = entryGuards(ctx, options, (v, hint) => reference(v, hint), ctx.ownKeysChecks?.check, `${shared.prefix}keysOk`);

  // On a failed guard: count it, then run the original with the same receiver and arguments. Through
  // Reflect.apply, not the original's own `apply`: a function whose prototype is not
  // Function.prototype has none (ansi-colors sets each style function's prototype to its styles
  // object), and a failed guard threw "$k_generic.apply is not a function" (sweep23 repro-3). V8
  // forwards the arguments alike for both.
  const thisArg = { type: "ThisExpression" };
  const callGeneric: Node = {
    type: "CallExpression",
    callee: reference(Reflect.apply, "apply"),
    arguments: [{ type: "Identifier", name: genericName }, thisArg, { type: "Identifier", name: "arguments" }],
    optional: false,
  };
  const arityName = `${shared.prefix}arity`;
  const argumentsLength: Node = { type: "MemberExpression", object: { type: "Identifier", name: "arguments" }, property: { type: "Identifier", name: "length" }, computed: false, optional: false };
  // A test that may throw (`Array.isArray` of a revoked proxy) is made in a `try` whose `catch` counts
  // it failed: `let ok; try { ok = test; } catch { ok = false; }`. The original then runs, as it
  // does for any failed guard; no code of the program's ran in the test. A try around the test cost
  // a 1.1 ns kernel 0.05 ns a call; the same test in a helper function with the try, 0.3 ns
  // (/tmp/isarr2.js, /tmp/isarr3.js probes, Node 20.20.2).
  const tryTest = (test: Node, i: number): { before: Node[]; test: Node } => {
    if (!throwing.has(test)) return { before: [], test };
    const ok = `${shared.prefix}guard${i}`;
    const set = (value: Node): Node => ({ type: "BlockStatement", body: [{ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: { type: "Identifier", name: ok }, right: value } }] });
    return {
      before: [
        { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name: ok }, init: null }] },
        { type: "TryStatement", block: set(test), handler: { type: "CatchClause", param: null, body: set(buildLiteral(false)!) }, finalizer: null },
      ],
      test: { type: "Identifier", name: ok },
    };
  };
  const guardStatements: Node[] = guards.flatMap((guard, i) => {
    const { before, test } = tryTest(guard, i);
    return [...(guardsBefore.get(guard) ?? []), ...before, {
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
    } as Node];
  });
  // `if (((calls = (calls + 1) | 0) & (CALLS_SPILL_AT - 1)) === 0) spilled += CALLS_SPILL_AT`: the
  // counter incremented on every call is an int32 that wraps, and every CALLS_SPILL_AT calls the
  // count moves on in `spilled`, a heap number from the start (`-0`). A plain `calls++` passed 2^31
  // after 2.1 billion calls, and from then on V8 boxed each new count in a heap number: a 0.9 ns
  // version cost 4.2 ns a call (a jitted `x + k`, /tmp/spill3.mjs probe, Node 20.20.2). So did a
  // `spilled` that started as a small integer, from its second spill on (3.7 ns). This form ran
  // 0.95 ns where `calls++` ran 0.95 ns, and 0.72 ns after its first spill; `if (++calls === N) …`
  // ran 1.17 ns (/tmp/ctr6.mjs, chunks of 1e8 calls, medians of the last 6 of 10). Over its first
  // 3e8 calls it read 1.3-1.6 ns against 1.0 ns, as every form with a test on the counter did.
  const spilledName = `${shared.prefix}spilled`;
  const ident = (name: string): Node => ({ type: "Identifier", name });
  const mask = buildLiteral(CALLS_SPILL_AT - 1)!;
  const counter: Node[] = countCalls
    ? [{
        type: "IfStatement",
        test: {
          type: "BinaryExpression",
          operator: "===",
          left: {
            type: "BinaryExpression",
            operator: "&",
            left: { type: "AssignmentExpression", operator: "=", left: ident(callsName), right: { type: "BinaryExpression", operator: "|", left: { type: "BinaryExpression", operator: "+", left: ident(callsName), right: buildLiteral(1) }, right: buildLiteral(0) } },
            right: mask,
          },
          right: buildLiteral(0),
        },
        consequent: { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "+=", left: ident(spilledName), right: buildLiteral(CALLS_SPILL_AT) } },
        alternate: null,
      }]
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
  // reads `new.target` was specialized for calls (it read undefined): a construction runs the original,
  // with the function jit() returned as `new.target` read as the original (dispatcher.ts, constructAs;
  // `kos build`'s output has no such functions, and constructs as the source does).
  const constructFn = (options.kosHelpers ?? !options.referenceExpression) ? reference(constructAs, "construct") : reference(Reflect.construct, "construct");
  const construct: Node[] = ctx.usesNewTarget && ctx.kind === "function"
    ? [{
        type: "IfStatement",
        test: { type: "BinaryExpression", operator: "!==", left: { type: "MetaProperty", meta: { type: "Identifier", name: "new" }, property: { type: "Identifier", name: "target" } }, right: { type: "UnaryExpression", operator: "void", prefix: true, argument: buildLiteral(0)! } },
        consequent: { type: "ReturnStatement", argument: { type: "CallExpression", optional: false, callee: constructFn, arguments: [{ type: "Identifier", name: genericName }, { type: "Identifier", name: "arguments" }, { type: "MetaProperty", meta: { type: "Identifier", name: "new" }, property: { type: "Identifier", name: "target" } }] } },
        alternate: null,
      }]
    : [];
  // A function expression's name is a binding in its body: where the body reads that name (the
  // variable the library keeps the function in, `var lib = function (x) { … lib.count … }`, or a
  // declaration's own name), it would read the version instead of what the program's variable holds
  // (sweep40: `Object.keys(lib)` listed the version's keys, and `lib.fin(r)` threw). Such a
  // function takes its name from an object literal's key instead, which binds nothing.
  const selfNamed = !!name && ctx.kind === "function" && !readsName([...counter, ...construct, ...guardStatements, ...rest], name);
  const fnExpr: Node = {
    type: "FunctionExpression",
    id: selfNamed ? { type: "Identifier", name } : null,
    params: keepUnmapped(root.params as Node[], !!ctx.unmappedArguments, `${shared.prefix}unmapped`),
    generator: false,
    async: false,
    body: { type: "BlockStatement", body: [...directives, ...counter, ...construct, ...guardStatements, ...rest] },
  };
  // Arrows and methods are not constructors and have no prototype: a method keeps that, and has its own `arguments` for the fallback call.
  const methodKey = name ?? "f";
  let main: Node = ctx.kind === "function"
    ? keyNamed(fnExpr, name, selfNamed)
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
  const byName = new Map([...shared.helpers, ...(ctx.ownKeysChecks?.helpers ?? [])].filter((h) => h.node).map((h) => [h.name, h]));
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
  const helperDecls: Node[] = used.map((h) => h.namedLikeVersion && name ? namedLike(h.name, name, h.node!) : ({ ...h.node, type: "FunctionDeclaration", id: { type: "Identifier", name: h.name }, expression: false }));

  // The route test costs what the version's size makes noise of: the version's code, helpers
  // included; or what the program's own code it calls takes (residual/foreign-calls.ts).
  const nodesWithHelpers = countNodes(fnExpr) + used.reduce((n, h) => n + countNodes(h.node), 0);
  // A constant not yet named (emit.ts materializes them), or one named already.
  const calleeValue = (callee: Node): unknown => {
    const i = callee.type === "Identifier" ? refNames.indexOf(callee.name) : -1;
    return callee.type === "KosConst" ? callee.value : i < 0 ? undefined : refValues[i];
  };
  const routed = countCalls && (nodesWithHelpers >= GAIN_CHECK_MIN_NODES || callsProgramFunction([...rest, ...used.map((h) => h.node)], (callee) => {
    // kos's own helpers are not the program's.
    const value = calleeValue(callee);
    return KOS_FUNCTIONS.includes(value as Function) ? undefined : value;
  }));
  // A smaller version that loops or calls out may take long enough a call to be timed against the
  // original at its entry (compiler/entry-gain-check.ts); one that runs straight through is left as
  // it is (compiler/straight-line.ts). Its own calls: the miss path (the original, the version for
  // shorter calls, the deopt count), kos's functions, and its helpers, which may call none of
  // their kind (a helper may be a specialized function of the program's, recursive).
  const ownCall = (helpersToo: boolean) => (call: Node): boolean => {
    const callee = call.callee;
    if (callee.type === "Identifier" && (callee.name === deoptName || callee.name === genericName || callee.name === arityName || (helpersToo && byName.has(callee.name)))) return true;
    if (call.arguments.some((a: Node) => a.type === "Identifier" && a.name === genericName)) return true;
    return KOS_FUNCTIONS.includes(calleeValue(callee) as Function);
  };
  const timedAtEntry = countCalls && !routed && !(runsStraightThrough(rest, ownCall(true)) && runsStraightThrough(used.map((h) => h.node!), ownCall(false)));
  // A fork's miss hook (compiler/fork-misses.ts) leads to a version that replaces this one at its
  // entry, which only a routed version has (explicit jit puts a dispatcher's entry in front of it).
  // A version routed for nothing else keeps its forks silent: routed for them, a 3.9 ns kernel ran
  // 5.3 ns a call (.scratch/tiny.mjs, `ops[name](o.v)` specialized on name). Each hook is 6 bytes of
  // bytecode, and V8 inlines a body of 460 at most: a version under the gain check's size keeps the
  // hooks of its outer forks only (a 3-fork cache lookup's body went from 448 to 466 bytes with all
  // of them, no longer inlined into its trampoline: 3.7 ns a call against 5.5, .scratch/smallfast.mjs).
  if (options.forkMisses) {
    const small = nodesWithHelpers < GAIN_CHECK_MIN_NODES;
    if (!routed || small) for (const node of [fnExpr, ...used.map((h) => h.node)]) dropHookCalls(node, deoptName, routed);
  }
  // A routed version is reached through a trampoline that tests the route before the version's own
  // frame is set up. In the version itself, the test came after V8 had made its frame, context and
  // `arguments` for the whole body: json-query's 6 KB version, once its check found it slower, cost
  // 300 ns a call routed to the original against 173 ns for the original, with V8's optimized code
  // (a 5 ns forward from a small function: sweep9/speed/route.mjs). The trampoline's own forward to
  // the version is V8's `apply` of the caller's arguments (no object made once optimized).
  const bodyName = `${shared.prefix}body`;
  const trampoline = (): Node => {
    const newTarget: Node = { type: "MetaProperty", meta: { type: "Identifier", name: "new" }, property: { type: "Identifier", name: "target" } };
    const applyBody: Node = { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: { type: "Identifier", name: bodyName }, property: { type: "Identifier", name: "apply" }, computed: false, optional: false }, arguments: [thisArg, { type: "Identifier", name: "arguments" }] };
    const forward: Node = ctx.kind === "function"
      ? { type: "ConditionalExpression", test: { type: "BinaryExpression", operator: "===", left: newTarget, right: { type: "UnaryExpression", operator: "void", prefix: true, argument: buildLiteral(0)! } }, consequent: applyBody, alternate: { type: "CallExpression", optional: false, callee: reference(Reflect.construct, "construct"), arguments: [{ type: "Identifier", name: bodyName }, { type: "Identifier", name: "arguments" }, newTarget] } }
      : applyBody;
    return { type: "FunctionExpression", id: fnExpr.id, params: [], generator: false, async: false, body: { type: "BlockStatement", body: [...directives, ...routeCheck(), { type: "ReturnStatement", argument: forward }] } };
  };
  // An explicit version outside a profiling run counts nothing (SourceOptions.uncounted); a
  // routed one keeps its counter, which is noise at its size, for the gain check's accounting.
  // Versions with a loop counted too, once: the convolution fixture's version had run 2.0 µs a call
  // without the counter and 1.52 µs with it (.scratch/convvar.mjs). Measured again, that was gone
  // (2009 ns without, 2023 ns with; hand 1994 ns), and the counter cost the validator fixture's
  // version 2 ns (57.0 against 55.0 ns) and 33 of its bytes of bytecode, where V8 inlines 460 at most
  // (CPU-time medians of 9 windows, .scratch/ab2.mjs, Node 20.20.2).
  const counted = countCalls && (!options.uncounted || routed);
  if (counter.length && !counted) fnExpr.body.body = fnExpr.body.body.filter((st: Node) => !counter.includes(st));
  const entry = routed ? trampoline() : fnExpr;
  if (routed) {
    if (ctx.kind === "function") main = keyNamed(entry, name, selfNamed);
    else main.object.properties[0].value = entry;
  }
  const strictPrologue = ctx.strict ? [{ type: "ExpressionStatement", expression: buildLiteral("use strict"), directive: "use strict" }] : [];
  // `var`, not `let`: a `let` context slot pays a temporal-dead-zone check on every increment.
  const stateDeclarators = countCalls ? [...(counted ? [{ type: "VariableDeclarator", id: { type: "Identifier", name: callsName }, init: buildLiteral(0) }, { type: "VariableDeclarator", id: { type: "Identifier", name: spilledName }, init: buildLiteral(-0) }] : []), ...(routed ? [{ type: "VariableDeclarator", id: { type: "Identifier", name: routeName }, init: buildLiteral(null) }] : []), ...(ctx.arity ? [{ type: "VariableDeclarator", id: { type: "Identifier", name: arityName }, init: buildLiteral(null) }] : [])] : [];
  const callsDecl = stateDeclarators.length ? [{ type: "VariableDeclaration", kind: "var", declarations: stateDeclarators }] : [];
  // Runtime form: `return [main, () => calls, (f) => generic = f]`, so the dispatcher can read the
  // counter and set what a failed guard runs (the next version, or the original) in the version's
  // own binding: forwarding through a closure that held it cost a miss 5 ns more (an identity guard
  // that fails on every call: 7 ns a call against 2.3 ns, /tmp/miss2.mjs probe, Node 20.20.2). Then,
  // for a routed version, `(f) => route = f` to set its route, and with an arity guard,
  // `(f) => arity = f` to set the version for shorter calls. The function takes the original's
  // name, length and prototype (so `new j() instanceof fn`).
  const setter = (target: string): Node => ({ type: "ArrowFunctionExpression", params: [{ type: "Identifier", name: "f" }], expression: true, async: false, generator: false, body: { type: "AssignmentExpression", operator: "=", left: { type: "Identifier", name: target }, right: { type: "Identifier", name: "f" } } });
  const returned: Node = countCalls
    ? { type: "ArrayExpression", elements: [main, { type: "ArrowFunctionExpression", params: [], expression: true, async: false, generator: false, body: counted ? { type: "BinaryExpression", operator: "+", left: ident(spilledName), right: { type: "BinaryExpression", operator: "&", left: ident(callsName), right: buildLiteral(CALLS_SPILL_AT - 1) } } : buildLiteral(0) }, setter(genericName), ...(routed ? [setter(routeName)] : []), ...(ctx.arity ? [setter(arityName)] : [])] }
    : main;
  const bodyDecl: Node[] = routed ? [{ type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name: bodyName }, init: ctx.kind === "function" ? keyNamed(fnExpr, name, selfNamed) : { ...main, object: { type: "ObjectExpression", properties: [{ ...main.object.properties[0], value: fnExpr }] } } }] }] : [];
  const program: Node = { type: "Program", sourceType: "script", body: [...strictPrologue, ...callsDecl, ...helperDecls, ...bodyDecl, { type: "ReturnStatement", argument: returned }] };
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
    timedAtEntry,
    counted,
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

/** Whether `body` reads the identifier `name` anywhere (a declaration of its own included: conservative). */
function readsName(body: Node[], name: string): boolean {
  let found = false;
  for (const st of body) {
    walk(st, (n, parent) => {
      if (found) return false;
      if (n.type === "Identifier" && n.name === name && isReferenceIdentifier(n, parent)) found = true;
      return !found;
    });
    if (found) return true;
  }
  return false;
}

/**
 * `fn` itself where it binds its own name (`selfNamed`), else `({ name: fn }).name`: an anonymous
 * function named by the literal's key, as the parser names it, with no binding in its body and no
 * `name` property redefined afterwards (which would take it off V8's initial function map).
 */
function keyNamed(fn: Node, name: string | null, selfNamed: boolean): Node {
  if (selfNamed || !name) return fn;
  return {
    type: "MemberExpression", computed: false, optional: false,
    object: { type: "ObjectExpression", properties: [{ type: "Property", kind: "init", method: false, shorthand: false, computed: false, key: { type: "Identifier", name }, value: fn }] },
    property: { type: "Identifier", name },
  };
}

/** Removes the statements that call `hook` with no argument (forks' miss hooks: specialize/speculation.ts) from `node`'s blocks; with `keepOuter`, those of forks nested in none. */
function dropHookCalls(node: Node, hook: string, keepOuter: boolean): void {
  const isHook = (st: Node): boolean => st.type === "ExpressionStatement" && !(keepOuter && st.outerFork) && st.expression.type === "CallExpression" && st.expression.callee.type === "Identifier" && st.expression.callee.name === hook && st.expression.arguments.length === 0;
  walk(node, (n) => {
    // Elsewhere (an expression a clean-up made of it) one stays, and calls a hook that finds no route to set.
    if ((n.type === "BlockStatement" || n.type === "Program") && n.body.some(isHook)) n.body = n.body.filter((st: Node) => !isHook(st));
    else if (n.type === "SwitchCase" && n.consequent.some(isHook)) n.consequent = n.consequent.filter((st: Node) => !isHook(st));
  });
}

/** `var helper = { name() {…} }.name`: a function that bears the name `name` and binds no name in any scope. */
function namedLike(helper: string, name: string, fn: Node): Node {
  const key: Node = { type: "Identifier", name };
  const object: Node = { type: "ObjectExpression", properties: [{ type: "Property", kind: "init", method: true, shorthand: false, computed: false, key, value: { ...fn, id: null } }] };
  return { type: "VariableDeclaration", kind: "var", declarations: [{ type: "VariableDeclarator", id: { type: "Identifier", name: helper }, init: { type: "MemberExpression", object, property: { ...key }, computed: false, optional: false } }] };
}
