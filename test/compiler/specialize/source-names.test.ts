/**
 * A failing method call in inlined code names the receiver as the source
 * writes it (compiler/specialize/source-names.ts), though the inlined
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

/**
 * `jitted` agrees with `f` on each key, and on keys whose `toString` logs (`"a"` and `"b"` again):
 * the same result or message, and each key converted as often.
 */
function sameWithKeys(f: (...a: any[]) => unknown, jitted: (...a: any[]) => unknown, args: (k: unknown) => unknown[], keys: string[]): void {
  const log: string[] = [];
  const key = (s: string) => ({ toString: () => (log.push(s), s) });
  for (const k of [...keys, key("a"), key("b")]) {
    log.length = 0;
    const plain = message(f, ...args(k));
    const plainLog = log.join();
    log.length = 0;
    expect(message(jitted, ...args(k))).toEqual(plain);
    expect(log.join()).toBe(plainLog);
  }
}

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

describe("a method key the source computes from a variable kos folded", () => {
  it("names the key as written: obj[name] is not a function (json-logic-engine, jsonpath)", () => {
    function callMethod(obj: any, name: string) {
      return obj[name]();
    }
    function viaHelper(cfg: { name: string }, y: any) {
      return callMethod(y, cfg.name);
    }
    const j1 = jit(callMethod, { specialize: { name: "filter" } });
    const j2 = jit(viaHelper, { specialize: { cfg: { name: "filter" } }, scope: { callMethod } });
    expect(inspect(j1)!.tier).toBe(1);
    expect(inspect(j2)!.tier).toBe(1);
    for (const y of [3, {}, [1, 2], { filter: () => "own" }, "text"]) {
      expect(message(j1, y, "filter")).toEqual(message(callMethod, y, "filter"));
      expect(message(j2, { name: "filter" }, y)).toEqual(message(viaHelper, { name: "filter" }, y));
    }
    expect(message(callMethod, 3, "filter")).toBe("TypeError: obj[name] is not a function");
  });
});

