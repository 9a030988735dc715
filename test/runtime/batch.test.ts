import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BatchProcessor } from "../../runtime/batch.js";
import { KosError } from "../../errors.js";

/** Records every batch and answers each item with item * 10. */
function recorder() {
  const batches: number[][] = [];
  const fn = (items: number[]) => {
    batches.push([...items]);
    return items.map((x) => x * 10);
  };
  return { batches, fn };
}

async function codeOfRejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KosError);
  return (err as KosError).code;
}

describe("BatchProcessor", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("flushes as soon as a batch is full and resolves each item with its own result", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 3, maxWait: 1000 });
    const ps = [1, 2, 3, 4].map((x) => bp.add(x));
    expect(batches).toEqual([[1, 2, 3]]);
    await expect(Promise.all(ps.slice(0, 3))).resolves.toEqual([10, 20, 30]);
    expect(bp.stats()).toMatchObject({ items: 4, batches: 1, pending: 1, flushes: { full: 1, timeout: 0, manual: 0, close: 0, exit: 0 } });
    await bp.close();
    await expect(ps[3]).resolves.toBe(40);
  });

  it("flushes on maxWait measured from the first item", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 100, maxWait: 50 });
    const a = bp.add(1);
    await vi.advanceTimersByTimeAsync(30);
    const b = bp.add(2);
    await vi.advanceTimersByTimeAsync(19);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2]]);
    await expect(Promise.all([a, b])).resolves.toEqual([10, 20]);
    expect(bp.stats().flushes).toEqual({ full: 0, timeout: 1, manual: 0, close: 0, exit: 0 });
  });

  it("with maxWaitFrom: 'last', waits maxWait after the latest item", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 100, maxWait: 50, maxWaitFrom: "last" });
    bp.add(1);
    await vi.advanceTimersByTimeAsync(40);
    bp.add(2);
    await vi.advanceTimersByTimeAsync(40); // 80 ms since first, 40 since last
    expect(batches).toEqual([]);
    bp.add(3);
    await vi.advanceTimersByTimeAsync(49);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(bp.stats().flushes.timeout).toBe(1);
  });

  it("uses an injected clock for maxWaitFrom: 'last'", async () => {
    let now = 0;
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 100, maxWait: 10, maxWaitFrom: "last", now: () => now });
    bp.add(1);
    now = 8;
    bp.add(2);
    now = 10;
    await vi.advanceTimersByTimeAsync(10); // timer fires, clock says only 2 ms since the last add
    expect(batches).toEqual([]);
    now = 18;
    await vi.advanceTimersByTimeAsync(8);
    expect(batches).toEqual([[1, 2]]);
  });

  it("starts a new timer for the next batch after a timeout flush", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 100, maxWait: 10 });
    bp.add(1);
    await vi.advanceTimersByTimeAsync(10);
    bp.add(2);
    await vi.advanceTimersByTimeAsync(9);
    expect(batches).toEqual([[1]]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[1], [2]]);
  });

  it("flush() drains the open batch and waits for batches still running", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const bp = new BatchProcessor(async (items: number[]) => {
      await gate;
      return items.map((x) => -x);
    }, { batchSize: 2, maxWait: 1000 });
    const ps = [1, 2, 3].map((x) => bp.add(x));
    let flushed = false;
    const f = bp.flush().then(() => (flushed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toBe(false);
    expect(bp.stats()).toMatchObject({ inFlight: 2, pending: 0, flushes: { full: 1, manual: 1 } });
    release();
    await f;
    expect(flushed).toBe(true);
    await expect(Promise.all(ps)).resolves.toEqual([-1, -2, -3]);
    expect(bp.stats()).toMatchObject({ inFlight: 0, resolved: 3, rejected: 0 });
  });

  it("flush() and close() on an empty processor do nothing and count nothing", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 2, maxWait: 10 });
    await bp.flush();
    await bp.close();
    await bp.close();
    expect(batches).toEqual([]);
    expect(bp.stats().flushes).toEqual({ full: 0, timeout: 0, manual: 0, close: 0, exit: 0 });
  });

  it("close() drains, then add() rejects with BATCH_CLOSED", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 10, maxWait: 1000 });
    const p = bp.add(1);
    await bp.close();
    expect(batches).toEqual([[1]]);
    await expect(p).resolves.toBe(10);
    expect(await codeOfRejection(bp.add(2))).toBe("BATCH_CLOSED");
    expect(bp.stats()).toMatchObject({ items: 1, flushes: { close: 1 } });
  });

  it("an error in processBatch rejects exactly that batch's items; nothing is left pending", async () => {
    const bp = new BatchProcessor((items: number[]) => {
      if (items.includes(4)) throw new Error("bad batch");
      return items.map((x) => x + 1);
    }, { batchSize: 3, maxWait: 1000 });
    const results = await Promise.allSettled([1, 2, 3, 4, 5, 6, 7].map((x) => bp.add(x)).concat([bp.close() as Promise<never>]));
    const statuses = results.slice(0, 7).map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message));
    expect(statuses).toEqual([2, 3, 4, "bad batch", "bad batch", "bad batch", 8]);
    expect(bp.stats()).toMatchObject({ batches: 3, failedBatches: 1, resolved: 4, rejected: 3, pending: 0, inFlight: 0 });
  });

  it("an async rejection rejects that batch's items with the same error", async () => {
    const boom = new Error("async boom");
    const bp = new BatchProcessor(async (_items: number[]): Promise<number[]> => {
      throw boom;
    }, { batchSize: 2, maxWait: 1000 });
    const settled = await Promise.allSettled([bp.add(1), bp.add(2)]);
    expect(settled).toEqual([{ status: "rejected", reason: boom }, { status: "rejected", reason: boom }]);
  });

  it("results of the wrong length or shape reject every item with BATCH_RESULT_MISMATCH", async () => {
    const short = new BatchProcessor((items: number[]) => items.slice(1), { batchSize: 3, maxWait: 1000 });
    const ps = [1, 2, 3].map((x) => short.add(x));
    for (const p of ps) expect(await codeOfRejection(p)).toBe("BATCH_RESULT_MISMATCH");
    expect(short.stats()).toMatchObject({ failedBatches: 1, rejected: 3, resolved: 0 });

    const notArray = new BatchProcessor((() => 5) as unknown as (items: number[]) => number[], { batchSize: 2, maxWait: 1000 });
    const qs = [notArray.add(1), notArray.add(2)];
    for (const q of qs) expect(await codeOfRejection(q)).toBe("BATCH_RESULT_MISMATCH");
  });

  it("settles every item even if processBatch empties the array it was given", async () => {
    const bp = new BatchProcessor((items: number[]) => {
      items.length = 0;
      return [] as number[];
    }, { batchSize: 3, maxWait: 1000 });
    const ps = [1, 2, 3].map((x) => bp.add(x));
    for (const p of ps) expect(await codeOfRejection(p)).toBe("BATCH_RESULT_MISMATCH");
    expect(bp.stats()).toMatchObject({ rejected: 3, inFlight: 0 });
  });

  it("handles batches larger than the preallocated capacity, and partial batches", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 5000, maxWait: 1000 });
    const ps = Array.from({ length: 5003 }, (_, i) => bp.add(i));
    expect(batches.length).toBe(1);
    expect(batches[0]!.length).toBe(5000);
    await bp.flush();
    expect(batches[1]).toEqual([5000, 5001, 5002]);
    const out = await Promise.all(ps);
    expect(out.every((v, i) => v === i * 10)).toBe(true);
  });

  it("items added while a batch runs go to the next batch", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor((items: number[]) => {
      if (items[0] === 1) void bp.add(99); // re-entrant add from inside processBatch
      return fn(items);
    }, { batchSize: 2, maxWait: 5 });
    const ps = [bp.add(1), bp.add(2)];
    await vi.advanceTimersByTimeAsync(5);
    expect(batches).toEqual([[1, 2], [99]]);
    await expect(Promise.all(ps)).resolves.toEqual([10, 20]);
  });

  it("maxWait: Infinity never arms a timer; maxWait: 0 flushes on the next timer turn", async () => {
    const inf = recorder();
    const never = new BatchProcessor(inf.fn, { batchSize: 10, maxWait: Infinity });
    never.add(1);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1e9);
    expect(inf.batches).toEqual([]);
    await never.flush();
    expect(inf.batches).toEqual([[1]]);

    const zero = recorder();
    const now = new BatchProcessor(zero.fn, { batchSize: 10, maxWait: 0 });
    now.add(1);
    now.add(2);
    expect(zero.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(zero.batches).toEqual([[1, 2]]);
  });

  it("a maxWait beyond setTimeout's range does not fire early", async () => {
    const { batches, fn } = recorder();
    const bp = new BatchProcessor(fn, { batchSize: 10, maxWait: 2 ** 40 });
    bp.add(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(batches).toEqual([]);
    await bp.close();
    expect(batches).toEqual([[1]]);
  });

  it("flush() waits for batches already running, not for ones dispatched after it", async () => {
    const gates: Array<() => void> = [];
    const bp = new BatchProcessor((items: number[]) => new Promise<number[]>((r) => gates.push(() => r(items))), { batchSize: 1, maxWait: 1000 });
    const first = bp.add(1);
    let flushed = false;
    const f = bp.flush().then(() => (flushed = true));
    const second = bp.add(2); // dispatched after flush() was called
    gates[0]!();
    await f;
    expect(flushed).toBe(true);
    await expect(first).resolves.toBe(1);
    expect(bp.stats().inFlight).toBe(1);
    gates[1]!();
    await expect(second).resolves.toBe(2);
  });

  it("settles every item exactly once under random sizes, delays, failures and flushes", async () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const seen = new Map<number, number>(); // item → times handed to processBatch
    const bp = new BatchProcessor(async (items: number[]) => {
      for (const x of items) seen.set(x, (seen.get(x) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 20)));
      if (rand() < 0.2) throw new Error(`failed batch starting ${items[0]}`);
      return items.map((x) => x * 3);
    }, { batchSize: 7, maxWait: 5, maxWaitFrom: rand() < 0.5 ? "first" : "last" });
    const outcomes: Array<Promise<PromiseSettledResult<number>>> = [];
    for (let i = 0; i < 2000; i++) {
      outcomes.push(bp.add(i).then((value) => ({ status: "fulfilled" as const, value }), (reason: unknown) => ({ status: "rejected" as const, reason })));
      const r = rand();
      if (r < 0.05) void bp.flush();
      else if (r < 0.3) await vi.advanceTimersByTimeAsync(Math.floor(rand() * 8));
    }
    const closed = bp.close();
    await vi.runAllTimersAsync();
    await closed;
    const results = await Promise.all(outcomes);
    let ok = 0;
    results.forEach((res, i) => {
      expect(seen.get(i)).toBe(1);
      if (res.status === "fulfilled") {
        ok++;
        expect(res.value).toBe(i * 3);
      } else {
        expect((res.reason as Error).message).toMatch(/^failed batch starting \d+$/);
      }
    });
    const s = bp.stats();
    expect(s.resolved).toBe(ok);
    expect(s.resolved + s.rejected).toBe(2000);
    expect(s.items).toBe(2000);
    expect(s).toMatchObject({ pending: 0, inFlight: 0 });
    expect(s.flushes.full + s.flushes.timeout + s.flushes.manual + s.flushes.close + s.flushes.exit).toBe(s.batches);
    expect(s.failedBatches).toBeGreaterThan(0);
    expect(ok).toBeGreaterThan(0);
  });

  it("rejects bad options with BATCH_INVALID_OPTIONS", () => {
    const fn = (x: number[]) => x;
    const bad: unknown[] = [
      { batchSize: 0, maxWait: 1 },
      { batchSize: 1.5, maxWait: 1 },
      { batchSize: 1, maxWait: -1 },
      { batchSize: 1, maxWait: NaN },
      { batchSize: 1, maxWait: 1, maxWaitFrom: "middle" },
      { batchSize: 1, maxWait: 1, now: 3 },
      null,
    ];
    for (const opts of bad) {
      expect(() => new BatchProcessor(fn, opts as never)).toThrow(KosError);
      try {
        new BatchProcessor(fn, opts as never);
      } catch (e) {
        expect((e as KosError).code).toBe("BATCH_INVALID_OPTIONS");
      }
    }
    expect(() => new BatchProcessor(5 as never, { batchSize: 1, maxWait: 1 })).toThrow(KosError);
  });
});

