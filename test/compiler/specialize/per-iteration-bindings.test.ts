/**
 * A `for (let …)` loop whose binding a closure captures gives each iteration
 * a binding of its own. The evaluator has one slot per variable, so such a
 * loop runs as written inside the compiled function (reading the function's
 * other variables under their residual names), and the rest of the function
 * compiles. The whole function used to fall back as UNSUPPORTED
 * (`arr.filter((v) => v > i)` inside the loop was enough). A loop that
 * returns, uses `arguments`, jumps to a label outside it or declares a `var`
 * still falls back.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const show = (x: unknown) => JSON.stringify(x, (_k, v) => (Object.is(v, -0) ? "-0" : v));

function same(f: Function, options: Record<string, unknown>, argsList: unknown[][], self?: unknown): Function {
  const j = jit(f, options);
  for (const args of argsList) {
    let a: string, b: string;
    try {
      a = show(f.apply(self, args));
    } catch (e) {
      a = `threw ${(e as Error).message}`;
    }
    try {
      b = show(j.apply(self, args));
    } catch (e) {
      b = `threw ${(e as Error).message}`;
    }
    expect(b).toBe(a);
  }
  return j;
}

const cfg = Object.freeze({ n: 3, k: 10, names: Object.freeze(["a", "b", "c"]) });

describe("per-iteration bindings captured by closures", () => {
  it("closures made in each iteration see that iteration's value; the rest of the function folds", () => {
    const f = (c: typeof cfg, x: number) => {
      const fs: Array<() => unknown> = [];
      for (let i = 0; i < c.n; i++) fs.push(() => c.names[i] + i * x);
      return [fs.map((g) => g()), c.k * 2];
    };
    const j = same(f, { specialize: { c: cfg } }, [[cfg, 2], [cfg, -0]]);
    expect(inspect(j)!.tier).toBe(1);
    const src = inspect(j)!.source!;
    expect(src).toMatch(/for \(let i = 0;/);
    expect(src).toContain("20"); // c.k * 2 folded
  });

  it("writes to the function's variables, continue, break and a throw inside the loop", () => {
    const f = (c: typeof cfg, x: number) => {
      let total = 0;
      const out: Array<() => unknown> = [];
      for (let i = 0, j = 10; i < c.n + x; i++, j--) {
        if (i === 1) continue;
        if (j < 8) break;
        if (x === 7) throw new RangeError(`at ${i}`);
        total += i * x;
        out.push(() => [i, j, total]);
      }
      return [total, out.map((g) => g())];
    };
    const j = same(f, { specialize: { c: cfg } }, [[cfg, 2], [cfg, 0], [cfg, 7]]);
    expect(inspect(j)!.tier).toBe(1);
  });

  it("inside an inlined callee, and with `this` a specialized receiver", () => {
    function count(c: typeof cfg, x: number): number {
      let s = 0;
      for (let i = 0; i < c.n; i++) s += [1, 2].filter((v) => v > i).length * x;
      return s;
    }
    const outer = (c: typeof cfg, x: number) => [count(c, x), count(c, x + 1)];
    expect(inspect(same(outer, { specialize: { c: cfg } }, [[cfg, 2], [cfg, -1]]))!.tier).toBe(1);
    const method = function (this: typeof cfg, x: number) {
      const fs: Array<() => number> = [];
      for (let i = 0; i < this.n; i++) fs.push(() => this.k + i * x);
      return fs.map((g) => g());
    };
    expect(inspect(same(method, { specialize: { this: cfg } }, [[2]], cfg))!.tier).toBe(1);
  });

  it("labels the loop declares inside itself go with it; a jump to a label outside it falls back", () => {
    const inner = (c: typeof cfg, x: number) => {
      const out: Array<() => number> = [];
      for (let i = 0; i < c.n; i++) {
        row: for (let j = 0; j < 3; j++) {
          if (j === x) break row;
          out.push(() => i * 10 + j);
        }
      }
      return out.map((g) => g());
    };
    expect(inspect(same(inner, { specialize: { c: cfg } }, [[cfg, 1], [cfg, 5]]))!.tier).toBe(1);
    const outside = (c: typeof cfg, x: number) => {
      const out: Array<() => number> = [];
      all: for (let i = 0; i < c.n; i++) {
        for (let j = 0; j < 3; j++) {
          if (j === x) continue all;
          out.push(() => i * 10 + j);
        }
      }
      return out.map((g) => g());
    };
    const j = same(outside, { specialize: { c: cfg } }, [[cfg, 1], [cfg, 5]]);
    expect(inspect(j)!.fallbackReason).toMatch(/jumps to a label outside it/);
  });

  it("a loop that returns from the function still falls back, naming why", () => {
    const f = (c: typeof cfg, x: number) => {
      for (let i = 0; i < c.n; i++) if ([1].some((v) => v === i * x)) return i;
      return -1;
    };
    const j = same(f, { specialize: { c: cfg } }, [[cfg, 1], [cfg, 5]]);
    expect(inspect(j)!.fallbackReason).toMatch(/^UNSUPPORTED: a closure captures the per-iteration binding of a `for \(let …\)` loop whose body returns/);
  });
});
