/**
 * Suite `jit`: every fixture measured in one process as plain generic code,
 * hand-specialized code, `jit(generic, { specialize, scope })` and, where one
 * exists, a peer library; with the compile time of each jit version and the
 * targets of issue 2 (jit ≥ 0.9× hand on every specializable fixture,
 * geometric mean of jit/plain ≥ 2.5×, control ≥ 0.97× plain).
 */
import { do_not_optimize, formatNs, geometricMean, markdownTable, time, type BenchSection } from "./harness.js";
import { jit, inspect } from "../index.js";
import { fixtures, type Fixture } from "../fixtures/index.js";

/** Argument tuples per measured iteration: enough that the loop, not mitata's call, dominates. */
const BATCH = 64;
const SEED = 0xbe7c4;
/** Each variant is measured this many times, interleaved with the others; the lowest median is kept (noise only ever adds time). */
const ROUNDS = 3;

const TARGET_VS_HAND = 0.9;
const TARGET_GEOMEAN = 2.5;
const TARGET_CONTROL = 0.97;

/**
 * A batch runner with its own call site. Runners are made with `new Function`
 * on purpose: closures from one literal share V8 feedback, so a shared loop
 * would see plain, hand and jit at one call site, go polymorphic and stop
 * inlining, penalizing whichever variant ran last. Results go into an array
 * that escapes through one `do_not_optimize` per batch: a `do_not_optimize`
 * per call cost about 15 ns here, more than a whole Horner evaluation.
 */
function makeRunner(fn: Function, batch: unknown[][]): () => void {
  const arity = batch[0]!.length;
  const call = Array.from({ length: arity }, (_, i) => `a[${i}]`).join(", ");
  const body = `const results = new Array(batch.length).fill(0);\nreturn function runBatch() {\n  for (let i = 0; i < batch.length; i++) {\n    const a = batch[i];\n    results[i] = fn(${call});\n  }\n  do_not_optimize(results);\n};`;
  return new Function("fn", "batch", "do_not_optimize", body)(fn, batch, do_not_optimize);
}

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
  bestNs: number;
}

interface Row {
  fixture: Fixture;
  ns: Partial<Record<Variant["label"], number>>;
  peerName?: string;
  compileMs: number | null;
  tier: string;
}

/** True for constants that `jit` freezes (objects and arrays, not primitives or typed arrays). */
function thawedDiffers(value: unknown): boolean {
  return value !== null && typeof value === "object" && !ArrayBuffer.isView(value);
}

const ratio = (slowNs: number, fastNs: number) => slowNs / fastNs;
const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? "n/a" : `${x.toFixed(2)}×`);

async function measureFixture(f: Fixture): Promise<Row> {
  const batch = f.makeArgs(SEED, BATCH) as unknown[][];
  const thawed = thawConstants(f, batch);
  const compiled = jit(f.generic, f.scope ? { specialize: f.specialize, scope: f.scope } : { specialize: f.specialize });
  // Warm the jit version (and let a tiering compiler settle) before measuring.
  const warm = makeRunner(compiled, batch);
  for (let i = 0; i < 50; i++) warm();
  const info = inspect(compiled);
  const variants: Variant[] = [
    { label: "plain", run: makeRunner(f.generic, thawed), bestNs: Infinity },
    { label: "hand", run: makeRunner(f.hand, thawed), bestNs: Infinity },
    { label: "jit", run: makeRunner(compiled, batch), bestNs: Infinity },
  ];
  if (Object.values(f.specialize).some((v) => thawedDiffers(v))) {
    variants.push({ label: "plain-frozen", run: makeRunner(f.generic, batch), bestNs: Infinity });
  }
  if (f.peer) variants.push({ label: "peer", run: makeRunner(f.peer.fn, batch), bestNs: Infinity });
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of variants) {
      const t = await time(v.run, { minCpuTimeMs: 150 });
      v.bestNs = Math.min(v.bestNs, t.medianNs / BATCH);
    }
  }
  const ns: Row["ns"] = {};
  for (const v of variants) ns[v.label] = v.bestNs;
  return {
    fixture: f,
    ns,
    peerName: f.peer?.name,
    compileMs: info ? info.compileTimeMs : null,
    tier: info ? String(info.tier) + (info.fallbackReason ? ` (${info.fallbackReason})` : "") : "n/a (inspect() returned null)",
  };
}

export default async function (): Promise<BenchSection> {
  const rows: Row[] = [];
  for (const f of fixtures) {
    console.log(`  ${f.name} …`);
    rows.push(await measureFixture(f));
  }

  const table = markdownTable(
    ["fixture", "plain", "plain, frozen", "hand", "jit", "peer", "jit/plain", "jit/hand", "jit/peer", "hand/plain", "compile", "tier"],
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
        r.tier,
      ];
    }),
  );

  const specializable = rows.filter((r) => r.fixture.specializable);
  const geomean = geometricMean(specializable.map((r) => ratio(r.ns.plain!, r.ns.jit!)));
  const vsHand = specializable.map((r) => ({ name: r.fixture.name, value: ratio(r.ns.hand!, r.ns.jit!) }));
  const worstVsHand = vsHand.reduce((a, b) => (b.value < a.value ? b : a));
  const misses = vsHand.filter((x) => x.value < TARGET_VS_HAND);
  const control = rows.find((r) => !r.fixture.specializable);
  const controlRatio = control ? ratio(control.ns.plain!, control.ns.jit!) : NaN;
  const verdict = (ok: boolean) => (ok ? "**met**" : "**missed**");

  const targets = markdownTable(
    ["target", "measured", "status"],
    [
      [`jit ≥ ${TARGET_VS_HAND}× hand's speed on every specializable fixture`, `worst ${worstVsHand.name} ${fmt(worstVsHand.value)}` + (misses.length ? `; below: ${misses.map((m) => `${m.name} ${fmt(m.value)}`).join(", ")}` : ""), verdict(misses.length === 0)],
      [`geometric mean of jit/plain ≥ ${TARGET_GEOMEAN}× (${specializable.length} specializable fixtures)`, fmt(geomean), verdict(geomean >= TARGET_GEOMEAN)],
      [`control (${control?.fixture.name ?? "none"}) jit ≥ ${TARGET_CONTROL}× plain`, fmt(controlRatio), verdict(controlRatio >= TARGET_CONTROL)],
      ["compile time of each fixture reported", rows.every((r) => r.compileMs !== null) ? "yes" : "no: inspect() returned null", verdict(rows.every((r) => r.compileMs !== null))],
    ],
  );

  const markdown = [
    `Each fixture runs over the same ${BATCH} seeded argument tuples per measured iteration; times are mitata medians per call (per tuple), ` +
      `the lower of ${ROUNDS} interleaved measurements. Ratios are speed ratios (higher = the first is faster): jit/plain = plain time ÷ jit time. ` +
      `"jit" is \`jit(generic, { specialize, scope })\` after a warm-up; "compile" is \`inspect(f).compileTimeMs\`. ` +
      `"plain" and "hand" run on unfrozen copies of the constants, as the caller had them before \`jit\` deep-froze them; ` +
      `"plain, frozen" is the generic code on the frozen originals (V8 reads frozen arrays of doubles much more slowly), shown for information only.`,
    "",
    table,
    "",
    targets,
  ].join("\n");
  return { id: "jit", title: "jit: fixtures as plain, hand-specialized, jit and peer", markdown };
}
