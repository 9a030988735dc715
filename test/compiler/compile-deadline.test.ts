/**
 * `maxCompileMs`: a compile that runs past its time budget stops, and the
 * function runs as the original with a reason that names the budget. On the
 * unseen libraries the helpers tried, compiles of 3-8 s never paid back.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";
import { makeSchema, v } from "../../fixtures/real/valibot/program.js";

describe("the compile's time budget", () => {
  it("stops a long compile: the function runs as the original, with the reason", () => {
    // valibot's deep-frozen 9-property schema takes 0.7-2 s to compile in full.
    const schema = makeSchema();
    const f = jit(v.safeParse, { specialize: { schema }, freeze: "deep", maxCompileMs: 40 });
    const info = inspect(f)!;
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/^RESIDUAL_TOO_LARGE: .*40 ms \(maxCompileMs\)/);
    // The failed compile's time is reported (it was 0 for every explicit compile that failed).
    expect(info.compileTimeMs).toBeGreaterThanOrEqual(40);
    const input = { id: "ord12345", email: "a@b.c" };
    expect(f(schema, input)).toStrictEqual(v.safeParse(schema, input));
  });

  it("lets a compile within its budget finish", () => {
    function poly(c: readonly number[], x: number): number {
      let s = 0;
      for (let i = c.length - 1; i >= 0; i--) s = s * x + c[i]!;
      return s;
    }
    const coeffs = Object.freeze([1, 2, 3]);
    const f = jit(poly, { specialize: { c: coeffs }, maxCompileMs: 2000 });
    expect(inspect(f)!.tier).toBe(1);
    expect(f(coeffs, 2)).toBe(poly(coeffs, 2));
  });

  it("covers the clean-up after specialization too", () => {
    // Specializing this takes fewer steps than the specializer's clock is read at (one in 64), so
    // with no time at all the budget runs out in the clean-up: that phase read no clock, and nedb's
    // `match` ran 1-2 s past its 5 s there (sweep40).
    function scale(k: { by: number }, x: number): number {
      const y = x * k.by;
      return y + 1;
    }
    const k = Object.freeze({ by: 3 });
    const f = jit(scale, { specialize: { k }, maxCompileMs: 1e-6 });
    const info = inspect(f)!;
    expect(info.tier).toBe("fallback");
    expect(info.fallbackReason).toMatch(/^RESIDUAL_TOO_LARGE: the compile took more than its 0\.000001 ms \(maxCompileMs\), cleaning up/);
    expect(f(k, 2)).toBe(7);
  });

  it("rejects a budget that is not a positive number, with BAD_OPTIONS", () => {
    const g = (a: number) => a + 1;
    for (const bad of [0, -5, NaN, "1000"]) {
      expect(() => jit(g, { specialize: {}, maxCompileMs: bad as number, strict: true })).toThrow(expect.objectContaining({ code: "BAD_OPTIONS" }));
    }
  });

  it("names the function the compile spent itself inlining, and where it is", () => {
    // Two recursive calls on data it does not know, with a counter that moves: each level copies
    // the body twice (rou3's `findRoute` ran out of 5 s this way, inlining its suffix matcher).
    function walk(node: { l?: unknown; r?: unknown; v: number } | undefined, depth: number, acc: number[]): void {
      if (!node) return;
      acc.push(depth * node.v);
      walk(node.l as never, depth + 1, acc);
      walk(node.r as never, depth + 1, acc);
    }
    function run(tree: unknown, n: number): number {
      const acc: number[] = [];
      walk(tree as never, n, acc);
      return acc.length;
    }
    const f = jit(run, { specialize: { n: 1 }, maxCompileMs: 20 });
    expect(inspect(f)!.fallbackReason).toMatch(/^RESIDUAL_TOO_LARGE: .*20 ms \(maxCompileMs\).*, most of it inlining `walk` \(\d+ times, \d+ syntax nodes; .*compile-deadline\.test\.ts:\d+\)/);
    expect(f({ v: 2, l: { v: 3 } }, 1)).toBe(2);
  });
});
