/**
 * flattenBlocks' label clean-up: a jump to the loop or switch it would reach
 * unlabeled anyway loses its label, and a label nothing jumps to goes. The
 * specializer names every jump out of a residual switch (`break L`).
 */
import { describe, expect, it } from "vitest";
import { flattenBlocks } from "../../../compiler/residual/flatten-blocks.js";
import { inspect, jit } from "../../../index.js";
import { runResidualPass } from "../../support/residual-pass.js";

const run = (body: string) => runResidualPass(flattenBlocks, body);

const INPUTS: unknown[] = [0, 1, 2, 3, "a", "b", null, undefined, [1, 2, 3], [0, 5], []];

function same(f: Function, g: Function): void {
  for (const v of INPUTS) for (const w of INPUTS) expect(g(v, w)).toEqual(f(v, w));
}

describe("flattenBlocks: labels", () => {
  it("`break L` at L's own switch, and `continue L` in L's own loop, lose their labels; L goes", () => {
    const { changed, out, f, g } = run(`let r = 0; L: switch (v) { case 1: r = 1; break L; case "a": r = 2; break L; default: r = 3; } M: for (let i = 0; i < 3; i++) { if (i === w) continue M; r += i; } return r;`);
    expect(changed).toBe(true);
    expect(out).not.toMatch(/\bL:|\bM:|break L|continue M/);
    same(f, g);
  });

  it("a jump across an inner loop or switch keeps its label", () => {
    const body = `let r = 0; L: for (let i = 0; i < 4; i++) { switch (i) { case 1: continue L; case 2: break L; } for (const x of Array.isArray(w) ? w : []) { if (x === v) break L; r += x; } r += 10; } return r;`;
    const { out, f, g } = run(body);
    expect(out).toMatch(/L: for/);
    // The `continue L` inside the switch reaches the same loop unlabeled; the two `break L`s do not.
    expect(out).not.toMatch(/continue L/);
    expect(out.match(/break L/g)).toHaveLength(2);
    same(f, g);
  });

  it("a labeled block keeps the label its breaks need", () => {
    const { out, f, g } = run(`let r = 0; B: { for (let i = 0; i < 3; i++) { if (i === v) break B; r += 1; } r = -r; } return r;`);
    expect(out).toMatch(/B: \{/);
    same(f, g);
  });

  it("a specialized switch over an input reads like the source: no label", () => {
    function dispatch(op: unknown, names: Record<string, string>): unknown {
      switch (op) {
        case "add":
          return names.add;
        case "sub":
          return names.sub + "!";
      }
      let out: unknown = null;
      switch (op) {
        case 1:
          out = names.add.length;
          break;
        default:
          out = op;
      }
      return out;
    }
    const names = Object.freeze({ add: "plus", sub: "minus" });
    const j = jit(dispatch, { specialize: { names } });
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/\w+: switch|break \w+;/);
    for (const op of ["add", "sub", 1, 2, "x"]) expect(j(op, names)).toEqual(dispatch(op, names));
  });
});

describe("flattenBlocks: statements inside expressions", () => {
  // Past its first walk the pass enters only statements unless the function holds a class: a
  // class's static block holds statements in an expression, there or in an `if`'s test.
  it("a label in a class's static block, in an initializer or an `if`'s test, goes as elsewhere", () => {
    const { changed, out, f, g } = run(`let r = 0; const C = class { static { L: { r = 1; { r += 2; } } } }; return [r, typeof C];`);
    expect(changed).toBe(true);
    expect(out).not.toMatch(/\bL:/);
    same(f, g);
    const inTest = run(`let r = 0; if (class { static { M: { r += 4; } } }) r += v === 1 ? 8 : 0; return r;`);
    expect(inTest.out).not.toMatch(/\bM:/);
    same(inTest.f, inTest.g);
  });

  it("a function without a class keeps its expressions as they were", () => {
    const { out, f, g } = run(`let r = 0; L: { r = [v, w].map((x) => { M: { return x; } }).length; } return r;`);
    expect(out).not.toMatch(/\bL:/);
    // Nested functions are never entered: their labels stay.
    expect(out).toMatch(/\bM:/);
    same(f, g);
  });
});
