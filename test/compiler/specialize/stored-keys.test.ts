/**
 * A key the residual code itself stores to on an object kos knows is state,
 * not configuration: a speculation never guards on what it held at jit()
 * (guarded-reads.ts, storesKey), and reads it at run time instead.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

/** A matcher tree as sift builds one: each operation keeps `keep` and `done`, reset and set on every call. */
class Gt {
  keep = true;
  done = true;
  constructor(readonly v: number) {}
  reset() {
    this.keep = false;
    this.done = false;
  }
  next(x: number) {
    if (x > this.v) {
      this.keep = true;
      this.done = true;
    }
  }
}
class All {
  keep = true;
  done = true;
  constructor(readonly children: Gt[]) {}
  reset() {
    this.keep = false;
    this.done = false;
    for (const c of this.children) c.reset();
  }
  next(x: number) {
    let keep = true;
    for (const c of this.children) {
      if (!c.done) c.next(x);
      if (!c.keep) keep = false;
    }
    this.keep = keep;
    this.done = true;
  }
}

function run(op: All, x: number) {
  op.reset();
  op.next(x);
  return op.keep;
}

describe("keys the code stores are not speculated on", () => {
  it("state fields set on every call are read at run time; the operation tree is still speculated on", () => {
    // What the last call before jit() left in the fields: keep and done all true.
    const op = new All([new Gt(1), new Gt(3)]);
    const twin = new All([new Gt(1), new Gt(3)]);
    const j = jit(run, { specialize: { op } });
    for (const x of [0, 2, 4, 1, 3, 5, -1, 4]) {
      expect(j(op, x)).toBe(run(twin, x));
      expect(op).toEqual(twin);
    }
    const info = inspect(j)!;
    expect(info.tier).toBe(1);
    // The tree's constants are folded behind guards where they are used.
    expect(info.source).toMatch(/\.v === 1/);
    expect(info.source).toMatch(/x > 3/);
    // The state is not guarded on.
    expect(info.source).not.toMatch(/\.(done|keep) === (true|false)/);
  });
});
