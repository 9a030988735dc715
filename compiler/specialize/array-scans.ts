/**
 * `some`, `every`, `find`, `findIndex` and `reduce` over an array whose items
 * kos knows, with a callback it can evaluate in place: one inlined call per
 * item, the way closures.ts unfolds `map` and `forEach`. A schema interpreter's
 * `schema.anyOf.some((s) => check(s, value))` becomes the checks of its
 * alternatives, each run only where the ones before it failed.
 *
 * Exactness, from the built-ins' steps (ECMA-262 23.1.3):
 * - the length is read once, before any call; `some`/`every`/`reduce` skip
 *   holes (HasProperty), `find`/`findIndex` visit them as undefined;
 * - `O[k]` is read before each call, so a virtual array is read as it stands
 *   then (a callback may have written it), and an unfrozen array is unfolded
 *   only while no foreign code has run since its items were read: otherwise
 *   the call stays a call;
 * - a result kos cannot decide becomes a branch: the items after it are
 *   evaluated only on the path where the built-in would have gone on;
 * - `reduce` with no initial value over an empty array stays a call (it throws).
 * All or nothing: a callback kos cannot evaluate leaves the call as written.
 */
import type { Node } from "../ast.js";
import { Specializer, id } from "./specializer.js";
import { D, S, UNDEF, type Val } from "./values.js";
import { allOrNothing, callKnown, knownArray, MAX_UNFOLDED_ITEMS } from "./closures.js";

declare module "./specializer.js" {
  interface Specializer {
    unfoldArrayScan(fn: Function, recv: Val, args: Val[], n: Node): Val | null;
  }
}

const P = Specializer.prototype;

type Scan = "some" | "every" | "find" | "findIndex" | "reduce";
// The intrinsics as they were when kos loaded: a program's replacement is a different function.
const SCANS = new Map<unknown, Scan>([
  [Array.prototype.some, "some"],
  [Array.prototype.every, "every"],
  [Array.prototype.find, "find"],
  [Array.prototype.findIndex, "findIndex"],
  [Array.prototype.reduce, "reduce"],
]);

interface ScanState {
  kind: Scan;
  O: Val;
  cb: Val;
  thisArg: Val;
  len: number;
  /** Item k as the built-in reads it now, or null for a hole; undefined: kos no longer knows. */
  item(k: number): Val | null | undefined;
  n: Node;
  failed: boolean;
  /** An unfrozen array kos does not own: the array and the items read (and guarded) at entry. */
  source?: { obj: unknown[]; items: unknown[] };
  /**
   * Set once an item was speculated on after a callback may have run foreign code: what ran may
   * have written items past that one (`a[2] = x` at the first item), so each later item is
   * speculated on as it is reached (closures.ts, Unfold.guardEach).
   */
  guardEach?: boolean;
}

P.unfoldArrayScan = function (this: Specializer, fn: Function, recv: Val, args: Val[], n: Node): Val | null {
  const kind = SCANS.get(fn);
  if (!kind || this.generic) return null;
  const cb = args[0];
  if (!cb || !((cb.k === "d" && cb.closure) || (cb.k === "s" && typeof cb.v === "function"))) return null;
  const known = knownArray(this, recv);
  if (!known || known.items.length > MAX_UNFOLDED_ITEMS) return null;
  const len = known.items.length;
  const hasInitial = kind === "reduce" && args.length >= 2;
  if (kind === "reduce" && !hasInitial && len === 0) return null;
  const virtual = known.virtual;
  const source = known.source;
  const item = (k: number): Val | null | undefined => {
    if (virtual) {
      const fields = this.fields(virtual);
      if (!fields) return undefined; // escaped: kos no longer sees its writes
      return fields.get(String(k)) ?? null;
    }
    // An unfrozen array's items were read (and guarded) before any callback ran.
    if (source && k > 0 && this.foreignRan) return undefined;
    return known.items[k]!;
  };
  const st: ScanState = { kind, O: recv, cb, thisArg: kind === "reduce" ? UNDEF : args[1] ?? UNDEF, len, item, n, failed: false };
  if (source && !virtual && kind !== "reduce") st.source = { obj: source as unknown[], items: known.items.map((x) => (x as { v: unknown }).v) };
  return allOrNothing(this, () => {
    let result: Val | null;
    if (kind === "reduce") {
      let k = 0;
      let acc: Val | null | undefined = args[1];
      if (!hasInitial) {
        // The first item present is the start; every item is present in the arrays kos unfolds.
        acc = item(0);
        k = 1;
      }
      result = acc ? reduceFrom(this, st, k, acc) : null;
    } else {
      result = scanFrom(this, st, 0);
    }
    return result && !st.failed ? result : null;
  }, [recv, cb, st.thisArg]);
};

