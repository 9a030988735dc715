// Interleaved CPU medians: original vs jit (tiering, natural use) vs jit explicit, main's kos and this branch's, one process.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const after = await import(new URL("../../dist/index.js", import.meta.url).href);
const before = await import("/work/main/dist/index.js");
const R = require("ramda");
const U = require("underscore");
const inc = (x) => (typeof x === "number" ? x + 1 : x);
const dbl = (x) => (typeof x === "number" ? x * 2 : String(x));
const vol = R.curry((a, b, c) => a * b * c);
const objs = Array.from({ length: 64 }, (_, i) => ({ c: { d: i }, x: i }));
const cases = {
  "R.add(3)": [() => R.add(3), (i) => [i]],
  "R.path(['c','d'])": [() => R.path(["c", "d"]), (i) => [objs[i & 63]]],
  "R.prop('x')": [() => R.prop("x"), (i) => [objs[i & 63]]],
  "R.pipe(inc,dbl,inc)": [() => R.pipe(inc, dbl, inc), (i) => [i]],
  "R.curry(vol)(2)(3)": [() => vol(2)(3), (i) => [i]],
  "U.memoize(inc)": [() => U.memoize(inc), (i) => [i & 15]],
  "U.partial(f,1)": [() => U.partial((a, b) => a + b, 1), (i) => [i]],
};
const only = process.argv[2];
const N = 20000, ROUNDS = 15;
for (const [name, [make, arg]] of Object.entries(cases)) {
  if (only && !name.includes(only)) continue;
  const argsList = Array.from({ length: N }, (_, i) => arg(i));
  const variants = {
    original: make(),
    "main jit": before.jit(make()),
    "branch jit": after.jit(make()),
    "main hot1000": before.jit(make(), { tiering: { hotCalls: 1000 } }),
    "branch hot1000": after.jit(make(), { tiering: { hotCalls: 1000 } }),
    "main explicit": before.jit(make(), { specialize: {}, argumentCount: 1 }),
    "branch explicit": after.jit(make(), { specialize: {}, argumentCount: 1 }),
  };
  // Warm: the natural entries until tiering leaves tier 0 (compiles once the function's time pays for it), at most 4 s each.
  for (const [k, f] of Object.entries(variants)) {
    const api = k.startsWith("main") ? before : after;
    const t0 = Date.now();
    let passes = 0;
    do { for (const a of argsList) f(...a); passes++; } while ((passes < 30 || (k.endsWith(" jit") && api.inspect(f).tier === 0)) && Date.now() - t0 < 4000);
  }
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, f] of Object.entries(variants)) {
      const t0 = process.cpuUsage();
      for (const a of argsList) { const v = f(a[0]); sink += typeof v === "number" ? 1 : 0; }
      const t = process.cpuUsage(t0);
      times[k].push(((t.user + t.system) * 1000) / N);
    }
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  const o = med(times.original);
  const info = (api, f) => { const i = api.inspect(f); return `${i.tier}${i.fallbackReason ? " " + i.fallbackReason.split(":")[0] : ""}`; };
  console.log(`${name}: ` + Object.keys(variants).map((k) => `${k} ${med(times[k]).toFixed(1)} ns (${(med(times[k]) / o).toFixed(2)}x)`).join(", "));
  console.log("   " + Object.keys(variants).filter((k) => k !== "original").map((k) => `${k}: ${info(k.startsWith("main") ? before : after, variants[k])}`).join("; "));
  if (sink < 0) console.log(sink);
}
