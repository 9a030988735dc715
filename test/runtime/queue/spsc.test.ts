import { describe, expect, it } from "vitest";
import { SpscByteQueue, SpscRecordQueue, QueueError } from "../../../runtime/queue/index.js";
import { KosError } from "../../../errors.js";
import { H_CONSUMER, H_PRODUCER } from "../../../runtime/queue/layout.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KosError);
    return (e as QueueError).code;
  }
  return undefined;
}

describe("SpscRecordQueue", () => {
  it("is FIFO, holds exactly capacity records, and gives backpressure when full", () => {
    const q = new SpscRecordQueue({ capacity: 8, lanes: 3 });
    for (let i = 0; i < 8; i++) expect(q.tryPush([i, i + 0.5, -i])).toBe(true);
    expect(q.size).toBe(8);
    expect(q.tryPush([99, 99, 99])).toBe(false);
    const out = new Float64Array(3);
    expect(q.tryPop(out)).toBe(true);
    expect([...out]).toEqual([0, 0.5, -0]);
    expect(q.tryPush([8, 8.5, -8])).toBe(true); // freed one slot
    for (let i = 1; i <= 8; i++) {
      expect(q.tryPop(out)).toBe(true);
      expect([...out]).toEqual([i, i + 0.5, -i]);
    }
    expect(q.tryPop(out)).toBe(false);
    expect(q.size).toBe(0);
  });

  it("keeps order over many laps, with Int32 lanes", () => {
    const q = new SpscRecordQueue({ capacity: 4, lanes: 1, type: "i32" });
    const out = [0];
    const sent: number[] = [];
    const got: number[] = [];
    for (let i = 0; i < 1000; i++) {
      if (q.tryPush([i])) sent.push(i);
      else expect(q.size).toBe(4);
      if (i % 3 !== 0) {
        expect(q.tryPop(out)).toBe(true);
        got.push(out[0]!);
      }
    }
    while (q.tryPop(out)) got.push(out[0]!);
    expect(got).toEqual(sent);
    expect(sent.length).toBeGreaterThan(600);
    // Values an Int32 cannot hold are refused by default (lane-values.test.ts has the full set).
    expect(() => q.tryPush([2 ** 31 + 5])).toThrow(expect.objectContaining({ code: "QUEUE_BAD_VALUE" }));
    expect(q.tryPop(out)).toBe(false);
  });

  it("moves batches with tryPushMany/tryPopMany, partially when short of room", () => {
    const q = new SpscRecordQueue({ capacity: 8, lanes: 2 });
    const src = Float64Array.from({ length: 20 }, (_, i) => i);
    expect(q.tryPushMany(src, 10)).toBe(8);
    expect(q.tryPushMany(src, 1)).toBe(0);
    const out = new Float64Array(6);
    expect(q.tryPopMany(out, 3)).toBe(3);
    expect([...out]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(q.tryPushMany(src.subarray(16), 5)).toBe(2); // only 2 records' worth in the array
    const rest = new Float64Array(16);
    expect(q.tryPopMany(rest, 100)).toBe(7);
    expect([...rest.subarray(0, 14)]).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(q.tryPopMany(rest, 1)).toBe(0);
  });

  it("splits batches across the end of the ring", () => {
    const q = new SpscRecordQueue({ capacity: 8, lanes: 2, type: "i32" });
    const out = new Int32Array(16);
    for (let start = 0; start < 24; start += 5) {
      // 5 records from position `start`: crosses the end whenever start % 8 > 3.
      const src = Int32Array.from({ length: 10 }, (_, j) => start * 100 + j);
      expect(q.tryPushMany(src, 5)).toBe(5);
      expect(q.tryPopMany(out, 8)).toBe(5);
      expect([...out.subarray(0, 10)]).toEqual([...src]);
    }
  });

  it("rejects bad options and short records with typed errors", () => {
    expect(codeOf(() => new SpscRecordQueue({ capacity: 3 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new SpscRecordQueue({ capacity: 0 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new SpscRecordQueue({ capacity: 2 ** 31 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new SpscRecordQueue({ capacity: 8, lanes: 0 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new SpscRecordQueue({ capacity: 8, type: "u8" as never }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new SpscRecordQueue(undefined as never))).toBe("QUEUE_BAD_OPTIONS");
    const q = new SpscRecordQueue({ capacity: 8, lanes: 2 });
    expect(codeOf(() => q.tryPush([1]))).toBe("QUEUE_BAD_RECORD");
    expect(q.size).toBe(0); // nothing half-written
    q.tryPush([1, 2]);
    expect(codeOf(() => q.tryPop([0]))).toBe("QUEUE_BAD_RECORD");
    expect(q.size).toBe(1); // the record stays queued
    expect(codeOf(() => q.pop([0, 0], -1))).toBe("QUEUE_BAD_TIMEOUT");
    expect(codeOf(() => q.pop([0, 0], Number.NaN))).toBe("QUEUE_BAD_TIMEOUT");
  });

  it("blocking pop/push time out instead of dropping or overwriting", async () => {
    const q = new SpscRecordQueue({ capacity: 2 });
    const out = [0];
    expect(q.pop(out, 5)).toBe(false);
    expect(await q.popAsync(out, 5)).toBe(false);
    expect(q.push([1], 0)).toBe(true);
    expect(q.push([2], 0)).toBe(true);
    expect(q.push([3], 5)).toBe(false);
    expect(q.pop(out, 5)).toBe(true);
    expect(out[0]).toBe(1);
    expect(q.pop(out)).toBe(true);
    expect(out[0]).toBe(2);
  });

  it("popAsync resolves when a record arrives later", async () => {
    const q = new SpscRecordQueue({ capacity: 4 });
    const out = [0];
    const p = q.popAsync(out, 10_000);
    setTimeout(() => q.tryPush([42]), 5);
    expect(await p).toBe(true);
    expect(out[0]).toBe(42);
  });

  it("reattaches from its descriptor over the same memory", () => {
    const q = new SpscRecordQueue({ capacity: 16, lanes: 2, type: "i32" });
    q.tryPush([7, 8]);
    const desc = structuredClone(q.shared);
    expect(desc.buffer).toBe(desc.buffer); // cloned descriptor keeps a SharedArrayBuffer
    const r = SpscRecordQueue.attach(desc);
    expect(r.lanes).toBe(2);
    expect(r.type).toBe("i32");
    const out = [0, 0];
    expect(r.tryPop(out)).toBe(true);
    expect(out).toEqual([7, 8]);
    expect(q.size).toBe(0);
  });

  it("refuses bad descriptors with QUEUE_BAD_DESCRIPTOR", () => {
    const q = new SpscRecordQueue({ capacity: 16, lanes: 2 });
    const d = q.shared;
    const bad = [
      null,
      42,
      {},
      { ...d, kind: "kos.queue/mpmc-records" },
      { ...d, buffer: new ArrayBuffer(1024) },
      { ...d, buffer: new SharedArrayBuffer(8) },
      { ...d, buffer: new SharedArrayBuffer(4096) }, // no magic
      { ...d, options: { ...d.options, capacity: 32 } },
      { ...d, options: { ...d.options, lanes: 3 } },
      { ...d, options: { ...d.options, type: "i32" } },
      { ...d, options: { capacity: 5 } },
      { ...d, options: undefined },
      new SpscByteQueue({ capacityBytes: 64 }).shared,
    ];
    for (const b of bad) expect(codeOf(() => SpscRecordQueue.attach(b))).toBe("QUEUE_BAD_DESCRIPTOR");
  });

  it("survives Int32 wrap-around of head and tail", () => {
    const q = new SpscRecordQueue({ capacity: 8, type: "i32" });
    const ctl = new Int32Array(q.buffer, 0, 64);
    const start = 2 ** 31 - 12; // indices cross +2^31 → -2^31 during the run
    ctl[H_PRODUCER] = start;
    ctl[H_CONSUMER] = start;
    const r = SpscRecordQueue.attach(q.shared);
    const out = [0];
    let next = 0;
    for (let i = 0; i < 100; i++) {
      for (let k = 0; k < 5; k++) expect(r.tryPush([i * 5 + k])).toBe(true);
      expect(r.size).toBe(5);
      for (let k = 0; k < 5; k++) {
        expect(r.tryPop(out)).toBe(true);
        expect(out[0]).toBe(next++);
      }
    }
    for (let k = 0; k < 8; k++) expect(r.tryPush([k])).toBe(true);
    expect(r.tryPush([0])).toBe(false);
    expect(ctl[H_PRODUCER]! < 0).toBe(true); // really wrapped
  });
});

describe("SpscByteQueue", () => {
  const msg = (len: number, seed: number) => Uint8Array.from({ length: len }, (_, i) => (seed * 31 + i) & 255);

  it("carries variable-length messages, including empty ones and ones that wrap", () => {
    const q = new SpscByteQueue({ capacityBytes: 64 });
    const out = new Uint8Array(64);
    let seed = 0;
    for (let round = 0; round < 200; round++) {
      const lens = [0, 1, 5, 13, 3].map((l) => (l + round) % 40);
      const sent: Uint8Array[] = [];
      for (const l of lens) {
        const m = msg(l, seed++);
        if (q.tryPush(m)) sent.push(m);
      }
      expect(sent.length).toBeGreaterThan(0);
      for (const m of sent) {
        expect(q.peekLength()).toBe(m.length);
        const n = q.tryPop(out);
        expect(n).toBe(m.length);
        expect([...out.subarray(0, n)]).toEqual([...m]);
      }
      expect(q.tryPop(out)).toBe(-1);
    }
  });

  it("accepts a message of capacity-4 bytes and refuses larger ones", () => {
    const q = new SpscByteQueue({ capacityBytes: 64 });
    expect(q.maxMessageBytes).toBe(60);
    expect(q.tryPush(msg(3, 0))).toBe(true);
    expect(q.tryPush(msg(60, 1))).toBe(false); // not now: 8 bytes in use
    expect(q.tryPopMessage()).toEqual(msg(3, 0));
    expect(q.tryPush(msg(60, 1))).toBe(true); // wraps around the end
    expect(q.tryPopMessage()).toEqual(msg(60, 1));
    expect(codeOf(() => q.tryPush(msg(61, 0)))).toBe("QUEUE_MESSAGE_TOO_LARGE");
  });

  it("applies backpressure without losing or overwriting data", () => {
    const q = new SpscByteQueue({ capacityBytes: 128 });
    let pushed = 0;
    while (q.tryPush(msg(10, pushed))) pushed++;
    expect(pushed).toBe(8); // 16 bytes each
    expect(q.push(msg(10, 99), 5)).toBe(false);
    for (let i = 0; i < pushed; i++) expect(q.tryPopMessage()).toEqual(msg(10, i));
    expect(q.tryPopMessage()).toBeUndefined();
  });

  it("leaves a message queued when the output buffer is too small", () => {
    const q = new SpscByteQueue({ capacityBytes: 64 });
    q.tryPush(msg(20, 7));
    expect(codeOf(() => q.tryPop(new Uint8Array(10)))).toBe("QUEUE_BUFFER_TOO_SMALL");
    expect(q.tryPopMessage()).toEqual(msg(20, 7));
  });

  it("blocks with timeouts and resolves popAsync on arrival", async () => {
    const q = new SpscByteQueue({ capacityBytes: 64 });
    const out = new Uint8Array(64);
    expect(q.pop(out, 5)).toBe(-1);
    expect(await q.popAsync(out, 5)).toBe(-1);
    const p = q.popAsync(out);
    setTimeout(() => q.push(msg(9, 3)), 5);
    expect(await p).toBe(9);
    expect([...out.subarray(0, 9)]).toEqual([...msg(9, 3)]);
  });

  it("reattaches and validates descriptors", () => {
    const q = new SpscByteQueue({ capacityBytes: 256 });
    q.tryPush(msg(5, 1));
    const r = SpscByteQueue.attach(structuredClone(q.shared));
    expect(r.tryPopMessage()).toEqual(msg(5, 1));
    expect(codeOf(() => new SpscByteQueue({ capacityBytes: 4 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new SpscByteQueue({ capacityBytes: 100 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => SpscByteQueue.attach({ ...q.shared, options: { capacityBytes: 512 } }))).toBe("QUEUE_BAD_DESCRIPTOR");
    expect(codeOf(() => SpscByteQueue.attach({ ...q.shared, options: {} }))).toBe("QUEUE_BAD_DESCRIPTOR");
    expect(codeOf(() => SpscByteQueue.attach(new SpscRecordQueue({ capacity: 8 }).shared))).toBe("QUEUE_BAD_DESCRIPTOR");
  });
});
