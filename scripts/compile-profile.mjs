// CPU profile of warm compiles: `node scripts/compile-profile.mjs <dist> <use> <warm> <profiled> [out.cpuprofile]`.
// <use> is a fixture's name (`jit(generic, { specialize })`), a real library's name (its natural explicit
// use) or "sift" (its tiering use, driven to tier up at 1,000 calls, maxCompileMs 60000). Compiles <warm>
// times unprofiled, then <profiled> times under the inspector's profiler (200 µs), and prints each
// compile's time (inspect(f).compileTimeMs) and the CPU ms per profiled compile. For attribution, profile
// a copy of dist without compiler/*.cached.cjs (the bundles): the modules then load one file each, and
// the profile names them. Read the profile with scripts/cpuprofile-summary.mjs. Used for
// docs/notes/compile-time.md.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
process.env.KOS_HOT_CALLS = "1000";
const dist = pathToFileURL(resolve(process.argv[2])).href;
const name = process.argv[3];
const warm = Number(process.argv[4] ?? 3), nprof = Number(process.argv[5] ?? 5);
const out = process.argv[6];
const { jit, inspect } = await import(dist + "/index.js");
const fx = await import(dist + "/fixtures/index.js");
const real = await import(dist + "/fixtures/real/index.js");
let make;
const f = fx.fixtures.find((x) => x.name === name);
if (f) make = () => jit(f.generic, { specialize: f.specialize, ...(f.scope ? { scope: f.scope } : {}) });
else if (name === "sift") {
  const { sift, query } = await import(dist + "/fixtures/real/sift/program.js");
  const inputs = real.siftCase.inputs(1, 1500);
  make = () => { const fn = jit(sift(query), { maxCompileMs: 60000 }); for (const x of inputs) try { fn(x); } catch {} return fn; };
} else {
  const c = Object.values(real).find((x) => x && x.lib === name);
  make = () => c.natural.find((u) => !u.tiering).make().fn;
}
const session = new Session();
session.connect();
const post = (m, p) => new Promise((res, rej) => session.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
const times = [];
for (let i = 0; i < warm; i++) times.push(inspect(make()).compileTimeMs);
if (out) { await post("Profiler.enable"); await post("Profiler.setSamplingInterval", { interval: 200 }); await post("Profiler.start"); }
const cpu0 = process.cpuUsage();
for (let i = 0; i < nprof; i++) { const fn = make(); const r = inspect(fn); times.push(r.compileTimeMs); if (r.tier !== 1 && i === 0) console.error("tier", r.tier, r.fallbackReason); }
const cpu = process.cpuUsage(cpu0);
if (out) { const { profile } = await post("Profiler.stop"); writeFileSync(out, JSON.stringify(profile)); }
console.log(JSON.stringify({ name, times: times.map((t) => Math.round(t * 10) / 10), cpuPer: Math.round((cpu.user + cpu.system) / 1000 / nprof) }));
