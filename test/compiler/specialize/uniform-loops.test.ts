/**
 * A loop whose unrolled iterations would only repeat one another, numbers that
 * move by a fixed step aside, stays a loop after its first 32 iterations
 * (compiler/specialize/uniform-iterations.ts); a loop whose iterations fold
 * different values (a table's coefficients, a template's names) unrolls.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function loopCount(source: string): number {
  return (source.match(/\bfor \(/g) ?? []).length;
}

describe("uniform loops", () => {
  it("a constant bound of 1,000 over the induction variable alone stays a loop, with the same results", () => {
    const cfg = Object.freeze({ n: 1000, scale: 1.5 });
    function sumRoots(c: { n: number; scale: number }, y: number, out: Float64Array) {
      let s = 0;
      for (let i = 0; i < c.n; i++) {
        out[i % out.length] = c.scale * i + y;
        s += Math.sqrt(c.scale * i + y);
      }
      return s;
    }
    const j = jit(sumRoots, { specialize: { c: cfg } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(loopCount(info.source!)).toBe(1);
    // Unrolled, the source grew past 7 KB; now it is the first 32 iterations, then the loop.
    expect(info.source!.length).toBeLessThan(4000);
    for (const y of [0, 2.5, -0, 1e6]) {
      const a = new Float64Array(7);
      const b = new Float64Array(7);
      expect(j(cfg, y, a)).toBe(sumRoots(cfg, y, b));
      expect([...a]).toEqual([...b]);
    }
  });

  it("a loop over a constant table whose values do not move by a fixed step unrolls whole", () => {
    const taps = Object.freeze([0.02, 0.05, 0.09, 0.14, 0.2, 0.14, 0.09, 0.05, 0.02, 0.01, 0.005, 0.0025]);
    function fir(coeffs: readonly number[], x: Float64Array, n: number) {
      let acc = 0;
      for (let k = 0; k < coeffs.length; k++) {
        const i = n - k;
        if (i >= 0) acc += coeffs[k]! * x[i]!;
      }
      return acc;
    }
    const j = jit(fir, { specialize: { coeffs: taps } });
    const src = inspect(j)!.source!;
    expect(loopCount(src)).toBe(0);
    expect(src).toContain("0.0025");
    const x = Float64Array.from({ length: 32 }, (_, i) => Math.sin(i));
    for (const n of [0, 5, 11, 31]) expect(j(taps, x, n)).toBe(fir(taps, x, n));
  });

  it("iterations that differ in a name or a string unroll", () => {
    const keys = Object.freeze(Array.from({ length: 20 }, (_, i) => `k${i}`));
    function pick(ks: readonly string[], o: Record<string, number>) {
      let s = 0;
      for (let i = 0; i < ks.length; i++) s += o[ks[i]!] ?? i;
      return s;
    }
    const j = jit(pick, { specialize: { ks: keys } });
    const src = inspect(j)!.source!;
    expect(loopCount(src)).toBe(0);
    expect(src).toContain("k19");
    const o = { k3: 5, k19: -2 };
    expect(j(keys, o)).toBe(pick(keys, o));
  });
});
