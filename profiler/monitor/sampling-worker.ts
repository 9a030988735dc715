/**
 * Entry of the worker thread that samples for a monitor created with
 * `sampleFrom: "worker"`. Its timer runs while the main thread is blocked:
 * every interval it reads the process-wide sources itself (machine and
 * process CPU, RSS, system memory, I/O), takes the main thread's values of
 * the rest if it published some since the last row (each publication goes
 * into one row only; NaN otherwise: unknown, not repeated), measures how long
 * the main thread has not run, and appends a row to the shared ring.
 */
import { workerData } from "node:worker_threads";
import { CpuSampler } from "./cpu-sampler.js";
import { IoSampler } from "./io-sampler.js";
import { MemorySampler } from "./memory-sampler.js";
import { ProcessCpuSampler } from "./process-cpu-sampler.js";
import type { Sampler } from "./sampler.js";
import { BLOCKED_SERIES, MainValuesState, WORKER_SERIES, WorkerChannel, epochMs, type ChannelLayout } from "./worker-channel.js";

export interface SamplingWorkerData {
  buffer: SharedArrayBuffer;
  layout: ChannelLayout;
  intervalMs: number;
  /** Period of the main thread's heartbeat: an older beat means the main thread was blocked. */
  heartbeatMs: number;
  /** This file's URL (for ts-worker-bootstrap.mjs, when running from sources). */
  entry: string;
}

const data = workerData as SamplingWorkerData;
const channel = new WorkerChannel(data.buffer, data.layout);
const index = new Map(data.layout.names.map((n, i) => [n, i]));
const samplers: Sampler[] = [new CpuSampler(), new ProcessCpuSampler(), new MemorySampler(), new IoSampler()];
// For each sampler: its scratch row and where each of its series goes in a full row (-1: the main thread's).
const plans = samplers.map((s) => {
  const specs = s.start();
  return { sampler: s, scratch: new Float64Array(specs.length), targets: specs.map((spec) => (WORKER_SERIES.test(spec.name) ? index.get(spec.name) ?? -1 : -1)) };
});
const mainTargets = data.layout.mainNames.map((n) => index.get(n)!);
const blockedAt = index.get(BLOCKED_SERIES)!;
let last = epochMs();

function tick(): void {
  const now = epochMs();
  const elapsed = now - last;
  last = now;
  const n = Atomics.load(channel.count, 0);
  const at = channel.rowAt(n);
  const row = channel.rows;
  row.fill(NaN, at, at + channel.rowLength);
  row[at] = now;
  row[at + 1] = elapsed;
  for (const p of plans) {
    p.sampler.sample(elapsed, p.scratch, 0);
    p.targets.forEach((t, i) => {
      if (t >= 0) row[at + 2 + t] = p.scratch[i]!;
    });
  }
  // The main thread publishes again soon after each take (at its next heartbeat), so values are
  // waiting at every tick unless it has not run since the last row.
  if (Atomics.compareExchange(channel.count, 1, MainValuesState.PUBLISHED, MainValuesState.READING) === MainValuesState.PUBLISHED) {
    mainTargets.forEach((t, i) => (row[at + 2 + t] = channel.mainValues[i]!));
    Atomics.store(channel.count, 1, MainValuesState.EMPTY);
  }
  row[at + 2 + blockedAt] = Math.max(0, now - channel.clock[0]! - data.heartbeatMs);
  Atomics.add(channel.count, 0, 1);
}

setInterval(tick, data.intervalMs);
