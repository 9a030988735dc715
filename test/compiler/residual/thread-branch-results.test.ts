/**
 * threadBranchResults: a result an inlined predicate returns only to be
 * tested becomes jumps where the value is decided, as hand-written code has it.
 */
import { describe, expect, it } from "vitest";
import { threadBranchResults } from "../../../compiler/residual/thread-branch-results.js";
import { jit, inspect } from "../../../index.js";
import { runResidualPass } from "../../support/residual-pass.js";

const run = (body: string) => runResidualPass(threadBranchResults, body);

describe("threadBranchResults", () => {
  const predicate = `
    let t, r, r2;
    t = v !== undefined;
    if (t) { ret: { if (typeof v !== "string") { r = false; break ret; } if (v.length > 3) { r = false; break ret; } r = true; } r2 = !r; } else { r2 = t; }
    if (r2) return "bad";
    return "ok";`;

  it("turns an inlined predicate's result into returns, with the same results", () => {
    const { changed, out, f, g } = run(predicate);
    expect(changed).toBe(true);
    expect(out).not.toMatch(/r2 =|break ret|r = /);
    expect(out).toMatch(/if \(typeof v !== "string"\) \{\s*return "bad";/);
    for (const v of [undefined, "ab", "abcdef", 5, null]) expect(g(v)).toBe(f(v));
  });

  it("leaves a result that is read again", () => {
    const { changed } = run(predicate.replace('return "ok";', "return r2;"));
    expect(changed).toBe(false);
  });

  it("does not move an unlabeled break into a labeled block (a loop inside would catch it)", () => {
    const body = `
      let r; const out = [];
      for (const x of w) {
        L: { for (const y of x) { if (y < 0) { r = false; break L; } } r = true; }
        if (!r) break;
        out.push(x.length);
      }
      return out.join();`;
    const { out, f, g } = run(body);
    expect(out).toMatch(/break L/);
    for (const w of [[[1], [2, -1], [3]], [[1, 2]], []]) expect(g(undefined, w)).toBe(f(undefined, w));
  });

  it("keeps the else branch's own value when it changes the tested variable", () => {
    const body = `
      let t, r;
      t = v > 0;
      if (t) { r = v > 10; } else { t = true; r = t; }
      if (r) return 1;
      return 2;`;
    const { f, g } = run(body);
    for (const v of [-1, 0, 5, 11, NaN]) expect(g(v)).toBe(f(v));
  });

  it("a branch whose result is a specialized bigint keeps its jump (kos builds `1n` with a null value)", () => {
    // Random programs, seed 909 #528: `r = 1n` was read as falsy, and the else branch's return was lost.
    function helper(a: unknown) {
      return typeof a;
    }
    const prog = new Function("helper", 'return function prog(p0, p1, p2) { if (p1 ? (helper(p0) ? p2 : 3) : p0) return p0; return "end"; }')(helper) as (...a: unknown[]) => unknown;
    const j = jit(prog, { specialize: { p0: 1n } });
    expect(inspect(j)!.tier).toBe(1);
    for (const [p1, p2] of [[null, 6], [0, 0], [1, 0], [1, 7], ["", 1]]) expect(j(1n, p1, p2)).toBe(prog(1n, p1, p2));
    for (const p0 of [0n, -0n, 2n]) {
      const k = jit(prog, { specialize: { p0 } });
      for (const [p1, p2] of [[null, 6], [1, 0], [1, 7]]) expect(k(p0, p1, p2)).toBe(prog(p0, p1, p2));
    }
  });

  it("jitted validators read as hand-written code: no result variables or labels", () => {
    const check = (s: { min: number }, v: unknown) => v === undefined || (typeof v === "string" && v.length >= s.min);
    const validate = new Function("check", "return function validate(s, o) { const v = o.name; if (v !== undefined && !check(s, v)) return false; return true; }")(check);
    const j = jit(validate, { specialize: { s: { min: 2 } }, scope: { check } });
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/ret\w*:|\br_\d+\b/);
    for (const o of [{}, { name: "a" }, { name: "ab" }, { name: 3 }]) expect(j({ min: 2 }, o)).toBe(validate({ min: 2 }, o));
  });
});
