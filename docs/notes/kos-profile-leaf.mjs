// Run: node docs/notes/kos-profile-leaf.mjs <dir of .cpuprofile files>
// Sums each profile's samples by leaf frame: kos's own bundled code by function name, anything else as "program".
import { readFileSync, readdirSync } from "node:fs";
const dir = process.argv[2];
const agg = new Map(); let total = 0, kosTotal = 0;
for (const f of readdirSync(dir).filter((n) => n.endsWith(".cpuprofile"))) {
  const p = JSON.parse(readFileSync(`${dir}/${f}`, "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n])); const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dts = p.timeDeltas;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = (dts[i + 1] ?? 0) / 1000; total += dt;
    let id = p.samples[i], outer = null; const chain = [];
    while (id !== undefined) { const n = byId.get(id); chain.push(n.callFrame); id = parent.get(id); }
    // outermost kos frame
    for (let j = 0; j < 1; j++) { const cf = chain[j]; if (/cached\.cjs/.test(cf.url) || (/dist\/(compiler|profiler|runtime)\//.test(cf.url) && !/entry\.js/.test(cf.url))) { outer = `${cf.functionName || "(anon)"} ${cf.url.split("/").pop()}`; break; } }
    const leaf = chain[0]; const key = outer ?? (leaf.functionName.startsWith("(") ? leaf.functionName : "program");
    if (outer) kosTotal += dt;
    agg.set(key, (agg.get(key) ?? 0) + dt);
  }
}
console.log("total ms", total.toFixed(0), "kos-outer ms", kosTotal.toFixed(0));
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(v.toFixed(1).padStart(7), k);
