/**
 * Suite `tiering`: what `jit(fn)` with no options costs and gains.
 * - the call path: per-call cost of a settled function (generic, or
 *   dispatching to its compiled version) against calling the original or
 *   the compiled version directly, and the cost during tier-0 profiling;
 * - `jit()` itself on a function that is never called, and a process's first `jit()`;
 * - each specializable fixture after warm-up, where its configuration
 *   argument is in fact constant (deep-frozen by the caller, as tiering
 *   requires to speculate on an object), against plain; the CRC-32 control.
 *
 * Every variant runs from its own batch runner whose source text is unique:
 * V8 caches `new Function` by source text *with its feedback*, so runners of
 * identical text share one call site and go megamorphic (measured: 0.7 ns for
 * the first runner, 3.6 ns for every later one, on `a + b`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { do_not_optimize } from "mitata";
import { formatNs, geometricMean, markdownTable, time, type BenchSection } from "./harness.js";
import { compileVersion, jit, inspect } from "../index.js";
import { fixtures, deepFreeze } from "../fixtures/index.js";

const BATCH = 64;
let runnerId = 0;

function runner(fn: Function, batch: unknown[][]): () => void {
  const arity = batch[0]!.length;
  const call = Array.from({ length: arity }, (_, i) => `a[${i}]`).join(", ");
  const body = `const results = new Array(batch.length).fill(0);\nreturn function runBatch() {\n  for (let i = 0; i < batch.length; i++) {\n    const a = batch[i];\n    results[i] = fn(${call});\n  }\n  do_not_optimize(results);\n};\n// runner ${runnerId++}`;
  return new Function("fn", "batch", "do_not_optimize", body)(fn, batch, do_not_optimize);
}

/** A batch runner that calls each of `fns` on every tuple (one caller, several call sites). */
function runnerOfMany(fns: Function[], batch: unknown[][]): () => void {
  const sum = fns.map((_, k) => `f[${k}](a[0], a[1])`).join(" + ");
  const body = `const results = new Array(batch.length).fill(0);\nreturn function runBatch() {\n  for (let i = 0; i < batch.length; i++) {\n    const a = batch[i];\n    results[i] = ${sum};\n  }\n  do_not_optimize(results);\n};\n// runner ${runnerId++}`;
  return new Function("f", "batch", "do_not_optimize", body)(fns, batch, do_not_optimize);
}

/** A batch runner whose one call site calls each of `fns` in turn: megamorphic, so V8 inlines none of them. */
function runnerOfOneSite(fns: Function[], batch: unknown[][]): () => void {
  const body = `const results = new Array(batch.length).fill(0);\nreturn function runBatch() {\n  for (let i = 0; i < batch.length; i++) {\n    const a = batch[i];\n    results[i] = f[i % f.length](a[0], a[1]);\n  }\n  do_not_optimize(results);\n};\n// runner ${runnerId++}`;
  return new Function("f", "batch", "do_not_optimize", body)(fns, batch, do_not_optimize);
}

/**
 * Rounds of the call-path rows. Each round measures every variant once (a mitata median of
 * 80 ms of CPU), the order alternating between rounds; a row's cost is the median over the
 * rounds of the through-jit() variant's time less the direct one's in the same round. The best of
 * 5 rounds in a fixed order read a settled-generic `mixed(a)` 2.06-2.96 ns over the original in
 * three runs of this suite on the shared 2-core host (load average 5-12), where 15-21 paired,
 * alternating rounds of the same two runners read -0.59, -0.05 ns (and `a + b` 0.07, 0.03 ns):
 * a best-of reading is the luckiest round of each side, and luck is not paired
 * (docs/notes/tiering-entry-costs.md, "What the tiering bench's rows measure").
 */
const ROUNDS = 9;

/** Per-round ns per call of each variant: rounds interleaved, order alternating, so that load on the machine hits all alike. */
async function compareRounds(runs: Array<() => void>): Promise<number[][]> {
  const perRound: number[][] = runs.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = runs.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) perRound[i]!.push((await time(runs[i]!, { minCpuTimeMs: 80 })).medianNs / BATCH);
  }
  return perRound;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Median ns per call of each variant over the rounds. */
async function compare(runs: Array<() => void>): Promise<number[]> {
  return (await compareRounds(runs)).map(median);
}

