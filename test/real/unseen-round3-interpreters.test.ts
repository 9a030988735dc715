/**
 * Round 3 of kos on npm code it had not seen (2026-12-07): interpreters driven by configuration.
 * Expression evaluators (math-expression-evaluator 2.0, fparser 4.2), template engines (hogan.js
 * 3.0, tempura 0.4, template7 1.4, pupa 3.3), rule and query engines (json-rules-engine 7.3's
 * operators, underscore-query 3.3, @jsonquerylang/jsonquery 5.1) and schema validators
 * (fastest-validator 1.19, runtypes 7.0, myzod 1.12, io-ts 2.2, computed-types 1.11), each through
 * its natural `jit()` uses: specialized on its program, a method with `specialize: { this }`, a
 * method bound to its instance and tiered, the library's compiled closure tiered. 2,000 seeded
 * inputs per use, some of which make the library throw, twice over (the second pass runs what
 * tiering compiled). docs/notes/unseen-libraries.md ("Round 3") has each use's tier and speed.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { inspect, jit } from "../../index.js";
import { generate, pick } from "../../fixtures/real/common.js";
import type { Random } from "../../fixtures/random.js";
import { agrees as agreesOnce, HOT } from "./unseen-helpers.js";

/** `agrees`, and with UNSEEN_STATUS set, prints where the use ended (for the notes' table). */
const agrees: typeof agreesOnce = (label, ...rest) => {
  const fn = agreesOnce(label, ...rest);
  const s = process.env.UNSEEN_STATUS ? inspect(fn) : null;
  if (s) console.log(`STATUS ${label} | ${s.tier} | ${s.fallbackReason ?? ""} | deopts ${s.deopts} | ${s.history.map((h) => h.event + (h.detail ? ":" + h.detail.slice(0, 80) : "")).join(", ")}`);
  return fn;
};

const require_ = createRequire(import.meta.url);
type Fn = (...a: any[]) => any;
const COUNT = 2000;

const scalar = (r: Random): unknown => pick(r, [0, -0, NaN, Infinity, -Infinity, 1, -1, 0.5, 2 ** 31, 2 ** 53 + 2, 5e-324, -33, Math.floor(r() * 200) - 100, "", "a", "0", "12", "<b>&\"'", "a😀", "\ud800", null, undefined, true, false]);

