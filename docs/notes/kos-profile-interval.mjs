// Run from the repository root after `npm run build`, under the bench lock:
//   flock /tmp/kos-bench.lock nice -n 19 node docs/notes/kos-profile-interval.mjs <program> <arg> <rounds> 1000,2000
// Per round (interleaved, the order alternating): the plain run, then the program as `kos profile` runs it (--cpu-prof,
// KOS_FEEDBACK_OUT) at each sampling interval. Prints CPU and wall against the plain run (paired medians) and, per interval,
// the self share (mean ± sd over the runs) of the top functions of the main thread, and how often each run found them.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, rmSync } from "node:fs";
const [prog, arg, roundsS, ivS] = process.argv.slice(2);
const rounds = +roundsS, ivs = ivS.split(",").map(Number);
const file = `./dist/bench/programs/${prog}.js`;
const env = { ...process.env, KOS_BENCH_MODE: "jit" };
const fb = { ...env, KOS_FEEDBACK_OUT: "/tmp/kos-pc-qfb.json", KOS_FEEDBACK_UNHASHED: "1" };
const names = ["plain", ...ivs.map(String)];
const R = Object.fromEntries(names.map((k) => [k, { cpu: [], wall: [], shares: [], n: [] }]));
function shares(dir) {
  const f = readdirSync(dir).filter((n) => n.endsWith(".cpuprofile")).sort()[0];
  const p = JSON.parse(readFileSync(`${dir}/${f}`, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map(); let tot = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]); const cf = n.callFrame;
    if (cf.functionName === "(idle)" || cf.functionName === "(program)") continue;
    const k = `${cf.functionName || "(anon)"} ${cf.url.replace(/.*\//, "")}:${cf.lineNumber + 1}`;
    self.set(k, (self.get(k) ?? 0) + 1); tot++;
  }
  for (const [k, v] of self) self.set(k, v / tot);
  return [self, tot];
}
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...names].reverse() : names;
  for (const k of order) {
    const flags = k === "plain" ? [] : ["--cpu-prof", "--cpu-prof-dir=/tmp/kos-pc-q", `--cpu-prof-interval=${k}`];
    const s = performance.now();
    const x = spawnSync("perf", ["stat", "-x,", "-e", "task-clock", process.execPath, ...flags, file, arg], { env: k === "plain" ? env : fb, encoding: "utf8" });
    R[k].wall.push(performance.now() - s);
    if (x.status) throw new Error(x.stderr);
    R[k].cpu.push(+/([\d.]+),msec,task-clock/.exec(x.stderr)[1]);
    if (k !== "plain") { const [sh, n] = shares("/tmp/kos-pc-q"); R[k].shares.push(sh); R[k].n.push(n); }
    rmSync("/tmp/kos-pc-q", { recursive: true, force: true }); rmSync("/tmp/kos-pc-qfb.json", { force: true });
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const pd = (k, f) => med(R[k][f].map((v, i) => v - R.plain[f][i]));
console.log(`${prog} ${arg} rounds=${rounds}  load ${(await import("node:os")).loadavg()[0].toFixed(1)}`);
for (const k of names) console.log(k.padEnd(6), `cpu ${med(R[k].cpu).toFixed(0)} (+${pd(k, "cpu").toFixed(1)})  wall ${med(R[k].wall).toFixed(0)} (+${pd(k, "wall").toFixed(1)})`, k === "plain" ? "" : `samples ${med(R[k].n)}`);
// reference: pooled shares at the smallest interval
const ref = new Map(); for (const sh of R[names[1]].shares) for (const [f, v] of sh) ref.set(f, (ref.get(f) ?? 0) + v / rounds);
const top = [...ref].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([f]) => f);
const topk = (sh, k) => [...sh].sort((a, b) => b[1] - a[1]).slice(0, k).map(([f]) => f);
for (const f of top) console.log("  ", f.padEnd(50).slice(0, 50), ivs.map((iv) => { const v = R[iv].shares.map((s) => (s.get(f) ?? 0) * 100); const m = v.reduce((a, b) => a + b) / v.length; const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1)); return `${iv}: ${m.toFixed(1)}±${sd.toFixed(1)}`; }).join("  "));
for (const iv of ivs) { const t3 = top.slice(0, 3); const ok = R[iv].shares.filter((s) => { const t = topk(s, 3); return t3.every((f) => t.includes(f)); }).length; const ok1 = R[iv].shares.filter((s) => topk(s, 1)[0] === top[0]).length; console.log(`  ${iv}: runs whose top 3 is the reference top 3: ${ok}/${rounds}; top 1: ${ok1}/${rounds}`); }
