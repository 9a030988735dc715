/**
 * Where reads of unfrozen objects are speculated on again after foreign code, a walker's recursion
 * inside its own loop over data is a residual version (not an unfolded copy of itself), and versions'
 * bodies are built after the code that runs on every call (specialize/residual-versions.ts).
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

interface Op {
  path: string[];
  min: number;
  seen: boolean;
  hits: number;
}

/** A key-path walker as query matchers write it: arrays on the way are searched item by item, with the item's index as its key. */
function walk(item: any, path: string[], op: Op, depth: number, key?: unknown): boolean {
  if (Array.isArray(item) && depth < path.length && !(path[depth]! in item)) {
    for (let i = 0; i < item.length; i++) if (walk(item[i], path, op, depth, i)) return true;
  }
  if (depth === path.length || item == null) {
    op.hits++;
    return typeof item === "number" && item >= op.min && key !== "skip";
  }
  return walk(item[path[depth]!], path, op, depth + 1, path[depth]);
}

/** Every operation must match; each is reset first (a store to an object kos does not own: foreign code). */
function matchAll(ops: Op[], item: unknown): boolean {
  for (let i = 0; i < ops.length; i++) ops[i]!.seen = false;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    op.seen = true;
    if (!walk(item, op.path, op, 0)) return false;
  }
  return true;
}

const makeOps = (): Op[] => [
  { path: ["a", "b"], min: 10, seen: false, hits: 0 },
  { path: ["c"], min: 1, seen: false, hits: 0 },
  { path: ["d", "e", "f"], min: 5, seen: false, hits: 0 },
];

const items: unknown[] = [
  null,
  7,
  { a: { b: 11 }, c: 2, d: { e: { f: 6 } } },
  { a: { b: 3 }, c: 2, d: { e: { f: 6 } } },
  { a: [{ b: 1 }, { b: 20 }], c: [0, 4], d: [{ e: [{ f: 1 }, { f: 9 }] }] },
  { a: [[{ b: 30 }]], c: 1, d: { e: { f: [5] } } },
  { a: { b: 12 }, c: [], d: { e: null } },
  [{ a: { b: 50 }, c: 3, d: { e: { f: 5 } } }],
  { a: { b: 11 }, c: 2, d: { e: { get f() { throw new RangeError("no f"); } } } },
];

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

describe("residual versions where forks share one budget", () => {
  it("a walker's recursion inside its loop over items calls a version, and matches the original", () => {
    const ops = makeOps();
    const mirror = makeOps();
    const j = jit(matchAll, { specialize: { ops } });
    for (const item of items) expect(outcome(() => j(ops, item))).toEqual(outcome(() => matchAll(mirror, item)));
    expect(ops).toEqual(mirror);
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    const src = info.source!;
    // The loop over an item's array calls a version of the walker for each item: one function per
    // signature, not a copy of the walk unfolded into each loop.
    const calls = [...src.matchAll(/\bif \(!?(walk_\w+)\(item\[/g)];
    expect(calls.length).toBeGreaterThan(0);
    expect(src).toMatch(new RegExp(`function ${calls[0]![1]}\\(`));
  });

  it("an operation changed after the compile is read as it is then", () => {
    const ops = makeOps();
    const mirror = makeOps();
    const j = jit(matchAll, { specialize: { ops } });
    j(ops, items[2]);
    matchAll(mirror, items[2]);
    for (const o of [ops, mirror]) {
      o[2]!.min = 100;
      o[0]!.path = ["c"];
    }
    for (const item of items) expect(outcome(() => j(ops, item))).toEqual(outcome(() => matchAll(mirror, item)));
    expect(ops).toEqual(mirror);
  });

  it("the bodies of versions are built after the code that runs on every call: ten operations are all specialized", () => {
    // Built at their first calls, the versions of the first operations' walks spent the forks, and
    // the ninth and tenth operations stayed calls of the walker.
    const many = (): Op[] => Array.from({ length: 10 }, (_, i) => ({ path: [`k${i}`, "v"], min: i, seen: false, hits: 0 }));
    const ops = many();
    const mirror = many();
    const j = jit(matchAll, { specialize: { ops } });
    const all = { k0: { v: 11 }, k1: [{ v: 3 }], k2: { v: 2 }, k3: { v: [1, 9] }, k4: { v: 4 }, k5: { v: 5 }, k6: { v: 6 }, k7: { v: 7 }, k8: { v: 8 }, k9: { v: 9 } };
    for (const item of [all, { ...all, k9: { v: 1 } }, { ...all, k8: null }, ...items]) expect(outcome(() => j(ops, item))).toEqual(outcome(() => matchAll(mirror, item)));
    expect(ops).toEqual(mirror);
    const src = inspect(j)!.source!;
    const body = src.slice(src.indexOf("const $k_body"));
    for (let k = 0; k < 10; k++) expect(body).toMatch(new RegExp(`\\.k${k}\\b`));
  });

  it("a version whose body cannot be compiled calls the function as written", () => {
    /** The walker again, with a statement kos does not compile, reached only where the key is not known. */
    function walkOdd(item: any, path: string[], op: Op, depth: number, key?: unknown): boolean {
      // A read before its declaration (a ReferenceError), which kos leaves to the original.
      // @ts-expect-error: used before its declaration
      if (key === "odd") void late;
      const late = 1;
      if (Array.isArray(item) && depth < path.length && !(path[depth]! in item)) {
        for (let i = 0; i < item.length; i++) if (walkOdd(item[i], path, op, depth, i)) return true;
      }
      if (depth === path.length || item == null) {
        op.hits++;
        return typeof item === "number" && item >= op.min;
      }
      return walkOdd(item[path[depth]!], path, op, depth + 1, path[depth]);
    }
    function matchOdd(ops: Op[], item: unknown): boolean {
      for (let i = 0; i < ops.length; i++) ops[i]!.seen = false;
      for (let i = 0; i < ops.length; i++) {
        if (!walkOdd(item, ops[i]!.path, ops[i]!, 0)) return false;
      }
      return true;
    }
    const ops = makeOps();
    const mirror = makeOps();
    const j = jit(matchOdd, { specialize: { ops } });
    for (const item of items) expect(outcome(() => j(ops, item))).toEqual(outcome(() => matchOdd(mirror, item)));
    expect(ops).toEqual(mirror);
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.source).toMatch(/function walkOdd_\w+\([^)]*\) \{\s*return \$k_\w+\.call\(/);
  });

  it("a version left with no unroll budget calls the function as written, and matches the original", () => {
    const ops = makeOps();
    const mirror = makeOps();
    const j = jit(matchAll, { specialize: { ops }, unrollBudget: 10 });
    for (const item of items) expect(outcome(() => j(ops, item))).toEqual(outcome(() => matchAll(mirror, item)));
    expect(ops).toEqual(mirror);
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    expect(info.source).toMatch(/function walk_\w+\([^)]*\) \{\s*return \$k_\w+\.call\(/);
  });
});
