/**
 * Regression tests for bugs the exactness fuzzer (fixtures/fuzz) found in the
 * specializer core while it was being written (see /work/notes/fuzz-findings.md,
 * N1–N9). Each is the reduced program; the seed/index that found it is named.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../index.js";
import { expectSameOutcome, expectSameWithLog, sloppy } from "../support/fuzz/exactness-helpers.js";

/** A log whose push throws past a cap, so a jitted loop that never ends fails the test instead of hanging it. */
function cappedLog(): unknown[] {
  const log: unknown[] = [];
  Object.defineProperty(log, "push", { value: (...v: unknown[]) => { if (log.length > 200) throw new RangeError("runaway"); return Array.prototype.push.apply(log, v); } });
  return log;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    for (const k of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, k)!;
      if ("value" in d) deepFreeze(d.value);
    }
    Object.freeze(o);
  }
  return o;
}

describe("loops (fuzz N1, N2)", () => {
  it("N1 (seed 24301 #581): a labeled for with `break outer` in an inner loop keeps its update", () => {
    const f = sloppy("function f(c, log) { outer1: for (let i2 = 0; i2 < c.items.length; i2++) { for (const j3 of c.list) { if (c.words.includes('xxxxx')) break outer1; log.push(i2, j3); } } return 1; }");
    const c = { items: [1, 2], list: [8], words: ["a"] };
    const logA = cappedLog(), logB = cappedLog();
    const j = jit(f, { scope: {} });
    expect(() => j(c, logB)).not.toThrow();
    f(c, logA);
    expect(logB).toEqual(logA);
  });

  it("N2: do-while with a dynamic condition runs its first iteration once", () => {
    const f = sloppy("function f(n, log) { let w = 0; do { log.push(w); } while (++w < n); return w; }");
    expectSameWithLog(f, jit(f, { scope: {} }), [2]);
    expectSameWithLog(f, jit(f, { scope: {} }), [0]);
  });
});

describe("effects of operations on dynamic values survive (fuzz N3, N6, N7)", () => {
  it("N3: scalar replacement of an operand stack keeps the coercion of a dynamic value", () => {
    const f = sloppy("function f(x, log) { const st = []; st.push(x); st.push(-st.pop()); return 1; }");
    const j = jit(f, { scope: {} });
    const calls: string[] = [];
    const logging = { valueOf() { calls.push("valueOf"); return 1; } };
    f(logging, []);
    const expected = calls.splice(0);
    j(logging, []);
    expect(calls).toEqual(expected);
    expectSameOutcome(f, j, [Symbol("s"), []]);
  });

  it("N6 (seed 12 #769): arguments of a call to a helper that reads `arguments` are evaluated once", () => {
    const h = sloppy("function h() { var a = arguments.length > 0 && arguments[0] !== undefined ? arguments[0] : 3; return a; }");
    const f = sloppy("function f(c, x, log) { return h(x + c.n, log.push('extra')); }", { h });
    const calls: string[] = [];
    const x = { valueOf() { calls.push("valueOf"); return 2; } };
    const c = { n: 1 };
    for (const j of [jit(f, { scope: { h } }), jit(f, { scope: { h }, specialize: { c }, freeze: "reference" })]) {
      calls.length = 0;
      const logA: unknown[] = [], logB: unknown[] = [];
      f(c, x, logA);
      const expected = calls.splice(0);
      j(c, x, logB);
      expect(calls).toEqual(expected);
      expect(logB).toEqual(logA);
    }
  });

  it("N7 (seed 12 #217): an unused `{ ...o }` still runs o's getters", () => {
    const log: string[] = [];
    const c = { unit: { f: 1, get twice() { log.push("twice"); return 2; } } };
    const f = sloppy('function f(c, x) { "use strict"; const s0 = { ...c.unit, extra: -0 - x }; return 1; }');
    for (const j of [jit(f, { scope: {} }), jit(f, { specialize: { c }, freeze: "reference" })]) {
      log.length = 0;
      f(c, 1);
      const expected = log.splice(0);
      j(c, 1);
      expect(log).toEqual(expected);
    }
  });
});

