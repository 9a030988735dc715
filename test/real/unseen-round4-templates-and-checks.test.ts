/**
 * Round 4 of kos on npm code it had not seen (2026-12-07): template engines (velocityjs 2.1, twig
 * 3.0, string-template 1.0), a query language (jsonpath 1.3), validators (is-my-json-valid 2.20's
 * generated checks, v8n 1.5's rule chains, schema-inspector 2.1), diffs (microdiff 1.6, fast-diff
 * 1.3) and serializers (javascript-stringify 2.1, json-stable-stringify 1.3), each through its
 * natural `jit()` uses: specialized on its template, path, schema or options, tiered, a method on
 * `this` or bound to its instance, the closure the library compiled. 2,000 seeded inputs per use,
 * some of which make the library throw, twice over (the second pass runs what tiering compiled).
 * docs/notes/unseen-libraries.md ("Round 4") has each use's tier and speed.
 */
import { describe, it } from "vitest";
import { createRequire } from "node:module";
import { jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agreesOnceCompiled, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
type Fn = (...a: any[]) => any;
const COUNT = 2000;

const agrees = agreesOnceCompiled;

const scalar = (r: Random): unknown => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 2 ** 31, 2 ** 53 + 2, 5e-324, -33, Math.floor(r() * 200) - 100, "", "a", "0", "12", "<b>&\"'", "a😀", "\ud800", null, undefined, true, false]);
const context = (r: Random) => ({ name: scalar(r), admin: pick(r, [true, false, 0, "", "no"]), items: r() < 0.05 ? pick(r, [null, "ab", 3]) : Array.from({ length: Math.floor(r() * 4) }, () => ({ title: scalar(r), price: pick(r, [1.5, -0, NaN, 10, "3"]) })), nested: r() < 0.8 ? { deep: { v: scalar(r) } } : pick(r, [null, undefined, {}]) });

describe("template engines", () => {
  const contexts = generate(401, COUNT, context);
  it("velocityjs: a Compile's render on `this`, bound and tiered; render specialized on its template", () => {
    const velocity = require_("velocityjs") as { parse: Fn; render: Fn; Compile: { new (ast: unknown): { render: Fn }; prototype: { render: Fn } } };
    const template = "Hi $name #if($admin)<b>admin</b>#else user#end <ul>#foreach($it in $items)<li>$velocityCount $it.title $!{it.price}</li>#end</ul> $!{nested.deep.v} #set($n = $items.size())$!n";
    const compiled = new velocity.Compile(velocity.parse(template));
    agrees("jit(Compile.prototype.render, { specialize: { this: compiled } })", (c) => compiled.render(c), () => { const f = jit(velocity.Compile.prototype.render, { specialize: { this: compiled } }); return { fn: f, run: (c) => f.call(compiled, c) }; }, contexts);
    agrees("jit(compiled.render.bind(compiled)) (tiering)", (c) => compiled.render(c), () => { const f = jit(compiled.render.bind(compiled), { tiering: HOT }); return { fn: f, run: (c) => f(c) }; }, contexts);
    agrees("jit(velocity.render, { specialize: { template } })", (c) => velocity.render(template, c), () => { const f = jit(velocity.render, { specialize: { template } }); return { fn: f, run: (c) => f(template, c) }; }, contexts);
  });
  it("twig: a Template's render on `this` and bound and tiered", () => {
    const Twig = require_("twig") as { twig: Fn; cache: Fn };
    Twig.cache(false);
    const template = Twig.twig({ data: "Hi {{ name }} {% if admin %}<b>admin</b>{% else %}user{% endif %}<ul>{% for it in items %}<li>{{ loop.index }} {{ it.title|e }} {{ it.price }}</li>{% else %}none{% endfor %}</ul>{{ nested.deep.v|default('-') }}" }) as { render: Fn };
    const proto = Object.getPrototypeOf(template) as { render: Fn };
    // Twig throws on a non-iterable `items` the same way each time; strings are iterable for it.
    agrees("jit(Template.prototype.render, { specialize: { this: template } })", (c) => template.render(c), () => { const f = jit(proto.render, { specialize: { this: template } }); return { fn: f, run: (c) => f.call(template, c) }; }, contexts);
    agrees("jit(template.render.bind(template)) (tiering)", (c) => template.render(c), () => { const f = jit(template.render.bind(template), { tiering: HOT }); return { fn: f, run: (c) => f(c) }; }, contexts);
  });
  it("string-template: format specialized on its string and tiered", () => {
    const format = require_("string-template") as Fn;
    const text = "Hello {name}, you have {count} {{escaped}} items in {0} {missing}";
    const args = generate(402, COUNT, (r) => (r() < 0.3 ? [scalar(r), scalar(r)] : { name: scalar(r), count: scalar(r), 0: scalar(r), hasOwnProperty: r() < 0.02 ? 1 : undefined }));
    agrees("jit(format, { specialize: { string: text } })", (a) => (Array.isArray(a) ? format(text, ...a) : format(text, a)), () => { const f = jit(format, { specialize: { string: text } }); return { fn: f, run: (a) => (Array.isArray(a) ? f(text, ...a) : f(text, a)) }; }, args);
    agrees("jit(format) (tiering)", (a) => (Array.isArray(a) ? format(text, ...a) : format(text, a)), () => { const f = jit(format, { tiering: HOT }); return { fn: f, run: (a) => (Array.isArray(a) ? f(text, ...a) : f(text, a)) }; }, args);
  });
});

