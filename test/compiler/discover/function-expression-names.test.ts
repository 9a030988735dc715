/**
 * The name of an enclosing function expression (`var Dinero = function Dinero(o) { … }`), read by
 * a function made inside it. V8 does not list that binding among a closure's values, and the
 * global object does not have it: kos read it as a global, so compiled code threw "Dinero is not
 * defined", and `typeof Out` gave "undefined" where the original gives "function" (dinero.js,
 * sweep17). kos cannot read its value: the function runs as the original, with the reason.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { outcome } from "../../support/compile.js";

describe("the name of an enclosing function expression", () => {
  it("is not read as a global: the method runs as the original, and says why", () => {
    const make = function Money(amount: number): { amount: number; add(n: number): { amount: number } } {
      return { amount, add(n: number) { return Money(amount + n); } };
    };
    const m = make(5);
    const explicit = jit(m.add, { specialize: { this: m } });
    expect(outcome(() => explicit.call(m, 2))).toEqual({ value: { amount: 7, add: expect.any(Function) } });
    expect(inspect(explicit)!.tier).toBe("fallback");
    expect(inspect(explicit)!.fallbackReason).toMatch(/'Money' is the name of an enclosing function expression/);
    const tiered = jit(m.add, { tiering: { hotCalls: 5 } });
    for (let i = 0; i < 20; i++) expect(outcome(() => tiered.call(m, i).amount)).toEqual({ value: 5 + i });
  });

  it("keeps `typeof` of that name, and the name's properties", () => {
    const outer = function Out(x: number) {
      return function (y: number) { return typeof Out + (x + y); };
    };
    const inner = outer(1);
    const j = jit(inner, { specialize: { y: 2 } });
    expect(j(2)).toBe("function3");
    const lib = (function Lib(this: unknown) {
      function step(n: number): string { return n ? (Lib as unknown as { tag: string }).tag + step(n - 1) : ""; }
      (Lib as unknown as { tag: string }).tag = "x";
      return { go: (n: number) => step(n) };
    })();
    const g = jit(lib.go, { specialize: { n: 3 } });
    expect(outcome(() => g(3))).toEqual({ value: "xxx" });
  });
});
