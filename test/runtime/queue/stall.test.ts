/**
 * Issue 14: a thread that dies between claiming an MPMC slot and publishing
 * (or releasing) it used to wedge the queue in silence: every later pop timed
 * out, and a blocking pop without a timeout hung for ever. Now the others get
 * QUEUE_STALLED naming the slot, `recover()` skips it, and the loss is counted.
 */
import { describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { MpmcByteQueue, MpmcRecordQueue, QueueError, type QueueStall } from "../../../runtime/queue/index.js";

function spawnStallWorker(data: Record<string, unknown>): Worker {
  const script = fileURLToPath(new URL("./stall.worker.ts", import.meta.url));
  return new Worker(new URL("./ts-worker.mjs", import.meta.url), { workerData: { ...data, script } });
}

/** Resolves with the first message from `w` that has `key`. */
function messageWith<T>(w: Worker, key: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (key in m) {
        w.off("message", onMessage);
        resolve(m as T);
      }
    };
    w.on("message", onMessage);
    w.once("error", reject);
  });
}

function caught(fn: () => unknown): QueueError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QueueError);
    return e as QueueError;
  }
  throw new Error("expected a QueueError");
}

/** A producer that "dies" between claim and publish, on this thread: the hook throws out of the push. */
function dieInsideNextPush(q: MpmcRecordQueue | MpmcByteQueue): void {
  q.afterClaimHook = () => {
    q.afterClaimHook = undefined;
    throw new Error("died holding the claim");
  };
}

