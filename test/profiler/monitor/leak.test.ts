import { describe, expect, it } from "vitest";
import { blockMinima, detectLeak } from "../../../profiler/monitor/leak.js";

const MiB = 1024 * 1024;

/** Deterministic noise: mulberry32. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seconds = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("detectLeak on synthetic heap series", () => {
  it("flags steady growth (50 KiB/s over 10 minutes, with noise)", () => {
    const r = rng(1);
    const t = seconds(600);
    const v = t.map((s) => 40 * MiB + 50 * 1024 * s + (r() - 0.5) * 2 * MiB);
    const verdict = detectLeak(t, v);
    expect(verdict.suspected).toBe(true);
    expect(verdict.baselineSlopeBytesPerSec).toBeGreaterThan(40 * 1024);
    expect(verdict.baselineSlopeBytesPerSec).toBeLessThan(60 * 1024);
    expect(verdict.baselineR2).toBeGreaterThan(0.8);
  });

  it("flags a GC sawtooth whose floor rises (retained memory under collections)", () => {
    const t = seconds(300);
    const v = t.map((s) => 30 * MiB + 20 * 1024 * s + (s % 20) * 1 * MiB);
    expect(detectLeak(t, v).suspected).toBe(true);
  });

  it("sees a slowly rising floor under big GC teeth, which a fit on the raw series misses", () => {
    // Teeth of 40 MiB every 20 s; the floor rises 30 KiB/s (18 MiB over 10 minutes).
    const t = seconds(600);
    const v = t.map((s) => 30 * MiB + 30 * 1024 * s + (s % 20) * 2 * MiB);
    const verdict = detectLeak(t, v);
    expect(verdict.suspected, verdict.reason).toBe(true);
    expect(verdict.baselineSlopeBytesPerSec).toBeGreaterThan(25 * 1024);
    expect(verdict.baselineSlopeBytesPerSec).toBeLessThan(35 * 1024);
  });

  it("does not flag a GC sawtooth with a flat floor, whatever its period and phase", () => {
    for (const period of [5, 7, 13, 20, 37, 60]) {
      for (const phase of [0, 3, 11]) {
        const t = seconds(300);
        const v = t.map((s) => 30 * MiB + ((s + phase) % period) * (40 * MiB / period));
        const verdict = detectLeak(t, v);
        expect(verdict.suspected, `period ${period} phase ${phase}: ${verdict.reason}`).toBe(false);
      }
    }
  });

  it("does not flag noise around a flat level, over many seeds", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const t = seconds(120);
      const v = t.map(() => 60 * MiB + (r() - 0.5) * 8 * MiB);
      const verdict = detectLeak(t, v);
      expect(verdict.suspected, `seed ${seed}: ${verdict.reason}`).toBe(false);
    }
  });

  it("does not flag steady growth that is too small in total", () => {
    const t = seconds(60);
    const v = t.map((s) => 40 * MiB + 2048 * s); // 120 KiB over the window
    const verdict = detectLeak(t, v);
    expect(verdict.suspected).toBe(false);
    expect(verdict.reason).toMatch(/below/);
  });

  it("does not flag shrinking memory", () => {
    const t = seconds(100);
    expect(detectLeak(t, t.map((s) => 100 * MiB - 100 * 1024 * s)).suspected).toBe(false);
  });

  it("declines to judge with too few samples, and honours rule overrides", () => {
    const t = seconds(20);
    const v = t.map((s) => 10 * MiB + MiB * s);
    expect(detectLeak(t, v).suspected).toBe(false);
    expect(detectLeak(t, v).reason).toMatch(/too few samples/);
    expect(detectLeak(t, v, { minSamples: 10 }).suspected).toBe(true);
  });

  it("skips NaN samples", () => {
    const t = seconds(100);
    const v = t.map((s) => (s % 10 === 0 ? NaN : 10 * MiB + 100 * 1024 * s));
    expect(detectLeak(t, v).suspected).toBe(true);
  });
});

describe("leak rule validation", () => {
  it("refuses a rule that would switch detection off unnoticed, with EINVAL_LEAK_RULE", () => {
    const t = seconds(64);
    const v = t.map((s) => 100 * MiB + MiB * s); // a steady 1 MiB/s leak
    expect(detectLeak(t, v).suspected).toBe(true);
    // sweep 37: maxBlocks NaN gave NaN blocks, and this leak read suspected: false.
    for (const rule of [{ maxBlocks: NaN }, { maxBlocks: 1 }, { maxBlocks: 2.5 }, { minR2: NaN }, { minSamples: "30" }, { minGrowth: 1 }]) {
      expect(() => detectLeak(t, v, rule as never), JSON.stringify(rule)).toThrow(expect.objectContaining({ code: "EINVAL_LEAK_RULE" }));
    }
    expect(() => detectLeak(t, v, "x" as never)).toThrow(expect.objectContaining({ code: "EINVAL_LEAK_RULE" }));
    expect(() => detectLeak(t, v, null as never)).toThrow(expect.objectContaining({ code: "EINVAL_LEAK_RULE" }));
    expect(detectLeak(t, v, { maxBlocks: 2, minGrowthBytesPerSec: -Infinity }).suspected).toBe(true);
  });

  it("series that are not arrays are EINVAL_LEAK_SERIES (a string threw a TypeError)", () => {
    const t = seconds(64);
    for (const [times, values] of [["x", t], [t, undefined], [null, t], [t, 5]]) {
      expect(() => detectLeak(times as never, values as never)).toThrow(expect.objectContaining({ code: "EINVAL_LEAK_SERIES" }));
    }
    expect(detectLeak(Float64Array.from(t), Float64Array.from(t.map((s) => 100 * MiB + MiB * s))).suspected).toBe(true);
  });
});

describe("blockMinima", () => {
  it("keeps each block's minimum at its own time", () => {
    const { t, v } = blockMinima([0, 1, 2, 3, 4, 5, 6, 7], [5, 1, 6, 7, 9, 8, 2, 3], 2);
    expect([...v]).toEqual([1, 2]);
    expect([...t]).toEqual([1, 6]);
  });
});

describe("leak verdict reasons", () => {
  it("print byte figures with thousands separators", () => {
    const t = seconds(100);
    const verdict = detectLeak(t, t.map((s) => 10 * MiB + 100 * 1024 * s));
    expect(verdict.reason).toMatch(/rises 102,400 B\/s/);
  });
});
