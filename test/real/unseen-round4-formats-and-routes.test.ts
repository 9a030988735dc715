/**
 * Round 4 of kos on npm code it had not seen (2026-12-07): formatters (pretty-bytes 7.2, bytes 3.1,
 * ms 2.1, filesize 11.0, humanize-duration 3.35, fast-printf 1.6, fecha 4.2), parsers (json5 2.2,
 * cookie 2.0, content-type 3.1, querystringify 2.2), route matchers (regexparam 3.0, url-pattern
 * 1.0, route-parser 0.0.5, rou3 1.0) and colour and number classes (color-string 2.1, colord 2.13,
 * complex.js 2.4), each through its natural `jit()` uses: specialized on its options, format or
 * pattern, tiered, a method on `this` or bound. 2,000 seeded inputs per use, some of which make the
 * library throw, twice over (the second pass runs what tiering compiled).
 * docs/notes/unseen-libraries.md ("Round 4") has each use's tier and speed.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { inspect, jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agreesOnceCompiled, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
type Fn = (...a: any[]) => any;
const COUNT = 2000;

const agrees = agreesOnceCompiled;

const number = (r: Random): unknown => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.1, 1e21, -1e-7, 2 ** 31, 2 ** 53 + 2, 5e-324, 1234.5678, 1023, 1024, 1e15, Math.floor(r() * 1e9) - 5e8, r() * 1e6, "12.5", "abc", null, undefined, 12n]);
const numbers = generate(501, COUNT, number);

describe("formatters", () => {
  it("pretty-bytes, bytes and filesize: specialized on their options, and tiered", async () => {
    const prettyBytes = (await import("pretty-bytes")).default as unknown as Fn;
    const options = { bits: true, maximumFractionDigits: 1, space: false };
    agrees("jit(prettyBytes, { specialize: { options } })", (n) => prettyBytes(n, options), () => { const f = jit(prettyBytes, { specialize: { options } }); return { fn: f, run: (n) => f(n, options) }; }, numbers, [options]);
    agrees("jit(prettyBytes) (tiering)", (n) => prettyBytes(n), () => { const f = jit(prettyBytes, { tiering: HOT }); return { fn: f, run: (n) => f(n) }; }, numbers);
    const bytes = require_("bytes") as Fn & { format: Fn; parse: Fn };
    const bopts = { unitSeparator: " ", thousandsSeparator: ",", decimalPlaces: 3 };
    const texts = generate(502, COUNT, (r) => pick(r, [number(r), `${pick(r, ["1", "1.5", "-2", "0", "1e3", "", " 10 "])}${pick(r, ["kb", "MB", "b", "", "tb", "xb", " GB"])}`]));
    agrees("jit(bytes.format, { specialize: { options } })", (n) => bytes.format(n, bopts), () => { const f = jit(bytes.format, { specialize: { options: bopts } }); return { fn: f, run: (n) => f(n, bopts) }; }, numbers, [bopts]);
    agrees("jit(bytes) (tiering), formats and parses", (n) => bytes(n), () => { const f = jit(bytes, { tiering: HOT }); return { fn: f, run: (n) => f(n) }; }, texts);
    const { filesize } = require_("filesize") as { filesize: Fn };
    const fopts = { base: 2, standard: "jedec", round: 1, output: "string" };
    // filesize is `function (arg, { bits, base, … } = {})`: its options are specialized by position.
    agrees("jit(filesize, { specialize: { 1: options } })", (n) => filesize(n, fopts), () => { const f = jit(filesize, { specialize: { 1: fopts } }); return { fn: f, run: (n) => f(n, fopts) }; }, numbers, [fopts]);
    agrees("jit(filesize) (tiering)", (n) => filesize(n), () => { const f = jit(filesize, { tiering: HOT }); return { fn: f, run: (n) => f(n) }; }, numbers);
  });
  it("ms and humanize-duration: tiered, specialized on options, a humanizer's closure", () => {
    const ms = require_("ms") as Fn;
    const texts = generate(503, COUNT, (r) => pick(r, [number(r), `${pick(r, ["1", "1.5", "-2", ".5", "100", ""])}${pick(r, ["", " ", "  "])}${pick(r, ["d", "days", "h", "hrs", "m", "s", "ms", "y", "w", "weeks", "x", "Min"])}`, "a".repeat(101)]));
    const long = { long: true };
    agrees("jit(ms) (tiering), parses and formats, throws on others", (t) => ms(t), () => { const f = jit(ms, { tiering: HOT }); return { fn: f, run: (t) => f(t) }; }, texts);
    agrees("jit(ms, { specialize: { options: { long: true } } })", (t) => ms(t, long), () => { const f = jit(ms, { specialize: { options: long } }); return { fn: f, run: (t) => f(t, long) }; }, texts, [long]);
    const humanize = require_("humanize-duration") as Fn & { humanizer: Fn };
    const hopts = { largest: 2, round: true, units: ["y", "mo", "d", "h", "m", "s"], language: "de", conjunction: " und " };
    // The default humanizer is `function humanizer(ms, humanizerOptions)`.
    agrees("jit(humanizeDuration, { specialize: { humanizerOptions } })", (n) => humanize(n, hopts), () => { const f = jit(humanize, { specialize: { humanizerOptions: hopts } }); return { fn: f, run: (n) => f(n, hopts) }; }, numbers, [hopts]);
    const short = humanize.humanizer({ language: "en", spacer: "", delimiter: " ", maxDecimalPoints: 2 });
    agrees("jit(humanizer(options)) (tiering)", (n) => short(n), () => { const f = jit(short, { tiering: HOT }); return { fn: f, run: (n) => f(n) }; }, numbers);
  });
  it("fast-printf and fecha: specialized on their format string, and tiered", () => {
    const { printf } = require_("fast-printf") as { printf: Fn };
    const fmt = "%s|%d|%05.2f|%x|%-6s|%+i|%%|%e|%2$s";
    const args = generate(504, COUNT, (r) => [number(r), number(r), number(r), number(r), pick(r, ["x", "", "😀", 5, null]), number(r), number(r)]);
    agrees("jit(printf, { specialize: { subject: fmt } })", (a) => printf(fmt, ...a), () => { const f = jit(printf, { specialize: { subject: fmt } }); return { fn: f, run: (a) => f(fmt, ...a) }; }, args);
    agrees("jit(printf) (tiering)", (a) => printf(fmt, ...a), () => { const f = jit(printf, { tiering: HOT }); return { fn: f, run: (a) => f(fmt, ...a) }; }, args);
    const fecha = require_("fecha") as { format: Fn; parse: Fn };
    const mask = "YYYY-MM-DD HH:mm:ss.SSS A ddd MMMM Do [at] ZZ";
    const dates = generate(505, COUNT, (r) => pick(r, [new Date(Math.floor(r() * 4e12) - 1e12), new Date(0), new Date(-1), 1e12, "2020", null, new Date(8.64e15)]));
    agrees("jit(fecha.format, { specialize: { mask } })", (d) => fecha.format(d, mask), () => { const f = jit(fecha.format, { specialize: { mask } }); return { fn: f, run: (d) => f(d, mask) }; }, dates);
    const strings = generate(506, COUNT, (r) => `${pick(r, ["2020", "1999", "0000", "99", "x"])}-${pick(r, ["01", "12", "13", "1", "00"])}-${pick(r, ["01", "31", "30", "x", "9"])} ${pick(r, ["10:20", "25:00", "00:00", "9:5"])}`);
    agrees("jit(fecha.parse) (tiering)", (s) => fecha.parse(s, "YYYY-MM-DD HH:mm"), () => { const f = jit(fecha.parse, { tiering: HOT }); return { fn: f, run: (s) => f(s, "YYYY-MM-DD HH:mm") }; }, strings);
  });
});

describe("parsers", () => {
  it("json5: parse tiered (a hand-written recursive parser), stringify specialized", () => {
    const JSON5 = require_("json5") as { parse: Fn; stringify: Fn };
    const texts = generate(507, COUNT, (r) => {
      const v = (d: number): string => (d > 2 || r() < 0.4 ? pick(r, ["1", "-0", "0x1F", ".5", "+Infinity", "NaN", "'a\\'b'", '"x"', "null", "true", "1e3", "'\\u0041'", "tru", "01", "'😀'"]) : r() < 0.5 ? `[${Array.from({ length: Math.floor(r() * 3) }, () => v(d + 1)).join(", ")}${pick(r, ["", ","])}]` : `{${Array.from({ length: Math.floor(r() * 3) }, () => `${pick(r, ["a", "'b c'", "$d", "\"e\"", "1"])}: ${v(d + 1)}`).join(", ")}${pick(r, ["", ",", " // c\n", "/* x */"])}}`);
      return v(0);
    });
    agrees("jit(JSON5.parse) (tiering)", (t) => JSON5.parse(t), () => { const f = jit(JSON5.parse, { tiering: HOT }); return { fn: f, run: (t) => f(t) }; }, texts);
    const values = texts.map((t) => { try { return JSON5.parse(t); } catch { return t; } });
    agrees("jit(JSON5.stringify, { specialize: { space: 2 } })", (v) => JSON5.stringify(v, null, 2), () => { const f = jit(JSON5.stringify, { specialize: { space: 2 } }); return { fn: f, run: (v) => f(v, null, 2) }; }, values);
  });
  it("cookie, content-type and querystringify: tiered and specialized", () => {
    const cookie = require_("cookie") as { parseCookie: Fn; stringifySetCookie: Fn };
    const headers = generate(508, COUNT, (r) => Array.from({ length: Math.floor(r() * 5) }, () => `${pick(r, ["a", "b", " sid", "x y", "", "__Host-t"])}${pick(r, ["=", "=", "", "=="])}${pick(r, ["1", "%20x", "%E0%A4%A", "\"q\"", "", "😀"])}`).join(pick(r, ["; ", ";", ", "])));
    const copts = { decode: decodeURIComponent };
    agrees("jit(cookie.parseCookie) (tiering)", (h) => cookie.parseCookie(h), () => { const f = jit(cookie.parseCookie, { tiering: HOT }); return { fn: f, run: (h) => f(h) }; }, headers);
    agrees("jit(cookie.parseCookie, { specialize: { options } }), a throwing decode", (h) => cookie.parseCookie(h, copts), () => { const f = jit(cookie.parseCookie, { specialize: { options: copts } }); return { fn: f, run: (h) => f(h, copts) }; }, headers, [copts]);
    const contentType = require_("content-type") as { parse: Fn; format: Fn };
    const types = generate(509, COUNT, (r) => pick(r, [`${pick(r, ["text/html", "application/json", "TEXT/Plain", "bad", "a/b/c", ""])}${Array.from({ length: Math.floor(r() * 3) }, () => `${pick(r, [";", "; ", " ;"])}${pick(r, ["charset", "q", "Boundary", "x y"])}=${pick(r, ["utf-8", "\"a b\"", "\"a\\\"b\"", "", "ü"])}`).join("")}`, 5, null]));
    agrees("jit(contentType.parse) (tiering)", (t) => contentType.parse(t), () => { const f = jit(contentType.parse, { tiering: HOT }); return { fn: f, run: (t) => f(t) }; }, types);
    const qs = require_("querystringify") as { parse: Fn; stringify: Fn };
    const queries = generate(510, COUNT, (r) => `${pick(r, ["?", "#", ""])}${Array.from({ length: Math.floor(r() * 5) }, () => `${pick(r, ["a", "b", "c%20d", "constructor", "__proto__", "", "%E0"])}${pick(r, ["=", "", "=="])}${pick(r, ["1", "x+y", "%41", "", "%"])}`).join("&")}`);
    agrees("jit(qs.parse) (tiering)", (q) => qs.parse(q), () => { const f = jit(qs.parse, { tiering: HOT }); return { fn: f, run: (q) => f(q) }; }, queries);
    const objects = queries.map((q) => qs.parse(q));
    agrees("jit(qs.stringify, { specialize: { prefix: true } })", (o) => qs.stringify(o, true), () => { const f = jit(qs.stringify, { specialize: { prefix: true } }); return { fn: f, run: (o) => f(o, true) }; }, objects);
  });
});

