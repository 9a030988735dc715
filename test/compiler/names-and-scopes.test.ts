/**
 * Names in generated code mean what they meant in the source (sweep41): kos's
 * temporaries and its own `$k_` names never capture a global an inlined helper
 * reads, an indirect `eval` stays indirect, `{ __proto__ }` stays an own key,
 * an arrow's `arguments` stays its own function's, and a read kept only for
 * its effect (an undeclared global, a getter of the global object) still runs.
 */
import vm from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { inspect, jit } from "../../index.js";

const g = globalThis as Record<string, unknown>;
const defined: string[] = [];
function defineGlobal(name: string, d: PropertyDescriptor): void {
  Object.defineProperty(globalThis, name, { configurable: true, ...d });
  defined.push(name);
}
afterEach(() => {
  for (const name of defined.splice(0)) delete g[name];
});

const cfg = Object.freeze({ n: 3 });
function compiled<F extends Function>(f: F): F {
  const j = jit(f, { specialize: { c: cfg } });
  expect(inspect(j)!.fallbackReason).toBe(null);
  return j;
}

describe("names in a version mean what the source's names meant", () => {
  it("a global an inlined helper reads is not one of kos's temporaries", () => {
    const acc = (key: number) => key + 3;
    // The helper reads `arg` as a global (kos names an argument's temporary `arg`), inlined after
    // the calls of `acc` made kos's temporaries; first undeclared, then a real global.
    const L = new Function("d", "return [typeof arg, typeof arg === 'undefined' ? null : arg, d];") as (d: number) => unknown[];
    function f(c: typeof cfg, x: number) {
      let fn = x;
      fn += acc(fn);
      fn += acc(fn) * c.n;
      return L(fn);
    }
    expect(compiled(f)(cfg, 1)).toEqual(["undefined", null, 29]);
    defineGlobal("arg", { value: "G", writable: true });
    expect(compiled(f)(cfg, 1)).toEqual(["string", "G", 29]);
  });

  it("a global named like kos's own names, read by an inlined helper", () => {
    defineGlobal("$k_generic", { value: 1000, writable: true });
    const helper = new Function("x", "return $k_generic + x;") as (x: number) => number;
    function f(c: typeof cfg, x: number) {
      return helper(x * c.n);
    }
    expect(compiled(f)(cfg, 1)).toBe(1003);
  });

  it("a function named like kos's own names runs the original when a guard fails", () => {
    const api = { $k_generic: function (c: { n: number }, x: number) { return x * c.n; } };
    const j = compiled(api.$k_generic);
    expect(j({ n: 5 }, 2)).toBe(10);
    const api2 = { $k_calls: function (c: { n: number }, x: number) { return x * c.n; } };
    expect(jit(api2.$k_calls, { specialize: { c: cfg } })({ n: 2 }, 3)).toBe(6);
  });

  it("an indirect eval stays indirect, and `typeof (0, x)` reads x", () => {
    defineGlobal("x", { value: "global-x", writable: true });
    const f = function (c: typeof cfg, x: string) {
      return [(0, eval)("x"), (0, eval)("typeof c"), c.n, x];
    };
    expect(compiled(f)(cfg, "param-x")).toEqual(["global-x", "undefined", 3, "param-x"]);
    const t = function (c: typeof cfg) {
      try {
        // @ts-expect-error: an undeclared name, on purpose
        return typeof (0, notDeclaredAnywhere41) + c.n;
      } catch (e) {
        return (e as Error).constructor.name;
      }
    };
    expect(compiled(t)(cfg)).toBe("ReferenceError");
  });

  it("`{ __proto__ }` makes an own key, not a prototype", () => {
    const P = { inherited: true };
    const c = Object.freeze({ n: 3, p: P });
    function f(k: typeof c, x: number) {
      const __proto__ = k.p;
      const o = { __proto__, x };
      return [Object.getPrototypeOf(o) === Object.prototype, Object.keys(o).join()];
    }
    const j = jit(f, { specialize: { k: c } });
    expect(j(c, 1)).toEqual(f(c, 1));
    expect(j(c, 1)).toEqual([true, "__proto__,x"]);
  });

  it("an arrow in an inlined helper reads the helper's `arguments`", () => {
    function h(v: number) {
      // eslint-disable-next-line prefer-rest-params
      return () => (arguments[0] as number) + v;
    }
    function f(c: typeof cfg, x: number) {
      return [h(x)(), h(c.n)()];
    }
    expect(compiled(f)(cfg, 1)).toEqual([2, 6]);
  });

  it("a read kept only for its effect still runs: an undeclared global throws, a global getter runs", () => {
    const f = new Function("c", "x", "let r = 0; try { notDeclaredAnywhere41b; } catch (e) { r = e.constructor.name; } return [r, c.n];") as (c: typeof cfg, x: number) => unknown[];
    expect(compiled(f)(cfg, 1)).toEqual(["ReferenceError", 3]);
    const log: string[] = [];
    defineGlobal("tracked41", { get: () => (log.push("get"), 1) });
    const t = new Function("c", "x", "tracked41; return x + c.n;") as (c: typeof cfg, x: number) => number;
    expect(compiled(t)(cfg, 1)).toBe(4);
    expect(log).toEqual(["get"]);
  });
  it("sloppy code: a block's function declaration is also the function's var (Annex B)", () => {
    const make = new Function(`
      function h(v) { { function c() { return v; } } return typeof c === "function" ? c() : "none"; }
      function f(c0, x) { return [h(x), c0.n]; }
      function g(c0, x) { switch (x) { case 1: function k() { return 1; } } return [typeof k, c0.n]; }
      return { f, g };`) as () => { f: (c: typeof cfg, x: number) => unknown; g: (c: typeof cfg, x: number) => unknown };
    const { f, g: sw } = make();
    const jf = jit(f, { specialize: { c0: cfg } });
    expect(jf(cfg, 5)).toEqual([5, 3]);
    const jg = jit(sw, { specialize: { c0: cfg } });
    expect(jg(cfg, 1)).toEqual(["function", 3]);
    expect(inspect(jg)!.fallbackReason).toMatch(/^UNSUPPORTED: .*'k' in a block of sloppy code/);
  });

  it("sloppy code that reads a function's legacy `caller` or `arguments`", () => {
    const make = new Function(`
      function f(c0, x) {
        function who() { return who.caller === outer ? "outer" : who.caller === null ? "null" : typeof who.caller; }
        function outer() { return who(); }
        return [outer(), c0.n, x];
      }
      const g = function self(c0, x) { return [self.arguments ? self.arguments.length : "none", c0.n]; };
      return { f, g };`) as () => { f: (c: typeof cfg, x: number, y?: number) => unknown; g: (c: typeof cfg, x: number, y?: number) => unknown };
    const { f, g: self } = make();
    expect(jit(f, { specialize: { c0: cfg } })(cfg, 1)).toEqual(["outer", 3, 1]);
    expect(jit(self, { specialize: { c0: cfg } })(cfg, 1, 3)).toEqual([3, 3]);
  });
  it("a classic script's top-level `let` another script reassigns", () => {
    const f = vm.runInThisContext("let cfg41 = { n: 1 }; (function f41(x) { return cfg41.n + x; })", { filename: "script41a.js" }) as (x: number) => number;
    const j = jit(f, { specialize: {} });
    expect(j(1)).toBe(2);
    vm.runInThisContext("cfg41 = { n: 100 };", { filename: "script41b.js" });
    expect(j(1)).toBe(101);
    expect(inspect(j)!.fallbackReason ?? "").toMatch(/cfg41.*classic script|^$/);
  });
});
