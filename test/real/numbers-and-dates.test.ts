/**
 * Number, date and colour libraries from npm, through their natural `jit()` uses (tested
 * 2026-12-07: big.js 7.0, decimal.js 10.6, numeral 2.0, accounting 0.4, dayjs 1.11, luxon 3.7,
 * tinycolor2 1.6, chroma-js 2.6, mathjs 14.9, ml-matrix 6.15): methods on prototypes specialized on
 * `this` or on their format string, or left to tiering; user functions built on the library; a
 * compiled mathjs expression's `evaluate`. Inputs: numbers with -0, NaN, ±Infinity, 1e21, halves
 * that round, numeric strings, garbage that makes the constructors throw. All agreed with the
 * libraries. Speed, natural use / library (the session's x/ scripts, monomorphic call sites,
 * medians of 7): mathjs `code.evaluate` 0.56× tiered and on `this`, ml-matrix `mmul` on `this`
 * 0.42-0.46×, the rest 0.97-1.05× (chroma.mix tiered 1.03-1.04×, see the report).
 */
import { describe, it } from "vitest";
import { createRequire } from "node:module";
import { jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agrees, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
type Num = { [m: string]: (...a: unknown[]) => unknown };
type NumClass = new (x: unknown) => Num;
const Big = require_("big.js") as NumClass;
const Decimal = require_("decimal.js") as NumClass;
const numeral = require_("numeral") as (x: unknown) => { format(f: string): string };
const accounting = require_("accounting") as { formatMoney: Function; unformat: Function; formatColumn: Function };
const dayjs = require_("dayjs") as { extend(p: unknown): void; utc(x: unknown): { format(f: string): string } };
dayjs.extend(require_("dayjs/plugin/utc"));
const { DateTime } = require_("luxon") as { DateTime: { fromMillis(x: number, o: object): { toFormat(f: string): string }; fromISO(s: string, o: object): { toFormat(f: string): string } } };
const tinycolor = require_("tinycolor2") as ((x: unknown) => Num) & { mix(a: unknown, b: unknown, n: number): Num };
const chroma = require_("chroma-js") as ((x: unknown) => Num) & { mix: Function; scale(c: string[]): Num };
const math = require_("mathjs") as { compile(s: string): { evaluate(scope?: object): unknown } };
const { Matrix } = require_("ml-matrix") as { Matrix: new (a: number[][]) => Num };

const COUNT = 400;
const rawNumber = (r: Random): unknown => pick(r, ["1.5", "-0", "0", "1e21", "-2.25", "abc", "", NaN, -0, 0, 1 / 3, 123.456, "1e-7", "99999999999999999999.9", undefined, null, {}, "  3 ", "0x10", Infinity, 2.675, 1.005, -0.004]);

describe("arbitrary-precision numbers", () => {
  const pairs = generate(9620, COUNT, (r) => [rawNumber(r), rawNumber(r)]);
  for (const [name, C] of [["big.js", Big], ["decimal.js", Decimal]] as const) {
    it(`${name}: methods on the prototype, on \`this\` and tiered, and a user function`, () => {
      const P = C.prototype as unknown as Num;
      const make = (x: unknown): Num | null => { try { return new C(x); } catch { return null; } };
      const owned = [C, P];
      for (const m of ["plus", "cmp", "toFixed", "sqrt"]) {
        const method = P[m]!;
        const receiver = new C("1.25");
        agrees(`jit(${m}, { specialize: { this } })`, ([x]: unknown[]) => String(method.call(receiver, x)), () => { const f = jit(method, { specialize: { this: receiver } }); return { fn: f, run: ([x]: unknown[]) => String(f.call(receiver, x)) }; }, pairs, owned);
        const viaReceiver = (f: Function) => ([x, y]: unknown[]) => { const r = make(x); return r === null ? "bad" : String(f.call(r, m === "toFixed" || m === "round" ? 2 : y)); };
        agrees(`jit(${m}) (tiering)`, viaReceiver(method), () => { const f = jit(method, { tiering: HOT }); return { fn: f, run: viaReceiver(f) }; }, pairs, owned);
      }
      const user = ([x, y]: unknown[]) => new C(x).times(new C(y).plus(1)).toFixed(2);
      agrees("jit(user) (tiering)", user, () => { const f = jit(user, { tiering: HOT }); return { fn: f, run: f as (p: unknown) => unknown }; }, pairs, owned);
    });
  }
});

describe("number formatting", () => {
  const numbers = generate(9621, COUNT, (r) => pick(r, [0, -0, 1, -1, 1234.5678, -98765.4321, 1e21, 1e-7, NaN, Infinity, -Infinity, "12.5", "abc", "", null, undefined, [1], {}, true, 0.005, 1.005, 2.675, -0.004, 999999.995, "1,234.56", "(12)", "$5"]));

  it("numeral: format on the prototype, specialized on the format string and tiered", () => {
    const format = Object.getPrototypeOf(numeral(1)).format as (f: string) => string;
    for (const pattern of ["0,0.00", "$0,0[.]00", "0.0%", "0a", "(0,0)", "0.000e+0", "00:00:00", "0o", "0.00 b"]) {
      const original = (x: unknown) => format.call(numeral(x), pattern);
      agrees(`jit(format, { specialize: { inputString: "${pattern}" } })`, original, () => { const f = jit(format, { specialize: { inputString: pattern } }); return { fn: f, run: (x) => f.call(numeral(x), pattern) }; }, numbers);
      agrees(`jit(format) (tiering) on "${pattern}"`, original, () => { const f = jit(format, { tiering: HOT }); return { fn: f, run: (x) => f.call(numeral(x), pattern) }; }, numbers);
    }
  });

  it("accounting: formatMoney with an options object (specialized and tiered), with positional arguments, unformat, formatColumn", () => {
    const options = { symbol: "€", format: { pos: "%s %v", neg: "%s (%v)", zero: "%s --" }, decimal: ",", thousand: ".", precision: 2 };
    agrees("jit(formatMoney, { specialize: { symbol: options } })", (x) => accounting.formatMoney(x, options), () => { const f = jit(accounting.formatMoney, { specialize: { symbol: options } }); return { fn: f, run: (x) => f(x, options) }; }, numbers, [options, accounting]);
    agrees("jit(formatMoney) (tiering)", (x) => accounting.formatMoney(x, options), () => { const f = jit(accounting.formatMoney, { tiering: HOT }); return { fn: f, run: (x) => f(x, options) }; }, numbers, [options, accounting]);
    agrees("jit(formatMoney) (tiering), positional", (x) => accounting.formatMoney(x, "£", 3, "'", ","), () => { const f = jit(accounting.formatMoney, { tiering: HOT }); return { fn: f, run: (x) => f(x, "£", 3, "'", ",") }; }, numbers, [accounting]);
    agrees("jit(unformat) (tiering)", (x) => accounting.unformat(x, ","), () => { const f = jit(accounting.unformat, { tiering: HOT }); return { fn: f, run: (x) => f(x, ",") }; }, numbers, [accounting]);
    agrees("jit(formatColumn) (tiering)", (x) => accounting.formatColumn([x, 1, -2], options), () => { const f = jit(accounting.formatColumn, { tiering: HOT }); return { fn: f, run: (x) => f([x, 1, -2], options) }; }, numbers, [options, accounting]);
  });
});

describe("dates", () => {
  // No undefined or null: both mean "now" to these libraries.
  const times = generate(9622, COUNT, (r) => pick(r, [0, -0, 1e12, NaN, -1, 8.64e15, 8.64e15 + 1, "2026-12-07", "2026-02-30", "2026-12-07T10:00:00.123Z", "x", "", {}, 1733563200123, 1.5e12 + 0.5, "1970-01-01T00:00:00Z", "2026-12-07T10:00:00+05:30"]));

  it("dayjs: format on the prototype, specialized on its format string and tiered, and a user function", () => {
    const pattern = "YYYY-MM-DD HH:mm:ss.SSS [at] dddd Q Do A Z";
    const format = Object.getPrototypeOf(dayjs.utc(0)).format as (f: string) => string;
    const parameter = /\(\s*([\w$]+)/.exec(String(format))![1]!;
    const original = (x: unknown) => format.call(dayjs.utc(x), pattern);
    agrees(`jit(format, { specialize: { ${parameter}: pattern } })`, original, () => { const f = jit(format, { specialize: { [parameter]: pattern } }); return { fn: f, run: (x) => f.call(dayjs.utc(x), pattern) }; }, times);
    agrees("jit(format) (tiering)", original, () => { const f = jit(format, { tiering: HOT }); return { fn: f, run: (x) => f.call(dayjs.utc(x), pattern) }; }, times);
    const user = (x: unknown) => dayjs.utc(x).format(pattern);
    agrees("jit(user) (tiering)", user, () => { const f = jit(user, { tiering: HOT }); return { fn: f, run: f }; }, times);
  });

  it("luxon: toFormat on the prototype, specialized on its format string and tiered", () => {
    const pattern = "yyyy-LL-dd HH:mm:ss.SSS 'q'q EEEE ZZ a";
    const make = (x: unknown) => (typeof x === "number" ? DateTime.fromMillis(x, { zone: "utc" }) : DateTime.fromISO(String(x), { zone: "utc" }));
    const toFormat = Object.getPrototypeOf(make(0)).toFormat as (f: string) => string;
    const original = (x: unknown) => toFormat.call(make(x), pattern);
    agrees("jit(toFormat, { specialize: { fmt } })", original, () => { const f = jit(toFormat, { specialize: { fmt: pattern } }); return { fn: f, run: (x) => f.call(make(x), pattern) }; }, times);
    agrees("jit(toFormat) (tiering)", original, () => { const f = jit(toFormat, { tiering: HOT }); return { fn: f, run: (x) => f.call(make(x), pattern) }; }, times);
  });
});

describe("colours", () => {
  const colours = generate(9623, COUNT, (r) => pick(r, ["#fff", "red", "rgb(1,2,3)", "hsl(120,50%,50%)", "#12345678", "nope", "", undefined, -0, NaN, 0xff00ff, [1, 2, 3], "rgba(0,0,0,.5)", { r: 1, g: -0, b: NaN }, { h: 10, s: 1, l: 0.5 }]));

  it("tinycolor2: a user function, and methods on the prototype specialized on `this`", () => {
    const user = (x: unknown) => { const c = tinycolor(x); return [c.isValid!(), c.toHexString!(), (c.lighten!(10) as Num).toRgbString!(), c.getBrightness!(), c.isDark!()]; };
    agrees("jit(user) (tiering)", user, () => { const f = jit(user, { tiering: HOT }); return { fn: f, run: f }; }, colours);
    const P = Object.getPrototypeOf(tinycolor("red")) as Num;
    for (const m of ["lighten", "toHexString", "spin", "complement", "toString"]) {
      // A receiver per side: `lighten` and `spin` may change it (`_applyModification`).
      const a = tinycolor("red"), b = tinycolor("red");
      const show = (c: unknown) => (c && typeof (c as Num).toString === "function" ? String(c) : c);
      agrees(`jit(${m}, { specialize: { this } })`, (x) => show(P[m]!.call(a, x, 50)), () => { const f = jit(P[m]!, { specialize: { this: b } }); return { fn: f, run: (x) => show(f.call(b, x, 50)) }; }, colours);
    }
  });

  it("chroma-js: a user function, mix tiered on its mode, a scale tiered", () => {
    const user = (x: unknown) => { const c = chroma(x); return [c.hex!(), c.luminance!(), (c.darken!(1) as Num).css!(), (chroma.mix(c, "blue", 0.3, "lab") as Num).hex!(), c.get!("hsl.h")]; };
    agrees("jit(user) (tiering)", user, () => { const f = jit(user, { tiering: HOT }); return { fn: f, run: f }; }, colours);
    agrees("jit(chroma.mix) (tiering)", (x) => (chroma.mix(x, "blue", 0.3, "lab") as Num).hex!(), () => { const f = jit(chroma.mix, { tiering: HOT }); return { fn: f, run: (x) => f(x, "blue", 0.3, "lab").hex() }; }, colours);
    const scale = (chroma.scale(["yellow", "008ae5"]).mode!("lch") as Num).domain!([0, 100]) as unknown as (x: number) => Num;
    const steps = generate(9624, COUNT, (r) => pick(r, [0, -0, 1, 50, 99.5, 100, 120, -10, NaN, Infinity]));
    agrees("jit(scale) (tiering)", (x) => scale(x as number).hex!(), () => { const f = jit(scale, { tiering: HOT }); return { fn: f, run: (x) => f(x as number).hex!() }; }, steps);
  });
});

describe("numeric kernels", () => {
  it("mathjs: a compiled expression's evaluate, on `this` and bound (tiering)", () => {
    const code = math.compile("x^2 + sin(y) * 3 > 1 ? max(v) : sum(v) / (x - y)");
    const anyValue = (r: Random) => pick(r, [undefined, null, 0, -0, NaN, 1.5, "", "2", true, [], [1, 2], {}, Infinity, -3]);
    const scopes = generate(9625, COUNT, (r) => (r() < 0.05 ? anyValue(r) : { x: r() < 0.85 ? pick(r, [0, -0, 1, 2.5, -3, 1e300, NaN]) : anyValue(r), y: r() < 0.85 ? pick(r, [0, 1, -2, 0.5]) : anyValue(r), v: r() < 0.8 ? [1, 2, pick(r, [3, -0, NaN])] : anyValue(r) }));
    const original = (s: unknown) => code.evaluate(s as object);
    agrees("jit(code.evaluate, { specialize: { this: code } })", original, () => { const f = jit(code.evaluate, { specialize: { this: code } }); return { fn: f, run: (s) => f.call(code, s as object) }; }, scopes);
    agrees("jit(code.evaluate.bind(code)) (tiering)", original, () => { const f = jit(code.evaluate.bind(code), { tiering: HOT }); return { fn: f, run: (s) => f(s as object) }; }, scopes);
  });

  it("ml-matrix: mmul on `this` and tiered, and a user function", () => {
    const grids = generate(9626, 300, (r) => { const n = pick(r, [2, 3]); return Array.from({ length: n }, () => Array.from({ length: n }, () => pick(r, [0, -0, 1, 2, -1.5, NaN]))); });
    const A = new Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 10]]);
    const mmul = Matrix.prototype.mmul as (b: unknown) => Num;
    const original = (g: unknown) => (mmul.call(A, new Matrix(g as number[][])).to2DArray!());
    agrees("jit(mmul, { specialize: { this: A } })", original, () => { const f = jit(mmul, { specialize: { this: A } }); return { fn: f, run: (g) => f.call(A, new Matrix(g as number[][])).to2DArray!() }; }, grids);
    agrees("jit(mmul) (tiering)", original, () => { const f = jit(mmul, { tiering: HOT }); return { fn: f, run: (g) => f.call(A, new Matrix(g as number[][])).to2DArray!() }; }, grids);
    const user = (g: unknown) => { const B = new Matrix(g as number[][]); return [(B.transpose!() as Num).mmul!(B) as unknown as Num, B.sum!(), B.max!(), B.norm!()].map((v) => (typeof v === "object" ? (v as Num).trace!() : v)); };
    agrees("jit(user) (tiering)", user, () => { const f = jit(user, { tiering: HOT }); return { fn: f, run: f }; }, grids);
  });
});
