/**
 * `jit()` of a function `jit()` returned: a function of its own for the same original, with the
 * new options, and the first one left as it was. It used to compile the first function's generated
 * code (which fell back naming kos's `$k_generic`) and took the first function's version away with
 * it (sweep19, chk-jitjit.mjs).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

function f(k: { m: number; a: number }, x: number) {
  return x * k.m + k.a;
}
const K1 = Object.freeze({ m: 2, a: 1 });
const K2 = Object.freeze({ m: 3, a: 0 });

describe("jit() of a function jit() returned", () => {
  it("with options: a new function specialized from the original; the first keeps its version", () => {
    const j1 = jit(f, { specialize: { k: K1 } });
    expect(j1(K1, 1)).toBe(3);
    const j2 = jit(j1, { specialize: { k: K2 }, strict: true });
    expect(j2).not.toBe(j1);
    expect(j2(K2, 5)).toBe(15);
    expect(j1(K1, 5)).toBe(11);
    expect(j1(K2, 5)).toBe(15);
    for (const j of [j1, j2]) {
      expect(inspect(j)!.tier).toBe(1);
      expect(inspect(j)!.fallbackReason).toBe(null);
    }
    expect(inspect(j2)!.assumptions.map((a) => a.description).join()).toMatch(/k is the specialized object/);
  });

  it("tiering: each function profiles its own calls", () => {
    const h1 = jit(f, { tiering: { hotCalls: 5 } });
    const h2 = jit(h1, { tiering: { hotCalls: 5 } });
    expect(h2).not.toBe(h1);
    for (let i = 0; i < 50; i++) {
      expect(h1(K1, i)).toBe(f(K1, i));
      expect(h2(K2, i)).toBe(f(K2, i));
    }
    // Each saw one constant `k`: both compiled (h1 had seen h2's calls too, and found no stable argument).
    expect(inspect(h1)!.tier).toBe(1);
    expect(inspect(h2)!.tier).toBe(1);
  });

  it("without options: the function itself", () => {
    const j = jit(f);
    expect(jit(j)).toBe(j);
    const native = jit(Math.max);
    expect(native).toBe(Math.max);
    expect(jit(native, { tiering: { hotCalls: 5 } })).toBe(Math.max);
  });
});
