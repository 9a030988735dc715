import { describe, expect, it } from "vitest";
import { jit } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

describe("trackLetValues", () => {
  it("resolves a flag set in straight-line code and removes its dead stores", () => {
    function f(n: number, x: string) {
      let first = true;
      let out = "";
      if (!first) out += ",";
      first = false;
      out += x;
      if (!first) out += ",";
      return out + n;
    }
    // input: flag tests on `first`; output: no `first` at all
    const out = mainBody(sourceWith(f, { specialize: { n: 1 } }));
    expect(out).not.toContain("first");
    expect(jit(f, { specialize: { n: 1 } })(1, "a")).toBe(f(1, "a"));
  });

  it("keeps only what both branches of an if agree on", () => {
    function f(c: boolean, k: number) {
      let a = 1;
      let b = 1;
      if (c) { a = 2; b = 5; } else { a = 2; }
      return a * 10 + b + k;
    }
    const out = mainBody(sourceWith(f, { specialize: { k: 0 } }));
    expect(out).toContain("return 20 + b");
    const j = jit(f, { specialize: { k: 0 } });
    expect(j(true, 0)).toBe(f(true, 0));
    expect(j(false, 0)).toBe(f(false, 0));
  });

  it("forgets bindings written in loops, labeled blocks and try", () => {
    function f(xs: number[], k: number) {
      let s = 0;
      let seen = false;
      for (const x of xs) { if (x > k) seen = true; s += x; }
      let t = 1;
      done: { if (xs.length > 2) break done; t = 2; }
      let u = 1;
      try { if (xs[0] === 99) throw new Error("x"); u = 3; } catch { u += 10; }
      return [s, seen, t, u];
    }
    const j = jit(f, { specialize: { k: 2 } });
    for (const xs of [[], [1], [3, 4, 5], [99, 1]]) expect(j(xs, 2)).toEqual(f(xs, 2));
  });

  it("never tracks a binding a closure can see", () => {
    function f(k: number) {
      let v = 1;
      const bump = () => { v = 7; };
      bump();
      return v + k;
    }
    expect(mainBody(sourceWith(f, { specialize: { k: 0 } }))).toContain("v + 0");
    expect(jit(f, { specialize: { k: 0 } })(0)).toBe(f(0));
  });

  it("folds compound assignments on known values, in order", () => {
    function f(k: number, x: number) {
      let a = k;
      a += 2;
      a *= 3;
      const before = a;
      a += x;
      return [before, a];
    }
    // input: let a = k; a += 2; a *= 3; const before = a; a += x;   output: let a = 9 + x (via dead-store removal)
    expect(mainBody(sourceWith(f, { specialize: { k: 1 } }))).toContain("return [9, a]");
    expect(jit(f, { specialize: { k: 1 } })(1, 5)).toEqual([9, 14]);
  });
});
