/**
 * A failing method call in inlined code names the receiver as the source
 * writes it (compiler/specialize/source-named-calls.ts), though the inlined
 * function's variable is renamed in the residual (`o` → `o_1`).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const message = (f: (...a: any[]) => unknown, ...args: unknown[]) => {
  try {
    return f(...args);
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

function helper(o: any) {
  return o.f();
}
function deepHelper(o: any) {
  const v = o;
  return v.g.h();
}

describe("calls named as the source writes them", () => {
  const c = Object.freeze({ k: 1 });
  it("a helper's parameter that clashes with the caller's own binding", () => {
    function sameName(cfg: unknown, o: any) {
      void cfg;
      return helper(o);
    }
    function otherName(cfg: unknown, x: any) {
      void cfg;
      const o = 1;
      return helper(x) + o;
    }
    for (const f of [sameName, otherName]) {
      const j = jit(f, { specialize: { cfg: c }, scope: { helper } });
      expect(inspect(j)!.tier).toBe(1);
      for (const x of [{ f: 3 }, { f: () => 2 }, {}]) expect(message(j, c, x)).toBe(message(f, c, x));
      expect(message(f, c, {})).toBe("TypeError: o.f is not a function");
    }
  });

  it("a path from a renamed local (`v.g.h()`), and a receiver whose arguments use the name stay exact", () => {
    function viaLocal(cfg: unknown, v: any) {
      void cfg;
      return deepHelper(v);
    }
    const j = jit(viaLocal, { specialize: { cfg: c }, scope: { deepHelper } });
    for (const x of [{ g: {} }, { g: { h: () => 5 } }]) expect(message(j, c, x)).toBe(message(viaLocal, c, x));
    expect(message(viaLocal, c, { g: {} })).toBe("TypeError: v.g.h is not a function");
  });

  it("a string receiver's own method is called without a copy (it cannot fail that way)", () => {
    function ends(s: unknown) {
      return typeof s === "string" && s.endsWith("@x");
    }
    function caller(cfg: unknown, s: unknown) {
      void cfg;
      return ends(s);
    }
    const j = jit(caller, { specialize: { cfg: c }, scope: { ends } });
    expect(inspect(j)!.source).not.toMatch(/\{\s*let s = /);
    for (const s of ["a@x", "b", 3]) expect(j(c, s)).toBe(caller(c, s));
  });
});

describe("calls kos knows will fail (fuzz seed 4019 #58)", () => {
  it("a method absent from a frozen object, called on a renamed parameter, names the parameter", () => {
    function h0(o: any, v: unknown) {
      const w = o;
      return w.unit ? w.unit.scale(v) : o.scale(v);
    }
    const c = Object.freeze({ nested: Object.freeze({ p: 1 }) });
    function prog(c: { nested: object }, o: unknown) {
      return [h0(c.nested, o), o];
    }
    const j = jit(prog, { specialize: { c }, scope: { h0 } });
    expect(inspect(j)!.tier).toBe(1);
    expect(message(j, c, 1)).toBe(message(prog, c, 1));
    expect(message(prog, c, 1)).toBe("TypeError: o.scale is not a function");
  });
});