describe("a function the source calls by its own name", () => {
  function g(o: any) {
    return o.fn;
  }
  function local(o: any) {
    const g = o.fn;
    return g;
  }
  it("is referenced under that name: the engine's message names it as written", () => {
    const cfg = { k: 1 };
    const spread = (c: typeof cfg, o: any) => [...g(o)].length + c.k;
    const method = (c: typeof cfg, o: any) => g(o).call(null) + c.k;
    for (const f of [spread, method]) {
      const j = jit(f, { specialize: { c: cfg }, scope: { g } });
      expect(inspect(j)!.tier).toBe(1);
      for (const o of [{}, { fn: 1 }, { fn: () => 2 }, { fn: [1, 2] }]) expect(message(j, cfg, o)).toEqual(message(f, cfg, o));
    }
    expect(message(spread, cfg, {})).toBe("TypeError: g is not a function or its return value is not iterable");
    // Inlined, `g`'s result is held in a variable: called, it is named as the source's call.
    const called = (c: typeof cfg, o: any) => g(o)(c.k, o);
    const j = jit(called, { specialize: { c: cfg }, scope: { g } });
    expect(inspect(j)!.tier).toBe(1);
    for (const o of [{}, { fn: (k: number) => k + 1 }, { fn: 3 }, { fn: class {} }]) expect(message(j, cfg, o)).toEqual(message(called, cfg, o));
    expect(message(called, cfg, {})).toBe("TypeError: g(...) is not a function");
    const made = (c: typeof cfg, o: any) => new (g(o))(c.k);
    const jm = jit(made, { specialize: { c: cfg }, scope: { g } });
    expect(inspect(jm)!.tier).toBe(1);
    for (const o of [{}, { fn: class { k = 1; } }, { fn: 3 }]) expect(message(jm, cfg, o)).toEqual(message(made, cfg, o));
    expect(message(made, cfg, {})).toBe("TypeError: g(...) is not a constructor");
    expect(message(method, cfg, { fn: 1 })).toBe("TypeError: g(...).call is not a function");
  });

  it("an optional call in an inlined callee names its receiver as the source does (`o?.f`, not `o_1?.f`)", () => {
    // Written as source text: the test's own transform may lower `?.` to a conditional.
    const h = new Function("o", "return o?.f();");
    const cfg = { k: 1 };
    const caller = new Function("h", "return (c, o) => { const r = h(o); return [r, c.k]; };")(h) as (c: typeof cfg, o: any) => unknown;
    const j = jit(caller, { specialize: { c: cfg } });
    expect(inspect(j)!.tier).toBe(1);
    for (const o of [null, {}, { f: () => 2 }, { f: 3 }]) expect(message(j, cfg, o)).toEqual(message(caller, cfg, o));
    expect(message(caller, cfg, {})).toBe("TypeError: o?.f is not a function");
  });

  it("and under a name of kos's where the output has that name already", () => {
    const cfg = { k: 1 };
    const both = (c: typeof cfg, o: any) => [g(o).call(null), local(o)(), c.k];
    const j = jit(both, { specialize: { c: cfg }, scope: { g, local } });
    expect(inspect(j)!.tier).toBe(1);
    for (const o of [{}, { fn: () => 2 }, { fn: 3 }]) expect(message(j, cfg, o)).toEqual(message(both, cfg, o));
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

describe("other operations whose errors name the operand (fuzz seeds 4024, 4025)", () => {
  function mk(o: any) {
    return new o();
  }
  function des(o: any) {
    const { p } = o;
    return p;
  }
  function iter(o: any) {
    for (const e of o) return e;
    return 0;
  }
  function desNull(o: any, v: number) {
    if (v === 3) {
      const { p } = o;
      return p;
    }
    return v;
  }
  function desArr(o: any) {
    const [f] = o;
    return f;
  }
  const cfg = Object.freeze({ k: 1 });
  const cases: Array<[string, (c: typeof cfg, y: unknown) => unknown, Record<string, Function>]> = [
    // V8 words array destructuring by its form: a declaration "o is not iterable", an assignment
    // "number 127 is not iterable (…)" (fuzz seed 24301 #297).
    ["array destructuring declared from a parameter bound to the caller's variable", (c, y) => [c.k, desArr(y)], { desArr }],
    // A known number: the loop header is kept as written, under the source's name (fuzz seed 4027 #1626).
    ["for-of over a parameter bound to a known number", (c) => iter(c.k + 1), { iter }],
    ["new on a parameter bound to the caller's variable", (c, y) => [c.k, mk(y)], { mk }],
    ["new on a parameter bound to a constant", (c) => mk(c), { mk }],
    ["destructuring a parameter bound to the caller's variable", (c, y) => [c.k, des(y)], { des }],
    ["destructuring a parameter bound to null", (c) => [c.k, desNull(null, 3)], { desNull }],
    ["for-of over a parameter bound to the caller's variable", (c, y) => [c.k, iter(y)], { iter }],
    ["for-of over a parameter bound to a constant object", (c) => iter(c), { iter }],
  ];
  for (const [label, f, scope] of cases) {
    it(label, () => {
      const j = jit(f, { specialize: { c: cfg }, scope });
      expect(inspect(j)!.tier).toBe(1);
      for (const y of [null, 3, {}, [7], class {}]) {
        const a = message(f, cfg, y);
        const b = message(j, cfg, y);
        if (typeof a === "string") expect(b).toBe(a);
        else expect(String(b)).toBe(String(a));
      }
    });
  }
});

describe("an inlined callee's parameter pattern fails in the parameter's words", () => {
  function pick({ a, b = 2 }: any) {
    return a + b;
  }
  function computed({ ["k"]: a }: any) {
    return a;
  }
  function withDefault({ a }: any = {}) {
    return a;
  }
  const cases: Array<[string, (c: { n: number }, v: any) => unknown]> = [
    ["a property", (c, v) => pick(v) + c.n],
    ["a computed key", (c, v) => computed(v) ?? c.n],
    ["a pattern with a default", (c, v) => withDefault(v) ?? c.n],
    ["a constant null argument", (c) => pick(null) + c.n],
  ];
  for (const [label, f] of cases) {
    it(`${label}: "Cannot destructure … of 'object null'", as the original`, () => {
      const cfg = { n: 1 };
      const j = jit(f, { specialize: { c: cfg }, scope: { pick, computed, withDefault } });
      expect(inspect(j)!.tier).toBe(1);
      for (const v of [null, undefined, {}, { a: 1, k: 2 }, 3]) expect(message(j, cfg, v)).toEqual(message(f, cfg, v));
    });
  }

  it("a specialized receiver is read as `this`: `this[ev]()` fails naming `this`, not kos's constant (round 13)", () => {
    const obj = { n: 1, run() { return this.n; } };
    // `this.n` folds (a version is made); the rest is read as written. Without it, the code would be
    // the original's own, and the original would run (NOTHING_SPECIALIZED).
    function step(this: any, ev: string) {
      return this.n + (ev === "go" ? this.go() : this[ev]());
    }
    const j = jit(step, { specialize: { this: obj } });
    expect(inspect(j)!.tier).toBe(1);
    for (const ev of ["run", "go", "nope", "n"]) expect(message((e: string) => j.call(obj, e), ev)).toBe(message((e: string) => step.call(obj, e), ev));
    expect(message((e: string) => step.call(obj, e), "nope")).toBe("TypeError: this[ev] is not a function");
    // A local alias of the receiver, read in a callback (whose own `this` is another), keeps its name too.
    function viaInner(this: any, ev: string) {
      const self = this;
      return [1].map(function (this: unknown) { return self[ev](); })[0];
    }
    const k = jit(viaInner, { specialize: { this: obj } });
    for (const ev of ["run", "nope"]) expect(message((e: string) => k.call(obj, e), ev)).toBe(message((e: string) => viaInner.call(obj, e), ev));
  });

  it("a method read from a folded path by a variable key names the path (`cfg.fns[k]()`), converting the key once (round 13)", () => {
    const cfg = Object.freeze({ fns: Object.freeze({ a: (x: number) => x + 1, b: 5 }) });
    function call(cfg: any, k: unknown, x: number) {
      return cfg.fns[k](x);
    }
    const j = jit(call, { specialize: { cfg } });
    // Read as written (to name the path), nothing is folded: the original runs.
    expect(inspect(j)!.fallbackReason).toMatch(/^NOTHING_SPECIALIZED: /);
    sameWithKeys(call, j, (k) => [cfg, k, 1], ["a", "b", "zz"]);
    expect(message(call, cfg, "b", 1)).toBe("TypeError: cfg.fns[k] is not a function");
  });

  it("for-of over a keyed path names it as V8 prints it: `o[k]`, `o[q.j]`, `o.a b` for `o[\"a b\"]`, `o[16]` for `o[0x10]` (round 13)", () => {
    const cfg = Object.freeze({ scale: 2 });
    const programs = [
      new Function("cfg", "o", "k", "q", "let s = 0; for (const x of o[k]) s += x * cfg.scale; return s;"),
      new Function("cfg", "o", "k", "q", "let s = 0; for (const x of o[q.j]) s += x * cfg.scale; return s;"),
      new Function("cfg", "o", "k", "q", 'let s = 0; for (const x of o["a b"]) s += x * cfg.scale; return s;'),
      new Function("cfg", "o", "k", "q", "let s = 0; for (const x of o[0x10]) s += x * cfg.scale; return s;"),
    ] as Array<(...a: unknown[]) => unknown>;
    for (const f of programs) {
      const j = jit(f, { specialize: { cfg } });
      expect(inspect(j)!.tier).toBe(1);
      for (const o of [{ a: [1, 2], "a b": 5, 16: new Date(0) }, { a: null, "a b": undefined, 16: 3 }, { a: [3], "a b": [4], 16: [5] }]) {
        expect(message(j, cfg, o, "a", { j: "a" })).toBe(message(f, cfg, o, "a", { j: "a" }));
      }
    }
    expect(message(programs[2]!, cfg, {}, "a", {})).toBe("TypeError: o.a b is not iterable");
  });

  it("a closure from an inlined function reads its captured locals under their source names (acorn-walk's `visitor_1[n.type]`, round 13), where exact", () => {
    const FUNCS = Object.freeze({ Id: (n: { name: string }) => n.name, k: 3, a: () => 1 });
    function recursive(node: unknown, funcs: object) {
      var visitor: any = Object.assign({}, funcs);
      return (function c(n: any): unknown { return visitor[n.type](n); })(node);
    }
    function run(node: unknown, funcs: object) {
      var visitor = 1;
      return (recursive(node, funcs) as string) + visitor;
    }
    // A hoisted `var` read by a closure before its initialisation, and after.
    function early(_x: unknown, funcs: any) {
      var g = function () { return typeof visitor + ":" + (visitor ? visitor.k : "-"); };
      var before = g();
      var visitor = funcs;
      return before + "/" + g();
    }
    function runEarly(x: unknown, funcs: object) {
      var visitor = 0;
      return early(x, funcs) + visitor;
    }
    function arrow(list: string[], funcs: any) {
      var visitor = funcs;
      return list.map((n) => visitor[n]());
    }
    function runArrow(list: string[], funcs: object) {
      const visitor = 2;
      return arrow(list, funcs).length + visitor;
    }
    const cases: Array<[(...a: any[]) => unknown, unknown[]]> = [
      [run, [{ type: "Id", name: "z" }, FUNCS]], [run, [{ type: "Nope" }, FUNCS]], [runEarly, [1, FUNCS]], [runArrow, [["a"], FUNCS]], [runArrow, [["a", "b"], FUNCS]],
    ];
    for (const [f, args] of cases) {
      const j = jit(f, { specialize: { funcs: FUNCS }, scope: { recursive, early, arrow } });
      expect(inspect(j)!.tier).toBe(1);
      expect(message(j, ...args)).toBe(message(f, ...args));
    }
    expect(message(run, { type: "Nope" }, FUNCS)).toBe("TypeError: visitor[n.type] is not a function");
    expect(message(runArrow, ["b"], FUNCS)).toBe("TypeError: visitor[n] is not a function");
  });

  it("for-of over a call's result names the callee as V8 does: \"o.get is not a function or its return value is not iterable\" (round 13)", () => {
    const cfg = Object.freeze({ k: 2 });
    const programs = [
      (c: typeof cfg, o: { get(): unknown }) => { let s = 0; for (const x of o.get() as number[]) s += x * c.k; return s; },
      (c: typeof cfg, _o: unknown, f: () => unknown) => { let s = 0; for (const x of f() as number[]) s += x * c.k; return s; },
    ];
    for (const f of programs) {
      const j = jit(f as (...a: any[]) => unknown, { specialize: { c: cfg } });
      expect(inspect(j)!.tier).toBe(1);
      for (const v of [null, 5, {}, [1, 2], new Date(0)]) expect(message(j, cfg, { get: () => v }, () => v)).toBe(message(f as (...a: any[]) => unknown, cfg, { get: () => v }, () => v));
    }
  });

  it("a parameter's object pattern with a default names what it destructures as V8 does (it named kos's `r_4`)", () => {
    const cfg = Object.freeze({ k: 3, bDefault: 11 });
    const log: string[] = [];
    function g(c: typeof cfg, a: number, b = (log.push("defB"), c.bDefault), { x, y = (log.push("defY"), 2) }: { x: number; y?: number } = (log.push("defObj"), { x: 1 })) {
      return [a, b, x, y];
    }
    const j = jit(g, { specialize: { c: cfg } });
    expect(inspect(j)!.tier).toBe(1);
    for (const v of [undefined, null, { x: 5 }, { x: 5, y: 6 }]) {
      log.length = 0;
      const plain = message(g, cfg, 1, undefined, v);
      const plainLog = log.join();
      log.length = 0;
      expect(message(j, cfg, 1, undefined, v)).toEqual(plain);
      expect(log.join()).toBe(plainLog);
    }
    expect(message(g, cfg, 1, undefined, null)).toBe("TypeError: Cannot destructure property 'x' of '(intermediate value)(intermediate value)(intermediate value)' as it is null.");
  });

  it("a nested pattern keeps its shape: a failure inside it reads as V8 words it (\"Cannot read properties of undefined (reading 'y')\"), getters in order", () => {
    const cfg = Object.freeze({ k: 1 });
    const log: string[] = [];
    const getter = (name: string, v: unknown) => ({ get [name]() { log.push(`get ${name}`); return v; } });
    const programs = [
      new Function("cfg", "o", "const {x: {y}, z = 3} = o; return [y, z, cfg.k];"),
      new Function("cfg", "o", "let a, b; ({x: [a, {b} = {b: 9}]} = o); return [a, b, cfg.k];"),
      new Function("cfg", "o", "const [[p, q] = [1, 2], ...rest] = o; return [p, q, rest, cfg.k];"),
      new Function("cfg", "o", "const {x: {...r}} = o; return [r, cfg.k];"),
    ] as Array<(...a: unknown[]) => unknown>;
    const inputs = () => [{ x: { y: 1 } }, { x: undefined }, { x: null }, {}, { x: [5, undefined] }, { x: [5, null] }, [[1], 2, 3], [undefined], [null], getter("x", { y: 7 }), { x: getter("y", 8) }, null, 5];
    let compiled = 0;
    for (const f of programs) {
      const j = jit(f, { specialize: { cfg } });
      if (inspect(j)!.tier === 1) compiled++;
      for (let i = 0; i < inputs().length; i++) {
        log.length = 0;
        const plain = message(f, cfg, inputs()[i]);
        const plainLog = log.join();
        log.length = 0;
        expect(message(j, cfg, inputs()[i])).toEqual(plain);
        expect(log.join()).toBe(plainLog);
      }
    }
    // (The second falls back: its default's key `b` counts, conservatively, as a read of the pattern's `b`.)
    expect(compiled).toBe(3);
    expect(message(programs[0]!, cfg, { x: null })).toBe("TypeError: Cannot read properties of null (reading 'y')");
  });

  it("the jitted function's own object-pattern parameter fails as a parameter does: \"… of 'object null'\", not kos's `arg`", () => {
    const cfg = Object.freeze({ k: 1 });
    const programs = [
      new Function("cfg", "{x}", "return [x, cfg.k];"),
      new Function("cfg", "{x, y: {z} = {}}", "return [x, z, cfg.k];"),
      new Function("cfg", "{}", "return cfg.k;"),
    ] as Array<(...a: unknown[]) => unknown>;
    for (const f of programs) {
      const j = jit(f, { specialize: { cfg } });
      expect(inspect(j)!.tier).toBe(1);
      for (const v of [undefined, null, {}, { x: 5 }, { x: 1, y: null }, 3]) expect(message(j, cfg, v)).toEqual(message(f, cfg, v));
    }
    expect(message(programs[0]!, cfg, null)).toBe("TypeError: Cannot destructure property 'x' of 'object null' as it is null.");
  });

  it("`new` of a constructor read from a folded path by a variable key names the path (`new cfg.ctors[k]()`), converting the key once", () => {
    class A { constructor(readonly x: number) {} }
    const cfg = Object.freeze({ ctors: Object.freeze({ a: A, b: 5, c: () => 1 }) });
    function make(c: any, k: unknown, x: number) {
      return new c.ctors[k](x);
    }
    const j = jit(make, { specialize: { c: cfg } });
    expect(inspect(j)!.fallbackReason).toMatch(/^NOTHING_SPECIALIZED: /);
    sameWithKeys(make, j, (k) => [cfg, k, 3], ["a", "b", "c", "zz"]);
    expect(message(make, cfg, "b", 3)).toBe("TypeError: c.ctors[k] is not a constructor");
  });

  it("a receiver inside a call chain that makes a closure keeps its source name (nunjucks's `title` filter: 'str_147.split is not a function')", () => {
    function norm(v: unknown, d: string) {
      return v == null ? d : v;
    }
    const lib = {
      h(str: any) {
        return str.split(" ").map((w: string) => w + "!").join(" ");
      },
      g(str: any) {
        str = norm(str, "");
        return str.split(" ").map((w: string) => w + "!").join(" ");
      },
      // The closure reads `str` itself: it must read the variable, not a declared copy of it.
      k(str: any) {
        return str.split(" ").map((w: string) => w + str.length).join("");
      },
    };
    const viaArgument = (x: { v: unknown }) => "<" + lib.h(x.v) + ">";
    const viaReassigned = (x: { v: unknown }) => "<" + lib.g(x.v) + ">";
    const viaClosure = (x: { v: unknown }) => "<" + lib.k(x.v) + ">";
    for (const f of [viaArgument, viaReassigned]) {
      const j = jit(f, { specialize: {}, strict: true });
      for (const v of ["a b", 5, null, undefined, { split: () => ["x", "y"] }, ""]) expect(message(j, { v })).toEqual(message(f, { v }));
      expect(inspect(j)!.tier).toBe(1);
    }
    expect(message(viaArgument, { v: 5 })).toBe("TypeError: str.split is not a function");
    // Where the closure reads the name, it keeps its residual name (a declared copy would be what the
    // closure captures): the values and the error's class agree, the message names `str_1`.
    const j = jit(viaClosure, { specialize: {}, strict: true });
    for (const v of ["a b", "", { split: () => ["x", "y"], length: 2 }]) expect(j({ v })).toEqual(viaClosure({ v }));
    expect(message(j, { v: 5 })).toMatch(/^TypeError: str\w*\.split is not a function$/);
  });

  it("a scope object an entry guard names first still reads under its source name in a failing call (fuzz seed 5065: '$k_obj_0.ops.add is not a function')", () => {
    const tbl = { ops: { add: (a: number, b: number) => a + b, mul: (a: number, b: number) => a * b } as Record<string, ((a: number, b: number) => number) | undefined> };
    function prog(k: number, x: unknown) {
      if (typeof x === "number" && x > 1) delete tbl.ops.mul;
      if ((k | 0) > 2) tbl.ops.add = tbl.ops.mul;
      return tbl.ops.add!(2, 3);
    }
    const j = jit(prog, { specialize: { k: 255 }, scope: { tbl }, strict: true });
    expect(j(255, 0)).toBe(6);
    tbl.ops.mul = (a, b) => a * b;
    expect(message(j, 255, 5)).toBe("TypeError: tbl.ops.add is not a function");
    tbl.ops.mul = (a, b) => a * b;
    tbl.ops.add = (a, b) => a + b;
    expect(message(prog, 255, 5)).toBe("TypeError: tbl.ops.add is not a function");
  });

  it("a call in the arguments of a call kept as written names the same scope object as the source does (fuzz seeds 5140, 5142: '$k_obj_0.ops.mul is not a function')", () => {
    const tbl = { ops: { add: (a: number, b: number) => a + b, mul: (a: number, b: number) => a * b } as Record<string, ((a: number, b: number) => number) | undefined> };
    const log: unknown[] = [];
    function prog(x: number, c: { arr: number[] }) {
      log.push(tbl.ops.add!(2, 3), x);
      return log.push(tbl.ops.add!(x, tbl.ops.mul!(2, c.arr[1]!)));
    }
    const j = jit(prog, { scope: { tbl, log }, strict: true });
    expect(j(1, { arr: [1, 2] })).toBe(3);
    const mul = tbl.ops.mul;
    delete tbl.ops.mul;
    expect(message(prog, 1, { arr: [1, 2] })).toBe("TypeError: tbl.ops.mul is not a function");
    expect(message(j, 1, { arr: [1, 2] })).toBe("TypeError: tbl.ops.mul is not a function");
    tbl.ops.mul = mul;
    // The same constant under the name an argument's closure binds stays the constant there.
    function shadowing(x: number) {
      return tbl.ops.add!(x, [1].map((tbl) => tbl + x)[0]!);
    }
    const k = jit(shadowing, { scope: { tbl }, strict: true });
    expect(k(1)).toBe(3);
    delete tbl.ops.add;
    expect(message(k, 1)).toBe(message(shadowing, 1));
  });

  it("a failing call of a closure function's result names it as the source does where a block elsewhere binds that name (onecolor's mix, sweep15)", () => {
    type Color = { (obj: unknown): { rgb(): { _red: number } } | false; RGB: new (r: number) => { _red: number; rgb(): { _red: number }; mix(o: unknown, w: number): { _red: number } } };
    const color = function color(obj: unknown) {
      return obj === "red" ? new color.RGB(1) : false;
    } as unknown as Color;
    color.RGB = function (this: { _red: number }, r: number) {
      this._red = r;
    } as unknown as Color["RGB"];
    color.RGB.prototype.rgb = function () {
      return this;
    };
    color.RGB.prototype.mix = function (otherColor: unknown, weight: number) {
      const other = (color(otherColor) as { rgb(): { _red: number } }).rgb();
      const rgb = this.rgb();
      return new color.RGB(rgb._red * weight + other._red * (1 - weight));
    };
    const c = new color.RGB(0.5);
    const j = jit(c.mix, { specialize: { this: c }, strict: true });
    const run = (f: (o: unknown, w: number) => { _red: number }, x: unknown) => message(() => f.call(c, x, 0.5)._red);
    expect(run(j, "red")).toBe(0.75);
    expect(run(j, "nope")).toBe(run(c.mix, "nope"));
    expect(run(j, "nope")).toBe("TypeError: color(...).rgb is not a function");
  });

  it("a call kept inline, its callee read first, names a scope object that blocks elsewhere bind under the same name (fuzz seed 5140 #1303)", () => {
    const tbl = { ops: { add: (a: number, b: number) => a + b, mul: (a: number, b: number) => a * b } as Record<string, ((a: number, b: number) => number) | undefined>, names: ["add"] };
    function prog(x: number, log: unknown[]) {
      if (x > 1) {
        delete tbl.ops.mul;
        tbl.names.push("sub");
      }
      if (x > 2) tbl.ops.add = tbl.ops.mul;
      log.push(tbl.ops.add!(2, 3), x);
      return log.length;
    }
    const j = jit(prog, { scope: { tbl }, strict: true });
    expect(j(0, [])).toBe(2);
    // A block in the residual binds `tbl` for a failing `tbl.names.push`; the inline call must still name it.
    expect(inspect(j)!.source).toMatch(/let tbl = /);
    expect(message(j, 3, [])).toBe("TypeError: tbl.ops.add is not a function");
    tbl.ops.mul = (a, b) => a * b;
    tbl.ops.add = (a, b) => a + b;
    expect(message(prog, 3, [])).toBe("TypeError: tbl.ops.add is not a function");
  });
});

// An inlined callee's failing call through a computed key that reads the same renamed variable:
// `o.fns[o.i]()` read as `o_1.fns[o_1.i]()`; the message printed the key as `o_1.i` (sweep12, repro-2).
describe("a computed callee key under the source's name", () => {
  it("prints o.fns[o.i] as the original does", () => {
    function callAt(o: { fns: Array<() => unknown>; i: number }) {
      return o.fns[o.i]!();
    }
    function outer(h: number, o: { fns: Array<() => unknown>; i: number }) {
      return [h, callAt(o)];
    }
    const j = jit(outer, { specialize: { h: 1 }, strict: true });
    const text = (g: typeof outer) => {
      try {
        return JSON.stringify(g(1, { fns: [() => 7], i: 0 }));
      } catch (e) {
        return String(e);
      }
    };
    expect(text(j)).toBe("[1,7]");
    const failing = (g: typeof outer) => {
      try {
        g(1, { fns: [], i: 0 });
        return "no throw";
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
    };
    expect(failing(j)).toBe(failing(outer));
    expect(failing(j)).toBe("TypeError: o.fns[o.i] is not a function");
  });

  it("reads the key from the variable itself where the receiver's getter reassigns it", () => {
    function callAt(o: { fns: Array<() => number>; i: number }, alt: { i: number }) {
      const swapping = {
        get fns() {
          o = alt as typeof o;
          return [() => 1, () => 2];
        },
        i: 0,
      };
      o = swapping;
      return o.fns[o.i]!();
    }
    function outer(h: number, alt: { i: number }) {
      const o = h;
      return [o, callAt(undefined as never, alt)];
    }
    const j = jit(outer, { specialize: { h: 1 }, strict: true });
    expect(j(1, { i: 1 })).toEqual(outer(1, { i: 1 }));
    expect(j(1, { i: 1 })).toEqual([1, 2]);
  });
});

// A spread argument the residual reads from a renamed variable (an unrolled or residual loop's
// binding, `b_5_6`): V8's message names the spread operand as written (sweep13, repro-1).
describe("a spread argument under the source's name", () => {
  // A callee with a loop: inlined, its caller's loop binding is renamed.
  function make(n: number) {
    do n--;
    while (n > 0);
    return [] as unknown[];
  }
  it("prints 'b is not iterable' as the original does, in a residual loop and in unrolled iterations", () => {
    function build(n: number, rows: unknown[][]) {
      const out = make(n);
      for (const b of rows) out.push(...b);
      return out.length;
    }
    const failing = (g: typeof build, rows: unknown[][]) => {
      try {
        return String(g(2, rows));
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
    };
    const tiered = jit(build, { tiering: { hotCalls: 200 } } as never);
    for (let i = 0; i < 300; i++) tiered(2, [[1, 2], [3]]);
    const explicit = jit(build, { specialize: { rows: [[1], null] as unknown[][] } });
    for (const j of [tiered, explicit]) {
      expect(failing(j, [[1, 2], null as never])).toBe(failing(build, [[1, 2], null as never]));
      expect(failing(j, [[1, 2], 5 as never])).toBe(failing(build, [[1, 2], 5 as never]));
      expect(failing(j, [[1, 2], [3]])).toBe("3");
    }
    expect(failing(explicit, [[1], null as never])).toBe("TypeError: b is not iterable (cannot read property null)");
  });

  it("a spread of a binding kos folded to a constant (`...b` with `b` undefined)", () => {
    function spreadAll(o: unknown, k: unknown) {
      const out: unknown[] = [];
      for (const b of [o, k]) out.push(...(b as unknown[]));
      return out.length;
    }
    function outer(c: { v: unknown }, k: unknown) {
      return spreadAll(c.v, k);
    }
    const c = Object.freeze({ v: undefined });
    const j = jit(outer, { specialize: { c }, strict: true });
    const failing = (g: typeof outer) => {
      try {
        return String(g(c, [1]));
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(failing(j)).toBe(failing(outer));
    expect(failing(j)).toBe("b is not iterable (cannot read property undefined)");
  });

  it("in `new C(...b)` too", () => {
    function build(n: number, rows: unknown[][]) {
      const out = make(n);
      for (const b of rows) out.push(new Array(...b));
      return out.length;
    }
    const j = jit(build, { tiering: { hotCalls: 200 } } as never);
    for (let i = 0; i < 300; i++) j(2, [[1, 2], [3]]);
    const failing = (g: typeof build) => {
      try {
        return String(g(2, [[1, 2], null as never]));
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(failing(j)).toBe(failing(build));
    expect(failing(j)).toBe("b is not iterable (cannot read property null)");
  });
});

describe("operands read through constants and renamed keys, named as the source writes them (sweep14)", () => {
  const T = { a: { f: () => 1, zz: { f: 2 } }, b: {} as Record<string, unknown> };
  // Each callee is inlined into `wrap`, whose own parameters take other names.
  const callees: Record<string, (o: any, key?: any) => unknown> = {
    nestedKey: (o) => (T as any)[o.m].f(),
    keyParam: (o, key) => o[key](),
    keyLocal: (o) => {
      const key = o.m;
      return (T as any)[key].f();
    },
    dynKeyCall: (o, k) => {
      const key = k + "x";
      return o[key]();
    },
    newNested: (o) => new (T as any)[o.m].f(),
    spreadNested: (o) => [...(T as any)[o.m].f],
    destrNested: (o) => {
      const { f } = (T as any)[o.m].zz;
      return f;
    },
    // A key read before any code can run in the receiver path, of a parameter the callee reassigns
    // (culori's converter: `(color = prepare(color)) !== undefined ? converters[color.mode].rgb(color) : …`).
    reassignedKey: (o) => ((o = o.inner ?? o), (T as any)[o.m].f(o)),
    // A function argument whose parameter shadows the receiver's name (expression-eval).
    shadowedBase: (e) => e.map(function (e: unknown) {
      return e;
    }),
  };
  for (const [name, callee] of Object.entries(callees)) {
    it(name, () => {
      const wrap = new Function("callee", "return function wrap(c, v, w) { return callee(v, w); }")(callee) as (c: number, v: unknown, w: unknown) => unknown;
      const j = jit(wrap, { specialize: { c: 1 } });
      expect(inspect(j)!.tier).toBe(1);
      for (const [v, w] of [[{ m: "b" }, "zz"], [{ m: "a" }, "zz"], [{ m: "b", zz: () => 3, zzx: () => 4 }, "zz"]] as const) {
        expect(message(j, 1, v, w)).toEqual(message(wrap, 1, v, w));
      }
    });
  }

  it("a module binding called through a computed key (`s[typeof v](v)`, rison's encode), and spread", () => {
    const s: Record<string, (x: unknown) => string> = { number: (x) => "n" + String(x), string: (x) => "s" + String(x) };
    const encode = (v: unknown) => s[typeof v]!(v);
    const s2: Record<string, number[]> = { number: [1], string: [2] };
    const spread = (v: unknown) => [...s2[typeof v]!].length;
    for (const f of [encode, spread]) {
      const j = jit(f as (v: unknown) => unknown, { tiering: { hotCalls: 50 } });
      for (let i = 0; i < 100; i++) j(i % 2 ? 1 : "a");
      expect(inspect(j)!.tier).toBe(1);
      for (const v of [true, 1, "a", null]) expect(message(j, v)).toEqual(message(f, v));
    }
  });

  // sweep21 repro-2: a folded value that always fails, read by a path: `new cfg.make()` of an arrow
  // said "$k_ref_1 is not a constructor", a spread of a folded number "5 is not iterable".
  it("new of a known non-constructor, and a spread of a known non-iterable, name the path as written", () => {
    const cfg = Object.freeze({ make: (x: unknown) => ({ x }), count: 5, deep: Object.freeze({ maker: Math.max }), flag: null });
    const bodies: Array<(c: typeof cfg, o: { v: number; log: string[] }) => unknown> = [
      (c, o) => (o.log.push("before"), new (c.make as any)(o.v)),
      (c, o) => (o.log.push("before"), new (c.deep.maker as any)(o.v)),
      (c, o) => (o.log.push("before"), new (c.count as any)(o.v)),
      (c, o) => (o.log.push("before"), [...(c.count as any), o.v]),
      (c, o) => (o.log.push("before"), [o.v, ...(c.flag as any)]),
    ];
    for (const f of bodies) {
      const j = jit(f, { specialize: { c: cfg } });
      const run = (g: Function) => {
        const o = { v: 1, log: [] as string[] };
        return [message(g as any, cfg, o), o.log];
      };
      expect(run(j)).toEqual(run(f));
    }
  });
});

// A property path read off a module binding or a constant variable, which kos folded, in a callee
// that may fail: V8 prints the path as written ("(fn || qs.parse) is not a function"), where the
// folded constant had printed kos's `$k_value_1`, or `(void 0)` for a missing key (url-parse's
// `url.query = (fn || qs.parse)(value)` with `fn === true`, sweep24).
const qsLike = { parse: (s: string) => ({ s }), deep: { fn: (s: string) => [s] } };
const otherLike = { g: (s: string) => s + "!" };
describe("a folded path in a callee that may fail", () => {
  const cases: Record<string, (part: string, value: string, fn: unknown) => unknown> = {
    "(fn || qs.parse)(v)": (part, value, fn: any) => (part === "q" ? (fn || qsLike.parse)(value) : value),
    "(fn || qs.deep.fn)(v)": (part, value, fn: any) => (fn || qsLike.deep.fn)(value),
    "(fn ? qs.parse : other.g)(v)": (part, value, fn: any) => (fn ? qsLike.parse : otherLike.g)(value),
    "(fn && qs.parse)(v)": (part, value, fn: any) => (fn && qsLike.parse)(value),
    "(fn || q.parse)(v) with const q = qs": (part, value, fn: any) => {
      const q = qsLike;
      return (fn || q.parse)(value);
    },
    "(fn || qs.nope)(v), a missing key": (part, value, fn: any) => (fn || (qsLike as any).nope)(value),
  };
  for (const [label, f] of Object.entries(cases)) {
    it(`${label}: same value or message for every fn`, () => {
      const j = jit(f, { specialize: { part: "q" } });
      expect(inspect(j).fallbackReason ?? null).toBeNull();
      for (const fn of [true, 0, null, 5, "x", (v: string) => v + 1, undefined]) expect(message(j, "q", "?a=1", fn)).toEqual(message(f, "q", "?a=1", fn));
    });
  }
});

describe("callees V8 words by their text (sweep24)", () => {
  // `new (c || lib.parse)(v)` with `c` known: V8 says "(c || lib.parse) is not a constructor"; the
  // construction from the folded value said "true is not a constructor" or "$k_value_1 …" (repro-2).
  const lib = { parse: (s: unknown) => s, K: class { v: unknown; constructor(v: unknown) { this.v = v; } } };
  const news: Record<string, (c: any, v: any) => unknown> = {
    "new (c || lib.parse)(v)": (c, v) => new (c || lib.parse)(v),
    "const x = new (c || lib.parse)(v)": (c, v) => {
      const x = new (c || lib.parse)(v);
      return x;
    },
    "new (c ? lib.parse : lib.K)(v).v": (c, v) => new (c ? lib.parse : lib.K)(v).v,
    "[new (c || lib.parse)(v.x)]": (c, v) => [new (c || lib.parse)(v.x)],
  };
  for (const [label, f] of Object.entries(news)) {
    it(`${label}, c known: the same value or message`, () => {
      for (const c of [0, true, null, 5, lib.K, undefined]) {
        for (const v of [1, { x: 2 }]) {
          const j = jit(f, { specialize: { c } });
          expect(message(j, c, v)).toEqual(message(f, c, v));
        }
      }
    });
  }

  it("an assigned callee nothing reads afterwards: `(f = c || \"dflt\")(v)` fails as \"f is not a function\" (repro-3)", () => {
    function call(c: any, v: unknown) {
      let f;
      return (f = c || "dflt")(v);
    }
    for (const c of [0, null, 5, (x: number) => x + 1]) {
      const j = jit(call, { specialize: { c } });
      expect(inspect(j).fallbackReason ?? null).toBeNull();
      expect(message(j, c, 1)).toEqual(message(call, c, 1));
    }
  });
});

describe("a computed key the residual folded to a name (sweep25 repro-8)", () => {
  it("`o[k]()` with k known fails as \"o[k] is not a function\", on an object kos does not own and on one it made", () => {
    function folded(cfg: any) {
      const k = cfg.k;
      const o = cfg.obj;
      o[k]--;
      return o[k]();
    }
    function literal(cfg: any, x: unknown) {
      const k = "q";
      const o: any = { p: 1, q: cfg.q };
      o.p ??= x;
      return o[k]();
    }
    for (const q of [5, () => 7, { m: 1 }]) {
      const mk = () => ({ k: "q", q, obj: { q } });
      const c1 = mk(), c2 = mk(), c3 = mk(), c4 = mk();
      const jf = jit(folded, { specialize: { cfg: c2 } });
      const jl = jit(literal, { specialize: { cfg: c4 } });
      expect(inspect(jf).tier).toBe(1);
      expect(inspect(jl).tier).toBe(1);
      expect(message(jf, c2)).toEqual(message(folded, c1));
      expect(message(jl, c4, 1)).toEqual(message(literal, c3, 1));
      expect(c2).toEqual(c1);
    }
  });
});

describe("a callee that drops its reference (sweep27 repro-3)", () => {
  it("`(0, cfg.obj.m)(i)` with m not a function fails naming the source's expression", () => {
    function f(cfg: any) {
      "use strict";
      let i = 2;
      const h = () => i++;
      return (0, cfg.obj.m)(i);
    }
    for (const m of [5, null, undefined, "s"]) {
      const cfg = Object.freeze({ obj: { m } });
      const j = jit(f, { specialize: { cfg } });
      expect(message(j, cfg)).toEqual(message(f, cfg));
    }
  });
});

describe("a missing argument an inlined closure calls (sweep29 repro-1)", () => {
  it("`factory(k)(r)` with the factory's `f` missing fails as \"f is not a function\", not \"(void 0) is not a function\"", () => {
    function modifyAt(k: string, f?: (v: unknown) => unknown) {
      return (r: any) => {
        if (!(k in r)) return r;
        const o = { ...r };
        o[k] = f!(r[k]);
        return o;
      };
    }
    const wrapper = (c: string, x: unknown) => (modifyAt as any)(c)(x);
    const explicit = jit(wrapper, { specialize: { c: "a" }, scope: { modifyAt } });
    expect(inspect(explicit).tier).toBe(1);
    for (const x of [{ a: 1 }, { b: 2 }]) expect(message(explicit, "a", x)).toEqual(message(wrapper, "a", x));
    expect(message(explicit, "a", { a: 1 })).toBe("TypeError: f is not a function");
    // The same with a number folded in its place: declared under the parameter's name too.
    const twice = (x: unknown) => (modifyAt as any)("a", 5)(x);
    const j2 = jit(twice, { scope: { modifyAt } });
    expect(message(j2, { a: 1 })).toEqual(message(twice, { a: 1 }));
  });
});

describe("an object literal with a spread, kept as written (sweep26 repro-2)", () => {
  it("rambda's `{ ...obj, [p]: fn(obj[p]) }` with `fn` missing fails as \"fn is not a function\"", () => {
    function modifyFn(property: string, fn: any, obj: any) {
      if (obj[property] === undefined) return obj;
      return { ...obj, [property]: fn(obj[property]) };
    }
    function modifyProp(property: string, fn?: any) {
      return (obj: any) => modifyFn(property, fn, obj);
    }
    const user = (c: string, x: unknown) => modifyProp(c)(x);
    const j = jit(user, { specialize: { c: "a" }, scope: { modifyProp, modifyFn } });
    expect(inspect(j).tier).toBe(1);
    for (const x of [{ a: 1 }, { b: 1 }]) expect(message(j, "a", x)).toEqual(message(user, "a", x));
    expect(message(j, "a", { a: 1 })).toBe("TypeError: fn is not a function");
    // With the function given, the same object as the original's.
    const k = jit((c: string, x: unknown) => modifyProp(c, (v: number) => v + 1)(x), { specialize: { c: "a" }, scope: { modifyProp, modifyFn } });
    expect(k("a", { a: 1, b: 2 })).toEqual({ a: 2, b: 2 });
  });
});

describe("a spread of an object the function made (sweep28)", () => {
  it("`[...lo]` of a local object literal fails as \"lo is not iterable\", and iterates where Object.prototype has an iterator", () => {
    function f(cfg: any, x: number) {
      const lo: any = { m: cfg.m, n: x };
      return [...lo].length + x;
    }
    const cfg = Object.freeze({ m: 1 });
    const j = jit(f, { specialize: { cfg } });
    expect(inspect(j).tier).toBe(1);
    expect(message(j, cfg, 2)).toEqual(message(f, cfg, 2));
    expect(message(j, cfg, 2)).toBe("TypeError: lo is not iterable");
    const proto = Object.prototype as any;
    proto[Symbol.iterator] = function* (this: any) {
      yield* Object.keys(this);
    };
    try {
      expect(j(cfg, 2)).toBe(f(cfg, 2));
      expect(j(cfg, 2)).toBe(4);
    } finally {
      delete proto[Symbol.iterator];
    }
  });
});

describe("a spread of a parameter bound to a specialized value (sweep29 repro-2)", () => {
  it("remeda's `[...arr1, ...arr2]` with `arr2` the caller's specialized `c` fails as \"arr2 is not iterable\"", () => {
    const concatImplementation = (arr1: any, arr2: any) => [...arr1, ...arr2];
    const concat = (other: unknown) => (data: unknown) => concatImplementation(data, other);
    const wrapper = (c: unknown, x: unknown) => concat(c)(x);
    const c = Object.freeze({ 0: "a", length: 1 });
    const j = jit(wrapper, { specialize: { c }, scope: { concat, concatImplementation } });
    expect(inspect(j).tier).toBe(1);
    for (const x of [[1], "ab", null, 5]) expect(message(j, c, x)).toEqual(message(wrapper, c, x));
    expect(message(j, c, [1])).toBe("TypeError: arr2 is not iterable");
    const arr = Object.freeze([7, 8]);
    const k = jit(wrapper, { specialize: { c: arr }, scope: { concat, concatImplementation } });
    expect(k(arr, [1])).toEqual([1, 7, 8]);
  });
});

describe("a symbol key the source reads by a name (sweep31 repro-1)", () => {
  it("`this[SYM](1)` fails as \"this[SYM] is not a function\" once the prototype no longer has it", () => {
    const SYM = Symbol("sym");
    function Base(this: any) {
      this.a = 1;
    }
    (Base.prototype as any)[SYM] = function (x: unknown) {
      return "s" + typeof x;
    };
    function Sub(this: any) {
      Base.call(this);
    }
    Sub.prototype = Object.create(Base.prototype);
    const m = function (this: any, cb?: (o: unknown) => void) {
      if (cb) cb(this);
      return [this.a, this[SYM](1)];
    };
    const run = (f: Function) => {
      const obj = new (Sub as any)();
      const out = [message(f.bind(obj), null)];
      out.push(message(f.bind(obj), () => Object.setPrototypeOf(Sub.prototype, Object.prototype)));
      Object.setPrototypeOf(Sub.prototype, Base.prototype);
      return out;
    };
    const plain = run(m);
    const probe = new (Sub as any)();
    const j = jit(m, { specialize: { this: probe }, scope: { SYM } });
    const jitted = (() => {
      const out = [message(j.bind(probe), null)];
      out.push(message(j.bind(probe), () => Object.setPrototypeOf(Sub.prototype, Object.prototype)));
      Object.setPrototypeOf(Sub.prototype, Base.prototype);
      return out;
    })();
    expect(inspect(j).tier).toBe(1);
    expect(jitted).toEqual(plain);
    expect(plain[1]).toBe("TypeError: this[SYM] is not a function");
  });
});
