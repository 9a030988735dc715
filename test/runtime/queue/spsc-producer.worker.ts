// Stress-test producer: pushes `count` messages into an SPSC queue in order.
import { workerData, parentPort } from "node:worker_threads";
import { SpscByteQueue, SpscRecordQueue } from "../../../runtime/queue/index.js";

const { desc, mode, count } = workerData as { desc: unknown; mode: "records" | "bytes"; count: number };
const TIMEOUT = 60_000;

if (mode === "records") {
  const q = SpscRecordQueue.attach(desc);
  const rec = new Int32Array(1);
  const batch = new Int32Array(64);
  let i = 0;
  while (i < count) {
    if ((i >> 12) & 1) {
      // Alternate single blocking pushes with batches, so both paths are exercised.
      const n = Math.min(64, count - i);
      for (let k = 0; k < n; k++) batch[k] = i + k;
      let done = 0;
      while (done < n) {
        const pushed = q.tryPushMany(batch.subarray(done), n - done);
        if (pushed === 0 && !q.push([batch[done]!], TIMEOUT)) throw new Error("push timed out");
        done += pushed === 0 ? 1 : pushed;
      }
      i += n;
    } else {
      rec[0] = i;
      if (!q.push(rec, TIMEOUT)) throw new Error("push timed out");
      i++;
    }
  }
} else {
  const q = SpscByteQueue.attach(desc);
  const buf = new Uint8Array(4 + 61);
  const view = new DataView(buf.buffer);
  for (let i = 0; i < count; i++) {
    const len = 4 + (i % 61);
    view.setInt32(0, i, true);
    for (let k = 4; k < len; k++) buf[k] = (i * 13 + k) & 255;
    if (!q.push(buf.subarray(0, len), TIMEOUT)) throw new Error("push timed out");
  }
}
parentPort!.postMessage("done");
