import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

describe("removeDeadStores", () => {
  it("drops statements that only evaluate `this` (left by closures inlined where they were made)", () => {
    function makers(xs: number[]) {
      const fs: Array<() => number> = [];
      for (const x of xs) {
        const y = x * 10;
        fs.push(() => y);
      }
      return fs.map((f) => f());
    }
    const xs = [1, 2, 3];
    const j = jit(makers, { specialize: { xs } });
    expect(j(xs)).toEqual([10, 20, 30]);
    expect(inspect(j)!.source).not.toMatch(/^\s*this;$/m);
  });
});
