import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { LruCache, type EvictionReason } from "../../runtime/lru.js";
import { KosError } from "../../errors.js";
import { mulberry32, zipfTrace } from "../../bench/cache-trace.js";
import { LRUCache } from "lru-cache";

function clock(start = 1000) {
  const c = { t: start, now: () => c.t };
  return c;
}

function recorder<K, V>() {
  const events: Array<[V, K, EvictionReason]> = [];
  return { events, onEvict: (v: V, k: K, r: EvictionReason) => void events.push([v, k, r]) };
}

describe("LruCache basics", () => {
  it("gets, sets, peeks, has, deletes", () => {
    const c = new LruCache<string, number>({ max: 3 });
    expect(c.get("a")).toBeUndefined();
    c.set("a", 1).set("b", 2);
    expect(c.get("a")).toBe(1);
    expect(c.peek("b")).toBe(2);
    expect(c.has("b")).toBe(true);
    expect(c.has("z")).toBe(false);
    expect(c.size).toBe(2);
    expect(c.delete("a")).toBe(true);
    expect(c.delete("a")).toBe(false);
    expect(c.get("a")).toBeUndefined();
    expect(c.size).toBe(1);
  });

  it("evicts the least recently used entry; get refreshes recency, peek and has do not", () => {
    const r = recorder<string, number>();
    const c = new LruCache<string, number>({ max: 3, onEvict: r.onEvict });
    c.set("a", 1).set("b", 2).set("c", 3);
    c.get("a"); // order now: a c b (most recent first)
    c.peek("b");
    c.has("b");
    c.set("d", 4); // evicts b
    expect([...c.keys()]).toEqual(["d", "a", "c"]);
    expect(r.events).toEqual([[2, "b", "evict"]]);
    c.set("e", 5); // evicts c
    expect(c.has("c")).toBe(false);
    expect([...c.entries()]).toEqual([["e", 5], ["d", 4], ["a", 1]]);
    expect([...c.values()]).toEqual([5, 4, 1]);
    expect([...c]).toEqual([["e", 5], ["d", 4], ["a", 1]]);
  });

  it("overwriting moves to most recent and reports the old value with reason 'set'", () => {
    const r = recorder<string, number>();
    const c = new LruCache<string, number>({ max: 2, onEvict: r.onEvict });
    c.set("a", 1).set("b", 2).set("a", 10);
    c.set("a", 10); // same value: no callback
    c.set("c", 3); // evicts b, not a
    expect([...c.keys()]).toEqual(["c", "a"]);
    expect(c.get("a")).toBe(10);
    expect(r.events).toEqual([[1, "a", "set"], [2, "b", "evict"]]);
  });

  it("max: 1 keeps exactly the last entry and reuses slots after deletes", () => {
    const c = new LruCache<number, number>({ max: 1 });
    for (let i = 0; i < 10; i++) c.set(i, i * 2);
    expect([...c]).toEqual([[9, 18]]);
    const d = new LruCache<number, number>({ max: 4 });
    for (let round = 0; round < 50; round++) {
      d.set(round, round);
      if (round % 3 === 0) d.delete(round);
    }
    expect(d.size).toBe(4);
    expect([...d.keys()]).toEqual([49, 47, 46, 44]);
  });

  it("onEvict reasons: delete and clear; clear empties and the cache stays usable", () => {
    const r = recorder<string, number>();
    const c = new LruCache<string, number>({ max: 5, onEvict: r.onEvict });
    c.set("a", 1).set("b", 2).set("c", 3);
    c.delete("a");
    c.clear();
    expect(c.size).toBe(0);
    expect([...c]).toEqual([]);
    expect(r.events).toEqual([[1, "a", "delete"], [3, "c", "clear"], [2, "b", "clear"]]);
    c.set("x", 9);
    expect(c.get("x")).toBe(9);
    expect([...c.keys()]).toEqual(["x"]);
  });

  it("onEvict may use the cache re-entrantly", () => {
    const c: LruCache<number, number> = new LruCache<number, number>({
      max: 2,
      onEvict: (v, k, reason) => {
        if (reason === "evict" && k === 1) c.set(100, v);
      },
    });
    c.set(1, 1).set(2, 2).set(3, 3); // evicts 1, whose callback inserts 100 (evicting 2)
    expect([...c.keys()]).toEqual([100, 3]);
    expect(c.size).toBe(2);
  });

  it("every entry one operation evicts gets its onEvict call when an earlier call threw; the first error is rethrown (sweep34)", () => {
    const seen: string[] = [];
    const c = new LruCache<string, number>({ max: 10, maxSize: 3, sizeOf: (v) => v, onEvict: (_v, k) => { seen.push(k); if (k === "a") throw new Error("cb failed"); } });
    c.set("a", 1).set("b", 1).set("c", 1);
    expect(() => c.set("d", 2)).toThrow("cb failed");
    expect(seen).toEqual(["a", "b"]);
    expect([...c.keys()].sort()).toEqual(["c", "d"]);
  });
});

