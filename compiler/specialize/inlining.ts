/**
 * Inlining: a call to a known function evaluated in place, in a new frame
 * (parameters bound to the argument values, the callee's own closure values
 * and `this`), when something static makes it worth it; transactional, so a
 * construct the callee cannot compile leaves the call as written (call-dispatch.ts).
 */
import { isArrayScanSteps } from "./array-scan-steps.js";
import type { Node } from "../ast.js";
import { JitError } from "../jit-error.js";
import { Specializer, id, type Frame, type Target } from "./specializer.js";
import { D, S, UNDEF, isPrimitive, type Val, type VirtualObject } from "./values.js";
import { mergeReturnedObjects } from "./returned-objects.js";
import { PRIMITIVE_PROTOTYPES } from "./builtin-calls.js";
import type { FnInfo } from "./fn-info.js";

declare module "./specializer.js" {
  interface Specializer {
    inlineCall(fn: Function, thisVal: Val, args: Val[], n: Node, methodKey?: Val): Val | null;
    /** What tells one call of a function from another: its receiver and arguments, as far as they are known. */
    callSignature(thisVal: Val, args: Val[]): string[];
    inlineFrame(info: FnInfo, fnNode: Node, slots: Frame["slots"], thisVal: Val, args: Val[], key: string, newTarget?: Frame["newTarget"], restartable?: Function, signature?: readonly string[]): Val | null;
    /**
     * Calls whose bodies were evaluated in place so far (the unroll budget does not tell: a body
     * that folds to its result emits no statement). Speculation compares its two passes by it.
     */
    framesInlined: number;
  }
}

const P = Specializer.prototype;

const paramsAssigned = (info: { scopes: { functionScope: { variables: Array<{ defs: Array<{ type: string }> }> }; isReassigned(v: never): boolean } }) =>
  info.scopes.functionScope.variables.some((v) => v.defs[0]?.type === "Parameter" && info.scopes.isReassigned(v as never));

/** The size above which a call with nothing static stays a call (V8 inlines small callees itself). */
const SMALL_CALLEE_NODES = 40;
/** The size above which closure values alone do not make a call worth inlining (see inlineCall). */
const LARGE_CALLEE_NODES = 300;

P.callSignature = function (this: Specializer, thisVal: Val, args: Val[]): string[] {
  // An object kos made is told apart by its identity and its known primitive fields: a tree walker's
  // `visit(node.left)` inside `visit(node)` is a new call, and so is a recursive-descent parser's
  // `this.expression(0)` inside `this.expression(0)` once `this.index` moved on. Recursion on
  // objects made without end stops at the inlining depth and budget.
  const virtualSig = (o: VirtualObject): string => {
    const f = this.fields(o);
    if (!f) return "v";
    let out = `v${this.objectId(o)}{`;
    for (const [k, x] of f) if (x.k === "s" && isPrimitive(x.v) && typeof x.v !== "symbol" && out.length < 200) out += `${k}=${typeof x.v}:${String(x.v)},`;
    return out + "}";
  };
  const sig = (v: Val) => (v.k === "s" ? (isPrimitive(v.v) ? `s:${typeof v.v}:${String(v.v)}` : `o${this.objectId(v.v)}`) : v.k === "v" ? virtualSig(v.o) : "d");
  return [sig(thisVal), ...args.map(sig)];
};

