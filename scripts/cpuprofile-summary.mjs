// Where a .cpuprofile's time went, by function (name, file, line):
//   node scripts/cpuprofile-summary.mjs <file> [top]              self and total (inclusive) time
//   node scripts/cpuprofile-summary.mjs <file> callers <text> [n]  total time of the outermost frame whose
//                                                                 name contains <text>, by its n callers
//   node scripts/cpuprofile-summary.mjs <file> callees <text>      the same time, by the frame it called
// Used with scripts/compile-profile.mjs for docs/notes/compile-time.md.
import { readFileSync } from "node:fs";
const p = JSON.parse(readFileSync(process.argv[2], "utf8"));
const mode = process.argv[3];
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const key = (n) => `${n.callFrame.functionName || "(anon)"} ${n.callFrame.url.split("/").slice(-2).join("/")}:${n.callFrame.lineNumber + 1}`;
const add = (m, k, v) => m.set(k, (m.get(k) ?? 0) + v);
const print = (m, all, top) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).forEach(([k, v]) => console.log(v.toFixed(1).padStart(9), `${((100 * v) / all).toFixed(1)}%`.padStart(6), k));
const dt = (i) => (p.timeDeltas[i + 1] ?? 0) / 1000;
if (mode === "callers" || mode === "callees") {
  const pat = process.argv[4];
  const depth = Number(process.argv[5] ?? 1);
  const agg = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    let id = p.samples[i];
    let outermost = null;
    let below = null;
    let prev = null;
    while (id !== undefined) {
      if (key(byId.get(id)).includes(pat)) [outermost, below] = [id, prev];
      prev = id;
      id = parent.get(id);
    }
    if (outermost === null) continue;
    total += dt(i);
    if (mode === "callees") add(agg, below === null ? "(self)" : key(byId.get(below)), dt(i));
    else {
      const chain = [];
      for (id = parent.get(outermost); id !== undefined && chain.length < depth; id = parent.get(id)) chain.push(key(byId.get(id)));
      add(agg, chain.join(" < "), dt(i));
    }
  }
  console.log("total ms", total.toFixed(1));
  print(agg, total, 40);
} else {
  const top = Number(mode ?? 40);
  const self = new Map();
  const incl = new Map();
  let all = 0;
  for (let i = 0; i < p.samples.length; i++) {
    all += dt(i);
    let id = p.samples[i];
    add(self, key(byId.get(id)), dt(i));
    const seen = new Set();
    for (; id !== undefined; id = parent.get(id)) {
      const k = key(byId.get(id));
      if (!seen.has(k)) (seen.add(k), add(incl, k, dt(i)));
    }
  }
  console.log("total ms", all.toFixed(1));
  console.log("--- self");
  print(self, all, top);
  console.log("--- total");
  print(incl, all, top);
}
