/**
 * Which callee a compile spent itself on: a compile cut by its clock (`maxCompileMs`) says which
 * function it inlined most, and where that function is, so that RESIDUAL_TOO_LARGE names a
 * construct as the other fallbacks do. A router's `findRoute`, specialized on its route tree, ran
 * out of 5 s inlining a suffix matcher's two recursive calls 454 times (rou3 1.0); the reason said
 * only that the compile took too long.
 */
import { JitError } from "../jit-error.js";
import { Specializer } from "./specializer.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Bodies inlined so far by this specializer, by callee (the compile's own map when it gave one). */
    inlinedCounts?: Map<Function, number>;
    countInlined(fn: Function): void;
    /** ", most of it inlining `f` (454 times; file:line)", or "" when nothing was inlined several times. */
    mostInlinedNote(): string;
  }
}

const P = Specializer.prototype;

/** Fewer inlined bodies than this do not explain a compile that ran out of time. */
const MANY_INLINED = 8;

P.countInlined = function (this: Specializer, fn: Function): void {
  const counts = (this.inlinedCounts ??= this.options.inlinedCounts ?? new Map());
  counts.set(fn, (counts.get(fn) ?? 0) + 1);
};

P.mostInlinedNote = function (this: Specializer): string {
  let best: Function | null = null;
  let most = 0;
  for (const [fn, n] of this.inlinedCounts ?? this.options.inlinedCounts ?? []) if (n > most) [best, most] = [fn, n];
  if (!best || most < MANY_INLINED) return "";
  let where = "";
  try {
    const loc = JitError.locator.functionLocation(best);
    if (loc) where = `; ${loc.file}:${loc.line}`;
  } catch {
    // No position: the name alone.
  }
  return `, most of it inlining \`${best.name || "(anonymous)"}\` (${most} times${where})`;
};
