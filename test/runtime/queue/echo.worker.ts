// Receives queue descriptors by postMessage, reattaches them with attachQueue,
// and echoes `count` byte messages from `input` back as records on `output`.
import { parentPort } from "node:worker_threads";
import { attachQueue, MpmcByteQueue, SpscRecordQueue } from "../../../runtime/queue/index.js";

parentPort!.once("message", (m: { input: unknown; output: unknown; count: number }) => {
  const input = attachQueue(m.input) as MpmcByteQueue;
  const output = attachQueue(m.output) as SpscRecordQueue;
  const buf = new Uint8Array(input.maxMessageBytes);
  for (let i = 0; i < m.count; i++) {
    const n = input.pop(buf, 30_000);
    if (n < 0) throw new Error("echo: pop timed out");
    let sum = 0;
    for (let k = 0; k < n; k++) sum += buf[k]!;
    if (!output.push([n, sum], 30_000)) throw new Error("echo: push timed out");
  }
  parentPort!.postMessage("done");
});
