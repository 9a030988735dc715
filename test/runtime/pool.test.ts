import { describe, expect, it, vi } from "vitest";
import { ObjectPool } from "../../runtime/pool.js";
import { KosError } from "../../errors.js";

class Vec {
  x = 0;
  y = 0;
  data = new Float64Array(8);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KosError);
    return (err as KosError).code;
  }
  return undefined;
}

describe.each(["slot", "weakmap"] as const)("ObjectPool (ownership: %s)", (ownership) => {
  const make = (maxSize = 4, extra: Partial<ConstructorParameters<typeof ObjectPool<Vec>>[0]> = {}) =>
    new ObjectPool<Vec>({ create: () => new Vec(), reset: (v) => { v.x = 0; v.y = 0; }, maxSize, ownership, ...extra });

  it("creates on miss, reuses on hit, and resets on release", () => {
    const pool = make();
    const a = pool.acquire();
    a.x = 5;
    pool.release(a);
    const b = pool.acquire();
    expect(b).toBe(a);
    expect(b.x).toBe(0);
    const s = pool.stats();
    expect(s).toMatchObject({ created: 1, misses: 1, hits: 1, reused: 1, inUse: 1, idle: 0, highWaterMark: 1 });
  });

  it("tracks in-use, idle and the high-water mark", () => {
    const pool = make(10);
    const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
    expect(pool.stats()).toMatchObject({ inUse: 3, idle: 0, highWaterMark: 3, created: 3 });
    pool.release(objs[0]!);
    pool.release(objs[1]!);
    expect(pool.stats()).toMatchObject({ inUse: 1, idle: 2, highWaterMark: 3 });
    pool.acquire();
    expect(pool.stats()).toMatchObject({ inUse: 2, idle: 1, highWaterMark: 3, hits: 1 });
    expect(new Set(objs).size).toBe(3);
  });

  it("throws POOL_DOUBLE_RELEASE on a second release, leaving the pool unchanged", () => {
    const pool = make();
    const a = pool.acquire();
    pool.release(a);
    const before = pool.stats();
    expect(codeOf(() => pool.release(a))).toBe("POOL_DOUBLE_RELEASE");
    expect(pool.stats()).toEqual(before);
    // The object is not in the idle stack twice: two acquires give two objects.
    expect(pool.acquire()).not.toBe(pool.acquire());
  });

  it("throws POOL_FOREIGN_OBJECT for objects from elsewhere, including another pool", () => {
    const pool = make();
    const other = make();
    const theirs = other.acquire();
    expect(codeOf(() => pool.release(new Vec()))).toBe("POOL_FOREIGN_OBJECT");
    expect(codeOf(() => pool.release(theirs))).toBe("POOL_FOREIGN_OBJECT");
    expect(codeOf(() => pool.release({ ...theirs } as Vec))).toBe("POOL_FOREIGN_OBJECT");
    expect(codeOf(() => pool.release(null as unknown as Vec))).toBe("POOL_FOREIGN_OBJECT");
    expect(codeOf(() => pool.release(42 as unknown as Vec))).toBe("POOL_FOREIGN_OBJECT");
    expect(pool.stats().inUse).toBe(0);
    other.release(theirs); // still valid in its own pool
    expect(other.stats()).toMatchObject({ inUse: 0, idle: 1 });
  });

  it("drops overflow beyond maxSize and never hands the dropped object out again", () => {
    const destroyed: Vec[] = [];
    const pool = make(2, { destroy: (v) => destroyed.push(v) });
    const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const o of objs) pool.release(o);
    expect(pool.stats()).toMatchObject({ idle: 2, overflow: 1, reused: 2, inUse: 0 });
    expect(destroyed).toEqual([objs[2]]);
    // A dropped object released again is still a double release, not silently taken back.
    expect(codeOf(() => pool.release(objs[2]!))).toBe("POOL_DOUBLE_RELEASE");
    const again = [pool.acquire(), pool.acquire(), pool.acquire()];
    expect(again).not.toContain(objs[2]);
  });

  it("maxSize 0 keeps nothing", () => {
    const pool = make(0);
    const a = pool.acquire();
    pool.release(a);
    expect(pool.stats()).toMatchObject({ idle: 0, overflow: 1 });
    expect(pool.acquire()).not.toBe(a);
  });

  it("drops objects that fail validate, and counts them", () => {
    const pool = make(4, { validate: (v) => v.data.length === 8 });
    const a = pool.acquire();
    a.data = new Float64Array(1); // broken by its user
    pool.release(a);
    expect(pool.stats()).toMatchObject({ invalid: 1, idle: 0, inUse: 0 });
    expect(pool.acquire()).not.toBe(a);
  });

  it("drops an object whose reset throws, and rethrows the error", () => {
    const pool = new ObjectPool<Vec>({ create: () => new Vec(), reset: () => { throw new Error("reset broke"); }, maxSize: 4, ownership });
    const a = pool.acquire();
    expect(() => pool.release(a)).toThrow("reset broke");
    expect(pool.stats()).toMatchObject({ invalid: 1, idle: 0, inUse: 0 });
  });

  it("drops an object whose validate throws, and rethrows the error", () => {
    const pool = make(4, { validate: () => { throw new Error("validate broke"); } });
    const a = pool.acquire();
    expect(() => pool.release(a)).toThrow("validate broke");
    expect(pool.stats()).toMatchObject({ invalid: 1, idle: 0, inUse: 0 });
    expect(codeOf(() => pool.release(a))).toBe("POOL_DOUBLE_RELEASE");
  });

  it("drain() gives every idle object its destroy when one throws, then rethrows the first error (sweep34)", () => {
    const destroyed: number[] = [];
    let n = 0;
    const pool = new ObjectPool({ create: () => ({ id: n++ }), destroy: (o) => { destroyed.push(o.id); if (o.id === 0) throw new Error("destroy failed"); }, maxSize: 8 });
    const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const o of objs) pool.release(o);
    expect(() => pool.drain()).toThrow("destroy failed");
    expect(destroyed.sort()).toEqual([0, 1, 2]);
    expect(pool.stats().idle).toBe(0);
  });

  it("use() releases the object when its result's `then` getter throws (sweep34)", () => {
    const pool = new ObjectPool({ create: () => ({}), maxSize: 4 });
    const result = { get then(): unknown { throw new Error("then getter"); } };
    expect(() => pool.use(() => result)).toThrow("then getter");
    expect(pool.stats().inUse).toBe(0);
  });

  it("use() releases after a normal return and after a throw", () => {
    const pool = make();
    expect(pool.use((v) => { v.x = 3; return v.x * 2; })).toBe(6);
    expect(pool.stats()).toMatchObject({ inUse: 0, idle: 1 });
    expect(() => pool.use(() => { throw new Error("boom"); })).toThrow("boom");
    expect(pool.stats()).toMatchObject({ inUse: 0, idle: 1, hits: 1 });
  });

  it("use() with an async fn releases when the promise settles, either way", async () => {
    const pool = make();
    let lent: Vec | undefined;
    const p = pool.use(async (v) => { lent = v; await Promise.resolve(); return 7; });
    expect(pool.stats().inUse).toBe(1);
    await expect(p).resolves.toBe(7);
    expect(pool.stats()).toMatchObject({ inUse: 0, idle: 1 });
    await expect(pool.use(async () => { throw new Error("async boom"); })).rejects.toThrow("async boom");
    expect(pool.stats()).toMatchObject({ inUse: 0, idle: 1 });
    expect(pool.acquire()).toBe(lent);
  });

  it("use() keeps fn's error when fn also released the object itself", () => {
    const pool = make();
    expect(() => pool.use((v) => { pool.release(v); throw new Error("first"); })).toThrow("first");
    // fn released it and returned normally: the second release is a double release.
    expect(codeOf(() => pool.use((v) => pool.release(v)))).toBe("POOL_DOUBLE_RELEASE");
    expect(pool.stats().inUse).toBe(0);
  });

  it("drain() drops idle objects and lets lent ones come back", () => {
    const destroy = vi.fn();
    const pool = make(8, { destroy });
    const objs = [pool.acquire(), pool.acquire(), pool.acquire()];
    pool.release(objs[0]!);
    pool.release(objs[1]!);
    expect(pool.drain()).toBe(2);
    expect(destroy).toHaveBeenCalledTimes(2);
    expect(pool.stats()).toMatchObject({ idle: 0, inUse: 1, drained: 2 });
    pool.release(objs[2]!);
    expect(pool.stats()).toMatchObject({ idle: 1, inUse: 0 });
    expect(pool.acquire()).toBe(objs[2]);
  });

  it("rejects bad options with POOL_INVALID_OPTIONS", () => {
    const create = () => new Vec();
    expect(codeOf(() => new ObjectPool({ create, maxSize: -1 }))).toBe("POOL_INVALID_OPTIONS");
    expect(codeOf(() => new ObjectPool({ create, maxSize: 1.5 }))).toBe("POOL_INVALID_OPTIONS");
    expect(codeOf(() => new ObjectPool({ create: 5 as unknown as () => Vec, maxSize: 1 }))).toBe("POOL_INVALID_OPTIONS");
    expect(codeOf(() => new ObjectPool({ create, maxSize: 1, reset: "x" as unknown as () => void }))).toBe("POOL_INVALID_OPTIONS");
    expect(codeOf(() => new ObjectPool({ create, maxSize: 1, ownership: "x" as "slot" }))).toBe("POOL_INVALID_OPTIONS");
  });

  it("rejects a create() that returns a non-object", () => {
    const pool = new ObjectPool({ create: () => 3 as unknown as object, maxSize: 1, ownership });
    expect(codeOf(() => pool.acquire())).toBe("POOL_INVALID_OBJECT");
  });
});

