import { describe, expect, it } from "vitest";
import { jit } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

describe("unrollConstantLoops", () => {
  it("unrolls a numeric for loop whose bound is specialized", () => {
    function dot(n: number, a: number[], b: number[]) { let s = 0; for (let i = 0; i < n; i++) s += a[i] * b[i]; return s; }
    // input: for (let i = 0; i < n; i++) s += a[i] * b[i];
    // output: s += a[0] * b[0]; s += a[1] * b[1]; s += a[2] * b[2];
    expect(mainBody(sourceWith(dot, { specialize: { n: 3 } }))).toBe("let s = 0; s = 0 + a[0] * b[0]; s += a[1] * b[1]; s += a[2] * b[2]; return s; }");
  });

  it("unrolls nested loops (matmul n=2)", () => {
    function matmul(n: number, a: number[], b: number[], out: number[]) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j]; out[i * n + j] = s; }
      return out;
    }
    const out = mainBody(sourceWith(matmul, { specialize: { n: 2 } }));
    expect(out).not.toContain("for");
    expect(out).toContain("s += a[1] * b[3];");
  });

  it("rewrites break and continue (also labeled) into labeled blocks", () => {
    function f(n: number, xs: number[]) {
      const seen: number[] = [];
      outer: for (let i = 0; i < n; i++) {
        if (xs[i] < 0) continue;
        for (let j = 0; j < 2; j++) { if (xs[i] === 99) break outer; if (j === 1 && xs[i] === 5) continue outer; seen.push(i * 10 + j); }
        if (xs[i] === 7) break;
      }
      return seen;
    }
    const out = mainBody(sourceWith(f, { specialize: { n: 4 } }));
    expect(out).not.toMatch(/\bfor\b/);
    const j = jit(f, { specialize: { n: 4 } });
    for (const xs of [[1, 2, 3, 4], [-1, 5, 7, 1], [1, 99, 2, 3], [5, 5, -1, 7]]) expect(j(4, xs)).toEqual(f(4, xs));
  });

  it("unrolls for-of over a known array and for-in over a known object", () => {
    function f(ws: number[], o: Record<string, number>, x: number) { let s = 0; for (const w of ws) s += w * x; for (const k in o) s += o[k]; return s; }
    const out = mainBody(sourceWith(f, { specialize: { ws: [2, 3], o: { a: 10, b: 20 } } }));
    expect(out).toBe("let s = 0; s = 0 + 2 * x; s += 3 * x; s += 10; s += 20; return s; }");
  });

  it("keeps per-iteration bindings for closures", () => {
    function f(n: number) { const fs: Array<() => number> = []; for (let i = 0; i < n; i++) fs.push(() => i); return fs.map((g) => g()); }
    expect(jit(f, { specialize: { n: 3 } })(3)).toEqual([0, 1, 2]);
  });

  it("gives a var induction variable its final value after the loop", () => {
    function f(n: number, a: number[]) { var s = 0; for (var i = 0; i < n; i++) s += a[i]; return s + i; }
    const j = jit(f, { specialize: { n: 3 } });
    expect(j(3, [1, 2, 3])).toBe(f(3, [1, 2, 3]));
  });

  it("does not unroll when the body would exceed the budget", () => {
    function f(n: number, a: number[]) { let s = 0; for (let i = 0; i < n; i++) s += a[i]; return s; }
    expect(mainBody(sourceWith(f, { specialize: { n: 200 }, unrollBudget: 100 }))).toContain("for (");
  });

  it("does not unroll a loop whose induction variable is written in the body", () => {
    function f(n: number) { let c = 0; for (let i = 0; i < n; i++) { if (i === 1) i += 2; c++; } return c; }
    expect(mainBody(sourceWith(f, { specialize: { n: 6 } }))).toContain("for (");
    expect(jit(f, { specialize: { n: 6 } })(6)).toBe(f(6));
  });
});
