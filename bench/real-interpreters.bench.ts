/**
 * Suite `real-interpreters`: real interpreter libraries from npm (rule engine,
 * query matcher, schema validators, template engine, expression evaluators,
 * JSONPath) on one fixed program each, measured in one process as the
 * original library call, the natural `jit()` use (no `scope`), its tiering
 * form, a hand-written specialization and the library's own compiled mode
 * where it has one. The cases and their differential tests are in
 * fixtures/real/ and test/real/. Targets from issue 10: geometric mean of
 * natural/original ≥ 5×, and natural ≥ 0.5× hand on each library.
 */
import { formatNs, geometricMean, markdownTable, time, type BenchSection } from "./harness.js";
import { cpuNsPerCall as cpuNsPerCallOf } from "./harness.js";
import { inspect } from "../index.js";
import { realCases, type RealCase, type Runner } from "../fixtures/real/index.js";
import { makeNatural, outcome } from "../fixtures/real/common.js";
import { makeRunner } from "../fixtures/runner.js";
import os from "node:os";

/** Inputs per measured iteration: enough that the loop, not mitata's call, dominates. */
const BATCH = 64;
const SEED = 0xbe7c5;
/** Each variant is measured this many times, interleaved with the others; the lowest median is kept (noise only ever adds time). */
const ROUNDS = 3;
/** Calls made to a tiering use before it is measured: above the default `hotCalls` (1000) with room for a recompile. */
const TIERING_WARMUP = 4000;
/**
 * After its warm-up calls, a tiering use runs on until kos has decided (compiled or settled), at
 * most this long, so that its row is the steady state the others' are. Measured from the 4,000th
 * call, valibot's and mustache's compiles fell inside the measured rounds in some runs, and their
 * large versions ran unoptimized by V8 there: 3.40 against 1.88 µs the library by the wall median,
 * 1.02 against 2.02 µs by the lowest CPU window, 1.51x the library in a process of their own.
 */
const TIERING_DECIDE_MS = 10_000;
/** Wall-clock milliseconds each variant runs before it is measured (see measureCase). */
const WARMUP_MS = 500;

const TARGET_GEOMEAN = 5;
const TARGET_VS_HAND = 0.5;

type Label = "original" | "natural" | "tiering" | "hand" | "compiled" | `also ${number}`;

interface Row {
  c: RealCase;
  /** Per call, on the seeded inputs the original throws on (none: the library threw on none of them). */
  throwingNs: Partial<Record<"original" | "natural", number>>;
  throwing: number;
  ns: Partial<Record<Label, number>>;
  /** Process CPU time per call, lowest of the windows: a cross-check when the machine is loaded. */
  cpuNs: Partial<Record<Label, number>>;
  /** Tier and fallback reason of each natural use, after measuring. */
  status: string[];
}

/**
 * The batch: seeded inputs on which the original does not throw, since a
 * thrown error's stack capture would dominate the time of every variant.
 */
function batchOf(c: RealCase): unknown[][] {
  const batch: unknown[][] = [];
  for (const input of c.inputs(SEED, BATCH * 4)) {
    if (batch.length === BATCH) break;
    if (!outcome(c.original, input).threw) batch.push([input]);
  }
  return batch;
}

/** Up to THROWING seeded inputs on which the original throws. */
function throwingOf(c: RealCase): unknown[] {
  const inputs: unknown[] = [];
  for (const input of c.inputs(SEED, BATCH * 4)) {
    if (inputs.length === THROWING) break;
    if (outcome(c.original, input).threw) inputs.push(input);
  }
  return inputs;
}

/**
 * Per call over `inputs`, each call's error caught: the lowest of 5 runs of at least 30 ms each.
 * The calls that throw are left out of the main table, where a thrown error's stack capture would
 * dominate every variant; but a version can throw far more slowly than its library (V8 words a
 * TypeError by parsing again the function it is thrown in: compiler/residual/nullish-reads.ts),
 * and these rows show it.
 */
function throwingNsPerCall(run: (input: unknown) => unknown, inputs: unknown[]): number {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < 30) {
      for (const input of inputs) {
        try {
          run(input);
        } catch {}
      }
      calls += inputs.length;
      now = performance.now();
    }
    best = Math.min(best, ((now - start) * 1e6) / calls);
  }
  return best;
}

