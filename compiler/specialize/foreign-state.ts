/**
 * Whether foreign code may have run on the current path: a call to unknown code, a getter of a
 * dynamic input, a store through a dynamic object. Reads of unfrozen objects fold on entry guards
 * only while it has not (guarded-reads.ts), and speculate again after it (speculation.ts).
 *
 * It is part of the path's environment (an entry under FOREIGN), not one flag for the whole
 * compile: copied where the path forks, dropped with a path that ends, joined where paths meet
 * (joins.ts: it ran on the join if it ran on any edge into it). One flag made every branch that
 * called out and then returned or broke away count for the code after the `if`: date-fns's
 * `toDate(argument)` starts with `if (typeof argument === "function") return argument(argument);`,
 * and every read of its constants and locale after that line was guarded again at its use.
 *
 * A state reached from an earlier environment rather than by a path (a `catch`, a `finally`, a
 * `switch` case entered by falling through, the exit of a residual loop) takes on whatever ran
 * since: `foreignMarks` counts every time it was set (foreignSince).
 */
import { Specializer, type Env, type Slot } from "./specializer.js";
import type { SlotState } from "./specializer.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Times foreignRan was set true this compile (never reset). */
    foreignMarks?: number;
    /** Where there is no path (dead code): the flag as last set. */
    deadForeign?: boolean;
  }
}

/** The environment entry that says foreign code may have run on this path. Never a real slot. */
export const FOREIGN: Slot = Object.freeze({ name: "(foreign code may have run)", kind: "marker", pinned: false, reassigned: false, hoist: false, declared: true }) as Slot;
const RAN: SlotState = Object.freeze({ val: null }) as SlotState;

Object.defineProperty(Specializer.prototype, "foreignRan", {
  configurable: true,
  get(this: Specializer): boolean {
    return this.env ? this.env.has(FOREIGN) : !!this.deadForeign;
  },
  set(this: Specializer, v: boolean) {
    if (v) this.foreignMarks = (this.foreignMarks ?? 0) + 1;
    if (!this.env) this.deadForeign = !!v;
    else if (v) this.env.set(FOREIGN, RAN);
    else this.env.delete(FOREIGN);
  },
});

/** Marks `env` as a state after foreign code. */
export function markForeign(env: Env): void {
  env.set(FOREIGN, RAN);
}

/** Whether foreign code may have run on `env`'s path. */
export function ranForeign(env: Env): boolean {
  return env.has(FOREIGN);
}

/** Marks `env` when foreign code was evaluated anywhere since the count `marks` (see the file comment). */
export function foreignSince(s: Specializer, marks: number, env: Env): void {
  if ((s.foreignMarks ?? 0) !== marks) markForeign(env);
}