describe("expression evaluators", () => {
  it("math-expression-evaluator: eval bound and tiered, postfixEval on `this` and specialized on its postfix", () => {
    const Mexp = require_("math-expression-evaluator") as { new (): { eval: Fn; lex: Fn; toPostfix: Fn; postfixEval: Fn }; prototype: { eval: Fn; postfixEval: Fn } };
    const mexp = new Mexp();
    const exprs = generate(101, COUNT, (r) => {
      let s = pick(r, ["x", "2", "pi", "0.5", "(1+x)", "sin(x)", "y"]);
      for (let i = Math.floor(r() * 5); i > 0; i--) s += pick(r, ["+", "-", "*", "/", "^", "Mod"]) + pick(r, ["x", "3", "e", "cos(y)", "log(x)", "2!", "(x-y)", "sqrt(4)", "root(9)", "tan(0)"]);
      if (r() < 0.05) s += pick(r, ["+", ")", "(", "foo", "*/"]);
      return [s, { x: pick(r, [0, -0, 1, 2.5, -3, NaN, 1e308]), y: pick(r, [1, -2, 0.25, Infinity]) }];
    });
    const tokens = [{ type: 3, token: "x", show: "x", value: "x" }, { type: 3, token: "y", show: "y", value: "y" }];
    agrees("jit(mexp.eval.bind(mexp)) (tiering)", ([s, v]) => mexp.eval(s, tokens, v), () => { const f = jit(mexp.eval.bind(mexp), { tiering: HOT }); return { fn: f, run: ([s, v]) => f(s, tokens, v) }; }, exprs, [mexp]);
    agrees("jit(Mexp.prototype.eval, { specialize: { this: mexp } })", ([s, v]) => mexp.eval(s, tokens, v), () => { const f = jit(Mexp.prototype.eval, { specialize: { this: mexp } }); return { fn: f, run: ([s, v]) => f.call(mexp, s, tokens, v) }; }, exprs, [mexp]);
    const postfix = mexp.toPostfix(mexp.lex("x^2 + sin(y)*3 - x/y Mod 2", tokens));
    const pairs = generate(102, COUNT, (r) => ({ x: pick(r, [0, -0, 1, 2.5, -3, NaN, 1e308, r() * 100]), y: pick(r, [1, -2, 0.25, Infinity, 0]) }));
    const postfixFn = jit(mexp.postfixEval, { specialize: { this: mexp, e: postfix } });
    agrees("jit(mexp.postfixEval, { specialize: { this: mexp, e: postfix } })", (v) => mexp.postfixEval(postfix, v), () => ({ fn: postfixFn, run: (v) => postfixFn.call(mexp, postfix, v) }), pairs, [mexp, postfix]);
    agrees("jit(mexp.postfixEval) (tiering), called on mexp", (v) => mexp.postfixEval(postfix, v), () => { const f = jit(mexp.postfixEval, { tiering: HOT }); return { fn: f, run: (v) => f.call(mexp, postfix, v) }; }, pairs, [mexp, postfix]);
  });
  it("fparser: a Formula's evaluate bound and tiered, on `this`, and on fresh formulas", async () => {
    const Formula = (await import("fparser")).default as unknown as { new (s: string): { evaluate: Fn }; prototype: { evaluate: Fn } };
    const formula = new Formula("2*x + sin(y) / z^2 - PI * abs(x - y)");
    const values = generate(103, COUNT, (r) => { const v: Record<string, unknown> = { x: pick(r, [0, -0, 1, 2.5, -3, NaN, 1e308, r() * 100]), y: pick(r, [1, -2, 0.25, Infinity, "3"]), z: pick(r, [0, 1, -0, 2, 1e-200]) }; if (r() < 0.05) delete v[pick(r, ["x", "y", "z"])]; return v; });
    agrees("jit(formula.evaluate.bind(formula)) (tiering)", (v) => formula.evaluate(v), () => { const f = jit(formula.evaluate.bind(formula), { tiering: HOT }); return { fn: f, run: (v) => f(v) }; }, values, [formula]);
    agrees("jit(Formula.prototype.evaluate, { specialize: { this: formula } })", (v) => formula.evaluate(v), () => { const f = jit(Formula.prototype.evaluate, { specialize: { this: formula } }); return { fn: f, run: (v) => f.call(formula, v) }; }, values, [formula]);
    const texts = ["x * y + 1", "max(x, y, 3) / 2", "x^y", "sqrt(x) + [y]", "-x", "2*x + 3*y"];
    const built = texts.map((t) => new Formula(t));
    const fresh = generate(104, COUNT, (r) => [Math.floor(r() * texts.length), { x: pick(r, [0, 4, -1, 0.5, NaN]), y: pick(r, [2, -0, 3, 10]) }]);
    agrees("jit(Formula.prototype.evaluate) (tiering), on six formulas", ([i, v]) => built[i]!.evaluate(v), () => { const f = jit(Formula.prototype.evaluate, { tiering: HOT }); return { fn: f, run: ([i, v]) => f.call(built[i], v) }; }, fresh, built);
  });
});