/** Seeded inputs the original throws on, measured apart (throwingNsPerCall). */
const THROWING = 16;

/**
 * CPU time per call: the process's user+system time over short wall-clock
 * windows, lowest of a few (as in the jit suite: on a loaded machine CPU time
 * stays far steadier than wall-clock medians).
 */
const cpuNsPerCall = (run: () => void): number => cpuNsPerCallOf(run, BATCH);

function describeUse(label: string, fn: Function): string {
  const info = inspect(fn);
  if (!info) return `${label}: not a kos function`;
  const last = info.history[info.history.length - 1];
  const reason = info.fallbackReason ?? (info.tier === 1 ? "compiled" : last ? `${last.event}${last.detail ? `: ${last.detail}` : ""}` : "never tiered up");
  // Compile time of all its versions (wall time, this process: the first library's includes loading the compiler).
  const compile = info.compileTimeMs > 0 ? `, ${info.compileTimeMs.toFixed(0)} ms compiling` : "";
  return `${label}: tier ${info.tier} (${reason.length > 140 ? `${reason.slice(0, 140)}…` : reason}${compile})`;
}

async function measureCase(c: RealCase): Promise<Row> {
  const batch = batchOf(c);
  const runners: Array<{ label: Label; run: () => void; best: number; bestCpu: number }> = [];
  const add = (label: Label, runner: Runner) => runners.push({ label, run: makeRunner(runner, batch), best: Infinity, bestCpu: Infinity });
  add("original", c.original);
  const status: string[] = [];
  const explicit = c.natural.find((u) => !u.tiering);
  const tiering = c.natural.find((u) => u.tiering);
  const made: Array<{ label: string; fn: Function }> = [];
  let naturalRun: ((input: unknown) => unknown) | null = null;
  if (explicit) {
    const { fn, run } = explicit.make();
    add("natural", run);
    made.push({ label: explicit.label, fn });
    naturalRun = run;
  }
  // Further explicit uses (another option a user may pass): measured alongside, reported under the table.
  const others = c.natural.filter((u) => !u.tiering && u !== explicit);
  others.forEach((u, i) => {
    const { fn, run } = u.make();
    add(`also ${i}`, run);
    made.push({ label: u.label, fn });
  });
  if (tiering) {
    const { fn, run } = makeNatural(tiering);
    const inputs = batch.map((a) => a[0]);
    for (let i = 0; i < TIERING_WARMUP; i++) run(inputs[i % inputs.length]);
    const started = performance.now();
    let calls = TIERING_WARMUP;
    while (inspect(fn)?.tier === 0 && !inspect(fn)?.fallbackReason && performance.now() - started < TIERING_DECIDE_MS) {
      for (let i = 0; i < 256; i++) run(inputs[calls++ % inputs.length]);
    }
    const tier = inspect(fn)?.tier;
    status.push(`${tiering.label}: ${tier === 0 ? `still at tier 0 after ${calls} calls (${TIERING_DECIDE_MS / 1000} s past the warm-up)` : `tier ${tier} after ${calls} calls, ${((performance.now() - started) / 1000).toFixed(1)} s past the warm-up`}; measured from there`);
    add("tiering", run);
    naturalRun ??= run;
    made.push({ label: tiering.label, fn });
  }
  add("hand", c.hand);
  if (c.compiled) add("compiled", c.compiled.make());
  // Steady state: every variant runs a while before the rounds, so that V8 has optimized it. A large
  // residual takes V8 a while: valibot's deep-frozen use (124 KB of code) ran 4.74 µs a call in the
  // three 120 ms windows without this, and about 0.8 µs once it had run some 300 ms (.scratch probe).
  for (const r of runners) {
    const until = performance.now() + WARMUP_MS;
    while (performance.now() < until) r.run();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const r of runners) {
      const t = await time(r.run, { minCpuTimeMs: 120 });
      r.best = Math.min(r.best, t.medianNs / BATCH);
      r.bestCpu = Math.min(r.bestCpu, cpuNsPerCall(r.run));
    }
  }
  for (const m of made) status.push(describeUse(m.label, m.fn));
  others.forEach((u, i) => status.push(`${u.label}: ${formatNs(runners.find((r) => r.label === `also ${i}`)!.best)} a call, ${fmt(runners[0]!.best / runners.find((r) => r.label === `also ${i}`)!.best)} the original`));
  const ns: Row["ns"] = {};
  const cpuNs: Row["cpuNs"] = {};
  for (const r of runners) {
    ns[r.label] = r.best;
    cpuNs[r.label] = r.bestCpu;
  }
  // After the status above: what a slow throw makes the gain check decide shows in the table's row.
  const throwing = throwingOf(c);
  const throwingNs: Row["throwingNs"] = {};
  if (throwing.length && naturalRun) {
    const run = naturalRun;
    for (let round = 0; round < 2; round++) {
      throwingNs.original = Math.min(throwingNs.original ?? Infinity, throwingNsPerCall(c.original, throwing));
      throwingNs.natural = Math.min(throwingNs.natural ?? Infinity, throwingNsPerCall(run, throwing));
    }
  }
  return { c, ns, cpuNs, status, throwing: throwing.length, throwingNs };
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "—" : `${x.toFixed(2)}×`);
const time_ = (x: number | undefined) => (x === undefined ? "—" : formatNs(x));

