import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

function dot(a: Float64Array, b: Float64Array, n: number) {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

describe("reassociateReductions (fastmath only)", () => {
  it("is off by default: the loop keeps its order of additions", () => {
    expect(mainBody(sourceWith(dot, { scope: {} }))).toContain("for (let i = 0; i < n; i++) s += a[i] * b[i];");
  });

  it("with fastmath, splits a sum over four accumulators and stays close to the exact result", () => {
    const out = mainBody(sourceWith(dot, { scope: {}, fastmath: true }));
    expect(out).toContain("i += 4");
    expect(out).toMatch(/acc0_\d+ \+ \$k_acc1_\d+/);
    const j = jit(dot, { scope: {}, fastmath: true });
    expect(inspect(j)!.tier).toBe(1);
    for (const n of [0, 1, 3, 4, 5, 17, 1000]) {
      const a = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3);
      const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
      const exact = dot(a, b, n);
      expect(Math.abs(j(a, b, n) - exact)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(exact)));
    }
  });

  it("leaves sums it cannot prove numeric or side-effect free", () => {
    function concat(xs: string[], n: number) { let s = ""; for (let i = 0; i < n; i++) s += xs[i]; return s; }
    expect(mainBody(sourceWith(concat, { scope: {}, fastmath: true }))).not.toContain("i += 4");
    function logged(xs: number[], n: number, log: number[]) { let s = 0; for (let i = 0; i < n; i++) s += xs[i]! * log.push(i); return s; }
    expect(mainBody(sourceWith(logged, { scope: {}, fastmath: true }))).not.toContain("i += 4");
  });
});
