/**
 * A RegExp literal's own call on a string kos knows is computed at compile time
 * (specialize/regexp-calls.ts, regexLiteralOnKnownString): `known.replace(/re/, r)`,
 * `known.replaceAll(/re/g, r)` and a `/re/.exec(known)` that does not match. A literal is a
 * fresh object at each evaluation, so nothing else can see what the call does to it.
 * jsonpath-plus's filter step strips its `?(…)` with a replace and tests the rest for a nested
 * filter with an exec: both are now constants, and the nested branch folds away. Compared with
 * the original function on the same inputs, including the cases left as written (a match, a
 * function replacement, `replaceAll` with a literal without g, which throws).
 */
import { describe, expect, it } from "vitest";
import { jit, inspect } from "../../../index.js";

const make = <T extends Function>(src: string): T => new Function(`"use strict"; return ${src}`)() as T;

describe("RegExp literals on known strings", () => {
  it("a filter step's replace and exec fold, and the branch they decide with them", () => {
    const f = make<(loc: string, x: number) => unknown>(`function step(loc, x) {
      const safeLoc = loc.replace(/^\\?\\((.*?)\\)$/v, "$1");
      const nested = /@.?([^?]*)[\\['](\\??\\(.*?\\))(?!.\\)\\])[\\]']/gv.exec(safeLoc);
      if (nested) return ["nested", nested[1], x];
      return [safeLoc, x * 2];
    }`);
    const loc = "?(@.price < 10 && @.author.length > 5)";
    const j = jit(f, { specialize: { loc } }) as typeof f;
    for (const x of [0, 1, -0, NaN, 2.5]) expect(j(loc, x)).toEqual(f(loc, x));
    const src = inspect(j)!.source!;
    expect(src).not.toMatch(/\.replace\(/);
    expect(src).not.toMatch(/\.exec\(/);
    expect(src).not.toMatch(/nested/);
    expect(src).toContain('"@.price < 10 && @.author.length > 5"');
    // Another path, not the specialized one: the original runs and gives its own answer.
    expect(j("?(@.a[?(@.b)])", 1)).toEqual(f("?(@.a[?(@.b)])", 1));
  });

  it("replacement patterns, replaceAll and flags give the engine's strings", () => {
    const f = make<(s: string, r: string) => unknown>(`function g(s, r) {
      return [s.replace(/(b)(c)?/, r), s.replaceAll(/b/g, r), s.replace(/B/gi, "<$&>"), s.replace(/x/y, "!"), s.replace(/(?<w>a)/u, "$<w>$<w>")];
    }`);
    for (const [s, r] of [["abcab", "[$1|$2|$$|$'|$\`]"], ["", "z"], ["bbb", "$0"], ["xab", "$&$&"]] as const) {
      const j = jit(f, { specialize: { s, r } }) as typeof f;
      expect(j(s, r)).toEqual(f(s, r));
      expect(inspect(j)!.source!).not.toMatch(/\.replace/);
    }
  });

  it("what it cannot decide stays as written: a match, a function replacement, replaceAll without g", () => {
    const matched = make<(s: string) => unknown>(`function m(s) { const r = /(a)(b)?/.exec(s); return r && [r[0], r[1], r[2], r.index, r.input, r.length]; }`);
    const jm = jit(matched, { specialize: { s: "xab" } }) as typeof matched;
    expect(jm("xab")).toEqual(matched("xab"));
    expect(inspect(jm)!.source!).toMatch(/\.exec\(/);

    const viaFn = make<(s: string, k: number) => unknown>(`function v(s, k) { return s.replace(/b/g, (m, at) => m + at + k); }`);
    const jv = jit(viaFn, { specialize: { s: "abcb" } }) as typeof viaFn;
    for (const k of [1, 2]) expect(jv("abcb", k)).toBe(viaFn("abcb", k));

    const notGlobal = make<(s: string) => unknown>(`function n(s) { return s.replaceAll(/b/, "x"); }`);
    const jn = jit(notGlobal, { specialize: { s: "abc" } }) as typeof notGlobal;
    expect(() => notGlobal("abc")).toThrow(TypeError);
    expect(() => jn("abc")).toThrow(TypeError);
  });

  it("a replaced String.prototype.replace is not folded over", () => {
    const f = make<(s: string) => unknown>(`function r(s) { return s.replace(/a/, "b"); }`);
    const original = String.prototype.replace;
    try {
      String.prototype.replace = function (this: string) { return "patched:" + this; } as typeof original;
      const j = jit(f, { specialize: { s: "aaa" } }) as typeof f;
      expect(j("aaa")).toBe("patched:aaa");
    } finally {
      String.prototype.replace = original;
    }
  });
});
