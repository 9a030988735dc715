/**
 * Object utilities, codecs and text libraries from npm that kos had not been tried on, through
 * their natural `jit()` uses (tested 2026-12-07: deep-equal 2.2, object-hash 3.0, fast-json-patch
 * 3.1, deepmerge 4.3, rfdc 1.4, flatted 3.4, @msgpack/msgpack 3.1, lz-string 1.5, punycode 2.3,
 * js-base64 3.9, uuid 14, nanoid 5, entities 9.0, markdown-it 15.0, js-levenshtein 1.1,
 * string-similarity 4.0, camelcase 9.0, change-case 5.4, fuzzysort 4.0): recursive comparers and
 * cloners, encoders on `this` (msgpack's Encoder, markdown-it's instance), ES5 string loops,
 * TypeScript-compiled classes, and functions specialized on their options. Inputs: nested values
 * with -0, NaN, ±Infinity, numbers past 2^53, astral, lone-surrogate and NUL characters, keys like
 * "1" and "__proto__x", and data that makes the library throw (bad patches, truncated MessagePack,
 * bad base64).
 *
 * Every use agreed with the library. Their speed (a scratch script, one process, CPU medians of
 * 9-21 interleaved windows of 40 ms, each use against the library on the same inputs; a loaded
 * machine, so only differences past about 10% mean anything): seedrandom's creation (in
 * unseen-numbers-and-structures) 1.24-1.33x the library's time, the rest 0.72-1.10x, where tiering
 * either kept a version or went back to the original. deep-equal specialized on `{ strict: true }`
 * took 4.6 s to compile (a 70 KB residual, the recursive comparer with every helper inlined) and
 * its version ran 1.84x the library's time until the gain check sent it back to the original.
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

const text = (r: Random): string => {
  let s = "";
  const n = Math.floor(r() * 24);
  for (let i = 0; i < n; i++) s += pick(r, ["a", "Z", "é", "<", ">", "&", "-", "_", " ", "\n", "0", "😀", "\u0000", "\ud800", "ß", "İ", "ü", ".", "xn--", "&amp;", "&#x41;", "foo", "Bar", "XML", "*", "`", "[x](http://a.b)"]);
  return s;
};
const prim = (r: Random): unknown => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53 + 2, 127, 128, 65536, -33, "", "a", "0", "a😀", "\ud800", null, undefined, true, false]);
const value = (r: Random, depth = 0): unknown => {
  const k = r();
  if (depth > 2 || k < 0.5) return prim(r);
  if (k < 0.75) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 4);
  for (let i = 0; i < n; i++) o[pick(r, ["a", "b", "c", "1", "__proto__x"])] = value(r, depth + 1);
  return o;
};

describe("comparers, hashes, patches and clones of nested values", () => {
  it("deep-equal and object-hash, tiered and specialized on their options", () => {
    const deepEqual = require_("deep-equal") as Fn;
    const hash = require_("object-hash") as Fn;
    const pairs = generate(1, COUNT, (r) => { const a = value(r); return [a, r() < 0.4 ? structuredClone(a) : value(r)]; });
    const opts = { strict: true };
    agrees("jit(deepEqual, { specialize: { opts } })", ([a, b]) => deepEqual(a, b, opts), () => { const f = jit(deepEqual, { specialize: { opts } }); return { fn: f, run: ([a, b]) => f(a, b, opts) }; }, pairs, [opts]);
    const values = generate(2, COUNT, (r) => value(r));
    agrees("jit(hash) (tiering)", (o) => hash(o), () => { const f = jit(hash, { tiering: HOT }); return { fn: f, run: (o) => f(o) }; }, values);
    const options = { algorithm: "md5", unorderedArrays: true };
    agrees("jit(hash, { specialize: { options } })", (o) => hash(o, options), () => { const f = jit(hash, { specialize: { options } }); return { fn: f, run: (o) => f(o, options) }; }, values, [options]);
  });
  it("fast-json-patch, deepmerge, rfdc and flatted, tiered (patches that throw leave the document as the library does)", () => {
    const jsonpatch = require_("fast-json-patch") as { applyPatch: Fn; compare: Fn };
    const deepmerge = require_("deepmerge") as Fn;
    const clone = (require_("rfdc") as () => Fn)();
    const flatted = require_("flatted") as { stringify: Fn; parse: Fn };
    const docs = generate(3, COUNT, (r) => ({ doc: { a: value(r), b: [1, 2, 3], c: { d: value(r) } }, ops: [pick(r, [{ op: "add", path: "/c/e", value: value(r) }, { op: "replace", path: "/a", value: 5 }, { op: "remove", path: "/b/1" }, { op: "move", from: "/a", path: "/z" }, { op: "test", path: "/b/0", value: 1 }, { op: "test", path: "/b/0", value: 2 }, { op: "copy", from: "/b", path: "/c/b" }, { op: "remove", path: "/nope/x" }, { op: "bogus", path: "/a" }, { op: "add", path: "/b/-", value: 9 }, { op: "add", path: "/b/7", value: 9 }])] }));
    agrees("jit(jsonpatch.applyPatch) (tiering)", ({ doc, ops }) => jsonpatch.applyPatch(doc, ops).newDocument, () => { const f = jit(jsonpatch.applyPatch, { tiering: HOT }); return { fn: f, run: ({ doc, ops }) => f(doc, ops).newDocument }; }, docs);
    const target = { a: 1, b: [1, 3], c: {} };
    agrees("jit(jsonpatch.compare) (tiering)", ({ doc }) => jsonpatch.compare(doc, target), () => { const f = jit(jsonpatch.compare, { tiering: HOT }); return { fn: f, run: ({ doc }) => f(doc, target) }; }, docs);
    const pairs = generate(4, COUNT, (r) => [value(r) ?? {}, value(r) ?? {}]);
    agrees("jit(deepmerge) (tiering)", ([a, b]) => deepmerge(a, b), () => { const f = jit(deepmerge, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, pairs);
    const values = generate(5, COUNT, (r) => value(r));
    agrees("jit(rfdc()) (tiering)", (o) => clone(o), () => { const f = jit(clone, { tiering: HOT }); return { fn: f, run: (o) => f(o) }; }, values);
    agrees("jit(flatted.stringify) (tiering)", (o) => flatted.stringify(o), () => { const f = jit(flatted.stringify, { tiering: HOT }); return { fn: f, run: (o) => f(o) }; }, values);
    agrees("jit(flatted.parse) (tiering)", (s) => flatted.parse(s), () => { const f = jit(flatted.parse, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...values.map((o) => flatted.stringify(o)), "[", "[{\"a\":\"1\"},\"x\"]", "[{\"a\":\"9\"}]"]);
  });
});

describe("codecs: MessagePack on an encoder's `this`, LZ, punycode, base64, UUIDs", () => {
  it("@msgpack/msgpack: encode/decode tiered, an Encoder's method bound, a Decoder's on `this`, a generator", () => {
    const msgpack = require_("@msgpack/msgpack") as { encode: Fn; decode: Fn; decodeMulti: Fn; Encoder: new () => { encode: Fn }; Decoder: { new (): { decode: Fn }; prototype: { decode: Fn } } };
    const values = generate(6, COUNT, (r) => value(r));
    const packed = values.map((v) => msgpack.encode(v) as Uint8Array);
    agrees("jit(msgpack.encode) (tiering)", (v) => msgpack.encode(v), () => { const f = jit(msgpack.encode, { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values);
    agrees("jit(msgpack.decode) (tiering)", (b) => msgpack.decode(b), () => { const f = jit(msgpack.decode, { tiering: HOT }); return { fn: f, run: (b) => f(b) }; }, [...packed, new Uint8Array([0xc1]), new Uint8Array([0x92, 1]), new Uint8Array(0)]);
    const encoder = new msgpack.Encoder();
    agrees("jit(encoder.encode.bind(encoder)) (tiering)", (v) => encoder.encode(v), () => { const f = jit(encoder.encode.bind(encoder), { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values, [encoder]);
    const decoder = new msgpack.Decoder();
    agrees("jit(Decoder.prototype.decode, { specialize: { this: decoder } })", (b) => decoder.decode(b), () => { const f = jit(msgpack.Decoder.prototype.decode, { specialize: { this: decoder } }); return { fn: f, run: (b) => f.call(decoder, b) }; }, packed, [decoder]);
    const joined = generate(7, COUNT, (r) => { const parts = Array.from({ length: Math.floor(r() * 4) }, () => msgpack.encode(value(r)) as Uint8Array); const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return r() < 0.1 ? out.subarray(0, Math.max(0, out.length - 1)) : out; });
    agrees("jit(msgpack.decodeMulti) (tiering), a generator", (b) => [...msgpack.decodeMulti(b)], () => { const f = jit(msgpack.decodeMulti, { tiering: HOT }); return { fn: f, run: (b) => [...f(b)] }; }, joined);
  });
  it("lz-string, punycode and js-base64 tiered and specialized; uuid and nanoid's customRandom", async () => {
    const LZ = require_("lz-string") as Record<string, Fn>;
    const punycode = require_("punycode/") as Record<string, Fn>;
    const { Base64 } = require_("js-base64") as { Base64: Record<string, Fn> };
    const uuid = (await import("uuid")) as unknown as Record<string, Fn> & { v5: Fn & { URL: string } };
    const { customRandom } = (await import("nanoid")) as unknown as { customRandom: Fn };
    const texts = generate(8, COUNT, text);
    for (const name of ["compressToBase64", "compress", "compressToUTF16", "compressToEncodedURIComponent"]) {
      agrees(`jit(LZ.${name}) (tiering)`, (s) => LZ[name]!(s), () => { const f = jit(LZ[name]!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, texts);
    }
    agrees("jit(LZ.decompressFromBase64) (tiering)", (s) => LZ.decompressFromBase64!(s), () => { const f = jit(LZ.decompressFromBase64!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...texts.map((t) => LZ.compressToBase64!(t)), "", "abc", null, "////"]);
    agrees("jit(punycode.toASCII) (tiering)", (s) => punycode.toASCII!(s), () => { const f = jit(punycode.toASCII!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, texts);
    agrees("jit(punycode.encode) (tiering)", (s) => punycode.encode!(s), () => { const f = jit(punycode.encode!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, texts);
    agrees("jit(punycode.decode) (tiering)", (s) => punycode.decode!(s), () => { const f = jit(punycode.decode!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...texts.map((t) => punycode.encode!(t)), "ü", "abc-", "-9zz", "a-\u0080", "zzzzzzzzzzzz"]);
    agrees("jit(Base64.encode) (tiering)", (s) => Base64.encode!(s), () => { const f = jit(Base64.encode!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, texts);
    agrees("jit(Base64.encode, { specialize: { urlsafe: true } })", (s) => Base64.encode!(s, true), () => { const f = jit(Base64.encode!, { specialize: { urlsafe: true } }); return { fn: f, run: (s) => f(s, true) }; }, texts);
    agrees("jit(Base64.decode) (tiering)", (s) => Base64.decode!(s), () => { const f = jit(Base64.decode!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...texts.map((t) => Base64.encode!(t)), ...texts]);
    const ids = generate(9, COUNT, (r) => pick(r, ["6ba7b810-9dad-11d1-80b4-00c04fd430c8", "not-a-uuid", "", "00000000-0000-0000-0000-000000000000", "FFFFFFFF-FFFF-8FFF-bFFF-FFFFFFFFFFFF", text(r)]));
    agrees("jit(uuid.validate) (tiering)", (s) => uuid.validate!(s), () => { const f = jit(uuid.validate!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, ids);
    agrees("jit(uuid.parse) (tiering), which throws on a bad id", (s) => Array.from(uuid.parse!(s) as Uint8Array), () => { const f = jit(uuid.parse!, { tiering: HOT }); return { fn: f, run: (s) => Array.from(f(s) as Uint8Array) }; }, ids);
    const namespace = uuid.v5.URL;
    agrees("jit(uuid.v5, { specialize: { namespace } })", (s) => uuid.v5(s, namespace), () => { const f = jit(uuid.v5, { specialize: { namespace } }); return { fn: f, run: (s) => f(s, namespace) }; }, texts);
    const lcg = () => { let k = 1; return (n: number) => { const a = new Uint8Array(n); for (let i = 0; i < n; i++) a[i] = (k = (k * 1103515245 + 12345) >>> 0) >>> 24; return a; }; };
    agrees("jit(customRandom) (tiering), with a seeded source", (n) => { const g = customRandom("abc😀def", n, lcg()); return [g(), g(3)]; }, () => { const f = jit(customRandom, { tiering: HOT }); return { fn: f, run: (n) => { const g = f("abc😀def", n, lcg()); return [g(), g(3)]; } }; }, generate(10, COUNT, (r) => pick(r, [1, 5, 21, 0, 64])));
  });
});

describe("text: markdown, entities, distances, case conversion, fuzzy search", () => {
  it("markdown-it: render bound and on `this`, specialized on an instance; entities tiered and specialized", async () => {
    const MarkdownIt = require_("markdown-it") as { new (o?: object): { render: Fn; renderInline: Fn; utils: { escapeHtml: Fn } }; prototype: { render: Fn } };
    const entities = (await import("entities")) as unknown as Record<string, Fn>;
    const md = new MarkdownIt();
    const rich = new MarkdownIt({ linkify: true, typographer: true, html: true });
    const docs = generate(11, COUNT, (r) => Array.from({ length: Math.floor(r() * 6) }, () => pick(r, [text(r), "\n\n", "# h ", "- ", "1. ", "> ", "**b** ", "|a|b|\n|-|-|\n|1|2|\n", "<div>", "http://x.y ", "(c) -- \"q\" "])).join(""));
    agrees("jit(md.render.bind(md)) (tiering)", (s) => md.render(s), () => { const f = jit(md.render.bind(md), { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, docs, [md]);
    agrees("jit(MarkdownIt.prototype.render, { specialize: { this: rich } })", (s) => rich.render(s), () => { const f = jit(MarkdownIt.prototype.render, { specialize: { this: rich } }); return { fn: f, run: (s) => f.call(rich, s) }; }, docs, [rich]);
    agrees("jit(md.renderInline) (tiering), called on md", (s) => md.renderInline(s), () => { const f = jit(md.renderInline, { tiering: HOT }); return { fn: f, run: (s) => f.call(md, s) }; }, docs);
    agrees("jit(md.utils.escapeHtml) (tiering)", (s) => md.utils.escapeHtml(s), () => { const f = jit(md.utils.escapeHtml, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, docs);
    const html = [...docs, "&notin; &notit; &amp &#xFFFFFF; &#0; &#x110000; &#55296;"];
    for (const name of ["decodeHTML", "encodeHTML", "escapeUTF8", "encodeXML"]) {
      agrees(`jit(entities.${name}) (tiering)`, (s) => entities[name]!(s), () => { const f = jit(entities[name]!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, html);
    }
    const options = { level: 1, mode: 2 };
    agrees("jit(entities.decode, { specialize: { options } })", (s) => entities.decode!(s, options), () => { const f = jit(entities.decode!, { specialize: { options } }); return { fn: f, run: (s) => f(s, options) }; }, html, [options]);
  });
  it("js-levenshtein, string-similarity, camelcase, change-case and fuzzysort", async () => {
    const lev = require_("js-levenshtein") as Fn;
    const similarity = require_("string-similarity") as { compareTwoStrings: Fn; findBestMatch: Fn };
    const camelcase = (await import("camelcase")).default as unknown as Fn;
    const changeCase = (await import("change-case")) as unknown as Record<string, Fn>;
    const fuzzysort = (await import("fuzzysort")).default as unknown as { single: Fn; go: Fn };
    const pairs = generate(12, COUNT, (r) => [text(r), text(r)]);
    agrees("jit(lev) (tiering)", ([a, b]) => lev(a, b), () => { const f = jit(lev, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, pairs);
    agrees("jit(similarity.compareTwoStrings) (tiering)", ([a, b]) => similarity.compareTwoStrings(a, b), () => { const f = jit(similarity.compareTwoStrings, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, pairs);
    agrees("jit(similarity.findBestMatch) (tiering), which throws on bad arguments", ([a, b]) => similarity.findBestMatch(a, a === "" ? b : [b, a + b, "x"]), () => { const f = jit(similarity.findBestMatch, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, a === "" ? b : [b, a + b, "x"]) }; }, pairs);
    const texts = pairs.map(([a]) => a as string);
    agrees("jit(camelcase) (tiering)", (s) => camelcase(s), () => { const f = jit(camelcase, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...texts, ["a", "b-c"], 5, null]);
    const options = { pascalCase: true, preserveConsecutiveUppercase: true, locale: false };
    agrees("jit(camelcase, { specialize: { options } })", (s) => camelcase(s, options), () => { const f = jit(camelcase, { specialize: { options } }); return { fn: f, run: (s) => f(s, options) }; }, texts, [options]);
    for (const name of ["camelCase", "snakeCase", "pascalCase", "sentenceCase", "split"]) {
      agrees(`jit(changeCase.${name}) (tiering)`, (s) => changeCase[name]!(s), () => { const f = jit(changeCase[name]!, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, texts);
    }
    const targets = ["alpha beta", "Foo Bar", "xml http request", "😀 emoji", "über", "snake_case_here", ""];
    agrees("jit(fuzzysort.single) (tiering)", (s) => fuzzysort.single(s, "foo bar xml http")?.score ?? null, () => { const f = jit(fuzzysort.single, { tiering: HOT }); return { fn: f, run: (s) => f(s, "foo bar xml http")?.score ?? null }; }, texts);
    agrees("jit(fuzzysort.go) (tiering)", (s) => fuzzysort.go(s, targets).map((x: { target: string; score: number }) => [x.target, x.score]), () => { const f = jit(fuzzysort.go, { tiering: HOT }); return { fn: f, run: (s) => f(s, targets).map((x: { target: string; score: number }) => [x.target, x.score]) }; }, texts);
  });
  it("markdown-it tiered on one instance: options, rules and plugins changed afterwards are seen", () => {
    const MarkdownIt = require_("markdown-it") as new () => { render: Fn; set: Fn; disable: Fn; use: Fn; renderer: { rules: Record<string, Fn> }; core: { ruler: { push: Fn } } };
    const md = new MarkdownIt();
    const reference = new MarkdownIt();
    const f = jit(md.render.bind(md), { tiering: HOT });
    for (let i = 0; i < 200; i++) expect(f(`# hi *x* ${i}`)).toBe(reference.render(`# hi *x* ${i}`));
    expect(inspect(f)!.tier).toBe(1);
    md.set({ breaks: true });
    md.disable("emphasis");
    expect(f("a\nb *x*")).toBe(md.render("a\nb *x*"));
    md.renderer.rules.heading_open = () => "<H>";
    expect(f("# t")).toBe(md.render("# t"));
    md.use((m: typeof md) => m.core.ruler.push("upper", (state: { tokens: Array<{ type: string; children: Array<{ type: string; content: string }> }> }) => {
      for (const t of state.tokens) if (t.type === "inline") for (const c of t.children) if (c.type === "text") c.content = c.content.toUpperCase();
    }));
    expect(f("hello")).toBe("<p>HELLO</p>\n");
  });
});
