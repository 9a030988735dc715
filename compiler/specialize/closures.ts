/**
 * Known closures, and the array methods that call them. A function
 * expression evaluated in a frame that is still running is a known closure:
 * its body can be evaluated in place, in a frame that shares the defining
 * frame's slots (its captured bindings are pinned, so it reads and writes
 * them as the real closure would). `items.map(cb)` and `items.forEach(cb)`
 * over an array whose items kos knows then unfold into one inlined call per
 * item, the way an interpreter's `args.map((a) => evaluate(a, env))` becomes
 * the evaluated arguments.
 *
 * Exactness: map and forEach read the length once, then `k in O` and `O[k]`
 * before each call. Over an unfrozen array the items were read with guards;
 * after foreign code (in a callback, say), the next item is speculated on
 * again (speculation.ts), next to the rest as a residual loop that reads the
 * live array as the built-in does. A virtual array cannot change behind kos's
 * back; if it escapes during the unfolding, the unfolding is abandoned.
 */
import type { Node } from "../ast.js";
import { Specializer, assign, id, type Frame } from "./specializer.js";
import { D, S, UNDEF, isPrimitive, type Closure, type Val, type VirtualObject } from "./values.js";
import { readFrozenProperty } from "./objects.js";
import { walk, isReferenceIdentifier } from "../ast.js";
import { types as utilTypes } from "node:util";

declare module "./specializer.js" {
  interface Specializer {
    inlineClosure(c: Closure, thisVal: Val, args: Val[]): Val | null;
    unfoldArrayMethod(fn: Function, recv: Val, args: Val[], n: Node): Val | null;
  }
}

const P = Specializer.prototype;
const ArrayMap = Array.prototype.map;
const ArrayForEach = Array.prototype.forEach;

/** The most items an array method unfolds (past it, the call stays a call). */
export const MAX_UNFOLDED_ITEMS = 64;

/**
 * Levels of one closure's recursion evaluated in place. A path walker recurs once per key of its
 * path; 8 is GENERALIZE_AFTER's bound for counting recursion of functions (residual-versions.ts).
 */
const MAX_CLOSURE_LEVELS = 8;

P.inlineClosure = function (this: Specializer, c: Closure, thisVal: Val, args: Val[]): Val | null {
  const frame = c.frame as Frame;
  const node = c.node;
  // The defining frame's slots are the closure's environment. A frame that has returned may have
  // declared them in a block the call is not in: then every binding the closure reads from it must be
  // a known constant here, never reassigned (expr-eval's `function (scope) { return evaluate(token.value,
  // expr, scope) }`, made by a helper that has returned).
  // The bindings it was made with; ones made later (a `var` first written after it) from the frame.
  const slots = new Map([...frame.slots, ...(c.slots as Frame["slots"])]);
  if (!this.isActiveFrame(frame) && !capturesOnlyConstants(this, frame, slots, node)) return null;
  if (this.frame.depth + 1 > this.options.maxDepth || this.budget <= 0) return null;
  const own = ownUses(node);
  if (own.usesArguments) return null;
  const isArrow = node.type === "ArrowFunctionExpression";
  if (own.usesThis && !isArrow && (!frame.info.parsed.strict || frame.info.parsed.strictAssumed) && !(thisVal.k === "v" || (thisVal.k === "s" && !isPrimitive(thisVal.v)))) return null;
  // Keyed by what it is called on, as a function is (inlining.ts): a helper that recurs on new values
  // (a declared `walk(o[keys[i]], i + 1)` over a known path) runs in place at each level, up to
  // MAX_CLOSURE_LEVELS of it; the same call again stays a call.
  const base = `closure@${node.start ?? 0}:${this.objectId(frame)}(`;
  const self = isArrow ? frame.thisVal : thisVal;
  const key = base + this.callSignature(self, args).join(",") + ")";
  if (this.inlineStack.includes(key)) return null;
  if (this.inlineStack.reduce((n, k) => (k.startsWith(base) ? n + 1 : n), 0) >= MAX_CLOSURE_LEVELS) return null;
  return this.inlineFrame(frame.info, node, slots, self, args, key, isArrow ? frame.newTarget : undefined);
};

declare module "./specializer.js" {
  interface Specializer {
    frameStack: Frame[];
    isActiveFrame(f: Frame): boolean;
  }
}

/** Every binding of `frame` that `node` reads holds a known value on this path, and is never reassigned. */
function capturesOnlyConstants(s: Specializer, frame: Frame, slots: Frame["slots"], node: Node): boolean {
  let ok = true;
  walk(node, (x, parent) => {
    if (!ok) return false;
    if (x.type !== "Identifier" || !isReferenceIdentifier(x, parent)) return;
    const variable = frame.info.scopes.resolve(x);
    const slot = variable ? slots.get(variable) : undefined;
    if (!slot) return;
    const st = s.env!.get(slot);
    if (slot.reassigned || !st || !st.val || st.val.k !== "s") ok = false;
    return;
  });
  return ok;
}

