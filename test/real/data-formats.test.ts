/**
 * Parsers and serializers driven by options, from npm, through their natural `jit()` uses
 * (tested 2026-12-07: js-yaml 4.1, fast-xml-parser 5.2, safe-stable-stringify 2.5,
 * fast-json-stable-stringify 2.1, marked 16): the options object specialized or left to
 * tiering, a parser instance's method specialized on `this` or bound. Inputs: documents right
 * and malformed, values of every type (-0, NaN, dates, nested arrays), non-strings where a
 * string is expected. All agreed with the libraries; none ran slower than noise (x/ scripts of
 * the session: yaml.load 1.00×, fast-xml-parser parse 1.00-1.02×,
 * safe-stable-stringify 1.05× tiered, fast-json-stable-stringify 0.97×, marked 1.01×).
 */
import { describe, it } from "vitest";
import { createRequire } from "node:module";
import { jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agrees, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
type Yaml = { load(s: unknown, o?: object): unknown; dump(v: unknown, o?: object): string; JSON_SCHEMA: object };
const yaml = require_("js-yaml") as Yaml;
type Parser = { parse(x: unknown): unknown };
const fxp = require_("fast-xml-parser") as { XMLParser: new (o: object) => Parser; XMLValidator: { validate(x: unknown, o?: object): unknown } };
const sss = require_("safe-stable-stringify") as ((v: unknown) => string) & { configure(o: object): (v: unknown) => string };
const fjss = require_("fast-json-stable-stringify") as (v: unknown, o?: object) => string;
const { Marked } = require_("marked") as { Marked: new (o: object) => { parse(s: unknown): string } };

const COUNT = 600;

function yamlText(r: Random): unknown {
  if (r() < 0.06) return pick(r, [undefined, null, 3, "", "a: [", "- a\n b: c", "? x", "a: 1\na: 2"]);
  const scalar = () => pick(r, ["Ann", "'quoted'", '"dq\\n"', "~", "null", "-0", ".nan", "0x1F", "1_000", "2001-12-14", "-.inf", "yes", "1e3"]);
  const items = Array.from({ length: Math.floor(r() * 3) }, () => `  - {id: ${scalar()}, t: ${pick(r, ["a", "b: c", "[1, 2]"])}}`).join("\n");
  return `name: ${scalar()}\nitems:\n${items}\nanchor: &a {x: 1}\nref: *a\n`;
}

function value(r: Random, depth = 0): unknown {
  const k = r();
  if (depth > 3 || k < 0.4) return pick(r, [undefined, null, 0, -0, NaN, 1, 1e21, "1", "", "a: b", "\u2028", true, false, "yes"]);
  if (k < 0.55) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  if (k < 0.6) return new Date(pick(r, [0, 1, 1e12]));
  const o: Record<string, unknown> = {};
  for (const key of ["b", "a", "c d", "1"]) if (r() < 0.6) o[key] = value(r, depth + 1);
  return o;
}

function xmlText(r: Random): unknown {
  if (r() < 0.06) return pick(r, [undefined, null, 3, "", "<a>", "<a></b>", "<a x=1></a>"]);
  const items = Array.from({ length: Math.floor(r() * 4) }, () => `<item id="${pick(r, ["1", "x", "-0", "1e3", "0x10"])}" ${r() < 0.3 ? "flag" : ""}>${pick(r, ["text", "12", "-0", "true", "&amp;&lt;", "<![CDATA[c]]>", ""])}</item>`).join("");
  return `<?xml version="1.0"?><root a="${pick(r, ["1", "b"])}">${items}<n>${pick(r, ["007", "1.50", "NaN", "  5 "])}</n><!-- c --></root>`;
}

describe("js-yaml", () => {
  const texts = generate(9620, COUNT, yamlText);
  const loadOptions = { schema: yaml.JSON_SCHEMA, json: true };

  it("load: jit(yaml.load, { specialize: { options } }) and tiering jit(yaml.load)", () => {
    const original = (s: unknown) => yaml.load(s, loadOptions);
    agrees("jit(yaml.load, { specialize: { options } })", original, () => { const f = jit(yaml.load, { specialize: { options: loadOptions } }); return { fn: f, run: (s) => f(s, loadOptions) }; }, texts, [loadOptions, yaml]);
    agrees("jit(yaml.load) (tiering)", original, () => { const f = jit(yaml.load, { tiering: HOT }); return { fn: f, run: (s) => f(s, loadOptions) }; }, texts, [loadOptions, yaml]);
  });
  // yaml.dump is left out: jit(yaml.dump, { specialize: { options } }) spends its whole 5 s maxCompileMs
  // inside jit() and falls back (RESIDUAL_TOO_LARGE), a tier-up at 50 calls 1.6 s (compiler/compile.ts
  // names js-yaml's dump among the compiles that never paid).
});

describe("fast-xml-parser", () => {
  const texts = generate(9622, COUNT, xmlText);
  const options = { ignoreAttributes: false, attributeNamePrefix: "@_", parseAttributeValue: true, allowBooleanAttributes: true, isArray: (name: string) => name === "item" };

  it("jit(XMLParser.prototype.parse, { specialize: { this: parser } }) and tiering jit(parser.parse.bind(parser))", () => {
    const parser = new fxp.XMLParser(options);
    const original = (x: unknown) => parser.parse(x);
    const parse = Object.getPrototypeOf(parser).parse as Parser["parse"];
    agrees("jit(parse, { specialize: { this: parser } })", original, () => { const f = jit(parse, { specialize: { this: parser } }); return { fn: f, run: (x) => f.call(parser, x) }; }, texts, [parser]);
    agrees("jit(parser.parse.bind(parser)) (tiering)", original, () => { const f = jit(parser.parse.bind(parser), { tiering: HOT }); return { fn: f, run: (x) => f(x) }; }, texts, [parser]);
  });

  it("tiering jit(XMLValidator.validate)", () => {
    const o = { allowBooleanAttributes: true };
    agrees("jit(XMLValidator.validate) (tiering)", (x) => fxp.XMLValidator.validate(x, o), () => { const f = jit(fxp.XMLValidator.validate, { tiering: HOT }); return { fn: f, run: (x) => f(x, o) }; }, texts, [o]);
  });
});

describe("stable stringify", () => {
  const values = generate(9623, COUNT, (r) => value(r));

  it("safe-stable-stringify: tiering jit(stringify) and jit(configure(options))", () => {
    agrees("jit(stringify) (tiering)", (v) => sss(v), () => { const f = jit(sss, { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values);
    const configured = sss.configure({ deterministic: true, maximumDepth: 2, bigint: false });
    agrees("jit(configure({ ... })) (tiering)", (v) => configured(v), () => { const f = jit(configured, { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values);
  });

  it("fast-json-stable-stringify: tiering jit(stringify) and jit(stringify, { specialize: { opts } })", () => {
    agrees("jit(stringify) (tiering)", (v) => fjss(v), () => { const f = jit(fjss, { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values);
    const opts = { cycles: true, cmp: (a: { key: string }, b: { key: string }) => (a.key < b.key ? 1 : -1) };
    agrees("jit(stringify, { specialize: { opts } })", (v) => fjss(v, opts), () => { const f = jit(fjss, { specialize: { opts } }); return { fn: f, run: (v) => f(v, opts) }; }, values, [opts]);
  });
});

describe("marked", () => {
  it("tiering jit(marked.parse.bind(marked)) with options on the instance", () => {
    const texts = generate(9624, 300, (r) => pick(r, ["# T\n\nHello *world* and `code`", "- a\n- b\n  - c", '[l](http://x.com "t")', "| a | b |\n|---|---|\n| 1 | 2 |", "<div>html</div>\n\n**b**", "> q\n> q2", "```js\nx<1\n```", "1. a\n2. b", "", undefined, null, 3, "a  \nb", "~~s~~ www.x.com"]));
    const marked = new Marked({ gfm: true, breaks: true });
    agrees("jit(marked.parse.bind(marked)) (tiering)", (s) => marked.parse(s), () => { const f = jit(marked.parse.bind(marked), { tiering: HOT }); return { fn: f, run: (s) => f(s) }; }, texts);
  });
});
