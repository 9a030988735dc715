/**
 * An inlined call that returns a fresh object of one shape from several
 * branches (compiler/specialize/returned-objects.ts): one virtual object stands
 * for them at the join, so a caller that only reads its fields allocates
 * nothing. Where a returned object is reachable otherwise, or is an instance
 * of a class, each return still allocates its own.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

describe("objects returned from several branches of an inlined call", () => {
  it("merge into one virtual object: no allocation, a variable per differing field", () => {
    const f = new Function(`
      function member(node, obj) {
        if (obj.kind === 1) return [obj, obj[node.name]];
        if (obj.kind === 2) return [obj, obj.length];
        return [obj, node.name];
      }
      return function run(nodes, obj) {
        let s = "";
        for (const n of nodes) { const pair = member(n, obj); s += pair[1] + (pair[0] === obj ? "!" : "?"); }
        return s;
      };`)();
    const nodes = Object.freeze([Object.freeze({ name: "x" }), Object.freeze({ name: "y" })]);
    const j = jit(f, { specialize: { nodes } });
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/= \[/);
    for (const obj of [{ kind: 1, x: -0, y: NaN }, { kind: 2, length: 3 }, { kind: 3 }, Object.assign([1, 2], { kind: 2 })]) expect(j(nodes, obj)).toBe(f(nodes, obj));
  });

  it("keep one allocation per return where the object is reachable otherwise, with identities intact", () => {
    const f = new Function(`
      function make(flag, log) {
        if (flag.on) { const a = { v: 1 }; log.push(a); return a; }
        return { v: 2 };
      }
      return function run(flag, log) { const r = make(flag, log); return [r, r.v]; };`)();
    for (const flag of [{ on: true }, { on: false }]) {
      const j = jit(f, { specialize: { flag: Object.freeze(flag) } });
      const log: unknown[] = [];
      const [r, v] = j(flag, log) as [unknown, number];
      expect(v).toBe(flag.on ? 1 : 2);
      if (flag.on) expect(log[0]).toBe(r);
      else expect(log).toEqual([]);
    }
    // The caller holds the first object in another of its objects: the two must stay one object.
    const g = new Function(`
      function make(flag, keep) {
        if (flag.on) { const a = { v: 1 }; keep.a = a; return a; }
        return { v: 2 };
      }
      return function run(flag) { const keep = {}; const r = make(flag, keep); return [r === keep.a, r.v, keep]; };`)();
    const jg = jit(g, { scope: {} });
    for (const on of [true, false]) expect(jg({ on })).toEqual(g({ on }));
    expect((jg({ on: true }) as unknown[])[0]).toBe(true);
    // A dynamic flag: both returns at one join, the first one also in the log.
    const j = jit(f, { scope: {} });
    const log: unknown[] = [];
    const [r] = j({ on: true }, log) as [unknown];
    expect(log[0]).toBe(r);
  });

  it("the same object returned from several branches keeps its state past the join (fs-extra's createFileSync failed as INTERNAL)", () => {
    const run = new Function(`
      function make(flag) { const o = { a: 1, b: [0] }; if (flag.x) { o.a = 2; return o; } o.b = [5]; return o; }
      return function run(flag) { const r = make(flag); return r.a + r.b[0]; };`)();
    const j = jit(run, { scope: {} });
    expect(inspect(j)!.fallbackReason).toBeNull();
    expect(inspect(j)!.tier).toBe(1);
    for (const x of [true, false, 0, "y"]) expect(j({ x })).toBe(run({ x }));
  });
});