describe("LruCache key semantics (Map's SameValueZero)", () => {
  it("NaN is one key, -0 and 0 are one key", () => {
    const c = new LruCache<unknown, string>({ max: 10 });
    c.set(NaN, "nan");
    expect(c.get(Number.NaN)).toBe("nan");
    expect(c.get(0 / 0)).toBe("nan");
    c.set(-0, "zero");
    expect(c.get(0)).toBe("zero");
    c.set(0, "zero2");
    expect(c.size).toBe(2);
    expect(c.get(-0)).toBe("zero2");
  });

  it("objects and symbols by identity; strings and numbers are distinct", () => {
    const c = new LruCache<unknown, number>({ max: 10 });
    const o1 = { id: 1 };
    const o2 = { id: 1 };
    const s1 = Symbol("s");
    const s2 = Symbol("s");
    c.set(o1, 1).set(o2, 2).set(s1, 3).set(s2, 4).set("1", 5).set(1, 6).set(1n, 7).set(null, 8).set(undefined, 9);
    expect([c.get(o1), c.get(o2), c.get(s1), c.get(s2), c.get("1"), c.get(1), c.get(1n), c.get(null), c.get(undefined)])
      .toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(c.get({ id: 1 })).toBeUndefined();
    expect(c.get(Symbol("s"))).toBeUndefined();
    expect(c.size).toBe(9);
  });

  it("stores undefined values as present entries", () => {
    const c = new LruCache<string, undefined>({ max: 2 });
    c.set("u", undefined);
    expect(c.has("u")).toBe(true);
    expect(c.get("u")).toBeUndefined();
    expect(c.stats().hits).toBe(1);
  });
});

describe("LruCache TTL with an injected clock", () => {
  it("never returns an expired entry; the deadline is exclusive", () => {
    const k = clock();
    const r = recorder<string, number>();
    const c = new LruCache<string, number>({ max: 10, ttl: 100, now: k.now, onEvict: r.onEvict });
    c.set("a", 1);
    k.t += 99;
    expect(c.get("a")).toBe(1);
    expect(c.remainingTtl("a")).toBe(1);
    k.t += 1;
    expect(c.has("a")).toBe(false);
    expect(c.get("a")).toBeUndefined();
    expect(c.peek("a")).toBeUndefined();
    expect(c.size).toBe(0);
    expect(r.events).toEqual([[1, "a", "expire"]]);
    const s = c.stats();
    expect(s.expirations).toBe(1);
    expect(s.hits).toBe(1);
    expect(s.misses).toBe(1);
  });

  it("per-entry ttl overrides the default, Infinity means never; ttl can be added to a cache without one", () => {
    const k = clock();
    const c = new LruCache<string, number>({ max: 10, ttl: 100, now: k.now });
    c.set("short", 1, 10).set("forever", 2, Infinity).set("default", 3);
    const d = new LruCache<string, number>({ max: 10, now: k.now });
    d.set("plain", 1).set("timed", 2, 50);
    expect(c.remainingTtl("forever")).toBe(Infinity);
    expect(c.remainingTtl("missing")).toBe(0);
    k.t += 10;
    expect(c.get("short")).toBeUndefined();
    expect(c.get("default")).toBe(3);
    k.t += 1_000_000;
    expect(c.get("default")).toBeUndefined();
    expect(c.get("forever")).toBe(2);
    expect(d.get("plain")).toBe(1);
    expect(d.get("timed")).toBeUndefined();
  });

  it("iteration skips expired entries; purgeStale removes them", () => {
    const k = clock();
    const r = recorder<number, number>();
    const c = new LruCache<number, number>({ max: 10, ttl: 100, now: k.now, onEvict: r.onEvict });
    for (let i = 0; i < 6; i++) c.set(i, i, i % 2 === 0 ? 50 : 500);
    k.t += 60;
    expect([...c.keys()]).toEqual([5, 3, 1]);
    expect(c.size).toBe(6);
    expect(c.purgeStale()).toBe(3);
    expect(c.size).toBe(3);
    expect(r.events.map((e) => e[2])).toEqual(["expire", "expire", "expire"]);
    expect(c.purgeStale()).toBe(0);
  });

  it("an expired entry met by eviction is counted and reported as an expiration", () => {
    const k = clock();
    const r = recorder<string, number>();
    const c = new LruCache<string, number>({ max: 2, now: k.now, onEvict: r.onEvict });
    c.set("old", 1, 10).set("b", 2);
    k.t += 20;
    c.set("c", 3);
    expect(r.events).toEqual([[1, "old", "expire"]]);
    expect(c.stats().expirations).toBe(1);
    expect(c.stats().evictions).toBe(0);
  });

  it("nothing keeps the process alive: a child with long-TTL entries exits at once", () => {
    const lruPath = fileURLToPath(new URL("../../runtime/lru.ts", import.meta.url));
    const code = [
      `import { LruCache } from ${JSON.stringify(lruPath)};`,
      "const c = new LruCache({ max: 100, ttl: 3_600_000 });",
      "for (let i = 0; i < 500; i++) { c.set(i, i, 86_400_000); c.get(i); }",
      "c.purgeStale();",
      "console.log(c.size);",
    ].join("\n");
    // A pending timer would hold the child for an hour, and execFileSync would throw on its timeout.
    const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { encoding: "utf8", timeout: 30_000 });
    expect(out.trim()).toBe("100");
  });

  it("the default clock needs no timers and an entry expires in real time", async () => {
    const c = new LruCache<string, number>({ max: 2, ttl: 5 });
    c.set("a", 1);
    expect(c.get("a")).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(c.get("a")).toBeUndefined();
  });
});

