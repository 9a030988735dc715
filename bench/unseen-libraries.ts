/**
 * Speed of the natural `jit()` uses of test/real/{data-formats,numbers-and-dates,
 * templates-and-checks}.test.ts next to the library, in one process:
 * `flock /tmp/kos-bench.lock node dist/bench/unseen-libraries.js`, timed by bench/unseen-measure.ts
 * (a call site of its own per variant; CPU medians of 7 interleaved rounds). Tiering uses tier up at
 * 50 calls and are warmed 2,000 calls before timing. Round 3's libraries: bench/unseen-round3.ts.
 */
import { createRequire } from "node:module";
import { jit } from "../index.js";
import { measure } from "./unseen-measure.js";

const require_ = createRequire(import.meta.url);
const HOT = { hotCalls: 50 };
type Fn = (x: any) => unknown;

const pick = <T>(i: number, a: T[]): T => a[(i * 2654435761 >>> 0) % a.length]!;
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

// Data formats.
const yaml = require_("js-yaml");
const yamlTexts = many(200, (i) => `name: ${pick(i, ["Ann", "'q'", "~", "-0", ".nan", "0x1F"])}\nitems:\n  - {id: ${i}, t: a}\nanchor: &a {x: 1}\nref: *a\n`);
const loadOptions = { schema: yaml.JSON_SCHEMA, json: true };
{ const s = jit(yaml.load, { specialize: { options: loadOptions } }), t = jit(yaml.load, { tiering: HOT }); measure("js-yaml load", { original: (x) => yaml.load(x, loadOptions), specialized: (x) => s(x, loadOptions), tiering: (x) => t(x, loadOptions) }, yamlTexts); }
const { XMLParser } = require_("fast-xml-parser");
const parser = new XMLParser({ ignoreAttributes: false, parseAttributeValue: true });
const xmlTexts = many(200, (i) => `<root a="${i}"><item id="${i % 7}">${pick(i, ["text", "12", "-0", "&amp;"])}</item><n>${i}</n></root>`);
{ const s = jit(XMLParser.prototype.parse, { specialize: { this: parser } }), t = jit(parser.parse.bind(parser), { tiering: HOT }); measure("fast-xml-parser parse", { original: (x) => parser.parse(x), specialized: (x) => s.call(parser, x), tiering: t }, xmlTexts); }
const values = many(200, (i) => ({ b: i, a: [i % 3, "x", { c: i % 2 === 0 }], d: pick(i, [null, "s", 1.5]) }));
const sss = require_("safe-stable-stringify"), fjss = require_("fast-json-stable-stringify");
{ const t = jit(sss, { tiering: HOT }); measure("safe-stable-stringify", { original: sss, tiering: t }, values); }
{ const t = jit(fjss, { tiering: HOT }); measure("fast-json-stable-stringify", { original: fjss, tiering: t }, values); }

