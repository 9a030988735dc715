/**
 * A function a factory made holds its program in the factory's parameters
 * (valibot's `pipe(...items)`, a parser combinator's `seq(a, b)`), not in its
 * arguments or `this`. Where those values fold (frozen, or primitives), a call
 * of it is inlined even after foreign code ran and with every argument
 * dynamic, and its loop over the program unrolls (specialize/calls.ts,
 * programInClosure). Where they do not fold, it stays a call, and stays exact.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

type Step = readonly [kind: "add" | "mul" | "min" | "neg", n: number];

/** A factory: `run` reads the rest parameter `steps` through its closure; the schema lists them too (as valibot's `pipe` does). */
function pipe(...steps: Step[]) {
  return {
    steps,
    run(x: number): number {
      let r = x;
      for (const [kind, n] of steps) {
        if (kind === "add") r += n;
        else if (kind === "mul") r *= n;
        else if (kind === "min") r = Math.min(r, n);
        else r = -r;
      }
      return r;
    },
  };
}

/** Foreign code runs first (`log`), and `x` is dynamic: only the closure makes `run` worth inlining. */
function validate(schema: { run(x: number): number }, x: number, log: (m: string) => void): number {
  log("start");
  const r = schema.run(x);
  log("end");
  return r;
}

const inputs = [0, -0, 1, -1, 2.5, NaN, Infinity, -Infinity, 1e300, -7];

function agree(compiled: typeof validate, schema: { run(x: number): number }): void {
  for (const x of inputs) {
    const a: string[] = [];
    const b: string[] = [];
    const want = validate(schema, x, (m) => a.push(m));
    const got = compiled(schema, x, (m) => b.push(m));
    expect(Object.is(got, want), `x = ${x}: ${got} vs ${want}`).toBe(true);
    expect(b).toEqual(a);
  }
}

describe("programs held in a factory's parameters", () => {
  it("inline and unroll where the parameters are frozen (freeze: deep reaches them through the schema)", () => {
    const schema = pipe(["add", 3], ["mul", -2], ["min", 10], ["neg", 0]);
    const compiled = jit(validate, { specialize: { schema }, freeze: "deep" });
    const info = inspect(compiled)!;
    expect(info.fallbackReason).toBeNull();
    expect(info.source).not.toMatch(/\.run\(/);
    expect(info.source).not.toMatch(/\bfor\b/);
    agree(compiled, schema);
  });

  it("inline where the factory's parameters are primitives (the caller froze the object that holds the method)", () => {
    const clamp = (lo: number, hi: number) => ({
      run(x: number): number {
        if (x !== x) return lo;
        let r = x;
        if (r < lo) r = lo;
        if (r > hi) r = hi;
        if (Object.is(r, -0)) r = 0;
        return r * (hi - lo) + lo / (hi + 1);
      },
    });
    const schema = Object.freeze(clamp(-1, 4));
    const compiled = jit(validate, { specialize: { schema } });
    expect(inspect(compiled)!.source).not.toMatch(/\.run\(/);
    agree(compiled, schema);
  });

  it("stay calls, and exact, where the parameters are objects that may change", () => {
    const schema = pipe(["add", 1], ["mul", 3]);
    const compiled = jit(validate, { specialize: { schema } });
    agree(compiled, schema);
    // The program changes after jit(): the next call follows it.
    (schema.steps as Step[]).push(["neg", 0]);
    agree(compiled, schema);
    expect(compiled(schema, 2, () => {})).toBe(-9);
  });
});