/** What the scan gives when no callback decided it. */
function exhausted(kind: Scan): Val {
  return kind === "some" ? S(false) : kind === "every" ? S(true) : kind === "findIndex" ? S(-1) : UNDEF;
}

/** Items from `k` on, for some/every/find/findIndex; a dynamic callback result branches. */
function scanFrom(s: Specializer, st: ScanState, k: number): Val {
  // (Item `first` was checked by the pass that called this one, if any.)
  const first = k;
  for (; k < st.len; k++) {
    if (!s.env) return UNDEF; // every path so far threw or returned
    // An item checked as it is reached counts as after foreign code (a fork starts only then).
    if (st.source && st.guardEach && k > first) s.foreignRan = true;
    const got = st.item(k);
    if (got === undefined && st.source && s.foreignRan) {
      // Foreign code ran since the items were read (a callback that calls out): speculate that the
      // item is still the one read at jit, checked here, as closures.ts does for map and forEach.
      const at = k;
      const src = st.source;
      s.forkAnyway = true;
      const v = s.speculateValueWith(() => {
        s.contentGuards ??= [];
        s.contentGuards.push({ obj: src.obj, key: String(at), value: src.items[at] });
        st.guardEach = true;
        return scanFrom(s, st, at);
      }, () => residualScanRest(s, st, at));
      s.forkAnyway = false;
      if (st.failed) return UNDEF;
      return v ?? residualScanRest(s, st, at);
    }
    if (got === undefined) return fail(st);
    // some/every skip a hole; find/findIndex see it as undefined.
    if (got === null && (st.kind === "some" || st.kind === "every")) continue;
    const value = s.stable(got ?? UNDEF);
    const r = callKnown(s, st.cb, st.thisArg, [value, S(k), st.O], st.n);
    // A callback kos cannot inline here (its budget ran out, or a construct it cannot compile): the
    // items before it stay unfolded, and the built-in's own loop does the rest.
    if (!r) return k > 0 ? residualScanRest(s, st, k) : fail(st);
    const decided = st.kind === "some" ? S(true) : st.kind === "every" ? S(false) : st.kind === "find" ? value : S(k);
    // The scan stops where the callback's result is truthy (every: falsy).
    const stopsWhenTruthy = st.kind !== "every";
    if (r.k === "s") {
      if (!!r.v === stopsWhenTruthy) return decided;
      continue;
    }
    if (r.k === "v") {
      // An object is truthy.
      if (stopsWhenTruthy) return decided;
      continue;
    }
    const next = k + 1;
    // The test is evaluated once, where the branch is: nothing is emitted between it and the call.
    if (st.kind === "some" || st.kind === "every") {
      // Both sides are booleans: `t || rest` for some, `t && rest` for every (`!!t` when t is not one).
      const op = st.kind === "some" ? "||" : "&&";
      const asBool = (t: Node): Node => (r.type === "boolean" ? t : { type: "UnaryExpression", operator: "!", prefix: true, argument: { type: "UnaryExpression", operator: "!", prefix: true, argument: t } });
      const shape = (t: Node, a: Node, b: Node): Node => {
        const rest = st.kind === "some" ? b : a;
        const ends = rest.type === "Literal" && rest.value === (st.kind === "every");
        return ends ? asBool(t) : { type: "LogicalExpression", operator: op, left: asBool(t), right: rest };
      };
      const v = st.kind === "some" ? s.branchValue(r, () => decided, () => scanFrom(s, st, next), [], shape) : s.branchValue(r, () => scanFrom(s, st, next), () => decided, [], shape);
      return v.k === "d" && !v.type ? { ...v, type: "boolean" } : v;
    }
    return s.branchValue(r, () => decided, () => scanFrom(s, st, next), [], (t, a, b) => ({ type: "ConditionalExpression", test: t, consequent: a, alternate: b }));
  }
  return exhausted(st.kind);
}

