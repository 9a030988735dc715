/**
 * A method call on an instance a residual `new C(…)` made (one that escapes,
 * so it is made by its constructor) is inlined behind a test of the method it
 * read, the way jmespath's `search` calls `interpreter.search(ast, data)` on
 * the TreeInterpreter it makes (specialize/method-guards.ts). Whatever the
 * instance became meanwhile (another method, an own property, an accessor,
 * another prototype), the call does what the original does.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const outcome = (f: () => unknown): string => {
  try {
    return `ok ${JSON.stringify(f())}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
};

/** A tree-walking evaluator as a class, in a module of its own (sloppy, like most CommonJS). */
function lib() {
  return new Function(`
    function Evaluator(env) { this.env = env; }
    Evaluator.prototype.visit = function (node) {
      switch (node.op) {
        case "num": return node.v;
        case "var": return this.env[node.name];
        case "add": return this.visit(node.l) + this.visit(node.r);
        case "mul": return this.visit(node.l) * this.visit(node.r);
        default: throw new Error("unknown op " + node.op);
      }
    };
    function run(tree, env, hook) {
      var ev = new Evaluator(env);
      hook(ev);
      return ev.visit(tree);
    }
    return { Evaluator, run };`)() as {
    Evaluator: { prototype: { visit: (node: unknown) => unknown } };
    run: (tree: unknown, env: Record<string, unknown>, hook: (ev: Record<string, unknown>) => void) => unknown;
  };
}

const tree = Object.freeze({ op: "add", l: Object.freeze({ op: "mul", l: Object.freeze({ op: "var", name: "x" }), r: Object.freeze({ op: "num", v: 3 }) }), r: Object.freeze({ op: "num", v: 1 }) });

