/**
 * A loop over an unfrozen array or object kos read with guards, whose body writes an item (or
 * deletes a key) past the next one. After foreign code, the speculated iteration guarded only the
 * next item and took the ones after it from what it read at entry: `arr[2] = x` while at the first
 * item still gave 3 for the third, and `delete o.c` while at `a` still visited `c` (sweep18,
 * repro-1 and repro-2; every call after tier-up under KOS_HOT_CALLS=1000). Each item is now
 * guarded as it is reached, as the engine reads it then. The same held for the array methods kos
 * unfolds item by item (`map`, `some`, `find`, `findIndex`, `every` over such an array).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { outcome } from "../../support/compile.js";

type Case = { f: (o: any, x: number) => unknown; make: () => any; param: string };

const CASES: Record<string, Case> = {
  "for-of, a later element written with an argument": {
    f: (arr: number[], x: number) => {
      const out: number[] = [];
      for (const v of arr) {
        out.push(v);
        if (v === 1) arr[2] = x;
      }
      arr[2] = 3;
      return out;
    },
    make: () => [1, 2, 3],
    param: "arr",
  },
  "for-of, a later element written with a constant": {
    f: (arr: number[]) => {
      const out: number[] = [];
      for (const v of arr) {
        out.push(v);
        if (v === 1) arr[2] = 7;
      }
      arr[2] = 3;
      return out;
    },
    make: () => [1, 2, 3],
    param: "arr",
  },
  "for-of, later elements filled": {
    f: (arr: number[]) => {
      const out: number[] = [];
      for (const v of arr) {
        out.push(v);
        if (v === 1) arr.fill(9, 2);
      }
      arr[2] = 3;
      arr[3] = 4;
      return out;
    },
    make: () => [1, 2, 3, 4],
    param: "arr",
  },
  // The array methods kos unfolds item by item (closures.ts, array-scans.ts) had the same gap.
  "map, a later element written through the callback's third argument": {
    f: (arr: number[], x: number) => {
      const r = arr.map((v, _i, a) => {
        if (v === 1) a[2] = x;
        return v * 10;
      });
      arr[2] = 3;
      return r;
    },
    make: () => [1, 2, 3],
    param: "arr",
  },
  "some, find, findIndex and every, a later element written": {
    f: (arr: number[], x: number) => {
      const write = (v: number, _i: number, a: number[]) => (v === 1 ? ((a[2] = x), false) : v === 0);
      const r = [arr.some(write), arr[2], arr.find(write), arr[2], arr.findIndex(write), arr.every((v, i, a) => !write(v, i, a))];
      arr[2] = 3;
      return r;
    },
    make: () => [1, 2, 3],
    param: "arr",
  },
  "for-in, a later key deleted": {
    f: (o: Record<string, number>) => {
      const ks: string[] = [];
      for (const k in o) {
        ks.push(k);
        if (k === "a") delete o.c;
      }
      o.c = 3;
      return ks;
    },
    make: () => ({ a: 1, b: 2, c: 3 }),
    param: "o",
  },
};

describe("a loop body that writes items past the next one", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: explicit and tiering`, () => {
      const plain = c.make();
      const specialized = c.make();
      const tiered = c.make();
      const j = jit(c.f, { specialize: { [c.param]: specialized } });
      const t = jit(c.f, { tiering: { hotCalls: 20 } });
      for (let i = 0; i < 60; i++) {
        const expected = outcome(() => c.f(plain, i));
        expect(outcome(() => j(specialized, i))).toEqual(expected);
        expect(outcome(() => t(tiered, i))).toEqual(expected);
      }
      expect(inspect(j)!.tier).toBe(1);
      expect(inspect(t)!.tier).toBe(1);
    });
  }
});
