/**
 * Round 5 of kos on npm code it had not seen (2026-12-08): expression languages (angular-expressions
 * 1.6, CEL through @marcbachmann/cel-js 8.0, JSONata 2.2, whose `evaluate` is async), a template
 * language (json-e 4.8), query matchers and paths (nedb's `model.match` from @seald-io/nedb 4.1,
 * jsonpath-rfc9535 1.3), a JSON Schema validator written as an interpreter (json-schema-library
 * 11.6, minified), a comparator built by a factory (fast-equals 6.2) and a serializer (superjson
 * 2.2), each through its natural `jit()` uses: specialized on its program, tiered, a method on
 * `this` or bound to its instance, the closure the library made. 2,000 seeded inputs per use, some
 * of which make the library throw, twice over where tiering must compile first.
 * docs/notes/unseen-libraries.md ("Round 5") has each use's tier and speed.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { inspect, jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agreesOnceCompiled as agrees, HOT } from "./unseen-helpers.js";

const require_ = createRequire(import.meta.url);
type Fn = (...a: any[]) => any;
const COUNT = 2000;

const scalar = (r: Random): unknown => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 2 ** 31, 2 ** 53 + 2, 5e-324, -33, Math.floor(r() * 200) - 100, "", "a", "0", "12", "<b>&\"'", "a😀", "\ud800", null, undefined, true, false]);
const record = (r: Random) => ({
  name: pick(r, ["Ann", "Bob", "Cy", "", 5, null, undefined]),
  age: pick(r, [0, -0, 17, 18, 42, NaN, 99, "30", null, 1.5, -1]),
  status: pick(r, ["active", "blocked", "pending", 1, undefined]),
  email: pick(r, ["a@b.co", "bad", undefined, 3]),
  tags: pick(r, [[], ["a"], ["a", "vip"], ["vip", 2], undefined, "vip"]),
  address: r() < 0.9 ? { country: pick(r, ["FR", "DE", "US", "", null]), zip: pick(r, ["75001", 10115, undefined]) } : pick(r, [null, "x", undefined]),
  orders: r() < 0.9 ? Array.from({ length: Math.floor(r() * 4) }, () => ({ total: pick(r, [0, 5, 120.5, -1, NaN, "9", null]), paid: pick(r, [true, false, 1, undefined]) })) : pick(r, [null, "x", 4]),
});
const users = generate(501, COUNT, (r) => (r() < 0.04 ? pick(r, [null, "str", 5, [], undefined]) : record(r)));

describe("expression languages", () => {
  it("angular-expressions: the compiled expression tiered, and specialized on the scope's absent locals", () => {
    const expressions = require_("angular-expressions") as { compile: Fn };
    const evaluate = expressions.compile("age >= 18 && status == 'active' ? name + ' (' + address.country + ')' : tags.length > 1 ? tags[1] : orders[0].total * 2");
    agrees("jit(expressions.compile(text)) (tiering)", (u) => evaluate(u), () => { const f = jit(evaluate, { tiering: HOT }); return { fn: f, run: (u) => f(u) }; }, users);
    // The function compile() returns reads its cache's compiled code at each call.
    agrees("jit(expressions.compile(text), { specialize: { this: undefined } })", (u) => evaluate(u), () => { const f = jit(evaluate, { specialize: { this: undefined } }); return { fn: f, run: (u) => f(u) }; }, users);
  });
  it("CEL (@marcbachmann/cel-js): evaluate specialized on its expression, and tiered; the parsed program tiered", async () => {
    const cel = (await import("@marcbachmann/cel-js")) as unknown as { evaluate: Fn; parse: Fn };
    const expression = "user.age >= 18.0 && user.status == 'active' && ('vip' in user.tags || size(user.orders) > 2) ? user.name + '!' : 'no'";
    // CEL is typed: a context whose values have the wrong types makes it throw, which is compared too.
    const contexts = generate(502, COUNT, (r) => ({ user: r() < 0.5 ? { age: pick(r, [17, 18, 42.5, 90, -1, 1e300]), status: pick(r, ["active", "blocked"]), tags: pick(r, [[], ["vip"], ["a", "b"]]), orders: pick(r, [[], [1], [1, 2, 3]]), name: pick(r, ["Ann", "", "a😀"]) } : record(r) }));
    agrees("jit(cel.evaluate, { specialize: { expression } })", (c) => cel.evaluate(expression, c), () => { const f = jit(cel.evaluate, { specialize: { expression } }); return { fn: f, run: (c) => f(expression, c) }; }, contexts);
    agrees("jit(cel.evaluate) (tiering)", (c) => cel.evaluate(expression, c), () => { const f = jit(cel.evaluate, { tiering: HOT }); return { fn: f, run: (c) => f(expression, c) }; }, contexts);
    const program = cel.parse(expression);
    agrees("jit(cel.parse(expression)) (tiering)", (c) => program(c), () => { const f = jit(program, { tiering: HOT }); return { fn: f, run: (c) => f(c) }; }, contexts);
  });
  it("JSONata: an expression's async evaluate falls back at jit() time, and still agrees", async () => {
    const jsonata = require_("jsonata") as Fn;
    const expr = jsonata("$sum(orders[paid = true].total) & ':' & $uppercase(name)") as { evaluate: Fn };
    const f = jit(expr.evaluate.bind(expr));
    const status = inspect(f);
    // Either settled at jit() time with a reason, or the bound function itself: never a compile of async code.
    if (status) expect(status.fallbackReason ?? "", "jsonata's evaluate is an async function").toMatch(/ASYNC|async/);
    const outcome = async (run: () => Promise<unknown>) => {
      try {
        return { ok: JSON.stringify(await run()) };
      } catch (e) {
        return { error: `${(e as Error)?.constructor?.name}: ${(e as { code?: string })?.code ?? ""} ${(e as Error)?.message}` };
      }
    };
    for (const u of users.slice(0, 300)) expect(await outcome(() => f(u)), JSON.stringify(u)).toEqual(await outcome(() => expr.evaluate(u)));
  });
});

describe("templates, queries and paths", () => {
  it("json-e: render specialized on its template, and tiered", () => {
    const jsone = require_("json-e") as Fn;
    const template = {
      greeting: { $if: "age >= 18", then: { $eval: "name + '!'" }, else: "minor" },
      tags: { $map: { $eval: "tags" }, "each(t)": { $eval: "str(t)" } },
      total: { $eval: "len(orders)" },
      country: { $eval: "address.country" },
      flags: { $let: { adult: { $eval: "age >= 18" } }, in: { adult: { $eval: "adult" }, status: "${status}" } },
    };
    // json-e throws on references to missing or mistyped context values: those errors are compared too.
    const contexts = users.filter((u) => u !== null && typeof u === "object" && !Array.isArray(u));
    agrees("jit(jsone, { specialize: { template } })", (c) => jsone(template, c), () => { const f = jit(jsone, { specialize: { template } }); return { fn: f, run: (c) => f(template, c) }; }, contexts, [template]);
    agrees("jit(jsone) (tiering)", (c) => jsone(template, c), () => { const f = jit(jsone, { tiering: HOT }); return { fn: f, run: (c) => f(template, c) }; }, contexts, [template]);
  });
  it("nedb: model.match specialized on its query, and tiered", () => {
    const model = require_("@seald-io/nedb/lib/model.js") as { match: Fn };
    const query = { $and: [{ age: { $gte: 18, $lt: 65 } }, { status: { $in: ["active", "pending"] } }], "address.country": { $ne: "US" }, tags: "vip", $or: [{ email: { $regex: /@/ } }, { "orders.total": { $gt: 100 } }], orders: { $elemMatch: { paid: true } } };
    const docs = users.filter((u) => u !== null && typeof u === "object" && !Array.isArray(u));
    agrees("jit(model.match, { specialize: { query } })", (d) => model.match(d, query), () => { const f = jit(model.match, { specialize: { query } }); return { fn: f, run: (d) => f(d, query) }; }, docs, [query]);
    agrees("jit(model.match) (tiering)", (d) => model.match(d, query), () => { const f = jit(model.match, { tiering: HOT }); return { fn: f, run: (d) => f(d, query) }; }, docs, [query]);
  });
  it("jsonpath-rfc9535: query specialized on its expression, and tiered on several", async () => {
    const jp = (await import("jsonpath-rfc9535")) as unknown as { query: Fn };
    const docs = generate(503, COUNT, (r) => ({ store: { book: Array.from({ length: Math.floor(r() * 5) }, () => record(r)), bicycle: { color: scalar(r), price: scalar(r) } } }));
    const expression = "$.store.book[?@.age > 17 && @.status == 'active'].name";
    agrees("jit(jp.query, { specialize: { expression } })", (d) => jp.query(d, expression), () => { const f = jit(jp.query, { specialize: { expression } }); return { fn: f, run: (d) => f(d, expression) }; }, docs);
    const paths = ["$..name", "$.store.book[0,1].tags[*]", "$.store.*.price", "$.store.book[-1:]", "$..country", "$.store.book[?length(@.tags) > 1]", "$["];
    const pairs = generate(504, COUNT, (r) => [docs[Math.floor(r() * docs.length)], pick(r, paths)]);
    agrees("jit(jp.query) (tiering), several paths, a bad one throws", ([d, p]) => jp.query(d, p), () => { const f = jit(jp.query, { tiering: HOT }); return { fn: f, run: ([d, p]) => f(d, p) }; }, pairs);
  });
});

describe("validators, comparators and serializers", () => {
  it("json-schema-library: a compiled schema's validate on `this`, bound and tiered", async () => {
    const jsl = (await import("json-schema-library")) as unknown as { compileSchema: Fn };
    const schema = {
      type: "object", required: ["name", "age"],
      properties: {
        name: { type: "string", minLength: 2 }, age: { type: "integer", minimum: 0, maximum: 120 }, status: { enum: ["active", "blocked", "pending"] },
        email: { type: "string", pattern: "^\\S+@\\S+$" }, tags: { type: "array", items: { type: "string" }, uniqueItems: true },
        address: { type: "object", properties: { country: { type: "string", maxLength: 2 }, zip: { type: ["string", "integer"] } } },
        orders: { type: "array", items: { type: "object", required: ["total"], properties: { total: { type: "number", minimum: 0 }, paid: { type: "boolean" } } } },
      },
    };
    const node = jsl.compileSchema(schema) as { validate: Fn };
    const report = (x: { valid: boolean; errors: Array<{ code: string; data?: { pointer?: string } }> }) => [x.valid, x.errors.map((e) => `${e.code} ${e.data?.pointer ?? ""}`)];
    const proto = Object.getPrototypeOf(node) as { validate: Fn } | null;
    const validate = (proto && typeof proto.validate === "function" ? proto : node).validate;
    agrees("jit(node.validate, { specialize: { this: node } })", (u) => report(node.validate(u)), () => { const f = jit(validate, { specialize: { this: node } }); return { fn: f, run: (u) => report(f.call(node, u)) }; }, users, [schema]);
    agrees("jit(node.validate.bind(node)) (tiering)", (u) => report(node.validate(u)), () => { const f = jit(node.validate.bind(node), { tiering: HOT }); return { fn: f, run: (u) => report(f(u)) }; }, users, [schema]);
  });
  it("fast-equals: the comparators its factories return, tiered", async () => {
    const fe = (await import("fast-equals")) as unknown as { deepEqual: Fn; createCustomEqual: Fn; strictDeepEqual: Fn };
    const expected = { name: "Ann", age: 42, tags: ["a", "vip"], address: { country: "FR", zip: "75001" }, orders: [{ total: 5, paid: true }] };
    const pairs = generate(505, COUNT, (r) => (r() < 0.2 ? structuredClone(expected) : record(r)));
    agrees("jit(deepEqual) (tiering), one side constant", (u) => fe.deepEqual(expected, u), () => { const f = jit(fe.deepEqual, { tiering: HOT }); return { fn: f, run: (u) => f(expected, u) }; }, pairs, [expected]);
    agrees("jit(strictDeepEqual, { specialize: { a: expected } })", (u) => fe.strictDeepEqual(expected, u), () => { const f = jit(fe.strictDeepEqual, { specialize: { a: expected } }); return { fn: f, run: (u) => f(expected, u) }; }, pairs, [expected]);
    const loose = fe.createCustomEqual({ createCustomConfig: () => ({ areNumbersEqual: (a: number, b: number) => Math.abs(a - b) < 1e-9 || (a !== a && b !== b) }) }) as Fn;
    agrees("jit(createCustomEqual(options)) (tiering)", (u) => loose(expected, u), () => { const f = jit(loose, { tiering: HOT }); return { fn: f, run: (u) => f(expected, u) }; }, pairs, [expected]);
  });
  it("superjson: stringify and serialize, bound and tiered", async () => {
    const SuperJSON = ((await import("superjson")) as unknown as { default: { stringify: Fn; serialize: Fn } }).default;
    const values = generate(506, COUNT, (r) => {
      const u = record(r);
      return r() < 0.3 ? { u, when: new Date(pick(r, [0, 1e12, -1])) /* not NaN: the check compares a nested invalid Date as unequal to itself */, big: pick(r, [1n, -(2n ** 70n)]), set: new Set([1, "a"]), map: new Map([["k", u]]), re: /a+/gi, undef: undefined, nan: NaN, neg: -0 } : u;
    });
    agrees("jit(SuperJSON.stringify) (tiering)", (v) => SuperJSON.stringify(v), () => { const f = jit(SuperJSON.stringify, { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values);
    agrees("jit(SuperJSON.serialize) (tiering)", (v) => JSON.stringify(SuperJSON.serialize(v)), () => { const f = jit(SuperJSON.serialize, { tiering: HOT }); return { fn: f, run: (v) => JSON.stringify(f(v)) }; }, values);
  });
});
