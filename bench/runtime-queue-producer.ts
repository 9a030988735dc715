/**
 * Producer side of the runtime-queue benchmark (runs in a worker): waits on
 * a shared start flag, then sends `count` messages by one mechanism as fast
 * as it can, spinning when the queue is full.
 */
import { parentPort, workerData } from "node:worker_threads";
import { RingBuffer } from "ringbuf.js";
import { MpmcRecordQueue, SpscByteQueue, SpscRecordQueue } from "../runtime/queue/index.js";

export type ProducerMode =
  | "postMessage" | "ringbuf" | "ringbuf-batch" | "spsc-records" | "spsc-records-batch"
  | "spsc-records-notify" | "spsc-records-blocking" | "spsc-bytes" | "mpmc-records";

export interface ProducerData {
  mode: ProducerMode;
  count: number;
  /** Int32Array[1] over this buffer is the start flag. */
  start: SharedArrayBuffer;
  /** Queue descriptor, or the ringbuf.js SharedArrayBuffer. */
  queue?: unknown;
  batch: number;
}

const { mode, count, start, queue, batch } = workerData as ProducerData;
const flag = new Int32Array(start);
parentPort!.postMessage("ready");
Atomics.wait(flag, 0, 0);

switch (mode) {
  case "postMessage": {
    for (let i = 0; i < count; i++) parentPort!.postMessage(i);
    break;
  }
  case "ringbuf": {
    const rb = new RingBuffer(queue as SharedArrayBuffer, Float64Array);
    const one = new Float64Array(1);
    for (let i = 0; i < count; i++) {
      one[0] = i;
      while (rb.push(one) === 0);
    }
    break;
  }
  case "ringbuf-batch": {
    const rb = new RingBuffer(queue as SharedArrayBuffer, Float64Array);
    const buf = new Float64Array(batch);
    for (let i = 0; i < count; ) {
      const n = Math.min(batch, count - i);
      for (let k = 0; k < n; k++) buf[k] = i + k;
      let done = 0;
      while (done < n) done += rb.push(buf, n - done, done);
      i += n;
    }
    break;
  }
  case "spsc-records": {
    const q = SpscRecordQueue.attach(queue);
    const one = new Float64Array(1);
    for (let i = 0; i < count; i++) {
      one[0] = i;
      while (!q.tryPush(one));
    }
    break;
  }
  case "spsc-records-blocking": {
    // Blocking push: sleeps in Atomics.wait while full instead of spinning.
    const q = SpscRecordQueue.attach(queue);
    const one = new Float64Array(1);
    for (let i = 0; i < count; i++) {
      one[0] = i;
      q.push(one);
    }
    break;
  }
  case "spsc-records-notify": {
    // Same as spsc-records plus an unconditional Atomics.notify per message:
    // the cost the waiter flag in wait.ts avoids.
    const q = SpscRecordQueue.attach(queue);
    const word = new Int32Array(new SharedArrayBuffer(4));
    const one = new Float64Array(1);
    for (let i = 0; i < count; i++) {
      one[0] = i;
      while (!q.tryPush(one));
      Atomics.notify(word, 0);
    }
    break;
  }
  case "spsc-records-batch": {
    const q = SpscRecordQueue.attach(queue);
    const buf = new Float64Array(batch);
    for (let i = 0; i < count; ) {
      const n = Math.min(batch, count - i);
      for (let k = 0; k < n; k++) buf[k] = i + k;
      let done = 0;
      while (done < n) done += q.tryPushMany(done === 0 ? buf : buf.subarray(done), n - done);
      i += n;
    }
    break;
  }
  case "spsc-bytes": {
    const q = SpscByteQueue.attach(queue);
    const msg = new Uint8Array(8);
    const view = new Float64Array(msg.buffer);
    for (let i = 0; i < count; i++) {
      view[0] = i;
      while (!q.tryPush(msg));
    }
    break;
  }
  case "mpmc-records": {
    const q = MpmcRecordQueue.attach(queue);
    const one = new Float64Array(1);
    for (let i = 0; i < count; i++) {
      one[0] = i;
      while (!q.tryPush(one));
    }
    break;
  }
}
parentPort!.postMessage("done");
