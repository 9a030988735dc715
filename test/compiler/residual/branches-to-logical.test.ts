/**
 * branchesToLogical: an `if` that only gives one variable a value, one side a
 * boolean constant, becomes `||`/`&&` where the test is a boolean by syntax.
 */
import { describe, expect, it } from "vitest";
import { branchesToLogical } from "../../../compiler/residual/branches-to-logical.js";
import { jit, inspect } from "../../../index.js";
import { runResidualPass } from "../../support/residual-pass.js";

const run = (body: string) => runResidualPass(branchesToLogical, body);

const VALUES: unknown[] = [0, 1, "new", "paid", "", null, undefined, NaN, {}, [], true, false];

describe("branchesToLogical", () => {
  it("an inner alternative becomes an || (forwardTemporaries then lets the outer one follow), with the same results", () => {
    const { changed, out, f, g } = run(`let r, r2; if (v === "new") { r = true; } else { if (v === "paid") { r2 = true; } else { r2 = v === w; } r = r2; } return r;`);
    expect(changed).toBe(true);
    expect(out).toMatch(/r2 = v === "paid" \|\| v === w;/);
    for (const v of VALUES) for (const w of VALUES) expect(Object.is(g(v, w), f(v, w))).toBe(true);
  });

  it("each placement of the constant gives the same values: true/false in either branch", () => {
    for (const body of [
      "let r; if (v > 1) { r = w; } else { r = false; } return r;",
      "let r; if (v > 1) { r = false; } else { r = w; } return r;",
      "let r; if (v > 1) { r = w; } else { r = true; } return r;",
      "let r; if (v > 1) { r = true; } else { r = false; } return r;",
      "let r; if (!v) { r = false; } else { r = true; } return r;",
    ]) {
      const { changed, out, f, g } = run(body);
      expect(changed).toBe(true);
      expect(out).not.toMatch(/if \(/);
      for (const v of VALUES) for (const w of VALUES) expect(Object.is(g(v, w), f(v, w))).toBe(true);
    }
  });

  it("a test that is not a boolean by its syntax stays an if (`v || w` would give v, not true)", () => {
    const { changed } = run("let r; if (v) { r = true; } else { r = w; } return r;");
    expect(changed).toBe(false);
    const call = run("let r; if (w(v)) { r = true; } else { r = false; } return r;");
    expect(call.changed).toBe(false);
  });

  it("what `some` over known alternatives leaves reads as one expression", () => {
    const statuses = Object.freeze(["new", "paid", "shipped"]);
    function known(s: readonly string[], v: unknown) {
      return s.some((x) => x === v);
    }
    const j = jit(known, { specialize: { s: statuses } });
    expect(inspect(j)!.source).toMatch(/return "new" === v \|\| "paid" === v \|\| "shipped" === v;/);
    for (const v of ["new", "shipped", "x", null]) expect(j(statuses, v)).toBe(known(statuses, v));
  });
});