/**
 * Whether `c` reads a binding of the frame it was made in that holds a known value (a static one,
 * or an object kos made) on this path: inlined, its body has that to fold. A callback that only
 * reads values kos does not know gains nothing from running in place but the call.
 */
export function capturesKnownValue(s: Specializer, c: Closure): boolean {
  const frame = c.frame as Frame;
  const slots = new Map([...frame.slots, ...(c.slots as Frame["slots"])]);
  let found = false;
  walk(c.node, (x, parent) => {
    if (found) return false;
    if (x.type !== "Identifier" || !isReferenceIdentifier(x, parent)) return;
    const variable = frame.info.scopes.resolve(x);
    const slot = variable ? slots.get(variable) : undefined;
    const st = slot ? s.env!.get(slot) : undefined;
    if (st && st.val && (st.val.k === "s" || st.val.k === "v")) found = true;
    return;
  });
  return found;
}

/** Whether `f` is the current frame or one of the frames it was called from (still running). */
P.isActiveFrame = function (this: Specializer, f: Frame): boolean {
  return this.frame === f || (this.frameStack ?? []).includes(f);
};

export function ownUses(node: Node): { usesThis: boolean; usesArguments: boolean } {
  let usesThis = false;
  let usesArguments = false;
  walk(node, (x, parent) => {
    if (x !== node && (x.type === "FunctionExpression" || x.type === "FunctionDeclaration" || x.type === "ClassExpression" || x.type === "ClassDeclaration")) return false;
    if (x.type === "ThisExpression" || x.type === "Super" || x.type === "MetaProperty") usesThis = true;
    if (x.type === "Identifier" && x.name === "arguments" && isReferenceIdentifier(x, parent)) usesArguments = true;
    return;
  });
  return { usesThis, usesArguments };
}

/** Calls a known callee (a static function or a known closure) with these arguments, in place; null if it cannot. */
export function callKnown(s: Specializer, cb: Val, thisArg: Val, args: Val[], n: Node): Val | null {
  if (cb.k === "d" && cb.closure) return s.inlineClosure(cb.closure, thisArg, args);
  if (cb.k === "s" && typeof cb.v === "function") return s.inlineCall(cb.v as Function, thisArg, args, n);
  return null;
}

/** Items of the receiver, as map/forEach would visit them, if kos knows them now; `source` when it is an unfrozen array. */
export function knownArray(s: Specializer, recv: Val): { items: Val[]; source: unknown[] | null; virtual: VirtualObject | null } | null {
  if (recv.k === "v" && recv.o.kind === "array" && s.fields(recv.o)) return { items: [...s.fields(recv.o)!.values()], source: null, virtual: recv.o };
  if (recv.k !== "s" || !Array.isArray(recv.v) || utilTypes.isProxy(recv.v)) return null;
  const arr = recv.v as unknown[];
  if (Object.isFrozen(arr)) {
    if (!s.plainArraySpecies(arr)) return null;
    const items: Val[] = [];
    for (let i = 0; i < arr.length; i++) {
      const f = readFrozenProperty(arr, String(i), s.options.freeze);
      if (!f.ok || !Object.prototype.hasOwnProperty.call(arr, i)) return null;
      items.push(S(f.value));
    }
    return { items, source: null, virtual: null };
  }
  const items = s.guardedItems(arr);
  // After its items: a guard pushed for an array that is then not unfolded would only cost.
  return items && s.plainArraySpecies(arr) ? { items, source: arr, virtual: null } : null;
}

interface Unfold {
  fn: Function;
  O: Val;
  cb: Val;
  thisArg: Val;
  items: Val[];
  source: unknown[] | null;
  virtual: VirtualObject | null;
  n: Node;
  /**
   * Set once an item was speculated on after a callback may have run foreign code: what ran may
   * have written items past that one (`a[2] = x` at the first, read as 3 by map's third call,
   * found beside sweep18's for-of case), so each later item is speculated on as it is reached.
   */
  guardEach?: boolean;
}

P.unfoldArrayMethod = function (this: Specializer, fn: Function, recv: Val, args: Val[], n: Node): Val | null {
  if ((fn !== ArrayMap && fn !== ArrayForEach) || this.generic) return null;
  const cb = args[0];
  if (!cb || !((cb.k === "d" && cb.closure) || (cb.k === "s" && typeof cb.v === "function"))) return null;
  const known = knownArray(this, recv);
  if (!known || known.items.length > MAX_UNFOLDED_ITEMS) return null;
  const u: Unfold = { fn, O: recv, cb, thisArg: args[1] ?? UNDEF, items: known.items, source: known.source, virtual: known.virtual, n };
  // All or nothing: a callback kos cannot evaluate in place leaves the call as written.
  return allOrNothing(this, () => unfoldFrom(this, u, 0, []), [recv, cb, u.thisArg]);
};

/**
 * Runs an unfolding; when it gives null, forgets everything it did (environment, emitted
 * code, the foreign-code flag, the guards it recorded), as if it had not run.
 */
