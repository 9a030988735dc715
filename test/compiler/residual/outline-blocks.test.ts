/**
 * outlineLargeBlocks: runs of statements of a function too big for V8 move
 * into functions of the module, and the split function behaves as the whole:
 * same results, same side effects in the same order, same errors.
 */
import { describe, expect, it } from "vitest";
import { parse } from "acorn";
import { generate } from "astring";
import { outlineLargeBlocks } from "../../../compiler/residual/outline-blocks.js";
import { countNodes } from "../../../compiler/ast.js";
import { jit, inspect } from "../../../index.js";

/** Splits `function f(v, w, log) { body }` down to `limit` nodes; returns the original, the split one and its source. */
function split(body: string, limit: number, strict = true) {
  const prologue = strict ? '"use strict";' : "";
  const program = parse(`${prologue} function f(v, w, log) { ${body} }`, { ecmaVersion: "latest" }) as any;
  const fn = program.body[program.body.length - 1];
  const parts = outlineLargeBlocks(fn, { limit, strict, nameFor: (i) => `$part${i}`, thisName: "$this", minNodes: 8 });
  const decls = parts.map((p) => generate({ ...p.node, type: "FunctionDeclaration", id: { type: "Identifier", name: p.name } })).join("\n");
  const source = `${prologue}\n${decls}\nreturn ${generate(fn)}`;
  const f = new Function(`${prologue} return function f(v, w, log) { ${body} }`)();
  const g = new Function(source)();
  return { parts, source, size: countNodes(fn), f, g };
}

/** Runs both with the same inputs and receiver; compares results, errors and the log of side effects. */
function agree(f: Function, g: Function, inputs: Array<[unknown, unknown]>, self: unknown = undefined) {
  for (const [v, w] of inputs) {
    const run = (h: Function) => {
      const log: unknown[] = [];
      try {
        return { value: h.call(self, v, w, (x: unknown) => log.push(x)), log };
      } catch (e) {
        return { error: `${(e as Error).constructor.name}: ${(e as Error).message}`, log };
      }
    };
    expect(run(g)).toEqual(run(f));
  }
}

const INPUTS: Array<[unknown, unknown]> = [[0, 1], [1, 2], [5, -3], [-0, NaN], ["a", "b"], [null, 3], [undefined, undefined], [{ k: 1 }, [2]]];

