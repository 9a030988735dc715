/**
 * Suite `tiering`: what `jit(fn)` with no options costs and gains.
 * - tier-0 overhead on functions that never get hot (hotCalls: Infinity),
 *   against calling the function directly;
 * - each specializable fixture after warm-up, where its configuration
 *   argument is in fact constant (deep-frozen by the caller, as tiering
 *   requires to speculate on an object), against plain;
 * - the CRC-32 control.
 */
import { formatNs, geometricMean, markdownTable, time, type BenchSection } from "./harness.js";
import { makeRunner } from "../fixtures/runner.js";
import { jit, inspect } from "../index.js";
import { fixtures, deepFreeze } from "../fixtures/index.js";

const BATCH = 64;
const ROUNDS = 3;

async function best(run: () => void): Promise<number> {
  let bestNs = Infinity;
  for (let r = 0; r < ROUNDS; r++) bestNs = Math.min(bestNs, (await time(run, { minCpuTimeMs: 300 })).medianNs / BATCH);
  return bestNs;
}

function sumTo(xs: number[], scale: number) {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]! * scale;
  return s;
}
function add(a: number, b: number) {
  return a + b;
}

export default async function tieringBench(): Promise<BenchSection> {
  // 1. Tier-0 overhead on never-hot functions.
  const overheadRows: Array<Array<string | number>> = [];
  const cases: Array<[string, Function, unknown[][]]> = [
    ["sum of 64 numbers (`sumTo`)", sumTo, Array.from({ length: BATCH }, (_, i) => [Array.from({ length: 64 }, (_, k) => k + i), i % 3])],
    ["`a + b` (smallest possible body)", add, Array.from({ length: BATCH }, (_, i) => [i, i * 2])],
  ];
  for (const [label, fn, batch] of cases) {
    const direct = makeRunner(fn, batch);
    const tier0 = makeRunner(jit(fn, { tiering: { hotCalls: Infinity, hotTimeMs: Infinity } }), batch);
    const d = await best(direct);
    const t = await best(tier0);
    overheadRows.push([label, formatNs(d), formatNs(t), `${(((t - d) / d) * 100).toFixed(1)}%`]);
  }

  // 2. Fixtures through tiering, constant argument frozen by the caller.
  const rows: Array<Array<string | number>> = [];
  const speedups: number[] = [];
  let control = NaN;
  for (const f of fixtures) {
    for (const v of Object.values(f.specialize)) deepFreeze(v);
    const batch = f.makeArgs(0x71e2, BATCH) as unknown[][];
    const tiered = jit(f.generic, f.scope ? { name: `${f.name}-tiered`, scope: f.scope, tiering: {} } : { name: `${f.name}-tiered` });
    const warm = makeRunner(tiered, batch);
    for (let i = 0; i < 200; i++) warm(); // 12,800 calls: past the default hot threshold (1000)
    // Plain runs on unfrozen copies, as a caller without kos would have them (V8 reads frozen double arrays slowly).
    const thawed = new Map<unknown, unknown>(Object.values(f.specialize).filter((v): v is object => v !== null && typeof v === "object").map((v) => [v, structuredClone(v)]));
    const plainBatch = batch.map((args) => args.map((a) => (thawed.has(a) ? thawed.get(a) : a)));
    const plainNs = await best(makeRunner(f.generic, plainBatch));
    const tieredNs = await best(makeRunner(tiered, batch));
    const info = inspect(tiered)!;
    const s = plainNs / tieredNs;
    if (f.specializable) speedups.push(s);
    else control = s;
    rows.push([f.name + (f.specializable ? "" : " (control)"), formatNs(plainNs), formatNs(tieredNs), `${s.toFixed(2)}×`, String(info.tier), info.assumptions.map((a) => a.description).join("; ") || "—", `${info.compileTimeMs.toFixed(1)} ms`]);
  }
  const geo = geometricMean(speedups);
  const worstOverhead = Math.max(...overheadRows.map((r) => parseFloat(String(r[3]))));
  const markdown = [
    "Tier-0 cost on functions that never get hot (`jit(fn, { tiering: { hotCalls: Infinity } })` against a direct call), per call:",
    "",
    markdownTable(["function", "direct", "tier 0", "overhead"], overheadRows),
    "",
    "Fixtures through `jit(fn)` with no options, after 12,800 warm-up calls, where the configuration argument is constant and deep-frozen by the caller (tiering never freezes a user's object itself, so it only speculates on objects that already are). Plain runs on unfrozen copies of the constants:",
    "",
    markdownTable(["fixture", "plain", "jit(fn), tiered", "speedup", "tier", "speculated on", "compile"], rows),
    "",
    markdownTable(["target", "measured", "status"], [
      ["tier 0 ≤ 5% over a direct call on never-hot functions", `worst ${worstOverhead.toFixed(1)}%`, worstOverhead <= 5 ? "met" : "**missed**"],
      ["tiered ≥ 2× plain on the specializable fixtures (geometric mean)", `${geo.toFixed(2)}× (min ${Math.min(...speedups).toFixed(2)}×)`, geo >= 2 ? "met" : "**missed**"],
      ["control (crc32) ≥ 0.97× plain", Number.isFinite(control) ? `${control.toFixed(2)}×` : "n/a", control >= 0.97 ? "met" : "**missed**"],
    ]),
  ].join("\n");
  return { id: "tiering", title: "tiering: jit(fn) without options", markdown };
}
