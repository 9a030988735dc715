// The hot function runs in a worker thread, which 0x cannot see: `kos
// profile` must fall back to --cpu-prof. It also plays the part of kos's
// tiering and writes a feedback dump to KOS_FEEDBACK_OUT, so the test can
// check the merge into kos-profile.json.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";

function workerPolynomial(x, degree) {
  let acc = 0;
  for (let k = 0; k < degree; k++) acc = acc * x + (k % 7) - 3;
  return acc;
}

if (isMainThread) {
  const iterations = Number(process.argv[2] ?? 3_000_000);
  const worker = new Worker(new URL(import.meta.url), { workerData: iterations });
  worker.once("message", (sum) => {
    if (process.env.KOS_FEEDBACK_OUT) {
      const dump = {
        version: 1,
        pid: process.pid,
        functions: [{
          name: "workerPolynomial",
          sourceHash: createHash("sha256").update(workerPolynomial.toString()).digest("hex"),
          calls: iterations, deopts: 0, tier: 1,
          args: [
            { index: 0, name: "x", stability: "type", type: "number" },
            { index: 1, name: "degree", stability: "constant", value: 40 },
          ],
        }],
      };
      writeFileSync(process.env.KOS_FEEDBACK_OUT, JSON.stringify(dump));
    }
    console.log(`sum ${sum > 0}`);
  });
} else {
  let sum = 0;
  for (let i = 0; i < workerData; i++) sum += Math.abs(workerPolynomial((i % 100) / 100, 40));
  parentPort.postMessage(sum);
}
