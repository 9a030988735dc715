/**
 * A library whose entry point constructs: `Query(prog, input)` called without
 * `new` returns `new Query(…)` (`if (!(this instanceof Query))`), the
 * constructor stores its options and runs the program, and a result that is
 * not an object comes back through a throw that the entry point catches
 * (jsonpath-plus's `JSONPath` and `JSONPathClass` do this). The construction
 * runs in place: the instance stays virtual, the program unrolls, and the
 * throw and catch stay as written. Compared with the library on many inputs,
 * thrown errors and the order of getters included.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

interface Lib {
  query: (prog: unknown, input: unknown, opts?: unknown) => unknown;
  Query: Function;
}

const lib = (): Lib =>
  new Function(`"use strict";
    function Query(prog, input, opts) {
      if (!(this instanceof Query)) return new Query(prog, input, opts);
      this.prog = prog;
      this.scale = (opts && opts.scale) || 1;
      this.seen = 0;
      const ret = this.run(input);
      if (!ret || typeof ret !== "object") {
        const err = new Error("Query should not be called with new (it prevents return of scalar values)");
        err.avoidNew = true;
        err.value = ret;
        throw err;
      }
      return ret;
    }
    Query.prototype.run = function (input) {
      if (input === undefined) return undefined;
      let acc = 0;
      for (let i = 0; i < this.prog.length; i++) {
        const op = this.prog[i];
        this.seen++;
        if (op.k === "get") acc += input[op.key] * this.scale;
        else if (op.k === "neg") acc = -acc;
        else if (op.k === "check" && typeof input[op.key] !== "number") throw new TypeError("not a number: " + op.key);
        else if (op.k === "obj") return { acc, seen: this.seen };
      }
      return acc;
    };
    function query(prog, input, opts) {
      try {
        return Query(prog, input, opts);
      } catch (e) {
        if (!e || !e.avoidNew) throw e;
        return e.value;
      }
    }
    return { query, Query };`)() as Lib;

const freezeProg = (ops: object[]) => Object.freeze(ops.map((o) => Object.freeze(o)));

const progs = {
  scalar: freezeProg([{ k: "get", key: "a" }, { k: "neg" }, { k: "get", key: "b" }]),
  object: freezeProg([{ k: "check", key: "a" }, { k: "get", key: "a" }, { k: "obj" }, { k: "get", key: "b" }]),
};

/** Inputs, each made fresh per call: getters log the order they run in. */
function inputs(log: string[]): unknown[] {
  const getters = {
    get a() {
      log.push("a");
      return 2;
    },
    get b() {
      log.push("b");
      return -0.5;
    },
  };
  return [
    { a: 1, b: 2 },
    { a: 0, b: -0 },
    { a: -0, b: 0 },
    { a: NaN, b: 1 },
    { a: "3", b: 4 },
    { a: 1 },
    {},
    getters,
    {
      get a(): number {
        throw new RangeError("getter a");
      },
    },
    null,
    undefined,
    7,
  ];
}

function optionsFor(log: string[]): unknown[] {
  return [
    undefined,
    { scale: 3 },
    { scale: 0 },
    {
      get scale() {
        log.push("scale");
        return -2;
      },
    },
  ];
}

type Outcome = { value: unknown } | { error: string };

function run(f: Lib["query"], prog: unknown, i: number, o: number): { out: Outcome; log: string[] } {
  const log: string[] = [];
  const input = inputs(log)[i];
  const opts = optionsFor(log)[o];
  try {
    return { out: { value: f(prog, input, opts) }, log };
  } catch (e) {
    return { out: { error: `${(e as Error).constructor.name}: ${(e as Error).message}` }, log };
  }
}

function same(a: Outcome, b: Outcome): boolean {
  if ("error" in a || "error" in b) return JSON.stringify(a) === JSON.stringify(b);
  if (a.value === null || typeof a.value !== "object" || b.value === null || typeof b.value !== "object") return Object.is(a.value, b.value);
  return JSON.stringify(a.value) === JSON.stringify(b.value) && Object.getPrototypeOf(a.value) === Object.getPrototypeOf(b.value);
}