describe("route matchers", () => {
  const urls = generate(511, COUNT, (r) => `/${Array.from({ length: Math.floor(r() * 5) }, () => pick(r, ["users", "api", "10", "books", "a b", "%20", "", "x.json", "ü", "*", ":id"])).join("/")}${pick(r, ["", "/", "?q=1"])}`);
  it("regexparam, url-pattern and route-parser: parse tiered; a pattern's match on `this` and bound", () => {
    const { parse } = require_("regexparam") as { parse: Fn };
    const patterns = generate(512, COUNT, (r) => `/${Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, ["users", ":id", ":title?", "*", "books", ":a.:b", "x-:y"])).join("/")}`);
    const source = (x: { keys: string[]; pattern: RegExp }) => [x.keys, String(x.pattern)];
    agrees("jit(regexparam.parse) (tiering)", (p) => source(parse(p)), () => { const f = jit(parse, { tiering: HOT }); return { fn: f, run: (p) => source(f(p)) }; }, [...patterns, true as unknown as string]);
    const UrlPattern = require_("url-pattern") as { new (p: string): { match: Fn; stringify: Fn }; prototype: { match: Fn } };
    const pattern = new UrlPattern("/api(/users)(/:id)(/*)");
    agrees("jit(UrlPattern.prototype.match, { specialize: { this: pattern } })", (u) => pattern.match(u), () => { const f = jit(UrlPattern.prototype.match, { specialize: { this: pattern } }); return { fn: f, run: (u) => f.call(pattern, u) }; }, urls, [pattern]);
    agrees("jit(pattern.match.bind(pattern)) (tiering)", (u) => pattern.match(u), () => { const f = jit(pattern.match.bind(pattern), { tiering: HOT }); return { fn: f, run: (u) => f(u) }; }, urls, [pattern]);
    const Route = require_("route-parser") as { new (p: string): { match: Fn; reverse: Fn }; prototype: { match: Fn; reverse: Fn } };
    const route = new Route("/users/:id(/books/*rest)");
    agrees("jit(Route.prototype.match, { specialize: { this: route } })", (u) => route.match(u), () => { const f = jit(Route.prototype.match, { specialize: { this: route } }); return { fn: f, run: (u) => f.call(route, u) }; }, urls, [route]);
    const params = generate(513, COUNT, (r) => ({ id: pick(r, ["1", 2, "", undefined, "a b"]), rest: pick(r, ["x/y", undefined, 0]) }));
    agrees("jit(route.reverse.bind(route)) (tiering)", (p) => route.reverse(p), () => { const f = jit(route.reverse.bind(route), { tiering: HOT }); return { fn: f, run: (p) => f(p) }; }, params, [route]);
  });
  it("rou3: findRoute specialized on its router and tiered, each compiled", async () => {
    const rou3 = (await import("rou3")) as unknown as { createRouter: Fn; addRoute: Fn; findRoute: Fn };
    const router = rou3.createRouter();
    for (const [m, p] of [["GET", "/users/:id"], ["GET", "/users/:id/books/:title"], ["POST", "/api/**"], ["", "/files/**:path"], ["GET", "/api/x.json"], ["GET", "/"]]) rou3.addRoute(router, m, p, { route: p });
    const requests = urls.map((u, i) => [pick(() => (i * 0.618) % 1, ["GET", "POST", "PUT"]), u.split("?")[0]]);
    const plain = (x: any) => (x ? { ...x, params: x.params ? { ...x.params } : x.params } : x);
    // Its route lookups recurse on a segment index that moves and a child they do not know, into a
    // static and a param child at each level (`_lookupTree`, `hasSuffixMatch`, `_findAll`): unfolded
    // level by level that was 2^8 bodies, and the compile ran out of its 1.5 s tiered, 5 s explicit
    // (RESIDUAL_TOO_LARGE). Generalized from the first level, each is one residual version
    // (residual-versions.ts; docs/notes/recursion-generalization.md). The compiles take 0.5-1.8 s of
    // CPU; their time limits are raised so that a loaded machine (load 13-15 in the full suite) does
    // not cut them: test/compiler/specialize/residual-versions.test.ts bounds the size itself.
    const explicit = agrees("jit(findRoute, { specialize: { ctx: router } })", ([m, p]) => plain(rou3.findRoute(router, m, p)), () => { const f = jit(rou3.findRoute, { specialize: { ctx: router }, maxCompileMs: 30000 }); return { fn: f, run: ([m, p]) => plain(f(router, m, p)) }; }, requests, [router]);
    expect(inspect(explicit)!.tier, inspect(explicit)!.fallbackReason).toBe(1);
    const tiered = agrees("jit(findRoute) (tiering)", ([m, p]) => plain(rou3.findRoute(router, m, p)), () => { const f = jit(rou3.findRoute, { tiering: HOT, maxCompileMs: 30000 }); return { fn: f, run: ([m, p]) => plain(f(router, m, p)) }; }, requests, [router]);
    expect(inspect(tiered)!.tier, inspect(tiered)!.fallbackReason).toBe(1);
  });
});