describe("MPMC stall detection and recovery (same thread)", () => {
  it("a producer dead between claim and publish: pop throws QUEUE_STALLED naming the slot, recover() skips it, the loss is counted", () => {
    const q = new MpmcRecordQueue({ capacity: 4, lanes: 2, type: "i32", stallTimeoutMs: 50 });
    expect(q.tryPush([1, 2])).toBe(true);
    dieInsideNextPush(q);
    expect(() => q.tryPush([3, 4])).toThrow("died holding the claim");
    expect(q.tryPush([5, 6])).toBe(true); // queued behind the dead claim
    const out = new Int32Array(2);
    expect(q.tryPop(out)).toBe(true);
    expect([...out]).toEqual([1, 2]);
    // Blocking pop without a timeout: used to hang for ever here.
    const err = caught(() => q.pop(out));
    expect(err.code).toBe("QUEUE_STALLED");
    expect(err.stall).toMatchObject({ role: "producer", slot: 1, position: 1 });
    expect(err.stall!.stalledMs).toBeGreaterThanOrEqual(50);
    expect(err.message).toMatch(/slot 1 \(position 1\)/);
    expect(q.stats()).toMatchObject({ lost: 0, recoveries: 0 });
    expect(q.recover(err.stall!)).toBe(true);
    expect(q.recover(err.stall!)).toBe(false); // already recovered: nothing changes
    expect(q.stats()).toMatchObject({ lost: 1, recoveries: 1 });
    expect(q.pop(out, 1000)).toBe(true);
    expect([...out]).toEqual([5, 6]);
    // Many laps afterwards: the slot is back in service.
    for (let i = 0; i < 20; i++) {
      expect(q.tryPush([i, -i | 0])).toBe(true);
      expect(q.tryPop(out)).toBe(true);
      expect([...out]).toEqual([i, -i | 0]);
    }
  });

  it("a consumer dead between claim and release: a blocking push throws QUEUE_STALLED (role consumer), recover() frees the slot", () => {
    const q = new MpmcRecordQueue({ capacity: 4, lanes: 1, stallTimeoutMs: 50 });
    const out = [0];
    expect(q.tryPush([10])).toBe(true);
    q.afterClaimHook = (_slot, op) => {
      if (op === "pop") {
        q.afterClaimHook = undefined;
        throw new Error("died holding the claim");
      }
    };
    expect(() => q.tryPop(out)).toThrow("died holding the claim");
    for (let i = 0; i < 3; i++) expect(q.tryPush([i])).toBe(true);
    const err = caught(() => q.push([99]));
    expect(err.code).toBe("QUEUE_STALLED");
    expect(err.stall).toMatchObject({ role: "consumer", slot: 0, position: 0 });
    expect(q.recover(err.stall!)).toBe(true);
    expect(q.stats().lost).toBe(1);
    expect(q.push([99], 1000)).toBe(true);
    const got: number[] = [];
    while (q.tryPop(out)) got.push(out[0]!);
    expect(got).toEqual([0, 1, 2, 99]);
  });

  it("tryPop keeps returning false until the stall has lasted stallTimeoutMs, then throws", async () => {
    const q = new MpmcRecordQueue({ capacity: 2, stallTimeoutMs: 40 });
    dieInsideNextPush(q);
    expect(() => q.tryPush([1])).toThrow();
    const out = [0];
    expect(q.tryPop(out)).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(caught(() => q.tryPop(out)).code).toBe("QUEUE_STALLED");
  });

  it("a slow thread whose claim was recovered gets QUEUE_CLAIM_REVOKED instead of corrupting the sequence", () => {
    const q = new MpmcRecordQueue({ capacity: 4, lanes: 1, stallTimeoutMs: 30 });
    const other = MpmcRecordQueue.attach(q.shared);
    let stall: QueueStall | undefined;
    q.afterClaimHook = () => {
      q.afterClaimHook = undefined;
      // While this push holds its claim, another thread declares it dead and recovers it.
      stall = caught(() => other.pop([0])).stall;
      expect(other.recover(stall!)).toBe(true);
    };
    expect(caught(() => q.tryPush([1])).code).toBe("QUEUE_CLAIM_REVOKED");
    expect(q.stats().lost).toBe(1);
    expect(q.tryPush([2])).toBe(true);
    const out = [0];
    expect(other.tryPop(out)).toBe(true);
    expect(out[0]).toBe(2);
  });

  it("the byte queue gets the same detection and recovery", async () => {
    const q = new MpmcByteQueue({ capacity: 2, maxMessageBytes: 8, stallTimeoutMs: 40 });
    dieInsideNextPush(q);
    expect(() => q.tryPush(Uint8Array.of(1))).toThrow();
    expect(q.tryPush(Uint8Array.of(2, 2))).toBe(true);
    const out = new Uint8Array(8);
    const err = await q.popAsync(out).then(
      () => { throw new Error("expected a rejection"); },
      (e: QueueError) => e,
    );
    expect(err.code).toBe("QUEUE_STALLED");
    expect(q.recover(err.stall!)).toBe(true);
    expect(q.pop(out, 1000)).toBe(2);
    expect(MpmcByteQueue.attach(q.shared).stats().lost).toBe(1); // shared by every attached copy
  });

  it("stallTimeoutMs: Infinity turns detection off; bad values are refused", () => {
    const q = new MpmcRecordQueue({ capacity: 2, stallTimeoutMs: Infinity });
    dieInsideNextPush(q);
    expect(() => q.tryPush([1])).toThrow();
    expect(q.pop([0], 30)).toBe(false);
    for (const bad of [0, -1, NaN, "5"]) {
      expect(caught(() => new MpmcRecordQueue({ capacity: 2, stallTimeoutMs: bad as number })).code).toBe("QUEUE_BAD_OPTIONS");
    }
    expect(caught(() => q.recover({ role: "producer", slot: 9, position: 9, stalledMs: 0 })).code).toBe("QUEUE_BAD_OPTIONS");
  });
});

