/**
 * Suite `jit`: every fixture measured in one process as plain generic code,
 * hand-specialized code, `jit(generic, { specialize, scope })` and, where one
 * exists, a peer library; with the compile time of each jit version and the
 * targets of issues 2 and 9 (jit ≥ 0.95× hand on every specializable fixture, matmul4 and json-serializer at least their peers,
 * geometric mean of jit/plain ≥ 2.5×, control ≥ 0.97× plain).
 */
import { formatNs, geometricMean, markdownTable, time, type BenchSection } from "./harness.js";
import { cpuNsPerCall as cpuNsPerCallOf } from "./harness.js";
import { jit, inspect } from "../index.js";
import { fixtures, type Fixture } from "../fixtures/index.js";
import { makeRunner } from "../fixtures/runner.js";
import os from "node:os";

/** Argument tuples per measured iteration: enough that the loop, not mitata's call, dominates. */
const BATCH = 64;
const SEED = 0xbe7c4;
/** Each variant is measured this many times, interleaved with the others; the lowest median is kept (noise only ever adds time). */
const ROUNDS = 3;

/** Issue 9: every fixture at ≥ 0.95× its hand-specialized twin (issue 2 had asked 0.9×). */
const TARGET_VS_HAND = 0.95;
/** Issue 9: jit at least as fast as these peers, where the fixture has one (a hand-written code generator, a hand-tuned library). */
const PEER_TARGETS: Record<string, number> = { matmul4: 1.0, "json-serializer": 1.0 };
const TARGET_GEOMEAN = 2.5;
const TARGET_CONTROL = 0.97;

/**
 * The batch with every specialized constant replaced by an unfrozen deep copy.
 * `jit` deep-freezes specialized objects, and V8 reads frozen arrays of
 * doubles far more slowly (this machine, Node 20: generic convolution over the
 * frozen kernel 136 µs vs 22 µs over a plain copy; Horner 129 ns vs 34 ns), so
 * timing plain code on the frozen constants would flatter the jit. Plain and
 * hand run on what the caller had before calling `jit`.
 */
function thawConstants(f: Fixture, batch: unknown[][]): unknown[][] {
  const thawed = new Map<unknown, unknown>();
  for (const value of Object.values(f.specialize)) {
    if (value !== null && typeof value === "object") thawed.set(value, structuredClone(value));
  }
  return batch.map((args) => args.map((a) => (thawed.has(a) ? thawed.get(a) : a)));
}

interface Variant {
  label: "plain" | "plain-frozen" | "hand" | "jit" | "peer";
  run: () => void;
  /** Lowest mitata median over the rounds, per call. */
  bestNs: number;
  /** Lowest process CPU time over the rounds, per call. */
  bestCpuNs: number;
}

type Times = Partial<Record<Variant["label"], number>>;

interface Row {
  fixture: Fixture;
  ns: Times;
  cpuNs: Times;
  peerName?: string;
  compileMs: number | null;
  /** Median of WARM_COMPILES more compiles in the same process. */
  warmCompileMs: number;
  tier: string;
}

/** True for constants that `jit` freezes (objects and arrays, not primitives or typed arrays). */
function thawedDiffers(value: unknown): boolean {
  return value !== null && typeof value === "object" && !ArrayBuffer.isView(value);
}

/**
 * CPU time per call: the process's user+system time over short wall-clock
 * windows, lowest of a few. On a loaded machine (load average 12 on 2 cores
 * while this suite was written) wall-clock medians of the same function varied
 * up to 10× between runs, while CPU time stayed within about 20%, so the suite
 * reports it next to the medians as a cross-check.
 */
const cpuNsPerCall = (run: () => void): number => cpuNsPerCallOf(run, BATCH);

const ratio = (slowNs: number, fastNs: number) => slowNs / fastNs;
const WARM_COMPILES = 7;
/** Issue 9: every fixture compiles in at most this long (median, warm process). */
const COMPILE_TARGET_MS = 25;
const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "n/a" : `${x.toFixed(2)}×`);

