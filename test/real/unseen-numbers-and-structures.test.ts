/**
 * Number, date, validation and data-structure libraries from npm that kos had not been tried on,
 * through their natural `jit()` uses (tested 2026-12-07: bignumber.js 11.1, long 5.3, currency.js
 * 2.0, numbro 2.5 (a minified bundle), moment 2.31, seedrandom 3.0, cron-parser 5.10, cronstrue 3.39,
 * rrule 2.8, validate.js 0.13, polished 4.3 (Babel-compiled, curried), immutable 5.2, tinyqueue 3.0,
 * heap-js 2.7, rbush 4.0, kdbush 4.1, earcut 3.2, simplify-js 1.2, bezier-js 6.1): prototype methods
 * of classes and of ES5 constructors called on fresh instances, methods bound to one instance,
 * TypeScript-compiled classes, functions specialized on their format, options or constants, and
 * global configuration (a locale, BigNumber.config, a replaced validator) changed after a function
 * tiered up. Inputs: numbers with -0, NaN, ±Infinity, 5e-324 and values past 2^53, numeric
 * strings, bad strings that make the library throw, invalid dates, bad cron expressions and rules.
 *
 * Every use agreed with the library. Their speed (a scratch script, one process, CPU medians of
 * 9-21 interleaved windows of 40 ms; only differences past about 10% mean anything): seedrandom's
 * creation of a generator, tiered, 1.24-1.33x the library's time (three runs; the generators it
 * makes run 0.85x); the rest 0.79-1.10x, where tiering either kept a version or went back to the
 * original after its gain check. Class constructors (rbush, tinyqueue, bezier-js) run as the
 * original (CLASS_CONSTRUCTOR); bignumber.js's `div` and `toString` read module `var`s its
 * `config` reassigns (FREE_VARIABLE), and stay the original.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { inspect, jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agrees, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
type Fn = (...a: any[]) => any;
const COUNT = 120;

const number = (r: Random): unknown => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.1, 1e21, -1e-7, 2 ** 31, 2 ** 53 + 2, 5e-324, 1234.5678, Math.floor(r() * 1e6) - 5e5, r() * 1e6, "12.5", "abc", null, undefined, "1e400", "0x1f"]);

describe("arbitrary precision and money: methods on fresh instances", () => {
  it("bignumber.js and long: prototype methods tiered and specialized", async () => {
    const BigNumber = require_("bignumber.js") as { new (x: unknown): Record<string, Fn>; prototype: Record<string, Fn> };
    const Long = (await import("long")).default as unknown as { fromString: Fn; fromNumber: Fn; prototype: Record<string, Fn> };
    const pairs = generate(1, COUNT, (r) => [number(r), number(r)]);
    const big = (x: unknown) => new BigNumber(x);
    for (const name of ["plus", "times", "div", "comparedTo"]) {
      agrees(`jit(BigNumber.prototype.${name}) (tiering)`, ([a, b]) => String(big(a)[name]!(b)), () => { const f = jit(BigNumber.prototype[name]!, { tiering: HOT }); return { fn: f, run: ([a, b]) => String(f.call(big(a), b)) }; }, pairs);
    }
    agrees("jit(BigNumber.prototype.toFormat, { specialize: { dp: 2 } })", ([a]) => big(a).toFormat!(2), () => { const f = jit(BigNumber.prototype.toFormat!, { specialize: { dp: 2 } }); return { fn: f, run: ([a]) => f.call(big(a), 2) }; }, pairs);
    agrees("jit(BigNumber.prototype.toString) (tiering), base 16", ([a]) => big(a).toString!(16), () => { const f = jit(BigNumber.prototype.toString!, { tiering: HOT }); return { fn: f, run: ([a]) => f.call(big(a), 16) }; }, pairs);
    const longs = generate(2, COUNT, (r) => [pick(r, ["0", "-1", "9223372036854775807", "-9223372036854775808", "18446744073709551615", String(Math.floor(r() * 1e15)), "123456789012345678", "12ab", ""]), pick(r, [0, 1, -1, 7, 2 ** 31, 1e10, -0, NaN, 3.7, 2 ** 64])]);
    const L = (s: string) => Long.fromString(s);
    for (const name of ["multiply", "div", "add", "shiftRight", "compare"]) {
      agrees(`jit(Long.prototype.${name}) (tiering)`, ([a, b]) => String(L(a)[name](b)), () => { const f = jit(Long.prototype[name]!, { tiering: HOT }); return { fn: f, run: ([a, b]) => String(f.call(L(a), b)) }; }, longs);
    }
    agrees("jit(Long.prototype.toString, { specialize: { radix: 36 } })", ([a]) => L(a).toString(36), () => { const f = jit(Long.prototype.toString!, { specialize: { radix: 36 } }); return { fn: f, run: ([a]) => f.call(L(a), 36) }; }, longs);
    agrees("jit(Long.fromString) (tiering), unsigned", ([a]) => Long.fromString(a, true, 10).toString(16), () => { const f = jit(Long.fromString, { tiering: HOT }); return { fn: f, run: ([a]) => f(a, true, 10).toString(16) }; }, longs);
    agrees("jit(Long.fromNumber) (tiering)", ([, b]) => Long.fromNumber(b).toString(), () => { const f = jit(Long.fromNumber, { tiering: HOT }); return { fn: f, run: ([, b]) => f(b).toString() }; }, longs);
  });
  it("currency.js and numbro: the factory tiered and specialized on its options, a bound method, a minified bundle's prototype", () => {
    const currency = require_("currency.js") as Fn & { prototype: { add: Fn } };
    const numbro = require_("numbro") as Fn;
    const pairs = generate(3, COUNT, (r) => [number(r), number(r)]);
    agrees("jit(currency) (tiering)", ([a, b]) => currency(a).add(b).format(), () => { const f = jit(currency, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a).add(b).format() }; }, pairs);
    const opts = { symbol: "€", decimal: ",", separator: ".", precision: 3 };
    agrees("jit(currency, { specialize: { opts } })", ([a, b]) => currency(a, opts).multiply(b).format(), () => { const f = jit(currency, { specialize: { opts } }); return { fn: f, run: ([a, b]) => f(a, opts).multiply(b).format() }; }, pairs, [opts]);
    const c = currency(12.34);
    agrees("jit(currency.prototype.add.bind(c)) (tiering)", ([a]) => c.add(a).value, () => { const f = jit(currency.prototype.add.bind(c), { tiering: HOT }); return { fn: f, run: ([a]) => f(a).value }; }, pairs, [c]);
    const format = { thousandSeparated: true, mantissa: 2, average: false };
    const proto = Object.getPrototypeOf(numbro(1)) as { format: Fn };
    agrees("jit(numbro(x).format) (tiering), on fresh instances", ([a]) => numbro(a).format(format), () => { const f = jit(proto.format, { tiering: HOT }); return { fn: f, run: ([a]) => f.call(numbro(a), format) }; }, pairs.filter(([a]) => typeof a === "number"));
    agrees("jit(numbro) (tiering)", ([a]) => numbro(a).format("0.0a"), () => { const f = jit(numbro, { tiering: HOT }); return { fn: f, run: ([a]) => f(a).format("0.0a") }; }, pairs.filter(([a]) => typeof a === "number"));
  });
  it("global configuration changed after a function tiered up is seen: BigNumber.config, moment's locale", () => {
    const BigNumber = require_("bignumber.js") as { new (x: unknown): Record<string, Fn>; prototype: Record<string, Fn>; config: Fn };
    const moment = require_("moment") as Fn & { fn: { format: Fn }; utc: Fn; locale: Fn };
    require_("moment/locale/fr");
    moment.locale("en");
    const div = jit(BigNumber.prototype.div!, { tiering: HOT });
    const toFormat = jit(BigNumber.prototype.toFormat!, { tiering: HOT });
    const plus = jit(BigNumber.prototype.plus!, { tiering: HOT });
    for (let i = 0; i < 300; i++) { div.call(new BigNumber(1), 3); toFormat.call(new BigNumber(1234567.891), 2); plus.call(new BigNumber(i), "0.1"); }
    try {
      BigNumber.config({ DECIMAL_PLACES: 5, EXPONENTIAL_AT: 2, FORMAT: { groupSeparator: " ", decimalSeparator: ",", groupSize: 3 } });
      expect(String(div.call(new BigNumber(1), 3))).toBe(String(new BigNumber(1).div!(3)));
      expect(toFormat.call(new BigNumber(1234567.891), 2)).toBe("1 234 567,89");
      expect(String(plus.call(new BigNumber(12345), "0.1"))).toBe(String(new BigNumber(12345).plus!("0.1")));
    } finally {
      BigNumber.config({ DECIMAL_PLACES: 20, EXPONENTIAL_AT: [-7, 20], FORMAT: { groupSeparator: ",", decimalSeparator: ".", groupSize: 3 } });
    }
    const format = jit(moment.fn.format, { tiering: HOT });
    for (let i = 0; i < 300; i++) format.call(moment.utc(1e12 + i), "LLLL dddd MMMM");
    expect(inspect(format)!.tier).toBe(1);
    try {
      moment.locale("fr");
      expect(format.call(moment.utc(1e12), "LLLL dddd MMMM")).toBe(moment.utc(1e12).format("LLLL dddd MMMM"));
    } finally {
      moment.locale("en");
    }
    expect(format.call(moment.utc(1e12).locale("fr"), "LLLL")).toBe(moment.utc(1e12).locale("fr").format("LLLL"));
  });
});

describe("dates, schedules and validation", () => {
  it("moment: format specialized on its format string and tiered, add tiered, strict parsing specialized", () => {
    const moment = require_("moment") as Fn & { fn: { format: Fn; add: Fn }; utc: Fn };
    const times = generate(4, COUNT, (r) => pick(r, [Math.floor(r() * 2e12), 0, -1, NaN, 8.64e15, 8.64e15 + 1, -62198755200000, 1e12 + 0.5]));
    const m = (t: number) => moment.utc(t);
    const inputString = "YYYY-MM-DD[T]HH:mm:ss.SSS Do dddd wo Q X";
    agrees("jit(moment.fn.format, { specialize: { inputString } })", (t) => m(t).format(inputString), () => { const f = jit(moment.fn.format, { specialize: { inputString } }); return { fn: f, run: (t) => f.call(m(t), inputString) }; }, times);
    agrees("jit(moment.fn.format) (tiering)", (t) => m(t).format("LLLL"), () => { const f = jit(moment.fn.format, { tiering: HOT }); return { fn: f, run: (t) => f.call(m(t), "LLLL") }; }, times);
    agrees("jit(moment.fn.add) (tiering)", (t) => m(t).add(7, "days").valueOf(), () => { const f = jit(moment.fn.add, { tiering: HOT }); return { fn: f, run: (t) => f.call(m(t), 7, "days").valueOf() }; }, times);
    const dates = generate(5, COUNT, (r) => pick(r, ["2024-02-29", "2023-02-29", "2024-13-01", "20240101T120000Z", "2024-W05-3", "nonsense", "", "2024-01-01T25:00", `${Math.floor(r() * 3000)}-0${Math.floor(1 + r() * 9)}-1${Math.floor(r() * 9)}`]));
    agrees("jit(moment.utc, { specialize: { format, strict } })", (s) => { const x = moment.utc(s, "YYYY-MM-DD", undefined, true); return [x.isValid(), x.valueOf()]; }, () => { const f = jit(moment.utc, { specialize: { format: "YYYY-MM-DD", strict: true } }); return { fn: f, run: (s) => { const x = f(s, "YYYY-MM-DD", undefined, true); return [x.isValid(), x.valueOf()]; } }; }, dates);
  });
  it("seedrandom, cron-parser, cronstrue and rrule tiered and specialized", () => {
    const seedrandom = require_("seedrandom") as Fn;
    const { CronExpressionParser } = require_("cron-parser") as { CronExpressionParser: { parse: Fn } };
    const cronstrue = require_("cronstrue") as { toString: Fn };
    const { RRule, rrulestr } = require_("rrule") as { RRule: { prototype: { all: Fn; toText: Fn } }; rrulestr: Fn };
    agrees("jit(seedrandom) (tiering)", (s) => { const g = seedrandom(s); return [g(), g.int32(), g.quick()]; }, () => { const f = jit(seedrandom, { tiering: HOT }); return { fn: f, run: (s) => { const g = f(s); return [g(), g.int32(), g.quick()]; } }; }, generate(6, COUNT, (r) => pick(r, ["a", "hello", "", "😀", "\ud800", String(r())])));
    const crons = generate(7, COUNT, (r) => pick(r, ["*/5 * * * *", "0 0 * * 1-5", "0 12 L * *", "0 0 29 2 *", "bogus", "61 * * * *", "0 0 1,15 * 3#2", "@daily", "*/7 */3 * * *", "0 0 0 * * *", "0 15 10 ? * 6L", "0 0/5 14,18 * * ?", "", "* * * * * * * *", "0 0 12 1W * ?"]));
    const start = () => ({ currentDate: new Date(Date.UTC(2024, 0, 1)), tz: "UTC" });
    agrees("jit(CronExpressionParser.parse) (tiering), called on the class", (e) => { const it = CronExpressionParser.parse(e, start()); return [it.next().toISOString(), it.next().toISOString()]; }, () => { const f = jit(CronExpressionParser.parse, { tiering: HOT }); return { fn: f, run: (e) => { const it = f.call(CronExpressionParser, e, start()); return [it.next().toISOString(), it.next().toISOString()]; } }; }, crons);
    agrees("jit(cronstrue.toString) (tiering)", (e) => cronstrue.toString(e), () => { const f = jit(cronstrue.toString, { tiering: HOT }); return { fn: f, run: (e) => f(e) }; }, crons);
    // Its options are a destructured parameter that TypeScript lowered to `_a`.
    const options = { verbose: true, use24HourTimeFormat: true, throwExceptionOnParseError: false };
    agrees("jit(cronstrue.toString, { specialize: { _a: options } })", (e) => cronstrue.toString(e, options), () => { const f = jit(cronstrue.toString, { specialize: { _a: options } }); return { fn: f, run: (e) => f(e, options) }; }, crons, [options]);
    const rules = generate(8, 60, (r) => pick(r, ["FREQ=WEEKLY;COUNT=5;BYDAY=MO,WE", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3", "FREQ=DAILY;INTERVAL=3;COUNT=6", "FREQ=BOGUS", "FREQ=HOURLY;COUNT=3;BYSETPOS=1"]));
    const dtstart = new Date(Date.UTC(2024, 0, 1));
    agrees("jit(rrulestr) (tiering)", (s) => rrulestr(s, { dtstart }).all().map((d: Date) => d.toISOString()), () => { const f = jit(rrulestr, { tiering: HOT }); return { fn: f, run: (s) => f(s, { dtstart }).all().map((d: Date) => d.toISOString()) }; }, rules);
    agrees("jit(RRule.prototype.all) (tiering)", (s) => rrulestr(s, { dtstart }).all().map((d: Date) => d.toISOString()), () => { const f = jit(RRule.prototype.all, { tiering: HOT }); return { fn: f, run: (s) => f.call(rrulestr(s, { dtstart })).map((d: Date) => d.toISOString()) }; }, rules);
    agrees("jit(RRule.prototype.toText) (tiering)", (s) => rrulestr(s, { dtstart }).toText(), () => { const f = jit(RRule.prototype.toText, { tiering: HOT }); return { fn: f, run: (s) => f.call(rrulestr(s, { dtstart })) }; }, rules);
  });
  it("validate.js specialized on its constraints and tiered; a validator replaced after tier-up is seen", () => {
    const validate = require_("validate.js") as Fn & { validators: Record<string, unknown> };
    const constraints = { email: { email: true }, age: { numericality: { onlyInteger: true, greaterThan: 0 } }, name: { presence: true, length: { minimum: 2 } }, url: { url: true } };
    const attrs = generate(9, COUNT, (r) => ({ email: pick(r, ["a@b.co", "bad", "", null, 5]), age: pick(r, [1, 0, -1, 1.5, "3", NaN, null]), name: pick(r, ["Al", "A", "", undefined, 7]), url: pick(r, ["http://x.y", "nope", undefined]) }));
    agrees("jit(validate, { specialize: { constraints } })", (a) => validate(a, constraints), () => { const f = jit(validate, { specialize: { constraints } }); return { fn: f, run: (a) => f(a, constraints) }; }, attrs, [constraints]);
    agrees("jit(validate) (tiering)", (a) => validate(a, constraints), () => { const f = jit(validate, { tiering: HOT }); return { fn: f, run: (a) => f(a, constraints) }; }, attrs);
    const saved = validate.validators.custom;
    try {
      validate.validators.custom = (v: unknown) => (v === 1 ? "is one" : undefined);
      const c = { x: { custom: true } };
      const g = jit(validate, { tiering: HOT });
      for (let i = 0; i < 200; i++) g({ x: i }, c);
      validate.validators.custom = (v: unknown) => (v === 2 ? "is two" : undefined);
      expect(g({ x: 2 }, c)).toEqual(validate({ x: 2 }, c));
      expect(g({ x: 1 }, c)).toBe(undefined);
    } finally {
      validate.validators.custom = saved;
    }
  });
  it("polished: Babel-compiled curried color functions, tiered", () => {
    const polished = require_("polished") as Record<string, Fn>;
    const colors = generate(10, COUNT, (r) => [pick(r, ["#fff", "#123456", "rgb(1,2,3)", "rgba(1,2,3,0.5)", "hsl(120, 50%, 50%)", "red", "bogus", "#12345", "transparent", "#ABCDEF80"]), pick(r, [0, 0.1, 0.5, 1, -0.2, 2, NaN])]);
    for (const name of ["darken", "lighten", "mix", "transparentize", "saturate", "getLuminance", "parseToRgb", "readableColor", "toColorString"]) {
      const call = (f: Fn, [c, a]: [string, number]) => (name === "mix" ? f(a, c, "#000") : ["getLuminance", "parseToRgb", "readableColor"].includes(name) ? f(c) : name === "toColorString" ? f({ red: Math.round(a * 255) || 0, green: 3, blue: 4 }) : f(a, c));
      agrees(`jit(polished.${name}) (tiering)`, (x) => call(polished[name]!, x), () => { const f = jit(polished[name]!, { tiering: HOT }); return { fn: f, run: (x) => call(f, x) }; }, colors);
    }
  });
});

