/**
 * Regression tests for issue 12 items 10–13 (exotic objects, user code at
 * compile time, proxies, a patched Function.prototype.toString), its error
 * message, function shape and tagged-template items, and issue 10's rule that
 * kos never freezes an object it does not own unless asked to.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";
import { expectSameOutcome, sloppy } from "../support/fuzz/exactness-helpers.js";

describe("issue 12 item 10: folding respects exotic objects", () => {
  it("an Array subclass's own join/includes are called", () => {
    class MyArr extends Array {
      override join() {
        return "mine";
      }
      override includes() {
        return false;
      }
    }
    const c = { a: MyArr.from([1, 2]) };
    function f(c: { a: number[] }) {
      return [c.a.join("-"), c.a.includes(1)];
    }
    const j = jit(f, { specialize: { c } });
    expect(j(c)).toEqual(["mine", false]);
  });

  it("slice, concat and map make the array's species: an own `constructor`, or one set or swapped in after jit() (sweep36)", () => {
    class Tagged extends Array {}
    const isTagged = (x: unknown) => x instanceof Tagged;
    function copy(c: { list: number[] }) {
      return [isTagged(c.list.slice(0)), isTagged(c.list.concat([4])), isTagged(c.list.map((x) => x * 2)), c.list.map((x) => x * 2).join()];
    }
    const make = () => ({ list: [1, 2, 3] });
    // At jit() time: an own constructor of a subclass, on a frozen and on an unfrozen array (repro-1).
    for (const freeze of [false, true]) {
      const c = make();
      (c.list as unknown as { constructor: unknown }).constructor = Tagged;
      if (freeze) Object.freeze(c.list);
      const j = jit(copy, { specialize: { c } });
      expect(j(c)).toEqual(copy(c));
      expect(j(c)).toEqual([true, true, true, "2,4,6"]);
    }
    // After jit(): the guard notices an own constructor added (repro-2) and a prototype swapped (repro-3).
    for (const change of [(l: number[]) => void ((l as unknown as { constructor: unknown }).constructor = Tagged), (l: number[]) => void Object.setPrototypeOf(l, Tagged.prototype)]) {
      const c = make();
      const j = jit(copy, { specialize: { c } });
      expect(j(c)).toEqual([false, false, false, "2,4,6"]);
      expect(inspect(j)!.tier).toBe(1);
      change(c.list);
      expect(j(c)).toEqual(copy(c));
      expect(j(c)[0]).toBe(true);
    }
  });

  it("an own Symbol.iterator is used by destructuring and for-of", () => {
    const a = [1, 2, 3] as number[] & { [Symbol.iterator]: () => Iterator<number> };
    a[Symbol.iterator] = function* () {
      yield 9;
    };
    const c = { a };
    function f(c: { a: number[] }) {
      const [p] = c.a;
      let s = 0;
      for (const v of c.a) s += v;
      return [p, s];
    }
    const j = jit(f, { specialize: { c } });
    expect(j(c)).toEqual([9, 9]);
  });
});

describe("issue 12 item 11: no user code runs at compile time", () => {
  it("getters on elements of a specialized array run at call time only, each call", () => {
    const log: string[] = [];
    let counter = 0;
    const element = (i: number) => ({
      get v() {
        log.push(`get ${i}`);
        return ++counter;
      },
    });
    const arr = [element(0), element(1), element(2)];
    function f(a: Array<{ v: number }>) {
      let s = 0;
      for (const e of a) s += e.v;
      return s;
    }
    const j = jit(f, { specialize: { a: arr } });
    expect(log, "getters ran inside jit()").toEqual([]);
    counter = 0;
    const expected = [f(arr), f(arr)];
    const expectedLog = log.splice(0);
    counter = 0;
    const actual = [j(arr), j(arr)];
    expect(actual).toEqual(expected);
    expect(log).toEqual(expectedLog);
  });
});

describe("issue 12 item 12: proxies as specialized objects", () => {
  function logged(target: object, log: string[]) {
    return new Proxy(target, {
      get(t, k, r) {
        log.push(`get ${String(k)}`);
        return Reflect.get(t, k, r);
      },
      has(t, k) {
        log.push(`has ${String(k)}`);
        return Reflect.has(t, k);
      },
    });
  }

  it("jit() runs no trap, and every call runs the original's traps in order", () => {
    const log: string[] = [];
    const o = logged({ a: 1, b: { c: 2 } }, log);
    function f(o: { a: number; b: { c: number } }) {
      return ["a" in o, o.a, o.b.c];
    }
    const j = jit(f, { specialize: { o } });
    expect(log, "traps ran inside jit()").toEqual([]);
    const expected = f(o);
    const expectedLog = log.splice(0);
    expect(j(o)).toEqual(expected);
    expect(log).toEqual(expectedLog);
  });

  it("a proxy revoked after jit throws like the original", () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    function f(o: { a: number }) {
      return o.a;
    }
    const j = jit(f, { specialize: { o: proxy } });
    revoke();
    const outcome = expectSameOutcome(f, j, [proxy]);
    expect(outcome).toMatchObject({ ok: false, errorType: "TypeError" });
  });
});

describe("issue 12 item 13: source is read through the intrinsic Function.prototype.toString", () => {
  it("a patched toString does not change what the jitted function does", () => {
    function f(a: number, x: number) {
      return a + x;
    }
    const intrinsic = Function.prototype.toString;
    let j: typeof f;
    try {
      Function.prototype.toString = function () {
        return "function f(a, x) { return 666; }";
      };
      j = jit(f, { specialize: { a: 1 } });
    } finally {
      Function.prototype.toString = intrinsic;
    }
    expect(j(1, 2)).toBe(3);
  });
});

describe("issue 12: error messages come from the engine, on the original expression", () => {
  it("calling a non-function property: 'c.obj.q is not a function'", () => {
    const f = sloppy("function f(c, x) { return c.obj.q(x); }");
    const c = { obj: { q: 3 } };
    const outcome = expectSameOutcome(f, jit(f, { specialize: { c } }), [c, 1]);
    expect(outcome).toMatchObject({ ok: false, message: "c.obj.q is not a function" });
  });

  it("iterating a number: 'c.n is not iterable'", () => {
    const f = sloppy("function f(c, x) { let s = x; for (const v of c.n) s += v; return s; }");
    const c = { n: 5 };
    const outcome = expectSameOutcome(f, jit(f, { specialize: { c } }), [c, 1]);
    expect(outcome).toMatchObject({ ok: false, errorType: "TypeError" });
  });

  it("iterating an absent option read at run time: 'opts.list is not iterable', not the temporary's name (fuzz seed 2305 #554)", () => {
    const f = sloppy("function f(opts, k) { const out = []; for (const v of opts.list) out.push(v * k); return out; }");
    const j = jit(f, { specialize: { k: 2 } });
    for (const opts of [{}, { list: null }, { list: [1, 2] }]) expect(expectSameOutcome(f, j, [opts, 2])).toBeDefined();
    expect(() => j({}, 2)).toThrow("opts.list is not iterable");
  });

  it("iterating an object that is not iterable, read at run time: 'opts.list is not iterable' (ejs's for-of over a Date said 'it is not iterable')", () => {
    const f = sloppy("function f(opts, k) { let out = ''; for (const v of opts.list) out += v * k; return out; }");
    const j = jit(f, { specialize: { k: 2 } });
    const getterRuns: string[] = [];
    const withGetter = Object.defineProperty({}, Symbol.iterator, { get() { getterRuns.push("get"); return function* () { yield 4; }; } });
    const lists: unknown[] = [{}, new Date(0), () => 1, Object.create(null), { [Symbol.iterator]: 1 }, { [Symbol.iterator]: null }, new Set([3]), withGetter, [1, 2]];
    // (A proxy is left to the loop, whose lookup runs its `get` trap: a non-iterable proxy's message names the temporary.)
    for (const list of lists) expect(expectSameOutcome(f, j, [{ list }, 2])).toBeDefined();
    for (const list of lists.slice(0, 6)) expect(() => j({ list }, 2)).toThrow("opts.list is not iterable");
    // The getter ran once per call, in the original and in the compiled code (expectSameOutcome called each once).
    expect(getterRuns).toEqual(["get", "get"]);
  });

  it("iterating a number, boolean, bigint or symbol read at run time: 'opts.list is not iterable'; one whose prototype was given an iterator iterates", () => {
    const f = sloppy("function f(opts, k) { const out = []; for (const v of opts.list) out.push(v * k); return out; }");
    const j = jit(f, { specialize: { k: 2 } });
    for (const list of [5, true, 7n, Symbol("s")]) {
      expect(expectSameOutcome(f, j, [{ list }, 2])).toMatchObject({ ok: false, errorType: "TypeError" });
      expect(() => j({ list }, 2)).toThrow("opts.list is not iterable");
    }
    const had = Object.getOwnPropertyDescriptor(Number.prototype, Symbol.iterator);
    Object.defineProperty(Number.prototype, Symbol.iterator, { configurable: true, value: function* (this: number) { for (let i = 0; i < this; i++) yield i; } });
    try {
      expect(j({ list: 3 }, 2)).toEqual([0, 2, 4]);
      expect(expectSameOutcome(f, j, [{ list: 3 }, 2])).toMatchObject({ ok: true });
    } finally {
      if (had) Object.defineProperty(Number.prototype, Symbol.iterator, had);
      else delete (Number.prototype as unknown as Record<symbol, unknown>)[Symbol.iterator];
    }
  });

  it("destructuring undefined: \"of 'c.nothing'\"", () => {
    const f = sloppy("function f(c, x) { const { p } = c.nothing; return p + x; }");
    const c = { a: 1 };
    const outcome = expectSameOutcome(f, jit(f, { specialize: { c } }), [c, 1]);
    expect(outcome).toMatchObject({ ok: false, errorType: "TypeError" });
    expect((outcome as { message: string }).message).toContain("c.nothing");
  });

  it("a nested pattern over a property folded to undefined or null: \"Cannot read properties of undefined (reading 'b')\" (sweep41 #12)", () => {
    for (const [src, c] of [
      ["function f(c, x) { const { a: { b } } = c; return b + x; }", {}],
      ["function f(c, x) { const { a: { b = 1 } } = c; return b + x; }", { a: null }],
      ["function f(c, x) { let k, q; ({ k, a: { 0: q } } = c); return q + x; }", {}],
    ] as const) {
      const f = sloppy(src);
      const frozen = Object.freeze({ ...c });
      const outcome = expectSameOutcome(f, jit(f, { specialize: { c: frozen } }), [frozen, 1]);
      expect((outcome as { message: string }).message).toMatch(/^Cannot read properties of (undefined|null) \(reading '(b|0)'\)$/);
    }
  });
});

describe("issue 12: a jitted function has the original's shape", () => {
  it("a jitted arrow cannot be constructed and has no prototype", () => {
    const arrow = (x: number, y: number) => x + y;
    const j = jit(arrow, { specialize: { x: 1 } });
    expect(j(1, 2)).toBe(3);
    expect(() => new (j as any)(1, 2)).toThrow(TypeError);
    expect(Object.hasOwn(j, "prototype")).toBe(false);
  });

  it("new on a jitted function gives an instance of the original", () => {
    const F = sloppy("function F(a, b) { return a + b; }");
    const j = jit(F, { specialize: { a: 1 } });
    const tiered = jit(F);
    expect(new (j as any)(1, 2) instanceof F).toBe(true);
    expect(new (tiered as any)(1, 2) instanceof F).toBe(true);
  });

  it("name and length are the original's, including a symbol-named method", () => {
    const o = {
      [Symbol.iterator](x: number, y = 1) {
        return x + y;
      },
    };
    const m = o[Symbol.iterator];
    const j = jit(m, { specialize: { x: 1 } });
    expect(j.name).toBe("[Symbol.iterator]");
    expect(j.length).toBe(1);
    expect(jit(m).name).toBe("[Symbol.iterator]");
  });
});

describe("issue 12: tagged templates", () => {
  it("compile, or fall back with a reason that names the construct", () => {
    const tag = function tag(s: TemplateStringsArray, ...v: unknown[]) {
      return s.raw.join("|") + ":" + v.join(",");
    };
    const f = sloppy("function f(c, x) { return tag`a${x}b${c.k}\\n`; }", { tag });
    const c = { k: 3 };
    const j = jit(f, { specialize: { c }, scope: { tag } });
    expectSameOutcome(f, j, [c, 7]);
    expect(inspect(j)?.fallbackReason ?? "").not.toMatch(/INTERNAL|Unexpected token/);
  });

  it("the strings array of one call site is the same object on every call", () => {
    const tag = function tag(s: TemplateStringsArray) {
      return s;
    };
    const f = sloppy("function f(x) { return tag`x${x}`; }", { tag });
    const j = jit(f, { scope: { tag } });
    expect(j(1)).toBe(j(2));
    expect(Object.isFrozen(j(1))).toBe(true);
  });
});

describe("issue 10: kos never freezes an object it does not own", () => {
  it("specialize on an unfrozen object leaves it (and what it holds) unfrozen by default", () => {
    const o = { a: 1, b: { c: 2 }, list: [1, 2] };
    function f(o: { a: number; b: { c: number } }, x: number) {
      return o.a + o.b.c + x;
    }
    const j = jit(f, { specialize: { o } });
    expect(j(o, 1)).toBe(4);
    expect(Object.isFrozen(o)).toBe(false);
    expect(Object.isFrozen(o.b)).toBe(false);
    expect(Object.isFrozen(o.list)).toBe(false);
    // A later write is seen, exactly as by the original.
    o.b.c = 10;
    expect(j(o, 1)).toBe(12);
  });

  it("an unfrozen array's items are guarded as elements (a[1], not a[\"1\"]), and a changed item or an index key of an object is seen", () => {
    const a = [1, 0, -0, 10];
    // gl-matrix's shape: the items of `a` are read into locals first.
    function dot(a: number[], b: number[]) {
      const a0 = a[0]!, a1 = a[1]!, a2 = a[2]!, a3 = a[3]!;
      return a0 * b[0]! + a1 * b[1]! + a2 * b[2]! + a3 * b[3]!;
    }
    const j = jit(dot, { specialize: { a } });
    const b = [2, -3, 5, 0.5];
    expect(j(a, b)).toBe(dot(a, b));
    const source = inspect(j)!.source!;
    // V8 reads `a[1]` as an element and `a["1"]` through a keyed string lookup (3x the cost in a probe).
    expect(source).toMatch(/\[1\] === 0/);
    expect(source).not.toMatch(/\["\d+"\]/);
    a[2] = 7;
    expect(j(a, b)).toBe(dot(a, b));
    a[2] = -0;
    expect(Object.is(j(a, [0, 0, -1, 0]), dot(a, [0, 0, -1, 0]))).toBe(true);
    // An object whose keys look like indices: `o[1]` names the same property as `o["1"]`.
    const o: Record<string, number> = { "0": 3, "1": 4, "01": 9 };
    const k = (o: Record<string, number>, x: number) => o["0"]! * x + o["1"]! + o["01"]!;
    const jk = jit(k, { specialize: { o } });
    expect(jk(o, 2)).toBe(19);
    o["01"] = 1;
    expect(jk(o, 2)).toBe(11);
  });

  it("an option the object does not have folds to undefined, and adding it later (own or on a prototype) is seen", () => {
    const proto: Record<string, unknown> = {};
    const opts: { scale?: number; offset: number } = Object.create(proto);
    opts.offset = 1;
    function f(o: { scale?: number; offset: number }, x: number) {
      const s = o.scale !== undefined ? o.scale : 2;
      return x * s + o.offset;
    }
    const j = jit(f, { specialize: { o: opts } });
    expect(j(opts, 3)).toBe(7);
    // Folded: the code after the guards reads no `scale` (the guard itself checks it is still absent).
    expect(inspect(j)!.source).toMatch(/return x \* 2 \+ o\.offset/);
    expect(inspect(j)!.assumptions.map((a) => a.description).join("; ")).toMatch(/folded propert(y|ies) of unfrozen objects unchanged/);
    proto.scale = 10;
    expect(j(opts, 3)).toBe(f(opts, 3));
    delete proto.scale;
    expect(j(opts, 3)).toBe(7);
    opts.scale = 5;
    expect(j(opts, 3)).toBe(16);
    // A getter added where the key was absent runs, as in the original.
    delete opts.scale;
    let ran = 0;
    Object.defineProperty(opts, "scale", { get: () => (ran++, 4), configurable: true });
    expect(j(opts, 3)).toBe(13);
    expect(ran).toBe(2);
  });

  it("a computed read of a key the object lacks at jit(): a cache the function fills itself is specialized again once, and does not deopt every later call", () => {
    const cache: Record<string, number[]> = {};
    function lookup(c: Record<string, number[]>, key: string, x: number) {
      let v = c[key];
      if (v === undefined) {
        v = [x];
        c[key] = v;
      }
      return v.length + v[0]! + x;
    }
    const j = jit(lookup, { specialize: { c: cache, key: "k" } });
    expect(j(cache, "k", 1)).toBe(3);
    expect(j(cache, "k", 2)).toBe(4);
    // The first call filled the cache; the second missed the fold of its absence once (self-filling-cache.test.ts).
    const settled = inspect(j)!.deopts;
    expect(settled).toBeLessThanOrEqual(1);
    expect(j(cache, "k", 3)).toBe(5);
    expect(j(cache, "k", 4)).toBe(6);
    expect(inspect(j)!.deopts).toBe(settled);
  });

  it("a named option the function initializes itself (lazy init): specialized again once it is made, no deopt on later calls", () => {
    const state: { table?: number[]; scale: number } = { scale: 2 };
    function scaled(s: { table?: number[]; scale: number }, i: number) {
      if (s.table === undefined) s.table = [0, 1, 2, 3].map((x) => x * s.scale);
      return s.table[i % 4]!;
    }
    const j = jit(scaled, { specialize: { s: state } });
    expect([0, 1, 2, 5].map((i) => j(state, i))).toEqual([0, 2, 4, 2]);
    const settled = inspect(j)!.deopts;
    expect(settled).toBeLessThanOrEqual(1);
    expect([3, 7, 8].map((i) => j(state, i))).toEqual([6, 6, 0]);
    expect(inspect(j)!.deopts).toBe(settled);
  });

  it("freeze: 'deep' is the opt-in that does freeze", () => {
    const o = { a: 1, b: { c: 2 } };
    function f(o: { a: number; b: { c: number } }) {
      return o.a + o.b.c;
    }
    jit(f, { specialize: { o }, freeze: "deep" });
    expect(Object.isFrozen(o) && Object.isFrozen(o.b)).toBe(true);
  });

  it("tiering never freezes arguments", () => {
    const o = { a: 1, b: { c: 2 } };
    function f(o: { a: number; b: { c: number } }, x: number) {
      return o.a + o.b.c + x;
    }
    const j = jit(f, { tiering: { hotCalls: 4, hotTimeMs: 1e9 } });
    for (let i = 0; i < 50; i++) expect(j(o, i)).toBe(3 + i);
    expect(Object.isFrozen(o) || Object.isFrozen(o.b)).toBe(false);
  });
});

describe("objects that refer to each other escape whole", () => {
  // jmespath's search(): `runtime = new Runtime(); interpreter = new TreeInterpreter(runtime);
  // runtime._interpreter = interpreter`, then both escape into a call. The runtime was allocated with
  // `_interpreter` set to the interpreter's variable before the interpreter was, so it held
  // undefined, and sort_by/max_by threw "Cannot read properties of undefined (reading 'visit')".
  it("each holds the other after both escape (instances, plain objects and arrays)", () => {
    const f = sloppy(`function f(g, k) {
      function Interp(rt) { this.rt = rt; }
      function Runtime() { this._i = undefined; this.t = k; }
      var rt = new Runtime();
      var it = new Interp(rt);
      rt._i = it;
      var a = { name: "a", other: null, n: k };
      var b = { name: "b", other: a, list: [a, k] };
      a.other = b;
      var arr = [k, null];
      arr[1] = { back: arr };
      return g(rt, a, arr);
    }`);
    const probe = (rt: any, a: any, arr: any) => [rt._i?.rt === rt, rt.t, Object.keys(rt), a.other?.other === a, a.other.list[0] === a, Object.keys(a), Object.keys(a.other), arr[1].back === arr, arr.length];
    const j = jit(f, { specialize: { k: 3 } });
    expect(inspect(j)!.tier).toBe(1);
    const outcome = expectSameOutcome(f, j, [probe, 3]);
    expect(outcome).toMatchObject({ ok: true });
    expect(j(probe, 3)).toEqual([true, 3, ["_i", "t"], true, true, ["name", "other", "n"], ["name", "other", "list"], true, 2]);
  });
});

describe("an explicit version whose objects changed for good is specialized again", () => {
  it("after 16 calls whose folded properties changed, once: the new contents fold, every result stays the original's", () => {
    const ops: Record<string, (a: number, b: number) => number> = { mul: (a, b) => a * b };
    const f = sloppy("function f(ops, name, a, b) { const op = ops[name]; return op ? op(a, b) : 'unknown ' + name; }");
    const j = jit(f, { specialize: { ops, name: "mul" } });
    expect(j(ops, "mul", 2, 3)).toBe(6);
    // The library replaces the operation after jit(): the next calls see it, and the version's guard fails.
    ops.mul = (a, b) => a * b + 1;
    for (let i = 0; i < 40; i++) expect(j(ops, "mul", i, 3)).toBe(f(ops, "mul", i, 3));
    const info = inspect(j)!;
    expect(info.history.some((h) => h.event === "respecialized")).toBe(true);
    expect(info.deopts).toBe(16);
    // Later calls run the second version, which has the new operation: no more guard failures.
    const before = inspect(j)!.deopts;
    for (let i = 0; i < 100; i++) expect(j(ops, "mul", i, 2)).toBe(i * 2 + 1);
    expect(inspect(j)!.deopts).toBe(before);
    // Another change is followed too (by the original: there is one second version only).
    ops.mul = (a, b) => a - b;
    expect(j(ops, "mul", 5, 3)).toBe(2);
  });
});

describe("built-in prototypes changed after jit() (sweep38)", () => {
  it("a frozen array's hole or missing index, a frozen function's missing property and a for-in over a frozen array see what Array.prototype and Function.prototype gain", () => {
    const cfg = Object.freeze({ arr: Object.freeze([1, 2]), holey: Object.freeze([1, , 3]), list: Object.freeze(["a", "b"]), fn: Object.freeze(Object.assign(function g() {}, { k: 1 })) });
    const f = new Function("cfg", `"use strict";
      let s = "";
      for (const k in cfg.list) s += k + ",";
      for (const x of cfg.holey) s += x + ";";
      let t = "";
      for (const k in cfg.fn) t += k;
      return s + "|" + cfg.arr[5] + "|" + cfg.holey[1] + "|" + cfg.fn.extra + "|" + t;`) as (c: typeof cfg) => string;
    const j = jit(f, { specialize: { cfg } });
    const arrayProto = Array.prototype as unknown as Record<string, unknown>;
    const fnProto = Function.prototype as unknown as Record<string, unknown>;
    const seen: string[] = [];
    try {
      expect(j(cfg)).toBe(f(cfg));
      arrayProto[5] = "P5";
      arrayProto[1] = "P1";
      seen.push(j(cfg));
      expect(j(cfg)).toBe(f(cfg));
      arrayProto.extra = "E";
      expect(j(cfg)).toBe(f(cfg));
      fnProto.extra = "X";
      expect(j(cfg)).toBe(f(cfg));
      seen.push(j(cfg));
    } finally {
      delete arrayProto[5];
      delete arrayProto[1];
      delete arrayProto.extra;
      delete fnProto.extra;
    }
    expect(seen).toEqual(["0,1,5,1;P1;3;|P5|P1|undefined|k", "0,1,5,extra,1;P1;3;|P5|P1|X|kextra"]);
    expect(j(cfg)).toBe(f(cfg));
    expect(inspect(j)!.tier).toBe(1);
  });
  it("a key folded as absent is read through a prototype replaced by a proxy after jit() (sweep39)", () => {
    function f(cfg: { other: number; mode?: string }, x: number) {
      return [cfg.mode, x];
    }
    for (const options of [{ specialize: {} as Record<string, unknown> }, { tiering: { hotCalls: 10 } }]) {
      const cfg: { other: number; mode?: string } = { other: 1 };
      const g = jit(f, "specialize" in options ? { specialize: { cfg } } : options);
      for (let i = 0; i < 50; i++) expect(g(cfg, i)).toEqual([undefined, i]);
      let traps = 0;
      Object.setPrototypeOf(cfg, new Proxy({}, { get: (_t, k) => (k === "mode" ? (traps++, "X") : undefined) }));
      expect(g(cfg, 1)).toEqual(["X", 1]);
      // The guard's read runs the trap once more, then the original runs (README: a prototype that
      // becomes a proxy is read once more by the guard).
      expect(traps).toBe(2);
    }
  });
});
