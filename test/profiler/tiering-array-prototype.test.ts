/**
 * A program that gives Array.prototype an index (sweep39: a TypeScript
 * `__spreadArray` over a holey array after `Array.prototype[1] = "P"`) must
 * not reach kos's own arrays: tier 0 profiled each argument into a list it
 * grew by reading past its end, read "P" there, and threw
 * "profiles[i].observe is not a function" into the program's call.
 */
import { afterEach, describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

const proto = Array.prototype as unknown as Record<number, unknown>;

afterEach(() => {
  delete proto[1];
  delete proto[2];
});

describe("tiering with an index on Array.prototype", () => {
  it("profiles the arguments of every call and tiers up as without it", () => {
    function join(a: unknown, b: unknown, c: unknown) {
      return `${String(a)}|${String(b)}|${String(c)}`;
    }
    const j = jit(join, { tiering: { hotCalls: 40 } });
    proto[1] = "P";
    proto[2] = "Q";
    for (let i = 0; i < 100; i++) expect(j("x", i, i % 2 ? "odd" : undefined)).toBe(join("x", i, i % 2 ? "odd" : undefined));
    // The argument a version guards comes from the profile: a name read past the list's end
    // ("P") would have been specialized instead.
    const info = inspect(j)!;
    expect(info.fallbackReason ?? "").not.toMatch(/observe/);
    for (const v of info.versions ?? []) expect(JSON.stringify(v.assumptions ?? [])).not.toMatch(/"P"|"Q"/);
  });

  it("a call with more arguments than any before it, after a version exists", () => {
    function pick(cfg: { k: string }, x?: unknown, y?: unknown) {
      return cfg.k + String(x) + String(y);
    }
    const cfg = { k: "k" };
    const j = jit(pick, { tiering: { hotCalls: 30 } });
    for (let i = 0; i < 60; i++) j(cfg);
    proto[1] = "P";
    proto[2] = "Q";
    const other = { k: "z" };
    for (let i = 0; i < 60; i++) expect(j(i % 2 ? cfg : other, i, "y")).toBe(pick(i % 2 ? cfg : other, i, "y"));
  });
});

describe("a failed guard calls none of the program's Array methods (sweep43 repro-6)", () => {
  it("a replaced Array.prototype.includes is not called by kos's deopt bookkeeping", () => {
    const native = Array.prototype.includes;
    let calls = 0;
    Array.prototype.includes = function (this: unknown[], ...a: [unknown]) {
      calls++;
      return Reflect.apply(native, this, a);
    } as typeof native;
    try {
      function price(cfg: { unit: number }, qty: number) {
        return cfg.unit * qty;
      }
      const cfg = { unit: 7 };
      const j = jit(price, { specialize: { cfg } });
      expect(j(cfg, 2)).toBe(14);
      // (No expect() while counting: the test library's own matchers call includes.)
      calls = 0;
      const results = [j({ unit: 4 }, 7), j({ unit: 4 }, 7)];
      const counted = calls;
      expect(results).toEqual([28, 28]);
      expect(counted).toBe(0);
      expect(inspect(j)!.deopts).toBe(2);
    } finally {
      Array.prototype.includes = native;
    }
  });
});
