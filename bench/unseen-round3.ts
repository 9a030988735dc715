/**
 * Speed of round 3's natural `jit()` uses (test/real/unseen-round3-*.test.ts) next to the library,
 * in one process: `flock /tmp/kos-bench.lock node dist/bench/unseen-round3.js [label,label…]`, timed by
 * bench/unseen-measure.ts (a call site of its own per variant; CPU medians of 7 interleaved rounds,
 * every variant warmed 2,000 calls). Tiering uses tier up at 50 calls. After each line: where each
 * jitted variant ended (tier 1, or the fallback's reason).
 */
import { createRequire } from "node:module";
import { inspect, jit } from "../index.js";
import { measure, type Fn } from "./unseen-measure.js";

const require_ = createRequire(import.meta.url);
const HOT = { hotCalls: 50 };
const only = process.argv[2]?.split(",");
const pick = <T>(i: number, a: T[]): T => a[(i * 2654435761 >>> 0) % a.length]!;
const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

function run(label: string, variants: Record<string, Fn>, jitted: Record<string, Function>, inputs: unknown[]): void {
  if (only && !only.some((o) => label.includes(o))) return;
  measure(label, variants, inputs, 1000);
  console.log(`  ${Object.entries(jitted).map(([k, f]) => { const s = inspect(f); return `${k}: ${s?.tier === "fallback" ? `fallback ${String(s.fallbackReason).slice(0, 90)}` : `tier ${s?.tier}`}`; }).join("; ")}`);
}

// Expression evaluators.
const Mexp = require_("math-expression-evaluator");
const mexp = new Mexp();
const tokens = [{ type: 3, token: "x", show: "x", value: "x" }, { type: 3, token: "y", show: "y", value: "y" }];
const postfix = mexp.toPostfix(mexp.lex("x^2 + sin(y)*3 - x/y Mod 2", tokens));
const xy = many(200, (i) => ({ x: i % 7 - 3, y: (i % 5) / 2 + 0.5 }));
const exprs = many(200, (i) => `${pick(i, ["x", "2", "pi"])}${pick(i * 3, ["+", "*", "-"])}${pick(i * 7, ["sin(y)", "3", "x^2"])}`);
{ const b = jit(mexp.eval.bind(mexp), { tiering: HOT }), s = jit(Mexp.prototype.eval, { specialize: { this: mexp } }); run("math-expression-evaluator eval", { original: (e) => mexp.eval(e, tokens, { x: 1, y: 2 }), specialized: (e) => s.call(mexp, e, tokens, { x: 1, y: 2 }), bound: (e) => b(e, tokens, { x: 1, y: 2 }) }, { specialized: s, bound: b }, exprs); }
{ const s = jit(mexp.postfixEval, { specialize: { this: mexp, e: postfix } }), t = jit(mexp.postfixEval, { tiering: HOT }); run("math-expression-evaluator postfixEval", { original: (v) => mexp.postfixEval(postfix, v), specialized: (v) => s.call(mexp, postfix, v), tiering: (v) => t.call(mexp, postfix, v) }, { specialized: s, tiering: t }, xy); }
const Formula = (await import("fparser")).default as any;
const formula = new Formula("2*x + sin(y) / z^2 - PI * abs(x - y)");
const xyz = many(200, (i) => ({ x: i % 7 - 3, y: (i % 5) / 2, z: 1 + (i % 3) }));
{ const b = jit(formula.evaluate.bind(formula), { tiering: HOT }), s = jit(Formula.prototype.evaluate, { specialize: { this: formula } }); run("fparser evaluate", { original: (v) => formula.evaluate(v), specialized: (v) => s.call(formula, v), bound: b as Fn }, { specialized: s, bound: b }, xyz); }

