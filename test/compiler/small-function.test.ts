import { describe, expect, it } from "vitest";
import { smallFunctionReason, SMALL_FUNCTION_CHARS } from "../../compiler/small-function.js";

const small = (f: Function | string) => smallFunctionReason(typeof f === "string" ? f : f.toString()) !== null;

describe("smallFunctionReason: functions too small to gain from tiering", () => {
  it("takes functions of a few comparisons and arithmetic, with Math's functions", () => {
    expect(small(function clamp(x: number, lo: number, hi: number) { return x < lo ? lo : x > hi ? hi : x; })).toBe(true);
    expect(small((a: number, b: number, t: number) => a + (b - a) * t)).toBe(true);
    expect(small("x => x * 2")).toBe(true);
    expect(small(`function shapeSample(s, x) {
    const v = x * s.drive;
    if (s.mode === "hard")
        return v > s.ceiling ? s.ceiling : v < -s.ceiling ? -s.ceiling : v;
    return (s.ceiling * v) / (s.ceiling + Math.abs(v));
}`)).toBe(true);
    expect(small("area() { return this.w * this.h; }")).toBe(true);
    expect(small("get area() { return this.w * this.h; }")).toBe(true);
    expect(small('function op(o, a, b) { switch (o) { case "+": return a + b; case "-": return a - b; } return NaN; }')).toBe(true);
    expect(small("(a, b) => Math.max(a, b) / 2")).toBe(true);
  });

  it("leaves loops, calls, constructions and nested functions to tiering", () => {
    expect(small("function f(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; }")).toBe(false);
    expect(small("function f(a) { while (a > 1) a /= 2; return a; }")).toBe(false);
    expect(small("function f(x) { return g(x) + 1; }")).toBe(false);
    expect(small("function f(o, x) { return o.scale(x); }")).toBe(false);
    expect(small("function f(o, x) { return o.fn?.(x); }")).toBe(false);
    expect(small("function f(o, x) { return o.Math.abs(x); }")).toBe(false);
    expect(small("function f(x) { return new Date(x); }")).toBe(false);
    expect(small("function f(xs) { return xs.map((x) => x * 2); }")).toBe(false);
    expect(small("(a, b = f()) => a + b")).toBe(false);
    expect(small("function f(x) { return (x)(1); }")).toBe(false);
    expect(small("function f(x) { return tag`a${x}`; }")).toBe(false);
  });

  it("says not small where the text scan cannot tell", () => {
    expect(small("function f(s) { return /a(b)/.test(s); }")).toBe(false);
    expect(small("function f(x) { return `${x}`; }")).toBe(false);
    expect(small('function f(x) { return x + "unterminated; }')).toBe(false);
  });

  it("reads strings and comments as such", () => {
    expect(small('function f(x) { return x === "for(" ? 1 : 2; }')).toBe(true);
    expect(small("function f(x) { /* g(x) for */ return x + 1; // h()\n}")).toBe(true);
  });

  it("reads identifiers and numbers whole, by the characters of \\w and $", () => {
    // Words that hold a loop's or a function's keyword are identifiers, not the keyword.
    expect(small("function f(o) { return o.for_ + o.$while + o.format + _do1 + do$; }")).toBe(true);
    // A number's letters and dots are the number's: `1.5e3.x` is not a call of `e3`.
    expect(small("function f(x) { return x * 1.5e3 + .25 + 0x1F + x.$2; }")).toBe(true);
    // A call of an identifier with a digit, a $ or an _ in its name is a call.
    expect(small("function f(x) { return g1(x); }")).toBe(false);
    expect(small("function f(x) { return $(x); }")).toBe(false);
    expect(small("function f(x) { return _(x); }")).toBe(false);
    expect(small("function f(a) { for (;;) return a; }")).toBe(false);
    expect(small("function f(é) { return é + 1; }")).toBe(true);
  });

  it("has a size limit, in characters of code", () => {
    const terms = Array.from({ length: 60 }, (_, i) => `x * ${i}`).join(" + ");
    expect(terms.replace(/\s/g, "").length).toBeGreaterThan(SMALL_FUNCTION_CHARS);
    expect(small(`function f(x) { return ${terms}; }`)).toBe(false);
    expect(small("function f(x) {\n" + " ".repeat(500) + "return x;\n}")).toBe(true);
  });
});
