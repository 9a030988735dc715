/**
 * Speed of round 4's natural `jit()` uses (test/real/unseen-round4-*.test.ts) next to the library,
 * in one process: `flock /tmp/kos-bench.lock node dist/bench/unseen-round4.js [label,label…]`, timed by
 * bench/unseen-measure.ts (a call site of its own per variant; CPU medians of 7 interleaved rounds,
 * every variant warmed 2,000 calls). Where the jitted variant is a method called with `.call`
 * (`s.call(obj, x)`), the library is called the same way (`original`), and as a method too
 * (`originalMethod`): from a closure, `f.call(obj, x)` cost the library's own url-pattern `match` and
 * complex.js `mul` up to 14% over `obj.match(x)`, which the bench had counted against kos
 * (docs/notes/small-versions-slower.md). Tiering uses tier up at 50 calls. After each line: where each
 * jitted variant ended (tier 1, or the fallback's reason). Last, `cold`: the first calls of a
 * `jit(fn)` with its default tiering from its creation, compile included, against the library's (issue 11).
 */
import { createRequire } from "node:module";
import { inspect, jit } from "../index.js";
import { many, pick, useRunner, type Fn } from "./unseen-measure.js";

const require_ = createRequire(import.meta.url);
const HOT = { hotCalls: 50 };
const { run, wanted } = useRunner(process.argv[2]?.split(","), inspect);
type Any = any;

// Templates.
const pages = many(200, (i) => ({ name: pick(i, ["Ann", "<Bob>"]), admin: i % 2 === 0, items: many(i % 4, (k) => ({ title: `t${k}`, price: k * 1.5 })), nested: { deep: { v: i } } }));
const velocity = require_("velocityjs") as Any;
const vTemplate = "Hi $name #if($admin)<b>admin</b>#else user#end <ul>#foreach($it in $items)<li>$velocityCount $it.title $!{it.price}</li>#end</ul> $!{nested.deep.v}";
const vCompiled = new velocity.Compile(velocity.parse(vTemplate));
{ const vRender = velocity.Compile.prototype.render, s = jit(velocity.Compile.prototype.render, { specialize: { this: vCompiled } }), b = jit(vCompiled.render.bind(vCompiled), { tiering: HOT }), r = jit(velocity.render, { specialize: { template: vTemplate } }); run("velocityjs render", { original: (c) => vRender.call(vCompiled, c), originalMethod: (c) => vCompiled.render(c), specialized: (c) => s.call(vCompiled, c), bound: b as Fn, renderOriginal: (c) => velocity.render(vTemplate, c), renderSpecialized: (c) => r(vTemplate, c) }, { specialized: s, bound: b, renderSpecialized: r }, pages); }
const Twig = require_("twig") as Any;
Twig.cache(false);
const twig = Twig.twig({ data: "Hi {{ name }} {% if admin %}<b>admin</b>{% else %}user{% endif %}<ul>{% for it in items %}<li>{{ loop.index }} {{ it.title|e }} {{ it.price }}</li>{% else %}none{% endfor %}</ul>{{ nested.deep.v|default('-') }}" });
{ const tRender = Object.getPrototypeOf(twig).render, s = jit(Object.getPrototypeOf(twig).render, { specialize: { this: twig } }), b = jit(twig.render.bind(twig), { tiering: HOT }); run("twig render", { original: (c) => tRender.call(twig, c), originalMethod: (c) => twig.render(c), specialized: (c) => s.call(twig, c), bound: b as Fn }, { specialized: s, bound: b }, pages); }
const format = require_("string-template") as Any;
const text = "Hello {name}, you have {count} {{escaped}} items in {0} {missing}";
const fargs = many(200, (i) => ({ name: pick(i, ["Ann", "Bo"]), count: i, 0: "x" }));
{ const s = jit(format, { specialize: { string: text } }), t = jit(format, { tiering: HOT }); run("string-template", { original: (a) => format(text, a), specialized: (a) => s(text, a), tiering: (a) => t(text, a) }, { specialized: s, tiering: t }, fargs); }

