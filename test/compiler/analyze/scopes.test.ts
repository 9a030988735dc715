/**
 * analyzeScopes on residual code: a KosConst is a leaf (its value is data, which may hold objects
 * with `type` keys of their own), and every other node is walked as eslint-scope walks ESTree.
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { makeConst, type Node } from "../../../compiler/ast.js";
import { analyzeScopes } from "../../../compiler/analyze/scopes.js";

function fnOf(source: string): Node {
  return (parse(source, { ecmaVersion: "latest" }) as Node).body[0];
}

describe("analyzeScopes", () => {
  it("does not look into a constant's value, even one shaped like syntax", () => {
    const fn = fnOf("function f(a, { b, c: [d = 1] }) { let x = a; g(x, b, d); }");
    // `g(x, b, d)` → `g(x, <const>, d)`, the constant an ESTree-like object naming `hidden`.
    fn.body.body[1].expression.arguments[1] = makeConst({ type: "Identifier", name: "hidden", body: [{ type: "ExpressionStatement", expression: { type: "Identifier", name: "alsoHidden" } }] });
    const info = analyzeScopes(fn, true);
    expect([...info.free.keys()]).toEqual(["g"]);
    expect([...info.declaredNames].sort()).toEqual(["a", "b", "d", "x"]);
  });

  it("resolves names bound by destructured parameters and catch clauses", () => {
    const fn = fnOf("function f({ p, q: [r, ...s] }) { try { h(p, r, s); } catch ({ message }) { return message + t; } }");
    const info = analyzeScopes(fn, true);
    expect([...info.free.keys()].sort()).toEqual(["h", "t"]);
    for (const name of ["p", "r", "s", "message"]) expect(info.declaredNames.has(name)).toBe(true);
  });
});