export default async function (): Promise<BenchSection> {
  // KOS_REAL_LIBS=sift,valibot measures a subset (for investigating one row).
  const only = process.env.KOS_REAL_LIBS?.split(",");
  const rows: Row[] = [];
  for (const c of realCases.filter((x) => !only || only.includes(x.lib))) {
    console.log(`  ${c.lib} …`);
    rows.push(await measureCase(c));
  }
  // The natural use is the explicit one where the library has one, else the tiering form.
  const natural = (r: Row) => r.ns.natural ?? r.ns.tiering!;
  const table = markdownTable(
    ["library", "kind", "original", "natural jit", "tiering jit", "hand", "library compiled", "natural/original", "natural/hand", "hand/original", "compiled/original"],
    rows.map((r) => [
      r.c.lib,
      r.c.kind,
      time_(r.ns.original),
      time_(r.ns.natural),
      time_(r.ns.tiering),
      time_(r.ns.hand),
      r.c.compiled ? `${time_(r.ns.compiled)} (${r.c.compiled.label})` : "—",
      fmt(r.ns.original! / natural(r)),
      fmt(r.ns.hand! / natural(r)),
      fmt(r.ns.original! / r.ns.hand!),
      r.c.compiled ? fmt(r.ns.original! / r.ns.compiled!) : "—",
    ]),
  );
  const naturalCpu = (r: Row) => r.cpuNs.natural ?? r.cpuNs.tiering!;
  const cpuTable = markdownTable(
    ["library", "original", "natural jit", "tiering jit", "hand", "natural/original", "natural/hand", "hand/original"],
    rows.map((r) => [
      r.c.lib,
      time_(r.cpuNs.original),
      time_(r.cpuNs.natural),
      time_(r.cpuNs.tiering),
      time_(r.cpuNs.hand),
      fmt(r.cpuNs.original! / naturalCpu(r)),
      fmt(r.cpuNs.hand! / naturalCpu(r)),
      fmt(r.cpuNs.original! / r.cpuNs.hand!),
    ]),
  );
  const throwTable = markdownTable(
    ["library", "inputs that throw (of the first 256)", "original", "natural jit", "natural/original"],
    rows.map((r) => [r.c.lib, String(r.throwing), time_(r.throwingNs.original), time_(r.throwingNs.natural), r.throwingNs.natural ? fmt(r.throwingNs.original! / r.throwingNs.natural) : "—"]),
  );
  const gNatural = geometricMean(rows.map((r) => r.ns.original! / natural(r)));
  const gVsHand = geometricMean(rows.map((r) => r.ns.hand! / natural(r)));
  const gHand = geometricMean(rows.map((r) => r.ns.original! / r.ns.hand!));
  const geo = markdownTable(["geometric mean", "natural/original", "natural/hand", "hand/original"], [["all libraries", fmt(gNatural), fmt(gVsHand), fmt(gHand)]]);
  const status = markdownTable(["library", "did the natural uses compile? (inspect after measuring)"], rows.map((r) => [r.c.lib, r.status.join("<br>").replace(/\|/g, "\\|")]));
  const notes = rows.filter((r) => r.c.compiled && !r.c.compiled.sameResults).map((r) => `- ${r.c.lib}, ${r.c.compiled!.label}: ${r.c.compiled!.note}`);
  const worst = rows.map((r) => ({ lib: r.c.lib, v: r.ns.hand! / natural(r) })).reduce((a, b) => (b.v < a.v ? b : a), { lib: "none", v: Infinity });
  const mark = (ok: boolean) => (ok ? "met" : "**missed**");
  const targets = markdownTable(
    ["target (issue 10)", "this run", "status"],
    [
      [`geometric mean natural/original ≥ ${TARGET_GEOMEAN}×`, fmt(gNatural), mark(gNatural >= TARGET_GEOMEAN)],
      [`natural ≥ ${TARGET_VS_HAND}× hand on every library`, `worst ${worst.lib} ${fmt(worst.v)}`, mark(worst.v >= TARGET_VS_HAND)],
    ],
  );
  const markdown = [
    `Each library runs its fixed program (fixtures/real/<lib>/program.ts) over the same ${BATCH} seeded inputs per measured iteration (inputs on which the original throws are left out, so that stack capture does not dominate); times are per call. ` +
      `Each variant first runs ${WARMUP_MS} ms (steady state: V8 takes a while to optimize a large residual); then medians from mitata, the lowest of ${ROUNDS} interleaved measurements. Ratios are speed ratios (higher = the first is faster). ` +
      `"natural jit" is the natural \`jit()\` use with no \`scope\` (e.g. \`jit(jsonLogic.apply, { specialize: { logic: rule } })\`); ` +
      `"tiering jit" is \`jit(fn)\` measured after ${TIERING_WARMUP} warm-up calls and then until kos decided (compiled or settled, at most ${TIERING_DECIDE_MS / 1000} s more; the status list below says when); where a library has no explicit form (sift), natural = tiering. ` +
      `"hand" is fixtures/real/<lib>/hand.ts; "library compiled" is the library's own compiled mode. Agreement of every variant with the original on 2,000 inputs is checked by test/real/.`,
    "",
    table,
    "",
    geo,
    "",
    `CPU-time cross-check (process user+system time per call, lowest of ${ROUNDS * 4} windows of 25 ms). Where a large version reads much slower by the wall median than here, it is V8 optimizing it again: mitata starts each measurement with a full garbage collection (\`--expose-gc\`), and a collection that frees a map the version's optimized code embeds makes V8 deoptimize it (\`--trace-deopt\`: "weak objects"; valibot's own \`_addIssue\` too; the maps of a call's temporary objects, which V8 keeps for two more full collections once no object has them, so every third forced collection: docs/real-interpreters.md); a version of thousands of lines then takes V8 0.2-0.3 s to optimize again (valibot's tiering version, in a process of its own: 0.93 µs a call before such a collection, 7.4, 5.2 and 2.8 µs in the 100 ms windows after it, then 0.93 µs again). The lowest CPU windows leave that out; the wall medians include it once per measurement, which is far more often than a program's own full collections:`,
    "",
    cpuTable,
    "",
    status,
    "",
    `Calls that throw (up to ${THROWING} seeded inputs on which the library throws, each error caught; per call, the lowest of 10 runs of 30 ms): left out above, since a thrown error's stack capture dominates them, and measured here, since a version is many times the size of the library's functions, and V8 costs an error by the size of the functions it is thrown through: it words a TypeError by parsing again the function it is thrown in (compiler/residual/nullish-reads.ts moves the reads that throw out), and finds each frame's source position by scanning its function's position table from the start (an Error made under a call at the end of a 5,000-statement function cost 342 µs, at its start 3.5 µs). The gain check weighs these calls by their share of the program's calls (compiler/gain-check.ts).`,
    "",
    throwTable,
    "",
    ...(notes.length ? ["Compiled modes that are speed references only (different results on some inputs):", "", ...notes, ""] : []),
    `Targets (os load average at the end of this run: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores):`,
    "",
    targets,
  ].join("\n");
  return { id: "real-interpreters", title: "real-interpreters: npm interpreter libraries, original vs natural jit vs hand", markdown };
}
