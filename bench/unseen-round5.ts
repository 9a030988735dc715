/**
 * Speed of round 5's natural `jit()` uses (test/real/unseen-round5.test.ts) next to the library, in
 * one process: `flock /tmp/kos-bench.lock node dist/bench/unseen-round5.js [label,label…]`, timed by
 * bench/unseen-measure.ts (a call site of its own per variant; CPU medians of 7 interleaved rounds,
 * every variant warmed 2,000 calls). Tiering uses tier up at 50 calls. After each line: where each
 * jitted variant ended (tier 1, or the fallback's reason), and how long each explicit `jit()` took.
 */
import { createRequire } from "node:module";
import { inspect, jit } from "../index.js";
import { many, pick, useRunner, type Fn } from "./unseen-measure.js";

const require_ = createRequire(import.meta.url);
const HOT = { hotCalls: 50 };
const { run, wanted } = useRunner(process.argv[2]?.split(","), inspect);
type Any = any;

const users = many(200, (i) => ({
  name: pick(i, ["Ann", "Bob", "Cy"]), age: (i * 7) % 90, status: pick(i, ["active", "blocked", "pending"]), email: pick(i, ["a@b.co", "bad"]),
  tags: pick(i, [["a"], ["a", "vip"], []]), address: { country: pick(i, ["FR", "DE", "US"]), zip: "75001" },
  orders: many(i % 4, (k) => ({ total: k * 60.5, paid: k % 2 === 0 })),
}));

// Expression languages.
if (wanted("angular-expressions")) {
  const expressions = require_("angular-expressions") as Any;
  const evaluate = expressions.compile("age >= 18 && status == 'active' ? name + ' (' + address.country + ')' : tags.length > 1 ? tags[1] : orders[0].total * 2");
  const t = jit(evaluate, { tiering: HOT }), s = jit(evaluate, { specialize: { this: undefined } });
  run("angular-expressions", { original: evaluate, tiering: t as Fn, specialized: s as Fn }, { tiering: t, specialized: s }, users);
}
if (wanted("cel")) {
  const cel = (await import("@marcbachmann/cel-js")) as unknown as Any;
  const expression = "user.age >= 18.0 && user.status == 'active' && ('vip' in user.tags || size(user.orders) > 2) ? user.name + '!' : 'no'";
  const contexts = users.map((u) => ({ user: { ...u, age: u.age + 0.5 } }));
  const s = jit(cel.evaluate, { specialize: { expression } }), t = jit(cel.evaluate, { tiering: HOT });
  run("cel evaluate", { original: (c) => cel.evaluate(expression, c), specialized: (c) => s(expression, c), tiering: (c) => t(expression, c) }, { specialized: s, tiering: t }, contexts);
}

// Templates, queries and paths.
if (wanted("json-e")) {
  const jsone = require_("json-e") as Any;
  const template = { greeting: { $if: "age >= 18", then: { $eval: "name + '!'" }, else: "minor" }, total: { $eval: "len(orders)" }, country: { $eval: "address.country" } };
  const s = jit(jsone, { specialize: { template } }), t = jit(jsone, { tiering: HOT });
  run("json-e", { original: (c) => jsone(template, c), specialized: (c) => s(template, c), tiering: (c) => t(template, c) }, { specialized: s, tiering: t }, users);
}
if (wanted("nedb")) {
  const model = require_("@seald-io/nedb/lib/model.js") as Any;
  const query = { age: { $gte: 18, $lt: 65 }, status: { $in: ["active", "pending"] }, "address.country": { $ne: "US" }, tags: "vip" };
  const s = jit(model.match, { specialize: { query } }), t = jit(model.match, { tiering: HOT });
  run("nedb match", { original: (d) => model.match(d, query), specialized: (d) => s(d, query), tiering: (d) => t(d, query) }, { specialized: s, tiering: t }, users);
}
if (wanted("jsonpath-rfc9535")) {
  const jp = (await import("jsonpath-rfc9535")) as unknown as Any;
  const stores = many(200, (i) => ({ store: { book: users.slice(i % 50, (i % 50) + (i % 6)), bicycle: { color: "red", price: i } } }));
  const expression = "$.store.book[?@.age > 17].name";
  const s = jit(jp.query, { specialize: { expression } }), t = jit(jp.query, { tiering: HOT });
  run("jsonpath-rfc9535 query", { original: (d) => jp.query(d, expression), specialized: (d) => s(d, expression), tiering: (d) => t(d, expression) }, { specialized: s, tiering: t }, stores);
}

// Validators, comparators and serializers.
if (wanted("json-schema-library")) {
  const jsl = (await import("json-schema-library")) as unknown as Any;
  const node = jsl.compileSchema({
    type: "object", required: ["name", "age"],
    properties: { name: { type: "string", minLength: 2 }, age: { type: "integer", minimum: 0 }, status: { enum: ["active", "blocked", "pending"] }, tags: { type: "array", items: { type: "string" } }, address: { type: "object", properties: { country: { type: "string", maxLength: 2 } } }, orders: { type: "array", items: { type: "object", properties: { total: { type: "number" }, paid: { type: "boolean" } } } } },
  });
  const proto = Object.getPrototypeOf(node);
  const validate = proto && typeof proto.validate === "function" ? proto.validate : node.validate;
  const s = jit(validate, { specialize: { this: node } }), b = jit(node.validate.bind(node), { tiering: HOT });
  run("json-schema-library validate", { original: (u) => node.validate(u), specialized: (u) => s.call(node, u), bound: b as Fn }, { specialized: s, bound: b }, users);
}
if (wanted("fast-equals")) {
  const fe = (await import("fast-equals")) as unknown as Any;
  const expected = { name: "Ann", age: 42, status: "active", email: "a@b.co", tags: ["a", "vip"], address: { country: "FR", zip: "75001" }, orders: [{ total: 0, paid: true }] };
  const t = jit(fe.deepEqual, { tiering: HOT }), s = jit(fe.strictDeepEqual, { specialize: { a: expected } });
  const inputs = users.map((u, i) => (i % 5 === 0 ? structuredClone(expected) : u));
  run("fast-equals", { original: (u) => fe.deepEqual(expected, u), tiering: (u) => t(expected, u), strictOriginal: (u) => fe.strictDeepEqual(expected, u), specialized: (u) => s(expected, u) }, { tiering: t, specialized: s }, inputs);
}
if (wanted("superjson")) {
  const SuperJSON = ((await import("superjson")) as unknown as Any).default;
  const values = users.map((u, i) => (i % 3 === 0 ? { u, when: new Date(i * 1e9), big: BigInt(i), set: new Set([i, "a"]) } : u));
  const t = jit(SuperJSON.serialize, { tiering: HOT });
  run("superjson serialize", { original: (v) => SuperJSON.serialize(v), tiering: t as Fn }, { tiering: t }, values);
}
