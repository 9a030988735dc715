import { describe, expect, it } from "vitest";
import { BatchProcessor, LruCache, MemoryPool, memoize, MpmcByteQueue, MpmcRecordQueue, ObjectPool, PinnedWorkerPool, SpscByteQueue, SpscRecordQueue } from "../../index.js";
import { nearKey } from "../../option-keys.js";

/**
 * Every options object of kos's runtime refuses a key it does not know, with its stable code and the
 * key it most likely meant: each of these was ignored in silence (`memoize(f, { max: 100 })` made an
 * unbounded cache, `new LruCache({ max: 10, ttlMs: 500 })` one whose entries never expire).
 */
describe("unknown option keys", () => {
  const cases: Array<[string, () => unknown, string, RegExp]> = [
    ["memoize", () => memoize((x: number) => x, { max: 100 } as never), "MEMOIZE_BAD_OPTION", /^unknown memoize option 'max': did you mean 'maxSize'\?/],
    ["LruCache", () => new LruCache({ max: 10, ttlMs: 500 } as never), "LRU_BAD_OPTION", /^unknown LruCache option 'ttlMs': did you mean 'ttl'\?/],
    ["ObjectPool", () => new ObjectPool({ create: () => ({}), maxSize: 4, rest: () => {} } as never), "POOL_INVALID_OPTIONS", /^unknown ObjectPool option 'rest': did you mean 'reset'\?/],
    ["MemoryPool", () => new MemoryPool({ blocksize: 64 } as never), "SLAB_INVALID_OPTIONS", /^unknown MemoryPool option 'blocksize': did you mean 'blockSize'\?/],
    ["BatchProcessor", () => new BatchProcessor(async (xs: number[]) => xs, { batchSize: 4, maxWait: 1, maxWaitMs: 5 } as never), "BATCH_INVALID_OPTIONS", /^unknown BatchProcessor option 'maxWaitMs': did you mean 'maxWait'\?/],
    ["SpscRecordQueue", () => new SpscRecordQueue({ capacity: 8, lane: 2 } as never), "QUEUE_BAD_OPTIONS", /^unknown record queue option 'lane': did you mean 'lanes'\?/],
    ["MpmcRecordQueue", () => new MpmcRecordQueue({ capacity: 8, types: "i32" } as never), "QUEUE_BAD_OPTIONS", /^unknown record queue option 'types': did you mean 'type'\?/],
    ["SpscByteQueue", () => new SpscByteQueue({ capacity: 64 } as never), "QUEUE_BAD_OPTIONS", /^unknown SpscByteQueue option 'capacity'.*\(known: capacityBytes\)/],
    ["MpmcByteQueue", () => new MpmcByteQueue({ capacity: 8, maxBytes: 16 } as never), "QUEUE_BAD_OPTIONS", /^unknown MpmcByteQueue option 'maxBytes'/],
  ];
  for (const [what, make, code, message] of cases) {
    it(`${what}: ${code}, naming the near key`, () => {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect((error as { code?: string })?.code).toBe(code);
      expect((error as Error).message).toMatch(message);
    });
  }

  it("PinnedWorkerPool.create: EINVAL_OPTIONS for a key it does not know and for no options object", async () => {
    await expect(PinnedWorkerPool.create({ filename: "x.js", size: 2 } as never)).rejects.toMatchObject({ code: "EINVAL_OPTIONS", message: expect.stringMatching(/^unknown PinnedWorkerPool option 'size'/) });
    await expect(PinnedWorkerPool.create(undefined as never)).rejects.toMatchObject({ code: "EINVAL_OPTIONS" });
  });

  it("the known keys still work, and keys a program put on Object.prototype are not the caller's", () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.kosStrayKey = 1;
    try {
      expect(new LruCache({ max: 2, ttl: 1000 }).max).toBe(2);
      expect(memoize((x: number) => x * 2, { maxSize: 2 })(3)).toBe(6);
    } finally {
      delete proto.kosStrayKey;
    }
  });

  it("nearKey: a misspelling, else a key it is part of or that is part of it (3 characters or more)", () => {
    expect(nearKey("intervalMx", ["intervalMs", "historySize"])).toBe("intervalMs");
    expect(nearKey("max", ["maxSize", "ttl"])).toBe("maxSize");
    expect(nearKey("ttlMs", ["maxSize", "ttl"])).toBe("ttl");
    expect(nearKey("zz", ["zzTop"])).toBeUndefined();
    expect(nearKey("banana", ["maxSize", "ttl"])).toBeUndefined();
  });
});