// Templates.
const pages = many(200, (i) => ({ name: pick(i, ["Ann", "<Bob>"]), admin: i % 2 === 0, items: many(i % 4, (k) => ({ title: `t${k}`, price: k * 1.5 })), raw: "<i>x</i>", nested: { deep: { v: i } } }));
const Hogan = require_("hogan.js");
const hogan = Hogan.compile("<h1>{{name}}</h1>{{#admin}}<b>admin</b>{{/admin}}<ul>{{#items}}<li>{{title}} {{{price}}}</li>{{/items}}{{^items}}none{{/items}}</ul>{{{raw}}}{{nested.deep.v}}");
{ const b = jit(hogan.render.bind(hogan), { tiering: HOT }), s = jit(Hogan.Template.prototype.render, { specialize: { this: hogan } }); run("hogan.js render", { original: (c) => hogan.render(c), specialized: (c) => s.call(hogan, c), bound: b as Fn }, { specialized: s, bound: b }, pages); }
const tempura = require_("tempura").compile("{{#expect name, admin, items, nested}}<h1>{{ name }}</h1>{{#if admin}}<b>admin</b>{{#elif items.length > 2}}many{{#else}}few{{/if}}<ul>{{#each items as it, i}}<li>{{ i }} {{ it.title }} {{{ it.price }}}</li>{{/each}}</ul>{{ nested && nested.deep.v }}");
{ const t = jit(tempura, { tiering: HOT }); run("tempura compiled", { original: tempura, tiering: t as Fn }, { tiering: t }, pages); }
const t7 = require_("template7").compile("<h1>{{name}}</h1>{{#if admin}}<b>admin</b>{{else}}user{{/if}}<ul>{{#each items}}<li>{{@index}} {{title}} {{price}}</li>{{/each}}</ul>{{#with nested}}{{deep.v}}{{/with}}");
{ const t = jit(t7, { tiering: HOT }); run("template7 compiled", { original: t7, tiering: t as Fn }, { tiering: t }, pages); }
const pupa = (await import("pupa")).default as (t: string, d: unknown, o?: object) => string;
const pupaTemplate = "Hi {name}, {{raw}} x{items.0.title} {nested.deep.v} {missing}";
{ const s = jit(pupa, { specialize: { template: pupaTemplate } }), t = jit(pupa, { tiering: HOT }); run("pupa", { original: (c) => pupa(pupaTemplate, c, { ignoreMissing: true }), specialized: (c) => s(pupaTemplate, c, { ignoreMissing: true }), tiering: (c) => t(pupaTemplate, c, { ignoreMissing: true }) }, { specialized: s, tiering: t }, pages); }

// Rules and queries.
const records = many(200, (i) => ({ name: pick(i, ["Ann", "Bob", "Cy"]), age: (i * 7) % 60, city: pick(i * 3, ["New York", "Paris", "Oslo"]), tags: pick(i, [["a"], ["a", "vip"], []]), score: (i * 13) % 100 }));
const ops = require_("json-rules-engine/dist/engine-default-operators.js").default as Array<{ name: string; evaluate: Fn }>;
const { Operator } = require_("json-rules-engine");
for (const name of ["in", "lessThan"]) { const op = ops.find((o) => o.name === name)! as any; const s = jit(Operator.prototype.evaluate, { specialize: { this: op } }), b = jit(op.evaluate.bind(op), { tiering: HOT }); const arg = name === "in" ? ["Paris", "Oslo"] : 30; run(`json-rules-engine ${name}`, { original: (r: any) => op.evaluate(name === "in" ? r.city : r.age, arg), specialized: (r: any) => s.call(op, name === "in" ? r.city : r.age, arg), bound: (r: any) => b(name === "in" ? r.city : r.age, arg) }, { specialized: s, bound: b }, records); }
const lists = many(200, (i) => records.slice(i % 50, (i % 50) + (i % 6)));
const _ = require_("underscore"); require_("underscore-query")(_);
const uq = () => ({ $or: [{ age: { $gt: 20 } }, { name: { $like: "n" } }], city: { $in: ["New York", "Paris"] } });
{ const t = jit(_.query, { tiering: HOT }); run("underscore-query", { original: (l) => _.query(l, uq()), tiering: (l) => t(l, uq()) }, { tiering: t }, lists); }
const jq = await import("@jsonquerylang/jsonquery") as any;
const jqText = ".friends | filter((.age > 20) and (.city != \"Oslo\")) | sort(.score, \"desc\") | map({ name: .name, n: size(.tags), s: round(.score, 1) }) | limit(3)";
const jqQuery = jq.parse(jqText), jqCompiled = jq.compile(jqQuery);
const friends = lists.map((l) => ({ friends: l }));
{ const t = jit(jqCompiled, { tiering: HOT }), s = jit(jq.jsonquery, { specialize: { e: jqQuery } }), tt = jit(jq.jsonquery, { tiering: HOT }); run("jsonquery", { original: jqCompiled, compiledTiering: t as Fn, specialized: (d) => s(d, jqQuery), textTiering: (d) => tt(d, jqText), textOriginal: (d) => jq.jsonquery(d, jqText) }, { compiledTiering: t, specialized: s, textTiering: tt }, friends); }

