/**
 * A `try` block is first evaluated as an attempt that keeps it only if
 * nothing of it is left at run time (statements.ts, tryBlockFolds). An attempt
 * that is undone leaves the specializer as it found it: its foreign calls do
 * not make the reads of the block's second, real evaluation dynamic, and its
 * guards and unrolling budget go with it. jsonpath-plus's `JSONPath` wraps all
 * its work in such a try.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function run(cfg: { scale: number; offset: number }, x: number, log: (x: number) => void): number {
  try {
    const s = cfg.scale;
    log(x);
    return x * s + cfg.offset;
  } catch {
    return -1;
  }
}

const outcome = (f: () => unknown): string => {
  try {
    return `ok ${String(f())}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe("a try block whose first attempt is undone", () => {
  it("folds the reads made before its foreign call, once, behind the entry guard", () => {
    const table = { scale: 3, offset: 1 };
    const f = jit(run, { specialize: { cfg: table } });
    expect(f(table, 2, () => {})).toBe(7);
    const source = inspect(f)!.source!;
    // The entry guard reads `scale` once; the block itself uses the folded 3 (the attempt's foreign
    // call `log(x)`, left in force, had made the block's read dynamic and forked it: three reads).
    expect(source.match(/\.scale\b/g)).toHaveLength(1);
    expect(source).toMatch(/x \* 3\b/);
  });

  it("gives what the original gives when the configuration changes, before or during the call", () => {
    const table = { scale: 3, offset: 1 };
    const twin = { scale: 3, offset: 1 };
    const f = jit(run, { specialize: { cfg: table } });
    const cases: Array<[number, (o: typeof table) => (x: number) => void]> = [
      [2, () => () => {}],
      [4, (o) => () => void (o.offset = 10)],
      [5, (o) => () => void (o.scale = 7)],
      [6, () => () => {
        throw new Error("log failed");
      }],
      [1, () => () => {}],
    ];
    for (const [x, make] of cases) {
      expect(outcome(() => f(table, x, make(table)))).toBe(outcome(() => run(twin, x, make(twin))));
      expect(table).toEqual(twin);
    }
    table.scale = 9;
    twin.scale = 9;
    expect(outcome(() => f(table, 3, () => {}))).toBe(outcome(() => run(twin, 3, () => {})));
  });
});
