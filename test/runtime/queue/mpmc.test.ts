import { describe, expect, it } from "vitest";
import { attachQueue, MpmcByteQueue, MpmcRecordQueue, SpscByteQueue, SpscRecordQueue, type QueueError } from "../../../runtime/queue/index.js";
import { KosError } from "../../../errors.js";
import { H_CONSUMER, H_PRODUCER, HEADER_BYTES } from "../../../runtime/queue/layout.js";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KosError);
    return (e as QueueError).code;
  }
  return undefined;
}

describe("MpmcRecordQueue", () => {
  it("is FIFO, holds exactly capacity records, and gives backpressure when full", () => {
    const q = new MpmcRecordQueue({ capacity: 8, lanes: 2, type: "i32" });
    for (let i = 0; i < 8; i++) expect(q.tryPush([i, 100 - i])).toBe(true);
    expect(q.tryPush([9, 9])).toBe(false);
    expect(q.size).toBe(8);
    const out = new Int32Array(2);
    for (let lap = 0; lap < 50; lap++) {
      expect(q.tryPop(out)).toBe(true);
      expect([...out]).toEqual([lap, 100 - lap]);
      expect(q.tryPush([lap + 8, 100 - (lap + 8)])).toBe(true);
      expect(q.tryPush([0, 0])).toBe(false);
    }
    for (let i = 50; i < 58; i++) {
      expect(q.tryPop(out)).toBe(true);
      expect(out[0]).toBe(i);
    }
    expect(q.tryPop(out)).toBe(false);
    expect(q.size).toBe(0);
  });

  it("rejects bad options, records and timeouts with typed errors", () => {
    expect(codeOf(() => new MpmcRecordQueue({ capacity: 6 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new MpmcRecordQueue({ capacity: 1 }))).toBe("QUEUE_BAD_OPTIONS"); // Vyukov needs ≥ 2 slots
    expect(codeOf(() => new MpmcRecordQueue({ capacity: 8, lanes: 1.5 }))).toBe("QUEUE_BAD_OPTIONS");
    const q = new MpmcRecordQueue({ capacity: 8, lanes: 3 });
    expect(codeOf(() => q.tryPush([1, 2]))).toBe("QUEUE_BAD_RECORD");
    expect(q.size).toBe(0); // checked before a slot is claimed
    q.tryPush([1, 2, 3]);
    expect(codeOf(() => q.tryPop(new Float64Array(2)))).toBe("QUEUE_BAD_RECORD");
    expect(q.size).toBe(1);
    expect(codeOf(() => q.push([1, 2, 3], -5))).toBe("QUEUE_BAD_TIMEOUT");
  });

  it("blocking calls time out; popAsync resolves on arrival", async () => {
    const q = new MpmcRecordQueue({ capacity: 2 });
    const out = [0];
    expect(q.pop(out, 5)).toBe(false);
    expect(await q.popAsync(out, 5)).toBe(false);
    q.push([1]);
    q.push([2]);
    expect(q.push([3], 5)).toBe(false);
    q.pop(out);
    q.pop(out);
    expect(out[0]).toBe(2);
    const p = q.popAsync(out, 10_000);
    setTimeout(() => q.tryPush([77]), 5);
    expect(await p).toBe(true);
    expect(out[0]).toBe(77);
  });

  it("survives Int32 wrap-around of positions and sequence numbers", () => {
    const q = new MpmcRecordQueue({ capacity: 16, type: "i32" });
    const ctl = new Int32Array(q.buffer, 0, HEADER_BYTES / 4);
    const seq = new Int32Array(q.buffer, HEADER_BYTES, 16);
    const start = (2 ** 31 - 48) | 0; // a multiple of 16 just below the Int32 wrap
    ctl[H_PRODUCER] = start;
    ctl[H_CONSUMER] = start;
    for (let i = 0; i < 16; i++) seq[i] = (start + i) | 0;
    const out = [0];
    let next = 0;
    for (let i = 0; i < 40; i++) {
      for (let k = 0; k < 7; k++) expect(q.tryPush([i * 7 + k])).toBe(true);
      for (let k = 0; k < 7; k++) {
        expect(q.tryPop(out)).toBe(true);
        expect(out[0]).toBe(next++);
      }
    }
    for (let k = 0; k < 16; k++) expect(q.tryPush([k])).toBe(true);
    expect(q.tryPush([0])).toBe(false);
    expect(ctl[H_PRODUCER]! < 0).toBe(true);
  });

  it("reattaches from a cloned descriptor and refuses bad ones", () => {
    const q = new MpmcRecordQueue({ capacity: 32, lanes: 4 });
    q.tryPush([1, 2, 3, 4]);
    const r = MpmcRecordQueue.attach(structuredClone(q.shared));
    const out = [0, 0, 0, 0];
    expect(r.tryPop(out)).toBe(true);
    expect(out).toEqual([1, 2, 3, 4]);
    const d = q.shared;
    for (const b of [
      undefined,
      { ...d, kind: "kos.queue/spsc-records" },
      { ...d, options: { ...d.options, lanes: 2 } },
      { ...d, options: { ...d.options, capacity: 64 } },
      { ...d, buffer: new SharedArrayBuffer(HEADER_BYTES + 64) },
      new SpscRecordQueue({ capacity: 32, lanes: 4 }).shared,
    ]) {
      expect(codeOf(() => MpmcRecordQueue.attach(b))).toBe("QUEUE_BAD_DESCRIPTOR");
    }
  });
});

describe("MpmcByteQueue", () => {
  const msg = (len: number, seed: number) => Uint8Array.from({ length: len }, (_, i) => (seed * 7 + i) & 255);

  it("carries messages up to maxMessageBytes in FIFO order", () => {
    const q = new MpmcByteQueue({ capacity: 4, maxMessageBytes: 100 });
    const out = new Uint8Array(100);
    for (let round = 0; round < 30; round++) {
      const sent = [msg(0, round), msg(100, round), msg(37, round), msg(65, round)];
      for (const m of sent) expect(q.tryPush(m)).toBe(true);
      expect(q.tryPush(msg(1, 0))).toBe(false);
      for (const m of sent) {
        const n = q.tryPop(out);
        expect(n).toBe(m.length);
        expect([...out.subarray(0, n)]).toEqual([...m]);
      }
      expect(q.tryPop(out)).toBe(-1);
    }
    q.tryPush(msg(12, 3));
    expect(q.tryPopMessage()).toEqual(msg(12, 3));
    expect(q.tryPopMessage()).toBeUndefined();
  });

  it("refuses oversize messages and short output buffers without losing anything", () => {
    const q = new MpmcByteQueue({ capacity: 4, maxMessageBytes: 16 });
    expect(codeOf(() => q.tryPush(msg(17, 0)))).toBe("QUEUE_MESSAGE_TOO_LARGE");
    expect(q.size).toBe(0);
    q.tryPush(msg(3, 1));
    expect(codeOf(() => q.tryPop(new Uint8Array(8)))).toBe("QUEUE_BUFFER_TOO_SMALL");
    expect(q.size).toBe(1);
    expect(q.tryPopMessage()).toEqual(msg(3, 1));
    expect(codeOf(() => new MpmcByteQueue({ capacity: 4, maxMessageBytes: 0 }))).toBe("QUEUE_BAD_OPTIONS");
    expect(codeOf(() => new MpmcByteQueue({ capacity: 12, maxMessageBytes: 8 }))).toBe("QUEUE_BAD_OPTIONS");
  });

  it("blocks with timeouts and resolves popAsync on arrival", async () => {
    expect(codeOf(() => new MpmcByteQueue({ capacity: 1, maxMessageBytes: 8 }))).toBe("QUEUE_BAD_OPTIONS");
    const q = new MpmcByteQueue({ capacity: 2, maxMessageBytes: 8 });
    const out = new Uint8Array(8);
    expect(q.pop(out, 5)).toBe(-1);
    expect(q.push(msg(8, 0), 0)).toBe(true);
    expect(q.push(msg(8, 1), 0)).toBe(true);
    expect(q.push(msg(8, 2), 5)).toBe(false);
    expect(q.pop(out)).toBe(8);
    expect(q.pop(out)).toBe(8);
    expect([...out]).toEqual([...msg(8, 1)]);
    const p = q.popAsync(out);
    setTimeout(() => q.push(msg(5, 9)), 5);
    expect(await p).toBe(5);
    expect([...out.subarray(0, 5)]).toEqual([...msg(5, 9)]);
  });

  it("reattaches (also through attachQueue) and refuses mismatched descriptors", () => {
    const q = new MpmcByteQueue({ capacity: 8, maxMessageBytes: 32 });
    q.tryPush(msg(4, 4));
    const r = attachQueue(structuredClone(q.shared));
    expect(r).toBeInstanceOf(MpmcByteQueue);
    expect((r as MpmcByteQueue).tryPopMessage()).toEqual(msg(4, 4));
    expect(codeOf(() => MpmcByteQueue.attach({ ...q.shared, options: { capacity: 8, maxMessageBytes: 64 } }))).toBe("QUEUE_BAD_DESCRIPTOR");
    expect(codeOf(() => MpmcByteQueue.attach({ ...q.shared, options: { capacity: 8 } }))).toBe("QUEUE_BAD_DESCRIPTOR");
    expect(codeOf(() => attachQueue({ kind: "nope" }))).toBe("QUEUE_BAD_DESCRIPTOR");
    expect(attachQueue(new SpscByteQueue({ capacityBytes: 64 }).shared)).toBeInstanceOf(SpscByteQueue);
  });
});
