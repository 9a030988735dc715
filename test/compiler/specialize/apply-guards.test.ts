/**
 * `g.apply(thisArg, arguments)` where `g.apply` is read at run time (after foreign code): inlined
 * behind `m === Function.prototype.apply`, the other branch calling what was read
 * (compiler/specialize/apply-guards.ts). Each case compares the jitted function with a copy of the
 * original made the same way: values, errors, and the log of side effects in order.
 *
 * Also here: a composed function's step that forwards its own `arguments` (`g.call(this,
 * f.apply(this, arguments))`) inlines; a closure over a parameter of sloppy code that reads only
 * `arguments.length` is read as a constant.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const HOT = { tiering: { hotCalls: 30 } };

/** Sloppy code, as a CommonJS library's is (test files are strict modules). */
const sloppy = <T>(params: string[], body: string, ...values: unknown[]): T => new Function(...params, body)(...values) as T;

type Call = { self?: unknown; args: unknown[] };

/** Each call's value (a function as "a function": each side returns its own), or its error, with the log it wrote. */
function run(f: Function, calls: Call[], log: unknown[]): unknown[] {
  return calls.map(({ self, args }) => {
    try {
      const got: unknown = f.apply(self, args);
      const value = typeof got === "function" ? "a function" : got;
      return { value, log: log.splice(0) };
    } catch (e) {
      return { threw: (e as Error).constructor.name, message: (e as Error).message, log: log.splice(0) };
    }
  });
}

/**
 * A curried function's shell, as a functional library writes it: a placeholder test that reads a
 * property of its argument (foreign code: a getter may run, so `fn.apply` is read at run time),
 * then `fn.apply(this, arguments)` in return position.
 */
const SHELL = `
  return function (fn, log) {
    return function f1(a) {
      if (arguments.length === 0 || (a != null && typeof a === "object" && a["@@placeholder"] === true)) return f1;
      return fn.apply(this, arguments);
    };
  };`;

/** A world: the shell over `fn`, both made fresh, and the log they write. */
function world(strictCallee = false) {
  const log: unknown[] = [];
  const fn = strictCallee
    ? sloppy<Function>(["log"], '"use strict"; return function add(b, c) { log.push(["add", typeof this, b, c, arguments.length]); return b === undefined ? "none" : b + 1; };', log)
    : sloppy<Function>(["log"], "return function add(b, c) { log.push(['add', this === globalThis ? 'global' : typeof this, b, c, arguments.length]); return b === undefined ? 'none' : b + 1; };", log);
  const shell = sloppy<(fn: Function, log: unknown[]) => Function>([], SHELL)(fn, log);
  return { log, fn: fn as Function & { apply: unknown }, shell };
}

/** Calls with objects (the placeholder test reads them), other counts, and receivers. */
const calls: Call[] = Array.from({ length: 240 }, (_, i) => ({
  self: i % 5 === 0 ? { k: i } : i % 7 === 0 ? 3 : undefined,
  args: i % 11 === 10 ? [{ n: i }, "extra"] : i % 13 === 12 ? [] : [{ n: i }],
}));

/** An object whose `@@placeholder` getter logs (foreign code the version must run in order). */
const watched = (log: unknown[], n: number) => ({
  get "@@placeholder"() {
    log.push(["placeholder?", n]);
    return false;
  },
  n,
});

