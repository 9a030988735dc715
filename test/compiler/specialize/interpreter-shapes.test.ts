/**
 * Shapes real interpreters have that the evaluator follows (found on jmespath,
 * whose whole query parse now folds): a lexer's absent table entries, pure array
 * methods on an array the function made, a recursive-descent parser whose
 * `this.expression()` recurses with the receiver's position moved on, a loop over
 * the data that only reads the program, and globals read by name.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

describe("interpreter shapes", () => {
  it("a computed read of a key a table lacks folds behind a guard, and sees the key once added", () => {
    const table: Record<string, number> = { a: 1 };
    function look(key: string, x: number) {
      const v = table[key];
      return v === undefined ? x : v * 10;
    }
    const j = jit(look, { specialize: { key: "b" } });
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.source).not.toMatch(/\* 10/);
    expect(j("b", 5)).toBe(5);
    table.b = 7;
    expect(j("b", 5)).toBe(70);
  });

  it("indexOf and includes on an array literal of known items fold, and a replaced Array.prototype method is not called while compiling", () => {
    function isWord(w: string, x: number) {
      const words = ["true", "false", "null"];
      return words.indexOf(w) >= 0 || words.includes(w + "!") ? x : -x;
    }
    const j = jit(isWord, { specialize: { w: "null" } });
    expect(inspect(j)!.source).not.toMatch(/indexOf|includes/);
    expect(j("null", 3)).toBe(3);
    expect(j("other", 3)).toBe(-3);

    const original = Array.prototype.indexOf;
    let calls = 0;
    // eslint-disable-next-line no-extend-native
    Array.prototype.indexOf = function (this: unknown[], ...a: [unknown, number?]) {
      if (this.length === 3 && this[0] === "true") calls++; // kos's own code uses indexOf too
      return Reflect.apply(original, this, a) as number;
    };
    // A frozen array from the configuration too (this one ran the replacement while compiling before).
    const WORDS = Object.freeze(["true", "false", "null"]);
    function inList(list: readonly string[], w: string) {
      return list.indexOf(w);
    }
    try {
      const k = jit(isWord, { specialize: { w: "true" } });
      const m = jit(inList, { specialize: { list: WORDS, w: "null" } });
      expect(calls).toBe(0);
      expect(k("true", 2)).toBe(isWord("true", 2));
      expect(m(WORDS, "null")).toBe(2);
    } finally {
      Array.prototype.indexOf = original;
    }
  });

  it("a recursive-descent parser over a known source folds to its tree", () => {
    class Parser {
      i = 0;
      constructor(readonly toks: string[]) {}
      peek() {
        return this.toks[this.i];
      }
      // expr := term ('+' expr)?   term := NUM | '(' expr ')'
      expr(): unknown {
        const left = this.term();
        if (this.peek() === "+") {
          this.i++;
          return { op: "+", left, right: this.expr() };
        }
        return left;
      }
      term(): unknown {
        const t = this.toks[this.i++];
        if (t === "(") {
          const e = this.expr();
          this.i++;
          return e;
        }
        return { num: Number(t) };
      }
    }
    function evaluate(node: any, x: number): number {
      return node.num !== undefined ? node.num : node.op === "+" ? evaluate(node.left, x) + evaluate(node.right, x) : x;
    }
    function run(src: string, x: number) {
      const tree = new Parser(src.split(" ")).expr();
      return evaluate(tree, x) + x;
    }
    const src = "1 + ( 2 + ( 3 + 4 ) ) + 5";
    const j = jit(run, { specialize: { src } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    // Lexing, parsing and evaluating all ran at compile time (the guards check the class's methods).
    expect(info.source).toMatch(/return 15 \+ x;/);
    expect(info.source).not.toMatch(/\.(expr|term|peek)\(|split/);
    expect(j(src, 1)).toBe(run(src, 1));
    expect(j(src, -0)).toBe(run(src, -0));
  });

  it("a loop over the data keeps the program it only reads virtual, and one it writes stays exact", () => {
    function count(data: number[], limit: number) {
      const rule = { op: "gt", arg: { k: limit } };
      const acc = { n: 0, last: -1 };
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        if (rule.op === "gt" ? v > rule.arg.k : v < rule.arg.k) {
          acc.n++;
          acc.last = i;
        }
      }
      return [acc.n, acc.last];
    }
    const j = jit(count, { specialize: { limit: 3 } });
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    // The rule is gone; the accumulator, written in the loop, is real.
    expect(info.source).not.toMatch(/"gt"|\.arg\b|\.op\b/);
    expect(info.source).toMatch(/> 3\)/);
    for (const data of [[], [1, 5, 2, 9], [4, 4, 4], [NaN, -0, 3.5]]) expect(j(data, 3)).toEqual(count(data, 3));
  });

  it("objects a loop writes through a helper, a closure or a store are allocated before it, over several rounds", () => {
    // Each needs the loop evaluated again with more allocated: `out` first (pushed to), then `cfg`
    // (which escapes into it). A snapshot restored twice once lost both allocations.
    function helper(o: { count: number; k: number }, v: number) {
      if (v > o.k) o.count++;
    }
    const viaHelper = (data: number[], k: number) => {
      const o = { count: 0, k };
      for (let i = 0; i < data.length; i++) helper(o, data[i]!);
      return o.count;
    };
    const viaClosure = (data: number[], k: number) => {
      const st = { n: 0, k };
      const bump = () => {
        st.n += st.k;
      };
      for (const x of data) if (x) bump();
      return st.n;
    };
    const viaStore = (data: number[], k: number) => {
      const cfg = { m: { k } };
      let s = 0;
      for (let i = 0; i < data.length; i++) {
        if (data[i] === 0) cfg.m = { k: 100 };
        s += data[i]! * cfg.m.k;
      }
      return [s, cfg.m.k];
    };
    const pushAndReturn = (data: number[], k: number) => {
      const cfg = { k };
      const out: Array<{ k: number }> = [];
      for (const x of data) {
        out.push(cfg);
        if (x < 0) return out;
      }
      return out.length;
    };
    for (const f of [viaHelper, viaClosure, viaStore, pushAndReturn] as Array<(d: number[], k: number) => unknown>) {
      const j = jit(f, { specialize: { k: 2 } });
      expect(inspect(j)!.tier).toBe(1);
      for (const d of [[1, 2, 3, 4], [0, 5, 0, 7], [], [-1, 3], [4, -2, 9]]) expect(j(d, 2)).toEqual(f(d, 2));
    }
  });

  it("a boolean `&& true` or `|| false` that folding leaves behind is the boolean itself", () => {
    const k = Object.freeze([] as number[]);
    function f(x: number, list: readonly number[]) {
      return x > 1 && list.length >= 0;
    }
    function g(x: number, list: readonly number[]) {
      return x > 1 || list.length < 0;
    }
    for (const fn of [f, g]) {
      const j = jit(fn, { specialize: { list: k } });
      expect(inspect(j)!.source).toMatch(/return x > 1;/);
      for (const x of [2, 0, NaN, "3" as unknown as number]) expect(j(x, k)).toBe(fn(x, k));
    }
  });

  it("a recursion with a loop at every level compiles in bounded work (fast-safe-stringify's decirc)", () => {
    // Every level's loop held its objects, failed, and was evaluated again: work multiplied per level
    // of a recursion on a growing depth (21 s for fast-safe-stringify before retries were bounded).
    const seen: unknown[] = [];
    function decirc(val: any, depth: number, stack: unknown[], options: { depthLimit: number }): void {
      depth += 1;
      if (typeof val === "object" && val !== null) {
        for (let i = 0; i < stack.length; i++) if (stack[i] === val) return void seen.push(val);
        if (depth > options.depthLimit) return;
        stack.push(val);
        if (Array.isArray(val)) for (let i = 0; i < val.length; i++) decirc(val[i], depth, stack, options);
        else for (const key of Object.keys(val)) decirc(val[key], depth, stack, options);
        stack.pop();
      }
    }
    function run(obj: unknown) {
      seen.length = 0;
      decirc(obj, 0, [], { depthLimit: Number.MAX_SAFE_INTEGER });
      return seen.length;
    }
    const j = jit(run, { specialize: {} });
    const cyclic: any = { a: [1, { b: 2 }], c: "x" };
    cyclic.a[1].self = cyclic;
    expect(j(cyclic)).toBe(run(cyclic));
    expect(j([1, [2, [3]]])).toBe(run([1, [2, [3]]]));
  });

  it("reads a global that is not a built-in by name, as the original does: its current value, or its ReferenceError", () => {
    const g = globalThis as { kosShapesCfg?: number };
    g.kosShapesCfg = 5;
    function addCfg(x: number) {
      // @ts-expect-error a global the program defines
      return x + kosShapesCfg;
    }
    function addMissing(x: number) {
      // @ts-expect-error undeclared
      return x + kosShapesNotDefined;
    }
    try {
      const j = jit(addCfg, { specialize: { x: 1 } });
      expect(inspect(j)!.tier).toBe(1);
      expect(j(1)).toBe(6);
      g.kosShapesCfg = 10;
      expect(j(1)).toBe(11);
      const m = jit(addMissing, { specialize: { x: 1 } });
      expect(inspect(m)!.tier).toBe(1);
      let original: unknown;
      try {
        addMissing(1);
      } catch (e) {
        original = e;
      }
      expect(() => m(1)).toThrow(ReferenceError);
      expect(() => m(1)).toThrow((original as Error).message);
    } finally {
      delete g.kosShapesCfg;
    }
  });
});