describe("ObjectPool ownership slot", () => {
  it("is hidden from enumeration and JSON", () => {
    const pool = new ObjectPool({ create: () => ({ a: 1 }), maxSize: 2 });
    const o = pool.acquire();
    expect(Object.keys(o)).toEqual(["a"]);
    expect(JSON.stringify(o)).toBe('{"a":1}');
    expect(Object.getOwnPropertySymbols({ ...o })).toEqual([]);
  });

  it("falls back to a WeakMap for frozen objects and still detects misuse", () => {
    const pool = new ObjectPool({ create: () => Object.freeze({ a: 1 }), maxSize: 2 });
    const o = pool.acquire();
    pool.release(o);
    expect(codeOf(() => pool.release(o))).toBe("POOL_DOUBLE_RELEASE");
    expect(pool.acquire()).toBe(o);
    expect(codeOf(() => pool.release(Object.freeze({ a: 1 })))).toBe("POOL_FOREIGN_OBJECT");
  });

  it("never hands out one object twice under a random acquire/release workload", () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const pool = new ObjectPool({ create: () => ({ id: 0 }), maxSize: 5, validate: () => rand() > 0.05 });
    const out = new Set<{ id: number }>();
    for (let i = 0; i < 5000; i++) {
      if (out.size === 0 || rand() < 0.5) {
        const o = pool.acquire();
        expect(out.has(o)).toBe(false);
        out.add(o);
      } else {
        const o = out.values().next().value!;
        out.delete(o);
        pool.release(o);
      }
      const s = pool.stats();
      expect(s.inUse).toBe(out.size);
      expect(s.idle).toBeLessThanOrEqual(5);
    }
    // Conservation: every object built is lent out, idle, or was dropped.
    const s = pool.stats();
    expect(s.misses).toBe(s.created);
    expect(s.created - s.overflow - s.invalid - s.drained).toBe(s.inUse + s.idle);
  });
});
