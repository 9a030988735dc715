/**
 * Eight more npm libraries, tried the way a new user would: schema validators (superstruct, joi,
 * tv4, z-schema), template engines (nunjucks, eta), a fuzzy search (fuse.js) and a JSON query
 * language (json-query), each through its natural `jit()` use with no `scope`: the explicit form
 * on the library's own object (a struct, a compiled template, a schema held by `this`) and, where
 * a program would call it thousands of times, plain tiering. None of them has a fixture of its own
 * or a hand-written twin; they are here for what kos promises on code it has not seen: on 2,000
 * seeded inputs (values of every type in every field, inputs that fail and inputs that throw) each
 * use agrees with the library (value, or error class and message, and the input after the call),
 * and no object of the library is frozen by it.
 *
 * Found while trying them (2026-12-07): superstruct's work is in generators, which kos does not
 * compile, and its explicit version gains nothing; nunjucks's explicit version throws so much more
 * slowly than the library (V8 words each error by parsing the function again) that the gain check
 * drops it. Both run as the original, exactly. minimatch was left out: `Minimatch#match` answers
 * the same input differently on its second call (a cache it fills on a failing call), so it cannot
 * be compared call for call.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import * as superstruct from "superstruct";
import Joi from "joi";
import { Eta } from "eta";
import Fuse from "fuse.js";
import { inspect, jit } from "../../index.js";
import { anyFrozen, differential, generate, makeNatural, pick, TEST_COUNT, TEST_SEED, type Runner } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";

const require_ = createRequire(import.meta.url);
type Tv4 = { validateResult(data: unknown, schema: object): { valid: boolean; error: { message: string; dataPath: string } | null } };
const tv4 = require_("tv4") as Tv4;
type ZSchemaValidator = { validate(json: unknown, schema: object): boolean; getLastErrors(): unknown };
// z-schema 6: the last major that runs on Node 20 (7 and later declare node >= 22).
const ZSchema = require_("z-schema") as new (options: object) => ZSchemaValidator;
type NunjucksTemplate = { render(context: object): string };
const nunjucks = require_("nunjucks") as { Environment: new (loader: null, options: object) => object; compile(src: string, env: object): NunjucksTemplate };
const jsonQuery = require_("json-query") as (query: string, options: { data: unknown }) => { value: unknown };

/** A value of any type, the edge cases of each. */
const anyValue = (r: Random): unknown => pick(r, [undefined, null, 0, -0, NaN, 1.5, 42, -3, "", "ab", "<b>&'\"", true, false, [], ["a", 2], {}, { a: 1 }]);
const sometimes = <T>(r: Random, usual: () => T): unknown => (r() < 0.8 ? usual() : anyValue(r));

/** A sign-up record: right most of the time, each field wrong or missing now and then, the whole record something else at times. */
function signup(r: Random): unknown {
  if (r() < 0.03) return anyValue(r);
  const o: Record<string, unknown> = {
    name: sometimes(r, () => pick(r, ["alice", "bo", "carolinexxxxxxxx", "dave"])),
    email: sometimes(r, () => pick(r, ["a@b.co", "x", "bob@example.com"])),
    age: sometimes(r, () => pick(r, [1, 18, 30, 99, 150, 20.5])),
    plan: sometimes(r, () => pick(r, ["free", "pro", "team", "gold"])),
    tags: sometimes(r, () => pick(r, [[], ["a", "b"], ["x", 1], ["longtagxxxxxxxxxxxxxxx"]])),
    address: sometimes(r, () => ({ city: pick(r, ["Paris", "", 3]), zip: pick(r, ["75001", "1", undefined]) })),
    active: sometimes(r, () => pick(r, [true, false])),
    score: sometimes(r, () => pick(r, [0, 0.5, 1, 2, -1])),
  };
  if (r() < 0.1) delete o.name;
  if (r() < 0.05) o.extra = 1;
  return o;
}

/** A page's context: a name, a list of items with titles and prices, flags. */
function page(r: Random): unknown {
  return {
    name: sometimes(r, () => pick(r, ["Ann", "<Bob>", "Cé"])),
    items: sometimes(r, () => Array.from({ length: Math.floor(r() * 4) }, () => ({ title: pick(r, ["x", "y&z", anyValue(r)]), price: pick(r, [1, 2.5, -0, NaN, "3"]) }))),
    admin: anyValue(r),
    n: pick(r, [0, 1, 2, 10]),
  };
}

/**
 * Asserts that the use agrees with the original on TEST_COUNT seeded inputs, twice over for a
 * tiering use (its compiled code, if it tiers up, runs the second pass), and froze nothing.
 */
