/**
 * A value folded from a key the function itself stores to is state the object keeps across
 * calls, not configuration: folded, its entry guard failed on the next call, and every call ran
 * the original after the guards (seedrandom's generator `quick`, specialized, 77 ns a call against
 * 33 ns for the library, a deopt on every call; tinyqueue's `pop` on `this`, 1.32x the library).
 * compile.ts specializes again with those keys read at run time (SpecializeResult.foldedStoredKeys).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

describe("keys the function stores to are read at run time", () => {
  it("a counter on `this`, specialized on its receiver: no deopt per call", () => {
    class Counter {
      n = 0;
      step = 2;
      next(): number {
        const step = this.step;
        this.n = this.n + step;
        return this.n;
      }
    }
    const c = new Counter();
    const reference = new Counter();
    const f = jit(Counter.prototype.next, { specialize: { this: c } });
    for (let i = 0; i < 100; i++) expect(f.call(c)).toBe(reference.next());
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    expect(info.deopts).toBe(0);
    // `step` is never stored: it still folds (and is guarded).
    expect(info.source).toMatch(/this\.n \+ 2/);
    c.step = 5;
    reference.step = 5;
    expect(f.call(c)).toBe(reference.next());
  });

  it("a generator's state in a closure (`me.i = i` after reading it), tiered: stays compiled, same sequence", () => {
    const make = () => {
      const me = { i: 0, j: 3, s: [5, 1, 4, 2, 7, 6, 0, 3] };
      return function next(count: number): number {
        let i = me.i, j = me.j, r = 0;
        const s = me.s;
        while (count--) {
          i = (i + 1) & 7;
          j = (j + s[i]!) & 7;
          const t = s[i]!;
          s[i] = s[j]!;
          s[j] = t;
          r = r * 8 + s[(s[i]! + s[j]!) & 7]!;
        }
        me.i = i;
        me.j = j;
        return r;
      };
    };
    const original = make();
    const f = jit(make(), { tiering: { hotCalls: 50 } });
    for (let k = 0; k < 600; k++) expect(f(3)).toBe(original(3));
    const info = inspect(f)!;
    expect(info.tier).toBe(1);
    expect(info.deopts).toBeLessThan(20);
  });
});