describe("labels and inlined defaults (fuzz N11, N12)", () => {
  it("N11 (seed 2026 #1928): `break outer` after a dynamic `continue outer` in an unrolled inner loop", () => {
    const f = sloppy("function f(c, k, x, y, log) { let n = 0; outer3: for (let i4 = 0; i4 < 3; i4++) { for (const j5 of c.list) { n++; if (Math.min(y && y.a, c.f) == x) continue outer3; if (typeof k === 'string') break outer3; } } return n; }");
    const c = { list: [8], f: 5e-324 };
    const j = jit(f, { specialize: { c, k: "s" } });
    const calls: string[] = [];
    const x = { valueOf() { calls.push("valueOf x"); return 7; } };
    const expected = f(c, "s", x, { a: 1 }, []);
    const expectedCalls = calls.splice(0);
    expect(j(c, "s", x, { a: 1 }, [])).toBe(expected);
    expect(calls).toEqual(expectedCalls);
  });

  it("N12 (seed 2026 #2447): an inlined default parameter that uses an earlier parameter", () => {
    const h0 = sloppy("function h0(a, b = a + 1) { b = b * 2; return a + b; }");
    const f = sloppy("function prog(c, k, x, y, log) { let acc = -0; acc = acc + h0({}); return acc; }", { h0 });
    expectSameOutcome(f, jit(f, { scope: { h0 } }), [{}, 1, 2, null, []]);
    expectSameOutcome(f, jit(f, { scope: { h0 }, specialize: { k: 1 } }), [{}, 1, 2, null, []]);
  });
});

describe("evaluation order (fuzz N10)", () => {
  it("N10 (seed 2026 #490): a spread runs its getters before later property values are computed", () => {
    const f = sloppy("function f(c, k, x, y) { const s5 = { ...y, extra: Math.abs(x) ?? (c.nested.p << c.arr.length) }; return 1; }");
    const c = { nested: { p: 1 }, arr: [1] };
    const order: string[] = [];
    const y = { get g() { order.push("get y.g"); return 1; } };
    const x = { valueOf() { order.push("valueOf x"); return -2; } };
    for (const j of [jit(f, { scope: {} }), jit(f, { specialize: { c, k: 100 } })]) {
      order.length = 0;
      f(c, 100, x, y);
      const expected = order.splice(0);
      j(c, 100, x, y);
      expect(order).toEqual(expected);
    }
  });

  it("seed 4060 #1364: `o.p += rhs` reads o.p before the right side runs", () => {
    // The right side needed a statement of its own (`??`), which ran before the pending read of
    // `o.cnt`: an undefined `o` threw "Cannot mix BigInt…" from the right side instead.
    const f = sloppy("function f(c, x, y) { y.o.cnt += (c.k / x) ?? c.k; return y; }");
    const c = { k: "s" };
    const j = jit(f, { specialize: { c } });
    expectSameOutcome(f, j, [c, 1n, {}]);
    expectSameOutcome(f, j, [c, 2, { o: { cnt: 1 } }]);
  });
});

describe("messages and compile time (fuzz N8, N9)", () => {
  it("N8 (seed 12 #3641): no temporary names in engine error messages", () => {
    const f = sloppy("function f(c, y) { try { return c.obj.q((y != null && 'g' in y) ? 1 : c.m); } catch (e) { return e.message; } }");
    const c = { obj: { q: 2 }, m: 1 };
    expect(jit(f, { specialize: { c }, freeze: "reference" })(c, null)).toBe("c.obj.q is not a function");
    expect(jit(f, { scope: {} })(c, null)).toBe("c.obj.q is not a function");
  });

  it("N8b (seed 7 #4275): no temporary in the message when the callee object is dynamic and an argument is hoisted", () => {
    const f = sloppy('function prog(c, k, x, y, log) { "use strict"; let acc = 0; log.push(c.obj.q((c.words.includes("a") ? (c.words.includes("p") ? -0 : acc) : Math.round(c.nested.p)))); }');
    const c = { obj: { q: 2 }, words: ["b"], nested: { p: 1.5 } };
    const outcome = expectSameOutcome(f, jit(f, { specialize: { k: 1 } }), [c, 1, 0, null, []]);
    expect(outcome).toMatchObject({ ok: false, message: "c.obj.q is not a function" });
  });

  it("N8c (seed 98 #224): a folded operand does not change the text of the engine's message", () => {
    const f = sloppy("function f(k, c, x) { return ((k ?? x) + (c.n % x)).toFixed(2); }");
    const outcome = expectSameOutcome(f, jit(f, { specialize: { k: "a" } }), ["a", { n: 2 }, 3]);
    expect(outcome).toMatchObject({ ok: false, message: "((k ?? x) + (c.n % x)).toFixed is not a function" });
  });

  it("N9 (seed 12 #3340): jit() runs no getter of a specialized object it never reads", () => {
    const log: string[] = [];
    const c = deepFreeze({ m: -Infinity, items: [1], arr: [1, 2], unit: { f: NaN, get twice() { log.push("twice"); return 2; } } });
    const prog = sloppy("function prog(c, k) { outer0: for (let i1 = 0; i1 < c.items.length; i1++) { for (let j2 = 0; j2 < c.arr.length; j2++) { if ((Object.is(c.m, -0) ? c.unit.f : 0.5) > Infinity) continue outer0; if (typeof k === 'number') break outer0; } } }");
    const j = jit(prog, { specialize: { c, k: 7 }, freeze: "reference" });
    expect(log).toEqual([]);
    expectSameOutcome(prog, j, [c, 7]);
    expect(log).toEqual([]);
  });
});

