/**
 * `new C(...)` of an ES5 constructor: the instance is a virtual object with
 * C.prototype as its prototype, the constructor runs in place, and methods
 * resolve through the prototype. An interpreter's `new Context(view)` then
 * costs nothing; an instance that escapes is `Object.create(C.prototype)`
 * with the same own properties.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

const src = (f: Function) => inspect(f)!.source ?? `FALLBACK ${inspect(f)!.fallbackReason}`;

const lib = () =>
  new Function(`
    function Point(x, y) { this.x = x; this.y = y; }
    Point.prototype.norm1 = function () { return Math.abs(this.x) + Math.abs(this.y); };
    Point.prototype.scale = function (k) { return new Point(this.x * k, this.y * k); };
    return { Point };`)();

describe("new of an ES5 constructor", () => {
  it("an instance that does not escape is never allocated, and its methods inline", () => {
    const { Point } = lib();
    const f = new Function("Point", "return function f(a, b) { const p = new Point(a, b); return p.scale(2).norm1(); }")(Point);
    const j = jit(f, { specialize: {}, scope: { Point } });
    for (const [a, b] of [[1, 2], [-3, 0.5], [NaN, 1], [-0, -0]]) expect(Object.is(j(a, b), f(a, b))).toBe(true);
    expect(src(j)).not.toMatch(/new |\.norm1\(|\.scale\(|\$k_ref_\d+\(/);
    expect(src(j)).toMatch(/Math\.abs\(\w+\) \+ Math\.abs\(\w+\)/);
  });

  it("an escaping instance has the constructor's prototype, own keys in order, and instanceof holds", () => {
    const { Point } = lib();
    const f = new Function("Point", "return function f(a) { const p = new Point(a, a + 1); p.z = 3; return p; }")(Point);
    const j = jit(f, { specialize: {}, scope: { Point } });
    const p = j(4);
    expect(Object.getPrototypeOf(p)).toBe(Point.prototype);
    expect(Object.keys(p)).toEqual(["x", "y", "z"]);
    expect(p instanceof Point).toBe(true);
    expect(p.norm1()).toBe(9);
    expect(j(4)).not.toBe(j(4));
  });

  it("a setter on the prototype runs for the constructor's store", () => {
    const { Point } = lib();
    const log: unknown[] = [];
    Object.defineProperty(Point.prototype, "y", { set(v) { log.push(v); }, get() { return 7; }, configurable: true });
    const f = new Function("Point", "return function f(a) { const p = new Point(a, a * 2); return p.x + p.y; }")(Point);
    const j = jit(f, { specialize: {}, scope: { Point } });
    expect(j(1)).toBe(f(1));
    expect(log).toEqual([2, 2]);
  });

  it("a method replaced on the prototype after jit is the one that runs", () => {
    const { Point } = lib();
    const f = new Function("Point", "return function f(a) { return new Point(a, 1).norm1(); }")(Point);
    const j = jit(f, { specialize: {}, scope: { Point } });
    expect(j(-2)).toBe(3);
    Point.prototype.norm1 = function (this: { x: number }) { return this.x * 100; };
    expect(j(-2)).toBe(-200);
    Object.defineProperty(Point.prototype, "x", { set() {}, get() { return 1; }, configurable: true });
    expect(j(-2)).toBe(f(-2));
  });

  it("a constructor that returns an object gives that object; one that throws throws the same", () => {
    const C = new Function("return function C(a) { if (a < 0) throw new RangeError('neg ' + a); this.a = a; if (a > 10) return { big: a }; }")();
    const f = new Function("C", "return function f(a) { const o = new C(a); return JSON.stringify(o) + (o instanceof C); }")(C);
    const j = jit(f, { specialize: {}, scope: { C } });
    for (const a of [1, 11]) expect(j(a)).toBe(f(a));
    expect(() => j(-1)).toThrow(new RangeError("neg -1"));
  });

  it("for-in over an instance visits the prototype's enumerable keys; hasOwnProperty sees own fields", () => {
    const { Point } = lib();
    const f = new Function("Point", "return function f(a) { const p = new Point(a, 2); const ks = []; for (const k in p) ks.push(k + p.hasOwnProperty(k)); return ks.join(); }")(Point);
    const j = jit(f, { specialize: {}, scope: { Point } });
    expect(j(1)).toBe(f(1));
    expect(j(1)).toMatch(/norm1false/);
  });

  it("new.target in the constructor keeps the `new` as written", () => {
    const C = new Function("return function C(a) { this.t = new.target === C; this.a = a; }")();
    const f = new Function("C", "return function f(a) { return new C(a).t; }")(C);
    const j = jit(f, { specialize: {}, scope: { C } });
    expect(j(1)).toBe(true);
  });
});
