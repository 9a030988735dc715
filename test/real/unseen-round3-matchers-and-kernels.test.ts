/**
 * Round 3 of kos on npm code it had not seen (2026-12-07): glob matchers (minimatch 11.0,
 * micromatch 4.0, wildcard-match 5.1), parsers (csv-parse 7.0's sync parser, smol-toml 1.9,
 * fast-querystring 1.1, mri 1.2, dot-prop 10.2's paths), string kernels (string-natural-compare
 * 3.0, compare-versions 6.1) and numeric kernels (ndarray 1.1 with ndarray-ops 1.2's generated
 * loops, simplex-noise 4.0, stats-lite 2.2, victor 1.1), each through its natural `jit()` uses:
 * specialized on its pattern, options or range, tiered, a method on `this` or bound, and the
 * closure the library compiled. 2,000 seeded inputs per use, some of which make the library throw,
 * twice over (the second pass runs what tiering compiled). docs/notes/unseen-libraries.md
 * ("Round 3") has each use's tier and speed.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { inspect, jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agrees as agreesOnce, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
type Fn = (...a: any[]) => any;
const COUNT = 2000;

/** `agrees`, and with UNSEEN_STATUS set, prints where the use ended (for the notes' table). */
const agrees: typeof agreesOnce = (label, ...rest) => {
  const fn = agreesOnce(label, ...rest);
  const s = process.env.UNSEEN_STATUS ? inspect(fn) : null;
  if (s) console.log(`STATUS ${label} | ${s.tier} | ${s.fallbackReason ?? ""} | deopts ${s.deopts} | ${s.history.map((h) => h.event + (h.detail ? ":" + h.detail.slice(0, 80) : "")).join(", ")}`);
  return fn;
};

const path = (r: Random): string => Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, ["a", "b", "src", "lib", "x.js", "y.ts", ".hidden", "node_modules", "a b", "ü.js", "", "..", "c.min.js", "[x].js", "*", "README.md"])).join(pick(r, ["/", "/", "/", "\\"]));
const number = (r: Random): unknown => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.1, 1e21, -1e-7, 2 ** 31, 2 ** 53 + 2, 5e-324, 1234.5678, Math.floor(r() * 1e6) - 5e5, r() * 100, "12.5", "abc", null, undefined]);

