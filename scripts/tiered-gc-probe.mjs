// Tiered valibot `safeParse` against the original, with and without the program's own full GCs
// (docs/notes/tiered-gc-deopts.md). Run after `npm run build`:
//   flock /tmp/kos-bench.lock nice -n 19 node --expose-gc scripts/tiered-gc-probe.mjs [gcEveryMs] [rounds] [lib]
// gcEveryMs 0: no forced GC. Prints CPU µs per call, interleaved 50 ms windows (each variant from a
// call site of its own), medians and per-round figures, then what the tiered function's inspect says.
import { realCases } from "../dist/fixtures/real/index.js";
import { makeNatural } from "../dist/fixtures/real/common.js";
import { inspect, jit } from "../dist/index.js";
import * as valibot from "../dist/fixtures/real/valibot/program.js";

const gcEvery = +(process.argv[2] ?? 0), ROUNDS = +(process.argv[3] ?? 30), lib = process.argv[4] ?? "valibot";
const c = realCases.find((x) => x.lib === lib);
// valibot's tiered use with the compile limit raised (a loaded host cut it at 1.6 s): as the bench's.
const tiered = lib === "valibot"
  ? (() => { const fn = jit(valibot.v.safeParse, { tiering: { hotCalls: 1000 }, maxCompileMs: +(process.env.MAX_COMPILE_MS ?? 5000) }); return { fn, run: (x) => fn(valibot.schema, x) }; })()
  : makeNatural(c.natural.find((u) => u.tiering));
const inputs = c.inputs(1, 256).filter((x) => { try { c.original(x); return true; } catch { return false; } });
const variants = { original: (x) => c.original(x), tiered: tiered.run };
// KOS_PROBE_EXPLICIT=1: the explicit use too, as in the bench's process (a second large version).
if (process.env.KOS_PROBE_EXPLICIT && lib === "valibot") {
  const fn = jit(valibot.v.safeParse, { specialize: { schema: valibot.schema }, maxCompileMs: 5000 });
  variants.explicit = (x) => fn(valibot.schema, x);
}
const loops = Object.fromEntries(Object.keys(variants).map((k) => [k, new Function("f", "inputs", "for (let i = 0; i < inputs.length; i++) f(inputs[i]);")]));
let lastGc = performance.now(), gcs = 0;
const maybeGc = () => { if (gcEvery > 0 && performance.now() - lastGc >= gcEvery) { globalThis.gc(); gcs++; lastGc = performance.now(); } };
let totals = {};
function window(k, ms) {
  const c0 = process.cpuUsage(), w0 = performance.now(), until = w0 + ms;
  let n = 0;
  while (performance.now() < until) { loops[k](variants[k], inputs); n += inputs.length; }
  const u = process.cpuUsage(c0);
  totals[k] = totals[k] ?? { us: 0, n: 0, wall: 0 };
  totals[k].wall += (performance.now() - w0) * 1000;
  totals[k].us += u.user + u.system;
  totals[k].n += n;
  return (u.user + u.system) / n;
}
// Warm-up as the bench does: 4000 calls, then until the tiered function decided, then 500 ms each.
for (let i = 0; i < 4000; i++) variants.tiered(inputs[i % inputs.length]);
for (let i = 0; i < 2000 && inspect(tiered.fn)?.tier === 0; i++) loops.tiered(variants.tiered, inputs);
for (const k in variants) window(k, 500);
totals = {};
const t = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
// The forced GCs run between windows, untimed: the windows show what they leave behind.
// Each round yields to the event loop, as a server's work does (the gain check's recheck polls on a timer).
const rounds = async (n) => { for (let r = 0; r < n; r++) { await new Promise((res) => setImmediate(res)); maybeGc(); for (const k of r % 2 ? Object.keys(variants) : Object.keys(variants).reverse()) t[k].push(window(k, 50)); } };
await rounds(ROUNDS);
// AFTER=n: n more rounds, reported apart (the steady state once the gain check's rechecks decided).
const AFTER = +(process.env.AFTER ?? 0);
if (AFTER > 0) {
  const before = totals;
  totals = {};
  await rounds(AFTER);
  const per = (v) => (v.us / v.n).toFixed(2);
  console.log(`after ${ROUNDS} rounds (tier ${inspect(tiered.fn).tier}), ${AFTER} more: tiered ${per(totals.tiered)} µs, original ${per(totals.original)} µs a call by CPU (tiered/original ${(totals.tiered.us / totals.tiered.n / (totals.original.us / totals.original.n)).toFixed(2)})`);
  totals = before;
}
const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const min = (v) => Math.min(...v);
console.log(`${lib} gcEvery=${gcEvery} ms (${gcs} forced GCs): original median ${med(t.original).toFixed(2)} min ${min(t.original).toFixed(2)} µs; tiered median ${med(t.tiered).toFixed(2)} min ${min(t.tiered).toFixed(2)} µs; ratio of medians ${(med(t.tiered) / med(t.original)).toFixed(2)}`);
console.log("  all rounds, CPU over calls: " + Object.entries(totals).map(([k, v]) => `${k} ${(v.us / v.n).toFixed(2)} µs (wall ${(v.wall / v.n).toFixed(2)})`).join(", ") + ` (tiered/original ${((totals.tiered.us / totals.tiered.n) / (totals.original.us / totals.original.n)).toFixed(2)})`);
console.log("  tiered per round:", t.tiered.map((x) => x.toFixed(1)).join(" "));
for (const k of Object.keys(variants).filter((k) => k !== "tiered")) console.log(`  ${k} per round (median ${med(t[k]).toFixed(2)}):`, t[k].map((x) => x.toFixed(1)).join(" "));
const i = inspect(tiered.fn);
console.log(`  tier ${i.tier}, ${(i.source ?? "").length} chars, fallback: ${i.fallbackReason ?? "-"}`);
for (const h of i.history.slice(-6)) console.log(`  ${h.event}: ${h.detail ?? ""}`);