export function allOrNothing(s: Specializer, unfold: () => Val | null, live: Val[] = []): Val | null {
  const start = s.snapshot();
  const saved = { out: s.out, length: s.out.length, foreignRan: s.foreignRan, guards: s.contentGuards?.length ?? 0 };
  // The receiver, callback and results so far are held by no variable (`[c.n, x].some(…)`): the joins
  // inside the callbacks must keep their states (merge drops objects nothing reaches).
  const mark = s.liveValues.length;
  s.liveValues.push(...live);
  let result: Val | null;
  try {
    result = unfold();
  } finally {
    s.liveValues.length = mark;
  }
  if (result) return result;
  s.restore(start);
  s.out = saved.out;
  s.out.length = saved.length;
  s.foreignRan = saved.foreignRan;
  if (s.contentGuards) s.contentGuards.length = Math.min(s.contentGuards.length, saved.guards);
  return null;
}

/** Unfolds calls from item `k` on; `done` holds the results so far. Null when a callback cannot be inlined. */
function unfoldFrom(s: Specializer, u: Unfold, k: number, done: Val[]): Val | null {
  // (Item `first` was checked by the pass that called this one, if any.)
  const first = k;
  for (; k < u.items.length; k++) {
    if (!s.env) return UNDEF;
    if (u.virtual && !s.fields(u.virtual)) return null;
    if (u.source && k > 0 && (s.foreignRan || (u.guardEach && k > first))) {
      // The array may have changed since its items were read: speculate on the next item again.
      const at = k;
      const doneSoFar = [...done];
      s.forkAnyway = true;
      // (A fork starts only after foreign code; an item checked as it is reached counts as such.)
      s.foreignRan = true;
      u = { ...u, guardEach: true };
      let failed = false;
      const v = s.speculateValueWith(() => {
        s.contentGuards ??= [];
        s.contentGuards.push({ obj: u.source!, key: String(at), value: (u.items[at] as { v: unknown }).v });
        const r = unfoldFrom(s, u, at, [...doneSoFar]);
        if (!r) failed = true;
        return r ?? UNDEF;
      }, () => residualRest(s, u, at, doneSoFar));
      s.forkAnyway = false;
      if (failed) return null;
      return v ?? residualRest(s, u, at, done);
    }
    // An array kos made is read as it is now, as the built-in reads `O[k]` before each call (an
    // earlier callback may have written it through its third argument).
    const item = u.virtual ? s.fields(u.virtual)!.get(String(k)) : u.items[k]!;
    if (!item) return null; // deleted since: a hole the built-in skips
    const r = callKnown(s, u.cb, u.thisArg, [item, S(k), u.O], u.n);
    if (!r) return null;
    const kept = s.stable(r);
    done.push(kept);
    s.liveValues.push(kept);
  }
  if (!s.env) return UNDEF;
  if (u.fn === ArrayForEach) return UNDEF;
  return { k: "v", o: s.newVirtual("array", new Map(done.map((v, i) => [String(i), v]))) };
}

/**
 * The rest of map/forEach from item `k`, as the built-in runs it: the live
 * array's `k in O` and `O[k]`, up to the length read at the start.
 */
function residualRest(s: Specializer, u: Unfold, k: number, done: Val[]): Val {
  s.foreignCodeMayRun();
  const cbNode = s.residual(s.stable(u.cb, "cb"));
  const thisNode = s.residual(u.thisArg);
  const O = s.residual(u.O);
  const len = u.items.length;
  const i = s.fresh("i");
  s.hoistName(i);
  let A: string | null = null;
  if (u.fn === ArrayMap) {
    A = s.fresh("mapped");
    s.hoistName(A);
    s.emit(assign(A, { type: "ArrayExpression", elements: done.map((v) => s.residual(v)) }));
  }
  const read = (): Node => ({ type: "MemberExpression", object: O, property: id(i), computed: true, optional: false });
  const call: Node = u.thisArg.k === "s" && u.thisArg.v === undefined
    ? { type: "CallExpression", optional: false, callee: cbNode, arguments: [read(), id(i), O] }
    : { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: cbNode, property: id("call"), computed: false, optional: false }, arguments: [thisNode, read(), id(i), O] };
  const body: Node = A
    ? { type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: { type: "MemberExpression", object: id(A), property: id(i), computed: true, optional: false }, right: call } }
    : { type: "ExpressionStatement", expression: call };
  s.emit({
    type: "ForStatement",
    init: { type: "AssignmentExpression", operator: "=", left: id(i), right: { type: "Literal", value: k, raw: String(k) } },
    test: { type: "BinaryExpression", operator: "<", left: id(i), right: { type: "Literal", value: len, raw: String(len) } },
    update: { type: "UpdateExpression", operator: "++", prefix: false, argument: id(i) },
    body: { type: "IfStatement", test: { type: "BinaryExpression", operator: "in", left: id(i), right: O }, consequent: body, alternate: null },
  });
  if (!A) return UNDEF;
  // Holes at the end leave the length short: map's result has the length read at the start.
  s.emit({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: { type: "MemberExpression", object: id(A), property: id("length"), computed: false, optional: false }, right: { type: "Literal", value: len, raw: String(len) } } });
  const d = D(id(A), "object");
  d.arrayLength = len;
  return d;
}
