import { describe, expect, it } from "vitest";
import { jit } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

describe("propagateConstants + removeDeadCode", () => {
  it("propagates through never-reassigned bindings and removes the dead declarations", () => {
    function f(n: number, x: number) { const m = n * 2; const k = m + 1; return x + k; }
    // input: const m = n * 2; const k = m + 1; return x + k;   output: return x + 9;
    expect(mainBody(sourceWith(f, { specialize: { n: 4 } }))).toBe("return x + 9; }");
  });

  it("does not propagate a binding that is reassigned", () => {
    function f(n: number, x: number) { let m = n; if (x > 0) m = 0; return m; }
    const out = mainBody(sourceWith(f, { specialize: { n: 4 } }));
    expect(out).toContain("let m = 4");
    expect(jit(f, { specialize: { n: 4 } })(4, 1)).toBe(0);
    expect(jit(f, { specialize: { n: 4 } })(4, -1)).toBe(4);
  });

  it("does not replace reads that come before the declaration (TDZ stays an error)", () => {
    function f(n: number) { const g = () => k; const r = g; const k = n; return [r, k]; }
    const j = jit(f, { specialize: { n: 1 } });
    const [g, k] = j(1) as [() => number, number];
    expect(g()).toBe(1);
    expect(k).toBe(1);
  });

  it("keeps an unused binding whose initializer has effects", () => {
    function f(n: number, o: { x: number }) { const unused = o.x; return n; }
    expect(mainBody(sourceWith(f, { specialize: { n: 1 } }))).toContain("const unused = o.x");
  });
});
