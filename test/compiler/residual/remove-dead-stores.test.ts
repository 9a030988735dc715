/**
 * removeDeadStores enters, past the statement lists, only the nodes on the way to a store of a
 * hoisted name: a dead store deep in an expression still goes, and a class's static block (a
 * statement list under an expression) is still cleaned.
 */
import { describe, expect, it } from "vitest";
import { removeDeadStores } from "../../../compiler/residual/remove-dead-stores.js";
import { runResidualPass } from "../../support/residual-pass.js";

const run = (body: string) => runResidualPass(removeDeadStores, body);
const INPUTS: unknown[] = [0, 1, "a", null, undefined, [1, 2], { k: 3 }];

describe("removeDeadStores", () => {
  it("drops a dead store nested in calls, conditionals and arrays, and keeps the live one beside it", () => {
    const { changed, out, f, g } = run(`let t, u; u = String([v, w ? (t = v) : Math.max(1, (t = w, 2))]); return u + (u = 1, u);`);
    expect(changed).toBe(true);
    expect(out).not.toMatch(/\bt =/);
    expect(out).toMatch(/\bu =/);
    for (const v of INPUTS) for (const w of INPUTS) expect(g(v, w)).toEqual(f(v, w));
  });

  it("removes a statement without effect from a class's static block when no store is dead", () => {
    const { changed, out, f, g } = run(`let t; t = v; return class { static { 0; this.x = t; } }.x;`);
    expect(changed).toBe(true);
    expect(out).not.toMatch(/\b0;/);
    for (const v of INPUTS) expect(g(v, 0)).toEqual(f(v, 0));
  });
});
