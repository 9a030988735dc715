/**
 * Which escapes of an instance kos made (`new C()` run in place) happen on
 * the fast path. compile.ts specializes again with such an instance made by
 * its constructor (an instance made as `Object.create(C.prototype)` plus its
 * fields has another hidden class than `new C()` gives, and the library's
 * own methods, called with both, deoptimized: jmespath's Lexer and Runtime,
 * 0.38x the library). Made by its constructor, the constructor's body no
 * longer runs in place at all.
 *
 * A speculation's generic branch (speculation.ts) is the rare path: it runs
 * only when what the speculation folded has changed. Its calls stay calls, so
 * it allocates the instances it passes to them, and the join after it makes
 * one object of each, so the speculated side allocates too, at the join.
 * That allocation is not a fast-path escape: the code before it ran on the
 * instance's fields, and only the rare path gave the instance to the
 * library. Counted as one, every construction whose body met foreign code
 * ran as written: jsonpath-plus's `new JSONPathClass(…)` (its `_trace` calls
 * `Object.hasOwn` on the document, after which every method call is
 * speculated on, and each generic branch calls the method with the
 * instance), or a constructor that reads an option before its fields.
 * Where the fast path then hands such an instance to a call that stays a call,
 * that is a fast-path escape again (notePassedInstances).
 *
 * Whether a path is a generic branch is part of its environment (an entry
 * under GENERIC, as foreign-state.ts keeps FOREIGN): a join is a generic path
 * only if every edge into it is.
 */
import { InstanceEscaped, Specializer, type Env, type Slot } from "./specializer.js";
import type { SlotState } from "./specializer.js";
import type { Val, VirtualObject } from "./values.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Set while a join reconciles a generic branch's edge with another's: its allocations are the join's. */
    joiningGeneric?: boolean;
    /** Called where an instance kos made is allocated: marks (or stops at) a fast-path escape. */
    noteInstanceEscape(o: VirtualObject): void;
    /** A call that stays a call, on the fast path: instances allocated at a join and passed to it escape here. */
    notePassedInstances(thisVal: Val, args: readonly Val[]): void;
  }
}

/** The environment entry that says this path is a speculation's generic branch. Never a real slot. */
export const GENERIC: Slot = Object.freeze({ name: "(generic branch of a speculation)", kind: "marker", pinned: false, reassigned: false, hoist: false, declared: true }) as Slot;
const ON: SlotState = Object.freeze({ val: null }) as SlotState;

export function markGeneric(env: Env): void {
  env.set(GENERIC, ON);
}

export function onGenericPath(env: Env | null): boolean {
  return !!env && env.has(GENERIC);
}

const P = Specializer.prototype;

function fastPath(s: Specializer): boolean {
  return !s.generic && !s.joiningGeneric && !onGenericPath(s.env);
}

function escapedOnFastPath(s: Specializer, o: VirtualObject): void {
  if (o.madeAtEscape || (o.madeAtEscape = inOwnConstructor(s, o))) return;
  o.escapedOnFastPath = true;
  if (o.proto && o.site && s.options.stopAtInstanceEscape) throw new InstanceEscaped(o.site);
}

/**
 * Whether the constructor that makes `o` in place is still running (its frame is on the inline
 * stack): the instance escapes before its construction is done. Made by `new` as written, the rest
 * of that constructor would run in the library, not here: all of it, for a constructor that runs
 * the program it is given (jsonpath-plus's `new JSONPathClass(path, json)` calls `this.evaluate()`,
 * and its natural jit() ran the whole query in the library: 1.00x the original). Such an instance is
 * allocated where it escapes instead (`Object.create(C.prototype)` and its fields), and the code
 * around it stays specialized (1.61-1.64x, docs/notes/jsonpath-plus-hot-path.md). It then has
 * another hidden class than the library's own `new C()` gives (the reason other escapes are made
 * by their constructor, compile.ts): the cost of that is weighed against running the constructor's
 * remaining work unspecialized.
 */
function inOwnConstructor(s: Specializer, o: VirtualObject): boolean {
  const allowed = s.options.allocateInConstructor;
  if (!allowed || !o.site) return false;
  for (const f of [s.frame, ...(s.frameStack ?? [])]) {
    if (f.key.startsWith("new ") && f.thisVal.k === "v" && f.thisVal.o === o) {
      if (allowed.sites.size === 0) allowed.firstUsed();
      allowed.sites.add(o.site);
      return true;
    }
  }
  return false;
}

P.noteInstanceEscape = function (this: Specializer, o: VirtualObject): void {
  if (fastPath(this)) escapedOnFastPath(this, o);
};

P.notePassedInstances = function (this: Specializer, thisVal: Val, args: readonly Val[]): void {
  if (!fastPath(this)) return;
  for (const v of [thisVal, ...args]) {
    if (v.k !== "v" || !v.o.proto || !v.o.site || v.o.escapedOnFastPath || !this.env) continue;
    if (this.env.get(v.o)?.obj?.residual) escapedOnFastPath(this, v.o);
  }
};
