/**
 * Objects made by `Object.create(p)` are virtual like any object the
 * function makes; keys of objects kos made enumerate in the engine's order;
 * `k in o` folds on them; spreads of arrays kos made become the items; a
 * throw that nothing in the compile catches does not make later reads of
 * unfrozen configuration dynamic; and a compile whose inlining does not pay
 * off stops early. Most of these showed up on @cfworker/json-schema
 * (test/real/cfworker-json-schema.test.ts).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";
import { withoutKeysChecks } from "../../support/compile.js";

const outcome = (f: () => unknown): string => {
  try {
    const r = f();
    return `ok ${JSON.stringify(r)} ${r && typeof r === "object" ? String(Object.getPrototypeOf(r)) : ""}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe("Object.create", () => {
  it("a null-prototype record that does not escape is scalars, and lookups through it find nothing", () => {
    function f(c: { k: string }, x: number) {
      const o = Object.create(null);
      o[c.k] = x;
      o.y = 2;
      return [o.k, o.toString, "k" in o, "toString" in o, o.hasOwnProperty, Object.keys(o).join()];
    }
    const c = { k: "k" };
    const j = jit(f, { specialize: { c }, strict: true });
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/create/);
    for (const x of [1, -0, NaN]) expect(outcome(() => j(c, x))).toBe(outcome(() => f(c, x)));
  });

  it("one that escapes is made with a null prototype, its fields in order", () => {
    function f(c: { k: string }, x: unknown) {
      const o = Object.create(null);
      o.__proto__ = x;
      o[c.k] = 1;
      return o;
    }
    const c = { k: "k" };
    const j = jit(f, { specialize: { c }, strict: true });
    for (const x of [1, null, { a: 1 }]) {
      const a = f(c, x), b = j(c, x);
      expect(Object.getPrototypeOf(b)).toBe(null);
      expect(Reflect.ownKeys(b)).toEqual(Reflect.ownKeys(a));
      expect(b.__proto__).toBe(a.__proto__);
    }
  });

  it("a known prototype: its methods fold, guarded, and a write to the prototype is seen", () => {
    const proto = { m(this: { v: number }) { return this.v * 10; } };
    function f(c: { proto: typeof proto }, x: number) {
      const o = Object.create(c.proto);
      o.v = x;
      return o.m() + o.v;
    }
    const c = { proto };
    const j = jit(f, { specialize: { c }, strict: true });
    expect(inspect(j)!.source!).not.toMatch(/create|\.m\(/);
    expect(j(c, 2)).toBe(22);
    proto.m = function (this: { v: number }) { return -this.v; };
    expect(j(c, 2)).toBe(f(c, 2));
    expect(j(c, 2)).toBe(0);
  });
});

describe("Object(o)", () => {
  it("of an object is the object, so the keys of a known configuration fold (lodash's nativeKeys)", () => {
    const overArg = (func: Function, transform: Function) => (arg: unknown) => func(transform(arg));
    const nativeKeys = overArg(Object.keys, Object);
    function matchData(c: Record<string, unknown>, x: Record<string, unknown>) {
      const keys = nativeKeys(c) as string[];
      let ok = true;
      for (const k of keys) ok = ok && Object(x)[k] === c[k];
      return ok;
    }
    const c = { role: "admin", level: 2 };
    const j = jit(matchData, { specialize: { c }, strict: true });
    const src = withoutKeysChecks(inspect(j)!.source!);
    expect(src).not.toMatch(/for \(/); // the keys are known: the loop over them unrolls
    for (const x of [{ role: "admin", level: 2 }, { role: "admin" }, { level: 2 }]) expect(j(c, x)).toBe(matchData(c, x));
    expect(j(c, { role: "admin", level: 2 })).toBe(true);
    expect(j(c, null as never)).toBe(matchData(c, null as never));
    c.level = 3; // guarded at entry
    expect(j(c, { role: "admin", level: 3 })).toBe(true);
  });
});

describe("keys of objects kos made", () => {
  it("for-in and Object.keys give array indices first, ascending, as the engine does", () => {
    function f(c: { k: string }) {
      const o: Record<string, number> = {};
      o.b = 1;
      o[c.k] = 2;
      o["10"] = 3;
      o.a = 4;
      const seen: string[] = [];
      for (const k in o) seen.push(k);
      return [seen.join(), Object.keys(o).join(), Object.values(o).join(), Object.entries(o).join(";")];
    }
    const c = { k: "2" };
    const j = jit(f, { specialize: { c }, strict: true });
    expect(j(c)).toEqual(f(c));
    expect(f(c)[0]).toBe("2,10,b,a");
  });
});

describe("spreads of arrays kos made", () => {
  it("become the items, so the call is specialized", () => {
    function f(c: { n: number }, x: number) {
      const parts = [x, c.n];
      const none: number[] = [];
      return Math.max(...parts, ...none) + Object.keys(Object.assign({ a: 1 }, ...none)).length;
    }
    const c = { n: 3 };
    const j = jit(f, { specialize: { c }, strict: true });
    expect(inspect(j)!.source!).not.toMatch(/\.\.\./);
    for (const x of [1, 5, NaN, -0]) expect(Object.is(j(c, x), f(c, x))).toBe(true);
  });

  it("stay spreads when the program replaced the array iterator", () => {
    const saved = Array.prototype[Symbol.iterator];
    const log: string[] = [];
    function f(c: { n: number }, x: number) {
      const parts = [x, c.n];
      return Math.max(...parts);
    }
    try {
      Array.prototype[Symbol.iterator] = function (this: unknown[]) {
        log.push("iterated");
        return saved.call(this);
      };
      const c = { n: 3 };
      const j = jit(f, { specialize: { c } });
      log.length = 0;
      const r = j(c, 9);
      const iterations = log.length;
      log.length = 0;
      f(c, 9);
      expect(r).toBe(9);
      expect(iterations).toBe(log.length);
      expect(iterations).toBe(1);
    } finally {
      Array.prototype[Symbol.iterator] = saved;
    }
  });
});

describe("a throw nothing in the compile catches", () => {
  it("does not make later reads of an unfrozen configuration dynamic", () => {
    function scale(c: { factor: number }, x: unknown) {
      if (typeof x !== "number") throw new TypeError(`not a number: ${typeof x}`);
      return x * c.factor;
    }
    const c = { factor: 3 };
    const j = jit(scale, { specialize: { c }, strict: true });
    expect(inspect(j)!.source!).toMatch(/return x \* 3;/);
    expect(j(c, 2)).toBe(6);
    expect(outcome(() => j(c, "s"))).toBe(outcome(() => scale(c, "s")));
    c.factor = 5; // the entry guard sees it
    expect(j(c, 2)).toBe(10);
  });

  it("inside a try, what its operand ran still counts for the code after the catch", () => {
    function mk(c: { factor: number }) {
      c.factor = 100;
      return new Error("stop");
    }
    function scale(c: { factor: number }, x: number) {
      try {
        if (x < 0) throw mk(c);
      } catch {
        // swallowed
      }
      return x * c.factor;
    }
    const cA = { factor: 3 }, cB = { factor: 3 };
    const j = jit(scale, { specialize: { c: cB }, scope: { mk } });
    expect(j(cB, -1)).toBe(scale(cA, -1));
    expect(j(cB, 2)).toBe(scale(cA, 2));
  });
});