// Queries and validators.
const records = many(200, (i) => ({ name: pick(i, ["Ann", "Bob", "Cy"]), age: (i * 7) % 60, email: pick(i, ["a@b.co", "bad"]), tags: pick(i, [["a"], ["a", "b"], []]), nested: { deep: { v: i } } }));
const jp = require_("jsonpath") as Any;
const stores = many(200, (i) => ({ store: { book: records.slice(i % 50, (i % 50) + (i % 6)), bicycle: { color: "red", price: i } } }));
const jpPath = "$.store.book[?(@.age > 17)].name";
{ const s = jit(jp.query, { specialize: { this: jp, string: jpPath } }), b = jit(jp.query.bind(jp), { tiering: HOT }); run("jsonpath query", { original: (d) => jp.query.call(jp, d, jpPath), originalMethod: (d) => jp.query(d, jpPath), specialized: (d) => s.call(jp, d, jpPath), bound: (d) => b(d, jpPath) }, { specialized: s, bound: b }, stores); }
const validator = require_("is-my-json-valid") as Any;
const validate = validator({ type: "object", required: ["name", "age"], additionalProperties: false, properties: { name: { type: "string", minLength: 2 }, age: { type: "integer", minimum: 0 }, email: { type: "string", pattern: "^\\S+@\\S+$" }, tags: { type: "array", items: { type: "string" }, uniqueItems: true }, nested: { type: "object" } } }, { greedy: true });
{ const t = jit(validate, { tiering: HOT }); run("is-my-json-valid", { original: validate, tiering: t as Fn }, { tiering: t }, records); }
const v8n = require_("v8n") as Any;
const rule = v8n().schema({ name: v8n().string().minLength(2), age: v8n().number().integer().positive(), tags: v8n().optional(v8n().array().every.string()) });
{ const vTest = Object.getPrototypeOf(rule).test, s = jit(Object.getPrototypeOf(rule).test, { specialize: { this: rule } }); run("v8n test", { original: (u) => vTest.call(rule, u), originalMethod: (u) => rule.test(u), specialized: (u) => s.call(rule, u) }, { specialized: s }, records); }

// Diffs and serializers.
const pairs = many(200, (i) => [records[i]!, records[(i * 7) % 200]!]);
const microdiff = (await import("microdiff")).default as unknown as Any;
{ const t = jit(microdiff, { tiering: HOT }), o = { cyclesFix: false }, s = jit(microdiff, { specialize: { options: o } }); run("microdiff", { original: ([a, b]) => microdiff(a, b), tiering: ([a, b]) => t(a, b), specializedOriginal: ([a, b]) => microdiff(a, b, o), specialized: ([a, b]) => s(a, b, o) }, { tiering: t, specialized: s }, pairs); }
const fastDiff = require_("fast-diff") as Any;
const texts = many(200, (i) => [`the quick ${i} brown fox`, `the quack ${i * 3} brown fix`]);
{ const t = jit(fastDiff, { tiering: HOT }); run("fast-diff", { original: ([a, b]) => fastDiff(a, b), tiering: ([a, b]) => t(a, b) }, { tiering: t }, texts); }
const { stringify } = (await import("javascript-stringify")) as unknown as Any;
{ const s = jit(stringify, { specialize: { indent: 2 } }), t = jit(stringify, { tiering: HOT }); run("javascript-stringify", { original: (v) => stringify(v, null, 2), specialized: (v) => s(v, null, 2), tieringOriginal: (v) => stringify(v), tiering: (v) => t(v) }, { specialized: s, tiering: t }, records); }
const stable = require_("json-stable-stringify") as Any;
const sopts = { space: " ", cycles: true };
{ const s = jit(stable, { specialize: { opts: sopts } }), t = jit(stable, { tiering: HOT }); run("json-stable-stringify", { original: (v) => stable(v, sopts), specialized: (v) => s(v, sopts), tieringOriginal: (v) => stable(v), tiering: (v) => t(v) }, { specialized: s, tiering: t }, records); }

