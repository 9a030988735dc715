/**
 * Template engines, deep-equality checks and string validators from npm, through their natural
 * `jit()` uses (tested 2026-12-07: dot 1.1, ejs 3.1, fast-deep-equal 3.1, dequal 2.0, validator
 * 13.15): a compiled template (ejs with and without `with`, strict; doT), `ejs.render`
 * specialized on its template, an equality check specialized on the expected value or tiered, a
 * validator specialized on its options or tiered. Inputs: values of every type (-0, NaN, dates,
 * regexps, maps, sets, typed arrays, null-prototype objects), records with fields missing or of
 * the wrong type, strings right and wrong. All agreed with the libraries. Speed, natural use /
 * library (the session's x/ scripts, monomorphic call sites, medians of 7): fast-deep-equal
 * specialized on its first argument 0.43× (es6 build 0.40-0.45×), dequal 0.98-1.06×, the templates
 * 0.94-1.02×, validator 0.94-1.02×.
 */
import { describe, it } from "vitest";
import { createRequire } from "node:module";
import { jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agrees, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
const doT = require_("dot") as { template(src: string): (it: unknown) => string };
const ejs = require_("ejs") as { compile(src: string, o?: object): (d: unknown) => string; render(src: string, d: unknown, o?: object): string };
type Equal = (a: unknown, b: unknown) => boolean;
const fastDeepEqual = require_("fast-deep-equal") as Equal;
const fastDeepEqualEs6 = require_("fast-deep-equal/es6") as Equal;
const { dequal } = require_("dequal") as { dequal: Equal };
const { dequal: dequalLite } = require_("dequal/lite") as { dequal: Equal };
const validator = require_("validator") as Record<string, (s: unknown, o?: unknown) => boolean>;

const COUNT = 500;
const anyValue = (r: Random): unknown => pick(r, [undefined, null, 0, -0, NaN, 1.5, "", "<b>&'\"", true, [], ["a", 2], {}, { a: 1 }]);
const sometimes = (r: Random, usual: () => unknown): unknown => (r() < 0.8 ? usual() : anyValue(r));
function page(r: Random): Record<string, unknown> {
  return {
    name: sometimes(r, () => pick(r, ["Ann", "<Bob>", "Cé"])),
    items: sometimes(r, () => Array.from({ length: Math.floor(r() * 4) }, () => ({ title: pick(r, ["x", "y&z", anyValue(r)]), price: pick(r, [1, 2.5, -0, NaN, "3"]) }))),
    admin: anyValue(r),
    n: pick(r, [0, 1, 2, 10]),
  };
}

describe("templates", () => {
  const pages = generate(9620, COUNT, page);

  it("doT: jit(template) and tiering, and jit(doT.template, { specialize: { tmpl } })", () => {
    const src = "<h1>{{=it.name}}</h1>{{? it.admin }}<b>admin</b>{{??}}user{{?}}<ul>{{~it.items :item:i}}<li>{{=i}} {{!item.title}} {{=item.price}}</li>{{~}}</ul>{{=it.n*2}}";
    const t = doT.template(src);
    agrees("jit(template)", t, () => { const f = jit(t); return { fn: f, run: f }; }, pages);
    agrees("jit(template) (tiering)", t, () => { const f = jit(t, { tiering: HOT }); return { fn: f, run: f }; }, pages);
    agrees("jit(doT.template, { specialize: { tmpl } })", (d) => doT.template(src)(d), () => { const f = jit(doT.template, { specialize: { tmpl: src } }); return { fn: f, run: (d) => f(src)(d) }; }, pages.slice(0, 100));
  });

  it("ejs: jit(compile(src)) with `with`, without, strict (tiering), and jit(ejs.render, { specialize: { template } })", () => {
    const withSrc = "<h1><%= name %></h1><% if (admin) { %><b>admin</b><% } else { %>user<% } %><ul><% (Array.isArray(items)?items:[]).forEach(function(item, i){ %><li><%= i %> <%= item && item.title %> <%- item && item.price %></li><% }) %></ul><%= n*2 %>";
    const localsSrc = "<h1><%= locals.name %></h1><% if (locals.admin) { %><b>admin</b><% } else { %>user<% } %><ul><% (Array.isArray(locals.items)?locals.items:[]).forEach(function(item, i){ %><li><%= i %> <%= item && item.title %> <%- item && item.price %></li><% }) %></ul><%= locals.n*2 %>";
    for (const [label, t] of [["with", ejs.compile(withSrc)], ["_with: false", ejs.compile(localsSrc, { _with: false })], ["strict", ejs.compile(localsSrc, { _with: false, strict: true })]] as const) {
      agrees(`jit(compile(src), ${label}) (tiering)`, t, () => { const f = jit(t, { tiering: HOT }); return { fn: f, run: f }; }, pages);
    }
    const options = { _with: false };
    agrees("jit(ejs.render, { specialize: { template } })", (d) => ejs.render(localsSrc, d, options), () => { const f = jit(ejs.render, { specialize: { template: localsSrc } }); return { fn: f, run: (d) => f(localsSrc, d, options) }; }, pages);
  });
});

function value(r: Random, depth = 0): unknown {
  const k = r();
  if (depth > 3 || k < 0.4) return pick(r, [undefined, null, 0, -0, NaN, 1, "1", "", true, false, 1n]);
  if (k < 0.55) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
  // No invalid Date: isDeepStrictEqual finds two of them unequal when nested in the input.
  if (k < 0.6) return new Date(pick(r, [0, 1]));
  if (k < 0.63) return pick(r, [/a/g, /a/i, /b/g]);
  if (k < 0.66) return new Map([[pick(r, ["a", "b"]), value(r, depth + 1)]]);
  if (k < 0.69) return new Set([pick(r, [1, 2, NaN])]);
  if (k < 0.72) return new Uint8Array([1, pick(r, [2, 3])]);
  if (k < 0.74) return Object.create(null);
  const o: Record<string, unknown> = {};
  for (const key of ["a", "b", "c"]) if (r() < 0.6) o[key] = value(r, depth + 1);
  return o;
}

describe("deep equality", () => {
  const expected = { a: [1, { b: 2 }], b: "x", c: { d: null } };
  const candidates = generate(9621, COUNT, (r, i) => (i % 3 === 0 ? structuredClone(expected) : i % 3 === 1 ? { a: [1, { b: pick(r, [2, -0, NaN, "2"]) }], b: "x", c: { d: pick(r, [null, undefined]) } } : value(r)));
  const pairs = generate(9622, COUNT, (r) => [value(r), value(r)]);
  for (const [name, equal, first] of [["fast-deep-equal", fastDeepEqual, "a"], ["fast-deep-equal/es6", fastDeepEqualEs6, "a"], ["dequal", dequal, "foo"], ["dequal/lite", dequalLite, "foo"]] as const) {
    it(`${name}: specialized on the expected value, and tiered`, () => {
      const original = (x: unknown) => equal(expected, x);
      agrees(`jit(equal, { specialize: { ${first}: expected } })`, original, () => { const f = jit(equal, { specialize: { [first]: expected } }); return { fn: f, run: (x) => f(expected, x) }; }, candidates, [expected]);
      agrees("jit(equal) (tiering), fixed expected value", original, () => { const f = jit(equal, { tiering: HOT }); return { fn: f, run: (x) => f(expected, x) }; }, candidates, [expected]);
      agrees("jit(equal) (tiering), any pair", ([a, b]: unknown[]) => equal(a, b), () => { const f = jit(equal, { tiering: HOT }); return { fn: f, run: ([a, b]: unknown[]) => f(a, b) }; }, pairs);
    });
  }
});

describe("validator", () => {
  const strings = generate(9623, COUNT, (r) => pick(r, ["a@b.co", "Name <a@b.co>", "x", "bob@example.com", "a@b", "a..b@c.com", '"q"@x.org', "a@[127.0.0.1]", "user+tag@gmail.com", "ÅÄ@exämple.com", "", undefined, null, 3, {}, "a@b.c" + "o".repeat(70), "http://x.com/a?b=c", "https://user:pw@host:8080/p#f", "ftp://x", "//x.com", "javascript:alert(1)", "1.2.3.4", "::1", "2001:db8::1", "256.1.1.1", "12345", "-0", "1e3", "0x1f", " 12 ", "#fff", "2026-12-07", "2026-02-30T10:00:00Z"]));
  const cases: Array<[string, unknown]> = [["isEmail", { allow_display_name: true, require_tld: true, allow_ip_domain: true }], ["isURL", { protocols: ["http", "https"], require_protocol: true }], ["isIP", 4], ["isFloat", { min: 0, max: 100 }], ["isISO8601", { strict: true }], ["isHexColor", undefined]];
  for (const [name, options] of cases) {
    it(`${name}: tiering, and specialized on its options where it names them`, () => {
      const check = validator[name]!;
      const original = (s: unknown) => check(s, options);
      agrees(`jit(validator.${name}) (tiering)`, original, () => { const f = jit(check, { tiering: HOT }); return { fn: f, run: (s) => f(s, options) }; }, strings, typeof options === "object" ? [options] : []);
      const parameter = /\(\s*[\w$]+\s*,\s*([\w$]+)/.exec(String(check))?.[1];
      if (parameter) agrees(`jit(validator.${name}, { specialize: { ${parameter} } })`, original, () => { const f = jit(check, { specialize: { [parameter]: options } }); return { fn: f, run: (s) => f(s, options) }; }, strings, typeof options === "object" ? [options] : []);
    });
  }
});
