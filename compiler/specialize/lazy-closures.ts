/**
 * Function expressions handed to a call, made only if something uses them as values.
 *
 * Making a closure copies it as written (verbatim.ts), and the copy names what it captures: a
 * virtual object it reads (an arrow's `this` that is an instance kos made in place, a local that
 * holds an object kos made) is allocated there. A helper kos inlines often only calls the function
 * it is given (`this._walk(val, (m) => { … this._eval(…) … })`, whose `_walk` is a loop of
 * `f(i)`), and each such call then runs the closure's body in place (closures.ts): the closure
 * itself is never needed, but making it had already allocated the instance, and an instance that
 * escapes on the fast path is made by its constructor (fast-path-escapes.ts), so the whole
 * construction ran as written.
 *
 * So a call whose argument is such a function expression is first evaluated with that argument
 * lazy: a known closure (its body can still run in place) whose residual expression nobody may
 * ask for. Where something does (the callee stores it, passes it to a call that stays a call,
 * returns it, or another closure made as written captures the parameter that holds it), or where
 * it is still held by a variable or an object when the call is done, the attempt is forgotten (as
 * allOrNothing forgets an unfolding: environment, emitted code, budget, guards) and the call is
 * evaluated again as before. Nothing the residual code does changes: making a function runs none
 * of its code, and a function nobody receives cannot be observed.
 *
 * A lazy closure also counts as something static to inline its callee for (inlining.ts): only in
 * place can its calls run without making it. For the same reason it runs in place on a
 * speculation's generic branch too (call-dispatch.ts), it binds a parameter lazily (patterns.ts),
 * and the steps of `Object.keys(o).forEach(cb)` run in place for it (fresh-array-calls.ts).
 * Attempts do not nest (each failed one doubles the work of its call): inside one, a function
 * expression that captures a lazy closure (`(m) => { f(m); }` inside the helper) joins it, and
 * the attempt succeeds or fails as a whole. A compile stops trying after MAX_FAILED_ATTEMPTS.
 */
import { walk, isReferenceIdentifier, type Node } from "../ast.js";
import { JitError } from "../jit-error.js";
import { InstanceEscaped, Specializer } from "./specializer.js";
import type { DynamicValue, Val, VirtualObject } from "./values.js";

interface LazyAttempt {
  /** The function expressions the attempt makes lazy. */
  nodes: Set<Node>;
  /** The lazy values it made. */
  made: Set<DynamicValue>;
  /** Set when something asked for one's residual expression. */
  needed: boolean;
}

declare module "./specializer.js" {
  interface Specializer {
    lazyAttempt?: LazyAttempt;
    lazyFailures?: number;
    /** The call evaluated with its function-expression arguments lazy, or null (then evaluate it as usual). */
    lazyClosureCall(n: Node, evaluate: () => Val): Val | null;
    /** The lazy closure for `n` when the running attempt makes it lazy; else null. */
    lazyClosure(n: Node): DynamicValue | null;
  }
}

/**
 * Failed attempts per compile after which calls are evaluated as usual only. A failure costs what
 * its call evaluated before the closure was needed, once more: jsonpath-plus's cold compile (its
 * restarts at escaping instances included) made 48 attempts, of which 16 failed (`_trace`'s
 * `forEach` in `addRet` and its `_walk` calls), the longest in 0.18 s on a loaded machine; the
 * whole compile took as long as before (1.9-3.2 s against 2.0-3.0 s).
 */
const MAX_FAILED_ATTEMPTS = 16;

const P = Specializer.prototype;

P.lazyClosure = function (this: Specializer, n: Node): DynamicValue | null {
  const attempt = this.lazyAttempt;
  if (!attempt || !attempt.nodes.has(n)) return null;
  pinReassigned(this, n);
  const d = { k: "d", type: "function", lazyClosure: true, closure: { node: n, frame: this.frame, slots: new Map(this.frame.slots) } } as unknown as DynamicValue;
  // Asked for its code, it ends the attempt there, as a construct kos cannot compile ends an inlined
  // call (inlining.ts puts back what the call did; lazyClosureCall what the attempt did). Going on
  // to the end of the call first, jsonpath-plus's cold compile spent 1-3 s in attempts whose
  // closure a callback made as written had needed at their start.
  Object.defineProperty(d, "e", {
    enumerable: true,
    configurable: true,
    get() {
      attempt.needed = true;
      throw new JitError("UNSUPPORTED", "a function expression given lazily is needed as a value");
    },
  });
  attempt.made.add(d);
  return d;
};