describe("speculation-era findings", () => {
  it("seed 555 #6234: a failing method call on a dynamic receiver names the source's expression, not the folded one", () => {
    function prog(c: { n: number }, x: unknown) {
      return (((x as number) + c.n) as unknown as { toFixed(d: number): string }).toFixed(2);
    }
    const c = deepFreeze({ n: 4 });
    const f = jit(prog, { specialize: { c } });
    expectSameOutcome(prog, f, [c, "a"]);
    expect(f(c, 1)).toBe(prog(c, 1));
  });

  it("seed 1205 #361: a local kept static for a verbatim copy is dynamic again in a residual loop that assigns it", () => {
    function prog(c: { fn?: (v: number) => number }, x: number) {
      let acc = 1;
      const seen = c.fn?.(acc);
      for (let i = 0; i < x; i++) acc = acc + 2;
      return [acc, seen];
    }
    const c = deepFreeze({ fn: (v: number) => v * 10 });
    const f = jit(prog, { specialize: { c }, freeze: "reference" });
    expect(f(c, 3)).toEqual([7, 10]);
    expectSameOutcome(prog, f, [c, 0]);
  });

  it("seed 24301 #173: a folded 0 read of an unfrozen object is guarded with its sign (a stored -0 passed `=== 0`)", () => {
    function prog(c: { items: Array<{ cnt?: number }> }, x: number, log: unknown[]) {
      c.items[0]!.cnt = 1 / x;
      log.push(c.items[0]!.cnt);
    }
    function read(c: { items: Array<{ cnt?: number }> }) {
      return c.items[0]!.cnt;
    }
    const c = { items: [{ cnt: 0 }] };
    const f = jit(read, { specialize: { c } });
    expect(Object.is(f(c), 0)).toBe(true);
    prog(c, -Infinity, []);
    expect(Object.is(c.items[0]!.cnt, -0)).toBe(true);
    expect(Object.is(f(c), -0)).toBe(true);
  });

  it("seed 205 #1081: a failing method call on a receiver with a Math call names the source's expression", () => {
    function prog(c: { n: number; m: number }, x: unknown) {
      return ((Math.sign(c.n) + (c.m + (x as number))) as unknown as { toFixed(d: number): string }).toFixed(2);
    }
    const c = deepFreeze({ n: 1, m: 256 });
    const f = jit(prog, { specialize: { c } });
    expectSameOutcome(prog, f, [c, "s"]);
    expect(f(c, 1)).toBe(prog(c, 1));
  });

  it("seed 703 #330: a failing method call on a receiver holding a conditional over a method call names the source's expression", () => {
    function prog(c: { words: string[]; m: number; r: number }, x: unknown) {
      return (((c.words.includes("xxxxx") ? (x as number) : c.r) + c.m) as unknown as { toFixed(d: number): string }).toFixed(2);
    }
    const c = { words: ["a"], m: -1, r: 2 };
    const f = jit(prog, { specialize: { c } });
    expectSameOutcome(prog, f, [c, "s"]);
    expect(f(c, 1)).toBe(prog(c, 1));
  });
  it("seed 1301 #421: a global an inlined callee reads is not captured by the compiled function's own binding of that name", () => {
    const helper = new Function("return function helper(a) { return typeof k + a; }")();
    const f = new Function("helper", "return function f(k, a) { return helper(a); }")(helper);
    const j = jit(f, { specialize: {}, scope: { helper } });
    expect(j(1, 2)).toBe("undefined2");
    const h2 = new Function("return function h2(a) { return Math.max(a, 1); }")();
    const f2 = new Function("h2", "return function f2(Math, a) { return h2(a); }")(h2);
    const j2 = jit(f2, { specialize: {}, scope: { h2 } });
    expect(j2({ max: () => "shadow" }, 2)).toBe(2);
    expect(inspect(j2)!.source).toMatch(/globalThis\.Math\.max/);
  });
  it("seed 1503 #1212: a conversion of an object operand (valueOf) is foreign code: a later read of a guarded object is not folded", () => {
    function prog(c: { m: number }, x: unknown, log: unknown[]) {
      const a = (x as number) + c.m;
      return log.length + a;
    }
    const log: unknown[] = [];
    const c = { m: 1 };
    const j = jit(prog, { specialize: { c, log } });
    const x = { valueOf() { log.push("v"); return 0; } };
    expect(j(c, x, log)).toBe(2);
    log.length = 0;
    expect(j(c, 5, log)).toBe(6);
    log.length = 0;
    const t = { toString() { log.push("t"); return "s"; } };
    const k = jit(function tpl(c: { m: number }, x: unknown, log: unknown[]) { const s = `${x}`; return log.length + s; }, { specialize: { c, log } });
    expect(k(c, t, log)).toBe("1s");
  });
});


