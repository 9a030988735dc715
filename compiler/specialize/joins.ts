/**
 * Joins: where control flow meets (after an `if`, at a loop exit, at the
 * returns of an inlined call), the environments of the incoming edges merge
 * into one. A slot keeps its static value where every edge agrees, and
 * otherwise gets a residual variable that each edge's fix-up assigns; a
 * virtual object stays virtual where its fields can be merged the same way.
 */
import type { Node } from "../ast.js";
import { D, sameVal, type DynamicValue, type Val, type VirtualObject } from "./values.js";
import { Specializer, assign, id, type Edge, type Env, type Slot, type SlotState } from "./specializer.js";
import { markForeign, ranForeign } from "./foreign-state.js";
import { markGeneric, onGenericPath } from "./fast-path-escapes.js";
import { settleShared } from "./loop-shared-objects.js";
import { noteJoinHint } from "./join-hints.js";

declare module "./specializer.js" {
  interface Specializer {
    merge(edges: Edge[]): Env | null;
    mergeVirtuals(live: Edge[], result: Env): void;
    reachableVirtuals(live: Edge[]): Set<VirtualObject>;
    residualAt(edge: { fix: Node[]; env?: Env }, x: Val): Node;
  }
}

/**
 * Bound on the work of one compile, in environment entries joined at branches (each join visits every
 * variable in scope, so it grows with inlining depth times branching; about 0.45 s per million here).
 * Measured: the nine fixtures join at most 763; the real interpreters' natural uses at most 107,800
 * (sift, 0.6 s); in the package sweep, unspecialized compiles of EventEmitter's emit 1.09 million
 * (1.6 s) and qs.stringify 5.8 million (2.6 s). A recursive JSON Schema validator
 * (@cfworker/json-schema) inlined on schema parts it no longer knew joined 23 million per attempt,
 * 10 s each, three attempts, before the size limit failed it. Past this bound the compile stops at
 * once with RESIDUAL_TOO_LARGE (a retry with smaller budgets joins as much).
 */
const MAX_JOIN_WORK = 8_000_000;
/**
 * The same bound once a for-in over an unfrozen object was unrolled (loops.ts): compile.ts then
 * specializes again with that loop kept, rather than fail. Measured: valibot's 9-property schema
 * joins 48,524 with it; @cfworker/json-schema's 8-property schema passed 8 million in 2.8 s,
 * with every property's recursive validation inlined.
 */
const MAX_JOIN_WORK_GUARDED_FOR_IN = 1_000_000;

const P = Specializer.prototype;

/**
 * Joins control-flow edges. A slot keeps a static value only if every
 * edge agrees on it; otherwise each edge that knew a value writes it to the
 * slot's variable in its fix-up block.
 */
P.merge = function (this: Specializer, edges: Edge[]): Env | null {
  const live = edges.filter((e) => e.env);
  if (live.length === 0) return null;
  if (live.length === 1) return live[0]!.env;
  if (this.sharedFrames?.length) settleShared(this, live);
  this.joinWork += live[0]!.env.size * live.length;
  this.checkDeadline();
  if (this.joinWork > (this.guardedForIns ? MAX_JOIN_WORK_GUARDED_FOR_IN : MAX_JOIN_WORK)) {
    this.fail("RESIDUAL_TOO_LARGE", `the specialization joined more than ${MAX_JOIN_WORK} variable states at its branches: it inlines calls on values it does not know too deeply to pay off`);
  }
  // A generic branch's edge joined with another's: what this join allocates is the join's (fast-path-escapes.ts).
  const generic = live.filter((e) => onGenericPath(e.env)).length;
  const joiningGeneric = this.joiningGeneric;
  this.joiningGeneric = joiningGeneric || (generic > 0 && generic < live.length);
  try {
    return this.mergeLive(live, generic === live.length);
  } finally {
    this.joiningGeneric = joiningGeneric;
  }
};

declare module "./specializer.js" {
  interface Specializer {
    mergeLive(live: Edge[], allGeneric: boolean): Env;
  }
}

