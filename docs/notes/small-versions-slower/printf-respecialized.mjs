import { createRequire } from "node:module";
import { inspect, jit } from "../../../dist/index.js";
const require_ = createRequire(import.meta.url);
const { printf } = require_("fast-printf");
const fmt = "%s|%d|%05.2f|%x|%-6s|%+i|%%";
const pick = (i, a) => a[(i * 2654435761 >>> 0) % a.length];
const pargs = Array.from({length: 200}, (_, i) => [i, i * 3, i / 7, i * 255, pick(i, ["x", "yy"]), -i]);
const cold = jit(printf, { specialize: { subject: fmt } });
printf(fmt, 1, 2, 3, 4, "x", 5);
const warm = jit(printf, { specialize: { subject: fmt } });
const mk = () => new Function("f", "inputs", "fmt", "n0", "let n = n0; for (let i = 0; i < 100; i++) { const a = inputs[(n + i) % inputs.length]; f(fmt, a[0], a[1], a[2], a[3], a[4], a[5]); }");
const vs = { original: printf, cold, warm };
const loops = {}; for (const k in vs) loops[k] = mk();
for (const [k, f] of Object.entries(vs)) for (let j = 0; j < 4000; j++) loops[k](f, pargs, fmt, j * 100);
const out = {};
for (let r = 0; r < 21; r++) for (const [k, f] of Object.entries(vs)) {
  const c = process.cpuUsage(); let n = 0;
  for (let j = 0; j < 30; j++) { loops[k](f, pargs, fmt, n); n += 100; }
  const u = process.cpuUsage(c); (out[k] ??= []).push((u.user + u.system) * 1000 / n);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const k in out) console.log(k, "first5", out[k].slice(0,5).map(x=>x.toFixed(0)).join(" "), "median of last 16", med(out[k].slice(5)).toFixed(0));
for (const f of [cold, warm]) console.log(inspect(f).tier, inspect(f).history.filter(h=>h.at).map(h => h.event).join(","));