describe("callee text in error messages (fuzz seed 4014 #1416)", () => {
  // V8's "X is not a function" prints the callee as the code writes it: a variable of the source
  // that the residual forwarded away (its constant, or the variable it aliased) changed the text.
  const c = Object.freeze({ obj: Object.freeze({ q: 5 }), k: 1 });
  const message = (f: (c: typeof c, x: unknown) => unknown, x: unknown) => {
    try {
      return f(c, x);
    } catch (e) {
      return (e as Error).message;
    }
  };
  it("a variable holding a known string, then `acc.toFixed(2)`, fails naming `acc`", () => {
    function fromKeys(c: { obj: object }, _x: unknown) {
      let acc: unknown = 0;
      for (const key in c.obj) acc = (acc as number) + key;
      return (acc as number).toFixed(2);
    }
    function folded(c: { k: number }, _x: unknown) {
      const acc: unknown = c.k + "q";
      return (acc as number).toFixed(2);
    }
    for (const f of [fromKeys, folded] as Array<(c: never, x: unknown) => unknown>) {
      const j = jit(f, { specialize: { c } }) as typeof f;
      expect(inspect(j)!.tier).toBe(1);
      expect(message(j, 0)).toBe(message(f, 0));
      expect(message(f, 0)).toMatch(/^acc\.toFixed is not a function/);
    }
  });

  it("a variable that aliases a parameter fails naming the variable, not the parameter", () => {
    function alias(_c: unknown, x: unknown) {
      const acc = x;
      return (acc as number).toFixed(2);
    }
    const j = jit(alias, { specialize: { c } });
    expect(message(j, "s")).toBe(message(alias, "s"));
    expect(message(j, 1.5)).toBe("1.50");
  });

  it("seed 4087 #4665: a variable holding an object kos allocated fails naming the variable", () => {
    function held(c: { k: number }, log: unknown[]) {
      let acc: unknown = 0;
      const o = { n: c.k };
      acc = o;
      try {
        log.push(1, (acc as number).toFixed(2));
      } catch (e) {
        log.push((e as Error).message);
      }
      return log;
    }
    function returned(c: { k: number }) {
      const acc: unknown = { n: c.k };
      return (acc as number).toFixed(2);
    }
    const j = jit(held, { specialize: { c } });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(c, [])).toEqual(held(c, []));
    expect(held(c, [])).toEqual(["acc.toFixed is not a function"]);
    const r = jit(returned, { specialize: { c } }) as typeof returned;
    expect(inspect(r)!.tier).toBe(1);
    expect(message(r as never, 0)).toBe(message(returned as never, 0));
  });

  it("a variable holding the result of a call, called, fails naming the variable", () => {
    function viaLookup(c: { k: number }, x: { get(k: number): unknown }) {
      const fn = x.get(c.k);
      return (fn as () => unknown)();
    }
    const j = jit(viaLookup, { specialize: { c } });
    const x = { get: () => 7 };
    expect(message(j as never, x)).toBe(message(viaLookup as never, x));
    expect(message(viaLookup as never, x)).toMatch(/^fn is not a function/);
  });
});