describe("g.apply(this, arguments) with g.apply read at run time", () => {
  it("compiles a sloppy shell whose forward is its last act, and agrees on every call", () => {
    const a = world();
    const b = world();
    const f = jit(b.shell, HOT);
    expect(run(f, calls, b.log)).toEqual(run(a.shell, calls, a.log));
    const info = inspect(f);
    expect(info.fallbackReason).toBeNull();
    expect(info.tier).toBe(1);
  });

  it("honours an `apply` of the program's own put on the function after the version was made, which sees the call's `arguments` (callee, tag, length, mapped writes)", () => {
    const make = () => {
      const w = world();
      const observe = (self: unknown, t: unknown, args: IArguments) => {
        w.log.push(["own apply", self === w.fn, t === globalThis ? "global" : typeof t, args.length, Object.prototype.toString.call(args), args.callee === w.shell, Object.getOwnPropertyDescriptor(args, "callee")?.enumerable]);
        // Writes the parameter of the sloppy shell through its linked `arguments`: nothing reads it after.
        args[0] = "written";
        return ["own", args[0]];
      };
      return { ...w, observe };
    };
    const a = make();
    const b = make();
    const f = jit(b.shell, HOT);
    // Warm: the version is made on Function.prototype.apply.
    const warm = calls.slice(0, 120);
    expect(run(f, warm, b.log)).toEqual(run(a.shell, warm, a.log));
    expect(inspect(f).tier).toBe(1);
    a.fn.apply = function (this: unknown, t: unknown, args: IArguments) { return a.observe(this, t, args); };
    b.fn.apply = function (this: unknown, t: unknown, args: IArguments) { return b.observe(this, t, args); };
    const later = calls.slice(120);
    const expected = run(a.shell, later, a.log);
    expect(expected.some((r) => JSON.stringify(r).includes("own apply"))).toBe(true);
    expect(run(f, later, b.log)).toEqual(expected);
    // Still the version: the user's `apply` took the other branch, not a deopt.
    expect(inspect(f).tier).toBe(1);
  });

  it("reads a getter on `apply` once per call, where the original reads it, whatever it returns", () => {
    const a = world();
    const b = world();
    const f = jit(b.shell, HOT);
    // One argument while tiering profiles: the count is guarded, and the forward inlined behind its test.
    const warm = calls.slice(0, 100).map((c) => ({ ...c, args: [{ n: 1 }] }));
    expect(run(f, warm, b.log)).toEqual(run(a.shell, warm, a.log));
    expect(inspect(f).source).toMatch(/=== \$k_/);
    for (const w of [a, b]) {
      let n = 0;
      Object.defineProperty(w.fn, "apply", {
        configurable: true,
        get() {
          w.log.push("get apply");
          // Function.prototype.apply, then one of the program's, in turn.
          return n++ % 2 === 0 ? Function.prototype.apply : function (this: unknown, _t: unknown, args: IArguments) { w.log.push(["own", args.length]); return "own"; };
        },
      });
    }
    const later = calls.slice(100).map((c, i) => ({ ...c, args: c.args.length ? [watched(a.log, i)] : [] }));
    const laterB = calls.slice(100).map((c, i) => ({ ...c, args: c.args.length ? [watched(b.log, i)] : [] }));
    expect(run(f, laterB, b.log)).toEqual(run(a.shell, later, a.log));
  });

  it("throws the engine's error where `apply` is not callable", () => {
    const a = world();
    const b = world();
    const f = jit(b.shell, HOT);
    const warm = calls.slice(0, 100);
    expect(run(f, warm, b.log)).toEqual(run(a.shell, warm, a.log));
    a.fn.apply = 5;
    b.fn.apply = 5;
    const later = calls.slice(100, 140);
    const expected = run(a.shell, later, a.log);
    expect(expected.some((r) => (r as { message?: string }).message === "fn.apply is not a function")).toBe(true);
    expect(run(f, later, b.log)).toEqual(expected);
    expect(inspect(f).tier).toBe(1);
  });

  it("forwards `this` as the sloppy shell sees it (the global object, a boxed primitive) to a sloppy or strict callee", () => {
    for (const strictCallee of [false, true]) {
      const a = world(strictCallee);
      const b = world(strictCallee);
      const f = jit(b.shell, HOT);
      expect(run(f, calls, b.log)).toEqual(run(a.shell, calls, a.log));
      expect(inspect(f).tier).toBe(1);
    }
  });

  it("reads a proxy function's `apply` through its trap, once", () => {
    const make = () => {
      const w = world();
      const proxy = new Proxy(w.fn, {
        get(t, k, r) {
          if (k === "apply") w.log.push("trap apply");
          return Reflect.get(t, k, r);
        },
      });
      const shell = sloppy<(fn: Function, log: unknown[]) => Function>([], SHELL)(proxy, w.log);
      return { ...w, shell };
    };
    const a = make();
    const b = make();
    const f = jit(b.shell, HOT);
    expect(run(f, calls, b.log)).toEqual(run(a.shell, calls, a.log));
    expect(inspect(f).fallbackReason).toBeNull();
  });

  it("in strict code, reads the parameter and `arguments` after the forward as the original does (an own `apply` writes the list)", () => {
    const body = `"use strict";
      return function (fn, log) {
        return function (a) {
          if (a != null && typeof a === "object" && a.skip === true) return "skip";
          var r = fn.apply(this, arguments);
          return [a, arguments[0], arguments.length, r];
        };
      };`;
    const make = () => {
      const log: unknown[] = [];
      const fn = (x: unknown) => ["inner", x];
      const shell = sloppy<(fn: Function, log: unknown[]) => Function>([], body)(fn, log);
      return { log, fn: fn as Function & { apply: unknown }, shell };
    };
    const a = make();
    const b = make();
    const f = jit(b.shell, HOT);
    const strictCalls = calls.map((c) => ({ ...c, args: c.args.length === 0 ? [] : [{ n: c.args.length }] }));
    expect(run(f, strictCalls.slice(0, 120), b.log)).toEqual(run(a.shell, strictCalls.slice(0, 120), a.log));
    expect(inspect(f).tier).toBe(1);
    // Writes the list, its length too: `arguments.length` after the call is read, not the guarded
    // count (it was folded to 1 after the object escaped, a wrong result on main at c14956b).
    for (const w of [a, b]) w.fn.apply = (_t: unknown, args: unknown[]) => ((args[0] = "written"), (args.length = 3), "own");
    expect(run(f, strictCalls.slice(120), b.log)).toEqual(run(a.shell, strictCalls.slice(120), a.log));
  });

  it("inlines a strict forward that is the function's last act behind its test", () => {
    const body = `"use strict";
      return function (fn) {
        return function (a) {
          if (a != null && typeof a === "object" && a.skip === true) return "skip";
          return fn.apply(this, arguments);
        };
      };`;
    const make = () => {
      const log: unknown[] = [];
      const fn = (x: unknown) => ["inner", x];
      return { log, fn: fn as Function & { apply: unknown }, shell: sloppy<(fn: Function) => Function>([], body)(fn) };
    };
    const a = make();
    const b = make();
    const f = jit(b.shell, HOT);
    const one = calls.map((c) => ({ ...c, args: [{ n: c.args.length }] }));
    expect(run(f, one.slice(0, 120), b.log)).toEqual(run(a.shell, one.slice(0, 120), a.log));
    expect(inspect(f).source).toContain('"inner"');
    for (const w of [a, b]) w.fn.apply = (_t: unknown, args: unknown[]) => (w.log.push(["own", args.length]), "own");
    expect(run(f, one.slice(120), b.log)).toEqual(run(a.shell, one.slice(120), a.log));
    expect(inspect(f).tier).toBe(1);
  });

  it("falls back where sloppy code reads a parameter after handing its linked `arguments` on, or a closure names one", () => {
    for (const body of [
      "return function (fn) { return function (a) { if (a != null && a.p === 1) return 0; var n = fn.apply(this, arguments); return [a, n]; }; };",
      "return function (fn) { return function (a) { var get = function () { return a; }; if (a != null && a.p === 1) return get; return fn.apply(this, arguments); }; };",
      "return function (fn) { return function (a) { try { if (a != null && a.p === 1) return 0; return fn.apply(this, arguments); } finally { fn.last = a; } }; };",
    ]) {
      const inner = (x: unknown) => x;
      const original = sloppy<(fn: Function) => Function>([], body)(inner);
      const f = jit(sloppy<(fn: Function) => Function>([], body)((x: unknown) => x), HOT);
      const some = calls.slice(0, 100);
      expect(run(f, some, [])).toEqual(run(original, some, []));
      expect(inspect(f).fallbackReason).toMatch(/^USES_ARGUMENTS/);
    }
  });
});