function agrees(original: Runner, use: { label: string; tiering: boolean; make(): { fn: Function; run: Runner } }, inputs: unknown[], owned: object): Function {
  const frozenBefore = anyFrozen(owned);
  const { fn, run } = makeNatural({ ...use, why: "" });
  const report = differential(original, run, inputs);
  if (use.tiering) report.mismatches.push(...differential(original, run, inputs).mismatches);
  expect(report.mismatches.slice(0, 5), use.label).toEqual([]);
  expect(anyFrozen(owned), `${use.label} froze an object of the library`).toBe(frozenBefore);
  return fn;
}

describe("schema validators", () => {
  const inputs = generate(TEST_SEED, TEST_COUNT, signup);
  const s = superstruct;
  const User = s.object({
    name: s.size(s.string(), 3, 10),
    email: s.pattern(s.string(), /@/),
    age: s.min(s.integer(), 13),
    plan: s.enums(["free", "pro", "team"]),
    tags: s.array(s.size(s.string(), 1, 10)),
    address: s.object({ city: s.string(), zip: s.optional(s.string()) }),
    active: s.boolean(),
    score: s.optional(s.number()),
  });

  it("superstruct: jit(is, { specialize: { struct } }) and tiering jit(is)", () => {
    const original = (v: unknown) => s.is(v, User);
    const fn = agrees(original, { label: "jit(s.is, { specialize: { struct: User } })", tiering: false, make: () => { const f = jit(s.is, { specialize: { struct: User } }); return { fn: f, run: (v) => f(v, User) }; } }, inputs, User);
    expect(inspect(fn)!.fallbackReason).toBeNull();
    agrees(original, { label: "jit(s.is)", tiering: true, make: () => { const f = jit(s.is); return { fn: f, run: (v) => f(v, User) }; } }, inputs, User);
  });

  it("superstruct: jit(validate, { specialize: { struct } }): the same failure, message and path", () => {
    // The first failure of the tuple validate returns; its message names the path and the value.
    const project = (r: unknown) => {
      const [error, value] = r as [superstruct.StructError | undefined, unknown];
      return error ? { message: error.message, path: error.path, type: error.type, failures: error.failures().length } : { value };
    };
    const original = (v: unknown) => project(s.validate(v, User));
    agrees(original, { label: "jit(s.validate, { specialize: { struct: User } })", tiering: false, make: () => { const f = jit(s.validate, { specialize: { struct: User } }); return { fn: f, run: (v) => project(f(v, User)) }; } }, inputs, User);
  });

  it("joi: jit(schema.validate, { specialize: { this: schema } }) and tiering jit(schema.validate.bind(schema))", () => {
    const schema = Joi.object({
      name: Joi.string().min(3).max(10).required(),
      email: Joi.string().pattern(/@/),
      age: Joi.number().integer().min(13),
      plan: Joi.valid("free", "pro", "team"),
      tags: Joi.array().items(Joi.string().min(1)),
      address: Joi.object({ city: Joi.string(), zip: Joi.string() }),
      active: Joi.boolean(),
      score: Joi.number().max(1),
    });
    // joi returns a converted copy of the value and an error with its details.
    const project = (r: unknown) => {
      const { error, value } = r as Joi.ValidationResult;
      return { value, error: error ? { message: error.message, details: error.details.map((d) => [d.type, d.path]) } : null };
    };
    const original = (v: unknown) => project(schema.validate(v));
    agrees(original, { label: "jit(schema.validate, { specialize: { this: schema } })", tiering: false, make: () => { const f = jit(schema.validate, { specialize: { this: schema } }); return { fn: f, run: (v) => project(f.call(schema, v)) }; } }, inputs, schema);
    agrees(original, { label: "jit(schema.validate.bind(schema))", tiering: true, make: () => { const f = jit(schema.validate.bind(schema)); return { fn: f, run: (v) => project(f(v)) }; } }, inputs, schema);
  });

  const jsonSchema = {
    type: "object",
    required: ["name", "email", "age"],
    properties: {
      name: { type: "string", minLength: 3, maxLength: 10 },
      email: { type: "string", pattern: "@" },
      age: { type: "integer", minimum: 13 },
      plan: { enum: ["free", "pro", "team"] },
      tags: { type: "array", items: { type: "string", minLength: 1 } },
      address: { type: "object", properties: { city: { type: "string" }, zip: { type: "string" } }, required: ["city"] },
      active: { type: "boolean" },
      score: { type: "number", maximum: 1 },
    },
  };

  it("tv4: jit(tv4.validateResult, { specialize: { this: tv4 } })", () => {
    const project = (r: unknown) => {
      const { valid, error } = r as ReturnType<Tv4["validateResult"]>;
      return { valid, message: error?.message, path: error?.dataPath };
    };
    const original = (v: unknown) => project(tv4.validateResult(v, jsonSchema));
    agrees(original, { label: "jit(tv4.validateResult, { specialize: { this: tv4 } })", tiering: false, make: () => { const f = jit(tv4.validateResult, { specialize: { this: tv4 } }); return { fn: f, run: (v) => project(f.call(tv4, v, jsonSchema)) }; } }, inputs, jsonSchema);
  });

  it("z-schema: jit(validator.validate, { specialize: { this: validator } }), its last errors included", () => {
    const validator = new ZSchema({});
    // z-schema keeps the errors of the last call on the validator: read right after each call.
    const project = (valid: unknown) => ({ valid, errors: JSON.stringify(validator.getLastErrors()) });
    const original = (v: unknown) => project(validator.validate(v, jsonSchema));
    agrees(original, { label: "jit(validator.validate, { specialize: { this: validator } })", tiering: false, make: () => { const f = jit(validator.validate, { specialize: { this: validator } }); return { fn: f, run: (v) => project(f.call(validator, v, jsonSchema)) }; } }, inputs, jsonSchema);
  });
});

