/**
 * A compiled version keeps V8's initial function map where its name and length are the original's
 * already: redefining them (even to the same values) took it off that map, and `f.call(r, a, b)` on
 * it became a generic call. cheap-ruler's `distance`, specialized on its instance and called so, ran
 * 15.0 ns a call against 8.3 ns for the same code with its own name and length (perf14). The map is
 * V8's to show: `%HaveSameMap`, in a child process with --allow-natives-syntax.
 */
import { describe, expect, it } from "vitest";
import { runWithNatives } from "./natives-child.js";

describe("a compiled version's function map", () => {
  it("is the one a plain function or method of the same kind has, with the original's name and length", () => {
    const script = `import("kos").then(({ jit }) => {
      function scale(k, x) { return k.v * x; }
      function other(a, b) { return a + b; }
      const j = jit(scale, { specialize: { k: { v: 2 } } });
      const o = { dist(a, b) { return a - b; }, m2(a, b) { return a * b; } };
      const jm = jit(o.dist, { specialize: { a: 1 } });
      process.stdout.write(JSON.stringify({
        fn: %HaveSameMap(j, other), method: %HaveSameMap(jm, o.m2),
        names: [j.name, j.length, jm.name, jm.length], results: [j({ v: 2 }, 3), jm(1, 5), jm.call(null, 1, 7)],
      }));
    });`;
    const out = runWithNatives(script);
    expect(out.names).toEqual(["scale", 2, "dist", 2]);
    expect(out.results).toEqual([6, -4, -6]);
    expect(out.fn).toBe(true);
    expect(out.method).toBe(true);
  });
});