describe("a composed function's step that forwards its own arguments", () => {
  const PIPE = "return function (f, g) { return function () { return g.call(this, f.apply(this, arguments)); }; };";
  const ARITY1 = "return function (fn) { return function (a0) { return fn.apply(this, arguments); }; };";

  it("inlines through `f.apply(this, arguments)` of an inlined step, and agrees on every call", () => {
    const make = () => {
      const pipe = sloppy<(f: Function, g: Function) => Function>([], PIPE);
      const arity1 = sloppy<(fn: Function) => Function>([], ARITY1);
      const inc = (x: unknown) => (typeof x === "number" ? x + 1 : x);
      const dbl = (x: unknown) => (typeof x === "number" ? x * 2 : String(x));
      return arity1(pipe(pipe(inc, dbl), inc));
    };
    const original = make();
    const f = jit(make(), HOT);
    const pipeCalls: Call[] = Array.from({ length: 300 }, (_, i) => ({ self: i % 9 === 0 ? { k: i } : undefined, args: i > 100 && i % 17 === 16 ? [i, "extra"] : i > 100 && i % 19 === 18 ? ["s"] : [i % 3 === 0 ? -0 : i] }));
    expect(run(f, pipeCalls, [])).toEqual(run(original, pipeCalls, []));
    const info = inspect(f);
    expect(info.tier).toBe(1);
    expect(info.source).not.toMatch(/\.apply\(|\.call\(/);
  });

  it("honours an `apply` of the program's own on a step put there later", () => {
    const make = () => {
      const log: unknown[] = [];
      const pipe = sloppy<(f: Function, g: Function) => Function>([], PIPE);
      const arity1 = sloppy<(fn: Function) => Function>([], ARITY1);
      const inc = (x: unknown) => (typeof x === "number" ? x + 1 : x);
      const dbl = (x: unknown) => (typeof x === "number" ? x * 2 : String(x));
      return { log, inc: inc as Function & { apply?: unknown }, f: arity1(pipe(inc, dbl)) };
    };
    const a = make();
    const b = make();
    const f = jit(b.f, HOT);
    const some: Call[] = Array.from({ length: 200 }, (_, i) => ({ args: [i] }));
    expect(run(f, some.slice(0, 100), b.log)).toEqual(run(a.f, some.slice(0, 100), a.log));
    expect(inspect(f).tier).toBe(1);
    for (const w of [a, b]) w.inc.apply = (_t: unknown, args: IArguments) => (w.log.push(["own", args.length, Object.prototype.toString.call(args)]), 7);
    expect(run(f, some.slice(100), b.log)).toEqual(run(a.f, some.slice(100), a.log));
  });
});

describe("a closure over a parameter of sloppy code that reads only `arguments.length`", () => {
  it("reads the parameter as a constant, and agrees", () => {
    const CURRY2 = "return function (fn) { return function f2(a, b) { switch (arguments.length) { case 0: return f2; case 1: return function (_b) { return fn(a, _b); }; default: return fn(a, b); } }; };";
    const add = (x: number, y: number) => x + y;
    const original = sloppy<(fn: Function) => Function>([], CURRY2)(add)(3);
    const add3 = sloppy<(fn: Function) => Function>([], CURRY2)(add)(3);
    const f = jit(add3, { specialize: {} });
    for (const x of [1, -0, NaN, 2.5, "s"]) expect(Object.is(f(x), original(x))).toBe(true);
    expect(inspect(f).source).toMatch(/3 \+/);
  });

  it("still reads it at run time where the function writes `arguments` (which writes the parameter)", () => {
    const body = "return function (fn) { return function f2(a) { var g = function (_b) { return fn(a, _b); }; arguments[0] = 10; return g; }; };";
    const add = (x: number, y: number) => x + y;
    const original = sloppy<(fn: Function) => Function>([], body)(add)(3);
    const g = jit(sloppy<(fn: Function) => Function>([], body)(add)(3), { specialize: {} });
    for (const x of [1, 2]) expect(g(x)).toBe(original(x));
    expect(original(1)).toBe(11);
  });
});
