/**
 * `kos demo [--out DIR]` (the README's first command): the whole loop on the fixtures.
 *  1. profile a program that runs them (`kos profile`: flamegraph + kos-profile.json);
 *  2. show the hot functions and where the flamegraph is;
 *  3. jit them from the profile's stable arguments (compiled at first call);
 *  4. measure before and after, in this process, and print the table.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { jit, inspect, profileCommand, loadProfile } from "../index.js";
import { fixtures, deepFreeze } from "../fixtures/index.js";
import { EXIT, parseCommand, type CommandInfo } from "./args.js";

const here = dirname(fileURLToPath(import.meta.url));

const COMMAND: CommandInfo = {
  name: "demo",
  usage: `usage: kos demo [--out DIR]
  profiles a program that runs kos's fixtures (about 3 s), jits them from the
  profile, and prints plain, jitted and hand-specialized times per call
  -o, --out DIR   where flamegraph.html and kos-profile.json go (default ./kos-demo-out)`,
};

/**
 * A batch runner with its own call site, as fixtures/runner.ts makes for the
 * benchmarks, without mitata (a devDependency: the demo runs from an installed
 * copy). Closures from one literal share V8 feedback, so each variant gets its
 * own `new Function`; results go to an array that escapes, so no call is dead code.
 * Each runner's text ends with its own number (`id`): V8 caches `new Function` by its
 * text, feedback included, so runners of one text shared one call site after all. The
 * demo's horner then read 28 ns a call jitted and 22 ns for its twin, against 8 and 5 ns
 * on sites of their own (it had been right only while kos left the inspector's debugger
 * on, which turns that cache off).
 */
function makeRunner(fn: Function, batch: unknown[][], id: number): () => unknown[] {
  const arity = batch[0]!.length;
  const call = Array.from({ length: arity }, (_, i) => `a[${i}]`).join(", ");
  // The body is fixed text: only the arity and the id (numbers) shape it.
  const body = `const results = new Array(batch.length).fill(0);\nreturn function runBatch() {\n  for (let i = 0; i < batch.length; i++) {\n    const a = batch[i];\n    results[i] = fn(${call});\n  }\n  return results;\n};\n// runner ${id}`;
  return new Function("fn", "batch", body)(fn, batch) as () => unknown[];
}

/** Best of 3 short timed runs of a batch runner; each variant has its own call site (`id`, unique per runner). */
function nsPerCall(fn: Function, batch: unknown[][], id: number, budgetMs = 120): number {
  const run = makeRunner(fn, batch, id);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const start = performance.now();
    let now = start;
    while (now - start < budgetMs) {
      run();
      calls += batch.length;
      now = performance.now();
    }
    best = Math.min(best, ((now - start) * 1e6) / calls);
  }
  return best;
}

const fmt = (ns: number) => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s);

