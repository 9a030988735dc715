/**
 * A loop whose unrolled iterations would only repeat one another, numbers that
 * move by a fixed step aside, stays a loop after its first 32 iterations
 * (compiler/specialize/uniform-iterations.ts); a loop whose iterations fold
 * different values (a table's coefficients, a template's names) unrolls.
 * Iterations that emit the very same code stay a loop after the first few.
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

  it("a uniform loop whose static trip count runs past the first 32 iterations stays a loop from where it is found uniform", () => {
    // ARC4's key schedule (seedrandom): 256 steps over a dynamic key, nothing folds from them. The
    // first 32 unrolled were 9 KB of a tiered version's 17 KB, for nothing.
    const width = 256;
    function schedule(key: number[]) {
      const s: number[] = [];
      let i = 0;
      let j = 0;
      let t: number;
      for (i = 0; i < width; i++) s[i] = key[i % key.length]! ^ i;
      for (i = 0; i < width; i++) {
        s[i] = s[j = 255 & (j + key[i % key.length]! + (t = s[i]!))]!;
        s[j] = t;
      }
      return s;
    }
    const j = jit(schedule, { specialize: {} });
    const src = inspect(j)!.source!;
    expect(loopCount(src)).toBe(2);
    // The first iteration, UNIFORM_RUN alike and the one that shows it, then the loop: not 32 copies.
    expect((src.match(/\[\d+ % /g) ?? []).length).toBeLessThanOrEqual(12);
    for (const key of [[1], [3, 1, 4, 1, 5], Array.from({ length: 300 }, (_, k) => k * 7)]) expect(j(key)).toEqual(schedule(key));
  });

  it("a uniform loop that ends within the first 32 iterations unrolls whole", () => {
    function fill(out: number[], n: number) {
      for (let i = 0; i < n; i++) out[i] = i * 3 + 1;
      return out;
    }
    const j = jit(fill, { specialize: { n: 20 } });
    const src = inspect(j)!.source!;
    expect(loopCount(src)).toBe(0);
    expect(src).toContain("58");
    expect(j([], 20)).toEqual(fill([], 20));
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

  it("iterations that emit the same code stay a loop after a few, with the callee inlined in it", () => {
    // A root finder on a fixed function and iteration limit: nothing in an iteration depends on
    // the counter. Unrolled, 25 copies spent the budget and the loop after them called `f`.
    const f = (x: number) => x * x - 2;
    function bisect(fn: (x: number) => number, lo: number, hi: number, max: number) {
      for (let i = 0; i < max; i++) {
        const mid = (lo + hi) / 2;
        if (fn(mid) === 0 || hi - lo < 1e-12) return mid;
        if (fn(mid) > 0 === fn(lo) > 0) lo = mid;
        else hi = mid;
      }
      throw new Error("no root");
    }
    const j = jit(bisect, { specialize: { fn: f, max: 100 } });
    const src = inspect(j)!.source!;
    expect(loopCount(src)).toBe(1);
    expect(src).not.toMatch(/\bfn\(/);
    // The first iteration names its variables apart, then UNIFORM_RUN alike: 6 copies and the loop.
    expect((src.match(/\/ 2/g) ?? []).length).toBeLessThanOrEqual(8);
    for (const [lo, hi, max] of [[0, 2, 100], [-3, 0, 100], [5, 6, 100], [0, 2, 10], [NaN, 1, 100]] as const) {
      const r = (g: typeof bisect) => { try { return g(f, lo, hi, max); } catch (e) { return (e as Error).message; } };
      expect(r(j)).toBe(r(bisect));
    }
  });
});
