/**
 * Codecs, hashes and functional wrappers from npm, through their natural `jit()` uses (tested
 * 2026-12-07: pako 3.0, fflate 0.8, tweetnacl 1.0, js-sha256 1.0, spark-md5 3.0, crc-32 1.2,
 * murmurhash-js 1.0, base64-js 1.5, ieee754 1.2, he 1.2, escape-html 1.0, diff 9.0,
 * fast-levenshtein 3.0, hashids 2.3, bn.js 5.2, fraction.js 5.3, ramda 0.32, and lodash's and
 * underscore's wrappers): typed-array kernels with int32 arithmetic, compressors specialized on
 * their options, numeric codecs on their format constants, methods on `this`, and the
 * `fn.apply(this, arguments)` shells of curried and composed functions, which are sloppy code with
 * a mapped `arguments`. Inputs: random bytes (runs of small values, so that compressors find
 * matches), strings with markup, astral and lone-surrogate characters and NUL, numbers with -0,
 * NaN, ±Infinity and values past 2^53, and malformed compressed data.
 *
 * The speed of these uses (a scratch script, one process, CPU medians of 9 windows of 60 ms,
 * each variant from a call site of its own; a loaded machine, so only differences past about 5%
 * mean anything): ieee754's `write` specialized on (LE, 52, 8) 0.65x the library's time; the rest
 * 0.94-1.05x, tiered ones settled on the original where nothing paid.
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

const bytes = (r: Random): Uint8Array => {
  const n = Math.floor(r() * 160);
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i++) u[i] = r() < 0.5 ? Math.floor(r() * 4) : Math.floor(r() * 256);
  return u;
};
const text = (r: Random): string => {
  let s = "";
  const n = Math.floor(r() * 30);
  for (let i = 0; i < n; i++) s += pick(r, ["a", "Z", "é", "<", ">", "&", "\"", "'", " ", "\n", "0", "😀", "\u0000", "\ud800", "ß", "&amp;", "&#x41;"]);
  return s;
};
const number = (r: Random): number => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.1, 1e21, -1e-7, 2 ** 31, 2 ** 53 + 2, 5e-324, 1.7976931348623157e308, Math.floor(r() * 1e6) - 5e5, r() * 1e6]);

describe("compressors, specialized on their options and tiered", () => {
  const pako = require_("pako") as { deflate: Fn; inflate: Fn };
  const fflate = require_("fflate") as { deflateSync: Fn; inflateSync: Fn; zlibSync: Fn; strToU8: Fn };
  it("pako: deflate at three levels and inflate, including data that is not deflate", () => {
    const inputs = generate(1, COUNT, bytes);
    for (const level of [1, 6, 9]) {
      const options = { level };
      agrees(`jit(pako.deflate, { specialize: { options } }) level ${level}`, (d) => pako.deflate(d, options), () => { const f = jit(pako.deflate, { specialize: { options } }); return { fn: f, run: (d) => f(d, options) }; }, inputs, [options]);
    }
    agrees("jit(pako.deflate) (tiering)", (d) => pako.deflate(d), () => { const f = jit(pako.deflate, { tiering: HOT }); return { fn: f, run: (d) => f(d) }; }, inputs);
    const packed = [...inputs.map((d) => pako.deflate(d)), new Uint8Array([1, 2, 3]), new Uint8Array(0)];
    agrees("jit(pako.inflate) (tiering)", (d) => pako.inflate(d), () => { const f = jit(pako.inflate, { tiering: HOT }); return { fn: f, run: (d) => f(d) }; }, packed);
  });
  it("fflate: zlibSync specialized on its options, deflate/inflate and strToU8 tiered", () => {
    const inputs = generate(2, COUNT, bytes);
    const opts = { level: 9, mem: 8 };
    agrees("jit(fflate.zlibSync, { specialize: { opts } })", (d) => fflate.zlibSync(d, opts), () => { const f = jit(fflate.zlibSync, { specialize: { opts } }); return { fn: f, run: (d) => f(d, opts) }; }, inputs, [opts]);
    agrees("jit(fflate.inflateSync) (tiering)", (d) => fflate.inflateSync(d), () => { const f = jit(fflate.inflateSync, { tiering: HOT }); return { fn: f, run: (d) => f(d) }; }, [...inputs.map((d) => fflate.deflateSync(d)), new Uint8Array([7, 7])]);
    agrees("jit(fflate.strToU8) (tiering)", (s) => fflate.strToU8(s), () => { const f = jit(fflate.strToU8, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, generate(3, COUNT, text));
  });
});

describe("hashes and checksums: int32 arithmetic on typed arrays and strings", () => {
  it("tweetnacl's hash and secretbox, js-sha256, spark-md5, crc-32, murmurhash", () => {
    const nacl = require_("tweetnacl") as { hash: Fn; secretbox: Fn };
    const { sha256, sha224 } = require_("js-sha256") as { sha256: Fn; sha224: { hex: Fn } };
    const SparkMD5 = require_("spark-md5") as { hash: Fn };
    const CRC32 = require_("crc-32") as { str: Fn; buf: Fn };
    const mm = require_("murmurhash-js") as { murmur3: Fn; murmur2: Fn };
    const data = generate(4, 60, bytes);
    const strings = generate(5, COUNT, text);
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(24).fill(3);
    agrees("jit(nacl.hash) (tiering)", (d) => nacl.hash(d), () => { const f = jit(nacl.hash, { tiering: HOT }); return { fn: f, run: (d) => f(d) }; }, data);
    agrees("jit(nacl.secretbox, { specialize: { nonce, key } })", (m) => nacl.secretbox(m, nonce, key), () => { const f = jit(nacl.secretbox, { specialize: { nonce, key } }); return { fn: f, run: (m) => f(m, nonce, key) }; }, data, [key, nonce]);
    agrees("jit(sha256) (tiering)", (x) => sha256(x), () => { const f = jit(sha256, { tiering: HOT }); return { fn: f, run: (x) => f(x) }; }, [...strings, ...data]);
    agrees("jit(sha224.hex) (tiering)", (x) => sha224.hex(x), () => { const f = jit(sha224.hex, { tiering: HOT }); return { fn: f, run: (x) => f(x) }; }, strings);
    agrees("jit(SparkMD5.hash, { specialize: { raw: true } })", (x) => SparkMD5.hash(x, true), () => { const f = jit(SparkMD5.hash, { specialize: { raw: true } }); return { fn: f, run: (x) => f(x, true) }; }, strings);
    agrees("jit(CRC32.str) (tiering), with seeds", ([x, seed]) => CRC32.str(x, seed), () => { const f = jit(CRC32.str, { tiering: HOT }); return { fn: f, run: ([x, seed]) => f(x, seed) }; }, generate(6, COUNT, (r) => [text(r), pick(r, [undefined, 0, 5, -1, 2 ** 32 + 3])]));
    agrees("jit(CRC32.buf) (tiering)", (d) => CRC32.buf(d), () => { const f = jit(CRC32.buf, { tiering: HOT }); return { fn: f, run: (d) => f(d) }; }, data);
    agrees("jit(murmur3, { specialize: { seed: 42 } })", (x) => mm.murmur3(x, 42), () => { const f = jit(mm.murmur3, { specialize: { seed: 42 } }); return { fn: f, run: (x) => f(x, 42) }; }, strings);
  });
});

describe("encodings: base64, IEEE 754 on its format constants, HTML entities", () => {
  it("base64-js, ieee754 read and write for three formats, he, escape-html", () => {
    const b64 = require_("base64-js") as { fromByteArray: Fn; toByteArray: Fn };
    const ieee = require_("ieee754") as { read: Fn; write: Fn };
    const he = require_("he") as { encode: Fn; decode: Fn };
    const escapeHtml = require_("escape-html") as Fn;
    const data = generate(7, COUNT, bytes);
    agrees("jit(b64.fromByteArray) (tiering)", (d) => b64.fromByteArray(d), () => { const f = jit(b64.fromByteArray, { tiering: HOT }); return { fn: f, run: (d) => f(d) }; }, data);
    agrees("jit(b64.toByteArray) (tiering)", (s) => b64.toByteArray(s), () => { const f = jit(b64.toByteArray, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...data.map((d) => b64.fromByteArray(d)), "abc", "a=b=", ""]);
    const numbers = generate(8, COUNT, number);
    for (const [isLE, mLen, nBytes] of [[true, 52, 8], [false, 23, 4], [true, 10, 2]] as const) {
      agrees(`jit(ieee754.write, { specialize: { isLE: ${isLE}, mLen: ${mLen}, nBytes: ${nBytes} } })`, (v) => { const b = new Uint8Array(nBytes + 2); ieee.write(b, v, 1, isLE, mLen, nBytes); return b; }, () => { const f = jit(ieee.write, { specialize: { isLE, mLen, nBytes } }); return { fn: f, run: (v) => { const b = new Uint8Array(nBytes + 2); f(b, v, 1, isLE, mLen, nBytes); return b; } }; }, numbers);
      agrees(`jit(ieee754.read, { specialize: { isLE: ${isLE}, mLen: ${mLen}, nBytes: ${nBytes} } })`, (b) => ieee.read(b, 0, isLE, mLen, nBytes), () => { const f = jit(ieee.read, { specialize: { isLE, mLen, nBytes } }); return { fn: f, run: (b) => f(b, 0, isLE, mLen, nBytes) }; }, data.filter((d) => d.length >= 8));
    }
    const strings = generate(9, COUNT, text);
    for (const options of [{ useNamedReferences: true }, { encodeEverything: true }, { decimal: true, allowUnsafeSymbols: true }]) {
      agrees(`jit(he.encode, { specialize: { options: ${JSON.stringify(options)} } })`, (s) => he.encode(s, options), () => { const f = jit(he.encode, { specialize: { options } }); return { fn: f, run: (s) => f(s, options) }; }, strings, [options]);
    }
    agrees("jit(he.decode) (tiering)", (s) => he.decode(s), () => { const f = jit(he.decode, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...strings.map((s) => he.encode(s, { useNamedReferences: true })), "&amp;&lt;&#x41;&#65;&copy&bogus;"]);
    agrees("jit(escapeHtml) (tiering)", (s) => escapeHtml(s), () => { const f = jit(escapeHtml, { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...strings, 5, null, new Date(0), [1, "<b>"]]);
  });
});

describe("strings, ids and numbers: dynamic programming, methods on `this`", () => {
  it("diff, fast-levenshtein, hashids on `this` and bound, bn.js and fraction.js methods", () => {
    const diff = require_("diff") as { diffChars: Fn; diffWords: Fn; diffLines: Fn };
    const lev = require_("fast-levenshtein") as { get: Fn };
    const hashidsModule = require_("hashids") as { default?: unknown };
    const Hashids = (hashidsModule.default ?? hashidsModule) as new (salt: string, min: number) => { encode: Fn; decode: Fn };
    const BN = require_("bn.js") as { new (x: string): { mul: Fn; toString: Fn }; prototype: { mul: Fn; toString: Fn } };
    const Fraction = require_("fraction.js") as { new (x: unknown): { add: Fn; toFraction(): string }; prototype: { add: Fn } };
    const pairs = generate(10, 60, (r) => [text(r), text(r)]);
    agrees("jit(diff.diffChars) (tiering)", ([a, b]) => diff.diffChars(a, b), () => { const f = jit(diff.diffChars, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, pairs);
    const options = { ignoreCase: true };
    agrees("jit(diff.diffWords, { specialize: { options } })", ([a, b]) => diff.diffWords(a, b, options), () => { const f = jit(diff.diffWords, { specialize: { options } }); return { fn: f, run: ([a, b]) => f(a, b, options) }; }, pairs, [options]);
    agrees("jit(lev.get) (tiering)", ([a, b]) => lev.get(a, b), () => { const f = jit(lev.get, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, pairs);
    const hashids = new Hashids("kos salt", 8);
    const ids = generate(11, COUNT, (r) => pick(r, [0, 1, 42, 2 ** 31, Math.floor(r() * 1e9), -1, 1.5, NaN, "12", null]));
    agrees("jit(hashids.encode, { specialize: { this: hashids } })", (n) => hashids.encode(n), () => { const f = jit(hashids.encode, { specialize: { this: hashids } }); return { fn: f, run: (n) => f.call(hashids, n) }; }, ids, [hashids]);
    agrees("jit(hashids.decode.bind(hashids)) (tiering)", (s) => hashids.decode(s), () => { const f = jit(hashids.decode.bind(hashids), { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, [...ids.filter((n): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0).map((n) => hashids.encode(n)), "zzzz", ""], [hashids]);
    const big = generate(12, COUNT, (r) => [String(Math.floor(r() * 1e9)) + String(Math.floor(r() * 1e9)), String(Math.floor(r() * 1e6) - 5e5)]);
    agrees("jit(BN.prototype.mul) (tiering)", ([a, b]) => new BN(a).mul(new BN(b)).toString(16), () => { const f = jit(BN.prototype.mul, { tiering: HOT }); return { fn: f, run: ([a, b]) => f.call(new BN(a), new BN(b)).toString(16) }; }, big);
    agrees("jit(BN.prototype.toString, { specialize: { base: 10 } })", ([a]) => new BN(a).toString(10), () => { const f = jit(BN.prototype.toString, { specialize: { base: 10 } }); return { fn: f, run: ([a]) => f.call(new BN(a), 10) }; }, big);
    const fractions = generate(13, COUNT, (r) => [pick(r, [0.5, "1/3", 7, -2.25, "0.(3)", 0, "x"]), pick(r, [1, "2/7", -0.125, 3, "y", 0])]);
    agrees("jit(Fraction.prototype.add) (tiering)", ([a, b]) => new Fraction(a).add(b).toFraction(), () => { const f = jit(Fraction.prototype.add, { tiering: HOT }); return { fn: f, run: ([a, b]) => (f.call(new Fraction(a), b) as { toFraction(): string }).toFraction() }; }, fractions);
  });
});

describe("curried and composed functions: `fn.apply(this, arguments)` shells", () => {
  const R = require_("ramda") as Record<string, Fn>;
  const _ = require_("lodash") as Record<string, Fn>;
  const U = require_("underscore") as Record<string, Fn>;
  const inc = (x: unknown) => (typeof x === "number" ? x + 1 : x);
  const dbl = (x: unknown) => (typeof x === "number" ? x * 2 : String(x));
  const values = (r: Random) => pick(r, [0, -0, NaN, 1, -1, 2.5, "3", "", null, undefined, { c: { d: 2 } }, [1, 2], true]);
  // Calls with one argument, with two (a count the version was not made for), and with `this` set.
  const calls = generate(14, 300, (r, i) => ({ self: i % 37 === 0 ? { k: 1 } : undefined, args: i % 29 === 28 ? [values(r), values(r)] : [values(r)] }));
  const twoArgs = generate(15, 300, (r) => ({ self: undefined, args: [values(r), values(r)] }));
  const uses: Array<[string, () => Fn, typeof calls]> = [
    ["R.pipe(inc, dbl, inc)", () => R.pipe!(inc, dbl, inc), calls],
    ["R.compose(dbl, eq)", () => R.compose!(dbl, (a: unknown, b: unknown) => (a === b ? 1 : 0)), twoArgs],
    ["R.curry(f)(1)", () => R.curry!((a: unknown, b: unknown, c: unknown) => [a, b, c])(1), twoArgs],
    ["R.add(3)", () => R.add!(3), calls],
    ["R.path(['c', 'd'])", () => R.path!(["c", "d"]), calls],
    ["R.memoizeWith(String, inc)", () => R.memoizeWith!(String, inc), calls],
    ["_.flow([inc, dbl])", () => _.flow!([inc, dbl]), calls],
    ["_.partial(f, 1)", () => _.partial!((a: unknown, b: unknown, c: unknown) => [a, b, c], 1), twoArgs],
    ["_.negate(Boolean)", () => _.negate!((x: unknown) => !!x), calls],
    ["_.ary(f, 1)", () => _.ary!((...a: unknown[]) => a.length, 1), twoArgs],
    ["U.compose(dbl, inc)", () => U.compose!(dbl, inc), calls],
    ["U.partial(f, 1)", () => U.partial!((a: unknown, b: unknown) => [a, b], 1), calls],
    ["U.wrap(inc, f)", () => U.wrap!(inc, (f: Fn, x: unknown) => f(x)), calls],
  ];
  for (const [label, make, inputs] of uses) {
    it(`jit(${label}) (tiering) agrees on every call, with other counts and receivers`, () => {
      const original = make();
      agrees(`jit(${label}) (tiering)`, ({ self, args }) => original.apply(self, args), () => { const f = jit(make(), { tiering: HOT }); return { fn: f, run: ({ self, args }) => f.apply(self, args) }; }, inputs);
    });
  }

  // One argument on every call while tiering profiles (the count is then guarded at entry), other
  // counts and receivers after: the shells' `fn.apply(this, arguments)`, read after the placeholder
  // test (foreign code), is inlined behind a test of what `fn.apply` is (apply-guards.ts), and a
  // composed function's steps inline through their own `f.apply(this, arguments)`. They fell back
  // (USES_ARGUMENTS, NOTHING_SPECIALIZED) before.
  const vol = R.curry!((a: number, b: number, c: number) => a * b * c);
  const oneThenMixed = generate(16, 300, (r, i) => ({ self: i > 100 && i % 37 === 0 ? { k: 1 } : undefined, args: i > 100 && i % 29 === 28 ? [values(r), values(r)] : i > 100 && i % 31 === 30 ? [] : [values(r)] }));
  const compiled: Array<[string, () => Fn, string | null]> = [
    ["R.add(3)", () => R.add!(3), null],
    ["R.path(['c', 'd'])", () => R.path!(["c", "d"]), null],
    ["R.prop('c')", () => R.prop!("c"), null],
    ["R.pipe(inc, dbl, inc)", () => R.pipe!(inc, dbl, inc), null],
    // ramda's `_curryN` shell (arguments copied in a loop, then `_arity`'s forward) stays the original's own code.
    ["R.curry(vol)(2)(3)", () => vol!(2)(3), "NOTHING_SPECIALIZED"],
    // `func.apply(this, arguments)` is not its last act (the cache is read after it): still exact only as the original.
    ["U.memoize(inc)", () => U.memoize!(inc), "USES_ARGUMENTS"],
  ];
  for (const [label, make, reason] of compiled) {
    it(`jit(${label}) (tiering on one count) agrees on every call${reason ? `, and runs as the original (${reason})` : ", and compiles"}`, () => {
      const original = make();
      // A call with no argument returns the curried function itself: each side its own.
      const shown = (v: unknown) => (typeof v === "function" ? "a function" : v);
      const f = agrees(`jit(${label}) (tiering, one count)`, ({ self, args }) => shown(original.apply(self, args)), () => { const f = jit(make(), { tiering: HOT }); return { fn: f, run: ({ self, args }) => shown(f.apply(self, args)) }; }, oneThenMixed);
      const info = inspect(f);
      if (reason === null) expect(info.fallbackReason).toBeNull();
      else expect(info.fallbackReason).toMatch(new RegExp(`^${reason}`));
    });
  }
});