describe("queries and validators", () => {
  const record = (r: Random) => ({ name: pick(r, ["Ann", "Bob", "Cy", "", 5, null]), age: pick(r, [0, -0, 17, 18, 42, NaN, 99, "30", null, 1.5, -1]), email: pick(r, ["a@b.co", "bad", undefined]), tags: pick(r, [[], ["a"], ["a", 2], undefined, "a"]), nested: { deep: { v: scalar(r) } } });
  const users = generate(403, COUNT, (r) => (r() < 0.05 ? pick(r, [null, "str", 5, [], undefined]) : record(r)));
  it("jsonpath: query specialized on its path, and tiered on several paths", () => {
    const jp = require_("jsonpath") as { query: Fn; value: Fn; JSONPath: { prototype: { query: Fn } } };
    const docs = generate(404, COUNT, (r) => ({ store: { book: Array.from({ length: Math.floor(r() * 5) }, () => record(r)), bicycle: { color: scalar(r), price: scalar(r) } } }));
    const path = "$.store.book[?(@.age > 17)].name";
    // jp.query is `function(obj, string, count)`: the path is `string`.
    agrees("jit(jp.query, { specialize: { this: jp, string: path } })", (d) => jp.query(d, path), () => { const f = jit(jp.query, { specialize: { this: jp, string: path } }); return { fn: f, run: (d) => f.call(jp, d, path) }; }, docs);
    const paths = ["$..name", "$.store.book[0,1].tags[*]", "$.store.*.price", "$.store.book[-1:]", "$..deep.v", "$.store.book.length", "$["];
    const pairs = generate(405, COUNT, (r) => [docs[Math.floor(r() * docs.length)], pick(r, paths)]);
    agrees("jp.query bound (tiering), several paths, a bad one throws", ([d, p]) => jp.query(d, p), () => { const f = jit(jp.query.bind(jp), { tiering: HOT }); return { fn: f, run: ([d, p]) => f(d, p) }; }, pairs);
  });
  it("is-my-json-valid: the generated validator tiered", () => {
    const validator = require_("is-my-json-valid") as Fn;
    const validate = validator({ type: "object", required: ["name", "age"], additionalProperties: false, properties: { name: { type: "string", minLength: 2 }, age: { type: "integer", minimum: 0 }, email: { type: "string", pattern: "^\\S+@\\S+$" }, tags: { type: "array", items: { type: "string" }, uniqueItems: true }, nested: { type: "object" } } }, { greedy: true });
    agrees("jit(validator(schema)) (tiering)", (u) => [validate(u), validate.errors], () => { const f = jit(validate, { tiering: HOT }); return { fn: f, run: (u) => [f(u), validate.errors] }; }, users);
  });
  it("v8n: a rule chain's test and check, on `this`, bound and tiered", () => {
    const v8n = require_("v8n") as Fn;
    const rule = v8n().schema({ name: v8n().string().minLength(2), age: v8n().number().integer().positive(), tags: v8n().optional(v8n().array().every.string()) });
    const proto = Object.getPrototypeOf(rule) as { test: Fn; check: Fn };
    agrees("jit(proto.test, { specialize: { this: rule } }), v8n", (u) => rule.test(u), () => { const f = jit(proto.test, { specialize: { this: rule } }); return { fn: f, run: (u) => f.call(rule, u) }; }, users);
    agrees("jit(rule.check.bind(rule)) (tiering), v8n, which throws", (u) => rule.check(u), () => { const f = jit(rule.check.bind(rule), { tiering: HOT }); return { fn: f, run: (u) => f(u) }; }, users);
  });
  it("schema-inspector: validate specialized on its schema, and tiered", () => {
    const inspector = require_("schema-inspector") as { validate: Fn };
    const schema = { type: "object", strict: false, properties: { name: { type: "string", minLength: 2 }, age: { type: "integer", gte: 0 }, email: { type: "string", optional: true, pattern: "email" }, tags: { type: ["array", "string"], optional: true, items: { type: "string" } } } };
    const report = (x: { valid: boolean; format: () => string }) => [x.valid, x.format()];
    agrees("jit(inspector.validate, { specialize: { schema } })", (u) => report(inspector.validate(schema, u)), () => { const f = jit(inspector.validate, { specialize: { schema } }); return { fn: f, run: (u) => report(f(schema, u)) }; }, users, [schema]);
    agrees("jit(inspector.validate) (tiering)", (u) => report(inspector.validate(schema, u)), () => { const f = jit(inspector.validate, { tiering: HOT }); return { fn: f, run: (u) => report(f(schema, u)) }; }, users, [schema]);
  });
});

