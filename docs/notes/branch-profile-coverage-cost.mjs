// Cost of V8 block counters (docs/notes/branch-profile.md): the same branchy function compiled before
// (A), while (B) and after (C) precise coverage is on, timed before, during and after it.
//   node docs/notes/branch-profile-coverage-cost.mjs
const { Session } = await import("node:inspector");
const session = new Session();
session.connect();
const post = (m, a = {}) => { let r, e; session.post(m, a, (err, v) => { e = err; r = v; }); if (e) throw e; return r; };
post("Profiler.enable");
const src = "let s = 0; for (let i = 0; i < n; i++) { const t = Math.imul(i, 2654435761) >>> 0; if (t & 1) s += t % 7; else if (t & 2) { s -= t % 3; } else s ^= t; } return s;";
let nth = 0;
const make = () => new Function("n", `/* ${nth++} */ ${src}`);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const time = (f) => { const xs = []; for (let k = 0; k < 7; k++) { const t = cpu(); for (let r = 0; r < 200; r++) f(2000); xs.push(((cpu() - t) * 1e6) / 400000); } return xs.sort((a, b) => a - b)[3]; };
const fA = make(); time(fA);
const row = (label, fs) => console.log(label.padEnd(28), Object.entries(fs).map(([k, f]) => `${k} ${time(f).toFixed(2)}`).join("  "), "ns/iter");
row("off", { A: fA });
let t = performance.now();
post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
console.log("start", (performance.now() - t).toFixed(1), "ms");
const fB = make();
row("on", { A: fA, B: fB });
t = performance.now();
const { result } = post("Profiler.takePreciseCoverage");
console.log("take", (performance.now() - t).toFixed(1), "ms", result.length, "scripts");
for (const s of result) for (const f of s.functions) if (f.ranges[0].count > 0) console.log("  anonymous fn: block coverage", f.isBlockCoverage, "ranges", f.ranges.length);
t = performance.now();
post("Profiler.stopPreciseCoverage");
console.log("stop", (performance.now() - t).toFixed(1), "ms");
const fC = make();
row("off again", { A: fA, B: fB, C: fC });
row("off again, later", { A: fA, B: fB, C: fC });
