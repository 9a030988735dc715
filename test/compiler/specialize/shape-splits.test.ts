/**
 * An object kos made whose keys depend on a dynamic test (`const args = {
 * path }; if (json !== undefined) args.json = json;`, jsonpath-plus's
 * constructor) used to be allocated where the branches join, and everything
 * after read a real object. The rest of the statement list now runs in each
 * branch, where the object has one shape and its reads fold. Copies of a
 * parse cache's array (`cache.get(k).concat()`) and `shift`/`unshift` on an
 * array kos made fold too. Each case compares with the original on inputs
 * that take every branch, errors included.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).constructor.name, message: (e as Error).message };
  }
}

function evaluate(a: { path: string; flag: boolean; json?: { n: number } }): number {
  if (!Object.hasOwn(a, "json")) throw new TypeError("You must supply a json");
  return a.path.length * 10 + a.json!.n + (a.flag ? 1 : 0);
}

function run(opts: { path: string; flag: boolean }, x?: { n: number }): number {
  const args: { path: string; flag: boolean; json?: { n: number } } = { path: opts.path, flag: opts.flag };
  if (x !== undefined) args.json = x;
  return evaluate(args);
}

describe("the rest of a statement list runs in each branch of an if that gives an object two shapes", () => {
  it("folds the reads after the if, and keeps the branch that throws", () => {
    const opts = Object.freeze({ path: "abcd", flag: true });
    const f = jit(run, { specialize: { opts } });
    for (const x of [{ n: 5 }, undefined, { n: -0 }, { n: NaN }]) expect(outcome(() => f(opts, x))).toEqual(outcome(() => run(opts, x)));
    const source = inspect(f).source!;
    // The length of the path and the flag folded into the arithmetic: no object is allocated.
    expect(source).toContain("40 + x.n + 1");
    expect(source).not.toMatch(/\{\s*path:/);
  });

  it("keys added on one branch and deleted on the other, read through in, Object.keys and JSON", () => {
    function shapes(k: number, y: unknown): string {
      const o: Record<string, unknown> = { p: 1, q: "s" };
      if (k > 1) o.extra = y;
      else delete o.p;
      const log = [Object.keys(o).join(), "extra" in o, "p" in o, JSON.stringify(o)];
      if (k > 2) o.later = k;
      log.push(Object.keys(o).length, o.later);
      return log.join("|");
    }
    const f = jit(shapes, { specialize: { k: 3 } });
    for (const y of [1, "a", null, undefined, { z: 1 }]) expect(f(3, y)).toBe(shapes(3, y));
    const g = jit(shapes);
    for (let i = 0; i < 3000; i++) {
      const k = i % 4;
      const y = [1, "a", null, undefined][i % 4];
      expect(g(k, y)).toBe(shapes(k, y));
    }
  });

  it("a return in one branch, and an object that escapes after the if", () => {
    const seen: unknown[] = [];
    function early(c: { tag: string }, x: number): unknown {
      const o: Record<string, unknown> = { tag: c.tag };
      if (x > 1) {
        o.big = true;
        return o.tag;
      } else if (x < -1) o.small = true;
      seen.push(o);
      return Object.keys(o).join();
    }
    const c = Object.freeze({ tag: "t" });
    const f = jit(early, { specialize: { c } });
    const xs = [2, -2, 0, NaN, -0];
    const want = xs.map((x) => early(c, x));
    const wantSeen = seen.splice(0);
    expect(xs.map((x) => f(c, x))).toEqual(want);
    expect(seen).toEqual(wantSeen);
  });

  it("a variable that holds another object on each branch: its reads after the if fold", () => {
    function norm(spec: { a: number; b: number }, x: unknown): string {
      let o: { kind: string; n: number };
      if (typeof x === "string") o = { kind: "s", n: spec.a };
      else o = { kind: "n", n: spec.b };
      return o.kind + o.n + String(x);
    }
    const spec = Object.freeze({ a: 1, b: 2 });
    const f = jit(norm, { specialize: { spec } });
    for (const x of ["q", 5, null, Symbol.iterator]) expect(outcome(() => f(spec, x))).toEqual(outcome(() => norm(spec, x)));
    const source = inspect(f).source!;
    // (x is a string on that branch: its String(x) is `"" + x`, and `"s1" + ("" + x)` is `"s1" + x`.)
    expect(source).toContain('"s1" + x');
    expect(source).toContain('"n2" + String(x)');
    expect(source).not.toContain("kind:");
  });

  it("a getter on the input that throws between the if and the reads", () => {
    const order: string[] = [];
    function withGetter(c: { base: number }, x: { v: number } | null): number {
      const o: { base: number; v?: number } = { base: c.base };
      if (x !== null) o.v = x.v;
      order.push("after");
      return o.base + (o.v ?? 0);
    }
    const c = Object.freeze({ base: 10 });
    const f = jit(withGetter, { specialize: { c } });
    const inputs = [
      { v: 1 },
      null,
      Object.defineProperty({}, "v", { get() { order.push("get"); return 5; } }) as { v: number },
      Object.defineProperty({}, "v", { get() { throw new RangeError("no v"); } }) as { v: number },
    ];
    const want = inputs.map((x) => outcome(() => withGetter(c, x)));
    const wantOrder = order.splice(0);
    expect(inputs.map((x) => outcome(() => f(c, x)))).toEqual(want);
    expect(order).toEqual(wantOrder);
  });
});

describe("array copies and head operations on arrays kos knows", () => {
  const cache = new Map<string, string[]>();
  function toPathArray(expr: string): string[] {
    if (cache.has(expr)) return cache.get(expr)!.concat();
    const r = expr.split(".");
    cache.set(expr, r);
    return r.concat();
  }
  function first(expr: string, x: number): string {
    const l = toPathArray(expr);
    if (l[0] === "$" && l.length > 1) l.shift();
    return l[0] + l.length + x;
  }

  it("a cached path array copied with concat and shifted folds to its items, behind the cache's guard", () => {
    cache.clear();
    const f = jit(first, { specialize: { expr: "$.a.b" } });
    expect(f("$.a.b", 1)).toBe(first("$.a.b", 1));
    expect(f("$.a.b", 2)).toBe("a22");
    expect(inspect(f).source).toContain('"a2" + x');
    // The library changes its cache: the guard fails and the original runs.
    cache.set("$.a.b", ["$", "z"]);
    expect(f("$.a.b", 3)).toBe(first("$.a.b", 3));
    expect(f("$.a.b", 3)).toBe("z13");
  });

  it("unshift and shift on a local array, with concat of primitives", () => {
    function queue(x: number, s: string): string {
      const q: unknown[] = [1, "b", x];
      const n = q.unshift(s, -0);
      const head = q.shift();
      const second = q.shift();
      return [n, head, Object.is(second, -0), q.length, q.concat(x, "z").join(), q.shift(), q.shift(), q.shift(), q.shift(), q.length].join(";");
    }
    const f = jit(queue, { specialize: { s: "h" } });
    for (const x of [0, NaN, -0, 7]) expect(f(x, "h")).toBe(queue(x, "h"));
    // The count unshift returns, the two items shifted off and the length are known; `concat` of a
    // dynamic item allocates the array, and the later shifts run on it. The outer array is joined
    // without being made: its known items fold into one string.
    expect(inspect(f).source).toContain('q.concat(x, "z")');
    expect(inspect(f).source).toContain('return "5;h;true;3;" + ');
  });
});

describe("an object kos made, kept on one branch of an if and replaced or escaped on the other", () => {
  // date-fns's `format`: the format string's tokens become a virtual array, a locale's optional
  // preprocessor may replace it, and the tokens are then mapped. The join used to allocate the
  // array on the common path too, and the map ran at run time.
  function format(spec: string, x: unknown, hooks: { pre?: (p: Array<{ lit: boolean; text: string }>) => unknown }): string {
    let parts = spec.split(",").map((t) => ({ lit: t.startsWith("'"), text: t }));
    if (hooks.pre) parts = hooks.pre(parts) as typeof parts;
    const opts = { x };
    return parts.map((p) => (p.lit ? p.text.slice(1) : p.text + "=" + String(opts.x))).join(" ");
  }

  it("folds the rest on the branch that kept it, and runs the other as written", () => {
    const spec = "a,'b,c";
    const f = jit(format, { specialize: { spec } });
    const log: string[] = [];
    const hookSets = [
      {},
      { pre: (p: Array<{ lit: boolean; text: string }>) => p.reverse() },
      { pre: (p: Array<{ lit: boolean; text: string }>) => (p[0]!.text = "z", p) },
      { pre: () => 5 },
      {
        get pre() {
          log.push("get pre");
          return undefined;
        },
      },
    ];
    for (const hooks of hookSets) {
      for (const x of [1, -0, NaN, "s", { toString: () => (log.push("toString"), "t") }]) {
        log.length = 0;
        const want = outcome(() => format(spec, x, hooks));
        const wantLog = [...log];
        log.length = 0;
        expect(outcome(() => f(spec, x, hooks))).toEqual(want);
        expect(log).toEqual(wantLog);
      }
    }
    // On the path with no hook, the three tokens folded into the joined string.
    expect(inspect(f).source).toContain('" b "');
  });
});