/** A direct variant and the same through jit(): the medians of each, and the median of the rounds' paired differences. */
async function comparePair(direct: () => void, through: () => void): Promise<{ direct: number; through: number; cost: number }> {
  const [d, t] = await compareRounds([direct, through]);
  return { direct: median(d!), through: median(t!), cost: median(t!.map((x, k) => x - d![k]!)) };
}

function scale(k: number, x: number) {
  return k * x + 1;
}
function sumTo(xs: number[], s: number) {
  let t = 0;
  for (let i = 0; i < xs.length; i++) t += xs[i]! * s;
  return t;
}
function add(a: number, b: number) {
  return a + b;
}
// Four functions of one arity, for entries that share their code (one factory per arity).
const affine = [(a: number, b: number) => a * 3 + b, (a: number, b: number) => a * 5 - b, (a: number, b: number) => (a ^ b) + 1, (a: number, b: number) => a - 2 * b];
function mixed(a: unknown) {
  return typeof a === "number" ? a + 1 : String(a).length;
}
// A wrapper of the shape libraries export (color-convert's `rgb.hsl`): rest parameters make
// its entry forward the arguments exactly.
function restSum(...args: unknown[]) {
  const first = args[0] as number[];
  const xs = first.length > 1 ? first : (args as number[]);
  return xs[0]! + xs[1]! + xs[2]!;
}

