import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";
import { mainBody, sourceWith } from "../../support/compile.js";

type Expr = { op: string; value?: number; name?: string; left?: Expr; right?: Expr };
function evaluate(node: Expr, env: Record<string, number>): number {
  switch (node.op) {
    case "num": return node.value!;
    case "var": return env[node.name!]!;
    case "add": return evaluate(node.left!, env) + evaluate(node.right!, env);
    case "mul": return evaluate(node.left!, env) * evaluate(node.right!, env);
    default: throw new Error("bad op " + node.op);
  }
}

describe("specializeCalls", () => {
  it("turns an interpreter over a constant program into straight-line code (first Futamura projection)", () => {
    const prog: Expr = { op: "add", left: { op: "mul", left: { op: "num", value: 3 }, right: { op: "var", name: "x" } }, right: { op: "var", name: "y" } };
    expect(mainBody(sourceWith(evaluate, { specialize: { node: prog } }))).toBe("return 3 * env.x + env.y; }");
  });

  it("memoizes helpers so recursion over a shared subtree terminates", () => {
    const leaf: Expr = { op: "var", name: "x" };
    let prog: Expr = leaf;
    for (let i = 0; i < 6; i++) prog = { op: "add", left: prog, right: prog }; // a DAG with 2^6 paths
    const j = jit(evaluate, { specialize: { node: prog } });
    expect(j(prog, { x: 1 })).toBe(64);
    expect(inspect(j)!.tier).toBe(1);
  });

  it("specializes calls to functions passed through scope, and inlines small ones", () => {
    const scale = (k: number, x: number) => k * x;
    function f(x: number) { return scale(3, x) + 1; }
    expect(mainBody(sourceWith(f, { scope: { scale } }))).toBe("return 3 * x + 1; }");
  });

  it("does not inline when an argument is not stable, but still uses the helper", () => {
    const twice = (k: number, x: number) => k * x + x;
    function f(a: number[]) { let i = 0; return twice(2, a[i++]) + i; }
    expect(jit(f, { scope: { twice } })([5])).toBe(f([5]));
  });

  it("keeps recursion with non-constant arguments calling the original", () => {
    function fact(n: number): number { return n <= 1 ? 1 : n * fact(n - 1); }
    const j = jit(fact, { specialize: { n: 5 } });
    expect(j(5)).toBe(120);
    expect(j(6)).toBe(720);
  });

  it("keeps the order of side effects in arguments", () => {
    const log: string[] = [];
    const pick = (k: number, a: unknown, b: unknown) => (k ? a : b);
    function f(o: { a: () => number; b: () => number }) { return pick(1, o.a(), o.b()); }
    const o = { a: () => (log.push("a"), 1), b: () => (log.push("b"), 2) };
    jit(f, { scope: { pick } })(o);
    expect(log).toEqual(["a", "b"]);
  });
});