// Validators.
const users = many(200, (i) => (i % 10 === 0 ? { name: "B", age: -1 } : { name: pick(i, ["Ann", "Bobby"]), age: 20 + (i % 30), email: "a@b.co", tags: ["a"], role: pick(i, ["admin", "user"]) }));
const Validator = require_("fastest-validator");
const check = new Validator().compile({ name: "string|min:2", age: "number|positive|integer", email: "email", tags: { type: "array", items: "string", optional: true }, role: { type: "enum", values: ["admin", "user"], optional: true }, $$strict: true });
{ const t = jit(check, { tiering: HOT }); run("fastest-validator check", { original: check, tiering: t as Fn }, { tiering: t }, users); }
const R = require_("runtypes");
const rt = R.Object({ name: R.String.withConstraint((s: string) => s.length >= 2 || "too short"), age: R.Number.withGuard((n: unknown): n is number => Number.isInteger(n)), email: R.String.optional(), tags: R.Array(R.String).optional(), role: R.Union(R.Literal("admin"), R.Literal("user")).optional() });
{ const t = jit(rt.guard, { tiering: HOT }), i = jit(rt.inspect, { tiering: HOT }); run("runtypes guard / inspect", { original: rt.guard, tiering: t as Fn, inspectOriginal: rt.inspect, inspectTiering: i as Fn }, { tiering: t, inspectTiering: i }, users); }
const mz = require_("myzod");
const mzSchema = mz.object({ name: mz.string({ min: 2 }), age: mz.number().withPredicate(Number.isInteger, "not an integer"), email: mz.string().optional(), tags: mz.array(mz.string()).optional(), role: mz.literals("admin", "user").optional() }, { allowUnknown: true });
{ const b = jit(mzSchema.try.bind(mzSchema), { tiering: HOT }), s = jit(Object.getPrototypeOf(mzSchema).parse, { specialize: { this: mzSchema } }); run("myzod try / parse", { original: (u) => mzSchema.try(u), bound: b as Fn, parseOriginal: (u) => mzSchema.parse(u), specialized: (u) => s.call(mzSchema, u) }, { bound: b, specialized: s }, users); }
const t = require_("io-ts");
const codec = t.intersection([t.type({ name: t.string, age: t.Int, email: t.union([t.string, t.undefined]) }), t.partial({ tags: t.array(t.string), role: t.keyof({ admin: null, user: null }) })]);
{ const d = jit(codec.decode, { tiering: HOT }), i = jit(codec.is, { tiering: HOT }); run("io-ts decode / is", { original: codec.decode, tiering: d as Fn, isOriginal: codec.is, isTiering: i as Fn }, { tiering: d, isTiering: i }, users); }

// Matchers.
const paths = many(200, (i) => [pick(i, ["src", "lib", "a", "node_modules"]), pick(i * 3, ["x", "b", ".hidden"]), pick(i * 7, ["x.js", "y.ts", "c.min.js", "README.md"])].join("/"));
const { minimatch } = await import("minimatch") as any;
const mmPattern = "{src,lib}/**/!(*.min).{js,ts}", mmOptions = { dot: true, nocase: true };
{ const s = jit(minimatch, { specialize: { pattern: mmPattern, options: mmOptions } }); run("minimatch", { original: (p) => minimatch(p, mmPattern, mmOptions), specialized: (p) => s(p, mmPattern, mmOptions) }, { specialized: s }, paths); }
const micromatch = require_("micromatch");
const isMatch = micromatch.matcher("{a,src}/**/*.@(js|ts)");
{ const t = jit(isMatch, { tiering: HOT }); run("micromatch matcher", { original: isMatch, tiering: t as Fn }, { tiering: t }, paths); }
const wild = require_("wildcard-match")(["src/**/*.js", "a/?/*"], "/");
{ const t = jit(wild, { tiering: HOT }); run("wildcard-match", { original: wild, tiering: t as Fn }, { tiering: t }, paths); }

// Parsers.
const { parse: csvParse } = require_("csv-parse/sync");
const csvTexts = many(200, (i) => many(1 + (i % 4), (k) => [k, pick(i + k, ["x", "\"q,w\"", " 2.5 "]), i].join(",")).join("\n"));
const csvOpts = { columns: ["a", "b", "c"], cast: true, skip_empty_lines: true, trim: true, relax_column_count: true };
{ const s = jit(csvParse, { specialize: { opts: csvOpts } }), tt = jit(csvParse, { tiering: HOT }); run("csv-parse sync", { original: (x) => csvParse(x, csvOpts), specialized: (x) => s(x, csvOpts), tiering: (x) => tt(x, csvOpts) }, { specialized: s, tiering: tt }, csvTexts); }
const qs = require_("fast-querystring");
const queries = many(200, (i) => `a=${i}&b=%20x&c=${pick(i, ["d", "%E2%82%AC", "f+g"])}`);
{ const tt = jit(qs.parse, { tiering: HOT }); run("fast-querystring parse", { original: qs.parse, tiering: tt as Fn }, { tiering: tt }, queries); }
const mri = require_("mri");
const argvs = many(200, (i) => ["--foo", pick(i, ["-xy", "--n=5", "a"]), "--name", pick(i * 3, ["Bob", "x"]), "--no-bar"]);
const mriOpts = { alias: { x: "ex", n: ["num", "count"] }, boolean: ["bar", "y"], string: ["name"], default: { bar: true, name: "anon" } };
{ const s = jit(mri, { specialize: { opts: mriOpts } }), tt = jit(mri, { tiering: HOT }); run("mri", { original: (a) => mri(a, mriOpts), specialized: (a) => s(a, mriOpts), tiering: (a) => tt(a, mriOpts) }, { specialized: s, tiering: tt }, argvs); }
const { getProperty } = await import("dot-prop") as any;
const docs = many(200, (i) => ({ a: pick(i, [{ b: { c: i } }, { b: [1] }, null]) }));
{ const s = jit(getProperty, { specialize: { path: "a.b.c" } }); run("dot-prop getProperty", { original: (o) => getProperty(o, "a.b.c", 0), specialized: (o) => s(o, "a.b.c", 0) }, { specialized: s }, docs); }