describe("template engines", () => {
  const inputs = generate(TEST_SEED + 2, TEST_COUNT, page);

  it("nunjucks: jit(template.render, { specialize: { this: template } }) and tiering jit(template.render.bind(template))", () => {
    const env = new nunjucks.Environment(null, { autoescape: true });
    const template = nunjucks.compile("Hi {{ name }}! {% if admin %}[admin]{% endif %}{% for it in items %}<li>{{ it.title | upper }} {{ it.price }}</li>{% else %}none{% endfor %} n={{ n * 2 }}", env);
    const original = (v: object) => template.render(v);
    agrees(original, { label: "jit(template.render, { specialize: { this: template } })", tiering: false, make: () => { const f = jit(template.render, { specialize: { this: template } }); return { fn: f, run: (v) => f.call(template, v) }; } }, inputs, template);
    agrees(original, { label: "jit(template.render.bind(template))", tiering: true, make: () => { const f = jit(template.render.bind(template)); return { fn: f, run: (v) => f(v) }; } }, inputs, template);
  });

  it("eta: jit(eta.renderString, { specialize: { this: eta, template } })", () => {
    const eta = new Eta({ autoEscape: true });
    const template = "Hi <%= it.name %>! <% if (it.admin) { %>[admin]<% } %><% (Array.isArray(it.items) ? it.items : []).forEach(function (x) { %><li><%= x && x.title %></li><% }) %>";
    const original = (v: object) => eta.renderString(template, v);
    const fn = agrees(original, { label: "jit(eta.renderString, { specialize: { this: eta, template } })", tiering: false, make: () => { const f = jit(eta.renderString, { specialize: { this: eta, template } }); return { fn: f, run: (v) => f.call(eta, template, v) }; } }, inputs, eta);
    expect(inspect(fn)!.tier).toBe(1);
  });
});

describe("search and query", () => {
  it("fuse.js: jit(fuse.search, { specialize: { this: fuse } })", () => {
    const books = [
      { title: "Old Man's War", author: "John Scalzi" },
      { title: "The Lock Artist", author: "Steve Hamilton" },
      { title: "HTML5", author: "Remy Sharp" },
      { title: "Right Ho Jeeves", author: "P.D. Woodhouse" },
    ];
    const fuse = new Fuse(books, { keys: ["title", "author"], includeScore: true });
    const inputs = generate(TEST_SEED + 3, TEST_COUNT, (r) => (r() < 0.9 ? pick(r, ["old", "artist", "remy", "xx", "", "scalzi john", "h", "jeves", "WAR"]) : anyValue(r)));
    const original = (q: string) => fuse.search(q);
    const fn = agrees(original, { label: "jit(fuse.search, { specialize: { this: fuse } })", tiering: false, make: () => { const f = jit(fuse.search, { specialize: { this: fuse } }); return { fn: f, run: (q) => f.call(fuse, q) }; } }, inputs, books);
    expect(inspect(fn)!.tier).toBe(1);
  });

  it("json-query: jit(jsonQuery, { specialize: { query } })", () => {
    const query = "items[price>1].title";
    const inputs = generate(TEST_SEED + 4, TEST_COUNT, page);
    const original = (data: unknown) => jsonQuery(query, { data }).value;
    const fn = agrees(original, { label: "jit(jsonQuery, { specialize: { query } })", tiering: false, make: () => { const f = jit(jsonQuery, { specialize: { query } }); return { fn: f, run: (data) => f(query, { data }).value }; } }, inputs, {});
    const info = inspect(fn)!;
    expect(info.tier).toBe(1);
    // The version was made before the library's query cache held the query: it folded the key as
    // absent, at a fork (after `options.params`) that every later call missed. Those misses made a
    // version on the filled cache (compiler/fork-misses.ts), which folds the parsed tokens.
    expect(info.history.map((h) => h.event)).toContain("respecialized");
    expect(info.versions).toHaveLength(1);
    expect(info.source).not.toContain(`"${query}" in`);
    expect(info.source).toContain(`["${query}"] === `);
  });
});
