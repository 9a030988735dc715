// Its declarations name Node types (Buffer, NodeJS, node:worker_threads): TypeScript 6 and later
// include no @types package unless a tsconfig lists it, and a project that did not list "node"
// failed to type-check its import of kos (TS2591 on dist/runtime/*.d.ts) without this reference.
/// <reference types="node" preserve="true" />
/**
 * A worker pool whose workers start ahead of time and are pinned to CPUs,
 * built on piscina. Pinning happens inside each worker at startup (a thread
 * pins only itself), by policy: one worker per core, or each worker on the
 * CPUs of one NUMA node. Adds per-worker stats (tasks completed and failed,
 * busy time, utilization, CPUs) to piscina's queue size and run/wait time
 * histograms. TypeScript worker files load through tsx.
 *
 * piscina is an optional peer dependency, loaded by `create` (not at import:
 * it cost 10 ms of `import "kos"`, issue 13).
 */
import { existsSync } from "node:fs";
import type { Transferable } from "node:worker_threads";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Piscina } from "piscina";
import { requirePeer } from "../optional-peer.js";
import { getAffinity, isAffinitySupported } from "./affinity.js";
import { numaTopology } from "./numa.js";
import { SystemError } from "./native/system-error.js";
import { STAT, STAT_STRIDE, type PoolWorkerData } from "./worker-pool-shared.js";
import { checkOptionKeys } from "../option-keys.js";

const POOL_KEYS: ReadonlySet<string> = new Set(["filename", "pin", "cpus", "threads", "workerData", "execArgv", "concurrentTasksPerWorker", "maxQueue", "startTimeoutMs"]);

/** How workers are pinned: one per core, per NUMA node, or not at all. */
export type PinPolicy = "core" | "numa-node" | "none";

/** Options for `PinnedWorkerPool.create`. */
export interface PinnedPoolOptions {
  /** The task module (path or file: URL); its default export (or module.exports) handles one task. `.ts` works. */
  filename: string | URL;
  /** Pinning policy. Default `"core"`. */
  pin?: PinPolicy;
  /** CPUs to use. Default: the CPUs the calling thread may run on. */
  cpus?: number[];
  /** Number of workers, all started up front. Default: one per CPU used. */
  threads?: number;
  /** Passed to the task module as `workerData`, as piscina does. */
  workerData?: unknown;
  /** Extra Node flags for workers. */
  execArgv?: string[];
  /** Tasks one worker runs at once (async tasks). Default 1. */
  concurrentTasksPerWorker?: number;
  /** Queue limit before `run` rejects. Default unlimited. */
  maxQueue?: number;
  /** How long `create` waits for every worker to start and pin. Default 30 s. */
  startTimeoutMs?: number;
}

/** One worker's counters, read from shared memory. */
export interface WorkerStats {
  /** worker_threads threadId. */
  threadId: number;
  /** Kernel thread id (for /proc/self/task/<tid>); -1 without the addon. */
  tid: number;
  /** CPUs this worker was assigned; null when unpinned. */
  cpus: number[] | null;
  /** True when the pin took effect. */
  pinned: boolean;
  completed: number;
  failed: number;
  /** Milliseconds spent inside tasks. */
  busyMs: number;
  /** busyMs over the worker's lifetime so far, 0..1. */
  utilization: number;
}

/** Latency summary in milliseconds, as piscina records it. */
export interface LatencySummary {
  count: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
}

/**
 * Per-task options: an AbortSignal and objects to transfer rather than copy
 * (piscina's own, declared here so kos's types do not need piscina installed).
 */
export interface PinnedRunOptions {
  signal?: AbortSignal | null;
  transferList?: readonly Transferable[];
}

/** A snapshot of the whole pool. */
export interface PoolStats {
  policy: PinPolicy;
  threads: number;
  queueSize: number;
  completed: number;
  failed: number;
  /** Worker failures outside any task (crashes, module load errors). */
  workerErrors: number;
  /** piscina's pool-wide utilization, 0..1. */
  utilization: number;
  runTime: LatencySummary;
  waitTime: LatencySummary;
  workers: WorkerStats[];
}

