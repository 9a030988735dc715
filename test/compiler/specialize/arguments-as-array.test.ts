/**
 * An inlined callee that hands its `arguments` to an Array method through `.call` (json-logic-js's
 * `cat`: `Array.prototype.join.call(arguments, "")`) is inlined, its `arguments` an array of the
 * call's arguments that is never made; `join` of it concatenates the items converted as join
 * converts them. Where the array could be seen (a callback with the array parameter, a method not
 * on the list, `arguments.callee`), the call stays a call. Each case is checked against the original.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const outcome = (f: () => unknown): string => {
  try {
    return `ok ${String(f())}`;
  } catch (e) {
    return `threw ${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

// Variadic as the libraries write them (no rest parameter): called through `any`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Variadic = (...args: any[]) => any;
function makeOps(log: string[]): Record<"cat" | "dash" | "sum" | "seesArray" | "concat", Variadic> & { logged: (v: string) => object } {
  return {
    cat: function () { return Array.prototype.join.call(arguments, ""); } as Variadic,
    dash: function () { return ([] as unknown[]).join.call(arguments, "-"); } as Variadic,
    sum: function () { return Array.prototype.reduce.call(arguments, (a: unknown, b: unknown) => (a as number) + (b as number), 0); } as Variadic,
    seesArray: function () { return Array.prototype.reduce.call(arguments, (a: unknown, _b: unknown, _i: number, arr: unknown) => `${String(a)}${Array.isArray(arr)}`, ""); } as Variadic,
    concat: function () { return Array.prototype.concat.call(arguments, [1]).length; } as Variadic,
    logged: (v: string) => ({ toString() { log.push(v); return v; } }),
  };
}

describe("an inlined callee's arguments handed to Array methods", () => {
  const values: unknown[] = [1, "s", null, undefined, -0, NaN, [1, 2], 5n, Symbol("q"), { toString() { return "T"; } }];

  it("join and reduce over arguments inline, and agree with the original on every pair of values", () => {
    const ops = makeOps([]);
    const f = (a: unknown, b: unknown) => [ops.cat("x:", a, ":", b), ops.dash(a, null, 3, b), ops.sum(1, a as number, 2)];
    const g = jit(f, { specialize: {}, strict: true });
    const src = inspect(g)!.source!;
    // Inlined: no join, no reduce, no arguments object handed on (a changed `ops` after foreign code still calls).
    expect(src).not.toMatch(/\.call\(|join|reduce/);
    expect(src).toContain("1 + a + 2");
    for (const a of values) for (const b of values) expect(outcome(() => g(a, b))).toBe(outcome(() => f(a, b)));
  });

  it("converts the items in order, each once, as join does", () => {
    const run = (useJit: boolean) => {
      const log: string[] = [];
      const ops = makeOps(log);
      const f = (a: unknown) => ops.cat(ops.logged("1"), a, ops.logged("3"));
      const g = useJit ? jit(f, { specialize: {} }) : f;
      return [outcome(() => g(ops.logged("2"))), log.join()];
    };
    expect(run(true)).toEqual(run(false));
    expect(run(false)).toEqual(["ok 123", "1,2,3"]);
  });

  it("a callback that can see the array, a method not on the list and arguments.callee keep the call", () => {
    const ops = makeOps([]);
    const callee = function () { return typeof (arguments as unknown as { callee: unknown }).callee; } as Variadic;
    const f = (a: unknown) => [ops.seesArray(a, 2), ops.concat(a), callee(a)];
    const g = jit(f, { specialize: {} });
    for (const a of values.slice(0, 6)) expect(outcome(() => g(a))).toBe(outcome(() => f(a)));
    // Where `arr` can be seen it is the arguments object, no array: "false".
    expect(outcome(() => ops.seesArray(1, 2))).toBe("ok falsefalse");
    expect(outcome(() => jit((a: unknown) => ops.seesArray(a, 2), { specialize: {} })(1))).toBe("ok falsefalse");
  });
});
