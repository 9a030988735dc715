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
    // Typed operands: `this.x * k` of an unknown value could run a valueOf that changes Point.prototype.
    const j = jit(f, { specialize: {}, assume: { a: "number", b: "number" }, scope: { Point } });
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

  it("an instance that escapes is made by its constructor, so it has the hidden class `new` gives; one that does not stays scalars", () => {
    // Made as Object.create(C.prototype) plus fields, an escaping instance got another hidden class than
    // the library's own `new C()`: jmespath's methods, called on both, deoptimized (0.38x in the bench).
    const { Point } = lib();
    const f = new Function("Point", "return function f(a, sink) { const q = new Point(a, 1); const p = new Point(a, a + 1); sink(p); return q.norm1(); }")(Point);
    const j = jit(f, { specialize: {}, assume: { a: "number" }, scope: { Point } });
    const seen: unknown[] = [];
    expect(j(4, (p: unknown) => seen.push(p))).toBe(f(4, () => {}));
    expect(src(j)).toMatch(/sink\(new \$k_\w+\(a, a \+ 1\)\)/);
    // q never escapes on the fast path: its method folds there (the speculation's rare branch may allocate it).
    expect(src(j)).toMatch(/return Math\.abs\(a\) \+ 1;/);
    expect(src(j).match(/new /g)).toHaveLength(1);
    const p = seen[0] as { x: number; y: number };
    expect(Object.getPrototypeOf(p)).toBe(Point.prototype);
    expect([p.x, p.y]).toEqual([4, 5]);
  });

  it("several sites whose instances escape, one after the other, are all made by their constructor", () => {
    // The compile ends an attempt at each escaping instance and starts again with its site real
    // (compile.ts, MAX_INSTANCE_STOPS): every site is found, and the one that stays local still folds.
    const { Point } = lib();
    const f = new Function("Point", "return function f(a, sink) { const q = new Point(a, 1); const r = q.norm1(); sink(new Point(a, 2)); sink(new Point(a, 3)); sink(new Point(r, 4)); return r; }")(Point);
    const j = jit(f, { specialize: {}, assume: { a: "number" }, scope: { Point } });
    const seen: Array<{ x: number; y: number }> = [];
    expect(j(-4, (p: { x: number; y: number }) => seen.push(p))).toBe(f(-4, () => {}));
    // Each escaping site is a `new` of the constructor (the fork after `sink` copies the last two).
    expect(new Set([...src(j).matchAll(/new \$k_\w+\(\w+, (\d)\)/g)].map((m) => m[1]))).toEqual(new Set(["2", "3", "4"]));
    expect(src(j)).not.toMatch(/Object\.create/);
    expect(src(j)).toMatch(/Math\.abs\(a\) \+ 1/);
    expect(seen.map((p) => [Object.getPrototypeOf(p) === Point.prototype, p.x, p.y])).toEqual([[true, -4, 2], [true, -4, 3], [true, 5, 4]]);
  });

  it("an instance that escapes before its constructor is done is allocated there: the constructor's work stays specialized", () => {
    // Made by `new` as written, the rest of the constructor would run in the library: all of it for a
    // constructor that runs its program (jsonpath-plus's `new JSONPathClass(path, json)`, 1.00x the original).
    const Q = new Function(`
      function Q(prog, x, sink) { this.prog = prog; this.x = x; this.out = this.run(); sink(this); }
      Q.prototype.run = function () { let s = 0; for (let i = 0; i < this.prog.length; i++) s += this.prog[i] * this.x; return s; };
      return Q;`)();
    const f = new Function("Q", "return function f(prog, x, sink) { return new Q(prog, x, sink).out; }")(Q);
    const j = jit(f, { specialize: { prog: [1, 2, 3] }, assume: { x: "number" }, scope: { Q } });
    const seen: Array<Record<string, unknown>> = [];
    expect(j([1, 2, 3], 5, (q: Record<string, unknown>) => seen.push(q))).toBe(f([1, 2, 3], 5, () => {}));
    expect(src(j)).not.toMatch(/new |\.run\(/);
    expect(src(j)).toMatch(/\+ 3 \* x/);
    expect(Object.getPrototypeOf(seen[0])).toBe(Q.prototype);
    expect(Object.entries(seen[0]!)).toEqual([["prog", [1, 2, 3]], ["x", 5], ["out", 30]]);
    // What the sink does to the instance is what the caller reads.
    expect(j([1, 2, 3], 5, (q: Record<string, unknown>) => (q.out = "changed"))).toBe("changed");
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

describe("new of a base class", () => {
  const classes = () =>
    new Function(`"use strict";
      const k = 10;
      class Vec { scale = 2; constructor(x, y) { this.x = x; this.y = y; } len() { return (Math.abs(this.x) + Math.abs(this.y)) * this.scale; } add(o) { return new Vec(this.x + o.x, this.y + o.y); } }
      class Field { a = k; constructor(k) { this.b = k; } }
      class Priv { #n = 1; get n() { return this.#n; } }
      class Derived extends Vec { constructor(x) { super(x, x); } }
      return { Vec, Field, Priv, Derived };`)();

  it("fields are defined before the body runs, methods inline, and nothing is allocated", () => {
    const { Vec } = classes();
    const f = new Function("Vec", `"use strict"; return function f(a, b) { return new Vec(a, b).add(new Vec(1, -1)).len(); }`)(Vec);
    const j = jit(f, { specialize: {}, assume: { a: "number", b: "number" }, scope: { Vec } });
    for (const [a, b] of [[1, 2], [-3, 0.5], [NaN, 1]]) expect(Object.is(j(a, b), f(a, b))).toBe(true);
    expect(src(j)).not.toMatch(/new |\.len\(|\.add\(|\$k_ref_\d+\(/);
  });

  it("an escaping instance keeps the field order and prototype", () => {
    const { Vec } = classes();
    const f = new Function("Vec", `"use strict"; return function f(a) { return new Vec(a, 1); }`)(Vec);
    const j = jit(f, { specialize: {}, scope: { Vec } });
    const v = j(3);
    expect(Object.keys(v)).toEqual(["scale", "x", "y"]);
    expect(v instanceof Vec).toBe(true);
    expect(v.len()).toBe(8);
  });

  it("a field initializer sees the enclosing scope, not the constructor's parameter of the same name", () => {
    const { Field } = classes();
    const f = new Function("Field", `"use strict"; return function f(a) { const o = new Field(a); return o.a + ":" + o.b; }`)(Field);
    const j = jit(f, { specialize: {}, scope: { Field } });
    expect(j(5)).toBe("10:5");
  });

  it("private members and derived classes construct as written", () => {
    const { Priv, Derived } = classes();
    const f = new Function("Priv", "Derived", `"use strict"; return function f(a) { return new Priv().n + new Derived(a).len(); }`)(Priv, Derived);
    const j = jit(f, { specialize: {}, scope: { Priv, Derived } });
    expect(j(2)).toBe(f(2));
    // Construct calls kept as written are the original's own code: it settles on it.
    expect(src(j)).toMatch(/new |NOTHING_SPECIALIZED/);
  });

  it("a setter on the prototype for a field's key: the field is still defined, not assigned", () => {
    const { Vec } = classes();
    const log: unknown[] = [];
    Object.defineProperty(Vec.prototype, "scale", { set(v) { log.push(v); }, get() { return 100; }, configurable: true });
    const f = new Function("Vec", `"use strict"; return function f(a) { return new Vec(a, 0).scale; }`)(Vec);
    const j = jit(f, { specialize: {}, scope: { Vec } });
    expect(j(1)).toBe(2);
    expect(log).toEqual([]);
  });
});

describe("constructors: what the body returns, and joins inside it", () => {
  it("an untyped operand's valueOf may change the prototype mid-call: the method it then calls is the new one", () => {
    const { Point } = lib();
    const f = new Function("Point", "return function f(a) { return new Point(a, 1).scale(2).norm1(); }")(Point);
    const j = jit(f, { specialize: {}, scope: { Point } });
    const norm1 = Point.prototype.norm1;
    const evil = { valueOf() { Point.prototype.norm1 = function () { return "swapped"; }; return 3; } };
    expect(j(evil)).toBe("swapped");
    Point.prototype.norm1 = norm1;
    expect(j(2)).toBe(6);
  });

  it("a store computed from a valueOf runs it once, also where the store cannot stay virtual", () => {
    const Acc = new Function("function Acc(v) { this.v = v; } Acc.prototype.add = function (d) { this.v = this.v + d; this.w = 1; return this; }; return Acc;")();
    const f = new Function("Acc", "return function f(x) { const a = new Acc(0).add(x); const arr = [1]; arr[5] = x + 1; return [a.v, arr.length]; }")(Acc);
    const j = jit(f, { specialize: {}, scope: { Acc } });
    const log: string[] = [];
    const x = { valueOf() { log.push("v"); return 1; } };
    expect(j(x)).toEqual([1, 6]);
    expect(log).toEqual(["v", "v"]);
  });

  it("a returned value kos cannot classify is tested as [[Construct]] tests it", () => {
    const C = new Function("return function C(v) { this.a = 1; return v; }")();
    const f = new Function("C", "return function f(v) { const o = new C(v); return o instanceof C ? 'inst' : o; }")(C);
    const j = jit(f, { specialize: {}, scope: { C } });
    const obj = { z: 1 };
    const fn = () => 1;
    for (const v of [1, "s", null, undefined, obj, fn]) expect(j(v)).toBe(f(v));
  });

  it("an instance whose fields differ across an early return stays known through the join (INTERNAL before)", () => {
    const C = new Function(`"use strict"; return class C { constructor(o) { o ||= {}; this.f = Object.hasOwn(o, "f") && o.f; if (o.stop === false) return; this.g = this.m(); if (o.ret) return o.ret; } m() { return [this.f]; } }`)();
    const f = new Function("C", `"use strict"; return function f(o) { const c = new C(o); return JSON.stringify([c.f, c.g]); }`)(C);
    const j = jit(f, { specialize: {}, scope: { C } });
    expect(inspect(j)!.fallbackReason).toBeNull();
    for (const o of [undefined, { f: 2 }, { stop: false }, { f: 3, stop: false }, { ret: { f: "r", g: 1 } }, { ret: 5 }]) expect(j(o)).toBe(f(o));
  });
});

describe("constructors on real code", () => {
  it("jsonpath-plus: JSONPath's `new JSONPathClass(...)` runs in place without an INTERNAL fallback (the instance was dropped at a join inside its constructor)", async () => {
    const { JSONPath } = await import("jsonpath-plus");
    const path = "$.store.book[?(@.price < 10)].title";
    const j = jit(JSONPath, { specialize: { opts: path } }) as unknown as (p: string, json: unknown) => unknown;
    expect(inspect(j)!.fallbackReason).toBeNull();
    const json = { store: { book: [{ price: 5, title: "a" }, { price: 15, title: "b" }, { price: 1, title: "c" }] } };
    expect(j(path, json)).toEqual(JSONPath(path, json));
    expect(j(path, { store: { book: [] } })).toEqual([]);
  });

  it("a primitive is an instance of nothing: folded for a known class, asked of a bound one or a custom Symbol.hasInstance", () => {
    class Plain {}
    class Everything {
      static [Symbol.hasInstance](v: unknown) {
        return v === 5;
      }
    }
    const cfg = Object.freeze({ n: 5, s: "x", z: null, Plain, Everything, Bound: Everything.bind(null) });
    const f = (c: typeof cfg) => [c.n instanceof c.Plain, c.s instanceof c.Plain, c.z instanceof c.Plain, c.n instanceof c.Everything, c.n instanceof c.Bound];
    const j = jit(f, { specialize: { c: cfg } });
    expect(j(cfg)).toEqual(f(cfg));
    expect(f(cfg)).toEqual([false, false, false, true, true]);
    expect(inspect(j)!.source).toMatch(/return \[false, false, false,/);
  });
});
