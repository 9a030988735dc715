/**
 * Virtual objects under dynamic control flow. What the evaluator knows of an
 * object it has not allocated is part of the environment of each path: a
 * branch that pushes, stores or lets the object escape changes only its own
 * path, and the join reconciles the paths (a field they disagree on becomes
 * a variable; an object allocated on one path is allocated on all of them).
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

const src = (f: Function) => inspect(f)!.source ?? `FALLBACK ${inspect(f)!.fallbackReason}`;
const fn = (params: string, text: string) => new Function(...params.split(",").filter(Boolean), text);

describe("virtual objects: each path has its own state", () => {
  it("an inlined callee that returns early on one path does not see the other path's push (wrong result before)", () => {
    const g = fn("d,a", "if (d) return 1; a.push(2); return 2;");
    const f = new Function("g", "return function f(d) { const a = [1]; const r = g(d, a); return a.length * 10 + r; }")(g);
    const j = jit(f, { scope: { g }, specialize: {} });
    expect(inspect(j)!.tier).toBe(1);
    expect(j(true)).toBe(11);
    expect(j(false)).toBe(22);
    expect(j(0)).toBe(f(0));
  });

  it("a field stored in one branch becomes a variable at the join, with no allocation", () => {
    const f = fn("x", "const o = { n: 0, m: 5 }; if (x > 1) o.n = x * 2; else if (x < -1) o.n = -x; return o.n + o.m;");
    const j = jit(f, { specialize: {} });
    for (const x of [3, 0, -4, NaN, -0, 1.5]) expect(Object.is(j(x), f(x))).toBe(true);
    expect(src(j)).not.toMatch(/\{\s*n:|\bo\.n\b/);
  });

  it("an object that escapes on one path is allocated on the others too, before later mutations", () => {
    const seen: unknown[][] = [];
    const sink = (a: unknown[]) => void seen.push(a);
    const f = new Function("sink", "return function f(x) { const a = [1]; if (x) sink(a); a.push(2); return a.length; }")(sink);
    const j = jit(f, { scope: { sink }, specialize: {} });
    expect(j(true)).toBe(2);
    expect(seen[0]).toEqual([1, 2]);
    expect(j(false)).toBe(2);
    expect(seen.length).toBe(1);
  });

  it("aliases share one state: a push through one name is seen through the other", () => {
    const f = fn("x", "const a = []; const b = a; if (x) b.push(1); b.push(2); return a.length * 10 + a[a.length - 1];");
    const j = jit(f, { specialize: {} });
    expect(j(true)).toBe(22);
    expect(j(false)).toBe(12);
  });

  it("a nested object changed in a branch", () => {
    const f = fn("x", "const o = { inner: [1] }; if (x) o.inner.push(x); return o.inner.length + ':' + o.inner[o.inner.length - 1];");
    const j = jit(f, { specialize: {} });
    for (const x of [0, 7, "s", null]) expect(j(x)).toBe(f(x));
  });

  it("a conditional that yields objects made in its branches", () => {
    const f = fn("x", "const o = x ? { a: 1, b: [x] } : { a: 2, b: [] }; o.b.push(3); return o.a + o.b.length;");
    const j = jit(f, { specialize: {} });
    for (const x of [0, 1, "", "y"]) expect(j(x)).toBe(f(x));
  });

  it("`data || {}` keeps the literal in place", () => {
    const f = fn("d", "const data = d || {}; return data.k;");
    const j = jit(f, { specialize: {} });
    expect(src(j)).toMatch(/d \|\| \(?\{\}\)?/);
    expect(j(undefined)).toBeUndefined();
    expect(j({ k: 4 })).toBe(4);
  });
});

describe("virtual objects: operand stacks of real interpreter shapes", () => {
  // A stack machine whose variable lookup throws on a missing name (expr-eval's shape): the throwing
  // branch used to force the stack into a real array.
  const evaluate = fn("prog,env", `
    var stack = [];
    for (var i = 0; i < prog.length; i++) {
      var t = prog[i];
      if (t.k === "n") stack.push(t.v);
      else if (t.k === "var") { var v = env[t.name]; if (v !== undefined) stack.push(v); else throw new Error("undefined variable: " + t.name); }
      else if (t.k === "add" || t.k === "mul") { var b = stack.pop(), a = stack.pop(); stack.push(t.k === "add" ? a + b : a * b); }
      else if (t.k === "cond") { var e = stack.pop(), th = stack.pop(), c = stack.pop(); stack.push(c ? th : e); }
    }
    return stack.pop();`);
  const deep = <T>(o: T): T => {
    if (o && typeof o === "object") {
      for (const v of Object.values(o)) deep(v);
      Object.freeze(o);
    }
    return o;
  };
  const program = () => [
    { k: "var", name: "x" }, { k: "n", v: 2 }, { k: "mul" },
    { k: "var", name: "y" }, { k: "add" },
    { k: "var", name: "flag" }, { k: "n", v: 1 }, { k: "n", v: -1 }, { k: "cond" }, { k: "mul" },
  ];
  const envs = [{ x: 1, y: 2, flag: true }, { x: -0, y: 0, flag: 0 }, { x: "3", y: 1, flag: "" }, { x: 1, flag: 1 }, { x: NaN, y: 1n, flag: true }, { x: 2, y: 3, flag: null }];

  function same(j: Function, f: Function, prog: unknown, env: unknown) {
    let a: unknown, b: unknown, ea: unknown, eb: unknown;
    try { a = f(prog, env); } catch (e) { ea = e; }
    try { b = j(prog, env); } catch (e) { eb = e; }
    if (ea || eb) {
      expect(String(eb)).toBe(String(ea));
      expect((eb as object)?.constructor).toBe((ea as object)?.constructor);
    } else expect(Object.is(b, a)).toBe(true);
  }

  it("a frozen program: no stack array and no push left, and exact on every input", () => {
    const prog = deep(program());
    const j = jit(evaluate, { specialize: { prog } });
    const s = src(j);
    expect(inspect(j)!.tier).toBe(1);
    expect(s).not.toContain(".push(");
    expect(s).not.toContain(".pop(");
    expect(s).not.toMatch(/= \[/);
    for (const env of envs) same(j, evaluate, prog, env);
  });

  it("an unfrozen program: the stack stays virtual in the speculated code, and a changed program is followed", () => {
    const prog = program();
    const j = jit(evaluate, { specialize: { prog } });
    expect(inspect(j)!.tier).toBe(1);
    for (const env of envs) same(j, evaluate, prog, env);
    // The library changes its own program after jit: the next call gives the new behaviour.
    (prog[4] as { k: string }).k = "mul";
    for (const env of envs) same(j, evaluate, prog, env);
    prog.push({ k: "n", v: 3 }, { k: "add" });
    for (const env of envs) same(j, evaluate, prog, env);
    expect(Object.isFrozen(prog[0])).toBe(false);
  });

  it("a getter on the input that changes the program mid-call: the rest of that call runs as the original", () => {
    const make = () => {
      const prog = program();
      const env = { x: 2, get y() { (prog[6] as { v: number }).v = 100; return 5; }, flag: true };
      return { prog, env };
    };
    const a = make();
    const expected = evaluate(a.prog, a.env);
    const b = make();
    const j = jit(evaluate, { specialize: { prog: b.prog } });
    expect(j(b.prog, b.env)).toBe(expected);
  });
});