describe("glob matchers", () => {
  const paths = generate(201, COUNT, path);
  it("minimatch: specialized on its pattern and options, a Minimatch's match on `this` and bound", async () => {
    const { minimatch, Minimatch } = (await import("minimatch")) as unknown as { minimatch: Fn; Minimatch: { new (p: string, o?: object): { match: Fn }; prototype: { match: Fn } } };
    const pattern = "{src,lib}/**/!(*.min).{js,ts}", options = { dot: true, nocase: true };
    agrees("jit(minimatch, { specialize: { pattern, options } })", (p) => minimatch(p, pattern, options), () => { const f = jit(minimatch, { specialize: { pattern, options } }); return { fn: f, run: (p) => f(p, pattern, options) }; }, paths, [options]);
    const patterns = ["**/*.js", "a/*", "!**/node_modules/**", "src/**/[xy].?s", "*", "#comment", "**/.hidden", "a/**/b/../x.js"];
    const pairs = generate(202, COUNT, (r) => [path(r), pick(r, patterns), pick(r, [undefined, { dot: true }, { matchBase: true }, { nocomment: true }])]);
    agrees("jit(minimatch) (tiering), several patterns", ([p, q, o]) => minimatch(p, q, o), () => { const f = jit(minimatch, { tiering: HOT }); return { fn: f, run: ([p, q, o]) => f(p, q, o) }; }, [...pairs, ["a", 5], ["a", null]]);
    const mm = new Minimatch(pattern, options);
    agrees("jit(Minimatch.prototype.match, { specialize: { this: mm } })", (p) => mm.match(p), () => { const f = jit(Minimatch.prototype.match, { specialize: { this: mm } }); return { fn: f, run: (p) => f.call(mm, p) }; }, paths, [mm]);
    agrees("jit(mm.match.bind(mm)) (tiering)", (p) => mm.match(p), () => { const f = jit(mm.match.bind(mm), { tiering: HOT }); return { fn: f, run: (p) => f(p) }; }, paths, [mm]);
  });
  it("micromatch and wildcard-match: isMatch specialized and tiered, their compiled matchers tiered", () => {
    const micromatch = require_("micromatch") as { isMatch: Fn; matcher: Fn };
    const patterns = ["**/*.{js,ts}", "!**/node_modules/**"], options = { dot: true };
    agrees("jit(micromatch.isMatch, { specialize: { patterns, options } })", (p) => micromatch.isMatch(p, patterns, options), () => { const f = jit(micromatch.isMatch, { specialize: { patterns, options } }); return { fn: f, run: (p) => f(p, patterns, options) }; }, paths, [patterns, options]);
    agrees("jit(micromatch.isMatch) (tiering), which throws on a non-string", (p) => micromatch.isMatch(p, "src/**/*.js"), () => { const f = jit(micromatch.isMatch, { tiering: HOT }); return { fn: f, run: (p) => f(p, "src/**/*.js") }; }, [...paths, 5, null, ""]);
    const isMatch = micromatch.matcher("{a,src}/**/*.@(js|ts)") as Fn;
    agrees("jit(micromatch.matcher(pattern)) (tiering)", (p) => isMatch(p), () => { const f = jit(isMatch, { tiering: HOT }); return { fn: f, run: (p) => f(p) }; }, paths);
    const wcm = require_("wildcard-match") as Fn;
    const wild = wcm(["src/**/*.js", "a/?/*"], "/") as Fn;
    agrees("jit(wildcardMatch(patterns, '/')) (tiering)", (p) => wild(p), () => { const f = jit(wild, { tiering: HOT }); return { fn: f, run: (p) => f(p) }; }, [...paths, 5, null]);
    agrees("jit(wildcardMatch) (tiering), which throws on a bad pattern", (p) => wcm(p, { separator: "/" })("src/a.js"), () => { const f = jit(wcm, { tiering: HOT }); return { fn: f, run: (p) => f(p, { separator: "/" })("src/a.js") }; }, [...paths, 5, null, ["a", "b"]]);
  });
});

