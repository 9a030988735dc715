/**
 * `node dist/bench/fuzz.js` (npm run fuzz): the exactness fuzzer of issue 12 at
 * scale, ≥ 10⁶ cases (program × call) by default, on worker threads.
 *
 *   node dist/bench/fuzz.js [--seed N] [--cases N] [--workers N] [--chunk N]
 *                           [--max-mismatches N] [--index I] [--this] [--loop-writes]
 *                           [--default-freeze-deep] [--outline-limit N] [--hang-ms N] [--out FILE]
 *
 * `--this` adds methods specialized on their receiver; `--loop-writes`, loops whose body writes
 * items past the one it is at (sweep18's missed write). Each family draws only where it is on, so
 * a seed's other programs are the same with it or without it.
 *
 * Seeds also come from KOS_FUZZ_SEED. Programs are numbered from 0 upwards and
 * handed to workers in chunks (fixtures/fuzz/pool.ts); a program that hangs
 * or kills its worker is reported as a mismatch of kind "hang"/"crash" and
 * the run continues after it. Every mismatch prints a one-line reproduction
 * command. Stops after --max-mismatches (default 20). Prints progress, then a
 * summary line: `fuzz: seed …, … programs, … cases, … mismatches, … s`.
 * Exits 1 when there was a mismatch.
 */
import { availableParallelism } from "node:os";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { jit, inspect } from "../index.js";
import { ENV, formatMismatch, generateProgram, runProgram, type FuzzApi } from "../fixtures/fuzz/index.js";
import { runPool } from "../fixtures/fuzz/pool.js";

const api: FuzzApi = { jit: jit as FuzzApi["jit"], inspect: inspect as FuzzApi["inspect"] };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string" },
      cases: { type: "string", default: "1000000" },
      workers: { type: "string" },
      chunk: { type: "string", default: "50" },
      "max-mismatches": { type: "string", default: "20" },
      "hang-ms": { type: "string", default: "60000" },
      index: { type: "string" },
      this: { type: "boolean", default: process.env[ENV.receiver] === "1" },
      "loop-writes": { type: "boolean", default: process.env[ENV.loopWrites] === "1" },
      "default-freeze-deep": { type: "boolean", default: process.env[ENV.defaultFreezeDeep] === "1" },
      "outline-limit": { type: "string", default: process.env[ENV.outlineLimit] },
      out: { type: "string" },
    },
  });
  const seed = Number(values.seed ?? process.env[ENV.seed] ?? 1);
  if (!Number.isSafeInteger(seed)) throw new TypeError(`--seed must be an integer, got ${values.seed}`);
  const outlineLimit = values["outline-limit"] === undefined ? undefined : Number(values["outline-limit"]);
  if (outlineLimit !== undefined && !(Number.isSafeInteger(outlineLimit) && outlineLimit > 0)) throw new TypeError(`--outline-limit must be a positive integer, got ${values["outline-limit"]}`);
  const flags = { receiver: values.this!, loopWrites: values["loop-writes"]!, defaultFreezeDeep: values["default-freeze-deep"]!, ...(outlineLimit !== undefined ? { outlineLimit } : {}) };

  if (values.index !== undefined) {
    const program = generateProgram(seed, Number(values.index), flags);
    const r = runProgram(program, api, flags);
    console.log(r.mismatch ? formatMismatch(r.mismatch, outlineLimit) : `program ${values.index} of seed ${seed}: ${r.cases} cases agree (tier ${r.tier})\n${program.setup}`);
    process.exitCode = r.mismatch ? 1 : 0;
    return;
  }

  let lastProgress = 0;
  const r = await runPool({
    ...flags,
    workerFile: new URL("../fixtures/fuzz/worker.js", import.meta.url),
    seed,
    targetCases: Number(values.cases),
    workers: Number(values.workers ?? Math.min(2, availableParallelism())),
    chunk: Number(values.chunk),
    maxMismatches: Math.max(1, Number(values["max-mismatches"])),
    hangMs: Number(values["hang-ms"]),
    onMismatch: (m, n) => console.log(`MISMATCH ${n} (${m.kind}): ${m.detail.slice(0, 160)}\n  ${m.repro}`),
    onProgress: (p) => {
      if (p.elapsedMs - lastProgress < 5000) return;
      lastProgress = p.elapsedMs;
      console.log(`[fuzz] ${p.cases.toLocaleString("en")} cases, ${p.programs.toLocaleString("en")} programs, ${p.mismatches.length} mismatches, ${(p.elapsedMs / 1000).toFixed(0)} s`);
    },
  });

  const kinds = new Map<string, number>();
  for (const m of r.mismatches) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
  if (r.mismatches.length) {
    console.log(`\nfirst mismatch:\n${r.mismatches[0]!.report}\n`);
    if (values.out) writeFileSync(values.out, r.mismatches.map((m) => m.report).join("\n\n==========\n\n"));
  }
  const kindText = [...kinds].map(([k, n]) => `${n}× ${k}`).join("; ");
  console.log(
    `fuzz: seed ${seed}, ${r.programs} programs, ${r.cases} cases, ${r.mismatches.length} mismatches${kindText ? ` (${kindText})` : ""}, ` +
      `tiers ${JSON.stringify(r.tiers)}, ${(r.elapsedMs / 1000).toFixed(1)} s${flags.receiver ? ", receiver family on" : ""}${flags.loopWrites ? ", loop-writes family on" : ""}${outlineLimit !== undefined ? `, outline limit ${outlineLimit}` : ""}`,
  );
  process.exitCode = r.mismatches.length ? 1 : 0;
}

await main();
