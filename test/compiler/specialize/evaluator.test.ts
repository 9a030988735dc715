/**
 * The partial evaluator, node family by node family: input programs and what
 * their residual code must (and must not) contain, plus the exactness bugs of
 * issue 9, each as the smallest program that showed it.
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";
import { run } from "../../../fixtures/stack-machine/generic.js";
import { DISTANCE_PROGRAM, makeArgs } from "../../../fixtures/stack-machine/inputs.js";

const src = (f: Function) => inspect(f)!.source ?? `FALLBACK ${inspect(f)!.fallbackReason}`;
const body = (f: Function) => src(f).slice(src(f).indexOf("let ") >= 0 ? 0 : 0);
const fn = (params: string, text: string) => new Function(...params.split(",").filter(Boolean), text);

describe("evaluator: interpreters become their programs", () => {
  it("a stack machine over a fixed program: no array, no dispatch, only the expression", () => {
    const j = jit(run, { specialize: { code: DISTANCE_PROGRAM } });
    const s = src(j);
    expect(inspect(j)!.tier).toBe(1);
    expect(s).not.toMatch(/\bswitch\b|\bpush\b|\bpop\b|\[\]|\bwhile\b|for \(/);
    expect(s).toContain("Math.sqrt(");
    for (const args of makeArgs(3, 300)) expect(Object.is(j(...args), run(...args))).toBe(true);
  });

  it("a tree-walking interpreter over a frozen program is the expression", () => {
    const evaluate = fn("node,env", 'switch (node.op) { case "num": return node.value; case "var": return env[node.name]; case "add": return evaluate(node.left, env) + evaluate(node.right, env); case "mul": return evaluate(node.left, env) * evaluate(node.right, env); }');
    const prog = Object.freeze({ op: "add", left: Object.freeze({ op: "mul", left: Object.freeze({ op: "num", value: 3 }), right: Object.freeze({ op: "var", name: "x" }) }), right: Object.freeze({ op: "var", name: "y" }) });
    const j = jit(evaluate, { specialize: { node: prog }, scope: { evaluate } });
    expect(src(j)).toContain("return 3 * env.x + env.y;");
    expect(j(prog, { x: 2, y: 1 })).toBe(7);
  });
});

describe("evaluator: loops", () => {
  it("`var` loops with several initialisers unfold when their bound is known", () => {
    const f = fn("a,x", "var s = 0; for (var i = 0, n = a.length; i < n; ++i) s += a[i] * x; return s;");
    const a = Object.freeze([1, 2, 3]);
    const j = jit(f, { specialize: { a } });
    expect(src(j)).not.toContain("for (");
    expect(j(a, 2)).toBe(12);
  });

  it("a loop with a dynamic bound stays a loop; what it reads of static values stays folded", () => {
    const f = fn("cfg,a,n", "let s = 0; for (let i = 0; i < n; i++) s += a[i] * cfg.k; return s;");
    const cfg = Object.freeze({ k: 3 });
    const j = jit(f, { specialize: { cfg } });
    expect(src(j)).toMatch(/for \(; i < n; i\+\+\)/);
    expect(src(j)).toContain("* 3");
    expect(j(cfg, [1, 2], 2)).toBe(9);
  });

  it("a loop whose test calls a helper unfolds when the helper folds (a lexer's `while (isAlphaNum(s[i])) i++`)", () => {
    // The inlined call leaves `ret: { {} break ret; }` behind, which does nothing; it kept jmespath's
    // lexer a loop over its constant expression, so nothing after it folded.
    const isAlphaNum = (ch: string) => (ch >= "a" && ch <= "z") || (ch >= "0" && ch <= "9") || ch === "_";
    const f = fn("data,expr", "'use strict'; var c = 1; while (c < expr.length && isAlphaNum(expr[c])) c++; return data[expr.slice(0, c)];");
    const j = jit(f, { specialize: { expr: "people.x" }, scope: { isAlphaNum } });
    expect(src(j)).not.toMatch(/for \(|while/);
    expect(src(j)).toContain('data.people');
    expect(j({ people: 4 }, "people.x")).toBe(4);
  });

  it("a lexer's literal folds: replace and trimLeft on known strings, JSON.parse to a primitive; an object parsed stays a fresh one per call", () => {
    const f = fn("d,lit", "'use strict'; var s = lit.replace('\\\\`', '`').trimLeft(); return d * JSON.parse(s) + JSON.parse('\"' + s + '\"').length;");
    const j = jit(f, { specialize: { lit: " 18" } });
    expect(src(j)).toMatch(/return d \* 18 \+ 2;/);
    expect(j(2, " 18")).toBe(f(2, " 18"));
    const g = fn("lit", "'use strict'; return JSON.parse(lit);");
    const jg = jit(g, { specialize: { lit: "[1,2]" } });
    const a = jg("[1,2]"), b = jg("[1,2]");
    expect(a).not.toBe(b);
    expect(a).toEqual([1, 2]);
    expect(() => jit(g, { specialize: { lit: "{bad" } })("{bad")).toThrow(SyntaxError);
  });

  it("a try block that folds to nothing is no try: its catch can never run (a lexer's `try { JSON.parse(s); return true } catch { return false }`)", () => {
    const looks = new Function("s", "'use strict'; if (s === '') return false; try { JSON.parse(s); return true; } catch (e) { return false; }");
    const f = fn("d,s", "'use strict'; return looks(s) ? d * JSON.parse(s) : -1;");
    const j = jit(f, { specialize: { s: "18" }, scope: { looks } });
    expect(src(j)).not.toContain("try");
    expect(src(j)).toMatch(/return d \* 18;/);
    expect(j(2, "18")).toBe(36);
    // A block that leaves code which can throw keeps its try.
    const k = jit(fn("o", "'use strict'; try { return o.x.y; } catch (e) { return 'caught'; }"), { specialize: {} });
    // Kept as written, the function is the original's own: it settles on it.
    expect(src(k)).toMatch(/try|NOTHING_SPECIALIZED/);
    expect(k({})).toBe("caught");
  });

  it("a do-while whose first iteration unfolds tests before the second", () => {
    const f = fn("c,log", "let w = 0; do { log.push(w); } while (++w < c.n); return w;");
    const c = { n: 3 };
    const j = jit(f, { specialize: { c }, freeze: "reference" });
    const a: number[] = [], b: number[] = [];
    expect(j(c, b)).toBe(f(c, a));
    expect(b).toEqual(a);
  });
});

describe("evaluator: the correctness bugs of issue 9", () => {
  it("1. object literals built in an unrolled loop are distinct objects with their own values", () => {
    const f = fn("keys", "const r = []; for (const key of keys) r.push({ e: `m ${key}` }); return r;");
    const keys = Object.freeze(["a", "b"]);
    const j = jit(f, { specialize: { keys } });
    const r = j(keys);
    expect(r).toEqual([{ e: "m a" }, { e: "m b" }]);
    expect(r[0]).not.toBe(r[1]);
  });

  it("2. a missing argument whose parameter the callee reassigns", () => {
    const withDefault = fn("a,b", "if (b === undefined) b = 10; return a + b;");
    const f = fn("x", "return withDefault(x);");
    const g = new Function("withDefault", `return ${f.toString()}`)(withDefault);
    const j = jit(g, { scope: { withDefault } });
    expect(j(1)).toBe(11);
  });

  it("3. a method call on a specialized object keeps `this`", () => {
    const o = Object.freeze({ k: 5, m(x: number) { return this.k + x; } });
    const f = fn("o,x", "return o.m(x);");
    const j = jit(f, { specialize: { o } });
    expect(j(o, 1)).toBe(6);
  });

  it("4. a specialized object with a cycle compiles (walks never enter user data)", () => {
    const cyc: Record<string, unknown> = { k: 2 };
    cyc.self = cyc;
    const f = fn("c,x", "let s = 0; for (let i = 0; i < x.length; i++) s += x[i] * c.k; return s;");
    const j = jit(f, { specialize: { c: cyc }, fastmath: true });
    expect(inspect(j)!.fallbackReason).toBeNull();
    expect(j(cyc, [1, 2])).toBe(6);
  });

  it("a getter held in a specialized object never runs at compile time", () => {
    let ran = 0;
    const c = { n: 1, unit: { get twice() { ran++; return 2; } }, obj: { q: 3 } };
    const f = fn("c,log", "outer: for (let i = 0; i < 2; i++) { for (let j = 0; j < c.n; j++) { if (typeof c === 'object') continue outer; } } log.push(c.obj.q); return 1;");
    jit(f, { specialize: { c }, freeze: "reference" });
    jit(f, { specialize: { c: { ...c } }, freeze: "reference" });
    expect(ran).toBe(0);
  });
});

describe("evaluator: regressions found on real code", () => {
  it("an inlined helper that returns an object literal on one path allocates it on that path (expr-eval)", () => {
    const make = fn("t", 'if (t && t.kind === "E") return t; return { kind: "E", value: function (s) { return s * 2; } };');
    const f = new Function("make", "return function f(x, y) { const e = make(x); return e.value(y); }")(make);
    const j = jit(f, { scope: { make } });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(undefined, 3)).toBe(6);
    const e = { kind: "E", value: (s: number) => s + 1 };
    expect(j(e, 3)).toBe(4);
  });
});

describe("evaluator: regressions found by the package sweep", () => {
  it("a captured const whose own closure refers to it is declared once (@fastify/merge-json-schemas)", () => {
    const f = fn("values", "const gcd = (a, b) => (!b ? a : gcd(b, a % b)); const lcm = (a, b) => (a * b) / gcd(a, b); let r = values[0]; for (let i = 1; i < values.length; i++) r = lcm(r, values[i]); return r;");
    const j = jit(f, { scope: {} });
    expect(inspect(j)!.fallbackReason).toBeNull();
    expect(j([4, 6, 10])).toBe(60);
  });
});

describe("evaluator: residual code reads like hand-written code", () => {
  it("no leftover labels, temporaries or dead stores for a straight expression", () => {
    const f = fn("c,x", "const a = c.k * x; const b = a + 1; return b;");
    const j = jit(f, { specialize: { c: Object.freeze({ k: 2 }) } });
    const s = src(j);
    expect(s).toContain("return 2 * x + 1;");
    expect(s).not.toMatch(/\blet\b|:\s*\{/);
    void body;
  });

  it("an inlined interpreter leaves no unused block locals or stores that fed only dead stores (json-logic-js shape)", () => {
    const lib = {
      apply(logic: unknown, data: Record<string, unknown>): unknown {
        var scoped; // eslint-disable-line no-var
        void scoped;
        data = data || {};
        if (typeof logic !== "object" || logic === null) return logic;
        const op = Object.keys(logic)[0]!;
        const values = (logic as Record<string, unknown[]>)[op]!;
        if (op === "var") return data[values as unknown as string];
        return (lib.apply(values[0], data) as number) + (lib.apply(values[1], data) as number);
      },
    };
    const rule = Object.freeze({ "+": Object.freeze([Object.freeze({ var: "a" }), 2]) });
    const f = (d: Record<string, unknown>) => lib.apply(rule, d);
    const j = jit(f, { specialize: {} });
    const s = src(j);
    expect(inspect(j)!.tier).toBe(1);
    // The second inlined apply(2, data) computed `data || {}` for nothing: gone, with its `{}`.
    expect(s.match(/\|\|/g)?.length).toBe(2);
    // (A block binding of a constant under its source's name is no leftover: `{ let lib = $k_obj_0; … }`
    // makes a failing call's message name `lib`.)
    expect(s).not.toMatch(/\blet \w+ = (?!\$k_)/);
    expect(j({ a: 1 })).toBe(3);
    expect(j({ a: "x" })).toBe("x2");
  });

  it("an enum check on a known array becomes a chain of ===, exact for NaN and -0, and guarded when unfrozen", () => {
    const f = fn("c,x", "return c.e.includes(x);");
    const frozen = Object.freeze({ e: Object.freeze(["free", "pro", NaN, -0]) });
    const j = jit(f, { specialize: { c: frozen } });
    expect(src(j)).toContain('return x === "free" || x === "pro" || x !== x || x === 0;');
    for (const x of ["free", "team", NaN, 0, -0, "0", undefined]) expect(j(frozen, x)).toBe(f(frozen, x));
    const open = { e: ["a"] };
    const k = jit(f, { specialize: { c: open } });
    expect(k(open, "b")).toBe(false);
    open.e.push("b");
    expect(k(open, "b")).toBe(true);
    expect(Object.isFrozen(open.e)).toBe(false);
  });

  it("narrowing: typeof and null facts fold exactly, a user constructor's result stays untyped", () => {
    const K = function K() { return function made() {}; };
    const f = fn("c,x", `
      const o = new c.K();
      const out = [typeof o];
      if (typeof x !== "object" || x === null) return [...out, "no"];
      out.push(typeof x, x === null, x != null, Array.isArray(x));
      if (x.y != null) out.push(x.y === null, x.y == undefined);
      return out;`);
    const c = Object.freeze({ K });
    const j = jit(f, { specialize: { c } });
    // The array never escapes before its last push: each path allocates it once, with what it holds there.
    expect(src(j)).toMatch(/= \[t\w*, "object", false, true, t\w*\];/);
    expect(src(j)).not.toContain(".push(");
    for (const x of [null, undefined, 1, "s", {}, [], { y: null }, { y: 0 }, { y: undefined }]) expect(j(c, x)).toEqual(f(c, x));
    expect(j(c, {})[0]).toBe("function");
  });

  it("a compound assignment after inlined statements uses the variable itself, and a copy only when those statements assign it", () => {
    const ser = (v: string) => { if (typeof v !== "string") throw new TypeError("expected a string"); return JSON.stringify(v); };
    const f = new Function("ser", `return function f(c, o) { let out = "{"; out += c.k + ":" + ser(o.a); out += ","; out += c.j + ":" + ser(o.b); return out + "}"; }`)(ser);
    const c = Object.freeze({ k: '"a"', j: '"b"' });
    const j = jit(f, { specialize: { c }, scope: { ser } });
    expect(src(j)).not.toMatch(/\bt(_\d+)? = out\b/);
    expect(j(c, { a: "x", b: "y" })).toBe(f(c, { a: "x", b: "y" }));
    expect(() => j(c, { a: 1, b: "y" })).toThrow("expected a string");
    // The right side assigns the variable in a branch: the old value is kept in a copy.
    const g = fn("c,x", 'let s = String(x); s += x > c.n ? (s = "p") : "n"; return s;');
    const cn = Object.freeze({ n: 0 });
    const k = jit(g, { specialize: { c: cn } });
    expect(inspect(k)!.tier).toBe(1);
    for (const x of [1, -1, 0]) expect(k(cn, x)).toBe(g(cn, x));
    expect(inspect(k)!.deopts).toBe(0);
  });

  it("boolean tests read as written by hand: no `!!` in an if, no `=== true` of a comparison", () => {
    const m = new Function("return function m(q, r) { if (q.not !== undefined) return !m(q.not, r); if (q.exists) return (r[q.f] !== undefined) === q.exists; return r[q.f] === q.v; }")();
    const f = new Function("m", "return function f(q, p, r) { if (!m(q, r)) return false; return m(p, r); }")(m);
    const q = Object.freeze({ not: Object.freeze({ f: "s", v: "b" }) });
    const p = Object.freeze({ f: "phone", exists: true });
    const j = jit(f, { specialize: { q, p }, scope: { m } });
    const s = src(j);
    expect(s).toContain('if (r.s === "b")');
    expect(s).toContain("return r.phone !== void 0;");
    for (const r of [{ s: "b" }, { s: "a" }, { s: "a", phone: 1 }, {}]) expect(j(q, p, r)).toBe(f(q, p, r));
  });

  it("a separator append that a throwing check separates from the next append merges into it, unless a handler could read it", () => {
    const src2 = `let out = "{"; for (const k of c.keys) { out += ","; if (typeof o[k] !== "string") throw new TypeError("bad " + k); out += k + ":" + o[k]; } return out + "}";`;
    const f = fn("c,o", src2);
    const c = Object.freeze({ keys: Object.freeze(["a", "b"]) });
    const j = jit(f, { specialize: { c } });
    // (chainAppends then chains it from the left: `out = out + ",b:" + o.b`.)
    expect(src(j)).toContain('out = out + ",b:" + o.b;');
    expect(src(j)).not.toContain('out + ",";');
    expect(j(c, { a: "x", b: "y" })).toBe(f(c, { a: "x", b: "y" }));
    expect(() => j(c, { a: "x", b: 1 })).toThrow("bad b");
    // A catch that reads the accumulator sees the separator appended before the throw: nothing merges.
    const g = fn("c,o", `let out = ""; try { for (const k of c.keys) { out += ","; if (typeof o[k] !== "string") throw new TypeError("bad"); out += o[k]; } } catch (e) { return out; } return out;`);
    const k = jit(g, { specialize: { c } });
    expect(k(c, { a: "x", b: 1 })).toBe(g(c, { a: "x", b: 1 }));
    expect(k(c, { a: "x", b: 1 })).toBe(",x,");
    // A parameter used as the accumulator may hold an object whose conversion runs code: nothing merges.
    const h = fn("c,acc,o", `for (const k of c.keys) { acc = acc + ","; if (o[k] === 0) throw new RangeError("zero"); acc = acc + o[k]; } return acc;`);
    const log: string[] = [];
    const acc = { toString() { log.push("toString"); return "A"; }, valueOf() { log.push("valueOf"); return "V"; } };
    const m = jit(h, { specialize: { c } });
    expect(() => m(c, acc, { a: 1, b: 0 })).toThrow("zero");
    expect(log).toEqual(["valueOf"]);
  });

  it("Babel's default-parameter lowering through `arguments` folds away in an inlined helper", () => {
    const h = fn("", "var a = arguments.length > 0 && arguments[0] !== undefined ? arguments[0] : 3; return a * 2;");
    const f = new Function("h", "return function f(x) { return h() + h(x); }")(h);
    const j = jit(f, { scope: { h } });
    // (The only `arguments.length` left is jit's own arity guard, compiler/arity-dispatch.ts.)
    expect(src(j)).not.toMatch(/arguments\.length > 0|arguments\[0\]/);
    expect(src(j)).toContain("return 6 + (x !== void 0 ? x : 3) * 2;");
    expect(j(5)).toBe(16);
    expect(j(undefined)).toBe(12);
  });
});

describe("evaluator: identities on numbers", () => {
  it("x * 1, x / 1, x - 0 and x + -0 of a number are x, -0 and NaN included; strings are left alone", () => {
    const f = new Function("return function f(k, x, s) { const m = Math.abs(x) * k.one - k.zero; return [m / k.one + k.negZero, s * k.one]; }")();
    const k = Object.freeze({ one: 1, zero: 0, negZero: -0 });
    const j = jit(f, { specialize: { k } });
    expect(src(j)).toMatch(/return \[Math\.abs\(x\), s \* 1\]/);
    for (const [x, s] of [[-0, "2"], [NaN, "a"], [-3, ""], [Infinity, "1e3"]] as const) {
      const a = j(k, x, s) as number[];
      const b = f(k, x, s) as number[];
      expect(Object.is(a[0], b[0]) && Object.is(a[1], b[1])).toBe(true);
    }
  });
});

describe("evaluator: regular-expression literals", () => {
  it("/re/.test(known string) folds; a dynamic string, or a patched RegExp.prototype.test, runs", () => {
    const f = new Function("return function f(k, s) { if (/^__proto__|prototype|constructor$/.test(k.name)) throw Error('no'); return /^a/g.test(s) + k.name; }")();
    const k = Object.freeze({ name: "price" });
    const j = jit(f, { specialize: { k } });
    expect(src(j)).not.toMatch(/__proto__/);
    expect(src(j)).toMatch(/\(\/\^a\/g\)\.test\(s\)/);
    for (const s of ["abc", "b"]) expect(j(k, s)).toBe(f(k, s));
    const bad = Object.freeze({ name: "constructor" });
    const jb = jit(f, { specialize: { k: bad } });
    expect(() => jb(bad, "a")).toThrow("no");
    const test = RegExp.prototype.test;
    try {
      RegExp.prototype.test = function (this: RegExp, x: string) { return Reflect.apply(test, this, [x]); };
      expect(src(jit(f, { specialize: { k } }))).toMatch(/__proto__/);
    } finally {
      RegExp.prototype.test = test;
    }
  });
});