/** Runs `kos demo` with `argv` (the arguments after `demo`); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const parsed = parseCommand(COMMAND, argv, { out: { type: "string", short: "o" } });
  if (typeof parsed === "number") return parsed;
  const started = Date.now();
  const outDir = resolve(parsed.values.out ?? "kos-demo-out");
  const program = join(here, "..", "fixtures", "demo-program.js");
  if (!existsSync(program)) throw new Error(`demo program not built: ${program} (run npm run build)`);

  console.log("kos demo: profile → hot functions → jit from the profile → before/after\n");
  console.log(`1. Profiling a program that runs ${fixtures.length} fixtures (JSON serializer, validator, convolution, …) for 3 s…`);
  // Profile only: keep every function at tier 0 so the profile shows the generic code and its argument feedback.
  process.env.KOS_HOT_CALLS = "Infinity";
  const result = await profileCommand([process.execPath, program], { outDir, stdio: "pipe", onProgress: (m) => console.log(`   ${m}`) });
  delete process.env.KOS_HOT_CALLS;
  const { profile } = result;
  console.log(`   ${profile.totalSamples} samples in ${(profile.durationMs / 1000).toFixed(1)} s (${profile.source})`);
  console.log(`   flamegraph: ${profile.flamegraph ? relative(process.cwd(), profile.flamegraph) : "(none)"}`);
  console.log(`   profile:    ${relative(process.cwd(), result.profilePath)}\n`);

  console.log("2. Hottest functions (self time):");
  console.log(`   ${pad("#", 3)}${pad("function", 14)}${pad("where", 38)}${lpad("self %", 7)}${lpad("calls", 10)}  stable arguments`);
  profile.hot.slice(0, 10).forEach((e, i) => {
    const stable = (e.stableArgs ?? []).filter((a) => a.stability !== "varies").map((a) => `${a.name}: ${a.stability === "constant" ? "constant" : a.type}`).join(", ");
    const where = `${relative(process.cwd(), e.file)}:${e.line}`;
    console.log(`   ${pad(String(i + 1), 3)}${pad((e.name || "(anonymous)").slice(0, 13), 14)}${pad(where.length > 36 ? "…" + where.slice(-35) : where, 38)}${lpad(e.selfPercent.toFixed(1), 7)}${lpad(e.calls !== undefined ? String(e.calls) : "—", 10)}  ${stable || "—"}`);
  });

  console.log("\n3. jit each fixture with the profile's stable arguments (compiled at its first call, whatever it costs), and");
  console.log("4. measure: plain generic code, jit from the profile, and the hand-specialized twin, per call:\n");
  const loaded = loadProfile(result.profilePath);
  const header = `   ${pad("fixture", 18)}${lpad("plain", 11)}${lpad("kos jit", 11)}${lpad("hand", 11)}${lpad("speedup", 9)}  what kos assumed`;
  console.log(header);
  console.log(`   ${"-".repeat(header.length - 3)}`);
  const speedups: number[] = [];
  let runners = 0;
  for (const f of fixtures) {
    for (const v of Object.values(f.specialize)) deepFreeze(v);
    const batch = f.makeArgs(0x5eed, 64) as unknown[][];
    const entry = loaded.lookup(f.generic);
    // Compiled at the first call from the profile whatever the compile costs (`hotCalls: 1`): the
    // profiled run spread 3 s over nine fixtures, over which several compiles would not pay back, and
    // what is measured here is each fixture's steady state.
    const jitted = jit(f.generic, { ...(f.scope ? { scope: f.scope } : {}), tiering: { profile: loaded, hotCalls: 1 } });
    nsPerCall(jitted, batch, runners++, 30); // warm-up (and, without a profile entry, tier-up by counting)
    // Plain and hand run on unfrozen copies of the constants, as a caller had them before freezing:
    // V8 reads frozen arrays of doubles much more slowly, which would flatter kos.
    const thawed = new Map<unknown, unknown>(Object.values(f.specialize).filter((v): v is object => v !== null && typeof v === "object").map((v) => [v, structuredClone(v)]));
    const plainBatch = batch.map((args) => args.map((a) => (thawed.has(a) ? thawed.get(a) : a)));
    const plain = nsPerCall(f.generic, plainBatch, runners++);
    const after = nsPerCall(jitted, batch, runners++);
    const hand = nsPerCall(f.hand, plainBatch, runners++);
    const info = inspect(jitted)!;
    const speedup = plain / after;
    speedups.push(speedup);
    const assumed = info.assumptions.map((a) => a.description.replace(/ \(identity\)/, "")).join("; ") || (entry ? "nothing stable" : "not in profile");
    console.log(`   ${pad(f.name + (f.specializable ? "" : "*"), 18)}${lpad(fmt(plain), 11)}${lpad(fmt(after), 11)}${lpad(fmt(hand), 11)}${lpad(speedup.toFixed(2) + "×", 9)}  ${assumed.length > 70 ? assumed.slice(0, 69) + "…" : assumed}`);
  }
  const geo = Math.exp(speedups.reduce((s, v) => s + Math.log(v), 0) / speedups.length);
  console.log(`\n   * crc32 is the control: nothing to specialize, kos must not slow it down.`);
  console.log(`   Geometric mean speedup over plain: ${geo.toFixed(2)}×. Times are the best of 3 short runs on a shared machine;`);
  console.log(`   kos's \`npm run bench\` measures with mitata and writes BENCHMARKS.md.`);
  console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Open ${profile.flamegraph ? relative(process.cwd(), profile.flamegraph) : result.outDir} to see where the time went.`);
  return EXIT.OK;
}
