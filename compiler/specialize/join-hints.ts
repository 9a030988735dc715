/**
 * Values a join lost to generic branches only. Where a speculated path and a fork's generic
 * branch meet (a loop whose speculated iterations ran to its end, next to the residual loop the
 * generic branches continue in), a variable that every speculated edge knows (the loop's cursor,
 * `i = 4`) becomes dynamic, and so does everything after the join that depends on it: an
 * interpreter's `if (values.length === i + 1) return apply(values[i], data)` after its
 * condition loop stays a generic call of the interpreter on every call.
 *
 * The join remembers such a value (one primitive whose `===` is exact: a string, a boolean,
 * null, or a number other than 0 and NaN). A later speculative pass (speculation.ts) that reads
 * the variable while it still holds the join's state takes the value, and its fork tests
 * `variable === value` with its other guards: the speculated branch then runs only where the
 * variable does hold it, and the generic branch is as before. Only variables a pass reads are
 * tested, so a join with many such variables costs the forks after it nothing for the others.
 *
 * Measured: json-logic-js's natural use, whose `if` ended in a generic `jsonLogic.apply` of its
 * last operand on every call that reached it (a string, which it returns): 114-120 ns a call
 * before, 107-109 with that call folded (CPU, medians of 30 windows of 25 ms, each build in its
 * own process; hand-written 54-59 ns).
 */
import type { Node } from "../ast.js";
import { buildLiteral } from "../emit.js";
import { onGenericPath } from "./fast-path-escapes.js";
import { id, type Edge, type Env, type Slot, type SlotState, type Specializer } from "./specializer.js";
import { S, type Val } from "./values.js";

/** The join's state of a slot (never changed in place) → the value every speculated edge gave it. */
const hints = new WeakMap<SlotState, unknown>();

/**
 * Edges of a generic rest that a fork emitted alone, its speculated pass forgotten (speculation.ts:
 * the pass folded nothing worth a copy). Their environments are marked generic, but every call that
 * reaches the fork takes them: for a join they are speculated edges. json-logic-js's `if` loop
 * leaves on one (`i = 4`, at its last iteration's exit test) next to its generic branches' (`i = 2`).
 */
const speculatedEdges = new WeakSet<Edge>();

export function noteSpeculatedEdges(edges: Iterable<Edge>): void {
  for (const e of edges) speculatedEdges.add(e);
}

/** A value that `variable === value` tells apart from every other: not 0 (-0 passes it), not NaN. */
function exactlyComparable(v: unknown): boolean {
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  return typeof v === "string" || typeof v === "boolean" || v === null;
}

/**
 * At a join (joins.ts): `joined` is the state a slot takes, in its variable, where the edges
 * `live` disagreed (`states`, in their order). Remembered when the edges off generic paths all
 * held one such value, and some edge on a generic path did not.
 */
export function noteJoinHint(live: readonly Edge[], states: readonly (SlotState | undefined)[], joined: SlotState): void {
  let seen = false;
  let value: unknown;
  let generic = false;
  for (let i = 0; i < live.length; i++) {
    if (onGenericPath(live[i]!.env) && !speculatedEdges.has(live[i]!)) {
      generic = true;
      continue;
    }
    const v = states[i]?.val;
    if (!v || v.k !== "s" || !exactlyComparable(v.v)) return;
    if (seen && v.v !== value) return;
    seen = true;
    value = v.v;
  }
  if (seen && generic) hints.set(joined, value);
}

/** One speculative pass's hinted slots (as they were at its fork) and the tests of those it read. */
interface HintPass {
  states: Map<Slot, SlotState>;
  tests: Node[];
}

declare module "./specializer.js" {
  interface Specializer {
    /** The speculative passes running, innermost last (speculation.ts specPass). */
    hintPasses?: HintPass[];
  }
}

/** Starts a speculative pass from `base`: its hinted slots of the running frames. */
export function beginHintPass(s: Specializer, base: Env): void {
  const states = new Map<Slot, SlotState>();
  for (const f of [s.frame, ...(s.frameStack ?? [])]) {
    for (const slot of f.slots.values()) {
      const st = base.get(slot);
      if (st && !st.val && hints.has(st)) states.set(slot, st);
    }
  }
  (s.hintPasses ??= []).push({ states, tests: [] });
}

/** Ends the innermost pass: the tests its fork must add to its guards. */
export function endHintPass(s: Specializer): Node[] {
  return s.hintPasses!.pop()!.tests;
}

/**
 * A read of `slot` (slots.ts): in a speculative pass, where the slot still holds a hinted join's
 * state, the hinted value, tested at the pass's fork. Null otherwise.
 */
export function hintedRead(s: Specializer, slot: Slot, st: SlotState): Val | null {
  const pass = s.hintPasses?.[s.hintPasses.length - 1];
  // A captured variable (pinned) can be written by a closure that foreign code calls after the test.
  if (!pass || s.generic || slot.pinned || pass.states.get(slot) !== st) return null;
  pass.states.delete(slot);
  const value = hints.get(st);
  pass.tests.push({ type: "BinaryExpression", operator: "===", left: id(slot.name), right: buildLiteral(value)! });
  // The variable holds it (the fork tested so): later joins need not write it again.
  s.env!.set(slot, { val: S(value), inVar: true });
  return S(value);
}
