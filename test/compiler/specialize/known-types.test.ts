/**
 * A dynamic value whose type kos knows decides the tests on it: a function
 * expression kos saw evaluated is truthy and never null, a value typed
 * "undefined" is undefined (compiler/specialize/values.ts: knownTruthy,
 * knownNullish). Underscore's `_.pluck(list, key)` builds its iteratee with
 * `property(key)` and then asks `cb` whether it is null, a function or an
 * object: each of those tests used to stay in the specialized code, which ran
 * slower than the library (50 ns a call against 32 ns).
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

// The shape of underscore's map / cb / property, self-contained.
function deepGet(obj: unknown, path: string[]) {
  let o = obj as Record<string, unknown> | null | undefined;
  for (let i = 0; i < path.length; i++) {
    if (o == null) return undefined;
    o = o[path[i]!] as Record<string, unknown>;
  }
  return path.length ? o : undefined;
}
function property(path: string | string[]) {
  const p = Array.isArray(path) ? path : [path];
  return function (obj: unknown) {
    return deepGet(obj, p);
  };
}
function identity(v: unknown) {
  return v;
}
function cb(value: unknown): (x: unknown) => unknown {
  if (value == null) return identity;
  if (typeof value === "function") return value as (x: unknown) => unknown;
  if (!value) return () => value;
  return property(value as string);
}
function pluck(list: unknown[], key: string) {
  const it = cb(property(key));
  const out = new Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = it(list[i]);
  return out;
}

describe("tests decided by a value's known type", () => {
  it("a function kos made is never null, always a function and truthy: the iteratee's checks go", () => {
    const j = jit(pluck, { specialize: { key: "a" } });
    expect(inspect(j)!.tier).toBe(1);
    const src = inspect(j)!.source!;
    // (`!== null` is the gain check's route test: the version calls the program's deepGet.)
    expect(src).not.toMatch(/(?<!!)== null/);
    expect(src).not.toMatch(/typeof/);
    expect(src).not.toMatch(/\bidentity\b|\$k_ref_\d+\(value\)/);
    const lists = [[{ a: 1 }, { a: -0 }, { b: 2 }, null, { a: NaN }], [], [{ a: { a: 1 } }]];
    for (const l of lists) {
      const r = j(l, "a");
      const e = pluck(l, "a");
      expect(r.length).toBe(e.length);
      r.forEach((x, i) => expect(Object.is(x, e[i]) || (typeof x === "object" && JSON.stringify(x) === JSON.stringify(e[i]))).toBe(true));
    }
  });

  it("||, &&, ??, !, ?: and if on a function value, with the tested expression's effects kept in order", () => {
    function f(log: string[], x: number) {
      const g = (log.push("made"), (y: number) => y + x);
      const a = g || log.push("never");
      const b = g && (log.push("and"), 1);
      const c = g ?? log.push("never");
      const d = !g ? 0 : 2;
      let e = 0;
      if ((log.push("test"), g)) e = 3;
      else log.push("never");
      return [typeof a, b, typeof c, d, e, a(1), c(2), log.join(",")];
    }
    const j = jit(f, { specialize: { x: 10 } });
    expect(inspect(j)!.tier).toBe(1);
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/never/);
    expect(j([], 10)).toEqual(f([], 10));
  });

  it("tests on `void` expressions run their effects before the branch they decide", () => {
    function f(log: string[], k: number) {
      const a = (void log.push("test")) ? log.push("never") : (log.push("else"), k);
      const b = (void log.push("test2")) ?? (log.push("right"), k + 1);
      const c = (void log.push("test3")) || (log.push("or"), k + 2);
      const d = (void log.push("test4")) && log.push("never");
      return [a, b, c, d, log.join(",")];
    }
    const j = jit(f, { specialize: { k: 5 } });
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.source).not.toMatch(/never/);
    expect(j([], 5)).toEqual(f([], 5));
  });

  it("a value narrowed to undefined compares with null and undefined, and ?? takes its right side", () => {
    function f(o: { v?: unknown }, k: number) {
      const v = o.v;
      if (typeof v === "undefined") {
        return [v === undefined, v === null, v == null, v != null, v !== undefined, v ?? k, !v, v ? 1 : 2];
      }
      return ["defined", k];
    }
    const j = jit(f, { specialize: { k: 7 } });
    const src = inspect(j)!.source!;
    // Inside the narrowed branch nothing is left to test.
    expect(src).not.toMatch(/=== null|== null|!= null|\?\?/);
    for (const o of [{}, { v: undefined }, { v: null }, { v: 0 }, { v: "x" }]) expect(j(o, 7)).toEqual(f(o, 7));
  });

  it("a value typed number or string is never null, but a value typed object may be", () => {
    function f(a: unknown, o: { x: unknown }) {
      const n = +(a as number);
      const s = `${a}`;
      const t = typeof o.x === "object" ? o.x : 0;
      return [n == null, s === undefined, n ?? "no", s || "empty", t == null, t ?? "nullish"];
    }
    const j = jit(f, { specialize: {} });
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/\bn == null|s === void 0|s === undefined|n \?\?/);
    for (const [a, o] of [[1, { x: null }], ["", { x: {} }], [-0, { x: 3 }], [NaN, { x: undefined }]] as const) expect(j(a, o)).toEqual(f(a, o));
  });
  it("`a && <falsy constant>` is falsy and `a || <truthy constant>` truthy: a test on either takes one branch, after `a` runs (d3-array's tickSpec recursed through 418 KB of dead code)", () => {
    const log: string[] = [];
    const seen = (v: number) => (log.push(`seen ${v}`), v);
    function spec(start: number, stop: number, count: number): number[] {
      const step = (stop - start) / count;
      const i1 = Math.round(start / step);
      const i2 = Math.round(stop / step);
      if (seen(i2) < i1 && 0.5 <= count && count < 2) return spec(start, stop, count * 2);
      if (seen(i1) > i2 || count > 1) return [i1, i2, step];
      return [];
    }
    const j = jit(spec, { specialize: { count: 10 } });
    const src = inspect(j)!.source!;
    expect(src).not.toContain("count * 2");
    expect(src.length).toBeLessThan(2000);
    for (const [a, b] of [[0, 10], [10, 0], [-3, 7.5], [NaN, 1]]) {
      log.length = 0;
      const want = spec(a!, b!, 10);
      const wantLog = log.splice(0);
      expect(j(a!, b!, 10)).toEqual(want);
      expect(log).toEqual(wantLog);
    }
  });

  it("a built-in that always returns one type types its result: String(x), Number(x), s.slice(), s.indexOf()", () => {
    function describe_(cfg: { strict: boolean }, x: unknown) {
      const s = String(x);
      const n = Number(cfg.strict ? s.length : s.indexOf("a"));
      const t = s.slice(1);
      // Each test below folds once the types are known; the original runs them.
      if (typeof s !== "string" || typeof n !== "number" || typeof t !== "string") return "never";
      return `${t}:${n}`;
    }
    const cfg = { strict: false };
    const f = jit(describe_, { specialize: { cfg }, strict: true });
    for (const x of ["abc", 12, null, undefined, { toString: () => "xa" }, Symbol.for("a"), -0, NaN]) expect(f(cfg, x)).toBe(describe_(cfg, x));
    const src = inspect(f)!.source!;
    expect(src).not.toMatch(/typeof/);
    expect(src).not.toMatch(/"never"/);
  });

  it("replace and search are not typed: an object's own Symbol.replace may return anything", () => {
    const weird = { [Symbol.replace]: () => 42, [Symbol.search]: () => "x" };
    function f(cfg: { k: number }, s: string, re: unknown) {
      const r = s.replace(re as RegExp, "") as unknown;
      const q = s.search(re as RegExp) as unknown;
      return [typeof r, typeof q, cfg.k];
    }
    const cfg = { k: 1 };
    const g = jit(f, { specialize: { cfg }, assume: { s: "string" }, strict: true });
    expect(g(cfg, "abc", weird)).toEqual(["number", "string", 1]);
    expect(g(cfg, "abc", /b/)).toEqual(["string", "number", 1]);
  });

  it("an arithmetic result with a number on one side is a number: a callee's typeof test and `* 1` fold", () => {
    // simple-statistics' bisect calls `sign(func(output))` on `output = (start + end) / 2`; the
    // other side converts to a number or a BigInt, and a BigInt beside a number throws.
    function sign(x: number) {
      if (typeof x === "number") return x < 0 ? -1 : x > 0 ? 1 : 0;
      throw new TypeError("not a number");
    }
    function mid(lo: number, hi: number) {
      const m = (lo + hi) / 2;
      return sign(m * m - 2) * 1;
    }
    const j = jit(mid, { specialize: {} });
    const src = inspect(j)!.source!;
    expect(src).not.toContain("typeof");
    expect(src).not.toMatch(/\* 1\b/);
    const outcome = (f: typeof mid, a: unknown, b: unknown) => {
      try {
        return f(a as number, b as number);
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
    };
    for (const [a, b] of [[0, 2], [-0, -0], [NaN, 1], [1n, 3n], [1n, 2], ["1", "2"], [{ valueOf: () => 3 }, 0], [Symbol.iterator, 1]]) {
      expect(outcome(j, a, b)).toEqual(outcome(mid, a, b));
    }
  });
});

