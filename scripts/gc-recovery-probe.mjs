// What a forced full GC costs a large compiled version (docs/real-interpreters.md, "Why the mitata
// medians and the CPU-time table disagree on mustache"). Run after `npm run build`:
//
//     node --expose-gc scripts/gc-recovery-probe.mjs [library]     (default mustache)
//
// Warms the original and the natural jit() use of a fixtures/real library, then forces one full
// GC and prints the CPU time per call of each in 50 ms windows after it.
import { realCases } from "../dist/fixtures/real/index.js";
import { makeNatural } from "../dist/fixtures/real/common.js";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const lib = process.argv[2] ?? "mustache";
const c = realCases.find((x) => x.lib === lib);
if (!c) throw new Error(`no fixtures/real library ${lib}`);
const { run } = makeNatural(c.natural[0]);
const inputs = c.inputs(7, 64).filter((x) => {
  try {
    c.original(x);
    run(x);
    return true;
  } catch {
    return false;
  }
});
const variants = { original: (x) => c.original(x), natural: run };
function window(f, ms) {
  const c0 = process.cpuUsage();
  const until = performance.now() + ms;
  let n = 0;
  while (performance.now() < until) {
    for (const x of inputs) f(x);
    n += inputs.length;
  }
  const u = process.cpuUsage(c0);
  return (((u.user + u.system) * 1000) / n / 1000).toFixed(2);
}
for (const [name, f] of Object.entries(variants)) {
  for (let i = 0; i < 10; i++) window(f, 150);
  const before = Array.from({ length: 3 }, () => window(f, 50));
  globalThis.gc();
  const after = Array.from({ length: 12 }, () => window(f, 50));
  console.log(`${lib} ${name}: µs a call in 50 ms windows, before | after one forced GC: ${before.join(" ")} | ${after.join(" ")}`);
}
