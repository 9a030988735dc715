import { afterEach, describe, expect, test } from "vitest";
import { getAffinity, isAffinitySupported, onlineCpus } from "../../runtime/affinity.js";
import { numaTopology } from "../../runtime/numa.js";
import { PinnedWorkerPool } from "../../runtime/worker-pool.js";
import { procCpusAllowed } from "./helpers.js";

const taskTs = new URL("./fixtures/pool-task.ts", import.meta.url);
const taskJs = new URL("./fixtures/pool-task.mjs", import.meta.url);
const original = procCpusAllowed("self");
const pools: PinnedWorkerPool[] = [];

async function pool(options: Parameters<typeof PinnedWorkerPool.create>[0]): Promise<PinnedWorkerPool> {
  const p = await PinnedWorkerPool.create(options);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.destroy()));
  expect(procCpusAllowed("self")).toEqual(original);
});

describe.skipIf(!isAffinitySupported())("pinning", () => {
  test("policy core: one worker per CPU, each pinned only itself (proven in /proc)", async () => {
    const cpus = getAffinity();
    const p = await pool({ filename: taskTs, pin: "core" });
    const { workers, threads } = p.stats();
    expect(threads).toBe(cpus.length);
    expect(workers).toHaveLength(cpus.length);
    expect(workers.map((w) => w.cpus![0]).sort()).toEqual(cpus);
    for (const w of workers) {
      expect(w.pinned).toBe(true);
      expect(procCpusAllowed(w.tid)).toEqual(w.cpus);
    }
    // The main thread is untouched.
    expect(procCpusAllowed("self")).toEqual(original);
  });

  test("policy numa-node: workers are pinned to their node's CPUs", async () => {
    const node0 = numaTopology().nodes[0]!.cpus.filter((c) => original.includes(c));
    const p = await pool({ filename: taskTs, pin: "numa-node" });
    for (const w of p.stats().workers) {
      expect(w.pinned).toBe(true);
      expect(procCpusAllowed(w.tid)).toEqual(numaTopology().nodes.length === 1 ? node0 : w.cpus);
    }
  });

  test("policy none leaves workers unpinned", async () => {
    const p = await pool({ filename: taskTs, pin: "none", threads: 2 });
    for (const w of p.stats().workers) {
      expect(w.pinned).toBe(false);
      expect(w.cpus).toBeNull();
      expect(procCpusAllowed(w.tid)).toEqual(original);
    }
  });

  test.skipIf(onlineCpus().length < 2)("cpus restricts the pool; a task sees its worker's mask", async () => {
    const last = original[original.length - 1]!;
    const p = await pool({ filename: taskTs, cpus: [last] });
    expect(p.stats().threads).toBe(1);
    expect(await p.run({ op: "mask" })).toBe(String(last));
  });

  test("a CPU outside the process's set is EINVAL_CPU; an empty list is EEMPTY_CPUSET", async () => {
    await expect(PinnedWorkerPool.create({ filename: taskTs, cpus: [9999] })).rejects.toMatchObject({ code: "EINVAL_CPU" });
    await expect(PinnedWorkerPool.create({ filename: taskTs, cpus: [] })).rejects.toMatchObject({ code: "EEMPTY_CPUSET" });
    await expect(PinnedWorkerPool.create({ filename: taskTs, pin: "socket" as never })).rejects.toMatchObject({ code: "EINVAL_POLICY" });
    await expect(PinnedWorkerPool.create({ filename: taskTs, threads: 0 })).rejects.toMatchObject({ code: "EINVAL_SIZE" });
  });
});

describe("tasks", () => {
  test("`new PinnedWorkerPool(…)` from JavaScript is EPOOL_NEW, naming create(); it threw 'pool.on is not a function'", () => {
    const Ctor = PinnedWorkerPool as unknown as new (options: object) => unknown;
    expect(() => new Ctor({ threads: 1 })).toThrow(expect.objectContaining({ code: "EPOOL_NEW", message: expect.stringContaining("PinnedWorkerPool.create(options)") }));
  });

  test("a task that throws rejects only its own promise; stats count both outcomes", async () => {
    const p = await pool({ filename: taskTs, threads: 2 });
    const results = await Promise.allSettled([
      p.run({ op: "square", n: 3 }),
      p.run({ op: "throw", message: "boom" }),
      p.run({ op: "square", n: 4 }),
      p.run({ op: "square", n: 5 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe("boom");
    expect(results.filter((r) => r.status === "fulfilled").map((r) => (r as PromiseFulfilledResult<unknown>).value)).toEqual([9, 16, 25]);
    // The pool keeps working after the failure.
    expect(await p.run({ op: "square", n: 6 })).toBe(36);
    const s = p.stats();
    expect(s.failed).toBe(1);
    expect(s.workers.reduce((n, w) => n + w.completed, 0)).toBe(4);
    expect(s.completed).toBe(5);
    expect(s.runTime.count).toBe(5);
    for (const w of s.workers) expect(w.utilization).toBeGreaterThanOrEqual(0);
  });

  test("workerData reaches the task module unchanged", async () => {
    const p = await pool({ filename: taskTs, threads: 1, workerData: { answer: 42 } });
    expect(await p.run({ op: "workerData" })).toEqual({ answer: 42 });
  });

  test("plain JavaScript task modules work too", async () => {
    const p = await pool({ filename: taskJs.pathname, threads: 1, pin: "none" });
    expect(await p.run(21)).toBe(42);
  });

  test("a task module that fails to load makes create() reject instead of hanging", async () => {
    const bad = new URL("./fixtures/pool-bad.mjs", import.meta.url);
    await expect(PinnedWorkerPool.create({ filename: bad, threads: 1, pin: "none", startTimeoutMs: 20_000 })).rejects.toMatchObject({ code: "EIO_SYSTEM" });
  });

  test("close() drains: every queued task finishes, then the workers stop", async () => {
    const p = await PinnedWorkerPool.create({ filename: taskTs, threads: 2 });
    const pending = Array.from({ length: 12 }, (_, n) => p.run({ op: "sleep", ms: 20, n }));
    expect(p.stats().queueSize).toBeGreaterThan(0);
    await p.close();
    expect(await Promise.all(pending)).toEqual(Array.from({ length: 12 }, (_, n) => n));
    expect(p.stats().workers.reduce((n, w) => n + w.completed, 0)).toBe(12);
    expect(p.stats().threads).toBe(0);
    await expect(p.run({ op: "square", n: 1 })).rejects.toMatchObject({ code: "EPOOL_CLOSED" });
  });

  test("after destroy(), run() is refused as after close(), and no worker starts again (sweep34 #11)", async () => {
    const p = await PinnedWorkerPool.create({ filename: taskTs, threads: 1, pin: "none" });
    expect(await p.run({ op: "square", n: 3 })).toBe(9);
    await p.destroy();
    await expect(p.run({ op: "square", n: 1 })).rejects.toMatchObject({ code: "EPOOL_CLOSED", message: expect.stringMatching(/after destroy\(\)/) });
    expect(p.stats().threads).toBe(0);
  });
});
