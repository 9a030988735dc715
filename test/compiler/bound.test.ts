/**
 * `jit()` of bound functions (compiler/bound.ts): the target is compiled and
 * bound again the same way, so the result behaves like the bound original.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";

class Rule {
  constructor(readonly ops: Array<[string, number]>) {}
  run(x: number): number {
    let acc = x;
    for (const [op, k] of this.ops) acc = op === "add" ? acc + k : op === "mul" ? acc * k : acc - k;
    return acc;
  }
}

describe("jit of a bound function", () => {
  it("tiering: jit(instance.method.bind(instance)) speculates on the bound receiver and compiles", () => {
    const rule = new Rule([["add", 2], ["mul", 3], ["sub", 1]]);
    const bound = rule.run.bind(rule);
    const j = jit(bound, { tiering: { hotCalls: 20 } });
    for (let i = 0; i < 60; i++) expect(j(i)).toBe(bound(i));
    expect(inspect(j)!.tier).toBe(1);
    // The ops are unrolled (behind guards: `acc + k` of an untyped argument may run a valueOf that
    // changes rule.ops, so a residual loop is kept for that case).
    expect(inspect(j)!.source).toMatch(/\* 3/);
    expect(j.name).toBe("bound run");
    expect(j.length).toBe(1);
    // The configuration changes: the next call follows it.
    rule.ops.push(["add", 100]);
    expect(j(1)).toBe(bound(1));
  });

  it("explicit values: the bound leading arguments are specialized on", () => {
    function evaluate(program: number[], x: number) {
      let acc = 0;
      for (const c of program) acc = acc * x + c;
      return acc;
    }
    const program = [1, -2, 0.5];
    const bound = evaluate.bind(null, program);
    const j = jit(bound, { assume: { x: "number" } });
    expect(j(3)).toBe(bound(3));
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.assumptions.some((a) => a.param === "program")).toBe(true);
    expect(j.length).toBe(bound.length);
  });

  it("`new` on the result constructs like `new` on the bound original", () => {
    function Point(this: { x: number; y: number }, x: number, y: number) {
      this.x = x;
      this.y = y;
    }
    const P = (Point as unknown as (x: number, y: number) => void).bind(null, 1);
    const J = jit(P) as unknown as new (y: number) => { x: number; y: number };
    const a = new J(2);
    const b = new (P as unknown as new (y: number) => { x: number; y: number })(2);
    expect(a).toEqual(b);
    expect(a instanceof (Point as unknown as Function)).toBe(true);
  });
});