describe("LruCache maxSize", () => {
  it("evicts by total size, oldest first, and refuses entries larger than maxSize", () => {
    const r = recorder<string, string>();
    const c = new LruCache<string, string>({ max: 100, maxSize: 10, sizeOf: (v) => v.length, onEvict: r.onEvict });
    c.set("a", "xxxx").set("b", "xxxx");
    expect(c.totalSize).toBe(8);
    c.set("c", "xxx"); // 11 > 10: evicts a
    expect([...c.keys()]).toEqual(["c", "b"]);
    expect(c.totalSize).toBe(7);
    c.set("b", "x"); // shrink in place
    expect(c.totalSize).toBe(4);
    c.set("big", "x".repeat(11));
    expect(c.has("big")).toBe(false);
    c.set("c", "x".repeat(11)); // too big: the old c goes away
    expect(c.has("c")).toBe(false);
    expect(c.totalSize).toBe(1);
    expect(r.events).toEqual([["xxxx", "a", "evict"], ["xxxx", "b", "set"], ["xxx", "c", "set"]]);
    expect(c.stats().totalSize).toBe(1);
  });

  it("a bad sizeOf result is a typed error", () => {
    const c = new LruCache<string, number>({ max: 10, maxSize: 10, sizeOf: (v) => v });
    expect(() => c.set("a", -1)).toThrow(KosError);
    expect(() => c.set("a", NaN)).toThrow(/sizeOf/);
    expect(c.size).toBe(0);
  });

  it("fractional sizes leave no rounding behind: emptied, the total is 0; alone, an entry's own size (sweep34 #10)", () => {
    const c = new LruCache<string, number>({ max: 100, maxSize: 1, sizeOf: (v) => v });
    const sizes = [0.1, 0.2, 0.7, 0.3, 0.01, 0.33, 0.09];
    sizes.forEach((v, k) => c.set(String(k), v));
    for (const k of [...c.keys()]) c.delete(k);
    expect(c.size).toBe(0);
    expect(Object.is(c.totalSize, 0)).toBe(true);
    // The sum of the others rounded over the bound: the new entry fits alone, and stays.
    sizes.forEach((v, k) => c.set(String(k), v));
    c.set("whole", 1);
    expect([...c.keys()]).toEqual(["whole"]);
    expect(c.totalSize).toBe(1);
  });
});

