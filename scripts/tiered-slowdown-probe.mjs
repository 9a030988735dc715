// The two tiered uses of docs/notes/tiered-slowdowns.md against their library, one build a process:
//   flock /tmp/kos-bench.lock nice -n 19 node scripts/tiered-slowdown-probe.mjs <dist> seed|rgb|rgb-valid [verdict]
// Prints CPU ns per call (medians of interleaved 40 ms windows after WARM×100 calls, each variant
// from a call site of its own, the harness's loop included) and the scavenge/mark-compact ms each
// variant's windows saw per 1,000 calls; with `verdict`, instead, the call at which the gain check
// decided and what it measured. Two kos builds in one process disturb each other's GC: compare
// builds across processes.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";

const [distArg = "dist", which = "seed", mode] = process.argv.slice(2);
const { jit, inspect } = await import(pathToFileURL(resolve(distArg)).href + "/index.js");
const require_ = createRequire(import.meta.url);
let fn, pool;
if (which === "seed") {
  fn = require_("seedrandom");
  pool = ["a", "hello", "", "😀", "\ud800", "0.25", "0.618"];
} else {
  fn = require_("polished").parseToRgb;
  pool = ["#fff", "#123456", "rgb(1,2,3)", "rgba(1,2,3,0.5)", "hsl(120, 50%, 50%)", "red", "#ABCDEF80", "transparent", "bogus"];
  if (which === "rgb-valid") pool = pool.slice(0, 7);
}
const inputs = Array.from({ length: 200 }, (_, i) => pool[(i * 2654435761 >>> 0) % pool.length]);
const jitted = jit(fn, { tiering: { hotCalls: 50 } });
const makeLoop = () => new Function("f", "inputs", "n0", "for (let i = 0; i < 100; i++) { try { f(inputs[(n0 + i) % 200]); } catch {} }");
const last = () => inspect(jitted).history.at(-1);
const brief = (s = "") => s.replace(/interleaved at random, |\(medians of \d+ and \d+ calls, /g, "").slice(0, 200);

if (mode === "verdict") {
  const loop = makeLoop();
  let n = 0;
  const c0 = process.cpuUsage();
  for (; n < 300_000; n += 100) {
    loop(jitted, inputs, n);
    if (["verified", "generic"].includes(last().event)) break;
  }
  const u = process.cpuUsage(c0);
  console.log(`${which}: ${last().event} at call ${n} (${((u.user + u.system) / 1000).toFixed(0)} ms of CPU): ${brief(last().detail)}`);
} else {
  const variants = { original: (x) => fn(x), jit: (x) => jitted(x) };
  const loops = Object.fromEntries(Object.keys(variants).map((k) => [k, makeLoop()]));
  const WARM = +(process.env.WARM ?? 400), ROUNDS = +(process.env.ROUNDS ?? 21);
  for (let i = 0; i < WARM; i++) for (const k in variants) loops[k](variants[k], inputs, i * 100);
  const gcs = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push([e.startTime, e.duration, e.detail?.kind === 1 ? "scavenge" : "major"]); }).observe({ entryTypes: ["gc"] });
  const cpu = { original: [], jit: [] }, spans = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const k of r % 2 ? ["original", "jit"] : ["jit", "original"]) {
      let n = 0;
      const c = process.cpuUsage(), w = performance.now();
      while (performance.now() - w < 40) { loops[k](variants[k], inputs, n); n += 100; }
      const u = process.cpuUsage(c);
      cpu[k].push(((u.user + u.system) * 1000) / n);
      spans.push([k, w, performance.now(), n]);
    }
  }
  await new Promise((r) => setTimeout(r, 50));
  const gc = {}, calls = {};
  for (const [k, a, b, n] of spans) {
    calls[k] = (calls[k] ?? 0) + n;
    for (const [t, d, kind] of gcs) if (t >= a && t < b) (gc[k] ??= { scavenge: 0, major: 0 })[kind] += d;
  }
  const med = (v) => [...v].sort((x, y) => x - y)[v.length >> 1];
  const base = med(cpu.original);
  const gcText = (k) => (gc[k] ? `GC ms per 1,000 calls: scavenge ${(gc[k].scavenge * 1000 / calls[k]).toFixed(2)}, major ${(gc[k].major * 1000 / calls[k]).toFixed(2)}` : "no GC");
  console.log(`${which} after ${WARM * 100} calls: ` + Object.keys(cpu).map((k) => `${k} ${med(cpu[k]).toFixed(0)} ns (${(med(cpu[k]) / base).toFixed(2)}x; ${gcText(k)})`).join(", "));
  const i = inspect(jitted);
  console.log(`  tier ${i.tier}, ${(i.source ?? "").length} chars; ${last().event}: ${brief(last().detail)}`);
}