async function measureFixture(f: Fixture): Promise<Row> {
  const batch = f.makeArgs(SEED, BATCH) as unknown[][];
  const thawed = thawConstants(f, batch);
  const compiled = jit(f.generic, f.scope ? { specialize: f.specialize, scope: f.scope } : { specialize: f.specialize });
  // Warm the jit version (and let a tiering compiler settle) before measuring.
  const warm = makeRunner(compiled, batch);
  for (let i = 0; i < 50; i++) warm();
  const info = inspect(compiled);
  // Compile time in a warm process (issue 9's measure): the median of more compiles of the same
  // fixture after the first (the first also loads and warms the compiler itself).
  const warmCompiles: number[] = [];
  for (let i = 0; i < WARM_COMPILES; i++) {
    const again = jit(f.generic, f.scope ? { specialize: f.specialize, scope: f.scope } : { specialize: f.specialize });
    warmCompiles.push(inspect(again)?.compileTimeMs ?? NaN);
  }
  warmCompiles.sort((a, b) => a - b);
  const warmCompileMs = warmCompiles[WARM_COMPILES >> 1]!;
  const variant = (label: Variant["label"], fn: Function, args: unknown[][]): Variant => ({ label, run: makeRunner(fn, args), bestNs: Infinity, bestCpuNs: Infinity });
  const variants: Variant[] = [variant("plain", f.generic, thawed), variant("hand", f.hand, thawed), variant("jit", compiled, batch)];
  if (Object.values(f.specialize).some((v) => thawedDiffers(v))) variants.push(variant("plain-frozen", f.generic, batch));
  if (f.peer) variants.push(variant("peer", f.peer.fn, batch));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const t = await time(v.run, { minCpuTimeMs: 120 });
      v.bestNs = Math.min(v.bestNs, t.medianNs / BATCH);
      v.bestCpuNs = Math.min(v.bestCpuNs, cpuNsPerCall(v.run));
    }
  }
  const ns: Times = {};
  const cpuNs: Times = {};
  for (const v of variants) {
    ns[v.label] = v.bestNs;
    cpuNs[v.label] = v.bestCpuNs;
  }
  return {
    fixture: f,
    ns,
    cpuNs,
    peerName: f.peer?.name,
    compileMs: info ? info.compileTimeMs : null,
    warmCompileMs,
    tier: info ? String(info.tier) + (info.fallbackReason ? ` (${info.fallbackReason})` : "") : "n/a (inspect() returned null)",
  };
}

interface Verdicts {
  worstVsHand: { name: string; value: number };
  misses: Array<{ name: string; value: number }>;
  geomean: number;
  controlRatio: number;
}

function verdicts(rows: Row[], pick: (r: Row) => Times): Verdicts {
  const specializable = rows.filter((r) => r.fixture.specializable);
  const vsHand = specializable.map((r) => ({ name: r.fixture.name, value: ratio(pick(r).hand!, pick(r).jit!) }));
  const control = rows.find((r) => !r.fixture.specializable);
  return {
    worstVsHand: vsHand.reduce((a, b) => (b.value < a.value ? b : a), { name: "none", value: Infinity }),
    misses: vsHand.filter((x) => x.value < TARGET_VS_HAND),
    geomean: geometricMean(specializable.map((r) => ratio(pick(r).plain!, pick(r).jit!))),
    controlRatio: control ? ratio(pick(control).plain!, pick(control).jit!) : NaN,
  };
}