describe("LruCache stats and options", () => {
  it("counts hits, misses, sets, evictions and the hit rate", () => {
    const c = new LruCache<number, number>({ max: 2 });
    expect(c.stats().hitRate).toBe(0);
    c.set(1, 1).set(2, 2).set(3, 3);
    c.get(1);
    c.get(2);
    c.get(3);
    c.get(3);
    const s = c.stats();
    expect(s).toMatchObject({ hits: 3, misses: 1, sets: 3, evictions: 1, expirations: 0, size: 2 });
    expect(s.hitRate).toBe(0.75);
    c.resetStats();
    expect(c.stats()).toMatchObject({ hits: 0, misses: 0, sets: 0, evictions: 0, size: 2 });
  });

  it("rejects bad options with KosError codes", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof KosError ? e.code : "not KosError";
      }
      return "no error";
    };
    expect(code(() => new LruCache({ max: 0 }))).toBe("LRU_BAD_OPTION");
    expect(code(() => new LruCache({ max: 1.5 }))).toBe("LRU_BAD_OPTION");
    expect(code(() => new LruCache(undefined as never))).toBe("LRU_BAD_OPTION");
    expect(code(() => new LruCache({ max: 1, ttl: 0 }))).toBe("LRU_BAD_TTL");
    expect(code(() => new LruCache({ max: 1, ttl: -5 }))).toBe("LRU_BAD_TTL");
    expect(code(() => new LruCache({ max: 1, maxSize: 10 }))).toBe("LRU_BAD_OPTION");
    expect(code(() => new LruCache({ max: 1, policy: "fifo" as never }))).toBe("LRU_BAD_OPTION");
    expect(code(() => new LruCache({ max: 1, maxSize: 1, sizeOf: () => 1, policy: "tinylfu" }))).toBe("LRU_BAD_OPTION");
    expect(code(() => new LruCache({ max: 1 }).set("a", 1, NaN))).toBe("LRU_BAD_TTL");
    // The options form other caches take says what was wrong (it read "got [object Object]").
    expect(() => new LruCache({ max: 1 }).set("a", 1, { ttl: 500 } as never)).toThrow(/got an object \(the TTL is the number itself: set\(key, value, 500\)\)$/);
  });
});

describe("LruCache with policy: tinylfu", () => {
  it("behaves as a cache: set then get, eviction keeps size at max, delete and clear work", () => {
    const c = new LruCache<number, number>({ max: 50, policy: "tinylfu" });
    for (let i = 0; i < 500; i++) {
      c.set(i, i * 3);
      expect(c.get(i)).toBe(i * 3); // a new key always lands in the window
    }
    expect(c.size).toBe(50);
    for (const [k, v] of c) expect(v).toBe(k * 3);
    expect([...c.keys()][0]).toBe(499);
    c.delete(499);
    expect(c.has(499)).toBe(false);
    c.clear();
    expect(c.size).toBe(0);
    c.set(1, 1);
    expect(c.get(1)).toBe(1);
  });

  it("keeps a frequently used entry through a scan of one-off keys, where LRU loses it", () => {
    const lru = new LruCache<string, number>({ max: 100 });
    const lfu = new LruCache<string, number>({ max: 100, policy: "tinylfu" });
    for (const c of [lru, lfu]) {
      for (let round = 0; round < 20; round++) for (let h = 0; h < 50; h++) if (c.get(`hot${h}`) === undefined) c.set(`hot${h}`, h);
      for (let s = 0; s < 1000; s++) if (c.get(`scan${s}`) === undefined) c.set(`scan${s}`, s);
    }
    const survivors = (c: LruCache<string, number>) => Array.from({ length: 50 }, (_, h) => c.has(`hot${h}`)).filter(Boolean).length;
    expect(survivors(lru)).toBe(0);
    expect(survivors(lfu)).toBe(50);
    expect(lfu.stats().rejections).toBeGreaterThan(900);
  });

  it("beats LRU's hit rate on a seeded Zipf(0.8) trace with scan bursts", () => {
    const rate = (policy: "lru" | "tinylfu") => {
      const c = new LruCache<number, number>({ max: 500, policy });
      for (const key of zipfTrace({ seed: 7, universe: 50_000, s: 0.8, length: 100_000, scanEvery: 10_000, scanLength: 2_000 })) {
        if (c.get(key) === undefined) c.set(key, key);
      }
      return c.stats().hitRate;
    };
    const lru = rate("lru");
    const lfu = rate("tinylfu");
    expect(lfu).toBeGreaterThan(lru + 0.05);
  });

  it("the seeded trace generator is deterministic", () => {
    const a = [...zipfTrace({ seed: 1, universe: 100, s: 0.99, length: 50, scanEvery: 20, scanLength: 5 })];
    const b = [...zipfTrace({ seed: 1, universe: 100, s: 0.99, length: 50, scanEvery: 20, scanLength: 5 })];
    expect(a).toEqual(b);
    expect(mulberry32(3)()).toBe(mulberry32(3)());
  });
});