describe("template engines", () => {
  const context = (r: Random) => ({ name: scalar(r), admin: r() < 0.5, items: Array.from({ length: Math.floor(r() * 4) }, () => ({ title: scalar(r), price: pick(r, [1.5, -0, NaN, 10, "3"]) })), raw: pick(r, ["<i>x</i>", "", 0, null]), nested: r() < 0.8 ? { deep: { v: scalar(r) } } : null });
  it("hogan.js: a compiled template's render bound, on `this`, and its compiled `r`", () => {
    const Hogan = require_("hogan.js") as { compile: Fn; Template: { prototype: { render: Fn } } };
    const template = Hogan.compile("<h1>{{name}}</h1>{{#admin}}<b>admin</b>{{/admin}}<ul>{{#items}}<li>{{title}} {{{price}}}</li>{{/items}}{{^items}}none{{/items}}</ul>{{{raw}}}{{nested.deep.v}}{{> part}}") as { render: Fn; r: Fn };
    const partials = { part: Hogan.compile("<p>{{name}}!</p>") };
    const contexts = generate(105, COUNT, context);
    agrees("jit(template.render.bind(template)) (tiering)", (c) => template.render(c, partials), () => { const f = jit(template.render.bind(template), { tiering: HOT }); return { fn: f, run: (c) => f(c, partials) }; }, contexts, [template, partials]);
    agrees("jit(Hogan.Template.prototype.render, { specialize: { this: template } })", (c) => template.render(c, partials), () => { const f = jit(Hogan.Template.prototype.render, { specialize: { this: template } }); return { fn: f, run: (c) => f.call(template, c, partials) }; }, contexts, [template, partials]);
  });
  it("tempura and template7: the compiled template tiered; pupa specialized on its template", async () => {
    const tempura = require_("tempura") as { compile: Fn };
    const render = tempura.compile("{{#expect name, admin, items, nested}}<h1>{{ name }}</h1>{{#if admin}}<b>admin</b>{{#elif items.length > 2}}many{{#else}}few{{/if}}<ul>{{#each items as it, i}}<li>{{ i }} {{ it.title }} {{{ it.price }}}</li>{{/each}}</ul>{{ nested && nested.deep.v }}") as Fn;
    const contexts = generate(106, COUNT, context);
    agrees("jit(tempura.compile(template)) (tiering)", (c) => render(c), () => { const f = jit(render, { tiering: HOT }); return { fn: f, run: (c) => f(c) }; }, contexts);
    const Template7 = require_("template7") as { compile: Fn };
    const t7 = Template7.compile("<h1>{{name}}</h1>{{#if admin}}<b>admin</b>{{else}}user{{/if}}<ul>{{#each items}}<li>{{@index}} {{title}} {{price}}</li>{{/each}}</ul>{{#with nested}}{{deep.v}}{{/with}}{{js \"this.items.length * 2\"}}") as Fn;
    agrees("jit(Template7.compile(template)) (tiering)", (c) => t7(c), () => { const f = jit(t7, { tiering: HOT }); return { fn: f, run: (c) => f(c) }; }, contexts);
    const pupa = (await import("pupa")).default as unknown as Fn;
    const template = "Hi {name}, {{raw}} x{items.0.title} {nested.deep.v} {missing}";
    agrees("jit(pupa, { specialize: { template } })", (c) => pupa(template, c, { ignoreMissing: true }), () => { const f = jit(pupa, { specialize: { template } }); return { fn: f, run: (c) => f(template, c, { ignoreMissing: true }) }; }, contexts);
    agrees("jit(pupa) (tiering), which throws on a missing key", (c) => pupa(template, c), () => { const f = jit(pupa, { tiering: HOT }); return { fn: f, run: (c) => f(template, c) }; }, contexts);
  });
});

describe("rule and query engines", () => {
  const record = (r: Random) => ({ name: pick(r, ["Ann", "Bob", "Cy", "", "ann"]), age: pick(r, [0, -0, 17, 18, 42, NaN, 99, "30", null]), city: pick(r, ["New York", "Paris", "Oslo", undefined]), tags: Array.from({ length: Math.floor(r() * 3) }, () => pick(r, ["a", "b", "vip", 1])), score: r() * 100 });
  it("json-rules-engine: its default operators' evaluate on `this`, bound and tiered", () => {
    const ops = (require_("json-rules-engine/dist/engine-default-operators.js") as { default: Array<{ name: string; evaluate: Fn }> }).default;
    const { Operator } = require_("json-rules-engine") as { Operator: { prototype: { evaluate: Fn } } };
    const pairs = generate(107, COUNT, (r) => [pick(r, [scalar(r), [1, "a"], ["vip"], "vip"]), pick(r, [scalar(r), [1, 2, "a"], ["vip", "b"], "a"])]);
    for (const op of ops) {
      agrees(`jit(Operator.prototype.evaluate, { specialize: { this: ${op.name} } })`, ([a, b]) => op.evaluate(a, b), () => { const f = jit(Operator.prototype.evaluate, { specialize: { this: op } }); return { fn: f, run: ([a, b]) => f.call(op, a, b) }; }, pairs, [op]);
    }
    const lessThan = ops.find((o) => o.name === "lessThan")!;
    agrees("jit(lessThan.evaluate.bind(lessThan)) (tiering)", ([a, b]) => lessThan.evaluate(a, b), () => { const f = jit(lessThan.evaluate.bind(lessThan), { tiering: HOT }); return { fn: f, run: ([a, b]) => f(a, b) }; }, pairs, [lessThan]);
  });
  it("underscore-query: _.query specialized on its query and tiered", () => {
    const _ = require_("underscore") as Record<string, Fn>;
    require_("underscore-query")(_);
    const query = { $or: [{ age: { $gt: 20 } }, { name: { $like: "n" } }], city: { $in: ["New York", "Paris"] }, tags: { $all: ["a"] }, score: { $between: [10, 90] } };
    const lists = generate(108, COUNT, (r) => Array.from({ length: Math.floor(r() * 5) }, () => record(r)));
    // _.query takes its query apart as it reads it (the object is left `{}`): each call gets its own.
    const copy = () => structuredClone(query);
    agrees("jit(_.query, { specialize: { query } })", (l) => _.query!(l, copy()), () => { const f = jit(_.query!, { specialize: { query: copy() } }); return { fn: f, run: (l) => f(l, copy()) }; }, lists);
    agrees("jit(_.query) (tiering)", (l) => _.query!(l, copy()), () => { const f = jit(_.query!, { tiering: HOT }); return { fn: f, run: (l) => f(l, copy()) }; }, lists);
    agrees("jit(_.query) (tiering), an unknown operator throws", (l) => _.query!(l, { age: { $nope: 1 } }), () => { const f = jit(_.query!, { tiering: HOT }); return { fn: f, run: (l) => f(l, { age: { $nope: 1 } }) }; }, lists);
  });
  it("@jsonquerylang/jsonquery: the compiled query tiered, jsonquery specialized on its query", async () => {
    const { compile, jsonquery, parse } = (await import("@jsonquerylang/jsonquery")) as unknown as { compile: Fn; jsonquery: Fn; parse: Fn };
    const text = ".friends | filter((.age > 20) and (.city != \"Oslo\")) | sort(.score, \"desc\") | map({ name: .name, n: size(.tags), s: round(.score, 1) }) | limit(3)";
    const query = parse(text);
    const compiled = compile(query) as Fn;
    const docs = generate(109, COUNT, (r) => ({ friends: r() < 0.03 ? "nope" : Array.from({ length: Math.floor(r() * 6) }, () => record(r)) }));
    agrees("jit(compile(query)) (tiering)", (d) => compiled(d), () => { const f = jit(compiled, { tiering: HOT }); return { fn: f, run: (d) => f(d) }; }, docs);
    agrees("jit(jsonquery, { specialize: { query } })", (d) => jsonquery(d, query), () => { const f = jit(jsonquery, { specialize: { query } }); return { fn: f, run: (d) => f(d, query) }; }, docs, [query]);
    // The bundle's `jsonquery(data, query, options)` is minified to `bt(t, e, n)`: `query` names no parameter.
    expect(inspect(jit(jsonquery, { specialize: { query } }))!.fallbackReason).toMatch(/^UNKNOWN_PARAMETER: 'query' is not a simple parameter/);
    agrees("jit(jsonquery, { specialize: { e: query } })", (d) => jsonquery(d, query), () => { const f = jit(jsonquery, { specialize: { e: query } }); return { fn: f, run: (d) => f(d, query) }; }, docs, [query]);
    agrees("jit(jsonquery) (tiering), on the text", (d) => jsonquery(d, text), () => { const f = jit(jsonquery, { tiering: HOT }); return { fn: f, run: (d) => f(d, text) }; }, docs);
  });
});

