// A tiering entry settled on the original (GENERIC, as after the gain check sent a use back), called
// from monomorphic callers, against the library called the same way. CPU ns a call, medians of 21
// interleaved rounds.
import { createRequire } from "node:module";
import { Dispatcher } from "../../../dist/compiler/dispatcher.js";
const require_ = createRequire(import.meta.url);
const pick = (i, a) => a[(i * 2654435761 >>> 0) % a.length];
const many = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const generic = (orig) => { const d = Dispatcher.tiered(orig, { name: orig.name, arity: orig.length, exact: false, event: () => { throw new Error("no event"); } }, orig); d.goGeneric("probe"); return d.entry; };
const cases = [];
{
  const UrlPattern = require_("url-pattern"); const upat = new UrlPattern("/api(/users)(/:id)(/*)");
  const orig = UrlPattern.prototype.match, e = generic(orig);
  const a = new UrlPattern("/api(/users)(/:id)(/*)"), b = new UrlPattern("/api(/users)(/:id)(/*)"); a.match = orig; b.match = e;
  cases.push(["url-pattern match", many(200, (i) => `/${pick(i, ["users", "api", "files"])}/${i}${pick(i * 3, ["", "/books/x", "/a/b"])}`), { libMethod: (u) => upat.match(u), libCall: (u) => orig.call(upat, u), entryCall: (u) => e.call(upat, u), libOwn: (u) => a.match(u), entryOwn: (u) => b.match(u) }]);
}
{
  const Complex = require_("complex.js"); const z = new Complex(1.5, -2);
  const orig = Complex.prototype.mul, e = generic(orig);
  const a = new Complex(1.5, -2), b = new Complex(1.5, -2); a.mul = orig; b.mul = e;
  cases.push(["complex.js mul", many(200, (i) => pick(i, [i, { re: i, im: -1 }, [1, i], "1+2i"])), { libMethod: (o) => z.mul(o), libCall: (o) => orig.call(z, o), entryCall: (o) => e.call(z, o), libOwn: (o) => a.mul(o), entryOwn: (o) => b.mul(o) }]);
}
{
  const humanize = require_("humanize-duration"); const e = generic(humanize);
  const hOpts = { largest: 2, round: true, units: ["y", "mo", "d", "h", "m", "s"], language: "de", conjunction: " und " };
  cases.push(["humanize-duration", many(200, (i) => (i * 7919 * 60013) % 1e10), { libMethod: (n) => humanize(n, hOpts), entryCall: (n) => e(n, hOpts) }]);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [label, inputs, vs] of cases) {
  const loops = {}; for (const k in vs) loops[k] = new Function("f", "inputs", "n0", `let n = n0; for (let i = 0; i < 100; i++) { f(inputs[(n + i) % inputs.length]); } // ${label} ${k}`);
  for (const k in vs) for (let j = 0; j < 300; j++) loops[k](vs[k], inputs, j * 100);
  const out = {};
  for (let r = 0; r < 21; r++) for (const [k, f] of Object.entries(vs)) {
    const c = process.cpuUsage(); let n = 0;
    for (let j = 0; j < 100; j++) { loops[k](f, inputs, n); n += 100; }
    const u = process.cpuUsage(c); (out[k] ??= []).push((u.user + u.system) * 1000 / n);
  }
  const base = med(out.libMethod);
  console.log(`${label}: ${Object.keys(out).map((k) => `${k} ${med(out[k]).toFixed(1)} ns (${(med(out[k]) / base).toFixed(3)})`).join(", ")}`);
}