describe("LruCache against a reference model (seeded random operations)", () => {
  it("plain LRU matches a Map-ordered model exactly", () => {
    const rand = mulberry32(42);
    const max = 16;
    const c = new LruCache<number, number>({ max });
    const model = new Map<number, number>(); // insertion order = recency, oldest first
    for (let step = 0; step < 20_000; step++) {
      const key = Math.floor(rand() * 40);
      const op = rand();
      if (op < 0.45) {
        const want = model.get(key);
        if (want !== undefined) {
          model.delete(key);
          model.set(key, want);
        }
        expect(c.get(key)).toBe(want);
      } else if (op < 0.9) {
        model.delete(key);
        model.set(key, step);
        if (model.size > max) model.delete(model.keys().next().value!);
        c.set(key, step);
      } else {
        expect(c.delete(key)).toBe(model.delete(key));
      }
      if (step % 97 === 0) expect([...c.keys()]).toEqual([...model.keys()].reverse());
    }
    expect(c.size).toBe(model.size);
  });

  it("tinylfu keeps its invariants: size ≤ max, each key once, values are the last set", () => {
    const rand = mulberry32(9);
    const max = 40;
    const c = new LruCache<number, number>({ max, policy: "tinylfu" });
    const last = new Map<number, number>();
    for (let step = 0; step < 30_000; step++) {
      const key = Math.floor(Math.pow(rand(), 3) * 200); // skewed
      const op = rand();
      if (op < 0.6) {
        const got = c.get(key);
        if (got !== undefined) expect(got).toBe(last.get(key));
      } else if (op < 0.95) {
        c.set(key, step);
        last.set(key, step);
        expect(c.peek(key)).toBe(step);
      } else {
        c.delete(key);
        expect(c.has(key)).toBe(false);
      }
      if (step % 101 === 0) {
        const keys = [...c.keys()];
        expect(keys.length).toBe(c.size);
        expect(new Set(keys).size).toBe(keys.length);
        expect(c.size).toBeLessThanOrEqual(max);
      }
    }
    expect(c.size).toBeGreaterThan(max - 5); // full, less the last few deletes
  });
});

/**
 * The TTL semantics kos chose, next to lru-cache 11's, on the same injected
 * clock (lru-cache's `perf` option with `ttlResolution: 0`): each difference
 * is asserted on both libraries, so a change in either shows up here.
 */
describe("LruCache TTL semantics side by side with lru-cache 11", () => {
  function pair(ttl: number) {
    const k = clock(1000);
    const kos = new LruCache<string, number>({ max: 10, ttl, now: k.now });
    const peer = new LRUCache<string, number>({ max: 10, ttl, ttlResolution: 0, perf: { now: k.now } });
    return { k, kos, peer };
  }

  it("expiry at age == ttl: kos has expired the entry, lru-cache still returns it; both expire it after", () => {
    const { k, kos, peer } = pair(100);
    kos.set("a", 1);
    peer.set("a", 1);
    k.t += 99;
    expect([kos.get("a"), peer.get("a")]).toEqual([1, 1]);
    k.t += 1; // age == ttl
    expect(kos.has("a")).toBe(false);
    expect(peer.has("a")).toBe(true);
    expect([kos.get("a"), peer.get("a")]).toEqual([undefined, 1]);
    k.t += 1;
    expect([kos.get("a"), peer.get("a")]).toEqual([undefined, undefined]);
  });

  it("size counts expired entries until something removes them, in both; purgeStale removes them in both", () => {
    const { k, kos, peer } = pair(100);
    for (const x of ["a", "b", "c"]) {
      kos.set(x, 1);
      peer.set(x, 1);
    }
    kos.set("long", 2, 10_000);
    peer.set("long", 2, { ttl: 10_000 });
    k.t += 500;
    expect([kos.size, peer.size]).toEqual([4, 4]);
    expect([[...kos.keys()], [...peer.keys()]]).toEqual([["long"], ["long"]]);
    expect([kos.purgeStale(), peer.purgeStale()]).toEqual([3, true]);
    expect([kos.size, peer.size]).toEqual([1, 1]);
  });

  it("delete of an expired entry: removed by both; kos returns false (as has() said), lru-cache true", () => {
    const { k, kos, peer } = pair(100);
    const reasons: EvictionReason[] = [];
    const kosR = new LruCache<string, number>({ max: 10, ttl: 100, now: k.now, onEvict: (_v, _k, r) => void reasons.push(r) });
    for (const c of [kos, peer, kosR]) c.set("a", 1);
    k.t += 200;
    expect([kos.delete("a"), peer.delete("a"), kosR.delete("a")]).toEqual([false, true, false]);
    expect([kos.size, peer.size, kosR.size]).toEqual([0, 0, 0]);
    expect(reasons).toEqual(["expire"]);
    // A live entry: both return true.
    kos.set("b", 1);
    peer.set("b", 1);
    expect([kos.delete("b"), peer.delete("b")]).toEqual([true, true]);
  });
});