describe("MPMC: a worker terminated inside its claim window", () => {
  it("producer terminated between claim and publish: the consumer gets QUEUE_STALLED, recovers, and every other record arrives", async () => {
    for (const pauseAt of [0, 3, 13]) {
      const q = new MpmcRecordQueue({ capacity: 8, lanes: 2, type: "i32", stallTimeoutMs: 150 });
      const w = spawnStallWorker({ desc: q.shared, mode: "push", count: 40, pauseAt });
      const paused = messageWith<{ paused: string; slot: number }>(w, "paused").then(async (m) => {
        await w.terminate();
        return m;
      });
      const out = new Int32Array(2);
      const got: number[] = [];
      let stalled: QueueError | undefined;
      while (stalled === undefined) {
        try {
          // 10 s: far beyond the stall timeout, so a hang would show as `false` here, not as an error.
          expect(await q.popAsync(out, 10_000)).toBe(true);
          expect(out[1]).toBe(out[0]! * 2);
          got.push(out[0]!);
        } catch (e) {
          stalled = e as QueueError;
        }
      }
      const m = await paused;
      expect(m).toEqual({ paused: "push", slot: pauseAt % 8 });
      expect(stalled.code).toBe("QUEUE_STALLED");
      expect(stalled.stall).toMatchObject({ role: "producer", slot: pauseAt % 8, position: pauseAt });
      expect(got).toEqual(Array.from({ length: pauseAt }, (_, i) => i));
      expect(q.recover(stalled.stall!)).toBe(true);
      expect(q.stats()).toMatchObject({ lost: 1, size: 0 });
      // Recovered: the queue carries records again, across the recovered slot.
      for (let i = 0; i < 16; i++) {
        expect(q.push([i, i * 2], 1000)).toBe(true);
        expect(q.pop(out, 1000)).toBe(true);
        expect([...out]).toEqual([i, i * 2]);
      }
    }
  });

  it("consumer terminated between claim and release: a producer gets QUEUE_STALLED (role consumer), recovers, and goes on", async () => {
    const q = new MpmcRecordQueue({ capacity: 8, lanes: 2, type: "i32", stallTimeoutMs: 150 });
    const w = spawnStallWorker({ desc: q.shared, mode: "pop", count: 10, pauseAt: 2 });
    for (let i = 0; i < 3; i++) expect(q.tryPush([i, i * 2])).toBe(true);
    expect(await messageWith(w, "paused")).toEqual({ paused: "pop", slot: 2 });
    await w.terminate();
    for (let i = 3; i < 10; i++) expect(q.push([i, i * 2], 1000)).toBe(true);
    const err = caught(() => q.push([10, 20]));
    expect(err.stall).toMatchObject({ role: "consumer", slot: 2, position: 2 });
    expect(q.recover(err.stall!)).toBe(true);
    expect(q.push([10, 20], 1000)).toBe(true);
    const out = new Int32Array(2);
    const got: number[] = [];
    while (q.tryPop(out)) got.push(out[0]!);
    expect(got).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    expect(q.stats().lost).toBe(1);
  });

  it("producer terminated at a random moment (12 trials): never a silent hang, no torn record, at most the one claimed record lost", async () => {
    for (let trial = 0; trial < 12; trial++) {
      const q = new MpmcRecordQueue({ capacity: 8, lanes: 2, type: "i32", stallTimeoutMs: 100 });
      const w = spawnStallWorker({ desc: q.shared, mode: "push", count: 1_000_000, pauseAt: -1 });
      await messageWith(w, "started");
      const killed = new Promise<void>((r) => setTimeout(() => void w.terminate().then(() => r()), 1 + (trial % 5)));
      const out = new Int32Array(2);
      let next = 0;
      let done = false;
      while (!done) {
        try {
          if (await q.popAsync(out, 300)) {
            expect(out[0]).toBe(next); // one producer: FIFO, no gap, no tear
            expect(out[1]).toBe(next * 2);
            next++;
          } else {
            done = true; // empty with nothing claimed: the producer is gone
          }
        } catch (e) {
          expect((e as QueueError).code).toBe("QUEUE_STALLED");
          expect(q.recover((e as QueueError).stall!)).toBe(true);
        }
      }
      await killed;
      expect(q.stats().lost).toBeLessThanOrEqual(1);
      expect(q.stats().size).toBe(0);
    }
  });
});
