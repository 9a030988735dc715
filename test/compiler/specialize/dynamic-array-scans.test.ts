/**
 * `values.some(cb)` and `values.every(cb)` on an array kos does not know, with a callback it
 * knows: behind a test that the method read is the built-in and the receiver an Array, the
 * built-in's steps run in place, the callback's body in their loop, specialized on the known
 * values it captured (specialize/array-scan-steps.ts, method-guards.ts). Anything else (a replaced method,
 * an own `some`, an array-like, a proxy with an odd length, no method at all) does what the
 * original does.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const outcome = (f: () => unknown): string => {
  try {
    return `ok ${JSON.stringify(f())}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

function isEqual(a: unknown, b: unknown): boolean {
  return a === b || Object.is(a, b);
}

/** A query matcher's `$all` and `$nin`: each wanted value compared with the items of a document's array. */
function matcher(want: readonly unknown[], log: unknown[]) {
  return function test(values: any): unknown {
    let matched = true;
    for (const expr of want) {
      if (!matched) break;
      matched = values.some((v: unknown) => (log.push(v), isEqual(expr, v)));
    }
    return [matched, values.every((v: unknown) => typeof v === "string")];
  };
}

const want = Object.freeze(["news", NaN]);

function inputs(): Array<() => unknown> {
  const holes = ["news", , NaN]; // eslint-disable-line no-sparse-arrays
  const withOwn = ["x"] as unknown as Record<string, unknown>;
  withOwn.some = () => true;
  const withGetter = ["news", NaN];
  let reads = 0;
  Object.defineProperty(withGetter, "some", { get: () => (reads++, Array.prototype.some) });
  const growing: unknown[] = ["a", "b"];
  const oddLength = (length: unknown) => new Proxy(["news", NaN, "c"], { get: (t, k, r) => (k === "length" ? length : Reflect.get(t, k, r)) });
  return [
    () => ["news", NaN],
    () => ["a", "news", "b", NaN],
    () => [],
    () => holes,
    () => ["news"],
    () => [NaN, "news", 3],
    () => withOwn,
    () => withGetter,
    () => growing,
    () => oddLength(2.5),
    () => oddLength("2"),
    () => oddLength(-1),
    () => oddLength(NaN),
    () => ({ length: 2, 0: "news", 1: NaN, some: Array.prototype.some, every: Array.prototype.every }),
    () => ({}),
    () => "news",
    () => null,
  ];
}

describe("some and every on an array kos does not know", () => {
  it("run the built-in's steps with the callback in place where it captured a known value", () => {
    const log: unknown[] = [];
    const f = jit(matcher(want, log), { specialize: {} });
    f(["news", NaN]);
    const src = inspect(f)!.source!;
    expect(inspect(f)!.tier).toBe(1);
    // The callback's comparison with the known value is in the loop, not a call of isEqual.
    expect(src).toMatch(/"news" === /);
    expect(src).toMatch(/ in values\b/);
    // The `every` callback reads nothing known: it stays a call.
    expect(src).toMatch(/values\.every\(/);
  });

  it("do what the original does for every receiver", () => {
    const logA: unknown[] = [];
    const logB: unknown[] = [];
    const original = matcher(want, logA);
    const f = jit(matcher(want, logB), { specialize: {} });
    const a = inputs();
    const b = inputs();
    for (let i = 0; i < a.length; i++) {
      logA.length = 0;
      logB.length = 0;
      expect(outcome(() => f(b[i]!()))).toBe(outcome(() => original(a[i]!())));
      expect(logB).toStrictEqual(logA);
    }
  });

  it("a callback that grows the array, and a replaced Array.prototype.some", () => {
    const grow = (values: unknown[]) => {
      const stop = "z";
      return values.some((v) => (values.length < 6 && values.push(v), v === stop));
    };
    const g = jit(grow, { specialize: {} });
    expect(g(["a"])).toBe(false);
    expect(inspect(g)!.source).toMatch(/ in values\b/);
    const x = ["a", "b"];
    const y = ["a", "b"];
    expect(g(x)).toBe(grow(y));
    expect(x).toStrictEqual(y);
    const saved = Array.prototype.some;
    try {
      Array.prototype.some = function () {
        return "replaced";
      } as never;
      expect(g(["z"])).toBe("replaced");
    } finally {
      Array.prototype.some = saved;
    }
    expect(g(["z"])).toBe(true);
  });
});