/** Resolves the compiled (.js) entry when it exists, else the source (.ts, run through tsx). */
function workerEntry(): { href: string; isTs: boolean } {
  const js = new URL("./worker-pool-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return { href: js.href, isTs: false };
  return { href: new URL("./worker-pool-worker.ts", import.meta.url).href, isTs: true };
}

/** The JS bootstrap that registers tsx before loading the entry (source tree or dist layout). */
function tsBootstrap(): string {
  for (const rel of ["./native/pool-bootstrap.mjs", "../../runtime/native/pool-bootstrap.mjs"]) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  throw new SystemError("EIO_SYSTEM", "PinnedWorkerPool: runtime/native/pool-bootstrap.mjs is missing, so TypeScript workers cannot load");
}

function isTypeScript(file: string): boolean {
  return /\.[cm]?ts$/.test(file);
}

/** CPU sets per worker slot under `policy`. */
function assignmentsFor(policy: PinPolicy, cpus: number[]): number[][] {
  if (policy === "none") return [];
  if (policy === "core") return cpus.map((c) => [c]);
  const allowed = new Set(cpus);
  const nodes = numaTopology()
    .nodes.map((n) => n.cpus.filter((c) => allowed.has(c)))
    .filter((set) => set.length > 0);
  // One slot per CPU, each pinned to its node's whole CPU set, nodes interleaved.
  const perNode = nodes.map((set) => set.map(() => set));
  const out: number[][] = [];
  for (let i = 0; out.length < cpus.length && perNode.some((l) => l.length > i); i++) {
    for (const list of perNode) if (i < list.length) out.push(list[i]!);
  }
  return out;
}

type PiscinaHistogramSummary = Piscina["histogram"]["runTime"];

function summary(h: PiscinaHistogramSummary | undefined, count: number): LatencySummary {
  const v = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 0 : x);
  return { count, mean: v(h?.mean), stddev: v(h?.stddev), min: v(h?.min), max: v(h?.max), p50: v(h?.p50), p90: v(h?.p90), p99: v(h?.p99) };
}

/** A piscina pool with workers pinned to CPUs and per-worker stats. */
export class PinnedWorkerPool<T = unknown, R = unknown> {
  private readonly pending = new Set<Promise<R>>();
  /** Set by the first of close() and destroy(): run() then rejects with EPOOL_CLOSED. */
  private closing: "" | "close" | "destroy" = "";
  private workerErrors = 0;
  private lastWorkerError: unknown;

  /**
   * The underlying piscina pool, for anything not wrapped here. Typed
   * `unknown` so kos's types do not need piscina (an optional peer): cast it
   * to piscina's `Piscina` to use it.
   */
  get piscina(): unknown {
    return this.pool;
  }

  private constructor(
    private readonly pool: Piscina,
    readonly policy: PinPolicy,
    private readonly assignments: number[][],
    private readonly counter: Int32Array,
    private readonly cells: Float64Array,
    private readonly capacity: number,
  ) {
    // `new PinnedWorkerPool(options)` from JavaScript, where TypeScript's `private` does not reach:
    // it threw "pool.on is not a function".
    if (typeof (pool as { on?: unknown } | null)?.on !== "function") throw new SystemError("EPOOL_NEW", "PinnedWorkerPool is made by `await PinnedWorkerPool.create(options)`, not by `new`");
    // A worker that fails outside a task (e.g. its module throws while
    // loading) is an 'error' event on piscina; without a listener Node would
    // throw it as an uncaught exception. Count it and keep the last one.
    pool.on("error", (e: unknown) => {
      this.workerErrors++;
      this.lastWorkerError = e;
    });
  }

