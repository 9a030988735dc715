/**
 * `String(x)` of a value kos knows to be a number (or a boolean, a string, undefined) is written
 * `"" + x` (compiler/specialize/string-conversions.ts); where x may be an object or a symbol, whose
 * conversions differ between the two, the call stays.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const outcome = (f: () => unknown): unknown => {
  try {
    return f();
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe("String(x) of a known primitive", () => {
  it("a number's String(n) after a type test is a concatenation, with the same strings (-0, NaN, exponents)", () => {
    function format(spec: { label: string }, n: unknown) {
      if (typeof n !== "number") throw new TypeError("expected a number");
      return spec.label + String(n);
    }
    function formatInteger(spec: { label: string }, n: unknown) {
      if (!Number.isInteger(n)) throw new TypeError("expected an integer");
      return spec.label + String(n);
    }
    const spec = Object.freeze({ label: "n=" });
    const j = jit(format, { specialize: { spec } });
    expect(inspect(j)!.source).not.toMatch(/String\(/);
    for (const n of [0, -0, 1.5, -1e21, 1e-7, NaN, Infinity, 2 ** 53, "7", null, {}]) expect(outcome(() => j(spec, n))).toEqual(outcome(() => format(spec, n)));
    const k = jit(formatInteger, { specialize: { spec } });
    expect(inspect(k)!.source).not.toMatch(/String\(/);
    for (const n of [0, -0, 7, 1e21, 1.5, "7", { valueOf: () => 3 }]) expect(outcome(() => k(spec, n))).toEqual(outcome(() => formatInteger(spec, n)));
  });

  it("a value that may be an object or a symbol keeps String(x): its toString, not its valueOf, and a symbol's description", () => {
    function label(spec: { prefix: string }, x: unknown) {
      return spec.prefix + String(x);
    }
    const spec = Object.freeze({ prefix: "x=" });
    const j = jit(label, { specialize: { spec } });
    expect(inspect(j)!.source).toMatch(/String\(/);
    const both = { toString: () => "by toString", valueOf: () => "by valueOf" };
    for (const x of [both, Symbol("s"), 1, undefined]) expect(outcome(() => j(spec, x))).toEqual(outcome(() => label(spec, x)));
    expect(j(spec, both)).toBe("x=by toString");
  });
});