describe("persistent collections, heaps, spatial indexes and geometry", () => {
  it("immutable: fromJS, is, setIn on one map, push, a Seq's map", () => {
    const Immutable = require_("immutable") as { fromJS: Fn; is: Fn; Map: Fn & { prototype: { setIn: Fn } }; List: Fn & { prototype: { push: Fn } }; Seq: Fn & { Indexed: { prototype: { map: Fn } } } };
    const plain = (x: any) => (x && typeof x.toJS === "function" ? x.toJS() : x);
    const values = generate(11, COUNT, (r) => pick(r, [{ a: [1, { b: -0 }], c: "x" }, [NaN, [null]], 5, "s", null, { "1": { "2": [3] } }, []]));
    agrees("jit(Immutable.fromJS) (tiering)", (v) => plain(Immutable.fromJS(v)), () => { const f = jit(Immutable.fromJS, { tiering: HOT }); return { fn: f, run: (v) => plain(f(v)) }; }, values);
    agrees("jit(Immutable.is) (tiering)", (v) => Immutable.is(Immutable.fromJS(v), Immutable.fromJS(structuredClone(v))), () => { const f = jit(Immutable.is, { tiering: HOT }); return { fn: f, run: (v) => f(Immutable.fromJS(v), Immutable.fromJS(structuredClone(v))) }; }, values);
    const map = Immutable.Map({ a: 1, b: { c: 2 } }) as { setIn: Fn };
    agrees("jit(Map.prototype.setIn) (tiering), on one map", (v) => plain(map.setIn(["b", "d"], v)), () => { const f = jit(Immutable.Map.prototype.setIn, { tiering: HOT }); return { fn: f, run: (v) => plain(f.call(map, ["b", "d"], v)) }; }, values);
    const arrays = generate(12, COUNT, (r) => Array.from({ length: Math.floor(r() * 20) }, () => pick(r, [Math.floor(r() * 100), -0, 0, NaN, 1.5, Infinity])));
    agrees("jit(List.prototype.push) (tiering)", (a) => plain((Immutable.List(a) as { push: Fn }).push(1, 2)), () => { const f = jit(Immutable.List.prototype.push, { tiering: HOT }); return { fn: f, run: (a) => plain(f.call(Immutable.List(a), 1, 2)) }; }, arrays);
    agrees("jit(Seq.Indexed.prototype.map) (tiering)", (a) => (Immutable.Seq(a) as { map: Fn }).map((x: number) => x * 2).toArray(), () => { const f = jit(Immutable.Seq.Indexed.prototype.map, { tiering: HOT }); return { fn: f, run: (a) => f.call(Immutable.Seq(a), (x: number) => x * 2).toArray() }; }, arrays);
  });
  it("tinyqueue and heap-js methods on `this`; rbush and kdbush queries; earcut, simplify-js and bezier-js", async () => {
    const TinyQueue = (await import("tinyqueue")).default as unknown as { new (a?: unknown[], c?: Fn): { length: number; push: Fn; pop: Fn }; prototype: { push: Fn; pop: Fn } };
    const RBush = (await import("rbush")).default as unknown as { new (n?: number): { load: Fn; search: Fn; insert: Fn; toJSON: Fn }; prototype: { search: Fn; insert: Fn } };
    const KDBush = (await import("kdbush")).default as unknown as { new (n: number, size?: number): { add: Fn; finish: Fn; range: Fn; within: Fn }; prototype: { range: Fn; within: Fn } };
    const earcut = (await import("earcut")).default as unknown as Fn;
    const simplify = require_("simplify-js") as Fn;
    const { Heap } = require_("heap-js") as { Heap: { new (): { push: Fn; pop: Fn; length: number }; nlargest: Fn; prototype: { push: Fn; pop: Fn } } };
    const { Bezier } = require_("bezier-js") as { Bezier: { new (...c: number[]): unknown; prototype: Record<string, Fn> } };
    const arrays = generate(13, COUNT, (r) => Array.from({ length: Math.floor(r() * 20) }, () => pick(r, [Math.floor(r() * 100), -0, 0, NaN, 1.5, Infinity])));
    agrees("jit(TinyQueue.prototype.push/pop) (tiering)", (a) => { const q = new TinyQueue(); for (const x of a) q.push(x); const out = []; while (q.length) out.push(q.pop()); return out; }, () => { const push = jit(TinyQueue.prototype.push, { tiering: HOT }); const pop = jit(TinyQueue.prototype.pop, { tiering: HOT }); return { fn: pop, run: (a) => { const q = new TinyQueue(); for (const x of a) push.call(q, x); const out = []; while (q.length) out.push(pop.call(q)); return out; } }; }, arrays);
    agrees("new TinyQueue(items, jit(compare))", (a) => { const q = new TinyQueue(a.slice(), (x: number, y: number) => y - x); const out = []; while (q.length) out.push(q.pop()); return out; }, () => { const compare = jit((x: number, y: number) => y - x, { tiering: HOT }); return { fn: compare, run: (a) => { const q = new TinyQueue(a.slice(), compare); const out = []; while (q.length) out.push(q.pop()); return out; } }; }, arrays);
    agrees("jit(Heap.prototype.push/pop) (tiering)", (a) => { const h = new Heap(); for (const x of a) h.push(x); const o = []; while (h.length) o.push(h.pop()); return o; }, () => { const push = jit(Heap.prototype.push, { tiering: HOT }); const pop = jit(Heap.prototype.pop, { tiering: HOT }); return { fn: push, run: (a) => { const h = new Heap(); for (const x of a) push.call(h, x); const o = []; while (h.length) o.push(pop.call(h)); return o; } }; }, arrays);
    agrees("jit(Heap.nlargest) (tiering)", (a) => Heap.nlargest(3, a), () => { const f = jit(Heap.nlargest, { tiering: HOT }); return { fn: f, run: (a) => f(3, a) }; }, arrays);
    const boxes = generate(14, 60, (r) => Array.from({ length: 1 + Math.floor(r() * 40) }, () => { const x = Math.floor(r() * 100), y = Math.floor(r() * 100); return { minX: x, minY: y, maxX: x + Math.floor(r() * 10), maxY: y + pick(r, [0, 3, 8]) }; }));
    const query = { minX: 20, minY: 20, maxX: 60, maxY: 60 };
    const sorted = (found: Array<{ minX: number; minY: number; maxX: number; maxY: number }>) => found.map((b) => [b.minX, b.minY, b.maxX, b.maxY].join()).sort();
    agrees("jit(RBush.prototype.search) (tiering)", (bs) => { const t = new RBush(4); t.load(bs); return sorted(t.search(query)); }, () => { const f = jit(RBush.prototype.search, { tiering: HOT }); return { fn: f, run: (bs) => { const t = new RBush(4); t.load(bs); return sorted(f.call(t, query)); } }; }, boxes);
    agrees("jit(RBush.prototype.insert) (tiering)", (bs) => { const t = new RBush(4); for (const b of bs) t.insert(b); return [sorted(t.search(query)), t.toJSON().height]; }, () => { const f = jit(RBush.prototype.insert, { tiering: HOT }); return { fn: f, run: (bs) => { const t = new RBush(4); for (const b of bs) f.call(t, b); return [sorted(t.search(query)), t.toJSON().height]; } }; }, boxes);
    const points = generate(15, 60, (r) => Array.from({ length: 1 + Math.floor(r() * 60) }, () => [Math.floor(r() * 100), Math.floor(r() * 100)]));
    const index = (p: number[][]) => { const i = new KDBush(p.length, 4); for (const [x, y] of p) i.add(x, y); i.finish(); return i; };
    const byNumber = (a: number[]) => a.sort((x, y) => x - y);
    agrees("jit(KDBush.prototype.range) (tiering)", (p) => byNumber(index(p).range(10, 10, 50, 70)), () => { const f = jit(KDBush.prototype.range, { tiering: HOT }); return { fn: f, run: (p) => byNumber(f.call(index(p), 10, 10, 50, 70)) }; }, points);
    agrees("jit(KDBush.prototype.within) (tiering)", (p) => byNumber(index(p).within(50, 50, 20)), () => { const f = jit(KDBush.prototype.within, { tiering: HOT }); return { fn: f, run: (p) => byNumber(f.call(index(p), 50, 50, 20)) }; }, points);
    const polygons = [...points, [[0, 0], [10, 0], [10, 10], [0, 10]], [[0, 0], [NaN, 1], [3, 3]], []];
    agrees("jit(earcut) (tiering)", (p) => earcut(p.flat()), () => { const f = jit(earcut, { tiering: HOT }); return { fn: f, run: (p) => f(p.flat()) }; }, polygons);
    const holeIndices = [4];
    agrees("jit(earcut, { specialize: { holeIndices, dim: 2 } })", (p) => earcut(p.flat(), holeIndices, 2), () => { const f = jit(earcut, { specialize: { holeIndices, dim: 2 } }); return { fn: f, run: (p) => f(p.flat(), holeIndices, 2) }; }, polygons, [holeIndices]);
    const line = (p: number[][]) => p.map(([x, y]) => ({ x, y }));
    agrees("jit(simplify) (tiering)", (p) => simplify(line(p), 5, false), () => { const f = jit(simplify, { tiering: HOT }); return { fn: f, run: (p) => f(line(p), 5, false) }; }, points);
    agrees("jit(simplify, { specialize: { tolerance: 2, highestQuality: true } })", (p) => simplify(line(p), 2, true), () => { const f = jit(simplify, { specialize: { tolerance: 2, highestQuality: true } }); return { fn: f, run: (p) => f(line(p), 2, true) }; }, points);
    const curves = generate(16, 80, (r) => Array.from({ length: 8 }, () => pick(r, [Math.floor(r() * 100), 0, -0, 1e-9, 50])));
    for (const [name, args] of [["get", [0.3]], ["length", []], ["extrema", []], ["bbox", []], ["split", [0.25, 0.75]]] as const) {
      agrees(`jit(Bezier.prototype.${name}) (tiering)`, (c) => JSON.parse(JSON.stringify((new Bezier(...c) as Record<string, Fn>)[name]!(...args))), () => { const f = jit(Bezier.prototype[name]!, { tiering: HOT }); return { fn: f, run: (c) => JSON.parse(JSON.stringify(f.apply(new Bezier(...c), args))) }; }, curves);
    }
  });
});
