import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

// A helper with several statements: a check that exits, a reassigned parameter, a closure.
function check(limit: number, value: unknown, log: string[]) {
  log.push(`check ${String(value)}`);
  if (typeof value !== "number") return false;
  value = (value as number) * 2;
  const over = () => (value as number) > limit;
  if (over()) throw new RangeError(`too big: ${String(value)}`);
  return true;
}

function run(cfg: { limit: number }, xs: unknown[], log: string[]) {
  let ok = 0;
  for (let i = 0; i < 3; i++) {
    if (!check(cfg.limit, xs[i], log)) { log.push("rejected"); continue; }
    const value = xs[i]; // same name as the helper's parameter
    ok += check(cfg.limit, value, log) ? 1 : 0;
  }
  return ok;
}

describe("inlineStatements", () => {
  it("inlines a multi-statement helper as a labeled block", () => {
    const out = mainBody(sourceWith(run, { specialize: { cfg: { limit: 10 } }, scope: { check } }));
    // `if (!check(…))` is inlined; `ok += check(…) ? 1 : 0` (a call inside an expression) keeps the helper call.
    expect(out).toMatch(/\$k_inl_\d+: \{ const \$k_a_\d+ = xs\[0\];/);
    expect(out).toMatch(/ok \+= \$k_check_\d+\(value, log\)/);
  });

  it("keeps values, thrown errors and the order of side effects", () => {
    const cfg = { limit: 10 };
    const j = jit(run, { specialize: { cfg }, scope: { check } });
    expect(inspect(j)!.tier).toBe(1);
    for (const xs of [[1, 2, 3], [1, "a", 3], [4, 5, 6], [null, 2, 9]]) {
      const a: string[] = [], b: string[] = [];
      let ra: unknown, rb: unknown;
      try { ra = run(cfg, xs, a); } catch (e) { ra = `${(e as Error).name}: ${(e as Error).message}`; }
      try { rb = j(cfg, xs, b); } catch (e) { rb = `${(e as Error).name}: ${(e as Error).message}`; }
      expect(rb).toEqual(ra);
      expect(b).toEqual(a);
    }
  });
});