describe("parsers", () => {
  it("csv-parse's sync parse, specialized on its options and tiered; smol-toml tiered", async () => {
    const { parse } = require_("csv-parse/sync") as { parse: Fn };
    const csv = generate(203, COUNT, (r) => Array.from({ length: 1 + Math.floor(r() * 4) }, () => Array.from({ length: 3 }, () => pick(r, ["1", "-0", "x", "\"q,\"\"w\"", "", " 2.5 ", "NaN", "1e400", "é😀", "\"open"])).join(pick(r, [",", ",", ";"]))).join(pick(r, ["\n", "\r\n"])));
    const opts = { columns: ["a", "b", "c"], cast: true, skip_empty_lines: true, trim: true, relax_column_count: true };
    agrees("jit(parse, { specialize: { opts } }), csv-parse", (s) => parse(s, opts), () => { const f = jit(parse, { specialize: { opts } }); return { fn: f, run: (s) => f(s, opts) }; }, csv, [opts]);
    agrees("jit(parse) (tiering), csv-parse", (s) => parse(s), () => { const f = jit(parse, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, csv);
    const toml = (await import("smol-toml")) as unknown as { parse: Fn; stringify: Fn };
    const tomlTexts = generate(204, COUNT, (r) => Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, ["a = 1", "b = \"x\\u00e9\"", "[t]", "c = [1, 2.5, -0.0]", "d = 1979-05-27T07:32:00Z", "e = { x = true }", "f = nan", "g = 0x1F", "h = 'lit'", "= bad", "[[arr]]", "i = 1_000", "j = \"\"\"multi\nline\"\"\"", "k = inf", "a = 2"])).join("\n"));
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : Object.is(x, -0) ? "-0" : x)));
    agrees("jit(toml.parse) (tiering), which throws on bad TOML", (s) => plain(toml.parse(s)), () => { const f = jit(toml.parse, { tiering: HOT }); return { fn: f, run: (s) => plain(f(s)) }; }, tomlTexts);
    const tomlValues = tomlTexts.map((t) => { try { return toml.parse(t); } catch { return { bad: [1, "x"] }; } });
    agrees("jit(toml.stringify) (tiering)", (i) => toml.stringify(tomlValues[i]), () => { const f = jit(toml.stringify, { tiering: HOT }); return { fn: f, run: (i) => f(tomlValues[i]) }; }, tomlValues.map((_v, i) => i));
  });
  it("fast-querystring, mri and dot-prop", async () => {
    const qs = require_("fast-querystring") as { parse: Fn; stringify: Fn };
    const queries = generate(205, COUNT, (r) => Array.from({ length: Math.floor(r() * 5) }, () => pick(r, ["a=1", "b=%20x", "a=2", "c", "=v", "d=%E2%82%AC", "e=%zz", "f=a+b", "__proto__=1", "g=%F0%9F%98%80", ""])).join(pick(r, ["&", "&", ";"])));
    const plain = (o: object) => ({ ...o });
    agrees("jit(qs.parse) (tiering), fast-querystring", (s) => plain(qs.parse(s)), () => { const f = jit(qs.parse, { tiering: HOT }); return { fn: f, run: (s) => plain(f(s)) }; }, queries);
    const objects = queries.map((s) => plain(qs.parse(s)));
    agrees("jit(qs.stringify) (tiering), fast-querystring", (o) => qs.stringify(o), () => { const f = jit(qs.stringify, { tiering: HOT }); return { fn: f, run: (o) => f(o) }; }, [...objects, { a: [1, -0, NaN], b: true, c: null, d: "😀\ud800" }]);
    const mri = require_("mri") as Fn;
    const argvs = generate(206, COUNT, (r) => Array.from({ length: Math.floor(r() * 6) }, () => pick(r, ["--foo", "-xy", "3", "--no-bar", "a", "--n=5", "-n", "--", "--name", "Bob", "-abc", "--=x", "-", "--num=-0", "1e3"])));
    const opts = { alias: { x: "ex", n: ["num", "count"] }, boolean: ["bar", "y"], string: ["name"], default: { bar: true, name: "anon" } };
    agrees("jit(mri, { specialize: { opts } })", (a) => mri(a, opts), () => { const f = jit(mri, { specialize: { opts } }); return { fn: f, run: (a) => f(a, opts) }; }, argvs, [opts]);
    agrees("jit(mri) (tiering)", (a) => mri(a, opts), () => { const f = jit(mri, { tiering: HOT }); return { fn: f, run: (a) => f(a, opts) }; }, argvs, [opts]);
    const { getProperty, setProperty, deleteProperty } = (await import("dot-prop")) as unknown as Record<string, Fn>;
    const docs = generate(207, COUNT, (r) => ({ a: pick(r, [{ b: { c: number(r) } }, { b: [1, { c: 2 }] }, null, 5, { "b.c": 1 }]), x: number(r) }));
    const dotted = "a.b.c";
    agrees("jit(getProperty, { specialize: { path } }), dot-prop", (o) => getProperty(o, dotted, "dflt"), () => { const f = jit(getProperty!, { specialize: { path: dotted } }); return { fn: f, run: (o) => f(o, dotted, "dflt") }; }, docs);
    const paths = ["a.b.c", "a.b[1].c", "a\\.b", "x", "a.b.0", "a..b", "__proto__.x", "a.constructor.prototype"];
    const withPath = generate(208, COUNT, (r) => [{ a: pick(r, [{ b: { c: 1 } }, { b: [1, { c: 2 }] }, null, 5]) }, pick(r, paths), number(r)]);
    agrees("jit(setProperty) (tiering), dot-prop, which throws on a disallowed key", ([o, p, v]) => [setProperty(o, p, v), o], () => { const f = jit(setProperty!, { tiering: HOT }); return { fn: f, run: ([o, p, v]) => [f(o, p, v), o] }; }, withPath);
    agrees("jit(deleteProperty) (tiering), dot-prop", ([o, p]) => [deleteProperty(o, p), o], () => { const f = jit(deleteProperty!, { tiering: HOT }); return { fn: f, run: ([o, p]) => [f(o, p), o] }; }, withPath);
  });
});

