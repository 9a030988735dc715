/**
 * countNodes: the nodes `walk` visits, counted by its own recursion (it runs on every residual
 * many times a compile).
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { countNodes, makeConst, walk, type Node } from "../../compiler/ast.js";

function visited(root: Node): number {
  let n = 0;
  walk(root, () => void n++);
  return n;
}

describe("countNodes", () => {
  it("counts what walk visits: holes, absent children, constants and nested functions", () => {
    const program = parse(
      "function f(a, { b = 1, ...c }) { const x = [, a, ...c]; for (;;) { if (a) break; else continue; } try { g?.(x) } catch { return class { static { this.y = () => b; } } } label: while (0) {} return `t${a}`; }",
      { ecmaVersion: "latest" },
    ) as Node;
    const fn = program.body[0];
    // A constant's value is data, never walked: an object holding a `type` key counts as nothing.
    fn.body.body.push({ type: "ExpressionStatement", expression: makeConst({ type: "Identifier", name: "v", nested: { type: "Literal" } }) });
    expect(countNodes(program)).toBe(visited(program));
    expect(countNodes(fn)).toBe(visited(fn));
    expect(countNodes(fn.body.body[1])).toBe(visited(fn.body.body[1]));
  });

  it("counts nothing for what is not a node", () => {
    expect(countNodes(null)).toBe(0);
    expect(countNodes(undefined)).toBe(0);
    expect(countNodes({ name: "x" })).toBe(0);
  });
});
