#!/usr/bin/env node
/**
 * Paired A/B of one bench program (bench/programs, built into dist/) in CPU time. Each round runs
 * every variant once, in an order shuffled per round (a fixed seed, so that a rerun measures the
 * same plan); a variant's ratio is the median over the rounds of no kos's CPU time over its own in
 * the same round, as the programs bench reports it (< 1: slower than no kos). Also per variant, paired
 * against no kos in the same round: the extra CPU on the main thread and in V8's worker threads
 * (compiles, concurrent GC) where the program reports them (bench/programs/thread-cpu.ts), and the
 * work loop's wall-time ratio. Run it under the bench lock:
 *
 *   flock /tmp/kos-bench.lock nice -n 0 node scripts/program-ab.mjs dsp 15000 --rounds 15
 *
 * Variants `none`, `jit` (tiering) and `jit0` (`KOS_JIT=0`) by default; `--only none,jit` keeps
 * some; `--variant name=K=V,K=V[@dir]` adds one, its program taken from another build's dist/
 * where `@dir` is given (a copy of dist/ kept before a change gives the before/after in one run).
 * `--node-flags "..."` passes flags to every run; `--json` prints every figure.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ownDist = join(here, "..", "dist");
const argv = process.argv.slice(2);
const program = argv.shift();
const programArgs = [];
while (argv.length && !argv[0].startsWith("--")) programArgs.push(argv.shift());
let rounds = 11;
let nodeFlags = [];
let asJson = false;
let variants = [
  { name: "none", env: { KOS_BENCH_MODE: "none" }, dist: ownDist },
  { name: "jit", env: { KOS_BENCH_MODE: "jit" }, dist: ownDist },
  { name: "jit0", env: { KOS_BENCH_MODE: "jit", KOS_JIT: "0" }, dist: ownDist },
];
while (argv.length) {
  const flag = argv.shift();
  if (flag === "--rounds") rounds = Number(argv.shift());
  else if (flag === "--node-flags") nodeFlags = argv.shift().split(/\s+/).filter(Boolean);
  else if (flag === "--json") asJson = true;
  else if (flag === "--only") {
    const keep = new Set(argv.shift().split(","));
    variants = variants.filter((v) => keep.has(v.name));
  } else if (flag === "--variant") {
    const [head, dist] = argv.shift().split("@");
    const eq = head.indexOf("=");
    const env = Object.fromEntries(head.slice(eq + 1).split(",").filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    variants.push({ name: head.slice(0, eq), env, dist: dist ?? ownDist });
  } else throw new Error(`unknown flag ${flag}`);
}
if (!program || !variants.some((v) => v.name === "none")) throw new Error("usage: program-ab.mjs <program> [args] [--rounds n] [--only none,..] [--variant name=K=V,..[@dist]] (the none variant is the baseline)");

const base = { ...process.env };
for (const k of ["KOS_PROFILE", "KOS_JIT", "KOS_HOT_CALLS", "KOS_TRACE", "KOS_FEEDBACK_OUT", "NODE_DEBUG", "KOS_BENCH_MODE", "KOS_CACHE"]) delete base[k];

function run(v) {
  const file = join(v.dist, "bench", "programs", `${program}.js`);
  const r = spawnSync(process.execPath, [...nodeFlags, file, ...programArgs], { env: { ...base, ...v.env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${v.name}: exit ${r.status}: ${r.stderr}`);
  // The program's line is its last JSON line (a flag such as --trace-gc prints more).
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.findLastIndex((l) => l.startsWith("{"))]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quartiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor(s.length / 4)], s[Math.ceil((3 * s.length) / 4) - 1]];
};

let seed = 0x9e3779b9;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const results = new Map(variants.map((v) => [v.name, []]));
let check;
for (let round = 0; round < rounds; round++) {
  const order = [...variants];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const v of order) {
    const r = run(v);
    if (check === undefined) check = r.check;
    else if (r.check !== check) throw new Error(`${v.name} computed ${r.check}, expected ${check}`);
    results.get(v.name).push(r);
  }
}

const none = results.get("none");
const summary = { program, args: programArgs, rounds, variants: {} };
for (const v of variants) {
  const rs = results.get(v.name);
  const paired = (f) => rs.map((r, k) => f(r, none[k]));
  const ratios = paired((r, n) => n.cpuMs / r.cpuMs);
  const split = rs.every((r) => r.mainCpuMs !== undefined);
  summary.variants[v.name] = {
    cpuMs: +median(rs.map((r) => r.cpuMs)).toFixed(1),
    ratio: +median(ratios).toFixed(3),
    ratioIqr: quartiles(ratios).map((x) => +x.toFixed(3)),
    workRatio: +median(paired((r, n) => n.workMs / r.workMs)).toFixed(3),
    ...(split
      ? {
          extraMainMs: +median(paired((r, n) => r.mainCpuMs - n.mainCpuMs)).toFixed(1),
          extraBackgroundMs: +median(paired((r, n) => r.backgroundCpuMs - n.backgroundCpuMs)).toFixed(1),
        }
      : {}),
    ...(asJson ? { runs: rs } : {}),
  };
}
if (asJson) console.log(JSON.stringify(summary, null, 1));
else {
  console.log(`${program} ${programArgs.join(" ")}: ${rounds} paired rounds, CPU time (ratio = no kos / variant, median of rounds; extra = variant - no kos, median of rounds)`);
  for (const [name, s] of Object.entries(summary.variants)) {
    const extra = s.extraMainMs === undefined ? "" : `  extra main ${s.extraMainMs} ms, background ${s.extraBackgroundMs} ms`;
    console.log(`  ${name.padEnd(10)} ${String(s.cpuMs).padStart(7)} ms  ratio ${s.ratio.toFixed(3)} [${s.ratioIqr.join(", ")}]  work ${s.workRatio.toFixed(3)}${extra}`);
  }
}
