// Stress-test producer: pushes (id, seq) for seq = 0 … count-1 into an MPMC queue.
import { workerData, parentPort } from "node:worker_threads";
import { MpmcByteQueue, MpmcRecordQueue } from "../../../runtime/queue/index.js";

const { desc, mode, id, count, start } = workerData as {
  desc: unknown; mode: "records" | "bytes"; id: number; count: number; start: SharedArrayBuffer;
};
const TIMEOUT = 60_000;
// Start only once the test has seen both consumers ready.
Atomics.wait(new Int32Array(start), 0, 0, TIMEOUT);

if (mode === "records") {
  const q = MpmcRecordQueue.attach(desc);
  const rec = new Int32Array(2);
  rec[0] = id;
  for (let seq = 0; seq < count; seq++) {
    rec[1] = seq;
    if (!q.push(rec, TIMEOUT)) throw new Error(`producer ${id}: push timed out at ${seq}`);
  }
} else {
  const q = MpmcByteQueue.attach(desc);
  const buf = new Uint8Array(q.maxMessageBytes);
  const view = new DataView(buf.buffer);
  for (let seq = 0; seq < count; seq++) {
    const len = 8 + (seq % (q.maxMessageBytes - 7));
    view.setInt32(0, id, true);
    view.setInt32(4, seq, true);
    for (let k = 8; k < len; k++) buf[k] = (seq + k) & 255;
    if (!q.push(buf.subarray(0, len), TIMEOUT)) throw new Error(`producer ${id}: push timed out at ${seq}`);
  }
}
parentPort!.postMessage("done");
