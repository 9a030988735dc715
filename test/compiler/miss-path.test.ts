/**
 * A failed guard of an explicit version calls what it falls back to (the original, or a version
 * specialized again) directly, from a binding of the version's own (assemble.ts): no forwarding
 * closure of kos's sits between them. That closure cost each miss 5 ns (an options object made anew
 * per call fails an identity guard on every call: jaro-winkler's `distance` ran 0.89x the library).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

/** The frames of `e`'s stack between its first line and the test's own frame. */
function framesOf(e: unknown): string[] {
  return String((e as Error).stack).split("\n").slice(1).map((l) => l.trim()).filter((l) => l.startsWith("at "));
}

describe("the miss path of an explicit version", () => {
  it("runs the original directly, with its result, its error and the guard miss counted", () => {
    function scale(opts: { k: number; strict?: boolean }, x: number) {
      if (opts.strict && typeof x !== "number") throw new TypeError("x must be a number");
      return opts.k * x;
    }
    const spec = { k: 3, strict: true };
    const f = jit(scale, { specialize: { opts: spec } });
    expect(inspect(f)!.tier).toBe(1);
    // An equal object that is not the one specialized on: the identity guard fails.
    expect(f({ k: 3, strict: true }, 2)).toBe(6);
    expect(f({ k: -0, strict: false }, 5)).toBe(-0);
    let error: unknown;
    try {
      f({ k: 3, strict: true }, "2" as unknown as number);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TypeError);
    const frames = framesOf(error);
    // The original's frame, then the version's, then the test's: nothing of kos's own in between.
    expect(frames[0]).toMatch(/scale/);
    expect(frames[1]).toContain("kos://scale.js");
    expect(frames[2]).not.toMatch(/compiler[\\/](index|dispatcher)\.(ts|js)/);
    expect(inspect(f)!.deopts).toBe(3);
    expect(f(spec, 4)).toBe(12);
  });

  it("runs the version specialized again, once the object it was specialized on changed for good", () => {
    function total(cfg: { rate: number }, x: number) {
      return cfg.rate * x;
    }
    const cfg = { rate: 2 };
    const f = jit(total, { specialize: { cfg } });
    cfg.rate = 5;
    for (let i = 0; i < 40; i++) expect(f(cfg, i)).toBe(5 * i);
    const info = inspect(f)!;
    expect(info.versions!.length).toBe(2);
    // Its calls reach the second version through the first's failed guard: counted once each, at the first's.
    expect(info.deopts).toBeGreaterThanOrEqual(16);
    expect(info.deopts).toBeLessThan(40);
  });
});
