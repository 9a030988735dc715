/**
 * Round 13's language probes: constructs whose meaning kos got wrong, each
 * the smallest program that showed it (/work/explore-libs13 repro files).
 * Each either compiles exactly or falls back with the construct named.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const outcome = (f: () => unknown): string => {
  try {
    return JSON.stringify(f()) ?? "undefined";
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

describe("language corners (round 13)", () => {
  const cfg = Object.freeze({ k: 1 });

  it("`delete o?.a` deletes (it was read, and folded to true)", () => {
    const programs = [
      (c: any, o: any) => { const r = delete o?.a; return [r, o && "a" in o, c.k]; },
      (c: any) => { const v: any = { a: 1, b: 2 }; const r = delete v?.a; return [r, v.a, v.b, "a" in v, c.k]; },
      (c: any, o: any, k: string) => [delete o?.[k], o && k in o, delete o?.b?.c, o && o.b, c.k],
    ];
    for (const f of programs) {
      const j = jit(f as (...a: any[]) => unknown, { specialize: { c: cfg } });
      expect(inspect(j)!.tier).toBe(1);
      for (const args of [[{ a: 1, b: { c: 2 } }, "a"], [null, "a"], [{ b: null }, "b"]]) {
        expect(outcome(() => j(cfg, ...structuredClone(args)))).toBe(outcome(() => (f as (...a: any[]) => unknown)(cfg, ...structuredClone(args))));
      }
    }
  });

  it("`(cfg.obj?.m)()` calls `m` on `cfg.obj` (the parentheses keep the reference)", () => {
    const obj = { w: 2, m(this: unknown) { return this === obj; }, k(this: { w: number }) { return this.w; } };
    const c = Object.freeze({ obj, none: null as null | typeof obj });
    const programs = [(x: typeof c) => (x.obj?.m)(), (x: typeof c) => (x.obj?.k)(), (x: typeof c) => (x.none?.k)()];
    for (const f of programs) {
      const j = jit(f, { specialize: { x: c } });
      expect(outcome(() => j(c))).toBe(outcome(() => f(c)));
    }
    expect(outcome(() => programs[1]!(c))).toBe("2");
  });

  it("`var e` in `catch (e)` assigns the catch parameter: falls back, naming it", () => {
    function f(c: { k: number }) {
      try {
        throw 1;
      } catch (e) {
        // eslint-disable-next-line no-var, no-redeclare
        var e = 2;
      }
      return [typeof e, c.k];
    }
    const j = jit(f, { specialize: { c: cfg } });
    expect(inspect(j)!.fallbackReason).toMatch(/^UNSUPPORTED: `var e` inside `catch \(e\)`/);
    expect(j(cfg)).toEqual(f(cfg));
    expect(f(cfg)).toEqual(["undefined", 1]);
  });

  it("default parameters have their own scope: a closure there reads the parameter, and the body's declarations are not visible", () => {
    const f1 = new Function("c", "a = 1", "g = () => a", "var a = 5; return [a, g(), c.k];") as (c: object) => unknown;
    const f2 = new Function("c", "a = h()", "function h() { return 1; } return [a, c.k];") as (c: object) => unknown;
    const fine = new Function("c", "a = 1", "g = () => a", "var b = 5; return [a, g(), b, c.k];") as (c: object) => unknown;
    for (const [f, reason] of [[f1, /^UNSUPPORTED: a closure in a default parameter reads the parameter 'a'/], [f2, /^UNSUPPORTED: a default parameter reads 'h'/], [fine, null]] as const) {
      const j = jit(f, { specialize: { c: cfg } });
      if (reason) expect(inspect(j)!.fallbackReason).toMatch(reason);
      else expect(inspect(j)!.tier).toBe(1);
      expect(outcome(() => j(cfg))).toBe(outcome(() => f(cfg)));
    }
    expect(outcome(() => f1(cfg))).toBe("[5,1,1]");
  });

  it("a guard on an own property that shadows a prototype getter runs no getter once the property is deleted", () => {
    const log: string[] = [];
    const proto = { get j() { log.push("getter"); return 7; } };
    const make = () => Object.defineProperty(Object.create(proto), "j", { value: 2, writable: true, configurable: true, enumerable: true });
    function f(c: { j: number }, x: number) { return x + c.j; }
    const a = make();
    const b = make();
    const j = jit(f, { specialize: { c: b } });
    expect(j(b, 1)).toBe(3);
    delete a.j;
    delete b.j;
    log.length = 0;
    expect(f(a, 1)).toBe(8);
    const plain = [...log];
    log.length = 0;
    expect(j(b, 1)).toBe(8);
    expect(log).toEqual(plain);
  });

  it("what a library hangs on its function reads through the jitted one (`jit(humanizeDuration).humanizer`)", () => {
    function humanize(ms: number, opts?: { unit?: number }) { return `${(ms / (opts?.unit ?? 1000)).toFixed(1)}s`; }
    const h = humanize as typeof humanize & { humanizer: (o: object) => (ms: number) => string; later?: number };
    h.humanizer = (o) => (ms) => humanize(ms, o);
    for (const j of [jit(h), jit(h, { specialize: { opts: Object.freeze({ unit: 60000 }) } })] as Array<typeof h>) {
      expect(j.humanizer({ unit: 1 })(5)).toBe("5.0s");
      h.later = 3;
      expect(j.later).toBe(3);
      delete h.later;
      expect(j.name).toBe("humanize");
    }
    expect(Object.getPrototypeOf(jit(function plain(a: number) { return a; }))).toBe(Function.prototype);
  });

  it("what the original's own prototype holds, and what a bound function carries, read through the jitted one (sweep33 repro-3)", () => {
    // ansi-colors' style functions inherit the `bold` getter from a prototype of the library's own.
    const colors = createRequire(import.meta.url)("ansi-colors") as { red: ((s: string) => string) & { bold: (s: string) => string } };
    for (const j of [jit(colors.red), jit(colors.red, { tiering: { hotCalls: 5 } })] as Array<typeof colors.red>) {
      for (let i = 0; i < 10; i++) expect(j(`x${i}`)).toBe(colors.red(`x${i}`));
      expect(j.bold("x")).toBe(colors.red.bold("x"));
    }
    const proto = Object.setPrototypeOf({ twice(this: (x: number) => number, x: number) { return this(this(x)); } }, Function.prototype);
    const inc = Object.setPrototypeOf(function inc(x: number) { return x + 1; }, proto) as ((x: number) => number) & { twice(x: number): number };
    const ji = jit(inc) as typeof inc;
    expect(ji.twice(1)).toBe(3);
    expect(ji(1)).toBe(2);
    // A bound function's own properties, and nothing its target carries (the original bound function shows none of it).
    function g(this: { k: number }, a: number) { return this.k + a; }
    (g as unknown as { fromTarget: number }).fromTarget = 1;
    const b = g.bind({ k: 1 }) as ((a: number) => number) & { option?: string; fromTarget?: number };
    b.option = "x";
    const jb = jit(b) as typeof b;
    expect(jb(2)).toBe(3);
    expect(jb.option).toBe("x");
    expect(jb.fromTarget).toBe(b.fromTarget);
  });

  it("an original the program froze, sealed or made not extensible gives a jitted function that is so too, and that still tiers up (sweep33)", () => {
    for (const how of ["freeze", "seal", "preventExtensions"] as const) {
      const scale = Object[how](function scale(k: number, x: number) { return k * x; });
      for (const options of [{}, { tiering: { hotCalls: 5 } }, { specialize: { k: 2 } }]) {
        const j = jit(scale, options) as typeof scale;
        expect([Object.isFrozen(j), Object.isSealed(j), Object.isExtensible(j)]).toEqual([Object.isFrozen(scale), Object.isSealed(scale), Object.isExtensible(scale)]);
        for (let i = 0; i < 20; i++) expect(j(2, i)).toBe(2 * i);
        expect(inspect(j)!.fallbackReason).toBeNull();
      }
      const jt = jit(scale, { tiering: { hotCalls: 5 } }) as typeof scale;
      for (let i = 0; i < 20; i++) jt(2, i);
      expect(inspect(jt)!.tier).toBe(1);
      const Point = Object[how](function Point(this: { x: number }, x: number) { this.x = x; });
      const JP = jit(Point, { tiering: { hotCalls: 5 } }) as unknown as new (x: number) => { x: number };
      expect(new JP(3).x).toBe(3);
      expect(new JP(3)).toBeInstanceOf(Point);
    }
  });
});
