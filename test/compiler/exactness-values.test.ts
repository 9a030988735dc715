/**
 * Regression tests for the wrong-result bugs of issue 12 (items 1–9, 14) and
 * issue 9 ("Correctness bugs to fix first", items 1–4): each test runs the
 * exact program from the issue through the public API and expects what the
 * original does. Programs that must be sloppy are built with `new Function`
 * (this file is an ES module, so its own functions are strict).
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";
import { expectSameOutcome, expectSameWithLog, sloppy } from "../support/fuzz/exactness-helpers.js";

describe("issue 12 item 1: AST copies do not share object-literal values", () => {
  it("a second specialization of the same function uses its own constants", () => {
    function f(c: number, x: number) {
      return { p: c * 10 + x };
    }
    const first = jit(f, { specialize: { c: 1 } });
    const second = jit(f, { specialize: { c: 2 } });
    expect(second(2, 0).p).toBe(20);
    expect(first(1, 0).p).toBe(10);
  });

  it("a tiered function recompiled after a deopt keeps a guard and its own values", () => {
    function g(c: number, x: number) {
      return { p: c * 10 + x };
    }
    const j = jit(g, { tiering: { hotCalls: 8, hotTimeMs: 1e9 } });
    let wrong = 0;
    for (let round = 0; round < 6; round++) {
      const c = round % 2 === 0 ? 1 : 2;
      for (let i = 0; i < 200; i++) {
        const x = i % 7;
        const c2 = i % 11 === 0 ? 3 : c;
        if (j(c2, x).p !== g(c2, x).p) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });

  it("objects built by an unrolled loop are distinct objects", () => {
    function f(n: number) {
      const r = [];
      for (let i = 0; i < n; i++) r.push({ p: 0 });
      r[0]!.p = 1;
      return r;
    }
    const j = jit(f, { specialize: { n: 3 } });
    const out = j(3);
    expect(out).toEqual([{ p: 1 }, { p: 0 }, { p: 0 }]);
    expect(new Set(out).size).toBe(3);
  });

  it("issue 9 #1: template literals inside an unrolled object literal take each iteration's key", () => {
    function f(keys: string[]) {
      const r = [];
      for (const key of keys) r.push({ e: `m ${key}` });
      return r;
    }
    const keys = ["a", "b"];
    expect(jit(f, { specialize: { keys } })(keys)).toEqual([{ e: "m a" }, { e: "m b" }]);
  });
});

describe("issue 12 item 2: the tier-0 wrapper forwards every argument", () => {
  it("a default parameter after fn.length still receives its argument", () => {
    const f = function (a: number, b = 2) {
      return a + b;
    };
    const j = jit(f);
    expect(j(1, 5)).toBe(6);
    expect(j(1)).toBe(3);
    expect(j.length).toBe(f.length);
  });

  it("a destructured parameter with a default and a later parameter", () => {
    const g = function ({ p }: { p?: number } = {}, q?: number) {
      return [p, q];
    };
    const j = jit(g);
    expect(j({ p: 1 }, 2)).toEqual([1, 2]);
    expect(j(undefined, 7)).toEqual([undefined, 7]);
  });

  it("extra arguments reach `arguments` of the original", () => {
    const h = sloppy("function h(a) { return arguments.length + ':' + arguments[2]; }");
    const j = jit(h);
    expect(j(1, 2, 3)).toBe("3:3");
  });
});

describe("issue 12 item 3 / issue 9 #3: a method call on a specialized object keeps `this`", () => {
  it("c.unit.scale(x) on a specialized unfrozen config", () => {
    const c = { unit: { f: 3, scale(v: number) { return v * this.f; } } };
    function f(c: { unit: { scale(v: number): number } }, x: number) {
      return c.unit.scale(x);
    }
    const j = jit(f, { specialize: { c } });
    expect(j(c, 2)).toBe(6);
  });

  it("o.m(x) on a specialized frozen object", () => {
    const o = Object.freeze({ k: 5, m(x: number) { return this.k + x; } });
    function f(o: { m(x: number): number }, x: number) {
      return o.m(x);
    }
    expect(jit(f, { specialize: { o } })(o, 1)).toBe(6);
  });
});

describe("issue 12 item 4 / issue 9 #2: helpers that reassign a parameter", () => {
  it("a constant argument whose parameter the helper reassigns (n = n || 2)", () => {
    const h = function h(n: number) {
      n = n || 2;
      return n * 3;
    };
    const f = sloppy("function f(x) { return h(0) + x; }", { h });
    const j = jit(f, { scope: { h } });
    expectSameOutcome(f, j, [1]);
    expect(j(1)).toBe(7);
  });

  it("a missing argument whose parameter the callee reassigns", () => {
    const withDefault = function withDefault(a: number, b?: number) {
      if (b === undefined) b = 10;
      return a + b;
    };
    const f = sloppy("function f(x) { return withDefault(x); }", { withDefault });
    expect(jit(f, { scope: { withDefault } })(1)).toBe(11);
  });
});

describe("issue 12 item 5: the expression inliner", () => {
  it("a helper's (y += k, y) does not write the caller's variable", () => {
    const h = function h(y: number, k: number) {
      return (y += k, y);
    };
    const f = sloppy("function f(x) { let v = x; return [h(v, 2), v]; }", { h });
    expect(jit(f, { scope: { h } })(5)).toEqual([7, 5]);
    // Specialized, the inlined body kept the helper's parameter name (ReferenceError: y is not defined).
    expect(jit(f, { scope: { h }, specialize: { x: 5 } })(5)).toEqual([7, 5]);
  });

  it("no name capture: an arrow parameter named like the caller's argument", () => {
    const h = function h(a: number, k: number) {
      return [1, 2].map((y) => y * k + a);
    };
    const f = sloppy("function f(c, y) { return h(y, c.k); }", { h });
    const c = { k: 3 };
    const j = jit(f, { specialize: { c }, scope: { h } });
    expect(j(c, 100)).toEqual([103, 106]);
  });
});

describe("issue 12 item 6: let tracking", () => {
  it("an assignment inside a later initializer", () => {
    const f = sloppy("function f(x) { let a = 1; let b = (a = x, 3); return a + b; }");
    expect(jit(f, { specialize: {}, scope: {} })(10)).toBe(13);
    expect(jit(f, { specialize: { x: 10 } })(10)).toBe(13);
  });

  it("a postfix increment in an initializer updates the variable", () => {
    const f = sloppy("function f(x) { let a = 1; let b = a++; return [a, b, a + b + x]; }");
    expect(jit(f, { specialize: { x: 1 } })(1)).toEqual([2, 1, 4]);
    expect(jit(f, { scope: {} })(0)).toEqual([2, 1, 3]);
  });
});

describe("issue 12 item 7: temporary forwarding", () => {
  it("a temporary holding an assignment's value", () => {
    const f = sloppy("function f(x) { const t = (x = x * 2); return x + t; }");
    expect(jit(f, { scope: {} })(5)).toBe(20);
    expect(jit(f, { specialize: { x: 5 } })(5)).toBe(20);
  });

  it("a temporary read before a closure writes the variable", () => {
    const f = sloppy("function f(x) { let v = x; const set = () => { v = v * 2; }; const t = v; set(); return [t, v]; }");
    expect(jit(f, { scope: {} })(5)).toEqual([5, 10]);
    expect(jit(f, { specialize: { x: 5 } })(5)).toEqual([5, 10]);
  });
});

describe("issue 12 item 8: helper strictness survives inlining", () => {
  it("a strict helper inlined into sloppy code still throws on a write to a frozen object", () => {
    const h = sloppy('function h(o) { "use strict"; o.a = 2; return o.a; }');
    // As a statement, the helper is inlined as a block, where "use strict" is no longer a directive.
    const f = sloppy("function f(o, x) { h(o); return x; }", { h });
    for (const j of [jit(f, { scope: { h } }), jit(f, { scope: { h }, specialize: { x: 1 } })]) {
      const outcome = expectSameOutcome(f, j, [Object.freeze({ a: 1 }), 1]);
      expect(outcome).toMatchObject({ ok: false, errorType: "TypeError" });
    }
  });

  it("a sloppy helper inlined into strict code still ignores the write", () => {
    const h = sloppy("function h(o) { o.a = 2; return o.a; }");
    const f = sloppy('function f(o, x) { "use strict"; return h(o) + x; }', { h });
    const j = jit(f, { scope: { h }, specialize: { x: 1 } });
    expectSameOutcome(f, j, [Object.freeze({ a: 1 }), 1]);
    expect(j(Object.freeze({ a: 1 }), 1)).toBe(2);
  });
});

describe("issue 12 item 9: dead-code removal keeps what throws", () => {
  it("an assignment to a const still throws", () => {
    for (const source of ["function f(a) { const x = 1; x = 2; return a; }", "function f(a) { const x = a; if (a) x = 2; return 1; }"]) {
      const f = sloppy(source);
      const outcome = expectSameOutcome(f, jit(f, { specialize: { a: 1 } }), [1]);
      expect(outcome).toMatchObject({ ok: false, errorType: "TypeError", message: "Assignment to constant variable." });
    }
  });

  it("a let after return keeps its temporal dead zone", () => {
    const g = globalThis as Record<string, unknown>;
    g.kosTdzProbe = "global";
    try {
      const f = sloppy("function f(a) { const read = () => kosTdzProbe; if (a) return read(); return 0; let kosTdzProbe = 1; }");
      const j = jit(f, { specialize: { a: 1 } });
      const outcome = expectSameOutcome(f, j, [1]);
      expect(outcome).toMatchObject({ ok: false, errorType: "ReferenceError" });
    } finally {
      delete g.kosTdzProbe;
    }
  });
});

describe("issue 12 item 14: default parameters run once", () => {
  it("a default parameter's side effect is logged once when a guard fails", () => {
    const f = sloppy('function f(a, log, b = (log.push("default"), 2)) { return a + b; }');
    const j = jit(f, { specialize: { a: 1 } });
    const logA: string[] = [];
    const logB: string[] = [];
    expect(j(5, logB)).toBe(f(5, logA));
    expect(logB).toEqual(logA);
    expect(logB).toEqual(["default"]);
  });

  it("and once on the fast path", () => {
    const f = sloppy('function f(a, log, b = (log.push("default"), 2)) { return a + b; }');
    const j = jit(f, { specialize: { a: 1 } });
    const logB: string[] = [];
    expect(j(1, logB)).toBe(3);
    expect(logB).toEqual(["default"]);
  });
});

describe("issue 9 #4: walks never enter user data held in constants", () => {
  it("fastmath with a specialized object that contains a cycle compiles or falls back for a real reason", () => {
    const c: Record<string, unknown> = { k: 2, v: [1, 2, 3] };
    c.self = c;
    function f(c: { k: number; v: number[] }, x: number) {
      let s = 0;
      for (let i = 0; i < c.v.length; i++) s += c.v[i]! * x;
      return s * c.k;
    }
    const j = jit(f, { specialize: { c }, fastmath: true, freeze: "reference" });
    expect(inspect(j)?.fallbackReason ?? "").not.toMatch(/Maximum call stack|INTERNAL/);
    expect(j(c as never, 2)).toBe(24);
    const frozen = jit(f, { specialize: { c }, fastmath: true });
    expect(inspect(frozen)?.fallbackReason ?? "").not.toMatch(/Maximum call stack|INTERNAL/);
    expect(frozen(c as never, 3)).toBe(36);
  });
});

describe("side-effect order through helpers (issue 12 generator family, fixed example)", () => {
  it("a helper called with an extra argument and a logging valueOf", () => {
    const h = function h(a: number, b?: number) {
      return a * 2 + (b ?? 1);
    };
    const f = sloppy("function f(c, x, log) { log.push('start'); const r = h(x, c.k, log.push('extra')); log.push(r); return r; }", { h });
    const c = { k: 4 };
    const j = jit(f, { specialize: { c }, scope: { h } });
    const x = { valueOf() { return 3; } };
    expectSameWithLog(f, j, [c, x]);
  });
});