describe("constructing entry points", () => {
  for (const [name, prog] of Object.entries(progs)) {
    it(`${name}: the same values, errors and getter order as the library, on every input`, () => {
      const { query } = lib();
      const j = jit(query, { specialize: { prog } }) as Lib["query"];
      const n = inputs([]).length;
      for (let i = 0; i < n; i++) {
        for (let o = 0; o < optionsFor([]).length; o++) {
          const want = run(query, prog, i, o);
          const got = run(j, prog, i, o);
          expect(same(got.out, want.out), `input ${i}, options ${o}: ${JSON.stringify(got.out)} vs ${JSON.stringify(want.out)}`).toBe(true);
          expect(got.log).toEqual(want.log);
        }
      }
    });
  }

  it("the construction runs in place: no `new`, the program unrolled, the throw and catch kept", () => {
    const { query } = lib();
    const j = jit(query, { specialize: { prog: progs.scalar } });
    expect(j(progs.scalar, { a: 1, b: 2 })).toBe(1);
    const src = inspect(j)!.source!;
    // `new Query(…)` as written would be `new $k_ref_N(…)`; in place, the instance is made (if
    // at all) as Object.create of its prototype.
    expect(src).not.toMatch(/new \$k_\w+\(/);
    expect(src).toMatch(/\.a \* \w+/);
    expect(src).toMatch(/\.b \* \w+/);
    expect(src).toMatch(/throw /);
    expect(src).toMatch(/catch \(/);
  });

  it("`new` of the entry's constructor still gives the library's instance", () => {
    const { Query } = lib();
    const make = new Function("Query", `"use strict"; return function make(prog, input) { return new Query(prog, input); };`)(Query) as (p: unknown, i: unknown) => unknown;
    const j = jit(make, { specialize: { prog: progs.object }, scope: { Query } }) as typeof make;
    const got = j(progs.object, { a: 2, b: 1 });
    expect(got).toEqual(make(progs.object, { a: 2, b: 1 }));
    expect(() => j(progs.scalar, { a: 1, b: 2 })).toThrow("Query should not be called with new");
  });

  it("an instance allocated where a speculation's generic branch joins, then given to a call on the fast path, is made by its constructor", () => {
    // In \`helper\`, the speculation after \`a.y\` (a getter may run) has a generic branch that calls
    // p.norm1() as written: the join at helper's return allocates p. \`sink(p)\` then hands it to code
    // kos does not see, on the fast path.
    const Point = new Function(`"use strict";
      function Point(x, y) { this.x = x; this.y = y; }
      Point.prototype.norm1 = function () { return Math.abs(this.x) + Math.abs(this.y); };
      return Point;`)() as new (x: number, y: number) => { x: number; y: number; norm1(): number };
    const helper = new Function(`"use strict"; return function helper(p, a) { const t = a.y; return p.norm1() + t; }`)() as (p: unknown, a: unknown) => number;
    const f = new Function("Point", "helper", `"use strict"; return function f(a, sink) { const p = new Point(2, 1); const n = helper(p, a); sink(p); return n; }`)(Point, helper) as (a: { y: number }, sink: (p: unknown) => void) => number;
    const j = jit(f, { specialize: {}, scope: { Point, helper } }) as typeof f;
    const seen: unknown[] = [];
    expect(j({ y: 4 }, (p) => seen.push(p))).toBe(f({ y: 4 }, () => {}));
    expect(Object.getPrototypeOf(seen[0])).toBe(Point.prototype);
    expect(inspect(j)!.source).toMatch(/new \$k_\w+\(/);
  });

  it("a field stored from a plain variable after the constructor read an option stays a field", () => {
    // \`opts.log\` may run a getter; \`this.x = x\` after it asks the prototype chain again behind a guard.
    const Box = new Function(`"use strict";
      function Box(x, opts) { const log = opts.log; this.x = x; this.log = log; }
      return Box;`)() as Function;
    const f = new Function("Box", `"use strict"; return function f(x, opts) { const b = new Box(x, opts); return b.x * 2 + (b.log === undefined ? 0 : 1); }`)(Box) as (x: number, opts: object) => number;
    const j = jit(f, { specialize: {}, scope: { Box } }) as typeof f;
    for (const x of [1, -0, NaN]) for (const o of [{}, { log: 1 }]) expect(Object.is(j(x, o), f(x, o))).toBe(true);
    expect(() => j(1, null as never)).toThrow(TypeError);
    expect(inspect(j)!.source).not.toMatch(/new \$k_\w+\(/);
  });

  // An arrow that captures `this`, handed to a helper that only calls it in place (jsonpath-plus's
  // `this._walk(val, (m) => this._eval(…))`), is made only if something needs it as a value
  // (specialize/lazy-closures.ts); made where the source makes it, it allocated the instance on the
  // fast path, and the construction ran as written. The helper walks an object's keys with
  // `Object.keys(val).forEach((m) => { f(m); })`, whose steps run in place too
  // (specialize/fresh-array-calls.ts).
  const walker = () => new Function(`"use strict";
    function Walker(scale) { this.scale = scale; this.seen = 0; }
    Walker.prototype.walk = function (val, f) {
      if (Array.isArray(val)) {
        const n = val.length;
        for (let i = 0; i < n; i++) f(i);
      } else if (val && typeof val === "object") {
        Object.keys(val).forEach((m) => { f(m); });
      }
    };
    Walker.prototype.sum = function (val) {
      let total = 0;
      this.walk(val, (m) => { total += this.scale * val[m]; });
      return total;
    };
    Walker.prototype.keep = function (val) {
      this.walk(val, (m) => { this.seen++; });
      this.last = (m) => this.scale + m;
      return this.seen;
    };
    return Walker;`)() as new (scale: number) => { sum(v: unknown): number; keep(v: unknown): number; last?: (m: number) => number };

  it("an arrow that captures the instance, only called in place by an inlined helper, keeps the instance virtual", () => {
    const Walker = walker();
    const f = new Function("Walker", `"use strict"; return function f(val) { return new Walker(3).sum(val); }`)(Walker) as (v: unknown) => number;
    const j = jit(f, { specialize: {}, scope: { Walker } }) as typeof f;
    const cases: unknown[] = [[1, 2, 3], [], { a: 1, b: 2 }, {}, null, 5, "ab", [1, , 3], { length: 2, 0: 1 }, Object.assign(Object.create({ inherited: 9 }), { own: 1 })];
    for (const v of cases) expect(Object.is(j(v), f(v))).toBe(true);
    const getter = { get a() { return 4; } };
    expect(j(getter)).toBe(f(getter));
    const src = inspect(j)!.source!;
    // (The version's own accessors, after its body, are arrows.)
    const body = src.slice(0, src.lastIndexOf("}, () =>"));
    expect(body).not.toMatch(/new \$k_\w+\(/);
    expect(body).not.toMatch(/=>/);
    expect(body).not.toMatch(/forEach/);
    expect(body).toMatch(/Object\.keys/);
  });

  it("an arrow that is kept as a value, or whose helper stores it, still gets the instance the library sees", () => {
    const Walker = walker();
    const f = new Function("Walker", `"use strict"; return function f(val) { const w = new Walker(2); const n = w.keep(val); return [n, w.last(1), w.seen]; }`)(Walker) as (v: unknown) => unknown;
    const j = jit(f, { specialize: {}, scope: { Walker } }) as typeof f;
    for (const v of [[1, 2], { a: 1 }, null]) expect(j(v)).toEqual(f(v));
    // A helper that keeps the function it is given: the arrow must exist, with the instance it captures.
    const Keeper = new Function(`"use strict";
      function Keeper() { this.k = 5; }
      Keeper.prototype.hold = function (f) { this.f = f; return f(1); };
      Keeper.prototype.run = function () { return this.hold((m) => this.k + m); };
      return Keeper;`)() as new () => { run(): number; f?: (m: number) => number };
    const g = new Function("Keeper", `"use strict"; return function g(x) { const k = new Keeper(); const r = k.run(); k.k = x; return [r, k.f(2)]; }`)(Keeper) as (x: number) => unknown;
    const jg = jit(g, { specialize: {}, scope: { Keeper } }) as typeof g;
    for (const x of [0, 7, -1]) expect(jg(x)).toEqual(g(x));
  });
});
