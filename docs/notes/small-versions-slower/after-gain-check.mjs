// After the gain check sent a use back to the original: the entry's cost in a monomorphic caller.
import { createRequire } from "node:module";
import { inspect, jit } from "../../../dist/index.js";
const require_ = createRequire(import.meta.url);
const pick = (i, a) => a[(i * 2654435761 >>> 0) % a.length];
const many = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const which = process.argv[2] ?? "url";
let vs, inputs, s;
if (which === "url") {
  const UrlPattern = require_("url-pattern");
  const upat = new UrlPattern("/api(/users)(/:id)(/*)");
  inputs = many(200, (i) => `/${pick(i, ["users", "api", "files"])}/${i}${pick(i * 3, ["", "/books/x", "/a/b"])}`);
  const orig = UrlPattern.prototype.match;
  s = jit(orig, { specialize: { this: upat } });
  const upat2 = new UrlPattern("/api(/users)(/:id)(/*)"); upat2.match = s;
  const upat3 = new UrlPattern("/api(/users)(/:id)(/*)"); upat3.match = orig;
  vs = { libMethod: (u) => upat.match(u), libCall: (u) => orig.call(upat, u), libOwnMethod: (u) => upat3.match(u), jitCall: (u) => s.call(upat, u), jitOwnMethod: (u) => upat2.match(u) };
} else {
  const Complex = require_("complex.js");
  const z = new Complex(1.5, -2);
  inputs = many(200, (i) => pick(i, [i, { re: i, im: -1 }, [1, i], "1+2i"]));
  const orig = Complex.prototype.mul;
  s = jit(orig, { specialize: { this: z } });
  const z2 = new Complex(1.5, -2); z2.mul = s;
  const z3 = new Complex(1.5, -2); z3.mul = orig;
  vs = { libMethod: (o) => z.mul(o), libCall: (o) => orig.call(z, o), libOwnMethod: (o) => z3.mul(o), jitCall: (o) => s.call(z, o), jitOwnMethod: (o) => z2.mul(o) };
}
// Drive the jitted function until its gain check decides (through a site of its own, then dropped).
const drive = new Function("f", "inputs", "for (let i = 0; i < 1000; i++) f(inputs[i % inputs.length]);");
for (let k = 0; k < 1500 && inspect(s).tier !== "fallback"; k++) drive(vs.jitCall, inputs);
console.log(which, "tier", inspect(s).tier, inspect(s).history.map((h) => h.event + ": " + String(h.detail ?? "").slice(0, 200)).join(" | "));
const loops = {}; for (const k in vs) loops[k] = new Function("f", "inputs", "n0", `let n = n0; for (let i = 0; i < 100; i++) { f(inputs[(n + i) % inputs.length]); } // ${k}`);
for (const k in vs) for (let j = 0; j < 200; j++) loops[k](vs[k], inputs, j * 100);
const out = {};
for (let r = 0; r < 21; r++) for (const [k, f] of Object.entries(vs)) {
  const c = process.cpuUsage(); let n = 0;
  for (let j = 0; j < 300; j++) { loops[k](f, inputs, n); n += 100; }
  const u = process.cpuUsage(c); (out[k] ??= []).push((u.user + u.system) * 1000 / n);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const base = med(out.libMethod);
console.log(Object.keys(out).map((k) => `${k} ${med(out[k]).toFixed(1)} ns (${(med(out[k]) / base).toFixed(2)})`).join(", "));