export default async function tieringBench(): Promise<BenchSection> {
  // 1. The call path.
  const pathRows: Array<Array<string>> = [];
  const worst: Record<string, number> = {};
  const addRow = (label: string, kind: string, pair: { direct: number; through: number; cost: number }, per = 1) => {
    const cost = pair.cost / per;
    pathRows.push([label, kind, formatNs(pair.direct / per), formatNs(pair.through / per), `${cost.toFixed(2)} ns`]);
    worst[kind] = Math.max(worst[kind] ?? -Infinity, cost);
  };
  {
    // Settled generic: nothing stable, so it stays on the original.
    const batch = Array.from({ length: BATCH }, (_, i) => [i % 2 ? i : `s${i}`]);
    const g = jit(mixed, { tiering: { hotCalls: 100 } });
    for (let i = 0; i < 10; i++) runner(g, batch)();
    if (inspect(g)!.tier !== "fallback") throw new Error("bench: mixed() did not settle as generic");
    addRow("`mixed(a)`: nothing stable → generic", "generic", await comparePair(runner(mixed, batch), runner(g, batch)));
  }
  {
    // Settled generic: out of versions (polymorphic limit).
    const batch = Array.from({ length: BATCH }, (_, i) => [i, i * 2]);
    const g = jit(add, { tiering: { hotCalls: 20, maxVersions: 1 } });
    for (let k = 0; k < 4; k++) for (let i = 0; i < 100; i++) g(k, i);
    for (let i = 0; i < 10; i++) runner(g, batch)();
    if (inspect(g)!.tier !== "fallback") throw new Error("bench: add() did not go generic");
    addRow("`a + b`: out of versions → generic", "generic", await comparePair(runner(add, batch), runner(g, batch)));
  }
  {
    // Settled generic, through the exact entry (rest parameters).
    const batch = Array.from({ length: BATCH }, (_, i) => [[i, i + 1, i * 2]]);
    const g = jit(restSum, { tiering: { hotCalls: 100 } });
    for (let i = 0; i < 10; i++) runner(g, batch)();
    if (inspect(g)!.tier !== "fallback") throw new Error("bench: restSum() did not settle as generic");
    addRow("`restSum(...args)`: nothing stable → generic (exact entry)", "generic", await comparePair(runner(restSum, batch), runner(g, batch)));
  }
  {
    // Four settled functions of one arity from one caller: their entries share their code and its
    // call feedback, and V8 inlines at most 920 bytes of bytecode into one optimized function.
    const batch = Array.from({ length: BATCH }, (_, i) => [i, (i * 7) & 15]);
    const gs = affine.map((f) => jit(f, { tiering: { hotCalls: 100 } }));
    for (let i = 0; i < 10; i++) runnerOfMany(gs, batch)();
    if (gs.some((g) => inspect(g)!.tier !== "fallback")) throw new Error("bench: the four (a, b) functions did not settle as generic");
    addRow("four `(a, b)` functions in one caller: nothing stable → generic (per call)", "generic", await comparePair(runnerOfMany(affine, batch), runnerOfMany(gs, batch)), affine.length);
    // The same four through one call site, which V8 cannot inline: the entries' own code runs.
    addRow("the same four through one call site (not inlined): generic", "generic", await comparePair(runnerOfOneSite(affine, batch), runnerOfOneSite(gs, batch)));
  }
  {
    // Never compilable: jit returns the function itself.
    const batch = Array.from({ length: BATCH }, (_, i) => [i, BATCH - i]);
    const g = jit(Math.max);
    addRow("`Math.max`: native, settled at jit()", "generic", await comparePair(runner(Math.max, batch), runner(g, batch)));
  }
  for (const [label, fn, batch, spec] of [
    ["`scale(k, x)`, k constant", scale, Array.from({ length: BATCH }, (_, i) => [3, i]), { specialize: { k: 3 }, assume: { x: "number" } }],
    ["`sumTo(xs, s)`, s constant", sumTo, Array.from({ length: BATCH }, (_, i) => [Array.from({ length: 16 }, (_, k) => k + i), 2]), { specialize: { s: 2 }, assume: { xs: "array" } }],
  ] as const) {
    const t = jit(fn as Function, { tiering: { hotCalls: 200 } });
    for (let i = 0; i < 10; i++) runner(t, batch as unknown as unknown[][])();
    const info = inspect(t)!;
    if (info.tier !== 1) throw new Error(`bench: ${label} did not tier up (${info.fallbackReason})`);
    // The same version, called directly: compiled with the guards the tiering chose.
    const direct = compileVersion(fn as Function, { ...(spec as object), freeze: "require-frozen" }).fn!;
    addRow(label, "compiled", await comparePair(runner(direct, batch as unknown as unknown[][]), runner(t, batch as unknown as unknown[][])));
  }
  {
    // Tier-up inside a caller V8 already optimized at tier 0 (a hot loop in a real program): the
    // caller keeps the code it had, so this row is what a program that tiers up mid-run pays.
    const batch = Array.from({ length: BATCH }, (_, i) => [3, i]);
    const t = jit(scale, { tiering: { hotCalls: BATCH * 3000 } });
    const run = runner(t, batch);
    for (let i = 0; i < 3200; i++) run();
    if (inspect(t)!.tier !== 1) throw new Error("bench: scale did not tier up inside its caller");
    const direct = compileVersion(scale, { specialize: { k: 3 }, assume: { x: "number" }, freeze: "require-frozen" }).fn!;
    addRow("`scale(k, x)`, tier-up inside an already optimized caller", "compiled, tier-up mid-run", await comparePair(runner(direct, batch), run));
  }
  {
    // Tier-0 profiling (never hot): the counting entry against a direct call.
    for (const [label, fn, batch] of [
      ["`a + b`", add, Array.from({ length: BATCH }, (_, i) => [i, i * 2])],
      ["`sumTo(xs, s)`", sumTo, Array.from({ length: BATCH }, (_, i) => [Array.from({ length: 64 }, (_, k) => k + i), i % 3])],
    ] as const) {
      const t = jit(fn as Function, { tiering: { hotCalls: Infinity, hotTimeMs: Infinity } });
      for (let i = 0; i < 10; i++) runner(t, batch as unknown as unknown[][])();
      addRow(label, "tier 0 (profiling)", await comparePair(runner(fn as Function, batch as unknown as unknown[][]), runner(t, batch as unknown as unknown[][])));
    }
  }

  // 2. jit() of a function never called.
  // Fresh functions each round (jit() of the same function again is not the case to measure),
  // made and collected before the clock starts; the median round is kept. In CPU time
  // (process.cpuUsage, every thread): the wall time of 9 rounds read 6.6-11.2 µs across runs on the
  // shared 2-core host, the CPU time of 21 rounds 4.5-6.2 µs in the same conditions, the
  // difference being the time the process waited for a core (docs/notes/tiering-entry-costs.md).
  const perRound: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  const cpuNs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1000;
  };
  for (let round = 0; round < 21; round++) {
    const fresh = Array.from({ length: 1000 }, (_, i) => new Function("a", "b", `let s = 0;\nfor (let i = 0; i < a; i++) s += b * ${round * 1000 + i};\nreturn s;`));
    for (const f of fresh) void f.toString().length;
    gc?.();
    const kept = new Array<Function>(fresh.length);
    const started = cpuNs();
    for (let i = 0; i < fresh.length; i++) kept[i] = jit(fresh[i]!);
    perRound.push((cpuNs() - started) / fresh.length);
    do_not_optimize(kept);
  }
  const jitNs = perRound.sort((a, b) => a - b)[perRound.length >> 1]!;

  // 3. A process's first jit(): it loads the dormant tier's script (compiler/dormant.ts, through V8's
  // code cache, scripts/bundle-compiler.mjs), and the core waits; then the first calls run the dormant
  // entry's code cold; then jit() of fresh functions, dormant too. Fresh processes; the first
  // writes the code cache (kept apart, and dropped from the medians).
  const firstProbe = `import { jit, inspect } from ${JSON.stringify(new URL("../index.js", import.meta.url).href)};
const t0 = performance.now();
// A loop, so that the dormant tier puts it to sleep: \`a + b\` alone is too small to (compiler/small-function.ts).
const f = jit(function sumTimes(a, b) { let s = 0; for (let i = 0; i < a; i++) s += b; return s; });
const t1 = performance.now();
let s = 0;
for (let i = 0; i < 1000; i++) s += f(3, i);
const t2 = performance.now();
// jit() of fresh functions, dormant: 21 rounds of 1000 after a full collection each, in CPU time, as
// in the warm measure above; the median round (the first rounds run kos's code cold).
const rounds = [];
const kept = [];
const cpuUs = () => { const u = process.cpuUsage(); return u.user + u.system; };
for (let round = 0; round < 21; round++) {
  const fresh = Array.from({ length: 1000 }, (_, i) => new Function("a", "b", "let s = 0;\\nfor (let i = 0; i < a; i++) s += b * " + (round * 1000 + i) + ";\\nreturn s;"));
  for (const g of fresh) void g.toString().length;
  globalThis.gc();
  const c3 = cpuUs();
  for (const g of fresh) kept.push(jit(g));
  rounds.push((cpuUs() - c3) / fresh.length);
}
rounds.sort((a, b) => a - b);
console.log(JSON.stringify({ jit: t1 - t0, calls: t2 - t1, dormantJitUs: rounds[10], dormant: inspect(f).history[0].event === "dormant" && inspect(kept[20999]).history[0].event === "dormant", s }));`;
  const cacheDir = mkdtempSync(join(tmpdir(), "kos-first-jit-"));
  const firstJit: number[] = [];
  const firstCalls: number[] = [];
  const dormantJit: number[] = [];
  let allDormant = true;
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("KOS_") && k !== "NODE_OPTIONS"));
    for (let run = 0; run < 10; run++) {
      const r = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", firstProbe], { encoding: "utf8", env: { ...env, KOS_CODE_CACHE_DIR: cacheDir } });
      if (r.status !== 0) throw new Error(`first-jit probe failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout) as { jit: number; calls: number; dormantJitUs: number; dormant: boolean };
      if (run === 0) continue;
      firstJit.push(m.jit);
      firstCalls.push(m.calls);
      dormantJit.push(m.dormantJitUs);
      allDormant &&= m.dormant;
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

  // 4. Fixtures through tiering, constant argument frozen by the caller.
  const rows: Array<Array<string | number>> = [];
  const speedups: number[] = [];
  let control = NaN;
  // Tiering compiles wait until they fit in the process's compile budget (1% of its CPU so far,
  // profiler/compile-budget.ts): what ran before in this process decides whether they happen here.
  const cpuBefore = process.cpuUsage();
  const cpuSoFarS = (cpuBefore.user + cpuBefore.system) / 1e6;
  for (const f of fixtures) {
    for (const v of Object.values(f.specialize)) deepFreeze(v);
    const batch = f.makeArgs(0x71e2, BATCH) as unknown[][];
    const tiered = jit(f.generic, f.scope ? { name: `${f.name}-tiered`, scope: f.scope, tiering: {} } : { name: `${f.name}-tiered` });
    const warm = runner(tiered, batch);
    for (let i = 0; i < 200; i++) warm(); // 12,800 calls: past the default hot threshold (1000)
    // Plain runs on unfrozen copies, as a caller without kos would have them (V8 reads frozen double arrays slowly).
    const thawed = new Map<unknown, unknown>(Object.values(f.specialize).filter((v): v is object => v !== null && typeof v === "object").map((v) => [v, structuredClone(v)]));
    const plainBatch = batch.map((args) => args.map((a) => (thawed.has(a) ? thawed.get(a) : a)));
    const [plainNs, tieredNs] = await compare([runner(f.generic, plainBatch), runner(tiered, batch)]);
    const info = inspect(tiered)!;
    const s = plainNs! / tieredNs!;
    if (f.specializable) speedups.push(s);
    else control = s;
    rows.push([f.name + (f.specializable ? "" : " (control)"), formatNs(plainNs!), formatNs(tieredNs!), `${s.toFixed(2)}×`, String(info.tier), info.assumptions.map((a) => a.description).join("; ") || info.fallbackReason || "—", `${info.compileTimeMs.toFixed(1)} ms`]);
  }
  const geo = geometricMean(speedups);
  const markdown = [
    `The call path, per call, against calling the original (generic) or the same compiled version directly, each variant from its own call site: ${ROUNDS} rounds, each a mitata median of both variants in alternating order; the columns are the medians over the rounds, the cost the median of the rounds' paired differences:`,
    "",
    markdownTable(["function", "state", "direct", "through jit()", "cost"], pathRows),
    "",
    `\`jit(fn)\` of a function that is never called: **${(jitNs / 1000).toFixed(2)} µs** (CPU time, median of 21 rounds of 1000 fresh three-line functions; a precheck on the intrinsic toString, no parsing).`,
    "",
    `A process's first \`jit(fn)\`, which loads the dormant tier (one small script run through V8's code cache; kos's core waits until the process has used enough CPU for its load and a first compile to fit the compile budget, compiler/dormant.ts): **${medianOf(firstJit).toFixed(2)} ms**; then its first 1000 calls, ${allDormant ? "dormant" : "**not dormant**"}: ${medianOf(firstCalls).toFixed(2)} ms; then \`jit()\` of a fresh function, dormant: ${medianOf(dormantJit).toFixed(2)} µs (CPU time, the median of 21 rounds of 1000 fresh three-line functions; medians of ${firstJit.length} fresh processes, a two-argument function with a loop).`,
    "",
    `Fixtures through \`jit(fn)\` with no options but a name (so kos's core tiers them at once, not the dormant tier), after 12,800 warm-up calls, where the configuration argument is constant and deep-frozen by the caller (tiering never freezes a user's object itself, so it only speculates on objects that already are). Plain runs on unfrozen copies of the constants. A tiering compile waits until it fits in 1% of the process's CPU time so far, with kos's earlier compiles in the process counted (profiler/compile-budget.ts): this process had used ${cpuSoFarS.toFixed(1)} s of CPU when the first fixture was wrapped, and what ran before decides whether a fixture compiles here (suites run in name order: in a run where the real-interpreters suite's compiles came first, they waited at tier 0, 1.05×, the previous BENCHMARKS.md):`,
    "",
    markdownTable(["fixture", "plain", "jit(fn), tiered", "speedup", "tier", "speculated on", "compile"], rows),
    "",
    markdownTable(["target", "measured", "status"], [
      ["settled generic ≤ 0.5 ns over the original", `worst ${worst.generic!.toFixed(2)} ns`, worst.generic! <= 0.5 ? "met" : "**missed**"],
      ["dispatch to a compiled version ≤ 0.5 ns over calling it directly", `worst ${worst.compiled!.toFixed(2)} ns; after a tier-up inside an optimized caller ${worst["compiled, tier-up mid-run"]!.toFixed(2)} ns`, Math.max(worst.compiled!, worst["compiled, tier-up mid-run"]!) <= 0.5 ? "met" : "**missed**"],
      ["tier-0 profiling cost, reported", `worst ${worst["tier 0 (profiling)"]!.toFixed(2)} ns per call`, "reported"],
      ["`jit()` of a never-called function ≤ 5 µs", `${(jitNs / 1000).toFixed(2)} µs`, jitNs <= 5000 ? "met" : "**missed**"],
      ["tiered ≥ 2× plain on the specializable fixtures (geometric mean)", `${geo.toFixed(2)}× (min ${Math.min(...speedups).toFixed(2)}×)`, geo >= 2 ? "met" : "**missed**"],
      ["control (crc32) ≥ 0.97× plain", Number.isFinite(control) ? `${control.toFixed(2)}×` : "n/a", control >= 0.97 ? "met" : "**missed**"],
    ]),
  ].join("\n");
  return { id: "tiering", title: "tiering: jit(fn) without options", markdown };
}
