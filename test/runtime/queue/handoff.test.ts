import { describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { MpmcByteQueue, SpscRecordQueue } from "../../../runtime/queue/index.js";

describe("handing queues to a worker with postMessage", () => {
  it("a worker reattaches posted descriptors and both sides block/wake each other across tiny queues", async () => {
    const input = new MpmcByteQueue({ capacity: 2, maxMessageBytes: 32 });
    const output = new SpscRecordQueue({ capacity: 2, lanes: 2, type: "i32" });
    const script = fileURLToPath(new URL("./echo.worker.ts", import.meta.url));
    const w = new Worker(new URL("./ts-worker.mjs", import.meta.url), { workerData: { script } });
    let failure: Error | undefined;
    w.on("error", (e) => (failure = e));
    const count = 1000;
    w.postMessage({ input: input.shared, output: output.shared, count });
    const rec = new Int32Array(2);
    let bad = 0;
    let sent = 0;
    let timeouts = 0;
    for (let i = 0; i < count; i++) {
      const len = i % 33;
      const msg = Uint8Array.from({ length: len }, (_, k) => (i + k) & 255);
      // Capacity 2 each way: the worker's blocking pop/push and our popAsync
      // are woken by the other side over and over (backpressure, never loss).
      while (!input.tryPush(msg)) {
        if (!(await output.popAsync(rec, sent === 0 ? 1000 : 10_000))) {
          if (failure) throw failure;
          if (sent > 0) timeouts++;
          continue;
        }
        bad += check(rec, sent++);
      }
    }
    while (sent < count) {
      if (!(await output.popAsync(rec, sent === 0 ? 1000 : 10_000))) {
        if (failure) throw failure;
        if (sent > 0) timeouts++;
        continue;
      }
      bad += check(rec, sent++);
    }
    // Once the worker is up (tsx start-up can take seconds), every wait ends
    // with a wake-up, never a timeout: a lost wake-up would show here.
    expect(timeouts).toBe(0);
    expect(bad).toBe(0);
    expect(sent).toBe(count);
    await w.terminate();

    function check(r: Int32Array, i: number): number {
      const len = i % 33;
      let sum = 0;
      for (let k = 0; k < len; k++) sum += (i + k) & 255;
      return r[0] === len && r[1] === sum ? 0 : 1;
    }
  });
});