P.lazyClosureCall = function (this: Specializer, n: Node, evaluate: () => Val): Val | null {
  if (this.generic || !this.env || (this.lazyFailures ?? 0) >= MAX_FAILED_ATTEMPTS) return null;
  // Inside an attempt, one that captures a lazy closure (made, it would make that one) is lazy too,
  // in the same attempt, which fails as a whole; the call is evaluated as usual.
  if (this.lazyAttempt) {
    for (const a of n.arguments as Node[]) if (isPlainFunction(a) && captures(this, a, true)) this.lazyAttempt.nodes.add(a);
    return null;
  }
  const nodes = (n.arguments as Node[]).filter((a) => isPlainFunction(a) && captures(this, a, false));
  if (nodes.length === 0) return null;
  const start = this.snapshot();
  const saved = {
    out: this.out, length: this.out.length, foreignRan: this.foreignRan, staleMiss: this.staleMiss, guards: this.contentGuards?.length ?? 0,
    lengthGuards: this.lengthGuards?.length, genericNodes: this.genericNodes, inlined: this.framesInlined,
    // What code the attempt ended in the middle of may have left changed (a try's depth).
    frame: this.frame, dynDepth: this.dynDepth, tryDepth: this.tryDepth, inlineStack: this.inlineStack.length, frameStack: this.frameStack?.length ?? 0, watches: this.tryWatches?.length ?? 0,
    targets: this.targets.length, live: this.liveValues.length, guardList: this.contentGuards, forkAnyway: this.forkAnyway,
  };
  // What an attempt marks on objects that live on (index.ts reads it at the end of the compile).
  const flags = new Map<VirtualObject, boolean | undefined>();
  for (const key of this.env.keys()) if (isVirtualObject(key)) flags.set(key, key.escapedOnFastPath);
  const attempt: LazyAttempt = { nodes: new Set(nodes), made: new Set(), needed: false };
  this.lazyAttempt = attempt;
  let result: Val | null = null;
  try {
    result = evaluate();
  } catch (e) {
    // A construct the attempt could not compile, or an instance that escapes in it: as usual,
    // below. (Let through, the escape ended the whole compile's attempt, compile.ts, for code the
    // call as written may never run: jsonpath-plus's cold compile, which parses its filter in
    // place inside the lazy attempt, went from 3.7 s to over its 5 s bound, two restarts more.)
    if (!(e instanceof InstanceEscaped) && !(e instanceof JitError && e.code !== "INTERNAL" && e.code !== "RESIDUAL_TOO_LARGE")) throw e;
    result = null;
  } finally {
    this.lazyAttempt = undefined;
  }
  if (result && !attempt.needed && !stillHeld(this, result, attempt.made)) return result;
  this.restore(start);
  this.out = saved.out;
  this.out.length = saved.length;
  this.foreignRan = saved.foreignRan;
  this.staleMiss = saved.staleMiss;
  this.contentGuards = saved.guardList;
  if (this.contentGuards) this.contentGuards.length = Math.min(this.contentGuards.length, saved.guards);
  this.forkAnyway = saved.forkAnyway;
  if (saved.lengthGuards !== undefined && this.lengthGuards) this.lengthGuards.length = Math.min(this.lengthGuards.length, saved.lengthGuards);
  this.genericNodes = saved.genericNodes as number;
  this.framesInlined = saved.inlined as number;
  this.frame = saved.frame;
  this.dynDepth = saved.dynDepth;
  this.tryDepth = saved.tryDepth;
  this.inlineStack.length = saved.inlineStack;
  if (this.frameStack) this.frameStack.length = saved.frameStack;
  if (this.tryWatches) this.tryWatches.length = saved.watches;
  this.targets.length = saved.targets;
  this.liveValues.length = saved.live;
  this.generic = false;
  for (const [o, f] of flags) o.escapedOnFastPath = f;
  this.lazyFailures = (this.lazyFailures ?? 0) + 1;
  return null;
};

