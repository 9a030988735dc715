// jit() of 1000 fresh never-called functions a round: main-thread CPU (schedstat) and wall, medians of 21 rounds.
// Run: node --expose-gc docs/notes/tiering-entry-costs/jitcpu.mjs [dormant|core] [dist]
import fs from "node:fs";
const dist = process.argv[3] ?? "../../../dist";
const { jit } = await import(dist + "/index.js");
const mode = process.argv[2] ?? "dormant";
if (mode === "core") { const w = jit(function warmup(a){ return a+1; }, { tiering: { hotCalls: 100 } }); w(1); }
const stat = `/proc/self/task/${process.pid}/schedstat`;
const cpuNs = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
// KOS_PROBE_BIG=1: functions of 150 if-statements (about 6 KB) in place of a three-line loop.
const BIG = !!process.env.KOS_PROBE_BIG;
const N = BIG ? 300 : 1000; const BODY = Array.from({ length: 150 }, (_, k) => `if (o.k${k} === ${k}) total += o.v${k} * ${k};`).join("\n"); const cpu = [], wall = [];
let sink;
for (let r = 0; r < 21; r++) {
  const fns = Array.from({ length: N }, (_, i) => BIG ? new Function("o", "let total = " + (r * N + i) + ";\n" + BODY + "\nreturn total;") : new Function("a", "b", `let s = 0;\nfor (let i = 0; i < a; i++) s += b * ${r * N + i};\nreturn s;`));
  for (const f of fns) void f.toString().length;
  globalThis.gc();
  const kept = new Array(N);
  const c0 = cpuNs(); const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) kept[i] = jit(fns[i]);
  const t1 = process.hrtime.bigint(); const c1 = cpuNs();
  cpu.push((c1 - c0) / N); wall.push(Number(t1 - t0) / N); sink = kept;
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify({ mode, cpuUs: +(med(cpu) / 1000).toFixed(2), wallUs: +(med(wall) / 1000).toFixed(2), minCpuUs: +(Math.min(...cpu) / 1000).toFixed(2) }));
