/**
 * A closure made in a `const`'s initializer that names the binding being declared (a getter
 * `get key() { return kwargs.getKey(); }` in the object it initialises, as object-scan's `find`
 * has it). Where the code after a branch is copied into both arms (a speculation's fork), each
 * copy declares a binding of its own: the closure must name its own copy's. It named the first
 * copy's in the second, which threw "kwargs_4 is not defined" on every call (sweep16).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { outcome } from "../../support/compile.js";

describe("a closure in an initializer that names the binding it initialises", () => {
  it("names its own copy's binding in each arm of a fork", () => {
    type State = { h: Record<string, number> };
    const find = (h: Record<string, number>, search: { key: string }, ctx: { before?: (s: State) => Record<string, number> | undefined }) => {
      const state: State = { h };
      if (ctx.before !== undefined) {
        const r = ctx.before(state);
        if (r !== undefined) state.h = r;
      }
      const kw = { getV: () => state.h[search.key], get v(): number | undefined { return kw.getV(); } };
      return kw.v;
    };
    function make(opts: object) {
      const search = { key: "a" };
      return (h: Record<string, number>) => find(h, search, { ...opts });
    }
    const scan = make({});
    const j = jit(scan, { tiering: { hotCalls: 5 } });
    for (let i = 0; i < 20; i++) expect(outcome(() => j({ a: i }))).toEqual(outcome(() => scan({ a: i })));
    expect(inspect(j)!.tier).toBe(1);
    expect(outcome(() => j({ a: 7 }))).toEqual({ value: 7 });
    // The other arm: a `before` hook that replaces the record.
    const hooked = make({ before: () => ({ a: 9 }) });
    const k = jit(hooked, { tiering: { hotCalls: 5 } });
    for (let i = 0; i < 20; i++) expect(outcome(() => k({ a: i }))).toEqual(outcome(() => hooked({ a: i })));
  });

  it("a recursive arrow in a `const` is declared under the name its own body calls it by, in each arm (sweep19: 'rec_3 is not defined')", () => {
    class Leaf {
      l: Leaf | null = null;
      constructor(readonly v: number) {}
    }
    class Tree {
      root: Leaf | null = null;
      insert(value: number) {
        const node = new Leaf(value);
        const rec = (cur: Leaf): void => {
          if (cur.l) rec(cur.l);
          else cur.l = node;
        };
        if (this.root === null) this.root = node;
        else rec(this.root);
        return this;
      }
    }
    const depth = (t: Tree) => {
      let n = 0;
      for (let c = t.root; c; c = c.l) n++;
      return n;
    };
    const a = new Tree();
    const b = new Tree();
    const j = jit(b.insert, { specialize: { this: b }, strict: true });
    for (let i = 0; i < 5; i++) expect(outcome(() => depth(j.call(b, i)))).toEqual(outcome(() => depth(a.insert(i))));
    expect(depth(b)).toBe(5);
    // Both arms of the fork on `this.root === null` declare the arrow; the second one under a name of its own.
    expect(inspect(j)!.source).toMatch(/const rec_\d+ = /);
  });
});
