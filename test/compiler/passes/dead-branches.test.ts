import { describe, expect, it } from "vitest";
import { jit } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

describe("eliminateDeadBranches", () => {
  it("removes if/else, ?:, &&, ||, ?? on known values", () => {
    function f(mode: string, x: number) {
      if (mode === "fast") return x + 1;
      else return x - 1;
    }
    expect(mainBody(sourceWith(f, { specialize: { mode: "fast" } }))).toBe("return x + 1; }");
    function g(o: { a?: number; b: number }, x: number) { return (o.a ?? x) + (o.b && x) + (o.a || 7); }
    expect(mainBody(sourceWith(g, { specialize: { o: { b: 2 } } }))).toBe("return x + x + 7; }");
  });

  it("selects the matching switch case with fallthrough and break", () => {
    function f(op: string, x: number) {
      let r = 0;
      switch (op) {
        case "a": r += 1;
        case "b": r += 2; break;
        case "c": r += 4;
        default: r += 8;
      }
      return r * x;
    }
    const out = mainBody(sourceWith(f, { specialize: { op: "a" } }));
    expect(out).not.toMatch(/switch \(/);
    expect(out).not.toContain("r += 4");
    for (const op of ["a", "b", "c", "zz"]) {
      const j = jit(f, { specialize: { op } });
      expect(j(op, 3)).toBe(f(op, 3));
    }
  });

  it("keeps a switch whose case tests are not constant", () => {
    function f(op: number, y: number) { switch (op) { case y: return 1; case 2: return 2; } return 3; }
    expect(mainBody(sourceWith(f, { specialize: { op: 2 } }))).toContain("switch");
  });

  it("drops statements after return, keeping hoisted declarations", () => {
    function f(n: number) { if (n > 0) { return inner(); } return 0; function inner() { return n; } }
    const out = mainBody(sourceWith(f, { specialize: { n: 1 } }));
    expect(out).not.toContain("return 0");
    expect(jit(f, { specialize: { n: 1 } })(1)).toBe(1);
  });
});
