// Worker for the stall tests: pushes (or pops) on an MPMC record queue and
// can pause for ever between claiming a slot and publishing (releasing) it,
// so the test can terminate it exactly inside that window.
import { parentPort, workerData } from "node:worker_threads";
import { MpmcRecordQueue } from "../../../runtime/queue/index.js";

const { desc, mode, count, pauseAt } = workerData as {
  desc: unknown;
  mode: "push" | "pop";
  count: number;
  /** Pause inside the claim window of this operation (0-based); -1 never. */
  pauseAt: number;
};
const q = MpmcRecordQueue.attach(desc);
let n = 0;
q.afterClaimHook = (slot, op) => {
  if (n === pauseAt) {
    parentPort!.postMessage({ paused: op, slot });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until terminated
  }
};
const rec = new Int32Array(2);
parentPort!.postMessage({ started: true });
for (n = 0; n < count; n++) {
  if (mode === "push") {
    rec[0] = n;
    rec[1] = n * 2;
    q.push(rec, 60_000);
  } else {
    q.pop(rec, 60_000);
  }
}
parentPort!.postMessage({ done: n });