describe("method calls on an instance made by its constructor", () => {
  it("inline the method the prototype has, so the interpreter's dispatch on the known tree folds", () => {
    const { run } = lib();
    const j = jit(run, { specialize: { tree } });
    expect(inspect(j)!.tier).toBe(1);
    const src = inspect(j)!.source!;
    // The switch on node.op is gone: the tree's operations became the expression.
    expect(src).not.toMatch(/\.op\b/);
    expect(src).toMatch(/new \$k_\w+\(env\)/);
    for (const x of [2, -0, NaN, "s"]) expect(j(tree, { x }, () => {})).toStrictEqual(run(tree, { x }, () => {}));
  });

  it("a method replaced on the prototype after jit runs, as in the original", () => {
    const { run, Evaluator } = lib();
    const j = jit(run, { specialize: { tree } });
    expect(j(tree, { x: 2 }, () => {})).toBe(7);
    const visit = Evaluator.prototype.visit;
    Evaluator.prototype.visit = function () { return "replaced"; };
    try {
      expect(j(tree, { x: 2 }, () => {})).toBe(run(tree, { x: 2 }, () => {}));
      expect(j(tree, { x: 2 }, () => {})).toBe("replaced");
    } finally {
      Evaluator.prototype.visit = visit;
    }
  });

  it("an own method, an accessor, another prototype, or no method at all: each does what the original does", () => {
    const { run } = lib();
    const j = jit(run, { specialize: { tree } });
    const hooks: Array<(ev: Record<string, unknown>) => void> = [
      (ev) => { ev.visit = () => "own"; },
      (ev) => {
        let reads = 0;
        Object.defineProperty(ev, "visit", { get: () => { reads++; return reads === 1 ? () => `read ${reads}` : 5; } });
      },
      (ev) => { Object.defineProperty(ev, "visit", { get: () => undefined }); },
      (ev) => { Object.setPrototypeOf(ev, { visit: () => "other prototype" }); },
      (ev) => { Object.setPrototypeOf(ev, null); },
      (ev) => { ev.visit = 42; },
    ];
    for (const hook of hooks) expect(outcome(() => j(tree, { x: 2 }, hook))).toBe(outcome(() => run(tree, { x: 2 }, hook)));
    expect(outcome(() => j(tree, { x: 2 }, (ev) => { ev.visit = 42; }))).toBe("TypeError: ev.visit is not a function");
  });

  it("a method too big to inline behind the test stays a call, and the function still compiles", () => {
    // pako's `inflate` calls `inflator.push(input, true)` on the Inflate it makes: inlined, push went
    // over the residual size and the whole function fell back, where it had compiled with the call.
    const body = Array.from({ length: 700 }, (_, i) => `a = a * ${i % 7 + 1} + x;`).join("\n");
    const { run } = new Function(`
      function Acc(seed) { this.seed = seed; }
      Acc.prototype.push = function (x, last) { var a = this.seed; ${body} return last ? a : -a; };
      function run(x, hook) { var acc = new Acc(1); hook(acc); return acc.push(x, true); }
      return { run };`)() as { run: (x: number, hook: (a: unknown) => void) => number };
    const j = jit(run, { specialize: {} });
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.source).toMatch(/\.push\(x, true\)/);
    for (const x of [0, 1e-9, -3]) expect(j(x, () => {})).toBe(run(x, () => {}));
  });

  it("a value narrowed by `instanceof`, joined with a new instance, keeps the hint: `ctx instanceof C ? ctx : new C(ctx)`", () => {
    const m = new Function(`
      function Context(view) { this.view = view; }
      Context.prototype.get = function (key) { return key === "." ? this.view : this.view == null ? undefined : this.view[key]; };
      function render(names, view, hook) {
        var ctx = view instanceof Context ? view : new Context(view);
        hook(ctx);
        var out = [];
        for (var i = 0; i < names.length; i++) out.push(ctx.get(names[i]));
        return out;
      }
      return { Context, render };`)() as {
      Context: new (view: unknown) => { get(k: string): unknown };
      render: (names: readonly string[], view: unknown, hook: (c: unknown) => void) => unknown[];
    };
    const names = Object.freeze(["a", ".", "b"]);
    const j = jit(m.render, { specialize: { names } });
    // The method each name calls is inlined behind its test: its key comparison folded.
    expect(inspect(j)!.source!).toMatch(/=== \$k_\w+ \?|if \(\w+ === \$k_\w+\)/);
    const views: unknown[] = [{ a: 1, b: 2 }, null, new m.Context({ a: "x" }), Object.assign(new m.Context({}), { get: () => "own" })];
    for (const v of views) expect(outcome(() => j(names, v, () => {}))).toBe(outcome(() => m.render(names, v, () => {})));
    const swap = (c: unknown) => { (c as { get: unknown }).get = () => "swapped"; };
    expect(outcome(() => j(names, { a: 1 }, swap))).toBe(outcome(() => m.render(names, { a: 1 }, swap)));
  });

  it("a small method inlines on dynamic arguments, so the instance it returns keeps a hint: `scope.child(vars).get(name)`", () => {
    const m = new Function(`
      function Scope(vars, parent) { this.vars = vars; this.parent = parent; }
      Scope.prototype.child = function (vars) { return new Scope(vars, this); };
      Scope.prototype.get = function (k) {
        if (this.vars != null && k in this.vars) return this.vars[k];
        return this.parent ? this.parent.get(k) : undefined;
      };
      function run(names, outer, inner, hook) {
        var s = new Scope(outer, null);
        hook(s);
        var c = s.child(inner);
        var out = [];
        for (var i = 0; i < names.length; i++) out.push(c.get(names[i]));
        return out;
      }
      return { Scope, run };`)() as {
      run: (names: readonly string[], outer: unknown, inner: unknown, hook: (s: unknown) => void) => unknown[];
    };
    const names = Object.freeze(["a", "b", "c"]);
    const j = jit(m.run, { specialize: { names } });
    const tests = inspect(j)!.source!.match(/(\w+) === \$k_\w+ \?|if \(\w+ === \$k_\w+\)/g) ?? [];
    expect(tests.length).toBeGreaterThanOrEqual(2);
    const cases: Array<[unknown, unknown]> = [[{ a: 1 }, { b: 2 }], [null, { a: 3 }], [{ c: 4 }, null], [{}, {}]];
    for (const [outer, inner] of cases) expect(outcome(() => j(names, outer, inner, () => {}))).toBe(outcome(() => m.run(names, outer, inner, () => {})));
    const own = (s: unknown) => { (s as { child: unknown }).child = () => ({ get: () => "own" }); };
    expect(outcome(() => j(names, {}, {}, own))).toBe(outcome(() => m.run(names, {}, {}, own)));
  });
});