describe("outlineLargeBlocks", () => {
  it("moves a big block whose one shared variable the rest reads: it comes back as the result", () => {
    const body = `let r = 0, t; if (v) { t = v * 2; r = t + 1; log(r); r = r * w; log(t); } else { r = -1; } return r + 1;`;
    const { parts, source, f, g } = split(body, 30);
    expect(parts.length).toBeGreaterThan(0);
    expect(source).toMatch(/r = \$part\d\(/);
    agree(f, g, INPUTS);
  });

  it("a variable written before it is read in the run moves with it; one read before written (a loop's accumulator) is passed in and back", () => {
    const body = `let acc, tmp; for (let i = 0; i < 3; i++) { { tmp = i * 2; if (acc === undefined) { acc = 0; } acc = acc + tmp + v; log(acc); log(tmp); } } return acc;`;
    const { parts, source, f, g } = split(body, 40);
    expect(parts.length).toBeGreaterThan(0);
    expect(source).toMatch(/acc = \$part\d\([^)]*acc/);
    expect(source).toMatch(/let tmp;/);
    agree(f, g, INPUTS);
  });

  it("a labeled block's break becomes a return of the result", () => {
    const body = `let r; ret: { if (v === 1) { r = "one"; break ret; } if (w === 2) { r = "two"; log(r); break ret; } r = String(v) + String(w); log(r); } return r;`;
    const { parts, source, f, g } = split(body, 30);
    expect(parts.length).toBeGreaterThan(0);
    expect(source).toMatch(/return r;/);
    agree(f, g, INPUTS);
  });

  it("`this` is passed in as a parameter", () => {
    const body = `let r = 0; { r = this.k + v; log(this.k); log(r); r = r * 2 + w; } return r;`;
    const { parts, source, f, g } = split(body, 20);
    expect(parts.length).toBeGreaterThan(0);
    expect(source).toMatch(/\$part\d\(this/);
    agree(f, g, INPUTS, { k: 10 });
  });

  it("a variable the run writes, read after it only inside the enclosing switch case, comes back (random program #697)", () => {
    const body = `let r = 0; switch (w) { case 1: if (v) { r = v + 1; log(r); r = r * 2; log(r); } else { r = -1; } log(r); break; default: r = 5; } return 0;`;
    const { parts, source, f, g } = split(body, 40);
    expect(parts.length).toBeGreaterThan(0);
    expect(source).toMatch(/r = \$part\d\(/);
    agree(f, g, [...INPUTS, [3, 1], [0, 1], ["s", 1]]);
  });

  it("a variable the enclosing switch case writes before the run, which the run writes and the case reads after it, comes back (random programs, seed 3062 #1894)", () => {
    const body = `let r; switch (w) { case 1: r = v ? 0 : 1; if (!r) { log(v); log(w); r = 7; log(r); } log(r); break; default: r = 5; } return 0;`;
    const { parts, source, f, g } = split(body, 40);
    expect(parts.length).toBeGreaterThan(0);
    expect(source).toMatch(/r = \$part\d\(/);
    agree(f, g, [...INPUTS, [0, 1], [1, 1], ["", 1]]);
  });

  it("in a loop, a variable the run reads before writing comes back: the loop runs the run again (random programs, seed 3081 #1991)", () => {
    const body = `let r = v; for (let i = 0; i < 3; i++) { for (let j = 0; j < 2; j++) { if (r) { log(r); r = r * 2 + j; } log(j); } log(i); } return 0;`;
    const { parts, source, f, g } = split(body, 40);
    expect(parts.length).toBeGreaterThan(0);
    expect(source).toMatch(/r = \$part\d\(/);
    agree(f, g, [...INPUTS, [1, 0], [3, 0]]);
  });

  it("a run that returns, reads `arguments`, or jumps out of itself stays", () => {
    for (const body of [
      `let r = 0; if (v) { r = v + 1; log(r); r = r * 2; log(r); return r; } return w;`,
      `let r = 0; if (v) { r = arguments.length + v; log(r); r = r * 2; log(r); } return r;`,
      `let r = 0; for (;;) { if (v) { r = v + 1; log(r); r = r * 2; log(r); break; } r = 5; break; } return r;`,
    ]) {
      const { parts, f, g } = split(body, 10);
      expect(parts.filter((p) => /return r|arguments|break;/.test(generate(p.node)))).toEqual([]);
      agree(f, g, INPUTS);
    }
  });

  it("a variable a closure captures is never copied into a run", () => {
    const body = `let x = 0; const get = () => x; if (v) { x = v + 1; log(get()); x = x * 2; log(get()); } return get() + x;`;
    const { source, f, g } = split(body, 10);
    expect(source).not.toMatch(/x = \$part/);
    agree(f, g, INPUTS);
  });

  it("a run that declares a variable used after it stays (a `let` with no initialiser has no reference of its own)", () => {
    const body = `let a, b, c, d, e, f1, g1, h; a = v; b = w; c = a + b; d = c * 2; log(d); return [a, b, c, d, e, f1, g1, h];`;
    const { f, g } = split(body, 10);
    agree(f, g, INPUTS);
  });

  it("inside a try, a run that writes a variable the handler reads stays (an exception would lose the write)", () => {
    const body = `let r = "start"; try { { r = "mid"; log(r); r = v.k.j; log(r); r = r + 1; } } catch (e) { return r; } return r;`;
    const { source, f, g } = split(body, 10);
    expect(source).not.toMatch(/r = \$part/);
    agree(f, g, INPUTS);
  });

  it("sloppy code: a run that declares a function stays (annex B hoists it)", () => {
    const body = `var r = 0; if (v) { function h() { return 1; } r = h() + v; log(r); r = r * 2; log(r); } return typeof h;`;
    const { parts, f, g } = split(body, 10, false);
    expect(parts.filter((p) => /function h/.test(generate(p.node)))).toEqual([]);
    agree(f, g, INPUTS);
  });

  it("sloppy code: nothing moves out of a `with` body, nor a run that holds one (its names resolve through the object)", () => {
    const body = `var r = 0, k = 1; with (w) { if (v) { k = v + 1; log(k); r = k * 2; log(r); } } if (v) { with (w) { k = k + 1; log(k); } r = r + k; log(r); } return [r, k];`;
    // A limit the whole function is over, and that each block fits.
    const { source, f, g } = split(body, 60, false);
    expect(source).not.toMatch(/\$part/);
    agree(f, g, [[1, {}], [2, { k: 5 }], [3, { r: 1, k: 2, log: null }], [0, {}]]);
  });

  it("the split function keeps within the limit where runs can move", () => {
    const steps = Array.from({ length: 40 }, (_, i) => `{ t = v * ${i} + w; if (t > ${i}) { log(t); } s = s + t; }`).join("\n");
    const body = `let s = 0, t; ${steps} return s;`;
    const { parts, size, f, g } = split(body, 200);
    expect(parts.length).toBeGreaterThan(1);
    expect(size).toBeLessThanOrEqual(200);
    for (const p of parts) expect(countNodes(p.node)).toBeLessThanOrEqual(200 + 20);
    agree(f, g, [[1, 2], [3, -4], [0.5, 0.25], ["x", 1]]);
  });
});

describe("outlineLargeBlocks and the compile's clock", () => {
  const steps = Array.from({ length: 40 }, (_, i) => `{ t = v * ${i} + w; if (t > ${i}) { log(t); } s = s + t; }`).join("\n");
  const parse1 = () => {
    const program = parse(`"use strict"; function f(v, w, log) { let s = 0, t; ${steps} return s; }`, { ecmaVersion: "latest" }) as any;
    return program.body[program.body.length - 1];
  };

  it("checks the clock before each round's scope analysis and each run's plan, so a compile out of time stops there, not after the split", () => {
    // A clock that never runs out: the split is the same, and was asked the time once per
    // round and once per run planned.
    let asked = 0;
    const fn = parse1();
    const parts = outlineLargeBlocks(fn, { limit: 200, strict: true, nameFor: (i) => `$part${i}`, thisName: "$this", minNodes: 8, checkTime: () => void asked++ });
    const plain = parse1();
    const same = outlineLargeBlocks(plain, { limit: 200, strict: true, nameFor: (i) => `$part${i}`, thisName: "$this", minNodes: 8 });
    expect(parts.length).toBeGreaterThan(1);
    expect(generate(fn)).toBe(generate(plain));
    expect(parts.map((p) => generate(p.node))).toEqual(same.map((p) => generate(p.node)));
    expect(asked).toBeGreaterThan(parts.length);
    // A clock that runs out at its second reading: the split ends there, with the clock's error.
    let readings = 0;
    const late = parse1();
    expect(() => outlineLargeBlocks(late, { limit: 200, strict: true, nameFor: (i) => `$part${i}`, thisName: "$this", minNodes: 8, checkTime: () => { if (++readings === 2) throw new Error("out of time"); } })).toThrow("out of time");
    expect(readings).toBe(2);
  });
});

describe("outlining through jit", () => {
  it("an interpreter unrolled over a long program compiles, split, where it used to be too large, with the same results", () => {
    // A register machine over 1,500 instructions: fully unrolled, about 30,000 nodes.
    const ops = ["add", "mul", "sub", "max", "log"];
    const program = Object.freeze(Array.from({ length: 1500 }, (_, i) => Object.freeze({ op: ops[(i * 7) % ops.length], k: (i % 13) - 6 })));
    function run(prog: readonly { op: string; k: number }[], x: number, log: (v: number) => void) {
      let acc = x;
      for (let i = 0; i < prog.length; i++) {
        const ins = prog[i]!;
        if (ins.op === "add") acc = acc + ins.k;
        else if (ins.op === "mul") acc = (acc * ins.k) % 1000003;
        else if (ins.op === "sub") acc = acc - ins.k * 2;
        else if (ins.op === "max") acc = Math.max(acc, ins.k);
        else if (acc % 97 === 0) log(acc);
      }
      return acc;
    }
    const j = jit(run, { specialize: { prog: program } });
    const seen: number[] = [];
    const expected: number[] = [];
    for (const x of [0, 1, 7, -3, 12.5, NaN, 1e9]) {
      expect(Object.is(j(program, x, (v) => seen.push(v)), run(program, x, (v) => expected.push(v)))).toBe(true);
    }
    expect(seen).toEqual(expected);
    const info = inspect(j)!;
    expect(info.fallbackReason ?? null).toBeNull();
    expect(info.source).toMatch(/function \$\w*part0\(/);
  });
});
