/**
 * A parameter of an inlined call that a closure captures, bound to an object
 * kos allocated (a virtual array or object), is pinned only once a closure
 * that captures it is made, as an activation's `var` is (patterns.ts,
 * lazyParameter). Pinned at entry, the object was allocated there: the path
 * array of a path walker (jsonpath-plus's `_trace(expr, val, path, …)`, whose
 * `*` case captures `expr` and `path` in a callback) was made real at the
 * first step, and every later step read it at run time.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

const lib = () =>
  new Function(`"use strict";
    function push(arr, item) { const copy = arr.slice(); copy.push(item); return copy; }
    function walk(steps, val, trail) {
      if (!steps.length) return { trail, val };
      const key = steps[0];
      const rest = steps.slice(1);
      if (key === "*") {
        // The only closure over \`steps\`, \`rest\` and \`trail\`: made for a wildcard step only.
        const out = [];
        Object.keys(val).forEach((k) => out.push(walk(rest, val[k], push(trail, k))));
        return out;
      }
      if (val === null || val === undefined || !Object.hasOwn(val, key)) return undefined;
      return walk(rest, val[key], push(trail, key));
    }
    function query(path, doc) {
      const steps = path.split(".");
      return walk(steps, doc, ["$"]);
    }
    return { query };`)() as { query: (path: string, doc: unknown) => unknown };

const docs: unknown[] = [
  { a: { b: { c: 1 } } },
  { a: { b: { c: -0 } } },
  { a: { b: {} } },
  { a: { b: null } },
  { a: 5 },
  {},
  null,
  { a: { b: { c: { d: "x" } } } },
  Object.create({ a: { b: { c: 2 } } }),
];

describe("lazily pinned parameters", () => {
  it("a path walker's step array stays known when no wildcard closure is made: each step folds", () => {
    const { query } = lib();
    const j = jit(query, { specialize: { path: "a.b.c" } });
    for (const d of docs) expect(j("a.b.c", d)).toEqual(query("a.b.c", d));
    const r = j("a.b.c", { a: { b: { c: -0 } } }) as { val: number; trail: string[] };
    expect(Object.is(r.val, -0)).toBe(true);
    const src = inspect(j)!.source!;
    // The keys are constants in the residual's reads, not elements of an array read at run time.
    expect(src).toMatch(/Object\.hasOwn\(\w+, "b"\)/);
    expect(src).toMatch(/Object\.hasOwn\(\w+, "c"\)/);
    expect(src).not.toMatch(/\["a", "b", "c"\]|\["b", "c"\]/);
    expect(src).not.toMatch(/\.slice\(/);
  });

  it("a wildcard step makes the closure, which then captures the parameters as they are", () => {
    const { query } = lib();
    const j = jit(query, { specialize: { path: "a.*.c" } });
    const wild: unknown[] = [{ a: { x: { c: 1 }, y: { c: 2 }, z: {} } }, { a: {} }, { a: { k: { c: [3] } } }, { b: 1 }];
    for (const d of wild) expect(j("a.*.c", d)).toEqual(query("a.*.c", d));
    expect(() => j("a.*.c", { a: null })).toThrow(TypeError);
    expect(() => query("a.*.c", { a: null })).toThrow(TypeError);
  });
});
