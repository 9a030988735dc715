/**
 * system-pool: CPU-bound tasks through PinnedWorkerPool pinned one worker
 * per core, the same pool unpinned, and plain piscina with the same thread
 * count. Each round runs one batch per configuration (interleaved, so machine
 * noise hits all three alike); the table gives the median batch time.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Piscina } from "piscina";
import { formatNs, markdownTable, speedup, type BenchSection } from "./harness.js";
import { getAffinity, isAffinitySupported } from "../runtime/affinity.js";
import { PinnedWorkerPool } from "../runtime/worker-pool.js";

const TASKS = Number(process.env.KOS_BENCH_POOL_TASKS ?? 100);
const ROUNDS = Number(process.env.KOS_BENCH_POOL_ROUNDS ?? 9);
const ITERATIONS = 2_000_000; // a few ms of arithmetic per task, so scheduling overhead is small next to it

// Constant source written to a temp file (no user data enters it): the task
// module both pools load. A xorshift loop keeps the task CPU-bound and
// allocation-free, so only scheduling and cache placement differ.
const TASK_SOURCE = `export default function spin(seed) {
  let x = seed | 1, acc = 0;
  for (let i = 0; i < ${ITERATIONS}; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; acc = (acc + (x & 1023)) | 0; }
  return acc;
}
`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function batch(run: (seed: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: TASKS }, (_, i) => run(i + 1)));
  return Number(process.hrtime.bigint() - t0);
}

export default async function (): Promise<BenchSection> {
  const id = "system-pool";
  const title = "System: worker pool pinned to cores vs unpinned vs plain piscina";
  const root = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
  const dir = join(root, ".kos-tmp");
  mkdirSync(dir, { recursive: true });
  const taskFile = join(dir, `system-pool-task-${process.pid}.mjs`);
  writeFileSync(taskFile, TASK_SOURCE);
  const loadAtStart = loadavg().map((x) => x.toFixed(1)).join(", ");
  const cpus = getAffinity();
  const threads = cpus.length;
  const plain = new Piscina({ filename: taskFile, minThreads: threads, maxThreads: threads, idleTimeout: Number.POSITIVE_INFINITY });
  let pinned: PinnedWorkerPool<number, number> | undefined;
  let unpinned: PinnedWorkerPool<number, number> | undefined;
  try {
    pinned = await PinnedWorkerPool.create<number, number>({ filename: taskFile, pin: "core" });
    unpinned = await PinnedWorkerPool.create<number, number>({ filename: taskFile, pin: "none", threads });
    const [p, u] = [pinned, unpinned];
    const configs: Array<[string, (seed: number) => Promise<unknown>]> = [
      [`PinnedWorkerPool, pin: "core"${isAffinitySupported() ? "" : " (addon missing: NOT pinned)"}`, (s) => p.run(s)],
      [`PinnedWorkerPool, pin: "none"`, (s) => u.run(s)],
      ["plain piscina", (s) => plain.run(s)],
    ];
    // Reference: the same tasks one after another on the main thread.
    const spin = (await import(pathToFileURL(taskFile).href)).default as (seed: number) => number;
    configs.push(["main thread, serial (reference)", async (s) => spin(s)]);
    // Warm-up: JIT the task in every worker of every pool.
    for (const [, run] of configs) await batch(run);
    const times = new Map(configs.map(([name]) => [name, [] as number[]]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, run] of configs) times.get(name)!.push(await batch(run));
    }
    const plainMedian = median(times.get("plain piscina")!);
    const rows = configs.map(([name]) => {
      const m = median(times.get(name)!);
      return [name, formatNs(m), formatNs(m / TASKS), `${((TASKS / m) * 1e9).toFixed(0)}`, speedup(plainMedian, m)];
    });
    const perWorker = p.stats().workers.map((w) => `cpu ${w.cpus?.join(",") ?? "-"}: ${w.completed} tasks, utilization ${(w.utilization * 100).toFixed(0)}%`);
    return {
      id,
      title,
      markdown: [
        `${TASKS} CPU-bound tasks (${ITERATIONS.toLocaleString("en")} xorshift steps each) per batch, ${threads} workers per pool on CPUs ${cpus.join(",")}, ` +
          `median of ${ROUNDS} interleaved rounds after a warm-up batch. “vs plain piscina” > 1 means faster than piscina.`,
        "",
        markdownTable(["pool", "batch (median)", "per task", "tasks/s", "vs plain piscina"], rows),
        "",
        `Pinned pool per worker after the run: ${perWorker.join("; ")}. ` +
          `Load average when the suite started: ${loadAtStart} (on ${threads} CPUs); when other processes keep the CPUs busy, no pool can beat the serial reference.`,
      ].join("\n"),
    };
  } finally {
    await Promise.all([pinned?.destroy(), unpinned?.destroy(), plain.destroy()]);
    rmSync(taskFile, { force: true });
  }
}