/** merge, for two or more edges with an environment. */
P.mergeLive = function (this: Specializer, live: Edge[], allGeneric: boolean): Env {
  const result: Env = new Map();
  const running = new Set<Slot>();
  for (const f of [this.frame, ...(this.frameStack ?? [])]) for (const slot of f.slots.values()) running.add(slot);
  for (const [key, first] of live[0]!.env) {
    if (first.obj) continue;
    const slot = key as Slot;
    // A local of a call that has returned (the join after an inlined body): no code reads it again
    // (closures that capture it keep it pinned), so it needs no value at the join.
    if (!slot.pinned && !running.has(slot)) continue;
    // Untouched since the fork: every edge holds the very state object (environments are
    // copied by reference and states never change in place), so it is the join's too.
    let shared = true;
    for (let i = 1; i < live.length && shared; i++) shared = live[i]!.env.get(slot) === first;
    if (shared) {
      result.set(slot, first);
      continue;
    }
    const states = live.map((e) => e.env.get(slot));
    if (states.some((s) => !s)) continue;
    if (slot.pinned && !slot.latePinned) {
      result.set(slot, states.every((s) => sameVal(s!.val, first.val)) ? first : { val: null });
      continue;
    }
    if (states.every((s) => sameVal(s!.val, first.val))) {
      if (first.val === null) {
        // What every path knows of the variable.
        const t = first.type;
        const n = first.arrayLength;
        const r: SlotState = { val: null };
        if (n !== undefined && states.every((s) => s!.arrayLength === n && s!.arrayFlag === first.arrayFlag)) {
          r.arrayLength = n;
          if (first.arrayFlag) r.arrayFlag = first.arrayFlag;
        }
        if (t && states.every((s) => s!.type === t)) r.type = t;
        if (states.every((s) => s!.nonNull)) r.nonNull = true;
        if (states.every((s) => s!.ownArguments)) r.ownArguments = true;
        if (first.proto && states.every((s) => s!.proto === first.proto)) r.proto = first.proto;
        const fact = first.isArray;
        if (fact && states.every((s) => s!.isArray?.value === fact.value && s!.isArray.epoch === fact.epoch)) r.isArray = fact;
        result.set(slot, r);
      } else if (first.val.k === "d" && !states.every((s) => s!.val!.k === "d" && s!.val!.type === (first.val as DynamicValue).type && s!.val!.nonNull === (first.val as DynamicValue).nonNull && s!.val!.isArray === (first.val as DynamicValue).isArray && s!.val!.ownArguments === (first.val as DynamicValue).ownArguments)) {
        // The same variable, narrowed differently on the way: keep only what every path knows.
        const d = D(first.val.e, states.every((s) => (s!.val as DynamicValue).type === (first.val as DynamicValue).type) ? first.val.type : undefined);
        if (states.every((s) => (s!.val as DynamicValue).nonNull)) d.nonNull = true;
        // The same variable, which holds the root's `arguments` only if every path says so.
        if (states.every((s) => (s!.val as DynamicValue).ownArguments)) d.ownArguments = true;
        const fact = first.val.isArray;
        if (fact && states.every((s) => (s!.val as DynamicValue).isArray?.value === fact.value && (s!.val as DynamicValue).isArray!.epoch === fact.epoch)) d.isArray = fact;
        result.set(slot, { val: d });
      } else result.set(slot, states.every((s) => s!.inVar) ? first : { val: first.val });
      continue;
    }
    // A variable nothing reads after this join (a loop's cursor) needs no value here: reconciling it
    // would allocate an instance it held on one path (`while (c) { …; c = c.parent }`).
    if (this.deadSlots?.has(slot)) continue;
    for (let i = 0; i < live.length; i++) {
      const st = states[i]!;
      // A value its variable already holds (a parameter guarded at entry, a narrowed `x === "add"`) needs no store.
      if (st.val && !st.inVar && !(st.val.k === "d" && st.val.e.type === "Identifier" && st.val.e.name === slot.name)) {
        live[i]!.fix.push(assign(slot.name, this.residualAt(live[i]!, st.val)));
      }
    }
    this.declare(slot);
    const joined: SlotState = { val: null };
    noteJoinHint(live, states, joined);
    result.set(slot, joined);
  }
  this.mergeVirtuals(live, result);
  // Foreign code ran on the join if it ran on any edge into it (foreign-state.ts).
  if (live.some((e) => ranForeign(e.env))) markForeign(result);
  if (allGeneric) markGeneric(result);
  return result;
};

/**
 * Joins what the edges know of virtual objects that exist on all of them.
 * An object that escaped on one path is allocated on the others too, in
 * their fix-up blocks, into the same variable; so is one whose fields
 * differ in shape. Same-shaped objects stay virtual: a field the paths
 * disagree on becomes a variable each path writes. Objects made on some
 * paths only are unreachable after the join (a slot or field that held
 * one on some path only was written to a variable, escaping it there).
 */
