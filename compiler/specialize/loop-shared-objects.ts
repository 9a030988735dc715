/**
 * Objects a residual loop only reads but hands out on a rare path. A held object
 * (loop-invariants.ts) that a guarded method call's other branch (method-guards.ts) passes to
 * the method it read, `t.call(recv, node, item)`, escapes there; the join after the call
 * allocated it on the fast path too, the back edge saw it changed, and the loop was evaluated
 * again with it allocated before the loop: the fast branch then had a node it no longer knew.
 * jmespath's filter `people[?…]` called `recv.visit(children[2], base[i])` for every item that
 * way, its whole tree allocated before the loop on every call.
 *
 * Such objects are now "shared": allocated before the loop (one object, as in the original,
 * whichever iteration hands it out) and still virtual at the loop's head, with a flag that says
 * whether code kos does not follow may have got one. Where one escapes in the loop (its variable
 * is used as a value), the flag is set and, on that path, it and what its fields hold count as
 * allocated (reads after it are made at run time). A later iteration, or the code after a join
 * with such a path, starts from the head's fields again, which hold only while the flag is
 * clear: each guarded call's test also checks the flag, and a field of an object that some path
 * handed out, read outside the fast branch of a test made since, forgets the attempt (the loop is
 * then evaluated with them allocated, as before). So does a store or delete on one. On the edges
 * that leave the loop they count as allocated.
 */
import { assign, id, type Specializer } from "./specializer.js";
import type { Node } from "../ast.js";
import type { Edge, Env } from "./specializer.js";
import type { VirtualObject, VirtualState } from "./values.js";

export interface SharedFrame {
  objs: ReadonlySet<VirtualObject>;
  flag: string;
  /** Fast branches of guarded calls (their test checks `flag`) being evaluated. */
  guarded: number;
  /**
   * Per object, reads are sure only in such branches nested deeper than this: a join where one
   * path handed it out (and set the flag) keeps its fields, to be read only after a new test.
   */
  floors: Map<VirtualObject, number>;
  /** Objects read where the flag is not checked since they may have been handed out. */
  unsure: Set<VirtualObject>;
  /** Objects handed out on some path (with what their fields hold). */
  leaked: Set<VirtualObject>;
  /** Used where it cannot be followed (a detached body): the attempt is forgotten. */
  voided: boolean;
  /** In a body that runs later (detached-bodies.ts): the loop's own frame, voided by any use there. */
  detached?: SharedFrame;
}

declare module "./specializer.js" {
  interface Specializer {
    /** Shared objects of the residual loops being evaluated, innermost last. */
    sharedFrames?: SharedFrame[];
  }
}

/** The state of `o` as allocated, with the fields it had. */
function allocatedState(o: VirtualObject, st: VirtualState): VirtualState {
  return { props: st.props, residual: o.name! };
}

/**
 * Allocates `roots` (and what their fields hold) here, before the loop, and puts every object
 * that allocated back to its virtual state: the set of shared objects, with their flag cleared.
 * Instances (with a prototype) are left out: their allocation runs a constructor's bookkeeping.
 */
export function shareBeforeLoop(s: Specializer, roots: Iterable<VirtualObject>): SharedFrame | null {
  if (!s.env) return null;
  const before = new Map<VirtualObject, VirtualState>();
  for (const [k, st] of s.env) if (st.obj && !st.obj.residual) before.set(k as VirtualObject, st.obj);
  // (One a loop around already shares stays its: allocating it here would hand it out there.)
  const outer = (o: VirtualObject) => s.sharedFrames?.some((f) => f.objs.has(o));
  for (const o of roots) if (before.has(o) && !o.proto && !o.argumentsOf && !outer(o) && s.env.get(o)?.obj && !s.env.get(o)!.obj!.residual) s.escape(o);
  if (!s.env) return null;
  const objs = new Set<VirtualObject>();
  for (const [o, st] of before) {
    const now = s.env.get(o)?.obj;
    if (now && now.residual && o.name === now.residual && !outer(o)) {
      objs.add(o);
      s.env.set(o, { val: null, obj: st });
    }
  }
  if (objs.size === 0) return null;
  const flag = s.fresh("shared");
  s.hoistName(flag);
  s.emit(assign(flag, { type: "Literal", value: false, raw: "false" }));
  return { objs, flag, guarded: 0, floors: new Map(), unsure: new Set(), leaked: new Set(), voided: false };
}

