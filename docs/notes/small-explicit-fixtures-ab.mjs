// The jit bench's fixtures, jitted by two builds of kos in one process (the base's dist and this
// tree's), interleaved batches, CPU time: does putting an entry in front of small versions that loop
// or call out cost their calls anything?
//   flock /tmp/kos-bench.lock nice -n 19 node docs/notes/small-explicit-fixtures-ab.mjs /work/main/dist [rounds]
import { pathToFileURL } from "node:url";
const baseDist = process.argv[2];
const ROUNDS = Number(process.argv[3] ?? 15);
const mine = await import("../../dist/index.js");
const base = await import(pathToFileURL(`${baseDist}/index.js`).href);
const { fixtures } = await import("../../dist/fixtures/index.js");
const only = process.env.KOS_JIT_FIXTURES?.split(",");

let id = 0;
function makeRunner(fn, batch) {
  const call = Array.from({ length: batch[0].length }, (_, i) => `a[${i}]`).join(", ");
  return new Function("fn", "batch", `const results = new Array(batch.length).fill(0); return function run() { for (let i = 0; i < batch.length; i++) { const a = batch[i]; results[i] = fn(${call}); } return results; }; // runner ${id++}`)(fn, batch);
}
const cpuNs = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
let sink;
for (const f of fixtures.filter((x) => !only || only.includes(x.name))) {
  const batch = f.makeArgs(42, 256);
  const jb = base.jit(f.generic, { specialize: f.specialize, scope: f.scope });
  const jm = mine.jit(f.generic, { specialize: f.specialize, scope: f.scope });
  const variants = { base: makeRunner(jb, batch), mine: makeRunner(jm, batch) };
  // Past the check's windows (call 16000 at most).
  for (let r = 0; r < 200; r++) for (const k in variants) sink = variants[k]();
  let per = cpuNs(); sink = variants.base(); per = Math.max(cpuNs() - per, 1000);
  const reps = Math.max(1, Math.round(5e6 / per));
  const t = { base: [], mine: [] };
  const ratio = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ["base", "mine"] : ["mine", "base"];
    const got = {};
    for (const k of order) { const t0 = cpuNs(); for (let i = 0; i < reps; i++) sink = variants[k](); got[k] = (cpuNs() - t0) / (reps * batch.length); t[k].push(got[k]); }
    ratio.push(got.base / got.mine);
  }
  const ev = mine.inspect(jm).history.map((h) => h.event).filter((e) => e !== "compiled").join(",");
  console.log(`${f.name}: base ${median(t.base).toFixed(2)} ns, this tree ${median(t.mine).toFixed(2)} ns a call (CPU medians of ${ROUNDS}); base/this ${median(ratio).toFixed(3)}; this tree: tier ${mine.inspect(jm).tier} ${ev}`);
}