describe("colours and complex numbers", () => {
  const colours = generate(514, COUNT, (r) => pick(r, [`#${Array.from({ length: pick(r, [3, 4, 6, 8, 5]) }, () => pick(r, ["0", "f", "a", "9", "G"])).join("")}`, `rgb(${pick(r, ["1, 2, 3", "10%, 20%, 30%", "1 2 3 / 0.5", "300,0,0", "a,b,c"])})`, `hsla(${pick(r, ["120, 50%, 50%, 0.3", "1turn 10% 10%", "-30deg, 0%, 100%"])})`, pick(r, ["red", "transparent", "RebeccaPurple", "nope", ""])]));
  it("color-string: get and its parsers tiered", async () => {
    const cs = (await import("color-string")).default as unknown as { get: Fn & { rgb: Fn; hsl: Fn }; to: { hex: Fn; rgb: Fn } };
    agrees("jit(colorString.get) (tiering)", (c) => cs.get(c), () => { const f = jit(cs.get, { tiering: HOT }); return { fn: f, run: (c) => f(c) }; }, colours);
    agrees("jit(colorString.get.rgb) (tiering)", (c) => cs.get.rgb(c), () => { const f = jit(cs.get.rgb, { tiering: HOT }); return { fn: f, run: (c) => f(c) }; }, colours);
    const rgbs = generate(515, COUNT, (r) => [number(r), Math.floor(r() * 256), Math.floor(r() * 300), pick(r, [undefined, 0.5, 1, 2, NaN])]);
    agrees("jit(colorString.to.hex) (tiering)", (a) => cs.to.hex(...a), () => { const f = jit(cs.to.hex, { tiering: HOT }); return { fn: f, run: (a) => f(...a) }; }, rgbs);
  });
  it("colord: methods on `this`, bound and tiered", async () => {
    const { colord, Colord } = (await import("colord")) as unknown as { colord: Fn; Colord: { prototype: Record<string, Fn> } };
    const c = colord("#3e8ed0");
    agrees("jit(Colord.prototype.lighten, { specialize: { this: c } })", (x) => [c.lighten(x).toHex(), c.rgba], () => { const f = jit(Colord.prototype.lighten!, { specialize: { this: c } }); return { fn: f, run: (x) => [f.call(c, x).toHex(), c.rgba] }; }, numbers, [c]);
    agrees("jit(colord) (tiering), parse then toHslString", (s) => colord(s).toHslString(), () => { const f = jit(colord, { tiering: HOT }); return { fn: f, run: (s) => f(s).toHslString() }; }, colours);
    const parsed = colours.map((s) => colord(s));
    agrees("jit(Colord.prototype.toHex) (tiering), on many colours", (i) => parsed[i].toHex(), () => { const f = jit(Colord.prototype.toHex!, { tiering: HOT }); return { fn: f, run: (i) => f.call(parsed[i]) }; }, colours.map((_, i) => i));
  });
  it("complex.js: arithmetic methods on `this`, bound and tiered", async () => {
    const Complex = (await import("complex.js")).default as unknown as { new (a: unknown, b?: unknown): Record<string, Fn>; prototype: Record<string, Fn> };
    const z = new Complex(1.5, -2);
    const plain = (w: any) => [w.re, w.im];
    const operands = generate(516, COUNT, (r) => pick(r, [number(r), `${pick(r, ["1", "-2.5", "i", "", "3e2"])}${pick(r, ["+", "-", ""])}${pick(r, ["2i", "i", "x", ""])}`, { re: number(r), im: number(r) }, [number(r), number(r)], { abs: 2, arg: number(r) }]));
    agrees("jit(Complex.prototype.mul, { specialize: { this: z } })", (o) => plain(z.mul!(o)), () => { const f = jit(Complex.prototype.mul!, { specialize: { this: z } }); return { fn: f, run: (o) => plain(f.call(z, o)) }; }, operands, [z]);
    agrees("jit(z.pow.bind(z)) (tiering)", (o) => plain(z.pow!(o)), () => { const f = jit(z.pow!.bind(z), { tiering: HOT }); return { fn: f, run: (o) => plain(f(o)) }; }, operands, [z]);
    const pairs = generate(517, COUNT, (r) => [pick(r, operands), pick(r, operands)]);
    agrees("jit(Complex.prototype.div) (tiering), on fresh numbers", ([a, b]) => plain(new Complex(a).div(b)), () => { const f = jit(Complex.prototype.div!, { tiering: HOT }); return { fn: f, run: ([a, b]) => plain(f.call(new Complex(a), b)) }; }, pairs);
  });
});
