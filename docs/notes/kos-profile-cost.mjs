import { spawnSync } from "node:child_process";
import { rmSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
// Run from the repository root after `npm run build`:
//   flock /tmp/kos-bench.lock node docs/notes/kos-profile-cost.mjs <program> [rounds] [variants,...]
// Prints, per variant, the median wall time, the median CPU time (perf stat task-clock, every
// thread) and the time from the program's last exit handler to its process ending.
const exitMark = join(tmpdir(), "kos-profile-cost-exitmark.cjs");
writeFileSync(exitMark, 'process.on("exit", () => { process.stderr.write(`EXITMARK ${performance.timeOrigin + performance.now()}\\n`); });\n');
const prog = process.argv[2] ?? "life";
const rounds = +(process.argv[3] ?? 9);
const only = process.argv[4]?.split(",");
const file = `dist/bench/programs/${prog}.js`;
const env = { ...process.env, KOS_BENCH_MODE: "jit" };
const mark = ["--require", exitMark];
const fb = { ...env, KOS_FEEDBACK_OUT: "/tmp/psplit-fb.json", KOS_FEEDBACK_UNHASHED: "1" };
const cp = ["--cpu-prof", "--cpu-prof-dir=/tmp/psplit"];
let V = {
  plain: [[...mark, file], env],
  cpuprof: [[...cp, ...mark, file], env],
  cpu2000: [[...cp, "--cpu-prof-interval=2000", ...mark, file], env],
  feedback: [[...mark, file], fb],
  both: [[...cp, ...mark, file], fb],
  cpu100ms: [[...cp, "--cpu-prof-interval=100000", ...mark, file], env],
  cpu250: [[...cp, "--cpu-prof-interval=250", ...mark, file], env],
  kosprof: [["dist/cli/kos.js", "profile", "--out", "/tmp/psplit-out", "--", "node", ...mark, file], env],
};
if (only) V = Object.fromEntries(Object.entries(V).filter(([k]) => only.includes(k) || k === "plain"));
const t = Object.fromEntries(Object.keys(V).map((k) => [k, []]));
const tail = Object.fromEntries(Object.keys(V).map((k) => [k, []]));
const size = {};
const cpu = Object.fromEntries(Object.keys(V).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) for (const [k, [args, e]] of Object.entries(V)) {
  const s = performance.now(); const x = spawnSync("perf", ["stat", "-x,", "-e", "task-clock", process.execPath, ...args], { env: e, encoding: "utf8" }); const end = performance.timeOrigin + performance.now(); t[k].push(performance.now() - s);
  if (x.status) throw new Error(x.stderr);
  const c = /([\d.]+),msec,task-clock/.exec(x.stderr); cpu[k].push(+c[1]);
  const m = /EXITMARK ([\d.]+)/.exec(x.stderr); tail[k].push(end - +m[1]);
  try { size[k] = readdirSync("/tmp/psplit").map((n) => statSync("/tmp/psplit/" + n).size).join(","); } catch {}
  rmSync("/tmp/psplit", { recursive: true, force: true });
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const k in t) console.log(prog, k.padEnd(9), med(t[k]).toFixed(0), "ms  +", (med(t[k]) - med(t.plain)).toFixed(0).padStart(3), " cpu", med(cpu[k]).toFixed(0), "+", (med(cpu[k]) - med(cpu.plain)).toFixed(0).padStart(3), " exit->close", med(tail[k]).toFixed(1), size[k] ?? "");