// String and numeric kernels.
const naturalCompare = require_("string-natural-compare");
const words = many(200, (i) => [`file${i % 13}.txt`, `File${(i * 7) % 17}.txt`]);
const ncOpts = { caseInsensitive: true };
{ const s = jit(naturalCompare, { specialize: { opts: ncOpts } }), tt = jit(naturalCompare, { tiering: HOT }); run("string-natural-compare", { original: ([a, b]: any) => naturalCompare(a, b, ncOpts), specialized: ([a, b]: any) => s(a, b, ncOpts), tiering: ([a, b]: any) => tt(a, b, ncOpts) }, { specialized: s, tiering: tt }, words); }
const cv = require_("compare-versions");
const versions = many(200, (i) => `${i % 3}.${i % 11}.${i % 7}${i % 5 === 0 ? "-beta.1" : ""}`);
const range = ">=1.2.0 <2.0.0 || ^10.0.0";
{ const s = jit(cv.satisfies, { specialize: { range } }), tt = jit(cv.compareVersions, { tiering: HOT }); run("compare-versions", { original: (v) => cv.satisfies(v, range), specialized: (v) => s(v, range), compareOriginal: (v) => cv.compareVersions(v, "1.5.0"), compareTiering: (v) => tt(v, "1.5.0") }, { specialized: s, compareTiering: tt }, versions); }
const ndarray = require_("ndarray"), ndops = require_("ndarray-ops");
const grids = many(200, (i) => ndarray(Float64Array.from(many(16, (k) => (i * k) % 9 - 4)), [4, 4]));
{ const tt = jit(ndops.sum, { tiering: HOT }), n2 = jit(ndops.norm2, { tiering: HOT }); run("ndarray-ops sum / norm2", { original: ndops.sum, tiering: tt as Fn, norm2Original: ndops.norm2, norm2Tiering: n2 as Fn }, { tiering: tt, norm2Tiering: n2 }, grids); }
const grid = grids[3]!;
const ij = many(200, (i) => [i % 4, (i * 3) % 4]);
{ const b = jit(grid.get.bind(grid), { tiering: HOT }), s = jit(Object.getPrototypeOf(grid).get, { specialize: { this: grid } }); run("ndarray get", { original: ([i, j]: any) => grid.get(i, j), specialized: ([i, j]: any) => s.call(grid, i, j), bound: ([i, j]: any) => b(i, j) }, { specialized: s, bound: b }, ij); }
const { createNoise2D } = require_("simplex-noise");
const noise = createNoise2D(() => 0.25);
{ const tt = jit(noise, { tiering: HOT }); run("simplex-noise noise2D", { original: ([x, y]: any) => noise(x, y), tiering: ([x, y]: any) => tt(x, y) }, { tiering: tt }, many(200, (i) => [i * 0.37, i * 0.11])); }
const stats = require_("stats-lite");
const samples = many(200, (i) => many(5 + (i % 20), (k) => (i * k * 7) % 101));
{ const s = jit(stats.percentile, { specialize: { ptile: 0.9 } }), h = jit(stats.histogram, { tiering: HOT }); run("stats-lite percentile / histogram", { original: (v) => stats.percentile(v, 0.9), specialized: (v) => s(v, 0.9), histogramOriginal: (v) => stats.histogram(v), histogramTiering: (v) => h(v) }, { specialized: s, histogramTiering: h }, samples); }
const Victor = require_("victor");
const origin = new Victor(3, -4);
const vecs = many(200, (i) => [i % 17 - 8, i % 5]);
{ const s = jit(Victor.prototype.distance, { specialize: { this: origin } }), r = jit(Victor.prototype.rotate, { tiering: HOT }); run("victor distance / rotate", { original: ([x, y]: any) => origin.distance(new Victor(x, y)), specialized: ([x, y]: any) => s.call(origin, new Victor(x, y)), rotateOriginal: ([x, y]: any) => new Victor(x, y).rotate(0.5), rotateTiering: ([x, y]: any) => r.call(new Victor(x, y), 0.5) }, { specialized: s, rotateTiering: r }, vecs); }
