// Run from the repository root after `npm run build`, under the bench lock:
//   flock /tmp/kos-bench.lock nice -n 19 node docs/notes/kos-profile-phases.mjs <program> <arg> <rounds> <variant...>
// CPU (perf task-clock, every thread) of the program run as `kos profile` runs it, split into its start (to a --require preload),
// its run (to its first exit handler) and its tail (after), each against the plain run round by round (paired medians).
import { spawnSync } from "node:child_process";
import { rmSync, readdirSync, statSync, writeFileSync } from "node:fs";
const mark = "/tmp/kos-pc-mark.cjs";
writeFileSync(mark, 'const c0=process.cpuUsage(); const w0=performance.now(); process.on("exit", () => { const c=process.cpuUsage(); process.stderr.write(`MARK ${(c0.user+c0.system)/1000} ${(c.user+c.system)/1000} ${w0} ${performance.now()}\\n`); });\n');
const [prog, arg, roundsS, ...vs] = process.argv.slice(2);
const rounds = +roundsS;
const file = `./dist/bench/programs/${prog}.js`;
const env = { ...process.env, KOS_BENCH_MODE: "jit" };
const fb = { ...env, KOS_FEEDBACK_OUT: "/tmp/kos-pc-fb.json", KOS_FEEDBACK_UNHASHED: "1" };
const cp = (i) => ["--cpu-prof", "--cpu-prof-dir=/tmp/kos-pc-prof", ...(i ? [`--cpu-prof-interval=${i}`] : [])];
const V = {
  plain: [[], env],
  cpuprof: [cp(), env],
  cpu2000: [cp(2000), env],
  cpu1500: [cp(1500), env],
  feedback: [[], fb],
  both: [cp(), fb],
  both2000: [cp(2000), fb],
  both1500: [cp(1500), fb],
  both100ms: [cp(100000), fb],
  cpu100ms: [cp(100000), env],
};
const names = ["plain", ...vs.filter((v) => v !== "plain")];
const R = Object.fromEntries(names.map((k) => [k, { cpu: [], start: [], run: [], tail: [], wall: [] }]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...names].reverse() : names;
  for (const k of order) {
    const [flags, e] = V[k];
    const s = performance.now();
    const x = spawnSync("perf", ["stat", "-x,", "-e", "task-clock", process.execPath, ...flags, "--require", mark, file, arg], { env: e, encoding: "utf8" });
    const wall = performance.now() - s;
    if (x.status) throw new Error(x.stderr);
    const cpu = +/([\d.]+),msec,task-clock/.exec(x.stderr)[1];
    const m = /MARK ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(x.stderr);
    R[k].cpu.push(cpu); R[k].start.push(+m[1]); R[k].run.push(+m[2] - +m[1]); R[k].tail.push(cpu - +m[2]); R[k].wall.push(wall);
    rmSync("/tmp/kos-pc-prof", { recursive: true, force: true });
  }
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const pd = (k, f) => med(R[k][f].map((v, i) => v - R.plain[f][i]));
console.log(`${prog} ${arg} rounds=${rounds}  (median; +paired median diff vs plain)`);
for (const k of names) console.log(k.padEnd(10), ["cpu", "start", "run", "tail", "wall"].map((f) => `${f} ${med(R[k][f]).toFixed(1)} (+${pd(k, f).toFixed(1)})`).join("  "));