describe("diffs and serializers", () => {
  const value = (r: Random, depth = 0): unknown => {
    const k = r();
    if (depth > 2 || k < 0.4) return scalar(r);
    if (k < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = Math.floor(r() * 4); i > 0; i--) o[pick(r, ["a", "b", "c", "1", "x y", "__proto__x", "constructor"])] = value(r, depth + 1);
    if (r() < 0.1) o.when = new Date(pick(r, [0, 1e12, -1])); // not NaN: the check compares a nested invalid Date as unequal to itself
    return o;
  };
  const pairs = generate(406, COUNT, (r) => { const a = value(r); return [a, r() < 0.3 ? structuredClone(a) : value(r)]; });
  it("microdiff: diff tiered and specialized on its options", async () => {
    const diff = (await import("microdiff")).default as unknown as Fn;
    const options = { cyclesFix: false };
    const objects = pairs.filter(([a, b]) => a !== null && b !== null && typeof a === "object" && typeof b === "object");
    agrees("jit(diff) (tiering), microdiff", ([a, b]) => diff(a, b), () => { const f = jit(diff, { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, objects);
    agrees("jit(diff, { specialize: { options } }), microdiff", ([a, b]) => diff(a, b, options), () => { const f = jit(diff, { specialize: { options } }); return { fn: f, run: ([a, b]) => f(a, b, options) }; }, objects, [options]);
  });
  it("fast-diff: diff tiered", () => {
    const diff = require_("fast-diff") as Fn;
    const texts = generate(407, COUNT, (r) => { const a = Array.from({ length: Math.floor(r() * 12) }, () => pick(r, ["a", "b", "c", " ", "😀", "\n", "ab"])).join(""); let b = a.split(""); for (let i = Math.floor(r() * 4); i > 0; i--) b.splice(Math.floor(r() * (b.length + 1)), Math.floor(r() * 2), pick(r, ["x", "a", ""])); return [a, b.join(""), pick(r, [undefined, 0, 3, { index: 1, length: 0 }])]; });
    agrees("jit(diff) (tiering), fast-diff", ([a, b, c]) => diff(a, b, c), () => { const f = jit(diff, { tiering: HOT }); return { fn: f, run: ([a, b, c]) => f(a, b, c) }; }, texts);
  });
  it("javascript-stringify and json-stable-stringify: specialized on their options, and tiered", async () => {
    const { stringify } = (await import("javascript-stringify")) as unknown as { stringify: Fn };
    const values = pairs.map(([a]) => a);
    agrees("jit(stringify, { specialize: { indent: 2 } }), javascript-stringify", (v) => stringify(v, null, 2), () => { const f = jit(stringify, { specialize: { indent: 2 } }); return { fn: f, run: (v) => f(v, null, 2) }; }, values);
    agrees("jit(stringify) (tiering), javascript-stringify", (v) => stringify(v), () => { const f = jit(stringify, { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values);
    const stable = require_("json-stable-stringify") as Fn;
    const opts = { space: " ", cycles: true };
    agrees("jit(stable, { specialize: { opts } }), json-stable-stringify", (v) => stable(v, opts), () => { const f = jit(stable, { specialize: { opts } }); return { fn: f, run: (v) => f(v, opts) }; }, values, [opts]);
    agrees("jit(stable) (tiering), json-stable-stringify", (v) => stable(v), () => { const f = jit(stable, { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values);
  });
});
