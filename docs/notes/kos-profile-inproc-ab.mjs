// Paired interleaved rounds of one bench program at the bench's 1x work: plain (`node prog.js N`),
// `kos profile` as today (spawn) and the in-process prototype (kos-profile-inproc.mjs). Wall and CPU
// (the children's utime+stime from /proc/self/stat, 10 ms ticks) medians, and the median of each
// round's wall ratio to the plain run. From the repository root, under the bench lock:
//   flock /tmp/kos-bench.lock nice -n 19 node docs/notes/kos-profile-inproc-ab.mjs dsp 15000 9
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
const [prog, arg, roundsArg, variantsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 7);
const file = `dist/bench/programs/${prog}.js`;
const env = { ...process.env, KOS_BENCH_MODE: "jit" };
for (const k of ["KOS_PROFILE", "KOS_JIT", "KOS_FEEDBACK_OUT", "KOS_FEEDBACK_UNHASHED"]) delete env[k];
const kosCli = process.env.KOS_CLI ?? "dist/cli/kos.js";
const V = {
  plain: [file, arg],
  spawn: [kosCli, "profile", "--out", `${tmpdir()}/kos-inproc-ab-spawn-${prog}`, "--", file, arg],
  inproc: [new URL("kos-profile-inproc.mjs", import.meta.url).pathname, `${tmpdir()}/kos-inproc-ab-inproc-${prog}`, file, arg],
};
const variants = (variantsArg ?? "plain,spawn,inproc").split(",");
const childCpu = () => { const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" "); return (Number(f[13]) + Number(f[14])) * 10; };
const res = Object.fromEntries(variants.map((v) => [v, { wall: [], cpu: [] }]));
const ratio = Object.fromEntries(variants.map((v) => [v, []]));
for (let r = 0; r < rounds; r++) {
  const order = [...variants].sort(() => Math.random() - 0.5);
  const w = {};
  for (const v of order) {
    const c0 = childCpu(); const t0 = performance.now();
    const p = spawnSync(process.execPath, V[v], { env, encoding: "utf8" });
    const wall = performance.now() - t0; const cpu = childCpu() - c0;
    if (p.status !== 0) throw new Error(`${v} failed: ${p.stderr}`);
    res[v].wall.push(wall); res[v].cpu.push(cpu); w[v] = wall;
  }
  for (const v of variants) ratio[v].push(w[v] / w.plain);
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const out = variants.map((v) => `${v}: wall ${med(res[v].wall).toFixed(0)} cpu ${med(res[v].cpu).toFixed(0)} ratio ${med(ratio[v]).toFixed(3)}`);
console.log(`${prog} ${arg} x${rounds} load ${readFileSync("/proc/loadavg", "utf8").split(" ")[0]}: ${out.join(" | ")}`);