describe("string kernels", () => {
  it("string-natural-compare, specialized on its options, tiered and as a sort comparator; compare-versions", async () => {
    const naturalCompare = require_("string-natural-compare") as Fn;
    const word = (r: Random) => Array.from({ length: Math.floor(r() * 5) }, () => pick(r, ["a", "B", "10", "9", "009", " ", "é", "z", "1.5", "-", "😀"])).join("");
    const pairs = generate(209, COUNT, (r) => [r() < 0.02 ? pick(r, [5, null]) : word(r), word(r)]);
    const opts = { caseInsensitive: true, alphabet: "zyxwvutsrqponmlkjihgfedcba0123456789" };
    agrees("jit(naturalCompare, { specialize: { opts } })", ([a, b]) => naturalCompare(a, b, opts), () => { const f = jit(naturalCompare, { specialize: { opts } }); return { fn: f, run: ([a, b]) => f(a, b, opts) }; }, pairs, [opts]);
    agrees("jit(naturalCompare) (tiering), which throws on a non-string", ([a, b]) => naturalCompare(a, b), () => { const f = jit(naturalCompare, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, pairs);
    const lists = generate(210, COUNT, (r) => Array.from({ length: Math.floor(r() * 12) }, () => word(r)));
    agrees("array.sort(jit(naturalCompare)) (tiering)", (l) => l.slice().sort(naturalCompare), () => { const f = jit(naturalCompare, { tiering: HOT }); return { fn: f, run: (l) => l.slice().sort(f) }; }, lists);
    const cv = (await import("compare-versions")) as unknown as Record<string, Fn>;
    const version = (r: Random) => pick(r, ["1.2.3", "1.2", "v1.2.3-beta.1", "1.2.3-alpha", "10.0.0", "1.02.3", "x", "", "1.2.3.4", "1.*", "2.0.0-rc.1+build", "1.2.3-beta.11"]);
    const vpairs = generate(211, COUNT, (r) => [version(r), version(r)]);
    agrees("jit(compareVersions) (tiering), which throws on a bad version", ([a, b]) => cv.compareVersions!(a, b), () => { const f = jit(cv.compareVersions!, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, vpairs);
    const range = ">=1.2.0 <2.0.0 || ^10.0.0";
    agrees("jit(satisfies, { specialize: { range } }), compare-versions", ([a]) => cv.satisfies!(a, range), () => { const f = jit(cv.satisfies!, { specialize: { range } }); return { fn: f, run: ([a]) => f(a, range) }; }, vpairs);
    agrees("jit(satisfies) (tiering), compare-versions", ([a, b]) => cv.satisfies!(a, "^" + b), () => { const f = jit(cv.satisfies!, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, "^" + b) }; }, vpairs);
  });
});

describe("numeric kernels", () => {
  const numbers = (r: Random, n = 12) => Array.from({ length: Math.floor(r() * n) }, () => pick(r, [r() * 100 - 50, Math.floor(r() * 10), -0, 0, NaN, Infinity, 1e308, 5e-324, "3", null]));
  it("ndarray-ops' generated loops tiered, an ndarray's get bound and on `this`", () => {
    const ndarray = require_("ndarray") as Fn;
    const ops = require_("ndarray-ops") as Record<string, Fn>;
    const grids = generate(212, COUNT, (r) => { const w = 1 + Math.floor(r() * 4), h = 1 + Math.floor(r() * 4); return [w, h, Array.from({ length: w * h }, () => pick(r, [r() * 10, -0, NaN, 2, -3])), Array.from({ length: w * h }, () => pick(r, [r() * 10, 0, 1, Infinity]))]; });
    const make = (w: number, h: number, d: number[]) => ndarray(Float64Array.from(d), [w, h]);
    const out = (a: { data: Float64Array }) => Array.from(a.data);
    for (const name of ["addeq", "muleq", "maxeq", "sum", "sup", "norm2", "argmin", "any", "equals"]) {
      const call = (f: Fn, [w, h, d, e]: [number, number, number[], number[]]) => { const a = make(w, h, d), b = make(w, h, e); const v = name.endsWith("eq") ? f(a, b) : f(a, ...(name === "equals" ? [b] : [])); return [name.endsWith("eq") ? out(v) : v, out(a)]; };
      agrees(`jit(ops.${name}) (tiering)`, (g) => call(ops[name]!, g), () => { const f = jit(ops[name]!, { tiering: HOT }); return { fn: f, run: (g) => call(f, g) }; }, grids);
    }
    const a = make(3, 3, [1, 2, 3, 4, -0, NaN, 7, 8, 9]);
    const ij = generate(213, COUNT, (r) => [pick(r, [0, 1, 2, 3, -1]), pick(r, [0, 1, 2, 5])]);
    agrees("jit(a.get.bind(a)) (tiering), ndarray", ([i, j]) => a.get(i, j), () => { const f = jit(a.get.bind(a), { tiering: HOT }); return { fn: f, run: ([i, j]) => f(i, j) }; }, ij, [a]);
    agrees("jit(proto.get, { specialize: { this: a } }), ndarray", ([i, j]) => a.get(i, j), () => { const f = jit(Object.getPrototypeOf(a).get, { specialize: { this: a } }); return { fn: f, run: ([i, j]) => f.call(a, i, j) }; }, ij, [a]);
  });
  it("simplex-noise's noise closure tiered, stats-lite specialized and tiered, victor's methods", () => {
    const { createNoise2D, createNoise3D } = require_("simplex-noise") as Record<string, Fn>;
    const lcg = () => { let k = 7; return () => (k = (k * 1103515245 + 12345) >>> 0) / 4294967296; };
    const noise2D = createNoise2D!(lcg()), noise3D = createNoise3D!(lcg());
    const xyz = generate(214, COUNT, (r) => [pick(r, [r() * 100 - 50, 0, -0, NaN, 1e9, 0.5]), r() * 20, pick(r, [r(), -1e-9, 3])]);
    agrees("jit(createNoise2D(random)) (tiering)", ([x, y]) => noise2D(x, y), () => { const f = jit(noise2D, { tiering: HOT }); return { fn: f, run: ([x, y]) => f(x, y) }; }, xyz);
    agrees("jit(createNoise3D(random)) (tiering)", ([x, y, z]) => noise3D(x, y, z), () => { const f = jit(noise3D, { tiering: HOT }); return { fn: f, run: ([x, y, z]) => f(x, y, z) }; }, xyz);
    agrees("jit(createNoise2D) (tiering), a fresh noise each call", ([x, y]) => createNoise2D!(lcg())(x, y), () => { const f = jit(createNoise2D!, { tiering: HOT }); return { fn: f, run: ([x, y]) => f(lcg())(x, y) }; }, xyz.slice(0, 300));
    const stats = require_("stats-lite") as Record<string, Fn>;
    const samples = generate(215, COUNT, (r) => numbers(r));
    agrees("jit(stats.percentile, { specialize: { ptile: 0.9 } })", (s) => stats.percentile!(s, 0.9), () => { const f = jit(stats.percentile!, { specialize: { ptile: 0.9 } }); return { fn: f, run: (s) => f(s, 0.9) }; }, samples);
    // (histogram loops forever on a range of 5e-324, or one that overflows: it gets finite, wider ones.)
    const histogramSamples = samples.map((s) => s.filter((x) => x !== 5e-324 && x !== 1e308 && x !== Infinity));
    for (const name of ["mean", "median", "mode", "stdev", "sampleStdev", "histogram"]) {
      agrees(`jit(stats.${name}) (tiering)`, (s) => { const v = stats[name]!(s); return v instanceof Set ? [...v] : v; }, () => { const f = jit(stats[name]!, { tiering: HOT }); return { fn: f, run: (s) => { const v = f(s); return v instanceof Set ? [...v] : v; } }; }, name === "histogram" ? histogramSamples : samples);
    }
    const Victor = require_("victor") as { new (x: number, y: number): Record<string, Fn> & { x: number; y: number }; prototype: Record<string, Fn> };
    const vectors = generate(216, COUNT, (r) => [number(r), number(r), r() * 7 - 3]);
    const xy = (v: { x: number; y: number }) => [v.x, v.y];
    for (const [name, args] of [["normalize", []], ["rotate", [0.5]], ["limit", [3, 0.5]], ["add", [[1, -0]]], ["unfloat", []]] as const) {
      const call = (f: Fn, [x, y]: [number, number]) => { const v = new Victor(x, y); const rest = args.map((a) => (Array.isArray(a) ? new Victor(a[0], a[1]) : a)); return xy(f.apply(v, rest)); };
      agrees(`jit(Victor.prototype.${name}) (tiering)`, (p) => call(Victor.prototype[name]!, p), () => { const f = jit(Victor.prototype[name]!, { tiering: HOT }); return { fn: f, run: (p) => call(f, p) }; }, vectors);
    }
    const origin = new Victor(3, -4);
    agrees("jit(Victor.prototype.distance, { specialize: { this: origin } })", ([x, y]) => origin.distance(new Victor(x, y)), () => { const f = jit(Victor.prototype.distance!, { specialize: { this: origin } }); return { fn: f, run: ([x, y]) => f.call(origin, new Victor(x, y)) }; }, vectors, [origin]);
    agrees("jit(origin.angle.bind(origin)) after a rotate of origin each call", ([, , t]) => { const o = new Victor(3, -4); o.rotate(t); return o.angle(); }, () => { const o = new Victor(3, -4); const f = jit(o.angle.bind(o), { tiering: HOT }); return { fn: f, run: ([, , t]) => { o.x = 3; o.y = -4; o.rotate(t); return f(); } }; }, vectors);
  });
});

describe("what the uses reached (stable ones only)", () => {
  it("a method calling a private method runs as the original, and says so", async () => {
    const { Minimatch } = (await import("minimatch")) as unknown as { Minimatch: { new (p: string): { match: Fn }; prototype: { match: Fn } } };
    const mm = new Minimatch("**/*.js");
    const f = jit(Minimatch.prototype.match, { specialize: { this: mm } });
    expect(f.call(mm, "a/b.js")).toBe(true);
    expect(inspect(f)!.fallbackReason).toMatch(/^USES_PRIVATE_NAME: the function calls a private method \(#cachedSplit\)/);
  });
  it("the closure micromatch compiled tiers up", () => {
    const micromatch = require_("micromatch") as { matcher: Fn };
    const isMatch = micromatch.matcher("**/*.js") as Fn;
    const f = jit(isMatch, { tiering: HOT });
    for (let i = 0; i < 500; i++) expect(f(`a/${i}.js`)).toBe(true);
    expect(inspect(f)!.tier).toBe(1);
  });
});
