/**
 * Issue 14: i32 lanes used to wrap silently (2**31 + 5 → negative, 1.7 → 1).
 * Now a value an Int32 cannot hold is refused with QUEUE_BAD_VALUE before
 * anything is claimed or written, unless the queue was built with
 * `wrap: true`, which chooses TypedArray (ToInt32) semantics.
 */
import { describe, expect, it } from "vitest";
import { MpmcRecordQueue, QueueError, SpscRecordQueue, attachQueue } from "../../../runtime/queue/index.js";

const UNFIT = [2 ** 31 + 5, 2 ** 31, -(2 ** 31) - 1, 1.7, -0.5, -0, NaN, Infinity, -Infinity];
const FIT = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 42];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QueueError);
    return (e as QueueError).code;
  }
  return undefined;
}

const makers = {
  spsc: (wrap?: boolean) => new SpscRecordQueue({ capacity: 4, lanes: 2, type: "i32", wrap }),
  mpmc: (wrap?: boolean) => new MpmcRecordQueue({ capacity: 4, lanes: 2, type: "i32", wrap }),
};

describe.each(Object.entries(makers))("%s i32 lanes", (_name, make) => {
  it.each(UNFIT)("refuses %s with QUEUE_BAD_VALUE and queues nothing", (v) => {
    const q = make();
    expect(codeOf(() => q.tryPush([7, v]))).toBe("QUEUE_BAD_VALUE");
    expect(codeOf(() => q.push([v, 7], 0))).toBe("QUEUE_BAD_VALUE");
    expect(q.size).toBe(0);
    // The queue still works, and no slot was left claimed.
    expect(q.tryPush([1, 2])).toBe(true);
    const out = new Int32Array(2);
    expect(q.tryPop(out)).toBe(true);
    expect([...out]).toEqual([1, 2]);
    expect(q.tryPop(out)).toBe(false);
  });

  it("carries every Int32 exactly", () => {
    const q = make();
    const out = [0, 0];
    for (const v of FIT) {
      expect(q.tryPush([v, -v | 0])).toBe(true);
      expect(q.tryPop(out)).toBe(true);
      expect(out).toEqual([v, -v | 0]);
    }
  });

  it("wrap: true is TypedArray semantics (ToInt32), chosen explicitly, and survives attach", () => {
    const q = make(true);
    expect(q.wrap).toBe(true);
    const other = attachQueue(q.shared) as SpscRecordQueue | MpmcRecordQueue;
    expect(other.wrap).toBe(true);
    const out = new Int32Array(2);
    const expected = new Int32Array(2);
    for (const v of UNFIT) {
      expect(other.tryPush([v, 1.7])).toBe(true);
      expect(q.tryPop(out)).toBe(true);
      expected[0] = v;
      expected[1] = 1.7;
      expect([...out]).toEqual([...expected]);
    }
    expect(out[0]).toBe(0); // -Infinity → 0
  });

  it("an attached copy of a default queue refuses too", () => {
    const q = make();
    const other = attachQueue(q.shared) as SpscRecordQueue | MpmcRecordQueue;
    expect(codeOf(() => other.tryPush([2 ** 31 + 5, 0]))).toBe("QUEUE_BAD_VALUE");
  });
});

describe("other lane rules", () => {
  it("f64 lanes carry any number exactly, -0 and NaN included", () => {
    const q = new MpmcRecordQueue({ capacity: 2, lanes: 4 });
    const out = new Float64Array(4);
    expect(q.tryPush([-0, NaN, 2 ** 53 + 2, 1.7])).toBe(true);
    expect(q.tryPop(out)).toBe(true);
    expect(Object.is(out[0], -0)).toBe(true);
    expect(out[1]).toBeNaN();
    expect([out[2], out[3]]).toEqual([2 ** 53 + 2, 1.7]);
  });

  it("SPSC tryPushMany refuses the whole batch when one value does not fit", () => {
    const q = new SpscRecordQueue({ capacity: 8, lanes: 1, type: "i32" });
    expect(codeOf(() => q.tryPushMany([1, 2, 3.5, 4], 4))).toBe("QUEUE_BAD_VALUE");
    expect(q.size).toBe(0);
    expect(q.tryPushMany([1, 2, 3, 4], 4)).toBe(4);
  });

  it("rejects a non-boolean wrap option", () => {
    expect(codeOf(() => new SpscRecordQueue({ capacity: 4, type: "i32", wrap: "yes" as never }))).toBe("QUEUE_BAD_OPTIONS");
  });
});
