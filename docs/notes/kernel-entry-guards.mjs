// jit, the same source again, that source without its entry guard, and hand (docs/notes/matmul-alias-guards.md). After `npm run build`, under the bench lock: node docs/notes/kernel-entry-guards.mjs horner stack-machine [--show]
import { measure, do_not_optimize } from "mitata";
const { jit, inspect } = await import("../../dist/index.js");
const { fixtures } = await import("../../dist/fixtures/index.js");
const names = process.argv.slice(2).filter(a => !a.startsWith("--"));
let id = 0;
function cpu(run) { let best = Infinity; for (let w = 0; w < 12; w++) { const t0 = process.cpuUsage(); const e = performance.now() + 25; let n = 0; while (performance.now() < e) { run(); n++; } const d = process.cpuUsage(t0); best = Math.min(best, (d.user + d.system) * 1e3 / (n * 64)); } return best; }
for (const f of fixtures.filter(f => names.includes(f.name))) {
  const batch = f.makeArgs(0xbe7c4, 64);
  const j = jit(f.generic, { specialize: f.specialize });
  for (let r = 0; r < 300; r++) for (const a of batch) j(...a);
  const src = inspect(j).source.replace(/\/\/# sourceMapping.*/, "");
  const frees = [...new Set(src.match(/\$k_[A-Za-z0-9_]+/g))].filter(n => !new RegExp(`function ${n.replace("$", "\\$")}\\b`).test(src));
  const vals = { $k_deopt: () => {}, $k_generic: f.generic };
  for (const n of frees) if (!(n in vals)) { const key = n.replace(/^\$k_/, "").replace(/_\d+$/, ""); vals[n] = n.startsWith("$k_apply") ? Reflect.apply : f.specialize[key]; }
  const inst = (s) => new Function(...frees, s)(...frees.map(n => vals[n]))[0];
  const noGuard = src.replace(/if \(!\([^\n]*\)\) \{\n\s*\$k_deopt\(0\);\n\s*return [^\n]*\n\s*\}\n/, "");
  const variants = { jit: j, jitCopy: inst(src), jitNoGuard: inst(noGuard), hand: f.hand };
  if (process.argv.includes("--show")) console.log(noGuard);
  const arity = batch[0].length;
  const mk = (fn) => new Function("fn", "batch", "dno", `const r = new Array(batch.length).fill(0); return function runBatch() { for (let i = 0; i < batch.length; i++) { const a = batch[i]; r[i] = fn(${Array.from({length: arity}, (_, i) => `a[${i}]`).join(", ")}); } dno(r); }; // ${id++}`)(fn, batch, do_not_optimize);
  const runners = Object.entries(variants).map(([k, v]) => [k, mk(v)]);
  const res = {};
  for (let round = 0; round < 3; round++) for (const [k, r] of (round % 2 ? [...runners].reverse() : runners)) {
    const s = await measure(r, { min_cpu_time: 300e6 }); const c = cpu(r);
    res[k] ??= { med: Infinity, cpu: Infinity }; res[k].med = Math.min(res[k].med, s.p50 / 64); res[k].cpu = Math.min(res[k].cpu, c);
  }
  for (const [k, v] of Object.entries(res)) console.log(f.name.padEnd(14), k.padEnd(12), v.med.toFixed(2), "ns", v.cpu.toFixed(2), "cpu ns", "hand/x med", (res.hand.med / v.med).toFixed(3), "cpu", (res.hand.cpu / v.cpu).toFixed(3));
}
