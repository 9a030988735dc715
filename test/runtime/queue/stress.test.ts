/**
 * Cross-thread stress: millions of sequence-numbered messages through the
 * queues, checked for exactly-once delivery and for the order each queue
 * promises. Runs on 2 cores in CI, so every thread uses the blocking calls
 * (Atomics.wait) rather than spinning.
 */
import { describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { MpmcByteQueue, MpmcRecordQueue, SpscByteQueue, SpscRecordQueue } from "../../../runtime/queue/index.js";

function spawn(name: string, data: Record<string, unknown>): Worker {
  const script = fileURLToPath(new URL(`./${name}.worker.ts`, import.meta.url));
  return new Worker(new URL("./ts-worker.mjs", import.meta.url), { workerData: { ...data, script } });
}

/** Records a worker's failure so a consumer loop on this thread can stop instead of waiting out its timeout. */
function watch(w: Worker): { failure: Error | undefined } {
  const state: { failure: Error | undefined } = { failure: undefined };
  w.on("error", (e) => (state.failure = e));
  return state;
}

/** Resolves with the worker's first message; rejects on error or on exit without one. */
function firstMessage<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
    w.once("exit", (code) => reject(new Error(`worker exited (${code}) without a result`)));
  });
}

/** A worker's messages in arrival order: `next()` resolves with the next one, or rejects if the worker fails first. */
function inbox(w: Worker): { next<T>(): Promise<T> } {
  const queued: unknown[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  w.on("message", (m) => { queued.push(m); wake?.(); });
  w.on("error", (e) => { failure = e; wake?.(); });
  w.on("exit", (code) => { failure ??= new Error(`worker exited (${code})`); wake?.(); });
  return {
    async next<T>(): Promise<T> {
      while (queued.length === 0) {
        if (failure) throw failure;
        await new Promise<void>((r) => (wake = r));
      }
      return queued.shift() as T;
    },
  };
}

describe("queue stress across worker threads", () => {
  it("SPSC records: 1M messages from a worker arrive exactly once, in order (popAsync consumer)", async () => {
    const count = 1_000_000;
    const q = new SpscRecordQueue({ capacity: 1024, type: "i32" });
    const w = spawn("spsc-producer", { desc: q.shared, mode: "records", count });
    const done = firstMessage<string>(w);
    const state = watch(w);
    const out = new Int32Array(256);
    let next = 0;
    let bad = 0;
    while (next < count) {
      const n = q.tryPopMany(out, 256);
      if (n === 0) {
        if (!(await q.popAsync(out, 1000))) {
          if (state.failure) throw state.failure;
          continue;
        }
        if (out[0] !== next) bad++;
        next++;
        continue;
      }
      for (let k = 0; k < n; k++) if (out[k] !== next + k) bad++;
      next += n;
    }
    expect(await done).toBe("done");
    expect(bad).toBe(0);
    expect(next).toBe(count);
    expect(q.tryPop(out)).toBe(false);
    await w.terminate();
  });

  it("SPSC bytes: 1M variable-length messages arrive exactly once, in order, intact", async () => {
    const count = 1_000_000;
    const q = new SpscByteQueue({ capacityBytes: 1 << 14 });
    const w = spawn("spsc-producer", { desc: q.shared, mode: "bytes", count });
    const done = firstMessage<string>(w);
    const state = watch(w);
    const out = new Uint8Array(q.maxMessageBytes);
    const view = new DataView(out.buffer);
    let bad = 0;
    for (let i = 0; i < count; i++) {
      let n = q.tryPop(out);
      while (n < 0) {
        n = await q.popAsync(out, 1000);
        if (n < 0 && state.failure) throw state.failure;
      }
      if (n !== 4 + (i % 61) || view.getInt32(0, true) !== i) bad++;
      else for (let k = 4; k < n; k++) if (out[k] !== ((i * 13 + k) & 255)) { bad++; break; }
    }
    expect(await done).toBe("done");
    expect(bad).toBe(0);
    expect(q.tryPop(out)).toBe(-1);
    await w.terminate();
  });

  async function mpmcStress(mode: "records" | "bytes", producers: number, consumers: number, perProducer: number) {
    const q = mode === "records"
      ? new MpmcRecordQueue({ capacity: 1024, lanes: 2, type: "i32" })
      : new MpmcByteQueue({ capacity: 256, maxMessageBytes: 40 });
    const total = producers * perProducer;
    const bitmap = new SharedArrayBuffer(Math.ceil(total / 32) * 4);
    // Producers wait on this flag until both consumers are up (tsx start-up
    // can take seconds), so both really compete for messages from the start.
    const start = new SharedArrayBuffer(4);
    const cons = Array.from({ length: consumers }, () =>
      spawn("mpmc-consumer", { desc: q.shared, mode, bitmap, producers, perProducer }));
    const inboxes = cons.map(inbox);
    const prods = Array.from({ length: producers }, (_, id) => spawn("mpmc-producer", { desc: q.shared, mode, id, count: perProducer, start }));
    const produced = Promise.all(prods.map((w) => firstMessage<string>(w)));
    expect(await Promise.all(inboxes.map((b) => b.next<string>()))).toEqual(cons.map(() => "ready"));
    const flag = new Int32Array(start);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const results = inboxes.map((b) => b.next<{ received: number; duplicates: number; orderViolations: number; corrupt: number }>());
    expect(await produced).toEqual(prods.map(() => "done"));
    // Every real message now has a lower queue position than the poison pills,
    // and each consumer stops at its first pill, so none is left behind.
    for (let c = 0; c < consumers; c++) {
      const ok = q instanceof MpmcRecordQueue
        ? q.push([-1, -1], 60_000)
        : q.push(new Uint8Array(new Int32Array([-1, -1]).buffer), 60_000);
      expect(ok).toBe(true);
    }
    const got = await Promise.all(results);
    await Promise.all([...prods, ...cons].map((w) => w.terminate()));
    const bits = new Int32Array(bitmap);
    let set = 0;
    for (let i = 0; i < bits.length; i++) {
      let v = bits[i]!;
      while (v !== 0) { v &= v - 1; set++; }
    }
    expect(got.reduce((s, r) => s + r.received, 0)).toBe(total);
    expect(got.map((r) => r.duplicates)).toEqual(got.map(() => 0));
    expect(got.map((r) => r.orderViolations)).toEqual(got.map(() => 0));
    expect(got.map((r) => r.corrupt)).toEqual(got.map(() => 0));
    expect(set).toBe(total); // every (producer, seq) seen exactly once
    expect(q.size).toBe(0);
  }

  it("MPMC records: 4 producers × 500k → 2 consumers, exactly once, per-producer order per consumer", async () => {
    await mpmcStress("records", 4, 2, 500_000);
  }, 120_000);

  it("MPMC bytes: 4 producers × 100k → 2 consumers, exactly once, intact, in order", async () => {
    await mpmcStress("bytes", 4, 2, 100_000);
  }, 120_000);
});