describe("a copied call names the variables of the source (fuzz seed 4091 #16)", () => {
  // The second unrolled iteration's `fn4` is another residual variable (fn4_3); a call kos keeps as
  // written, because it may fail, read it under that name: "fn4_3 is not a function".
  const c = Object.freeze({ arr: Object.freeze([1, 2]) });
  const outcome = (f: (c: never, y: unknown, log: unknown[]) => unknown, y: unknown) => {
    try {
      return f(c as never, y, []);
    } catch (e) {
      return (e as Error).message;
    }
  };
  it("in an unrolled loop, with and without a try around the call", () => {
    function caught(c: { arr: number[] }, y: { g?: unknown } | null, log: unknown[]) {
      for (const k of c.arr) {
        const fn4 = y && y.g;
        try {
          log.push((fn4 as (k: number) => unknown)(k));
        } catch (e) {
          log.push((e as Error).message);
        }
      }
      return log;
    }
    function thrown(c: { arr: number[] }, y: { g?: unknown } | null, log: unknown[]) {
      for (const k of c.arr) {
        const fn4 = y && y.g;
        log.push((fn4 as (k: number) => unknown)(k));
      }
      return log;
    }
    for (const f of [caught, thrown]) {
      const j = jit(f, { specialize: { c } });
      expect(inspect(j)!.tier).toBe(1);
      for (const y of [{ g: 5 }, { g: (k: number) => k * 2 }, null]) expect(outcome(j as never, y)).toEqual(outcome(f as never, y));
    }
    expect(outcome(caught as never, { g: 5 })).toEqual(["fn4 is not a function", "fn4 is not a function"]);
  });

  it("a spread of a variable held in a temporary names the variable", () => {
    function spread(c: { arr: number[] }, y: { g?: unknown } | null, log: unknown[]) {
      for (const k of c.arr) {
        const o = y && y.g;
        try {
          log.push([k, ...(o as number[])]);
        } catch (e) {
          log.push((e as Error).message);
        }
      }
      return log;
    }
    const j = jit(spread, { specialize: { c } });
    expect(inspect(j)!.tier).toBe(1);
    for (const y of [{ g: 5 }, { g: [7] }, null]) expect(outcome(j as never, y)).toEqual(outcome(spread as never, y));
    expect(outcome(spread as never, { g: 5 })).toEqual(["o is not iterable", "o is not iterable"]);
  });
});

describe("a binding declared in place in a speculation's copies keeps its name (fuzz seed 4092 #4627)", () => {
  it("the copy of a `try` block that a changed configuration runs names `fn2` as the source does", () => {
    function prog(c: { flag: boolean; n: number; m: number; unit: { twice: unknown } }, log: unknown[]) {
      log.push(c.flag);
      if (c.n > 1) log.push(c.m);
      try {
        {
          let fn2: unknown = 0;
          fn2 = c.unit.twice;
          try {
            log.push((fn2 as (m: number) => unknown)(c.m));
          } catch (e) {
            log.push((e as Error).message);
          }
        }
      } catch {
        log.push("caught");
      }
      return log;
    }
    const c = { flag: true, n: 3, m: 2, unit: { twice: 4 as unknown } };
    const j = jit(prog, { specialize: { c } });
    expect(inspect(j)!.tier).toBe(1);
    // c.m changes: the version's guard on it fails inside, and the copy that reads it runs.
    for (const m of [2, 5, 2]) {
      c.m = m;
      expect(j(c, [])).toEqual(prog(c, []));
    }
    expect(prog(c, [])).toEqual([true, 2, "fn2 is not a function"]);
  });
});