  /**
   * Starts every worker, pins each one in its own startup, and resolves once
   * all are running. Pinning needs the addon: without it the pool still runs,
   * and `stats().workers[i].pinned` is false. Throws `EINVAL_CPU` or
   * `EEMPTY_CPUSET` for a bad `cpus` list.
   */
  static async create<T = unknown, R = unknown>(options: PinnedPoolOptions): Promise<PinnedWorkerPool<T, R>> {
    if (options === null || typeof options !== "object") throw new SystemError("EINVAL_OPTIONS", `PinnedWorkerPool.create needs an options object with \`filename\`, got ${options === null ? "null" : typeof options}`);
    checkOptionKeys(options, POOL_KEYS, "PinnedWorkerPool option", (m) => new SystemError("EINVAL_OPTIONS", m));
    const policy = options.pin ?? "core";
    if (!["core", "numa-node", "none"].includes(policy)) {
      throw new SystemError("EINVAL_POLICY", `PinnedWorkerPool: pin must be "core", "numa-node" or "none", got ${JSON.stringify(policy)}`);
    }
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
      throw new SystemError("EINVAL_SIZE", `PinnedWorkerPool: threads must be a positive integer, got ${options.threads}`);
    }
    const cpus = options.cpus ?? getAffinity();
    if (cpus.length === 0) throw new SystemError("EEMPTY_CPUSET", "PinnedWorkerPool: the CPU list is empty");
    const usable = new Set(getAffinity());
    for (const c of cpus) {
      if (!usable.has(c)) throw new SystemError("EINVAL_CPU", `PinnedWorkerPool: CPU ${c} is not available to this process (allowed: ${[...usable].join(",")})`);
    }
    const assignments = isAffinitySupported() ? assignmentsFor(policy, cpus) : [];
    const threads = options.threads ?? (policy === "none" ? cpus.length : Math.max(1, assignments.length || cpus.length));
    const capacity = threads * 2;
    const counter = new Int32Array(new SharedArrayBuffer(12));
    const stats = new Float64Array(new SharedArrayBuffer(capacity * STAT_STRIDE * 8));
    const userFilename = options.filename instanceof URL ? options.filename.href : options.filename;
    const entry = workerEntry();
    const needsTsx = entry.isTs || isTypeScript(userFilename.startsWith("file:") ? fileURLToPath(userFilename) : userFilename);
    const execArgv = options.execArgv ?? [];
    const poolData: PoolWorkerData = {
      counter: counter.buffer as SharedArrayBuffer,
      stats: stats.buffer as SharedArrayBuffer,
      assignments,
      capacity,
      userFilename: userFilename.startsWith("file:") ? userFilename : pathToFileURL(userFilename).href,
      userWorkerData: options.workerData,
      entry: entry.href,
    };
    const { Piscina: PiscinaPool } = requirePeer<typeof import("piscina")>("piscina", "PinnedWorkerPool");
    if (needsTsx) requirePeer<unknown>("tsx", "PinnedWorkerPool with a TypeScript task file");
    const piscina = new PiscinaPool({
      filename: needsTsx ? tsBootstrap() : entry.href,
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      concurrentTasksPerWorker: options.concurrentTasksPerWorker ?? 1,
      maxQueue: options.maxQueue ?? Number.POSITIVE_INFINITY,
      execArgv,
      workerData: { __kosPool: poolData },
    });
    const pool = new PinnedWorkerPool<T, R>(piscina, policy, assignments, counter, stats, capacity);
    await pool.waitUntilStarted(threads, options.startTimeoutMs ?? 30_000);
    return pool;
  }

  private async waitUntilStarted(threads: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.counter, 1) < threads) {
      const loadFailures = Atomics.load(this.counter, 2);
      if (this.lastWorkerError !== undefined || loadFailures > 0 || Date.now() > deadline) {
        const failure = this.lastWorkerError ?? (loadFailures > 0 ? new Error("the task module failed to load in a worker") : undefined);
        await this.pool.destroy();
        const why = failure !== undefined ? `: ${(failure as Error)?.message ?? String(failure)}` : ` within ${timeoutMs} ms`;
        throw new SystemError("EIO_SYSTEM", `PinnedWorkerPool: ${Atomics.load(this.counter, 1)} of ${threads} workers started${why}`, { cause: failure });
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Runs one task; a task that throws rejects only its own promise. Rejects with `EPOOL_CLOSED` after close() or destroy(). */
  run(task: T, options: PinnedRunOptions = {}): Promise<R> {
    if (this.closing) return Promise.reject(new SystemError("EPOOL_CLOSED", `PinnedWorkerPool: run() after ${this.closing}()`));
    const result = this.pool.run(task, options as Parameters<Piscina["run"]>[1]) as Promise<R>;
    this.pending.add(result);
    const forget = () => this.pending.delete(result);
    result.then(forget, forget);
    return result;
  }

  /** Workers, queue, completion counts and latency histograms, now. */
  stats(): PoolStats {
    const now = performance.timeOrigin + performance.now();
    const started = Math.min(Atomics.load(this.counter, 0), this.capacity);
    const workers: WorkerStats[] = [];
    for (let slot = 0; slot < started; slot++) {
      const row = (k: number) => this.cells[slot * STAT_STRIDE + k]!;
      const assignment = row(STAT.assignment);
      const busyMs = row(STAT.busyMs);
      const lifetime = now - row(STAT.startedAt);
      workers.push({
        threadId: row(STAT.threadId),
        tid: row(STAT.tid),
        cpus: assignment >= 0 ? [...this.assignments[assignment]!] : null,
        pinned: row(STAT.pinned) === 1,
        completed: row(STAT.completed),
        failed: row(STAT.failed),
        busyMs,
        utilization: lifetime > 0 ? Math.min(1, busyMs / lifetime) : 0,
      });
    }
    const h = this.pool.histogram;
    return {
      policy: this.policy,
      threads: this.pool.threads.length,
      queueSize: this.pool.queueSize,
      completed: this.pool.completed,
      failed: workers.reduce((s, w) => s + w.failed, 0),
      workerErrors: this.workerErrors,
      utilization: this.pool.utilization,
      runTime: summary(h.runTime, this.pool.completed),
      waitTime: summary(h.waitTime, this.pool.completed),
      workers,
    };
  }

  /**
   * Drains the pool: refuses new tasks, waits until every queued and running
   * task has settled, then stops the workers. (piscina's own close() would
   * end queued tasks with "Terminating worker thread".)
   */
  async close(): Promise<void> {
    this.closing ||= "close";
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await this.pool.close();
  }

  /** Stops the workers now; queued and running tasks reject. */
  async destroy(): Promise<void> {
    // As after close(): piscina started a worker again for a run() after its destroy() (sweep34 #11).
    this.closing ||= "destroy";
    await this.pool.destroy();
  }
}
