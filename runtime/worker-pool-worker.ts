/**
 * Entry file of every `PinnedWorkerPool` worker (loaded by piscina). At
 * startup it claims a slot, pins its own thread to the CPUs assigned to that
 * slot (which pins this worker only), hands the user's `workerData` back to
 * the user's module, loads that module, and then counts every task it runs.
 */
import * as workerThreads from "node:worker_threads";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { isAffinitySupported, setAffinity } from "./affinity.js";
import { nativeBinding } from "./native/binding.js";
import { STAT, STAT_STRIDE, type PoolWorkerData } from "./worker-pool-shared.js";

const data = (workerThreads.workerData as { __kosPool: PoolWorkerData }).__kosPool;
const counter = new Int32Array(data.counter);
const stats = new Float64Array(data.stats);
// Replacement workers (after a crash) wrap around the rows; see PoolWorkerData.
const slot = Atomics.add(counter, 0, 1) % data.capacity;
const base = slot * STAT_STRIDE;
const cpus = data.assignments.length > 0 ? data.assignments[slot % data.assignments.length]! : null;

stats[base + STAT.threadId] = workerThreads.threadId;
stats[base + STAT.tid] = nativeBinding()?.gettid() ?? -1;
stats[base + STAT.startedAt] = performance.timeOrigin + performance.now();
stats[base + STAT.assignment] = cpus === null ? -1 : slot % data.assignments.length;
if (cpus !== null && isAffinitySupported()) {
  try {
    setAffinity(cpus);
    stats[base + STAT.pinned] = 1;
  } catch {
    stats[base + STAT.pinned] = -1; // the pool reports it as pinned: false
  }
}

// The user's module sees its own workerData, as with a plain piscina pool:
// replace it on the CommonJS object, then sync the ESM named exports.
createRequire(import.meta.url)("node:worker_threads").workerData = data.userWorkerData;
syncBuiltinESMExports();

type Handler = (task: unknown) => unknown;

// No top-level await in this file: Node 20.19+ lets piscina require() ES
// modules, and a module with top-level await fails to require and, imported
// again, tripped ERR_INTERNAL_ASSERTION ("imported again after being
// required", seen in bench/system-pool). Instead the default export is a
// promise of the task function: piscina awaits it while preloading, before
// its workers block waiting for tasks, so the task module still loads ahead
// of the first task.
async function loadHandler(): Promise<Handler> {
  const userUrl = data.userFilename.startsWith("file:") ? data.userFilename : pathToFileURL(data.userFilename).href;
  const mod = (await import(userUrl)) as { default?: unknown };
  let exported: unknown = mod.default ?? mod;
  // A CommonJS module imported as ESM puts module.exports on default; follow one more level.
  if (typeof exported !== "function" && typeof (exported as { default?: unknown })?.default === "function") {
    exported = (exported as { default: unknown }).default;
  }
  if (typeof exported !== "function") {
    throw new Error(`${data.userFilename} must export a function (default export or module.exports)`);
  }
  return exported as Handler;
}

/** Wraps the user's task function to record outcomes and busy time in this worker's row. */
function countingTask(handler: Handler): Handler {
  return async function runCountedTask(task: unknown): Promise<unknown> {
    const started = performance.now();
    try {
      const result = await handler(task);
      stats[base + STAT.completed]! += 1;
      return result;
    } catch (e) {
      stats[base + STAT.failed]! += 1;
      throw e;
    } finally {
      stats[base + STAT.busyMs]! += performance.now() - started;
    }
  };
}

const ready: Promise<Handler> = loadHandler().then(
  (handler) => {
    Atomics.add(counter, 1, 1); // ready
    return countingTask(handler);
  },
  (e: unknown) => {
    Atomics.add(counter, 2, 1); // failed to load; the pool reports why
    throw e;
  },
);
ready.catch(() => {}); // piscina sees the rejection through the export

export default ready;
