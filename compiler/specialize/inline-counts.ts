/**
 * Which callee a compile spent itself on: a compile cut by its clock (`maxCompileMs`) says which
 * function it inlined most (by the syntax nodes of the bodies it copied), and where that function
 * is, so that RESIDUAL_TOO_LARGE names a construct as the other fallbacks do. A router's
 * `findRoute`, specialized on its route tree, ran out of 5 s inlining a suffix matcher's two
 * recursive calls 454 times (rou3 1.0); the reason said only that the compile took too long.
 * Counted by calls alone, fast-diff's named a 3-line helper inlined 8 times.
 */
import { JitError } from "../jit-error.js";
import { Specializer, type InlinedCount } from "./specializer.js";

declare module "./specializer.js" {
  interface Specializer {
    /** Bodies inlined so far by this specializer, by callee (the compile's own map when it gave one). */
    inlinedCounts?: Map<Function, InlinedCount>;
    countInlined(fn: Function, nodes: number): void;
    /** ", most of it inlining `f` (454 times, 51,000 syntax nodes; file:line)", or "" when nothing was inlined several times. */
    mostInlinedNote(): string;
  }
}

const P = Specializer.prototype;

/** Fewer inlined bodies than this do not explain a compile that ran out of time. */
const MANY_INLINED = 8;

P.countInlined = function (this: Specializer, fn: Function, nodes: number): void {
  const counts = (this.inlinedCounts ??= this.options.inlinedCounts ?? new Map());
  const c = counts.get(fn);
  if (c) {
    c.times++;
    c.nodes += nodes;
  } else counts.set(fn, { times: 1, nodes });
};

P.mostInlinedNote = function (this: Specializer): string {
  let best: Function | null = null;
  let most: InlinedCount = { times: 0, nodes: 0 };
  for (const [fn, c] of this.inlinedCounts ?? this.options.inlinedCounts ?? []) if (c.nodes > most.nodes) [best, most] = [fn, c];
  if (!best || most.times < MANY_INLINED) return "";
  let where = "";
  try {
    const loc = JitError.locator.functionLocation(best);
    if (loc) where = `; ${loc.file}:${loc.line}`;
  } catch {
    // No position: the name alone.
  }
  return `, most of it inlining \`${best.name || "(anonymous)"}\` (${most.times} times, ${most.nodes} syntax nodes${where})`;
};
