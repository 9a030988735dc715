/**
 * `some`, `every`, `find`, `findIndex` and `reduce` over arrays kos knows
 * unfold into one inlined callback per item (compiler/specialize/array-scans.ts):
 * no call of the built-in is left, and every result, thrown error and side
 * effect is the original's.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const deepFreeze = <T>(o: T): T => {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
};

function same(a: () => unknown, b: () => unknown): void {
  let ra: unknown, rb: unknown, ea: unknown, eb: unknown;
  try { ra = a(); } catch (e) { ea = e; }
  try { rb = b(); } catch (e) { eb = e; }
  expect(eb === undefined ? "ok" : (eb as Error).constructor.name).toBe(ea === undefined ? "ok" : (ea as Error).constructor.name);
  if (ea === undefined) expect(Object.is(rb, ra) || JSON.stringify(rb) === JSON.stringify(ra)).toBe(true);
}

describe("array scans", () => {
  it("some over a schema's alternatives becomes the alternatives' checks, in order, each only where the earlier ones failed", () => {
    const schema = deepFreeze({ anyOf: [{ type: "string" }, { type: "number", min: 0 }, { const: null }] });
    function check(s: any, v: unknown): boolean {
      if (s.anyOf) return s.anyOf.some((alt: unknown) => check(alt, v));
      if ("const" in s) return v === s.const;
      if (s.type === "string") return typeof v === "string";
      if (s.type === "number") return typeof v === "number" && v >= s.min;
      return false;
    }
    const j = jit(check, { specialize: { s: schema } });
    const src = inspect(j)!.source!;
    expect(inspect(j)!.tier).toBe(1);
    expect(src).not.toMatch(/\.some\b/);
    for (const v of ["x", 3, -1, null, undefined, NaN, -0, {}]) same(() => check(schema, v), () => j(schema, v));
  });

  it("every stops at the first falsy result: later callbacks' side effects do not happen", () => {
    const keys = deepFreeze(["a", "b", "c"]);
    function all(ks: readonly string[], o: Record<string, unknown>, log: string[]): boolean {
      return ks.every((k) => (log.push(k), o[k] !== undefined));
    }
    const j = jit(all, { specialize: { ks: keys } });
    expect(inspect(j)!.source).not.toMatch(/\.every\b/);
    for (const o of [{ a: 1, b: 2, c: 3 }, { a: 1, c: 3 }, {}, { a: 0, b: null, c: undefined }]) {
      const l1: string[] = [], l2: string[] = [];
      expect(j(keys, o, l2)).toBe(all(keys, o, l1));
      expect(l2).toEqual(l1);
    }
  });

  it("find and findIndex give the item and its position, and undefined and -1 past the end", () => {
    const table = deepFreeze([{ max: 10, label: "low" }, { max: 100, label: "mid" }, { max: 1000, label: "high" }]);
    function bucket(t: readonly { max: number; label: string }[], x: number) {
      return t.find((row) => x <= row.max);
    }
    function position(t: readonly { max: number; label: string }[], x: number) {
      return t.findIndex((row) => x <= row.max);
    }
    const jb = jit(bucket, { specialize: { t: table } });
    const jp = jit(position, { specialize: { t: table } });
    expect(inspect(jb)!.source).not.toMatch(/\.find\b/);
    expect(inspect(jp)!.source).not.toMatch(/\.findIndex\b/);
    for (const x of [0, 10, 11, 500, 1000, 1001, NaN, -Infinity]) {
      expect(jb(table, x)).toBe(bucket(table, x));
      expect(jp(table, x)).toBe(position(table, x));
    }
  });

  it("find visits a hole as undefined and some skips it, as the built-ins do", () => {
    // eslint-disable-next-line no-sparse-arrays
    const holey = Object.freeze([1, , 3]) as readonly (number | undefined)[];
    function firstMissing(a: readonly (number | undefined)[]) {
      return a.find((x) => x === undefined);
    }
    function anyMissing(a: readonly (number | undefined)[]) {
      return a.some((x) => x === undefined);
    }
    const jf = jit(firstMissing, { specialize: { a: holey } });
    const js = jit(anyMissing, { specialize: { a: holey } });
    expect(jf(holey)).toBe(firstMissing(holey));
    expect(js(holey)).toBe(anyMissing(holey));
    expect(anyMissing(holey)).toBe(false);
  });

  it("reduce folds over the items with and without a start value; an empty reduce with none still throws", () => {
    const weights = deepFreeze([0.5, 0.25, -0, 2]);
    function score(w: readonly number[], x: number) {
      return w.reduce((acc, wi, i) => acc + wi * x + i, 0);
    }
    function product(w: readonly number[], x: number) {
      return w.reduce((acc, wi) => acc * wi + x);
    }
    const js = jit(score, { specialize: { w: weights } });
    const jp = jit(product, { specialize: { w: weights } });
    expect(inspect(js)!.source).not.toMatch(/\.reduce\b/);
    for (const x of [0, -0, 1.5, NaN, -3]) {
      expect(Object.is(js(weights, x), score(weights, x))).toBe(true);
      expect(Object.is(jp(weights, x), product(weights, x))).toBe(true);
    }
    const empty = Object.freeze([]) as readonly number[];
    const je = jit(product, { specialize: { w: empty } });
    expect(() => je(empty, 1)).toThrow(TypeError);
  });

  it("a callback that writes the array it scans is seen by the items after it (an array the function made)", () => {
    function f(x: number) {
      const a = [x, x + 1, 3];
      return a.some((v, k, o) => {
        if (k === 0) o[2] = 100;
        return v > 50;
      });
    }
    const j = jit(f, {});
    for (const x of [0, 60, 49.5, NaN]) expect(j(x)).toBe(f(x));
  });

  it("an unfrozen array is read again after a callback ran foreign code: a getter that replaces the next rule is seen", () => {
    function anyKey(rs: { k: string }[], o: Record<string, unknown>) {
      return rs.some((r) => o[r.k] === 1);
    }
    const setup = () => {
      const rules = [{ k: "a" }, { k: "b" }];
      const tricky = {
        get a() {
          rules[1] = { k: "c" };
          return 0;
        },
        c: 1,
      };
      return { rules, tricky };
    };
    const forJit = setup();
    const j = jit(anyKey, { specialize: { rs: forJit.rules } });
    expect(j(forJit.rules, { a: 0, b: 1 })).toBe(true);
    expect(j(forJit.rules, { a: 0, b: 0 })).toBe(false);
    const plain = setup();
    const expected = anyKey(plain.rules, plain.tricky);
    expect(expected).toBe(true);
    expect(j(forJit.rules, forJit.tricky)).toBe(expected);
    expect(Object.isFrozen(forJit.rules)).toBe(false);
  });

  it("map reads each item of an array kos made as it is when its turn comes (an earlier callback wrote it through its third argument)", () => {
    function g(c: { n: number; m: number }) {
      "use strict";
      return [c.n, 0].map(function (v, i, o) { return i === 0 ? ((o[1] = c.m), { v }) : { v, w: o[1] }; });
    }
    const c = Object.freeze({ n: 3, m: 5 });
    const j = jit(g, { specialize: { c } });
    expect(j(c)).toEqual([{ v: 3 }, { v: 5, w: 5 }]);
    expect(j(c)).toEqual(g(c));
  });

  it("an array literal scanned after foreign code, written by its own callback, keeps its state through the callback's joins (fuzz seed 4080 #7838)", () => {
    // The literal is held by no variable: a join inside the callback dropped it (INTERNAL before).
    function f(c: { n: number; m: number }, log: unknown[]) {
      "use strict";
      log.push(1);
      return [c.n, NaN].some(function (v, i, o) { return i === 0 ? ((o[1] = c.m), false) : !!v; });
    }
    function g(c: { n: number; m: number }, log: unknown[]) {
      "use strict";
      log.push(1);
      return [c.n, 0].map(function (v, i, o) { return i === 0 ? ((o[1] = c.m), { v }) : { v, w: o[1] }; });
    }
    for (const fn of [f, g]) {
      const c = { n: 3, m: 0 };
      const j = jit(fn, { specialize: { c } });
      same(() => fn(c, []), () => j(c, []));
      expect(inspect(j)!.fallbackReason ?? null).toBeNull();
      c.m = 5;
      same(() => fn(c, []), () => j(c, []));
    }
  });
});
