import { measure, do_not_optimize } from "../../../node_modules/mitata/src/main.mjs";
const D = process.argv[2] ?? "../../../dist";
const { jit, inspect } = await import(D + "/index.js");
const BATCH = 64; let runnerId = 0;
function runner(fn, batch) {
  const arity = batch[0].length;
  const call = Array.from({ length: arity }, (_, i) => `a[${i}]`).join(", ");
  const body = `const results = new Array(batch.length).fill(0);\nreturn function runBatch() {\n  for (let i = 0; i < batch.length; i++) {\n    const a = batch[i];\n    results[i] = fn(${call});\n  }\n  do_not_optimize(results);\n};\n// runner ${runnerId++}`;
  return new Function("fn", "batch", "do_not_optimize", body)(fn, batch, do_not_optimize);
}
function mixed(a) { return typeof a === "number" ? a + 1 : String(a).length; }
function add(a, b) { return a + b; }
const rows = [];
{ const batch = Array.from({ length: BATCH }, (_, i) => [i % 2 ? i : `s${i}`]);
  const g = jit(mixed, { tiering: { hotCalls: 100 } }); for (let i = 0; i < 10; i++) runner(g, batch)();
  if (inspect(g).tier !== "fallback") throw new Error("mixed not generic");
  rows.push(["mixed", runner(mixed, batch), runner(g, batch)]); }
{ const batch = Array.from({ length: BATCH }, (_, i) => [i, i * 2]);
  const g = jit(add, { tiering: { hotCalls: 20, maxVersions: 1 } }); for (let k = 0; k < 4; k++) for (let i = 0; i < 100; i++) g(k, i);
  for (let i = 0; i < 10; i++) runner(g, batch)();
  if (inspect(g).tier !== "fallback") throw new Error("add not generic");
  rows.push(["add", runner(add, batch), runner(g, batch)]); }
const R = +(process.argv[3] ?? 15);
for (const [name, d, t] of rows) {
  const ds = [], ts = [];
  for (let r = 0; r < R; r++) {
    const order = r % 2 ? [[d, ds], [t, ts]] : [[t, ts], [d, ds]];
    for (const [f, out] of order) out.push((await measure(f, { min_cpu_time: 100e6 })).p50 / BATCH);
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const diffs = ds.map((x, i) => ts[i] - x);
  console.log(name, "direct med", med(ds).toFixed(2), "min", Math.min(...ds).toFixed(2), "| jit med", med(ts).toFixed(2), "min", Math.min(...ts).toFixed(2), "| paired diff med", med(diffs).toFixed(2), "min-min", (Math.min(...ts) - Math.min(...ds)).toFixed(2));
}
