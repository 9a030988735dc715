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
});