P.inlineCall = function (this: Specializer, fn: Function, thisVal: Val, args: Val[], n: Node, methodKey?: Val): Val | null {
  // The generic branch of a speculation runs only when the configuration changed under a call: its
  // calls stay calls (it is code for a rare path; V8 still inlines small callees there itself).
  // So do the calls in a `throw`'s operand (statements.ts): inlined, filtrex's `num(x)` copied its
  // type-naming helper (`prettyType`, through `unwrap` and `unbox`) into every failing branch, 57 KB
  // of residual for one expression against 25 KB without, and 0.73x the library against 0.85x.
  if (this.generic || this.inThrowOperand) return null;
  let info;
  try {
    info = this.infos.get(fn);
  } catch {
    return null;
  }
  if (info.opaque) return null;
  // A reader of a binding that can change: its value, guarded (binding-readers.ts).
  const read = this.bindingReaderCall(info, args);
  if (read) return read;
  const rootStrict = this.rootStrict;
  // Its code joins the root's, in the root's mode.
  if (info.parsed.strict !== rootStrict && !info.strictnessNeutral) return null;
  if (info.parsed.kind === "arrow" && (info.usesThis || info.usesArguments)) return null;
  if (info.usesArguments && (!info.argumentsAsArray || (!info.parsed.strict && paramsAssigned(info as never)))) return null;
  // An arrow it makes reads its `arguments`: inlined, the arrow would read the caller's (sweep41).
  if (info.argumentsInArrow) return null;
  // A sloppy callee sees globalThis or a boxed primitive where strict code sees the value itself (a
  // method's mode is unknown: `const f = o.scale; f(2)` of a sloppy method read globalThis.f). A
  // method read off its receiver (`op.next(x)`) has an object receiver unless a primitive's
  // prototypes hold that key.
  const objectThis = thisVal.k === "v" || (thisVal.k === "s" && thisVal.v !== null && typeof thisVal.v === "object") || (thisVal.k === "d" && (thisVal.type === "object" || !!thisVal.objectOrFunction));
  const methodOfObject = info.parsed.strict && methodKey !== undefined && thisVal.k === "d" && methodKey.k === "s" && (typeof methodKey.v === "string" || typeof methodKey.v === "symbol") && !PRIMITIVE_PROTOTYPES.some((p) => Object.prototype.hasOwnProperty.call(p, methodKey.v as PropertyKey));
  if (info.usesThis && (!info.parsed.strict || info.parsed.strictAssumed) && !objectThis && !methodOfObject) return null;
  if (this.frame.depth + 1 > this.options.maxDepth || this.budget <= 0) return null;
  this.checkDeadline();
  const signature = this.callSignature(thisVal, args);
  const key = keyOf(this.objectId(fn), signature);
  // Closure values alone make a small callee worth inlining (its helpers and constants fold), not an
  // interpreter's whole generic body on dynamic arguments.
  // A known receiver counts only for a callee that uses `this` (`lib.apply(x)` is just a call): counting
  // it copied json-logic-js's generic `apply` into every loop over data (205 KB of code for one rule,
  // 43 KB without, at the same speed).
  // Where reads of unfrozen objects no longer fold (after foreign code, with no fork left to re-check
  // them), an unfrozen object kos knows is as good as a dynamic value. Inlining typebox's
  // `Visit(schema.items, references, element)` there copied its 30-case dispatch on `schema[Kind]`.
  const unfrozenFolds = this.unfrozenReadsFold();
  // A function expression given lazy (lazy-closures.ts) runs in place only if its callee does.
  // So does a closure given to a built-in's steps (array-scan-steps.ts): they exist to run it in place.
  const folds = (a: Val) => (a.k === "d" && (!!a.lazyClosure || (!!a.closure && isArrayScanSteps(fn)))) || (a.k === "v" && unfrozenFolds) || (a.k === "s" && (unfrozenFolds || isPrimitive(a.v) || typeof a.v === "function" || Object.isFrozen(a.v)));
  const argsStatic = (info.usesThis && folds(thisVal)) || args.some(folds);
  const somethingStatic = argsStatic || (info.freeNames.length > 0 && !this.foreignRan && info.size <= LARGE_CALLEE_NODES);
  // Recursion on a signature being inlined: a residual version of it, where something static makes one worth it.
  if (this.inlineStack.includes(key)) return argsStatic ? this.versionCall(info, fn, thisVal, args, key, signature) : null;
  if (argsStatic) {
    const looped = this.loopedRecursionCall(info, fn, thisVal, args, key, signature);
    if (looped) return looped;
  }
  if (argsStatic) {
    const general = this.generalizedCall(info, fn, thisVal, args, signature);
    if (general !== undefined) return general;
  }
  // (Last: it reads the callee's closure, an inspector call for each function not read before.)
  if (!somethingStatic && info.size > SMALL_CALLEE_NODES && !programInClosure(this, info, folds)) return null;

  if (!this.admitsFreeNames(info.scopes.free.keys())) return null;
  this.reserveWords(info.words);
  const simpleParams = (info.node.params as Node[]).every((p) => p.type === "Identifier");
  this.countInlined(fn, info.size);
  return this.inlineFrame(info, info.node, new Map(), thisVal, args, key, undefined, simpleParams ? fn : undefined, signature);
};

