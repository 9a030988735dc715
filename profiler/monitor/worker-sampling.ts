/**
 * The main thread's side of `sampleFrom: "worker"`: starts the sampling
 * worker (sampling-worker.ts), beats a heartbeat the worker reads, publishes
 * the values only the main thread can read, and drains the worker's rows.
 *
 * Why a worker: a monitor sampling from a timer on the main thread takes no
 * sample while that thread is busy (issue 13: 1 sample in 4 s of a
 * synchronous loop). The worker's timer still fires, so the rows keep coming,
 * with `mainThread.blockedMs` saying how long the main thread has not run.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { SeriesSpec } from "./sampler.js";
import type { SamplingWorkerData } from "./sampling-worker.js";
import { BLOCKED_SERIES, MainValuesState, WORKER_SERIES, WorkerChannel, epochMs } from "./worker-channel.js";

/** The worker's entry: the compiled .js, or from the sources (tests) the .ts, loaded by a bootstrap that registers tsx. */
function workerEntry(): { url: URL; entry: string } {
  const js = new URL("./sampling-worker.js", import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, entry: js.href };
  return { url: new URL("./ts-worker-bootstrap.mjs", import.meta.url), entry: new URL("./sampling-worker.ts", import.meta.url).href };
}

export class WorkerSampling {
  private readonly channel: WorkerChannel;
  private readonly worker: Worker;
  private readonly heartbeat: NodeJS.Timeout;
  /** For each main-published slot, its index in the main thread's sample row. */
  private readonly mainSources: number[];
  private drained = 0;
  /** Reads the main thread's sources into its sample row, closing their interval (the monitor's readSamplers). */
  private readonly read: () => Float64Array;
  /** The worker's last error (it failed to start, or threw), for `Monitor.lastError`. */
  error: unknown = undefined;

  /** `specs` are the monitor's series including {@link BLOCKED_SERIES}, in row order. */
  constructor(specs: SeriesSpec[], capacity: number, intervalMs: number, heartbeatMs: number, read: () => Float64Array) {
    this.read = read;
    const names = specs.map((s) => s.name);
    const mainNames = names.filter((n) => n !== BLOCKED_SERIES && !WORKER_SERIES.test(n));
    this.mainSources = mainNames.map((n) => names.indexOf(n));
    this.channel = WorkerChannel.create({ names, mainNames, capacity });
    this.channel.clock[0] = epochMs();
    const entry = workerEntry();
    const data: SamplingWorkerData = { buffer: this.channel.buffer, layout: this.channel.layout, intervalMs, heartbeatMs, entry: entry.entry };
    this.worker = new Worker(entry.url, { workerData: data, stdout: false, stderr: false });
    this.worker.on("error", (e) => (this.error = e));
    // Like the main-thread timer: the worker never keeps the process alive.
    this.worker.unref();
    this.heartbeat = setInterval(() => {
      this.channel.clock[0] = epochMs();
      this.offer();
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /**
   * Reads and publishes the main thread's values when the worker has taken the
   * last ones (see MainValuesState), so every main-thread interval goes into
   * exactly one row. Called at each heartbeat and each interval: a row's
   * main-thread values cover the time up to the first of those after the
   * previous row. Never throws (it runs on timers); a failure goes to `error`.
   */
  offer(): void {
    const state = this.channel.count;
    if (Atomics.load(state, 1) !== MainValuesState.EMPTY) return;
    try {
      const row = this.read();
      const out = this.channel.mainValues;
      for (let i = 0; i < this.mainSources.length; i++) out[i] = row[this.mainSources[i]!]!;
      this.channel.clock[0] = epochMs();
      this.channel.clock[1] = epochMs();
      Atomics.store(state, 1, MainValuesState.PUBLISHED);
    } catch (e) {
      this.error = e;
    }
  }

  /**
   * Hands every row the worker wrote since the last drain to `push`, oldest
   * first (rows the ring has already overwritten are skipped); returns how many.
   */
  drain(push: (timestamp: number, elapsedMs: number, values: Float64Array) => void): number {
    const written = this.channel.written();
    const first = Math.max(this.drained, written - this.channel.layout.capacity);
    const { rows, rowLength } = this.channel;
    for (let n = first; n < written; n++) {
      const at = this.channel.rowAt(n);
      push(rows[at]!, rows[at + 1]!, rows.subarray(at + 2, at + rowLength));
    }
    this.drained = written;
    return written - first;
  }

  stop(): void {
    clearInterval(this.heartbeat);
    void this.worker.terminate();
  }
}
