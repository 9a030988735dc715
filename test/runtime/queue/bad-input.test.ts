/**
 * Bad input to a queue gets a QueueError with a stable code, and leaves the queue as it was
 * (sweep34): a missing or fractional record count, a non-number in a numeric lane, a message
 * that is not bytes, an `out` that refuses a value, and a `stallTimeoutMs` set to nonsense.
 * Before, a NaN count emptied the queue or delivered records twice, and a throw after an MPMC
 * slot was claimed stalled the queue behind it.
 */
import { describe, expect, it } from "vitest";
import { MpmcByteQueue, MpmcRecordQueue, QueueError, SpscByteQueue, SpscRecordQueue } from "../../../runtime/queue/index.js";
import { codeOf as codeOfError } from "../../support/error-codes.js";

const codeOf = (fn: () => unknown) => codeOfError(fn, QueueError);

describe("record counts", () => {
  it("tryPushMany and tryPopMany refuse a count that is not an integer ≥ 0, and the queue keeps its records", () => {
    const q = new SpscRecordQueue({ capacity: 8, lanes: 1, type: "f64" });
    expect(q.tryPushMany([1, 2, 3], 3)).toBe(3);
    for (const bad of [undefined, NaN, 1.5, -1, "2", Infinity]) {
      expect(codeOf(() => q.tryPushMany([9, 9], bad as never))).toBe("QUEUE_BAD_COUNT");
      expect(codeOf(() => q.tryPopMany(new Float64Array(4), bad as never))).toBe("QUEUE_BAD_COUNT");
    }
    expect(q.size).toBe(3);
    const out = new Float64Array(4);
    expect(q.tryPopMany(out, 4)).toBe(3);
    expect([...out.slice(0, 3)]).toEqual([1, 2, 3]);
    expect(q.tryPopMany(out, 4)).toBe(0);
  });
});

describe("numeric lanes", () => {
  for (const make of [() => new SpscRecordQueue({ capacity: 4, lanes: 2, type: "f64" }), () => new MpmcRecordQueue({ capacity: 4, lanes: 2, type: "f64" }), () => new MpmcRecordQueue({ capacity: 4, lanes: 2, type: "i32", wrap: true })]) {
    it(`${make().constructor.name} (${make().type}${make().wrap ? ", wrap" : ""}): a value that is not a number is refused before anything is claimed`, () => {
      const q = make();
      for (const bad of ["abc", 1n, null, {}, Symbol("s")]) expect(codeOf(() => q.tryPush([1, bad as never]))).toBe("QUEUE_BAD_VALUE");
      // Nothing is held: pushes and pops go on.
      expect(q.tryPush([1, 2])).toBe(true);
      const out = [0, 0];
      expect(q.tryPop(out)).toBe(true);
      expect(out).toEqual([1, 2]);
      expect(q.size).toBe(0);
    });
  }

  it("an MPMC pop into an out that refuses a value throws QUEUE_BAD_RECORD and leaves the queue working", () => {
    const q = new MpmcRecordQueue({ capacity: 4, lanes: 1, type: "f64" });
    q.tryPush([1]);
    q.tryPush([2]);
    expect(codeOf(() => q.tryPop(Object.freeze([0]) as number[]))).toBe("QUEUE_BAD_RECORD");
    expect(codeOf(() => q.tryPop(new BigInt64Array(1) as never))).toBe("QUEUE_BAD_RECORD");
    expect(q.tryPush([3])).toBe(true);
    const out = [0];
    expect(q.tryPop(out)).toBe(true);
    expect(out[0]).toBe(3);
    expect(q.tryPop(out)).toBe(false);
  });
});

describe("byte messages", () => {
  for (const make of [() => new SpscByteQueue({ capacityBytes: 256 }), () => new MpmcByteQueue({ capacity: 4, maxMessageBytes: 16 })]) {
    it(`${make().constructor.name}: a message or out that is not bytes is refused, and the queue goes on`, () => {
      const q = make();
      for (const bad of ["hello", new Uint16Array([300]), new BigUint64Array(1), [1, 2], null]) expect(codeOf(() => q.tryPush(bad as never))).toBe("QUEUE_BAD_RECORD");
      expect(q.tryPush(new Uint8Array([7, 8]))).toBe(true);
      expect(codeOf(() => q.tryPop(new Uint16Array(16) as never))).toBe("QUEUE_BAD_RECORD");
      const out = Buffer.alloc(16);
      expect(q.tryPop(out)).toBe(2);
      expect([...out.subarray(0, 2)]).toEqual([7, 8]);
    });
  }
});

describe("stallTimeoutMs", () => {
  it("the property takes what the option takes, and refuses the rest", () => {
    for (const q of [new MpmcRecordQueue({ capacity: 4 }), new MpmcByteQueue({ capacity: 4, maxMessageBytes: 8 })]) {
      for (const bad of [undefined, NaN, "abc", -5, 0]) expect(codeOf(() => { q.stallTimeoutMs = bad as never; })).toBe("QUEUE_BAD_OPTIONS");
      expect(q.stallTimeoutMs).toBe(5000);
      q.stallTimeoutMs = Infinity;
      expect(q.stallTimeoutMs).toBe(Infinity);
      q.stallTimeoutMs = 250;
      expect(q.stallTimeoutMs).toBe(250);
    }
  });
});
