/**
 * `node dist/bench/fuzz.js` (npm run fuzz): the exactness fuzzer of issue 12 at
 * scale, ≥ 10⁶ cases (program × call) by default, on worker threads.
 *
 *   node dist/bench/fuzz.js [--seed N] [--cases N] [--workers N] [--chunk N]
 *                           [--max-mismatches N] [--index I] [--this]
 *                           [--default-freeze-deep] [--out FILE]
 *
 * Seeds also come from KOS_FUZZ_SEED. Programs are numbered from 0 upwards and
 * handed to workers in chunks; every mismatch prints a one-line reproduction
 * command. Stops after --max-mismatches (default 20). Prints progress, then a
 * summary line: `fuzz: seed …, … programs, … cases, … mismatches, … s`.
 * Exits 1 when there was a mismatch.
 */
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { jit, inspect } from "../index.js";
import { ENV, formatMismatch, generateProgram, mismatchKind, reproCommand, runBatch, runProgram, type FuzzApi } from "../fixtures/fuzz/index.js";

const api: FuzzApi = { jit: jit as FuzzApi["jit"], inspect: inspect as FuzzApi["inspect"] };

interface Flags {
  receiver: boolean;
  defaultFreezeDeep: boolean;
}
interface ChunkRequest {
  seed: number;
  from: number;
  to: number;
}
interface ChunkReply {
  programs: number;
  cases: number;
  tiers: Record<string, number>;
  mismatches: Array<{ index: number; kind: string; repro: string; report: string }>;
}

function runChunk(req: ChunkRequest, flags: Flags): ChunkReply {
  const r = runBatch(api, req.seed, req.from, req.to, flags);
  return {
    programs: r.programs,
    cases: r.cases,
    tiers: r.tiers,
    mismatches: r.mismatches.map((m) => ({ index: m.index, kind: mismatchKind(m), repro: reproCommand(m), report: formatMismatch(m) })),
  };
}

if (!isMainThread) {
  const flags = workerData as Flags;
  parentPort!.on("message", (req: ChunkRequest) => parentPort!.postMessage(runChunk(req, flags)));
} else {
  await main();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: "string" },
      cases: { type: "string", default: "1000000" },
      workers: { type: "string" },
      chunk: { type: "string", default: "100" },
      "max-mismatches": { type: "string", default: "20" },
      index: { type: "string" },
      this: { type: "boolean", default: process.env[ENV.receiver] === "1" },
      "default-freeze-deep": { type: "boolean", default: process.env[ENV.defaultFreezeDeep] === "1" },
      out: { type: "string" },
    },
  });
  const seed = Number(values.seed ?? process.env[ENV.seed] ?? 1);
  const flags: Flags = { receiver: values.this!, defaultFreezeDeep: values["default-freeze-deep"]! };
  if (!Number.isSafeInteger(seed)) throw new TypeError(`--seed must be an integer, got ${values.seed}`);

  if (values.index !== undefined) {
    const program = generateProgram(seed, Number(values.index), flags);
    const r = runProgram(program, api, flags);
    console.log(r.mismatch ? formatMismatch(r.mismatch) : `program ${values.index} of seed ${seed}: ${r.cases} cases agree (tier ${r.tier})\n${program.setup}`);
    process.exitCode = r.mismatch ? 1 : 0;
    return;
  }

  const targetCases = Number(values.cases);
  const chunk = Math.max(1, Number(values.chunk));
  const maxMismatches = Math.max(1, Number(values["max-mismatches"]));
  const workerCount = Math.max(1, Number(values.workers ?? Math.min(2, availableParallelism())));
  const started = performance.now();
  let nextIndex = 0, programs = 0, cases = 0, lastProgress = 0;
  const tiers: Record<string, number> = {};
  const mismatches: ChunkReply["mismatches"] = [];
  const done = () => cases >= targetCases || mismatches.length >= maxMismatches;

  const self = fileURLToPath(import.meta.url);
  const workers = Array.from({ length: workerCount }, () => new Worker(self, { workerData: flags }));
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve, reject) => {
          const send = () => {
            if (done()) return resolve();
            const from = nextIndex;
            nextIndex += chunk;
            worker.postMessage({ seed, from, to: from + chunk } satisfies ChunkRequest);
          };
          worker.on("message", (reply: ChunkReply) => {
            programs += reply.programs;
            cases += reply.cases;
            for (const [k, v] of Object.entries(reply.tiers)) tiers[k] = (tiers[k] ?? 0) + v;
            for (const m of reply.mismatches) {
              if (mismatches.length >= maxMismatches) break;
              mismatches.push(m);
              console.log(`MISMATCH ${mismatches.length} (${m.kind}): ${m.repro}`);
            }
            const now = performance.now();
            if (now - lastProgress > 5000) {
              lastProgress = now;
              console.log(`[fuzz] ${cases.toLocaleString("en")} cases, ${programs.toLocaleString("en")} programs, ${mismatches.length} mismatches, ${((now - started) / 1000).toFixed(0)} s`);
            }
            send();
          });
          worker.on("error", reject);
          send();
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));

  const kinds = new Map<string, number>();
  for (const m of mismatches) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
  if (mismatches.length) {
    console.log(`\nfirst mismatch:\n${mismatches[0]!.report}\n`);
    if (values.out) writeFileSync(values.out, mismatches.map((m) => m.report).join("\n\n==========\n\n"));
  }
  const kindText = [...kinds].map(([k, n]) => `${n}× ${k}`).join("; ");
  console.log(
    `fuzz: seed ${seed}, ${programs} programs, ${cases} cases, ${mismatches.length} mismatches${kindText ? ` (${kindText})` : ""}, ` +
      `tiers ${JSON.stringify(tiers)}, ${((performance.now() - started) / 1000).toFixed(1)} s${flags.receiver ? ", receiver family on" : ""}`,
  );
  process.exitCode = mismatches.length ? 1 : 0;
}
