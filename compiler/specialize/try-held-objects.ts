/**
 * Objects kos made that a residual `try` only reads. A try that stays a try (try-statements.ts)
 * has its handler (and finalizer) start from the state at the try's head, since any statement of
 * the block may throw: every object the try references was allocated before it, so that a field
 * written in the block is seen by the handler. One that neither the block nor the handlers change
 * can stay virtual: it is in the same state wherever the block throws, and its fields fold in both.
 * jsonpath-plus evaluates each filter item in `try { return script.runInNewContext(this.currSandbox)
 * } catch (e) { if (this.ignoreEvalErrors) … }`: the query's instance was allocated there, on the
 * fast path, and its construction then ran as written (fast-path-escapes.ts).
 *
 * As loop-invariants.ts holds objects across a residual loop's iterations, the try is evaluated
 * optimistically: each held object is watched, and a store, a delete or an allocation of it
 * anywhere in the try (on any path, a speculation's generic branch included) voids the attempt,
 * which is forgotten (environment, emitted code, budget, guards, jumps) and the try is evaluated
 * again as before, with everything it references allocated.
 */
import { walk, type Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import type { Val, VirtualObject } from "./values.js";

interface Watch {
  held: ReadonlySet<VirtualObject>;
  changed: boolean;
}

declare module "./specializer.js" {
  interface Specializer {
    /** The held objects of the residual tries being evaluated, innermost last. */
    tryWatches?: Watch[];
    /** Called where a virtual object's state changes on a path (a store, a delete, an allocation). */
    noteVirtualChange(o: VirtualObject): void;
  }
}

const P = Specializer.prototype;

P.noteVirtualChange = function (this: Specializer, o: VirtualObject): void {
  for (const w of this.tryWatches ?? []) if (w.held.has(o)) w.changed = true;
};

/**
 * The objects `n` references (through the current frame's variables or `this`) that are still
 * virtual and whose fields, through nested objects kos made, are constants (onlyKnownFields): a
 * field that is a variable could name one the try assigns. With them, the objects their fields
 * hold, which allocating them would have allocated too: a store to one of those in the block is a
 * change the handler must see as well.
 */
export function heldInTry(s: Specializer, n: Node): Set<VirtualObject> {
  const held = new Set<VirtualObject>();
  if (!s.env) return held;
  const reach = (o: VirtualObject) => {
    if (held.has(o)) return;
    held.add(o);
    for (const v of s.fields(o)?.values() ?? []) if (v.k === "v" && s.fields(v.o)) reach(v.o);
  };
  const note = (v: Val | null | undefined) => {
    if (v && v.k === "v" && !v.o.argumentsOf && s.fields(v.o) && s.onlyKnownFields(v.o, new Set())) reach(v.o);
  };
  walk(n, (x) => {
    if (x.type === "Identifier") {
      const slot = s.slotOf(x);
      if (slot) note(s.env!.get(slot)?.val);
    } else if (x.type === "ThisExpression") note(s.frame.thisVal);
  });
  return held;
}

/**
 * Runs `evaluate` (the try, with `held` left virtual) watching the held objects; true if none
 * changed. Otherwise everything it did is forgotten, and false.
 */
export function evaluateHolding(s: Specializer, held: ReadonlySet<VirtualObject>, evaluate: () => void): boolean {
  const start = s.snapshot();
  const before = { out: s.out, length: s.out.length, foreignRan: s.foreignRan, staleMiss: s.staleMiss, guards: s.contentGuards?.length, lengthGuards: s.lengthGuards?.length, genericNodes: s.genericNodes, dynDepth: s.dynDepth, tryDepth: s.tryDepth };
  const watch: Watch = { held, changed: false };
  (s.tryWatches ??= []).push(watch);
  try {
    evaluate();
  } finally {
    s.tryWatches.pop();
  }
  if (!watch.changed) return true;
  s.restore(start);
  s.out = before.out;
  s.out.length = before.length;
  s.foreignRan = before.foreignRan;
  s.staleMiss = before.staleMiss;
  if (before.guards !== undefined && s.contentGuards) s.contentGuards.length = Math.min(s.contentGuards.length, before.guards);
  if (before.lengthGuards !== undefined && s.lengthGuards) s.lengthGuards.length = Math.min(s.lengthGuards.length, before.lengthGuards);
  s.genericNodes = before.genericNodes;
  s.dynDepth = before.dynDepth;
  s.tryDepth = before.tryDepth;
  return false;
}
