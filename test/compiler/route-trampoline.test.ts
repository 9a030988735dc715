/**
 * An explicit version large enough to be timed against the original (compiler/gain-check.ts) is
 * entered through a small trampoline that tests the route before the version's own frame is set
 * up (assemble.ts): a version found slower then costs a forward, not its whole prologue
 * (json-query's 6 KB version cost 300 ns a call routed to the original, against 173 ns for the
 * original itself). The trampoline must be invisible: receivers, constructions, arguments,
 * recursion and errors behave as the original's.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

const weights = Object.freeze(Array.from({ length: 120 }, (_, i) => (i % 7) - 3));

/** Large once unrolled over its frozen weights: routed. */
function score(this: unknown, w: readonly number[], x: { v?: number } | null, depth = 0): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]! > 0 ? w[i]! * x!.v! : w[i]! < 0 ? s / (1 - w[i]!) : i;
  if (depth < 2 && s > 1000) return score.call(this, w, { v: (x!.v ?? 0) / 2 }, depth + 1);
  return arguments.length * 1e6 + s;
}

function Shape(this: { area?: number }, w: readonly number[], side: number) {
  let a = 0;
  for (let i = 0; i < w.length; i++) a += w[i]! * side + (w[i]! > 1 ? side * side : 0);
  this.area = a;
}

describe("a routed explicit version is entered through a trampoline", () => {
  it("calls, arguments, errors and recursion behave as the original's", () => {
    const f = jit(score, { specialize: { w: weights } });
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    // The entry is kos's small entry (entry-factory.ts), in front of the trampoline and the large version.
    expect(f.toString().length).toBeLessThan(1000);
    expect(info.source!.length).toBeGreaterThan(4000);
    expect(f.name).toBe("score");
    expect(f.length).toBe(score.length);
    for (const x of [{ v: 2 }, { v: -0 }, { v: NaN }, { v: 1e5 }, {}, null]) {
      expect(outcome(() => f(weights, x))).toEqual(outcome(() => score(weights, x)));
      expect(outcome(() => f.call({ r: 1 }, weights, x, 1))).toEqual(outcome(() => score.call({ r: 1 }, weights, x, 1)));
    }
    for (let i = 0; i < 3000; i++) expect(f(weights, { v: i % 13 })).toBe(score(weights, { v: i % 13 }));
  });

  it("new runs the version with the original's prototype", () => {
    const S = jit(Shape, { specialize: { w: weights } }) as unknown as new (w: readonly number[], side: number) => { area: number };
    const made = new S(weights, 3);
    const want = new (Shape as unknown as new (w: readonly number[], side: number) => { area: number })(weights, 3);
    expect(made.area).toBe(want.area);
    expect(Object.getPrototypeOf(made)).toBe(Shape.prototype);
    expect(made instanceof (Shape as unknown as Function)).toBe(true);
    expect(outcome(() => (S as unknown as Function)(weights, 3))).toEqual(outcome(() => (Shape as unknown as Function)(weights, 3)));
  });
});