// Formatters.
const sizes = many(200, (i) => pick(i, [0, 1, 1023, 1024, 123456, 1e9, 5.5e12, -42]) * (1 + (i % 7)));
const prettyBytes = (await import("pretty-bytes")).default as unknown as Any;
const pbOpts = { bits: true, maximumFractionDigits: 1, space: false };
{ const s = jit(prettyBytes, { specialize: { options: pbOpts } }), t = jit(prettyBytes, { tiering: HOT }); run("pretty-bytes", { original: (n) => prettyBytes(n, pbOpts), specialized: (n) => s(n, pbOpts), tieringOriginal: (n) => prettyBytes(n), tiering: (n) => t(n) }, { specialized: s, tiering: t }, sizes); }
const bytes = require_("bytes") as Any;
const bOpts = { unitSeparator: " ", thousandsSeparator: ",", decimalPlaces: 3 };
{ const s = jit(bytes.format, { specialize: { options: bOpts } }), t = jit(bytes, { tiering: HOT }); run("bytes", { original: (n) => bytes.format(n, bOpts), specialized: (n) => s(n, bOpts), tieringOriginal: (n) => bytes(n), tiering: (n) => t(n) }, { specialized: s, tiering: t }, sizes); }
const { filesize } = require_("filesize") as Any;
const fsOpts = { base: 2, standard: "jedec", round: 1, output: "string" };
{ const s = jit(filesize, { specialize: { 1: fsOpts } }), t = jit(filesize, { tiering: HOT }); run("filesize", { original: (n) => filesize(n, fsOpts), specialized: (n) => s(n, fsOpts), tieringOriginal: (n) => filesize(n), tiering: (n) => t(n) }, { specialized: s, tiering: t }, sizes); }
const ms = require_("ms") as Any;
const durations = many(200, (i) => pick(i, ["2 days", "1.5h", "100", "3 weeks", "10m", 60000 * i, "-2s"]));
const long = { long: true };
{ const s = jit(ms, { specialize: { options: long } }), t = jit(ms, { tiering: HOT }); run("ms", { original: (d) => ms(d), tiering: (d) => t(d), longOriginal: (d) => ms(d, long), specialized: (d) => s(d, long) }, { tiering: t, specialized: s }, durations); }
const humanize = require_("humanize-duration") as Any;
const hOpts = { largest: 2, round: true, units: ["y", "mo", "d", "h", "m", "s"], language: "de", conjunction: " und " };
const shortH = humanize.humanizer({ language: "en", spacer: "", delimiter: " ", maxDecimalPoints: 2 });
const spans = many(200, (i) => (i * 7919 * 60013) % 1e10);
{ const s = jit(humanize, { specialize: { humanizerOptions: hOpts } }), t = jit(shortH, { tiering: HOT }); run("humanize-duration", { original: (n) => humanize(n, hOpts), specialized: (n) => s(n, hOpts), humanizerOriginal: shortH, humanizerTiering: t as Fn }, { specialized: s, humanizerTiering: t }, spans); }
const { printf } = require_("fast-printf") as Any;
const fmt = "%s|%d|%05.2f|%x|%-6s|%+i|%%";
const pargs = many(200, (i) => [i, i * 3, i / 7, i * 255, pick(i, ["x", "yy"]), -i]);
{ const s = jit(printf, { specialize: { subject: fmt } }), t = jit(printf, { tiering: HOT }); run("fast-printf", { original: (a) => printf(fmt, ...a), specialized: (a) => s(fmt, ...a), tiering: (a) => t(fmt, ...a) }, { specialized: s, tiering: t }, pargs); }

// Parsers.
const JSON5 = require_("json5") as Any;
{ const s = jit(JSON5.stringify, { specialize: { space: 2 } }); run("json5 stringify", { original: (v) => JSON5.stringify(v, null, 2), specialized: (v) => s(v, null, 2) }, { specialized: s }, records); }
const cookie = require_("cookie") as Any;
const headers = many(200, (i) => `sid=${i}; theme=${pick(i, ["dark", "light"])}; n=%20x${i}; flag`);
const cOpts = { decode: decodeURIComponent };
{ const t = jit(cookie.parseCookie, { tiering: HOT }), s = jit(cookie.parseCookie, { specialize: { options: cOpts } }); run("cookie parseCookie", { original: (h) => cookie.parseCookie(h), tiering: (h) => t(h), optionsOriginal: (h) => cookie.parseCookie(h, cOpts), specialized: (h) => s(h, cOpts) }, { tiering: t, specialized: s }, headers); }
const contentType = require_("content-type") as Any;
const ctypes = many(200, (i) => pick(i, ["text/html; charset=utf-8", "application/json", "multipart/form-data; boundary=\"a b\"", "bad"]));
{ const t = jit(contentType.parse, { tiering: HOT }); run("content-type parse", { original: (c) => contentType.parse(c), tiering: (c) => t(c) }, { tiering: t }, ctypes); }
const qs = require_("querystringify") as Any;
{ const s = jit(qs.stringify, { specialize: { prefix: true } }); run("querystringify stringify", { original: (o) => qs.stringify(o, true), specialized: (o) => s(o, true) }, { specialized: s }, many(200, (i) => ({ a: i, b: "x y", c: pick(i, ["", "z"]) }))); }

// Routes.
const urls = many(200, (i) => `/${pick(i, ["users", "api", "files"])}/${i}${pick(i * 3, ["", "/books/x", "/a/b"])}`);
const { parse: rxParse } = require_("regexparam") as Any;
const routePatterns = many(200, (i) => `/${pick(i, ["users", "api"])}/:id${pick(i * 5, ["", "/:title?", "/*"])}`);
{ const t = jit(rxParse, { tiering: HOT }); run("regexparam parse", { original: rxParse, tiering: t as Fn }, { tiering: t }, routePatterns); }
const UrlPattern = require_("url-pattern") as Any;
const upat = new UrlPattern("/api(/users)(/:id)(/*)");
{ const s = jit(UrlPattern.prototype.match, { specialize: { this: upat } }), b = jit(upat.match.bind(upat), { tiering: HOT }); run("url-pattern match", { original: (u) => UrlPattern.prototype.match.call(upat, u), originalMethod: (u) => upat.match(u), specialized: (u) => s.call(upat, u), bound: b as Fn }, { specialized: s, bound: b }, urls); }
const Route = require_("route-parser") as Any;
const route = new Route("/users/:id(/books/*rest)");
{ const s = jit(Route.prototype.match, { specialize: { this: route } }), b = jit(route.reverse.bind(route), { tiering: HOT }); run("route-parser match / reverse", { original: (u) => Route.prototype.match.call(route, u), originalMethod: (u) => route.match(u), specialized: (u) => s.call(route, u), reverseOriginal: (u) => route.reverse({ id: u.length, rest: "x/y" }), reverseBound: (u) => b({ id: u.length, rest: "x/y" }) }, { specialized: s, reverseBound: b }, urls); }