// Numbers, dates, colours, kernels.
const Big = require_("big.js"), Decimal = require_("decimal.js");
const numberTexts = many(200, (i) => String((i * 37) % 101 / 7));
for (const [name, C] of [["big.js", Big], ["decimal.js", Decimal]]) {
  const r = new C("1.25"), s = jit(C.prototype.plus, { specialize: { this: r } }), t = jit(C.prototype.plus, { tiering: HOT });
  measure(`${name} plus`, { original: (x) => r.plus(x), specialized: (x) => s.call(r, x), tiering: (x) => t.call(r, x) }, numberTexts);
}
const numeral = require_("numeral");
{ const format = Object.getPrototypeOf(numeral(1)).format, s = jit(format, { specialize: { inputString: "0,0.00" } }), t = jit(format, { tiering: HOT }); measure("numeral format", { original: (n) => n.format("0,0.00"), specialized: (n) => s.call(n, "0,0.00"), tiering: (n) => t.call(n, "0,0.00") }, many(200, (i) => numeral(i * 1234.567))); }
const accounting = require_("accounting");
const money = { symbol: "€", decimal: ",", thousand: ".", precision: 2 };
{ const s = jit(accounting.formatMoney, { specialize: { symbol: money } }), t = jit(accounting.formatMoney, { tiering: HOT }); measure("accounting formatMoney", { original: (x) => accounting.formatMoney(x, money), specialized: (x) => s(x, money), tiering: (x) => t(x, money) }, many(200, (i) => i * 1234.567 - 1e5)); }
const dayjs = require_("dayjs"); dayjs.extend(require_("dayjs/plugin/utc"));
{ const pattern = "YYYY-MM-DD HH:mm:ss.SSS [at] dddd Q Do A Z", format = Object.getPrototypeOf(dayjs.utc(0)).format, t = jit(format, { tiering: HOT }); measure("dayjs format", { original: (d) => d.format(pattern), tiering: (d) => t.call(d, pattern) }, many(200, (i) => dayjs.utc(i * 1e9))); }
const chroma = require_("chroma-js");
{ const t = jit(chroma.mix, { tiering: HOT }); measure("chroma-js mix", { original: (x) => chroma.mix(x, "blue", 0.3, "lab"), tiering: (x) => t(x, "blue", 0.3, "lab") }, many(200, (i) => pick(i, ["#fff", "red", "rgb(1,2,3)", "hsl(120,50%,50%)", 0xff00ff]))); }
const math = require_("mathjs");
{ const code = math.compile("x^2 + sin(y) * 3 > 1 ? max(v) : sum(v) / (x - y)"), s = jit(code.evaluate, { specialize: { this: code } }), t = jit(code.evaluate.bind(code), { tiering: HOT }); measure("mathjs evaluate", { original: (x) => code.evaluate(x), specialized: (x) => s.call(code, x), tiering: t }, many(200, (i) => ({ x: i % 5, y: i % 3 - 1, v: [1, 2, i] }))); }
const { Matrix } = require_("ml-matrix");
{ const A = new Matrix([[1, 2, 3], [4, 5, 6], [7, 8, 10]]), s = jit(Matrix.prototype.mmul, { specialize: { this: A } }), t = jit(Matrix.prototype.mmul, { tiering: HOT }); measure("ml-matrix mmul", { original: (B) => A.mmul(B), specialized: (B) => s.call(A, B), tiering: (B) => t.call(A, B) }, many(200, (i) => new Matrix([[i, 1, 0], [0, 1, i], [1, 0, 1]]))); }

// Templates, equality, validators.
const doT = require_("dot"), ejs = require_("ejs");
const pages = many(200, (i) => ({ name: pick(i, ["Ann", "<Bob>"]), admin: i % 2 === 0, items: many(i % 4, (k) => ({ title: `t${k}`, price: k * 1.5 })), n: i % 10 }));
{ const t = doT.template("<h1>{{=it.name}}</h1>{{? it.admin }}<b>admin</b>{{?}}<ul>{{~it.items :item:i}}<li>{{=i}} {{!item.title}} {{=item.price}}</li>{{~}}</ul>"), j = jit(t, { tiering: HOT }); measure("doT template", { original: t, tiering: j }, pages); }
{ const t = ejs.compile("<h1><%= locals.name %></h1><% if (locals.admin) { %><b>admin</b><% } %><ul><% locals.items.forEach(function(item, i){ %><li><%= i %> <%= item.title %> <%- item.price %></li><% }) %></ul>", { _with: false }), j = jit(t, { tiering: HOT }); measure("ejs template", { original: t, tiering: j }, pages); }
const expected = { a: [1, { b: 2 }], b: "x", c: { d: null } };
const candidates = many(200, (i) => (i % 2 === 0 ? structuredClone(expected) : { a: [1, { b: i }], b: "x", c: { d: null } }));
const fde = require_("fast-deep-equal"), { dequal } = require_("dequal");
{ const s = jit(fde, { specialize: { a: expected } }), t = jit(fde, { tiering: HOT }); measure("fast-deep-equal", { original: (x) => fde(expected, x), specialized: (x) => s(expected, x), tiering: (x) => t(expected, x) }, candidates); }
{ const s = jit(dequal, { specialize: { foo: expected } }), t = jit(dequal, { tiering: HOT }); measure("dequal", { original: (x) => dequal(expected, x), specialized: (x) => s(expected, x), tiering: (x) => t(expected, x) }, candidates); }
const validator = require_("validator");
const emails = many(200, (i) => pick(i, ["a@b.co", "Name <a@b.co>", "x", "bob@example.com", "a..b@c.com", "user+tag@gmail.com"]));
const emailOptions = { allow_display_name: true };
{ const s = jit(validator.isEmail, { specialize: { options: emailOptions } }), t = jit(validator.isEmail, { tiering: HOT }); measure("validator isEmail", { original: (x) => validator.isEmail(x, emailOptions), specialized: (x) => s(x, emailOptions), tiering: (x) => t(x, emailOptions) }, emails); }