P.mergeVirtuals = function (this: Specializer, live: Edge[], result: Env): void {
  const stateAt = (e: Edge, o: VirtualObject) => e.env.get(o)!.obj!;
  const differing: VirtualObject[] = [];
  for (const [key, st] of live[0]!.env) {
    if (!st.obj || !live.every((e) => e.env.get(key)?.obj)) continue;
    const o = key as VirtualObject;
    // The same state on every path needs nothing.
    if (live.every((e) => stateAt(e, o) === st.obj)) result.set(o, st);
    else differing.push(o);
  }
  if (differing.length === 0) return;
  // An object no running frame can reach any more (a finished call's operand stack) is dropped
  // rather than allocated: nothing after the join uses it. (Walked only when some object differs:
  // the walk visits every slot of every running frame on every edge.)
  const reachable = this.reachableVirtuals(live);
  const objs = differing.filter((o) => reachable.has(o));
  if (objs.length === 0) return;
  // Escapes spread (an allocation escapes what its fields hold): repeat until no path allocates more.
  for (let changed = true; changed; ) {
    changed = false;
    for (const o of objs) {
      const states = live.map((e) => stateAt(e, o));
      if (states.every((st) => st.residual)) continue;
      const keys = [...states[0]!.props.keys()];
      const sameShape = states.every((st) => !st.residual && st.props.size === keys.length && keys.every((k) => st.props.has(k)));
      if (!sameShape) {
        live.forEach((e, i) => {
          if (!states[i]!.residual) this.residualAt(e, { k: "v", o });
        });
        changed = true;
        continue;
      }
      for (const k of keys) {
        const vals = states.map((st) => st.props.get(k)!);
        if (vals.every((v) => sameVal(v, vals[0]!))) continue;
        // A field that holds different objects on different paths: those objects are allocated.
        live.forEach((e, i) => {
          const v = vals[i]!;
          if (v.k === "v" && !stateAt(e, v.o).residual) {
            this.residualAt(e, v);
            changed = true;
          }
        });
      }
    }
  }
  for (const o of objs) {
    const states = live.map((e) => stateAt(e, o));
    if (states[0]!.residual) {
      result.set(o, { val: null, obj: states[0]! });
      continue;
    }
    const props = new Map<string, Val>();
    for (const k of states[0]!.props.keys()) {
      const vals = states.map((st) => st.props.get(k)!);
      if (vals.every((v) => sameVal(v, vals[0]!))) {
        props.set(k, vals[0]!);
        continue;
      }
      const t = this.fresh("f");
      this.hoistName(t);
      live.forEach((e, i) => e.fix.push(assign(t, this.residualAt(e, vals[i]!))));
      props.set(k, D(id(t)));
    }
    result.set(o, { val: null, obj: { props, residual: null } });
  }
};

/**
 * Virtual objects that the running frames' slots, receivers and arguments
 * reach on some edge, directly or through fields. Values a caller holds
 * while an inlined call runs (a pending operand) have the same state on
 * every edge, since the call cannot reach them.
 */
P.reachableVirtuals = function (this: Specializer, live: Edge[]): Set<VirtualObject> {
  const found = new Set<VirtualObject>();
  for (const e of live) {
    const visit = (v: Val | null | undefined) => {
      if (!v || v.k !== "v") return;
      const st = e.env.get(v.o)?.obj;
      if (!st || found.has(v.o)) return;
      found.add(v.o);
      for (const x of st.props.values()) visit(x);
    };
    for (const f of [this.frame, ...(this.frameStack ?? [])]) {
      for (const slot of f.slots.values()) visit(e.env.get(slot)?.val);
      visit(f.thisVal);
      for (const a of f.args ?? []) visit(a);
    }
    for (const v of this.liveValues) visit(v);
  }
  return found;
};

/**
 * Residual for a value at an edge: escapes of virtual objects are emitted
 * into that edge's fix-up and recorded in its environment (the current
 * one when the edge has none of its own).
 */
P.residualAt = function (this: Specializer, edge: { fix: Node[]; env?: Env }, x: Val): Node {
  const saved = this.out;
  const savedEnv = this.env;
  this.out = edge.fix;
  if (edge.env) this.env = edge.env;
  try {
    return this.residual(x);
  } finally {
    this.out = saved;
    this.env = savedEnv;
  }
};