describe("LruCache default TTL clock: staleness bounded, never above lru-cache's default", () => {
  const busyWait = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* spin */ }
  };

  it("within one synchronous run, one reading serves at most 64 TTL checks", () => {
    const c = new LruCache<string, number>({ max: 10, ttl: 5 });
    c.set("a", 1); // reads the clock (check 1 of 64)
    c.set("b", 2);
    busyWait(20); // "a" and "b" are now 15 ms past their deadline, in real time
    let stale = 0;
    for (let i = 0; i < 80 && c.peek("b") !== undefined; i++) stale++;
    // 62 more checks reuse the reading taken at set("a"); the 63rd reads the clock again.
    expect(stale).toBe(62);
    expect(c.get("a")).toBeUndefined();
  });

  it("every event-loop turn starts with a fresh reading", async () => {
    const c = new LruCache<string, number>({ max: 10, ttl: 5 });
    c.set("a", 1);
    busyWait(20);
    await null; // the microtask queue drains: the reading is dropped
    expect(c.get("a")).toBeUndefined();
  });

  it("LruCache.exactClock never returns an expired entry, even inside one synchronous run", () => {
    const c = new LruCache<string, number>({ max: 10, ttl: 5, now: LruCache.exactClock });
    c.set("a", 1);
    busyWait(20);
    expect(c.get("a")).toBeUndefined();
  });
});

describe("LruCache growth (arrays sized by the entries held, not by max)", () => {
  it("matches a Map-ordered model across many doublings, with deletes, TTL and maxSize", () => {
    const rand = mulberry32(77);
    const k = clock();
    const max = 5000;
    const c = new LruCache<number, number>({ max, ttl: 1_000_000, now: k.now, maxSize: 1e9, sizeOf: () => 1 });
    const model = new Map<number, number>();
    for (let n = 0; n < 40_000; n++) {
      const key = Math.floor(rand() * 8000);
      const op = rand();
      if (op < 0.55) {
        c.set(key, n);
        model.delete(key);
        model.set(key, n);
        if (model.size > max) model.delete(model.keys().next().value!);
      } else if (op < 0.65) {
        expect(c.delete(key)).toBe(model.delete(key));
      } else {
        const want = model.get(key);
        if (want !== undefined) {
          model.delete(key);
          model.set(key, want);
        }
        expect(c.get(key)).toBe(want);
      }
    }
    expect(c.size).toBe(model.size);
    expect([...c.keys()]).toEqual([...model.keys()].reverse());
    c.clear();
    expect(c.size).toBe(0);
    c.set(1, 1);
    expect([...c.entries()]).toEqual([[1, 1]]);
  });

  it("tinylfu keeps working while its arrays and sketch grow past 65,536 entries", () => {
    const max = 200_000;
    const c = new LruCache<number, number>({ max, policy: "tinylfu" });
    for (let i = 0; i < 150_000; i++) c.set(i, i);
    expect(c.size).toBe(150_000);
    expect(c.get(149_999)).toBe(149_999);
    for (let i = 150_000; i < 260_000; i++) c.set(i, i);
    expect(c.size).toBe(max);
    expect(new Set(c.keys()).size).toBe(max);
    for (const [key, v] of c) expect(v).toBe(key);
  });
});