/** A store or delete on a shared object: only the allocated object could hold it, so the attempt is forgotten. */
export function noteSharedWrite(s: Specializer, o: VirtualObject): void {
  const f = frameOf(s, o);
  if (f) f.voided = true;
  if (f?.detached) f.detached.voided = true;
}

/** Whether the loop's evaluation stands: no object was read unsure of the flag where a path may have handed it out. */
export function sharedHeld(f: SharedFrame): boolean {
  return !f.voided && ![...f.unsure].some((o) => f.leaked.has(o));
}

/** The frame that shares `o`, if any. */
function frameOf(s: Specializer, o: VirtualObject): SharedFrame | undefined {
  const frames = s.sharedFrames;
  if (!frames) return undefined;
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.objs.has(o)) return frames[i];
  return undefined;
}

/**
 * `escape` of a shared object: on this path the flag is set and they all count as allocated
 * (code given one may reach the others through its fields). Null for any other object.
 */
export function escapeShared(s: Specializer, o: VirtualObject): Node | null {
  const f = frameOf(s, o);
  if (!f || !s.env) return null;
  if (f.detached) f.voided = true;
  s.emit(assign(f.flag, { type: "Literal", value: true, raw: "true" }));
  const reach = (x: VirtualObject) => {
    const st = s.env!.get(x)?.obj;
    if (!f.objs.has(x) || !st || st.residual) return;
    f.leaked.add(x);
    s.env!.set(x, { val: null, obj: allocatedState(x, st) });
    s.noteVirtualChange(x);
    for (const v of st.props.values()) if (v.k === "v") reach(v.o);
  };
  reach(o);
  return id(o.name!);
}

/** A field read of `o` on the current path: outside a flag-checking branch, it voids the attempt. */
export function noteSharedRead(s: Specializer, o: VirtualObject): void {
  const f = frameOf(s, o);
  if (!f) return;
  if (f.detached) f.voided = true;
  if (f.guarded <= (f.floors.get(o) ?? 0)) f.unsure.add(o);
}

/**
 * Before a join of paths where the shared objects were handed out with paths where they were not:
 * they keep the fields the others agree on (the paths that handed them out set the flag, so a read
 * is sure only after a new test: the floor), with no code on any edge; where the others disagree,
 * they count as allocated on all (they are, since before the loop).
 */
export function settleShared(s: Specializer, live: Edge[]): void {
  for (const f of s.sharedFrames ?? []) {
    for (const o of f.objs) {
      const states = live.map((e) => e.env.get(o)?.obj);
      if (!states.some((st) => st?.residual)) continue;
      const known = states.filter((st) => st && !st.residual);
      const same = known.length > 0 && known.every((st) => st === known[0]);
      live.forEach((e, i) => {
        const st = states[i];
        if (!st) return;
        if (same && st.residual) e.env.set(o, { val: null, obj: known[0]! });
        else if (!same && !st.residual) e.env.set(o, { val: null, obj: allocatedState(o, st) });
      });
      if (same) f.floors.set(o, f.guarded);
    }
  }
}

/** After the loop: on every edge leaving it, the shared objects count as allocated (the flag is not known there). */
export function allocatedOnExits(f: SharedFrame, envs: Iterable<Env>): void {
  for (const env of envs) {
    for (const o of f.objs) {
      const st = env.get(o)?.obj;
      if (st && !st.residual) env.set(o, { val: null, obj: allocatedState(o, st) });
    }
  }
}

/** The test of a guarded call's fast branch, with the flags of the loops around it checked too. */
export function withSharedFlags(s: Specializer, test: Node): Node {
  let t = test;
  for (const f of s.sharedFrames ?? []) t = { type: "LogicalExpression", operator: "&&", left: t, right: { type: "UnaryExpression", operator: "!", prefix: true, argument: id(f.flag) } };
  return t;
}

/** Runs a guarded call's fast branch (its test checked every flag). */
export function inFlagCheckedBranch<T>(s: Specializer, run: () => T): T {
  const frames = s.sharedFrames ?? [];
  for (const f of frames) f.guarded++;
  try {
    return run();
  } finally {
    for (const f of frames) {
      f.guarded--;
      for (const [o, k] of f.floors) if (k > f.guarded) f.floors.set(o, f.guarded);
    }
  }
}