/**
 * The bindings the closure captures that are pinned lazily (verbatim.ts) and written after their
 * declaration are pinned now, as making the closure would pin them: its body, run in place inside
 * a residual loop, writes them there, and the loop knows only the writes in its own source (a
 * `total += …` of the closure's, in `for (…) f(i)`, was lost after the loop). One never written
 * again keeps its value known, and unpinned (made at entry, an object kos keeps virtual would be
 * allocated).
 */
function pinReassigned(s: Specializer, fn: Node): void {
  const scopes = s.frame.info.scopes;
  walk(fn, (y, parent) => {
    if (y.type !== "Identifier" || !isReferenceIdentifier(y, parent)) return;
    const variable = scopes.referenceOf(y)?.resolved;
    const slot = variable ? s.frame.slots.get(variable) : undefined;
    if (!slot || slot.pinned || !slot.lazy || !slot.reassigned || slot.scopeEnded || !s.env?.has(slot)) return;
    s.materialize(slot, true);
    if (!slot.declared) s.declare(slot);
    slot.pinned = true;
    slot.latePinned = true;
    s.env.set(slot, { val: null });
  });
}

/** An anonymous function or arrow, neither async nor a generator: what `expr` makes a known closure of. */
function isPlainFunction(a: Node): boolean {
  return (a.type === "ArrowFunctionExpression" || a.type === "FunctionExpression") && !a.id && !a.async && !a.generator;
}

function isVirtualObject(key: unknown): key is VirtualObject {
  return typeof key === "object" && key !== null && !("pinned" in key);
}

/**
 * Whether making `fn` now would allocate an object kos made (an arrow's `this`, or a local holding
 * one), or, with `lazyOnly`, make a lazy closure (a local holding one).
 */
function captures(s: Specializer, fn: Node, lazyOnly: boolean): boolean {
  const scopes = s.frame.info.scopes;
  let found = false;
  const visit = (x: Node, arrowThis: boolean) => {
    walk(x, (y, parent) => {
      if (found) return false;
      if (y !== x && (y.type === "FunctionExpression" || y.type === "FunctionDeclaration" || y.type === "ClassExpression" || y.type === "ClassDeclaration")) {
        visit(y, false);
        return false;
      }
      if (y.type === "ThisExpression" && arrowThis && !lazyOnly && s.frame.thisVal.k === "v") found = true;
      if (y.type !== "Identifier" || !isReferenceIdentifier(y, parent)) return;
      const variable = scopes.referenceOf(y)?.resolved;
      const slot = variable ? s.frame.slots.get(variable) : undefined;
      const val = slot ? s.env?.get(slot)?.val : undefined;
      if (val && (lazyOnly ? val.k === "d" && !!val.lazyClosure : val.k === "v")) found = true;
      return;
    });
  };
  visit(fn, fn.type === "ArrowFunctionExpression");
  return found;
}

/**
 * Whether a lazy closure is still reachable once the call is done: its result, a variable of a
 * frame still running, an object's field. (A variable of a call that has returned is read only by
 * the closures that call made, and any of those made as a value needed it already.)
 */
function stillHeld(s: Specializer, result: Val, made: Set<DynamicValue>): boolean {
  if (made.has(result as DynamicValue)) return true;
  const live = new Set<unknown>();
  for (const f of [s.frame, ...(s.frameStack ?? [])]) for (const slot of f.slots.values()) live.add(slot);
  for (const [key, st] of s.env?.entries() ?? []) {
    if (st.val && live.has(key) && made.has(st.val as DynamicValue)) return true;
    if (st.obj) for (const v of st.obj.props.values()) if (made.has(v as DynamicValue)) return true;
  }
  return false;
}
