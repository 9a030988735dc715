/**
 * Calls on a dynamic choice between known values, and closures whose
 * defining call has returned. Both are how interpreters hand sub-programs
 * around: expr-eval's ternary pops two operands it knows and one it does not,
 * then calls `evaluate(n1 ? n2 : n3, expr, values)`, where n2 and n3 wrap a
 * closure made by a helper that has returned.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

const src = (f: Function) => inspect(f)!.source ?? `FALLBACK ${inspect(f)!.fallbackReason}`;

describe("a call on `c ? x : y` with known x and y is specialized on each side", () => {
  const make = () =>
    new Function(`
      function run(node, v) { return node.op === "add" ? v + node.k : node.op === "mul" ? v * node.k : -v; }
      return function f(c, v) {
        const a = { op: "add", k: 10 };
        const b = { op: "mul", k: 3 };
        return run(c ? a : b, v);
      };`)();

  it("gives the original's results, and neither object is allocated", () => {
    const f = make();
    const j = jit(f, { specialize: {} });
    for (const [c, v] of [[true, 2], [false, 2], [0, -0], ["", NaN], [1, -0]] as const) expect(Object.is(j(c, v), f(c, v))).toBe(true);
    expect(inspect(j)!.tier).toBe(1);
    expect(src(j)).not.toMatch(/op:|"add"|"mul"/);
    expect(src(j)).toMatch(/\* 3/);
    expect(src(j)).toMatch(/\+ 10/);
  });

  it("keeps the order of evaluation: callee, earlier arguments, the test, the chosen side, later arguments", () => {
    const f = new Function(`
      function pick(a, n, b) { return a + ":" + n.name + ":" + b; }
      return function f(log, c) {
        const x = { name: "x" };
        const y = { name: "y" };
        return pick(log("a"), (log("t"), c) ? x : y, log("b"));
      };`)();
    const j = jit(f, { specialize: {} });
    for (const c of [true, false]) {
      const l1: string[] = [];
      const l2: string[] = [];
      const log = (arr: string[]) => (s: string) => (arr.push(s), s);
      expect(j(log(l1), c)).toBe(f(log(l2), c));
      expect(l1).toEqual(["a", "t", "b"]);
      expect(l1).toEqual(l2);
    }
  });

  it("a test that throws throws the same error, before the later arguments run", () => {
    const f = new Function(`
      function pick(n, b) { return n.name + b; }
      return function f(o, log) { const x = { name: "x" }; const y = { name: "y" }; return pick(o.p.q ? x : y, log()); };`)();
    const j = jit(f, { specialize: {} });
    let calls = 0;
    const log = () => (calls++, "!");
    expect(() => j({}, log)).toThrow(TypeError);
    expect(calls).toBe(0);
    expect(j({ p: { q: 1 } }, log)).toBe("x!");
  });
});

describe("a closure made by a call that has returned", () => {
  it("is inlined where everything it captured is a constant", () => {
    const f = new Function(`
      function scaler(k) { return function (x) { return x * k + 1; }; }
      return function f(x) { const g = scaler(4); return g(x); };`)();
    const j = jit(f, { specialize: {} });
    for (const x of [1, -0, NaN, 2.5]) expect(Object.is(j(x), f(x))).toBe(true);
    expect(src(j)).toMatch(/x \* 4 \+ 1/);
  });

  it("stays a call where a captured binding is reassigned, and still gives the original's results", () => {
    const f = new Function(`
      function counter(k) { return { next(x) { k = k + x; return k; } }; }
      return function f(x) { const c = counter(1); c.next(x); return c.next(x); };`)();
    const j = jit(f, { specialize: {} });
    for (const x of [1, -0, 5]) expect(Object.is(j(x), f(x))).toBe(true);
  });

  it("a closure stored in a virtual object and called through it is inlined", () => {
    const f = new Function(`
      function wrap(tok) { return { type: "EV", value: function (scope) { return scope[tok.name] * 2; } }; }
      return function f(scope, t) { const w = wrap(t); return w.type === "EV" ? w.value(scope) : w; };`)();
    const t = { name: "q" };
    const j = jit(f, { specialize: { t } });
    expect(j({ q: 21 }, t)).toBe(42);
    expect(Number.isNaN(j({}, t))).toBe(true);
    expect(src(j)).not.toMatch(/function \(scope\)/);
    expect(src(j)).toMatch(/\* 2/);
  });
});