/** The memo key of a call: the function's id and its signature. */
export const keyOf = (fnId: number, signature: readonly string[]): string => `${fnId}(${signature[0]};${signature.slice(1).join(",")})`;

/**
 * A function a factory made (`pipe(...items)` returning `{ run(x) { for (const item of items) … } }`,
 * a parser combinator's `seq(a, b)`) holds its program in the factory's parameters, as a method
 * holds it in `this`: where one of them folds, the call is worth inlining like one with a static
 * argument. Parameters only: a module wrapper's locals (a UMD bundle's helpers) would make every
 * callee of such a library count.
 */
function programInClosure(s: Specializer, info: FnInfo, folds: (v: Val) => boolean): boolean {
  if (info.fn === s.rootFn) return false;
  for (const name of info.freeNames) {
    const found = s.options.lookupFree(info.fn, name, true);
    if (found.found && found.stable && found.factoryParam && folds(S(found.value))) return true;
  }
  return false;
}

/**
 * Evaluates a function body in a new frame at the current point (a callee, or
 * a closure of a frame still running, which then shares that frame's slots),
 * and returns its result, or null when the body holds a construct kos cannot
 * compile (nothing is then emitted).
 */
P.inlineFrame = function (this: Specializer, info: FnInfo, fnNode: Node, slots: Frame["slots"], thisVal: Val, args: Val[], key: string, newTarget?: Frame["newTarget"], restartable?: Function, signature?: readonly string[]): Val | null {
  // Transactional: a construct the callee cannot have compiled leaves the call as it was.
  const saved = { env: this.copyEnv(), frame: this.frame, targets: this.targets.length, dyn: this.dynDepth, tries: this.tryDepth, escapes: this.escapes.length, out: this.out, outLength: this.out.length, marks: this.foreignMarks ?? 0 };
  const stableThis = this.stable(thisVal, "self");
  const stableArgs = args.map((a) => this.stable(a, "arg"));
  const inherited = new Set(slots.values());
  const ret: Target = this.newTarget({ isReturn: true });
  const frame: Frame = { info, slots, thisVal: stableThis, args: stableArgs, root: false, ret, depth: saved.frame.depth + 1, key, loopsAtEntry: this.residualLoops, ...(newTarget ? { newTarget } : {}), ...(restartable ? { restartable } : {}), ...(signature ? { signature, shapeBodiesAtEntry: this.countShapeBody(info.fn, signature) } : {}) };
  this.inlineStack.push(key);
  (this.frameStack ??= []).push(saved.frame);
  let body: Node[] = [];
  try {
    this.frame = frame;
    this.targets.push(ret);
    body = this.collect(() => {
      this.enterFunctionBody(fnNode, stableArgs);
      if (!this.env) return;
      if (fnNode.body.type === "BlockStatement") this.scopedStatements(fnNode.body.body);
      else this.jump(ret, "break", this.stable(this.expr(fnNode.body), "ret"));
    });
    this.targets.pop();
  } catch (e) {
    this.inlineStack.pop();
    this.frameStack.pop();
    this.frame = saved.frame;
    this.targets.length = saved.targets;
    this.dynDepth = saved.dyn;
    this.tryDepth = saved.tries;
    this.out = saved.out;
    // What the attempt emitted (argument temporaries) goes too: the call is evaluated as written.
    this.out.length = saved.outLength;
    this.env = saved.env;
    this.escapes.length = saved.escapes;
    // The call is evaluated as written: what foreign code the attempt met runs there too (foreign-state.ts).
    if ((this.foreignMarks ?? 0) !== saved.marks) this.foreignRan = true;
    // A recursion that branches, generalized from this, its outermost level (residual-versions.ts).
    const restarted = this.restartedCall(e, frame, thisVal, args);
    if (restarted !== undefined) return restarted;
    // A construct the callee cannot compile leaves the call as written; the compile's own limits end it.
    if (e instanceof JitError && e.code !== "INTERNAL" && e.code !== "RESIDUAL_TOO_LARGE") return null;
    throw e;
  }
  this.inlineStack.pop();
  this.frameStack.pop();
  this.frame = saved.frame;
  // The call's own bindings declared in place live in its block, which ends here: a closure it made
  // and returned, inlined later, cannot name them (rambda's `splitEvery(n)(list)` read `n_1` after
  // `{ let n_1 = 2; … }` and threw "n_1 is not defined", sweep26 repro-1).
  for (const slot of slots.values()) if (!inherited.has(slot) && slot.pinned && slot.declared && !slot.hoist) slot.scopeEnded = true;
  const edges = [...ret.edges];
  if (this.env) {
    const e = { env: this.env, fix: [] as Node[], value: UNDEF };
    body.push({ type: "BlockStatement", body: e.fix });
    edges.push(e);
  }
  let result: Val = UNDEF;
  const values = edges.map((e) => e.value ?? UNDEF);
  let merged: ReturnType<typeof mergeReturnedObjects> = null;
  if (values.length === 1) result = values[0]!;
  else if (values.length > 1) {
    const first = values[0]!;
    if (values.every((v) => v.k === "s" && first.k === "s" && Object.is(v.v, first.v))) result = first;
    else if (first.k === "v" && values.every((v) => v.k === "v" && v.o === first.o)) result = first;
    else if ((merged = mergeReturnedObjects(this, edges, values))) result = merged.value;
    else {
      const r = this.fresh("r");
      this.hoistName(r);
      // Each return writes the result in its own fix-up block (an object it returns is allocated there too).
      edges.forEach((e, i) => {
        // In the edge's own environment, before the join: an object escaping here escapes on this path.
        const own = { fix: [] as Node[], env: e.env };
        const value = this.residualAt(own, values[i]!);
        e.fix.unshift(...own.fix, { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(r), right: value } });
      });
      result = D(id(r));
      // Every return that hints a prototype hints the same one (`push(view) { return new Context(view, this); }`):
      // so does the result. A hint is checked where it is used (method-guards.ts), so a return without one
      // (the generic side of a speculation, which calls the original) does not void it.
      const hints = values.map((v) => (v.k === "d" ? v.proto : v.k === "v" ? v.o.proto : undefined)).filter((h) => h !== undefined);
      if (hints.length > 0 && hints.every((h) => h === hints[0])) result.proto = hints[0];
    }
  }
  // The returned objects (and what their fields hold) live on past the join, though no frame's
  // variable holds them yet: the join must keep their states (it drops objects nothing reaches).
  const held = result.k === "v" ? values.filter((v) => v.k === "v") : [];
  this.liveValues.push(...held);
  try {
    this.env = this.merge(edges);
  } finally {
    this.liveValues.length -= held.length;
  }
  if (merged && this.env) this.env.set(merged.object, { val: null, obj: merged.state });
  // The callee's own locals are dead once it has returned, unless a closure it made captures them
  // (merge drops them at a join of several returns; with one return it hands that environment back
  // whole). Kept, they are copied at every later fork: over @cfworker/json-schema's recursive
  // `validate`, inlined about 70 times, the environment grew to thousands of dead slots, and copying
  // and joining them was most of a 58 s compile.
  if (this.env) {
    for (const [variable, slot] of frame.slots) {
      if (!inherited.has(slot) && !slot.pinned && !info.captured.has(variable)) this.env.delete(slot);
    }
  }
  const blockNode: Node = { type: "BlockStatement", body };
  this.out.push(ret.label ? { type: "LabeledStatement", label: id(ret.label), body: blockNode } : blockNode);
  this.budget -= body.length;
  this.framesInlined = (this.framesInlined ?? 0) + 1;
  if (!this.env) return UNDEF;
  return result;
};

declare module "./specializer.js" {
  interface Specializer {
    rootStrict: boolean;
    rootFn: Function;
  }
}