export default async function (): Promise<BenchSection> {
  // KOS_JIT_FIXTURES=horner,matmul4 measures a subset (for investigating one row).
  const only = process.env.KOS_JIT_FIXTURES?.split(",");
  const rows: Row[] = [];
  for (const f of fixtures.filter((x) => !only || only.includes(x.name))) {
    console.log(`  ${f.name} …`);
    rows.push(await measureFixture(f));
  }

  const table = markdownTable(
    ["fixture", "plain", "plain, frozen", "hand", "jit", "peer", "jit/plain", "jit/hand", "jit/peer", "hand/plain", "first compile", "compile (warm median)", "tier"],
    rows.map((r) => {
      const { plain, hand, jit: j, peer } = r.ns;
      return [
        r.fixture.name + (r.fixture.specializable ? "" : " (control)"),
        formatNs(plain!),
        r.ns["plain-frozen"] !== undefined ? formatNs(r.ns["plain-frozen"]) : "—",
        formatNs(hand!),
        formatNs(j!),
        peer !== undefined ? `${formatNs(peer)} (${r.peerName})` : "—",
        fmt(ratio(plain!, j!)),
        fmt(ratio(hand!, j!)),
        peer !== undefined ? fmt(ratio(peer, j!)) : "—",
        fmt(ratio(plain!, hand!)),
        r.compileMs === null ? "n/a" : `${r.compileMs.toFixed(1)} ms`,
        `${r.warmCompileMs.toFixed(1)} ms`,
        r.tier,
      ];
    }),
  );

  const cpuTable = markdownTable(
    ["fixture", "plain", "hand", "jit", "peer", "jit/plain", "jit/hand", "jit/peer"],
    rows.map((r) => {
      const { plain, hand, jit: j, peer } = r.cpuNs;
      return [
        r.fixture.name,
        formatNs(plain!),
        formatNs(hand!),
        formatNs(j!),
        peer !== undefined ? formatNs(peer) : "—",
        fmt(ratio(plain!, j!)),
        fmt(ratio(hand!, j!)),
        peer !== undefined ? fmt(ratio(peer, j!)) : "—",
      ];
    }),
  );

  const wall = verdicts(rows, (r) => r.ns);
  const cpu = verdicts(rows, (r) => r.cpuNs);
  const mark = (ok: boolean) => (ok ? "met" : "**missed**");
  const handCell = (v: Verdicts) =>
    `worst ${v.worstVsHand.name} ${fmt(v.worstVsHand.value)}` + (v.misses.length ? `; below: ${v.misses.map((m) => `${m.name} ${fmt(m.value)}`).join(", ")}` : "");
  const controlName = rows.find((r) => !r.fixture.specializable)?.fixture.name ?? "none";
  const compiledAll = rows.every((r) => r.compileMs !== null);
  const slowCompiles = rows.filter((r) => !(r.warmCompileMs <= COMPILE_TARGET_MS));
  const slowest = rows.reduce((a, b) => (b.warmCompileMs > a.warmCompileMs ? b : a));
  const targets = markdownTable(
    ["target", "median-based", "CPU-time-based", "status (median / CPU)"],
    [
      [`jit ≥ ${TARGET_VS_HAND}× hand's speed on every specializable fixture`, handCell(wall), handCell(cpu), `${mark(wall.misses.length === 0)} / ${mark(cpu.misses.length === 0)}`],
      [`geometric mean of jit/plain ≥ ${TARGET_GEOMEAN}×`, fmt(wall.geomean), fmt(cpu.geomean), `${mark(wall.geomean >= TARGET_GEOMEAN)} / ${mark(cpu.geomean >= TARGET_GEOMEAN)}`],
      [`control (${controlName}) jit ≥ ${TARGET_CONTROL}× plain`, fmt(wall.controlRatio), fmt(cpu.controlRatio), `${mark(wall.controlRatio >= TARGET_CONTROL)} / ${mark(cpu.controlRatio >= TARGET_CONTROL)}`],
      ...rows
        .filter((r) => PEER_TARGETS[r.fixture.name] !== undefined && r.ns.peer !== undefined)
        .map((r) => {
          const target = PEER_TARGETS[r.fixture.name]!;
          const w = ratio(r.ns.peer!, r.ns.jit!);
          const c = ratio(r.cpuNs.peer!, r.cpuNs.jit!);
          return [`${r.fixture.name} jit ≥ ${target.toFixed(1)}× ${r.peerName}`, fmt(w), fmt(c), `${mark(w >= target)} / ${mark(c >= target)}`];
        }),
      ["compile time of each fixture reported", compiledAll ? "yes" : "no: inspect() returned null", "", mark(compiledAll)],
      [`every fixture compiles in ≤ ${COMPILE_TARGET_MS} ms (median of ${WARM_COMPILES}, warm process)`, slowCompiles.length ? `over: ${slowCompiles.map((r) => `${r.fixture.name} ${r.warmCompileMs.toFixed(1)} ms`).join(", ")}` : `slowest ${slowest.fixture.name} ${slowest.warmCompileMs.toFixed(1)} ms`, "", mark(slowCompiles.length === 0)],
    ],
  );

  const markdown = [
    `Each fixture runs over the same ${BATCH} seeded argument tuples per measured iteration; times are per call (per tuple). ` +
      `"Median" times are mitata medians from \`time()\`, the lowest of ${ROUNDS} interleaved measurements. ` +
      `Ratios are speed ratios (higher = the first is faster): jit/plain = plain time ÷ jit time. ` +
      `"jit" is \`jit(generic, { specialize, scope })\` after a warm-up; "first compile" is \`inspect(f).compileTimeMs\` of the first \`jit()\` of the fixture in the suite's process, "compile (warm median)" the median of ${WARM_COMPILES} more. ` +
      `The fixtures' constants are deep-frozen by their own modules (\`jit\` only reads them): "plain" and "hand" run on unfrozen copies, ` +
      `"plain, frozen" is the generic code on the frozen originals (V8 reads frozen arrays of doubles much more slowly), for information only.`,
    "",
    table,
    "",
    `CPU-time cross-check (process user+system time per call, lowest of ${ROUNDS * 4} windows of 25 ms): on a loaded machine wall-clock medians swing far more than CPU time.`,
    "",
    cpuTable,
    "",
    `Targets (os load average at the end of this run: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores):`,
    "",
    targets,
    "",
    "Where jit stays behind hand, measured once on this machine by instantiating the generated source again with one thing changed (not a kos mode):",
    "",
    "- validator: the generic validator reads each required property twice (once for `required`, once for its own schema), and exact code keeps both reads, since either may run a getter. The records have several shapes, so V8's loads are megamorphic and it does not merge them. The generated code with the five repeated reads merged ran at 38.7 ns, against 57.8 ns as generated and 38.4 ns for hand (mitata medians per call, one process).",
    "- expr-interpreter: the program's `if` evaluates the height twice, once as its test and once as its `then` branch, and the interpreter reads each variable again the second time; exact code keeps those seven reads (a getter would run on each) and so computes the height again, where hand computes it once. Variants of the generated code (.scratch/exprvar2.mjs, mitata medians per call over the suite's 64 arguments, one process): as generated 9.29 ns, hand 6.09 ns; the `then` branch reusing the test's value (not exact) 6.21 ns; the second reads replaced by the first ones but the arithmetic and `Math.sin` done again 9.33 ns, and with `Math.sin` reused too 9.19 ns, so the cost is the second arithmetic chain (a division on its critical path), not the reads. V8 merges the two evaluations itself where no call sits between the reads: with `Math.sqrt` or `Math.abs` in place of `Math.sin` (machine instructions; `Math.sin` is a call into V8's C library) the generated code ran at 5.94 and 6.03 ns. Exact reuse does not pay: keeping the second reads and taking the test's value where each equals the first (`Object.is`) ran at 11.24 ns, against 9.52 ns as generated and 6.84 ns for hand in the same process.",
    "- json-serializer against fast-json-stringify: hand escapes each string value with `JSON.stringify(v)`, as the generic serializer does; fast-json-stringify, on this Node (V8 11.3), escapes a string under 42 characters with a `charCodeAt` loop and concatenation, which skips the call into the builtin. That call was the whole difference: hand.ts with fast-json-stringify's `escapeStringLoop` in its place ran 829 ns a call, against 920 ns for hand and 831 ns for fast-json-stringify (lowest of 12 CPU-time windows each, one process, .scratch/jsonesc.mjs). kos now makes that loop of `JSON.stringify(s)` where it knows `s` is a string (compiler/json-quote.ts; the same text for every string), so jit may run ahead of hand on this row.",
    "- the smallest kernels (horner, stack-machine): an explicit version under 1,000 syntax nodes with no loop counts no calls outside a profiling run (`inspect(f).calls` stays 0), since its counter (an int32 context-slot increment and a test) cost horner 0.6 ns of its 2.4 ns: jit/hand read 0.83-0.87× with it and 0.94-1.11× without over this stop's runs. A version with a loop keeps the counter: the convolution fixture ran 2.0 µs a call without it and 1.52 µs with it (hand 1.50 µs), for reasons in V8 not traced. The rows above swing more than that between runs (horner's hand measured 4.9 ns in one run and 18.2 ns in another).",
    "- matmul4 (and gl-matrix): the hand version and gl-matrix read the 32 inputs into locals once; exact code re-reads them after each store to `out`, which may share a buffer with `a` or `b`. The guard that rules that out needs each array's ArrayBuffer, and V8 does not inline the `buffer` getter: on hand-written variants of the generated code (.scratch/mmguard.mjs, per 64 calls), four buffer reads made the guarded version 3.71 µs against 1.61 µs with the guard left out and 1.54 µs for hand, and with a fresh 64-byte Float32Array as `out` (whose ArrayBuffer the read has to create) 67.6 µs against 3.84 µs. `out !== a && out !== b` alone is cheap but not exact for two views of one buffer.",
  ].join("\n");
  return { id: "jit", title: "jit: fixtures as plain, hand-specialized, jit and peer", markdown };
}
