/**
 * `str.replace(/re/g, replacer)` on a string runs a test of the pattern first and the replace only
 * on a match (compiler/specialize/regexp-calls.ts, regexLiteralReplace): the same results, the
 * replacer called the same times with the same arguments, and anything it cannot prove left as written.
 */
import { describe, expect, it } from "vitest";
import { inspect, jit } from "../../../index.js";

const INPUTS: unknown[] = ["plain", "", "a & b", "<x>", "'q'", "ab/cd", "no specials here at all", "&&&", "é€", 0, -0, NaN, 12.5, true, null, undefined];

describe("a replace with a RegExp literal on a string", () => {
  it("an escaper tests before it replaces, with the same results and replacer calls", () => {
    const calls: string[] = [];
    const cfg = Object.freeze({ map: Object.freeze({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "'": "&#39;", "/": "&#x2F;" }) as Record<string, string>, on: true });
    function escape(c: typeof cfg, v: unknown) {
      if (!c.on || v == null) return "";
      return String(v).replace(/[&<>'\/]/g, function entity(s) {
        calls.push(s);
        return c.map[s]!;
      });
    }
    const j = jit(escape, { specialize: { c: cfg } });
    expect(inspect(j)!.tier).toBe(1);
    expect(inspect(j)!.source).toMatch(/\.test\([^)]*\) \?/);
    for (const v of INPUTS) {
      calls.length = 0;
      const want = escape(cfg, v);
      const wantCalls = [...calls];
      calls.length = 0;
      expect(j(cfg, v)).toBe(want);
      expect(calls).toEqual(wantCalls);
    }
  });

  it("a string replacer with $ patterns, other flags, and a string kos knows", () => {
    function quote(p: { s: string }, v: string) {
      return [String(v).replace(/[-.*]/g, "\\$&"), String(v).replace(/A/i, "[$`|$']"), p.s.replace(/o/g, "0"), p.s.replace(/z/g, "?")];
    }
    const p = Object.freeze({ s: "foo" });
    const j = jit(quote, { specialize: { p } });
    expect(inspect(j)!.source).toMatch(/\.test\(/);
    for (const v of ["a.b-c*", "xyz", "", "bAnana", "aaa"]) expect(j(p, v)).toEqual(quote(p, v));
  });

  it("a receiver that may not be a string, a sticky pattern and a replaced Symbol.replace stay as written", () => {
    const log: string[] = [];
    function rep(v: any) {
      return v.replace(/a/g, "b");
    }
    const j = jit(rep, { specialize: {} });
    const obj = { replace: (re: RegExp, s: string) => (log.push(`${re.source}${re.flags}>${s}`), "own") };
    expect(j(obj)).toBe("own");
    expect(log).toEqual(["ag>b"]);
    expect(j("banana")).toBe("bbnbnb");
    function sticky(v: unknown) {
      return String(v).replace(/a/y, "b");
    }
    const js = jit(sticky, { specialize: {} });
    expect(inspect(js)!.source ?? "").not.toMatch(/\.test\(/);
    for (const v of ["aa", "ba", ""]) expect(js(v)).toBe(sticky(v));
    const saved = RegExp.prototype[Symbol.replace];
    try {
      RegExp.prototype[Symbol.replace] = function (this: RegExp, s: string) {
        log.push("hook " + s);
        return "hooked";
      };
      function esc(v: unknown) {
        return String(v).replace(/&/g, "&amp;");
      }
      const jh = jit(esc, { specialize: {} });
      log.length = 0;
      expect(jh("plain")).toBe("hooked");
      expect(log).toEqual(["hook plain"]);
    } finally {
      RegExp.prototype[Symbol.replace] = saved;
    }
  });
});
