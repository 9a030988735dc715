/**
 * hoistCommonAllocations: an object or array literal assigned in both arms of
 * an `if` is allocated once, before it, where nothing before it in either arm
 * (or the test) can see or change what it reads.
 */
import { describe, expect, it } from "vitest";
import { hoistCommonAllocations } from "../../../compiler/residual/hoist-common-allocations.js";
import { jit, inspect } from "../../../index.js";
import { runResidualPass } from "../../support/residual-pass.js";

const run = (body: string) => runResidualPass(hoistCommonAllocations, body);

const VALUES: unknown[] = [0, -0, 1, "s", "", null, undefined, NaN, () => "fn", { k: 1 }, [2]];

/** Same result (deeply, -0 and NaN told apart) for every pair of values, including what each throws. */
function agree(f: Function, g: Function): void {
  for (const v of VALUES)
    for (const w of VALUES) {
      const outcome = (h: Function) => {
        try {
          return { value: h(v, w) };
        } catch (e) {
          return { error: String(e) };
        }
      };
      expect(outcome(g)).toStrictEqual(outcome(f));
    }
}

describe("hoistCommonAllocations", () => {
  it("moves a literal both arms build before the if, through moves that do not touch it (nested ifs, innermost first)", () => {
    const body = `let o, r, m = w;
      if (m !== void 0) {
        if (typeof m === "function") { o = { kind: "x", input: v, n: [v, 1] }; r = m(o); }
        else { r = m; o = { kind: "x", input: v, n: [v, 1] }; }
        o.message = r;
      } else { o = { kind: "x", input: v, n: [v, 1] }; }
      return [o, r];`;
    const { changed, out, f, g } = run(body);
    expect(changed).toBe(true);
    expect(out.match(/kind: "x"/g)).toHaveLength(1);
    expect(out).toMatch(/o = \{[^]*\};\s*if \(m !== void 0\)/);
    agree(f, g);
  });

  it("leaves literals that an arm's earlier statement changes, reads or could run code for", () => {
    for (const body of [
      // `v` is written before the literal in one arm.
      `let o, x = v; if (w) { x = 1; o = { a: x }; } else { o = { a: x }; } return o;`,
      // The target is read before the literal.
      `let o = 5, r; if (w) { r = o; o = { a: v }; } else { o = { a: v }; } return [o, r];`,
      // A call first: it could throw, and the allocation would then have happened.
      `let o; if (w) { String(v); o = { a: v }; } else { o = { a: v }; } return o;`,
      // The test reads the target.
      `let o = v; if (o) { o = [w]; } else { o = [w]; } return o;`,
      // The test has an effect.
      `let o; if (w && w.k) { o = [v]; } else { o = [v]; } return o;`,
      // A global: reading it may throw or run a getter.
      `let o; if (w) { o = [someGlobal]; } else { o = [someGlobal]; } return o;`,
      // Different literals.
      `let o; if (w) { o = { a: v }; } else { o = { a: w }; } return o;`,
    ]) {
      const { changed, f, g } = run(body);
      expect(changed, body).toBe(false);
      agree(f, g);
    }
  });

  it("leaves a literal that reads a name a closure writes, or a name an arm declares", () => {
    for (const body of [
      `let o, x = 1; const bump = () => { x++; }; if (w) { o = [x]; } else { o = [x]; } bump(); return o;`,
      `let o; if (w) { let v = 2; o = [v]; } else { o = [v]; } return o;`,
    ]) {
      const { changed, f, g } = run(body);
      expect(changed, body).toBe(false);
      agree(f, g);
    }
  });

  it("on a real issue builder: one copy of the issue object, the same issues", () => {
    function issue(input: unknown, config: { message?: unknown }, expected: string) {
      const message = config.message;
      const received = typeof input;
      const other = { kind: "schema", expected, received, input, message: `Expected ${expected}` };
      if (message !== undefined) other.message = typeof message === "function" ? message(other) : (message as string);
      return other;
    }
    function check(input: unknown, config: { message?: unknown }) {
      if (typeof input === "string") return null;
      return issue(input, config, "string");
    }
    const compiled = jit(check, { specialize: {} });
    const without = jit(check, { specialize: {}, disablePasses: ["hoistCommonAllocations"] });
    for (const input of ["a", 1, null, -0, NaN]) {
      for (const config of [{}, { message: "m" }, { message: (o: { received: string }) => `got ${o.received}` }]) {
        expect(compiled(input, config)).toStrictEqual(check(input, config));
      }
    }
    expect(inspect(compiled)!.source!.match(/kind: "schema"/g) ?? []).toHaveLength(1);
    expect((inspect(without)!.source!.match(/kind: "schema"/g) ?? []).length).toBeGreaterThan(1);
  });
});
