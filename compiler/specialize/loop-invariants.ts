/**
 * Objects kos made that a residual loop only reads. A loop that stays a loop
 * has its body evaluated once, from the environment at its head, so an object
 * whose fields the body may change must be allocated before the loop. One the
 * body only reads can stay virtual: its fields fold in every iteration. This
 * is what turns an interpreter's loop over the data (`for (i < list.length)
 * visit(node.children[2], list[i])`) into code specialized on the program:
 * the AST `node` is virtual, and the loop over the data is dynamic.
 *
 * The loop is evaluated optimistically: the objects are "held" at their head
 * states, and every back edge (a `continue`, the end of the body) checks that each
 * held object is still in that state. The ones that are not (a field written, the
 * object escaped) are allocated before the loop, and the loop is evaluated again;
 * after a few rounds, the old way: everything the loop references is allocated.
 */
import { walk, type Node } from "../ast.js";
import { Specializer, type Target } from "./specializer.js";
import type { Val, VirtualObject, VirtualState } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    /**
     * Before an optimistic loop: allocates `allocate` (what an earlier round found
     * changed) and the objects the loop references whose fields hold dynamic values
     * (those could name variables the loop assigns), and returns every object still
     * virtual with its state now.
     */
    holdVirtualsFor(sources: Node[], allocate: Iterable<VirtualObject>): Map<VirtualObject, VirtualState>;
    /** At a back edge of a loop with held objects: records on `t` if one changed. */
    checkHeld(t: Target): void;
  }
  interface Target {
    /** Objects the loop keeps virtual, with their states at the head. */
    held?: Map<VirtualObject, VirtualState>;
    /** Held objects a back edge saw in another state: the loop is evaluated again with them allocated. */
    heldChanged?: Set<VirtualObject>;
    /** Of those, the ones only allocated (not written): shared next time (loop-shared-objects.ts). */
    heldEscaped?: Set<VirtualObject>;
  }
}

const P = Specializer.prototype;

P.holdVirtualsFor = function (this: Specializer, sources: Node[], allocate: Iterable<VirtualObject>): Map<VirtualObject, VirtualState> {
  const held = new Map<VirtualObject, VirtualState>();
  if (!this.env) return held;
  for (const o of allocate) if (this.env.has(o) && this.fields(o)) this.escape(o);
  const referenced = new Set<VirtualObject>();
  const note = (v: Val | null | undefined) => {
    if (v && v.k === "v" && this.fields(v.o)) referenced.add(v.o);
  };
  for (const src of sources) {
    walk(src, (x) => {
      if (x.type === "Identifier") {
        const slot = this.slotOf(x);
        if (slot) note(this.env!.get(slot)?.val);
      } else if (x.type === "ThisExpression") note(this.frame.thisVal);
    });
  }
  for (const o of referenced) if (this.env && this.fields(o) && !this.onlyKnownFields(o, new Set())) this.escape(o);
  if (!this.env) return held;
  for (const [k, st] of this.env) {
    if (st.obj && !st.obj.residual) held.set(k as VirtualObject, st.obj);
  }
  return held;
};

declare module "./specializer.js" {
  interface Specializer {
    onlyKnownFields(o: VirtualObject, seen: Set<VirtualObject>): boolean;
  }
}

/**
 * Every field, through nested objects kos made, is a constant, another such object, or a
 * temporary that is never reassigned: what the loop reads of it is the same in every iteration.
 */
P.onlyKnownFields = function (this: Specializer, o: VirtualObject, seen: Set<VirtualObject>): boolean {
  if (seen.has(o)) return true;
  seen.add(o);
  const f = this.fields(o);
  if (!f) return false;
  for (const v of f.values()) {
    if (v.k === "s") continue;
    if (v.k === "v") {
      // One already allocated is read through its variable, which nothing assigns again.
      if (this.vstate(v.o).residual) continue;
      if (!this.onlyKnownFields(v.o, seen)) return false;
      continue;
    }
    if (v.e.type === "Identifier" && this.immutable.has(v.e.name)) continue;
    return false;
  }
  return true;
};

P.checkHeld = function (this: Specializer, t: Target): void {
  if (!t.held || !this.env) return;
  for (const [o, st] of t.held) {
    const now = this.env.get(o)?.obj;
    if (now === st) continue;
    // A shared object handed out on this path (loop-shared-objects.ts): the next iteration's test of its flag covers it.
    if (now?.residual && this.sharedFrames?.some((f) => f.objs.has(o))) continue;
    (t.heldChanged ??= new Set()).add(o);
    // Allocated with the fields it had at the head: it can be shared next time.
    if (now?.residual && now.props === st.props) (t.heldEscaped ??= new Set()).add(o);
  }
};
