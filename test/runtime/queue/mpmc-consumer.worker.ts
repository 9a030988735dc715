// Stress-test consumer: pops until it sees a poison record (id -1), marking each
// (id, seq) in a shared bitmap and checking per-producer order as it goes.
import { workerData, parentPort } from "node:worker_threads";
import { MpmcByteQueue, MpmcRecordQueue } from "../../../runtime/queue/index.js";

const { desc, mode, bitmap, producers, perProducer } = workerData as {
  desc: unknown; mode: "records" | "bytes"; bitmap: SharedArrayBuffer; producers: number; perProducer: number;
};
const TIMEOUT = 60_000;
const bits = new Int32Array(bitmap);
const last = new Array<number>(producers).fill(-1);
let received = 0;
let duplicates = 0;
let orderViolations = 0;
let corrupt = 0;

function record(id: number, seq: number): void {
  if (id < 0 || id >= producers || seq < 0 || seq >= perProducer) {
    corrupt++;
    return;
  }
  const bit = id * perProducer + seq;
  const mask = 1 << (bit & 31);
  if (Atomics.or(bits, bit >>> 5, mask) & mask) duplicates++;
  if (seq <= last[id]!) orderViolations++;
  last[id] = seq;
  received++;
}

parentPort!.postMessage("ready");
if (mode === "records") {
  const q = MpmcRecordQueue.attach(desc);
  const out = new Int32Array(2);
  for (;;) {
    if (!q.pop(out, TIMEOUT)) throw new Error("pop timed out");
    if (out[0] === -1) break;
    record(out[0]!, out[1]!);
  }
} else {
  const q = MpmcByteQueue.attach(desc);
  const out = new Uint8Array(q.maxMessageBytes);
  const view = new DataView(out.buffer);
  for (;;) {
    const n = q.pop(out, TIMEOUT);
    if (n < 0) throw new Error("pop timed out");
    const id = view.getInt32(0, true);
    if (id === -1) break;
    const seq = view.getInt32(4, true);
    if (n !== 8 + (seq % (q.maxMessageBytes - 7))) corrupt++;
    for (let k = 8; k < n; k++) if (out[k] !== ((seq + k) & 255)) { corrupt++; break; }
    record(id, seq);
  }
}
parentPort!.postMessage({ received, duplicates, orderViolations, corrupt });
