// Feasibility of a branch profile from V8 block coverage switched on in-process (docs/notes/branch-profile.md).
// sift's query over the bench's inputs, and an unrelated branchy loop: time per call before, during and
// after precise coverage; the cost of start/take/stop; whether sift's functions got block counters.
//   npm run build && node docs/notes/branch-profile-coverage-sift.mjs late|early|first
// late: coverage starts after the library ran (as a tier-up would); early: the same, but measured
// from the start; first: coverage on before the library loads (its functions compiled under it).
const mode = process.argv[2] ?? "late";
const dist = new URL("../../dist/", import.meta.url);
const { Session } = await import("node:inspector");
const session = new Session();
session.connect();
const post = (m, a = {}) => { let r, e; session.post(m, a, (err, v) => { e = err; r = v; }); if (e) throw e; return r; };
post("Profiler.enable");
if (mode === "first") post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
const { realCases } = await import(new URL("fixtures/real/index.js", dist).href);
const c = realCases.find((r) => r.lib === "sift");
const items = c.inputs(1, 64).filter((x) => { try { c.original(x); return true; } catch { return false; } });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
// unrelated code: a small tokenizer-ish loop
function unrelated(n) { let s = 0; for (let i = 0; i < n; i++) { const t = (i * 2654435761) >>> 0; if (t & 1) s += t % 7; else if (t & 2) s -= t % 3; else s ^= t; } return s; }
function timeSift(rounds) { const t = cpu(); let k = 0; for (let r = 0; r < rounds; r++) for (const x of items) if (c.original(x)) k++; return ((cpu() - t) * 1e6) / (rounds * items.length); }
function timeUnrelated(rounds) { const t = cpu(); let s = 0; for (let r = 0; r < rounds; r++) s += unrelated(1000); return ((cpu() - t) * 1e6) / (rounds * 1000); }
const med = (f) => { const xs = [f(), f(), f(), f(), f()].sort((a, b) => a - b); return xs[2]; };
const report = (label) => console.log(`${label}: sift ${med(() => timeSift(300)).toFixed(1)} ns/call, unrelated ${med(() => timeUnrelated(300)).toFixed(2)} ns/iter`);
if (mode === "early") post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
report("before");
let t = performance.now();
if (mode === "late") post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
console.log(`startPreciseCoverage: ${(performance.now() - t).toFixed(1)} ms`);
t = performance.now(); timeSift(1); console.log(`first round after start: ${(performance.now() - t).toFixed(2)} ms for ${items.length} calls`);
report("during");
t = performance.now();
const { result } = post("Profiler.takePreciseCoverage");
const ms = performance.now() - t;
console.log(`takePreciseCoverage: ${ms.toFixed(1)} ms, ${result.length} scripts, ${result.reduce((a, s) => a + s.functions.length, 0)} functions, ${JSON.stringify(result).length} bytes`);
const siftScripts = result.filter((s) => s.url.includes("sift"));
for (const s of siftScripts) {
  const ran = s.functions.filter((f) => f.ranges[0].count > 0);
  console.log(`${s.url.slice(-50)}: ${s.functions.length} functions, ${ran.length} ran, with block ranges ${ran.filter((f) => f.ranges.length > 1 || !f.isBlockCoverage ? f.isBlockCoverage : false).length}, isBlockCoverage ${ran.filter((f) => f.isBlockCoverage).length}`);
}
t = performance.now();
post("Profiler.stopPreciseCoverage");
console.log(`stopPreciseCoverage: ${(performance.now() - t).toFixed(1)} ms`);
t = performance.now(); timeSift(1); console.log(`first round after stop: ${(performance.now() - t).toFixed(2)} ms`);
report("after stop");
report("after stop, later");
