/**
 * What bundled CommonJS libraries look like to kos (mingo's build, esbuild and tsc output):
 * - exports are fixed getters returning a binding (`get: () => resolve`), and a helper is
 *   called as `(0, import_util.resolve)(x)`: the getter folds, and the helper inlines;
 * - the code is sloppy while kos compiles arrows and methods as strict: a sloppy callee whose
 *   body means the same in both modes inlines;
 * - a closure over a parameter its factory reassigned before returning it folds the parameter;
 * - `preds.every((p) => p(doc))` over a module array unrolls, re-checking each item after the
 *   previous callback ran code kos cannot see.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function clamp(x: number): number {
  return x < 0 ? 0 : x;
}
const util: Record<string, unknown> = {};
Object.defineProperty(util, "clamp", { get: () => clamp, enumerable: true });
const loose: Record<string, unknown> = {};
Object.defineProperty(loose, "clamp", { get: () => clamp, enumerable: true, configurable: true });
let getterRuns = 0;
const counted: Record<string, unknown> = {};
Object.defineProperty(counted, "clamp", { get: () => (getterRuns++, clamp), enumerable: true });

// tsc's re-export: `Object.defineProperty(o, k, { enumerable: true, get: function () { return m[k]; } })`.
function createBinding(o: object, m: Record<string, unknown>, k: string): void {
  Object.defineProperty(o, k, { enumerable: true, get: function () { return m[k]; } });
}
const reexports: Record<string, unknown> = {};
createBinding(reexports, { clamp }, "clamp");

function viaGetter(x: number): number {
  return (0, util.clamp as typeof clamp)(x) * 2;
}
function viaConfigurable(x: number): number {
  return (0, loose.clamp as typeof clamp)(x) * 2;
}
function viaCounted(x: number): number {
  return (0, counted.clamp as typeof clamp)(x) * 2;
}
function viaReexport(x: number): number {
  return (0, reexports.clamp as typeof clamp)(x) * 2;
}

// A sloppy function (no "use strict": `new Function` code is sloppy), as CommonJS builds without the directive are.
const sloppyDouble = new Function("x", "return x * 2") as (x: number) => number;
const sloppyStore = new Function("o", "o.n = 1; return o.n") as (o: { n?: number }) => number | undefined;
// Sloppy-only syntax in a closure the callee hands on (copied as written where it is inlined): a
// repeated parameter name, a legacy octal literal, a variable named `let`, an octal escape.
const sloppySyntax = [
  new Function("o", "return o.k(function (a, a) { return a; });"),
  new Function("o", "return o.k(function () { return 010; });"),
  new Function("o", "return o.k(function () { var let = 1; return let; });"),
  new Function("o", "return o.k(function () { return '\\01'; });"),
] as Array<(o: { k(f: Function): unknown }) => unknown>;
function useDouble(x: number): number {
  return sloppyDouble(x) + 1;
}
function useStore(o: { n?: number }): number | undefined {
  return sloppyStore(o);
}

function makeCheck(limit: number, inclusive: boolean): (x: number) => boolean {
  if (inclusive) limit = limit - 1;
  return (x: number) => x > limit;
}

type Doc = { age?: number; score?: number };
const preds: Array<(d: Doc) => boolean> = [(d) => d.age! > 18, (d) => d.score! > 50];
function all(doc: Doc): boolean {
  return preds.every((p) => p(doc));
}

describe("bundled CommonJS, as libraries ship it", () => {
  it("a fixed getter that returns a binding folds, and the helper inlines", () => {
    const f = jit(viaGetter, { specialize: {} });
    expect(inspect(f)!.source).not.toContain("clamp");
    expect(inspect(f)!.source).toContain("x < 0");
    for (const x of [-1, 0, -0, 3, NaN]) expect(Object.is(f(x), viaGetter(x))).toBe(true);
    const r = jit(viaReexport, { specialize: {} });
    expect(inspect(r)!.source).toContain("x < 0");
    expect(r(-5)).toBe(0);
  });

  it("a configurable getter, or one that does more than return a binding, is still read", () => {
    const f = jit(viaConfigurable, { specialize: {} });
    expect(inspect(f)!.source).toContain("clamp");
    const g = jit(viaCounted, { specialize: {} });
    getterRuns = 0;
    g(1);
    g(2);
    expect(getterRuns).toBe(2);
  });

  it("a sloppy callee inlines into strict code when it means the same in both modes", () => {
    const f = jit(useDouble, { specialize: {} });
    expect(inspect(f)!.source).toContain("x * 2");
    expect(f(4)).toBe(9);
    // A property write fails silently in sloppy code and throws in strict code: it stays a call.
    const g = jit(useStore, { specialize: {} });
    // It stays a call, and so nothing is specialized: no version.
    expect(inspect(g)!.fallbackReason).toMatch(/^NOTHING_SPECIALIZED: /);
    const frozen = Object.freeze({} as { n?: number });
    expect(g(frozen)).toBe(useStore(frozen));
    // Code that does not parse as strict code stays a call, and the caller still compiles.
    const o = { k: (f: Function) => f(1, 2) };
    for (const callee of sloppySyntax) {
      const caller = (x: { k(f: Function): unknown }) => callee(x);
      const h = jit(caller, { specialize: {} });
      // A call that stays a call leaves the caller's own code: it settles on it (NOTHING_SPECIALIZED), no other reason.
      expect(inspect(h)!.fallbackReason ?? "NOTHING_SPECIALIZED: ").toMatch(/^NOTHING_SPECIALIZED: /);
      expect(h(o)).toBe(caller(o));
    }
  });

  it("a parameter its factory reassigned before returning the closure folds", () => {
    const check = makeCheck(10, true);
    const f = jit(check, { specialize: {} });
    expect(inspect(f)!.fallbackReason).toBeNull();
    expect(inspect(f)!.source).toContain("x > 9");
    expect([f(9), f(10)]).toEqual([check(9), check(10)]);
  });

  it("every() over a module array unrolls, and the live array is read again after each callback", () => {
    const f = jit(all, { specialize: {} });
    const src = inspect(f)!.source!;
    expect(src).not.toContain(".every(");
    expect(src).toContain("> 18");
    for (const d of [{ age: 20, score: 60 }, { age: 20, score: 10 }, { age: 10, score: 90 }, {}]) expect(f(d)).toBe(all(d));
    // A getter on the input replaces the second predicate mid-call: the rest of that call uses it.
    const tricky = () => ({ get age() { preds[1] = () => false; return 30; }, score: 99 });
    const saved = preds[1]!;
    try {
      const expected = all(tricky());
      preds[1] = saved;
      expect(f(tricky())).toBe(expected);
      expect(expected).toBe(false);
    } finally {
      preds[1] = saved;
    }
  });
});
