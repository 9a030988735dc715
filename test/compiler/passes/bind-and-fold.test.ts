import { describe, expect, it } from "vitest";
import { jit } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

describe("bindSpecializedParams + foldConstants", () => {
  it("replaces a specialized parameter and folds arithmetic on it", () => {
    function f(n: number, x: number) { return x * (n * n + 1); }
    // input:  return x * (n * n + 1);   output: return x * 17;
    expect(mainBody(sourceWith(f, { specialize: { n: 4 } }, ["foldConstants"]))).toContain("return x * 17;");
  });

  it("leaves a reassigned parameter alone (it is still guarded)", () => {
    function f(n: number) { n = n + 1; return n; }
    const out = mainBody(sourceWith(f, { specialize: { n: 4 } }, ["foldConstants"]));
    expect(out).toContain("n = n + 1");
    expect(jit(f, { specialize: { n: 4 } })(4)).toBe(5);
  });

  it("folds reads of a frozen specialized object, including missing properties", () => {
    function f(cfg: { scale: number; offset?: number }, x: number) { return x * cfg.scale + (cfg.offset ?? 0); }
    const out = mainBody(sourceWith(f, { specialize: { cfg: { scale: 3 } } }, ["foldConstants", "eliminateDeadBranches"]));
    expect(out).toBe("return x * 3 + 0; }");
  });

  it("folds whitelisted pure built-ins and string methods, keeps Math.random", () => {
    function f(s: string, x: number) { return Math.max(2, 7) + s.length + s.toUpperCase().charCodeAt(0) + Math.random() * x; }
    const out = mainBody(sourceWith(f, { specialize: { s: "abc" } }, ["foldConstants"]));
    expect(out).toContain("return 75 + Math.random() * x;");
  });

  it("folds JSON.stringify and Object.keys of constants into fresh literals", () => {
    function f(o: object) { return [JSON.stringify(o), Object.keys(o)]; }
    const o = { a: 1, "q\"uote": "x" };
    const out = mainBody(sourceWith(f, { specialize: { o } }, ["foldConstants"]));
    expect(out).toContain(String.raw`"{\"a\":1,\"q\\\"uote\":\"x\"}"`);
    expect(out).toContain(String.raw`["a", "q\"uote"]`);
    // a fresh array each call, as in the original
    const j = jit(f, { specialize: { o } });
    expect(j(o)[1]).not.toBe(j(o)[1]);
  });

  it("keeps an operation that throws at run time", () => {
    function f(b: bigint) { return b + (1 as unknown as bigint); }
    const j = jit(f, { specialize: { b: 1n } });
    expect(() => j(1n)).toThrow(TypeError);
  });

  it("folds typeof under a type assumption", () => {
    function f(x: unknown) { return typeof x === "number" ? 1 : 2; }
    const out = mainBody(sourceWith(f, { assume: { x: "number" } }, ["foldConstants", "eliminateDeadBranches"]));
    expect(out).toBe("return 1; }");
  });

  it("destructures a known object into constants", () => {
    function f(cfg: { a: number; b: number }, x: number) { const { a, b: bee } = cfg; return a * x + bee; }
    const out = mainBody(sourceWith(f, { specialize: { cfg: { a: 2, b: 5 } } }));
    expect(out).toBe("return 2 * x + 5; }");
  });
});