function reduceFrom(s: Specializer, st: ScanState, k: number, start: Val): Val {
  let acc = s.stable(start);
  s.liveValues.push(acc); // held by no variable between the callbacks (allOrNothing drops these)
  for (; k < st.len; k++) {
    if (!s.env) return UNDEF;
    const got = st.item(k);
    if (got === undefined) return fail(st);
    if (got === null) continue;
    const r = callKnown(s, st.cb, UNDEF, [acc, s.stable(got), S(k), st.O], st.n);
    if (!r) return fail(st);
    acc = s.stable(r);
    s.liveValues.push(acc);
  }
  return acc;
}

/**
 * The rest of some/every/find/findIndex from item `k`, as the built-in runs it on the live array
 * (`k in O` for some/every, `O[k]` before each call), up to the length read at the start.
 */
function residualScanRest(s: Specializer, st: ScanState, k: number): Val {
  s.foreignCodeMayRun();
  const cbNode = s.residual(s.stable(st.cb, "cb"));
  const thisNode = s.residual(st.thisArg);
  const O = s.residual(st.O);
  const i = s.fresh("i");
  const r = s.fresh("found");
  const item = s.fresh("item");
  for (const name of [i, r, item]) s.hoistName(name);
  const lit = (v: unknown): Node => ({ type: "Literal", value: v, raw: JSON.stringify(v) });
  const set = (name: string, e: Node): Node => ({ type: "ExpressionStatement", expression: { type: "AssignmentExpression", operator: "=", left: id(name), right: e } });
  const done = exhausted(st.kind) as { v: unknown };
  s.emit(set(r, done.v === undefined ? { type: "UnaryExpression", operator: "void", prefix: true, argument: lit(0) } : lit(done.v)));
  const args = [id(item), id(i), O];
  const call: Node = st.thisArg.k === "s" && st.thisArg.v === undefined
    ? { type: "CallExpression", optional: false, callee: cbNode, arguments: args }
    : { type: "CallExpression", optional: false, callee: { type: "MemberExpression", object: cbNode, property: id("call"), computed: false, optional: false }, arguments: [thisNode, ...args] };
  const decided: Node = st.kind === "some" ? lit(true) : st.kind === "every" ? lit(false) : st.kind === "find" ? id(item) : id(i);
  const test: Node = st.kind === "every" ? { type: "UnaryExpression", operator: "!", prefix: true, argument: call } : call;
  const found: Node = { type: "IfStatement", test, consequent: { type: "BlockStatement", body: [set(r, decided), { type: "BreakStatement", label: null }] }, alternate: null };
  const read = set(item, { type: "MemberExpression", object: O, property: id(i), computed: true, optional: false });
  const body: Node = st.kind === "some" || st.kind === "every"
    ? { type: "IfStatement", test: { type: "BinaryExpression", operator: "in", left: id(i), right: O }, consequent: { type: "BlockStatement", body: [read, found] }, alternate: null }
    : { type: "BlockStatement", body: [read, found] };
  s.emit({
    type: "ForStatement",
    init: { type: "AssignmentExpression", operator: "=", left: id(i), right: lit(k) },
    test: { type: "BinaryExpression", operator: "<", left: id(i), right: lit(st.len) },
    update: { type: "UpdateExpression", operator: "++", prefix: false, argument: id(i) },
    body,
  });
  const type = st.kind === "some" || st.kind === "every" ? "boolean" : st.kind === "findIndex" ? "number" : undefined;
  return D(id(r), type);
}

function fail(st: ScanState): Val {
  st.failed = true;
  return UNDEF;
}