describe("schema validators", () => {
  const user = (r: Random) => {
    const u: Record<string, unknown> = { name: pick(r, ["Ann", "B", "", 5, null, "Bobby"]), age: pick(r, [1, 0, -1, 1.5, "3", NaN, 30, 2 ** 53 + 2, Infinity]), email: pick(r, ["a@b.co", "bad", "x@y", undefined]), tags: pick(r, [[], ["a"], ["a", 2], undefined, "a"]), role: pick(r, ["admin", "user", "root", undefined]) };
    if (r() < 0.05) return pick(r, [null, "str", 5, [], undefined]);
    if (r() < 0.2) u[pick(r, ["extra", "__proto__x", "1"])] = scalar(r);
    return u;
  };
  const users = generate(110, COUNT, user);
  it("fastest-validator: the compiled check tiered", () => {
    const Validator = require_("fastest-validator") as new () => { compile: Fn };
    const v = new Validator();
    const check = v.compile({ name: "string|min:2", age: "number|positive|integer", email: "email", tags: { type: "array", items: "string", optional: true }, role: { type: "enum", values: ["admin", "user"], optional: true }, $$strict: true });
    agrees("jit(v.compile(schema)) (tiering)", (u) => check(u), () => { const f = jit(check, { tiering: HOT }); return { fn: f, run: (u) => f(u) }; }, users);
  });
  it("runtypes, myzod, io-ts and computed-types: their checks, bound and on `this`", async () => {
    const R = require_("runtypes") as Record<string, any>;
    const rt = R.Object({ name: R.String.withConstraint((s: string) => s.length >= 2 || "too short"), age: R.Number.withGuard((n: unknown): n is number => Number.isInteger(n)), email: R.String.optional(), tags: R.Array(R.String).optional(), role: R.Union(R.Literal("admin"), R.Literal("user")).optional() });
    const inspectRt = (x: any) => (x.success ? x.value : { code: x.code, message: x.message, details: x.details });
    agrees("jit(T.check) (tiering), runtypes", (u) => rt.check(u), () => { const f = jit(rt.check, { tiering: HOT }); return { fn: f, run: (u) => f(u) }; }, users, [rt]);
    agrees("jit(T.inspect) (tiering), runtypes", (u) => inspectRt(rt.inspect(u)), () => { const f = jit(rt.inspect, { tiering: HOT }); return { fn: f, run: (u) => inspectRt(f(u)) }; }, users, [rt]);
    const mz = require_("myzod") as Record<string, any>;
    const schema = mz.object({ name: mz.string({ min: 2 }), age: mz.number().withPredicate(Number.isInteger, "not an integer"), email: mz.string().optional(), tags: mz.array(mz.string()).optional(), role: mz.literals("admin", "user").optional() }, { allowUnknown: true });
    const tried = (x: any) => (x instanceof Error ? { error: x.message, path: (x as any).path } : x);
    agrees("jit(schema.try.bind(schema)) (tiering), myzod", (u) => tried(schema.try(u)), () => { const f = jit(schema.try.bind(schema), { tiering: HOT }); return { fn: f, run: (u) => tried(f(u)) }; }, users, [schema]);
    agrees("jit(ObjectType.prototype.parse, { specialize: { this: schema } }), myzod", (u) => schema.parse(u), () => { const f = jit(Object.getPrototypeOf(schema).parse, { specialize: { this: schema } }); return { fn: f, run: (u) => f.call(schema, u) }; }, users, [schema]);
    const t = require_("io-ts") as Record<string, any>;
    const { PathReporter } = require_("io-ts/PathReporter") as { PathReporter: { report: Fn } };
    const codec = t.intersection([t.type({ name: t.string, age: t.Int, email: t.union([t.string, t.undefined]) }), t.partial({ tags: t.array(t.string), role: t.keyof({ admin: null, user: null }) })]);
    agrees("jit(codec.decode) (tiering), io-ts", (u) => PathReporter.report(codec.decode(u)), () => { const f = jit(codec.decode, { tiering: HOT }); return { fn: f, run: (u) => PathReporter.report(f(u)) }; }, users, [codec]);
    agrees("jit(codec.is) (tiering), io-ts", (u) => codec.is(u), () => { const f = jit(codec.is, { tiering: HOT }); return { fn: f, run: (u) => f(u) }; }, users, [codec]);
    agrees("jit(codec.validate, { specialize: { this: codec } }), io-ts", (u) => PathReporter.report(codec.validate(u, [])), () => { const f = jit(codec.validate, { specialize: { this: codec } }); return { fn: f, run: (u) => PathReporter.report(f.call(codec, u, [])) }; }, users, [codec]);
    const ct = require_("computed-types") as { default: Fn; string: any; number: any; array: any };
    const validator = ct.default({ name: ct.string.min(2), age: ct.number.integer(), email: ct.string.optional(), tags: ct.array.of(ct.string).optional() });
    agrees("jit(Schema(spec)) (tiering), computed-types, which throws", (u) => validator(u), () => { const f = jit(validator, { tiering: HOT }); return { fn: f, run: (u) => f(u) }; }, users);
    const destruct = validator.destruct();
    const pair = ([e, v]: [any, unknown]) => [e ? { message: e.message, errors: e.errors?.map((x: any) => [x.path, x.error?.message]) } : e, v];
    agrees("jit(validator.destruct()) (tiering), computed-types", (u) => pair(destruct(u)), () => { const f = jit(destruct, { tiering: HOT }); return { fn: f, run: (u) => pair(f(u)) }; }, users);
  });
});

describe("what the uses reached (stable ones only)", () => {
  it("fallbacks that name the construct: sloppy `arguments` with a written parameter, a Proxy", () => {
    const _ = require_("underscore") as Record<string, Fn>;
    require_("underscore-query")(_);
    expect(inspect(jit(_.query!, { specialize: { query: { a: 1 } } }))!.fallbackReason).toMatch(/^USES_ARGUMENTS: .* it writes the parameter 'getter'/);
    const ct = require_("computed-types") as { default: Fn; string: any };
    expect(inspect(jit(ct.default({ a: ct.string }), { tiering: HOT }))!.fallbackReason).toMatch(/^PROXY_FUNCTION/);
  });
  it("a program specialized on `this` compiles", async () => {
    const Formula = (await import("fparser")).default as unknown as { new (s: string): { evaluate: Fn }; prototype: { evaluate: Fn } };
    const formula = new Formula("2*x + y");
    const f = jit(Formula.prototype.evaluate, { specialize: { this: formula } });
    expect(f.call(formula, { x: 1, y: 2 })).toBe(4);
    expect(inspect(f)!.tier).toBe(1);
  });
});