/** Runs an ES module script in a child Node (with tsx) that has `BatchProcessor` in scope. */
async function runChild(body: string): Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string }> {
  const { spawnSync } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const modUrl = new URL("../../runtime/batch.ts", import.meta.url).href;
  const script = `const { BatchProcessor } = await import(${JSON.stringify(modUrl)});\n${body}`;
  const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: res.status, signal: res.signal, stdout: res.stdout, stderr: res.stderr };
}

describe("BatchProcessor at process exit (nothing lost)", () => {
  it("processes five fire-and-forget add()s at the end of a script, then exits 0", async () => {
    const res = await runChild(`
      const bp = new BatchProcessor((xs) => { console.log("batch " + JSON.stringify(xs)); return xs; }, { batchSize: 100, maxWait: 200 });
      for (let i = 1; i <= 5; i++) bp.add(i).then((v) => console.log("done " + v));
    `);
    expect(res.stderr).toBe("");
    expect(res.stdout.trim().split("\n")).toEqual(["batch [1,2,3,4,5]", "done 1", "done 2", "done 3", "done 4", "done 5"]);
    expect(res.status).toBe(0);
  });

  it("flushes at exit without waiting out maxWait (the timer stays unref'd)", async () => {
    const res = await runChild(`
      const bp = new BatchProcessor((xs) => xs, { batchSize: 100, maxWait: 60000 });
      const p = bp.add(1);
      p.then(() => console.log(JSON.stringify(bp.stats().flushes)));
    `);
    // A ref'd 60 s timer would have hit spawnSync's 30 s timeout: status null, signal SIGTERM.
    expect(res.signal).toBeNull();
    expect(res.stdout.trim()).toBe('{"full":0,"timeout":0,"manual":0,"close":0,"exit":1}');
    expect(res.status).toBe(0);
  });

  it("`await bp.add(21)` as a script's last work gets its result and exits 0 (not 13)", async () => {
    const res = await runChild(`
      const bp = new BatchProcessor((xs) => xs.map((x) => x * 2), { batchSize: 100, maxWait: 200 });
      console.log("result " + (await bp.add(21)));
    `);
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe("result 42");
    expect(res.status).toBe(0);
  });

  it("also flushes in a worker thread whose last work is a fire-and-forget add()", async () => {
    const { Worker } = await import("node:worker_threads");
    const { createRequire } = await import("node:module");
    const { pathToFileURL } = await import("node:url");
    const api = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(/\.cjs$/, ".mjs");
    const modUrl = new URL("../../runtime/batch.ts", import.meta.url).href;
    const code = `
      import(${JSON.stringify(api)}).then((m) => { m.register(); return Promise.all([import("node:worker_threads"), import(${JSON.stringify(modUrl)})]); }).then(([wt, B]) => {
        const bp = new B.BatchProcessor((xs) => { wt.parentPort.postMessage(xs); return xs; }, { batchSize: 100, maxWait: 60000 });
        bp.add(1); bp.add(2); bp.add(3);
      });`;
    const w = new Worker(code, { eval: true });
    const got: unknown[] = [];
    w.on("message", (m) => got.push(m));
    const exitCode = await new Promise<number>((resolve) => w.once("exit", resolve));
    expect(got).toEqual([[1, 2, 3]]);
    expect(exitCode).toBe(0);
  });

  it("maxWait: Infinity flushes pending items on beforeExit too", async () => {
    const res = await runChild(`
      const bp = new BatchProcessor((xs) => { console.log("batch " + JSON.stringify(xs)); return xs; }, { batchSize: 100, maxWait: Infinity });
      bp.add("a"); bp.add("b");
      console.log("result " + (await bp.add("c")) + " " + JSON.stringify(bp.stats().flushes));
    `);
    expect(res.stderr).toBe("");
    expect(res.stdout.trim().split("\n")).toEqual(['batch ["a","b","c"]', 'result c {"full":0,"timeout":0,"manual":0,"close":0,"exit":1}']);
    expect(res.status).toBe(0);
  });

  it("unref() restores the old behaviour: pending items are dropped and an awaited add() ends with code 13", async () => {
    const dropped = await runChild(`
      const bp = new BatchProcessor((xs) => { console.log("batch"); return xs; }, { batchSize: 100, maxWait: 60000 }).unref();
      for (let i = 1; i <= 5; i++) bp.add(i);
      console.log("added");
    `);
    // A ref'd 60 s timer would have hit spawnSync's 30 s timeout: status null, signal SIGTERM.
    expect(dropped.signal).toBeNull();
    expect(dropped.stdout.trim()).toBe("added");
    expect(dropped.status).toBe(0);
    const awaited = await runChild(`
      const bp = new BatchProcessor((xs) => xs, { batchSize: 100, maxWait: Infinity }).unref();
      await bp.add(21);
      console.log("never");
    `);
    expect(awaited.stdout).toBe("");
    expect(awaited.status).toBe(13);
  });

  it("ref() after unref() holds the process open again", async () => {
    const res = await runChild(`
      const bp = new BatchProcessor((xs) => xs, { batchSize: 100, maxWait: 100 }).unref();
      const p = bp.add(7);
      bp.ref();
      console.log("result " + (await p));
    `);
    expect(res.stdout.trim()).toBe("result 7");
    expect(res.status).toBe(0);
  });
});
