/**
 * Which names the assembler may also give a constant's parameter (compiler/constant-aliases.ts):
 * only names every binding of which, in the whole output, is a `let`/`const` of that one constant.
 */
import { describe, expect, it } from "vitest";
import * as acorn from "acorn";
import { walk, type Node } from "../../compiler/ast.js";
import { constantBlockAliases } from "../../compiler/constant-aliases.js";

/** The program with each `$c<N>` identifier read as a KosConst of `values[N]`. */
function withConstants(code: string, values: unknown[]): Node {
  const root = acorn.parse(code, { ecmaVersion: "latest", sourceType: "script" }) as unknown as Node;
  walk(root, (n) => {
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (v && typeof v === "object" && v.type === "Identifier" && /^\$c\d+$/.test(v.name)) n[k] = { type: "KosConst", value: values[Number(v.name.slice(2))], path: null };
    }
  });
  return root;
}

describe("constantBlockAliases", () => {
  const tbl = { ops: {} };
  const other = { ops: {} };

  it("takes a name bound only by blocks to one constant", () => {
    const root = withConstants("function f(x) { { let tbl = $c0; tbl.ops.add(); } if (x) { const tbl = $c0; tbl.n(); } return x; }", [tbl]);
    expect([...constantBlockAliases([root])]).toEqual([["tbl", tbl]]);
  });

  it("leaves out a name also bound to another constant, or otherwise", () => {
    const twoValues = withConstants("function f() { { let tbl = $c0; tbl.a(); } { let tbl = $c1; tbl.b(); } }", [tbl, other]);
    expect(constantBlockAliases([twoValues]).has("tbl")).toBe(false);
    const asParameter = withConstants("function f(tbl) { { let tbl2 = $c0; } return [1].map((tbl) => tbl); } { let tbl = $c0; }", [tbl]);
    expect(constantBlockAliases([asParameter]).has("tbl")).toBe(false);
    expect(constantBlockAliases([asParameter]).get("tbl2")).toBe(tbl);
    const asLocal = withConstants("function f() { { let tbl = $c0; } let tbl = 1; return tbl; }", [tbl]);
    expect(constantBlockAliases([asLocal]).has("tbl")).toBe(false);
    const inCatch = withConstants("function f() { { let tbl = $c0; } try {} catch (tbl) {} }", [tbl]);
    expect(constantBlockAliases([inCatch]).has("tbl")).toBe(false);
    const asClass = withConstants("function f() { { let tbl = $c0; } class tbl {} }", [tbl]);
    expect(constantBlockAliases([asClass]).has("tbl")).toBe(false);
  });

  it("leaves out a `var` (bound from the function's start, undefined before it runs) and a global's name", () => {
    const hoisted = withConstants("function f(x) { if (x) { var tbl = $c0; } }", [tbl]);
    expect(constantBlockAliases([hoisted]).has("tbl")).toBe(false);
    const globalName = withConstants("function f() { { let Math = $c0; Math.ops(); } }", [tbl]);
    expect(constantBlockAliases([globalName]).has("Math")).toBe(false);
  });

  it("counts the bindings of every root (a version's helpers too)", () => {
    const version = withConstants("function f() { { let tbl = $c0; } }", [tbl]);
    const helper = withConstants("function h(tbl) { return tbl; }", []);
    expect(constantBlockAliases([version]).has("tbl")).toBe(true);
    expect(constantBlockAliases([version, helper]).has("tbl")).toBe(false);
  });
});
