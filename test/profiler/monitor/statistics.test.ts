import { describe, expect, it } from "vitest";
import { linearFit, quantileSorted, trendOf, windowStats } from "../../../profiler/monitor/statistics.js";

describe("linearFit", () => {
  it("recovers an exact line with R² = 1", () => {
    const x = [0, 1, 2, 3, 4];
    const y = x.map((v) => 3 + 2 * v);
    const f = linearFit(x, y);
    expect(f.slope).toBeCloseTo(2, 12);
    expect(f.intercept).toBeCloseTo(3, 12);
    expect(f.r2).toBeCloseTo(1, 12);
  });

  it("stays exact with epoch-sized x and byte-sized y (centred sums)", () => {
    const x = Array.from({ length: 50 }, (_, i) => 1.7e12 + i * 1000);
    const y = x.map((v, i) => 5e8 + 4096 * i);
    const f = linearFit(x, y);
    expect(f.slope).toBeCloseTo(4.096, 9);
    expect(f.r2).toBeCloseTo(1, 9);
  });

  it("gives R² 0 for a constant series and slope 0 for a single point", () => {
    expect(linearFit([0, 1, 2], [5, 5, 5]).r2).toBe(0);
    expect(linearFit([0, 1, 2], [5, 5, 5]).slope).toBe(0);
    expect(linearFit([1], [9]).slope).toBe(0);
  });
});

describe("quantiles and window statistics", () => {
  it("interpolates like numpy's default (type 7)", () => {
    const s = [1, 2, 3, 4];
    expect(quantileSorted(s, 0.5)).toBe(2.5);
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(4);
    expect(quantileSorted(s, 0.95)).toBeCloseTo(3.85, 12);
  });

  it("computes min, max, mean and percentiles of 1..100, skipping NaN", () => {
    const v = new Float64Array(102);
    for (let i = 0; i < 100; i++) v[i] = 100 - i; // unsorted on purpose
    v[100] = NaN;
    v[101] = NaN;
    const s = windowStats(v);
    expect(s.count).toBe(100);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.mean).toBe(50.5);
    expect(s.p50).toBe(50.5);
    expect(s.p95).toBeCloseTo(95.05, 10);
    expect(s.p99).toBeCloseTo(99.01, 10);
    expect(v[0]).toBe(100); // the input is not sorted in place
  });

  it("returns NaN statistics for an empty window", () => {
    const s = windowStats(new Float64Array([NaN]));
    expect(s.count).toBe(0);
    expect(Number.isNaN(s.mean)).toBe(true);
  });
});

describe("trendOf", () => {
  const t = Array.from({ length: 60 }, (_, i) => i);
  it("calls a clean rise rising and a clean fall falling", () => {
    expect(trendOf(t, t.map((i) => 100 + 5 * i)).direction).toBe("rising");
    const falling = trendOf(t, t.map((i) => 1000 - 5 * i));
    expect(falling.direction).toBe("falling");
    expect(falling.slopePerSec).toBeCloseTo(-5, 10);
  });

  it("calls a constant or alternating series flat", () => {
    expect(trendOf(t, t.map(() => 7)).direction).toBe("flat");
    expect(trendOf(t, t.map((i) => (i % 2 ? 10 : 0))).direction).toBe("flat");
  });

  it("calls a tiny change relative to the mean flat even when the fit is perfect", () => {
    // 1e9 growing by 10 per second: 590 over the window, 0.00006% of the mean.
    expect(trendOf(t, t.map((i) => 1e9 + 10 * i)).direction).toBe("flat");
  });
});
