/**
 * The smallest programs behind mismatches the real-interpreter tests found,
 * kept as regression tests (each was reduced from a real library's code).
 */
import { describe, expect, it } from "vitest";
import { jit } from "../../index.js";

describe("real-interpreter regressions", () => {
  // From valibot's object(): `for (const issue of valueDataset.issues) dataset.issues?.push(issue);`
  // followed by `if (!dataset.issues) dataset.issues = valueDataset.issues;`. On the tree of
  // 2026-11-30 20:40 UTC every statement after a for-of over a dynamic array was dropped, so
  // safeParse reported success for invalid input.
  it("statements after a for-of over a dynamic array still run", () => {
    function sum(k: number, xs: number[]) {
      let s = k;
      for (const x of xs) s += x;
      return s;
    }
    const f = jit(sum, { specialize: { k: 1 } });
    expect(f(1, [5, 6])).toBe(12);
    expect(f(1, [])).toBe(1);
  });

  it("a property set after a loop that only optionally touched it (valibot's issue merging)", () => {
    function merge(k: number, issues: string[] | undefined) {
      const dataset: { issues?: string[] } = {};
      if (issues) {
        for (const issue of issues) dataset.issues?.push(issue);
        if (!dataset.issues) dataset.issues = issues;
      }
      return !dataset.issues;
    }
    const f = jit(merge, { specialize: { k: 1 } });
    expect(f(1, ["bad"])).toBe(false);
    expect(f(1, undefined)).toBe(true);
  });
});