// Colours and complex numbers.
const colours = many(200, (i) => pick(i, ["#3e8ed0", "#fff", "rgb(1, 2, 3)", "hsla(120, 50%, 50%, 0.3)", "red", "#12345678"]));
const cs = (await import("color-string")).default as unknown as Any;
{ const t = jit(cs.get, { tiering: HOT }), r = jit(cs.get.rgb, { tiering: HOT }); run("color-string get", { original: (c) => cs.get(c), tiering: (c) => t(c), rgbOriginal: (c) => cs.get.rgb(c), rgbTiering: (c) => r(c) }, { tiering: t, rgbTiering: r }, colours); }
const { colord, Colord } = (await import("colord")) as unknown as Any;
const cd = colord("#3e8ed0");
{ const s = jit(Colord.prototype.lighten, { specialize: { this: cd } }); run("colord lighten", { original: (x) => Colord.prototype.lighten.call(cd, x), originalMethod: (x) => cd.lighten(x), specialized: (x) => s.call(cd, x) }, { specialized: s }, many(200, (i) => (i % 10) / 10)); }
const Complex = (await import("complex.js")).default as unknown as Any;
const z = new Complex(1.5, -2);
const operands = many(200, (i) => pick(i, [i, { re: i, im: -1 }, [1, i], "1+2i"]));
{ const s = jit(Complex.prototype.mul, { specialize: { this: z } }), b = jit(z.pow.bind(z), { tiering: HOT }), d = jit(Complex.prototype.div, { tiering: HOT }); run("complex.js mul / pow / div", { original: (o) => Complex.prototype.mul.call(z, o), originalMethod: (o) => z.mul(o), specialized: (o) => s.call(z, o), powOriginal: (o) => z.pow(o), powBound: b as Fn, divOriginal: (o) => Complex.prototype.div.call(new Complex(o), z), divTiering: (o) => d.call(new Complex(o), z) }, { specialized: s, powBound: b, divTiering: d }, operands); }

// Cold: the first calls of `jit(fn)` as a user writes it (default tiering, cost-gated), its compile
// included, against the library's (issue 11).
function cold(label: string, fn: Function, call: (f: Function, i: number) => unknown, calls: number): void {
  if (!wanted(label)) return;
  const time = (f: Function) => { const c = process.cpuUsage(); for (let i = 0; i < calls; i++) { try { call(f, i); } catch {} } const u = process.cpuUsage(c); return (u.user + u.system) / 1000; };
  const original = time(fn);
  const j = jit(fn);
  const jitted = time(j);
  const s = inspect(j)!;
  console.log(`cold ${label}, ${calls} calls: original ${original.toFixed(1)} ms CPU, jit ${jitted.toFixed(1)} ms (${(jitted / original).toFixed(1)}×); ${s.tier === "fallback" ? `fallback ${String(s.fallbackReason).slice(0, 160)}` : `tier ${s.tier}`}`);
}
const rou3 = (await import("rou3")) as unknown as Any;
const router = rou3.createRouter();
for (const [m, p] of [["GET", "/users/:id"], ["GET", "/users/:id/books/:title"], ["POST", "/api/**"], ["", "/files/**:path"], ["GET", "/api/x.json"], ["GET", "/"]]) rou3.addRoute(router, m!, p!, { route: p });
cold("rou3 findRoute", rou3.findRoute, (f, i) => f(router, "GET", urls[i % urls.length]), 20000);
cold("velocityjs bound render", vCompiled.render.bind(vCompiled), (f, i) => f(pages[i % pages.length]), 5000);
cold("jsonpath bound query", jp.query.bind(jp), (f, i) => f(stores[i % stores.length], jpPath), 5000);
cold("fast-diff", fastDiff, (f, i) => f(texts[i % texts.length]![0], texts[i % texts.length]![1]), 20000);
cold("pretty-bytes", prettyBytes, (f, i) => f(sizes[i % sizes.length]), 20000);