describe("a method read into a variable, then called, is called without a receiver", () => {
  it("`fn = o[key]; fn()` does not become `o.m()`", () => {
    function f(c: { k: string }, o: Record<string, (x: number) => unknown>) {
      let fn: unknown = 0;
      fn = o[c.k];
      return (fn as (x: number) => unknown)(1);
    }
    const c = Object.freeze({ k: "m" });
    const o = { m(this: unknown) { return this === undefined ? "no receiver" : "receiver"; } };
    const j = jit(f, { specialize: { c } });
    expect(inspect(j)!.tier).toBe(1);
    expect(f(c, o)).toBe("no receiver");
    expect(j(c, o)).toBe("no receiver");
  });
});

describe("methods whose strictness cannot be seen, called without a receiver (fuzz seed 4090 #37)", () => {
  // A method's source does not say its mode (it inherits it from where it was written, and has no own
  // `caller` either way): called bare, a sloppy one sees globalThis as `this`, a strict one undefined.
  const sloppyUnit = new Function("return { f: 3, scale(v) { return v * this.f; } }")() as { f: number; scale(v: number): number };
  const strictUnit = new Function('"use strict"; return { f: 3, scale(v) { return v * this.f; } }')() as { f: number; scale(v: number): number };
  const outcome = (run: () => unknown) => {
    try {
      return run();
    } catch (e) {
      return `${(e as Error).constructor.name}: ${(e as Error).message}`;
    }
  };
  it("an inlined method read into a variable and called bare reads `this` as its own mode does", () => {
    function held(c: { unit: { scale(v: number): number } }, x: number) {
      const fn = c.unit.scale;
      return fn(x);
    }
    for (const unit of [sloppyUnit, strictUnit]) {
      const c = Object.freeze({ unit: Object.freeze(unit) });
      const j = jit(held, { specialize: { c } }) as typeof held;
      expect(inspect(j)!.tier).toBe(1);
      expect(outcome(() => j(c, 2))).toEqual(outcome(() => held(c, 2)));
    }
    expect(outcome(() => held({ unit: sloppyUnit }, 2))).toBeNaN();
    expect(outcome(() => held({ unit: strictUnit }, 2))).toMatch(/^TypeError: Cannot read properties of undefined/);
  });

  it("a jitted method called without an object receiver runs the original", () => {
    for (const unit of [sloppyUnit, strictUnit]) {
      const j = jit(unit.scale, { specialize: { v: 2 } }) as (this: unknown, v: number) => number;
      expect(inspect(j)!.tier).toBe(1);
      // Read from its script, a strict method's `this` is exact on any receiver; a sloppy one's is
      // guarded to an object receiver (a primitive or undefined one runs the original).
      expect(inspect(j)!.assumptions.some((a) => a.param === "this")).toBe(unit === sloppyUnit);
      for (const self of [undefined, null, 5, "s", unit, { f: -0 }]) expect(outcome(() => j.call(self, 2))).toEqual(outcome(() => unit.scale.call(self as never, 2)));
    }
    expect(outcome(() => sloppyUnit.scale.call(5 as never, 2))).toBeNaN();
  });
});

describe("INTERNAL fallbacks the fuzzer reports since it counts them as failures", () => {
  it("seed 4042 #644: for-in over an instance kos made, whose body calls a method on it, compiles", () => {
    function Acc(this: { v: number; n: number; bad?: boolean }, v: unknown) {
      this.v = v as number;
      this.n = 0;
      if (typeof v !== "number") this.bad = true;
    }
    Acc.prototype.add = function (this: { v: number }, d: number) { this.v += d; return this; };
    function prog(c: { n: number }, x: unknown, log: unknown[]) {
      const q = new (Acc as any)(0, x);
      for (const k in q) log.push(k, q.hasOwnProperty(k));
      log.push(Object.keys(q).join());
      return c;
    }
    const c = { n: 1 };
    const j = jit(prog, { specialize: { c }, scope: { Acc }, strict: true });
    expect(inspect(j)!.tier).toBe(1);
    const a: unknown[] = [], b: unknown[] = [];
    prog(c, 3, a);
    j(c, 3, b);
    expect(b).toEqual(a);
    expect(a).toEqual(["v", true, "n", true, "add", false, "v,n"]);
  });
});
